//! Versions that move together and dependents that follow: members of a fixed group or of
//! the `[workspace.package]` version take the highest bump among them, and a member whose
//! requirement a released dependency no longer satisfies is released too (`dependents_bump`);
//! then the manifest edits that carry the planned versions.

use std::collections::BTreeMap;

use semver::{Version, VersionReq};

use super::bump::{CrateState, planned_versions};
use super::{DependentsBump, PlanError, PlanOptions, Reason};
use crate::plan::manifest::{DepEdit, ManifestEdits, WorkspaceDepEdit};
use crate::plan::workspace::{Member, Workspace};
use crate::plan::{Bump, DepKind};

/// Move fixed families together and release broken dependents until nothing changes; the
/// planned version of every released crate.
pub(super) fn settle(
    ws: &Workspace,
    members: &[&Member],
    families: &[Vec<String>],
    state: &mut BTreeMap<String, CrateState>,
    options: &PlanOptions,
) -> Result<BTreeMap<String, Version>, PlanError> {
    let mut planned: BTreeMap<String, Version>;
    loop {
        for family in families {
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
        planned = planned_versions(members, families, state, options)?;
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
    Ok(planned)
}

/// The manifest edits that carry the planned versions: each released member's version, and the
/// requirements on released members (rewritten when they no longer match; raised when they
/// still match only for normal and build dependencies of crates released anyway).
pub(super) fn manifest_edits(
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
