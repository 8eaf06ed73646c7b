//! Turns what the user typed — action inputs (`INPUT_*`) or a command line — into one validated
//! [`Config`], and `releasekit.toml` into [`file::Settings`].
//!
//! Two steps, as ripgrep does: [`inputs::RawInputs`] and [`cli::Cli`] only hold the strings the
//! user wrote; the shared validators below turn them into typed values with errors that name the
//! input or flag, the value and what is allowed. This module reads files and the environment it
//! is handed, but it never talks to the network, never runs a process and never prints: `main`
//! prints a [`ConfigError`] and exits with [`ConfigError::exit_code`].

pub mod cli;
pub mod env;
pub mod file;
pub mod inputs;

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fmt;
use std::path::{Component, Path, PathBuf};
use std::str::FromStr;

use serde::Serialize;

use crate::hint::Hint;
use crate::plan::Bump;
use crate::plan::trigger::EventError;
use crate::plan::version::Prerelease;
pub use env::{RunEnv, is_token_variable};

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
const BOOLEANS: &str = "true, True, TRUE, false, False, FALSE";

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

/// Whether the environment variable `name` holds a secret that no child process may see but the
/// one that needs it: the tokens, and what trusted publishing and the runner's cache service
/// would take for one (`ACTIONS_ID_TOKEN_REQUEST_URL` with its token mints OIDC tokens).
pub fn is_secret_variable(name: &str) -> bool {
    is_token_variable(name)
        || matches!(
            name,
            "ACTIONS_ID_TOKEN_REQUEST_URL" | "ACTIONS_RUNTIME_TOKEN"
        )
}

/// Every token of the environment is one line of printable ASCII, as it will be sent (the
/// GitHub token trimmed, as the inputs are; registry tokens as cargo reads them).
fn check_tokens(env: &Env) -> Result<(), ConfigError> {
    for (name, value) in &env.vars {
        if !is_token_variable(name) {
            continue;
        }
        let sent = match name.as_str() {
            "INPUT_TOKEN" | "GITHUB_TOKEN" => value.trim(),
            _ => value.as_str(),
        };
        if let Some(what) = token_problem(sent) {
            return Err(ConfigError::BadToken {
                variable: name.clone(),
                what,
            });
        }
    }
    Ok(())
}

/// What keeps `token` from being one line of printable ASCII (an HTTP header value), if
/// anything; never the token itself.
pub fn token_problem(token: &str) -> Option<&'static str> {
    token.chars().find_map(|c| match c {
        '\n' | '\r' => Some("a line break"),
        c if c.is_control() => Some("a control character"),
        c if !c.is_ascii() => Some("a character outside ASCII"),
        _ => None,
    })
}

/// Where a value came from, so an error names it the way the user wrote it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setting {
    /// An action input, by its name in `action.yml` (`dry_run`).
    Input(&'static str),
    /// A command-line option of a subcommand, by the same name (`dry_run` is shown as
    /// `--dry-run`).
    Flag(Command, &'static str),
}

impl Setting {
    fn name(self) -> &'static str {
        match self {
            Setting::Input(name) | Setting::Flag(_, name) => name,
        }
    }
}

impl fmt::Display for Setting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Setting::Input(name) => write!(f, "input {name}"),
            Setting::Flag(_, name) => write!(f, "option --{}", name.replace('_', "-")),
        }
    }
}

/// Why the inputs or the configuration were refused. Every variant means nothing was done
/// (exit code 2), except a `--help`/`--version` request (exit code 0).
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("invalid value \"{value}\" for {setting}: {expected}")]
    InvalidValue {
        setting: Setting,
        value: String,
        expected: String,
    },

    #[error(
        "unknown input \"{input}\" (environment variable {variable}): this action's inputs are {}",
        .known.join(", ")
    )]
    UnknownInput {
        input: String,
        variable: String,
        known: &'static [&'static str],
    },

    #[error("could not read the action inputs")]
    Inputs {
        #[source]
        source: envy::Error,
    },

    #[error("{}", .0.render().to_string().trim_end())]
    Cli(#[from] clap::Error),

    #[error("cannot read {}", .path.display())]
    ReadFile {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("configuration file {} does not exist", .path.display())]
    MissingFile { path: PathBuf },

    #[error("the workspace directory {} does not exist", .path.display())]
    NoWorkspace { path: PathBuf },

    #[error("the workspace input \"{value}\" leads outside the checkout {}", .checkout.display())]
    WorkspaceOutside { value: String, checkout: PathBuf },

    #[error("{}{}: {message}", .path.display(), position(*.at))]
    Parse {
        path: PathBuf,
        at: Option<Position>,
        message: String,
    },

    #[error(
        "{}{}: invalid value \"{value}\" for {key}: {expected}",
        .path.display(),
        position(*.at)
    )]
    InvalidSetting {
        path: PathBuf,
        at: Option<Position>,
        key: String,
        value: String,
        expected: String,
    },

    #[error("releasekit configuration found in both {first} and {second}")]
    TwoConfigs { first: String, second: String },

    #[error("unknown group \"{group}\": {}", known_groups(.known))]
    UnknownGroup { group: String, known: Vec<String> },

    #[error("the token in {variable} is not one line of printable characters: it holds {what}")]
    BadToken {
        variable: String,
        what: &'static str,
    },

    #[error("{variable} {value:?} is not {expected}")]
    BadEnv {
        variable: &'static str,
        value: String,
        expected: &'static str,
    },

    #[error(transparent)]
    Event(#[from] EventError),
}

