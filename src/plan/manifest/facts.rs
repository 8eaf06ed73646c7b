//! What a manifest text says beyond `cargo metadata`: its facts (inheritance, `[patch]`), the
//! parts of the root manifest that changed between two texts, and the version it gives.

use std::collections::BTreeMap;

use semver::Version;
use toml_edit::{Document, Item, TableLike, Value};

use super::{
    InheritedDep, ManifestError, ManifestFacts, PatchDep, dep_tables, inherits_workspace, line_of,
    parse_error, table_dep,
};
use crate::plan::workspace::RootPart;

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
