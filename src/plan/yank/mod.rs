//! Rolling a release back: which versions of a release set to yank (or, with `--undo`, to
//! unyank), in which order — dependents before their dependencies, so no version left
//! selectable requires one already yanked; the reverse to undo — what the registry shows
//! already (a re-run converges), and how a GitHub Release reads once it is marked yanked.
//!
//! Pure: the job hands in the set, the publish edges and what the index lists; it yanks,
//! confirms in the index and edits the releases as this plan says.

use std::collections::{BTreeMap, BTreeSet};

use semver::Version;
use serde::Serialize;

use super::DepKind;
use super::graph::{CycleError, Edge, waves};

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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum YankAction {
    /// Yank it now (or unyank, undoing).
    Change,
    /// The index shows it as wanted already: nothing to send.
    AlreadyDone,
    /// The index does not list this version: nothing to yank.
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
    ) -> Result<YankPlan, CycleError> {
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
