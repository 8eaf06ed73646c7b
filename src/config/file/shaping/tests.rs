//! Unit tests of `shaping`.

use std::path::PathBuf;

use super::super::{Settings, load_settings};
use crate::plan::github_release::Latest;

fn load(text: &str) -> Result<Settings, String> {
    let dir = tempfile::tempdir().unwrap();
    let path: PathBuf = dir.path().join("releasekit.toml");
    std::fs::write(&path, text).unwrap();
    load_settings(&path, false, None).map_err(|e| {
        e.to_string()
            .replace(&format!("{}/", dir.path().display()), "")
    })
}

const SHAPED: &str = r#"
[changelog]
path = "CHANGES.md"
workspace_path = "docs/RELEASES.md"
entry = "- {subject} ({hash})"
sections = [
  { types = ["breaking"], title = "Breaking" },
  { types = ["feat", "perf"], title = "Added" },
  { types = ["fix"], title = "Fixed" },
]

[github_release]
draft = true
body = "{changelog}\n\n{compare_url}"
latest = "never"

[package.cli]
release = true
tag_format = "cli/v{version}"
changelog = { entry = "* {subject}" }
github_release = { enabled = false }

[package.core.changelog]
enabled = false
"#;

#[test]
fn every_shaping_key_is_read_and_packages_inherit_what_they_do_not_set() {
    let settings = load(SHAPED).unwrap();
    let top = &settings.changelog;
    assert_eq!(top.workspace_path.as_deref(), Some("docs/RELEASES.md"));
    assert_eq!(top.crates.path, "CHANGES.md");
    let titles: Vec<&str> = (top.crates.format.sections.iter())
        .map(|s| s.title.as_str())
        .collect();
    assert_eq!(titles, ["Breaking", "Added", "Fixed"]);
    assert_eq!(top.crates.format.sections[1].types, ["feat", "perf"]);

    let cli = settings.changelog_for("cli");
    assert_eq!(cli.path, "CHANGES.md");
    assert_eq!(cli.format.sections, top.crates.format.sections);
    assert_eq!(cli.format.entry.as_ref().unwrap().source(), "* {subject}");
    assert!(!settings.changelog_for("core").enabled);
    assert!(settings.changelog_for("other").enabled);

    assert!(settings.github_release.draft);
    assert_eq!(settings.github_release.latest, Latest::Never);
    assert!(!settings.github_release_for("cli").enabled);
    assert!(settings.github_release_for("cli").draft);
    assert!(settings.github_release_for("core").enabled);

    assert!(settings.release_asked("cli"));
    assert!(!settings.release_asked("core"));
    let options = settings.crate_options();
    assert_eq!(options["cli"].tag_format.as_deref(), Some("cli/v{version}"));
}

