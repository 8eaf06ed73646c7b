//! Turns what the user typed — action inputs (`INPUT_*`) or a command line — into one validated
//! [`Config`], and `releasekit.toml` into [`file::Settings`].
//!
//! Two steps, as ripgrep does: [`inputs::RawInputs`] and [`cli::Cli`] only hold the strings the
//! user wrote; the shared validators of `values` turn them into typed values with errors that
//! name the input or flag, the value and what is allowed. This module reads files and the
//! environment it is handed, but it never talks to the network, never runs a process and never
//! prints: `main` prints a [`ConfigError`] and exits with [`ConfigError::exit_code`].

pub mod cli;
mod common;
pub mod env;
mod error;
pub mod file;
pub mod inputs;
mod secrets;
mod values;

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::plan::Bump;
use crate::plan::version::Prerelease;
pub(crate) use common::Common;
pub use env::{RunEnv, is_token_variable};
use error::invalid;
pub use error::{ConfigError, Position, Setting};
use secrets::check_tokens;
pub use secrets::{is_secret_variable, token_problem};
pub(crate) use values::{
    absolute, boolean, bump_type, count, crate_versions, current_dir, is_name, name, prerelease,
    toolchain,
};

/// The stage (or stages) to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Command {
    Plan,
    Apply,
    Prepare,
    Release,
    Publish,
    Notify,
    Yank,
    Auto,
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Command::Plan => "plan",
            Command::Apply => "apply",
            Command::Prepare => "prepare",
            Command::Release => "release",
            Command::Publish => "publish",
            Command::Notify => "notify",
            Command::Yank => "yank",
            Command::Auto => "auto",
        })
    }
}

/// A token. Printing it, on purpose or through `{:?}`, shows `***`; only [`Secret::expose`]
/// hands out the value, so every place that sends it is easy to find.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Everything a run needs to know from its inputs, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub command: Command,
    /// `GITHUB_ACTIONS=true`.
    pub in_actions: bool,
    pub dry_run: bool,
    pub force_prepare: bool,
    pub skip_publish: bool,
    pub group: Option<String>,
    /// `None` = bumps come from the commits.
    pub bump_type: Option<Bump>,
    pub prerelease: Option<Prerelease>,
    /// Most uploads at once; 0 = automatic.
    pub concurrency: usize,
    pub max_retries: u32,
    /// Input `token`, else `GITHUB_TOKEN`.
    pub token: Option<Secret>,
    pub registry: Option<String>,
    /// Absolute directory of the workspace root.
    pub workspace: PathBuf,
    /// Absolute path of the configuration file (it may not exist).
    pub config_file: PathBuf,
    /// The user named the configuration file, so a missing one is an error.
    pub config_explicit: bool,
    /// Print the plan as JSON (command line only).
    pub json: bool,
    /// Read `cargo metadata` JSON from this file instead of running cargo (command line only).
    pub metadata_file: Option<PathBuf>,
    /// JSON `{"crate": ["1.0.0", …]}` of versions already published (command line only).
    pub published_file: Option<PathBuf>,
    /// Ask no registry: `plan` and `apply` take the tags for what was released (`--offline`,
    /// or `CARGO_NET_OFFLINE=true` as cargo reads it).
    pub offline: bool,
    /// How cargo runs: toolchain, home, target directory.
    pub cargo: CargoSetup,
    /// `yank`: what and which way (command line only; the action yanks the merged release).
    pub yank: YankOptions,
    /// What the environment says about the run, resolved once.
    pub env: RunEnv,
}

/// How every cargo command of a run is started, as far as the inputs and the environment say;
/// the toolchain itself is resolved (and installed) by `adapters::toolchain`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CargoSetup {
    /// Input `toolchain` (`--toolchain`); `None`: the workspace's rust-toolchain file, else
    /// rustup's default (the image's stable).
    pub toolchain: Option<String>,
    /// `CARGO_HOME` for cargo, else `$HOME/.cargo`: in a Docker action that is
    /// `/github/home/.cargo`, which the runner keeps for the job and a cache step can save.
    pub home: Option<PathBuf>,
    /// `CARGO_TARGET_DIR` for cargo. As an action, `<workspace>/target` unless the environment
    /// names one: the mounted checkout, where a cache step finds it whatever the repository's
    /// cargo configuration says. On the command line only what the environment says.
    pub target_dir: Option<PathBuf>,
    /// The environment variables that hold secrets ([`is_secret_variable`]): no cargo child
    /// sees them, since build scripts, proc macros and rustdoc run the workspace's code and its
    /// dependencies'. `cargo publish` is handed its registry token explicitly.
    pub hidden: Vec<String>,
}

/// What `yank` works on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct YankOptions {
    /// `--crate NAME@VERSION` pairs; empty: the crates of the merged Release PR.
    pub crates: Vec<(String, semver::Version)>,
    /// `--undo`: unyank them instead.
    pub undo: bool,
}

pub const DEFAULT_CONFIG_FILE: &str = "releasekit.toml";
pub const DEFAULT_MAX_RETRIES: u32 = 2;
pub const MAX_MAX_RETRIES: u32 = 10;
pub const MAX_CONCURRENCY: usize = 64;
/// Longer than any toolchain name rustup knows (`nightly-2026-10-01-x86_64-unknown-linux-gnu`).
pub const MAX_TOOLCHAIN_LEN: usize = 100;

/// Read the command line, and in GitHub Actions without a subcommand the action inputs, into a
/// [`Config`]. `args` is `std::env::args_os()` (program name first); `env` the process
/// environment.
pub fn load(
    args: impl IntoIterator<Item = OsString>,
    env: impl IntoIterator<Item = (String, String)>,
) -> Result<Config, ConfigError> {
    load_from(args, &Env::new(env))
}

/// [`load`] with the environment already collected.
pub fn load_from(
    args: impl IntoIterator<Item = OsString>,
    env: &Env,
) -> Result<Config, ConfigError> {
    let command = cli::Cli::parse_args(args)?.command;
    check_tokens(env)?;
    match command {
        Some(stage) => stage.into_config(env),
        None if env.in_actions() => inputs::RawInputs::from_env(&env.vars)?.into_config(env),
        None => Err(cli::missing_subcommand()),
    }
}

/// The process environment as handed to [`load`]; lookups treat an empty value as unset.
pub struct Env {
    vars: BTreeMap<String, String>,
}

impl Env {
    pub fn new(vars: impl IntoIterator<Item = (String, String)>) -> Env {
        Env {
            vars: vars.into_iter().collect(),
        }
    }

    /// The environment of this process: the one place it is read.
    pub fn from_process() -> Env {
        Env::new(std::env::vars())
    }

    /// Every variable, as set.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &String)> {
        self.vars.iter()
    }

    /// The secrets to mask before anything is printed.
    pub fn secrets(&self) -> Vec<Secret> {
        env::secrets(self)
    }

    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    }

    /// `GITHUB_ACTIONS=true`: output for the runner (annotations, groups, masks).
    pub fn in_actions(&self) -> bool {
        self.get("GITHUB_ACTIONS") == Some("true")
    }

    pub(crate) fn token(&self) -> Option<Secret> {
        self.get("GITHUB_TOKEN").map(Secret::new)
    }
}

#[cfg(test)]
mod tests;
