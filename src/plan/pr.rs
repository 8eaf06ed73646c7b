//! The Release PR: its title, the release commit's message, its body, and the machine-readable
//! manifest the body embeds so that the `release` stage reads back exactly what was prepared.
//!
//! Owns the manifest format and its round trip through a PR body, the body's size budget, the
//! choice of the primary crate and the test that recognises a release commit. Pure text in,
//! text out: it must not plan (the `release` stage never re-plans), call GitHub or read the
//! repository.

mod body;
mod stamp;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use semver::Version;
use serde::{Deserialize, Serialize};

use crate::hint::Hint;

use super::DepKind;
use super::branch::carries_plan_trailer;
use super::release::ReleasePlan;

pub use body::body;
pub use stamp::body_stays;

/// GitHub's limit on a pull request body, in characters.
pub const BODY_LIMIT: usize = 65_536;
/// The manifest format this build writes and reads.
pub const MANIFEST_FORMAT: u32 = 1;

const MARKER: &str = "<!-- releasekit-manifest";
const TITLE_PREFIX: &str = "chore(release): ";
/// Git's and GitHub's customary subject width.
const TITLE_LIMIT: usize = 72;

/// What the merged Release PR releases: one tag and GitHub Release per crate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseManifest {
    pub format: u32,
    pub group: Option<String>,
    pub crates: Vec<ManifestCrate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestCrate {
    pub name: String,
    pub version: Version,
    pub tag: String,
    /// The version released before, when there was a release tag.
    pub previous: Option<Version>,
    /// Repository-relative crate directory.
    pub dir: String,
    /// Workspace-relative `Cargo.toml` path.
    pub manifest: String,
    pub prerelease: bool,
    /// Exactly one crate of a non-empty manifest: its GitHub Release gets the "latest" badge.
    pub primary: bool,
    pub wave: Option<usize>,
}

/// What the maintainer changed, per crate, for the PR body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PrEdits {
    /// Crates whose version was typed into the branch.
    pub version: BTreeSet<String>,
    /// Crates whose `CHANGELOG.md` the maintainer's commits change.
    pub changelog: BTreeSet<String>,
    /// How many of the maintainer's commits the branch carries.
    pub commits: usize,
}

impl PrEdits {
    /// `version`, `changelog`, both, or `None` for a crate nobody edited.
    pub fn of(&self, name: &str) -> Option<&'static str> {
        match (self.version.contains(name), self.changelog.contains(name)) {
            (true, true) => Some("version, changelog"),
            (true, false) => Some("version"),
            (false, true) => Some("changelog"),
            (false, false) => None,
        }
    }
}

/// What happened to a Release PR.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrAction {
    Created,
    Updated,
    Unchanged,
    Closed,
    /// Left as it is: the maintainer's commits conflict, or the branch was rewritten.
    Stuck,
    /// Nothing to release and no PR open.
    None,
}

/// Why no manifest could be read from a pull request body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrError {
    #[error("the pull request body has no releasekit manifest")]
    Missing,
    #[error("the releasekit manifest in the pull request body is invalid: {message}")]
    Invalid { message: String },
    #[error(
        "the releasekit manifest has format {format}, this releasekit-cargo reads format {MANIFEST_FORMAT}"
    )]
    UnsupportedFormat { format: u32 },
}

impl Hint for PrError {
    /// What to do about it.
    fn hint(&self) -> Option<String> {
        Some(match self {
            PrError::Missing => "the merged pull request's body has no releasekit manifest: was it a Release PR opened by releasekit-cargo? Re-run prepare, merge the new Release PR".into(),
            PrError::Invalid { .. } => "the Release PR's body was edited by hand: restore the `<!-- releasekit-manifest` block from the PR's edit history and run the release again, or re-run prepare and merge the new Release PR".into(),
            PrError::UnsupportedFormat { .. } => "the Release PR was opened by another releasekit-cargo version: run the release with the version that opened it (pin the action), or re-run prepare with this one and merge the new Release PR".into(),
        })
    }
}

/// The manifest of the plan's released crates, in plan order.
pub fn manifest(plan: &ReleasePlan, group: Option<&str>) -> ReleaseManifest {
    let primary = primary_crate(plan);
    let crates = plan
        .released()
        .map(|c| ManifestCrate {
            name: c.name.clone(),
            version: c.planned_version.clone(),
            tag: c.planned_tag.clone(),
            previous: c.prior_tag.as_ref().map(|_| c.initial_version.clone()),
            dir: c.dir.clone(),
            manifest: c.manifest.clone(),
            prerelease: !c.planned_version.pre.is_empty(),
            primary: primary.as_deref() == Some(c.name.as_str()),
            wave: c.wave,
        })
        .collect();
    ReleaseManifest {
        format: MANIFEST_FORMAT,
        group: group.map(str::to_owned),
        crates,
    }
}

/// The crate users install: the released crate that (transitively, through normal and build
/// dependencies) depends on the most other released crates — `clap` over `clap_builder`. Ties go
/// to the shortest directory (the root package first), then to the name.
pub fn primary_crate(plan: &ReleasePlan) -> Option<String> {
    let crates: Vec<(&str, &str)> = plan
        .released()
        .map(|c| (c.name.as_str(), c.dir.as_str()))
        .collect();
    primary_among(&crates, |name| {
        plan.edges
            .iter()
            .filter(|e| e.from == name && matches!(e.kind, DepKind::Normal | DepKind::Build))
            .map(|e| e.to.as_str())
            .collect()
    })
}

