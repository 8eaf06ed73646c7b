//! The publish order: which member must be in the registry before which, and the waves that
//! follow from it.
//!
//! Owns the rule of DESIGN.md §3 "Publish order" (which member dependencies survive packaging
//! and so force an order), the layering of a set of crates into waves, and the cycle error with
//! its fix. It works on the `Workspace` and the published versions it is given; it must not read
//! manifests, ask a registry or decide which crates are released.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use semver::Version;
use serde::Serialize;

use crate::hint::Hint;

use super::DepKind;
use super::workspace::{MemberDep, Workspace};

/// Published versions per crate name, as far as they are known.
pub type Published = BTreeMap<String, Vec<Version>>;

/// `from` depends on `to` in a way that survives packaging: `to` is published before `from`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Edge {
    pub from: String,
    pub to: String,
    pub kind: DepKind,
    pub target: Option<String>,
    /// The requirement as written; `None` for a path dependency without `version`.
    pub req: Option<String>,
    pub optional: bool,
}

impl fmt::Display for Edge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} -> {} (", self.from, self.to)?;
        if self.optional {
            f.write_str("optional ")?;
        }
        f.write_str(singular(self.kind))?;
        match &self.req {
            Some(req) => write!(f, " \"{req}\"")?,
            None => f.write_str(" without version")?,
        }
        if let Some(target) = &self.target {
            write!(f, " for {target}")?;
        }
        f.write_str(")")
    }
}

fn singular(kind: DepKind) -> &'static str {
    match kind {
        DepKind::Normal => "dependency",
        DepKind::Build => "build-dependency",
        DepKind::Dev => "dev-dependency",
    }
}

/// All publish edges among members publishable to `registry` (`None` = crates.io). Sorted, one
/// per (from, to, kind, target).
pub fn publish_edges(ws: &Workspace, registry: Option<&str>, published: &Published) -> Vec<Edge> {
    let mut edges = Vec::new();
    for member in ws.publishable(registry) {
        for dep in &member.deps {
            if dep.name == member.name {
                continue;
            }
            // A dependency on an unpublishable member cannot be satisfied by ordering; the
            // manifest check reports it.
            let Some(to) = ws.member(&dep.name) else {
                continue;
            };
            if !to.publish.allows(registry) || !survives_packaging(dep, published) {
                continue;
            }
            edges.push(Edge {
                from: member.name.clone(),
                to: dep.name.clone(),
                kind: dep.kind,
                target: dep.target.clone(),
                req: dep.req.as_ref().map(ToString::to_string),
                optional: dep.optional,
            });
        }
    }
    edges.sort();
    edges.dedup_by(|b, a| {
        a.from == b.from && a.to == b.to && a.kind == b.kind && a.target == b.target
    });
    edges
}

/// Whether the dependency still ties the order once cargo has packaged the crate.
fn survives_packaging(dep: &MemberDep, published: &Published) -> bool {
    if dep.kind != DepKind::Dev {
        // A path-only normal dependency cannot be packaged at all; it still orders, so the
        // waves stay right once the manifest problem is fixed.
        return true;
    }
    let Some(req) = &dep.req else {
        // cargo strips path-only dev-dependencies when packaging.
        return false;
    };
    // The registry resolves the dev-dependency to the published version; nothing waits.
    let satisfied = published
        .get(&dep.name)
        .is_some_and(|versions| versions.iter().any(|v| req.matches(v)));
    !satisfied
}

/// The edges of one concrete publish cycle, in order `a -> b -> … -> a`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("publish cycle: {}", join(.edges))]
pub struct CycleError {
    pub edges: Vec<Edge>,
}

