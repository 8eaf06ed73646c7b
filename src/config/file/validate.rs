//! Checking the values serde cannot judge: tag formats, groups, notify targets, timeouts and
//! owners, each refused with its key, value, position and what is allowed.

use semver::Version;
use toml::Spanned;

use super::{
    DEFAULT_EVENT_TYPE, DEFAULT_PUBLISH_TIMEOUT_SECS, MAX_EVENT_TYPE_CHARS,
    MAX_PUBLISH_TIMEOUT_SECS,
};
use super::{NotifySettings, RawSettings, Settings, Source};
use crate::config::{ConfigError, is_name};
use crate::plan::github_release::GithubReleaseOptions;
use crate::plan::history::tag_name;
use crate::plan::refname::check_ref_name;
use crate::plan::release::GroupSpec;
use crate::plan::trigger::release_branch;

impl Source<'_> {
    pub(super) fn tag_format(
        &self,
        key: &str,
        value: Option<Spanned<String>>,
    ) -> Result<Option<String>, ConfigError> {
        let Some(value) = value else { return Ok(None) };
        check_tag_format(value.get_ref())
            .map_err(|expected| self.error(value.span(), key, value.get_ref(), &expected))?;
        Ok(Some(value.into_inner()))
    }

    pub(super) fn validate(&self, raw: RawSettings) -> Result<Settings, ConfigError> {
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
