//! Release groups: which group each member belongs to, the families that share one version
//! (fixed groups and `version.workspace = true`), and each member's tag format.

use std::collections::{BTreeMap, BTreeSet};

use globset::Glob;

use super::{GroupSpec, PlanError, PlanOptions, Versioning};
use crate::plan::history::{DEFAULT_TAG_FORMAT, SINGLE_CRATE_TAG_FORMAT};
use crate::plan::workspace::Member;

/// Each member's group (`None` = the default group).
pub fn assign_groups<'a>(
    members: &[&'a Member],
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
pub(super) fn families(
    members: &[&Member],
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

/// Each member's tag format: its `[package.<name>]` one, else its group's, else the
/// workspace's, else the default — `v{version}` for the only publishable crate (or the only
/// crate, when none is publishable), `{name}-v{version}` otherwise. A crate released without
/// publishing does not take the one-crate default from a crate that is published.
pub(super) fn tag_formats<'a>(
    members: &[&'a Member],
    groups: &BTreeMap<&str, Option<String>>,
    families: &[Vec<String>],
    options: &PlanOptions,
) -> Result<BTreeMap<&'a str, String>, PlanError> {
    let published: Vec<&Member> = (members.iter().copied())
        .filter(|m| !options.release_only(m))
        .collect();
    let single = match (published.as_slice(), members) {
        ([one], _) | ([], [one]) => Some(one.name.as_str()),
        _ => None,
    };
    let formats: BTreeMap<&str, String> = members
        .iter()
        .map(|m| {
            let group = groups[m.name.as_str()].as_ref();
            let spec = group.and_then(|g| options.groups.iter().find(|s| &s.name == g));
            let own = options
                .crates
                .get(&m.name)
                .and_then(|c| c.tag_format.clone());
            let format = own
                .or_else(|| spec.and_then(|s| s.tag_format.clone()))
                .or_else(|| options.tag_format.clone())
                .unwrap_or_else(|| {
                    if single == Some(m.name.as_str()) {
                        SINGLE_CRATE_TAG_FORMAT.into()
                    } else {
                        DEFAULT_TAG_FORMAT.into()
                    }
                });
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
