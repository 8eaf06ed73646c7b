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

use super::{Facts, ManifestHistory, PlanError, Published};
use crate::plan::attribution::Ancestry;
use crate::plan::history::{RawCommit, Tag, TagPattern, short_id, tag_name};
use crate::plan::manifest::manifest_version;
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
    /// The last release has no tag HEAD reaches: where to look for the commit that set its
    /// version.
    pub search: Option<VersionSearch>,
}

/// The commits that may have set a version released without a reachable tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct VersionSearch {
    /// The manifest holding the version, relative to the repository root.
    pub manifest: String,
    /// The history positions of the commits that changed it since the last tag HEAD reaches,
    /// newest first.
    pub commits: Vec<usize>,
    /// The position of that tag's commit; `None` when there is none.
    pub since: Option<usize>,
}

/// The facts release points are read from.
pub(super) struct Sources<'a> {
    pub tags: &'a [Tag],
    pub history: &'a [RawCommit],
    pub ancestry: &'a Ancestry<'a>,
    /// A shallow clone: a tag on a commit beyond its depth may still be reachable.
    pub shallow: bool,
    /// Every version the registry lists, yanked ones too; `None` when it was not asked: the
    /// tags stand in for it.
    pub registry: Option<&'a Published>,
    /// The root manifest relative to the repository root.
    pub root_manifest: &'a str,
    /// Manifest texts around commits, for the commit that set a version.
    pub manifests: &'a ManifestHistory,
}

impl Sources<'_> {
    fn reachable(&self, tag: &Tag) -> bool {
        self.shallow || self.ancestry.position(&tag.commit).is_some()
    }
}

/// Whether `registry` lists `name@version` (build metadata aside, as registries compare).
pub(crate) fn lists(registry: Option<&Published>, name: &str, version: &Version) -> bool {
    registry
        .and_then(|r| r.get(name))
        .is_some_and(|versions| versions.iter().any(|v| same_release(v, version)))
}

/// The same version, build metadata aside.
fn same_release(a: &Version, b: &Version) -> bool {
    (a.major, a.minor, a.patch, &a.pre) == (b.major, b.minor, b.patch, &b.pre)
}

/// The release point of `m` under tag format `format`; notes say what was passed over or
/// assumed.
///
/// A manifest version above the newest reachable tag is released already when the registry
/// lists it — or, without a registry to ask, when a tag HEAD does not reach names it (a release
/// commit amended after tagging): the tags stand in for the registry. Its release commit is
/// then the newest commit here that set that version.
pub(super) fn find(m: &Member, format: &str, src: &Sources<'_>, notes: &mut Vec<String>) -> Found {
    let pattern = TagPattern::new(format, &m.name);
    let mut tags: Vec<(Version, &Tag)> = (src.tags.iter())
        .filter_map(|t| Some((pattern.as_ref()?.version(&t.name)?, t)))
        .collect();
    tags.sort_by(|a, b| b.0.cmp(&a.0));
    let point_of = |(version, tag): &(Version, &Tag)| ReleasePoint {
        tag: Some(tag.name.clone()),
        version: version.clone(),
        commit: Some(tag.commit.clone()),
    };
    let newest = tags.iter().find(|(_, t)| src.reachable(t)).map(point_of);
    let above = newest.as_ref().is_none_or(|p| m.version > p.version);
    // A tag HEAD does not reach, on exactly the manifest's version.
    let elsewhere = (tags.iter())
        .find(|(v, t)| above && same_release(v, &m.version) && !src.reachable(t))
        .map(|(_, t)| *t);
    let released = match src.registry {
        Some(_) => lists(src.registry, &m.name, &m.version),
        None => elsewhere.is_some(),
    };
    let mut found = Found::default();
    let mut untagged = None;
    if above && released {
        let (point, search, note) = untagged_point(m, format, newest.as_ref(), elsewhere, src);
        found.point = Some(point);
        found.search = Some(search);
        untagged = Some(note);
    } else {
        found.unreleased = (above && newest.is_some()).then(|| m.version.clone());
        found.point = newest;
    }

    let last = found.point.as_ref().map(|p| &p.version);
    let passed_over: Vec<&str> = (tags.iter())
        .take_while(|(v, _)| last.is_none_or(|last| v > last))
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
        let here = match &found.point {
            Some(ReleasePoint { tag: Some(tag), .. }) => format!("the last release here is {tag}"),
            Some(p) => format!("the last release here is {} (untagged)", p.version),
            None => "HEAD reaches no release of it".to_owned(),
        };
        notes.push(format!(
            "{}: {shown} ignored: HEAD does not reach {them} (another branch, or a release commit amended after tagging); {here}",
            m.name,
        ));
    }
    notes.extend(untagged);

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

