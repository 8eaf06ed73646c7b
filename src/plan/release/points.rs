//! Release points: where each crate was last released, as seen from HEAD.
//!
//! A crate's last release is its newest tag (in its tag format) that HEAD reaches: a newer tag
//! on another branch (main's, seen from a maintenance branch) or on a release commit amended
//! after tagging is not this history's release point, and the plan says it was passed over. A
//! manifest version above that release is either unreleased (a merged release whose tags and
//! publish never happened: released as is, or higher if the commits ask for more) or, when the
//! registry lists it, itself the release point with its tag missing.

use semver::Version;
use serde::Serialize;

use super::{Facts, PlanError, Published};
use crate::plan::attribution::Ancestry;
use crate::plan::history::{RawCommit, Tag, parse_tag, short_id, tag_name};
use crate::plan::workspace::Member;

/// Where a crate was last released.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReleasePoint {
    /// The tag naming it; `None` when only the registry knows of the release.
    pub tag: Option<String>,
    pub version: Version,
    /// The commit released; `None` when it is not known (nothing counts as released then).
    pub commit: Option<String>,
}

/// What was found for one crate.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(super) struct Found {
    /// The last release; `None` for a crate never released (new).
    pub point: Option<ReleasePoint>,
    /// The manifest's version when it is above the last release and not in the registry.
    pub unreleased: Option<Version>,
    /// When the last release is a prerelease: the newest stable release before it, where the
    /// changelog of its graduation starts (`None`: the crate never had one).
    pub stable: Option<ReleasePoint>,
}

/// The facts release points are read from.
pub(super) struct Sources<'a> {
    pub tags: &'a [Tag],
    pub history: &'a [RawCommit],
    pub ancestry: &'a Ancestry<'a>,
    /// A shallow clone: a tag on a commit beyond its depth may still be reachable.
    pub shallow: bool,
    /// Every version the registry lists, yanked ones too; `None` when it was not asked.
    pub registry: Option<&'a Published>,
    /// The root manifest relative to the repository root.
    pub root_manifest: &'a str,
}

impl Sources<'_> {
    fn reachable(&self, tag: &Tag) -> bool {
        self.shallow || self.ancestry.position(&tag.commit).is_some()
    }
}

/// Whether `registry` lists `name@version` (build metadata aside, as registries compare).
pub(super) fn lists(registry: Option<&Published>, name: &str, version: &Version) -> bool {
    let same = |v: &Version| {
        (v.major, v.minor, v.patch, &v.pre)
            == (version.major, version.minor, version.patch, &version.pre)
    };
    registry
        .and_then(|r| r.get(name))
        .is_some_and(|versions| versions.iter().any(same))
}

