//! Tests of the publish order: which edges survive packaging, the waves, and the cycles.

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
