//! Cargo.toml text: the version edits a release makes, and the facts the adapter needs that
//! `cargo metadata` does not show (inheritance from the workspace, `[patch]`, line numbers).
//!
//! Works on text in, text out with `toml_edit`, so every comment, blank line, key order and
//! quoting style the author chose survives an edit. Pure: it never reads or writes a file and
//! never decides *which* requirements to raise; the release plan hands it the edits.

use crate::hint::Hint;
use semver::Version;
use serde::Serialize;
use toml_edit::{Document, DocumentMut, Item, TableLike, TomlError, Value};

use std::collections::BTreeMap;

use super::DepKind;
use super::version::rewrite_req;
use super::workspace::RootPart;

/// Everything to change in one manifest.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ManifestEdits {
    /// `[package] version`; left alone when the member has `version.workspace = true`.
    pub package_version: Option<Version>,
    /// `[workspace.package] version`.
    pub workspace_package_version: Option<Version>,
    /// Requirements on members in this manifest's dependency tables.
    pub deps: Vec<DepEdit>,
    /// `[workspace.dependencies]` entries that point at members.
    pub workspace_deps: Vec<WorkspaceDepEdit>,
}

/// Raise every requirement on member `name` in the tables of `kind` (any target) to `version`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DepEdit {
    /// Package name of the member depended on (not the key it may be renamed to).
    pub name: String,
    pub kind: DepKind,
    pub version: Version,
}

/// Raise the `[workspace.dependencies]` requirement on member `name` to `version`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorkspaceDepEdit {
    pub name: String,
    pub version: Version,
}

/// What a manifest says that `cargo metadata` resolves away.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ManifestFacts {
    /// `[package] version` when written as a string.
    pub package_version: Option<String>,
    /// `[package] version.workspace = true`.
    pub version_from_workspace: bool,
    /// `[package] rust-version.workspace = true`: the value is the root manifest's.
    pub rust_version_from_workspace: bool,
    /// `[package]` fields other than `version` written `x.workspace = true`, as written.
    pub inherited_fields: Vec<String>,
    /// `lints.workspace = true`.
    pub lints_from_workspace: bool,
    /// `[workspace.package] version`.
    pub workspace_version: Option<String>,
    /// Dependency entries with `workspace = true`.
    pub inherited: Vec<InheritedDep>,
    /// `[workspace.dependencies]` entries.
    pub workspace_deps: Vec<TableDep>,
    /// `[patch.<registry>]` entries.
    pub patches: Vec<PatchDep>,
    /// 1-based line of `[package] version`, for `::error` annotations.
    pub line_of_version: Option<usize>,
    /// `[package] include` patterns (gitignore syntax).
    pub include: Vec<String>,
    /// `[package] exclude` patterns (gitignore syntax).
    pub exclude: Vec<String>,
}

/// A dependency entry that takes its requirement from `[workspace.dependencies]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InheritedDep {
    pub kind: DepKind,
    /// The target key as written (`cfg(unix)`, `x86_64-unknown-linux-gnu`), if target-specific.
    pub target: Option<String>,
    pub key: String,
}

/// A dependency entry as written: its key, and the fields that say which package it means.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableDep {
    pub key: String,
    pub package: Option<String>,
    pub path: Option<String>,
    pub version: Option<String>,
}

/// An entry of `[patch.<registry>]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PatchDep {
    /// `crates-io`, or the registry name or URL as written.
    pub registry: String,
    pub dep: TableDep,
}

/// Why a manifest could not be read or edited.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ManifestError {
    #[error("the manifest is not valid TOML{}: {message}", at_line(*.line))]
    Parse {
        line: Option<usize>,
        message: String,
    },
    #[error("the manifest has no `[package] version` to set to {version}")]
    MissingPackageVersion { version: Version },
    #[error("the manifest has no `[workspace.package] version` to set to {version}")]
    MissingWorkspaceVersion { version: Version },
}

impl Hint for ManifestError {
    /// What the person should do about it.
    fn hint(&self) -> Option<String> {
        Some(match self {
            ManifestError::Parse { .. } => {
                "fix the TOML syntax there (`cargo metadata` reports the same problem), then run again"
                    .to_owned()
            }
            ManifestError::MissingPackageVersion { version } => format!(
                "add `version = \"{version}\"` under [package], or `version.workspace = true` with the version in [workspace.package]"
            ),
            ManifestError::MissingWorkspaceVersion { version } => format!(
                "add `version = \"{version}\"` under [workspace.package], where members with `version.workspace = true` read it"
            ),
        })
    }
}

