//! The validators both paths share (action inputs and the command line): booleans, bumps,
//! counts, names, toolchains, `NAME@VERSION`, and paths made absolute.

use std::path::{Component, Path, PathBuf};
use std::str::FromStr;

use super::{ConfigError, MAX_TOOLCHAIN_LEN, Setting, invalid};
use crate::plan::Bump;
use crate::plan::version::Prerelease;
use crate::plan::yank::registry_key;

const BOOLEANS: &str = "true, True, TRUE, false, False, FALSE";

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

/// Every `NAME@VERSION` of a repeated option; a pair given twice (names compared as the
/// registry compares them) is refused: its outcome could not be told from the other's.
pub(crate) fn crate_versions(
    setting: Setting,
    values: &[String],
) -> Result<Vec<(String, semver::Version)>, ConfigError> {
    let mut pairs: Vec<(String, semver::Version)> = Vec::new();
    for value in values {
        let (name, version) = crate_version(setting, value)?;
        if let Some((first, _)) =
            (pairs.iter()).find(|(n, v)| *v == version && registry_key(n) == registry_key(&name))
        {
            return Err(invalid(
                setting,
                value,
                format!("given twice (as {first}@{version} already): name each version once"),
            ));
        }
        pairs.push((name, version));
    }
    Ok(pairs)
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
