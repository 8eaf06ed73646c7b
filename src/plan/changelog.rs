//! Keep a Changelog text: render one release's section from its commits and insert it into a
//! crate's existing changelog, or under the crate's name into the workspace's.
//!
//! Pure: takes the date and the old file text as arguments and returns the new text; reading
//! and writing the file is the caller's. Text it did not write is kept byte for byte, and
//! inserting the same version again replaces that section, so a re-run converges. How a
//! section is shaped (its headings, its entries) is `format`'s.

mod format;
mod headings;

use semver::Version;

pub use format::{
    BREAKING, ChangelogFormat, ChangelogOptions, DEFAULT_PATH, ENTRY_PLACEHOLDERS, OTHER,
    SectionSpec, default_sections,
};
pub use headings::adopt_headings;

use super::commits::{ConventionalCommit, DEPENDENCY_UPDATE};
use super::template::TemplateError;

/// What one release's section is made of.
pub struct SectionInput<'a> {
    pub version: &'a Version,
    /// `YYYY-MM-DD`; the plan reads no clock.
    pub date: &'a str,
    /// Newest first; only those a section lists are written.
    pub commits: &'a [ConventionalCommit],
    /// Extra lines listed under the section naming `deps` after the dependency updates, e.g.
    /// "update `foo` to 1.2.0".
    pub notes: &'a [String],
    /// API breaks found by cargo-semver-checks, listed under the section naming `breaking`
    /// after the commits that declared theirs.
    pub api_breaks: &'a [String],
    /// `https://github.com/owner/repo`: turns hashes, PR numbers and the heading into links.
    pub repository_url: Option<&'a str>,
    /// `(prior_tag, planned_tag)`: the heading links to the comparison of the two.
    pub compare: Option<(&'a str, &'a str)>,
    /// The sections and the entry.
    pub format: &'a ChangelogFormat,
}

/// The start of a changelog we create.
const HEADER: &str = "# Changelog

All notable changes to this project will be documented in this file.