/// Where in a file a problem is, 1-based, for `path:line:column` and `::error file=…,line=…::`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: u32,
    /// In characters.
    pub column: u32,
}

fn position(at: Option<Position>) -> String {
    at.map(|p| format!(":{}:{}", p.line, p.column))
        .unwrap_or_default()
}

fn known_groups(known: &[String]) -> String {
    if known.is_empty() {
        "no groups are configured".to_owned()
    } else {
        format!("the configured groups are {}", known.join(", "))
    }
}

impl ConfigError {
    /// 0 for a `--help` or `--version` request (clap's text is the output), 2 otherwise.
    pub fn exit_code(&self) -> i32 {
        match self {
            ConfigError::Cli(err) => err.exit_code(),
            _ => 2,
        }
    }
}

impl Hint for ConfigError {
    /// What to do about it, shown on its own line after the error.
    fn hint(&self) -> Option<String> {
        match self {
            ConfigError::InvalidValue { setting: Setting::Input(name), .. } => {
                Some(format!("change `{name}:` under `with:` in the workflow file"))
            }
            // The top-level help lists the subcommands only; each subcommand lists its options.
            ConfigError::InvalidValue { setting: Setting::Flag(command, _), .. } => Some(format!(
                "run `releasekit-cargo {command} --help` to see the accepted values"
            )),
            ConfigError::UnknownInput { .. } => Some(
                "check the spelling under `with:` in the workflow file; input names use underscores, \
                 as in `dry_run`"
                    .to_owned(),
            ),
            ConfigError::Inputs { .. } | ConfigError::Cli(_) | ConfigError::ReadFile { .. } => None,
            ConfigError::MissingFile { .. } => Some(
                "create the file, or leave the `config` input (`--config`) unset to use \
                 releasekit.toml when present and the defaults otherwise"
                    .to_owned(),
            ),
            ConfigError::NoWorkspace { .. } => Some(
                "set the `workspace` input (`--workspace`) to the directory of the workspace's root \
                 Cargo.toml, relative to the checkout; check that actions/checkout ran before"
                    .to_owned(),
            ),
            ConfigError::WorkspaceOutside { .. } => Some(
                "set `workspace:` under `with:` to a directory inside the checkout, relative to it \
                 (for example `rust`); the action reads and writes only the repository it runs in"
                    .to_owned(),
            ),
            ConfigError::Parse { .. } | ConfigError::InvalidSetting { .. } => {
                Some("see the configuration reference in the README".to_owned())
            }
            ConfigError::TwoConfigs { .. } => {
                Some("keep the configuration in one place and delete the other".to_owned())
            }
            ConfigError::UnknownGroup { known, .. } if known.is_empty() => Some(
                "define the group as [groups.<name>] in releasekit.toml, or leave `group` unset"
                    .to_owned(),
            ),
            ConfigError::UnknownGroup { .. } => {
                Some("use one of the configured group names, or leave `group` unset".to_owned())
            }
            ConfigError::BadToken { variable, .. } => Some(format!(
                "store the token again in the secret behind {variable}, as one line without a line break at its end; nothing was sent with it (and it is not shown here)"
            )),
            ConfigError::BadEnv { variable, .. } => Some(match *variable {
                "GITHUB_API_URL" => "set GITHUB_API_URL to the API root, e.g. https://api.github.com (the runner sets it in Actions); nothing was done".to_owned(),
                "GITHUB_REPOSITORY" => "set GITHUB_REPOSITORY to owner/name (the runner sets it in Actions); nothing was done".to_owned(),
                other => format!("unset {other} or set it as the runner does; nothing was done"),
            }),
            ConfigError::Event(e) => e.hint(),
        }
    }
}

