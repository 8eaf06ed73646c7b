//! Which registry a release publishes to: its sparse index URL and the token cargo will use.
//!
//! Reads the registry variables config resolved and cargo's configuration files the way cargo
//! does (the environment wins; the closest `.cargo/config` wins; `$CARGO_HOME` last), so the
//! index we poll is the one cargo resolves against. It only reads; it never sends a request, never
//! follows source replacement and never decides what to do with a missing token.

use std::path::{Path, PathBuf};

use crate::config::env::RegistryEnv;
use crate::config::{Secret, token_problem};
use crate::hint::Hint;

pub const CRATES_IO_INDEX: &str = "https://index.crates.io/";

/// cargo's own name for crates.io, accepted wherever a registry name is.
const CRATES_IO: &str = "crates-io";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrySpec {
    /// `None` = crates.io.
    pub name: Option<String>,
    /// Sparse index base URL without the `sparse+` prefix, always ending in `/`.
    pub index_url: String,
    /// The token cargo will use, from the environment or `$CARGO_HOME/credentials.toml`.
    pub token: Option<Secret>,
    /// The environment variable a user should set, for messages.
    pub token_variable: String,
}

#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("no registry named `{name}` in cargo's configuration or the environment")]
    Unknown { name: String },
    #[error("registry `{name}` has a git index ({index}); only sparse indexes can be polled")]
    GitIndex { name: String, index: String },
    #[error("cannot read cargo configuration {}: {message}", path.display())]
    Config { path: PathBuf, message: String },
    #[error("the registry token in {} is not one line of printable characters: it holds {what}", path.display())]
    BadToken { path: PathBuf, what: &'static str },
}

impl Hint for RegistryError {
    fn hint(&self) -> Option<String> {
        Some(match self {
            RegistryError::Unknown { name } => format!(
                "add `[registries.{name}] index = \"sparse+https://…\"` to `.cargo/config.toml` in the workspace, or set CARGO_REGISTRIES_{}_INDEX",
                env_key(name)
            ),
            RegistryError::GitIndex { name, .. } => format!(
                "point `registries.{name}.index` at the registry's sparse index (`sparse+https://…`); most registries serve one beside the git index"
            ),
            RegistryError::Config { path, .. } => format!(
                "fix or remove {} (cargo itself would reject it)",
                path.display()
            ),
            RegistryError::BadToken { path, .. } => format!(
                "write the token into {} again, as one line (it is not shown here)",
                path.display()
            ),
        })
    }
}

/// The registry `name` (`None` or `crates-io` = crates.io) as cargo run in `workspace_root`
/// with environment `env` would see it.
pub fn resolve(
    name: Option<&str>,
    env: &RegistryEnv,
    workspace_root: &Path,
) -> Result<RegistrySpec, RegistryError> {
    let cargo_home = env.cargo_home.clone();
    let name = name.filter(|n| *n != CRATES_IO);
    let (index_url, token_variable, token_table) = match name {
        None => (
            CRATES_IO_INDEX.to_owned(),
            "CARGO_REGISTRY_TOKEN".to_owned(),
            vec!["registry"],
        ),
        Some(name) => (
            named_index(name, env, workspace_root, cargo_home.as_deref())?,
            format!("CARGO_REGISTRIES_{}_TOKEN", env_key(name)),
            vec!["registries", name],
        ),
    };
    let token = match env.var(&token_variable) {
        Some(value) => Some(Secret::new(value)),
        None => match &cargo_home {
            Some(home) => credentials_token(home, &token_table)?,
            None => None,
        },
    };
    Ok(RegistrySpec {
        name: name.map(str::to_owned),
        index_url,
        token,
        token_variable,
    })
}

