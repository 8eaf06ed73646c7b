//! The release plan: for every member, what was found (`initial_version`, `prior_tag`) next to
//! what is intended (`planned_version`, `planned_tag`), why, and in which publish wave.
//!
//! Pure: takes the workspace, the history already read, the published versions and the options;
//! returns data. It is what `plan` prints, what the Release PR embeds and what later stages
//! carry out. Its steps live in the submodules: `groups` (groups, shared versions, tag
//! formats), `points` (release points), `bump` (each crate's decision and version) and
//! `dependents` (versions that move together, dependents that follow, manifest edits).

mod bump;
mod dependents;
mod groups;
mod points;
mod reads;

use std::collections::{BTreeMap, BTreeSet};

use semver::Version;
use serde::{Deserialize, Serialize};

use crate::hint::Hint;

use super::Bump;
use super::api::{ApiBreak, ApiChecks, list_breaks};
use super::attribution::{Ancestry, Attribution, Packages, PatternError, commits_by_crate};
use super::changelog::{ChangelogOptions, SectionInput, render_section};
use super::commits::{CommitRules, ConventionalCommit, classify, drop_reverted};
use super::graph::{CycleError, Edge, publish_edges, waves};
use super::history::{RawCommit, Tag, tag_name};
use super::manifest::{ManifestEdits, changed_root_parts};
use super::refname::{RefNameError, check_ref_name};
use super::version::{Prerelease, VersionError};
use super::workspace::{ManifestProblem, Member, RootPart, Workspace, manifest_problems};
use bump::CrateState;
pub use groups::assign_groups;
pub use points::ReleasePoint;
use points::{Found, Sources};
pub use reads::{ManifestHistory, ManifestRead, ManifestTexts, manifest_reads};

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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
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
    /// What each kind of commit asks for (`[commits]`).
    pub commit_rules: CommitRules,
    /// Versions the maintainer typed into the Release PR: released as they are, and the
    /// dependents follow them.
    pub given: BTreeMap<String, Version>,
    /// The changelog of every crate without one of its own (`[changelog]`).
    pub changelog: ChangelogOptions,
    /// The workspace changelog (`[changelog] workspace_path`), relative to the workspace root.
    pub workspace_changelog: Option<String>,
    /// `[package.<name>]`: settings of one crate, by its name.
    pub crates: BTreeMap<String, CrateOptions>,
}

/// What `[package.<name>]` sets for one crate's plan; `None` leaves the workspace's setting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct CrateOptions {
    /// `release = true`: a crate that is not published (`publish = false`) is released all the
    /// same — versions, tags, changelogs, GitHub Releases — and never uploaded.
    pub release: bool,
    pub tag_format: Option<String>,
    /// Merged over `[changelog]` already.
    pub changelog: Option<ChangelogOptions>,
}

impl PlanOptions {
    /// The changelog settings of crate `name`.
    pub fn changelog_of(&self, name: &str) -> &ChangelogOptions {
        (self.crates.get(name))
            .and_then(|c| c.changelog.as_ref())
            .unwrap_or(&self.changelog)
    }

    /// Whether `[package.<name>] release = true`.
    pub fn release_asked(&self, name: &str) -> bool {
        self.crates.get(name).is_some_and(|c| c.release)
    }

    /// The members the plan covers: those publishable to the registry, and those released
    /// without publishing (`release = true`), sorted by name.
    pub fn members<'w>(&self, ws: &'w Workspace) -> Vec<&'w Member> {
        let registry = self.registry.as_deref();
        (ws.members.iter())
            .filter(|m| m.publish.allows(registry) || self.release_asked(&m.name))
            .collect()
    }

    /// A member the plan releases but never uploads.
    pub fn release_only(&self, m: &Member) -> bool {
        !m.publish.allows(self.registry.as_deref()) && self.release_asked(&m.name)
    }
}

pub use super::graph::Published;