/// The release point of `m` under tag format `format`; notes say what was passed over or
/// assumed.
pub(super) fn find(m: &Member, format: &str, src: &Sources<'_>, notes: &mut Vec<String>) -> Found {
    let mut tags: Vec<(Version, &Tag)> = src
        .tags
        .iter()
        .filter_map(|t| parse_tag(format, &m.name, &t.name).map(|v| (v, t)))
        .collect();
    tags.sort_by(|a, b| b.0.cmp(&a.0));
    let point_of = |(version, tag): &(Version, &Tag)| ReleasePoint {
        tag: Some(tag.name.clone()),
        version: version.clone(),
        commit: Some(tag.commit.clone()),
    };
    let newest = tags.iter().find(|(_, t)| src.reachable(t)).map(point_of);
    let passed_over: Vec<&str> = tags
        .iter()
        .take_while(|(v, _)| newest.as_ref().is_none_or(|p| *v > p.version))
        .map(|(_, t)| t.name.as_str())
        .collect();
    if let Some(first) = passed_over.first() {
        let (shown, them) = match passed_over.len() {
            1 => (format!("tag {first} is"), "it"),
            2..=3 => (format!("tags {} are", passed_over.join(", ")), "them"),
            n => (
                format!("tags {}, … ({n} in all) are", passed_over[..3].join(", ")),
                "them",
            ),
        };
        let here = match &newest {
            Some(p) => format!(
                "the last release here is {}",
                p.tag.as_deref().unwrap_or_default()
            ),
            None => "HEAD reaches no release of it".to_owned(),
        };
        notes.push(format!(
            "{}: {shown} ignored: HEAD does not reach {them} (another branch, or a release commit amended after tagging); {here}",
            m.name,
        ));
    }

    let above = newest.as_ref().is_none_or(|p| m.version > p.version);
    let mut found = Found::default();
    if above && lists(src.registry, &m.name, &m.version) {
        let manifest = if m.version_from_workspace {
            src.root_manifest.to_owned()
        } else {
            m.repo_manifest()
        };
        let commit = src
            .history
            .iter()
            .find(|c| c.paths.contains(&manifest))
            .map(|c| c.id.clone());
        let tag = tag_name(format, &m.name, &m.version);
        notes.push(match &commit {
            Some(id) => format!(
                "{} {} is in the registry but HEAD reaches no tag {tag}: taken as released at {} (the last change to {manifest}); `git tag {tag} {}` makes it exact",
                m.name,
                m.version,
                short_id(id),
                short_id(id)
            ),
            None => format!(
                "{} {} is in the registry but HEAD reaches no tag {tag}, and no commit here changed {manifest}: every commit counts as unreleased",
                m.name, m.version
            ),
        });
        found.point = Some(ReleasePoint {
            tag: None,
            version: m.version.clone(),
            commit,
        });
    } else {
        found.unreleased = (above && newest.is_some()).then(|| m.version.clone());
        found.point = newest;
    }
    if found
        .point
        .as_ref()
        .is_some_and(|p| !p.version.pre.is_empty())
    {
        found.stable = tags
            .iter()
            .find(|(v, t)| v.pre.is_empty() && src.reachable(t))
            .map(point_of);
    }
    found
}

/// A planned version must be above the last release: a prerelease label semver orders before
/// the series' (`beta` after `rc`), or a lower number asked for, would go back.
pub(super) fn refuse_not_above(
    m: &Member,
    version: &Version,
    found: &Found,
) -> Result<(), PlanError> {
    match &found.point {
        Some(point) if *version <= point.version => Err(PlanError::NotAbove {
            name: m.name.clone(),
            version: version.clone(),
            last: point.version.clone(),
        }),
        _ => Ok(()),
    }
}

