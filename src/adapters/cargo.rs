//! cargo: `cargo metadata` turned into the planner's [`Workspace`], and every cargo command
//! (metadata, the `Cargo.lock` refresh, build, package, publish) started through [`Cargo`].
//!
//! Effects and translation only: which dependency is an edge, and what a problem in a manifest
//! means, are decided in `plan`. `cargo metadata` does not show `[patch]`, inherited
//! (`workspace = true`) dependencies or `[workspace.dependencies]`, so the manifests' text is
//! read for those (`plan::manifest::manifest_facts`).

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Component, Path, PathBuf};
use std::process::Command;

use cargo_metadata::{DependencyKind, Metadata, MetadataCommand};
use semver::{Version, VersionReq};

use crate::hint::Hint;
use crate::plan::DepKind;
use crate::plan::manifest::{ManifestError, ManifestFacts, manifest_facts};
use crate::plan::toolchain::RustVersion;

use crate::plan::workspace::{Member, MemberDep, PackageRules, Publish, RootPart, Workspace};

#[derive(Debug, thiserror::Error)]
pub enum CargoError {
    #[error("cargo metadata failed in {dir}: {message}")]
    Metadata { dir: PathBuf, message: String },
    #[error("could not read cargo metadata from {path}: {message}")]
    MetadataFile { path: PathBuf, message: String },
    #[error("{path} is not a valid manifest: {source}")]
    Manifest {
        path: PathBuf,
        #[source]
        source: ManifestError,
    },
    #[error("`cargo {command}` failed in {dir}: {stderr}")]
    Failed {
        command: String,
        dir: PathBuf,
        stderr: String,
    },
    #[error("could not run cargo")]
    Spawn(#[source] std::io::Error),
}

impl CargoError {
    /// Problems in the user's input (exit 2), as opposed to failures while acting (exit 1).
    pub fn is_input(&self) -> bool {
        matches!(
            self,
            CargoError::Metadata { .. }
                | CargoError::MetadataFile { .. }
                | CargoError::Manifest { .. }
        )
    }
}

impl Hint for CargoError {
    fn hint(&self) -> Option<String> {
        match self {
            CargoError::Metadata { .. } | CargoError::Manifest { .. } => {
                Some("fix the manifest cargo names above; `cargo metadata --no-deps` must succeed in the workspace".into())
            }
            CargoError::MetadataFile { .. } => {
                Some("the file must hold the output of `cargo metadata --format-version 1 --no-deps`".into())
            }
            CargoError::Spawn(_) => Some("install cargo and make sure it is on PATH".into()),
            CargoError::Failed { .. } => None,
        }
    }
}

/// How every cargo command is started: with the run's toolchain (`RUSTUP_TOOLCHAIN`, which
/// beats a rust-toolchain file and rustup's default), and the cargo home and target directory
/// config resolved. Built by `adapters::toolchain::resolve`; every cargo child goes through
/// [`Cargo::command`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cargo {
    toolchain: Option<String>,
    home: Option<PathBuf>,
    target_dir: Option<PathBuf>,
    /// Environment variables no child gets (the secrets; see `config::CargoSetup::hidden`).
    hidden: Vec<String>,
    /// Children use no network (`CARGO_NET_OFFLINE`): what cargo has is all there is.
    offline: bool,
}

impl Cargo {
    pub fn new(
        toolchain: Option<String>,
        home: Option<PathBuf>,
        target_dir: Option<PathBuf>,
    ) -> Cargo {
        Cargo {
            toolchain,
            home,
            target_dir,
            hidden: Vec::new(),
            offline: false,
        }
    }

    /// The same, offline when `offline` (a run with `--offline`): dependencies and registry
    /// crates not downloaded yet are not fetched.
    pub fn offline(mut self, offline: bool) -> Cargo {
        self.offline = offline;
        self
    }

    /// The same, starting every child without the environment variables `names`: build
    /// scripts, proc macros and rustdoc run code of the workspace and of its dependencies.
    pub fn hiding(mut self, names: &[String]) -> Cargo {
        self.hidden = names.to_vec();
        self
    }

    /// The environment every cargo child gets on top of ours.
    fn envs(&self) -> Vec<(&'static str, OsString)> {
        let mut envs = Vec::new();
        if let Some(toolchain) = &self.toolchain {
            envs.push(("RUSTUP_TOOLCHAIN", OsString::from(toolchain)));
        }
        if let Some(home) = &self.home {
            envs.push(("CARGO_HOME", home.clone().into_os_string()));
        }
        if let Some(dir) = &self.target_dir {
            envs.push(("CARGO_TARGET_DIR", dir.clone().into_os_string()));
        }
        if self.offline {
            envs.push(("CARGO_NET_OFFLINE", OsString::from("true")));
        }
        envs
    }

    /// `cargo`, through rustup's proxy on PATH, with this run's toolchain, home and target
    /// directory, no secret in its environment, and no colours in what it prints.
    pub fn command(&self) -> Command {
        self.tool("cargo")
    }

    /// Another program of the toolchain (`rustc`), through rustup's proxy likewise.
    pub fn tool(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        for name in &self.hidden {
            cmd.env_remove(name);
        }
        cmd.envs(self.envs()).env("CARGO_TERM_COLOR", "never");
        cmd
    }