/// [`primary_crate`] among `crates` (name, directory), with `deps` giving each crate's normal
/// and build dependencies (others are ignored).
pub fn primary_among<'a>(
    crates: &[(&'a str, &'a str)],
    deps: impl Fn(&str) -> Vec<&'a str>,
) -> Option<String> {
    let released: BTreeSet<&str> = crates.iter().map(|(name, _)| *name).collect();
    let deps: BTreeMap<&str, Vec<&str>> = crates
        .iter()
        .map(|(name, _)| {
            let within = deps(name)
                .into_iter()
                .filter(|d| released.contains(d))
                .collect();
            (*name, within)
        })
        .collect();
    let dir_len = |dir: &str| if dir == "." { 0 } else { dir.chars().count() };
    crates
        .iter()
        .map(|c| (reachable(&deps, c.0), c))
        .min_by(|(ra, a), (rb, b)| {
            rb.cmp(ra)
                .then(dir_len(a.1).cmp(&dir_len(b.1)))
                .then(a.0.cmp(b.0))
        })
        .map(|(_, c)| c.0.to_owned())
}

/// How many crates `start` reaches through `deps`, itself not counted.
fn reachable(deps: &BTreeMap<&str, Vec<&str>>, start: &str) -> usize {
    let mut seen = BTreeSet::new();
    let mut stack = vec![start];
    while let Some(node) = stack.pop() {
        for &next in deps.get(node).into_iter().flatten() {
            if next != start && seen.insert(next) {
                stack.push(next);
            }
        }
    }
    seen.len()
}

/// The PR title, which is also the release commit's subject (and a squash merge's).
pub fn title(manifest: &ReleaseManifest) -> String {
    // The primary crate first: it is the one a reader looks for.
    let mut items: Vec<String> = Vec::new();
    let primary = manifest.crates.iter().filter(|c| c.primary);
    for c in primary.chain(manifest.crates.iter().filter(|c| !c.primary)) {
        items.push(format!("{} {}", c.name, c.version));
    }
    match (&manifest.group, items.as_slice()) {
        (None, []) => format!("{TITLE_PREFIX}nothing to release"),
        (None, [one]) => format!("{TITLE_PREFIX}{one}"),
        (None, _) => fit(
            format!("{TITLE_PREFIX}release {} crates", items.len()),
            &items,
        ),
        (Some(group), [] | [_]) => fit(format!("{TITLE_PREFIX}release group {group}"), &items),
        (Some(group), _) => fit(
            format!(
                "{TITLE_PREFIX}release group {group}, {} crates",
                items.len()
            ),
            &items,
        ),
    }
}

/// `base (a 1.0.0, b 2.0.0, …)` with as many items as keep it within the title limit.
fn fit(base: String, items: &[String]) -> String {
    for shown in (1..=items.len()).rev() {
        let mut list = items[..shown].join(", ");
        if shown < items.len() {
            list.push_str(", …");
        }
        let candidate = format!("{base} ({list})");
        if candidate.chars().count() <= TITLE_LIMIT {
            return candidate;
        }
    }
    base
}

/// The release commit's message: the title, then one line per crate.
pub fn commit_message(manifest: &ReleaseManifest) -> String {
    let mut out = title(manifest);
    out.push('\n');
    if !manifest.crates.is_empty() {
        out.push('\n');
    }
    for c in &manifest.crates {
        let _ = match &c.previous {
            Some(previous) => writeln!(out, "{} {previous} → {}", c.name, c.version),
            None => writeln!(out, "{} {} (new)", c.name, c.version),
        };
    }
    out
}

/// Whether a commit is a release commit on the base branch: the release commit itself, its
/// squash merge (whatever its title: GitHub lists the squashed commits' messages, the release
/// commit's `Releasekit-Plan:` trailer among them), or the merge of the release branch
/// (`branch_prefix`, or `branch_prefix-<group>`). A push of one must not start a new prepare.
pub fn is_release_commit(message: &str, branch_prefix: &str) -> bool {
    if carries_plan_trailer(message) {
        return true;
    }
    let subject = message.lines().next().unwrap_or_default().trim_end();
    // A squash merge keeps the title and appends ` (#N)`: covered by the prefix.
    if subject.starts_with("chore(release):") || subject.starts_with("chore(release)!:") {
        return true;
    }
    let Some(rest) = subject.strip_prefix("Merge pull request #") else {
        return false;
    };
    let Some((number, from)) = rest.split_once(" from ") else {
        return false;
    };
    let Some((_owner, branch)) = from.split_once('/') else {
        return false;
    };
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    match branch.strip_prefix(branch_prefix) {
        Some("") => true,
        Some(group) => group.strip_prefix('-').is_some_and(|g| !g.is_empty()),
        None => false,
    }
}

/// The manifest embedded in a PR body. The last block wins: a person quoting an older body
/// above it must not change what is released.
pub fn parse_manifest(body: &str) -> Result<ReleaseManifest, PrError> {
    let start = body.rfind(MARKER).ok_or(PrError::Missing)? + MARKER.len();
    let rest = &body[start..];
    let end = rest.find("-->").ok_or_else(|| PrError::Invalid {
        message: "the manifest block has no closing `-->`".into(),
    })?;
    let invalid = |e: serde_json::Error| PrError::Invalid {
        message: e.to_string(),
    };
    let value: serde_json::Value = serde_json::from_str(&rest[..end]).map_err(invalid)?;
    // Read the format before the shape: another format may have other fields.
    if let Some(format) = value
        .get("format")
        .and_then(serde_json::Value::as_u64)
        .and_then(|f| u32::try_from(f).ok())
        && format != MANIFEST_FORMAT
    {
        return Err(PrError::UnsupportedFormat { format });
    }
    serde_json::from_value(value).map_err(invalid)
}

#[cfg(test)]
mod body_tests;
#[cfg(test)]
pub(crate) mod tests;
