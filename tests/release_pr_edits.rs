//! The Release PR is the maintainer's (DESIGN §3 "Idempotency"): what they push on the release
//! branch survives prepare, and release takes what was merged — however it was merged. Each
//! test is named by what the maintainer did, and runs the real binary against a real git
//! repository (origin a local bare one, the maintainer's edits pushed from their own clone) and
//! the stateful fake GitHub. Every dry run is checked against the fake's request log and
//! origin's refs.

mod support;

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};
use support::github::MergeMethod;
use support::world::*;
use support::*;

// ── the maintainer ───────────────────────────────────────────────────────────────────────────

const MAINTAINER: &str = "Maya Maintainer";

/// Commit `edit` on the release branch as the maintainer, and push it. Returns the commit id.
fn on_the_branch(w: &World, message: &str, edit: impl FnOnce(&Path)) -> String {
    as_maintainer(w, |dir| {
        edit(dir);
        git_in(dir, &["commit", "-q", "-a", "-m", message]);
    })
}

/// Do `work` in the maintainer's own clone of origin, on the release branch, as a person does
/// on GitHub or a laptop, then push the branch (forced: it may rewrite it). Returns its tip.
fn as_maintainer(w: &World, work: impl FnOnce(&Path)) -> String {
    let clone = tempfile::tempdir().unwrap();
    let dir = clone.path();
    let target = dir.to_str().unwrap();
    let branch = "releasekit/release";
    git_in(w.origin.path(), &["clone", "-q", "-b", branch, ".", target]);
    git_in(dir, &["config", "user.name", MAINTAINER]);
    git_in(dir, &["config", "user.email", "maya@example.com"]);
    git_in(dir, &["config", "commit.gpgsign", "false"]);
    work(dir);
    git_in(
        dir,
        &["push", "-q", "-f", "origin", "HEAD:releasekit/release"],
    );
    git_in(dir, &["rev-parse", "HEAD"]).trim().to_owned()
}

