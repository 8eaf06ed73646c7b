//! The release branch as origin has it, and its rebuild: the release commit made again on the
//! new base in a scratch worktree (the user's checkout is never touched), then the
//! maintainer's commits replayed on top (`plan::branch` decides whose commit is which).
//!
//! Replays are deterministic: a commit whose parent did not change is kept as it is, and one
//! applied again keeps its author, committer and dates, so a run with nothing new ends on the
//! branch's own tip and pushes nothing. A conflict leaves everything as it was.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use semver::Version;

use crate::adapters::cargo::{Cargo, workspace as workspace_of};
use crate::adapters::git::{Git, Picked, PushAuth};
use crate::error::Result;
use crate::jobs::{Gathered, apply, member_versions_at, relative_to};
use crate::plan::branch::{
    Ownership, Replay, Stuck, VersionAt, ownership, release_commit_message, tool_trailers,
    typed_versions, uncounted_note,
};
use crate::plan::changelog::adopt_headings;
use crate::plan::merged::{Checks, MergedFacts, version_problem};
use crate::plan::pr::ReleaseManifest;
use crate::plan::release::{ReleasePlan, member_tag_formats};
use crate::plan::workspace::Workspace;

/// The release branch before this run.
pub(super) struct Branch {
    /// Where origin's branch points; `None`: it does not exist.
    pub tip: Option<String>,
    /// Whose commits are on it, when there is an open Release PR to keep them for.
    pub owners: Option<std::result::Result<Ownership, Stuck>>,
    /// The versions the maintainer typed, which the plan takes as given.
    pub typed: BTreeMap<String, Version>,
    /// Typed versions that cannot be taken, and why.
    pub notes: Vec<String>,
    /// The day the release commit dates its changelog sections (its `Releasekit-Date:`).
    pub date: Option<String>,
}

/// Fetch `branch` and tell its commits apart. Without an open Release PR nothing on it is
/// kept: the branch is rebuilt from scratch.
pub(super) fn read(
    git: &Git,
    gathered: &Gathered,
    registry: Option<&str>,
    branch: &str,
    head: &str,
    open_pr: bool,
    auth: Option<&PushAuth>,
) -> Result<Branch> {
    let tip = git.fetch_branch("origin", branch, auth)?;
    let mut read = Branch {
        tip: tip.clone(),
        owners: None,
        typed: BTreeMap::new(),
        notes: Vec::new(),
        date: None,
    };
    let Some(tip) = tip.filter(|_| open_pr) else {
        return Ok(read);
    };
    let chain = git.branch_log(&tip, head)?;
    if chain.is_empty() {
        // The base branch has all of it (merged, or reset): nothing of anyone's to keep.
        return Ok(read);
    }
    let mut in_base = BTreeMap::new();
    for commit in &chain {
        for parent in commit.parents.iter().skip(1) {
            in_base.insert(parent.clone(), git.is_ancestor(parent, head)?);
        }
    }
    let owners = ownership(&chain, |id| in_base.get(id).copied().unwrap_or(false));
    let owners = match owners {
        Ok(owners) => owners,
        Err(stuck) => {
            read.owners = Some(Err(stuck));
            return Ok(read);
        }
    };
    let trailers = tool_trailers(&owners.tool.message);
    // Amended, or a commit squashed into it: the maintainer's edit is inside the release commit.
    if let Some(made) = trailers.as_ref().and_then(|t| t.patch.as_deref())
        && git.patch_id(&owners.tool.id)?.as_deref() != Some(made)
    {
        read.owners = Some(Err(Stuck::Amended {
            commit: owners.tool.id.clone(),
        }));
        return Ok(read);
    }
    read.date = trailers.as_ref().and_then(|t| t.date.clone());
    if !owners.theirs.is_empty() {
        let kept = trailers.map(|t| t.kept).unwrap_or_default();
        let versions = versions_at(git, gathered, registry, &owners.tool.id, &tip)?;
        let formats = formats(gathered, registry)?;
        let reachable = git.tags_reached_from(head)?;
        let existing = git
            .tags()?
            .into_iter()
            .map(|t| (t.name, t.commit))
            .collect();
        let facts = MergedFacts {
            workspace: &gathered.workspace,
            registry,
            formats: &formats,
            reachable: &reachable,
            commit: &tip,
        };
        let checks = Checks {
            hint: None,
            existing: &existing,
            listed: gathered.listed.as_ref(),
            before: None,
        };
        let (typed, notes) = typed_versions(&versions, &kept, |name, version| {
            version_problem(&facts, &checks, name, version)
        });
        read.typed = typed;
        read.notes = notes;
        let rules = &gathered.settings.commits;
        read.notes.extend(uncounted_note(&owners.theirs, rules));
    }
    read.owners = Some(Ok(owners));
    Ok(read)
}

