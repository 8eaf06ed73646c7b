//! The bump decision: from a crate's release point and the commits that belong to it, whether
//! it is released, how far it moves and why; then the version each released crate gets.
//!
//! Precedence, highest first: a version typed into the Release PR is taken as given; a
//! `Release-As` footer sets the version (of a new crate too; with a prerelease asked for, it is
//! the first prerelease of that version, or the next one of its series); a new crate is
//! released at its version; `bump_type` forces a level; otherwise the commits decide. On top of
//! any of them an unreleased manifest version is a floor (the release reaches at least it), and
//! a crate on a prerelease graduates when no prerelease is asked for.

use std::collections::{BTreeMap, BTreeSet};

use semver::Version;

use super::points::Found;
use super::{PlanError, PlanOptions, Reason};
use crate::plan::Bump;
use crate::plan::api::{ApiCheck, breaking_bump, first_breaks};
use crate::plan::commits::ConventionalCommit;
use crate::plan::history::short_id;
use crate::plan::version::{VersionError, effective_bump, first_version, next_version};
use crate::plan::workspace::Member;

/// What the plan has decided for one crate so far.
#[derive(Debug, Clone)]
pub(super) struct CrateState {
    pub bump: Bump,
    pub released: bool,
    pub reasons: Vec<Reason>,
    /// The commits its changelog lists from (newest first).
    pub commits: Vec<ConventionalCommit>,
    /// The version a bump applies to: the last release's, else the manifest's.
    pub base: Version,
    /// A version the release must reach: the manifest's, when it was never released.
    pub floor: Option<Version>,
    /// A version set outright by a `Release-As` footer.
    pub exact: Option<Version>,
    /// Released at the base's stable version, leaving a prerelease series.
    pub graduate: bool,
    /// The version the commits (or the API check) ask for, when it is above a version typed
    /// into the Release PR: the typed one stands, the plan says so.
    pub typed_below: Option<Version>,
}

impl CrateState {
    /// Leave the crate out of the plan (it is another group's).
    pub fn leave_out(&mut self) {
        self.bump = Bump::None;
        self.released = false;
        self.reasons.clear();
        self.commits.clear();
        self.floor = None;
        self.exact = None;
        self.graduate = false;
        self.typed_below = None;
    }

    /// Remember that `bump` from the base asks for more than the typed version, if it does.
    fn ask_above_typed(&mut self, bump: Bump, options: &PlanOptions) {
        let typed = self.reasons.iter().find_map(|r| match r {
            Reason::Edited { version } => Some(version),
            _ => None,
        });
        let Some(typed) = typed else { return };
        let asked = next_version(&self.base, bump, options.prerelease.as_ref()).ok();
        if let Some(asked) = asked.filter(|asked| asked > typed) {
            self.typed_below = self.typed_below.take().max(Some(asked));
        }
    }

    fn new_crate(&self) -> bool {
        self.reasons.contains(&Reason::New)
    }

    /// The version was set by a `Release-As` footer (not typed into the Release PR).
    fn set_by_footer(&self) -> bool {
        (self.reasons.iter()).any(|r| matches!(r, Reason::ReleaseAs { .. }))
    }
}

/// The decision for member `m`. `commits` are those since its release point that its changelog
/// lists (reverts dropped); `released_before` the ids among them an earlier prerelease of the
/// series already shipped (they are listed on graduation but ask for no bump).
pub(super) fn decide(
    m: &Member,
    found: &Found,
    commits: Vec<ConventionalCommit>,
    released_before: &BTreeSet<&str>,
    changed: bool,
    options: &PlanOptions,
) -> Result<CrateState, PlanError> {
    let base = found
        .point
        .as_ref()
        .map_or_else(|| m.version.clone(), |p| p.version.clone());
    let counted: Vec<&ConventionalCommit> = commits
        .iter()
        .filter(|c| !released_before.contains(c.id.as_str()))
        .collect();
    let mut st = CrateState {
        bump: Bump::None,
        released: false,
        reasons: Vec::new(),
        commits: Vec::new(),
        base,
        floor: found.unreleased.clone(),
        exact: None,
        graduate: false,
        typed_below: None,
    };
    if let Some(version) = options.given.get(&m.name) {
        // Typed into the Release PR by the maintainer: above everything else.
        st.bump = implied_bump(&st.base, version);
        st.reasons.push(Reason::Edited {
            version: version.clone(),
        });
        st.exact = Some(version.clone());
        let wanted = counted.iter().map(|c| c.bump).max().unwrap_or(Bump::None);
        let asked = effective_bump(&st.base, wanted);
        if asked > Bump::None && found.point.is_some() {
            st.ask_above_typed(asked, options);
        }
    } else if let Some((commit, version)) = release_as(m, found, &counted)? {
        // A new crate too: its version is set, and it is new all the same.
        if found.point.is_none() {
            st.reasons.push(Reason::New);
        }
        st.bump = implied_bump(&st.base, &version);
        st.reasons.push(Reason::ReleaseAs {
            commit: short_id(&commit).to_owned(),
            version: version.clone(),
        });
        st.exact = Some(version);
    } else if found.point.is_none() {
        st.released = true;
        st.reasons.push(Reason::New);
    } else if let Some(forced) = options.forced_bump {
        if changed || options.force_prepare {
            st.bump = forced;
            st.reasons.push(Reason::Forced { bump: forced });
        }
    } else {
        let wanted = counted.iter().map(|c| c.bump).max().unwrap_or(Bump::None);
        let bump = effective_bump(&st.base, wanted);
        if bump > Bump::None {
            let count = counted.iter().filter(|c| c.bump > Bump::None).count();
            st.bump = bump;
            st.reasons.push(Reason::Commits { count, bump });
        }
    }
    if st.exact.is_none() && !st.new_crate() {
        // Without a prerelease asked for, a crate on a prerelease graduates: an unreleased
        // prerelease in the manifest (`1.4.0-rc.1`, `0.20.0-dev`) is released as its stable
        // version, and a released one moves to it.
        let leaving = match &mut st.floor {
            Some(floor) if options.prerelease.is_none() && !floor.pre.is_empty() => {
                let from = floor.clone();
                *floor = Version::new(floor.major, floor.minor, floor.patch);
                Some(from)
            }
            None if options.prerelease.is_none() && !st.base.pre.is_empty() => {
                Some(st.base.clone())
            }
            _ => None,
        };
        match (leaving, &st.floor) {
            (Some(from), _) => {
                st.graduate = true;
                st.reasons.push(Reason::Graduation { from });
            }
            (None, Some(floor)) => st.reasons.push(Reason::Unreleased {
                version: floor.clone(),
            }),
            (None, None) => {}
        }
    }
    st.released |= st.bump > Bump::None || st.exact.is_some() || st.floor.is_some() || st.graduate;
    st.commits = commits;
    Ok(st)
}