The format is based on [Keep a Changelog](https://keepachangelog.com/en/1.1.0/),
and this project adheres to [Semantic Versioning](https://semver.org/spec/v2.0.0.html).
";

/// GitHub's page comparing `from` with `to` in the repository at `url`.
pub fn compare_url(url: &str, from: &str, to: &str) -> String {
    format!("{}/compare/{from}...{to}", url.trim_end_matches('/'))
}

/// The Markdown of one release: heading, then one `###` subsection per section of the
/// format that lists anything, ending with a single newline.
pub fn render_section(input: &SectionInput) -> Result<String, TemplateError> {
    let url = input.repository_url.map(|url| url.trim_end_matches('/'));
    let version = input.version;
    let date = input.date;
    let mut out = match (url, input.compare) {
        (Some(url), Some((prior, planned))) => {
            let compare = compare_url(url, prior, planned);
            format!("## [{version}]({compare}) - {date}\n")
        }
        _ => format!("## [{version}] - {date}\n"),
    };
    let format = input.format;
    let mut lines: Vec<Vec<String>> = vec![Vec::new(); format.sections.len()];
    for commit in input.commits {
        if let Some(at) = format.section_of(commit) {
            lines[at].push(format.entry(commit, url)?);
        }
    }
    let own_lines = [
        (BREAKING, input.api_breaks),
        (DEPENDENCY_UPDATE, input.notes),
    ];
    for (kind, extra) in own_lines {
        if let Some(at) = format.section_named(kind) {
            lines[at].extend(extra.iter().map(|line| format!("- {line}")));
        }
    }
    let mut listed = false;
    for (spec, lines) in format.sections.iter().zip(&lines) {
        listed |= push_subsection(&mut out, &spec.title, lines);
    }
    if !listed {
        // A forced bump can release a crate whose commits list nothing.
        out.push_str("\nNo notable changes.\n");
    }
    Ok(out)
}

/// `section` as the workspace changelog has it: its heading names the crate too
/// (`## [foo 1.4.0](…) - date`).
pub fn workspace_section(name: &str, section: &str) -> String {
    match section.strip_prefix("## [") {
        Some(rest) => format!("## [{name} {rest}"),
        None => section.to_owned(),
    }
}

/// Put `section` into the changelog text `existing` (`None`: there is no file yet, so it starts
/// with a Keep a Changelog header). Newest first: before the first `## ` heading that is not
/// Unreleased, or at the end (before trailing link definitions). A section already there for
/// `version` is replaced instead. Every other byte of `existing` is kept; a CRLF file gets the
/// section with CRLF line endings.
pub fn insert_section(existing: Option<&str>, version: &Version, section: &str) -> String {
    insert_where(existing, |heading| names_version(heading, version), section)
}

/// Put `section` (from [`workspace_section`]) into the workspace changelog `existing`, as
/// [`insert_section`] does; the section already there is the one naming `name` and `version`.
pub fn insert_workspace_section(
    existing: Option<&str>,
    name: &str,
    version: &Version,
    section: &str,
) -> String {
    insert_where(
        existing,
        |heading| names_crate_version(heading, name, version),
        section,
    )
}

fn insert_where(existing: Option<&str>, same: impl Fn(&str) -> bool, section: &str) -> String {
    let Some(text) = existing else {
        return format!("{HEADER}\n{section}");
    };
    let crlf = text.find('\n').is_some_and(|at| text[..at].ends_with('\r'));
    let nl = if crlf { "\r\n" } else { "\n" };
    let section = if crlf {
        section.replace("\r\n", "\n").replace('\n', "\r\n")
    } else {
        section.to_owned()
    };
    let headings = level_two_headings(text);
    let tail = trailing_link_definitions(text);
    let same = headings.iter().position(|(_, heading)| same(heading));
    // Text that runs straight into the end of the file needs a blank line before the new
    // heading; above an existing heading the old text already ends the way its author chose.
    let (before, after, at_end) = match same {
        Some(index) => {
            let end = headings.get(index + 1).map_or(tail, |&(at, _)| at);
            (&text[..headings[index].0], &text[end..], false)
        }
        None => match headings.iter().find(|(_, heading)| !is_unreleased(heading)) {
            Some(&(at, _)) => (&text[..at], &text[at..], false),
            None => (&text[..tail], &text[tail..], true),
        },
    };
    let mut out = String::with_capacity(text.len() + section.len() + 4);
    out.push_str(before);
    if at_end && !before.is_empty() && !before.ends_with(&format!("{nl}{nl}")) {
        if !before.ends_with('\n') {
            out.push_str(nl);
        }
        out.push_str(nl);
    }
    out.push_str(&section);
    if !after.is_empty() {
        out.push_str(nl);
        out.push_str(after);
    }
    out
}

/// The body of `version`'s section in a changelog (without its `## ` heading, trimmed): what
/// a GitHub Release says. `None` when the changelog has no section for it.
pub fn section(text: &str, version: &Version) -> Option<String> {
    body(&whole_section(text, version)?)
}

/// `version`'s section with its `## ` heading, as the file has it (line ends as `\n`, trailing
/// white space trimmed): what the Release PR shows, the maintainer's edits included.
pub fn whole_section(text: &str, version: &Version) -> Option<String> {
    whole_where(text, |heading| names_version(heading, version))
}

/// [`section`] of crate `name` in the workspace changelog.
pub fn workspace_section_body(text: &str, name: &str, version: &Version) -> Option<String> {
    body(&whole_where(text, |heading| {
        names_crate_version(heading, name, version)
    })?)
}

/// A section without its heading, trimmed.
fn body(whole: &str) -> Option<String> {
    let body = whole.split_once('\n').map_or("", |(_, rest)| rest);
    Some(body.trim().to_owned())
}

fn whole_where(text: &str, same: impl Fn(&str) -> bool) -> Option<String> {
    let headings = level_two_headings(text);
    let index = headings.iter().position(|(_, heading)| same(heading))?;
    let start = headings[index].0;
    let end = headings
        .get(index + 1)
        .map_or_else(|| trailing_link_definitions(text), |&(at, _)| at);
    Some(text[start..end].trim_end().replace("\r\n", "\n"))
}

/// Appends `### title` and its lines; says whether there was anything to append.
fn push_subsection(out: &mut String, title: &str, lines: &[String]) -> bool {
    if lines.is_empty() {
        return false;
    }
    out.push_str(&format!("\n### {title}\n\n"));
    for line in lines {
        out.push_str(line);
        out.push('\n');
    }
    true
}

/// Byte offset and text of every `## ` heading outside fenced code blocks.
fn level_two_headings(text: &str) -> Vec<(usize, &str)> {
    let mut headings = Vec::new();
    let mut offset = 0;
    let mut fenced = false;
    for line in text.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        if content.starts_with("```") || content.starts_with("~~~") {
            fenced = !fenced;
        } else if !fenced && let Some(heading) = content.strip_prefix("## ") {
            headings.push((offset, heading.trim()));
        }
        offset += line.len();
    }
    headings
}

/// Where the trailing block of link reference definitions (`[1.3.0]: https://…`) begins, so
/// that "the end" of a changelog stays above them; `text.len()` when there are none.
fn trailing_link_definitions(text: &str) -> usize {
    let mut start = text.len();
    let mut offset = text.len();
    for line in text.split_inclusive('\n').rev() {
        offset -= line.len();
        let content = line.trim();
        if content.is_empty() {
            continue;
        }
        let is_definition = content.starts_with('[')
            && content
                .find("]:")
                .is_some_and(|at| at > 1 && !content[1..at].contains(']'));
        if !is_definition {
            break;
        }
        start = offset;
    }
    start
}

/// `[1.4.0] - …`, `[1.4.0](…) - …`, `1.4.0 - …` or `v1.4.0` name `version`.
fn names_version(heading: &str, version: &Version) -> bool {
    let named = match heading.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or(""),
        None => heading.split_whitespace().next().unwrap_or(""),
    };
    named.strip_prefix('v').unwrap_or(named) == version.to_string()
}

/// `[foo 1.4.0] - …`, `[foo 1.4.0](…) - …` or `foo v1.4.0` name crate `name` at `version`.
fn names_crate_version(heading: &str, name: &str, version: &Version) -> bool {
    let named = match heading.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or(""),
        None => heading,
    };
    let mut words = named.split_whitespace();
    words.next() == Some(name) && words.next().is_some_and(|v| names_version(v, version))
}

fn is_unreleased(heading: &str) -> bool {
    heading.to_ascii_lowercase().contains("unreleased")
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod shaping_tests;
