//! Tests of the rules that real histories need (DESIGN §3 "Release point" and "Commits"):
//! reachable release points, unreleased manifest versions, versions that exist already,
//! `Release-As`, graduation, dependency updates, configured commit rules and packaged files.
//! The fixture is tests/mod.rs's.

use super::*;
use crate::hint::Hint;
use crate::plan::history::short_id;
use crate::plan::workspace::RootPart;

/// A tag on a commit HEAD does not reach (another branch, an amended release commit).
fn tag_elsewhere(mut repo: Repo, name: &str) -> Repo {
    repo.tags.push(Tag {
        name: name.to_owned(),
        commit: "0ff0b0a7".into(),
    });
    repo
}

/// Set `name`'s manifest version (what a merged Release PR leaves).
fn set_version(repo: Repo, name: &str, version: &str) -> Repo {
    let name = name.to_owned();
    let version = v(version);
    repo.with(move |ws| {
        let m = ws.members.iter_mut().find(|m| m.name == name).unwrap();
        m.version = version;
    })
}

fn two() -> Vec<Member> {
    vec![member("a", "0.1.1", vec![]), member("b", "1.0.0", vec![])]
}

fn registry(pairs: &[(&str, &[&str])]) -> Option<Published> {
    Some(
        pairs
            .iter()
            .map(|(name, versions)| (name.to_string(), versions.iter().map(|x| v(x)).collect()))
            .collect(),
    )
}

// ── release points ───────────────────────────────────────────────────────────────────────

#[test]
fn a_newer_tag_head_does_not_reach_is_not_the_release_point_and_is_noted() {
    let repo = tag_elsewhere(Repo::tagged(two()), "a-v0.2.0").commit("fix: backport", &["a"]);
    let plan = repo.plan(&options()).unwrap();
    assert_eq!(released(&plan), ["a 0.1.2"]);
    assert_eq!(krate(&plan, "a").prior_tag.as_deref(), Some("a-v0.1.1"));
    assert!(
        plan.notes
            .iter()
            .any(|n| n.starts_with("a: tag a-v0.2.0 is ignored: HEAD does not reach it")),
        "{:?}",
        plan.notes
    );
}

#[test]
fn a_planned_version_that_exists_as_a_tag_head_does_not_reach_is_an_error_naming_both() {
    let repo = tag_elsewhere(Repo::tagged(two()), "a-v0.1.2").commit("fix: again", &["a"]);
    let err = repo.plan(&options()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "a 0.1.2 is planned, but tag a-v0.1.2 names it (at commit 0ff0b0a) already"
    );
    assert!(err.hint().unwrap().contains("a-v0.1.1"), "{:?}", err.hint());
}

#[test]
fn a_planned_version_the_registry_lists_is_an_error() {
    let mut repo = Repo::tagged(two()).commit("fix: again", &["a"]);
    repo.registry = registry(&[("a", &["0.1.1", "0.1.2"])]);
    let err = repo.plan(&options()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "a 0.1.2 is planned, but the registry lists it already"
    );
}

#[test]
fn an_unreleased_manifest_version_is_released_at_the_higher_of_it_and_the_bump() {
    let left_behind = || {
        set_version(Repo::tagged(two()), "a", "0.1.2")
            .commit("chore(release): a 0.1.2", &["crates/a/Cargo.toml"])
    };
    let plan = left_behind().plan(&options()).unwrap();
    assert_eq!(released(&plan), ["a 0.1.2"]);
    assert_eq!(
        krate(&plan, "a").reasons,
        [Reason::Unreleased {
            version: v("0.1.2")
        }]
    );

    let plan = left_behind()
        .commit("feat!: redesign", &["a"])
        .plan(&options())
        .unwrap();
    assert_eq!(released(&plan), ["a 0.2.0"]);
}

#[test]
fn a_manifest_version_the_registry_lists_is_the_release_point() {
    let mut repo = set_version(Repo::tagged(two()), "a", "0.1.2")
        .commit("fix: released by hand", &["a"])
        .commit("chore: a 0.1.2", &["crates/a/Cargo.toml"]);
    repo.registry = registry(&[("a", &["0.1.1", "0.1.2"])]);
    let plan = repo.plan(&options()).unwrap();
    assert!(!plan.has_bumps(), "{:?}", released(&plan));
    assert!(
        plan.notes
            .iter()
            .any(|n| n.starts_with("a 0.1.2 is in the registry but HEAD reaches no tag a-v0.1.2")),
        "{:?}",
        plan.notes
    );

    let plan = repo.commit("fix: later", &["a"]).plan(&options()).unwrap();
    assert_eq!(released(&plan), ["a 0.1.3"]);
    let a = krate(&plan, "a");
    assert_eq!(a.prior_tag, None);
    let listed: Vec<&str> = a.commits.iter().map(|c| c.summary.as_str()).collect();
    assert_eq!(
        listed,
        ["later"],
        "what came before the manifest change was released"
    );
}