/// A break the API check found raises the bump to the breaking level of the version it applies
/// to; a forced bump stays (the plan notes it), and so does a version `Release-As` set.
pub(super) fn raise_for_api_breaks(
    st: &mut CrateState,
    check: Option<&ApiCheck>,
    options: &PlanOptions,
) {
    let Some(ApiCheck::Compared { breaks }) = check else {
        return;
    };
    let breaking = breaking_bump(&st.base);
    if !breaks.is_empty() && !st.new_crate() {
        st.ask_above_typed(breaking, options);
    }
    if st.new_crate()
        || st.exact.is_some()
        || options.forced_bump.is_some()
        || breaks.is_empty()
        || st.bump >= breaking
    {
        return;
    }
    let (shown, more) = first_breaks(breaks);
    st.bump = breaking;
    st.released = true;
    st.reasons.push(Reason::ApiBreak {
        bump: breaking,
        breaks: shown,
        more,
    });
}

/// The newest `Release-As` footer among `commits`, checked: a version above the last release.
fn release_as(
    m: &Member,
    found: &Found,
    commits: &[&ConventionalCommit],
) -> Result<Option<(String, Version)>, PlanError> {
    let Some(commit) = commits.iter().find(|c| c.release_as.is_some()) else {
        return Ok(None);
    };
    let value = commit.release_as.clone().unwrap_or_default();
    let version = Version::parse(&value).map_err(|_| PlanError::ReleaseAsInvalid {
        commit: commit.short_id.clone(),
        name: m.name.clone(),
        value: value.clone(),
    })?;
    if let Some(last) = found.point.as_ref().map(|p| &p.version)
        && version <= *last
    {
        return Err(PlanError::ReleaseAsNotAbove {
            commit: commit.short_id.clone(),
            name: m.name.clone(),
            version: version.to_string(),
            last: last.to_string(),
        });
    }
    Ok(Some((commit.id.clone(), version)))
}

/// How far `from` → `to` moves, as a bump (for the table and the shared-version rules).
fn implied_bump(from: &Version, to: &Version) -> Bump {
    if to.major != from.major {
        Bump::Major
    } else if to.minor != from.minor {
        Bump::Minor
    } else {
        Bump::Patch
    }
}

/// Planned versions of released crates; a family gets the highest of its members' versions.
pub(super) fn planned_versions(
    members: &[&Member],
    families: &[Vec<String>],
    state: &BTreeMap<String, CrateState>,
    options: &PlanOptions,
) -> Result<BTreeMap<String, Version>, PlanError> {
    let mut planned: BTreeMap<String, Version> = members
        .iter()
        .filter(|m| state[&m.name].released)
        .map(|m| {
            let next = next(m, &state[&m.name], options).map_err(|source| PlanError::Version {
                name: m.name.clone(),
                source,
            })?;
            Ok((m.name.clone(), next))
        })
        .collect::<Result<_, PlanError>>()?;
    for family in families {
        if let Some(top) = family.iter().filter_map(|n| planned.get(n)).max().cloned() {
            for name in family {
                if planned.contains_key(name) {
                    planned.insert(name.clone(), top.clone());
                }
            }
        }
    }
    Ok(planned)
}

/// The version one released crate gets.
fn next(m: &Member, st: &CrateState, options: &PlanOptions) -> Result<Version, VersionError> {
    let pre = options.prerelease.as_ref();
    if let Some(exact) = &st.exact {
        return match pre {
            // `Release-As: 2.0.0` with `rc` asked for: 2.0.0-rc.1, or the next of the 2.0.0-rc
            // series the crate is on. A footer that names a prerelease is taken as written.
            Some(pre) if st.set_by_footer() && exact.pre.is_empty() => {
                let on_series = !st.base.pre.is_empty()
                    && (st.base.major, st.base.minor, st.base.patch)
                        == (exact.major, exact.minor, exact.patch);
                if on_series {
                    next_version(&st.base, Bump::None, Some(pre))
                } else {
                    first_version(exact, Some(pre))
                }
            }
            _ => Ok(exact.clone()),
        };
    }
    if st.new_crate() {
        // A new crate is released at its version: as a prerelease of it, if asked.
        return first_version(&m.version, pre);
    }
    let bump = if st.graduate {
        st.bump.max(Bump::Patch)
    } else {
        st.bump
    };
    let next = match (pre, bump) {
        (None, Bump::None) => st.base.clone(),
        (pre, bump) => next_version(&st.base, bump, pre)?,
    };
    Ok(match &st.floor {
        // An unreleased version is released as it is, or as the first prerelease of it.
        Some(floor) => next.max(first_version(floor, pre)?),
        None => next,
    })
}
