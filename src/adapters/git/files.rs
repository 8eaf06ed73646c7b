//! Reading commits and trees: packages, files at a commit, refs, ancestry, changed paths.

use std::path::Path;
use std::process::Stdio;

use super::{Git, GitError, command, run};

impl Git {
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
}

impl Git {
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
        // All questions are written before the answers are read: `--buffer` lets git write
        // its answers in large blocks instead of flushing after each.
        cmd.args(["cat-file", "--batch", "--buffer"])
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
