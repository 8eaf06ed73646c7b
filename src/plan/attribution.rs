//! Which commits belong to which crate: a commit belongs to a crate when it changes a file the
//! crate's package holds, or a part of the root manifest the crate's package takes in (an
//! inherited `[workspace.dependencies]` entry or `[workspace.package]` field, and for the package
//! at the workspace root its own tables, not `[workspace]` or `[patch]`); of those, a crate has
//! released every commit its release commit reaches.
//!
//! A package holds what `cargo package` takes: the files under the crate's directory kept by
//! `include` (else not dropped by `exclude`), gitignore syntax matched the way cargo matches it
//! (the `ignore` crate), its own `Cargo.toml` always, nothing under a directory with another
//! `Cargo.toml` (a nested package, member or not), and the readme and license file wherever
//! they are. The repository's `Cargo.lock` is a file like any other: it counts for the package
//! at the workspace root when its rules keep it, and for no member below (cargo writes each
//! `.crate` its own lockfile from the manifests, which the member's commits already cover).
//!
//! Pure. Per changed path a few hash lookups, and a gitignore match only for a crate that has
//! rules, so a long history is attributed in a fraction of the time git takes to print it.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use ignore::gitignore::{Gitignore, GitignoreBuilder};

use super::history::RawCommit;
use super::workspace::{Member, RootPart};

/// Commit ids of a history and their parents, as positions in it.
pub struct Ancestry<'a> {
    index: HashMap<&'a str, usize>,
    parents: Vec<Vec<usize>>,
}

impl<'a> Ancestry<'a> {
    /// `history` as `git log` prints it (every commit's parents that are in it are linked).
    pub fn new(history: &'a [RawCommit]) -> Ancestry<'a> {
        let index: HashMap<&str, usize> = history
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.as_str(), i))
            .collect();
        let parents = history
            .iter()
            .map(|c| {
                c.parents
                    .iter()
                    .filter_map(|p| index.get(p.as_str()).copied())
                    .collect()
            })
            .collect();
        Ancestry { index, parents }
    }

    /// Where commit `id` is in the history; `None` when HEAD does not reach it.
    pub fn position(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }

    /// The commit at `start` and everything it reaches.
    pub fn ancestors(&self, start: usize) -> BitSet {
        let mut set = BitSet::new(self.parents.len());
        let mut stack = vec![start];
        set.insert(start);
        while let Some(i) = stack.pop() {
            for &p in &self.parents[i] {
                if set.insert(p) {
                    stack.push(p);
                }
            }
        }
        set
    }
}

/// A set of history positions.
pub struct BitSet(Vec<u64>);

impl BitSet {
    fn new(len: usize) -> Self {
        BitSet(vec![0; len.div_ceil(64)])
    }

    fn insert(&mut self, i: usize) -> bool {
        let (word, bit) = (i / 64, 1u64 << (i % 64));
        let fresh = self.0[word] & bit == 0;
        self.0[word] |= bit;
        fresh
    }

    pub fn contains(&self, i: usize) -> bool {
        self.0
            .get(i / 64)
            .is_some_and(|word| word & (1u64 << (i % 64)) != 0)
    }
}

/// An `include` or `exclude` pattern cargo would refuse too.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{name}: package pattern {pattern:?} is invalid: {message}")]
pub struct PatternError {
    pub name: String,
    pub pattern: String,
    pub message: String,
}

/// The packages of the crates being planned, ready to say which of them a path belongs to.
pub struct Packages {
    /// Directory → the crate there (its index in the members given), or `None` for a package
    /// that is not planned (a nested workspace, a fuzz crate, an unpublishable member).
    by_dir: HashMap<String, Option<usize>>,
    rules: Vec<Rules>,
    /// Files outside the rules that packages copy in.
    extra: HashMap<String, Vec<usize>>,
    /// The package at the workspace root and its manifest (the root manifest): a change to that
    /// file is its own only where the package's part changed ([`RootPart::RootPackage`]).
    root: Option<(usize, String)>,
}

enum Rules {
    All,
    Include(Gitignore),
    Exclude(Gitignore),
}

