//! What a Release PR releases, read from the manifests as they are — at the merge commit for
//! the release stage, at the release branch's tip for the PR body prepare writes — rather than
//! from the manifest in the PR body, which is only a hint (DESIGN §3 "Idempotency").
//!
//! Each publishable member whose version is above its last release is released at that
//! version, its tag rendered from its tag format. What stands in the way (a version that is not
//! above the last release, a tag or a registry version that exists already, a tag git refuses)
//! is collected, all of it, before anything is created. Pure: the jobs read the workspace, the
//! tags, GitHub and the registry.

mod before;
mod locked;

use std::collections::{BTreeMap, BTreeSet};

use semver::Version;

use crate::hint::Hint;

use super::DepKind;
use super::history::{Tag, TagPattern, short_id, tag_name};
use super::pr::{ManifestCrate, ReleaseManifest, primary_among};
use super::refname::check_ref_name;
use super::workspace::Workspace;

pub use before::before_merge;
pub use locked::lock_problems;

/// The facts about one commit.
#[derive(Debug, Clone, Copy)]
pub struct MergedFacts<'a> {
    /// The workspace as the commit has it.
    pub workspace: &'a Workspace,
    /// The registry the crates go to (`None`: crates.io): decides which members are publishable.
    pub registry: Option<&'a str>,
    /// Each member's tag format (publishable, or released without publishing).
    pub formats: &'a BTreeMap<String, String>,
    /// The tags the commit reaches, with the commits they point at.
    pub reachable: &'a [Tag],
    pub commit: &'a str,
}

/// A member whose version is above its last release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub name: String,
    pub version: Version,
    pub tag: String,
    pub last: Option<Version>,
}

/// Every member with a tag format (publishable, or released without publishing) whose version
/// is above its last release (see [`last_release`]). A member never released is above nothing.
pub fn candidates(f: &MergedFacts<'_>) -> Vec<Candidate> {
    (f.workspace.members.iter())
        .filter_map(|m| {
            let format = f.formats.get(&m.name)?;
            let last = last_release(f, &m.name);
            let above = last.as_ref().is_none_or(|last| m.version > *last);
            above.then(|| Candidate {
                name: m.name.clone(),
                version: m.version.clone(),
                tag: tag_name(format, &m.name, &m.version),
                last,
            })
        })
        .collect()
}

/// The newest release of `name` among the tags the commit reaches, leaving out tags on the
/// commit itself (an earlier run's release of this very commit).
pub fn last_release(f: &MergedFacts<'_>, name: &str) -> Option<Version> {
    let pattern = TagPattern::new(f.formats.get(name)?, name)?;
    f.reachable
        .iter()
        .filter(|t| t.commit != f.commit)
        .filter_map(|t| pattern.version(&t.name))
        .max()
}

/// What the release is checked against.
#[derive(Debug, Clone, Copy)]
pub struct Checks<'a> {
    /// The manifest in the Release PR's body.
    pub hint: Option<&'a ReleaseManifest>,
    /// Tags that exist (in the clone or on GitHub) → the commit each points at.
    pub existing: &'a BTreeMap<String, String>,
    /// Every version the registry lists per crate, yanked ones too; `None`: not known.
    pub listed: Option<&'a BTreeMap<String, Vec<Version>>>,
    /// Each member's version on the base branch just before the merge ([`before_merge`]);
    /// `None`: not known (prepare describing a branch).
    pub before: Option<&'a BTreeMap<String, Version>>,
}

/// The release as merged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merged {
    pub manifest: ReleaseManifest,
    /// Where the hint says something else than what is released, and members left out.
    pub differences: Vec<String>,
    /// What must be fixed before anything may be created; empty when the release can go.
    pub problems: Vec<String>,
    /// The crates the problems are about.
    pub refused: BTreeSet<String>,
}

/// Decide the release of `candidates` (from [`candidates`]) against `checks`. A crate the hint
/// names is the maintainer's intent: anything in its way is a problem, and so is its version
/// when it is not above its last release. A candidate the hint does not name is released when
/// the Release PR changed its version and nothing stands in its way, else left out with a
/// note (a crate the base branch had at that version already is not the PR's; a version in
/// the registry whose tag is missing was released before).
pub fn decide(f: &MergedFacts<'_>, candidates: Vec<Candidate>, checks: &Checks<'_>) -> Merged {
    let hinted = |name: &str| {
        checks
            .hint
            .and_then(|h| h.crates.iter().find(|c| c.name == name))
    };
    let names: BTreeSet<String> = candidates.iter().map(|c| c.name.clone()).collect();
    let mut differences = Vec::new();
    let mut problems = Vec::new();
    let mut refused = BTreeSet::new();
    let mut released: Vec<Candidate> = Vec::new();
    for c in candidates {
        let hint = hinted(&c.name);
        let blocked = version_problem(f, checks, &c.name, &c.version);
        match (blocked, hint) {
            (Some(why), Some(_)) => {
                problems.push(why);
                refused.insert(c.name);
            }
            (Some(why), None) => differences.push(format!("{why}: not released")),
            (None, Some(h)) => {
                if h.version != c.version {
                    differences.push(format!(
                        "the Release PR body says {} {}; {} is released as merged",
                        c.name, h.version, c.version
                    ));
                } else if h.tag != c.tag {
                    let named: String = h.tag.chars().take(100).collect();
                    differences.push(format!(
                        "the Release PR names the tag {named:?} for {} {}; {} is made from tag_format instead",
                        c.name, c.version, c.tag
                    ));
                }
                released.push(c);
            }
            (None, None)
                if checks
                    .before
                    .is_some_and(|before| before.get(&c.name) == Some(&c.version)) =>
            {
                differences.push(format!(
                    "{} {} is above its last release, but the Release PR did not change its version (the base branch had it already): not released; the next prepare proposes it",
                    c.name, c.version
                ));
            }
            (None, None) => {
                if checks.hint.is_some() {
                    differences.push(format!(
                        "{} {} is released although the Release PR body does not list it",
                        c.name, c.version
                    ));
                }
                released.push(c);
            }
        }
    }
    // A crate the hint names that is no candidate: its version is not above its last release.
    for h in checks.hint.map(|h| h.crates.as_slice()).unwrap_or_default() {
        let Some(member) = f.workspace.member(&h.name) else {
            continue;
        };
        if !names.contains(&h.name)
            && let Some(why) = version_problem(f, checks, &member.name, &member.version)
        {
            problems.push(why);
            refused.insert(member.name.clone());
        }
    }
    Merged {
        manifest: manifest_of(f, released, checks.hint),
        differences,
        problems,
        refused,
    }
}

