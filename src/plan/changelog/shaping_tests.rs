//! Shaped changelogs: custom sections and entries, and the workspace changelog.

use semver::Version;

use super::*;
use crate::plan::commits::{CommitRules, classify, drop_reverted};
use crate::plan::template::Template;

const URL: &str = "https://github.com/owner/repo";

/// Commits as the planner classifies them, newest first; each id is its letter repeated.
fn commits(messages: &[(char, &str)]) -> Vec<ConventionalCommit> {
    let listed = messages
        .iter()
        .map(|(hash, message)| {
            let id: String = std::iter::repeat_n(*hash, 40).collect();
            classify(&id, message, &CommitRules::default())
        })
        .collect();
    drop_reverted(listed)
}

fn sample() -> Vec<ConventionalCommit> {
    commits(&[
        (
            'a',
            "feat(api)!: drop `Old` (#41)\n\nBREAKING CHANGE: `Old` is gone;\nuse `New`.",
        ),
        ('b', "feat: add `New` (#40)"),
        ('c', "fix(io): close files"),
        ('d', "perf: cache the index"),
        ('e', "docs: explain `New`"),
        ('f', "chore(deps): bump serde to 1.0.219"),
        ('1', "refactor: split the lexer"),
        (
            '2',
            "Revert \"fix: old\"\n\nThis reverts commit 9999999999.",
        ),
    ])
}

fn section(title: &str, types: &[&str]) -> SectionSpec {
    SectionSpec {
        title: title.to_owned(),
        types: types.iter().map(|t| (*t).to_owned()).collect(),
    }
}

fn render(version: &str, commits: &[ConventionalCommit], format: &ChangelogFormat) -> String {
    render_section(&SectionInput {
        version: &Version::parse(version).unwrap(),
        date: "2026-11-21",
        commits,
        notes: &["update `core` to 2.0.0".to_owned()],
        api_breaks: &["function_missing: `widgets::old` (cargo-semver-checks)".to_owned()],
        repository_url: Some(URL),
        compare: Some(("widgets-v1.3.0", "widgets-v2.0.0")),
        format,
    })
    .unwrap()
}

/// Keep a Changelog's own headings, docs listed, dependency updates and other changes left out.
fn keep_a_changelog() -> ChangelogFormat {
    let entry = "- {% if breaking %}**BREAKING** {% endif %}{subject}{% if scope %} ({scope}){% endif %} — {hash}{% if pr %}, {pr}{% endif %}{% if breaking and breaking != subject %}\n{breaking}{% endif %}";
    ChangelogFormat {
        sections: vec![
            section("Changed", &["breaking"]),
            section("Added", &["feat", "perf"]),
            section("Fixed", &["fix"]),
            section("Documentation", &["docs"]),
        ],
        entry: Some(Template::parse(entry, ENTRY_PLACEHOLDERS).unwrap()),
    }
}

#[test]
fn custom_sections_and_entry_template() {
    let text = render("2.0.0", &sample(), &keep_a_changelog());
    // What no section names (`deps`, `other`) is left out, the revert of a release too.
    assert!(!text.contains("serde") && !text.contains("lexer") && !text.contains("Revert"));
    insta::assert_snapshot!("custom_sections_and_entry_template", text);
}

#[test]
fn a_shaped_section_goes_into_existing_text_which_is_kept_byte_for_byte() {
    let old = "# Changes\r\n\r\nHand-written intro.\r\n\r\n## [1.3.0] - 2026-01-02\r\n\r\n* odd   spacing kept\r\n";
    let new_section = render("2.0.0", &sample(), &keep_a_changelog());
    let text = insert_section(Some(old), &Version::new(2, 0, 0), &new_section);
    let at = old.find("## [1.3.0]").unwrap();
    assert!(text.starts_with(&old[..at]));
    assert!(text.ends_with(&old[at..]));
    assert_eq!(
        insert_section(Some(&text), &Version::new(2, 0, 0), &new_section),
        text
    );
}

