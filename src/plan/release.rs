//! The release plan: for every member, what was found (`initial_version`, `prior_tag`) next to
//! what is intended (`planned_version`, `planned_tag`), why, and in which publish wave.
//!
//! Pure: takes the workspace, the history already read, the published versions and the options;
//! returns data. It is what `plan` prints, what the Release PR embeds and what later stages
//! carry out.

use std::collections::BTreeMap;

use semver::Version;
use serde::{Deserialize, Serialize};

use super::Bump;
use super::version::Prerelease;

/// How members of a group share versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Versioning {
    /// Each member gets its own bump and version.
    #[default]
    Independent,
    /// Every member gets the highest bump among them and one shared version.
    Fixed,
}

/// What happens to a member whose dependency's new version no longer satisfies its requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum DependentsBump {
    /// The requirement is rewritten and the dependent is released with a patch bump.
    #[default]
    Patch,
    /// The requirement is rewritten; the dependent is not released for it.
    None,
}

/// A release group from the configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupSpec {
    pub name: String,
    /// Name globs (`serde*`, `bevy_*`).
    pub members: Vec<String>,
    pub versioning: Versioning,
    pub tag_format: Option<String>,
}

/// Everything the planner needs besides the facts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanOptions {
    /// `None`: bumps come from the commits; `Some(b)`: every changed crate gets `b`.
    pub forced_bump: Option<Bump>,
    pub force_prepare: bool,
    pub prerelease: Option<Prerelease>,
    /// Only plan this group.
    pub group: Option<String>,
    /// Only plan the crates no configured group claims (the default group's Release PR).
    pub ungrouped_only: bool,
    /// Default tag format; `None` means `{name}-v{version}`, or `v{version}` for a workspace with
    /// one publishable crate.
    pub tag_format: Option<String>,
    pub groups: Vec<GroupSpec>,
    pub dependents_bump: DependentsBump,
    /// Registry the crates go to (`None` = crates.io): decides which members are publishable.
    pub registry: Option<String>,
    /// Date of the changelog sections, `YYYY-MM-DD` (the plan reads no clock).
    pub date: String,
    /// `https://github.com/owner/repo`, for commit and PR links in changelogs.
    pub repository_url: Option<String>,
}

/// Published versions per crate name, as far as they are known.
pub type Published = BTreeMap<String, Vec<Version>>;

use std::collections::BTreeSet;

use globset::Glob;
use semver::VersionReq;

use super::DepKind;
use super::api::{ApiBreak, ApiCheck, ApiChecks, breaking_bump, first_breaks, list_breaks};
use super::changelog::{SectionInput, render_section};
use super::commits::{ConventionalCommit, classify, drop_reverted};
use super::graph::{CycleError, Edge, publish_edges, waves};
use super::history::{
    DEFAULT_TAG_FORMAT, RawCommit, SINGLE_CRATE_TAG_FORMAT, Tag, commits_by_crate, last_release,
    tag_name,
};
use super::manifest::{DepEdit, ManifestEdits, WorkspaceDepEdit};
use super::refname::{RefNameError, check_ref_name};
use super::version::{VersionError, effective_bump, first_version, next_version};
use super::workspace::{ManifestProblem, Workspace, manifest_problems};

/// The facts the planner works from, gathered by the adapters.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    pub workspace: &'a Workspace,
    /// Newest first (as `git log` prints it); empty when there is no history to read.
    pub history: &'a [RawCommit],
    pub tags: &'a [Tag],
    /// Versions known to be in the registry.
    pub published: &'a Published,
    /// No published versions could be looked up: take each crate's last tagged version as
    /// published for the dev-dependency rule (the plan says so).
    pub assume_tagged_published: bool,
    /// What the API checks found (cargo-semver-checks against the last release), per crate.
    pub api: &'a ApiChecks,
}

