//! `[package.<name>]`: the settings of one crate, by its name: `semver_checks`, `tag_format`,
//! `release`, and its own `changelog` and `github_release` tables. What a table does not set
//! comes from the top level.
//!
//! The name is checked once the workspace is known ([`Settings::check_packages`]): reading the
//! file knows no members; so is `release = true`, which only a crate that is not published
//! may ask for ([`Settings::check_release`]).

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::shaping::{ChangelogSettings, RawChangelog, RawGithubRelease};
use super::{ConfigError, Position, Settings, Source, position};
use crate::plan::api::SemverChecks;
use crate::plan::changelog::ChangelogOptions;
use crate::plan::github_release::GithubReleaseOptions;
use crate::plan::release::CrateOptions;

/// `[package.<name>]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct PackageSettings {
    /// `None`: the top-level `semver_checks`.
    pub semver_checks: Option<SemverChecks>,
    /// `None`: the group's or the workspace's tag format.
    pub tag_format: Option<String>,
    /// `release = true`: released though not published.
    pub release: bool,
    /// The crate's changelog, merged over `[changelog]`; `None`: the top level's.
    pub changelog: Option<ChangelogOptions>,
    /// The crate's GitHub Release, merged over `[github_release]`; `None`: the top level's.
    pub github_release: Option<GithubReleaseOptions>,
    /// Where the table is named, for an error when no workspace member has that name.
    #[serde(skip)]
    pub(crate) origin: Option<Origin>,
    /// Where `release = true` is written.
    #[serde(skip)]
    pub(crate) release_origin: Option<Origin>,
}

/// Where in the configuration a key was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Origin {
    path: PathBuf,
    at: Position,
    key: String,
}

impl Settings {
    /// The API check mode of crate `name`.
    pub fn semver_checks_for(&self, name: &str) -> SemverChecks {
        self.packages
            .get(name)
            .and_then(|p| p.semver_checks)
            .unwrap_or(self.semver_checks)
    }

    /// Whether `[package.<name>] release = true`.
    pub fn release_asked(&self, name: &str) -> bool {
        self.packages.get(name).is_some_and(|p| p.release)
    }

    /// The changelog settings of crate `name`.
    pub fn changelog_for(&self, name: &str) -> &ChangelogOptions {
        (self.packages.get(name))
            .and_then(|p| p.changelog.as_ref())
            .unwrap_or(&self.changelog.crates)
    }

    /// The GitHub Release settings of crate `name`.
    pub fn github_release_for(&self, name: &str) -> &GithubReleaseOptions {
        (self.packages.get(name))
            .and_then(|p| p.github_release.as_ref())
            .unwrap_or(&self.github_release)
    }

    /// What the plan follows per crate.
    pub fn crate_options(&self) -> std::collections::BTreeMap<String, CrateOptions> {
        (self.packages.iter())
            .map(|(name, p)| {
                let options = CrateOptions {
                    release: p.release,
                    tag_format: p.tag_format.clone(),
                    changelog: p.changelog.clone(),
                };
                (name.clone(), options)
            })
            .collect()
    }

    /// `release = true` is for a crate that is not published to the registry in use
    /// (`publishable` says which are): on one that is, it would say something untrue.
    pub fn check_release(
        &self,
        mut publishable: impl FnMut(&str) -> bool,
    ) -> Result<(), ConfigError> {
        for (name, package) in &self.packages {
            if !package.release || !publishable(name) {
                continue;
            }
            let origin = package.release_origin.as_ref();
            return Err(ConfigError::InvalidSetting {
                path: origin.map(|o| o.path.clone()).unwrap_or_default(),
                at: origin.map(|o| o.at),
                key: origin.map_or_else(|| format!("package.{name}.release"), |o| o.key.clone()),
                value: "true".into(),
                expected: format!(
                    "expected `release = true` only on a crate that is not published (`publish = false`); {name} is published, so it is released anyway: remove the key"
                ),
            });
        }
        Ok(())
    }

    /// Every `[package.<name>]` must name a workspace member: a misspelt name would silently
    /// configure nothing.
    pub fn check_packages<'a>(
        &self,
        members: impl Iterator<Item = &'a str> + Clone,
    ) -> Result<(), ConfigError> {
        for (name, package) in &self.packages {
            if members.clone().any(|m| m == name) {
                continue;
            }
            let mut known: Vec<&str> = members.clone().collect();
            known.sort_unstable();
            let origin = package.origin.as_ref();
            return Err(ConfigError::InvalidSetting {
                path: origin.map(|o| o.path.clone()).unwrap_or_default(),
                at: origin.map(|o| o.at),
                key: origin.map_or_else(|| format!("package.{name}"), |o| o.key.clone()),
                value: name.clone(),
                expected: format!(
                    "expected the name of a workspace member: {}",
                    known.join(", ")
                ),
            });
        }
        Ok(())
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPackage {
    semver_checks: Option<SemverChecks>,
    tag_format: Option<Spanned<String>>,
    release: Option<Spanned<bool>>,
    changelog: Option<RawChangelog>,
    github_release: Option<RawGithubRelease>,
}

impl Source<'_> {
    /// The tables, each with where its name was written, over the top-level settings.
    pub(super) fn packages(
        &self,
        raw: BTreeMap<Spanned<String>, RawPackage>,
        changelog: &ChangelogSettings,
        github_release: &GithubReleaseOptions,
    ) -> Result<BTreeMap<String, PackageSettings>, ConfigError> {
        let mut out = BTreeMap::new();
        for (name, package) in raw {
            let key = format!("package.{}", name.get_ref());
            let origin = |at: usize, key: String| Origin {
                path: self.path.to_owned(),
                at: position(self.text, at),
                key: format!("{}{key}", self.prefix),
            };
            let release = package.release.as_ref().is_some_and(|r| *r.get_ref());
            let settings = PackageSettings {
                semver_checks: package.semver_checks,
                tag_format: self.tag_format(&format!("{key}.tag_format"), package.tag_format)?,
                release_origin: (package.release)
                    .filter(|_| release)
                    .map(|r| origin(r.span().start, format!("{key}.release"))),
                release,
                changelog: match package.changelog {
                    Some(raw) => Some(self.package_changelog(
                        &format!("{key}.changelog"),
                        raw,
                        &changelog.crates,
                    )?),
                    None => None,
                },
                github_release: match package.github_release {
                    Some(raw) => Some(self.github_release(
                        &format!("{key}.github_release"),
                        raw,
                        github_release,
                    )?),
                    None => None,
                },
                origin: Some(origin(name.span().start, key)),
            };
            out.insert(name.into_inner(), settings);
        }
        Ok(out)
    }
}
