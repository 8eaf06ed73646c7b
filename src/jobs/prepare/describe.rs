//! What the rebuilt release branch says: the edits the maintainer made on it, and what it
//! releases if merged now, read from its manifests as the release stage will read them.

use std::collections::BTreeMap;

use semver::Version;

use super::branch::{Built, OnTop};
use crate::adapters::git::Git;
use crate::error::Result;
use crate::jobs::release::{keep_group, lock_problems_at};
use crate::jobs::{Context, Gathered};
use crate::plan::branch::REFUSED;
use crate::plan::changelog::whole_section;
use crate::plan::merged::{Checks, MergedFacts, candidates, decide};
use crate::plan::pr::{self, PrEdits, ReleaseManifest};
use crate::plan::release::{ReleasePlan, member_tag_formats};

/// What the maintainer changed: the versions they typed (taken by the plan) and the changelogs
/// their commits change on top of the release commit.
pub(super) fn edits(
    plan: &ReleasePlan,
    typed: &BTreeMap<String, Version>,
    built: &Built,
    owned: bool,
) -> PrEdits {
    let released = |name: &String| plan.released().any(|c| &c.name == name);
    PrEdits {
        version: typed.keys().filter(|n| released(n)).cloned().collect(),
        changelog: built
            .theirs
            .as_ref()
            .map(|t| t.changelogs_edited.clone())
            .unwrap_or_default(),
        commits: if owned { built.kept } else { 0 },
    }
}

/// The manifest of what the rebuilt branch releases if merged now (`plan::merged`, as the
/// release stage will read it), with what would stop the release added to the plan's notes.
/// Without the maintainer's commits on it the branch is the plan, and so is its manifest.
pub(super) fn branch_manifest(
    ctx: &Context<'_>,
    git: &Git,
    gathered: &Gathered,
    built: &Built,
    planned: &ReleaseManifest,
    plan: &mut ReleasePlan,
) -> Result<ReleaseManifest> {
    let registry = ctx.config.registry.as_deref();
    let Some(theirs) = &built.theirs else {
        // Nothing of the maintainer's on it: the branch is the plan.
        return Ok(planned.clone());
    };
    let Some(workspace) = &theirs.workspace else {
        let note = format!("{REFUSED}cargo cannot read the manifests on this branch");
        if !plan.notes.contains(&note) {
            plan.notes.push(note);
        }
        return Ok(planned.clone());
    };
    let formats = member_tag_formats(
        workspace,
        registry,
        gathered.settings.tag_format.as_deref(),
        &gathered.settings.groups,
        &gathered.settings.crate_options(),
    )?;
    let reachable = git.tags_reached_from(&built.tip)?;
    let existing: BTreeMap<String, String> = git
        .tags()?
        .into_iter()
        .map(|t| (t.name, t.commit))
        .collect();
    let facts = MergedFacts {
        workspace,
        registry,
        formats: &formats,
        reachable: &reachable,
        commit: &built.tip,
    };
    // Only the plan's group's crates: another group's are its own Release PR's.
    let mut found = candidates(&facts);
    keep_group(&mut found, &facts, &gathered.settings, &planned.group)?;
    let checks = Checks {
        hint: Some(planned),
        existing: &existing,
        listed: gathered.listed.as_ref(),
        before: None,
    };
    let mut merged = decide(&facts, found, &checks);
    // The release stage refuses a merge cargo cannot build `--locked`: said here first.
    if !merged.manifest.crates.is_empty() {
        (merged.problems).extend(lock_problems_at(git, workspace, &built.tip)?);
    }
    for note in merged
        .problems
        .iter()
        .map(|problem| format!("{REFUSED}{problem}"))
        .chain(merged.differences)
    {
        if !plan.notes.contains(&note) {
            plan.notes.push(note);
        }
    }
    // A crate merging would be refused for stays in the manifest as planned: the release stage
    // then names it rather than leaving it out unsaid.
    let mut manifest = merged.manifest;
    let has_primary = manifest.crates.iter().any(|c| c.primary);
    manifest.crates.extend(
        planned
            .crates
            .iter()
            .filter(|c| merged.refused.contains(&c.name))
            .map(|c| pr::ManifestCrate {
                primary: c.primary && !has_primary,
                ..c.clone()
            }),
    );
    manifest.crates.sort_by(|a, b| a.name.cmp(&b.name));
    manifest.group = planned.group.clone();
    Ok(manifest)
}

/// Each released crate's changelog section as the branch has it, the maintainer's edits
/// included; the plan's own text where the file has no section for the version.
pub(super) fn sections(
    theirs: Option<&OnTop>,
    manifest: &ReleaseManifest,
    plan: &ReleasePlan,
) -> BTreeMap<String, String> {
    manifest
        .crates
        .iter()
        .filter_map(|c| {
            let from_branch = theirs
                .and_then(|t| t.changelogs.get(&c.name))
                .and_then(|text| whole_section(text, &c.version));
            let planned = plan
                .crates
                .iter()
                .find(|p| p.name == c.name)
                .map(|p| p.changelog.clone());
            Some((c.name.clone(), from_branch.or(planned)?))
        })
        .collect()
}
