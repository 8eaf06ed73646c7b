//! The release plan: for every member, what was found (`initial_version`, `prior_tag`) next to
//! what is intended (`planned_version`, `planned_tag`), why, and in which publish wave.
//!
//! Pure: takes the workspace, the history already read, the published versions and the options;
//! returns data. It is what `plan` prints, what the Release PR embeds and what later stages
//! carry out. Its steps live in the submodules: `start` (members, groups, tag formats, release
//! points found), `build` (the assembly), `groups` (groups, shared versions, tag formats),
//! `points` (release points), `bump` (each crate's decision and version), `dependents`
//! (versions that move together, dependents that follow, manifest edits), `naming` (tag formats
//! and groups without a plan) and `error` (why no plan could be made).

mod build;
mod bump;
mod dependents;
mod error;
mod groups;
mod naming;
mod points;
mod reads;
mod start;

use std::collections::BTreeMap;

use semver::Version;
use serde::{Deserialize, Serialize};

use super::Bump;
use super::api::{ApiBreak, ApiChecks, list_breaks};
use super::changelog::ChangelogOptions;
use super::commits::{CommitRules, ConventionalCommit};
use super::graph::Edge;
use super::history::{RawCommit, Tag};
use super::manifest::ManifestEdits;
use super::version::Prerelease;
use super::workspace::{Member, Workspace};
pub use build::build_plan;
pub use error::PlanError;
pub use groups::assign_groups;
pub use naming::{member_groups, member_tag_formats};
pub use points::ReleasePoint;
/// Whether the registry lists `version` of a crate, build metadata aside (as registries compare).
pub(crate) use points::lists as registry_lists;
pub use reads::{ManifestHistory, ManifestRead, ManifestTexts, manifest_reads};
use start::{Start, changelog_from, start};

/// How members of a group share versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Versioning {
    /// Each member gets its own bump and version.
    #[default]
    Independent,
    /// Every member gets the highest bump among them and one shared version.
    Fixed,
}

/// What happens to a member whose dependency's new version no longer satisfies its requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum DependentsBump {
    /// The requirement is rewritten and the dependent is released with a patch bump.
    #[default]
    Patch,
    /// The requirement is rewritten; the dependent is not released for it.
    None,
}

/// A release group from the configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupSpec {
    pub name: String,
    /// Name globs (`serde*`, `bevy_*`).
    pub members: Vec<String>,
    pub versioning: Versioning,
    pub tag_format: Option<String>,
}

/// Everything the planner needs besides the facts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct PlanOptions {
    /// `None`: bumps come from the commits; `Some(b)`: every changed crate gets `b`.
    pub forced_bump: Option<Bump>,
    pub force_prepare: bool,
    pub prerelease: Option<Prerelease>,
    /// Only plan this group.
    pub group: Option<String>,
    /// Only plan the crates no configured group claims (the default group's Release PR).
    pub ungrouped_only: bool,
    /// Default tag format; `None` means `{name}-v{version}`, or `v{version}` for a workspace with
    /// one publishable crate.
    pub tag_format: Option<String>,
    pub groups: Vec<GroupSpec>,
    pub dependents_bump: DependentsBump,
    /// Registry the crates go to (`None` = crates.io): decides which members are publishable.
    pub registry: Option<String>,
    /// Date of the changelog sections, `YYYY-MM-DD` (the plan reads no clock).
    pub date: String,
    /// `https://github.com/owner/repo`, for commit and PR links in changelogs.
    pub repository_url: Option<String>,
    /// What each kind of commit asks for (`[commits]`).
    pub commit_rules: CommitRules,
    /// Versions the maintainer typed into the Release PR: released as they are, and the
    /// dependents follow them.
    pub given: BTreeMap<String, Version>,
    /// The changelog of every crate without one of its own (`[changelog]`).
    pub changelog: ChangelogOptions,
    /// The workspace changelog (`[changelog] workspace_path`), relative to the workspace root.
    pub workspace_changelog: Option<String>,
    /// `[package.<name>]`: settings of one crate, by its name.
    pub crates: BTreeMap<String, CrateOptions>,
}

/// What `[package.<name>]` sets for one crate's plan; `None` leaves the workspace's setting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct CrateOptions {
    /// `release = true`: a crate that is not published (`publish = false`) is released all the
    /// same — versions, tags, changelogs, GitHub Releases — and never uploaded.
    pub release: bool,
    pub tag_format: Option<String>,
    /// Merged over `[changelog]` already.
    pub changelog: Option<ChangelogOptions>,
}

impl PlanOptions {
    /// The changelog settings of crate `name`.
    pub fn changelog_of(&self, name: &str) -> &ChangelogOptions {
        (self.crates.get(name))
            .and_then(|c| c.changelog.as_ref())
            .unwrap_or(&self.changelog)
    }

    /// Whether `[package.<name>] release = true`.
    pub fn release_asked(&self, name: &str) -> bool {
        self.crates.get(name).is_some_and(|c| c.release)
    }

    /// The members the plan covers: those publishable to the registry, and those released
    /// without publishing (`release = true`), sorted by name.
    pub fn members<'w>(&self, ws: &'w Workspace) -> Vec<&'w Member> {
        let registry = self.registry.as_deref();
        (ws.members.iter())
            .filter(|m| m.publish.allows(registry) || self.release_asked(&m.name))
            .collect()
    }

    /// A member the plan releases but never uploads.
    pub fn release_only(&self, m: &Member) -> bool {
        !m.publish.allows(self.registry.as_deref()) && self.release_asked(&m.name)
    }
}

