//! `releasekit.toml`, or the same table as `[workspace.metadata.releasekit]` (or
//! `[package.metadata.releasekit]` for a single-crate root) in the root `Cargo.toml`.
//!
//! serde with `deny_unknown_fields` refuses misspelt keys; values serde cannot judge (tag formats,
//! group names, repositories) are checked here. Every error names the file with line and column,
//! the key, the value and what is allowed. Reads the configuration file and nothing else: the
//! caller hands in the root manifest's text.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use serde::{Deserialize, Serialize};
use toml::Spanned;

mod commits;
mod load;
mod package;
mod shaping;
mod validate;

use commits::is_commit_type;
pub use load::load_settings;
use load::position;
pub use package::PackageSettings;
use package::RawPackage;
pub use shaping::ChangelogSettings;
use shaping::{RawChangelog, RawGithubRelease};

use super::{Config, ConfigError, Position};
use crate::plan::api::SemverChecks;
use crate::plan::commits::CommitRules;
use crate::plan::github_release::GithubReleaseOptions;
use crate::plan::release::{DependentsBump, GroupSpec, Versioning};

pub const DEFAULT_EVENT_TYPE: &str = "releasekit-release";
pub const DEFAULT_PUBLISH_TIMEOUT_SECS: u64 = 600;
/// A day: longer than any index takes to show an upload, short of what a deadline can hold.
pub const MAX_PUBLISH_TIMEOUT_SECS: u64 = 24 * 60 * 60;
const MAX_EVENT_TYPE_CHARS: usize = 100;

/// The validated configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Settings {
    /// Placeholders `{name}` and `{version}`; `None` = the plan's default.
    pub tag_format: Option<String>,
    pub dependents_bump: DependentsBump,
    pub changelog: ChangelogSettings,
    /// `[github_release]`: every crate's GitHub Release, unless its `[package.<name>]` says
    /// otherwise.
    pub github_release: GithubReleaseOptions,
    /// Sorted by name.
    pub groups: Vec<GroupSpec>,
    pub notify: NotifySettings,
    pub publish_timeout_secs: u64,
    /// API checks with cargo-semver-checks, for every crate without its own setting.
    pub semver_checks: SemverChecks,
    /// `[package.<name>]`: settings of one crate, by its name.
    pub packages: BTreeMap<String, PackageSettings>,
    /// `[commits]`: the bump of each commit type, and of messages that are not conventional.
    pub commits: CommitRules,
    /// Added to every crate a release publishes for the first time: GitHub logins and teams
    /// (`github:org:team`).
    pub owners: Vec<String>,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            tag_format: None,
            dependents_bump: DependentsBump::default(),
            changelog: ChangelogSettings::default(),
            github_release: GithubReleaseOptions::default(),
            groups: Vec::new(),
            notify: NotifySettings::default(),
            publish_timeout_secs: DEFAULT_PUBLISH_TIMEOUT_SECS,
            semver_checks: SemverChecks::default(),
            packages: BTreeMap::new(),
            commits: CommitRules::default(),
            owners: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotifySettings {
    /// `owner/name`; empty = this repository.
    pub repositories: Vec<String>,
    pub event_type: String,
}

impl Default for NotifySettings {
    fn default() -> NotifySettings {
        NotifySettings {
            repositories: Vec::new(),
            event_type: DEFAULT_EVENT_TYPE.to_owned(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSettings {
    tag_format: Option<Spanned<String>>,
    #[serde(default)]
    dependents_bump: DependentsBump,
    #[serde(default)]
    changelog: RawChangelog,
    #[serde(default)]
    github_release: RawGithubRelease,
    #[serde(default)]
    groups: BTreeMap<Spanned<String>, RawGroup>,
    #[serde(default)]
    notify: RawNotify,
    publish_timeout: Option<Spanned<i64>>,
    #[serde(default)]
    semver_checks: SemverChecks,
    #[serde(default)]
    package: BTreeMap<Spanned<String>, RawPackage>,
    #[serde(default)]
    commits: RawCommits,
    #[serde(default)]
    owners: Vec<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCommits {
    #[serde(default)]
    types: BTreeMap<Spanned<String>, Spanned<toml::Value>>,
    non_conventional: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGroup {
    members: Spanned<Vec<Spanned<String>>>,
    #[serde(default)]
    versioning: Versioning,
    tag_format: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNotify {
    #[serde(default)]
    repositories: Vec<Spanned<String>>,
    event_type: Option<Spanned<String>>,
}

/// Only the tables of `Cargo.toml` that can hold our configuration; the rest is cargo's.
#[derive(Debug, Deserialize)]
struct Manifest {
    workspace: Option<MetadataHolder>,
    package: Option<MetadataHolder>,
}

#[derive(Debug, Deserialize)]
struct MetadataHolder {
    metadata: Option<Metadata>,
}

#[derive(Debug, Deserialize)]
struct Metadata {
    releasekit: Option<RawSettings>,
}

/// `group` must name a configured group.
pub fn check_group(config: &Config, settings: &Settings) -> Result<(), ConfigError> {
    match &config.group {
        Some(group) if !settings.groups.iter().any(|g| &g.name == group) => {
            Err(ConfigError::UnknownGroup {
                group: group.clone(),
                known: settings.groups.iter().map(|g| g.name.clone()).collect(),
            })
        }
        _ => Ok(()),
    }
}

/// Where the raw settings came from, for error positions and key names.
struct Source<'a> {
    path: &'a Path,
    text: &'a str,
    /// `""` for releasekit.toml, `workspace.metadata.releasekit.` for the manifest table.
    prefix: &'a str,
}

impl Source<'_> {
    fn error(&self, span: Range<usize>, key: &str, value: &str, expected: &str) -> ConfigError {
        ConfigError::InvalidSetting {
            path: self.path.to_owned(),
            at: Some(position(self.text, span.start)),
            key: format!("{}{key}", self.prefix),
            value: value.to_owned(),
            expected: expected.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod validation_tests;
