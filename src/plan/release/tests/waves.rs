//! Tests of the publish order: waves of released crates, dev-dependency cycles, and members
//! that are not in the plan.

use super::*;

// ── publish order ────────────────────────────────────────────────────────────────────────

/// serde's shape: the derive crate's tests use serde, serde re-exports the derive.
///
///   serde ──"1"──▶ serde_derive
///     ▲                │
///     └──dev "^1"──────┘
fn serde_like() -> Repo {
    Repo::tagged(vec![
        member("serde", "1.0.0", vec![dep("serde_derive", "1")]),
        member("serde_derive", "1.0.0", vec![dev("serde", "^1")]),
    ])
    .commit("fix: mend both", &["serde", "serde_derive"])
}

#[test]
fn dev_dependency_cycle_plans_in_waves_when_tagged_versions_are_taken_as_published() {
    let mut repo = serde_like();
    repo.assume_tagged_published = true;
    let plan = repo.plan(&options()).unwrap();
    assert_eq!(released(&plan), ["serde 1.0.1", "serde_derive 1.0.1"]);
    assert_eq!(plan.waves, [names(&["serde_derive"]), names(&["serde"])]);
    assert_eq!(krate(&plan, "serde").wave, Some(1));
    assert_eq!(plan.notes.len(), 1);
    assert!(
        plan.notes[0].contains("taken as published"),
        "{:?}",
        plan.notes
    );
}

#[test]
fn dev_dependency_cycle_plans_in_waves_when_a_published_version_satisfies_it() {
    let mut repo = serde_like();
    repo.published.insert("serde".into(), vec![v("1.0.0")]);
    let plan = repo.plan(&options()).unwrap();
    assert_eq!(plan.waves, [names(&["serde_derive"]), names(&["serde"])]);
}

#[test]
fn dev_dependency_cycle_without_published_versions_is_a_cycle() {
    let err = serde_like().plan(&options()).unwrap_err();
    assert!(matches!(err, PlanError::Cycle(_)), "{err:?}");
}

#[test]
fn dev_dependency_cycle_without_tags_is_a_cycle_even_when_assuming() {
    let mut repo = Repo::new(serde_like().ws.members);
    repo.assume_tagged_published = true;
    let err = repo.plan(&options()).unwrap_err();
    assert!(matches!(err, PlanError::Cycle(_)), "{err:?}");
}

//   a ──▶ b ──▶ c        a and c released, b not: b's published version serves
#[test]
fn waves_hold_only_released_crates_and_ignore_edges_to_unreleased_ones() {
    let plan = Repo::tagged(vec![
        member("a", "1.0.0", vec![dep("b", "1")]),
        member("b", "1.0.0", vec![dep("c", "1")]),
        member("c", "1.0.0", vec![]),
    ])
    .commit("fix: mend a", &["a"])
    .commit("fix: mend c", &["c"])
    .plan(&options())
    .unwrap();
    assert_eq!(released(&plan), ["a 1.0.1", "c 1.0.1"]);
    assert_eq!(plan.waves, [names(&["a", "c"])]);
    assert!(plan.edges.is_empty(), "{:?}", plan.edges);
    assert_eq!(krate(&plan, "b").wave, None);
}

#[test]
fn unpublishable_members_are_not_in_the_plan() {
    let plan = Repo::tagged(vec![
        member("a", "1.0.0", vec![]),
        member("b", "1.0.0", vec![]),
        Member {
            publish: Publish::Never,
            ..member("xtask", "0.1.0", vec![dependency("a", Normal, None)])
        },
    ])
    .commit("fix: mend all", &["a", "xtask"])
    .plan(&options())
    .unwrap();
    let crates: Vec<&str> = plan.crates.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(crates, ["a", "b"]);
}

#[test]
fn path_only_normal_dependency_of_a_publishable_crate_is_a_manifest_error() {
    let err = Repo::tagged(vec![
        member("a", "1.0.0", vec![dependency("b", Normal, None)]),
        member("b", "1.0.0", vec![]),
    ])
    .plan(&options())
    .unwrap_err();
    let PlanError::Manifests(problems) = &err else {
        panic!("expected a manifest problem, got {err:?}");
    };
    let found: Vec<_> = problems
        .iter()
        .map(|p| (p.member.as_str(), p.dependency.as_str(), p.kind))
        .collect();
    assert_eq!(found, [("a", "b", Normal)]);
}