/// Why a crate is released.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Reason {
    /// No release tag: the crate is released at its current version.
    New,
    /// Conventional commits since the last release ask for `bump`.
    Commits { count: usize, bump: Bump },
    /// `bump_type` forced the level.
    Forced { bump: Bump },
    /// A dependency's new version no longer satisfies this crate's requirement.
    Dependency { name: String, version: Version },
    /// A member of the same fixed group (or `[workspace.package]` version) is released.
    Fixed { with: String },
    /// cargo-semver-checks found breaks against the last release: the bump is raised to `bump`.
    /// `breaks` are the first few; `more` counts the rest.
    ApiBreak {
        bump: Bump,
        breaks: Vec<ApiBreak>,
        more: usize,
    },
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Reason::New => f.write_str("new crate (no release tag)"),
            Reason::Commits { count, bump } => {
                write!(
                    f,
                    "{count} commit{} ({bump})",
                    if *count == 1 { "" } else { "s" }
                )
            }
            Reason::Forced { bump } => write!(f, "bump_type {bump}"),
            Reason::Dependency { name, version } => write!(f, "dependency {name} → {version}"),
            Reason::Fixed { with } => write!(f, "fixed version with {with}"),
            Reason::ApiBreak { bump, breaks, more } => {
                write!(f, "API break ({bump}): {}", list_breaks(breaks, *more))
            }
        }
    }
}

/// One publishable member: what was found and what is intended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CrateRelease {
    pub name: String,
    pub group: Option<String>,
    pub dir: String,
    pub manifest: String,
    pub initial_version: Version,
    pub prior_tag: Option<String>,
    pub planned_version: Version,
    pub planned_tag: String,
    pub released: bool,
    pub bump: Bump,
    pub reasons: Vec<Reason>,
    /// The commits this release's changelog lists (empty when not released). Not serialised:
    /// `changelog` already shows them, and the plan travels in outputs and PR bodies.
    #[serde(skip)]
    pub commits: Vec<ConventionalCommit>,
    /// The changelog section of this release (empty when not released).
    pub changelog: String,
    /// Publish wave, for released crates.
    pub wave: Option<usize>,
}

/// The whole plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReleasePlan {
    /// Every publishable member, sorted by name.
    pub crates: Vec<CrateRelease>,
    /// Publish waves of the released crates.
    pub waves: Vec<Vec<String>>,
    /// Publish edges among the released crates.
    pub edges: Vec<Edge>,
    /// Manifest path (relative to the workspace root) → edits.
    pub manifest_edits: BTreeMap<String, ManifestEdits>,
    /// Things a person should know (assumptions, requirements rewritten outside the group).
    pub notes: Vec<String>,
}

impl ReleasePlan {
    pub fn released(&self) -> impl Iterator<Item = &CrateRelease> {
        self.crates.iter().filter(|c| c.released)
    }

    pub fn has_bumps(&self) -> bool {
        self.crates.iter().any(|c| c.released)
    }
}

/// Why no plan could be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error(transparent)]
    Cycle(#[from] CycleError),
    #[error("{} manifest problem{} prevent publishing: {}", .0.len(), if .0.len() == 1 { "" } else { "s" },
        .0.iter().map(|p| p.message.as_str()).collect::<Vec<_>>().join("; "))]
    Manifests(Vec<ManifestProblem>),
    #[error("group {group} is not configured")]
    UnknownGroup { group: String, known: Vec<String> },
    #[error("crate {name} matches groups {first} and {second}")]
    GroupOverlap {
        name: String,
        first: String,
        second: String,
    },
    #[error("group {group}: pattern {pattern:?} is invalid or matches no publishable crate")]
    GroupPattern { group: String, pattern: String },
    #[error("tag format {format:?} has no {{name}} but is used by several independently versioned crates: {}", .crates.join(", "))]
    TagFormatNeedsName { format: String, crates: Vec<String> },
    #[error(
        "{first} and {second} share the [workspace.package] version but are in different groups"
    )]
    SplitWorkspaceVersion { first: String, second: String },
    #[error("the tag {tag:?} of crate {name} is no name git accepts: {why}")]
    BadTag {
        name: String,
        tag: String,
        why: RefNameError,
    },
    #[error("crate {name} cannot be released")]
    Version {
        name: String,
        #[source]
        source: VersionError,
    },
}