/// The facts the planner works from, gathered by the adapters.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    pub workspace: &'a Workspace,
    /// Newest first (as `git log` prints it); empty when there is no history to read.
    pub history: &'a [RawCommit],
    pub tags: &'a [Tag],
    /// Versions the registry can resolve a requirement to (yanked ones left out).
    pub published: &'a Published,
    /// No published versions could be looked up: take each crate's last tagged version as
    /// published for the dev-dependency rule (the plan says so).
    pub assume_tagged_published: bool,
    /// What the API checks found (cargo-semver-checks against the last release), per crate.
    pub api: &'a ApiChecks,
    /// Every version the registry lists, yanked ones too: what cannot be published again.
    /// `None` when the registry was not asked (offline, or its index could not be read).
    pub registry: Option<&'a Published>,
    /// The clone is shallow: a tag beyond its depth may still be reachable.
    pub shallow: bool,
    /// Manifest texts before and after the commits the plan asked for ([`manifest_reads`]).
    pub manifests: &'a ManifestHistory,
}

impl<'a> Facts<'a> {
    /// What the registry lists: [`Facts::registry`], or without it the published versions
    /// when they were looked up (every version the registry resolves, it lists).
    pub fn listed(&self) -> Option<&'a Published> {
        self.registry
            .or((!self.assume_tagged_published).then_some(self.published))
    }
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
    /// The manifest holds a version above the last release that was never released (a merged
    /// release whose tags and publish did not happen).
    Unreleased { version: Version },
    /// A `Release-As:` footer in `commit` sets the version.
    ReleaseAs { commit: String, version: Version },
    /// No prerelease is asked for: the prerelease series `from` belongs to ends.
    Graduation { from: Version },
    /// The maintainer typed this version into the Release PR.
    Edited { version: Version },
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
            Reason::Unreleased { version } => {
                write!(f, "{version} in the manifest was never released")
            }
            Reason::ReleaseAs { commit, version } => write!(f, "Release-As {version} ({commit})"),
            Reason::Graduation { from } => write!(f, "graduates from {from}"),
            Reason::Edited { version } => write!(f, "version {version} typed into the Release PR"),
        }
    }
}

/// One member (publishable, or released without publishing): what was found and what is
/// intended.
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
    /// Publish wave, for released crates that are published.
    pub wave: Option<usize>,
    /// Released (`release = true`) but never uploaded: `publish = false`.
    pub release_only: bool,
    /// Where its changelog is written, relative to its directory; `None`: it is not written.
    pub changelog_file: Option<String>,
}

/// The whole plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReleasePlan {
    /// Every publishable member and every member released without publishing, sorted by name.
    pub crates: Vec<CrateRelease>,
    /// Publish waves of the released crates.
    pub waves: Vec<Vec<String>>,
    /// Publish edges among the released crates.
    pub edges: Vec<Edge>,
    /// Manifest path (relative to the workspace root) → edits.
    pub manifest_edits: BTreeMap<String, ManifestEdits>,
    /// Things a person should know (assumptions, requirements rewritten outside the group).
    pub notes: Vec<String>,
    /// The workspace changelog every released crate's section is written to as well, relative
    /// to the workspace root.
    pub workspace_changelog: Option<String>,
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
    #[error("{name} {version} is planned, but {existing} already")]
    VersionExists {
        name: String,
        version: String,
        /// What holds it: a tag (and where), or the registry.
        existing: String,
        /// The last release HEAD reaches.
        last: Option<String>,
    },
    #[error("{name} {version} is planned, which is not above its last release {last}")]
    NotAbove {
        name: String,
        version: Version,
        last: Version,
    },
    #[error(
        "commit {commit} says `Release-As: {version}` for {name}, which is not above its last release {last}"
    )]
    ReleaseAsNotAbove {
        commit: String,
        name: String,
        version: String,
        last: String,
    },
    #[error("commit {commit} says `Release-As: {value}` for {name}, which is not a version")]
    ReleaseAsInvalid {
        commit: String,
        name: String,
        value: String,
    },
    #[error(transparent)]
    PackageRules(#[from] PatternError),
    #[error("the changelog entry template fails for {name}: {message}")]
    EntryTemplate { name: String, message: String },
}

