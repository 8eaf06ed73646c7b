//! The API checks never change the workspace's lockfile: with cargo-semver-checks on PATH (as
//! in the action's image, where `semver_checks = "auto"` runs them), `plan` leaves no
//! `Cargo.lock` in a repository without one and keeps a committed one as it is, even one the
//! manifests no longer match; `apply` writes only manifests and changelogs there. The checks
//! document HEAD with `cargo doc` in the workspace itself, which resolves and writes a lockfile
//! unless told otherwise.

mod support;

use support::tools::Bin;
use support::*;

/// One library `core` 0.1.0 tagged `tag`, then a `feat:` commit: its API check runs. No
/// `Cargo.lock` and no rule ignoring one.
fn released_core(tag: &str) -> Repo {
    let repo = Repo::new();
    repo.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"crates/*\"]\nresolver = \"2\"\n",
    );
    repo.write(".gitignore", "/target\n");
    repo.write("crates/core/Cargo.toml", &manifest("core", "0.1.0", ""));
    repo.write("crates/core/src/lib.rs", "//! core\npub fn a() {}\n");
    repo.commit("feat: core");
    repo.tag(tag);
    repo.write(
        "crates/core/src/lib.rs",
        "//! core\npub fn a() {}\npub fn b() {}\n",
    );
    repo.commit("feat(core): b");
    repo
}

/// `releasekit-cargo args…` with `bin` as the whole PATH; its output, after asserting success
/// and that cargo-semver-checks ran.
fn run_checked(repo: &Repo, bin: &Bin, args: &[&str]) -> String {
    let before = bin.calls();
    let out = run(repo.path(), args, &[("PATH", &bin.path())]);
    assert_success(&out);
    let said = stdout(&out);
    assert!(
        said.contains("API checks (cargo-semver-checks"),
        "{args:?}: {said}"
    );
    assert!(
        bin.calls() > before,
        "{args:?}: the tool was not started\n{said}"
    );
    said
}

#[test]
fn plan_and_apply_with_the_api_check_leave_no_lockfile_in_a_repository_without_one() {
    // One crate: the bare tag.
    let repo = released_core("v0.1.0");
    let lock = repo.path().join("Cargo.lock");
    let bin = Bin::new(true);

    let plan = run_checked(&repo, &bin, &["plan", "--offline"]);
    assert!(plan.contains("1 of 1 crate(s) compared"), "{plan}");
    assert!(!lock.exists(), "plan wrote a lockfile\n{plan}");
    assert_eq!(repo.status(), "");

    let apply = run_checked(&repo, &bin, &["apply", "--offline"]);
    assert!(!lock.exists(), "apply left a lockfile\n{apply}");
    assert!(!apply.contains("Cargo.lock"), "{apply}");
    assert!(apply.contains("Wrote 2 file(s):"), "{apply}");
    assert_eq!(
        repo.status(),
        " M crates/core/Cargo.toml\n?? crates/core/CHANGELOG.md\n"
    );
}

/// A member added without updating the committed lockfile: the check of HEAD cannot run (it
/// keeps to the lockfile), says so in the plan's notes, and the lockfile stays as committed.
#[test]
fn plan_keeps_a_stale_committed_lockfile_as_it_is() {
    // Two crates at HEAD: tags carry the crate's name.
    let repo = released_core("core-v0.1.0");
    let status = std::process::Command::new("cargo")
        .args(["generate-lockfile", "--offline", "--quiet"])
        .current_dir(repo.path())
        .status()
        .unwrap();
    assert!(status.success());
    repo.commit("chore: lockfile");
    repo.write("crates/extra/Cargo.toml", &manifest("extra", "0.1.0", ""));
    repo.write("crates/extra/src/lib.rs", "//! extra\n");
    repo.commit("feat(extra): new crate, the lockfile not updated");
    let lock = repo.path().join("Cargo.lock");
    let committed = std::fs::read(&lock).unwrap();

    let plan = run_checked(&repo, &Bin::new(true), &["plan", "--offline"]);
    assert!(
        plan.contains("API check could not run for core") && plan.contains("--locked"),
        "{plan}"
    );
    assert!(
        std::fs::read(&lock).unwrap() == committed,
        "plan rewrote Cargo.lock\n{plan}"
    );
    assert_eq!(repo.status(), "");
}
