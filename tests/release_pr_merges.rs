//! A merged Release PR releases what was merged (DESIGN §3 "Idempotency"): the versions and
//! changelogs at GitHub's merge commit — a merge, a squash or a rebase — with the PR body's
//! manifest a hint only; what cannot be released as merged is refused before anything is
//! created. Each test is named by what the maintainer did, and runs the real binary against a
//! real git repository and the stateful fake GitHub (`support::maintainer` plays the
//! maintainer). Every dry run is checked against the fake's request log and origin's refs.

mod support;

use serde_json::{Value, json};
use support::github::MergeMethod;
use support::maintainer::*;
use support::world::*;
use support::*;

#[test]
fn a_version_typed_into_the_release_pr_and_merged_at_once_is_released_as_merged() {
    let w = World::new();
    w.prepare().ok();
    type_app_0_2_0(&w);
    on_the_branch(&w, "chore: refresh Cargo.lock", lock_app_0_2_0);
    let event = w.merge_release_pr(1);
    let run = dry(&w, "pull_request", event.clone()).ok();
    assert!(
        stdout(&run.out).contains("would tag app-v0.2.0"),
        "{}",
        stdout(&run.out)
    );
    let run = w.action("pull_request", event, &[]).ok();
    assert!(released(&run).contains(&("app".into(), "0.2.0".into())));
    assert!(w.gh.refs().contains_key("refs/tags/app-v0.2.0"));
    assert!(release_body(&w, "app-v0.2.0").contains("tidy the output"));
    assert!(
        run.summary
            .contains("the Release PR body says app 0.1.1; 0.2.0 is released as merged"),
        "{}",
        run.summary
    );
}

#[test]
fn a_typed_version_merged_with_a_stale_lockfile_is_refused_before_any_tag() {
    // Typed into the manifest only (the web editor) and merged before prepare ran again: the
    // merged Cargo.lock still says 0.1.1, so no tag made there could ever be published.
    let w = World::new();
    w.prepare().ok();
    on_the_branch(&w, "chore(app): 0.2.0", app_manifest_0_2_0);
    let event = w.merge_release_pr(1);
    refused_with_nothing_created(
        &w,
        &event,
        &[
            "the Release PR #1 cannot be released as merged at",
            "Cargo.lock gives app 0.1.1, crates/app/Cargo.toml gives 0.2.0: cargo does not build or publish it `--locked` (refresh it with `cargo update --workspace` and commit it)",
            "\nhint: nothing was created",
        ],
    );
    assert!(w.gh.tag_objects().is_empty());
    assert!(w.registry.uploads().is_empty());
}

#[test]
fn a_typed_version_merged_without_its_changelog_heading_is_released_with_a_warning() {
    let w = World::new();
    w.prepare().ok();
    on_the_branch(&w, "chore(app): 0.2.0", |dir| {
        app_manifest_0_2_0(dir);
        lock_app_0_2_0(dir);
    });
    let event = w.merge_release_pr(1);
    let run = w.action("pull_request", event, &[]).ok();
    assert!(released(&run).contains(&("app".into(), "0.2.0".into())));
    let warning =
        "the merged changelog has no section for app 0.2.0: its GitHub Release has no notes";
    assert!(run.summary.contains(warning), "{}", run.summary);
    // The crates whose sections are there get no such warning.
    assert!(
        !run.summary.contains("no section for core"),
        "{}",
        run.summary
    );
}

/// Prepare, reword core's changelog line on the branch, merge with `method`, release.
fn merged_by(method: MergeMethod) -> (World, Run, Value) {
    let w = World::new();
    w.prepare().ok();
    reword_core(&w);
    let event = w.merge_release_pr_as(1, method);
    assert_eq!(event["pull_request"]["merge_commit_sha"], w.head().as_str());
    dry(&w, "pull_request", event.clone()).ok();
    let run = w.action("pull_request", event.clone(), &[]).ok();
    let merged = w.head();
    assert_eq!(w.gh.tag_objects().len(), 3);
    for tag in w.gh.tag_objects() {
        assert_eq!(
            tag["object"]["sha"],
            merged.as_str(),
            "tagged at GitHub's merge_commit_sha"
        );
    }
    assert_eq!(
        released(&run),
        ["app", "core", "util"].map(|n| (n.to_owned(), "0.1.1".to_owned()))
    );
    assert!(release_body(&w, "core-v0.1.1").contains("add a parser for widget files"));
    assert_eq!(w.gh.issue_labels(1)[0], "autorelease: tagged");
    (w, run, event)
}

