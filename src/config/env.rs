//! The process environment, resolved once: what GitHub Actions and cargo's conventions say about
//! the run — the repository and the event it runs for, the API and server URLs, the runner's
//! files, the directories git may trust, the OIDC request, the registry variables and the
//! secrets to mask. No module outside `config` reads the environment; everything it needs is a
//! field of [`RunEnv`].
//!
//! A malformed value (`GITHUB_REPOSITORY` not owner/name, an API URL that is not http(s), an
//! event file that is not the event's JSON) is refused here, before anything runs.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Component, Path, PathBuf};

use super::{ConfigError, Env, Secret};
use crate::plan::trigger::{Event, EventError, parse_event};

pub const DEFAULT_API_URL: &str = "https://api.github.com";
pub const DEFAULT_SERVER_URL: &str = "https://github.com";

/// What the environment says about the run, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunEnv {
    /// `GITHUB_REPOSITORY`.
    pub repository: Option<Repository>,
    /// `GITHUB_API_URL`, else api.github.com; http(s).
    pub api_url: String,
    /// `GITHUB_SERVER_URL`, without a final `/`; `None`: github.com (see [`RunEnv::server_url`]).
    pub server: Option<String>,
    /// `GITHUB_SHA`: the commit the workflow runs for (a full object id).
    pub sha: Option<String>,
    /// `GITHUB_REF`.
    pub git_ref: Option<String>,
    /// The event at `GITHUB_EVENT_PATH`, named by `GITHUB_EVENT_NAME`.
    pub event: Option<Event>,
    /// `GITHUB_OUTPUT` and `GITHUB_STEP_SUMMARY`.
    pub output_file: Option<PathBuf>,
    pub summary_file: Option<PathBuf>,
    /// The directories git may accept although another user owns them (inside Actions: the
    /// checkout and each directory down to the workspace).
    pub trusted_dirs: Vec<PathBuf>,
    /// `ACTIONS_ID_TOKEN_REQUEST_URL` and `_TOKEN`: the job may ask for OIDC tokens.
    pub oidc: Option<OidcRequest>,
    pub registry: RegistryEnv,
}

impl RunEnv {
    /// The GitHub server the repository lives on.
    pub fn server_url(&self) -> &str {
        self.server.as_deref().unwrap_or(DEFAULT_SERVER_URL)
    }
}

/// `owner/name`, each part of GitHub's characters, so neither can steer a request path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repository {
    pub owner: String,
    pub name: String,
}

impl Repository {
    pub fn parse(value: &str) -> Option<Repository> {
        let part = |p: &str| {
            !p.is_empty()
                && p != "."
                && p != ".."
                && p.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        };
        let (owner, name) = value.split_once('/')?;
        (part(owner) && part(name)).then(|| Repository {
            owner: owner.to_owned(),
            name: name.to_owned(),
        })
    }
}

impl fmt::Display for Repository {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.owner, self.name)
    }
}

/// Where the job asks GitHub for an OIDC token (trusted publishing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OidcRequest {
    pub url: String,
    pub token: Secret,
}

/// The variables cargo reads to find a registry and its token: `CARGO_HOME` (else
/// `$HOME/.cargo`), `CARGO_REGISTRY_TOKEN`, `CARGO_REGISTRIES_<NAME>_{INDEX,TOKEN}`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegistryEnv {
    pub cargo_home: Option<PathBuf>,
    vars: BTreeMap<String, String>,
}

impl RegistryEnv {
    /// From variables (the environment's, or a test's); others are ignored.
    pub fn from_vars(vars: impl IntoIterator<Item = (String, String)>) -> RegistryEnv {
        let vars: BTreeMap<String, String> = vars.into_iter().collect();
        let get = |name: &str| vars.get(name).map(|v| v.trim()).filter(|v| !v.is_empty());
        let cargo_home = get("CARGO_HOME")
            .map(PathBuf::from)
            .or_else(|| get("HOME").map(|home| Path::new(home).join(".cargo")));
        RegistryEnv {
            cargo_home,
            vars: vars
                .into_iter()
                .filter(|(k, _)| k == "CARGO_REGISTRY_TOKEN" || k.starts_with("CARGO_REGISTRIES_"))
                .collect(),
        }
    }

    /// A registry variable; empty counts as unset (Actions expands a missing secret to "").
    pub fn var(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }
}

/// Whether the environment variable `name` holds a secret: the tokens a run may send, each
/// masked before anything is printed and checked before any is used.
pub fn is_token_variable(name: &str) -> bool {
    matches!(
        name,
        "INPUT_TOKEN" | "GITHUB_TOKEN" | "CARGO_REGISTRY_TOKEN" | "ACTIONS_ID_TOKEN_REQUEST_TOKEN"
    ) || (name.starts_with("CARGO_REGISTRIES_") && name.ends_with("_TOKEN"))
}