impl Hint for PlanError {
    /// What to do about it.
    fn hint(&self) -> Option<String> {
        Some(match self {
            PlanError::Cycle(cycle) => return cycle.hint(),
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
            PlanError::VersionExists { name, last, .. } => format!(
                "{}; plan from the branch that holds that release, or set a higher version with a `Release-As: X.Y.Z` footer in a new commit that changes {name}",
                match last {
                    Some(last) => format!("the last release of {name} HEAD reaches is {last}"),
                    None => format!("HEAD reaches no release of {name}"),
                }
            ),
            PlanError::NotAbove { version, last, .. } => not_above_hint(version, last),
            PlanError::ReleaseAsNotAbove { name, last, .. } => format!(
                "the newest footer wins: add a commit that changes {name} with `Release-As:` above {last}, or revert the commit"
            ),
            PlanError::ReleaseAsInvalid { name, .. } => format!(
                "the newest footer wins: add a commit that changes {name} with a full version, such as `Release-As: 1.2.3`"
            ),
            PlanError::PackageRules(_) => {
                "fix the pattern in the crate's `include` or `exclude` (gitignore syntax; cargo refuses it too)".into()
            }
            PlanError::EntryTemplate { .. } => {
                "fix `entry` in [changelog] (or [package.<name>.changelog]) of releasekit.toml: templates write `{subject}` and `{% if scope %}…{% endif %}`".into()
            }
        })
    }
}

/// What to do when a prerelease asked for would sort below the last release.
fn not_above_hint(version: &Version, last: &Version) -> String {
    let stable = Version::new(last.major, last.minor, last.patch);
    let label = |v: &Version| {
        let pre = v.pre.as_str();
        (pre.rsplit_once('.'))
            .filter(|(_, n)| n.bytes().all(|b| b.is_ascii_digit()))
            .map_or(pre, |(label, _)| label)
            .to_owned()
    };
    let (asked, current) = (label(version), label(last));
    if asked != current {
        format!(
            "semver orders `{asked}` before `{current}`, and a version cannot go back: go on with `--prerelease {current}` (or a label semver orders after it), or leave out `--prerelease` to release {stable}"
        )
    } else {
        format!(
            "ask for `--prerelease {current}` without a number (the next one), or leave out `--prerelease` to release {stable}"
        )
    }
}

/// The steps every plan starts with: the members, their groups and shared versions, their tag
/// formats and where each was last released.
struct Start<'a> {
    members: Vec<&'a Member>,
    groups: BTreeMap<&'a str, Option<String>>,
    families: Vec<Vec<String>>,
    formats: BTreeMap<&'a str, String>,
    ancestry: Ancestry<'a>,
    /// Per member, in `members`' order.
    found: Vec<Found>,
    notes: Vec<String>,
}

fn start<'a>(facts: Facts<'a>, options: &PlanOptions) -> Result<Start<'a>, PlanError> {
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
    let members = options.members(ws);
    let groups = assign_groups(&members, &options.groups)?;
    let families = groups::families(&members, &groups, &options.groups)?;
    let formats = groups::tag_formats(&members, &groups, &families, options)?;
    let ancestry = Ancestry::new(facts.history);
    let root_manifest = ws.repo_root_manifest();
    let sources = Sources {
        tags: facts.tags,
        history: facts.history,
        ancestry: &ancestry,
        shallow: facts.shallow,
        registry: facts.listed(),
        root_manifest: &root_manifest,
        manifests: facts.manifests,
    };
    let mut notes = Vec::new();
    let found = members
        .iter()
        .map(|m| points::find(m, &formats[m.name.as_str()], &sources, &mut notes))
        .collect();
    Ok(Start {
        members,
        groups,
        families,
        formats,
        ancestry,
        found,
        notes,
    })
}

