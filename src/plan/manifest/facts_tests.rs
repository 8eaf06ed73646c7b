//! Tests of what a manifest text says: its facts and the root parts that changed between two
//! texts.

use super::*;
use crate::plan::workspace::RootPart;

const ROOT: &str = r#"[workspace]
members = ["crates/*"]
resolver = "3"

[workspace.package]
version = "0.7.2"
edition = "2024"

[workspace.dependencies]
core = { path = "crates/core", version = "0.7.2" }
core-old = { package = "core", version = "0.6" }
macros = { path = "crates/macros" }
serde = "1.0"

[patch.crates-io]
core = { path = "crates/core" }

[patch."https://github.com/example/index"]
util = { git = "https://github.com/example/util", version = "2" }
"#;

const MEMBER: &str = r#"[package]
name = "cli"

version.workspace = true
edition.workspace = true
include = ["src/**/*", "!src/bin/*.rs"]
rust-version.workspace = true

[lints]
workspace = true

[dependencies]
core = { workspace = true, features = ["std"] }
serde.workspace = true
anyhow = "1"

[build-dependencies]
macros = { workspace = true }

[dev-dependencies.core]
workspace = true

[target.'cfg(unix)'.dependencies]
core = { workspace = true }
libc = "0.2"
"#;

fn table_dep(
    key: &str,
    package: Option<&str>,
    path: Option<&str>,
    version: Option<&str>,
) -> TableDep {
    TableDep {
        key: key.to_owned(),
        package: package.map(str::to_owned),
        path: path.map(str::to_owned),
        version: version.map(str::to_owned),
    }
}

#[test]
fn facts_of_a_workspace_root() {
    let facts = manifest_facts(ROOT).unwrap();
    assert_eq!(
        facts,
        ManifestFacts {
            package_version: None,
            version_from_workspace: false,
            rust_version_from_workspace: false,
            inherited_fields: vec![],
            lints_from_workspace: false,
            workspace_version: Some("0.7.2".to_owned()),
            inherited: vec![],
            workspace_deps: vec![
                table_dep("core", None, Some("crates/core"), Some("0.7.2")),
                table_dep("core-old", Some("core"), None, Some("0.6")),
                table_dep("macros", None, Some("crates/macros"), None),
                table_dep("serde", None, None, Some("1.0")),
            ],
            patches: vec![
                PatchDep {
                    registry: "crates-io".to_owned(),
                    dep: table_dep("core", None, Some("crates/core"), None),
                },
                PatchDep {
                    registry: "https://github.com/example/index".to_owned(),
                    dep: table_dep("util", None, None, Some("2")),
                },
            ],
            line_of_version: None,
            include: vec![],
            exclude: vec![],
        }
    );
}

#[test]
fn facts_of_a_member_that_inherits_from_the_workspace() {
    let facts = manifest_facts(MEMBER).unwrap();
    let inherited = |kind, target: Option<&str>, key: &str| InheritedDep {
        kind,
        target: target.map(str::to_owned),
        key: key.to_owned(),
    };
    assert_eq!(
        facts,
        ManifestFacts {
            package_version: None,
            version_from_workspace: true,
            rust_version_from_workspace: true,
            inherited_fields: vec!["edition".to_owned(), "rust-version".to_owned()],
            lints_from_workspace: true,
            workspace_version: None,
            inherited: vec![
                inherited(DepKind::Normal, None, "core"),
                inherited(DepKind::Normal, None, "serde"),
                inherited(DepKind::Build, None, "macros"),
                inherited(DepKind::Dev, None, "core"),
                inherited(DepKind::Normal, Some("cfg(unix)"), "core"),
            ],
            workspace_deps: vec![],
            patches: vec![],
            line_of_version: Some(4),
            include: vec!["src/**/*".to_owned(), "!src/bin/*.rs".to_owned()],
            exclude: vec![],
        }
    );
}

#[test]
fn changed_root_parts_compare_meaning_not_formatting() {
    let before = r#"[workspace]
members = ["a"]

[workspace.package]
rust-version = "1.80"
edition = "2021"

[workspace.dependencies]
serde = "1.0.200"
tokio = { version = "1", features = ["rt", "macros"] }
log = { version = "0.4" }  # logging
gone = "1"
"#;
    let after = r#"[workspace]
members = ["a", "b"]

[workspace.package]
edition = "2021"
rust-version = "1.85"

[workspace.dependencies]
serde = "1.0.201"
tokio = { features = ["rt","macros"], version = "1" }
log = "0.4"
fresh = "2"

[workspace.lints.rust]
unsafe_code = "forbid"

[patch.crates-io]
serde = { path = "../serde" }

[profile.release]
lto = true
"#;
    let dep = |key: &str| RootPart::Dependency(key.to_owned());
    assert_eq!(
        changed_root_parts(Some(before), Some(after)),
        [
            dep("fresh"),
            dep("gone"),
            dep("serde"),
            RootPart::PackageField("rust-version".to_owned()),
            RootPart::Lints,
            // `[profile]` is packaged (cargo install builds with it); `[patch]` is not.
            RootPart::RootPackage,
        ]
    );
    assert_eq!(
        changed_root_parts(None, Some(before)).len(),
        6,
        "every entry and field is new"
    );
    assert!(changed_root_parts(Some(after), Some(after)).is_empty());
    assert!(changed_root_parts(Some("not toml ["), None).is_empty());
}

#[test]
fn the_root_package_changes_only_with_what_cargo_packages_of_the_manifest() {
    let root = |members: &str, patch: &str, description: &str| {
        format!(
            "[package]\nname = \"app\"\nversion = \"1.0.0\"\ndescription = \"{description}\"\n\n[workspace]\nmembers = [{members}]\n\n[patch.crates-io]\n{patch}\n"
        )
    };
    let before = root("\"a\"", "", "x");
    let workspace_only = root("\"a\", \"b\"", "serde = { path = \"s\" }", "x");
    assert!(changed_root_parts(Some(&before), Some(&workspace_only)).is_empty());
    let described = root("\"a\"", "", "an app");
    assert_eq!(
        changed_root_parts(Some(&before), Some(&described)),
        [RootPart::RootPackage]
    );
}

#[test]
fn the_version_of_a_manifest_text_is_its_package_s_or_the_workspace_s() {
    let text = "[package]\nname = \"a\"\nversion = \"0.2.0\"\n\n[workspace.package]\nversion = \"1.3.0\"\n";
    assert_eq!(manifest_version(text, false), Some(Version::new(0, 2, 0)));
    assert_eq!(manifest_version(text, true), Some(Version::new(1, 3, 0)));
    assert_eq!(
        manifest_version("[package]\nversion.workspace = true\n", false),
        None
    );
    assert_eq!(manifest_version("not toml [", false), None);
}