/// Every secret of the environment, to be masked before anything is printed.
pub fn secrets(vars: &Env) -> Vec<Secret> {
    vars.iter()
        .filter(|(name, value)| is_token_variable(name) && !value.is_empty())
        .map(|(_, value)| Secret::new(value))
        .collect()
}

/// Resolve the environment for a run on `workspace` (absolute).
pub(crate) fn resolve(vars: &Env, workspace: &Path) -> Result<RunEnv, ConfigError> {
    let repository = match vars.get("GITHUB_REPOSITORY") {
        None => None,
        Some(value) => Some(Repository::parse(value).ok_or_else(|| ConfigError::BadEnv {
            variable: "GITHUB_REPOSITORY",
            value: value.to_owned(),
            expected: "owner/name",
        })?),
    };
    let api_url = vars.get("GITHUB_API_URL").unwrap_or(DEFAULT_API_URL);
    let scheme = api_url
        .split_once("://")
        .map(|(s, _)| s.to_ascii_lowercase());
    if !matches!(scheme.as_deref(), Some("http" | "https")) {
        return Err(ConfigError::BadEnv {
            variable: "GITHUB_API_URL",
            value: api_url.to_owned(),
            expected: "an http(s) URL",
        });
    }
    let sha = match vars.get("GITHUB_SHA") {
        None => None,
        Some(sha) if matches!(sha.len(), 40 | 64) && sha.bytes().all(|b| b.is_ascii_hexdigit()) => {
            Some(sha.to_owned())
        }
        Some(other) => {
            return Err(ConfigError::BadEnv {
                variable: "GITHUB_SHA",
                value: other.to_owned(),
                expected: "a full commit id",
            });
        }
    };
    let event = read_event(vars.get("GITHUB_EVENT_PATH"), vars.get("GITHUB_EVENT_NAME"))?;
    let trusted_dirs = match vars.get("GITHUB_WORKSPACE") {
        Some(checkout) if vars.in_actions() => trusted_dirs(Path::new(checkout), workspace),
        _ => Vec::new(),
    };
    let oidc = match (
        vars.get("ACTIONS_ID_TOKEN_REQUEST_URL"),
        vars.get("ACTIONS_ID_TOKEN_REQUEST_TOKEN"),
    ) {
        (Some(url), Some(token)) => Some(OidcRequest {
            url: url.to_owned(),
            token: Secret::new(token),
        }),
        _ => None,
    };
    Ok(RunEnv {
        repository,
        api_url: api_url.to_owned(),
        server: vars
            .get("GITHUB_SERVER_URL")
            .map(|s| s.trim_end_matches('/').to_owned()),
        sha,
        git_ref: vars.get("GITHUB_REF").map(str::to_owned),
        event,
        output_file: vars.get("GITHUB_OUTPUT").map(PathBuf::from),
        summary_file: vars.get("GITHUB_STEP_SUMMARY").map(PathBuf::from),
        trusted_dirs,
        oidc,
        registry: RegistryEnv::from_vars(vars.iter().map(|(k, v)| (k.clone(), v.clone()))),
    })
}

/// The event at `path` named `name`; `None` when no path is set. A file that is missing,
/// unreadable, not UTF-8 or not JSON is an error: a run started for an event it cannot read
/// must not guess.
fn read_event(path: Option<&str>, name: Option<&str>) -> Result<Option<Event>, EventError> {
    let Some(path) = path else {
        return Ok(None);
    };
    let err = |message: String| EventError {
        name: name.unwrap_or("GitHub").to_owned(),
        message,
    };
    let bytes = std::fs::read(path).map_err(|e| err(format!("{path}: {e}")))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        err(format!(
            "{path} is not UTF-8 text (at byte {})",
            e.utf8_error().valid_up_to()
        ))
    })?;
    match name {
        Some(name) => parse_event(name, &text).map(Some),
        None => parse_event("GitHub", &text).map(|_| None),
    }
}

/// `checkout` and each directory from it down to `workspace`: git compares the repository's
/// top level, which is any of them (a `path:` checkout, a repository nested in the checkout,
/// the workspace at its root). A workspace outside the checkout adds only itself.
pub fn trusted_dirs(checkout: &Path, workspace: &Path) -> Vec<PathBuf> {
    // Rebuilt from components: git compares text, and `/github/workspace/` would not match.
    let checkout: PathBuf = checkout.components().collect();
    let workspace: PathBuf = workspace.components().collect();
    let mut dirs = vec![checkout.clone()];
    match workspace.strip_prefix(&checkout) {
        Ok(rest) => {
            let mut dir = checkout;
            for part in rest.components() {
                if let Component::Normal(name) = part {
                    dir.push(name);
                    dirs.push(dir.clone());
                }
            }
        }
        Err(_) => dirs.push(workspace),
    }
    dirs
}

#[cfg(test)]
mod tests;
