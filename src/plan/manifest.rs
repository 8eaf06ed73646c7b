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

use super::DepKind;
use super::version::rewrite_req;

mod facts;

pub use facts::{changed_root_parts, manifest_facts, manifest_version};

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
mod facts_tests;
#[cfg(test)]
mod lines_tests;
#[cfg(test)]
mod tests;
