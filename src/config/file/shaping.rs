//! `[changelog]` and `[github_release]`, at the top and in `[package.<name>]`: how changelogs
//! and GitHub Releases are shaped (DESIGN §3 "Shaping").
//!
//! Checked here, each with the line and column it was written at: section types (a word, never
//! in two sections), titles (one line), templates (their placeholders, their braces) and file
//! paths (relative, inside the crate or the workspace). A `[package.<name>]` table sets only
//! what it names; the rest comes from the top-level tables.

use std::ops::Range;
use std::path::{Component, Path};

use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::{ConfigError, Source, is_commit_type};
use crate::plan::changelog::{ChangelogFormat, ChangelogOptions, ENTRY_PLACEHOLDERS, SectionSpec};
use crate::plan::github_release::{BODY_PLACEHOLDERS, GithubReleaseOptions, Latest};
use crate::plan::template::Template;

/// `[changelog]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangelogSettings {
    /// Whether crate changelogs are written (each crate may say otherwise).
    pub enabled: bool,
    /// The workspace changelog, relative to the workspace root.
    pub workspace_path: Option<String>,
    /// Every crate's changelog, unless `[package.<name>.changelog]` says otherwise.
    pub crates: ChangelogOptions,
}

impl Default for ChangelogSettings {
    fn default() -> ChangelogSettings {
        ChangelogSettings {
            enabled: true,
            workspace_path: None,
            crates: ChangelogOptions::default(),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawChangelog {
    enabled: Option<bool>,
    path: Option<Spanned<String>>,
    workspace_path: Option<Spanned<String>>,
    entry: Option<Spanned<String>>,
    sections: Option<Spanned<Vec<RawSection>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSection {
    types: Spanned<Vec<Spanned<String>>>,
    title: Spanned<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawGithubRelease {
    enabled: Option<bool>,
    draft: Option<bool>,
    body: Option<Spanned<String>>,
    latest: Option<Latest>,
}

impl Source<'_> {
    /// The top-level `[changelog]`.
    pub(super) fn changelog(
        &self,
        mut raw: RawChangelog,
    ) -> Result<ChangelogSettings, ConfigError> {
        let workspace_path = match raw.workspace_path.take() {
            None => None,
            Some(path) => Some(self.relative_path("changelog.workspace_path", path)?),
        };
        let defaults = ChangelogOptions::default();
        let crates = self.changelog_options("changelog", raw, &defaults)?;
        Ok(ChangelogSettings {
            enabled: crates.enabled,
            workspace_path,
            crates,
        })
    }

    /// `[package.<name>.changelog]` over `base` (`workspace_path` is the workspace's alone).
    pub(super) fn package_changelog(
        &self,
        key: &str,
        raw: RawChangelog,
        base: &ChangelogOptions,
    ) -> Result<ChangelogOptions, ConfigError> {
        if let Some(path) = &raw.workspace_path {
            return Err(self.error(
                path.span(),
                &format!("{key}.workspace_path"),
                path.get_ref(),
                "expected it in the top-level [changelog] only: the workspace has one changelog",
            ));
        }
        self.changelog_options(key, raw, base)
    }

    fn changelog_options(
        &self,
        key: &str,
        raw: RawChangelog,
        base: &ChangelogOptions,
    ) -> Result<ChangelogOptions, ConfigError> {
        let path = match raw.path {
            None => base.path.clone(),
            Some(path) => self.relative_path(&format!("{key}.path"), path)?,
        };
        let entry = match raw.entry {
            None => base.format.entry.clone(),
            Some(entry) => {
                Some(self.template(&format!("{key}.entry"), entry, ENTRY_PLACEHOLDERS)?)
            }
        };
        let sections = match raw.sections {
            None => base.format.sections.clone(),
            Some(sections) => self.sections(&format!("{key}.sections"), sections)?,
        };
        Ok(ChangelogOptions {
            enabled: raw.enabled.unwrap_or(base.enabled),
            path,
            format: ChangelogFormat { sections, entry },
        })
    }

    fn sections(
        &self,
        key: &str,
        raw: Spanned<Vec<RawSection>>,
    ) -> Result<Vec<SectionSpec>, ConfigError> {
        if raw.get_ref().is_empty() {
            return Err(self.error(
                raw.span(),
                key,
                "[]",
                "expected at least one section, such as { types = [\"feat\"], title = \"Added\" }",
            ));
        }
        let mut sections: Vec<SectionSpec> = Vec::with_capacity(raw.get_ref().len());
        for section in raw.into_inner() {
            let title = section.title.get_ref().trim();
            if title.is_empty() || title.contains(['\n', '\r']) {
                return Err(self.error(
                    section.title.span(),
                    &format!("{key}.title"),
                    &section.title.get_ref().escape_debug().to_string(),
                    "expected a heading of one line that is not empty",
                ));
            }
            if section.types.get_ref().is_empty() {
                return Err(self.error(
                    section.types.span(),
                    &format!("{key}.types"),
                    "[]",
                    "expected at least one commit type, such as \"feat\", or a pseudo-type: breaking, deps, other",
                ));
            }
            let mut types = Vec::with_capacity(section.types.get_ref().len());
            for kind in section.types.into_inner() {
                if !is_commit_type(kind.get_ref()) {
                    return Err(self.error(
                        kind.span(),
                        &format!("{key}.types"),
                        kind.get_ref(),
                        "expected a commit type of ASCII letters, digits and `-` (such as `feat`), or a pseudo-type: breaking, deps, other",
                    ));
                }
                let lower = kind.get_ref().to_lowercase();
                let earlier = (sections.iter())
                    .find(|s| s.types.contains(&lower))
                    .map(|s| s.title.as_str())
                    .or_else(|| types.contains(&lower).then_some(title));
                if let Some(earlier) = earlier {
                    return Err(self.error(
                        kind.span(),
                        &format!("{key}.types"),
                        kind.get_ref(),
                        &format!(
                            "expected each type in one section only; {lower} is listed under \"{earlier}\" already"
                        ),
                    ));
                }
                types.push(lower);
            }
            sections.push(SectionSpec {
                title: title.to_owned(),
                types,
            });
        }
        Ok(sections)
    }

    /// The top-level `[github_release]`, or a package's over `base`.
    pub(super) fn github_release(
        &self,
        key: &str,
        raw: RawGithubRelease,
        base: &GithubReleaseOptions,
    ) -> Result<GithubReleaseOptions, ConfigError> {
        let body = match raw.body {
            None => base.body.clone(),
            Some(body) => Some(self.template(&format!("{key}.body"), body, BODY_PLACEHOLDERS)?),
        };
        Ok(GithubReleaseOptions {
            enabled: raw.enabled.unwrap_or(base.enabled),
            draft: raw.draft.unwrap_or(base.draft),
            body,
            latest: raw.latest.unwrap_or(base.latest),
        })
    }

    /// A template that uses only `placeholders`; an error points at the place in it.
    fn template(
        &self,
        key: &str,
        value: Spanned<String>,
        placeholders: &[&str],
    ) -> Result<Template, ConfigError> {
        Template::parse(value.get_ref(), placeholders).map_err(|err| {
            let at = self.inside_string(value.span(), value.get_ref(), err.offset);
            self.error(
                at..at,
                key,
                &value.get_ref().escape_debug().to_string(),
                &format!("expected a template: {}", err.message),
            )
        })
    }

    /// The byte offset in the file of byte `offset` of the string `value` written at `span`
    /// (escapes followed); the start of the value when the text cannot be followed.
    fn inside_string(&self, span: Range<usize>, value: &str, offset: usize) -> usize {
        let Some(raw) = self.text.get(span.clone()) else {
            return span.start;
        };
        let quote = if raw.starts_with("\"\"\"") || raw.starts_with("'''") {
            3
        } else {
            1
        };
        let literal = raw.starts_with('\'');
        let Some(inner) = raw.get(quote..raw.len().saturating_sub(quote)) else {
            return span.start;
        };
        // A newline right after the opening of a multi-line string is not part of it.
        let skip = match inner {
            _ if quote == 1 => 0,
            _ if inner.starts_with("\r\n") => 2,
            _ if inner.starts_with('\n') => 1,
            _ => 0,
        };
        match raw_offset(&inner[skip..], value, offset, literal) {
            Some(at) => span.start + quote + skip + at,
            None => span.start,
        }
    }

    /// A file path relative to a crate or the workspace: no `..`, not absolute, not empty.
    fn relative_path(&self, key: &str, value: Spanned<String>) -> Result<String, ConfigError> {
        let text = value.get_ref();
        let path = Path::new(text);
        let climbs = path
            .components()
            .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir));
        let names_a_file = path.components().any(|c| matches!(c, Component::Normal(_)));
        // git's own files, and the files apply writes itself, are no changelog.
        let reserved = path.components().any(|c| {
            let part = c.as_os_str().to_string_lossy();
            part.eq_ignore_ascii_case(".git")
        }) || path.file_name().is_some_and(|name| {
            let name = name.to_string_lossy();
            name.eq_ignore_ascii_case("Cargo.toml") || name.eq_ignore_ascii_case("Cargo.lock")
        });
        if text.is_empty()
            || climbs
            || reserved
            || !names_a_file
            || text.ends_with('/')
            || text.contains(['\\', '\0'])
        {
            return Err(self.error(
                value.span(),
                key,
                &text.escape_debug().to_string(),
                "expected a relative file path inside the repository, without `..`, outside `.git` and not a `Cargo.toml` or `Cargo.lock`, such as \"CHANGELOG.md\" or \"docs/CHANGES.md\"",
            ));
        }
        Ok(value.into_inner())
    }
}

/// Where byte `offset` of the decoded string `value` is in its TOML text `raw` (between the
/// quotes): TOML's escapes (`\n`, `\"`, `\u00e9`, a backslash ending a line) are stepped over.
fn raw_offset(raw: &str, value: &str, offset: usize, literal: bool) -> Option<usize> {
    let (mut r, mut v) = (0, 0);
    while v < offset {
        let rest = raw.get(r..)?;
        if !literal && let Some(escape) = rest.strip_prefix('\\') {
            let after = escape.trim_start_matches([' ', '\t']);
            if after.starts_with(['\n', '\r']) {
                // A line-ending backslash: the whitespace after it is no part of the value.
                let kept = after.trim_start_matches([' ', '\t', '\n', '\r']);
                r += rest.len() - kept.len();
                continue;
            }
            r += 1 + match escape.chars().next()? {
                'u' => 5,
                'U' => 9,
                _ => 1,
            };
        } else {
            r += rest.chars().next()?.len_utf8();
        }
        v += value.get(v..)?.chars().next()?.len_utf8();
    }
    Some(r)
}

#[cfg(test)]
mod tests;