fn at_line(line: Option<usize>) -> String {
    line.map(|line| format!(" at line {line}"))
        .unwrap_or_default()
}

/// Apply `edits` to manifest `text`, changing only the version strings they name.
pub fn apply_edits(text: &str, edits: &ManifestEdits) -> Result<String, ManifestError> {
    let mut doc: DocumentMut = text.parse().map_err(|err| parse_error(text, &err))?;
    let root = doc.as_table_mut();

    if let Some(version) = &edits.package_version {
        let slot = root
            .get_mut("package")
            .and_then(Item::as_table_like_mut)
            .and_then(|package| package.get_mut("version"));
        match slot {
            Some(Item::Value(value @ Value::String(_))) => set_string(value, version.to_string()),
            Some(item) if inherits_workspace(item) => {}
            _ => {
                return Err(ManifestError::MissingPackageVersion {
                    version: version.clone(),
                });
            }
        }
    }

    if let Some(version) = &edits.workspace_package_version {
        let slot = root
            .get_mut("workspace")
            .and_then(Item::as_table_like_mut)
            .and_then(|ws| ws.get_mut("package"))
            .and_then(Item::as_table_like_mut)
            .and_then(|package| package.get_mut("version"));
        match slot {
            Some(Item::Value(value @ Value::String(_))) => set_string(value, version.to_string()),
            _ => {
                return Err(ManifestError::MissingWorkspaceVersion {
                    version: version.clone(),
                });
            }
        }
    }

    if let Some(table) = root
        .get_mut("workspace")
        .and_then(Item::as_table_like_mut)
        .and_then(|ws| ws.get_mut("dependencies"))
        .and_then(Item::as_table_like_mut)
    {
        for edit in &edits.workspace_deps {
            rewrite_entries(table, &edit.name, &edit.version);
        }
    }

    for edit in &edits.deps {
        for table in dep_tables_mut(root, edit.kind) {
            rewrite_entries(table, &edit.name, &edit.version);
        }
    }

    Ok(doc.to_string())
}

/// For verification only, never for what is published: make the dev-dependencies on the
/// packages `paths` names path-only (`version` and `registry` dropped; an inherited entry
/// replaced by the path), so cargo strips them when packaging. cargo orders the crates it
/// packages together by every versioned dependency among them, dev-dependencies included, and
/// stalls on serde's shape; verification builds no dev-dependency, so it proves the same.
pub fn unversion_dev_deps(
    text: &str,
    paths: &std::collections::BTreeMap<String, String>,
) -> Result<String, ManifestError> {
    let mut doc: DocumentMut = text.parse().map_err(|err| parse_error(text, &err))?;
    for table in dep_tables_mut(doc.as_table_mut(), DepKind::Dev) {
        for (key, item) in table.iter_mut() {
            let package = item
                .as_table_like()
                .and_then(|entry| entry.get("package"))
                .and_then(Item::as_str)
                .unwrap_or(key.get())
                .to_owned();
            let Some(path) = paths.get(&package) else {
                continue;
            };
            let mut entry = toml_edit::InlineTable::new();
            entry.insert("path", Value::from(path.as_str()));
            if let Some(old) = item.as_table_like() {
                for (field, value) in old.iter() {
                    if matches!(field, "features" | "default-features" | "package")
                        && let Some(value) = value.as_value()
                    {
                        let mut value = value.clone();
                        value.decor_mut().clear();
                        entry.insert(field, value);
                    }
                }
            }
            entry.fmt();
            *item = Item::Value(Value::InlineTable(entry));
        }
    }
    Ok(doc.to_string())
}