fn invalid(setting: Setting, value: &str, expected: impl Into<String>) -> ConfigError {
    ConfigError::InvalidValue {
        setting,
        value: value.to_owned(),
        expected: expected.into(),
    }
}

/// `true|True|TRUE|false|False|FALSE`, as `@actions/core` `getBooleanInput` accepts; unset is
/// `false`.
pub(crate) fn boolean(setting: Setting, value: Option<&str>) -> Result<bool, ConfigError> {
    match value {
        None => Ok(false),
        Some("true" | "True" | "TRUE") => Ok(true),
        Some("false" | "False" | "FALSE") => Ok(false),
        Some(other) => Err(invalid(
            setting,
            other,
            format!("expected one of {BOOLEANS}"),
        )),
    }
}

/// `auto` (or unset) is `None`: bumps come from the commits.
pub(crate) fn bump_type(
    setting: Setting,
    value: Option<&str>,
) -> Result<Option<Bump>, ConfigError> {
    match value {
        None | Some("auto") => Ok(None),
        Some("patch") => Ok(Some(Bump::Patch)),
        Some("minor") => Ok(Some(Bump::Minor)),
        Some("major") => Ok(Some(Bump::Major)),
        Some(other) => Err(invalid(
            setting,
            other,
            "expected one of auto, patch, minor, major",
        )),
    }
}

pub(crate) fn prerelease(
    setting: Setting,
    value: Option<&str>,
) -> Result<Option<Prerelease>, ConfigError> {
    value
        .map(|v| {
            Prerelease::from_str(v).map_err(|err| {
                invalid(
                    setting,
                    v,
                    format!("{}; expected a label such as rc, beta or rc.1", err.reason),
                )
            })
        })
        .transpose()
}

/// A non-negative integer up to `max`; only digits, so `-1` and `+1` are refused alike.
pub(crate) fn count(
    setting: Setting,
    value: Option<&str>,
    default: u32,
    max: u32,
) -> Result<u32, ConfigError> {
    let Some(v) = value else { return Ok(default) };
    let expected = || format!("expected an integer from 0 to {max}");
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid(setting, v, expected()));
    }
    match v.parse::<u32>() {
        Ok(n) if n <= max => Ok(n),
        _ => Err(invalid(setting, v, expected())),
    }
}

/// Group and registry names: `[A-Za-z0-9_-]+`.
pub(crate) fn name(setting: Setting, value: Option<&str>) -> Result<Option<String>, ConfigError> {
    match value {
        None => Ok(None),
        Some(v) if is_name(v) => Ok(Some(v.to_owned())),
        Some(v) => Err(invalid(
            setting,
            v,
            format!(
                "expected a {} name of ASCII letters, digits, `_` and `-`",
                setting.name()
            ),
        )),
    }
}

/// A rustup toolchain name (`stable`, `1.97`, `nightly-2026-10-01`, a linked name): letters,
/// digits, `.`, `_` and `-`, not starting with `-` (rustup would read it as an option), bounded.
pub(crate) fn toolchain(
    setting: Setting,
    value: Option<&str>,
) -> Result<Option<String>, ConfigError> {
    match value {
        None => Ok(None),
        Some(v)
            if v.len() <= MAX_TOOLCHAIN_LEN
                && v.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b)) =>
        {
            Ok(Some(v.to_owned()))
        }
        Some(v) => Err(invalid(
            setting,
            v,
            format!(
                "expected a toolchain such as stable, 1.97 or nightly-2026-10-01 (letters, digits, \
                 `.`, `_` and `-`, at most {MAX_TOOLCHAIN_LEN} characters)"
            ),
        )),
    }
}

/// `NAME@VERSION`: a crate name (ASCII letters, digits, `-`, `_`) and a semver version.
pub(crate) fn crate_version(
    setting: Setting,
    value: &str,
) -> Result<(String, semver::Version), ConfigError> {
    let expected = "expected NAME@VERSION, such as serde@1.0.210";
    let (name, version) = value
        .split_once('@')
        .ok_or_else(|| invalid(setting, value, expected))?;
    let version = semver::Version::parse(version)
        .map_err(|e| invalid(setting, value, format!("{expected} ({e})")))?;
    if !is_name(name) || name.len() > 64 {
        return Err(invalid(setting, value, expected));
    }
    Ok((name.to_owned(), version))
}