#[test]
fn a_squash_merged_release_pr_is_released() {
    let (w, _, event) = merged_by(MergeMethod::Squash);
    let subject = w.repo.git(&["log", "-1", "--format=%s"]);
    assert!(subject.starts_with("chore(release): ") && subject.trim_end().ends_with("(#1)"));
    let parents = w.repo.git(&["rev-list", "--parents", "-n", "1", "HEAD"]);
    assert_eq!(
        parents.split_whitespace().count(),
        2,
        "one parent: {parents}"
    );
    // The push of the squash commit starts no new prepare.
    let run = w.prepare().ok();
    assert!(
        stdout(&run.out).contains("is a release commit"),
        "{}",
        stdout(&run.out)
    );
    assert!(run.writes.is_empty());
    // A re-run of the release creates nothing.
    let again = w.action("pull_request", event, &[]).ok();
    assert!(again.writes.is_empty(), "{:?}", again.writes);
}

#[test]
fn a_squash_merge_with_an_edited_title_or_message_starts_no_new_release_pr() {
    let methods = [
        (MergeMethod::Squash, "is a release commit"),
        (
            MergeMethod::SquashAs("Release widgets 2099.1"),
            "is the merge of the Release PR #1",
        ),
    ];
    for (method, said) in methods {
        let w = World::new();
        w.prepare().ok();
        w.gh.edit_pull(1, Some("Release widgets 2099.1"), None);
        let event = w.merge_release_pr_as(1, method);
        // The push of the squash commit arrives before the release has tagged anything.
        let run = w.prepare().ok();
        assert!(run.writes.is_empty(), "{:?}", run.writes);
        assert!(stdout(&run.out).contains(said), "{}", stdout(&run.out));
        assert_eq!(w.gh.pulls().len(), 1, "no second Release PR");
        let run = w.action("pull_request", event, &[]).ok();
        assert_eq!(released(&run).len(), 3);
    }
}

#[test]
fn a_crate_added_on_main_while_the_release_pr_is_open_is_not_released_by_it() {
    for method in [MergeMethod::Merge, MergeMethod::Squash, MergeMethod::Rebase] {
        let w = World::new();
        w.prepare().ok();
        // A publishable crate lands on main; the Release PR is merged before any prepare ran.
        let manifest = manifest("extra", "0.1.0", "")
            .replace("license = ", "publish = [\"test\"]\nlicense = ");
        w.repo.write("crates/extra/Cargo.toml", &manifest);
        w.repo.write("crates/extra/src/lib.rs", "//! not ready\n");
        w.generate_lockfile();
        w.repo.commit("feat(extra): start a crate");
        w.repo.git(&["push", "-q", "origin", "main"]);
        let event = w.merge_release_pr_as(1, method);
        let run = w.action("pull_request", event, &[]).ok();
        assert_eq!(
            released(&run),
            ["app", "core", "util"].map(|n| (n.to_owned(), "0.1.1".to_owned()))
        );
        assert!(!w.gh.refs().contains_key("refs/tags/extra-v0.1.0"));
        assert!(
            run.summary.contains(
                "extra 0.1.0 is above its last release, but the Release PR did not change its version"
            ),
            "{}",
            run.summary
        );
    }
}

#[test]
fn a_rebase_merged_release_pr_is_released() {
    let (w, _, _) = merged_by(MergeMethod::Rebase);
    let subjects = w.repo.git(&["log", "-2", "--format=%s"]);
    let subjects: Vec<&str> = subjects.lines().collect();
    assert_eq!(subjects[0], "docs(core): say what the parser reads");
    assert!(subjects[1].starts_with("chore(release): "), "{subjects:?}");
    // The push of the rebased commits holds the release commit: no new prepare either.
    let ids = w.repo.git(&["log", "-2", "--format=%H"]);
    let ids: Vec<&str> = ids.lines().collect();
    let push = json!({"ref": "refs/heads/main",
        "head_commit": {"id": ids[0], "message": subjects[0]},
        "commits": [{"id": ids[1], "message": subjects[1]}, {"id": ids[0], "message": subjects[0]}]});
    let run = w.action("push", push, &[]).ok();
    assert!(
        stdout(&run.out).contains("holds the release commit"),
        "{}",
        stdout(&run.out)
    );
    assert!(run.writes.is_empty());
}

