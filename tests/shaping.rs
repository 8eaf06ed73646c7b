//! Changelogs and releases shaped by the maintainer (DESIGN §3 "Shaping"), end to end: the real
//! binary with the environment a Docker action gets, a real git repository, the fake GitHub and
//! the real registry. `[changelog]` sections, entry, paths and the workspace changelog;
//! `[github_release]` drafts, bodies and `enabled = false`; `release = true` for an application
//! that is never uploaded; and configurations that are refused before anything is written.

mod support;

use serde_json::Value;
use support::world::*;
use support::*;

/// `releasekit.toml` committed and pushed on top of the world's history.
fn configure(w: &World, config: &str) {
    w.repo.write("releasekit.toml", config);
    w.repo.commit("chore: configure releasekit");
    w.repo.git(&["push", "-q", "origin", "main"]);
}

fn release_of<'a>(releases: &'a [Value], tag: &str) -> Option<&'a Value> {
    releases.iter().find(|r| r["tag_name"] == tag)
}

/// An application with `release = true` is tagged and released, never uploaded; a crate with
/// `github_release.enabled = false` is tagged without a release; a re-run creates nothing twice.
#[test]
fn an_application_is_released_without_upload_and_a_crate_can_go_without_a_github_release() {
    let w = World::new();
    w.add_application();
    configure(
        &w,
        "[package.cli]\nrelease = true\n\n[package.util.github_release]\nenabled = false\n",
    );
    let prepared = w.prepare().ok();
    let plan: Value = serde_json::from_str(&prepared.outputs["plan"]).unwrap();
    let cli = plan_crate(&plan, "cli");
    assert_eq!(cli["released"], true);
    assert_eq!(cli["release_only"], true);
    assert_eq!(cli["wave"], Value::Null);
    let body = w.gh.pull(1)["body"].as_str().unwrap().to_owned();
    assert!(body.contains("`cli`"), "{body}");
    assert!(
        body.contains("cli is released without publishing"),
        "{body}"
    );
    assert!(
        w.branch_file("crates/cli/CHANGELOG.md")
            .contains("the command line")
    );

    let event = w.merge_release_pr(1);
    let merge = w.head();
    let inputs = [
        ("INPUT_SKIP_PUBLISH", "false"),
        ("GITHUB_SHA", merge.as_str()),
    ];
    let run = w.action("pull_request", event.clone(), &inputs).ok();

    let refs = w.gh.refs();
    for tag in ["cli-v0.1.0", "util-v0.1.1", "core-v0.1.1", "app-v0.1.1"] {
        assert!(refs.contains_key(&format!("refs/tags/{tag}")), "{tag}");
    }
    let releases = w.gh.releases();
    assert!(
        release_of(&releases, "cli-v0.1.0").is_some(),
        "{releases:#?}"
    );
    assert!(release_of(&releases, "core-v0.1.1").is_some());
    assert!(
        release_of(&releases, "util-v0.1.1").is_none(),
        "{releases:#?}"
    );
    assert_eq!(releases.len(), 3);
    let listed = releases_output(&run);
    let util = listed.iter().find(|r| r["name"] == "util").unwrap();
    assert_eq!(util["url"], "");
    assert!(
        run.summary.contains("`github_release.enabled = false`"),
        "{}",
        run.summary
    );

    // The registry never heard of cli: no upload, no index lookup, no API call.
    for name in ["core", "util", "app"] {
        assert_eq!(w.registry.published(name), ["0.1.1"], "{name}");
    }
    assert!(w.registry.published("cli").is_empty());
    assert!(w.registry.uploads().iter().all(|u| u.name != "cli"));
    let asked: Vec<String> = (w.registry.requests().into_iter())
        .map(|r| r.path)
        .filter(|p| p.contains("cli"))
        .collect();
    assert!(asked.is_empty(), "{asked:?}");
    let out = stdout(&run.out);
    assert!(
        out.lines()
            .any(|l| l.contains("cli") && l.ends_with("not published: release only")),
        "{out}"
    );
    let payload = &w.gh.dispatches()[0].1["client_payload"];
    let notified = (payload["crates"].as_array().unwrap().iter())
        .find(|c| c["name"] == "cli")
        .unwrap();
    assert_eq!(notified["published"], false);
    assert_eq!(notified["tag"], "cli-v0.1.0");

    let again = w.action("pull_request", event, &inputs).ok();
    assert!(again.writes.is_empty(), "{:?}", again.writes);
    assert_eq!(w.gh.releases().len(), 3);
    assert_eq!(w.registry.uploads().len(), 3);
}

/// `draft = true`: every release is created as a draft (GitHub gives it no public page yet),
/// the report and the `releases` output say so, and a re-run finds the drafts instead of
/// making more (GitHub looks drafts up by listing only).
#[test]
fn drafts_are_created_once_and_reported_as_drafts() {
    let w = World::new();
    configure(&w, "[github_release]\ndraft = true\nlatest = \"never\"\n");
    w.prepare().ok();
    let event = w.merge_release_pr(1);
    let run = w.action("pull_request", event.clone(), &[]).ok();

    let releases = w.gh.releases();
    assert_eq!(releases.len(), 3);
    for r in &releases {
        assert_eq!(r["draft"], true, "{r}");
        assert_eq!(r["make_latest"], "false", "{r}");
        assert_eq!(r["published_at"], Value::Null);
    }
    let listed = releases_output(&run);
    assert_eq!(listed.len(), 3);
    for r in &listed {
        assert_eq!(r["draft"], true, "{r}");
        assert!(
            r["url"]
                .as_str()
                .unwrap()
                .contains("/releases/tag/untagged-"),
            "{r}"
        );
    }
    let out = stdout(&run.out);
    assert!(out.contains("released core-v0.1.1 (draft): "), "{out}");
    assert!(run.summary.contains("created draft"), "{}", run.summary);

    let again = w.action("pull_request", event, &[]).ok();
    assert!(again.writes.is_empty(), "{:?}", again.writes);
    assert_eq!(w.gh.releases().len(), 3);
    assert!(stdout(&again.out).contains("draft release core-v0.1.1 exists: kept"));
    assert!(releases_output(&again).iter().all(|r| r["draft"] == true));
}

