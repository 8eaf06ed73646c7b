//! Rolling a release back: which versions of a release set to yank (or, with `--undo`, to
//! unyank), in which order — dependents before their dependencies, so no version left
//! selectable requires one already yanked; the reverse to undo — what the registry shows
//! already (a re-run converges), and how a GitHub Release reads once it is marked yanked.
//!
//! Pure: the job hands in the set, the publish edges and what the index lists; it yanks,
//! confirms in the index and edits the releases as this plan says. Every mistake in a set
//! named on the command line (a crate outside the workspace, a version the index does not
//! list) is found here, before anything is changed.

use std::collections::{BTreeMap, BTreeSet};

use semver::Version;
use serde::Serialize;

use super::DepKind;
use super::graph::{CycleError, Edge, waves};
use crate::hint::Hint;

mod mark;

pub use mark::{TITLE_PREFIX, mark_release, unmark_release};

/// A crate name as registries compare them: crates.io treats `-` and `_`, and upper and lower
/// case, as the same name.
pub fn registry_key(name: &str) -> String {
    name.to_ascii_lowercase().replace('-', "_")
}

/// One crate of the set to roll back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YankTarget {
    pub name: String,
    pub version: Version,
    /// Its release tag (and so its GitHub Release), when known.
    pub tag: Option<String>,
    /// Released without publishing (`release = true`, or a member not published to this
    /// registry): never yanked nor looked up there — the registry may hold an unrelated crate
    /// of that name — only its GitHub Release is marked.
    pub release_only: bool,
    /// Named on the command line: a version the index does not list is a mistake (a Release
    /// PR's crate may simply not be published yet).
    pub explicit: bool,
}

/// What is wrong with the set; nothing was changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum YankError {
    #[error(transparent)]
    Cycle(#[from] CycleError),
    #[error("--crate {}: not a member of this workspace", join(names))]
    NotMembers {
        names: Vec<String>,
        members: Vec<String>,
    },
    #[error("the registry's index does not list {}", unlisted.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    NotListed { unlisted: Vec<Unlisted> },
}

/// A pair named on the command line that the index does not list, and what it does list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unlisted {
    pub name: String,
    pub version: Version,
    pub listed: Vec<Version>,
}

impl std::fmt::Display for Unlisted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (name, version) = (&self.name, &self.version);
        if self.listed.is_empty() {
            write!(f, "{name}@{version} (it lists no version of {name})")
        } else {
            let listed: Vec<String> = self.listed.iter().map(ToString::to_string).collect();
            write!(f, "{name}@{version} (it lists {})", listed.join(", "))
        }
    }
}

fn join(names: &[String]) -> String {
    names.join(", ")
}

impl Hint for YankError {
    fn hint(&self) -> Option<String> {
        match self {
            YankError::Cycle(cycle) => cycle.hint(),
            YankError::NotMembers { members, .. } => Some(format!(
                "yank rolls back this workspace's releases only; its members are {}; nothing was changed",
                join(members)
            )),
            YankError::NotListed { .. } => Some(
                "check the version: a version the registry never got cannot be yanked; nothing was changed"
                    .into(),
            ),
        }
    }
}

