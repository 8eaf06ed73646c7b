//! The history as git gives it: commits, tags, and tag formats (`{name}-v{version}`).
//!
//! Owns the types the git adapter hands over and reading versions out of tag names. Which tag
//! is a crate's release point is `release::points`' business, which commits belong to a crate
//! `attribution`'s. Pure: the adapter runs git, `git_output` reads what it prints.

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
    /// The full id of the commit this one undoes, when git shows it does: the message names it
    /// (`This reverts commit <hash>.`) and this commit's changes are the exact inverse of its
    /// changes. A message that claims a revert git does not confirm leaves it `None`.
    pub verified_revert: Option<String>,
}

/// A tag and the commit it points at (peeled for annotated tags).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tag {
    pub name: String,
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
    TagPattern::new(format, name)?.version(tag)
}

/// A crate's tag format with its name filled in, to read the version of many tags (see
/// [`parse_tag`]).
pub struct TagPattern {
    prefix: String,
    suffix: String,
}

impl TagPattern {
    /// The pattern of `name`'s tags under `format`; `None` when `format` has no `{version}`.
    pub fn new(format: &str, name: &str) -> Option<TagPattern> {
        let with_name = format.replace("{name}", name);
        let (prefix, suffix) = with_name.split_once("{version}")?;
        Some(TagPattern {
            prefix: prefix.to_owned(),
            suffix: suffix.to_owned(),
        })
    }

    /// The version `tag` names, when it is one of these tags.
    pub fn version(&self, tag: &str) -> Option<Version> {
        let middle = tag.strip_prefix(&self.prefix)?.strip_suffix(&self.suffix)?;
        Version::parse(middle).ok()
    }
}

/// The 7-character form of a commit id, as git and GitHub show it.
pub fn short_id(id: &str) -> &str {
    id.get(..7).unwrap_or(id)
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