pub use super::graph::Published;

/// The facts the planner works from, gathered by the adapters.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    pub workspace: &'a Workspace,
    /// Newest first (as `git log` prints it); empty when there is no history to read.
    pub history: &'a [RawCommit],
    pub tags: &'a [Tag],
    /// Versions the registry can resolve a requirement to (yanked ones left out).
    pub published: &'a Published,
    /// No published versions could be looked up: take each crate's last tagged version as
    /// published for the dev-dependency rule (the plan says so).
    pub assume_tagged_published: bool,
    /// What the API checks found (cargo-semver-checks against the last release), per crate.
    pub api: &'a ApiChecks,
    /// Every version the registry lists, yanked ones too: what cannot be published again.
    /// `None` when the registry was not asked (offline, or its index could not be read).
    pub registry: Option<&'a Published>,
    /// The clone is shallow: a tag beyond its depth may still be reachable.
    pub shallow: bool,
    /// Manifest texts before and after the commits the plan asked for ([`manifest_reads`]).
    pub manifests: &'a ManifestHistory,
}

impl<'a> Facts<'a> {
    /// What the registry lists: [`Facts::registry`], or without it the published versions
    /// when they were looked up (every version the registry resolves, it lists).
    pub fn listed(&self) -> Option<&'a Published> {
        self.registry
            .or((!self.assume_tagged_published).then_some(self.published))
    }
}

/// Why a crate is released.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Reason {
    /// No release tag: the crate is released at its current version.
    New,
    /// Conventional commits since the last release ask for `bump`.
    Commits { count: usize, bump: Bump },
    /// `bump_type` forced the level.
    Forced { bump: Bump },
    /// A dependency's new version no longer satisfies this crate's requirement.
    Dependency { name: String, version: Version },
    /// A member of the same fixed group (or `[workspace.package]` version) is released.
    Fixed { with: String },
    /// cargo-semver-checks found breaks against the last release: the bump is raised to `bump`.
    /// `breaks` are the first few; `more` counts the rest.
    ApiBreak {
        bump: Bump,
        breaks: Vec<ApiBreak>,
        more: usize,
    },
    /// The manifest holds a version above the last release that was never released (a merged
    /// release whose tags and publish did not happen).
    Unreleased { version: Version },
    /// A `Release-As:` footer in `commit` sets the version.
    ReleaseAs { commit: String, version: Version },
    /// No prerelease is asked for: the prerelease series `from` belongs to ends.
    Graduation { from: Version },
    /// The maintainer typed this version into the Release PR.
    Edited { version: Version },
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Reason::New => f.write_str("new crate (no release tag)"),
            Reason::Commits { count, bump } => {
                write!(
                    f,
                    "{count} commit{} ({bump})",
                    if *count == 1 { "" } else { "s" }
                )
            }
            Reason::Forced { bump } => write!(f, "bump_type {bump}"),
            Reason::Dependency { name, version } => write!(f, "dependency {name} → {version}"),
            Reason::Fixed { with } => write!(f, "fixed version with {with}"),
            Reason::ApiBreak { bump, breaks, more } => {
                write!(f, "API break ({bump}): {}", list_breaks(breaks, *more))
            }
            Reason::Unreleased { version } => {
                write!(f, "{version} in the manifest was never released")
            }
            Reason::ReleaseAs { commit, version } => write!(f, "Release-As {version} ({commit})"),
            Reason::Graduation { from } => write!(f, "graduates from {from}"),
            Reason::Edited { version } => write!(f, "version {version} typed into the Release PR"),
        }
    }
}

/// One member (publishable, or released without publishing): what was found and what is
/// intended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CrateRelease {
    pub name: String,
    pub group: Option<String>,
    pub dir: String,
    pub manifest: String,
    pub initial_version: Version,
    pub prior_tag: Option<String>,
    pub planned_version: Version,
    pub planned_tag: String,
    pub released: bool,
    pub bump: Bump,
    pub reasons: Vec<Reason>,
    /// The commits this release's changelog lists (empty when not released). Not serialised:
    /// `changelog` already shows them, and the plan travels in outputs and PR bodies.
    #[serde(skip)]
    pub commits: Vec<ConventionalCommit>,
    /// The changelog section of this release (empty when not released).
    pub changelog: String,
    /// Publish wave, for released crates that are published.
    pub wave: Option<usize>,
    /// Released (`release = true`) but never uploaded: `publish = false`.
    pub release_only: bool,
    /// Where its changelog is written, relative to its directory; `None`: it is not written.
    pub changelog_file: Option<String>,
}

/// The whole plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReleasePlan {
    /// Every publishable member and every member released without publishing, sorted by name.
    pub crates: Vec<CrateRelease>,
    /// Publish waves of the released crates.
    pub waves: Vec<Vec<String>>,
    /// Publish edges among the released crates.
    pub edges: Vec<Edge>,
    /// Manifest path (relative to the workspace root) → edits.
    pub manifest_edits: BTreeMap<String, ManifestEdits>,
    /// Things a person should know (assumptions, requirements rewritten outside the group).
    pub notes: Vec<String>,
    /// The workspace changelog every released crate's section is written to as well, relative
    /// to the workspace root.
    pub workspace_changelog: Option<String>,
}

impl ReleasePlan {
    pub fn released(&self) -> impl Iterator<Item = &CrateRelease> {
        self.crates.iter().filter(|c| c.released)
    }

    pub fn has_bumps(&self) -> bool {
        self.crates.iter().any(|c| c.released)
    }
}

#[cfg(test)]
mod tests;