/// Where a crate's changelog starts: its last release, or on graduation the last stable one
/// (`None`: everything counts).
fn changelog_from<'f>(found: &'f Found, options: &PlanOptions) -> Option<&'f ReleasePoint> {
    let point = found.point.as_ref()?;
    if options.prerelease.is_none() && !point.version.pre.is_empty() {
        found.stable.as_ref()
    } else {
        Some(point)
    }
}

/// Make the plan.
pub fn build_plan(facts: Facts<'_>, options: &PlanOptions) -> Result<ReleasePlan, PlanError> {
    let ws = facts.workspace;
    let Start {
        members,
        groups,
        families,
        formats,
        ancestry,
        found,
        mut notes,
    } = start(facts, options)?;

    // The commits since where each changelog starts, in one pass over the history.
    let from: Vec<Option<&ReleasePoint>> =
        found.iter().map(|f| changelog_from(f, options)).collect();
    let since: Vec<Option<usize>> = from
        .iter()
        .map(|p| {
            p.and_then(|p| p.commit.as_deref())
                .and_then(|c| ancestry.position(c))
        })
        .collect();
    let root_manifest = ws.repo_root_manifest();
    let packages = Packages::new(&members, &ws.package_dirs, &root_manifest)?;
    let inherits: Vec<&[RootPart]> = members.iter().map(|m| &m.inherits[..]).collect();
    let changed_parts: BTreeMap<usize, Vec<RootPart>> = (facts.manifests.get(&root_manifest))
        .into_iter()
        .flatten()
        .filter_map(|(id, texts)| {
            let at = ancestry.position(id)?;
            let parts = changed_root_parts(texts.before.as_deref(), texts.after.as_deref());
            Some((at, parts))
        })
        .collect();
    let by_crate = commits_by_crate(
        facts.history,
        &ancestry,
        &Attribution {
            packages: &packages,
            since: &since,
            inherits: &inherits,
            changed_parts: &changed_parts,
        },
    );

    let mut classified: BTreeMap<usize, ConventionalCommit> = BTreeMap::new();
    let mut unverified_reverts: BTreeSet<(String, String)> = BTreeSet::new();
    let mut state: BTreeMap<String, CrateState> = BTreeMap::new();
    for (i, m) in members.iter().enumerate() {
        let indices = &by_crate[i];
        let commits: Vec<_> = indices
            .iter()
            .map(|&at| {
                let raw = &facts.history[at];
                classified
                    .entry(at)
                    .or_insert_with(|| {
                        let mut commit = classify(&raw.id, &raw.message, &options.commit_rules);
                        // A revert cancels a commit only when git shows it undoes it: a message
                        // alone (a squash-merged PR's) must not drop a maintainer's change.
                        if let Some(claimed) = commit.reverts.take()
                            && raw.verified_revert.is_none()
                        {
                            unverified_reverts.insert((commit.short_id.clone(), claimed));
                        }
                        commit.reverts = raw.verified_revert.clone();
                        commit
                    })
                    .clone()
            })
            .collect();
        // On graduation the changelog starts before the prerelease it leaves: what that
        // prerelease shipped is listed again but asks for no bump.
        let point = found[i].point.as_ref();
        let released_before: BTreeSet<&str> = match (point, from[i]) {
            (Some(point), from) if from != Some(point) => {
                match point.commit.as_deref().and_then(|c| ancestry.position(c)) {
                    Some(at) => {
                        let set = ancestry.ancestors(at);
                        (indices.iter())
                            .filter(|&&i| set.contains(i))
                            .map(|&i| facts.history[i].id.as_str())
                            .collect()
                    }
                    None => BTreeSet::new(),
                }
            }
            _ => BTreeSet::new(),
        };
        let changed = indices.len() > released_before.len();
        let commits = drop_reverted(commits);
        let mut st = bump::decide(m, &found[i], commits, &released_before, changed, options)?;
        bump::raise_for_api_breaks(&mut st, facts.api.get(&m.name), options);
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
        st.leave_out();
    }

    let mut planned = dependents::settle(ws, &members, &families, &mut state, options)?;
    // Dependents outside the group are not released with it; their requirements still follow
    // the new versions (manifest_edits says so in a note).
    if options.group.is_some() || options.ungrouped_only {
        for (_, st) in state.iter_mut().filter(|(n, _)| outside(n)) {
            st.released = false;
        }
        planned = bump::planned_versions(&members, &families, &state, options)?;
    }

    let current: BTreeMap<&str, &Version> = ws
        .members
        .iter()
        .map(|m| (m.name.as_str(), &m.version))
        .collect();
    for (commit, claimed) in &unverified_reverts {
        notes.push(format!(
            "commit {commit} says it reverts {claimed}, but its changes are not the inverse of that commit's: it counts as a commit of its own, and {claimed} stays"
        ));
    }
    for (name, st) in state.iter().filter(|(_, st)| st.released) {
        if let (Some(asked), Some(typed)) = (&st.typed_below, planned.get(name)) {
            notes.push(format!(
                "{name} {typed} was typed into the Release PR, but its changes since the last release ask for {asked}: released at {typed} as typed (type {asked} to follow them)"
            ));
        }
    }
    let manifest_edits = dependents::manifest_edits(ws, &state, &planned, &current, &mut notes);
    let released: BTreeSet<String> = state
        .iter()
        .filter(|(_, s)| s.released)
        .map(|(n, _)| n.clone())
        .collect();

    let tags_of: Vec<String> = members
        .iter()
        .map(|m| {
            let version = planned.get(&m.name).unwrap_or(&m.version);
            tag_name(&formats[m.name.as_str()], &m.name, version)
        })
        .collect();
    for (i, m) in members.iter().enumerate() {
        if let Some(version) = planned.get(&m.name) {
            // What the maintainer typed into the Release PR is checked when it is released.
            if !options.given.contains_key(&m.name) {
                points::refuse_not_above(m, version, &found[i])?;
            }
            points::refuse_existing(m, version, &tags_of[i], &found[i], facts)?;
        }
    }

    let mut published = facts.published.clone();
    if facts.assume_tagged_published {
        let mut tagged = false;
        for (m, found) in members.iter().zip(&found) {
            if let Some(point) = &found.point {
                tagged = true;
                (published.entry(m.name.clone()).or_default()).push(point.version.clone());
            }
        }
        if tagged {
            notes.push(
                "published versions were not looked up: each crate's last tagged version is taken as published for the dev-dependency rule".into(),
            );
        }
    }
    let registry = options.registry.as_deref();
    let edges: Vec<Edge> = publish_edges(ws, registry, &published)
        .into_iter()
        .filter(|e| released.contains(&e.from) && released.contains(&e.to))
        .collect();
    // A crate released without publishing takes no place in the publish order.
    let uploaded: BTreeSet<String> = (members.iter())
        .filter(|m| released.contains(&m.name) && !options.release_only(m))
        .map(|m| m.name.clone())
        .collect();
    let waves = waves(&uploaded, &edges)?;
    let wave_of: BTreeMap<&str, usize> = waves
        .iter()
        .enumerate()
        .flat_map(|(i, w)| w.iter().map(move |n| (n.as_str(), i)))
        .collect();

    let crates: Vec<CrateRelease> = members
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let st = &state[&m.name];
            let point = found[i].point.as_ref();
            let version = if st.released {
                planned[&m.name].clone()
            } else {
                m.version.clone()
            };
            let planned_tag = tags_of[i].clone();
            let changelog_options = options.changelog_of(&m.name);
            let format = &changelog_options.format;
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
                    compare: from[i]
                        .and_then(|p| p.tag.as_deref())
                        .map(|tag| (tag, planned_tag.as_str())),
                    format,
                })
                .map_err(|e| PlanError::EntryTemplate {
                    name: m.name.clone(),
                    message: e.message,
                })?
            } else {
                String::new()
            };
            let release_only = options.release_only(m);
            if st.released && release_only {
                notes.push(format!(
                    "{} is released without publishing (`publish = false`, `release = true`): tagged and given a GitHub Release, never uploaded",
                    m.name
                ));
            }
            Ok(CrateRelease {
                name: m.name.clone(),
                group: groups[m.name.as_str()].clone(),
                dir: m.dir.clone(),
                manifest: m.manifest.clone(),
                initial_version: m.version.clone(),
                prior_tag: point.and_then(|p| p.tag.clone()),
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
                        .filter(|c| format.section_of(c).is_some())
                        .cloned()
                        .collect()
                } else {
                    Vec::new()
                },
                changelog,
                wave: wave_of.get(m.name.as_str()).copied(),
                release_only,
                changelog_file: (changelog_options.enabled).then(|| changelog_options.path.clone()),
            })
        })
        .collect::<Result<_, PlanError>>()?;
    // A tag git refuses would stop the release after the merge: refuse it now.
    for c in crates.iter().filter(|c| c.released) {
        check_ref_name(&c.planned_tag).map_err(|why| PlanError::BadTag {
            name: c.name.clone(),
            tag: c.planned_tag.clone(),
            why,
        })?;
    }
    let mut plan = ReleasePlan {
        crates,
        waves,
        edges,
        manifest_edits,
        notes,
        workspace_changelog: options.workspace_changelog.clone(),
    };
    // Last: what the checks say changes no version, so a plan made before a check that could
    // not run takes its note as it is ([`super::api::add_notes`]).
    super::api::add_notes(&mut plan, facts.api, options.forced_bump.is_some());
    Ok(plan)
}

