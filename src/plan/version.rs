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
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    fn pre(s: &str) -> Prerelease {
        s.parse().unwrap()
    }

    #[test]
    fn effective_bump_applies_the_0x_rules() {
        use Bump::*;
        let cases = [
            ("1.2.3", Major, Major),
            ("1.2.3", Minor, Minor),
            ("1.2.3", Patch, Patch),
            ("1.2.3", None, None),
            ("0.3.1", Major, Minor),
            ("0.3.1", Minor, Patch),
            ("0.3.1", Patch, Patch),
            ("0.3.1", None, None),
            ("0.0.4", Major, Patch),
            ("0.0.4", Minor, Patch),
            ("0.0.4", Patch, Patch),
            ("0.0.4", None, None),
            ("1.4.0-rc.1", Major, Major),
            ("0.20.0-dev", Major, Minor),
            ("0.20.0-dev", Minor, Patch),
            ("0.0.1-alpha", Minor, Patch),
        ];
        for (current, bump, expected) in cases {
            assert_eq!(
                effective_bump(&v(current), bump),
                expected,
                "{current} asked for {bump}"
            );
        }
    }

    #[test]
    fn next_version_follows_bump_and_prerelease_rules() {
        use Bump::*;
        // (current, bump, prerelease request or "", expected)
        let cases = [
            // stable, bump applied literally
            ("1.2.3", Major, "", "2.0.0"),
            ("1.2.3", Minor, "", "1.3.0"),
            ("1.2.3", Patch, "", "1.2.4"),
            ("1.2.3", None, "", "1.2.3"),
            ("0.3.1", Major, "", "1.0.0"),
            ("0.3.1", Minor, "", "0.4.0"),
            ("0.0.4", Patch, "", "0.0.5"),
            ("1.2.3+build.5", Patch, "", "1.2.4"),
            ("1.2.3+build.5", None, "", "1.2.3+build.5"),
            // starting a prerelease
            ("1.3.0", Minor, "rc", "1.4.0-rc.1"),
            ("1.3.0", Major, "beta", "2.0.0-beta.1"),
            ("1.3.0", Minor, "rc.3", "1.4.0-rc.3"),
            ("1.3.0", None, "rc", "1.3.1-rc.1"),
            ("1.0.0", Major, "alpha.x", "2.0.0-alpha.x.1"),
            ("1.0.0", Minor, "a.01.b", "1.1.0-a.1.b.1"),
            // the next prerelease of the same base and label
            ("1.4.0-rc.1", Patch, "rc", "1.4.0-rc.2"),
            ("1.4.0-rc.1", Minor, "rc", "1.4.0-rc.2"),
            ("1.4.0-rc.1", None, "rc", "1.4.0-rc.2"),
            ("1.4.0-rc.9", Patch, "rc", "1.4.0-rc.10"),
            ("1.4.0-rc", Patch, "rc", "1.4.0-rc.2"),
            ("2.0.0-rc.1", Major, "rc", "2.0.0-rc.2"),
            ("2.0.0-alpha.x.1", Patch, "alpha.x", "2.0.0-alpha.x.2"),
            // the base moves, the count restarts
            ("1.4.0-rc.2", Major, "rc", "2.0.0-rc.1"),
            ("1.4.1-rc.1", Minor, "rc", "1.5.0-rc.1"),
            ("1.4.1-rc.1", Major, "rc", "2.0.0-rc.1"),
            // another label, an explicit number
            ("1.4.0-beta.3", Patch, "rc", "1.4.0-rc.1"),
            ("0.20.0-dev", Patch, "rc", "0.20.0-rc.1"),
            ("1.4.0-rc.2", Patch, "rc.5", "1.4.0-rc.5"),
            ("1.4.0-rc.2", Major, "rc.5", "2.0.0-rc.5"),
            // graduation
            ("1.4.0-rc.2", Patch, "", "1.4.0"),
            ("1.4.0-rc.2", Minor, "", "1.4.0"),
            ("1.4.0-rc.2", Major, "", "2.0.0"),
            ("1.4.0-rc.2", None, "", "1.4.0-rc.2"),
            ("1.4.0-rc.1+sha.abc", Patch, "", "1.4.0"),
        ];
        for (current, bump, request, expected) in cases {
            let request = (!request.is_empty()).then(|| pre(request));
            let next = next_version(&v(current), bump, request.as_ref()).unwrap();
            assert_eq!(next, v(expected), "{current} + {bump} + {request:?}");
        }
    }

    #[test]
    fn bevy_style_dev_version_with_a_feature_releases_its_base() {
        let current = v("0.20.0-dev");
        let bump = effective_bump(&current, Bump::Minor);
        assert_eq!(next_version(&current, bump, None).unwrap(), v("0.20.0"));
        assert_eq!(
            next_version(&current, Bump::Minor, None).unwrap(),
            v("0.20.0")
        );
    }

    #[test]
    fn breaking_change_below_1_0_moves_the_minor() {
        let current = v("0.3.1");
        let bump = effective_bump(&current, Bump::Major);
        assert_eq!(next_version(&current, bump, None).unwrap(), v("0.4.0"));
    }

    #[test]
    fn a_number_past_u64_max_is_an_error_never_a_wrapped_or_smaller_version() {
        let max = u64::MAX;
        let cases: &[(String, Bump, &str, &str)] = &[
            (format!("0.1.{max}"), Bump::Patch, "", "patch"),
            (format!("1.{max}.0"), Bump::Minor, "", "minor"),
            (format!("{max}.0.0"), Bump::Major, "", "major"),
            (format!("1.0.{max}"), Bump::None, "rc", "patch"),
            (format!("1.0.0-rc.{max}"), Bump::Patch, "rc", "prerelease"),
        ];
        for (current, bump, request, part) in cases {
            let request = (!request.is_empty()).then(|| pre(request));
            let err = next_version(&v(current), *bump, request.as_ref()).unwrap_err();
            assert_eq!(
                err,
                VersionError::Overflow {
                    version: v(current),
                    part
                },
                "{current} + {bump}"
            );
            assert!(err.to_string().contains(&max.to_string()), "{err}");
        }
        // One below the largest still moves.
        let below = format!("0.1.{}", max - 1);
        assert_eq!(
            next_version(&v(&below), Bump::Patch, None).unwrap(),
            v(&format!("0.1.{max}"))
        );
    }

    #[test]
    fn an_unreleased_version_takes_the_prerelease_label_asked_for_as_semver_spells_it() {
        let cases = [
            ("1.0.0", "", "1.0.0"),
            ("1.0.0", "rc", "1.0.0-rc.1"),
            ("1.0.0", "rc.3", "1.0.0-rc.3"),
            ("1.0.0", "a.01.2", "1.0.0-a.1.2"),
            ("1.0.0", "a.000.b", "1.0.0-a.0.b.1"),
            (
                "1.0.0",
                "x.00000000000000000000000000001.y",
                "1.0.0-x.1.y.1",
            ),
            ("1.0.0-rc.2", "rc", "1.0.0-rc.2"),
            ("1.0.0-rc.2", "rc.5", "1.0.0-rc.5"),
            ("1.0.0-beta.2", "rc", "1.0.0-rc.1"),
            ("0.20.0-dev", "rc", "0.20.0-rc.1"),
        ];
        for (current, request, expected) in cases {
            let request = (!request.is_empty()).then(|| pre(request));
            assert_eq!(
                first_version(&v(current), request.as_ref()).unwrap(),
                v(expected),
                "{current} {request:?}"
            );
        }
        let bad = Prerelease {
            label: "not valid!".into(),
            number: None,
        };
        assert!(matches!(
            first_version(&v("1.0.0"), Some(&bad)),
            Err(VersionError::Prerelease { .. })
        ));
    }

    #[test]
    fn rewrite_req_keeps_the_operator_and_writes_the_full_version() {
        let cases = [
            ("1.2", "2.0.0", "2.0.0"),
            ("1.2", "1.3.0", "1.3.0"),
            ("^0.3", "0.4.0", "^0.4.0"),
            ("~1.4", "1.5.0", "~1.5.0"),
            ("=49.0.0-dev", "49.0.0", "=49.0.0"),
            ("=49.0.0-dev", "50.0.0-dev", "=50.0.0-dev"),
            ("= 1.2.3", "1.3.0", "=1.3.0"),
            (" ^1.2 ", "1.3.0", "^1.3.0"),
            (">=1, <3", "3.0.0", "3.0.0"),
            (">=1.2", "2.0.0", "2.0.0"),
            ("*", "1.0.0", "1.0.0"),
            ("1.*", "2.0.0", "2.0.0"),
            ("1.2", "1.3.0-rc.1", "1.3.0-rc.1"),
            ("^1.2", "2.0.0-rc.1", "^2.0.0-rc.1"),
            ("=1.3.0-rc.1", "1.3.0-rc.2", "=1.3.0-rc.2"),
        ];
        for (original, new, expected) in cases {
            assert_eq!(
                rewrite_req(original, &v(new)),
                expected,
                "{original} -> {new}"
            );
        }
    }
}
