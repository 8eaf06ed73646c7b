//! The workspace as the planner sees it: members, whether and where each may be published, and
//! every dependency of a member on another member.
//!
//! Built by `adapters::cargo` from `cargo metadata` and the manifests' text; this module owns the
//! types and the rules that need no I/O (which dependency is a member dependency, what a member
//! path dependency without a version means). It must not read files or run commands.

use std::collections::BTreeMap;

use semver::{Version, VersionReq};
use serde::Serialize;

use super::DepKind;

/// Where a member may be published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "registries")]
pub enum Publish {
    /// No `publish` key: any registry.
    Anywhere,
    /// `publish = ["name", …]`.
    Registries(Vec<String>),
    /// `publish = false`.
    Never,
}

impl Publish {
    /// Whether the member may go to `registry` (`None` = crates.io).
    pub fn allows(&self, registry: Option<&str>) -> bool {
        match self {
            Publish::Anywhere => true,
            Publish::Never => false,
            Publish::Registries(list) => match registry {
                Some(name) => list.iter().any(|r| r == name),
                None => list.iter().any(|r| r == "crates-io"),
            },
        }
    }
}

/// One workspace member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Member {
    pub name: String,
    pub version: Version,
    /// Directory of the member relative to the git repository root, `/`-separated, no trailing
    /// slash; empty for a member at the repository root.
    pub dir: String,
    /// Manifest path relative to the workspace root (`Cargo.toml`, `crates/foo/Cargo.toml`).
    pub manifest: String,
    pub publish: Publish,
    /// `version.workspace = true`: the member's version lives in `[workspace.package]`.
    pub version_from_workspace: bool,
    pub deps: Vec<MemberDep>,
    /// Which files of the repository the member's package holds.
    pub package: PackageRules,
    /// The parts of the root manifest this member's package takes in (sorted): a commit that
    /// changes one of them changes the package, though no file of its own changed.
    pub inherits: Vec<RootPart>,
}

/// A part of the workspace's root manifest that goes into a member's package: cargo writes it
/// into the packaged `Cargo.toml` of the members that inherit it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "key")]
pub enum RootPart {
    /// A `[workspace.dependencies]` entry a normal or build dependency inherits
    /// (`x.workspace = true`; a dev-dependency's does not count: the crate's users never build
    /// it).
    Dependency(String),
    /// A `[workspace.package]` field the member inherits (`rust-version.workspace = true`);
    /// `version` is not one: a new version is the release itself.
    PackageField(String),
    /// `[workspace.lints]`, for a member with `lints.workspace = true`.
    Lints,
    /// The package at the workspace root, as its own manifest describes it: everything but the
    /// `[workspace]`, `[patch]` and `[replace]` tables, which cargo leaves out of the package.
    RootPackage,
}

/// What `cargo package` takes into a member's `.crate`, as the manifest says it: the files of
/// its directory filtered by `include` (else `exclude`), gitignore syntax, plus the readme and
/// license file wherever they are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct PackageRules {
    /// `[package] include`; when not empty, `exclude` is not consulted (cargo's rule).
    pub include: Vec<String>,
    /// `[package] exclude`.
    pub exclude: Vec<String>,
    /// Files outside the rules that cargo copies in (`readme`, `license-file`), relative to the
    /// repository root.
    pub extra: Vec<String>,
}

/// A dependency of a member on another member (the only dependencies the planner cares about).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MemberDep {
    /// Package name of the member depended on.
    pub name: String,
    pub kind: DepKind,
    /// `target.'cfg(..)'` platform, when the dependency is target-specific.
    pub target: Option<String>,
    /// The key in the manifest when it differs from the package name (`package = …`).
    pub rename: Option<String>,
    pub optional: bool,
    /// The version requirement; `None` for a path dependency without `version`.
    pub req: Option<VersionReq>,
    /// The requirement is written in `[workspace.dependencies]` (`dep.workspace = true`).
    pub inherited: bool,
    /// A registry dependency that `[patch]` points at the member.
    pub via_patch: bool,
}

impl MemberDep {
    /// A plain dependency (no target, rename or flags) for tests of the modules that read
    /// workspaces.
    #[cfg(test)]
    pub(crate) fn plain(name: &str, kind: DepKind, req: Option<&str>) -> MemberDep {
        MemberDep {
            name: name.to_owned(),
            kind,
            target: None,
            rename: None,
            optional: false,
            req: req.map(|r| VersionReq::parse(r).expect("a test requirement")),
            inherited: false,
            via_patch: false,
        }
    }