/// What stands in the way of releasing `name` at `version` from the commit, if anything: a
/// version not above the last release, its tag on another commit, the registry listing it
/// already, or a tag git refuses. A tag on the commit itself is an earlier run's: no problem.
pub fn version_problem(
    f: &MergedFacts<'_>,
    checks: &Checks<'_>,
    name: &str,
    version: &Version,
) -> Option<String> {
    let format = f.formats.get(name)?;
    if let Some(last) = last_release(f, name)
        && *version <= last
    {
        return Some(format!(
            "{name} {version} is not above its last release {last}"
        ));
    }
    let tag = tag_name(format, name, version);
    match checks.existing.get(&tag) {
        Some(at) if at == f.commit => return None,
        Some(at) => {
            return Some(format!(
                "{name} {version}: the tag {tag} exists already, at {}",
                short_id(at)
            ));
        }
        None => {}
    }
    if super::release::registry_lists(checks.listed, name, version) {
        return Some(format!("{name} {version} is in the registry already"));
    }
    check_ref_name(&tag)
        .err()
        .map(|why| format!("{name} {version}: the tag {tag:?} is no name git accepts: {why}"))
}

/// The manifest of the released crates: paths from the workspace, the primary crate from its
/// normal and build dependencies, the publish wave from the hint (it is only shown).
fn manifest_of(
    f: &MergedFacts<'_>,
    released: Vec<Candidate>,
    hint: Option<&ReleaseManifest>,
) -> ReleaseManifest {
    let names: Vec<(&str, &str)> = released
        .iter()
        .filter_map(|c| f.workspace.member(&c.name))
        .map(|m| (m.name.as_str(), m.dir.as_str()))
        .collect();
    let deps = |name: &str| -> Vec<&str> {
        f.workspace
            .member(name)
            .map(|m| {
                m.deps
                    .iter()
                    .filter(|d| matches!(d.kind, DepKind::Normal | DepKind::Build))
                    .map(|d| d.name.as_str())
                    .collect()
            })
            .unwrap_or_default()
    };
    let primary = primary_among(&names, deps);
    let crates = released
        .into_iter()
        .filter_map(|c| {
            let member = f.workspace.member(&c.name)?;
            let wave = hint
                .and_then(|h| h.crates.iter().find(|h| h.name == c.name))
                .and_then(|h| h.wave);
            Some(ManifestCrate {
                prerelease: !c.version.pre.is_empty(),
                primary: primary.as_deref() == Some(c.name.as_str()),
                name: c.name,
                version: c.version,
                tag: c.tag,
                previous: c.last,
                dir: member.dir.clone(),
                manifest: member.manifest.clone(),
                wave,
            })
        })
        .collect();
    ReleaseManifest {
        format: super::pr::MANIFEST_FORMAT,
        group: hint.and_then(|h| h.group.clone()),
        crates,
    }
}

/// Why a merged pull request is not released: it is no Release PR, or what it merged stands in
/// the way. Found before anything is created; the input's fault (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum ReleaseError {
    #[error("no merged Release PR found for {commit}")]
    NoReleasePr { commit: String },
    #[error("pull request #{number} is not a merged Release PR ({why})")]
    NotReleasePr { number: u64, why: String },
    #[error(
        "the Release PR #{number} names {name:?}, which is no member the workspace releases (publishable, or `release = true`) at the merge commit {commit}"
    )]
    NotAMember {
        number: u64,
        name: String,
        commit: String,
    },
    #[error("the Release PR #{number} cannot be released as merged at {commit}: {}", problems.join("; "))]
    Refused {
        number: u64,
        commit: String,
        problems: Vec<String>,
    },
    #[error(
        "the Release PR #{number} was merged with {path} giving the version {value:?}, which is no semantic version (merge commit {commit})"
    )]
    InvalidVersion {
        number: u64,
        commit: String,
        path: String,
        value: String,
    },
}

impl Hint for ReleaseError {
    fn hint(&self) -> Option<String> {
        Some(match self {
            ReleaseError::NoReleasePr { .. } => "merge the Release PR first (prepare opens it), or run release from its merge commit; in Actions, release runs on the `pull_request: closed` event of the merged Release PR".into(),
            ReleaseError::NotReleasePr { .. } => "release only runs for a merged pull request from releasekit/release… that carries a releasekit manifest".into(),
            ReleaseError::NotAMember { .. } => "the Release PR's body was edited after prepare wrote it; nothing was created: run prepare again and merge the new Release PR".into(),
            ReleaseError::Refused { .. } | ReleaseError::InvalidVersion { .. } => "nothing was created. Fix the versions on the base branch (each above its crate's last release, and not released yet) and push: prepare opens a new Release PR for them; or fix them and run release again for this PR".into(),
        })
    }
}

#[cfg(test)]
mod tests;
