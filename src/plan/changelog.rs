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

/// The Markdown of one release: heading, then one `###` subsection per section of the
/// format that lists anything, ending with a single newline.
pub fn render_section(input: &SectionInput) -> Result<String, TemplateError> {
    let url = input.repository_url.map(|url| url.trim_end_matches('/'));
    let version = input.version;
    let date = input.date;
    let mut out = match (url, input.compare) {
        (Some(url), Some((prior, planned))) => {
            format!("## [{version}]({url}/compare/{prior}...{planned}) - {date}\n")
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
mod tests {
    #[test]
    fn section_of_a_version_is_read_back_without_its_heading() {
        let text = insert_section(
            None,
            &Version::new(1, 1, 0),
            "## [1.1.0] - 2026-01-02\n\n### Fixes\n\n- b (bbb)\n",
        );
        let text = insert_section(
            Some(&text),
            &Version::new(1, 2, 0),
            "## [1.2.0] - 2026-02-03\n\n### Features\n\n- a (aaa)\n",
        );
        assert_eq!(
            super::section(&text, &Version::new(1, 2, 0)).as_deref(),
            Some("### Features\n\n- a (aaa)")
        );
        assert_eq!(
            super::section(&text, &Version::new(1, 1, 0)).as_deref(),
            Some("### Fixes\n\n- b (bbb)")
        );
        assert_eq!(super::section(&text, &Version::new(1, 3, 0)), None);
    }

    use super::*;
    use crate::plan::Bump;
    use crate::plan::commits::Section;

    const URL: &str = "https://github.com/owner/repo";

    fn commit(
        hash: char,
        section: Option<Section>,
        scope: Option<&str>,
        summary: &str,
    ) -> ConventionalCommit {
        let id: String = std::iter::repeat_n(hash, 40).collect();
        // The type and bump classify() gives a commit listed there.
        let (kind, bump) = match section {
            Some(Section::Breaking) => ("feat", Bump::Major),
            Some(Section::Features) => ("feat", Bump::Minor),
            Some(Section::Fixes) => ("fix", Bump::Patch),
            Some(Section::Performance) => ("perf", Bump::Patch),
            Some(Section::Dependencies) => ("deps", Bump::Patch),
            Some(Section::Other) => ("refactor", Bump::Patch),
            None => ("docs", Bump::None),
        };
        ConventionalCommit {
            short_id: id[..7].to_owned(),
            id,
            kind: Some(kind.to_owned()),
            scope: scope.map(str::to_owned),
            summary: summary.to_owned(),
            breaking: section == Some(Section::Breaking),
            breaking_description: None,
            bump,
            section,
            pr: None,
            reverts: None,
            release_as: None,
        }
    }

    /// Newest first, one of each kind, including what must not be listed.
    fn sample_commits() -> Vec<ConventionalCommit> {
        let mut breaking = commit('a', Some(Section::Breaking), Some("api"), "drop `Old`");
        breaking.pr = Some(41);
        breaking.breaking_description = Some("`Old` is gone; use `New`.\n\nSee the guide.".into());
        let mut same_text = commit('b', Some(Section::Breaking), None, "remove `x`");
        same_text.breaking_description = Some("remove `x`".into());
        let mut feature = commit('c', Some(Section::Features), None, "add `New`");
        feature.pr = Some(40);
        let docs = commit('d', None, None, "explain `New`");
        let fix = commit('e', Some(Section::Fixes), Some("io"), "close files");
        let perf = commit('f', Some(Section::Performance), None, "cache the index");
        let mut deps = commit(
            '7',
            Some(Section::Dependencies),
            None,
            "update serde to 1.0.219",
        );
        deps.pr = Some(39);
        let other = commit(
            '8',
            Some(Section::Other),
            Some("parser"),
            "split the lexer out",
        );
        vec![breaking, same_text, feature, docs, fix, perf, deps, other]
    }

    fn sample_notes() -> Vec<String> {
        vec!["update `foo` to 1.2.0".to_owned()]
    }

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    fn section(version: &str, summary: &str) -> String {
        let version = v(version);
        let commits = [commit('9', Some(Section::Fixes), None, summary)];
        render_section(&SectionInput {
            version: &version,
            date: "2026-11-21",
            commits: &commits,
            notes: &[],
            api_breaks: &[],
            repository_url: None,
            compare: None,
            format: &ChangelogFormat::default(),
        })
        .unwrap()
    }

    #[test]
    fn full_section_with_links() {
        let version = v("1.4.0");
        let (commits, notes) = (sample_commits(), sample_notes());
        let text = render_section(&SectionInput {
            version: &version,
            date: "2026-11-21",
            commits: &commits,
            notes: &notes,
            api_breaks: &[],
            repository_url: Some(URL),
            compare: Some(("foo-v1.3.0", "foo-v1.4.0")),
            format: &ChangelogFormat::default(),
        })
        .unwrap();
        insta::assert_snapshot!("full_section_with_links", text);
    }

    #[test]
    fn section_without_url_has_plain_references() {
        let version = v("1.4.0");
        let (commits, notes) = (sample_commits(), sample_notes());
        let text = render_section(&SectionInput {
            version: &version,
            date: "2026-11-21",
            commits: &commits,
            notes: &notes,
            api_breaks: &[],
            repository_url: None,
            compare: Some(("foo-v1.3.0", "foo-v1.4.0")),
            format: &ChangelogFormat::default(),
        })
        .unwrap();
        insta::assert_snapshot!("section_without_url", text);
    }

    #[test]
    fn url_without_prior_tag_gives_a_plain_heading() {
        let version = v("0.1.0");
        let commits = [commit('c', Some(Section::Features), None, "first")];
        let text = render_section(&SectionInput {
            version: &version,
            date: "2026-11-21",
            commits: &commits,
            notes: &[],
            api_breaks: &[],
            repository_url: Some("https://github.com/owner/repo/"),
            compare: None,
            format: &ChangelogFormat::default(),
        })
        .unwrap();
        assert_eq!(
            text,
            "## [0.1.0] - 2026-11-21\n\n### Features\n\n- first ([ccccccc](https://github.com/owner/repo/commit/cccccccccccccccccccccccccccccccccccccccc))\n"
        );
    }

    #[test]
    fn api_breaks_are_listed_under_breaking_changes_after_declared_ones() {
        let version = v("2.0.0");
        let commits = [
            commit('a', Some(Section::Breaking), None, "drop `Old`"),
            commit('b', Some(Section::Fixes), None, "tidy"),
        ];
        let breaks = ["function_missing: `widgets::parse` (cargo-semver-checks)".to_owned()];
        let text = render_section(&SectionInput {
            version: &version,
            date: "2026-11-21",
            commits: &commits,
            notes: &[],
            api_breaks: &breaks,
            repository_url: None,
            compare: None,
            format: &ChangelogFormat::default(),
        })
        .unwrap();
        assert_eq!(
            text,
            "## [2.0.0] - 2026-11-21\n\n### Breaking changes\n\n- drop `Old` (aaaaaaa)\n\
             - function_missing: `widgets::parse` (cargo-semver-checks)\n\n### Fixes\n\n- tidy (bbbbbbb)\n"
        );
    }

    #[test]
    fn section_with_nothing_listed_says_so() {
        let version = v("2.0.0");
        let commits = [commit('d', None, None, "docs only")];
        let text = render_section(&SectionInput {
            version: &version,
            date: "2026-11-21",
            commits: &commits,
            notes: &[],
            api_breaks: &[],
            repository_url: None,
            compare: None,
            format: &ChangelogFormat::default(),
        })
        .unwrap();
        assert_eq!(text, "## [2.0.0] - 2026-11-21\n\nNo notable changes.\n");
    }

    #[test]
    fn insert_into_no_file_writes_the_header_first() {
        let text = insert_section(None, &v("0.1.0"), &section("0.1.0", "first fix"));
        insta::assert_snapshot!("insert_into_no_file", text);
    }

    #[test]
    fn insert_goes_after_unreleased_and_before_older_sections() {
        let prefix = "# Changelog\n\n## [Unreleased]\n\n- not yet\n\n";
        let suffix = "## [1.3.0] - 2026-01-02\n\n### Fixes\n\n- old fix\n";
        let old = format!("{prefix}{suffix}");
        let new_section = section("1.4.0", "new fix");
        let text = insert_section(Some(&old), &v("1.4.0"), &new_section);
        assert_eq!(text, format!("{prefix}{new_section}\n{suffix}"));
        insta::assert_snapshot!("insert_after_unreleased", text);
    }

    #[test]
    fn insert_with_only_unreleased_appends_after_it() {
        let old = "# Changelog\n\n## Unreleased\n- nothing";
        let new_section = section("1.0.0", "fix");
        let text = insert_section(Some(old), &v("1.0.0"), &new_section);
        assert_eq!(text, format!("{old}\n\n{new_section}"));
    }

    /// Odd formatting: no blank lines around headings, trailing spaces, `*` bullets, a heading
    /// inside a code fence, plain version headings, no final newline, link definitions at the end.
    const ODD: &str = "Changelog  \n=========\nIntro text.\n```md\n## 9.9.9 (not a heading)\n```\n## 1.3.0 (2026-01-02)  \n* fixed   things\n\n\n\n## v1.2.0\n*   initial\n\n[1.3.0]: https://example.com/1.3.0\n[1.2.0]: https://example.com/1.2.0";

    #[test]
    fn insert_keeps_odd_formatting_byte_for_byte() {
        let at = ODD.find("## 1.3.0").unwrap();
        let (prefix, suffix) = ODD.split_at(at);
        let new_section = section("1.4.0", "new fix");
        let text = insert_section(Some(ODD), &v("1.4.0"), &new_section);
        assert_eq!(text, format!("{prefix}{new_section}\n{suffix}"));
        insta::assert_snapshot!("insert_into_odd_formatting", text);
    }

    #[test]
    fn insert_at_the_end_stays_above_link_definitions() {
        let old = "# Changelog\n\nNothing yet.\n[1.0.0]: https://example.com/1.0.0\n";
        let new_section = section("1.0.0", "fix");
        let text = insert_section(Some(old), &v("1.0.0"), &new_section);
        assert_eq!(
            text,
            format!(
                "# Changelog\n\nNothing yet.\n\n{new_section}\n[1.0.0]: https://example.com/1.0.0\n"
            )
        );
    }

    #[test]
    fn reinsert_of_the_same_version_replaces_it() {
        let first = insert_section(Some(ODD), &v("1.3.0"), &section("1.3.0", "replaced fix"));
        let at = ODD.find("## 1.3.0").unwrap();
        let end = ODD.find("## v1.2.0").unwrap();
        assert!(first.starts_with(&ODD[..at]));
        assert!(first.ends_with(&ODD[end..]));
        assert!(!first.contains("fixed   things"));
        insta::assert_snapshot!("reinsert_same_version", first);

        let again = insert_section(Some(&first), &v("1.3.0"), &section("1.3.0", "replaced fix"));
        assert_eq!(again, first);
    }

    #[test]
    fn running_twice_is_idempotent_wherever_the_section_lands() {
        let files = [
            None,
            Some("# Changelog\n"),
            Some("# Changelog"),
            Some("# Changelog\n\n## [Unreleased]\n\n## [1.3.0] - 2026-01-02\n"),
            Some(ODD),
        ];
        let new_section = section("1.4.0", "new fix");
        for file in files {
            let once = insert_section(file, &v("1.4.0"), &new_section);
            let twice = insert_section(Some(&once), &v("1.4.0"), &new_section);
            assert_eq!(twice, once, "file {file:?}");
        }
    }

    #[test]
    fn other_version_headings_are_not_the_same_version() {
        for heading in [
            "[1.4.0-rc.1] - x",
            "1.4.00",
            "[11.4.0]",
            "1.4.0.1",
            "Unreleased",
        ] {
            assert!(!names_version(heading, &v("1.4.0")), "{heading}");
        }
        for heading in [
            "[1.4.0] - x",
            "[1.4.0](u) - x",
            "1.4.0 - x",
            "v1.4.0",
            "[v1.4.0]",
        ] {
            assert!(names_version(heading, &v("1.4.0")), "{heading}");
        }
    }

    #[test]
    fn crlf_file_gets_crlf_section() {
        let old = "# Changelog\r\n\r\n## [1.3.0] - 2026-01-02\r\n\r\n- old\r\n";
        let text = insert_section(Some(old), &v("1.4.0"), &section("1.4.0", "new fix"));
        let expected_section = section("1.4.0", "new fix").replace('\n', "\r\n");
        assert_eq!(
            text,
            format!(
                "# Changelog\r\n\r\n{expected_section}\r\n## [1.3.0] - 2026-01-02\r\n\r\n- old\r\n"
            )
        );
    }
}

#[cfg(test)]
#[path = "changelog/shaping_tests.rs"]
mod shaping_tests;