    /// The key under which the dependency stands in the manifest.
    pub fn key(&self) -> &str {
        self.rename.as_deref().unwrap_or(&self.name)
    }
}

/// The whole workspace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Workspace {
    /// Workspace root relative to the git repository root (`""` or `rust`).
    pub root_dir: String,
    /// Members sorted by name.
    pub members: Vec<Member>,
    /// `[workspace.package] version`.
    pub workspace_version: Option<Version>,
    /// `[workspace.dependencies]` entries that point at members: package name → requirement
    /// (`None` when the entry has no version).
    pub workspace_deps: BTreeMap<String, Option<VersionReq>>,
    /// Every directory of the repository (relative to its root) holding a tracked `Cargo.toml`,
    /// members or not: cargo leaves each of them out of the packages of the directories above.
    pub package_dirs: Vec<String>,
}

impl Member {
    /// A member publishable anywhere in `crates/<name>`, with no package rules, for tests of
    /// the modules that read workspaces.
    #[cfg(test)]
    pub(crate) fn plain(name: &str, version: &str, deps: Vec<MemberDep>) -> Member {
        Member {
            name: name.to_owned(),
            version: Version::parse(version).expect("a test version"),
            dir: format!("crates/{name}"),
            manifest: format!("crates/{name}/Cargo.toml"),
            publish: Publish::Anywhere,
            version_from_workspace: false,
            deps,
            package: PackageRules::default(),
            inherits: Vec::new(),
        }
    }

    /// The member's manifest relative to the repository root.
    pub fn repo_manifest(&self) -> String {
        join(&self.dir, "Cargo.toml")
    }
}

impl Workspace {
    /// The root manifest relative to the repository root.
    pub fn repo_root_manifest(&self) -> String {
        join(&self.root_dir, "Cargo.toml")
    }
}

/// `dir/name`, or `name` for the repository root.
pub(crate) fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_owned()
    } else {
        format!("{dir}/{name}")
    }
}

impl Workspace {
    pub fn member(&self, name: &str) -> Option<&Member> {
        self.members
            .binary_search_by(|m| m.name.as_str().cmp(name))
            .ok()
            .map(|i| &self.members[i])
    }

    /// Members that may be published to `registry`.
    pub fn publishable<'a, 'r>(
        &'a self,
        registry: Option<&'r str>,
    ) -> impl Iterator<Item = &'a Member> + use<'a, 'r> {
        self.members
            .iter()
            .filter(move |m| m.publish.allows(registry))
    }
}

/// A problem in a member's manifest that makes it impossible to publish.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ManifestProblem {
    pub member: String,
    pub manifest: String,
    /// The dependency's key in the manifest, and the table it stands in.
    pub dependency: String,
    pub kind: DepKind,
    pub message: String,
    pub hint: String,
}

/// Normal and build dependencies of publishable members on other members must carry a version:
/// cargo refuses to publish a path-only dependency. (Path-only dev-dependencies are stripped by
/// cargo and are fine.)
pub fn manifest_problems(ws: &Workspace, registry: Option<&str>) -> Vec<ManifestProblem> {
    let mut problems = Vec::new();
    for member in ws.publishable(registry) {
        for dep in &member.deps {
            if dep.kind == DepKind::Dev || dep.name == member.name {
                continue;
            }
            let Some(target) = ws.member(&dep.name) else {
                continue;
            };
            if dep.req.is_none() {
                problems.push(ManifestProblem {
                    member: member.name.clone(),
                    manifest: member.manifest.clone(),
                    dependency: dep.key().to_owned(),
                    kind: dep.kind,
                    message: format!(
                        "{} has a {} dependency on member {} without a version",
                        member.name,
                        dep.kind.table(),
                        dep.name
                    ),
                    hint: format!(
                        "add `version = \"{}\"` to `{}` in {} (cargo publishes only dependencies with a version), or set `publish = false` on {}",
                        target.version, dep.key(), member.manifest, member.name
                    ),
                });
            } else if !target.publish.allows(registry) {
                problems.push(ManifestProblem {
                    member: member.name.clone(),
                    manifest: member.manifest.clone(),
                    dependency: dep.key().to_owned(),
                    kind: dep.kind,
                    message: format!(
                        "{} is published but its {} dependency {} is not publishable",
                        member.name,
                        dep.kind.table(),
                        dep.name
                    ),
                    hint: format!(
                        "remove `publish = false` from {}'s manifest, or set `publish = false` on {}",
                        dep.name, member.name
                    ),
                });
            }
        }
    }
    problems
}
