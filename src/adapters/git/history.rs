//! Tags and history: `git log` in one pass, verified reverts, patch ids, shallow clones.

use std::collections::BTreeMap;
use std::process::Stdio;

use super::{Git, GitError, command, finish_bytes, run};
use crate::plan::commits::reverted_hash;
use crate::plan::git_output::{self, LOG_ARGS};
use crate::plan::history::{RawCommit, Tag};

impl Git {
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
                // Into a pipe git flushes after every commit (a write, and a wake-up of this
                // reader, per commit) unless GIT_FLUSH=0: the history is read whole anyway.
                cmd.args(&args).env("GIT_FLUSH", "0");
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
        // `--buffer`: without it cat-file flushes after every object, three writes each.
        let args = ["cat-file", "--batch", "--buffer"];
        cat.args(args).stdin(ids);
        let objects = finish_bytes(cat, &args, &self.root);
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
}
