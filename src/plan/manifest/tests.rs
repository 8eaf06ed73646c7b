//! Tests of the version edits: one snapshot per manifest form, and the entries that must stay.

use super::*;

pub(super) fn v(text: &str) -> Version {
    Version::parse(text).unwrap()
}

fn dep(name: &str, kind: DepKind, version: &str) -> DepEdit {
    DepEdit {
        name: name.to_owned(),
        kind,
        version: v(version),
    }
}

fn deps(edits: Vec<DepEdit>) -> ManifestEdits {
    ManifestEdits {
        deps: edits,
        ..ManifestEdits::default()
    }
}

/// One snapshot per scenario: the edits, the text before and after, and the changed lines.
fn before_after(before: &str, edits: &ManifestEdits) -> String {
    let after = apply_edits(before, edits).unwrap();
    let (old, new): (Vec<_>, Vec<_>) = (before.lines().collect(), after.lines().collect());
    assert_eq!(
        old.len(),
        new.len(),
        "an edit must never add or remove a line"
    );
    let changed: String = old
        .iter()
        .zip(&new)
        .enumerate()
        .filter(|(_, (o, n))| o != n)
        .map(|(i, (o, n))| format!("{:>3} - {o}\n{:>3} + {n}\n", i + 1, i + 1))
        .collect();
    format!(
        "--- edits ---\n{}\n--- before ---\n{before}--- after ---\n{after}--- changed lines ---\n{}",
        serde_json::to_string(edits).unwrap(),
        if changed.is_empty() {
            "(none)\n".to_owned()
        } else {
            changed
        },
    )
}

pub(super) const PACKAGE: &str = r#"# The foo crate.
[package]
name = "foo"
# bumped by releasekit
version   =   "0.3.1"    # keep this comment
edition = "2024"

[dependencies]
serde = "1"
"#;

const PACKAGE_INHERITED: &str = r#"[package]
name = "foo"
version.workspace = true   # shared with the workspace
edition.workspace = true
"#;

const WORKSPACE_PACKAGE: &str = r#"[workspace]
members = ["crates/*"]
resolver = "3"

[workspace.package]
# one version for every member
version = "1.4.0"  # release train
edition = "2024"
"#;

const WORKSPACE_DEPS: &str = r#"[workspace]
members = ["crates/*"]

[workspace.dependencies]
# members
foo = { path = "crates/foo", version = "0.3" }   # plain
foo-next = { package = "foo", path = "crates/foo", version = "=0.3.1" }
bar = { path = "crates/bar" }
# registry crates
serde = { version = "1", features = ["derive"] }
foo-utils = "0.3"
"#;

pub(super) const STRING_FORM: &str = r#"[package]
name = "app"
version = "1.0.0"

[dependencies]
foo    =    "0.3"   # the string form
serde = "1"

[dev-dependencies]
foo = "0.3"
"#;

const INLINE_FORM: &str = r#"[package]
name = "app"
version = "1.0.0"

[dependencies]
foo = {   version = "~0.3.1" ,  path = "../foo",features = ["std"] }  # odd spacing
"#;

pub(super) const FULL_TABLE: &str = r#"[package]
name = "app"
version = "1.0.0"

[dependencies.foo]
# the full table form
path = "../foo"
version = '^0.3'  # literal quotes stay literal
default-features = false

[dependencies]
serde = "1"
"#;

const DOTTED_KEYS: &str = r#"[dependencies]
foo.version = "0.3"   # dotted
foo.path = "../foo"
"#;

pub(super) const BUILD: &str = r#"[package]
name = "app"
version = "1.0.0"

[build-dependencies]
foo = { path = "../foo", version = "0.3" } # build script helper

[build_dependencies.bar]
path = "../bar"
version = "0.1"
"#;

pub(super) const DEV: &str = r#"[package]
name = "app"
version = "1.0.0"

[dependencies]
foo = { path = "../foo", version = "0.3" }

[dev-dependencies]
foo = { path = "../foo", version = "0.3", features = ["test-util"] }  # tests

[dev_dependencies]
bar = "0.1"
"#;

pub(super) const TARGETS: &str = r#"[package]
name = "app"
version = "1.0.0"

[target.'cfg(unix)'.dependencies]
foo = { path = "../foo", version = "0.3" }   # unix only

[target.x86_64-unknown-linux-gnu.dependencies]
foo = "0.3"

[target."cfg(windows)".dependencies.foo]
path = "../foo"
version = "0.3"

[target.'cfg(unix)'.dev-dependencies]
foo = "0.3"
"#;

pub(super) const RENAMED: &str = r#"[package]
name = "app"
version = "1.0.0"

[dependencies]
foo2 = { package = "foo", version = "0.3", path = "../foo" }  # renamed
"#;

const LEFT_ALONE: &str = r#"[package]
name = "app"
version = "1.0.0"

[dependencies]
foo = { path = "../foo" }   # path only: no version to raise
bar = { workspace = true }
baz.workspace = true
"#;

const OTHER_CRATES: &str = r#"[package]
name = "app"
version = "1.0.0"

[dependencies]
foo-utils = "0.3"                              # a different crate
foo = { package = "foo-fork", version = "0.3" }  # key `foo`, but another package
"#;