#[test]
fn the_default_format_lists_what_the_fixed_sections_listed() {
    let text = render("2.0.0", &sample(), &ChangelogFormat::default());
    for heading in [
        "### Breaking changes",
        "### Features",
        "### Fixes",
        "### Performance",
        "### Dependencies",
    ] {
        assert!(text.contains(heading), "{heading}: {text}");
    }
    // `docs` and (by default) `refactor` ask for no release: not listed.
    assert!(!text.contains("explain") && !text.contains("lexer") && !text.contains("Revert"));
}

#[test]
fn a_commit_goes_to_the_most_specific_section_that_names_one_of_its_types() {
    let listed = commits(&[
        ('a', "feat!: drop x"),
        ('b', "chore(deps): bump y"),
        ('c', "refactor: z"),
        ('d', "style: w"),
        ('e', "Update README"),
    ]);
    let title = |format: &ChangelogFormat, c: &ConventionalCommit| {
        format
            .section_of(c)
            .map(|at| format.sections[at].title.clone())
    };
    // Without `breaking`, `deps` and `other` sections a commit falls back to its type.
    let by_type = ChangelogFormat {
        sections: vec![
            section("Features", &["feat"]),
            section("Chores", &["chore"]),
        ],
        entry: None,
    };
    let got: Vec<Option<String>> = listed.iter().map(|c| title(&by_type, c)).collect();
    assert_eq!(
        got,
        [
            Some("Features".into()),
            Some("Chores".into()),
            None,
            None,
            None
        ]
    );
    // `other` takes releasing commits of types no section names; `style` bumps nothing.
    let mut rules = CommitRules::default();
    rules
        .types
        .insert("refactor".into(), crate::plan::Bump::Patch);
    let refactor = classify(&"c".repeat(40), "refactor: z", &rules);
    let with_other = ChangelogFormat {
        sections: vec![section("Everything else", &["other"])],
        entry: None,
    };
    assert_eq!(
        title(&with_other, &refactor).as_deref(),
        Some("Everything else")
    );
    assert_eq!(title(&with_other, &listed[3]), None);
}

#[test]
fn workspace_changelog_across_three_crates() {
    let old = "# Workspace changelog\n\nEvery crate, newest first.\n\n## [core 1.0.0] - 2026-01-02\n\n### Features\n\n- first\n";
    let crates = [
        ("cli", "0.4.0", "feat(cli): a `--json` flag (#7)"),
        ("core", "2.0.0", "feat(core)!: a new engine"),
        ("widgets", "1.3.1", "fix: wrap long labels"),
    ];
    let sections: Vec<(&str, Version, String)> = crates
        .iter()
        .map(|(name, version, message)| {
            let listed = commits(&[('7', message)]);
            let version = Version::parse(version).unwrap();
            let text = render_section(&SectionInput {
                version: &version,
                date: "2026-11-21",
                commits: &listed,
                notes: &[],
                api_breaks: &[],
                repository_url: None,
                compare: None,
                format: &ChangelogFormat::default(),
            })
            .unwrap();
            (*name, version, workspace_section(name, &text))
        })
        .collect();
    let write = |existing: &str| {
        // As apply writes it: last to first, each on top, so they read in the plan's order.
        (sections.iter().rev()).fold(existing.to_owned(), |text, (name, version, section)| {
            insert_workspace_section(Some(&text), name, version, section)
        })
    };
    let text = write(old);
    assert!(
        text.starts_with("# Workspace changelog\n\nEvery crate, newest first.\n\n## [cli 0.4.0]")
    );
    assert!(text.ends_with("## [core 1.0.0] - 2026-01-02\n\n### Features\n\n- first\n"));
    assert_eq!(write(&text), text, "a re-run changes nothing");
    assert_eq!(
        workspace_section_body(&text, "core", &Version::new(2, 0, 0)).as_deref(),
        Some("### Breaking changes\n\n- **core:** a new engine (7777777)")
    );
    assert_eq!(
        workspace_section_body(&text, "core", &Version::new(1, 0, 0)).as_deref(),
        Some("### Features\n\n- first")
    );
    insta::assert_snapshot!("workspace_changelog_across_three_crates", text);
}