pub(crate) fn is_name(value: &str) -> bool {
    !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// `path` made absolute against `base`, with `.` and `..` resolved by text alone: the directory
/// may not exist yet, and symlinks are the user's business.
pub(crate) fn absolute(base: &Path, path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in base.join(path).components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

pub(crate) fn current_dir() -> Result<PathBuf, ConfigError> {
    std::env::current_dir().map_err(|source| ConfigError::ReadFile {
        path: PathBuf::from("."),
        source,
    })
}

/// The values both paths share, still as the user wrote them.
pub(crate) struct Common<'a> {
    pub command: Command,
    pub dry_run: bool,
    pub force_prepare: bool,
    pub skip_publish: bool,
    pub group: Option<&'a str>,
    pub bump_type: Option<&'a str>,
    pub prerelease: Option<&'a str>,
    pub concurrency: Option<&'a str>,
    pub max_retries: Option<&'a str>,
    pub registry: Option<&'a str>,
    pub toolchain: Option<&'a str>,
    pub token: Option<Secret>,
    /// Absolute workspace directory.
    pub workspace: PathBuf,
    pub config: Option<&'a str>,
}

impl Common<'_> {
    /// Validate; `setting` names a value the way this path shows it (input or flag).
    pub(crate) fn into_config(
        self,
        env: &Env,
        setting: impl Fn(&'static str) -> Setting,
    ) -> Result<Config, ConfigError> {
        let config_file = absolute(
            &self.workspace,
            Path::new(self.config.unwrap_or(DEFAULT_CONFIG_FILE)),
        );
        let run_env = env::resolve(env, &self.workspace)?;
        let cargo = CargoSetup {
            toolchain: toolchain(setting("toolchain"), self.toolchain)?,
            // The home cargo reads its registries and credentials from too.
            home: run_env.registry.cargo_home.clone(),
            target_dir: env.get("CARGO_TARGET_DIR").map(PathBuf::from),
            hidden: env
                .vars
                .keys()
                .filter(|name| is_secret_variable(name))
                .cloned()
                .collect(),
        };
        Ok(Config {
            command: self.command,
            in_actions: env.in_actions(),
            dry_run: self.dry_run,
            force_prepare: self.force_prepare,
            skip_publish: self.skip_publish,
            group: name(setting("group"), self.group)?,
            bump_type: bump_type(setting("bump_type"), self.bump_type)?,
            prerelease: prerelease(setting("prerelease"), self.prerelease)?,
            concurrency: count(
                setting("concurrency"),
                self.concurrency,
                0,
                MAX_CONCURRENCY as u32,
            )? as usize,
            max_retries: count(
                setting("max_retries"),
                self.max_retries,
                DEFAULT_MAX_RETRIES,
                MAX_MAX_RETRIES,
            )?,
            token: self.token,
            registry: name(setting("registry"), self.registry)?,
            workspace: self.workspace,
            config_file,
            config_explicit: self.config.is_some(),
            json: false,
            metadata_file: None,
            published_file: None,
            cargo,
            offline: env.get("CARGO_NET_OFFLINE") == Some("true"),
            yank: YankOptions::default(),
            env: run_env,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_prints_as_stars_in_debug_and_display() {
        let secret = Secret::new("ghp_abc123");
        assert_eq!(format!("{secret:?} {secret}"), "*** ***");
        assert_eq!(secret.expose(), "ghp_abc123");
    }

    #[test]
    fn command_displays_lower_case() {
        let shown: Vec<String> = [
            Command::Plan,
            Command::Apply,
            Command::Prepare,
            Command::Release,
            Command::Publish,
            Command::Notify,
            Command::Auto,
        ]
        .iter()
        .map(Command::to_string)
        .collect();
        assert_eq!(
            shown,
            [
                "plan", "apply", "prepare", "release", "publish", "notify", "auto"
            ]
        );
    }

    #[test]
    fn booleans_accept_exactly_six_spellings() {
        let s = Setting::Input("dry_run");
        for (value, expected) in [
            ("true", true),
            ("True", true),
            ("TRUE", true),
            ("false", false),
            ("False", false),
            ("FALSE", false),
        ] {
            assert_eq!(boolean(s, Some(value)).unwrap(), expected, "{value}");
        }
        for value in ["yes", "1", "tRUE", "on", "t"] {
            assert!(boolean(s, Some(value)).is_err(), "{value}");
        }
    }

    #[test]
    fn counts_refuse_signs_and_values_above_the_limit() {
        let s = Setting::Input("max_retries");
        assert_eq!(count(s, None, 2, 10).unwrap(), 2);
        assert_eq!(count(s, Some("0"), 2, 10).unwrap(), 0);
        assert_eq!(count(s, Some("10"), 2, 10).unwrap(), 10);
        for value in ["-1", "+1", "11", "1.5", "two", "99999999999"] {
            let err = count(s, Some(value), 2, 10).unwrap_err();
            assert_eq!(
                err.to_string(),
                format!(
                    "invalid value \"{value}\" for input max_retries: expected an integer from 0 to 10"
                )
            );
        }
    }

    #[test]
    fn a_token_with_a_line_break_or_control_character_is_refused_without_showing_it() {
        let secret = "ghp_SECRETVALUE";
        for (variable, value, what) in [
            (
                "INPUT_TOKEN",
                format!("{secret}\nX-Evil: 1"),
                "a line break",
            ),
            ("GITHUB_TOKEN", format!("{secret}\rX"), "a line break"),
            (
                "CARGO_REGISTRY_TOKEN",
                format!("{secret}\n"),
                "a line break",
            ),
            (
                "CARGO_REGISTRIES_MY_REG_TOKEN",
                format!("{secret}\u{1b}[0m"),
                "a control character",
            ),
            (
                "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
                format!("{secret}\0"),
                "a control character",
            ),
            (
                "CARGO_REGISTRY_TOKEN",
                format!("{secret}é"),
                "a character outside ASCII",
            ),
        ] {
            let env = vec![(variable.to_owned(), value)];
            let err = load(["releasekit-cargo", "plan"].map(OsString::from), env).unwrap_err();
            let text = format!("{err} {}", err.hint().unwrap());
            assert!(
                text.starts_with(&format!("the token in {variable} is not one line"))
                    && text.contains(what),
                "{text}"
            );
            assert!(!text.contains(secret), "{text}");
            assert_eq!(err.exit_code(), 2);
        }
        // The GitHub token is trimmed before use, as every input is; a space inside is printable.
        let env = vec![
            ("GITHUB_TOKEN".to_owned(), format!("{secret}\n")),
            ("CARGO_REGISTRY_TOKEN".to_owned(), "Bearer abc".to_owned()),
            ("OTHER".to_owned(), "a\nb".to_owned()),
        ];
        let config = load(["releasekit-cargo", "plan"].map(OsString::from), env).unwrap();
        assert_eq!(config.token.unwrap().expose(), secret);
    }

    #[test]
    fn every_secret_of_the_environment_is_hidden_from_cargo_and_nothing_else() {
        let env: Vec<(String, String)> = [
            "INPUT_TOKEN",
            "GITHUB_TOKEN",
            "CARGO_REGISTRY_TOKEN",
            "CARGO_REGISTRIES_MY_REG_TOKEN",
            "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
            "ACTIONS_ID_TOKEN_REQUEST_URL",
            "ACTIONS_RUNTIME_TOKEN",
            "CARGO_REGISTRIES_MY_REG_INDEX",
            "PATH",
            "HOME",
        ]
        .iter()
        .map(|name| ((*name).to_owned(), "x".to_owned()))
        .collect();
        let config = load(["releasekit-cargo", "plan"].map(OsString::from), env).unwrap();
        assert_eq!(
            config.cargo.hidden,
            [
                "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
                "ACTIONS_ID_TOKEN_REQUEST_URL",
                "ACTIONS_RUNTIME_TOKEN",
                "CARGO_REGISTRIES_MY_REG_TOKEN",
                "CARGO_REGISTRY_TOKEN",
                "GITHUB_TOKEN",
                "INPUT_TOKEN",
            ]
        );
    }

    #[test]
    fn names_allow_letters_digits_underscore_and_hyphen_only() {
        let s = Setting::Flag(Command::Plan, "registry");
        assert_eq!(
            name(s, Some("my-reg_1")).unwrap().as_deref(),
            Some("my-reg_1")
        );
        let err = name(s, Some("my reg")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid value \"my reg\" for option --registry: expected a registry name of ASCII \
             letters, digits, `_` and `-`"
        );
    }

    #[test]
    fn absolute_resolves_dot_and_dot_dot_by_text() {
        let base = Path::new("/github/workspace");
        assert_eq!(
            absolute(base, Path::new(".")),
            Path::new("/github/workspace")
        );
        assert_eq!(
            absolute(base, Path::new("./rust/")),
            Path::new("/github/workspace/rust")
        );
        assert_eq!(
            absolute(base, Path::new("rust/../cargo")),
            Path::new("/github/workspace/cargo")
        );
        assert_eq!(
            absolute(base, Path::new("/elsewhere")),
            Path::new("/elsewhere")
        );
    }
}
