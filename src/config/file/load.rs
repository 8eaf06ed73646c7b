//! Finding and parsing the configuration: `releasekit.toml` or the manifest's metadata table,
//! never both, with parse errors placed at their line, column and key.

use std::path::Path;

use super::{Manifest, MetadataHolder, RawSettings, Settings, Source};
use crate::config::{ConfigError, Position};

/// Read `config_file`; when it does not exist: an error if `explicit`, else the metadata table
/// of `root_manifest_text` when present, else the defaults. Both a file and a table: an error.
pub fn load_settings(
    config_file: &Path,
    explicit: bool,
    root_manifest_text: Option<&str>,
) -> Result<Settings, ConfigError> {
    let file_text = match std::fs::read_to_string(config_file) {
        Ok(text) => Some(text),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound && !explicit => None,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            return Err(ConfigError::MissingFile {
                path: config_file.to_owned(),
            });
        }
        Err(source) => {
            return Err(ConfigError::ReadFile {
                path: config_file.to_owned(),
                source,
            });
        }
    };
    // The manifest's table is read even when the file exists, to refuse two configurations.
    let manifest_path = Path::new("Cargo.toml");
    let from_manifest = match root_manifest_text {
        Some(text) => metadata_table(manifest_path, text)?.map(|(table, raw)| (table, raw, text)),
        None => None,
    };
    match (file_text, from_manifest) {
        (Some(_), Some((table, _, _))) => Err(ConfigError::TwoConfigs {
            first: config_file.display().to_string(),
            second: format!("Cargo.toml [{table}]"),
        }),
        (Some(text), None) => {
            let raw: RawSettings =
                toml::from_str(&text).map_err(|err| parse_error(config_file, &text, &err))?;
            Source {
                path: config_file,
                text: &text,
                prefix: "",
            }
            .validate(raw)
        }
        (None, Some((table, raw, text))) => {
            let prefix = format!("{table}.");
            Source {
                path: manifest_path,
                text,
                prefix: &prefix,
            }
            .validate(raw)
        }
        (None, None) => Ok(Settings::default()),
    }
}

fn metadata_table(
    path: &Path,
    text: &str,
) -> Result<Option<(&'static str, RawSettings)>, ConfigError> {
    let manifest: Manifest = toml::from_str(text).map_err(|err| parse_error(path, text, &err))?;
    let table =
        |holder: Option<MetadataHolder>| holder.and_then(|h| h.metadata).and_then(|m| m.releasekit);
    match (table(manifest.workspace), table(manifest.package)) {
        (Some(_), Some(_)) => Err(ConfigError::TwoConfigs {
            first: "Cargo.toml [workspace.metadata.releasekit]".to_owned(),
            second: "Cargo.toml [package.metadata.releasekit]".to_owned(),
        }),
        (Some(raw), None) => Ok(Some(("workspace.metadata.releasekit", raw))),
        (None, Some(raw)) => Ok(Some(("package.metadata.releasekit", raw))),
        (None, None) => Ok(None),
    }
}

fn parse_error(path: &Path, text: &str, err: &toml::de::Error) -> ConfigError {
    let at = err.span().map(|span| position(text, span.start));
    let mut message = err.message().trim_end().to_owned();
    // serde names the bad value but not its key: take the key from the line when the error
    // points at a value (`key = value`).
    if let Some(key) = err.span().and_then(|span| key_of_value(text, span.start)) {
        message = format!("`{key}`: {message}");
    }
    ConfigError::Parse {
        path: path.to_owned(),
        at,
        message,
    }
}

/// The key of the `key = value` line whose value starts at or before `offset`.
fn key_of_value(text: &str, offset: usize) -> Option<&str> {
    let start = text.get(..offset)?.rfind('\n').map_or(0, |i| i + 1);
    let (key, _) = text[start..offset].split_once('=')?;
    let key = key.trim();
    (!key.is_empty() && !key.starts_with('#')).then_some(key)
}

/// The position of a byte offset.
pub(super) fn position(text: &str, offset: usize) -> Position {
    let before = text.get(..offset).unwrap_or(text);
    let count = |n: usize| u32::try_from(n + 1).unwrap_or(u32::MAX);
    Position {
        line: count(before.matches('\n').count()),
        column: count(before.rsplit('\n').next().unwrap_or("").chars().count()),
    }
}
