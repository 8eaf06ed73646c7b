//! cargo: every cargo command (metadata, the `Cargo.lock` refresh, build, package, publish)
//! started through [`Cargo`]; `cargo metadata` turned into the planner's workspace in
//! [`workspace`].
//!
//! Effects and translation only: which dependency is an edge, and what a problem in a manifest
//! means, are decided in `plan`. `cargo metadata` does not show `[patch]`, inherited
//! (`workspace = true`) dependencies or `[workspace.dependencies]`, so the manifests' text is
//! read for those (`plan::manifest::manifest_facts`).

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use cargo_metadata::{Metadata, MetadataCommand};
use semver::Version;

use crate::hint::Hint;
use crate::plan::manifest::ManifestError;

mod lockfile;
mod workspace;

pub use lockfile::{StrayLockfile, has_lockfile};
pub use workspace::{library_members, metadata_from_file, rust_versions, workspace};

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
        if mode.locked {
            args.push("--locked".into());
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
    /// Keep to the workspace's `Cargo.lock` (`--locked`): without it cargo re-resolves a stale
    /// lockfile and writes it back, and a build running meanwhile would pass on that.
    pub locked: bool,
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
