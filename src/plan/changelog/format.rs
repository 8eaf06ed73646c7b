//! How a changelog section is shaped (`[changelog]`): which commits are listed under which
//! heading, in which order, and how one entry reads.
//!
//! A commit is listed under the first section that names one of its types, tried from the most
//! specific: `breaking` (a breaking change), `deps` (a dependency update), its own type
//! (`feat`), then `other` (a commit the `[commits]` rules make release whose type no section
//! names). A revert of a change released before is never listed. The lines the plan writes
//! itself go under the section naming `breaking` (API breaks found by cargo-semver-checks) and
//! `deps` (requirements that follow a released dependency). The defaults are DESIGN §3's
//! sections, with the built-in entry. Pure.

use serde::Serialize;

use crate::plan::Bump;
use crate::plan::commits::{ConventionalCommit, DEPENDENCY_UPDATE, is_dependency_update};
use crate::plan::template::{Template, TemplateError};

/// The pseudo-type of breaking changes.
pub const BREAKING: &str = "breaking";
/// The pseudo-type of releasing commits whose type no section names.
pub const OTHER: &str = "other";
/// What an entry template may use.
pub const ENTRY_PLACEHOLDERS: &[&str] = &["scope", "subject", "hash", "pr", "breaking"];
/// The file written in each crate's directory.
pub const DEFAULT_PATH: &str = "CHANGELOG.md";

/// One `###` heading and the types listed under it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SectionSpec {
    pub title: String,
    /// Commit types, lower case, and the pseudo-types `breaking`, `deps` and `other`.
    pub types: Vec<String>,
}

/// The sections, in order, and the entry of one commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangelogFormat {
    pub sections: Vec<SectionSpec>,
    /// `None`: the built-in entry, `- **scope:** subject (#pr, hash)` with the breaking-change
    /// text indented below.
    pub entry: Option<Template>,
}

impl Default for ChangelogFormat {
    fn default() -> ChangelogFormat {
        ChangelogFormat {
            sections: default_sections(),
            entry: None,
        }
    }
}

/// DESIGN §3: Breaking changes, Features, Fixes, Performance, Dependencies, Other changes.
pub fn default_sections() -> Vec<SectionSpec> {
    [
        (BREAKING, "Breaking changes"),
        ("feat", "Features"),
        ("fix", "Fixes"),
        ("perf", "Performance"),
        (DEPENDENCY_UPDATE, "Dependencies"),
        (OTHER, "Other changes"),
    ]
    .into_iter()
    .map(|(kind, title)| SectionSpec {
        title: title.to_owned(),
        types: vec![kind.to_owned()],
    })
    .collect()
}

/// Whether a changelog is written for a crate, where, and how it reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangelogOptions {
    pub enabled: bool,
    /// Relative to the crate's directory.
    pub path: String,
    pub format: ChangelogFormat,
}

impl Default for ChangelogOptions {
    fn default() -> ChangelogOptions {
        ChangelogOptions {
            enabled: true,
            path: DEFAULT_PATH.to_owned(),
            format: ChangelogFormat::default(),
        }
    }
}

impl ChangelogFormat {
    /// The index of the section `commit` is listed under; `None`: it is not listed.
    pub fn section_of(&self, commit: &ConventionalCommit) -> Option<usize> {
        changelog_types(commit)
            .into_iter()
            .find_map(|kind| self.section_named(kind))
    }

    /// The section that names `kind`.
    pub fn section_named(&self, kind: &str) -> Option<usize> {
        self.sections
            .iter()
            .position(|s| s.types.iter().any(|t| t == kind))
    }

    /// The Markdown list item of `commit`; `url` (`https://github.com/owner/repo`) turns the
    /// hash and the PR number into links. Lines after the first are indented so the item stays
    /// one list item.
    pub fn entry(
        &self,
        commit: &ConventionalCommit,
        url: Option<&str>,
    ) -> Result<String, TemplateError> {
        let pr = commit.pr.map(|pr| match url {
            Some(url) => format!("[#{pr}]({url}/pull/{pr})"),
            None => format!("#{pr}"),
        });
        let hash = match url {
            Some(url) => format!("[{}]({url}/commit/{})", commit.short_id, commit.id),
            None => commit.short_id.clone(),
        };
        let Some(template) = &self.entry else {
            return Ok(builtin_entry(commit, pr, hash));
        };
        let breaking = match &commit.breaking_description {
            _ if !commit.breaking => "",
            Some(text) => text.as_str(),
            None => commit.summary.as_str(),
        };
        let text = template.render(&[
            ("scope", commit.scope.as_deref().unwrap_or("")),
            ("subject", &commit.summary),
            ("hash", &hash),
            ("pr", pr.as_deref().unwrap_or("")),
            ("breaking", breaking),
        ])?;
        let mut lines = text.trim_end().lines();
        let mut out = lines.next().unwrap_or("").trim_end().to_owned();
        push_continuation(&mut out, lines);
        Ok(out)
    }
}

/// The types `commit` may be listed under, most specific first.
fn changelog_types(commit: &ConventionalCommit) -> Vec<&str> {
    // A revert left in the list reverts a change released before: it is not listed.
    if commit.reverts.is_some() {
        return Vec::new();
    }
    let mut types = Vec::with_capacity(4);
    if commit.breaking {
        types.push(BREAKING);
    }
    if let Some(kind) = commit.kind.as_deref() {
        if is_dependency_update(kind, commit.scope.as_deref()) {
            types.push(DEPENDENCY_UPDATE);
        }
        types.push(kind);
    }
    if commit.bump > Bump::None {
        types.push(OTHER);
    }
    types
}

/// `- **scope:** summary (#12, abc1234)`, the breaking-change text below when it says more.
fn builtin_entry(commit: &ConventionalCommit, pr: Option<String>, hash: String) -> String {
    let refs: Vec<String> = pr.into_iter().chain([hash]).collect();
    let scope = commit
        .scope
        .as_ref()
        .map(|scope| format!("**{scope}:** "))
        .unwrap_or_default();
    let mut line = format!("- {scope}{} ({})", commit.summary, refs.join(", "));
    if let Some(description) = commit.breaking_description.as_deref()
        && commit.breaking
        && description != commit.summary
    {
        push_continuation(&mut line, description.lines());
    }
    line
}

/// Append `lines`, each on its own line indented by two spaces (blank ones left empty).
fn push_continuation<'a>(out: &mut String, lines: impl Iterator<Item = &'a str>) {
    for part in lines {
        out.push('\n');
        if !part.trim().is_empty() {
            out.push_str("  ");
            out.push_str(part.trim_end());
        }
    }
}