// ── Release-As ───────────────────────────────────────────────────────────────────────────

#[test]
fn the_newest_release_as_footer_sets_the_version() {
    let plan = Repo::tagged(two())
        .commit("feat: x\n\nRelease-As: 0.5.0", &["a"])
        .commit("fix: y\n\nRelease-As: 1.0.0", &["a"])
        .plan(&options())
        .unwrap();
    assert_eq!(released(&plan), ["a 1.0.0"]);
    let a = krate(&plan, "a");
    assert!(
        matches!(&a.reasons[..], [Reason::ReleaseAs { version, .. }] if *version == v("1.0.0"))
    );
    assert_eq!(a.bump, Bump::Major);
}

#[test]
fn a_release_as_not_above_the_last_release_is_an_error_naming_the_commit() {
    let repo = Repo::tagged(two()).commit("fix: y\n\nRelease-As: 0.1.1", &["a"]);
    let commit = short_id(&repo.head()).to_owned();
    let err = repo.plan(&options()).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "commit {commit} says `Release-As: 0.1.1` for a, which is not above its last release 0.1.1"
        )
    );
    let err = Repo::tagged(two())
        .commit("fix: y\n\nRelease-As: soon", &["a"])
        .plan(&options())
        .unwrap_err();
    assert!(matches!(err, PlanError::ReleaseAsInvalid { .. }), "{err}");
}

// ── prereleases ──────────────────────────────────────────────────────────────────────────

/// a 1.3.0, then 1.4.0-rc.1 and rc.2 tagged, each after a change.
fn release_candidates() -> Repo {
    let repo = Repo::new(vec![
        member("a", "1.3.0", vec![]),
        member("b", "1.0.0", vec![]),
    ])
    .tag("a-v1.3.0")
    .tag("b-v1.0.0")
    .commit("feat: the new api", &["a"]);
    let repo = set_version(repo, "a", "1.4.0-rc.1")
        .commit("chore(release): a 1.4.0-rc.1", &["crates/a/Cargo.toml"])
        .tag("a-v1.4.0-rc.1")
        .commit("fix: found in rc.1", &["a"]);
    set_version(repo, "a", "1.4.0-rc.2")
        .commit("chore(release): a 1.4.0-rc.2", &["crates/a/Cargo.toml"])
        .tag("a-v1.4.0-rc.2")
}

#[test]
fn without_prerelease_a_release_candidate_graduates_with_everything_since_the_last_stable() {
    let plan = release_candidates().plan(&options()).unwrap();
    assert_eq!(released(&plan), ["a 1.4.0"]);
    let a = krate(&plan, "a");
    assert_eq!(
        a.reasons,
        [Reason::Graduation {
            from: v("1.4.0-rc.2")
        }]
    );
    let listed: Vec<&str> = a.commits.iter().map(|c| c.summary.as_str()).collect();
    assert_eq!(listed, ["found in rc.1", "the new api"]);
    assert!(a.changelog.contains("### Features"), "{}", a.changelog);
}

#[test]
fn with_prerelease_the_series_goes_on_only_when_something_changed() {
    let rc = PlanOptions {
        prerelease: Some("rc".parse().unwrap()),
        ..options()
    };
    assert!(!release_candidates().plan(&rc).unwrap().has_bumps());
    let plan = release_candidates()
        .commit("fix: found in rc.2", &["a"])
        .plan(&rc)
        .unwrap();
    assert_eq!(released(&plan), ["a 1.4.0-rc.3"]);
    let listed: Vec<&str> = krate(&plan, "a")
        .commits
        .iter()
        .map(|c| c.summary.as_str())
        .collect();
    assert_eq!(listed, ["found in rc.2"]);
}

#[test]
fn an_unreleased_dev_version_graduates_to_its_stable_version() {
    let plan = set_version(Repo::tagged(two()), "a", "0.2.0-dev")
        .commit("chore: start 0.2", &["crates/a/Cargo.toml"])
        .plan(&options())
        .unwrap();
    assert_eq!(released(&plan), ["a 0.2.0"]);
}

// ── commits ──────────────────────────────────────────────────────────────────────────────

#[test]
fn a_dependency_update_is_a_patch_listed_under_dependencies() {
    let plan = Repo::tagged(two())
        .commit(
            "chore(deps): update rust crate serde to v1.0.219",
            &["crates/b/Cargo.toml", "Cargo.lock"],
        )
        .plan(&options())
        .unwrap();
    assert_eq!(released(&plan), ["b 1.0.1"]);
    let log = &krate(&plan, "b").changelog;
    assert!(
        log.contains("### Dependencies\n\n- **deps:** update rust crate serde to v1.0.219"),
        "{log}"
    );
}

