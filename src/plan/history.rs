//! Release points and the attribution of history to crates.
//!
//! Owns: tag formats (`{name}-v{version}`), finding each crate's last release among the tags,
//! and deciding which commits since its release point touched each crate (the deepest crate
//! directory containing a changed file wins). Pure: the adapter runs git, `git_output` reads
//! what it prints.

use std::collections::{BTreeMap, HashMap};

use semver::Version;
use serde::Serialize;

/// One commit of the history, as git printed it (`git_output`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RawCommit {
    pub id: String,
    pub parents: Vec<String>,
    pub message: String,
    /// Changed paths relative to the repository root.
    pub paths: Vec<String>,
}

/// A tag and the commit it points at (peeled for annotated tags).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tag {
    pub name: String,
    pub commit: String,
}

/// The tag a crate was last released with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReleasePoint {
    pub tag: String,
    pub version: Version,
    pub commit: String,
}

/// The default tag format for a workspace with several publishable crates.
pub const DEFAULT_TAG_FORMAT: &str = "{name}-v{version}";
/// The default tag format for a workspace with one publishable crate.
pub const SINGLE_CRATE_TAG_FORMAT: &str = "v{version}";

/// The tag of `name` at `version` under `format`.
pub fn tag_name(format: &str, name: &str, version: &Version) -> String {
    format
        .replace("{name}", name)
        .replace("{version}", &version.to_string())
}

/// The version a tag names under `format` for crate `name`, if it is one of that crate's tags.
pub fn parse_tag(format: &str, name: &str, tag: &str) -> Option<Version> {
    let with_name = format.replace("{name}", name);
    let (prefix, suffix) = with_name.split_once("{version}")?;
    let middle = tag.strip_prefix(prefix)?.strip_suffix(suffix)?;
    Version::parse(middle).ok()
}

/// The newest release of `name`: its tag with the highest version.
pub fn last_release(format: &str, name: &str, tags: &[Tag]) -> Option<ReleasePoint> {
    tags.iter()
        .filter_map(|tag| {
            parse_tag(format, name, &tag.name).map(|version| ReleasePoint {
                tag: tag.name.clone(),
                version,
                commit: tag.commit.clone(),
            })
        })
        .max_by(|a, b| a.version.cmp(&b.version))
}

/// Which commits of `history` (newest first, as `git log` gives it) belong to each
/// crate since its release point. `dirs` maps a crate to its directory relative to the repository
/// root (`""` for a crate at the root); `since` maps a crate to the commit of its last release.
/// Returns indices into `history`, newest first, for every crate in `dirs`.
///
/// A commit reachable from the release commit is already released, whatever its position in
/// the log: with merges, position alone would misattribute work merged after a release.
pub fn commits_by_crate(
    history: &[RawCommit],
    dirs: &BTreeMap<String, String>,
    since: &BTreeMap<String, String>,
) -> BTreeMap<String, Vec<usize>> {
    let index: HashMap<&str, usize> = history
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), i))
        .collect();
    let parents: Vec<Vec<usize>> = history
        .iter()
        .map(|c| {
            c.parents
                .iter()
                .filter_map(|p| index.get(p.as_str()).copied())
                .collect()
        })
        .collect();

    // One ancestor set per distinct release commit, shared by the crates released there.
    let mut released: HashMap<&str, Option<BitSet>> = HashMap::new();
    for commit in since.values() {
        released.entry(commit.as_str()).or_insert_with(|| {
            index
                .get(commit.as_str())
                .map(|&start| ancestors(start, &parents))
        });
    }

    let by_dir: HashMap<&str, &str> = dirs
        .iter()
        .map(|(name, dir)| (dir.as_str(), name.as_str()))
        .collect();
    let mut out: BTreeMap<String, Vec<usize>> =
        dirs.keys().map(|n| (n.clone(), Vec::new())).collect();
    let mut touched: Vec<&str> = Vec::new();
    for (i, commit) in history.iter().enumerate() {
        touched.clear();
        for path in &commit.paths {
            if let Some(name) = owner(path, &by_dir)
                && !touched.contains(&name)
            {
                touched.push(name);
            }
        }
        for name in &touched {
            let already = since
                .get(*name)
                .and_then(|c| released.get(c.as_str()))
                .is_some_and(|set| match set {
                    Some(set) => set.contains(i),
                    // The release commit is not in this history (a shallow clone, or a tag
                    // off this branch): nothing here can be shown to be released.
                    None => false,
                });
            if !already {
                out.get_mut(*name)
                    .expect("every crate has an entry")
                    .push(i);
            }
        }
    }
    out
}

/// The crate owning `path`: the deepest crate directory that contains it.
fn owner<'a>(path: &str, by_dir: &HashMap<&str, &'a str>) -> Option<&'a str> {
    let mut dir = path;
    loop {
        dir = match dir.rfind('/') {
            Some(at) => &dir[..at],
            None if dir.is_empty() => return None,
            None => "",
        };
        if let Some(name) = by_dir.get(dir) {
            return Some(name);
        }
        if dir.is_empty() {
            return None;
        }
    }
}

