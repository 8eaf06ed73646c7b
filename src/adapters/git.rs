//! The git CLI: where the repository is, its tags, and its history in one `git log` pass.
//!
//! Effects only: the parsing of what git prints and every decision about it live in
//! `plan::history`. Every command runs with `safe.directory=*` so that git works in a container
//! whose workspace belongs to another user.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::plan::history::{RawCommit, Tag, parse_log};

#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("{dir} is not inside a git repository")]
    NotARepository { dir: PathBuf },
    #[error("`git {command}` failed in {dir}: {stderr}")]
    Failed {
        command: String,
        dir: PathBuf,
        stderr: String,
    },
    #[error("could not run git")]
    Spawn(#[source] std::io::Error),
}

impl GitError {
    pub fn hint(&self) -> Option<String> {
        match self {
            GitError::NotARepository { .. } => Some(
                "run releasekit-cargo inside a git clone of the workspace (in Actions: actions/checkout with `fetch-depth: 0`)"
                    .into(),
            ),
            GitError::Spawn(_) => Some("install git and make sure it is on PATH".into()),
            GitError::Failed { .. } => None,
        }
    }
}

/// A repository, found from any directory inside it.
#[derive(Debug, Clone)]
pub struct Git {
    root: PathBuf,
}

impl Git {
    pub fn discover(dir: &Path) -> Result<Git, GitError> {
        let out = run(dir, &["rev-parse", "--show-toplevel"]).map_err(|e| match e {
            GitError::Failed { .. } => GitError::NotARepository {
                dir: dir.to_owned(),
            },
            other => other,
        })?;
        Ok(Git {
            root: PathBuf::from(out.trim_end_matches(['\n', '\r'])),
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Every tag with the commit it points at (annotated tags peeled).
    pub fn tags(&self) -> Result<Vec<Tag>, GitError> {
        let out = run(
            &self.root,
            &[
                "for-each-ref",
                "--format=%(refname:strip=2)%00%(objectname)%00%(*objectname)",
                "refs/tags",
            ],
        )?;
        Ok(out
            .lines()
            .filter_map(|line| {
                let mut parts = line.split('\0');
                let name = parts.next()?;
                let object = parts.next()?;
                let peeled = parts.next().filter(|p| !p.is_empty()).unwrap_or(object);
                Some(Tag {
                    name: name.to_owned(),
                    commit: peeled.to_owned(),
                })
            })
            .collect())
    }

    /// The whole history of HEAD, newest first (by date; attribution follows parent links, so
    /// no topological sort is needed), with changed paths: one `git log` pass. A repository
    /// without commits has no history.
    pub fn log(&self) -> Result<Vec<RawCommit>, GitError> {
        if run(&self.root, &["rev-parse", "--verify", "--quiet", "HEAD"]).is_err() {
            return Ok(Vec::new());
        }
        let out = run(
            &self.root,
            &[
                "log",
                "--no-renames",
                "--no-color",
                "-z",
                "--name-only",
                "--format=%x1e%H%x1f%P%x1f%B%x1f",
                "HEAD",
            ],
        )?;
        Ok(parse_log(&out))
    }

    /// Whether the clone is shallow (history and tags may be missing).
    pub fn is_shallow(&self) -> Result<bool, GitError> {
        Ok(run(&self.root, &["rev-parse", "--is-shallow-repository"])?.trim() == "true")
    }
}

fn run(dir: &Path, args: &[&str]) -> Result<String, GitError> {
    let out = Command::new("git")
        .args(["-c", "safe.directory=*", "-c", "core.quotepath=off"])
        .args(args)
        .current_dir(dir)
        .output()
        .map_err(GitError::Spawn)?;
    if !out.status.success() {
        return Err(GitError::Failed {
            command: args.join(" "),
            dir: dir.to_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
        });
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}