/// The tag format of every member the plan covers (publishable to `registry`, or
/// `release = true` in `crates`), as [`build_plan`] renders its tags (groups,
/// `[package.<name>]` and the one-crate default included): what the release stage re-renders
/// the tags with.
pub fn member_tag_formats(
    ws: &Workspace,
    registry: Option<&str>,
    tag_format: Option<&str>,
    specs: &[GroupSpec],
    crates: &BTreeMap<String, CrateOptions>,
) -> Result<BTreeMap<String, String>, PlanError> {
    let options = naming_options(registry, tag_format, specs, crates);
    let members = options.members(ws);
    let groups = assign_groups(&members, specs)?;
    let families = groups::families(&members, &groups, specs)?;
    let formats = groups::tag_formats(&members, &groups, &families, &options)?;
    Ok(formats
        .into_iter()
        .map(|(name, format)| (name.to_owned(), format))
        .collect())
}

/// The group of every member the plan covers (see [`member_tag_formats`]).
pub fn member_groups(
    ws: &Workspace,
    registry: Option<&str>,
    specs: &[GroupSpec],
    crates: &BTreeMap<String, CrateOptions>,
) -> Result<BTreeMap<String, Option<String>>, PlanError> {
    let members = naming_options(registry, None, specs, crates).members(ws);
    Ok(assign_groups(&members, specs)?
        .into_iter()
        .map(|(name, group)| (name.to_owned(), group))
        .collect())
}

/// The options that decide which members a plan covers and how their tags are named.
fn naming_options(
    registry: Option<&str>,
    tag_format: Option<&str>,
    specs: &[GroupSpec],
    crates: &BTreeMap<String, CrateOptions>,
) -> PlanOptions {
    PlanOptions {
        registry: registry.map(str::to_owned),
        tag_format: tag_format.map(str::to_owned),
        groups: specs.to_vec(),
        crates: crates.clone(),
        ..PlanOptions::default()
    }
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

#[cfg(test)]
#[path = "release_tests.rs"]
mod tests;
