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

use semver::Version;

mod package;
mod shaping;

pub use package::PackageSettings;
use package::RawPackage;
pub use shaping::ChangelogSettings;
use shaping::{RawChangelog, RawGithubRelease};

use super::{Config, ConfigError, Position, is_name};
use crate::plan::Bump;
use crate::plan::api::SemverChecks;
use crate::plan::commits::{COMMIT_TYPES, CommitRules};
use crate::plan::github_release::GithubReleaseOptions;
use crate::plan::history::tag_name;
use crate::plan::refname::check_ref_name;
use crate::plan::release::{DependentsBump, GroupSpec, Versioning};
use crate::plan::trigger::release_branch;

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

/// Read `config_file`; when it does not exist: an error if `explicit`, else the metadata table
/// of `root_manifest_text` when present, else the defaults. Both a file and a table: an error.
pub fn load_settings(
    config_file: &Path,
    explicit: bool,
    root_manifest_text: Option<&str>,
) -> Result<Settings, ConfigError> {
    let file_text = match std::fs::read_to_string(config_file) {
        Ok(text) => Some(text),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound && !explicit => None,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            return Err(ConfigError::MissingFile {
                path: config_file.to_owned(),
            });
        }
        Err(source) => {
            return Err(ConfigError::ReadFile {
                path: config_file.to_owned(),
                source,
            });
        }
    };
    // The manifest's table is read even when the file exists, to refuse two configurations.
    let manifest_path = Path::new("Cargo.toml");
    let from_manifest = match root_manifest_text {
        Some(text) => metadata_table(manifest_path, text)?.map(|(table, raw)| (table, raw, text)),
        None => None,
    };
    match (file_text, from_manifest) {
        (Some(_), Some((table, _, _))) => Err(ConfigError::TwoConfigs {
            first: config_file.display().to_string(),
            second: format!("Cargo.toml [{table}]"),
        }),
        (Some(text), None) => {
            let raw: RawSettings =
                toml::from_str(&text).map_err(|err| parse_error(config_file, &text, &err))?;
            Source {
                path: config_file,
                text: &text,
                prefix: "",
            }
            .validate(raw)
        }
        (None, Some((table, raw, text))) => {
            let prefix = format!("{table}.");
            Source {
                path: manifest_path,
                text,
                prefix: &prefix,
            }
            .validate(raw)
        }
        (None, None) => Ok(Settings::default()),
    }
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

fn metadata_table(
    path: &Path,
    text: &str,
) -> Result<Option<(&'static str, RawSettings)>, ConfigError> {
    let manifest: Manifest = toml::from_str(text).map_err(|err| parse_error(path, text, &err))?;
    let table =
        |holder: Option<MetadataHolder>| holder.and_then(|h| h.metadata).and_then(|m| m.releasekit);
    match (table(manifest.workspace), table(manifest.package)) {
        (Some(_), Some(_)) => Err(ConfigError::TwoConfigs {
            first: "Cargo.toml [workspace.metadata.releasekit]".to_owned(),
            second: "Cargo.toml [package.metadata.releasekit]".to_owned(),
        }),
        (Some(raw), None) => Ok(Some(("workspace.metadata.releasekit", raw))),
        (None, Some(raw)) => Ok(Some(("package.metadata.releasekit", raw))),
        (None, None) => Ok(None),
    }
}

fn parse_error(path: &Path, text: &str, err: &toml::de::Error) -> ConfigError {
    let at = err.span().map(|span| position(text, span.start));
    let mut message = err.message().trim_end().to_owned();
    // serde names the bad value but not its key: take the key from the line when the error
    // points at a value (`key = value`).
    if let Some(key) = err.span().and_then(|span| key_of_value(text, span.start)) {
        message = format!("`{key}`: {message}");
    }
    ConfigError::Parse {
        path: path.to_owned(),
        at,
        message,
    }
}

/// The key of the `key = value` line whose value starts at or before `offset`.
fn key_of_value(text: &str, offset: usize) -> Option<&str> {
    let start = text.get(..offset)?.rfind('\n').map_or(0, |i| i + 1);
    let (key, _) = text[start..offset].split_once('=')?;
    let key = key.trim();
    (!key.is_empty() && !key.starts_with('#')).then_some(key)
}