impl PlanError {
    /// What to do about it.
    pub fn hint(&self) -> String {
        match self {
            PlanError::Cycle(cycle) => cycle.hint(),
            PlanError::Manifests(problems) => {
                problems.iter().map(|p| p.hint.as_str()).collect::<Vec<_>>().join("\n")
            }
            PlanError::UnknownGroup { known, .. } if known.is_empty() => {
                "no groups are configured: drop the group input, or add [groups.<name>] to releasekit.toml".into()
            }
            PlanError::UnknownGroup { known, .. } => format!("configured groups: {}", known.join(", ")),
            PlanError::GroupOverlap { name, .. } => {
                format!("narrow the `members` patterns so that {name} belongs to one group")
            }
            PlanError::GroupPattern { group, .. } => format!(
                "fix [groups.{group}] members in releasekit.toml: patterns are crate-name globs such as `serde*`"
            ),
            PlanError::TagFormatNeedsName { .. } => {
                "put {name} in tag_format (e.g. \"{name}-v{version}\"), or make the group `versioning = \"fixed\"`".into()
            }
            PlanError::SplitWorkspaceVersion { .. } => {
                "put every crate with `version.workspace = true` in one group".into()
            }
            PlanError::BadTag { .. } => {
                "change tag_format in releasekit.toml so that it makes names git accepts (`git check-ref-format`)".into()
            }
            PlanError::Version { name, .. } => format!(
                "write {name}'s next version into its manifest by hand (a smaller number, or a higher level such as the next major), or choose another prerelease label"
            ),
        }
    }
}