impl Packages {
    /// `members` are the crates to attribute to; `package_dirs` every directory holding a
    /// `Cargo.toml` (members or not), and `root_manifest` the workspace's, relative to the
    /// repository root.
    pub fn new(
        members: &[&Member],
        package_dirs: &[String],
        root_manifest: &str,
    ) -> Result<Packages, PatternError> {
        let mut by_dir: HashMap<String, Option<usize>> =
            package_dirs.iter().map(|d| (d.clone(), None)).collect();
        let mut rules = Vec::with_capacity(members.len());
        let mut extra: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, m) in members.iter().enumerate() {
            by_dir.insert(m.dir.clone(), Some(i));
            let build = |patterns: &[String]| -> Result<Gitignore, PatternError> {
                let mut builder = GitignoreBuilder::new("");
                for pattern in patterns {
                    builder.add_line(None, pattern).map_err(|e| PatternError {
                        name: m.name.clone(),
                        pattern: pattern.clone(),
                        message: e.to_string(),
                    })?;
                }
                builder.build().map_err(|e| PatternError {
                    name: m.name.clone(),
                    pattern: patterns.join(", "),
                    message: e.to_string(),
                })
            };
            rules.push(match (&m.package.include[..], &m.package.exclude[..]) {
                ([], []) => Rules::All,
                ([], exclude) => Rules::Exclude(build(exclude)?),
                (include, _) => Rules::Include(build(include)?),
            });
            for file in &m.package.extra {
                extra.entry(file.clone()).or_default().push(i);
            }
        }
        let root = (members.iter())
            .position(|m| m.inherits.contains(&RootPart::RootPackage))
            .map(|i| (i, root_manifest.to_owned()));
        Ok(Packages {
            by_dir,
            rules,
            extra,
            root,
        })
    }

    /// Push onto `out` every crate whose package holds `path` (relative to the repository root).
    pub fn owners(&self, path: &str, out: &mut Vec<usize>) {
        if let Some(crates) = self.extra.get(path) {
            out.extend(crates);
        }
        let mut dir = path;
        loop {
            dir = match dir.rfind('/') {
                Some(at) => &dir[..at],
                None if dir.is_empty() => return,
                None => "",
            };
            match self.by_dir.get(dir) {
                // The nearest package holds the path, or nothing planned does.
                Some(Some(i)) => {
                    let rel = if dir.is_empty() {
                        path
                    } else {
                        &path[dir.len() + 1..]
                    };
                    if self.packs(*i, rel) {
                        out.push(*i);
                    }
                    return;
                }
                Some(None) => return,
                None if dir.is_empty() => return,
                None => {}
            }
        }
    }

    /// Whether crate `i`'s rules keep `rel`, a path relative to its directory (the root
    /// package's manifest aside: see [`Packages::root`]).
    fn packs(&self, i: usize, rel: &str) -> bool {
        if rel == "Cargo.toml" {
            return self.root.as_ref().is_none_or(|(root, _)| *root != i);
        }
        match &self.rules[i] {
            Rules::All => true,
            Rules::Include(include) => include
                .matched_path_or_any_parents(Path::new(rel), false)
                .is_ignore(),
            Rules::Exclude(exclude) => !exclude
                .matched_path_or_any_parents(Path::new(rel), false)
                .is_ignore(),
        }
    }
}

/// What decides which commits of a history belong to each crate.
pub struct Attribution<'a> {
    pub packages: &'a Packages,
    /// Per crate (in the order given to [`Packages::new`]): the position of its release
    /// commit; `None` when nothing it has is released (or its release commit is not in the
    /// history): every commit counts.
    pub since: &'a [Option<usize>],
    /// Per crate: the parts of the root manifest its package takes in.
    pub inherits: &'a [&'a [RootPart]],
    /// Per history position: the parts of the root manifest that commit changed, for the
    /// commits whose root manifest texts were read. A commit not read that changes the root
    /// manifest belongs to the root package (the texts are read for each one it has not
    /// released).
    pub changed_parts: &'a BTreeMap<usize, Vec<RootPart>>,
}

/// Per crate, the positions in `history` (newest first) of the commits that belong to it and
/// are not released: a commit its release commit reaches is released whatever its position in
/// the log (with merges, position alone would misattribute work merged after a release).
pub fn commits_by_crate(
    history: &[RawCommit],
    ancestry: &Ancestry<'_>,
    by: &Attribution<'_>,
) -> Vec<Vec<usize>> {
    // One ancestor set per distinct release commit, shared by the crates released there.
    let mut sets: HashMap<usize, BitSet> = HashMap::new();
    for &start in by.since.iter().flatten() {
        sets.entry(start)
            .or_insert_with(|| ancestry.ancestors(start));
    }
    let mut by_part: HashMap<&RootPart, Vec<usize>> = HashMap::new();
    for (i, parts) in by.inherits.iter().enumerate() {
        for part in parts.iter() {
            by_part.entry(part).or_default().push(i);
        }
    }
    let root = by.packages.root.as_ref();
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); by.since.len()];
    // The same paths change again and again: each is matched against the rules once.
    let mut owners: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut touched: Vec<usize> = Vec::new();
    for (i, commit) in history.iter().enumerate() {
        touched.clear();
        let parts = by.changed_parts.get(&i);
        for path in &commit.paths {
            let of_path = owners.entry(path.as_str()).or_insert_with(|| {
                let mut found = Vec::new();
                by.packages.owners(path, &mut found);
                found
            });
            touched.extend_from_slice(of_path);
            if let Some((krate, manifest)) = root
                && parts.is_none()
                && path == manifest
            {
                touched.push(*krate);
            }
        }
        for part in parts.into_iter().flatten() {
            touched.extend(by_part.get(part).into_iter().flatten());
        }
        touched.sort_unstable();
        touched.dedup();
        for &krate in &touched {
            let released = by.since[krate]
                .and_then(|start| sets.get(&start))
                .is_some_and(|set| set.contains(i));
            if !released {
                out[krate].push(i);
            }
        }
    }
    out
}

/// A commit `fix: <id>` for tests of the modules that read histories.
#[cfg(test)]
pub(crate) fn test_commit(id: &str, parents: &[&str], paths: &[&str]) -> RawCommit {
    RawCommit {
        id: id.into(),
        parents: parents.iter().map(|p| p.to_string()).collect(),
        message: format!("fix: {id}"),
        paths: paths.iter().map(|p| p.to_string()).collect(),
        verified_revert: None,
    }
}

#[cfg(test)]
mod tests;