fn join(edges: &[Edge]) -> String {
    edges
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

impl Hint for CycleError {
    /// What to do: a dev-dependency in the cycle can be cut; otherwise the code must be split.
    fn hint(&self) -> Option<String> {
        let cuts: Vec<String> = self
            .edges
            .iter()
            .filter(|e| e.kind == DepKind::Dev)
            .map(|e| {
                format!(
                    "remove `version` from the dev-dependency {} -> {} (cargo strips path-only dev-dependencies when publishing), or publish a version of {} that satisfies {} first",
                    e.from,
                    e.to,
                    e.to,
                    e.req.as_deref().unwrap_or("its requirement")
                )
            })
            .collect();
        Some(if cuts.is_empty() {
            let names: Vec<&str> = self.edges.iter().map(|e| e.from.as_str()).collect();
            format!(
                "a crate cannot be published before itself: move the code that {} need from each other into a new crate they all depend on",
                names.join(", ")
            )
        } else {
            cuts.join("; or ")
        })
    }
}

/// Publish waves of `nodes`: wave 0 has no edge to another node, wave k+1 only edges into waves
/// <= k. Edges with an end outside `nodes` are ignored (that crate is not released now; its
/// published version serves); so are self-edges. Each wave is sorted by name.
pub fn waves(nodes: &BTreeSet<String>, edges: &[Edge]) -> Result<Vec<Vec<String>>, CycleError> {
    let names: Vec<&str> = nodes.iter().map(String::as_str).collect();
    let index: BTreeMap<&str, usize> = names.iter().enumerate().map(|(i, n)| (*n, i)).collect();

    // Per node: the edges it must wait for, and the nodes that wait for it.
    let mut outgoing: Vec<Vec<&Edge>> = vec![Vec::new(); names.len()];
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); names.len()];
    for edge in edges {
        let (Some(&from), Some(&to)) = (index.get(edge.from.as_str()), index.get(edge.to.as_str()))
        else {
            continue;
        };
        if from == to {
            continue;
        }
        outgoing[from].push(edge);
        dependents[to].push(from);
    }

    let mut waiting: Vec<usize> = outgoing.iter().map(Vec::len).collect();
    let mut current: Vec<usize> = (0..names.len()).filter(|&i| waiting[i] == 0).collect();
    let mut placed = 0;
    let mut result = Vec::new();
    while !current.is_empty() {
        placed += current.len();
        let mut next = Vec::new();
        for &node in &current {
            for &dependent in &dependents[node] {
                waiting[dependent] -= 1;
                if waiting[dependent] == 0 {
                    next.push(dependent);
                }
            }
        }
        // Indices follow name order, so sorting them sorts the wave by name.
        current.sort_unstable();
        result.push(current.iter().map(|&i| names[i].to_owned()).collect());
        current = next;
    }
    if placed == names.len() {
        return Ok(result);
    }

    for list in &mut outgoing {
        list.sort_by(|a, b| (&a.to, a.kind, &a.target).cmp(&(&b.to, b.kind, &b.target)));
    }
    Err(CycleError {
        edges: find_cycle(&names, &index, &outgoing, &waiting),
    })
}

/// One cycle among the nodes left after layering, found deterministically.
///
/// Every left node waits for at least one other left node, so walking from the first one along
/// its first edge into the remainder must come back to a node already on the path.
fn find_cycle(
    names: &[&str],
    index: &BTreeMap<&str, usize>,
    outgoing: &[Vec<&Edge>],
    waiting: &[usize],
) -> Vec<Edge> {
    let left = |i: usize| waiting[i] > 0;
    let start = (0..names.len())
        .find(|&i| left(i))
        .expect("a node is left when layering stops early");
    let mut position: Vec<Option<usize>> = vec![None; names.len()];
    let mut path: Vec<&Edge> = Vec::new();
    let mut node = start;
    loop {
        if let Some(at) = position[node] {
            let mut cycle: Vec<Edge> = path[at..].iter().map(|e| (*e).clone()).collect();
            // Start at the smallest name so the same cycle always reads the same.
            let first = (0..cycle.len())
                .min_by_key(|&i| &cycle[i].from)
                .unwrap_or(0);
            cycle.rotate_left(first);
            return cycle;
        }
        position[node] = Some(path.len());
        let edge = outgoing[node]
            .iter()
            .find(|e| left(index[e.to.as_str()]))
            .expect("a left node waits for another left node");
        path.push(edge);
        node = index[edge.to.as_str()];
    }
}

/// A normal dependency edge `from` → `to` requiring `^1`, for tests.
#[cfg(test)]
pub(crate) fn test_edge(from: &str, to: &str) -> Edge {
    Edge {
        from: from.to_owned(),
        to: to.to_owned(),
        kind: DepKind::Normal,
        target: None,
        req: Some("^1".to_owned()),
        optional: false,
    }
}

#[cfg(test)]
mod tests;
