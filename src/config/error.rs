//! Why the inputs or the configuration were refused, naming each value the way the user wrote
//! it (input, flag or key), with a hint and the exit code.

use std::fmt;
use std::path::PathBuf;

use super::Command;
use crate::hint::Hint;
use crate::plan::trigger::EventError;

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
    pub(super) fn name(self) -> &'static str {
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

pub(super) fn invalid(setting: Setting, value: &str, expected: impl Into<String>) -> ConfigError {
    ConfigError::InvalidValue {
        setting,
        value: value.to_owned(),
        expected: expected.into(),
    }
}
