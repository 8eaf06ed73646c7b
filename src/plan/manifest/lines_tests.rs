//! Tests of manifests that cannot be edited as asked, and of the lines annotations point at.

use super::tests::{BUILD, DEV, FULL_TABLE, PACKAGE, RENAMED, STRING_FORM, TARGETS, v};
use super::*;

#[test]
fn unparsable_manifest_names_the_line_and_the_problem() {
    let text = "[package]\nname = \"foo\"\nversion = \"0.1.0\n";
    let err = apply_edits(text, &ManifestEdits::default()).unwrap_err();
    let ManifestError::Parse { line, message } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(*line, Some(3));
    assert!(message.contains("string"), "{message}");
    assert!(
        err.to_string()
            .starts_with("the manifest is not valid TOML at line 3: "),
        "{err}"
    );
    assert_eq!(manifest_facts(text), Err(err));
}

#[test]
fn missing_package_version_is_an_error_when_one_is_requested() {
    let text = "[package]\nname = \"foo\"\n";
    let edits = ManifestEdits {
        package_version: Some(v("0.2.0")),
        ..ManifestEdits::default()
    };
    let err = apply_edits(text, &edits).unwrap_err();
    assert_eq!(
        err,
        ManifestError::MissingPackageVersion {
            version: v("0.2.0")
        }
    );
    assert!(err.hint().unwrap().contains("version = \"0.2.0\""));
    assert_eq!(apply_edits(text, &ManifestEdits::default()).unwrap(), text);
}

#[test]
fn missing_workspace_package_version_is_an_error_when_one_is_requested() {
    let edits = ManifestEdits {
        workspace_package_version: Some(v("2.0.0")),
        ..ManifestEdits::default()
    };
    let err = apply_edits("[workspace]\nmembers = []\n", &edits).unwrap_err();
    assert_eq!(
        err,
        ManifestError::MissingWorkspaceVersion {
            version: v("2.0.0")
        }
    );
}

#[test]
fn line_of_a_plain_package_version() {
    assert_eq!(manifest_facts(PACKAGE).unwrap().line_of_version, Some(5));
}

#[test]
fn dependency_line_finds_each_form() {
    let cases = [
        (STRING_FORM, DepKind::Normal, "foo", Some(6)),
        (STRING_FORM, DepKind::Dev, "foo", Some(10)),
        (FULL_TABLE, DepKind::Normal, "foo", Some(5)),
        (FULL_TABLE, DepKind::Normal, "serde", Some(12)),
        (RENAMED, DepKind::Normal, "foo2", Some(6)),
        (TARGETS, DepKind::Normal, "foo", Some(6)),
        (TARGETS, DepKind::Dev, "foo", Some(16)),
        (BUILD, DepKind::Build, "bar", Some(8)),
        (DEV, DepKind::Build, "foo", None),
        ("not = [toml", DepKind::Normal, "foo", None),
    ];
    for (text, kind, key, line) in cases {
        assert_eq!(
            dependency_line(text, kind, key),
            line,
            "{kind} {key} in\n{text}"
        );
    }
}