/// Read the facts of `text` that the adapter cannot get from `cargo metadata`.
pub fn manifest_facts(text: &str) -> Result<ManifestFacts, ManifestError> {
    let doc = Document::parse(text).map_err(|err| parse_error(text, &err))?;
    let root = doc.as_table();

    let package = root.get("package").and_then(Item::as_table_like);
    let version = package.and_then(|package| package.get_key_value("version"));
    let workspace = root.get("workspace").and_then(Item::as_table_like);

    let inherited = dep_tables(root)
        .into_iter()
        .flat_map(|(kind, target, table)| {
            table
                .iter()
                .filter(|(_, item)| inherits_workspace(item))
                .map(move |(key, _)| InheritedDep {
                    kind,
                    target: target.map(str::to_owned),
                    key: key.to_owned(),
                })
        })
        .collect();

    let patches = root
        .get("patch")
        .and_then(Item::as_table_like)
        .into_iter()
        .flat_map(|patch| patch.iter())
        .filter_map(|(registry, item)| Some((registry, item.as_table_like()?)))
        .flat_map(|(registry, table)| {
            table.iter().map(move |(key, item)| PatchDep {
                registry: registry.to_owned(),
                dep: table_dep(key, item),
            })
        })
        .collect();

    Ok(ManifestFacts {
        package_version: version
            .and_then(|(_, item)| item.as_str())
            .map(str::to_owned),
        version_from_workspace: version.is_some_and(|(_, item)| inherits_workspace(item)),
        rust_version_from_workspace: package
            .and_then(|package| package.get("rust-version"))
            .is_some_and(inherits_workspace),
        inherited_fields: package
            .into_iter()
            .flat_map(|package| package.iter())
            .filter(|(field, item)| *field != "version" && inherits_workspace(item))
            .map(|(field, _)| field.to_owned())
            .collect(),
        lints_from_workspace: root.get("lints").is_some_and(inherits_workspace),
        workspace_version: workspace
            .and_then(|ws| ws.get("package"))
            .and_then(|package| package.get("version"))
            .and_then(Item::as_str)
            .map(str::to_owned),
        inherited,
        workspace_deps: workspace
            .and_then(|ws| ws.get("dependencies"))
            .and_then(Item::as_table_like)
            .map(|table| {
                table
                    .iter()
                    .map(|(key, item)| table_dep(key, item))
                    .collect()
            })
            .unwrap_or_default(),
        patches,
        line_of_version: version.and_then(|(key, item)| line_of(text, key.span().or(item.span()))),
        include: package_strings(root, "include"),
        exclude: package_strings(root, "exclude"),
    })
}