/// A planned version must not exist yet: neither as a tag (HEAD may not reach it) nor in the
/// registry.
pub(super) fn refuse_existing(
    m: &Member,
    version: &Version,
    tag: &str,
    found: &Found,
    facts: Facts<'_>,
) -> Result<(), PlanError> {
    let existing = match facts.tags.iter().find(|t| t.name == tag) {
        Some(t) => format!("tag {tag} names it (at commit {})", short_id(&t.commit)),
        None if lists(facts.listed(), &m.name, version) => "the registry lists it".to_owned(),
        None => return Ok(()),
    };
    Err(PlanError::VersionExists {
        name: m.name.clone(),
        version: version.to_string(),
        existing,
        last: found.point.as_ref().map(|p| match &p.tag {
            Some(tag) => tag.clone(),
            None => p.version.to_string(),
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::attribution::test_commit as commit;

    fn v(text: &str) -> Version {
        Version::parse(text).unwrap()
    }

    fn tag(name: &str, commit: &str) -> Tag {
        Tag {
            name: name.into(),
            commit: commit.into(),
        }
    }

    /// `a` at `version` on the history `3 → 2 → 1` (newest first), `crates/a/Cargo.toml`
    /// last changed in 2.
    fn find_with(
        version: &str,
        tags: &[Tag],
        registry: Option<&Published>,
        shallow: bool,
    ) -> (Found, Vec<String>) {
        let history = [
            commit("3", &["2"], &["crates/a/src/lib.rs"]),
            commit("2", &["1"], &["crates/a/Cargo.toml"]),
            commit("1", &[], &["crates/a/Cargo.toml", "crates/a/src/lib.rs"]),
        ];
        let ancestry = Ancestry::new(&history);
        let src = Sources {
            tags,
            history: &history,
            ancestry: &ancestry,
            shallow,
            registry,
            root_manifest: "Cargo.toml",
        };
        let m = Member::plain("a", version, Vec::new());
        let mut notes = Vec::new();
        let found = find(&m, "{name}-v{version}", &src, &mut notes);
        (found, notes)
    }

    fn point_tag(found: &Found) -> Option<&str> {
        found.point.as_ref().and_then(|p| p.tag.as_deref())
    }

    #[test]
    fn the_last_release_is_the_highest_reachable_version_not_the_last_listed() {
        let tags = [
            tag("a-v1.10.0", "2"),
            tag("a-v1.9.0", "1"),
            tag("b-v3.0.0", "3"),
        ];
        let (found, notes) = find_with("1.10.0", &tags, None, false);
        assert_eq!(point_tag(&found), Some("a-v1.10.0"));
        assert_eq!(found.unreleased, None);
        assert!(notes.is_empty(), "{notes:?}");
    }

    #[test]
    fn a_newer_tag_head_does_not_reach_is_ignored_and_said() {
        let tags = [tag("a-v0.2.0", "elsewhere"), tag("a-v0.1.1", "2")];
        let (found, notes) = find_with("0.1.1", &tags, None, false);
        assert_eq!(point_tag(&found), Some("a-v0.1.1"));
        assert_eq!(
            notes,
            [
                "a: tag a-v0.2.0 is ignored: HEAD does not reach it (another branch, or a release commit amended after tagging); the last release here is a-v0.1.1"
            ]
        );
    }

    #[test]
    fn in_a_shallow_clone_a_tag_beyond_the_history_still_counts() {
        let tags = [tag("a-v0.2.0", "beyond")];
        let (found, notes) = find_with("0.2.0", &tags, None, true);
        assert_eq!(point_tag(&found), Some("a-v0.2.0"));
        assert!(notes.is_empty(), "{notes:?}");
    }

    #[test]
    fn a_manifest_version_above_the_last_tag_is_unreleased_unless_the_registry_lists_it() {
        let tags = [tag("a-v0.1.0", "1")];
        let (found, notes) = find_with("0.1.1", &tags, None, false);
        assert_eq!(point_tag(&found), Some("a-v0.1.0"));
        assert_eq!(found.unreleased, Some(v("0.1.1")));
        assert!(notes.is_empty());

        let registry = Published::from([("a".to_owned(), vec![v("0.1.0"), v("0.1.1")])]);
        let (found, notes) = find_with("0.1.1", &tags, Some(&registry), false);
        assert_eq!(
            found.point,
            Some(ReleasePoint {
                tag: None,
                version: v("0.1.1"),
                commit: Some("2".into())
            })
        );
        assert_eq!(found.unreleased, None);
        assert_eq!(
            notes,
            [
                "a 0.1.1 is in the registry but HEAD reaches no tag a-v0.1.1: taken as released at 2 (the last change to crates/a/Cargo.toml); `git tag a-v0.1.1 2` makes it exact"
            ]
        );
    }

    #[test]
    fn an_untagged_crate_is_new_unless_the_registry_lists_its_version() {
        let (found, _) = find_with("0.3.0", &[], None, false);
        assert_eq!(found, Found::default());
        let registry = Published::from([("a".to_owned(), vec![v("0.3.0+build.1")])]);
        let (found, _) = find_with("0.3.0", &[], Some(&registry), false);
        assert_eq!(found.point.map(|p| p.version), Some(v("0.3.0")));
    }

    #[test]
    fn a_prerelease_point_knows_the_last_stable_release() {
        let tags = [
            tag("a-v1.4.0-rc.2", "3"),
            tag("a-v1.4.0-rc.1", "2"),
            tag("a-v1.3.0", "1"),
        ];
        let (found, _) = find_with("1.4.0-rc.2", &tags, None, false);
        assert_eq!(point_tag(&found), Some("a-v1.4.0-rc.2"));
        assert_eq!(
            found.stable.and_then(|p| p.tag).as_deref(),
            Some("a-v1.3.0")
        );
    }
}
