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
mod tests {
    use semver::Version;

    use super::*;
    use crate::plan::DepKind::{Build, Dev, Normal};
    use crate::plan::workspace::{Member, Publish};

    fn dep(name: &str, kind: DepKind, req: Option<&str>) -> MemberDep {
        MemberDep::plain(name, kind, req)
    }

    /// Members publishable anywhere, given as (name, version, deps).
    fn ws(members: &[(&str, &str, &[MemberDep])]) -> Workspace {
        let mut members: Vec<Member> = members
            .iter()
            .map(|(name, version, deps)| Member::plain(name, version, deps.to_vec()))
            .collect();
        members.sort_by(|a, b| a.name.cmp(&b.name));
        Workspace {
            members,
            ..Workspace::default()
        }
    }

    fn with_publish(mut ws: Workspace, name: &str, publish: Publish) -> Workspace {
        ws.members
            .iter_mut()
            .find(|m| m.name == name)
            .unwrap()
            .publish = publish;
        ws
    }

    fn published(entries: &[(&str, &[&str])]) -> Published {
        entries
            .iter()
            .map(|(name, versions)| {
                (
                    (*name).to_owned(),
                    versions
                        .iter()
                        .map(|v| Version::parse(v).unwrap())
                        .collect(),
                )
            })
            .collect()
    }

    fn edge(from: &str, to: &str, kind: DepKind, req: Option<&str>) -> Edge {
        Edge {
            from: from.to_owned(),
            to: to.to_owned(),
            kind,
            target: None,
            req: req.map(ToOwned::to_owned),
            optional: false,
        }
    }

    fn nodes(names: &[&str]) -> BTreeSet<String> {
        names.iter().map(|n| (*n).to_owned()).collect()
    }

    fn edges_of(ws: &Workspace) -> Vec<Edge> {
        publish_edges(ws, None, &Published::new())
    }

    //   a --normal--> b
    #[test]
    fn normal_dependency_is_an_edge() {
        let ws = ws(&[
            ("a", "1.0.0", &[dep("b", Normal, Some("^1"))]),
            ("b", "1.0.0", &[]),
        ]);
        assert_eq!(edges_of(&ws), vec![edge("a", "b", Normal, Some("^1"))]);
    }

    //   a --build--> b
    #[test]
    fn build_dependency_is_an_edge() {
        let ws = ws(&[
            ("a", "1.0.0", &[dep("b", Build, Some("^1"))]),
            ("b", "1.0.0", &[]),
        ]);
        assert_eq!(edges_of(&ws), vec![edge("a", "b", Build, Some("^1"))]);
    }

    //   a --normal, cfg(unix)--> b
    #[test]
    fn target_specific_dependency_is_an_edge_with_its_target() {
        let unix = MemberDep {
            target: Some("cfg(unix)".to_owned()),
            ..dep("b", Normal, Some("^1"))
        };
        let ws = ws(&[("a", "1.0.0", &[unix]), ("b", "1.0.0", &[])]);
        let expected = Edge {
            target: Some("cfg(unix)".to_owned()),
            ..edge("a", "b", Normal, Some("^1"))
        };
        assert_eq!(edges_of(&ws), vec![expected]);
    }

    //   a --optional--> b
    #[test]
    fn optional_dependency_is_an_edge() {
        let optional = MemberDep {
            optional: true,
            ..dep("b", Normal, Some("^1"))
        };
        let ws = ws(&[("a", "1.0.0", &[optional]), ("b", "1.0.0", &[])]);
        let expected = Edge {
            optional: true,
            ..edge("a", "b", Normal, Some("^1"))
        };
        assert_eq!(edges_of(&ws), vec![expected]);
    }

    //   a --normal (as `bee`)--> b
    #[test]
    fn renamed_dependency_is_an_edge_to_the_package() {
        let renamed = MemberDep {
            rename: Some("bee".to_owned()),
            ..dep("b", Normal, Some("^1"))
        };
        let ws = ws(&[("a", "1.0.0", &[renamed]), ("b", "1.0.0", &[])]);
        assert_eq!(edges_of(&ws), vec![edge("a", "b", Normal, Some("^1"))]);
    }

    //   a --normal, path only--> b
    #[test]
    fn path_only_normal_dependency_still_orders() {
        let ws = ws(&[
            ("a", "1.0.0", &[dep("b", Normal, None)]),
            ("b", "1.0.0", &[]),
        ]);
        assert_eq!(edges_of(&ws), vec![edge("a", "b", Normal, None)]);
    }

    //   a ..dev, path only..> b   (stripped by cargo)
    #[test]
    fn path_only_dev_dependency_is_no_edge() {
        let ws = ws(&[("a", "1.0.0", &[dep("b", Dev, None)]), ("b", "1.0.0", &[])]);
        assert_eq!(edges_of(&ws), vec![]);
    }

