//! Unit tests of finding and reading the configuration, and the helpers the value tests share.

use std::path::PathBuf;

use super::*;
use crate::hint::Hint;
use crate::plan::Bump;
use crate::plan::changelog::ChangelogOptions;

/// Write `text` as releasekit.toml in a fresh directory; keep the guard alive.
fn with_file(text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("releasekit.toml");
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

pub(super) fn load_text(text: &str) -> Result<Settings, ConfigError> {
    let (_dir, path) = with_file(text);
    load_settings(&path, false, None)
}

/// The error text with the temporary directory cut off.
pub(super) fn error_text(text: &str) -> String {
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