/// The position of a byte offset.
fn position(text: &str, offset: usize) -> Position {
    let before = text.get(..offset).unwrap_or(text);
    let count = |n: usize| u32::try_from(n + 1).unwrap_or(u32::MAX);
    Position {
        line: count(before.matches('\n').count()),
        column: count(before.rsplit('\n').next().unwrap_or("").chars().count()),
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

    fn tag_format(
        &self,
        key: &str,
        value: Option<Spanned<String>>,
    ) -> Result<Option<String>, ConfigError> {
        let Some(value) = value else { return Ok(None) };
        check_tag_format(value.get_ref())
            .map_err(|expected| self.error(value.span(), key, value.get_ref(), &expected))?;
        Ok(Some(value.into_inner()))
    }

    fn validate(&self, raw: RawSettings) -> Result<Settings, ConfigError> {
        let tag_format = self.tag_format("tag_format", raw.tag_format)?;
        let mut groups = Vec::with_capacity(raw.groups.len());
        for (name, group) in raw.groups {
            let key = format!("groups.{}", name.get_ref());
            if !is_name(name.get_ref()) {
                return Err(self.error(
                    name.span(),
                    &key,
                    name.get_ref(),
                    "expected a group name of ASCII letters, digits, `_` and `-`",
                ));
            }
            if let Err(why) = check_ref_name(&release_branch(Some(name.get_ref()))) {
                return Err(self.error(
                    name.span(),
                    &key,
                    name.get_ref(),
                    &format!("expected a group name its release branch can carry ({why})"),
                ));
            }
            if group.members.get_ref().is_empty() {
                return Err(self.error(
                    group.members.span(),
                    &format!("{key}.members"),
                    "[]",
                    "expected at least one crate name or glob, such as \"serde*\"",
                ));
            }
            let mut members = Vec::with_capacity(group.members.get_ref().len());
            for member in group.members.into_inner() {
                if let Err(err) = globset::Glob::new(member.get_ref()) {
                    return Err(self.error(
                        member.span(),
                        &format!("{key}.members"),
                        member.get_ref(),
                        &format!(
                            "expected a crate name or glob such as \"serde*\" ({})",
                            err.kind()
                        ),
                    ));
                }
                members.push(member.into_inner());
            }
            groups.push(GroupSpec {
                tag_format: self.tag_format(&format!("{key}.tag_format"), group.tag_format)?,
                name: name.into_inner(),
                members,
                versioning: group.versioning,
            });
        }
        let mut repositories = Vec::with_capacity(raw.notify.repositories.len());
        for repo in raw.notify.repositories {
            if !is_repository(repo.get_ref()) {
                return Err(self.error(
                    repo.span(),
                    "notify.repositories",
                    repo.get_ref(),
                    "expected a GitHub repository as owner/name",
                ));
            }
            repositories.push(repo.into_inner());
        }
        let event_type = match raw.notify.event_type {
            None => DEFAULT_EVENT_TYPE.to_owned(),
            Some(event) => {
                let chars = event.get_ref().chars().count();
                if !(1..=MAX_EVENT_TYPE_CHARS).contains(&chars) {
                    return Err(self.error(
                        event.span(),
                        "notify.event_type",
                        event.get_ref(),
                        "expected 1 to 100 characters (GitHub's limit for repository_dispatch)",
                    ));
                }
                event.into_inner()
            }
        };
        let publish_timeout_secs = match raw.publish_timeout {
            None => DEFAULT_PUBLISH_TIMEOUT_SECS,
            Some(secs) => match u64::try_from(*secs.get_ref()) {
                Ok(secs) if (1..=MAX_PUBLISH_TIMEOUT_SECS).contains(&secs) => secs,
                _ => {
                    return Err(self.error(
                        secs.span(),
                        "publish_timeout",
                        &secs.get_ref().to_string(),
                        &format!(
                            "expected a number of seconds from 1 to {MAX_PUBLISH_TIMEOUT_SECS} (24 hours)"
                        ),
                    ));
                }
            },
        };
        let changelog = self.changelog(raw.changelog)?;
        let github_release = self.github_release(
            "github_release",
            raw.github_release,
            &GithubReleaseOptions::default(),
        )?;
        let packages = self.packages(raw.package, &changelog, &github_release)?;
        let mut owners = Vec::with_capacity(raw.owners.len());
        for owner in raw.owners {
            if !is_owner(owner.get_ref()) {
                return Err(self.error(
                    owner.span(),
                    "owners",
                    owner.get_ref(),
                    "expected a GitHub login such as \"octocat\" or a team as \"github:org:team\"",
                ));
            }
            if !owners.contains(owner.get_ref()) {
                owners.push(owner.into_inner());
            }
        }
        Ok(Settings {
            owners,
            tag_format,
            dependents_bump: raw.dependents_bump,
            changelog,
            github_release,
            groups,
            notify: NotifySettings {
                repositories,
                event_type,
            },
            publish_timeout_secs,
            semver_checks: raw.semver_checks,
            packages,
            commits: self.commits(raw.commits)?,
        })
    }

    /// `[commits]` on top of the defaults: each listed type's bump replaces the default's. A type
    /// is one of [`COMMIT_TYPES`], in any case, listed once.
    fn commits(&self, raw: RawCommits) -> Result<CommitRules, ConfigError> {
        let mut rules = CommitRules::default();
        let mut types: Vec<_> = raw.types.into_iter().collect();
        // In the order of the file, so that a second spelling of a type is the one refused.
        types.sort_by_key(|(kind, _)| kind.span().start);
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        for (kind, bump) in types {
            let written = kind.get_ref();
            let lower = written.to_lowercase();
            if !COMMIT_TYPES.contains(&lower.as_str()) {
                return Err(self.error(
                    kind.span(),
                    "commits.types",
                    written,
                    &format!(
                        "expected one of the Conventional Commits types: {}",
                        COMMIT_TYPES.join(", ")
                    ),
                ));
            }
            if let Some(first) = seen.insert(lower.clone(), written.clone()) {
                return Err(self.error(
                    kind.span(),
                    "commits.types",
                    written,
                    &format!(
                        "expected each type once (types are read in lower case, and `{first}` is listed already)"
                    ),
                ));
            }
            let key = format!("commits.types.{written}");
            let (value, text) = match bump.get_ref() {
                toml::Value::String(text) => (parse_bump(text), text.clone()),
                toml::Value::Table(_) => (None, "a table".to_owned()),
                other => (None, other.to_string()),
            };
            let bump = value.ok_or_else(|| {
                self.error(
                    bump.span(),
                    &key,
                    &text,
                    "expected one of none, patch, minor, major",
                )
            })?;
            rules.types.insert(lower, bump);
        }
        if let Some(value) = raw.non_conventional {
            rules.non_conventional = match parse_bump(value.get_ref()) {
                Some(bump @ (Bump::None | Bump::Patch)) => bump,
                _ => {
                    return Err(self.error(
                        value.span(),
                        "commits.non_conventional",
                        value.get_ref(),
                        "expected none or patch",
                    ));
                }
            };
        }
        Ok(rules)
    }
}

fn parse_bump(value: &str) -> Option<Bump> {
    match value {
        "none" => Some(Bump::None),
        "patch" => Some(Bump::Patch),
        "minor" => Some(Bump::Minor),
        "major" => Some(Bump::Major),
        _ => None,
    }
}

/// A Conventional Commits type as git-conventional reads it: a word of letters, digits and
/// `-`, starting with a letter.
fn is_commit_type(value: &str) -> bool {
    value.starts_with(|c: char| c.is_ascii_alphabetic())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// A GitHub login (letters, digits, single hyphens, at most 39 characters) or a team as
/// `github:org:team`, as `cargo owner --add` takes them.
fn is_owner(value: &str) -> bool {
    let login = |s: &str| {
        (1..=39).contains(&s.len())
            && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !s.starts_with('-')
            && !s.ends_with('-')
            && !s.contains("--")
    };
    let team = |s: &str| {
        (1..=100).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    };
    match value.strip_prefix("github:") {
        Some(rest) => matches!(rest.split_once(':'), Some((org, name)) if login(org) && team(name)),
        None => login(value),
    }
}

/// `owner/name` with GitHub's characters.
fn is_repository(value: &str) -> bool {
    let part = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    };
    matches!(value.split_once('/'), Some((owner, name)) if part(owner) && part(name))
}

/// Only `{name}` and `{version}`, `{version}` required, and nothing git refuses in a tag name
/// once they are filled in (`plan::refname`). Crate names and versions hold no character git
/// refuses and neither begins nor ends with `.` or `/`, so a sample of each stands for all.
pub(crate) fn check_tag_format(format: &str) -> Result<(), String> {
    const EXPECTED: &str =
        "expected a tag format with {version}, optionally {name}, and no other placeholders";
    let mut rest = format;
    let mut has_version = false;
    while let Some(open) = rest.find(['{', '}']) {
        if rest[open..].starts_with('}') {
            return Err(format!("unmatched `}}`; {EXPECTED}"));
        }
        let Some(close) = rest[open..].find('}') else {
            return Err(format!("unmatched `{{`; {EXPECTED}"));
        };
        match &rest[open + 1..open + close] {
            "version" => has_version = true,
            "name" => {}
            other => return Err(format!("unknown placeholder {{{other}}}; {EXPECTED}")),
        }
        rest = &rest[open + close + 1..];
    }
    if !has_version {
        return Err(format!("{{version}} is missing; {EXPECTED}"));
    }
    let sample = tag_name(format, "x", &Version::new(1, 0, 0));
    check_ref_name(&sample).map_err(|why| {
        format!(
            "git refuses the tags it makes (such as {sample:?}: {why}); a tag is a git ref name"
        )
    })
}

#[cfg(test)]
mod tests {
    use std::ffi::OsString;
    use std::path::PathBuf;

    use super::*;
    use crate::config::load;
    use crate::hint::Hint;
    use crate::plan::changelog::ChangelogOptions;

    /// Write `text` as releasekit.toml in a fresh directory; keep the guard alive.
    fn with_file(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("releasekit.toml");
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    fn load_text(text: &str) -> Result<Settings, ConfigError> {
        let (_dir, path) = with_file(text);
        load_settings(&path, false, None)
    }

    /// The error text with the temporary directory cut off.
    fn error_text(text: &str) -> String {
        let (dir, path) = with_file(text);
        let err = load_settings(&path, false, None).unwrap_err();
        err.to_string()
            .replace(&format!("{}/", dir.path().display()), "")
    }

    #[test]
    fn no_file_and_no_table_gives_the_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("releasekit.toml");
        let manifest = "[workspace]\nmembers = [\"a\"]\n[workspace.metadata.other]\nx = 1\n";
        assert_eq!(
            load_settings(&path, false, None).unwrap(),
            Settings::default()
        );
        assert_eq!(
            load_settings(&path, false, Some(manifest)).unwrap(),
            Settings::default()
        );
        let defaults = Settings::default();
        assert_eq!(defaults.dependents_bump, DependentsBump::Patch);
        assert!(defaults.changelog.enabled);
        assert_eq!(defaults.notify.event_type, "releasekit-release");
        assert_eq!(defaults.publish_timeout_secs, 600);
    }

    #[test]
    fn empty_file_gives_the_defaults() {
        assert_eq!(load_text("").unwrap(), Settings::default());
    }

    #[test]
    fn every_key_of_the_file_is_read() {
        let settings = load_text(
            r#"
tag_format = "v{version}"
dependents_bump = "none"
publish_timeout = 120
semver_checks = "required"

[changelog]
enabled = false

[groups.serde]
members = ["serde", "serde_*"]
versioning = "fixed"
tag_format = "serde-v{version}"

[groups.tools]
members = ["xtask"]

[notify]
repositories = ["org/downstream", "org/other.repo"]
event_type = "crates-released"

[package.widgets]
semver_checks = "off"

[commits]
types = { refactor = "patch", perf = "none" }
non_conventional = "patch"
"#,
        )
        .unwrap();
        assert_eq!(settings.semver_checks_for("widgets"), SemverChecks::Off);
        assert_eq!(
            settings.semver_checks_for("gadgets"),
            SemverChecks::Required
        );
        assert_eq!(
            settings,
            Settings {
                tag_format: Some("v{version}".into()),
                dependents_bump: DependentsBump::None,
                changelog: ChangelogSettings {
                    enabled: false,
                    workspace_path: None,
                    crates: ChangelogOptions {
                        enabled: false,
                        ..ChangelogOptions::default()
                    },
                },
                github_release: GithubReleaseOptions::default(),
                groups: vec![
                    GroupSpec {
                        name: "serde".into(),
                        members: vec!["serde".into(), "serde_*".into()],
                        versioning: Versioning::Fixed,
                        tag_format: Some("serde-v{version}".into()),
                    },
                    GroupSpec {
                        name: "tools".into(),
                        members: vec!["xtask".into()],
                        versioning: Versioning::Independent,
                        tag_format: None,
                    },
                ],
                notify: NotifySettings {
                    repositories: vec!["org/downstream".into(), "org/other.repo".into()],
                    event_type: "crates-released".into(),
                },
                publish_timeout_secs: 120,
                semver_checks: SemverChecks::Required,
                packages: settings.packages.clone(),
                commits: CommitRules {
                    types: CommitRules::default()
                        .types
                        .into_iter()
                        .chain([
                            ("refactor".to_owned(), Bump::Patch),
                            ("perf".to_owned(), Bump::None),
                        ])
                        .collect(),
                    non_conventional: Bump::Patch,
                },
                owners: Vec::new(),
            }
        );
    }

    #[test]
    fn semver_checks_defaults_to_auto_and_a_package_table_overrides_it() {
        let settings = load_text("[package.a]\nsemver_checks = \"required\"\n").unwrap();
        assert_eq!(Settings::default().semver_checks, SemverChecks::Auto);
        assert_eq!(settings.semver_checks_for("a"), SemverChecks::Required);
        assert_eq!(settings.semver_checks_for("b"), SemverChecks::Auto);
        assert!(settings.check_packages(["a", "b"].into_iter()).is_ok());
    }

    #[test]
    fn a_package_table_for_no_member_is_an_error_naming_it_with_its_position() {
        let (dir, path) =
            with_file("semver_checks = \"off\"\n\n[package.widgts]\nsemver_checks = \"auto\"\n");
        let settings = load_settings(&path, false, None).unwrap();
        let err = settings
            .check_packages(["widgets", "gadgets"].into_iter())
            .unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert_eq!(
            err.to_string()
                .replace(&format!("{}/", dir.path().display()), ""),
            "releasekit.toml:3:10: invalid value \"widgts\" for package.widgts: expected the name of a workspace member: gadgets, widgets"
        );
    }

    #[test]
    fn bad_semver_checks_values_and_package_keys_are_refused() {
        assert_eq!(
            error_text("semver_checks = \"always\"\n"),
            "releasekit.toml:1:17: `semver_checks`: unknown variant `always`, expected one of `auto`, `required`, `off`"
        );
        assert!(
            error_text("[package.a]\nsemver-checks = \"off\"\n").starts_with(
                "releasekit.toml:2:1: unknown field `semver-checks`, expected one of `semver_checks`"
            ),
        );
    }

    #[test]
    fn workspace_metadata_table_is_read_when_there_is_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let manifest = r#"
[workspace]
members = ["crates/*"]

[workspace.metadata.releasekit]
dependents_bump = "none"

[workspace.metadata.releasekit.groups.core]
members = ["core-*"]
"#;
        let settings =
            load_settings(&dir.path().join("releasekit.toml"), false, Some(manifest)).unwrap();
        assert_eq!(settings.dependents_bump, DependentsBump::None);
        assert_eq!(settings.groups[0].name, "core");
    }

    #[test]
    fn package_metadata_table_is_read_for_a_single_crate_root() {
        let dir = tempfile::tempdir().unwrap();
        let manifest = "[package]\nname = \"solo\"\nversion = \"1.0.0\"\n\
                        [package.metadata.releasekit]\ntag_format = \"v{version}\"\n";
        let settings =
            load_settings(&dir.path().join("releasekit.toml"), false, Some(manifest)).unwrap();
        assert_eq!(settings.tag_format.as_deref(), Some("v{version}"));
    }

    #[test]
    fn file_and_metadata_table_together_are_an_error() {
        let (_dir, path) = with_file("tag_format = \"v{version}\"\n");
        let manifest = "[workspace]\n[workspace.metadata.releasekit]\n";
        let err = load_settings(&path, false, Some(manifest)).unwrap_err();
        assert!(matches!(err, ConfigError::TwoConfigs { .. }), "{err:?}");
        assert!(
            err.to_string()
                .ends_with("and Cargo.toml [workspace.metadata.releasekit]"),
            "{err}"
        );
        assert_eq!(
            err.hint().unwrap(),
            "keep the configuration in one place and delete the other"
        );
    }

    #[test]
    fn explicit_file_that_is_missing_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ci/releasekit.toml");
        let err = load_settings(&path, true, None).unwrap_err();
        assert!(matches!(err, ConfigError::MissingFile { .. }), "{err:?}");
        assert_eq!(
            err.to_string(),
            format!("configuration file {} does not exist", path.display())
        );
    }

    #[test]
    fn unknown_key_is_an_error_naming_it_with_its_position() {
        let message = error_text("dependents_bump = \"patch\"\ntagformat = \"v{version}\"\n");
        assert_eq!(
            message,
            "releasekit.toml:2:1: unknown field `tagformat`, expected one of `tag_format`, \
             `dependents_bump`, `changelog`, `github_release`, `groups`, `notify`, `publish_timeout`, \
             `semver_checks`, `package`, `commits`, `owners`"
        );
    }

    #[test]
    fn unknown_key_in_a_group_or_the_metadata_table_is_an_error() {
        assert!(
            error_text("[groups.a]\nmembers = [\"a\"]\nversion = \"fixed\"\n").starts_with(
                "releasekit.toml:3:1: unknown field `version`, expected one of `members`"
            ),
        );
        let dir = tempfile::tempdir().unwrap();
        let manifest = "[workspace]\n[workspace.metadata.releasekit]\nchangelogs = true\n";
        let err =
            load_settings(&dir.path().join("releasekit.toml"), false, Some(manifest)).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("Cargo.toml:3:1: unknown field `changelogs`"),
            "{err}"
        );
    }

    #[test]
    fn bad_enum_values_list_the_allowed_ones() {
        let message = error_text("[groups.a]\nmembers = [\"a\"]\nversioning = \"shared\"\n");
        assert_eq!(
            message,
            "releasekit.toml:3:14: `versioning`: unknown variant `shared`, expected `independent` or `fixed`"
        );
        let message = error_text("dependents_bump = \"minor\"\n");
        assert_eq!(
            message,
            "releasekit.toml:1:19: `dependents_bump`: unknown variant `minor`, expected `patch` or `none`"
        );
    }

    #[test]
    fn bad_tag_formats_are_refused() {
        for (format, reason) in [
            ("v{vers}", "unknown placeholder {vers}"),
            ("{name}-v", "{version} is missing"),
            ("v{version", "unmatched `{`"),
            ("v}{version}", "unmatched `}`"),
            ("release {version}", "git refuses the tags it makes"),
            ("v..{version}", "git refuses the tags it makes"),
        ] {
            let message = error_text(&format!("tag_format = \"{format}\"\n"));
            let head = format!(
                "releasekit.toml:1:14: invalid value \"{format}\" for tag_format: {reason}"
            );
            assert!(message.starts_with(&head), "{format}: {message}");
        }
        for format in [
            "v{version}",
            "{name}-v{version}",
            "{name}/{version}",
            "release-{version}",
            "{name}@{version}",
            "{name}.{version}",
        ] {
            assert!(check_tag_format(format).is_ok(), "{format}");
        }
    }

    #[test]
    fn a_tag_format_that_renders_a_name_git_refuses_is_an_error_with_its_position() {
        for (format, why) in [
            (
                "{name}-v{version}.lock",
                "a part between `/` ends with `.lock`",
            ),
            ("{name}/v{version}/", "it begins or ends with `/`"),
            ("/v{version}", "it begins or ends with `/`"),
            ("{name}//{version}", "two `/` in a row"),
            ("{name}/.v{version}", "a part between `/` begins with `.`"),
            ("v{version}.", "it ends with `.`"),
            ("v@{{version}", "unknown placeholder"),
            ("-v{version}", "it begins with `-`"),
            ("v{version}\\u0007", "control character U+0007"),
            ("v{version}\\t", "control character U+0009"),
            ("{name}:{version}", "it has `:`"),
        ] {
            let message = error_text(&format!("tag_format = \"{format}\"\n"));
            assert!(
                message.starts_with("releasekit.toml:1:14: invalid value") && message.contains(why),
                "{format}: {message}"
            );
        }
        let long = format!("{}{{version}}", "x".repeat(300));
        assert!(
            error_text(&format!("tag_format = \"{long}\"\n")).contains("longer than 250 bytes")
        );
    }

    #[test]
    fn publish_timeout_is_at_most_a_day() {
        assert_eq!(
            load_text("publish_timeout = 86400\n")
                .unwrap()
                .publish_timeout_secs,
            86400
        );
        assert!(error_text("publish_timeout = 86401\n").contains("from 1 to 86400 (24 hours)"));
    }

    #[test]
    fn group_tag_format_is_checked_with_its_key() {
        let message = error_text("[groups.a]\nmembers = [\"a\"]\ntag_format = \"a-{name}\"\n");
        assert!(
            message.starts_with(
                "releasekit.toml:3:14: invalid value \"a-{name}\" for groups.a.tag_format"
            ),
            "{message}"
        );
    }

    #[test]
    fn group_needs_valid_name_and_members() {
        let cases = [
            (
                "[groups.\"a b\"]\nmembers = [\"a\"]\n",
                "releasekit.toml:1:9: invalid value \"a b\" for groups.a b",
            ),
            (
                "[groups.a]\nmembers = []\n",
                "releasekit.toml:2:11: invalid value \"[]\" for groups.a.members",
            ),
            (
                "[groups.a]\nmembers = [\"a[\"]\n",
                "releasekit.toml:2:12: invalid value \"a[\" for groups.a.members",
            ),
            (
                "[groups.a]\nversioning = \"fixed\"\n",
                "releasekit.toml:1:1: missing field `members`",
            ),
        ];
        for (text, head) in cases {
            let message = error_text(text);
            assert!(message.starts_with(head), "{text}: {message}");
        }
        let long = error_text(&format!(
            "[groups.{}]\nmembers = [\"a\"]\n",
            "g".repeat(300)
        ));
        assert!(
            long.starts_with("releasekit.toml:1:9: invalid value")
                && long.contains("its release branch can carry (a part between `/` is longer"),
            "{long}"
        );
    }

    #[test]
    fn notify_and_timeout_values_are_checked() {
        let cases = [
            (
                "[notify]\nrepositories = [\"just-a-name\"]\n",
                "releasekit.toml:2:17: invalid value \"just-a-name\" for notify.repositories: expected \
                 a GitHub repository as owner/name",
            ),
            (
                "[notify]\nevent_type = \"\"\n",
                "releasekit.toml:2:14: invalid value \"\" for notify.event_type: expected 1 to 100 \
                 characters (GitHub's limit for repository_dispatch)",
            ),
            (
                "publish_timeout = 0\n",
                "releasekit.toml:1:19: invalid value \"0\" for publish_timeout: expected a number of \
                 seconds from 1 to 86400 (24 hours)",
            ),
            (
                "publish_timeout = -5\n",
                "releasekit.toml:1:19: invalid value \"-5\" for publish_timeout: expected a number of \
                 seconds from 1 to 86400 (24 hours)",
            ),
            (
                "publish_timeout = 9223372036854775807\n",
                "releasekit.toml:1:19: invalid value \"9223372036854775807\" for publish_timeout: \
                 expected a number of seconds from 1 to 86400 (24 hours)",
            ),
        ];
        for (text, message) in cases {
            assert_eq!(error_text(text), message, "{text}");
        }
        let long = "x".repeat(101);
        assert!(error_text(&format!("[notify]\nevent_type = \"{long}\"\n")).contains("1 to 100"));
    }

    #[test]
    fn commit_rules_refuse_unknown_bumps_unknown_types_and_a_type_listed_twice_with_their_position()
    {
        let cases = [
            (
                "[commits]\ntypes = { refactor = \"huge\" }\n",
                "releasekit.toml:2:22: invalid value \"huge\" for commits.types.refactor: expected \
                 one of none, patch, minor, major",
            ),
            (
                "[commits.types]\ndocs = \"none\"\n\"feat!\" = \"minor\"\n",
                "releasekit.toml:3:1: invalid value \"feat!\" for commits.types: expected one of \
                 the Conventional Commits types: feat, fix, perf, refactor, docs, style, test, \
                 build, ci, chore, revert, deps",
            ),
            (
                "[commits]\ntypes = { refactr = \"patch\" }\n",
                "releasekit.toml:2:11: invalid value \"refactr\" for commits.types: expected one of \
                 the Conventional Commits types: feat, fix, perf, refactor, docs, style, test, \
                 build, ci, chore, revert, deps",
            ),
            (
                "[commits]\ntypes = { breaking = \"minor\" }\n",
                "releasekit.toml:2:11: invalid value \"breaking\" for commits.types: expected one of \
                 the Conventional Commits types: feat, fix, perf, refactor, docs, style, test, \
                 build, ci, chore, revert, deps",
            ),
            (
                "[commits.types]\nrefactor = \"none\"\nRefactor = \"patch\"\n",
                "releasekit.toml:3:1: invalid value \"Refactor\" for commits.types: expected each \
                 type once (types are read in lower case, and `refactor` is listed already)",
            ),
            (
                "[commits.types.feat]\nbump = \"minor\"\n",
                "releasekit.toml:1:1: invalid value \"a table\" for commits.types.feat: expected \
                 one of none, patch, minor, major",
            ),
            (
                "[commits]\nnon_conventional = \"minor\"\n",
                "releasekit.toml:2:20: invalid value \"minor\" for commits.non_conventional: \
                 expected none or patch",
            ),
            (
                "[commits]\nbump = {}\n",
                "releasekit.toml:2:1: unknown field `bump`, expected `types` or `non_conventional`",
            ),
        ];
        for (text, message) in cases {
            assert_eq!(error_text(text), message, "{text}");
        }
    }

    #[test]
    fn commit_types_are_read_in_lower_case_over_the_defaults() {
        let rules = load_text("[commits.types]\nRefactor = \"patch\"\nfeat = \"patch\"\n")
            .unwrap()
            .commits;
        assert_eq!(rules.types["refactor"], Bump::Patch);
        assert_eq!(rules.types["feat"], Bump::Patch);
        assert_eq!(rules.types["fix"], Bump::Patch);
        assert_eq!(rules.non_conventional, Bump::None);
    }

    #[test]
    fn metadata_table_errors_name_the_full_key() {
        let dir = tempfile::tempdir().unwrap();
        let manifest = "[workspace]\n\n[workspace.metadata.releasekit]\ntag_format = \"x\"\n";
        let err =
            load_settings(&dir.path().join("releasekit.toml"), false, Some(manifest)).unwrap_err();
        assert!(
            err.to_string().starts_with(
                "Cargo.toml:4:14: invalid value \"x\" for workspace.metadata.releasekit.tag_format"
            ),
            "{err}"
        );
    }

    fn config_with_group(group: Option<&str>) -> Config {
        let mut args = vec![OsString::from("releasekit-cargo"), OsString::from("plan")];
        if let Some(group) = group {
            args.extend([OsString::from("--group"), OsString::from(group)]);
        }
        load(args, Vec::<(String, String)>::new()).unwrap()
    }

    #[test]
    fn group_check_accepts_a_configured_group_or_none() {
        let settings = load_text("[groups.core]\nmembers = [\"core*\"]\n").unwrap();
        assert!(check_group(&config_with_group(Some("core")), &settings).is_ok());
        assert!(check_group(&config_with_group(None), &settings).is_ok());
        assert!(check_group(&config_with_group(None), &Settings::default()).is_ok());
    }

    #[test]
    fn group_check_refuses_an_unknown_group_and_lists_the_known_ones() {
        let settings =
            load_text("[groups.core]\nmembers = [\"core*\"]\n[groups.cli]\nmembers = [\"cli\"]\n")
                .unwrap();
        let err = check_group(&config_with_group(Some("tools")), &settings).unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown group \"tools\": the configured groups are cli, core"
        );
        let err = check_group(&config_with_group(Some("tools")), &Settings::default()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown group \"tools\": no groups are configured"
        );
        assert!(err.hint().unwrap().contains("[groups.<name>]"));
    }

    #[test]
    fn owners_are_logins_or_teams_kept_once_in_their_order() {
        let settings =
            load_text("owners = [\"github:acme:release-team\", \"octo-cat\", \"octo-cat\"]\n")
                .unwrap();
        assert_eq!(settings.owners, ["github:acme:release-team", "octo-cat"]);
        for bad in [
            "github:acme",
            "octo cat",
            "-octo",
            "github:ac me:team",
            "a--b",
            "",
        ] {
            let text = format!("owners = [{bad:?}]\n");
            let err = error_text(&text);
            assert!(
                err.starts_with(&format!(
                    "releasekit.toml:1:11: invalid value {bad:?} for owners: expected a GitHub login"
                )),
                "{bad}: {err}"
            );
        }
    }
}
