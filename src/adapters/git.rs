//! The git CLI: where the repository is, its tags, and its history in one `git log` pass.
//!
//! Effects only: the parsing of what git prints and every decision about it live in
//! `plan::history`. Inside GitHub Actions every command declares the checkout safe
//! ([`Trust`]): a Docker action runs as root on a checkout owned by the runner's user, which git
//! otherwise refuses ("dubious ownership"). Never `safe.directory=*`, and nothing outside
//! Actions: there git's protection stays as the user configured it.

use std::path::{Path, PathBuf};
use std::process::Command;

mod error;
mod files;
mod history;
mod remote;
mod worktree;

pub use error::GitError;
pub use remote::PushAuth;
pub use worktree::{Picked, Worktree};

/// The directories git may accept although another user owns them, passed to every command as
/// `-c safe.directory=…`: command-line configuration is "protected", which git honours for this
/// key (a repository's own `.git/config` could not vouch for itself).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Trust {
    dirs: Vec<PathBuf>,
}

impl Trust {
    /// Trust nothing beyond git's own configuration: a run outside Actions.
    pub fn none() -> Trust {
        Trust::default()
    }

    /// Trust `dirs` (config resolves them: inside Actions, the checkout and each directory
    /// down to the workspace).
    pub fn new(dirs: Vec<PathBuf>) -> Trust {
        Trust { dirs }
    }

    pub fn dirs(&self) -> &[PathBuf] {
        &self.dirs
    }
}

/// A repository, found from any directory inside it.
#[derive(Debug, Clone)]
pub struct Git {
    root: PathBuf,
    trust: Trust,
}

impl Git {
    pub fn discover(dir: &Path, trust: &Trust) -> Result<Git, GitError> {
        let out = run(trust, dir, &["rev-parse", "--show-toplevel"]).map_err(|e| match e {
            GitError::Failed { .. } => GitError::NotARepository {
                dir: dir.to_owned(),
            },
            other => other,
        })?;
        Ok(Git {
            root: PathBuf::from(out.trim_end_matches(['\n', '\r'])),
            trust: trust.clone(),
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }
}

fn command(trust: &Trust, dir: &Path) -> Command {
    let mut cmd = Command::new("git");
    for trusted in trust.dirs() {
        cmd.arg("-c")
            .arg(format!("safe.directory={}", trusted.display()));
    }
    cmd.args(["-c", "core.quotepath=off"]).current_dir(dir);
    cmd
}

fn run(trust: &Trust, dir: &Path, args: &[&str]) -> Result<String, GitError> {
    let mut cmd = command(trust, dir);
    cmd.args(args);
    finish(cmd, args, dir)
}

/// Run `cmd`; a failure names `shown` (what may be printed: never a token) and git's stderr.
fn finish(cmd: Command, shown: &[&str], dir: &Path) -> Result<String, GitError> {
    finish_bytes(cmd, shown, dir).map(|out| String::from_utf8_lossy(&out).into_owned())
}

/// [`finish`], with stdout as git wrote it.
fn finish_bytes(mut cmd: Command, shown: &[&str], dir: &Path) -> Result<Vec<u8>, GitError> {
    let out = cmd.output().map_err(GitError::Spawn)?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        if stderr.contains("dubious ownership") {
            return Err(GitError::DubiousOwnership {
                repository: refused_repository(&stderr).unwrap_or_else(|| dir.to_owned()),
                command: shown.join(" "),
            });
        }
        return Err(GitError::Failed {
            command: shown.join(" "),
            dir: dir.to_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
        });
    }
    Ok(out.stdout)
}

/// The path in git's "detected dubious ownership in repository at '<path>'".
fn refused_repository(stderr: &str) -> Option<PathBuf> {
    let (_, rest) = stderr.split_once("repository at '")?;
    let (path, _) = rest.split_once('\'')?;
    Some(PathBuf::from(path))
}

/// Real repositories for the unit tests of the modules that work on one.
#[cfg(test)]
pub(crate) mod testing;

#[cfg(test)]
mod tests;
