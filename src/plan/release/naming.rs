//! What the release stage needs of the plan without planning: every member's tag format and
//! group, named as [`build_plan`](super::build_plan) names them.

use std::collections::BTreeMap;

use super::{CrateOptions, GroupSpec, PlanError, PlanOptions, assign_groups, groups};
use crate::plan::workspace::Workspace;

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