/// `pairs` from the command line with each name spelled as the workspace member it names
/// (compared as the registry compares names), or the names that are no member.
pub fn workspace_pairs<'a>(
    pairs: &[(String, Version)],
    members: impl IntoIterator<Item = &'a str> + Clone,
) -> Result<Vec<(String, Version)>, YankError> {
    let mut found = Vec::new();
    let mut strangers = Vec::new();
    for (name, version) in pairs {
        let key = registry_key(name);
        match members.clone().into_iter().find(|m| registry_key(m) == key) {
            Some(member) => found.push((member.to_owned(), version.clone())),
            None => strangers.push(name.clone()),
        }
    }
    if strangers.is_empty() {
        return Ok(found);
    }
    let mut members: Vec<String> = members.into_iter().map(str::to_owned).collect();
    members.sort();
    Err(YankError::NotMembers {
        names: strangers,
        members,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum YankAction {
    /// Yank it now (or unyank, undoing).
    Change,
    /// The index shows it as wanted already: nothing to send.
    AlreadyDone,
    /// The index does not list this version (a Release PR's crate not published yet).
    NotInRegistry,
    /// Released without publishing: only its GitHub Release is marked.
    ReleaseOnly,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct YankCrate {
    pub name: String,
    pub version: Version,
    pub tag: Option<String>,
    pub action: YankAction,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct YankPlan {
    /// Unyank instead.
    pub undo: bool,
    /// In the order to change them.
    pub crates: Vec<YankCrate>,
}

impl YankPlan {
    /// `listed`: per crate, every version the index lists with its yanked flag. `edges`: publish
    /// edges among the workspace's members; only normal and build edges order a yank (a
    /// dev-dependency never decides what a downstream build resolves).
    pub fn new(
        targets: &[YankTarget],
        edges: &[Edge],
        listed: &BTreeMap<String, Vec<(Version, bool)>>,
        undo: bool,
    ) -> Result<YankPlan, YankError> {
        let names: BTreeSet<String> = targets.iter().map(|t| t.name.clone()).collect();
        let ordering: Vec<Edge> = edges
            .iter()
            .filter(|e| e.kind != DepKind::Dev && names.contains(&e.from) && names.contains(&e.to))
            .cloned()
            .collect();
        // Dependencies first; a yank goes the other way.
        let mut order: Vec<String> = waves(&names, &ordering)?.into_iter().flatten().collect();
        if !undo {
            order.reverse();
        }
        let versions = |name: &str| listed.get(name).map_or(&[][..], Vec::as_slice);
        let unlisted: Vec<Unlisted> = (targets.iter())
            .filter(|t| t.explicit && !t.release_only)
            .filter(|t| !versions(&t.name).iter().any(|(v, _)| *v == t.version))
            .map(|t| Unlisted {
                name: t.name.clone(),
                version: t.version.clone(),
                listed: versions(&t.name).iter().map(|(v, _)| v.clone()).collect(),
            })
            .collect();
        if !unlisted.is_empty() {
            return Err(YankError::NotListed { unlisted });
        }
        let crates = order
            .iter()
            .flat_map(|name| targets.iter().filter(move |t| &t.name == name))
            .map(|t| {
                let yanked = (versions(&t.name).iter())
                    .find(|(v, _)| *v == t.version)
                    .map(|(_, yanked)| *yanked);
                let action = match yanked {
                    _ if t.release_only => YankAction::ReleaseOnly,
                    None => YankAction::NotInRegistry,
                    Some(yanked) if yanked != undo => YankAction::AlreadyDone,
                    Some(_) => YankAction::Change,
                };
                YankCrate {
                    name: t.name.clone(),
                    version: t.version.clone(),
                    tag: t.tag.clone(),
                    action,
                }
            })
            .collect();
        Ok(YankPlan { undo, crates })
    }
}

/// What happened to one crate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum YankOutcome {
    /// Yanked (unyanked) and confirmed in the index.
    Done,
    /// Nothing to do: the index showed it so already, or does not list it.
    Kept,
    Failed {
        reason: String,
    },
    /// Not attempted: a crate earlier in the order failed.
    NotAttempted,
}

/// What happened to one GitHub Release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum ReleaseMark {
    Marked,
    AlreadyMarked,
    NoRelease,
    Failed { reason: String },
}

/// One crate version and what happened to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CrateOutcome {
    pub name: String,
    pub version: Version,
    pub outcome: YankOutcome,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct YankReport {
    pub crates: Vec<CrateOutcome>,
    pub releases: Vec<(String, ReleaseMark)>,
    /// Why the releases were not looked at, when they were not.
    pub releases_skipped: Option<String>,
}

impl YankReport {
    /// What happened to this version of this crate (a set may hold two versions of one crate).
    pub fn outcome(&self, name: &str, version: &Version) -> Option<&YankOutcome> {
        (self.crates.iter())
            .find(|c| c.name == name && c.version == *version)
            .map(|c| &c.outcome)
    }

    /// Whether `c`'s GitHub Release is to be marked now: the registry shows it as wanted (or
    /// it was never in the registry, being released without publishing).
    pub fn settled(&self, c: &YankCrate) -> bool {
        matches!(
            (c.action, self.outcome(&c.name, &c.version)),
            (_, Some(YankOutcome::Done))
                | (YankAction::AlreadyDone, _)
                | (YankAction::ReleaseOnly, Some(YankOutcome::Kept))
        )
    }

    /// What was left as it was because something failed: crate versions not changed, GitHub
    /// Releases not marked. A re-run finishes them.
    pub fn left(&self) -> Vec<String> {
        let crates = (self.crates.iter())
            .filter(|c| {
                matches!(
                    c.outcome,
                    YankOutcome::Failed { .. } | YankOutcome::NotAttempted
                )
            })
            .map(|c| format!("{} {}", c.name, c.version));
        let releases = (self.releases.iter())
            .filter(|(_, mark)| matches!(mark, ReleaseMark::Failed { .. }))
            .map(|(tag, _)| format!("the GitHub Release {tag}"));
        crates.chain(releases).collect()
    }
}

#[cfg(test)]
mod tests;