    //   a --dev "^1"--> b        nothing of b published
    #[test]
    fn versioned_dev_dependency_is_an_edge_when_nothing_is_published() {
        let ws = ws(&[
            ("a", "1.0.0", &[dep("b", Dev, Some("^1"))]),
            ("b", "1.0.0", &[]),
        ]);
        assert_eq!(edges_of(&ws), vec![edge("a", "b", Dev, Some("^1"))]);
    }

    //   a --dev req--> b         b has the published versions below
    #[test]
    fn dev_dependency_is_an_edge_unless_a_published_version_satisfies_it() {
        let cases: &[(&str, &[&str], bool)] = &[
            ("^1", &["1.0.3"], false),
            ("^1", &["0.9.0"], true),
            ("^2", &["1.0.0", "1.5.0"], true),
            ("^2", &["1.0.0", "2.0.1"], false),
            ("=1.0.4", &["1.0.3"], true),
            // semver: a prerelease requirement matches only prereleases of the same x.y.z
            ("^0.20.0-dev", &["0.20.0-dev.1"], false),
            ("^0.20.0-dev", &["0.19.0-dev.3"], true),
            ("^0.20.0-dev", &["0.21.0-dev.1"], true),
        ];
        for (req, versions, is_edge) in cases {
            let ws = ws(&[
                ("a", "1.0.0", &[dep("b", Dev, Some(req))]),
                ("b", "1.0.0", &[]),
            ]);
            let edges = publish_edges(&ws, None, &published(&[("b", versions)]));
            assert_eq!(
                !edges.is_empty(),
                *is_edge,
                "req {req}, published {versions:?}"
            );
        }
    }

    //   a --normal--> a
    #[test]
    fn self_dependency_is_no_edge() {
        let ws = ws(&[(
            "a",
            "1.0.0",
            &[dep("a", Normal, Some("^1")), dep("a", Dev, Some("^1"))],
        )]);
        assert_eq!(edges_of(&ws), vec![]);
    }

    //   a --normal--> b (publish = false)
    //   c (publish = false) --normal--> a
    #[test]
    fn dependency_from_or_on_unpublishable_member_is_no_edge() {
        let ws = ws(&[
            ("a", "1.0.0", &[dep("b", Normal, Some("^1"))]),
            ("b", "1.0.0", &[]),
            ("c", "1.0.0", &[dep("a", Normal, Some("^1"))]),
        ]);
        let ws = with_publish(with_publish(ws, "b", Publish::Never), "c", Publish::Never);
        assert_eq!(edges_of(&ws), vec![]);
    }

    //   a --normal--> b (publish = ["other"])
    //   b --normal--> c
    #[test]
    fn member_restricted_to_another_registry_is_a_node_only_there() {
        let ws = ws(&[
            ("a", "1.0.0", &[dep("b", Normal, Some("^1"))]),
            ("b", "1.0.0", &[dep("c", Normal, Some("^1"))]),
            ("c", "1.0.0", &[]),
        ]);
        let ws = with_publish(ws, "b", Publish::Registries(vec!["other".to_owned()]));
        assert_eq!(publish_edges(&ws, None, &Published::new()), vec![]);
        assert_eq!(
            publish_edges(&ws, Some("other"), &Published::new()),
            vec![
                edge("a", "b", Normal, Some("^1")),
                edge("b", "c", Normal, Some("^1"))
            ]
        );
    }

    //   a --normal "^1"--> b
    //   a --normal "^1" (as `b2`)--> b     same (from, to, kind, target): one edge
    //   a --dev "^1"--> b                  another kind: its own edge
    #[test]
    fn edges_are_sorted_and_unique_per_from_to_kind_target() {
        let renamed = MemberDep {
            rename: Some("b2".to_owned()),
            ..dep("b", Normal, Some("^1"))
        };
        let ws = ws(&[
            (
                "a",
                "1.0.0",
                &[
                    dep("b", Dev, Some("^1")),
                    renamed,
                    dep("b", Normal, Some("^1")),
                ],
            ),
            ("b", "1.0.0", &[]),
        ]);
        assert_eq!(
            edges_of(&ws),
            vec![
                edge("a", "b", Normal, Some("^1")),
                edge("a", "b", Dev, Some("^1"))
            ]
        );
    }

    //   serde --normal "=1.0.228"--> serde_core --normal "=1.0.228"--> serde_derive
    //     ^                             |                                   |
    //     +------- dev "^1" ------------+------------- dev "^1" ------------+
    fn serde() -> Workspace {
        ws(&[
            (
                "serde",
                "1.0.228",
                &[dep("serde_core", Normal, Some("=1.0.228"))],
            ),
            (
                "serde_core",
                "1.0.228",
                &[
                    dep("serde_derive", Normal, Some("=1.0.228")),
                    dep("serde", Dev, Some("^1")),
                ],
            ),
            ("serde_derive", "1.0.228", &[dep("serde", Dev, Some("^1"))]),
        ])
    }

