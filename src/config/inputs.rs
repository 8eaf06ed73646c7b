//! The action's inputs as the runner hands them over: one `INPUT_<NAME>` variable per input
//! declared in `action.yml`, every one present (empty when the workflow left it out), none
//! checked by the runner.
//!
//! [`RawInputs`] holds the strings only; [`RawInputs::into_config`] validates them. Reads nothing
//! but the environment it is given (and the current directory when `GITHUB_WORKSPACE` is unset).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{Command, Common, Config, ConfigError, Env, Secret, Setting, absolute, current_dir};

const PREFIX: &str = "INPUT_";

/// The inputs `action.yml` declares, in its order.
pub const KNOWN_INPUTS: &[&str] = &[
    "action",
    "dry_run",
    "force_prepare",
    "group",
    "bump_type",
    "prerelease",
    "skip_publish",
    "concurrency",
    "max_retries",
    "token",
    "registry",
    "workspace",
    "config",
    "toolchain",
];

/// The inputs as strings; `None` when unset or empty (the runner sets every declared input, so
/// empty is how "not given" arrives).
#[derive(Debug, Default, Clone, PartialEq, Eq, Deserialize)]
pub struct RawInputs {
    pub action: Option<String>,
    pub dry_run: Option<String>,
    pub force_prepare: Option<String>,
    pub group: Option<String>,
    pub bump_type: Option<String>,
    pub prerelease: Option<String>,
    pub skip_publish: Option<String>,
    pub concurrency: Option<String>,
    pub max_retries: Option<String>,
    pub token: Option<String>,
    pub registry: Option<String>,
    pub workspace: Option<String>,
    pub config: Option<String>,
    pub toolchain: Option<String>,
}

impl RawInputs {
    /// Collect the `INPUT_*` variables. One the action does not declare is an error: the runner
    /// only warns about an unexpected `with:` key and still passes it on, so a misspelt
    /// `dryrun: true` would otherwise release for real.
    pub fn from_env(vars: &BTreeMap<String, String>) -> Result<RawInputs, ConfigError> {
        let inputs: Vec<(String, String)> = vars
            .iter()
            .filter(|(k, _)| k.starts_with(PREFIX))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        if let Some((variable, _)) = inputs
            .iter()
            .find(|(k, _)| !KNOWN_INPUTS.contains(&k[PREFIX.len()..].to_lowercase().as_str()))
        {
            return Err(ConfigError::UnknownInput {
                input: variable[PREFIX.len()..].to_lowercase(),
                variable: variable.clone(),
                known: KNOWN_INPUTS,
            });
        }
        let raw: RawInputs = envy::prefixed(PREFIX)
            .from_iter(inputs)
            .map_err(|source| ConfigError::Inputs { source })?;
        Ok(raw.normalized())
    }

    /// Surrounding whitespace dropped (a YAML block scalar ends in a newline, and `@actions/core`
    /// trims too), and empty made `None`.
    fn normalized(self) -> RawInputs {
        let clean = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        RawInputs {
            action: clean(self.action),
            dry_run: clean(self.dry_run),
            force_prepare: clean(self.force_prepare),
            group: clean(self.group),
            bump_type: clean(self.bump_type),
            prerelease: clean(self.prerelease),
            skip_publish: clean(self.skip_publish),
            concurrency: clean(self.concurrency),
            max_retries: clean(self.max_retries),
            token: clean(self.token),
            registry: clean(self.registry),
            workspace: clean(self.workspace),
            config: clean(self.config),
            toolchain: clean(self.toolchain),
        }
    }

    /// Validate every input. `workspace` is relative to `GITHUB_WORKSPACE` (the checkout), or to
    /// the current directory when that is unset. cargo's target directory is the workspace's
    /// `target` unless the environment names one (see [`super::CargoSetup`]).
    pub(crate) fn into_config(self, env: &Env) -> Result<Config, ConfigError> {
        let input = Setting::Input;
        let base = match env.get("GITHUB_WORKSPACE") {
            Some(dir) => PathBuf::from(dir),
            None => current_dir()?,
        };
        let workspace = absolute(&base, Path::new(self.workspace.as_deref().unwrap_or(".")));
        if !inside(&workspace, &base) {
            return Err(ConfigError::WorkspaceOutside {
                value: self.workspace.unwrap_or_default(),
                checkout: base,
            });
        }
        let target_dir = workspace.join("target");
        let mut config = Common {
            command: action(self.action.as_deref())?,
            dry_run: super::boolean(input("dry_run"), self.dry_run.as_deref())?,
            force_prepare: super::boolean(input("force_prepare"), self.force_prepare.as_deref())?,
            skip_publish: super::boolean(input("skip_publish"), self.skip_publish.as_deref())?,
            group: self.group.as_deref(),
            bump_type: self.bump_type.as_deref(),
            prerelease: self.prerelease.as_deref(),
            concurrency: self.concurrency.as_deref(),
            max_retries: self.max_retries.as_deref(),
            registry: self.registry.as_deref(),
            toolchain: self.toolchain.as_deref(),
            token: self.token.clone().map(Secret::new).or_else(|| env.token()),
            workspace,
            // action.yml's default arrives as a value like any other: it names the optional
            // default file, whose absence means all defaults, not a file the user asked for.
            config: self
                .config
                .as_deref()
                .filter(|c| *c != super::DEFAULT_CONFIG_FILE),
        }
        .into_config(env, input)?;
        config.cargo.target_dir.get_or_insert(target_dir);
        Ok(config)
    }
}

/// Whether `dir` is `checkout` or below it, by its text and, when both exist, with every link
/// followed (a committed `rust -> /elsewhere` leaves the checkout as `../elsewhere` would).
fn inside(dir: &Path, checkout: &Path) -> bool {
    if !dir.starts_with(checkout) {
        return false;
    }
    match (dir.canonicalize(), checkout.canonicalize()) {
        (Ok(dir), Ok(checkout)) => dir.starts_with(checkout),
        _ => true,
    }
}

/// `apply` is left out on purpose: it edits a working tree and stops, which a workflow step has
/// no use for.
fn action(value: Option<&str>) -> Result<Command, ConfigError> {
    Ok(match value {
        None | Some("auto") => Command::Auto,
        Some("plan") => Command::Plan,
        Some("prepare") => Command::Prepare,
        Some("release") => Command::Release,
        Some("publish") => Command::Publish,
        Some("notify") => Command::Notify,
        Some("yank") => Command::Yank,
        Some(other) => {
            return Err(super::invalid(
                Setting::Input("action"),
                other,
                "expected one of auto, plan, prepare, release, publish, notify, yank",
            ));
        }
    })
}

#[cfg(test)]
mod tests;