/// a and b inherit `serde` from `[workspace.dependencies]`, c does not; a root commit changes it.
fn inheriting() -> Repo {
    let inherit = |m: Member| Member {
        inherits: vec![RootPart::Dependency("serde".into())],
        ..m
    };
    Repo::tagged(vec![
        inherit(member("a", "1.0.0", vec![])),
        inherit(member("b", "1.0.0", vec![])),
        member("c", "1.0.0", vec![]),
    ])
    .commit(
        "chore(deps): update rust crate serde to v1.0.219",
        &["Cargo.toml", "Cargo.lock"],
    )
}

#[test]
fn a_changed_workspace_dependency_releases_the_members_that_inherit_it() {
    let mut repo = inheriting();
    let reads = manifest_reads(repo.facts(), &options()).unwrap();
    let head = repo.head();
    assert_eq!(
        reads,
        [ManifestRead {
            path: "Cargo.toml".into(),
            commit: head.clone(),
            parent: Some(repo.history[1].id.clone())
        }]
    );
    let root = |serde: &str| {
        format!(
            "[workspace]\nmembers = [\"crates/*\"]\n\n[workspace.dependencies]\nserde = \"{serde}\"\n"
        )
    };
    repo.manifests
        .entry("Cargo.toml".into())
        .or_default()
        .insert(
            head,
            ManifestTexts {
                before: Some(root("1.0.218")),
                after: Some(root("1.0.219")),
            },
        );
    let plan = repo.plan(&options()).unwrap();
    assert_eq!(released(&plan), ["a 1.0.1", "b 1.0.1"]);
    assert!(krate(&plan, "a").changelog.contains("### Dependencies"));
}

#[test]
fn root_manifest_texts_are_read_only_for_commits_an_inheriting_crate_has_not_released() {
    let repo = inheriting();
    // Everyone released after the change: nothing to read.
    let released_after = repo.tag("a-v1.0.1").tag("b-v1.0.1").tag("c-v1.0.1");
    let released_after = set_version(released_after, "a", "1.0.1");
    let released_after = set_version(released_after, "b", "1.0.1");
    let released_after = set_version(released_after, "c", "1.0.1");
    assert!(
        manifest_reads(released_after.facts(), &options())
            .unwrap()
            .is_empty()
    );
    // Nobody inherits anything: nothing to read either.
    let plain = Repo::tagged(two()).commit("chore: tidy", &["Cargo.toml"]);
    assert!(
        manifest_reads(plain.facts(), &options())
            .unwrap()
            .is_empty()
    );
}

#[test]
fn configured_commit_rules_decide_what_releases() {
    let rules = PlanOptions {
        commit_rules: CommitRules {
            types: CommitRules::default()
                .types
                .into_iter()
                .chain([("refactor".to_owned(), Bump::Patch)])
                .collect(),
            non_conventional: Bump::Patch,
        },
        ..options()
    };
    let plan = Repo::tagged(vec![
        member("a", "1.0.0", vec![]),
        member("b", "1.0.0", vec![]),
        member("c", "1.0.0", vec![]),
    ])
    .commit("refactor: split the parser", &["a"])
    .commit("Update the docs of b", &["b"])
    .commit("docs: c", &["c"])
    .plan(&rules)
    .unwrap();
    assert_eq!(released(&plan), ["a 1.0.1", "b 1.0.1"]);
    assert!(krate(&plan, "a").changelog.contains("### Other changes"));
    let defaults = Repo::tagged(vec![member("a", "1.0.0", vec![])])
        .commit("refactor: split the parser", &["a"])
        .plan(&options())
        .unwrap();
    assert!(!defaults.has_bumps());
}

// ── packaged files ───────────────────────────────────────────────────────────────────────

#[test]
fn a_lockfile_or_ci_only_commit_does_not_release_a_root_package_with_include() {
    let root = Member {
        dir: String::new(),
        manifest: "Cargo.toml".into(),
        package: crate::plan::workspace::PackageRules {
            include: vec!["src/**/*".into()],
            ..Default::default()
        },
        ..member("app", "1.0.0", vec![])
    };
    let repo = Repo::tagged(vec![root, member("b", "1.0.0", vec![])])
        .commit("fix: lockfile", &["Cargo.lock"])
        .commit("fix: ci", &[".github/workflows/ci.yml"])
        .commit("fix: b", &["b"]);
    let plan = repo.plan(&options()).unwrap();
    assert_eq!(released(&plan), ["b 1.0.1"]);
    let plan = repo
        .commit("fix: the app", &["src/main.rs"])
        .plan(&options())
        .unwrap();
    assert_eq!(released(&plan), ["app 1.0.1", "b 1.0.1"]);
}
