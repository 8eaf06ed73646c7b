//! Planning a release from facts gathered once: the options a selection plans with, and the
//! plan itself.

use std::collections::BTreeMap;

use crate::config::file::Settings;
use crate::error::Result;
use crate::plan::release::{PlanOptions, Published, ReleasePlan, build_plan};
use semver::Version;

use super::{Context, Gathered, Lookup, Selection, gather, today};

/// Read the workspace, its history, the configuration and (unless offline) the registry's
/// index, and plan the release.
pub fn gather_and_plan(ctx: &Context<'_>) -> Result<(ReleasePlan, Gathered)> {
    let gathered = gather(ctx, Lookup::of(&ctx.config))?;
    let plan = plan_for(ctx, &gathered, &Selection::Configured)?;
    Ok((plan, gathered))
}

/// The options of a plan of `selection` under `settings`.
pub(crate) fn plan_options(
    ctx: &Context<'_>,
    settings: &Settings,
    selection: &Selection,
) -> PlanOptions {
    let config = &ctx.config;
    let (group, ungrouped_only) = match selection {
        Selection::Configured => (config.group.clone(), false),
        Selection::Group(name) => (Some(name.clone()), false),
        Selection::Ungrouped => (None, true),
    };
    PlanOptions {
        forced_bump: config.bump_type,
        force_prepare: config.force_prepare,
        prerelease: config.prerelease.clone(),
        group,
        ungrouped_only,
        tag_format: settings.tag_format.clone(),
        groups: settings.groups.clone(),
        dependents_bump: settings.dependents_bump,
        registry: config.registry.clone(),
        date: today(),
        repository_url: ctx.repository_url(),
        commit_rules: settings.commits.clone(),
        given: BTreeMap::new(),
        changelog: settings.changelog.crates.clone(),
        workspace_changelog: settings.changelog.workspace_path.clone(),
        crates: settings.crate_options(),
    }
}

/// Plan the release of `selection` from facts gathered once.
pub fn plan_for(ctx: &Context<'_>, g: &Gathered, selection: &Selection) -> Result<ReleasePlan> {
    plan_given(ctx, g, selection, &BTreeMap::new(), &g.date)
}

/// [`plan_for`], with the versions `given` (typed into the Release PR) taken as they are, and
/// the changelog sections dated `date` (`YYYY-MM-DD`).
pub(crate) fn plan_given(
    ctx: &Context<'_>,
    g: &Gathered,
    selection: &Selection,
    given: &BTreeMap<String, Version>,
    date: &str,
) -> Result<ReleasePlan> {
    let mut plan = match (selection, given.is_empty(), &g.configured) {
        (Selection::Configured, true, Some((planned, plan))) if planned == date => plan.clone(),
        _ => plan_of_facts(ctx, g, selection, given, date)?,
    };
    if let Some(why) = &g.index_unread {
        plan.notes.push(format!("{why}; the tags stand in for it"));
    }
    if g.shallow {
        plan.notes.push(
            "this clone is shallow: release tags and commits beyond its depth are missing, so crates may look new or changed; fetch the whole history (actions/checkout with `fetch-depth: 0`)".into(),
        );
    }
    Ok(plan)
}

/// The plan the facts of `g` give (see [`plan_given`]), without the notes about how they were
/// read.
pub(crate) fn plan_of_facts(
    ctx: &Context<'_>,
    g: &Gathered,
    selection: &Selection,
    given: &BTreeMap<String, Version>,
    date: &str,
) -> Result<ReleasePlan> {
    let options = PlanOptions {
        date: date.to_owned(),
        given: given.clone(),
        ..plan_options(ctx, &g.settings, selection)
    };
    let none = Published::new();
    Ok(build_plan(g.facts(&none), &options)?)
}
