//! The `Cargo.lock` a cargo command resolving fresh writes into a workspace that has none: we
//! never leave it behind (a repository without a lockfile, or one that ignores it, gets none
//! from us).

use std::path::{Path, PathBuf};

/// Whether the workspace at `root` has a `Cargo.lock` of its own (where cargo looks for it).
pub fn has_lockfile(root: &Path) -> bool {
    root.join("Cargo.lock").is_file()
}

/// The workspace root's `Cargo.lock` when nothing was there as this was made: removed by
/// [`StrayLockfile::remove`], and again when dropped, so that an error on the way out removes
/// it too. A lockfile that was there is never touched.
#[derive(Debug)]
pub struct StrayLockfile {
    path: Option<PathBuf>,
}

impl StrayLockfile {
    /// Watch `root`'s lockfile when `absent` (the workspace has none) and nothing is at its
    /// path now.
    pub fn watch(root: &Path, absent: bool) -> StrayLockfile {
        let path = root.join("Cargo.lock");
        let free = std::fs::symlink_metadata(&path).is_err();
        StrayLockfile {
            path: (absent && free).then_some(path),
        }
    }

    /// Remove the lockfile cargo wrote, if it wrote one; the path and the error when it could
    /// not be removed.
    pub fn remove(&self) -> Result<(), (PathBuf, std::io::Error)> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        match std::fs::remove_file(path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err((path.clone(), e)),
            _ => Ok(()),
        }
    }
}

impl Drop for StrayLockfile {
    fn drop(&mut self) {
        let _ = self.remove();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lockfile_written_after_watching_is_removed_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let lock = dir.path().join("Cargo.lock");
        {
            let _stray = StrayLockfile::watch(dir.path(), true);
            std::fs::write(&lock, "# written by cargo\n").unwrap();
        }
        assert!(!lock.exists());
    }

    #[test]
    fn a_lockfile_that_was_there_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let lock = dir.path().join("Cargo.lock");
        std::fs::write(&lock, "# the maintainer's\n").unwrap();
        for absent in [true, false] {
            let stray = StrayLockfile::watch(dir.path(), absent);
            stray.remove().unwrap();
            drop(stray);
            assert!(lock.is_file(), "absent = {absent}");
        }
    }
}
