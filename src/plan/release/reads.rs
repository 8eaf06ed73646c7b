//! The manifest texts a plan asks the repository for before it is made: around the commits that
//! changed the root manifest (the parts of it packages take in) and a crate's own manifest (the
//! commit that set a version released without a tag).

use std::collections::{BTreeMap, BTreeSet};

use super::{Facts, PlanError, PlanOptions, changelog_from, start};

/// A manifest's text before (in the first parent) and after a commit; `None` where the file
/// does not exist.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ManifestTexts {
    pub before: Option<String>,
    pub after: Option<String>,
}

/// Manifest texts around commits: by manifest path (relative to the repository root), then by
/// commit id.
pub type ManifestHistory = BTreeMap<String, BTreeMap<String, ManifestTexts>>;

/// A manifest text to read: `path` (relative to the repository root) at `commit`, and at
/// `parent` (`None`: a root commit).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ManifestRead {
    pub path: String,
    pub commit: String,
    pub parent: Option<String>,
}

/// The manifest texts a plan needs, each once:
/// - the root manifest around each commit that changed it and that some crate taking in a part
///   of it has not released ([`RootPart`](crate::plan::workspace::RootPart): an inherited
///   dependency or field, or the package at the root); a new crate is released whatever its
///   commits, so it asks for none;
/// - for a crate whose version was released without a tag HEAD reaches, the manifest holding
///   that version around each commit that changed it since the last tag: one of them set it.
pub fn manifest_reads(
    facts: Facts<'_>,
    options: &PlanOptions,
) -> Result<Vec<ManifestRead>, PlanError> {
    let ws = facts.workspace;
    let st = start(facts, options)?;
    let read = |path: &str, i: usize| {
        let commit = &facts.history[i];
        ManifestRead {
            path: path.to_owned(),
            commit: commit.id.clone(),
            parent: commit.parents.first().cloned(),
        }
    };
    let mut reads: BTreeSet<ManifestRead> = (st.found.iter())
        .filter_map(|f| f.search.as_ref())
        .flat_map(|search| search.commits.iter().map(|&i| read(&search.manifest, i)))
        .collect();

    let root_manifest = ws.repo_root_manifest();
    let mut sets = BTreeMap::new();
    let mut unknown = false;
    for (m, found) in st.members.iter().zip(&st.found) {
        let Some(from) = changelog_from(found, options) else {
            continue;
        };
        if m.inherits.is_empty() {
            continue;
        }
        // Which commit set an untagged version is known only once its texts are read: the
        // texts from its last tag on are needed.
        let from_point = found.point.as_ref().is_some_and(|p| std::ptr::eq(p, from));
        let at = match &found.search {
            Some(search) if from_point => search.since,
            _ => from.commit.as_deref().and_then(|c| st.ancestry.position(c)),
        };
        match at {
            Some(at) => {
                sets.entry(at).or_insert_with(|| st.ancestry.ancestors(at));
            }
            None => unknown = true,
        }
    }
    if unknown || !sets.is_empty() {
        reads.extend(
            (facts.history.iter().enumerate())
                .filter(|(_, c)| c.paths.contains(&root_manifest))
                .filter(|&(i, _)| unknown || sets.values().any(|set| !set.contains(i)))
                .map(|(i, _)| read(&root_manifest, i)),
        );
    }
    Ok(reads.into_iter().collect())
}
