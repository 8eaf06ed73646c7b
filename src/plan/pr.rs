//! The Release PR: its title, the release commit's message, its body, and the machine-readable
//! manifest the body embeds so that the `release` stage reads back exactly what was prepared.
//!
//! Owns the manifest format and its round trip through a PR body, the body's size budget, the
//! choice of the primary crate and the test that recognises a release commit. Pure text in,
//! text out: it must not plan (the `release` stage never re-plans), call GitHub or read the
//! repository.

mod stamp;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use semver::Version;
use serde::{Deserialize, Serialize};

use crate::hint::Hint;

use super::DepKind;
use super::branch::carries_plan_trailer;
use super::release::{CrateRelease, ReleasePlan};

pub use stamp::body_stays;
use stamp::{STAMP_LEN, stamped};

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

/// The PR body, within [`BODY_LIMIT`] characters: intro, table, publish waves, notes, each
/// crate's changelog, and last the manifest, stamped with the digest of the rest (`stamp`).
///
/// When too long, changelogs give way first: the largest, one at a time, to a pointer at its
/// `CHANGELOG.md`; if the pointers are still too many, they merge into one line and the smallest
/// changelogs come back while they fit. Then the table's reasons go, then the waves, then
/// everything but a one-line intro and the manifest. The manifest is never cut: at about 200
/// characters a crate (typical names) it alone exceeds the limit only beyond about 300 crates,
/// and then the body is returned over the limit (GitHub refuses it; the caller must say so).
pub fn body(plan: &ReleasePlan, manifest: &ReleaseManifest, edits: &PrEdits) -> String {
    // Within the limit with the stamp (`stamp`) that follows.
    const LIMIT: usize = BODY_LIMIT - STAMP_LEN;
    let find = |name: &str| plan.crates.iter().find(|c| c.name == name);
    let mut parts = Parts {
        intro: intro(manifest, edits),
        table: Some(table(manifest, find, edits, true)),
        waves: waves(plan),
        notes: notes(plan),
        changelogs: manifest
            .crates
            .iter()
            .map(|c| Changelog::new(c, find(&c.name)))
            .collect(),
        manifest: manifest_block(manifest),
    };
    let mut total = parts.len();
    while total > LIMIT {
        let largest = parts
            .changelogs
            .iter_mut()
            .filter(|c| c.shown == Shown::Full && c.chars(Shown::Pointer) < c.chars(Shown::Full))
            .rev() // max_by_key keeps the last maximum: among equals, collapse the first.
            .max_by_key(|c| c.chars(Shown::Full));
        let Some(largest) = largest else { break };
        total -= largest.chars(Shown::Full) - largest.chars(Shown::Pointer);
        largest.shown = Shown::Pointer;
    }
    if total > LIMIT {
        for c in &mut parts.changelogs {
            if c.shown == Shown::Pointer {
                c.shown = Shown::Hidden;
            }
        }
        let mut hidden: Vec<usize> = (0..parts.changelogs.len())
            .filter(|&i| parts.changelogs[i].shown == Shown::Hidden)
            .collect();
        hidden.sort_by_key(|&i| parts.changelogs[i].chars(Shown::Full));
        for i in hidden {
            parts.changelogs[i].shown = Shown::Full;
            if parts.len() > LIMIT {
                parts.changelogs[i].shown = Shown::Hidden;
                break;
            }
        }
    }
    if parts.len() > LIMIT {
        parts.table = Some(table(manifest, find, edits, false));
    }
    if parts.len() > LIMIT {
        parts.waves = None;
    }
    if parts.len() > LIMIT {
        return stamped(format!(
            "This Release PR was opened by releasekit-cargo; it releases {} crate(s), too many to describe here (each crate's CHANGELOG.md on this branch has its notes). Merging it tags, releases and publishes each.\n\n{}",
            manifest.crates.len(),
            parts.manifest
        ));
    }
    stamped(parts.render())
}

