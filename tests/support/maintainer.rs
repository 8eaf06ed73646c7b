//! The maintainer of a Release PR, as the tests of `release_pr_edits.rs` and
//! `release_pr_merges.rs` play them: commits pushed to the release branch from their own clone,
//! commits landing on main, and what the branch, the PR and a run then show.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use super::world::*;
use super::*;

pub const MAINTAINER: &str = "Maya Maintainer";

/// Commit `edit` on the release branch as the maintainer, and push it. Returns the commit id.
pub fn on_the_branch(w: &World, message: &str, edit: impl FnOnce(&Path)) -> String {
    as_maintainer(w, |dir| {
        edit(dir);
        git_in(dir, &["commit", "-q", "-a", "-m", message]);
    })
}

/// Do `work` in the maintainer's own clone of origin, on the release branch, as a person does
/// on GitHub or a laptop, then push the branch (forced: it may rewrite it). Returns its tip.
pub fn as_maintainer(w: &World, work: impl FnOnce(&Path)) -> String {
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

/// The maintainer presses GitHub's "Update branch": `how` (`merge …`, `rebase …`) brings
/// main's newest commit into the release branch.
pub fn update_branch(w: &World, how: &[&str]) -> String {
    as_maintainer(w, |dir| {
        git_in(dir, &["fetch", "-q", "origin", "main"]);
        git_in(dir, &[how, &["FETCH_HEAD"]].concat());
    })
}

/// Replace `from` by `to` in the file `rel` of `dir`, which must contain it.
pub fn replace(dir: &Path, rel: &str, from: &str, to: &str) {
    let path = dir.join(rel);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{rel} has no {from:?}:\n{text}");
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

pub fn git_in(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", stderr(&out));
    String::from_utf8(out.stdout).unwrap()
}

/// The maintainer rewords core's changelog line on the branch.
pub fn reword_core(w: &World) -> String {
    on_the_branch(w, "docs(core): say what the parser reads", |dir| {
        replace(
            dir,
            "crates/core/CHANGELOG.md",
            "add a parser",
            "add a parser for widget files",
        );
    })
}

/// The maintainer types app 0.2.0 into its manifest and makes its changelog heading follow,
/// as the README invites (compare link and date left as they were).
pub fn type_app_0_2_0(w: &World) -> String {
    on_the_branch(w, "chore(app): 0.2.0, the output changed", |dir| {
        app_manifest_0_2_0(dir);
        replace(dir, "crates/app/CHANGELOG.md", "## [0.1.1]", "## [0.2.0]");
    })
}

/// app's manifest says 0.2.0 (was 0.1.1), nothing else changed.
pub fn app_manifest_0_2_0(dir: &Path) {
    replace(
        dir,
        "crates/app/Cargo.toml",
        "version = \"0.1.1\"",
        "version = \"0.2.0\"",
    );
}

/// The maintainer makes `Cargo.lock` follow app's typed 0.2.0 (as `cargo update --workspace`
/// would, or by hand in the web editor).
pub fn lock_app_0_2_0(dir: &Path) {
    replace(
        dir,
        "Cargo.lock",
        "name = \"app\"\nversion = \"0.1.1\"",
        "name = \"app\"\nversion = \"0.2.0\"",
    );
}

/// A fix of app lands on main.
pub fn fix_app(w: &World) {
    push_to_main(
        w,
        "crates/app/src/lib.rs",
        "fix(app): keep the output short",
    );
}

/// A new commit on main (changing `rel`), pushed.
pub fn push_to_main(w: &World, rel: &str, message: &str) {
    w.repo.change(rel, message);
    w.repo.git(&["push", "-q", "origin", "main"]);
}

/// The release branch's commits above main, newest first: (author, subject, body).
pub fn branch_commits(w: &World) -> Vec<(String, String, String)> {
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

pub fn body(w: &World) -> String {
    w.gh.pull(1)["body"].as_str().unwrap().to_owned()
}

pub fn changelog_line(w: &World, krate: &str, needle: &str) -> String {
    let text = w.branch_file(&format!("crates/{krate}/CHANGELOG.md"));
    text.lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no {needle:?} in:\n{text}"))
        .to_owned()
}

/// A dry run of the stage for `event` sends no write and moves no ref of origin.
pub fn dry(w: &World, event: &str, payload: Value) -> Run {
    let refs = w.origin_refs();
    let run = w.action(event, payload, &[("INPUT_DRY_RUN", "true")]);
    assert!(run.writes.is_empty(), "a dry run wrote: {:?}", run.writes);
    assert_eq!(w.origin_refs(), refs, "a dry run moved a ref of origin");
    run
}

pub fn released(run: &Run) -> Vec<(String, String)> {
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

pub fn release_body(w: &World, tag: &str) -> String {
    let releases = w.gh.releases();
    let release = releases.iter().find(|r| r["tag_name"] == tag);
    let release = release.unwrap_or_else(|| panic!("no release {tag}: {releases:#?}"));
    release["body"].as_str().unwrap().to_owned()
}

/// A new commit on main (changing `rel`) dated `date` (author and committer), pushed: main
/// moves on another day.
pub fn push_to_main_dated(w: &World, rel: &str, message: &str, date: &str) {
    let path = w.repo.path().join(rel);
    let mut text = std::fs::read_to_string(&path).unwrap_or_default();
    text.push_str(&format!("// {message}\n"));
    std::fs::write(&path, text).unwrap();
    w.repo.git(&["add", "-A"]);
    let out = Command::new("git")
        .args(["commit", "-q", "-m", message])
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .current_dir(w.repo.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    w.repo.git(&["push", "-q", "origin", "main"]);
}
