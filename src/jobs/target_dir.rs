//! cargo's target directory, checked before anything is written there: the API checks keep
//! their cache of baseline rustdoc JSON in it, and cargo its builds. Its content must never come
//! from the repository's tree (a committed file there would stand in for a baseline, so a
//! removed `pub fn` would ship as a patch), and writes must not leave the repository through a
//! committed `target` link.
//!
//! A target directory the environment puts outside the repository (`CARGO_TARGET_DIR`) is the
//! user's choice and is not looked at.

use std::path::{Path, PathBuf};

use crate::adapters::git::Git;
use crate::error::{Error, Result, TargetDirProblem};
use crate::jobs::apply::resolved;

/// Refuse (exit 2) the target directory `dir` of the repository `git` when it lies in the
/// repository (as named, or once links are followed) and git tracks anything in it, or when it
/// is named inside the repository but a link takes it outside.
pub(crate) fn check(git: &Git, dir: &Path) -> Result<()> {
    let repo = resolved(git.root());
    let inside = |p: &Path| p.starts_with(&repo) || p.starts_with(git.root());
    let real = resolved(dir);
    // The directory as named: its parent with links followed, then its own name, so that a link
    // at `target` itself is what is looked at.
    let named = match (dir.parent(), dir.file_name()) {
        (Some(parent), Some(name)) => resolved(parent).join(name),
        _ => dir.to_owned(),
    };
    let shown = relative(&named, &repo).unwrap_or_else(|| dir.to_owned());
    let refuse = |problem| Error::TargetDir {
        path: shown.clone(),
        problem,
    };
    if (inside(dir) || inside(&named)) && !inside(&real) {
        return Err(refuse(TargetDirProblem::LeadsOutside { to: real }));
    }
    let mut candidates: Vec<PathBuf> = [relative(&named, &repo), relative(&real, &repo)]
        .into_iter()
        .flatten()
        .collect();
    candidates.dedup();
    for rel in candidates {
        let tracked = git.tracked(&rel)?;
        if let Some(first) = tracked.first() {
            return Err(refuse(TargetDirProblem::Tracked {
                first: first.clone(),
                count: tracked.len(),
            }));
        }
    }
    Ok(())
}

/// `path` relative to `base` when it is below it.
fn relative(path: &Path, base: &Path) -> Option<PathBuf> {
    path.strip_prefix(base).ok().map(Path::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapters::git::testing::committed_repo;

    /// A repository with tracked files in `build/`, and a directory outside it.
    fn repo() -> (tempfile::TempDir, tempfile::TempDir, Git) {
        let (dir, git) = committed_repo(&[("Cargo.toml", ""), ("build/forged/a.json", "{}")]);
        (dir, tempfile::tempdir().unwrap(), git)
    }

    fn problem(git: &Git, dir: &Path) -> Option<String> {
        match check(git, dir) {
            Ok(()) => None,
            Err(Error::TargetDir { path, problem }) => {
                Some(format!("{}: {problem}", path.display()))
            }
            Err(other) => panic!("{other}"),
        }
    }

    #[test]
    fn an_untracked_target_inside_or_one_the_environment_puts_outside_is_used() {
        let (dir, outside, git) = repo();
        assert_eq!(problem(&git, &dir.path().join("target")), None);
        std::fs::create_dir(dir.path().join("target")).unwrap();
        assert_eq!(problem(&git, &dir.path().join("target")), None);
        assert_eq!(problem(&git, &outside.path().join("target")), None);
        // A local link to another untracked directory of the repository stays inside.
        std::fs::create_dir(dir.path().join("out")).unwrap();
        std::os::unix::fs::symlink(dir.path().join("out"), dir.path().join("t2")).unwrap();
        assert_eq!(problem(&git, &dir.path().join("t2")), None);
    }

    #[test]
    fn a_tracked_target_or_a_link_leading_out_or_into_tracked_files_is_refused() {
        let (dir, outside, git) = repo();
        assert_eq!(
            problem(&git, &dir.path().join("build")).as_deref(),
            Some("build: git tracks 1 file(s) in it, such as build/forged/a.json")
        );
        std::os::unix::fs::symlink(outside.path(), dir.path().join("target")).unwrap();
        let to = outside.path().canonicalize().unwrap();
        assert_eq!(
            problem(&git, &dir.path().join("target")),
            Some(format!(
                "target: it is a link that leads outside the repository, to {}",
                to.display()
            ))
        );
        // Deeper than the link: still outside.
        assert!(problem(&git, &dir.path().join("target/debug")).is_some());
        // A link to tracked files is as good as the files.
        std::os::unix::fs::symlink(dir.path().join("build"), dir.path().join("t3")).unwrap();
        assert_eq!(
            problem(&git, &dir.path().join("t3")).as_deref(),
            Some("t3: git tracks 1 file(s) in it, such as build/forged/a.json")
        );
    }
}
