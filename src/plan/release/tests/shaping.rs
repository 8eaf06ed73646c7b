//! Tests of the plan with `[package.<name>]` and `[changelog]` settings (see release.rs):
//! crates released without publishing, per-crate tag formats and changelogs.

use super::*;
use crate::plan::changelog::{ChangelogFormat, ChangelogOptions, SectionSpec};

/// `publish = false`.
fn app(name: &str, version: &str, deps: Vec<MemberDep>) -> Member {
    Member {
        publish: Publish::Never,
        ..member(name, version, deps)
    }
}

fn with_crate(mut options: PlanOptions, name: &str, crate_options: CrateOptions) -> PlanOptions {
    options.crates.insert(name.to_owned(), crate_options);
    options
}

/// `release = true` for `name`.
fn release(name: &str) -> PlanOptions {
    with_crate(
        options(),
        name,
        CrateOptions {
            release: true,
            ..CrateOptions::default()
        },
    )
}

/// lib, other and cli (→ lib "1.0.0", `publish = false`), each tagged.
fn cli_on_lib() -> Repo {
    Repo::new(vec![
        member("lib", "1.0.0", vec![]),
        member("other", "1.0.0", vec![]),
        app("cli", "0.3.0", vec![dep("lib", "1.0.0")]),
    ])
    .tag("lib-v1.0.0")
    .tag("other-v1.0.0")
    .tag("cli-v0.3.0")
}

#[test]
fn a_release_only_crate_is_versioned_tagged_and_never_in_a_publish_wave() {
    let plan = cli_on_lib()
        .commit("feat(cli): a --json flag", &["cli"])
        .plan(&release("cli"))
        .unwrap();
    assert_eq!(released(&plan), ["cli 0.3.1"]);
    let cli = krate(&plan, "cli");
    assert!(cli.release_only);
    assert_eq!(cli.planned_tag, "cli-v0.3.1");
    assert_eq!(cli.wave, None);
    assert!(plan.waves.is_empty(), "{:?}", plan.waves);
    assert!(cli.changelog.contains("- **cli:** a --json flag"));
    let text = render::text(&plan);
    assert!(
        text.lines()
            .any(|l| l.starts_with("cli") && l.ends_with("not published")),
        "{text}"
    );
    assert!(
        plan.notes
            .iter()
            .any(|n| n.starts_with("cli is released without publishing")),
        "{:?}",
        plan.notes
    );
}

#[test]
fn a_publish_false_crate_without_release_stays_out_of_the_plan() {
    let plan = Repo::tagged(vec![
        member("lib", "1.0.0", vec![]),
        app("cli", "0.3.0", vec![]),
    ])
    .commit("feat: x", &["lib", "cli"])
    .plan(&options())
    .unwrap();
    let names: Vec<&str> = plan.crates.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["lib"]);
}

#[test]
fn a_release_only_dependent_follows_a_breaking_dependency() {
    // cli → lib: lib 2.0.0 no longer satisfies "1.0.0"; cli is rewritten and patched.
    let plan = cli_on_lib()
        .commit("feat(lib)!: new engine", &["lib"])
        .plan(&release("cli"))
        .unwrap();
    assert_eq!(released(&plan), ["cli 0.3.1", "lib 2.0.0"]);
    assert_eq!(plan.waves, [names(&["lib"])]);
    let cli = &plan.manifest_edits["crates/cli/Cargo.toml"];
    assert_eq!(cli.package_version, Some(v("0.3.1")));
    assert_eq!(cli.deps.len(), 1);
}

#[test]
fn a_release_only_crate_does_not_take_the_one_crate_tag_format_from_the_published_one() {
    let repo = || {
        Repo::new(vec![
            member("lib", "1.0.0", vec![]),
            app("cli", "0.3.0", vec![]),
        ])
        .tag("v1.0.0")
        .commit("fix: mend both", &["lib", "cli"])
    };
    let plan = repo().plan(&release("cli")).unwrap();
    assert_eq!(krate(&plan, "lib").planned_tag, "v1.0.1");
    // Never tagged: released at its version.
    assert_eq!(krate(&plan, "cli").planned_tag, "cli-v0.3.0");

    // An application alone in its workspace is the one crate.
    let alone = Repo::new(vec![app("cli", "0.3.0", vec![])])
        .tag("v0.3.0")
        .commit("fix: mend", &["cli"])
        .plan(&release("cli"))
        .unwrap();
    assert_eq!(krate(&alone, "cli").planned_tag, "v0.3.1");
}

#[test]
fn a_crate_tag_format_wins_over_its_group_and_the_workspace() {
    let mut options = with_crate(
        release("cli"),
        "cli",
        CrateOptions {
            release: true,
            tag_format: Some("cli/v{version}".into()),
            changelog: None,
        },
    );
    options.tag_format = Some("{name}@{version}".into());
    options.groups = vec![group("apps", &["cli", "lib"], Versioning::Independent)];
    let repo = Repo::new(vec![
        member("lib", "1.0.0", vec![]),
        app("cli", "0.3.0", vec![]),
    ])
    .tag("lib@1.0.0")
    .tag("cli/v0.3.0")
    .commit("fix: mend both", &["lib", "cli"]);
    let plan = repo.plan(&options).unwrap();
    assert_eq!(krate(&plan, "cli").planned_tag, "cli/v0.3.1");
    assert_eq!(krate(&plan, "lib").planned_tag, "lib@1.0.1");
    let formats = member_tag_formats(
        &repo.ws,
        None,
        options.tag_format.as_deref(),
        &options.groups,
        &options.crates,
    )
    .unwrap();
    assert_eq!(formats["cli"], "cli/v{version}");
    assert_eq!(formats["lib"], "{name}@{version}");
}

#[test]
fn each_crate_gets_its_own_changelog_file_and_format() {
    let mut options = options();
    options.changelog.path = "CHANGES.md".into();
    options.workspace_changelog = Some("RELEASES.md".into());
    let shaped = ChangelogOptions {
        enabled: true,
        path: "docs/CHANGELOG.md".into(),
        format: ChangelogFormat {
            sections: vec![SectionSpec {
                title: "Changed".into(),
                types: vec!["fix".into()],
            }],
            entry: None,
        },
    };
    let off = ChangelogOptions {
        enabled: false,
        ..ChangelogOptions::default()
    };
    let options = with_crate(
        with_crate(
            options,
            "b",
            CrateOptions {
                changelog: Some(shaped),
                ..CrateOptions::default()
            },
        ),
        "c",
        CrateOptions {
            changelog: Some(off),
            ..CrateOptions::default()
        },
    );
    let plan = Repo::tagged(vec![
        member("a", "1.0.0", vec![]),
        member("b", "1.0.0", vec![]),
        member("c", "1.0.0", vec![]),
    ])
    .commit("fix: mend all", &["a", "b", "c"])
    .plan(&options)
    .unwrap();
    let file = |name: &str| krate(&plan, name).changelog_file.clone();
    assert_eq!(file("a").as_deref(), Some("CHANGES.md"));
    assert_eq!(file("b").as_deref(), Some("docs/CHANGELOG.md"));
    assert_eq!(file("c"), None);
    assert!(krate(&plan, "a").changelog.contains("### Fixes\n"));
    assert!(krate(&plan, "b").changelog.contains("### Changed\n"));
    // Not written, still shown in the plan and the PR.
    assert!(krate(&plan, "c").changelog.contains("### Fixes\n"));
    assert_eq!(plan.workspace_changelog.as_deref(), Some("RELEASES.md"));
}