/// The strings of the array `[package] <key>`; empty when absent.
fn package_strings(root: &dyn TableLike, key: &str) -> Vec<String> {
    root.get("package")
        .and_then(Item::as_table_like)
        .and_then(|package| package.get(key))
        .and_then(Item::as_array)
        .map(|array| {
            array
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The parts of the root manifest that differ between two of its texts (added, removed or
/// changed; formatting, comments and key order aside), sorted: each `[workspace.dependencies]`
/// entry, each `[workspace.package]` field, `[workspace.lints]`, and what it says of the package
/// at the workspace root. A text that is absent or does not parse has none of them.
pub fn changed_root_parts(before: Option<&str>, after: Option<&str>) -> Vec<RootPart> {
    let (before, after) = (root_parts(before), root_parts(after));
    let mut parts: Vec<RootPart> = before
        .iter()
        .filter(|(part, value)| after.get(*part) != Some(value))
        .map(|(part, _)| part.clone())
        .chain(
            after
                .keys()
                .filter(|part| !before.contains_key(*part))
                .cloned(),
        )
        .collect();
    parts.sort();
    parts
}

/// Every part of a root manifest text with its meaning (see [`changed_root_parts`]).
fn root_parts(text: Option<&str>) -> BTreeMap<RootPart, String> {
    let Some(doc) = text.and_then(|t| Document::parse(t).ok()) else {
        return BTreeMap::new();
    };
    let root = doc.as_table();
    let workspace = root.get("workspace").and_then(Item::as_table_like);
    let table = |name: &str| {
        workspace
            .and_then(|ws| ws.get(name))
            .and_then(Item::as_table_like)
            .into_iter()
            .flat_map(|table| table.iter())
    };
    let mut parts: BTreeMap<RootPart, String> = table("dependencies")
        .map(|(key, item)| (RootPart::Dependency(key.to_owned()), canonical(item)))
        .chain(
            table("package")
                .map(|(key, item)| (RootPart::PackageField(key.to_owned()), canonical(item))),
        )
        .collect();
    if let Some(lints) = workspace.and_then(|ws| ws.get("lints")) {
        parts.insert(RootPart::Lints, canonical(lints));
    }
    // What cargo keeps of the manifest when it packages the crate at the root.
    let own: Vec<String> = (root.iter())
        .filter(|(key, _)| !matches!(*key, "workspace" | "patch" | "replace"))
        .map(|(key, item)| format!("{key}={}", canonical(item)))
        .collect();
    if !own.is_empty() {
        parts.insert(RootPart::RootPackage, own.join(","));
    }
    parts
}

/// The version a manifest text gives its package: `[package] version`, or with
/// `from_workspace` the `[workspace.package] version`. `None` when absent or not a version.
pub fn manifest_version(text: &str, from_workspace: bool) -> Option<Version> {
    let doc = Document::parse(text).ok()?;
    let mut table = doc.as_table().get(if from_workspace {
        "workspace"
    } else {
        "package"
    })?;
    if from_workspace {
        table = table.as_table_like()?.get("package")?;
    }
    let version = table.as_table_like()?.get("version")?.as_str()?;
    Version::parse(version.trim()).ok()
}

/// An entry's meaning without its formatting: `"1"` and `{ version = "1" }` compare equal.
fn canonical(item: &Item) -> String {
    match (item.as_str(), item.as_table_like()) {
        (Some(version), _) => format!("{{version={version:?}}}"),
        (None, Some(table)) => canonical_table(table),
        (None, None) => item.as_value().map(canonical_value).unwrap_or_default(),
    }
}

fn canonical_table(table: &dyn TableLike) -> String {
    let mut fields: Vec<String> = table
        .iter()
        .map(|(key, item)| {
            let value = match item.as_table_like() {
                Some(inner) => canonical_table(inner),
                None => item.as_value().map(canonical_value).unwrap_or_default(),
            };
            format!("{key}={value}")
        })
        .collect();
    fields.sort();
    format!("{{{}}}", fields.join(","))
}

fn canonical_value(value: &Value) -> String {
    match value {
        Value::Array(array) => {
            let items: Vec<String> = array.iter().map(canonical_value).collect();
            format!("[{}]", items.join(","))
        }
        Value::InlineTable(table) => canonical_table(table),
        other => {
            let mut other = other.clone();
            other.decor_mut().clear();
            other.to_string()
        }
    }
}

/// 1-based line number of a dependency entry `key` in the table of `kind` (any target), for
/// annotations. The untargeted table is searched first.
pub fn dependency_line(text: &str, kind: DepKind, key: &str) -> Option<usize> {
    let doc = Document::parse(text).ok()?;
    dep_tables(doc.as_table())
        .into_iter()
        .filter(|(table_kind, _, _)| *table_kind == kind)
        .find_map(|(_, _, table)| table.get_key_value(key))
        .and_then(|(key, item)| line_of(text, key.span().or(item.span())))
}

const KINDS: [DepKind; 3] = [DepKind::Normal, DepKind::Build, DepKind::Dev];

/// Every spelling of a kind's table: cargo still reads the old underscore forms.
fn table_names(kind: DepKind) -> &'static [&'static str] {
    match kind {
        DepKind::Normal => &["dependencies"],
        DepKind::Build => &["build-dependencies", "build_dependencies"],
        DepKind::Dev => &["dev-dependencies", "dev_dependencies"],
    }
}

/// Every dependency table of the manifest with its kind and target, untargeted ones first.
fn dep_tables(root: &dyn TableLike) -> Vec<(DepKind, Option<&str>, &dyn TableLike)> {
    let targets = root
        .get("target")
        .and_then(Item::as_table_like)
        .into_iter()
        .flat_map(|targets| targets.iter())
        .filter_map(|(target, item)| Some((Some(target), item.as_table_like()?)));
    std::iter::once((None, root))
        .chain(targets)
        .flat_map(|(target, scope)| {
            KINDS.into_iter().flat_map(move |kind| {
                table_names(kind)
                    .iter()
                    .filter_map(move |name| Some((kind, target, scope.get(name)?.as_table_like()?)))
            })
        })
        .collect()
}

/// The tables of one kind, in every target, for editing.
fn dep_tables_mut(root: &mut dyn TableLike, kind: DepKind) -> Vec<&mut dyn TableLike> {
    fn of_kind(scope: &mut dyn TableLike, kind: DepKind) -> Vec<&mut dyn TableLike> {
        scope
            .iter_mut()
            .filter(|(name, _)| table_names(kind).contains(&name.get()))
            .filter_map(|(_, item)| item.as_table_like_mut())
            .collect()
    }
    let mut tables = Vec::new();
    for (name, item) in root.iter_mut() {
        match name.get() {
            "target" => {
                for (_, scope) in item
                    .as_table_like_mut()
                    .into_iter()
                    .flat_map(|t| t.iter_mut())
                {
                    if let Some(scope) = scope.as_table_like_mut() {
                        tables.extend(of_kind(scope, kind));
                    }
                }
            }
            other if table_names(kind).contains(&other) => tables.extend(item.as_table_like_mut()),
            _ => {}
        }
    }
    tables
}

/// Rewrite the requirement of every entry of `table` that means package `name`.
fn rewrite_entries(table: &mut dyn TableLike, name: &str, version: &Version) {
    for (key, item) in table.iter_mut() {
        let value = match item {
            Item::Value(value @ Value::String(_)) if key.get() == name => Some(value),
            Item::Value(Value::String(_)) => None,
            other => other.as_table_like_mut().and_then(|entry| {
                // A renamed entry names its package; an entry keyed `name` may be another crate.
                let package = entry
                    .get("package")
                    .and_then(Item::as_str)
                    .unwrap_or(key.get());
                if package != name {
                    return None;
                }
                entry.get_mut("version")?.as_value_mut()
            }),
        };
        if let Some(value @ Value::String(_)) = value {
            let old = value.as_str().unwrap_or_default().to_owned();
            set_string(value, rewrite_req(&old, version));
        }
    }
}

/// Replace a string value, keeping the whitespace and comments around it and a literal
/// (`'…'`) quote, so a diff of the manifest shows nothing but the new version.
fn set_string(value: &mut Value, new: String) {
    let Value::String(old) = value else { return };
    if old.value() == &new {
        return;
    }
    let literal = old
        .as_repr()
        .and_then(|repr| repr.as_raw().as_str())
        .is_some_and(|raw| raw.starts_with('\''));
    let mut replacement = if literal && !new.contains('\'') {
        format!("'{new}'")
            .parse()
            .unwrap_or_else(|_| Value::from(new))
    } else {
        Value::from(new)
    };
    *replacement.decor_mut() = old.decor().clone();
    *value = replacement;
}

fn inherits_workspace(item: &Item) -> bool {
    item.as_table_like()
        .and_then(|entry| entry.get("workspace"))
        .and_then(Item::as_bool)
        .unwrap_or(false)
}

fn table_dep(key: &str, item: &Item) -> TableDep {
    let field = |name| {
        item.as_table_like()
            .and_then(|entry| entry.get(name))
            .and_then(Item::as_str)
            .map(str::to_owned)
    };
    TableDep {
        key: key.to_owned(),
        package: field("package"),
        path: field("path"),
        version: item
            .as_str()
            .map(str::to_owned)
            .or_else(|| field("version")),
    }
}

fn parse_error(text: &str, err: &TomlError) -> ManifestError {
    let message = err.message().trim().lines().collect::<Vec<_>>().join("; ");
    ManifestError::Parse {
        line: line_of(text, err.span()),
        message,
    }
}

fn line_of(text: &str, span: Option<std::ops::Range<usize>>) -> Option<usize> {
    let start = span?.start.min(text.len());
    Some(
        text.as_bytes()[..start]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Version {
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

    const PACKAGE: &str = r#"# The foo crate.
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

    const STRING_FORM: &str = r#"[package]
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

    const FULL_TABLE: &str = r#"[package]
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

    const BUILD: &str = r#"[package]
name = "app"
version = "1.0.0"

[build-dependencies]
foo = { path = "../foo", version = "0.3" } # build script helper

[build_dependencies.bar]
path = "../bar"
version = "0.1"
"#;

    const DEV: &str = r#"[package]
name = "app"
version = "1.0.0"

[dependencies]
foo = { path = "../foo", version = "0.3" }

[dev-dependencies]
foo = { path = "../foo", version = "0.3", features = ["test-util"] }  # tests

[dev_dependencies]
bar = "0.1"
"#;

    const TARGETS: &str = r#"[package]
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

    const RENAMED: &str = r#"[package]
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
}