#[test]
fn bad_shaping_is_refused_with_its_line_and_column() {
    let cases = [
        (
            "[changelog]\nentry = \"- {subject} ({sha})\"\n",
            "releasekit.toml:2:24: invalid value \"- {subject} ({sha})\" for changelog.entry: \
                 expected a template: unknown placeholder {sha}; expected {scope}, {subject}, \
                 {hash}, {pr}, {breaking}",
        ),
        (
            "[changelog]\nsections = [\n  { types = [\"feat\"], title = \"Added\" },\n  \
                 { types = [\"fix\", \"feat\"], title = \"Fixed\" },\n]\n",
            "releasekit.toml:4:21: invalid value \"feat\" for changelog.sections.types: \
                 expected each type in one section only; feat is listed under \"Added\" already",
        ),
        (
            "[github_release]\nbody = \"{changelog}\\n{% if compare_url %}{compare_url}\"\n",
            "releasekit.toml:2:54: invalid value \"{changelog}\\n{% if compare_url %}{compare_url}\" \
                 for github_release.body: expected a template: unexpected end of input, expected \
                 end of block (templates write `{name}` and `{% if name %}…{% endif %}`)",
        ),
        (
            "[package.cli.changelog]\npath = \"../CHANGELOG.md\"\n",
            "releasekit.toml:2:8: invalid value \"../CHANGELOG.md\" for package.cli.changelog.path: \
                 expected a relative file path inside the repository, without `..`, outside `.git` \
                 and not a `Cargo.toml` or `Cargo.lock`, such as \
                 \"CHANGELOG.md\" or \"docs/CHANGES.md\"",
        ),
        (
            "[package.cli.changelog]\nworkspace_path = \"ALL.md\"\n",
            "releasekit.toml:2:18: invalid value \"ALL.md\" for package.cli.changelog.workspace_path: \
                 expected it in the top-level [changelog] only: the workspace has one changelog",
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(load(text).unwrap_err(), expected, "{text}");
    }
}

#[test]
fn a_template_that_does_not_close_points_into_the_template() {
    let err = load("[changelog]\nentry = \"- {subject\"\n").unwrap_err();
    assert!(
        err.starts_with("releasekit.toml:2:") && err.contains("for changelog.entry"),
        "{err}"
    );
    let column: u32 = err.split(':').nth(2).unwrap().parse().unwrap();
    assert!((9..=20).contains(&column), "{err}");
    // Escapes are followed: `\u2022` is one character of the template.
    let err = load("[changelog]\nentry = \"\\u2022 {sha}\"\n").unwrap_err();
    assert!(err.starts_with("releasekit.toml:2:18: "), "{err}");
    // In a multi-line string the line is the template's own.
    let err = load("[changelog]\nentry = '''\n- {subject}\n  {nope}'''\n").unwrap_err();
    assert!(err.starts_with("releasekit.toml:4:4: "), "{err}");
}

#[test]
fn paths_and_sections_must_make_sense() {
    for (text, key) in [
        (
            "[changelog]\npath = \"/etc/CHANGELOG.md\"\n",
            "changelog.path",
        ),
        (
            "[changelog]\nworkspace_path = \"\"\n",
            "changelog.workspace_path",
        ),
        ("[changelog]\npath = \"docs/\"\n", "changelog.path"),
        // git's files and the files apply edits itself: never a changelog.
        (
            "[changelog]\nworkspace_path = \".git/config\"\n",
            "changelog.workspace_path",
        ),
        ("[changelog]\npath = \"./.GIT/x.md\"\n", "changelog.path"),
        ("[changelog]\npath = \"Cargo.toml\"\n", "changelog.path"),
        (
            "[changelog]\nworkspace_path = \"docs/cargo.lock\"\n",
            "changelog.workspace_path",
        ),
        (
            "[package.core.changelog]\npath = \"src/.git/HEAD\"\n",
            "package.core.changelog.path",
        ),
        ("[changelog]\nsections = []\n", "changelog.sections"),
        (
            "[changelog]\nsections = [{ types = [], title = \"X\" }]\n",
            "changelog.sections.types",
        ),
        (
            "[changelog]\nsections = [{ types = [\"feat!\"], title = \"X\" }]\n",
            "changelog.sections.types",
        ),
        (
            "[changelog]\nsections = [{ types = [\"feat\"], title = \" \" }]\n",
            "changelog.sections.title",
        ),
    ] {
        let err = load(text).unwrap_err();
        assert!(
            err.starts_with("releasekit.toml:2:") && err.contains(&format!(" for {key}: ")),
            "{text}: {err}"
        );
    }
    assert!(
        load("[github_release]\nlatest = \"always\"\n")
            .unwrap_err()
            .starts_with("releasekit.toml:2:10: `latest`: unknown variant `always`")
    );
    assert!(
        load("[[changelog.sections]]\ntypes = [\"feat\"]\nheading = \"X\"\n")
            .unwrap_err()
            .starts_with("releasekit.toml:3:1: unknown field `heading`")
    );
}

#[test]
fn release_true_on_a_published_crate_is_refused_where_it_is_written() {
    let settings = load("[package.cli]\nrelease = true\n[package.lib]\nrelease = false\n").unwrap();
    assert!(settings.check_release(|name| name == "lib").is_ok());
    let err = settings.check_release(|_| true).unwrap_err();
    assert_eq!(err.exit_code(), 2);
    assert!(
            err.to_string()
                .ends_with("releasekit.toml:2:11: invalid value \"true\" for package.cli.release: expected `release = true` only on a crate that is not published (`publish = false`); cli is published, so it is released anyway: remove the key"),
            "{err}"
        );
}