/// Replace `from` by `to` in the file `rel` of `dir`, which must contain it.
fn replace(dir: &Path, rel: &str, from: &str, to: &str) {
    let path = dir.join(rel);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{rel} has no {from:?}:\n{text}");
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

fn git_in(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", stderr(&out));
    String::from_utf8(out.stdout).unwrap()
}

/// The maintainer rewords core's changelog line on the branch.
fn reword_core(w: &World) -> String {
    on_the_branch(w, "docs(core): say what the parser reads", |dir| {
        replace(
            dir,
            "crates/core/CHANGELOG.md",
            "add a parser",
            "add a parser for widget files",
        );
    })
}

/// A fix of app lands on main.
fn fix_app(w: &World) {
    push_to_main(
        w,
        "crates/app/src/lib.rs",
        "fix(app): keep the output short",
    );
}

/// A new commit on main (changing `rel`), pushed.
fn push_to_main(w: &World, rel: &str, message: &str) {
    w.repo.change(rel, message);
    w.repo.git(&["push", "-q", "origin", "main"]);
}

/// The release branch's commits above main, newest first: (author, subject, body).
fn branch_commits(w: &World) -> Vec<(String, String, String)> {
    w.repo.git(&["fetch", "-q", "origin"]);
    let log = w.repo.git(&[
        "log",
        "--format=%an%x00%s%x00%b%x01",
        "origin/main..origin/releasekit/release",
    ]);
    log.split('\u{1}')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(|c| {
            let mut parts = c.splitn(3, '\0');
            let mut next = || parts.next().unwrap_or_default().to_owned();
            (next(), next(), next())
        })
        .collect()
}

fn body(w: &World) -> String {
    w.gh.pull(1)["body"].as_str().unwrap().to_owned()
}

fn changelog_line(w: &World, krate: &str, needle: &str) -> String {
    let text = w.branch_file(&format!("crates/{krate}/CHANGELOG.md"));
    text.lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no {needle:?} in:\n{text}"))
        .to_owned()
}

/// A dry run of the stage for `event` sends no write and moves no ref of origin.
fn dry(w: &World, event: &str, payload: Value) -> Run {
    let refs = w.origin_refs();
    let run = w.action(event, payload, &[("INPUT_DRY_RUN", "true")]);
    assert!(run.writes.is_empty(), "a dry run wrote: {:?}", run.writes);
    assert_eq!(w.origin_refs(), refs, "a dry run moved a ref of origin");
    run
}

fn released(run: &Run) -> Vec<(String, String)> {
    let mut list: Vec<(String, String)> = releases_output(run)
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap().to_owned(),
                r["version"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    list.sort();
    list
}

fn release_body(w: &World, tag: &str) -> String {
    let releases = w.gh.releases();
    let release = releases.iter().find(|r| r["tag_name"] == tag);
    let release = release.unwrap_or_else(|| panic!("no release {tag}: {releases:#?}"));
    release["body"].as_str().unwrap().to_owned()
}

// ── edits survive prepare ────────────────────────────────────────────────────────────────────

#[test]
fn a_reworded_changelog_line_survives_two_later_prepares() {
    let w = World::new();
    w.prepare().ok();
    let release_commit = w.release_branch().unwrap();
    reword_core(&w);

    // A dry run builds the new branch in a scratch worktree and writes nothing.
    fix_app(&w);
    let run = dry(&w, "push", w.push_event()).ok();
    let out = stdout(&run.out);
    assert!(
        out.contains("with 1 commit(s) of the maintainer on top"),
        "{out}"
    );
    let would = out
        .split("dry run: would push ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .unwrap_or_else(|| panic!("{out}"))
        .to_owned();

    let first = w.prepare().ok();
    // The replay is deterministic: the run pushes what its dry run showed.
    assert!(w.release_branch().unwrap().starts_with(&would), "{would}");
    for later in [
        None,
        Some(("crates/util/src/lib.rs", "fix(util): trim the input")),
    ] {
        if let Some((rel, message)) = later {
            push_to_main(&w, rel, message);
            w.prepare().ok();
        }
        let line = changelog_line(&w, "core", "add a parser");
        assert!(line.contains("add a parser for widget files"), "{line}");
        assert!(changelog_line(&w, "app", "keep the output short").starts_with("- "));
        let commits = branch_commits(&w);
        assert_eq!(commits.len(), 2, "{commits:?}");
        assert_eq!(commits[0].0, MAINTAINER, "their commit stays theirs");
        assert_eq!(commits[0].1, "docs(core): say what the parser reads");
        assert!(commits[1].1.starts_with("chore(release):"), "{commits:?}");
        assert!(commits[1].2.contains("Releasekit-Plan: "), "{commits:?}");
        let body = body(&w);
        assert!(body.contains("add a parser for widget files"), "{body}");
        assert!(
            body.contains("| `core` (edited in this PR: changelog) |"),
            "{body}"
        );
        assert!(!body.contains("`app` (edited"), "{body}");
    }
    assert!(
        w.branch_file("crates/util/CHANGELOG.md")
            .contains("trim the input")
    );
    assert_ne!(w.release_branch().unwrap(), release_commit);
    assert!(
        first
            .summary
            .contains("1 commit(s) of the maintainer kept on top"),
        "{}",
        first.summary
    );

    // Nothing new: the same commits, no push, no PATCH.
    let tip = w.release_branch().unwrap();
    let again = w.prepare().ok();
    assert!(again.writes.is_empty(), "{:?}", again.writes);
    assert_eq!(w.release_branch().unwrap(), tip);
}

#[test]
fn main_merged_into_the_release_branch_is_replaced_by_the_new_base_and_the_edits_stay() {
    let w = World::new();
    w.prepare().ok();
    reword_core(&w);
    // A fix lands on main while no prepare runs; the maintainer presses "Update branch".
    fix_app(&w);
    as_maintainer(&w, |dir| {
        git_in(dir, &["fetch", "-q", "origin", "main"]);
        git_in(dir, &["merge", "-q", "--no-edit", "FETCH_HEAD"]);
    });
    assert_eq!(branch_commits(&w).len(), 3, "release, reword, merge");
    push_to_main(&w, "crates/util/src/lib.rs", "fix(util): trim the input");
    let run = w.prepare().ok();
    let commits = branch_commits(&w);
    let subjects: Vec<&str> = commits.iter().map(|c| c.1.as_str()).collect();
    assert_eq!(subjects.len(), 2, "the merge is gone: {subjects:?}");
    assert_eq!(commits[0].0, MAINTAINER);
    assert!(subjects[1].starts_with("chore(release):"), "{subjects:?}");
    w.repo.git(&["fetch", "-q", "origin"]);
    let parent = w.repo.git(&["rev-parse", "origin/releasekit/release~1^"]);
    assert_eq!(parent.trim(), w.head(), "built on the newest main");
    assert!(changelog_line(&w, "core", "add a parser").contains("for widget files"));
    let app = w.branch_file("crates/app/CHANGELOG.md");
    assert!(
        app.contains("keep the output short") && app.contains("tidy the output"),
        "{app}"
    );
    assert!(
        run.summary
            .contains("1 commit(s) of the maintainer kept on top"),
        "{}",
        run.summary
    );
}

#[test]
fn a_version_typed_into_the_release_pr_is_released_and_tagged_at_that_version() {
    let w = World::new();
    // `cli` needs core "0.1" and has nothing to release by itself.
    let manifest = manifest(
        "cli",
        "0.1.0",
        "[dependencies]\ncore = { path = \"../core\", version = \"0.1\", registry = \"test\" }\n",
    )
    .replace("license = ", "publish = [\"test\"]\nlicense = ");
    w.repo.write("crates/cli/Cargo.toml", &manifest);
    w.repo
        .write("crates/cli/src/lib.rs", "//! the command line\n");
    let lock = Command::new("cargo")
        .args(["generate-lockfile", "--offline"])
        .env("CARGO_HOME", w.cargo_home.path())
        .current_dir(w.repo.path())
        .output()
        .unwrap();
    assert!(lock.status.success(), "{}", stderr(&lock));
    w.repo.commit("chore: add the cli crate");
    w.repo.tag("cli-v0.1.0");
    w.repo.git(&["push", "-q", "origin", "main", "--tags"]);
    w.prepare().ok();
    assert!(
        w.branch_file("crates/cli/Cargo.toml")
            .contains("version = \"0.1.0\"")
    );

    // On GitHub's web editor: the manifest only.
    on_the_branch(&w, "chore(core): the parser is worth a 0.2", |dir| {
        replace(
            dir,
            "crates/core/Cargo.toml",
            "version = \"0.1.1\"",
            "version = \"0.2.0\"",
        );
    });
    fix_app(&w);
    let run = dry(&w, "push", w.push_event()).ok();
    assert!(
        stdout(&run.out).contains("versions typed into the Release PR, taken as given: core 0.2.0"),
        "{}",
        stdout(&run.out)
    );
    let run = w.prepare().ok();

    // The version stays; the dependents follow it, on the same branch.
    let core = w.branch_file("crates/core/Cargo.toml");
    assert!(core.contains("version = \"0.2.0\""), "{core}");
    let cli = w.branch_file("crates/cli/Cargo.toml");
    assert!(cli.contains("version = \"0.1.1\""), "cli is bumped:\n{cli}");
    assert!(
        cli.contains("version = \"0.2.0\", registry"),
        "its requirement follows:\n{cli}"
    );
    assert!(
        w.branch_file("crates/util/Cargo.toml")
            .contains("version = \"0.2.0\", registry")
    );
    assert!(
        w.branch_file("Cargo.lock")
            .contains("name = \"core\"\nversion = \"0.2.0\"")
    );
    assert!(
        w.branch_file("crates/core/CHANGELOG.md")
            .contains("## [0.2.0]")
    );
    let body = body(&w);
    assert!(
        body.contains("| `core` (edited in this PR: version) | 0.1.0 → 0.2.0 |"),
        "{body}"
    );
    assert!(
        body.contains("version 0.2.0 typed into the Release PR"),
        "{body}"
    );
    assert!(body.contains("dependency core → 0.2.0"), "{body}");
    let plan: Value = serde_json::from_str(&run.outputs["plan"]).unwrap();
    let planned = |name: &str| {
        plan["crates"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .map(|c| c["planned_version"].as_str().unwrap().to_owned())
            .unwrap()
    };
    assert_eq!(
        (planned("core"), planned("cli")),
        ("0.2.0".into(), "0.1.1".into())
    );
    let commits = branch_commits(&w);
    assert_eq!(commits[0].0, MAINTAINER);
    assert!(
        commits[1].2.contains("Releasekit-Kept: core 0.2.0"),
        "{commits:?}"
    );

    // Nothing new: the kept version holds, nothing is written.
    let tip = w.release_branch().unwrap();
    let again = w.prepare().ok();
    assert!(again.writes.is_empty(), "{:?}", again.writes);
    assert_eq!(w.release_branch().unwrap(), tip);

    let event = w.merge_release_pr(1);
    let merge = w.head();
    dry(&w, "pull_request", event.clone()).ok();
    let run = w.action("pull_request", event, &[]).ok();
    assert_eq!(
        released(&run),
        [
            ("app".into(), "0.1.1".into()),
            ("cli".into(), "0.1.1".into()),
            ("core".into(), "0.2.0".into()),
            ("util".into(), "0.1.1".into()),
        ]
    );
    let refs = w.gh.refs();
    assert!(refs.contains_key("refs/tags/core-v0.2.0"), "{refs:?}");
    assert!(!refs.contains_key("refs/tags/core-v0.1.1"), "{refs:?}");
    assert!(
        w.gh.tag_objects()
            .iter()
            .all(|t| t["object"]["sha"] == merge.as_str())
    );
    assert!(release_body(&w, "core-v0.2.0").contains("add a parser"));
    let dispatched = &w.gh.dispatches()[0].1["client_payload"]["crates"];
    assert!(
        dispatched
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["name"] == "core" && c["version"] == "0.2.0"),
        "notify takes the same set: {dispatched}"
    );
}

#[test]
fn a_version_typed_into_the_release_pr_and_merged_at_once_is_released_as_merged() {
    let w = World::new();
    w.prepare().ok();
    on_the_branch(&w, "chore(app): 0.2.0, the output changed", |dir| {
        replace(
            dir,
            "crates/app/Cargo.toml",
            "version = \"0.1.1\"",
            "version = \"0.2.0\"",
        );
        replace(dir, "crates/app/CHANGELOG.md", "## [0.1.1]", "## [0.2.0]");
    });
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

// ── however it was merged ────────────────────────────────────────────────────────────────────

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

// ── conflicts and refusals ───────────────────────────────────────────────────────────────────

#[test]
fn a_conflicting_edit_leaves_the_branch_untouched_and_comments_once() {
    let w = World::new();
    w.prepare().ok();
    reword_core(&w);
    let tip = w.release_branch().unwrap();
    let pull = w.gh.pull(1);
    // The new entry lands right above the reworded line.
    push_to_main(&w, "crates/core/src/lib.rs", "feat(core): add a lexer");

    let run = dry(&w, "push", w.push_event()).ok();
    assert!(
        stdout(&run.out).contains("dry run: would comment on #1"),
        "{}",
        stdout(&run.out)
    );
    assert!(w.gh.comments(1).is_empty());

    let run = w.prepare().ok();
    assert_eq!(run.writes, ["POST /repos/acme/widgets/issues/1/comments"]);
    assert_eq!(
        w.release_branch().unwrap(),
        tip,
        "the branch is left as it is"
    );
    let now = w.gh.pull(1);
    assert_eq!(
        (&now["title"], &now["body"]),
        (&pull["title"], &pull["body"])
    );
    let comments = w.gh.comments(1);
    assert_eq!(comments.len(), 1);
    let comment = &comments[0];
    assert!(comment.contains("`crates/core/CHANGELOG.md`"), "{comment}");
    assert!(
        comment.contains("**Resolve it on the branch:**"),
        "{comment}"
    );
    assert!(
        comment.contains("**Start over:** delete the branch `releasekit/release`"),
        "{comment}"
    );
    assert!(
        run.summary.contains("**Left as it is:**"),
        "{}",
        run.summary
    );
    assert!(run.summary.contains("Commented on [#1]"), "{}", run.summary);

    let again = w.prepare().ok();
    assert!(again.writes.is_empty(), "{:?}", again.writes);
    assert_eq!(w.gh.comments(1).len(), 1, "no second comment");
    assert!(
        again.summary.contains("has the comment about it already"),
        "{}",
        again.summary
    );

    // Start over: the branch deleted, the next prepare builds it afresh (the PR is reopened
    // by GitHub's branch restore in life; here the fake keeps it open).
    git_in(
        w.origin.path(),
        &["update-ref", "-d", "refs/heads/releasekit/release"],
    );
    w.prepare().ok();
    assert!(
        w.branch_file("crates/core/CHANGELOG.md")
            .contains("add a lexer")
    );
    assert_eq!(branch_commits(&w).len(), 1);
}

#[test]
fn a_branch_whose_release_commit_was_rewritten_is_left_as_it_is() {
    let w = World::new();
    w.prepare().ok();
    // The maintainer amends the release commit (its trailer gone) and force-pushes.
    as_maintainer(&w, |dir| {
        git_in(
            dir,
            &["commit", "-q", "--amend", "-m", "chore(release): my own"],
        );
    });
    let tip = w.release_branch().unwrap();
    push_to_main(&w, "crates/app/src/lib.rs", "fix(app): more");
    let run = w.prepare().ok();
    assert_eq!(w.release_branch().unwrap(), tip);
    assert_eq!(run.writes, ["POST /repos/acme/widgets/issues/1/comments"]);
    let comment = &w.gh.comments(1)[0];
    assert!(comment.contains("the branch was rewritten"), "{comment}");
    assert!(comment.contains("**Start over:**"), "{comment}");
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
    let before = world_state(&w);
    let needles = [
        "the Release PR #1 cannot be released as merged at",
        "core 0.0.9 is not above its last release 0.1.0",
        "\nhint: nothing was created",
    ];
    for dry_run in ["true", "false"] {
        let run = w.action(
            "pull_request",
            event.clone(),
            &[("INPUT_DRY_RUN", dry_run), ("INPUT_SKIP_PUBLISH", "false")],
        );
        assert_refused(&run.out, &needles);
        assert_nothing_changed(&w, &before, &run);
    }
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