const SHAPED: &str = r#"[changelog]
path = "CHANGES.md"
workspace_path = "RELEASES.md"
entry = "* {subject}{% if scope %} [{scope}]{% endif %} ({hash})"
sections = [
  { types = ["breaking"], title = "Changed" },
  { types = ["feat"], title = "Added" },
  { types = ["fix"], title = "Fixed" },
]

[github_release]
body = """
{changelog}

{% if compare_url %}Compare: {compare_url}{% endif %}
"""

[package.app.changelog]
enabled = false
"#;

/// Custom sections and entries reach the crate files, the workspace changelog and the PR body
/// exactly as written; the release body is made from the template and the merged file.
#[test]
fn shaped_changelogs_are_written_shown_in_the_pr_and_make_the_release_body() {
    let w = World::new();
    let old = "# Changes of core\n\nKept   as it is.\n";
    w.repo.write("crates/core/CHANGES.md", old);
    configure(&w, SHAPED);
    let prepared = w.prepare().ok();
    let plan: Value = serde_json::from_str(&prepared.outputs["plan"]).unwrap();
    let section = plan_crate(&plan, "core")["changelog"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        section.contains("### Added\n\n* add a parser [core] (["),
        "{section}"
    );

    let core = w.branch_file("crates/core/CHANGES.md");
    assert!(core.starts_with(old), "existing text kept:\n{core}");
    assert!(core.contains(&section), "{core}");
    let util = w.branch_file("crates/util/CHANGES.md");
    assert!(
        util.contains("### Fixed\n\n* handle empty input [util]"),
        "{util}"
    );
    w.repo.git(&["fetch", "-q", "origin"]);
    let files = w
        .repo
        .git(&["ls-tree", "-r", "--name-only", "origin/releasekit/release"]);
    assert!(!files.contains("crates/app/CHANGES.md"), "{files}");
    assert!(!files.contains("CHANGELOG.md"), "{files}");
    let all = w.branch_file("RELEASES.md");
    let order: Vec<usize> = ["## [app 0.1.1]", "## [core 0.1.1]", "## [util 0.1.1]"]
        .iter()
        .map(|h| all.find(h).unwrap_or_else(|| panic!("{h}: {all}")))
        .collect();
    assert!(order.windows(2).all(|p| p[0] < p[1]), "{all}");
    // The PR shows the section exactly as the file has it.
    let body = w.gh.pull(1)["body"].as_str().unwrap().to_owned();
    assert!(body.contains(section.trim_end()), "{body}");

    let event = w.merge_release_pr(1);
    w.action("pull_request", event, &[]).ok();
    let releases = w.gh.releases();
    let core = release_of(&releases, "core-v0.1.1").unwrap()["body"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        core.starts_with("### Added\n\n* add a parser [core]"),
        "{core}"
    );
    assert!(
        core.ends_with(
            "Compare: https://github.com/acme/widgets/compare/core-v0.1.0...core-v0.1.1"
        ),
        "{core}"
    );
    // app writes no changelog of its own: its release takes the workspace changelog's section.
    let app = release_of(&releases, "app-v0.1.1").unwrap()["body"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        app.starts_with("### Fixed\n\n* tidy the output [app]"),
        "{app}"
    );
}

/// A configuration that cannot work stops every stage with exit 2 and its line and column,
/// before anything is written anywhere.
#[test]
fn bad_shaping_stops_with_its_position_and_writes_nothing() {
    let cases = [
        (
            "[changelog]\nentry = \"- {subject} ({sha})\"\n",
            "releasekit.toml:2:24: invalid value",
            "unknown placeholder {sha}",
        ),
        (
            "[changelog]\nsections = [\n  { types = [\"feat\"], title = \"Added\" },\n  { types = [\"feat\"], title = \"New\" },\n]\n",
            "releasekit.toml:4:14: invalid value \"feat\" for changelog.sections.types",
            "listed under \"Added\" already",
        ),
        (
            "[github_release]\nbody = \"{changelog\"\n",
            "releasekit.toml:2:",
            "for github_release.body: expected a template",
        ),
        (
            "[package.unknown]\nrelease = true\n",
            "releasekit.toml:1:10: invalid value \"unknown\" for package.unknown",
            "expected the name of a workspace member: app, core, util",
        ),
        (
            "[package.core]\nrelease = true\n",
            "releasekit.toml:2:11: invalid value \"true\" for package.core.release",
            "core is published",
        ),
    ];
    for (config, head, why) in cases {
        let w = World::new();
        configure(&w, config);
        let refs = w.origin_refs();
        let run = w.prepare();
        let err = stderr(&run.out);
        assert_eq!(run.code(), Some(2), "{config}\n{err}");
        assert!(err.contains(head) && err.contains(why), "{config}\n{err}");
        assert!(run.writes.is_empty(), "{config}: {:?}", run.writes);
        assert_eq!(w.origin_refs(), refs, "{config}");
        assert_eq!(w.repo.status(), "", "{config}");
    }
}