/// Each publishable member's version in the release commit `tool` and at `tip`, as written.
fn versions_at(
    git: &Git,
    gathered: &Gathered,
    registry: Option<&str>,
    tool: &str,
    tip: &str,
) -> Result<Vec<VersionAt>> {
    let dir = workspace_dir(git, gathered);
    let members: Vec<_> = gathered.workspace.publishable(registry).collect();
    let [at_tool, at_tip] = member_versions_at(git, &dir, &members, [tool, tip])?;
    Ok(members
        .iter()
        .zip(at_tool.into_iter().zip(at_tip))
        .map(|(m, (tool, tip))| VersionAt {
            name: m.name.clone(),
            tool,
            tip,
        })
        .collect())
}

/// The repository path of `rel` (workspace-relative), `/`-separated.
fn repo_path(workspace_dir: &Path, rel: &Path) -> String {
    workspace_dir.join(rel).to_string_lossy().replace('\\', "/")
}

fn workspace_dir(git: &Git, gathered: &Gathered) -> PathBuf {
    relative_to(&gathered.root, git.root())
}

fn formats(gathered: &Gathered, registry: Option<&str>) -> Result<BTreeMap<String, String>> {
    Ok(member_tag_formats(
        &gathered.workspace,
        registry,
        gathered.settings.tag_format.as_deref(),
        &gathered.settings.groups,
        &gathered.settings.crate_options(),
    )?)
}

/// The rebuilt branch.
pub(super) struct Built {
    /// The branch's new tip: the release commit, or the last of the maintainer's commits.
    pub tip: String,
    /// Files the release commit changes, relative to the workspace root.
    pub files: Vec<PathBuf>,
    /// How many of the maintainer's commits the new branch carries, and merges of the base
    /// branch that the new base replaced.
    pub kept: usize,
    pub dropped: usize,
    /// What the maintainer's commits make of the branch; `None` without any (the branch is
    /// then exactly the plan).
    pub theirs: Option<OnTop>,
}

/// The branch at its tip, where the maintainer's commits stand on the release commit.
pub(super) struct OnTop {
    /// The workspace; `None` when cargo cannot read it (a version typed into a manifest that
    /// is no semantic version).
    pub workspace: Option<Workspace>,
    /// The crates whose changelog the maintainer's commits change.
    pub changelogs_edited: BTreeSet<String>,
    /// Each released crate's changelog (that it writes one), by crate name.
    pub changelogs: BTreeMap<String, String>,
}

/// What rebuilding gave.
pub(super) enum Rebuilt {
    Built(Built),
    Stuck(Stuck),
}