/// Make the plan.
pub fn build_plan(facts: Facts<'_>, options: &PlanOptions) -> Result<ReleasePlan, PlanError> {
    let ws = facts.workspace;
    let registry = options.registry.as_deref();
    let problems = manifest_problems(ws, registry);
    if !problems.is_empty() {
        return Err(PlanError::Manifests(problems));
    }
    if let Some(group) = &options.group
        && !options.groups.iter().any(|g| &g.name == group)
    {
        return Err(PlanError::UnknownGroup {
            group: group.clone(),
            known: options.groups.iter().map(|g| g.name.clone()).collect(),
        });
    }
    let members: Vec<_> = ws.publishable(registry).collect();
    let groups = assign_groups(&members, &options.groups)?;
    let families = families(&members, &groups, &options.groups)?;
    let formats = tag_formats(
        &members,
        &groups,
        &families,
        options.tag_format.as_deref(),
        &options.groups,
    )?;

    // Release points and the commits since them, in one pass over the history.
    let points: BTreeMap<&str, _> = members
        .iter()
        .map(|m| {
            (
                m.name.as_str(),
                last_release(&formats[m.name.as_str()], &m.name, facts.tags),
            )
        })
        .collect();
    let dirs = members
        .iter()
        .map(|m| (m.name.clone(), m.dir.clone()))
        .collect();
    let since = points
        .iter()
        .filter_map(|(name, p)| p.as_ref().map(|p| (name.to_string(), p.commit.clone())))
        .collect();
    let by_crate = commits_by_crate(facts.history, &dirs, &since);
    let mut classified: BTreeMap<usize, ConventionalCommit> = BTreeMap::new();

    let mut state: BTreeMap<String, CrateState> = BTreeMap::new();
    for m in &members {
        let indices = &by_crate[&m.name];
        let commits: Vec<_> = indices
            .iter()
            .map(|&i| {
                classified
                    .entry(i)
                    .or_insert_with(|| classify(&facts.history[i].id, &facts.history[i].message))
                    .clone()
            })
            .collect();
        let commits = drop_reverted(commits);
        let is_new = points[m.name.as_str()].is_none()
            && !facts
                .published
                .get(&m.name)
                .is_some_and(|v| v.contains(&m.version));
        let mut st = CrateState {
            bump: Bump::None,
            released: false,
            reasons: Vec::new(),
            commits,
        };
        if is_new {
            st.released = true;
            st.reasons.push(Reason::New);
        } else if let Some(forced) = options.forced_bump {
            if !indices.is_empty() || options.force_prepare {
                st.bump = forced;
                st.reasons.push(Reason::Forced { bump: forced });
            }
        } else {
            let wanted = st
                .commits
                .iter()
                .map(|c| c.bump)
                .max()
                .unwrap_or(Bump::None);
            let bump = effective_bump(&m.version, wanted);
            if bump > Bump::None {
                let count = st.commits.iter().filter(|c| c.bump > Bump::None).count();
                st.bump = bump;
                st.reasons.push(Reason::Commits { count, bump });
            }
        }
        // A break the API check found raises the bump; a forced bump stays (the plan notes it).
        if !is_new
            && options.forced_bump.is_none()
            && let Some(ApiCheck::Compared { breaks }) = facts.api.get(&m.name)
            && !breaks.is_empty()
            && st.bump < breaking_bump(&m.version)
        {
            let (shown, more) = first_breaks(breaks);
            st.bump = breaking_bump(&m.version);
            st.reasons.push(Reason::ApiBreak {
                bump: st.bump,
                breaks: shown,
                more,
            });
        }
        st.released |= st.bump > Bump::None;
        state.insert(m.name.clone(), st);
    }

    // With a group selected, only its members are released: others must not start a cascade.
    let outside = |name: &str| {
        let group = groups.get(name).and_then(|m| m.as_ref());
        match &options.group {
            Some(g) => group != Some(g),
            None => options.ungrouped_only && group.is_some(),
        }
    };
    for (_, st) in state.iter_mut().filter(|(n, _)| outside(n)) {
        *st = CrateState {
            bump: Bump::None,
            released: false,
            reasons: Vec::new(),
            commits: Vec::new(),
        };
    }

    // Fixed families move together, then dependents follow, until nothing changes.
    let current: BTreeMap<&str, &Version> = ws
        .members
        .iter()
        .map(|m| (m.name.as_str(), &m.version))
        .collect();
    let mut planned: BTreeMap<String, Version>;
    loop {
        for family in &families {
            let top = family
                .iter()
                .map(|n| state[n.as_str()].bump)
                .max()
                .unwrap_or(Bump::None);
            // A member released only because it is new does not move the shared version.
            if top == Bump::None {
                continue;
            }
            let leader = family.iter().find(|n| state[n.as_str()].released).cloned();
            if let Some(leader) = leader {
                for name in family {
                    let st = state.get_mut(name.as_str()).expect("family member");
                    st.bump = st.bump.max(top);
                    if !st.released {
                        st.released = true;
                        st.reasons.push(Reason::Fixed {
                            with: leader.clone(),
                        });
                    }
                }
            }
        }
        planned = planned_versions(&members, &families, &state, options)?;
        let mut changed = false;
        for m in &ws.members {
            for dep in &m.deps {
                let (Some(req), Some(new)) = (&dep.req, planned.get(&dep.name)) else {
                    continue;
                };
                let moved = state.get(&dep.name).is_some_and(|s| s.released);
                let breaks =
                    moved && !req.matches(new) && dep.kind != DepKind::Dev && dep.name != m.name;
                let Some(st) = state.get_mut(&m.name) else {
                    continue;
                };
                if breaks && !st.released && options.dependents_bump == DependentsBump::Patch {
                    st.released = true;
                    st.bump = st.bump.max(Bump::Patch);
                    st.reasons.push(Reason::Dependency {
                        name: dep.name.clone(),
                        version: new.clone(),
                    });
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }

    let mut notes = Vec::new();
    // Dependents outside the group are not released with it; their requirements still follow
    // the new versions (manifest_edits says so in a note).
    if options.group.is_some() || options.ungrouped_only {
        for (_, st) in state.iter_mut().filter(|(n, _)| outside(n)) {
            st.released = false;
        }
        planned = planned_versions(&members, &families, &state, options)?;
    }

    let manifest_edits = manifest_edits(ws, &state, &planned, &current, &mut notes);
    notes.extend(super::api::notes(
        facts.api,
        members
            .iter()
            .filter(|m| state[&m.name].released)
            .map(|m| (m.name.as_str(), state[&m.name].bump, &m.version)),
        options.forced_bump.is_some(),
    ));
    let released: BTreeSet<String> = state
        .iter()
        .filter(|(_, s)| s.released)
        .map(|(n, _)| n.clone())
        .collect();

    let mut published = facts.published.clone();
    if facts.assume_tagged_published {
        for (name, point) in &points {
            if let Some(point) = point {
                published
                    .entry(name.to_string())
                    .or_default()
                    .push(point.version.clone());
            }
        }
        if points.values().any(Option::is_some) {
            notes.push(
                "published versions were not looked up: each crate's last tagged version is taken as published for the dev-dependency rule".into(),
            );
        }
    }
    let edges: Vec<Edge> = publish_edges(ws, registry, &published)
        .into_iter()
        .filter(|e| released.contains(&e.from) && released.contains(&e.to))
        .collect();
    let waves = waves(&released, &edges)?;
    let wave_of: BTreeMap<&str, usize> = waves
        .iter()
        .enumerate()
        .flat_map(|(i, w)| w.iter().map(move |n| (n.as_str(), i)))
        .collect();

    let crates: Vec<CrateRelease> = members
        .iter()
        .map(|m| {
            let st = &state[&m.name];
            let point = &points[m.name.as_str()];
            let version = if st.released {
                planned[&m.name].clone()
            } else {
                m.version.clone()
            };
            let planned_tag = tag_name(&formats[m.name.as_str()], &m.name, &version);
            let changelog = if st.released {
                let notes = dependency_notes(&st.reasons);
                let api_breaks = api_break_lines(&st.reasons);
                render_section(&SectionInput {
                    version: &version,
                    date: &options.date,
                    commits: &st.commits,
                    notes: &notes,
                    api_breaks: &api_breaks,
                    repository_url: options.repository_url.as_deref(),
                    compare: point
                        .as_ref()
                        .map(|p| (p.tag.as_str(), planned_tag.as_str())),
                })
            } else {
                String::new()
            };
            CrateRelease {
                name: m.name.clone(),
                group: groups[m.name.as_str()].clone(),
                dir: m.dir.clone(),
                manifest: m.manifest.clone(),
                initial_version: m.version.clone(),
                prior_tag: point.as_ref().map(|p| p.tag.clone()),
                planned_version: version,
                planned_tag,
                released: st.released,
                bump: if st.released { st.bump } else { Bump::None },
                reasons: if st.released {
                    st.reasons.clone()
                } else {
                    Vec::new()
                },
                commits: if st.released {
                    st.commits
                        .iter()
                        .filter(|c| c.section.is_some())
                        .cloned()
                        .collect()
                } else {
                    Vec::new()
                },
                changelog,
                wave: wave_of.get(m.name.as_str()).copied(),
            }
        })
        .collect();
    // A tag git refuses would stop the release after the merge: refuse it now.
    for c in crates.iter().filter(|c| c.released) {
        check_ref_name(&c.planned_tag).map_err(|why| PlanError::BadTag {
            name: c.name.clone(),
            tag: c.planned_tag.clone(),
            why,
        })?;
    }
    Ok(ReleasePlan {
        crates,
        waves,
        edges,
        manifest_edits,
        notes,
    })
}

struct CrateState {
    bump: Bump,
    released: bool,
    reasons: Vec<Reason>,
    commits: Vec<ConventionalCommit>,
}

/// The changelog's lines for the breaks the API check found.
fn api_break_lines(reasons: &[Reason]) -> Vec<String> {
    let mut lines = Vec::new();
    for reason in reasons {
        if let Reason::ApiBreak { breaks, more, .. } = reason {
            for b in breaks {
                lines.push(format!("{}: `{}` (cargo-semver-checks)", b.lint, b.item));
            }
            if *more > 0 {
                lines.push(format!(
                    "and {more} more API break(s) (`cargo semver-checks` lists them all)"
                ));
            }
        }
    }
    lines
}

fn dependency_notes(reasons: &[Reason]) -> Vec<String> {
    reasons
        .iter()
        .filter_map(|r| match r {
            Reason::Dependency { name, version } => Some(format!("update `{name}` to {version}")),
            Reason::Fixed { with } => {
                Some(format!("released together with `{with}` (shared version)"))
            }
            _ => None,
        })
        .collect()
}

/// Every publishable member's tag format, as [`build_plan`] renders its tags (groups and the
/// one-crate default included): what the release stage re-renders the tags with.
pub fn member_tag_formats(
    ws: &Workspace,
    registry: Option<&str>,
    tag_format: Option<&str>,
    specs: &[GroupSpec],
) -> Result<BTreeMap<String, String>, PlanError> {
    let members: Vec<_> = ws.publishable(registry).collect();
    let groups = assign_groups(&members, specs)?;
    let families = families(&members, &groups, specs)?;
    let formats = tag_formats(&members, &groups, &families, tag_format, specs)?;
    Ok(formats
        .into_iter()
        .map(|(name, format)| (name.to_owned(), format))
        .collect())
}

/// Each member's group (`None` = the default group).
pub(crate) fn assign_groups<'a>(
    members: &[&'a super::workspace::Member],
    specs: &[GroupSpec],
) -> Result<BTreeMap<&'a str, Option<String>>, PlanError> {
    let mut out: BTreeMap<&str, Option<String>> =
        members.iter().map(|m| (m.name.as_str(), None)).collect();
    for spec in specs {
        for pattern in &spec.members {
            let bad = || PlanError::GroupPattern {
                group: spec.name.clone(),
                pattern: pattern.clone(),
            };
            let glob = Glob::new(pattern).map_err(|_| bad())?.compile_matcher();
            let mut matched = false;
            for m in members {
                if !glob.is_match(&m.name) {
                    continue;
                }
                matched = true;
                let slot = out.get_mut(m.name.as_str()).expect("member");
                match slot {
                    Some(first) if *first != spec.name => {
                        return Err(PlanError::GroupOverlap {
                            name: m.name.clone(),
                            first: first.clone(),
                            second: spec.name.clone(),
                        });
                    }
                    _ => *slot = Some(spec.name.clone()),
                }
            }
            if !matched {
                return Err(bad());
            }
        }
    }
    Ok(out)
}

/// Sets of members that share one version: each fixed group, and the members that inherit
/// `[workspace.package] version` (merged when they overlap). Singletons are left out.
fn families(
    members: &[&super::workspace::Member],
    groups: &BTreeMap<&str, Option<String>>,
    specs: &[GroupSpec],
) -> Result<Vec<Vec<String>>, PlanError> {
    let mut families: Vec<BTreeSet<String>> = Vec::new();
    let inherit: BTreeSet<String> = members
        .iter()
        .filter(|m| m.version_from_workspace)
        .map(|m| m.name.clone())
        .collect();
    if let Some(first) = inherit.first()
        && let Some(other) = inherit
            .iter()
            .find(|n| groups[n.as_str()] != groups[first.as_str()])
    {
        return Err(PlanError::SplitWorkspaceVersion {
            first: first.clone(),
            second: other.clone(),
        });
    }
    if inherit.len() > 1 {
        families.push(inherit);
    }
    for spec in specs.iter().filter(|s| s.versioning == Versioning::Fixed) {
        let set: BTreeSet<String> = groups
            .iter()
            .filter(|(_, g)| g.as_deref() == Some(spec.name.as_str()))
            .map(|(n, _)| n.to_string())
            .collect();
        if let Some(existing) = families.iter_mut().find(|f| !f.is_disjoint(&set)) {
            existing.extend(set);
        } else if set.len() > 1 {
            families.push(set);
        }
    }
    Ok(families
        .into_iter()
        .map(|f| f.into_iter().collect())
        .collect())
}

fn tag_formats<'a>(
    members: &[&'a super::workspace::Member],
    groups: &BTreeMap<&str, Option<String>>,
    families: &[Vec<String>],
    tag_format: Option<&str>,
    specs: &[GroupSpec],
) -> Result<BTreeMap<&'a str, String>, PlanError> {
    let default = tag_format.map(str::to_owned).unwrap_or_else(|| {
        if members.len() == 1 {
            SINGLE_CRATE_TAG_FORMAT.into()
        } else {
            DEFAULT_TAG_FORMAT.into()
        }
    });
    let formats: BTreeMap<&str, String> = members
        .iter()
        .map(|m| {
            let group = groups[m.name.as_str()].as_ref();
            let spec = group.and_then(|g| specs.iter().find(|s| &s.name == g));
            let format = spec
                .and_then(|s| s.tag_format.clone())
                .unwrap_or_else(|| default.clone());
            (m.name.as_str(), format)
        })
        .collect();
    // A format without {name} names one tag per version: fine for one crate or one family.
    let mut users: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (name, format) in &formats {
        if !format.contains("{name}") {
            users.entry(format.as_str()).or_default().push(name);
        }
    }
    for (format, crates) in users {
        let one_family = crates.len() == 1
            || families
                .iter()
                .any(|f| crates.iter().all(|c| f.iter().any(|n| n == c)));
        if !one_family {
            return Err(PlanError::TagFormatNeedsName {
                format: format.to_owned(),
                crates: crates.iter().map(|c| c.to_string()).collect(),
            });
        }
    }
    Ok(formats)
}

/// Planned versions of released crates; a family gets the highest of its members' next versions.
fn planned_versions(
    members: &[&super::workspace::Member],
    families: &[Vec<String>],
    state: &BTreeMap<String, CrateState>,
    options: &PlanOptions,
) -> Result<BTreeMap<String, Version>, PlanError> {
    let mut planned: BTreeMap<String, Version> = members
        .iter()
        .filter(|m| state[&m.name].released)
        .map(|m| {
            let st = &state[&m.name];
            let next = match (&options.prerelease, st.bump) {
                (None, Bump::None) => Ok(m.version.clone()),
                // A new crate is released at its version: as a prerelease of it, if asked.
                (Some(pre), Bump::None) if st.reasons.contains(&Reason::New) => {
                    first_version(&m.version, Some(pre))
                }
                (pre, bump) => next_version(&m.version, bump, pre.as_ref()),
            };
            let next = next.map_err(|source| PlanError::Version {
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

/// The manifest edits that carry the planned versions: each released member's version, and the
/// requirements on released members (rewritten when they no longer match; raised when they
/// still match only for normal and build dependencies of crates released anyway).
fn manifest_edits(
    ws: &Workspace,
    state: &BTreeMap<String, CrateState>,
    planned: &BTreeMap<String, Version>,
    current: &BTreeMap<&str, &Version>,
    notes: &mut Vec<String>,
) -> BTreeMap<String, ManifestEdits> {
    let root_manifest = "Cargo.toml".to_owned();
    let mut edits: BTreeMap<String, ManifestEdits> = BTreeMap::new();
    let is_released = |name: &str| state.get(name).is_some_and(|s| s.released);
    for m in &ws.members {
        if is_released(&m.name) {
            let version = planned[&m.name].clone();
            if m.version_from_workspace {
                edits
                    .entry(root_manifest.clone())
                    .or_default()
                    .workspace_package_version = Some(version);
            } else {
                edits.entry(m.manifest.clone()).or_default().package_version = Some(version);
            }
        }
    }
    let mut workspace_deps: BTreeMap<String, Version> = BTreeMap::new();
    for m in &ws.members {
        for dep in &m.deps {
            let (Some(req), true) = (&dep.req, is_released(&dep.name)) else {
                continue;
            };
            let new = &planned[&dep.name];
            if dep.name == m.name || current.get(dep.name.as_str()) == Some(&new) {
                continue;
            }
            let broken = !req.matches(new);
            let raise = dep.kind != DepKind::Dev && is_released(&m.name) && !exact_same(req, new);
            if !broken && !raise {
                continue;
            }
            if broken
                && !is_released(&m.name)
                && dep.kind != DepKind::Dev
                && state.contains_key(&m.name)
            {
                notes.push(format!(
                    "{}'s requirement on {} is rewritten to admit {new}, but {} is not released in this plan",
                    m.name, dep.name, m.name
                ));
            }
            if dep.inherited {
                workspace_deps.insert(dep.name.clone(), new.clone());
            } else {
                let entry = edits.entry(m.manifest.clone()).or_default();
                let edit = DepEdit {
                    name: dep.name.clone(),
                    kind: dep.kind,
                    version: new.clone(),
                };
                if !entry.deps.contains(&edit) {
                    entry.deps.push(edit);
                }
            }
        }
    }
    // A [workspace.dependencies] entry nobody inherits is still the workspace's statement of
    // the member's version: keep it admitting the new one.
    for (name, req) in &ws.workspace_deps {
        if let (Some(req), true) = (req, is_released(name))
            && !req.matches(&planned[name])
        {
            workspace_deps.insert(name.clone(), planned[name].clone());
        }
    }
    if !workspace_deps.is_empty() {
        let entry = edits.entry(root_manifest).or_default();
        entry.workspace_deps = workspace_deps
            .into_iter()
            .map(|(name, version)| WorkspaceDepEdit { name, version })
            .collect();
    }
    edits
}

/// `=1.2.3` already pins exactly this version: nothing to raise.
fn exact_same(req: &VersionReq, new: &Version) -> bool {
    req.comparators.len() == 1 && req.comparators[0].op == semver::Op::Exact && req.matches(new)
}

#[cfg(test)]
#[path = "release_tests.rs"]
mod tests;
