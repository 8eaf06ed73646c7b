//! Building the plan from where it starts: each crate's decision, the versions that move
//! together, the manifest edits, the changelogs and the publish waves.

use std::collections::{BTreeMap, BTreeSet};

use semver::Version;

use super::bump::{self, CrateState};
use super::{
    CrateRelease, Facts, PlanError, PlanOptions, Reason, ReleasePlan, ReleasePoint, Start,
    changelog_from, dependents, points, start,
};
use crate::plan::Bump;
use crate::plan::attribution::{Attribution, Packages, commits_by_crate};
use crate::plan::changelog::{SectionInput, render_section};
use crate::plan::commits::{ConventionalCommit, classify, drop_reverted};
use crate::plan::graph::{Edge, publish_edges, waves};
use crate::plan::history::tag_name;
use crate::plan::manifest::changed_root_parts;
use crate::plan::refname::check_ref_name;
use crate::plan::workspace::RootPart;

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
    // not run takes its note as it is ([`crate::plan::api::add_notes`]).
    crate::plan::api::add_notes(&mut plan, facts.api, options.forced_bump.is_some());
    Ok(plan)
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