#[test]
fn each_merged_group_release_pr_releases_its_own_group_only() {
    let w = World::new();
    w.configure(
        "[groups.base]\nmembers = [\"core\", \"util\"]\n",
        "chore: release groups",
    );
    w.prepare().ok();
    let number = |head: &str| {
        let pulls = w.gh.pulls();
        let pull = pulls.iter().find(|p| p["head"]["ref"] == head).unwrap();
        pull["number"].as_u64().unwrap()
    };
    let (base, rest) = (
        number("releasekit/release-base"),
        number("releasekit/release"),
    );
    // Both merged before either release ran: main has every new version.
    let rest_event = w.merge_release_pr(rest);
    let base_event = w.merge_release_pr(base);
    let run = w.action("pull_request", base_event, &[]).ok();
    let names = |run: &Run| -> Vec<String> { released(run).into_iter().map(|(n, _)| n).collect() };
    assert_eq!(names(&run), ["core", "util"]);
    let run = w.action("pull_request", rest_event, &[]).ok();
    assert_eq!(names(&run), ["app"]);
    assert!(!run.summary.contains("does not list it"), "{}", run.summary);
}

#[test]
fn an_edited_version_below_the_last_release_is_refused_with_nothing_created() {
    let w = World::new();
    w.prepare().ok();
    on_the_branch(&w, "chore(core): back to 0.0.9", |dir| {
        replace(
            dir,
            "crates/core/Cargo.toml",
            "version = \"0.1.1\"",
            "version = \"0.0.9\"",
        );
    });
    // The next prepare says so in the PR, and keeps the maintainer's commit.
    push_to_main(&w, "crates/app/src/lib.rs", "fix(app): more");
    w.prepare().ok();
    let body = body(&w);
    assert!(
        body.contains(
            "merging this PR would be refused: core 0.0.9 is not above its last release 0.1.0"
        ),
        "{body}"
    );
    assert!(
        w.branch_file("crates/core/Cargo.toml")
            .contains("version = \"0.0.9\"")
    );

    let event = w.merge_release_pr(1);
    refused_with_nothing_created(
        &w,
        &event,
        &[
            "the Release PR #1 cannot be released as merged at",
            "core 0.0.9 is not above its last release 0.1.0",
            "\nhint: nothing was created",
        ],
    );
    assert!(w.gh.tag_objects().is_empty());
    assert_eq!(w.gh.issue_labels(1), ["autorelease: pending"]);
}

#[test]
fn a_version_that_is_no_semver_is_refused_naming_its_manifest() {
    let w = World::new();
    w.prepare().ok();
    on_the_branch(&w, "chore(util): a version", |dir| {
        replace(
            dir,
            "crates/util/Cargo.toml",
            "version = \"0.1.1\"",
            "version = \"0.2\"",
        );
    });
    let event = w.merge_release_pr(1);
    let before = world_state(&w);
    let run = w.action("pull_request", event, &[]);
    assert_refused(
        &run.out,
        &["crates/util/Cargo.toml giving the version \"0.2\", which is no semantic version"],
    );
    assert_nothing_changed(&w, &before, &run);
}

/// Releasing the merge `event`, dry or not and with publishing on, is refused naming
/// `needles`, and changes nothing anywhere.
fn refused_with_nothing_created(w: &World, event: &Value, needles: &[&str]) {
    let before = world_state(w);
    for dry_run in ["true", "false"] {
        let run = w.action(
            "pull_request",
            event.clone(),
            &[("INPUT_DRY_RUN", dry_run), ("INPUT_SKIP_PUBLISH", "false")],
        );
        assert_refused(&run.out, needles);
        assert_nothing_changed(w, &before, &run);
    }
}
