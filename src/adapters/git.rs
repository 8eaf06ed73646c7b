//! The git CLI: where the repository is, its tags, and its history in one `git log` pass.
//!
//! Effects only: the parsing of what git prints and every decision about it live in
//! `plan::history`. Inside GitHub Actions every command declares the checkout safe
//! ([`Trust`]): a Docker action runs as root on a checkout owned by the runner's user, which git
//! otherwise refuses ("dubious ownership"). Never `safe.directory=*`, and nothing outside
//! Actions: there git's protection stays as the user configured it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::hint::Hint;
use crate::plan::commits::reverted_hash;
use crate::plan::git_output::{self, FramingError, LOG_ARGS};
use crate::plan::history::{RawCommit, Tag};

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
    #[error(
        "git refuses the repository at {repository}: it is owned by another user (`git {command}`)"
    )]
    DubiousOwnership {
        repository: PathBuf,
        command: String,
    },
    #[error("could not run git")]
    Spawn(#[source] std::io::Error),
    #[error(transparent)]
    Unreadable(#[from] FramingError),
    #[error("the clone at {dir} is shallow: `{stage}` needs the whole history and every tag")]
    Shallow { dir: PathBuf, stage: String },
}

impl Hint for GitError {
    fn hint(&self) -> Option<String> {
        match self {
            GitError::NotARepository { .. } => Some(
                "run releasekit-cargo inside a git clone of the workspace (in Actions: actions/checkout with `fetch-depth: 0`)"
                    .into(),
            ),
            GitError::Spawn(_) => Some("install git and make sure it is on PATH".into()),
            GitError::DubiousOwnership { repository, .. } => Some(format!(
                "declare it safe with `git config --global --add safe.directory {}` (releasekit-cargo does so itself only inside GitHub Actions, for GITHUB_WORKSPACE and the directories down to the workspace)",
                repository.display()
            )),
            GitError::Shallow { .. } => Some(
                "use fetch-depth: 0 (actions/checkout `with: { fetch-depth: 0 }`), or `git fetch --unshallow --tags` before this step".into(),
            ),
            GitError::Unreadable(_) => Some(
                "git printed something releasekit-cargo cannot read: please report it with the output of `git --version`".into(),
            ),
            GitError::Failed { .. } => None,
        }
    }
}

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

    /// Every tag with the commit it points at (annotated tags peeled).
    pub fn tags(&self) -> Result<Vec<Tag>, GitError> {
        self.tags_where(&[])
    }

    /// The tags `commit` reaches (on it or on its ancestors).
    pub fn tags_reached_from(&self, commit: &str) -> Result<Vec<Tag>, GitError> {
        self.tags_where(&[&format!("--merged={commit}")])
    }

    fn tags_where(&self, filter: &[&str]) -> Result<Vec<Tag>, GitError> {
        let mut args = vec![
            "for-each-ref",
            "--format=%(refname:strip=2)%00%(objectname)%00%(*objectname)",
        ];
        args.extend_from_slice(filter);
        args.push("refs/tags");
        let out = run(&self.trust, &self.root, &args)?;
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
    /// no topological sort is needed), with changed paths: one `git log` pass for ids, parents
    /// and paths, and the commit objects read by size for the messages (`git rev-list HEAD |
    /// git cat-file --batch`) meanwhile. No byte of a message can forge a record
    /// (`plan::git_output`). A repository without commits has no history.
    pub fn log(&self) -> Result<Vec<RawCommit>, GitError> {
        if run(
            &self.trust,
            &self.root,
            &["rev-parse", "--verify", "--quiet", "HEAD"],
        )
        .is_err()
        {
            return Ok(Vec::new());
        }
        self.log_of(&["HEAD"])
    }

    /// The first-parent commits of `tip` that `base` does not reach, oldest first, read as
    /// [`Git::log`] reads the history: the commits of a release branch above the base branch.
    pub fn branch_log(&self, tip: &str, base: &str) -> Result<Vec<RawCommit>, GitError> {
        let exclude = format!("^{base}");
        let mut commits = self.log_of(&["--first-parent", tip, &exclude])?;
        commits.reverse();
        Ok(commits)
    }

    /// The newest `count` first-parent commits of `tip` (itself first), read as [`Git::log`]
    /// reads the history.
    pub fn first_parents(&self, tip: &str, count: usize) -> Result<Vec<RawCommit>, GitError> {
        let id = self.rev_parse(tip)?;
        let max = format!("--max-count={count}");
        self.log_of(&["--first-parent", &max, &id])
    }

    /// `git log` of `revs` (a rev-list range), newest first, with messages and changed paths.
    fn log_of(&self, revs: &[&str]) -> Result<Vec<RawCommit>, GitError> {
        let mut args = vec!["log"];
        args.extend_from_slice(LOG_ARGS);
        args.extend_from_slice(revs);
        let (log, objects) = std::thread::scope(|s| {
            // The log takes longest: it starts first.
            let log = s.spawn(|| {
                let mut cmd = command(&self.trust, &self.root);
                cmd.args(&args);
                finish_bytes(cmd, &args, &self.root)
            });
            let objects = self.commit_objects(revs);
            let log = log.join().unwrap_or_else(|_| {
                Err(GitError::Failed {
                    command: args.join(" "),
                    dir: self.root.clone(),
                    stderr: "the thread reading it stopped".into(),
                })
            });
            (log, objects)
        });
        let entries = git_output::parse_log(&log?)?;
        let messages = git_output::parse_commit_objects(&objects?)?;
        let mut commits = git_output::join(entries, messages)?;
        self.verify_reverts(&mut commits)?;
        Ok(commits)
    }

    /// Set [`RawCommit::verified_revert`] of each commit whose message claims a revert
    /// (`This reverts commit <hash>.`) that git confirms: the hash names one commit, and the
    /// claimed revert's changes are the exact inverse of that commit's — `git patch-id
    /// --stable` of the target's diff equals that of the revert's diff reversed. Only commits
    /// that claim one are looked at, four git processes for all of them together.
    fn verify_reverts(&self, commits: &mut [RawCommit]) -> Result<(), GitError> {
        let claims: Vec<(usize, String)> = commits
            .iter()
            .enumerate()
            .filter_map(|(at, c)| Some((at, reverted_hash(&c.message)?)))
            .collect();
        if claims.is_empty() {
            return Ok(());
        }
        // The claimed hash is hex only: nothing else reaches git's input.
        let names: String = claims
            .iter()
            .map(|(_, hash)| format!("{hash}^{{commit}}\n"))
            .collect();
        let found = self.with_input(
            &["cat-file", "--batch-check=%(objectname) %(objecttype)"],
            names.as_bytes(),
        )?;
        // One line per name: `<id> commit`, or `<name> missing` / `<name> ambiguous`.
        let targets: Vec<Option<String>> = String::from_utf8_lossy(&found)
            .lines()
            .map(|line| match line.split_once(' ') {
                Some((id, "commit")) => Some(id.to_owned()),
                _ => None,
            })
            .collect();
        let resolved: Vec<(usize, &String)> = claims
            .iter()
            .zip(&targets)
            .filter_map(|((at, _), target)| Some((*at, target.as_ref()?)))
            .collect();
        if resolved.is_empty() {
            return Ok(());
        }
        let forward = self.patch_ids(resolved.iter().map(|(_, t)| t.as_str()), false)?;
        let backward = self.patch_ids(
            resolved.iter().map(|(at, _)| commits[*at].id.as_str()),
            true,
        )?;
        for (at, target) in resolved {
            let undoes = match (forward.get(target), backward.get(&commits[at].id)) {
                (Some(a), Some(b)) => a == b,
                _ => false,
            };
            if undoes && *target != commits[at].id {
                commits[at].verified_revert = Some(target.clone());
            }
        }
        Ok(())
    }

    /// `git patch-id --stable` of each commit's diff against its first parent (reversed when
    /// `reversed`), by commit id; a commit without changes (a merge, an empty commit) has none.
    /// Without prefixes, so that a reversed diff names its files as a forward one does.
    fn patch_ids<'a>(
        &self,
        ids: impl Iterator<Item = &'a str>,
        reversed: bool,
    ) -> Result<BTreeMap<String, String>, GitError> {
        let input: String = ids.map(|id| format!("{id}\n")).collect();
        let mut args = vec![
            "diff-tree",
            "--stdin",
            "-p",
            "--root",
            "--no-prefix",
            "--no-renames",
            "--no-color",
            "--no-ext-diff",
            "--no-textconv",
        ];
        if reversed {
            args.push("-R");
        }
        let diffs = self.with_input(&args, input.as_bytes())?;
        let ids = self.with_input(&["patch-id", "--stable"], &diffs)?;
        Ok(String::from_utf8_lossy(&ids)
            .lines()
            .filter_map(|line| {
                let (patch, commit) = line.split_once(' ')?;
                Some((commit.to_owned(), patch.to_owned()))
            })
            .collect())
    }

    /// `git patch-id --stable` of `commit`'s changes against its first parent: the same for
    /// the same changes on another base, and `None` for a commit that changes nothing.
    pub fn patch_id(&self, commit: &str) -> Result<Option<String>, GitError> {
        let id = self.rev_parse(commit)?;
        Ok(self
            .patch_ids(std::iter::once(id.as_str()), false)?
            .remove(&id))
    }

    /// Run git with `args`, `input` on its stdin; its stdout.
    fn with_input(&self, args: &[&str], input: &[u8]) -> Result<Vec<u8>, GitError> {
        let mut child = command(&self.trust, &self.root)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(GitError::Spawn)?;
        let mut stdin = child.stdin.take().expect("piped stdin");
        let input = input.to_vec();
        // Written meanwhile: git's output may fill its pipe before it has read everything.
        let writer = std::thread::spawn(move || std::io::Write::write_all(&mut stdin, &input));
        let out = child.wait_with_output().map_err(GitError::Spawn)?;
        let _ = writer.join();
        if !out.status.success() {
            return Err(GitError::Failed {
                command: args.join(" "),
                dir: self.root.clone(),
                stderr: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
            });
        }
        Ok(out.stdout)
    }

    /// Every commit object of `revs`, as `git cat-file --batch` prints them.
    fn commit_objects(&self, revs: &[&str]) -> Result<Vec<u8>, GitError> {
        let mut list = command(&self.trust, &self.root)
            .arg("rev-list")
            .args(revs)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(GitError::Spawn)?;
        let ids = list
            .stdout
            .take()
            .map(Stdio::from)
            .unwrap_or_else(Stdio::null);
        let mut cat = command(&self.trust, &self.root);
        cat.args(["cat-file", "--batch"]).stdin(ids);
        let objects = finish_bytes(cat, &["cat-file", "--batch"], &self.root);
        let listed = list.wait_with_output().map_err(GitError::Spawn)?;
        if !listed.status.success() {
            return Err(GitError::Failed {
                command: format!("rev-list {}", revs.join(" ")),
                dir: self.root.clone(),
                stderr: String::from_utf8_lossy(&listed.stderr).trim().to_owned(),
            });
        }
        objects
    }

    /// Refuse a shallow clone for `stage`: its missing history and tags would make released
    /// crates look new or changed.
    pub fn require_full_history(&self, stage: &str) -> Result<(), GitError> {
        if self.is_shallow()? {
            return Err(GitError::Shallow {
                dir: self.root.clone(),
                stage: stage.to_owned(),
            });
        }
        Ok(())
    }

    /// Whether the clone is shallow (history and tags may be missing).
    pub fn is_shallow(&self) -> Result<bool, GitError> {
        Ok(run(
            &self.trust,
            &self.root,
            &["rev-parse", "--is-shallow-repository"],
        )?
        .trim()
            == "true")
    }

    /// Every directory (relative to the repository root, `""` for the root) holding a tracked
    /// `Cargo.toml`: the packages cargo leaves out of the packages above them.
    pub fn package_dirs(&self) -> Result<Vec<String>, GitError> {
        let out = run(
            &self.trust,
            &self.root,
            &["ls-files", "-z", "--", ":(glob)**/Cargo.toml"],
        )?;
        Ok(out
            .split('\0')
            .filter_map(|path| path.strip_suffix("Cargo.toml"))
            .map(|dir| dir.trim_end_matches('/').to_owned())
            .collect())
    }

    /// Every `Cargo.toml` in `commit`'s tree (repository-relative paths).
    pub fn manifests_at(&self, commit: &str) -> Result<Vec<String>, GitError> {
        let out = run(
            &self.trust,
            &self.root,
            &["ls-tree", "-r", "-z", "--name-only", commit],
        )?;
        Ok(out
            .split('\0')
            .filter(|p| *p == "Cargo.toml" || p.ends_with("/Cargo.toml"))
            .map(str::to_owned)
            .collect())
    }

    /// The day (`YYYY-MM-DD`, UTC) of `rev`'s commit date; `None` for a date out of range.
    pub fn commit_date(&self, rev: &str) -> Result<Option<String>, GitError> {
        let out = run(&self.trust, &self.root, &["log", "-1", "--format=%ct", rev])?;
        Ok(out
            .trim()
            .parse::<i64>()
            .ok()
            .and_then(|t| time::OffsetDateTime::from_unix_timestamp(t).ok())
            .map(|t| t.date().to_string()))
    }

    /// The commit id of `rev`.
    pub fn rev_parse(&self, rev: &str) -> Result<String, GitError> {
        self.peel(rev, "commit")
    }

    /// The tree id of commit `rev`.
    pub fn tree(&self, rev: &str) -> Result<String, GitError> {
        self.peel(rev, "tree")
    }

    /// The id of the `kind` object (`commit`, `tree`) that `rev` leads to.
    fn peel(&self, rev: &str, kind: &str) -> Result<String, GitError> {
        Ok(run(
            &self.trust,
            &self.root,
            &["rev-parse", "--verify", &format!("{rev}^{{{kind}}}")],
        )?
        .trim()
        .to_owned())
    }

    /// The checked-out branch, if HEAD is on one.
    pub fn current_branch(&self) -> Result<Option<String>, GitError> {
        Ok(run(
            &self.trust,
            &self.root,
            &["symbolic-ref", "--quiet", "--short", "HEAD"],
        )
        .ok()
        .map(|b| b.trim().to_owned())
        .filter(|b| !b.is_empty()))
    }

    /// The file at `path` (repository-relative) in `commit`; `None` when the commit has no
    /// such file. A commit missing from the clone is an error.
    pub fn show_file(&self, commit: &str, path: &str) -> Result<Option<String>, GitError> {
        self.rev_parse(commit)?;
        Ok(run(
            &self.trust,
            &self.root,
            &["show", &format!("{commit}:{path}")],
        )
        .ok())
    }

    /// The files git tracks at or below `rel` (relative to the repository root), as git names
    /// them; `rel` is taken literally, never as a pattern.
    pub fn tracked(&self, rel: &Path) -> Result<Vec<String>, GitError> {
        let spec = format!(":(literal){}", rel.display());
        let out = run(&self.trust, &self.root, &["ls-files", "-z", "--", &spec])?;
        Ok(out
            .split('\0')
            .filter(|f| !f.is_empty())
            .map(str::to_owned)
            .collect())
    }

    /// Add a detached worktree of `commit`, inside the repository's own git directory:
    /// `<git common dir>/releasekit/<label>-<pid>-<random>/target/package/tree`. The private
    /// directory is made by this call (0700, refused if anything is already at its path, so a
    /// link planted there could not send our writes elsewhere), and it and the worktree are
    /// removed when the guard drops.
    ///
    /// Below `.git` the worktree lies below the checkout, and cargo looks for the `[workspace]`
    /// of a package in every directory above it: a single-package release tag under a checkout
    /// whose HEAD has a `[workspace]` would be taken for a member of the checkout's workspace.
    /// cargo stops that search at a directory ending in `target/package` (where it verifies
    /// packages itself), hence the name: the worktree's workspace is always its own.
    pub fn worktree(&self, label: &str, commit: &str) -> Result<Worktree, GitError> {
        let common = self.common_dir()?;
        let failed = |e: std::io::Error| GitError::Failed {
            command: "worktree add".into(),
            dir: common.clone(),
            stderr: format!("cannot create a private directory for it: {e}"),
        };
        let scratch = scratch_dir(&common.join("releasekit"), label).map_err(failed)?;
        let dir = scratch.join("target").join("package").join("tree");
        let made = private_dir_builder()
            .recursive(true)
            .create(dir.parent().expect("tree has a parent"));
        let tree = Worktree {
            repo: self.root.clone(),
            scratch,
            dir,
            trust: self.trust.clone(),
        };
        made.map_err(failed)?;
        let dir_text = tree.dir.to_string_lossy().into_owned();
        run(
            &self.trust,
            &self.root,
            &["worktree", "add", "--detach", &dir_text, commit],
        )?;
        Ok(tree)
    }

    /// The git directory shared by every worktree of the repository, as an absolute path.
    fn common_dir(&self) -> Result<PathBuf, GitError> {
        let out = run(
            &self.trust,
            &self.root,
            &["rev-parse", "--path-format=absolute", "--git-common-dir"],
        )?;
        Ok(PathBuf::from(out.trim_end_matches(['\n', '\r'])))
    }

    /// Push `commit` to `branch` of `remote`, replacing what is there — but only when the
    /// branch still is at `expected` (`None`: when it does not exist), so that a commit the
    /// maintainer pushed meanwhile is never thrown away. The token reaches git only through
    /// `http.extraheader` in this one command's environment (never argv, never the
    /// configuration on disk); an empty value first drops what actions/checkout persisted.
    pub fn force_push(
        &self,
        remote: &str,
        commit: &str,
        branch: &str,
        expected: Option<&str>,
        auth: Option<&PushAuth>,
    ) -> Result<(), GitError> {
        let mut cmd = command(&self.trust, &self.root);
        cmd.args([
            "push",
            &format!(
                "--force-with-lease=refs/heads/{branch}:{}",
                expected.unwrap_or_default()
            ),
            "--quiet",
            remote,
            &format!("{commit}:refs/heads/{branch}"),
        ]);
        authenticate(&mut cmd, auth);
        finish(cmd, &["push", remote, branch], &self.root).map(drop)
    }

    /// The commit `branch` of `remote` points at, if it exists.
    pub fn remote_branch(&self, remote: &str, branch: &str) -> Result<Option<String>, GitError> {
        let out = run(
            &self.trust,
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

    /// Fetch `branch` of `remote` (its commits; of our refs only `FETCH_HEAD` changes) and
    /// return the commit it points at; `None` when it does not exist.
    pub fn fetch_branch(
        &self,
        remote: &str,
        branch: &str,
        auth: Option<&PushAuth>,
    ) -> Result<Option<String>, GitError> {
        if self.remote_branch(remote, branch)?.is_none() {
            return Ok(None);
        }
        let mut cmd = command(&self.trust, &self.root);
        cmd.args([
            "fetch",
            "--quiet",
            "--no-tags",
            remote,
            &format!("refs/heads/{branch}"),
        ]);
        authenticate(&mut cmd, auth);
        finish(cmd, &["fetch", remote, branch], &self.root)?;
        Ok(Some(self.rev_parse("FETCH_HEAD")?))
    }

    /// Whether `ancestor` is `commit` or one of its ancestors.
    pub fn is_ancestor(&self, ancestor: &str, commit: &str) -> Result<bool, GitError> {
        let mut cmd = command(&self.trust, &self.root);
        cmd.args(["merge-base", "--is-ancestor", ancestor, commit]);
        let out = cmd.output().map_err(GitError::Spawn)?;
        match out.status.code() {
            Some(0) => Ok(true),
            Some(1) => Ok(false),
            _ => Err(GitError::Failed {
                command: "merge-base --is-ancestor".into(),
                dir: self.root.clone(),
                stderr: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
            }),
        }
    }

    /// The paths (repository-relative) whose content differs between two commits.
    pub fn changed_paths(&self, from: &str, to: &str) -> Result<Vec<String>, GitError> {
        let out = run(
            &self.trust,
            &self.root,
            &["diff", "--no-renames", "--name-only", "-z", from, to, "--"],
        )?;
        Ok(out
            .split('\0')
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect())
    }

    /// The text of each `(commit, path)` (repository-relative path), through one
    /// `git cat-file --batch`; `None` where that commit has no such file.
    pub fn files_at(&self, wanted: &[(&str, &str)]) -> Result<Vec<Option<String>>, GitError> {
        use std::io::Write;
        if wanted.is_empty() {
            return Ok(Vec::new());
        }
        let mut cmd = command(&self.trust, &self.root);
        cmd.args(["cat-file", "--batch"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().map_err(GitError::Spawn)?;
        let input: String = wanted
            .iter()
            .map(|(commit, path)| format!("{commit}:{path}\n"))
            .collect();
        let mut stdin = child.stdin.take().expect("piped stdin");
        // git answers while it reads: feeding it from another thread cannot deadlock.
        let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
        let out = child.wait_with_output().map_err(GitError::Spawn)?;
        let _ = writer.join();
        let failed = |stderr: String| GitError::Failed {
            command: "cat-file --batch".into(),
            dir: self.root.clone(),
            stderr,
        };
        if !out.status.success() {
            return Err(failed(
                String::from_utf8_lossy(&out.stderr).trim().to_owned(),
            ));
        }
        let mut rest = &out.stdout[..];
        let mut texts = Vec::with_capacity(wanted.len());
        for _ in wanted {
            let end = rest
                .iter()
                .position(|&b| b == b'\n')
                .ok_or_else(|| failed("the answer ended early".into()))?;
            let header = String::from_utf8_lossy(&rest[..end]).into_owned();
            rest = &rest[end + 1..];
            // `<id> <type> <size>` and the object, or `<name> missing` (no such file there).
            let mut fields = header.rsplitn(3, ' ');
            let size = fields.next().and_then(|size| size.parse::<usize>().ok());
            let kind = fields.next();
            match size {
                Some(size) if rest.len() > size => {
                    let object = &rest[..size];
                    texts.push(
                        (kind == Some("blob"))
                            .then(|| String::from_utf8_lossy(object).into_owned()),
                    );
                    rest = &rest[size + 1..];
                }
                Some(_) => return Err(failed("the answer ended early".into())),
                None => texts.push(None),
            }
        }
        Ok(texts)
    }
}

/// Let `cmd` reach `auth`'s server with its token: `http.extraheader` in this command's
/// environment only; an empty value first drops what actions/checkout persisted.
fn authenticate(cmd: &mut Command, auth: Option<&PushAuth>) {
    let Some(auth) = auth else { return };
    use base64::Engine;
    let key = match &auth.server {
        Some(server) => format!("http.{}/.extraheader", server.trim_end_matches('/')),
        None => "http.extraheader".to_owned(),
    };
    let basic =
        base64::engine::general_purpose::STANDARD.encode(format!("x-access-token:{}", auth.token));
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

/// The token for one push, and the server it is for (`GITHUB_SERVER_URL`).
pub struct PushAuth {
    pub token: String,
    pub server: Option<String>,
}

/// A worktree for building the release commit without touching the user's checkout.
pub struct Worktree {
    repo: PathBuf,
    /// The private directory holding `dir`, removed with it.
    scratch: PathBuf,
    dir: PathBuf,
    trust: Trust,
}

impl Worktree {
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Commit every change in the worktree as `message`, dated like `date_of` so that the same
    /// plan on the same base gives the same commit id. Returns the new commit id.
    pub fn commit_all(&self, message: &str, date_of: &str) -> Result<String, GitError> {
        run(&self.trust, &self.dir, &["add", "-A"])?;
        self.commit(message, date_of, false)
    }

    /// Give the commit checked out the message `message`, its changes and date kept as
    /// [`Worktree::commit_all`] made them. Returns the new commit id.
    pub fn reword(&self, message: &str, date_of: &str) -> Result<String, GitError> {
        self.commit(message, date_of, true)
    }

    fn commit(&self, message: &str, date_of: &str, amend: bool) -> Result<String, GitError> {
        let date = run(
            &self.trust,
            &self.dir,
            &["show", "-s", "--format=%cI", date_of],
        )?;
        let date = date.trim();
        let configured = run(&self.trust, &self.dir, &["config", "user.email"]).is_ok();
        let mut cmd = command(&self.trust, &self.dir);
        if !configured {
            cmd.args([
                "-c",
                "user.name=github-actions[bot]",
                "-c",
                "user.email=41898282+github-actions[bot]@users.noreply.github.com",
            ]);
        }
        cmd.args(["commit", "--quiet", "--no-verify", "--allow-empty"]);
        if amend {
            cmd.arg("--amend");
        }
        cmd.args(["-m", message])
            .env("GIT_AUTHOR_DATE", date)
            .env("GIT_COMMITTER_DATE", date);
        finish(cmd, &["commit"], &self.dir)?;
        Ok(run(&self.trust, &self.dir, &["rev-parse", "HEAD"])?
            .trim()
            .to_owned())
    }
}

/// What replaying one commit did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Picked {
    /// The new commit's id.
    Done(String),
    /// The change does not apply: these files (repository-relative) conflict. The worktree is
    /// back where it was.
    Conflict(Vec<String>),
}

impl Worktree {
    /// The commit checked out.
    pub fn head(&self) -> Result<String, GitError> {
        Ok(run(&self.trust, &self.dir, &["rev-parse", "HEAD"])?
            .trim()
            .to_owned())
    }

    /// Check out `commit` (detached), dropping nothing: the worktree is ours and clean.
    pub fn checkout(&self, commit: &str) -> Result<(), GitError> {
        run(
            &self.trust,
            &self.dir,
            &["checkout", "--quiet", "--detach", commit],
        )
        .map(drop)
    }

    /// Apply `commit` again on the checked-out commit, as its own author and committer at its
    /// own dates, so that a replay onto the same parent is the same commit. A merge is applied
    /// as its change against its first parent. A commit that was or becomes empty is kept
    /// empty: it is still the maintainer's. No hook runs and nothing is signed.
    ///
    /// A file in conflict is handed to `retry` as `(path, base, ours, theirs)`: the text it
    /// returns for their side is merged again (`git merge-file`), and a clean result resolves
    /// the file. The commit is made when every file is resolved so.
    pub fn cherry_pick(
        &self,
        commit: &str,
        merge: bool,
        retry: &dyn Fn(&str, &str, &str, &str) -> Option<String>,
    ) -> Result<Picked, GitError> {
        let who = run(
            &self.trust,
            &self.dir,
            &[
                "log",
                "-1",
                "--date=raw",
                "--format=%cn%x00%ce%x00%cd",
                commit,
            ],
        )?;
        let mut who = who.trim_end_matches('\n').split('\0');
        let (name, email, date) = (
            who.next().unwrap_or_default(),
            who.next().unwrap_or_default(),
            who.next().unwrap_or_default(),
        );
        let mut cmd = command(&self.trust, &self.dir);
        cmd.args([
            "-c",
            "core.hooksPath=/dev/null",
            "-c",
            "commit.gpgSign=false",
            "cherry-pick",
            "--allow-empty",
            "--keep-redundant-commits",
        ]);
        if merge {
            cmd.args(["-m", "1"]);
        }
        let committer = [
            ("GIT_COMMITTER_NAME", name),
            ("GIT_COMMITTER_EMAIL", email),
            ("GIT_COMMITTER_DATE", date),
        ];
        cmd.arg(commit).envs(committer);
        let error = match finish(cmd, &["cherry-pick", commit], &self.dir) {
            Ok(_) => return Ok(Picked::Done(self.head()?)),
            Err(error) => error,
        };
        let conflicted = run(
            &self.trust,
            &self.dir,
            &["diff", "--name-only", "-z", "--diff-filter=U"],
        )?;
        let files: Vec<String> = conflicted
            .split('\0')
            .filter(|f| !f.is_empty())
            .map(str::to_owned)
            .collect();
        if files.is_empty() {
            let _ = run(&self.trust, &self.dir, &["cherry-pick", "--abort"]);
            return Err(error);
        }
        let mut resolved = true;
        for file in &files {
            resolved = resolved && self.resolve(file, retry)?;
        }
        if !resolved {
            let _ = run(&self.trust, &self.dir, &["cherry-pick", "--abort"]);
            return Ok(Picked::Conflict(files));
        }
        // Their message and authorship, as the pick would have written them.
        let mut cmd = command(&self.trust, &self.dir);
        cmd.args([
            "-c",
            "core.hooksPath=/dev/null",
            "-c",
            "commit.gpgSign=false",
            "commit",
            "--quiet",
            "--no-verify",
            "--allow-empty",
            "-C",
            commit,
        ])
        .envs(committer);
        finish(cmd, &["commit", "-C", commit], &self.dir)?;
        Ok(Picked::Done(self.head()?))
    }

    /// Resolve the conflicted `file` with `retry`'s text for their side, when merging it again
    /// is clean; says whether it was.
    fn resolve(
        &self,
        file: &str,
        retry: &dyn Fn(&str, &str, &str, &str) -> Option<String>,
    ) -> Result<bool, GitError> {
        let stage = |n: u8| run(&self.trust, &self.dir, &["show", &format!(":{n}:{file}")]).ok();
        let (Some(base), Some(ours), Some(theirs)) = (stage(1), stage(2), stage(3)) else {
            return Ok(false);
        };
        let Some(theirs) = retry(file, &base, &ours, &theirs) else {
            return Ok(false);
        };
        let sides = [("ours", &ours), ("base", &base), ("theirs", &theirs)];
        let mut paths = Vec::new();
        for (name, text) in sides {
            let path = self.scratch.join(format!("merge-{name}"));
            std::fs::write(&path, text).map_err(|e| GitError::Failed {
                command: "merge-file".into(),
                dir: self.scratch.clone(),
                stderr: format!("cannot write {}: {e}", path.display()),
            })?;
            paths.push(path.to_string_lossy().into_owned());
        }
        let mut cmd = command(&self.trust, &self.dir);
        cmd.args(["merge-file", "-q"]).args(&paths);
        if cmd.output().map_err(GitError::Spawn)?.status.code() != Some(0) {
            return Ok(false);
        }
        // Into the index as a blob with our side's mode, and out to the file by git, which
        // writes nothing beyond a symbolic link.
        let blob = run(
            &self.trust,
            &self.dir,
            &["hash-object", "-w", "--no-filters", &paths[0]],
        )?;
        let unmerged = run(
            &self.trust,
            &self.dir,
            &["ls-files", "-u", "-z", "--", file],
        )?;
        let mode = unmerged
            .split('\0')
            .filter_map(|entry| entry.split_once('\t'))
            .map(|(info, _)| info.split(' ').collect::<Vec<_>>())
            .find(|info| info.get(2) == Some(&"2"))
            .and_then(|info| info.first().map(|mode| (*mode).to_owned()));
        let Some(mode) = mode else { return Ok(false) };
        let entry = format!("{mode},{},{file}", blob.trim());
        run(
            &self.trust,
            &self.dir,
            &["update-index", "--cacheinfo", &entry],
        )?;
        run(
            &self.trust,
            &self.dir,
            &["checkout-index", "-f", "--", file],
        )
        .map(|_| true)
    }
}

impl Drop for Worktree {
    fn drop(&mut self) {
        let dir = self.dir.to_string_lossy().into_owned();
        let _ = run(
            &self.trust,
            &self.repo,
            &["worktree", "remove", "--force", &dir],
        );
        let _ = std::fs::remove_dir_all(&self.scratch);
        // `releasekit/` itself goes once no other run uses it.
        if let Some(base) = self.scratch.parent() {
            let _ = std::fs::remove_dir(base);
        }
        let _ = run(&self.trust, &self.repo, &["worktree", "prune"]);
    }
}

/// A `DirBuilder` for directories only this user may enter.
fn private_dir_builder() -> std::fs::DirBuilder {
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
}

/// A new directory `<label>-<pid>-<random>` in `base` (made private when missing; refused when
/// it is a link or no directory), created by this call (never one that exists, nor a link) and
/// readable by this user only.
fn scratch_dir(base: &Path, label: &str) -> std::io::Result<PathBuf> {
    match std::fs::symlink_metadata(base) {
        Ok(meta) if meta.is_dir() => {}
        Ok(_) => {
            return Err(std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                format!("{} is a link or no directory", base.display()),
            ));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            match private_dir_builder().create(base) {
                Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => return Err(e),
                _ => {}
            }
        }
        Err(e) => return Err(e),
    }
    let builder = private_dir_builder();
    let mut tries = 0;
    loop {
        let dir = base.join(format!(
            "{label}-{}-{:016x}",
            std::process::id(),
            fastrand::u64(..)
        ));
        match builder.create(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && tries < 16 => tries += 1,
            Err(e) => return Err(e),
        }
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
pub(crate) mod testing {
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_names_each_trusted_directory_and_never_a_wildcard() {
        let trust = Trust::new(vec![
            PathBuf::from("/github/workspace"),
            PathBuf::from("/github/workspace/rust"),
        ]);
        let cmd = command(&trust, Path::new("/github/workspace/rust"));
        let args: Vec<String> = cmd
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            args,
            [
                "-c",
                "safe.directory=/github/workspace",
                "-c",
                "safe.directory=/github/workspace/rust",
                "-c",
                "core.quotepath=off"
            ]
        );
        let local = command(&Trust::none(), Path::new("/src"));
        assert!(
            !local
                .get_args()
                .any(|a| a.to_string_lossy().contains("safe.directory")),
            "outside Actions git's own protection stays"
        );
    }

    /// A repository in a temp dir, and a function running git in it with extra environment.
    #[allow(clippy::type_complexity)]
    fn repo() -> (
        tempfile::TempDir,
        impl Fn(&[&str], &[(&str, &str)]) -> String,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().to_owned();
        let git = move |args: &[&str], env: &[(&str, &str)]| {
            let out = Command::new("git")
                .args(["-c", "user.name=Maya", "-c", "user.email=maya@example.com"])
                .args(args)
                .current_dir(&path)
                .env("GIT_CONFIG_GLOBAL", "/dev/null")
                .envs(env.iter().copied())
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "git {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8_lossy(&out.stdout).trim().to_owned()
        };
        git(&["init", "-q", "-b", "main"], &[]);
        (dir, git)
    }

    #[test]
    fn a_replayed_commit_keeps_its_committer_and_dates_so_a_replay_is_the_same_commit() {
        let (dir, git) = repo();
        let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
        let commit = |message: &str, env: &[(&str, &str)]| {
            git(&["add", "-A"], &[]);
            git(&["commit", "-q", "-m", message], env);
        };
        let at = |date| [("GIT_AUTHOR_DATE", date), ("GIT_COMMITTER_DATE", date)];
        write("a", "1\n");
        commit("base", &at("1700000000 +0000"));
        git(&["checkout", "-q", "-b", "theirs"], &[]);
        write("a", "1\n2\n");
        // Committed in another time zone, by someone else than the author.
        commit(
            "theirs",
            &[
                ("GIT_COMMITTER_NAME", "GitHub"),
                ("GIT_COMMITTER_EMAIL", "noreply@github.com"),
                ("GIT_COMMITTER_DATE", "1700003600 +0530"),
                ("GIT_AUTHOR_DATE", "1700001800 -0800"),
            ],
        );
        git(&["checkout", "-q", "main"], &[]);
        write("b", "other\n");
        commit("new base", &at("1700007200 +0000"));
        let repository = Git::discover(dir.path(), &Trust::none()).unwrap();
        let picks: Vec<String> = (0..2)
            .map(|_| {
                let tree = repository.worktree("test", "main").unwrap();
                match tree
                    .cherry_pick("theirs", false, &|_, _, _, _| None)
                    .unwrap()
                {
                    Picked::Done(id) => id,
                    other => panic!("{other:?}"),
                }
            })
            .collect();
        assert_eq!(picks[0], picks[1], "the same replay is the same commit");
        let format = "--format=%cn|%ce|%cd|%an|%ad";
        let shown = git(&["log", "-1", "--date=raw", format, &picks[0]], &[]);
        assert_eq!(
            shown,
            "GitHub|noreply@github.com|1700003600 +0530|Maya|1700001800 -0800"
        );
        let parent = git(&["rev-parse", &format!("{}^", picks[0])], &[]);
        assert_eq!(parent, git(&["rev-parse", "main"], &[]));
    }

    /// Make `dir` (a [`repo`]) a repository whose CHANGELOG.md is `base`, then `theirs` on
    /// branch `theirs` (commit "reword") and `ours` on main; its `Git`.
    fn changelog_edits(
        dir: &Path,
        git: &impl Fn(&[&str], &[(&str, &str)]) -> String,
        [base, theirs, ours]: [&str; 3],
    ) -> Git {
        let write = |text: &str| std::fs::write(dir.join("CHANGELOG.md"), text).unwrap();
        write(base);
        git(&["add", "-A"], &[]);
        git(&["commit", "-q", "-m", "base"], &[]);
        git(&["checkout", "-q", "-b", "theirs"], &[]);
        write(theirs);
        git(&["commit", "-q", "-am", "reword"], &[]);
        git(&["checkout", "-q", "main"], &[]);
        write(ours);
        git(&["commit", "-q", "-am", "new entry"], &[]);
        Git::discover(dir, &Trust::none()).unwrap()
    }

    #[test]
    fn a_replay_that_conflicts_names_the_files_and_leaves_the_worktree_as_it_was() {
        let (dir, git) = repo();
        let repository = changelog_edits(
            dir.path(),
            &git,
            [
                "- add a parser\n",
                "- add a parser for widgets\n",
                "- add a lexer\n- add a parser\n",
            ],
        );
        let tree = repository.worktree("test", "main").unwrap();
        let worktree = tree.dir().to_string_lossy().into_owned();
        // A retry whose text for their side still conflicts changes nothing.
        type Retry<'a> = &'a dyn Fn(&str, &str, &str, &str) -> Option<String>;
        let none: Retry = &|_, _, _, _| None;
        let still: Retry = &|_, _, _, theirs| Some(theirs.to_owned());
        for retry in [none, still] {
            let picked = tree.cherry_pick("theirs", false, retry).unwrap();
            assert_eq!(picked, Picked::Conflict(vec!["CHANGELOG.md".into()]));
            assert_eq!(tree.head().unwrap(), git(&["rev-parse", "main"], &[]));
            let status = git(&["-C", &worktree, "status", "--porcelain"], &[]);
            assert_eq!(status, "", "the worktree is clean again");
        }
    }

    #[test]
    fn a_replay_whose_conflict_the_retry_resolves_is_made_as_their_commit() {
        let (dir, git) = repo();
        let repository = changelog_edits(
            dir.path(),
            &git,
            [
                "## [0.1.1]\n\n### Fixes\n\n- add a parser\n",
                "## [0.2.0] by hand\n\n### Fixes\n\n- add a parser for widgets\n",
                "## [0.2.0]\n\n### Fixes\n\n- add a parser\n",
            ],
        );
        let tree = repository.worktree("test", "main").unwrap();
        // Their side with our heading merges cleanly: the file is resolved, their commit made
        // with their message and author.
        let retry = |path: &str, base: &str, ours: &str, theirs: &str| {
            assert_eq!(path, "CHANGELOG.md");
            assert!(base.starts_with("## [0.1.1]") && ours.starts_with("## [0.2.0]\n"));
            Some(theirs.replace("## [0.2.0] by hand", "## [0.2.0]"))
        };
        let Picked::Done(id) = tree.cherry_pick("theirs", false, &retry).unwrap() else {
            panic!("not resolved")
        };
        let shown = git(&["log", "-1", "--format=%an|%s", &id], &[]);
        assert_eq!(shown, "Maya|reword");
        let text = git(&["show", &format!("{id}:CHANGELOG.md")], &[]);
        assert_eq!(
            text,
            "## [0.2.0]\n\n### Fixes\n\n- add a parser for widgets"
        );
        let worktree = tree.dir().to_string_lossy().into_owned();
        let status = git(&["-C", &worktree, "status", "--porcelain"], &[]);
        assert_eq!(status, "", "the worktree is clean");
    }

    #[test]
    fn scratch_directories_are_new_private_and_distinct() {
        use std::os::unix::fs::PermissionsExt;
        let base = tempfile::tempdir().unwrap();
        let base = base.path().join("releasekit");
        let a = scratch_dir(&base, "test").unwrap();
        let b = scratch_dir(&base, "test").unwrap();
        assert_ne!(a, b);
        for dir in [&base, &a] {
            let mode = std::fs::metadata(dir).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o700, "{}", dir.display());
        }
    }

    #[test]
    fn worktrees_live_privately_inside_the_repositorys_git_directory_until_dropped() {
        use std::os::unix::fs::PermissionsExt;
        let (repo, repo_git) = testing::committed_repo(&[("file", "x")]);
        let root = repo.path().canonicalize().unwrap();

        let tree = repo_git.worktree("test", "HEAD").unwrap();
        let private = tree.scratch.clone();
        assert!(
            private.starts_with(root.join(".git/releasekit")),
            "{}",
            private.display()
        );
        assert!(tree.dir().starts_with(&private));
        assert_eq!(
            std::fs::read_to_string(tree.dir().join("file")).unwrap(),
            "x"
        );
        let mode = std::fs::metadata(&private).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
        drop(tree);
        assert!(!private.exists());
        assert!(!root.join(".git/releasekit").exists());
    }

    /// Only git's own revert (the exact inverse) is confirmed; a message naming a commit it
    /// does not undo, a hash that names nothing, or a partial undo are not.
    #[test]
    fn a_revert_is_confirmed_only_when_its_changes_are_the_inverse_of_its_targets() {
        let (repo, git) = testing::committed_repo(&[("f", "1\n"), ("g", "1\n")]);
        let run = |args: &[&str]| testing::git_in(repo.path(), args);
        let edit = |file: &str, text: &str, message: &str| {
            std::fs::write(repo.path().join(file), text).unwrap();
            run(&["commit", "-qam", message]);
            run(&["rev-parse", "HEAD"])
        };
        let feat = edit("f", "1\n2\n", "feat!: two");
        run(&["revert", "--no-edit", "HEAD"]);
        let revert = run(&["rev-parse", "HEAD"]);
        let claim = edit(
            "g",
            "1\n3\n",
            &format!("fix: x\n\nThis reverts commit {}.", &feat[..7]),
        );
        let nothing = edit("g", "1\n4\n", "fix: y\n\nThis reverts commit abcdef0.");
        let again = edit("f", "1\n2\n", "feat: two again");
        // Undoes half of it: f back, g changed besides.
        std::fs::write(repo.path().join("g"), "1\n5\n").unwrap();
        let half = edit(
            "f",
            "1\n",
            &format!("Revert \"two again\"\n\nThis reverts commit {again}."),
        );

        let history = git.log().unwrap();
        let confirmed = |id: &str| {
            history
                .iter()
                .find(|c| c.id == id)
                .unwrap()
                .verified_revert
                .clone()
        };
        assert_eq!(confirmed(&revert), Some(feat.clone()));
        assert_eq!(confirmed(&claim), None);
        assert_eq!(confirmed(&nothing), None);
        assert_eq!(confirmed(&half), None);
        assert_eq!(confirmed(&feat), None);
    }

    #[test]
    fn a_scratch_base_that_is_a_link_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        let base = dir.path().join("releasekit");
        std::os::unix::fs::symlink(elsewhere.path(), &base).unwrap();
        assert!(scratch_dir(&base, "test").is_err());
        assert_eq!(std::fs::read_dir(elsewhere.path()).unwrap().count(), 0);
    }

    #[test]
    fn dubious_ownership_names_the_refused_repository_and_how_to_declare_it_safe() {
        let stderr = "fatal: detected dubious ownership in repository at '/srv/my repo'\n\
                      To add an exception for this directory, call:\n\n\
                      \tgit config --global --add safe.directory '/srv/my repo'";
        assert_eq!(
            refused_repository(stderr),
            Some(PathBuf::from("/srv/my repo"))
        );
        let error = GitError::DubiousOwnership {
            repository: PathBuf::from("/srv/repo"),
            command: "rev-parse --show-toplevel".into(),
        };
        let hint = error.hint().unwrap();
        assert!(
            hint.starts_with(
                "declare it safe with `git config --global --add safe.directory /srv/repo`"
            ),
            "{hint}"
        );
    }
}
