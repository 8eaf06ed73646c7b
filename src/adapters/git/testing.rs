//! Real repositories for the unit tests of the modules that work on one.

use super::*;

/// Run git in `dir` as a test's author; its stdout, trimmed.
pub(crate) fn git_in(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@e.org"])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// A new repository holding `files` (path, text) in one commit.
pub(crate) fn committed_repo(files: &[(&str, &str)]) -> (tempfile::TempDir, Git) {
    let dir = tempfile::tempdir().unwrap();
    let git = |args: &[&str]| git_in(dir.path(), args);
    git(&["init", "-q"]);
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    git(&["add", "-A"]);
    git(&["commit", "-qm", "init"]);
    let repo = Git::discover(dir.path(), &Trust::none()).unwrap();
    (dir, repo)
}
