//! Tests of the changelog: rendering a section, inserting it into a file, and reading it back.

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