    #[test]
    fn serde_orders_when_a_published_serde_satisfies_the_dev_dependencies() {
        let ws = serde();
        let edges = publish_edges(&ws, None, &published(&[("serde", &["1.0.227"])]));
        let all = nodes(&["serde", "serde_core", "serde_derive"]);
        assert_eq!(
            waves(&all, &edges).unwrap(),
            vec![vec!["serde_derive"], vec!["serde_core"], vec!["serde"]]
        );
    }

    #[test]
    fn serde_without_published_versions_is_a_cycle_through_a_dev_dependency() {
        let ws = serde();
        let edges = publish_edges(&ws, None, &Published::new());
        let all = nodes(&["serde", "serde_core", "serde_derive"]);
        let error = waves(&all, &edges).unwrap_err();
        assert_eq!(
            error.to_string(),
            r#"publish cycle: serde -> serde_core (dependency "=1.0.228"), serde_core -> serde (dev-dependency "^1")"#
        );
        assert_eq!(
            error.hint().unwrap(),
            "remove `version` from the dev-dependency serde_core -> serde (cargo strips path-only \
             dev-dependencies when publishing), or publish a version of serde that satisfies ^1 first"
        );
    }

    //        a
    //       / \
    //      b   c
    //       \ /
    //        d
    #[test]
    fn diamond_publishes_in_three_waves() {
        let edges = vec![
            edge("a", "b", Normal, Some("^1")),
            edge("a", "c", Normal, Some("^1")),
            edge("b", "d", Normal, Some("^1")),
            edge("c", "d", Build, Some("^1")),
        ];
        assert_eq!(
            waves(&nodes(&["a", "b", "c", "d"]), &edges).unwrap(),
            vec![vec!["d"], vec!["b", "c"], vec!["a"]]
        );
    }

    //   a --> b --> c --> d          released now: a, c, d (b keeps its published version)
    #[test]
    fn waves_over_a_subset_ignore_edges_leaving_it() {
        let edges = vec![
            edge("a", "b", Normal, Some("^1")),
            edge("b", "c", Normal, Some("^1")),
            edge("c", "d", Normal, Some("^1")),
        ];
        assert_eq!(
            waves(&nodes(&["a", "c", "d"]), &edges).unwrap(),
            vec![vec!["a", "d"], vec!["c"]]
        );
    }

    #[test]
    fn no_nodes_means_no_waves() {
        assert_eq!(
            waves(&BTreeSet::new(), &[edge("a", "b", Normal, None)]).unwrap(),
            Vec::<Vec<String>>::new()
        );
    }

    //   x --> a --> b --> c
    //         ^           |
    //         +-----------+          (build, cfg(unix))
    #[test]
    fn normal_only_cycle_names_its_edges_and_says_to_split_the_code() {
        let back = Edge {
            target: Some("cfg(unix)".to_owned()),
            ..edge("c", "a", Build, Some("^1"))
        };
        let edges = vec![
            edge("x", "a", Normal, Some("^1")),
            edge("a", "b", Normal, None),
            edge("b", "c", Normal, Some("^1")),
            back,
        ];
        let error = waves(&nodes(&["a", "b", "c", "x"]), &edges).unwrap_err();
        assert_eq!(
            error.to_string(),
            r#"publish cycle: a -> b (dependency without version), b -> c (dependency "^1"), c -> a (build-dependency "^1" for cfg(unix))"#
        );
        assert_eq!(
            error.hint().unwrap(),
            "a crate cannot be published before itself: move the code that a, b, c need from each \
             other into a new crate they all depend on"
        );
    }

    //   a --> c --> b --> c   (the walk from a enters the cycle at c; it is reported from b)
    #[test]
    fn cycle_is_reported_from_its_smallest_name() {
        let edges = vec![
            edge("a", "c", Normal, Some("^1")),
            edge("c", "b", Normal, Some("^1")),
            edge("b", "c", Normal, Some("^1")),
        ];
        let error = waves(&nodes(&["a", "b", "c"]), &edges).unwrap_err();
        let order: Vec<(&str, &str)> = error
            .edges
            .iter()
            .map(|e| (e.from.as_str(), e.to.as_str()))
            .collect();
        assert_eq!(order, vec![("b", "c"), ("c", "b")]);
    }

    //   200 crates in a chain, each also depending on up to 20 earlier ones
    #[test]
    fn large_graph_layers_into_a_chain() {
        let names: Vec<String> = (0..200).map(|i| format!("c{i:03}")).collect();
        let mut edges = Vec::new();
        for i in 1..names.len() {
            for j in i.saturating_sub(20)..i {
                edges.push(edge(&names[i], &names[j], Normal, Some("^1")));
            }
        }
        let result = waves(&names.iter().cloned().collect(), &edges).unwrap();
        assert_eq!(result.len(), 200);
        assert_eq!(result[199], vec!["c199".to_owned()]);
    }
}
