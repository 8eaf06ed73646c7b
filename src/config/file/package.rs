//! `[package.<name>]`: the settings of one crate, by its name. Issue 15 adds more keys; each is
//! `None` when the table does not set it, so the top-level value applies.
//!
//! The name is checked once the workspace is known ([`Settings::check_packages`]): reading the
//! file knows no members.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::{ConfigError, Position, Settings, Source, position};
use crate::plan::api::SemverChecks;

/// `[package.<name>]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct PackageSettings {
    /// `None`: the top-level `semver_checks`.
    pub semver_checks: Option<SemverChecks>,
    /// Where the table is named, for an error when no workspace member has that name.
    #[serde(skip)]
    pub(crate) origin: Option<Origin>,
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
}

impl Source<'_> {
    /// The tables, each with where its name was written.
    pub(super) fn packages(
        &self,
        raw: BTreeMap<Spanned<String>, RawPackage>,
    ) -> BTreeMap<String, PackageSettings> {
        raw.into_iter()
            .map(|(name, package)| {
                let origin = Origin {
                    path: self.path.to_owned(),
                    at: position(self.text, name.span().start),
                    key: format!("{}package.{}", self.prefix, name.get_ref()),
                };
                let settings = PackageSettings {
                    semver_checks: package.semver_checks,
                    origin: Some(origin),
                };
                (name.into_inner(), settings)
            })
            .collect()
    }
}