/// The release point of a manifest version released without a tag HEAD reaches: the newest
/// commit here that set it (else the last reachable tag's), named by the unreachable tag
/// `elsewhere` if there is one; where that commit was looked for; and the note that says so.
fn untagged_point(
    m: &Member,
    format: &str,
    newest: Option<&ReleasePoint>,
    elsewhere: Option<&Tag>,
    src: &Sources<'_>,
) -> (ReleasePoint, VersionSearch, String) {
    let manifest = if m.version_from_workspace {
        src.root_manifest.to_owned()
    } else {
        m.repo_manifest()
    };
    let since = (newest.and_then(|p| p.commit.as_deref())).and_then(|c| src.ancestry.position(c));
    let released = since.map(|at| src.ancestry.ancestors(at));
    let commits: Vec<usize> = (src.history.iter().enumerate())
        .filter(|(i, c)| {
            c.paths.contains(&manifest) && released.as_ref().is_none_or(|set| !set.contains(*i))
        })
        .map(|(i, _)| i)
        .collect();
    let texts = src.manifests.get(&manifest);
    let version_at = |text: &Option<String>| {
        (text.as_deref()).and_then(|t| manifest_version(t, m.version_from_workspace))
    };
    // The newest commit whose change moved the version to this one; where the texts were not
    // read, the newest commit that changed the manifest.
    let setter =
        commits
            .iter()
            .copied()
            .find(|&i| match texts.and_then(|t| t.get(&src.history[i].id)) {
                None => true,
                Some(t) => {
                    version_at(&t.after).is_some_and(|v| same_release(&v, &m.version))
                        && version_at(&t.before).is_none_or(|v| !same_release(&v, &m.version))
                }
            });
    let commit = match setter {
        Some(i) => Some(src.history[i].id.clone()),
        None => newest.and_then(|p| p.commit.clone()),
    };
    let (name, version) = (&m.name, &m.version);
    let tag = tag_name(format, name, version);
    let at = match (setter, newest) {
        (Some(i), _) => format!(
            "taken as released at {}, the commit that set version {version} in {manifest}",
            short_id(&src.history[i].id)
        ),
        (None, Some(last)) => format!(
            "no commit since {} set version {version} in {manifest}: the commits since then count",
            last.tag.as_deref().unwrap_or_default()
        ),
        (None, None) => format!(
            "no commit here set version {version} in {manifest}: every commit counts as unreleased"
        ),
    };
    let note = match (elsewhere, src.registry, setter) {
        (Some(t), registry, _) => format!(
            "{name} {version}: tag {} names it, but HEAD does not reach the tag (a release commit amended after tagging?); {}: {at}",
            t.name,
            if registry.is_some() {
                "the registry lists it"
            } else {
                "offline, the tag stands in for the registry"
            }
        ),
        (None, _, Some(i)) => format!(
            "{name} {version} is in the registry but HEAD reaches no tag {tag}: {at}; `git tag {tag} {}` makes it exact",
            short_id(&src.history[i].id)
        ),
        (None, _, None) => {
            format!("{name} {version} is in the registry but HEAD reaches no tag {tag}: {at}")
        }
    };
    let point = ReleasePoint {
        tag: elsewhere.map(|t| t.name.clone()),
        version: version.clone(),
        commit,
    };
    let search = VersionSearch {
        manifest,
        commits,
        since,
    };
    (point, search, note)
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
mod tests;
