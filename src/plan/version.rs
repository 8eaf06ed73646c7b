//! Version rules: the next version of a crate from its current version, the bump its commits ask
//! for and the prerelease label, and the rewriting of a requirement to admit a new version.
//!
//! Pure; knows nothing of commits or manifests beyond the values it is given.

use std::fmt;
use std::str::FromStr;

use semver::Version;
use serde::Serialize;

use super::Bump;

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
        let err = |reason| PrereleaseError {
            value: value.to_owned(),
            reason,
        };
        let (label, number) = match value.rsplit_once('.') {
            Some((label, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => (
                label,
                Some(
                    n.parse::<u64>()
                        .map_err(|_| err("the number is too large"))?,
                ),
            ),
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
            return Err(err(
                "the label must start with a name such as `rc`, not a number",
            ));
        }
        Ok(Prerelease {
            label: label.to_owned(),
            number,
        })
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
        Some(op @ ("" | "^" | "~" | "=")) if single && !trimmed.contains('*') => {
            format!("{op}{new}")
        }
        _ => new.to_string(),
    }
}

/// The bump a crate's commits ask for once the 0.x rules apply. Cargo treats the leftmost
/// non-zero component as the compatibility boundary, so below 1.0 every level moves one step
/// down (a breaking change on 0.3 is 0.4), and on 0.0.z every change moves z.
pub fn effective_bump(current: &Version, bump: Bump) -> Bump {
    match (current.major, current.minor, bump) {
        (_, _, Bump::None) => Bump::None,
        (1.., _, bump) => bump,
        (0, 1.., Bump::Major) => Bump::Minor,
        (0, 1.., Bump::Minor | Bump::Patch) | (0, 0, _) => Bump::Patch,
    }
}

/// Why no next version can be made: a number would pass the largest one (`u64::MAX`), or the
/// prerelease label cannot be written as semver.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VersionError {
    #[error("{version} has no next version: its {part} number would pass {max}", max = u64::MAX)]
    Overflow {
        version: Version,
        part: &'static str,
    },
    #[error("`{pre}` is not a semver prerelease")]
    Prerelease { pre: String },
}

/// The next version of a crate. `bump` is applied literally (commit-derived bumps have already
/// been through [`effective_bump`], and a forced `major` on 0.3.1 means 1.0.0).
///
/// A prerelease current version already sits on a bumped base (1.4.0-rc.1 was cut from 1.3.0),
/// so the base only moves when the bump asks for more than it already holds; without a
/// prerelease request the base itself is released (graduation). A stable current version with a
/// prerelease request and no bump still gets a patch base: a prerelease sorts below its base,
/// and 1.3.0-rc.1 would come before the 1.3.0 already released. Build metadata is dropped.
/// `bump` none without a prerelease request means nothing to release: `current` comes back as is.
/// Arithmetic never wraps: a number past `u64::MAX` is an error, never a smaller version.
pub fn next_version(
    current: &Version,
    bump: Bump,
    prerelease: Option<&Prerelease>,
) -> Result<Version, VersionError> {
    if bump == Bump::None && prerelease.is_none() {
        return Ok(current.clone());
    }
    let base = if current.pre.is_empty() {
        raise(current, bump.max(Bump::Patch))?
    } else {
        let holds = match bump {
            Bump::Major => current.minor == 0 && current.patch == 0,
            Bump::Minor => current.patch == 0,
            Bump::Patch | Bump::None => true,
        };
        if holds {
            Version::new(current.major, current.minor, current.patch)
        } else {
            raise(current, bump)?
        }
    };
    let Some(request) = prerelease else {
        return Ok(base);
    };
    let label = canonical_label(&request.label);
    let number = match request.number {
        Some(n) => n,
        None => {
            let (current_label, current_number) = split_pre(current.pre.as_str());
            let base_held = !current.pre.is_empty()
                && (base.major, base.minor, base.patch)
                    == (current.major, current.minor, current.patch);
            if base_held && current_label == label {
                // A bare `rc` counts as the first of its series.
                current_number.unwrap_or(1).checked_add(1).ok_or_else(|| {
                    VersionError::Overflow {
                        version: current.clone(),
                        part: "prerelease",
                    }
                })?
            } else {
                1
            }
        }
    };
    Ok(Version {
        pre: prerelease_ident(&format!("{label}.{number}"))?,
        ..base
    })
}

/// A version never released yet (a new crate's, an unreleased one in the manifest) as it is
/// released: as it is, or when a prerelease is asked for, as that prerelease of its numbers
/// (`rc` → `-rc.1`, `rc.3` → `-rc.3`). A version already on the label asked for keeps its
/// number unless one is given; one on another label (a `-dev` placeholder) takes the label
/// asked for.
pub fn first_version(
    current: &Version,
    prerelease: Option<&Prerelease>,
) -> Result<Version, VersionError> {
    let mut version = current.clone();
    let Some(pre) = prerelease else {
        return Ok(version);
    };
    let label = canonical_label(&pre.label);
    let (current_label, _) = split_pre(current.pre.as_str());
    if current_label == label && pre.number.is_none() {
        return Ok(version);
    }
    version.pre = prerelease_ident(&format!("{label}.{}", pre.number.unwrap_or(1)))?;
    Ok(version)
}

fn prerelease_ident(pre: &str) -> Result<semver::Prerelease, VersionError> {
    semver::Prerelease::new(pre).map_err(|_| VersionError::Prerelease {
        pre: pre.to_owned(),
    })
}

/// `current` with `bump` applied to its numbers; prerelease and build metadata are dropped.
fn raise(current: &Version, bump: Bump) -> Result<Version, VersionError> {
    let (x, y, z) = (current.major, current.minor, current.patch);
    let up = |n: u64, part: &'static str| {
        n.checked_add(1).ok_or_else(|| VersionError::Overflow {
            version: current.clone(),
            part,
        })
    };
    Ok(match bump {
        Bump::Major => Version::new(up(x, "major")?, 0, 0),
        Bump::Minor => Version::new(x, up(y, "minor")?, 0),
        Bump::Patch => Version::new(x, y, up(z, "patch")?),
        Bump::None => Version::new(x, y, z),
    })
}

/// A prerelease identifier split into its label and trailing number: `rc.2` → (`rc`, 2).
fn split_pre(pre: &str) -> (&str, Option<u64>) {
    match pre.rsplit_once('.') {
        Some((label, n)) => match n.parse() {
            Ok(n) => (label, Some(n)),
            Err(_) => (pre, None),
        },
        None => (pre, None),
    }
}

/// The label as semver spells it: numeric parts lose leading zeros (`a.01` → `a.1`), which
/// semver would otherwise refuse; by text, so a part too long for a number keeps its digits.
fn canonical_label(label: &str) -> String {
    label
        .split('.')
        .map(|part| {
            if !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()) {
                let digits = part.trim_start_matches('0');
                if digits.is_empty() { "0" } else { digits }.to_owned()
            } else {
                part.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(".")
}

#[cfg(test)]
mod tests;
