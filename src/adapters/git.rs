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

    /// The commit id of `rev`.
    pub fn rev_parse(&self, rev: &str) -> Result<String, GitError> {
        Ok(run(
            &self.root,
            &["rev-parse", "--verify", &format!("{rev}^{{commit}}")],
        )?
        .trim()
        .to_owned())
    }

    /// The checked-out branch, if HEAD is on one.
    pub fn current_branch(&self) -> Result<Option<String>, GitError> {
        Ok(
            run(&self.root, &["symbolic-ref", "--quiet", "--short", "HEAD"])
                .ok()
                .map(|b| b.trim().to_owned())
                .filter(|b| !b.is_empty()),
        )
    }

    /// The file at `path` (repository-relative) in `commit`; `None` when the commit has no
    /// such file. A commit missing from the clone is an error.
    pub fn show_file(&self, commit: &str, path: &str) -> Result<Option<String>, GitError> {
        self.rev_parse(commit)?;
        Ok(run(&self.root, &["show", &format!("{commit}:{path}")]).ok())
    }

    /// Add a detached worktree of `commit` at `dir`; it is removed when the guard drops.
    pub fn worktree(&self, dir: &Path, commit: &str) -> Result<Worktree, GitError> {
        let dir_text = dir.to_string_lossy();
        run(
            &self.root,
            &["worktree", "add", "--detach", "--force", &dir_text, commit],
        )?;
        Ok(Worktree {
            repo: self.root.clone(),
            dir: dir.to_owned(),
        })
    }

    /// Push `commit` to `branch` of `remote`, replacing what is there. The token reaches git
    /// only through `http.extraheader` in this one command's environment (never argv, never
    /// the configuration on disk); an empty value first drops what actions/checkout persisted.
    pub fn force_push(
        &self,
        remote: &str,
        commit: &str,
        branch: &str,
        auth: Option<&PushAuth>,
    ) -> Result<(), GitError> {
        let mut cmd = command(&self.root);
        cmd.args([
            "push",
            "--force",
            "--quiet",
            remote,
            &format!("{commit}:refs/heads/{branch}"),
        ]);
        if let Some(auth) = auth {
            use base64::Engine;
            let key = match &auth.server {
                Some(server) => format!("http.{}/.extraheader", server.trim_end_matches('/')),
                None => "http.extraheader".to_owned(),
            };
            let basic = base64::engine::general_purpose::STANDARD
                .encode(format!("x-access-token:{}", auth.token));
            cmd.env("GIT_CONFIG_COUNT", "2")
                .env("GIT_CONFIG_KEY_0", &key)
                .env("GIT_CONFIG_VALUE_0", "")
                .env("GIT_CONFIG_KEY_1", &key)
                .env(
                    "GIT_CONFIG_VALUE_1",
                    format!("AUTHORIZATION: basic {basic}"),
                )
                .env("GIT_TERMINAL_PROMPT", "0");
        }
        finish(cmd, &["push", remote, branch], &self.root).map(drop)
    }

    /// The commit `branch` of `remote` points at, if it exists.
    pub fn remote_branch(&self, remote: &str, branch: &str) -> Result<Option<String>, GitError> {
        let out = run(
            &self.root,
            &[
                "ls-remote",
                "--heads",
                remote,
                &format!("refs/heads/{branch}"),
            ],
        )?;
        Ok(out.split_whitespace().next().map(str::to_owned))
    }
}

/// The token for one push, and the server it is for (`GITHUB_SERVER_URL`).
pub struct PushAuth {
    pub token: String,
    pub server: Option<String>,
}

/// A worktree for building the release commit without touching the user's checkout.
pub struct Worktree {
    repo: PathBuf,
    dir: PathBuf,
}

impl Worktree {
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Commit every change in the worktree as `message`, dated like `date_of` so that the same
    /// plan on the same base gives the same commit id. Returns the new commit id.
    pub fn commit_all(&self, message: &str, date_of: &str) -> Result<String, GitError> {
        run(&self.dir, &["add", "-A"])?;
        let date = run(&self.dir, &["show", "-s", "--format=%cI", date_of])?;
        let date = date.trim();
        let configured = run(&self.dir, &["config", "user.email"]).is_ok();
        let mut cmd = command(&self.dir);
        if !configured {
            cmd.args([
                "-c",
                "user.name=github-actions[bot]",
                "-c",
                "user.email=41898282+github-actions[bot]@users.noreply.github.com",
            ]);
        }
        cmd.args([
            "commit",
            "--quiet",
            "--no-verify",
            "--allow-empty",
            "-m",
            message,
        ])
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date);
        finish(cmd, &["commit"], &self.dir)?;
        Ok(run(&self.dir, &["rev-parse", "HEAD"])?.trim().to_owned())
    }
}

impl Drop for Worktree {
    fn drop(&mut self) {
        let dir = self.dir.to_string_lossy().into_owned();
        let _ = run(&self.repo, &["worktree", "remove", "--force", &dir]);
        let _ = std::fs::remove_dir_all(&self.dir);
        let _ = run(&self.repo, &["worktree", "prune"]);
    }
}

fn command(dir: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.args(["-c", "safe.directory=*", "-c", "core.quotepath=off"])
        .current_dir(dir);
    cmd
}

fn run(dir: &Path, args: &[&str]) -> Result<String, GitError> {
    let mut cmd = command(dir);
    cmd.args(args);
    finish(cmd, args, dir)
}

/// Run `cmd`; a failure names `shown` (what may be printed: never a token) and git's stderr.
fn finish(mut cmd: Command, shown: &[&str], dir: &Path) -> Result<String, GitError> {
    let out = cmd.output().map_err(GitError::Spawn)?;
    if !out.status.success() {
        return Err(GitError::Failed {
            command: shown.join(" "),
            dir: dir.to_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
        });
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}
