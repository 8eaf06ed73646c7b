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
mod tests {
    use super::test_commit as commit;
    use super::*;
    use crate::plan::workspace::PackageRules;

    fn member(name: &str, dir: &str) -> Member {
        Member {
            dir: dir.to_owned(),
            ..Member::plain(name, "1.0.0", Vec::new())
        }
    }

    fn with_rules(m: Member, include: &[&str], exclude: &[&str], extra: &[&str]) -> Member {
        let strings = |list: &[&str]| list.iter().map(|s| s.to_string()).collect();
        Member {
            package: PackageRules {
                include: strings(include),
                exclude: strings(exclude),
                extra: strings(extra),
            },
            ..m
        }
    }

    /// Names of the crates whose packages hold each path.
    fn owners_of(members: &[Member], package_dirs: &[&str], paths: &[&str]) -> Vec<String> {
        let refs: Vec<&Member> = members.iter().collect();
        let dirs: Vec<String> = package_dirs.iter().map(|d| d.to_string()).collect();
        let packages = Packages::new(&refs, &dirs, "Cargo.toml").unwrap();
        paths
            .iter()
            .map(|path| {
                let mut out = Vec::new();
                packages.owners(path, &mut out);
                let names: Vec<&str> = out.iter().map(|&i| members[i].name.as_str()).collect();
                format!("{path}: {}", names.join(" "))
            })
            .collect()
    }

    fn plan(
        history: &[RawCommit],
        members: &[Member],
        since: &[Option<&str>],
        changed: &BTreeMap<usize, Vec<RootPart>>,
    ) -> Vec<Vec<usize>> {
        let refs: Vec<&Member> = members.iter().collect();
        let packages = Packages::new(&refs, &[], "Cargo.toml").unwrap();
        let ancestry = Ancestry::new(history);
        let since: Vec<Option<usize>> = since
            .iter()
            .map(|s| s.and_then(|id| ancestry.position(id)))
            .collect();
        let inherits: Vec<&[RootPart]> = members.iter().map(|m| &m.inherits[..]).collect();
        commits_by_crate(
            history,
            &ancestry,
            &Attribution {
                packages: &packages,
                since: &since,
                inherits: &inherits,
                changed_parts: changed,
            },
        )
    }

    #[test]
    fn a_path_belongs_to_the_deepest_package_directory_holding_it() {
        // root crate "" contains crates/a, which contains crates/a/nested; fuzz is no member
        let members = [
            member("root", ""),
            member("a", "crates/a"),
            member("nested", "crates/a/nested"),
        ];
        assert_eq!(
            owners_of(
                &members,
                &["", "crates/a", "crates/a/nested", "fuzz"],
                &[
                    "crates/a/nested/src/lib.rs",
                    "crates/a/src/lib.rs",
                    "README.md",
                    "fuzz/src/main.rs",
                    "crates/b/src/lib.rs",
                ]
            ),
            [
                "crates/a/nested/src/lib.rs: nested",
                "crates/a/src/lib.rs: a",
                "README.md: root",
                "fuzz/src/main.rs: ",
                "crates/b/src/lib.rs: root",
            ]
        );
    }

    #[test]
    fn include_keeps_only_its_files_and_the_manifest() {
        let root = with_rules(member("root", ""), &["src/**/*", "/build.rs"], &[], &[]);
        assert_eq!(
            owners_of(
                &[root, member("a", "crates/a")],
                &[],
                &[
                    "src/lib.rs",
                    "src/deep/x.rs",
                    "build.rs",
                    "Cargo.toml",
                    "Cargo.lock",
                    ".github/workflows/ci.yml",
                    "tests/it.rs",
                    "crates/a/Cargo.toml",
                ]
            ),
            [
                "src/lib.rs: root",
                "src/deep/x.rs: root",
                "build.rs: root",
                "Cargo.toml: root",
                "Cargo.lock: ",
                ".github/workflows/ci.yml: ",
                "tests/it.rs: ",
                "crates/a/Cargo.toml: a",
            ]
        );
    }

    #[test]
    fn exclude_drops_its_files_and_directories_and_a_negation_keeps_one() {
        let a = with_rules(
            member("a", "crates/a"),
            &[],
            &["benches/", "*.png", "!keep.png", "/CHANGELOG.md"],
            &[],
        );
        assert_eq!(
            owners_of(
                &[a],
                &[],
                &[
                    "crates/a/benches/b.rs",
                    "crates/a/docs/logo.png",
                    "crates/a/docs/keep.png",
                    "crates/a/CHANGELOG.md",
                    "crates/a/src/CHANGELOG.md",
                    "crates/a/src/lib.rs",
                ]
            ),
            [
                "crates/a/benches/b.rs: ",
                "crates/a/docs/logo.png: ",
                "crates/a/docs/keep.png: a",
                "crates/a/CHANGELOG.md: ",
                "crates/a/src/CHANGELOG.md: a",
                "crates/a/src/lib.rs: a",
            ]
        );
    }

