//! Version rules: the next version of a crate from its current version, the bump its commits ask
//! for and the prerelease label, and the rewriting of a requirement to admit a new version.
//!
//! Pure; knows nothing of commits or manifests beyond the values it is given.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

/// A prerelease request: `rc` (next number) or `rc.3` (this number).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Prerelease {
    pub label: String,
    pub number: Option<u64>,
}

impl fmt::Display for Prerelease {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.number {
            Some(n) => write!(f, "{}.{n}", self.label),
            None => f.write_str(&self.label),
        }
    }
}

/// Why a prerelease value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid prerelease `{value}`: {reason}")]
pub struct PrereleaseError {
    pub value: String,
    pub reason: &'static str,
}

impl FromStr for Prerelease {
    type Err = PrereleaseError;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        let err = |reason| PrereleaseError { value: value.to_owned(), reason };
        let (label, number) = match value.rsplit_once('.') {
            Some((label, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => {
                (label, Some(n.parse::<u64>().map_err(|_| err("the number is too large"))?))
            }
            _ => (value, None),
        };
        if label.is_empty() {
            return Err(err("expected a label such as `rc`, `beta` or `rc.1`"));
        }
        if !label.split('.').all(|part| {
            !part.is_empty() && part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        }) {
            return Err(err("a label holds only ASCII letters, digits, `-` and `.`"));
        }
        if label.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
            return Err(err("the label must start with a name such as `rc`, not a number"));
        }
        Ok(Prerelease { label: label.to_owned(), number })
    }
}

/// Rewrite a requirement as written in a manifest (`"1.2"`, `"^0.3"`, `"=49.0.0-dev"`,
/// `"~1.4"`) so that it asks for `new`: the operator the author wrote is kept and the version is
/// written in full, so the published dependent asks for exactly what it was tested with. A
/// requirement that is not one plain comparator (`">=1, <3"`, `"*"`) becomes `new` itself.
pub fn rewrite_req(original: &str, new: &Version) -> String {
    let trimmed = original.trim();
    let single = semver::VersionReq::parse(trimmed)
        .map(|req| req.comparators.len() == 1)
        .unwrap_or(false);
    let operator = trimmed
        .find(|c: char| c.is_ascii_digit())
        .map(|at| trimmed[..at].trim_end());
    match operator {
        Some(op @ ("" | "^" | "~" | "=")) if single && !trimmed.contains('*') => format!("{op}{new}"),
        _ => new.to_string(),
    }
}

use semver::Version;