    /// cargo's own `--version` line.
    pub fn version(&self) -> Result<String, CargoError> {
        let out = self
            .command()
            .arg("--version")
            .output()
            .map_err(CargoError::Spawn)?;
        let stdout = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        if !out.status.success() || stdout.is_empty() {
            return Err(CargoError::Failed {
                command: "--version".into(),
                dir: PathBuf::from("."),
                stderr: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
            });
        }
        Ok(stdout)
    }

    /// `cargo metadata --no-deps` in `dir`.
    pub fn metadata(&self, dir: &Path) -> Result<Metadata, CargoError> {
        self.metadata_of(dir, true)
    }

    /// `cargo metadata` in `dir` with every dependency's package: it resolves the dependencies
    /// and downloads them.
    pub fn metadata_with_deps(&self, dir: &Path) -> Result<Metadata, CargoError> {
        self.metadata_of(dir, false)
    }

    fn metadata_of(&self, dir: &Path, no_deps: bool) -> Result<Metadata, CargoError> {
        let mut cmd = MetadataCommand::new();
        // `cargo` on PATH, not `$CARGO` (set when we run under cargo): that names one toolchain's
        // binary directly, past rustup and the toolchain chosen here.
        cmd.cargo_path("cargo").current_dir(dir);
        if no_deps {
            cmd.no_deps();
        }
        for name in &self.hidden {
            cmd.env_remove(name);
        }
        for (name, value) in self.envs() {
            cmd.env(name, value);
        }
        cmd.exec().map_err(|e| CargoError::Metadata {
            dir: dir.to_owned(),
            message: match e {
                cargo_metadata::Error::CargoMetadata { stderr } => stderr.trim().to_owned(),
                other => other.to_string(),
            },
        })
    }

    /// Refresh `Cargo.lock` after the manifests changed (only the workspace's own entries move).
    pub fn refresh_lockfile(&self, dir: &Path) -> Result<(), CargoError> {
        let args = ["update", "--workspace"].map(String::from);
        self.run(dir, &args, &[])?
            .map_err(|failed| CargoError::Failed {
                command: args.join(" "),
                dir: dir.to_owned(),
                stderr: failed.stderr,
            })
    }

    /// Run cargo in `dir` with extra environment, capturing its output.
    fn run(
        &self,
        dir: &Path,
        args: &[String],
        envs: &[(String, String)],
    ) -> Result<Result<(), CargoOutput>, CargoError> {
        let out = self
            .command()
            .args(args)
            .envs(envs.iter().map(|(k, v)| (k, v)))
            .current_dir(dir)
            .output()
            .map_err(CargoError::Spawn)?;
        if out.status.success() {
            Ok(Ok(()))
        } else {
            Ok(Err(CargoOutput {
                stderr: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
            }))
        }
    }

    /// `cargo build --release --workspace` in `dir`; `--locked` when the workspace has a
    /// lockfile to keep to (without one cargo resolves fresh and writes one: the caller removes
    /// it).
    pub fn build_release(
        &self,
        dir: &Path,
        locked: bool,
    ) -> Result<Result<(), CargoOutput>, CargoError> {
        let mut args = vec!["build".to_owned(), "--release".to_owned()];
        if locked {
            args.push("--locked".into());
        }
        args.push("--workspace".into());
        self.run(dir, &args, &[])
    }

    /// `cargo package -p A -p B …`: every crate packaged and, when `mode.verify`, built from
    /// its packaged sources, the ones not yet in the registry resolved from each other (cargo's
    /// local overlay), so a crate that only builds inside the workspace fails here, before
    /// anything is public. Returns each `.crate` file with its size.
    pub fn package(
        &self,
        dir: &Path,
        target_dir: &Path,
        crates: &[(String, Version)],
        registry: Option<&str>,
        mode: PackageMode,
    ) -> Result<Packages, CargoError> {
        let mut args: Vec<String> = vec!["package".into(), "--target-dir".into()];
        args.push(target_dir.display().to_string());
        if mode.allow_dirty {
            args.push("--allow-dirty".into());
        }
        if !mode.verify {
            args.push("--no-verify".into());
        }
        for (name, _) in crates {
            args.push("-p".into());
            args.push(name.clone());
        }
        args.extend(registry_args(registry));
        if let Err(failed) = self.run(dir, &args, &[])? {
            return Ok(Err(failed));
        }
        let files = crates
            .iter()
            .map(|(name, version)| {
                let path = target_dir
                    .join("package")
                    .join(format!("{name}-{version}.crate"));
                let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
                Packaged {
                    name: name.clone(),
                    path,
                    bytes,
                }
            })
            .collect();
        Ok(Ok(files))
    }
}

/// How [`Cargo::package`] packages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PackageMode {
    /// Package a tree with uncommitted changes (a scratch worktree we edited).
    pub allow_dirty: bool,
    /// Build every crate from its packaged sources (cargo's verification).
    pub verify: bool,
}

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

/// What a cargo command said when it failed: its stderr, trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CargoOutput {
    pub stderr: String,
}

fn registry_args(registry: Option<&str>) -> Vec<String> {
    match registry {
        Some(name) => vec!["--registry".into(), name.into()],
        None => Vec::new(),
    }
}

/// One `.crate` file `cargo package` wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packaged {
    pub name: String,
    pub path: PathBuf,
    pub bytes: u64,
}

/// The packages, or what cargo said when packaging or verifying failed.
pub type Packages = Result<Vec<Packaged>, CargoOutput>;

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
