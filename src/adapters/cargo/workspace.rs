//! `cargo metadata` turned into the planner's [`Workspace`]: members, their dependencies and
//! publish rules, with the manifests' own text read for what metadata does not show.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use cargo_metadata::{DependencyKind, Metadata};
use semver::{Version, VersionReq};

use super::CargoError;
use crate::plan::DepKind;
use crate::plan::manifest::{ManifestFacts, manifest_facts};
use crate::plan::toolchain::RustVersion;
use crate::plan::workspace::{Member, MemberDep, PackageRules, Publish, RootPart, Workspace};

/// `cargo metadata` output saved to a file (checks on real workspaces without their sources).
pub fn metadata_from_file(path: &Path) -> Result<Metadata, CargoError> {
    let err = |message: String| CargoError::MetadataFile {
        path: path.to_owned(),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
    serde_json::from_str(&text).map_err(|e| err(e.to_string()))
}

/// Each member's `rust-version`, where it has one, with the manifest that says it: the root
/// manifest for a member that inherits it (`rust-version.workspace = true`).
pub fn rust_versions(meta: &Metadata) -> Vec<RustVersion> {
    let root = meta.workspace_root.as_std_path();
    meta.workspace_packages()
        .into_iter()
        .filter_map(|p| {
            let member = p.manifest_path.as_std_path();
            let inherited = std::fs::read_to_string(member)
                .ok()
                .and_then(|text| manifest_facts(&text).ok())
                .is_some_and(|facts| facts.rust_version_from_workspace);
            let manifest = if inherited {
                root.join("Cargo.toml")
            } else {
                member.to_owned()
            };
            Some(RustVersion {
                krate: p.name.to_string(),
                rust_version: p.rust_version.clone()?,
                manifest: relative(&manifest, &normalize(root)),
            })
        })
        .collect()
}

/// The members with a library target (a public API to check).
pub fn library_members(meta: &Metadata) -> std::collections::BTreeSet<String> {
    meta.workspace_packages()
        .into_iter()
        .filter(|p| p.targets.iter().any(|t| t.is_lib() || t.is_proc_macro()))
        .map(|p| p.name.to_string())
        .collect()
}

/// The planner's workspace. `repo_root` is the git repository root (member directories are
/// relative to it, as git's paths are); manifests that cannot be read (metadata from a file)
/// contribute no extra facts. `package_dirs` is left empty: git knows them, not cargo.
pub fn workspace(meta: &Metadata, repo_root: &Path) -> Result<Workspace, CargoError> {
    let ws_root = meta.workspace_root.as_std_path();
    let facts_of = |path: &Path| -> Result<ManifestFacts, CargoError> {
        match std::fs::read_to_string(path) {
            Ok(text) => manifest_facts(&text).map_err(|source| CargoError::Manifest {
                path: path.to_owned(),
                source,
            }),
            Err(_) => Ok(ManifestFacts::default()),
        }
    };
    let root_facts = facts_of(&ws_root.join("Cargo.toml"))?;
    let members: Vec<&cargo_metadata::Package> = meta.workspace_packages();
    let member_by_dir: BTreeMap<PathBuf, &str> = members
        .iter()
        .map(|p| {
            (
                normalize(dir_of(p.manifest_path.as_std_path())),
                p.name.as_str(),
            )
        })
        .collect();
    let member_at =
        |base: &Path, path: &str| member_by_dir.get(&normalize(&base.join(path))).copied();

    let workspace_deps: BTreeMap<String, Option<VersionReq>> = root_facts
        .workspace_deps
        .iter()
        .filter_map(|d| {
            let member = member_at(ws_root, d.path.as_deref()?)?;
            Some((
                member.to_owned(),
                d.version.as_deref().and_then(|v| VersionReq::parse(v).ok()),
            ))
        })
        .collect();
    let patched: BTreeMap<(String, String), &str> = root_facts
        .patches
        .iter()
        .filter_map(|p| {
            let member = member_at(ws_root, p.dep.path.as_deref()?)?;
            let name = p.dep.package.clone().unwrap_or_else(|| p.dep.key.clone());
            Some(((p.registry.clone(), name), member))
        })
        .collect();

    let mut out = Vec::new();
    for pkg in &members {
        let manifest_path = pkg.manifest_path.as_std_path();
        let facts = facts_of(manifest_path)?;
        let dir = normalize(dir_of(manifest_path));
        let mut deps = Vec::new();
        for dep in &pkg.dependencies {
            let kind = match dep.kind {
                DependencyKind::Development => DepKind::Dev,
                DependencyKind::Build => DepKind::Build,
                _ => DepKind::Normal,
            };
            let target = dep.target.as_ref().map(ToString::to_string);
            let (name, via_patch) = match (&dep.path, &dep.source) {
                (Some(path), _) => match member_by_dir.get(&normalize(path.as_std_path())) {
                    Some(name) => (*name, false),
                    None => continue,
                },
                (None, Some(source)) => match patched.iter().find(|((registry, name), _)| {
                    name == &dep.name && patch_applies(registry, &source.repr)
                }) {
                    Some((_, member)) => (*member, true),
                    None => continue,
                },
                (None, None) => continue,
            };
            let key = dep.rename.clone().unwrap_or_else(|| dep.name.clone());
            let inherited = facts
                .inherited
                .iter()
                .any(|i| i.kind == kind && i.target == target && i.key == key);
            deps.push(MemberDep {
                name: name.to_owned(),
                kind,
                target,
                rename: dep.rename.clone(),
                optional: dep.optional,
                req: (dep.req != VersionReq::STAR).then(|| dep.req.clone()),
                inherited,
                via_patch,
            });
        }
        // cargo copies the readme and license file in from wherever they are.
        let extra = [pkg.readme.as_ref(), pkg.license_file.as_ref()]
            .into_iter()
            .flatten()
            .map(|file| relative(&dir.join(file.as_std_path()), &normalize(repo_root)))
            .collect();
        let is_root = normalize(manifest_path) == normalize(&ws_root.join("Cargo.toml"));
        let inherits = inherited_parts(&facts, is_root);
        out.push(Member {
            name: pkg.name.to_string(),
            version: pkg.version.clone(),
            dir: relative(&dir, &normalize(repo_root)),
            manifest: relative(manifest_path, &normalize(ws_root)),
            publish: match &pkg.publish {
                None => Publish::Anywhere,
                Some(list) if list.is_empty() => Publish::Never,
                Some(list) => Publish::Registries(list.clone()),
            },
            version_from_workspace: facts.version_from_workspace,
            deps,
            package: PackageRules {
                include: facts.include,
                exclude: facts.exclude,
                extra,
            },
            inherits,
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Workspace {
        root_dir: relative(ws_root, &normalize(repo_root)),
        members: out,
        workspace_version: root_facts
            .workspace_version
            .as_deref()
            .and_then(|v| Version::parse(v).ok()),
        workspace_deps,
        package_dirs: Vec::new(),
    })
}

/// The parts of the root manifest a member's package takes in: the `[workspace.dependencies]`
/// entries its normal and build dependencies inherit, the `[workspace.package]` fields and
/// lints it inherits, and for the package at the workspace root its own tables.
fn inherited_parts(facts: &ManifestFacts, is_root: bool) -> Vec<RootPart> {
    let mut parts: Vec<RootPart> = (facts.inherited.iter())
        .filter(|i| i.kind != DepKind::Dev)
        .map(|i| RootPart::Dependency(i.key.clone()))
        .chain((facts.inherited_fields.iter()).map(|field| RootPart::PackageField(field.clone())))
        .chain(facts.lints_from_workspace.then_some(RootPart::Lints))
        .chain(is_root.then_some(RootPart::RootPackage))
        .collect();
    parts.sort();
    parts.dedup();
    parts
}

/// The directory of a manifest; a path without one (metadata from a file says anything) is
/// its own directory.
fn dir_of(manifest: &Path) -> &Path {
    manifest.parent().unwrap_or(manifest)
}

/// Whether `[patch.<registry>]` applies to a dependency from `source`.
fn patch_applies(registry: &str, source: &str) -> bool {
    if registry == "crates-io" {
        source.contains("crates.io-index") || source.contains("index.crates.io")
    } else {
        source.contains(registry)
    }
}

/// `/a/b/../c` → `/a/c`, without touching the file system (the paths may not exist).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// `path` relative to `base`, `/`-separated; empty when equal. A path outside `base` stays
/// whole (nothing is ever written there: `jobs::apply::confined`).
fn relative(path: &Path, base: &Path) -> String {
    let path = normalize(path);
    match path.strip_prefix(base) {
        Ok(rel) => rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/"),
        Err(_) => path.to_string_lossy().into_owned(),
    }
}