/// Build the release commit of `plan` (its changelog sections dated `date`) on `head` in a
/// scratch worktree and replay the maintainer's commits (`owners`) on it; where one conflicts
/// in a changelog only over the heading of a version the release commit writes, the heading is
/// the release commit's (`changelog::adopt_headings`). Nothing leaves the worktree: pushing is
/// the caller's.
#[allow(clippy::too_many_arguments)]
pub(super) fn rebuild(
    cargo: &Cargo,
    git: &Git,
    gathered: &Gathered,
    plan: &ReleasePlan,
    manifest: &ReleaseManifest,
    typed: &BTreeMap<String, Version>,
    date: &str,
    head: &str,
    owners: Option<&Ownership>,
) -> Result<Rebuilt> {
    let dir = workspace_dir(git, gathered);
    let worktree = git.worktree("prepare", head)?;
    let root = worktree.dir().join(&dir);
    // The commit's own lockfile, if it has one: nothing ran in this fresh worktree yet.
    let lockfile = crate::adapters::cargo::has_lockfile(&root);
    let place = apply::Place {
        fence: worktree.dir(),
        root: &root,
    };
    let writes = apply::planned_writes(plan, place)?;
    let files = apply::write(cargo, &root, lockfile, writes)?;
    let kept_versions: BTreeMap<String, Version> = typed
        .iter()
        .filter(|(name, _)| manifest.crates.iter().any(|c| &c.name == *name))
        .map(|(name, version)| (name.clone(), version.clone()))
        .collect();
    // The patch id of its changes goes into its message: an amended commit shows by it.
    let message = |patch| release_commit_message(manifest, &kept_versions, date, patch);
    let made = worktree.commit_all(&message(None), head)?;
    let tool = match git.patch_id(&made)? {
        Some(patch) => worktree.reword(&message(Some(&patch)), head)?,
        None => made,
    };
    // Every changelog the plan writes, by repository path.
    let changelogs: BTreeSet<String> = plan
        .crates
        .iter()
        .filter_map(|c| Some(Path::new(&c.manifest).with_file_name(c.changelog_file.as_ref()?)))
        .chain(plan.workspace_changelog.iter().map(PathBuf::from))
        .map(|path| repo_path(&dir, &path))
        .collect();
    let retry = |path: &str, base: &str, ours: &str, theirs: &str| {
        changelogs
            .contains(path)
            .then(|| adopt_headings(base, ours, theirs))
            .flatten()
    };

    let mut current = tool.clone();
    let (mut kept, mut dropped) = (0, 0);
    for theirs in owners.map(|o| o.theirs.as_slice()).unwrap_or_default() {
        let commit = &theirs.commit;
        // Its parent did not change: the commit stays as it is (GitHub's signature included).
        if commit.parents.first() == Some(&current) {
            current = commit.id.clone();
            kept += 1;
            continue;
        }
        if theirs.replay == Replay::Drop {
            dropped += 1;
            continue;
        }
        if worktree.head()? != current {
            worktree.checkout(&current)?;
        }
        match worktree.cherry_pick(&commit.id, theirs.replay == Replay::PickMerge, &retry)? {
            Picked::Done(id) => {
                current = id;
                kept += 1;
            }
            Picked::Conflict(files) => {
                return Ok(Rebuilt::Stuck(Stuck::Conflict {
                    commit: commit.id.clone(),
                    files,
                }));
            }
        }
    }
    let theirs = if current == tool {
        None
    } else {
        if worktree.head()? != current {
            worktree.checkout(&current)?;
        }
        let workspace = cargo
            .metadata(&root)
            .and_then(|metadata| workspace_of(&metadata, worktree.dir()))
            .ok();
        let paths: Vec<(String, String)> = plan
            .released()
            .filter_map(|c| {
                let path = Path::new(&c.manifest).with_file_name(c.changelog_file.as_ref()?);
                Some((c.name.clone(), repo_path(&dir, &path)))
            })
            .collect();
        let wanted: Vec<(&str, &str)> = paths
            .iter()
            .map(|(_, path)| (current.as_str(), path.as_str()))
            .collect();
        let changelogs = paths
            .iter()
            .zip(git.files_at(&wanted)?)
            .filter_map(|((name, _), text)| Some((name.clone(), text?)))
            .collect();
        let changed = git.changed_paths(&tool, &current)?;
        let changelogs_edited = paths
            .iter()
            .filter(|(_, path)| changed.contains(path))
            .map(|(name, _)| name.clone())
            .collect();
        Some(OnTop {
            workspace,
            changelogs_edited,
            changelogs,
        })
    };
    drop(worktree);
    Ok(Rebuilt::Built(Built {
        tip: current,
        files,
        kept,
        dropped,
        theirs,
    }))
}
