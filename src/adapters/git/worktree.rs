//! Private worktrees for building the release commit, and replaying commits in them.

use std::path::{Path, PathBuf};

use super::{Git, GitError, Trust, command, finish, run};

impl Git {
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
}

/// A worktree for building the release commit without touching the user's checkout.
pub struct Worktree {
    repo: PathBuf,
    /// The private directory holding `dir`, removed with it.
    pub(super) scratch: PathBuf,
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
pub(super) fn scratch_dir(base: &Path, label: &str) -> std::io::Result<PathBuf> {
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