/// The body's sections; each ends with a blank line (the manifest ends the body).
struct Parts {
    intro: String,
    table: Option<String>,
    waves: Option<String>,
    notes: Option<String>,
    changelogs: Vec<Changelog>,
    manifest: String,
}

impl Parts {
    fn render(&self) -> String {
        let mut out = self.intro.clone();
        for section in [&self.table, &self.waves, &self.notes]
            .into_iter()
            .flatten()
        {
            out.push_str(section);
        }
        for c in &self.changelogs {
            out.push_str(c.text());
        }
        out.push_str(&self.merged());
        out.push_str(&self.manifest);
        out
    }

    fn len(&self) -> usize {
        let chars = |s: &Option<String>| s.as_deref().map_or(0, |s| s.chars().count());
        self.intro.chars().count()
            + chars(&self.table)
            + chars(&self.waves)
            + chars(&self.notes)
            + self
                .changelogs
                .iter()
                .map(|c| c.chars(c.shown))
                .sum::<usize>()
            + self.merged().chars().count()
            + self.manifest.chars().count()
    }

    /// The one line that stands for the hidden changelogs.
    fn merged(&self) -> String {
        match self
            .changelogs
            .iter()
            .filter(|c| c.shown == Shown::Hidden)
            .count()
        {
            0 => String::new(),
            n => format!(
                "The changelogs of {n} more crate(s) are too long for this PR; each is in its crate's CHANGELOG.md on this branch.\n\n"
            ),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shown {
    Full,
    Pointer,
    Hidden,
}

/// One crate's changelog block, in full and as the pointer that replaces it.
struct Changelog {
    full: String,
    full_chars: usize,
    pointer: String,
    pointer_chars: usize,
    shown: Shown,
}

impl Changelog {
    /// `planned`: the crate in the plan, with its changelog section and the file it is
    /// written to.
    fn new(c: &ManifestCrate, planned: Option<&CrateRelease>) -> Changelog {
        let summary = format!("{} {}", c.name, c.version);
        let changelog = match planned.map_or("", |p| p.changelog.trim()) {
            "" => "_No changelog entries._",
            text => text,
        };
        let file = planned.map_or(Some("CHANGELOG.md"), |p| p.changelog_file.as_deref());
        let pointer = match (file, c.dir.trim_end_matches('/')) {
            (None, _) => format!("The changelog of {} is too long for this PR.", c.name),
            (Some(file), "" | ".") => format!(
                "The changelog of {} is too long for this PR; it is in {file} on this branch.",
                c.name
            ),
            (Some(file), dir) => format!(
                "The changelog of {} is too long for this PR; it is in {dir}/{file} on this branch.",
                c.name
            ),
        };
        let full = details(&summary, changelog);
        let pointer = details(&summary, &pointer);
        Changelog {
            full_chars: full.chars().count(),
            pointer_chars: pointer.chars().count(),
            full,
            pointer,
            shown: Shown::Full,
        }
    }

    fn text(&self) -> &str {
        match self.shown {
            Shown::Full => &self.full,
            Shown::Pointer => &self.pointer,
            Shown::Hidden => "",
        }
    }

    fn chars(&self, shown: Shown) -> usize {
        match shown {
            Shown::Full => self.full_chars,
            Shown::Pointer => self.pointer_chars,
            Shown::Hidden => 0,
        }
    }
}

fn details(summary: &str, content: &str) -> String {
    format!("<details><summary>{summary}</summary>\n\n{content}\n\n</details>\n\n")
}

fn intro(manifest: &ReleaseManifest, edits: &PrEdits) -> String {
    let group = match &manifest.group {
        Some(group) => format!(" for group `{group}`"),
        None => String::new(),
    };
    let yours = match edits.commits {
        0 => String::new(),
        n => format!(" This branch carries {n} commit(s) of yours on top of the release commit."),
    };
    format!(
        "This Release PR was opened by releasekit-cargo{group}. Merging it tags each crate below at the merge commit, creates its GitHub Release and publishes it to the registry.\n\n\
         You may edit this branch — reword a changelog line, type another version into a manifest: what is merged is what is released, and the next run of `prepare` keeps your commits on top of its own.{yours} This description is written again by each run that has something new to say.\n\n"
    )
}

fn table<'a>(
    manifest: &ReleaseManifest,
    find: impl Fn(&str) -> Option<&'a CrateRelease>,
    edits: &PrEdits,
    reasons: bool,
) -> String {
    let mut out = String::from(if reasons {
        "| crate | version | bump | reason | tag |\n|---|---|---|---|---|\n"
    } else {
        "| crate | version | bump | tag |\n|---|---|---|---|\n"
    });
    for c in &manifest.crates {
        let plan = find(&c.name);
        let version = match &c.previous {
            Some(previous) => format!("{previous} → {}", c.version),
            None => c.version.to_string(),
        };
        let bump = plan.map(|p| p.bump.to_string()).unwrap_or_default();
        let reason = if reasons {
            let list: Vec<String> = plan
                .map(|p| p.reasons.iter().map(ToString::to_string).collect())
                .unwrap_or_default();
            format!(" {} |", cell(&list.join("; ")))
        } else {
            String::new()
        };
        let edited = edits
            .of(&c.name)
            .map(|what| format!(" (edited in this PR: {what})"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "| `{}`{edited} | {version} | {bump} |{reason} `{}` |",
            c.name,
            cell(&c.tag)
        );
    }
    out.push('\n');
    out
}

/// A pipe would end the cell early.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

fn waves(plan: &ReleasePlan) -> Option<String> {
    if plan.waves.is_empty() {
        return None;
    }
    let mut out = format!("**Publish order:** {} wave(s)\n\n", plan.waves.len());
    for (i, wave) in plan.waves.iter().enumerate() {
        let names: Vec<String> = wave.iter().map(|n| format!("`{n}`")).collect();
        let _ = writeln!(out, "{}. {}", i + 1, names.join(", "));
    }
    out.push('\n');
    Some(out)
}

fn notes(plan: &ReleasePlan) -> Option<String> {
    if plan.notes.is_empty() {
        return None;
    }
    let mut out = String::from("**Notes:**\n\n");
    for note in &plan.notes {
        let _ = writeln!(out, "- {note}");
    }
    out.push('\n');
    Some(out)
}

fn manifest_block(manifest: &ReleaseManifest) -> String {
    format!("{MARKER}\n{}\n-->\n", manifest_json(manifest))
}

/// Pretty JSON with one crate per line, so that large releases stay within the body limit. No
/// `>` survives (each becomes `\u003e`, which JSON reads back), so `-->` cannot end the comment.
fn manifest_json(manifest: &ReleaseManifest) -> String {
    // Destructured so that a new field cannot be forgotten here.
    let ReleaseManifest {
        format,
        group,
        crates,
    } = manifest;
    let mut out = format!(
        "{{\n  \"format\": {},\n  \"group\": {},\n  \"crates\": [",
        json(format),
        json(group)
    );
    for (i, c) in crates.iter().enumerate() {
        out.push_str(if i == 0 { "\n    " } else { ",\n    " });
        out.push_str(&json(c));
    }
    out.push_str(if crates.is_empty() {
        "]\n}"
    } else {
        "\n  ]\n}"
    });
    out.replace('>', "\\u003e")
}

fn json<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).expect("plain data always serialises")
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::plan::Bump;
    use crate::plan::graph::{Edge, waves as plan_waves};
    use crate::plan::release::Reason;

    fn v(text: &str) -> Version {
        Version::parse(text).unwrap()
    }

    /// Released from `from` (tagged `name-v<from>`) to `to`, with one commit.
    fn bumped(name: &str, from: &str, to: &str) -> CrateRelease {
        let (a, b) = (v(from), v(to));
        let bump = if a.major != b.major {
            Bump::Major
        } else if a.minor != b.minor {
            Bump::Minor
        } else {
            Bump::Patch
        };
        CrateRelease {
            name: name.to_owned(),
            group: None,
            dir: format!("crates/{name}"),
            manifest: format!("crates/{name}/Cargo.toml"),
            initial_version: a,
            prior_tag: Some(format!("{name}-v{from}")),
            planned_tag: format!("{name}-v{to}"),
            planned_version: b,
            released: true,
            bump,
            reasons: vec![Reason::Commits { count: 1, bump }],
            commits: Vec::new(),
            changelog: format!("## [{to}] - 2026-11-21\n\n### Features\n\n- something new\n"),
            wave: None,
            release_only: false,
            changelog_file: Some("CHANGELOG.md".into()),
        }
    }

    /// Never tagged: released at its version.
    fn new_crate(name: &str, version: &str) -> CrateRelease {
        CrateRelease {
            prior_tag: None,
            bump: Bump::None,
            reasons: vec![Reason::New],
            initial_version: v(version),
            planned_version: v(version),
            planned_tag: format!("{name}-v{version}"),
            changelog: format!("## [{version}] - 2026-11-21\n\n### Features\n\n- first release\n"),
            ..bumped(name, "0.0.0", "0.0.1")
        }
    }

    fn unchanged(name: &str, version: &str) -> CrateRelease {
        CrateRelease {
            released: false,
            reasons: Vec::new(),
            changelog: String::new(),
            ..new_crate(name, version)
        }
    }

    fn edge(from: &str, to: &str, kind: DepKind) -> Edge {
        Edge {
            from: from.to_owned(),
            to: to.to_owned(),
            kind,
            target: None,
            req: Some("1".into()),
            optional: false,
        }
    }

    /// A plan of `crates` (sorted by name) with `edges`, waves filled in as the planner does.
    fn plan(mut crates: Vec<CrateRelease>, edges: Vec<Edge>) -> ReleasePlan {
        crates.sort_by(|a, b| a.name.cmp(&b.name));
        let nodes: BTreeSet<String> = crates
            .iter()
            .filter(|c| c.released)
            .map(|c| c.name.clone())
            .collect();
        let waves = plan_waves(&nodes, &edges).unwrap();
        for c in &mut crates {
            c.wave = waves.iter().position(|w| w.contains(&c.name));
        }
        ReleasePlan {
            crates,
            waves,
            edges,
            manifest_edits: BTreeMap::new(),
            notes: Vec::new(),
            workspace_changelog: None,
        }
    }

    /// kit (root) → kit-core, kit-macros; kit-macros is new; kit is a prerelease.
    pub(crate) fn three_crates() -> ReleasePlan {
        let mut kit = bumped("kit", "0.9.2", "1.0.0-rc.1");
        kit.dir = ".".into();
        kit.manifest = "Cargo.toml".into();
        kit.reasons = vec![Reason::Commits {
            count: 3,
            bump: Bump::Major,
        }];
        kit.changelog = "## [1.0.0-rc.1](https://github.com/acme/kit/compare/kit-v0.9.2...kit-v1.0.0-rc.1) - 2026-11-21\n\n### Breaking changes\n\n- **api:** rename `Kit::run` to `Kit::start` ([#41](https://github.com/acme/kit/pull/41), [c0ffee1](https://github.com/acme/kit/commit/c0ffee1))\n".into();
        let mut core = bumped("kit-core", "0.9.2", "0.9.3");
        core.changelog = "## [0.9.3](https://github.com/acme/kit/compare/kit-core-v0.9.2...kit-core-v0.9.3) - 2026-11-21\n\n### Fixes\n\n- keep `|` in paths ([c0ffee2](https://github.com/acme/kit/commit/c0ffee2))\n".into();
        let mut plan = plan(
            vec![
                kit,
                core,
                new_crate("kit-macros", "0.1.0"),
                unchanged("kit-docs", "1.0.0"),
            ],
            vec![
                edge("kit", "kit-core", DepKind::Normal),
                edge("kit", "kit-macros", DepKind::Normal),
            ],
        );
        plan.notes
            .push("kit-docs's requirement on kit-core is rewritten, but kit-docs is not released in this plan".into());
        plan
    }

    #[test]
    fn manifest_lists_released_crates_in_plan_order_with_previous_only_when_tagged() {
        let m = manifest(&three_crates(), None);
        let rows: Vec<(&str, String, Option<String>, bool, bool)> = m
            .crates
            .iter()
            .map(|c| {
                let previous = c.previous.as_ref().map(ToString::to_string);
                (
                    c.name.as_str(),
                    c.version.to_string(),
                    previous,
                    c.prerelease,
                    c.primary,
                )
            })
            .collect();
        assert_eq!(
            rows,
            [
                ("kit", "1.0.0-rc.1".into(), Some("0.9.2".into()), true, true),
                (
                    "kit-core",
                    "0.9.3".into(),
                    Some("0.9.2".into()),
                    false,
                    false
                ),
                ("kit-macros", "0.1.0".into(), None, false, false),
            ]
        );
        assert_eq!(m.crates[0].wave, Some(1));
    }

    #[test]
    fn body_manifest_round_trips_through_parse_manifest() {
        let plan = three_crates();
        let m = manifest(&plan, Some("core"));
        assert_eq!(parse_manifest(&body(&plan, &m, &PrEdits::default())), Ok(m));
    }

    #[test]
    fn the_last_manifest_block_wins_over_a_quoted_older_one() {
        let plan = three_crates();
        let mut older = manifest(&plan, None);
        older.crates.truncate(1);
        let current = manifest(&plan, None);
        let quoted = manifest_block(&older);
        assert_eq!(
            parse_manifest(&quoted),
            Ok(older),
            "the quoted block alone is valid"
        );
        let text = format!(
            "Earlier body, for the record:\n\n```\n{quoted}```\n\n{}",
            body(&plan, &current, &PrEdits::default())
        );
        assert_eq!(parse_manifest(&text), Ok(current));
    }

    #[test]
    fn a_tag_containing_comment_close_still_round_trips() {
        let mut plan = three_crates();
        plan.crates[0].planned_tag = "kit-->v1 --!> <x>".into();
        let m = manifest(&plan, None);
        let text = body(&plan, &m, &PrEdits::default());
        let block = &text[text.rfind(MARKER).unwrap()..];
        assert_eq!(block.matches("-->").count(), 1, "only the block's own end");
        assert_eq!(
            parse_manifest(&text).unwrap().crates[0].tag,
            "kit-->v1 --!> <x>"
        );
    }

    type Expect = fn(&PrError) -> bool;

    #[test]
    fn unreadable_bodies_give_errors_with_hints() {
        let current = format!("{MARKER}\n{{\"format\": 1, \"group\": null, \"crates\": []}}\n-->");
        let cases: [(&str, String, Expect); 5] = [
            ("no block", "Just a PR.".into(), |e| *e == PrError::Missing),
            (
                "bad json",
                format!("{MARKER}\n{{\"format\": 1,\n-->"),
                |e| matches!(e, PrError::Invalid { message } if message.contains("line")),
            ),
            (
                "unclosed",
                format!("{MARKER}\n{{}}"),
                |e| matches!(e, PrError::Invalid { message } if message.contains("-->")),
            ),
            (
                "missing field",
                format!("{MARKER}\n{{\"format\": 1}}\n-->"),
                |e| matches!(e, PrError::Invalid { message } if message.contains("crates")),
            ),
            (
                "newer format",
                current.replace("\"format\": 1", "\"format\": 2"),
                |e| *e == PrError::UnsupportedFormat { format: 2 },
            ),
        ];
        for (case, text, expected) in cases {
            let error = parse_manifest(&text).unwrap_err();
            assert!(expected(&error), "{case}: {error:?}");
            assert!(error.hint().unwrap().contains("prepare"), "{case}");
        }
        assert!(
            PrError::Missing
                .hint()
                .unwrap()
                .starts_with("the merged pull request's body has no releasekit manifest")
        );
        assert!(parse_manifest(&current).unwrap().crates.is_empty());
    }

    #[test]
    fn primary_crate_is_the_one_with_most_released_dependencies() {
        use DepKind::{Build, Dev, Normal};
        let at = |name: &str, dir: &str| CrateRelease {
            dir: dir.into(),
            ..bumped(name, "1.0.0", "1.1.0")
        };
        let cases: Vec<(&str, Vec<CrateRelease>, Vec<Edge>, &str)> = vec![
            // a ← b ← c: c reaches b and a.
            (
                "chain",
                vec![at("a", "a"), at("b", "b"), at("c", "c")],
                vec![edge("c", "b", Normal), edge("b", "a", Build)],
                "c",
            ),
            // clap → clap_builder → clap_lex; clap → clap_derive
            (
                "clap",
                vec![
                    at("clap", "clap"),
                    at("clap_builder", "clap_builder"),
                    at("clap_derive", "clap_derive"),
                    at("clap_lex", "clap_lex"),
                ],
                vec![
                    edge("clap", "clap_builder", Normal),
                    edge("clap", "clap_derive", Normal),
                    edge("clap_builder", "clap_lex", Normal),
                ],
                "clap",
            ),
            // a, b: two roots, the root package (".") wins over a longer dir.
            (
                "root package",
                vec![at("a", "crates/a"), at("z", ".")],
                vec![],
                "z",
            ),
            (
                "empty dir",
                vec![at("a", "crates/a"), at("z", "")],
                vec![],
                "z",
            ),
            (
                "shorter dir",
                vec![at("a", "crates/long"), at("z", "z")],
                vec![],
                "z",
            ),
            (
                "same dir length: name",
                vec![at("b", "x/b"), at("a", "x/a")],
                vec![],
                "a",
            ),
            // b →(dev) a: dev edges do not make b the top crate.
            (
                "dev edge",
                vec![at("b", "b"), at("a", "a")],
                vec![edge("b", "a", Dev)],
                "a",
            ),
            // b → a, but a is not released: no dependency counted.
            (
                "unreleased dependency",
                vec![at("b", "b"), unchanged("a", "1.0.0")],
                vec![edge("b", "a", Normal)],
                "b",
            ),
        ];
        for (case, crates, edges, expected) in cases {
            let plan = plan(crates, edges);
            assert_eq!(primary_crate(&plan).as_deref(), Some(expected), "{case}");
            let m = manifest(&plan, None);
            let primaries: Vec<&str> = m
                .crates
                .iter()
                .filter(|c| c.primary)
                .map(|c| c.name.as_str())
                .collect();
            assert_eq!(primaries, [expected], "{case}");
        }
        assert_eq!(
            primary_crate(&plan(vec![unchanged("a", "1.0.0")], vec![])),
            None
        );
    }

    fn many(count: usize, name: impl Fn(usize) -> String) -> ReleasePlan {
        plan(
            (0..count)
                .map(|i| bumped(&name(i), "1.0.0", "1.1.0"))
                .collect(),
            vec![],
        )
    }

    #[test]
    fn titles_name_the_release_within_72_characters() {
        let one = manifest(&plan(vec![bumped("foo", "1.1.0", "1.2.0")], vec![]), None);
        let three = manifest(&three_crates(), None);
        let grouped = manifest(&three_crates(), Some("core"));
        let huge = manifest(&many(200, |i| format!("crate_with_a_long_name_{i}")), None);
        let huge_group = manifest(&many(200, |i| format!("c{i}")), Some("core"));
        let cases = [
            (&one, "chore(release): foo 1.2.0"),
            (
                &three,
                "chore(release): release 3 crates (kit 1.0.0-rc.1, kit-core 0.9.3, …)",
            ),
            (
                &grouped,
                "chore(release): release group core, 3 crates (kit 1.0.0-rc.1, …)",
            ),
            (
                &huge,
                "chore(release): release 200 crates (crate_with_a_long_name_0 1.1.0, …)",
            ),
            (
                &huge_group,
                "chore(release): release group core, 200 crates (c0 1.1.0, c1 1.1.0, …)",
            ),
        ];
        for (m, expected) in cases {
            let title = title(m);
            assert_eq!(title, expected);
            assert!(title.chars().count() <= TITLE_LIMIT, "{title}");
            assert!(is_release_commit(&title, "releasekit/release"), "{title}");
        }
        let mut single_group = one.clone();
        single_group.group = Some("core".into());
        assert_eq!(
            title(&single_group),
            "chore(release): release group core (foo 1.2.0)"
        );
        let two = manifest(
            &plan(
                vec![bumped("a", "1.0.0", "1.0.1"), bumped("b", "1.0.0", "1.0.1")],
                vec![],
            ),
            None,
        );
        assert_eq!(
            title(&two),
            "chore(release): release 2 crates (a 1.0.1, b 1.0.1)"
        );
    }

    #[test]
    fn commit_message_lists_each_crate_and_marks_new_ones() {
        let m = manifest(&three_crates(), None);
        insta::assert_snapshot!("pr_commit_message_three_crates", commit_message(&m));
    }

    #[test]
    fn pr_body_three_crates() {
        let plan = three_crates();
        let m = manifest(&plan, None);
        // The maintainer typed kit's version and reworded kit-core's changelog.
        let edits = PrEdits {
            version: BTreeSet::from(["kit".to_owned()]),
            changelog: BTreeSet::from(["kit-core".to_owned()]),
            commits: 2,
        };
        insta::assert_snapshot!("pr_body_three_crates", body(&plan, &m, &edits));
    }

    /// A plan whose crates' changelogs are `sizes` characters long (roughly).
    fn sized(sizes: &[usize]) -> ReleasePlan {
        let crates = sizes
            .iter()
            .enumerate()
            .map(|(i, &size)| CrateRelease {
                changelog: format!("## [1.1.0]\n\n{}\n", "x".repeat(size)),
                ..bumped(&format!("c{i:03}"), "1.0.0", "1.1.0")
            })
            .collect();
        plan(crates, vec![])
    }

    #[test]
    fn an_oversized_body_collapses_the_largest_changelog_first() {
        let plan = sized(&[10_000, 40_000, 10_000, 1_000, 10_000]);
        let m = manifest(&plan, None);
        let text = body(&plan, &m, &PrEdits::default());
        assert!(text.chars().count() <= BODY_LIMIT);
        assert!(text.contains(
            "The changelog of c001 is too long for this PR; it is in crates/c001/CHANGELOG.md on this branch."
        ));
        assert_eq!(text.matches("is too long for this PR").count(), 1);
        assert_eq!(
            text.matches(&"x".repeat(10_000)).count(),
            3,
            "the others stay"
        );
        assert!(text.contains("| 1 commit (minor) |"), "reasons stay");
        assert!(text.contains("**Publish order:**"), "waves stay");
        assert_eq!(parse_manifest(&text), Ok(m));
    }

    #[test]
    fn a_body_of_200_crates_with_2kb_changelogs_stays_under_the_limit() {
        let mut sizes = vec![2_000; 200];
        sizes[7] = 100;
        sizes[42] = 3_000;
        let plan = sized(&sizes);
        let m = manifest(&plan, None);
        let text = body(&plan, &m, &PrEdits::default());
        assert!(
            text.chars().count() <= BODY_LIMIT,
            "{}",
            text.chars().count()
        );
        assert!(
            text.contains(&format!("\n{}\n", "x".repeat(100))),
            "the small one is intact"
        );
        assert!(
            !text.contains(&"x".repeat(3_000)),
            "the largest gave way first"
        );
        let shown = text.matches(&"x".repeat(2_000)).count();
        assert!((1..199).contains(&shown), "as many as fit: {shown}");
        let hidden = 200 - 1 - shown;
        assert!(text.contains(&format!(
            "The changelogs of {hidden} more crate(s) are too long"
        )));
        assert_eq!(
            text.matches("| 1 commit (minor) |").count(),
            200,
            "reasons stay"
        );
        assert_eq!(parse_manifest(&text), Ok(m));
    }

    #[test]
    fn a_manifest_beyond_the_limit_is_returned_whole_after_a_one_line_intro() {
        let plan = many(400, |i| format!("a_rather_long_crate_name_{i}"));
        let m = manifest(&plan, None);
        let text = body(&plan, &m, &PrEdits::default());
        assert!(text.chars().count() > BODY_LIMIT);
        assert_eq!(text.lines().nth(1), Some(""));
        assert!(
            text.lines()
                .nth(2)
                .unwrap()
                .starts_with("<!-- releasekit-body ")
        );
        assert!(text.lines().nth(3).unwrap().starts_with(MARKER));
        assert_eq!(parse_manifest(&text), Ok(m));
    }

    #[test]
    fn three_hundred_crates_with_typical_names_fit() {
        let plan = many(300, |i| format!("bevy_thing_{i}"));
        let m = manifest(&plan, None);
        let text = body(&plan, &m, &PrEdits::default());
        assert!(
            text.chars().count() <= BODY_LIMIT,
            "{}",
            text.chars().count()
        );
        assert_eq!(parse_manifest(&text), Ok(m));
    }

    #[test]
    fn release_commits_are_recognised() {
        let cases = [
            ("chore(release): foo 1.2.0", true),
            ("chore(release)!: release 3 crates (a 1.0.0, …)", true),
            (
                "chore(release): release 3 crates (a 1.0.0, …) (#57)\n\n* a 1.0.0",
                true,
            ),
            ("Merge pull request #57 from acme/releasekit/release", true),
            (
                "Merge pull request #57 from acme/releasekit/release\n\nchore(release): x",
                true,
            ),
            (
                "Merge pull request #8 from fork/releasekit/release-core",
                true,
            ),
            ("Merge pull request #8 from acme/releasekit/release-", false),
            ("Merge pull request #8 from acme/releasekit/released", false),
            ("Merge pull request #8 from acme/feature/releasekit", false),
            ("Merge pull request #x from acme/releasekit/release", false),
            ("chore: release notes", false),
            // A squash merge whose title the maintainer changed: the trailer is in its body.
            (
                &*format!(
                    "Release widgets 2099.1 (#1)\n\n* chore(release): x\n\nReleasekit-Plan: {}\n\n* docs: y",
                    "ab".repeat(32)
                ),
                true,
            ),
            (
                &*format!("feat: x\n\nReleasekit-Plan: {}\n", "ab".repeat(31)),
                false,
            ),
            ("feat: x\n\nsee the Releasekit-Plan: trailer", false),
            ("feat: chore(release): in the subject", false),
            ("feat: add release", false),
            ("", false),
        ];
        for (message, expected) in cases {
            assert_eq!(
                is_release_commit(message, "releasekit/release"),
                expected,
                "{message:?}"
            );
        }
    }

    #[test]
    fn edits_are_named_per_crate() {
        let edits = PrEdits {
            version: BTreeSet::from(["a".to_owned(), "b".to_owned()]),
            changelog: BTreeSet::from(["b".to_owned(), "c".to_owned()]),
            commits: 2,
        };
        assert_eq!(edits.of("a"), Some("version"));
        assert_eq!(edits.of("b"), Some("version, changelog"));
        assert_eq!(edits.of("c"), Some("changelog"));
        assert_eq!(edits.of("d"), None);
    }
}