fn cases() -> Vec<(&'static str, &'static str, ManifestEdits)> {
    vec![
        (
            "package_version",
            PACKAGE,
            ManifestEdits {
                package_version: Some(v("0.4.0")),
                ..ManifestEdits::default()
            },
        ),
        (
            "package_version_inherited_from_workspace_untouched",
            PACKAGE_INHERITED,
            ManifestEdits {
                package_version: Some(v("0.4.0")),
                ..ManifestEdits::default()
            },
        ),
        (
            "workspace_package_version",
            WORKSPACE_PACKAGE,
            ManifestEdits {
                workspace_package_version: Some(v("1.5.0")),
                ..ManifestEdits::default()
            },
        ),
        (
            "workspace_dependencies_plain_and_renamed",
            WORKSPACE_DEPS,
            ManifestEdits {
                workspace_deps: vec![
                    WorkspaceDepEdit {
                        name: "foo".to_owned(),
                        version: v("0.4.0"),
                    },
                    WorkspaceDepEdit {
                        name: "bar".to_owned(),
                        version: v("0.2.0"),
                    },
                ],
                ..ManifestEdits::default()
            },
        ),
        (
            "dependencies_string_form",
            STRING_FORM,
            deps(vec![dep("foo", DepKind::Normal, "0.4.0")]),
        ),
        (
            "dependencies_inline_table",
            INLINE_FORM,
            deps(vec![dep("foo", DepKind::Normal, "0.3.2")]),
        ),
        (
            "dependencies_full_table",
            FULL_TABLE,
            deps(vec![dep("foo", DepKind::Normal, "0.4.0")]),
        ),
        (
            "dependencies_dotted_keys",
            DOTTED_KEYS,
            deps(vec![dep("foo", DepKind::Normal, "0.4.0")]),
        ),
        (
            "build_dependencies_both_spellings",
            BUILD,
            deps(vec![
                dep("foo", DepKind::Build, "0.4.0"),
                dep("bar", DepKind::Build, "0.2.0"),
            ]),
        ),
        (
            "dev_dependencies_both_spellings",
            DEV,
            deps(vec![
                dep("foo", DepKind::Dev, "0.4.0"),
                dep("bar", DepKind::Dev, "0.2.0"),
            ]),
        ),
        (
            "target_dependencies",
            TARGETS,
            deps(vec![dep("foo", DepKind::Normal, "0.4.0")]),
        ),
        (
            "renamed_dependency",
            RENAMED,
            deps(vec![dep("foo", DepKind::Normal, "0.4.0")]),
        ),
        (
            "path_only_and_workspace_entries_left_alone",
            LEFT_ALONE,
            deps(vec![
                dep("foo", DepKind::Normal, "0.4.0"),
                dep("bar", DepKind::Normal, "0.4.0"),
                dep("baz", DepKind::Normal, "0.4.0"),
            ]),
        ),
        (
            "registry_crate_with_other_name_untouched",
            OTHER_CRATES,
            deps(vec![dep("foo", DepKind::Normal, "0.4.0")]),
        ),
    ]
}

#[test]
fn edits_change_only_the_named_versions() {
    for (name, before, edits) in cases() {
        insta::assert_snapshot!(name, before_after(before, &edits));
    }
}

#[test]
fn entries_that_must_stay_are_byte_identical() {
    for (name, before, edits) in cases() {
        let unchanged = [
            "package_version_inherited_from_workspace_untouched",
            "path_only_and_workspace_entries_left_alone",
            "registry_crate_with_other_name_untouched",
        ];
        let after = apply_edits(before, &edits).unwrap();
        assert_eq!(unchanged.contains(&name), after == before, "case {name}");
    }
}

#[test]
fn applying_the_same_edits_twice_changes_nothing_more() {
    for (name, before, edits) in cases() {
        let once = apply_edits(before, &edits).unwrap();
        let twice = apply_edits(&once, &edits).unwrap();
        assert_eq!(once, twice, "case {name}");
    }
}

#[test]
fn dep_edit_of_one_kind_leaves_the_other_kinds_alone() {
    let after = apply_edits(DEV, &deps(vec![dep("foo", DepKind::Dev, "0.4.0")])).unwrap();
    assert!(after.contains("[dependencies]\nfoo = { path = \"../foo\", version = \"0.3\" }"));
    assert!(after.contains("version = \"0.4.0\", features = [\"test-util\"] }  # tests"));
}

#[test]
fn dev_dependencies_on_named_packages_become_path_only() {
    let text = r#"[package]
name = "derive"
version = "1.0.1"

[dependencies]
serde = { path = "../serde", version = "1.0" }

[dev-dependencies]
serde = { path = "../serde", version = "1.0", registry = "test", features = ["derive"] }
testing = { package = "serde-test", workspace = true }
other = "1"

[target.'cfg(unix)'.dev-dependencies]
serde = { version = "1.0", path = "../serde" }
"#;
    let paths: std::collections::BTreeMap<String, String> = [
        ("serde".to_owned(), "/w/serde".to_owned()),
        ("serde-test".to_owned(), "/w/serde-test".to_owned()),
    ]
    .into();
    let out = unversion_dev_deps(text, &paths).unwrap();
    assert!(
        out.contains("serde = { path = \"../serde\", version = \"1.0\" }"),
        "{out}"
    );
    assert!(
        out.contains("serde = { path = \"/w/serde\", features = [\"derive\"] }"),
        "{out}"
    );
    assert!(
        out.contains("testing = { path = \"/w/serde-test\", package = \"serde-test\" }"),
        "{out}"
    );
    assert!(out.contains("other = \"1\""), "{out}");
    assert!(
        out.contains("[target.'cfg(unix)'.dev-dependencies]\nserde = { path = \"/w/serde\" }"),
        "{out}"
    );
}