/// A named registry's index: `CARGO_REGISTRIES_<NAME>_INDEX`, else the first config file that
/// sets `registries.<name>.index`.
fn named_index(
    name: &str,
    env: &RegistryEnv,
    workspace_root: &Path,
    cargo_home: Option<&Path>,
) -> Result<String, RegistryError> {
    let index = match env.var(&format!("CARGO_REGISTRIES_{}_INDEX", env_key(name))) {
        Some(index) => index.to_owned(),
        None => {
            let mut found = None;
            for path in config_files(workspace_root, cargo_home) {
                let Some(table) = read_toml(&path)? else {
                    continue;
                };
                if let Some(value) = lookup(&table, &["registries", name, "index"]) {
                    let index = value.as_str().ok_or_else(|| RegistryError::Config {
                        path: path.clone(),
                        message: format!("registries.{name}.index is not a string"),
                    })?;
                    found = Some(index.to_owned());
                    break;
                }
            }
            found.ok_or_else(|| RegistryError::Unknown {
                name: name.to_owned(),
            })?
        }
    };
    match index.strip_prefix("sparse+") {
        Some(url) if url.ends_with('/') => Ok(url.to_owned()),
        Some(url) => Ok(format!("{url}/")),
        None => Err(RegistryError::GitIndex {
            name: name.to_owned(),
            index,
        }),
    }
}

/// cargo's search path, closest first: `.cargo/config[.toml]` in the workspace root and each of
/// its ancestors, then `$CARGO_HOME`'s (read once even when it is also an ancestor's).
fn config_files(workspace_root: &Path, cargo_home: Option<&Path>) -> Vec<PathBuf> {
    let root = std::path::absolute(workspace_root).unwrap_or_else(|_| workspace_root.to_owned());
    let mut dirs: Vec<PathBuf> = root.ancestors().map(|d| d.join(".cargo")).collect();
    if let Some(home) = cargo_home
        && !dirs.iter().any(|d| d == home)
    {
        dirs.push(home.to_owned());
    }
    dirs.iter()
        .filter_map(|dir| cargo_file(dir, "config"))
        .collect()
}

/// `dir/stem` or `dir/stem.toml`. cargo takes the file without extension when both exist
/// (with a warning), so we do too: the index must be the one cargo uploads to.
fn cargo_file(dir: &Path, stem: &str) -> Option<PathBuf> {
    let legacy = dir.join(stem);
    if legacy.is_file() {
        return Some(legacy);
    }
    let current = dir.join(format!("{stem}.toml"));
    current.is_file().then_some(current)
}

fn credentials_token(home: &Path, table: &[&str]) -> Result<Option<Secret>, RegistryError> {
    let Some(path) = cargo_file(home, "credentials") else {
        return Ok(None);
    };
    let Some(doc) = read_toml(&path)? else {
        return Ok(None);
    };
    let mut keys = table.to_vec();
    keys.push("token");
    let token = lookup(&doc, &keys)
        .and_then(toml::Value::as_str)
        .filter(|t| !t.is_empty());
    if let Some(what) = token.and_then(token_problem) {
        return Err(RegistryError::BadToken { path, what });
    }
    Ok(token.map(Secret::new))
}

/// The parsed file, `None` when it vanished between the search and the read.
fn read_toml(path: &Path) -> Result<Option<toml::Table>, RegistryError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(RegistryError::Config {
                path: path.to_owned(),
                message: e.to_string(),
            });
        }
    };
    text.parse::<toml::Table>().map(Some).map_err(|e| {
        // toml's Display draws a multi-line snippet; one line with the position reads
        // better in an error chain.
        let line = e
            .span()
            .and_then(|span| text.get(..span.start))
            .map(|before| before.matches('\n').count() + 1);
        let message = e.message().trim_end();
        RegistryError::Config {
            path: path.to_owned(),
            message: match line {
                Some(line) => format!("line {line}: {message}"),
                None => message.to_owned(),
            },
        }
    })
}

fn lookup<'a>(table: &'a toml::Table, keys: &[&str]) -> Option<&'a toml::Value> {
    let (last, parents) = keys.split_last()?;
    let mut table = table;
    for key in parents {
        table = table.get(*key)?.as_table()?;
    }
    table.get(*last)
}

/// The `<NAME>` of `CARGO_REGISTRIES_<NAME>_*`.
fn env_key(name: &str) -> String {
    name.to_uppercase().replace('-', "_")
}

#[cfg(test)]
mod tests;