    #[test]
    fn a_readme_outside_the_directory_belongs_to_every_package_that_copies_it() {
        let a = with_rules(member("a", "crates/a"), &[], &[], &["README.md"]);
        let b = with_rules(member("b", "crates/b"), &["src/**"], &[], &["README.md"]);
        assert_eq!(owners_of(&[a, b], &[], &["README.md"]), ["README.md: a b"]);
    }

    #[test]
    fn an_invalid_pattern_is_an_error_naming_the_crate() {
        let a = with_rules(member("a", "crates/a"), &["src/[z-a]"], &[], &[]);
        let err = Packages::new(&[&a], &[], "Cargo.toml").err().unwrap();
        assert_eq!(
            (err.name.as_str(), err.pattern.as_str()),
            ("a", "src/[z-a]")
        );
    }

    #[test]
    fn commits_reachable_from_the_release_commit_are_released_even_when_merged_later() {
        //   m ── merge of the side branch after the release
        //   | \
        //   r  s   r = release commit of a, s = work on a branched before r
        //   | /
        //   base
        let history = [
            commit("m", &["r", "s"], &[]),
            commit("s", &["base"], &["a/src/lib.rs"]),
            commit("r", &["base"], &["a/Cargo.toml"]),
            commit("base", &[], &["a/src/lib.rs"]),
        ];
        let got = plan(
            &history,
            &[member("a", "a")],
            &[Some("r")],
            &BTreeMap::new(),
        );
        assert_eq!(
            got[0],
            [1],
            "s is not an ancestor of r, so it is unreleased; base and r are"
        );
    }

    #[test]
    fn a_release_commit_missing_from_history_releases_nothing() {
        let history = [commit("2", &["1"], &["a/x"]), commit("1", &[], &["a/y"])];
        let got = plan(
            &history,
            &[member("a", "a")],
            &[Some("gone")],
            &BTreeMap::new(),
        );
        assert_eq!(got[0], [0, 1]);
    }

    #[test]
    fn a_changed_root_manifest_part_belongs_to_the_members_that_take_it_in() {
        let history = [
            commit("2", &["1"], &["Cargo.toml", "Cargo.lock"]),
            commit("1", &[], &["a/src/lib.rs", "b/src/lib.rs"]),
        ];
        let inherit = |m: Member, parts: &[RootPart]| Member {
            inherits: parts.to_vec(),
            ..m
        };
        let serde = RootPart::Dependency("serde".to_owned());
        let msrv = RootPart::PackageField("rust-version".to_owned());
        let members = [
            inherit(member("a", "a"), std::slice::from_ref(&serde)),
            inherit(
                member("b", "b"),
                &[RootPart::Dependency("tokio".to_owned())],
            ),
            member("c", "c"),
            inherit(member("d", "d"), std::slice::from_ref(&msrv)),
        ];
        let since = [Some("1"); 4];
        let changed = BTreeMap::from([(0, vec![serde])]);
        let got = plan(&history, &members, &since, &changed);
        assert_eq!(got, [vec![0], vec![], vec![], vec![]]);
        let changed = BTreeMap::from([(0, vec![msrv])]);
        let got = plan(&history, &members, &since, &changed);
        assert_eq!(got, [vec![], vec![], vec![], vec![0]]);
    }

    #[test]
    fn the_root_manifest_belongs_to_the_root_package_only_where_its_own_part_changed() {
        let history = [
            commit("3", &["2"], &["Cargo.toml"]),
            commit("2", &["1"], &["Cargo.toml"]),
            commit("1", &[], &["src/lib.rs"]),
        ];
        let root = Member {
            inherits: vec![RootPart::RootPackage],
            ..member("root", "")
        };
        let members = [root, member("a", "crates/a")];
        let since = [Some("1"), Some("1")];
        // 3 changed `[workspace] members` only, 2 the package's description.
        let changed = BTreeMap::from([(0, vec![]), (1, vec![RootPart::RootPackage])]);
        assert_eq!(plan(&history, &members, &since, &changed)[0], [1]);
        // Texts not read: the change counts, as any file of the package does.
        assert_eq!(
            plan(&history, &members, &since, &BTreeMap::new())[0],
            [0, 1]
        );
    }
}
