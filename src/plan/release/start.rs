//! The steps every plan starts with: the members, their groups and shared versions, their tag
//! formats and where each was last released; and where each crate's changelog starts.

use std::collections::BTreeMap;

use super::points::{self, Found, Sources};
use super::{Facts, PlanError, PlanOptions, ReleasePoint, assign_groups, groups};
use crate::plan::attribution::Ancestry;
use crate::plan::workspace::{Member, manifest_problems};

/// The steps every plan starts with: the members, their groups and shared versions, their tag
/// formats and where each was last released.
pub(super) struct Start<'a> {
    pub(super) members: Vec<&'a Member>,
    pub(super) groups: BTreeMap<&'a str, Option<String>>,
    pub(super) families: Vec<Vec<String>>,
    pub(super) formats: BTreeMap<&'a str, String>,
    pub(super) ancestry: Ancestry<'a>,
    /// Per member, in `members`' order.
    pub(super) found: Vec<Found>,
    pub(super) notes: Vec<String>,
}

pub(super) fn start<'a>(facts: Facts<'a>, options: &PlanOptions) -> Result<Start<'a>, PlanError> {
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
pub(super) fn changelog_from<'f>(
    found: &'f Found,
    options: &PlanOptions,
) -> Option<&'f ReleasePoint> {
    let point = found.point.as_ref()?;
    if options.prerelease.is_none() && !point.version.pre.is_empty() {
        found.stable.as_ref()
    } else {
        Some(point)
    }
}