fn ancestors(start: usize, parents: &[Vec<usize>]) -> BitSet {
    let mut set = BitSet::new(parents.len());
    let mut stack = vec![start];
    set.insert(start);
    while let Some(i) = stack.pop() {
        for &p in &parents[i] {
            if set.insert(p) {
                stack.push(p);
            }
        }
    }
    set
}

struct BitSet(Vec<u64>);

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
    fn contains(&self, i: usize) -> bool {
        self.0[i / 64] & (1u64 << (i % 64)) != 0
    }
}

/// The 7-character form of a commit id, as git and GitHub show it.
pub fn short_id(id: &str) -> &str {
    id.get(..7).unwrap_or(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commit(id: &str, parents: &[&str], paths: &[&str]) -> RawCommit {
        RawCommit {
            id: id.into(),
            parents: parents.iter().map(|p| p.to_string()).collect(),
            message: format!("fix: {id}"),
            paths: paths.iter().map(|p| p.to_string()).collect(),
        }
    }

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn tag_format_round_trips_and_rejects_other_crates_tags() {
        let v = Version::parse("1.2.3-rc.1").unwrap();
        let tag = tag_name(DEFAULT_TAG_FORMAT, "foo", &v);
        assert_eq!(tag, "foo-v1.2.3-rc.1");
        assert_eq!(parse_tag(DEFAULT_TAG_FORMAT, "foo", &tag), Some(v));
        assert_eq!(parse_tag(DEFAULT_TAG_FORMAT, "foo", "foo-bar-v1.0.0"), None);
        assert_eq!(
            parse_tag(DEFAULT_TAG_FORMAT, "foo-bar", "foo-bar-v1.0.0"),
            Some(Version::new(1, 0, 0))
        );
        assert_eq!(
            parse_tag(SINGLE_CRATE_TAG_FORMAT, "x", "v2.0.0"),
            Some(Version::new(2, 0, 0))
        );
        assert_eq!(parse_tag(SINGLE_CRATE_TAG_FORMAT, "x", "v2.0"), None);
    }

    #[test]
    fn last_release_is_the_highest_version_not_the_last_listed() {
        let tags = [
            Tag {
                name: "foo-v1.10.0".into(),
                commit: "c".into(),
            },
            Tag {
                name: "foo-v1.9.0".into(),
                commit: "b".into(),
            },
            Tag {
                name: "bar-v3.0.0".into(),
                commit: "d".into(),
            },
        ];
        let point = last_release(DEFAULT_TAG_FORMAT, "foo", &tags).unwrap();
        assert_eq!(
            (point.tag.as_str(), point.commit.as_str()),
            ("foo-v1.10.0", "c")
        );
        assert_eq!(last_release(DEFAULT_TAG_FORMAT, "baz", &tags), None);
    }

    #[test]
    fn a_commit_belongs_to_the_deepest_crate_directory_of_each_changed_file() {
        // root crate "" contains crates/a, which contains crates/a/nested
        let history = [
            commit(
                "3",
                &["2"],
                &["crates/a/nested/src/lib.rs", "crates/a/src/lib.rs"],
            ),
            commit("2", &["1"], &["README.md"]),
            commit("1", &[], &["crates/b/src/lib.rs"]),
        ];
        let dirs = map(&[
            ("root", ""),
            ("a", "crates/a"),
            ("nested", "crates/a/nested"),
            ("b", "crates/b"),
        ]);
        let got = commits_by_crate(&history, &dirs, &BTreeMap::new());
        assert_eq!(got["nested"], [0]);
        assert_eq!(got["a"], [0]);
        assert_eq!(got["root"], [1]);
        assert_eq!(got["b"], [2]);
    }

    #[test]
    fn files_outside_every_crate_belong_to_none() {
        let history = [commit("1", &[], &["README.md", ".github/workflows/ci.yml"])];
        let got = commits_by_crate(&history, &map(&[("a", "a")]), &BTreeMap::new());
        assert!(got["a"].is_empty());
    }

    #[test]
    fn commits_reachable_from_the_release_tag_are_released_even_when_merged_later() {
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
        let got = commits_by_crate(&history, &map(&[("a", "a")]), &map(&[("a", "r")]));
        assert_eq!(
            got["a"],
            [1],
            "s is not an ancestor of r, so it is unreleased; base and r are"
        );
    }

    #[test]
    fn a_release_commit_missing_from_history_releases_nothing() {
        let history = [commit("2", &["1"], &["a/x"]), commit("1", &[], &["a/y"])];
        let got = commits_by_crate(&history, &map(&[("a", "a")]), &map(&[("a", "gone")]));
        assert_eq!(got["a"], [0, 1]);
    }
}
