//! The release plan: for every member, what was found (`initial_version`, `prior_tag`) next to
//! what is intended (`planned_version`, `planned_tag`), why, and in which publish wave.
//!
//! Pure: takes the workspace, the history already read, the published versions and the options;
//! returns data. It is what `plan` prints, what the Release PR embeds and what later stages
//! carry out.

use std::collections::BTreeMap;

use semver::Version;
use serde::{Deserialize, Serialize};

use super::Bump;
use super::version::Prerelease;

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
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanOptions {
    /// `None`: bumps come from the commits; `Some(b)`: every changed crate gets `b`.
    pub forced_bump: Option<Bump>,
    pub force_prepare: bool,
    pub prerelease: Option<Prerelease>,
    /// Only plan this group.
    pub group: Option<String>,
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
}

/// Published versions per crate name, as far as they are known.
pub type Published = BTreeMap<String, Vec<Version>>;
