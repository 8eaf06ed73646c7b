//! Tests of dependents: requirements that a new version breaks or leaves matching, and the
//! dependents that follow.

use super::*;

// ── dependents ───────────────────────────────────────────────────────────────────────────

//   a ──"1.2"──▶ b        b: feat! → 2.0.0, which "1.2" no longer admits
#[test]
fn breaking_change_rewrites_the_dependent_requirement_and_patches_the_dependent() {
    let plan = Repo::tagged(vec![
        member("a", "1.0.0", vec![dep("b", "1.2")]),
        member("b", "1.2.0", vec![]),
    ])
    .commit("feat!: drop the old api", &["b"])
    .plan(&options())
    .unwrap();
    assert_eq!(released(&plan), ["a 1.0.1", "b 2.0.0"]);
    let a = krate(&plan, "a");
    assert_eq!(a.bump, Bump::Patch);
    assert_eq!(
        a.reasons,
        [Reason::Dependency {
            name: "b".into(),
            version: v("2.0.0")
        }]
    );
    assert_eq!(
        edits(&plan, "crates/a/Cargo.toml"),
        &ManifestEdits {
            package_version: Some(v("1.0.1")),
            deps: vec![dep_edit("b", Normal, "2.0.0")],
            ..ManifestEdits::default()
        }
    );
    assert!(
        a.changelog.contains("- update `b` to 2.0.0"),
        "{}",
        a.changelog
    );
    assert_eq!(plan.waves, [names(&["b"]), names(&["a"])]);
}

//   a ──"1.2"──▶ b ◀──"1"── c        b: 1.2.0, a fix since; 3.0.0 typed into the Release PR
#[test]
fn a_version_typed_into_the_release_pr_is_taken_as_given_and_its_dependents_follow() {
    let repo = Repo::tagged(vec![
        member("a", "1.0.0", vec![dep("b", "1.2")]),
        member("b", "1.2.0", vec![]),
        member("c", "1.0.0", vec![dep("b", "1")]),
    ])
    .commit("fix: a small thing", &["b"]);
    let typed = PlanOptions {
        given: BTreeMap::from([("b".to_owned(), v("3.0.0"))]),
        ..options()
    };
    let plan = repo.plan(&typed).unwrap();
    assert_eq!(released(&plan), ["a 1.0.1", "b 3.0.0", "c 1.0.1"]);
    let b = krate(&plan, "b");
    assert_eq!(
        b.reasons,
        [Reason::Edited {
            version: v("3.0.0")
        }]
    );
    assert_eq!(b.bump, Bump::Major);
    assert!(b.changelog.starts_with("## [3.0.0]"), "{}", b.changelog);
    assert!(b.changelog.contains("a small thing"), "{}", b.changelog);
    assert_eq!(
        edits(&plan, "crates/c/Cargo.toml").deps,
        [dep_edit("b", Normal, "3.0.0")]
    );
    // Typed as the commits ask for: nothing to say.
    assert!(
        !plan.notes.iter().any(|n| n.contains("typed into")),
        "{:?}",
        plan.notes
    );
    // Typed lower than the commits ask for: the maintainer's version still wins, and the plan
    // says what the commits ask for.
    let plan = repo
        .commit("feat!: drop the old api", &["b"])
        .plan(&PlanOptions {
            given: BTreeMap::from([("b".to_owned(), v("1.2.1"))]),
            ..options()
        })
        .unwrap();
    assert_eq!(released(&plan), ["b 1.2.1"]);
    assert!(
        plan.notes.contains(&"b 1.2.1 was typed into the Release PR, but its changes since the last release ask for 2.0.0: released at 1.2.1 as typed (type 2.0.0 to follow them)".to_owned()),
        "{:?}",
        plan.notes
    );
    // A typed version releases a crate nothing else would.
    let plan = Repo::tagged(vec![member("a", "1.0.0", vec![])])
        .plan(&PlanOptions {
            given: BTreeMap::from([("a".to_owned(), v("1.1.0"))]),
            ..options()
        })
        .unwrap();
    assert_eq!(released(&plan), ["a 1.1.0"]);
}

//   a ──build "1.2"──▶ b
#[test]
fn breaking_change_in_a_build_dependency_patches_the_dependent_too() {
    let plan = Repo::tagged(vec![
        member("a", "1.0.0", vec![dependency("b", Build, Some("1.2"))]),
        member("b", "1.2.0", vec![]),
    ])
    .commit("feat!: drop the old api", &["b"])
    .plan(&options())
    .unwrap();
    assert_eq!(released(&plan), ["a 1.0.1", "b 2.0.0"]);
    assert_eq!(
        edits(&plan, "crates/a/Cargo.toml").deps,
        [dep_edit("b", Build, "2.0.0")]
    );
}

//   a ──"1.2"──▶ b        b: feat! → 2.0.0, dependents_bump = "none"
#[test]
fn breaking_change_with_dependents_bump_none_rewrites_but_does_not_release_the_dependent() {
    let plan = Repo::tagged(vec![
        member("a", "1.0.0", vec![dep("b", "1.2")]),
        member("b", "1.2.0", vec![]),
    ])
    .commit("feat!: drop the old api", &["b"])
    .plan(&PlanOptions {
        dependents_bump: DependentsBump::None,
        ..options()
    })
    .unwrap();
    assert_eq!(released(&plan), ["b 2.0.0"]);
    assert_eq!(
        edits(&plan, "crates/a/Cargo.toml"),
        &ManifestEdits {
            deps: vec![dep_edit("b", Normal, "2.0.0")],
            ..ManifestEdits::default()
        }
    );
    assert_eq!(
        plan.notes,
        ["a's requirement on b is rewritten to admit 2.0.0, but a is not released in this plan"]
    );
}

//   a ──"1.2"──▶ b        b: feat → 1.3.0, which "1.2" still admits; a unchanged
#[test]
fn still_matching_requirement_is_left_alone_when_the_dependent_is_not_released() {
    let plan = Repo::tagged(vec![
        member("a", "1.0.0", vec![dep("b", "1.2")]),
        member("b", "1.2.0", vec![]),
    ])
    .commit("feat: add x", &["b"])
    .plan(&options())
    .unwrap();
    assert_eq!(released(&plan), ["b 1.3.0"]);
    assert!(!plan.manifest_edits.contains_key("crates/a/Cargo.toml"));
}

//   a ──"1.2"──▶ b        b: feat → 1.3.0; a: fix, released anyway
#[test]
fn still_matching_requirement_is_raised_when_the_dependent_is_released_anyway() {
    let plan = Repo::tagged(vec![
        member("a", "1.0.0", vec![dep("b", "1.2")]),
        member("b", "1.2.0", vec![]),
    ])
    .commit("feat: add x", &["b"])
    .commit("fix: mend y", &["a"])
    .plan(&options())
    .unwrap();
    assert_eq!(released(&plan), ["a 1.0.1", "b 1.3.0"]);
    assert_eq!(
        edits(&plan, "crates/a/Cargo.toml").deps,
        [dep_edit("b", Normal, "1.3.0")]
    );
}

//   a ──dev "1.2"──▶ b    b: feat → 1.3.0; a: fix, released anyway
#[test]
fn still_matching_dev_dependency_is_never_raised() {
    let plan = Repo::tagged(vec![
        member("a", "1.0.0", vec![dev("b", "1.2")]),
        member("b", "1.2.0", vec![]),
    ])
    .commit("feat: add x", &["b"])
    .commit("fix: mend y", &["a"])
    .plan(&options())
    .unwrap();
    assert_eq!(released(&plan), ["a 1.0.1", "b 1.3.0"]);
    assert!(edits(&plan, "crates/a/Cargo.toml").deps.is_empty());
}

//   a ──dev "1.2"──▶ b    b: feat! → 2.0.0
#[test]
fn broken_dev_dependency_is_rewritten_without_releasing_the_dependent() {
    let plan = Repo::tagged(vec![
        member("a", "1.0.0", vec![dev("b", "1.2")]),
        member("b", "1.2.0", vec![]),
    ])
    .commit("feat!: drop the old api", &["b"])
    .plan(&options())
    .unwrap();
    assert_eq!(released(&plan), ["b 2.0.0"]);
    assert_eq!(
        edits(&plan, "crates/a/Cargo.toml"),
        &ManifestEdits {
            deps: vec![dep_edit("b", Dev, "2.0.0")],
            ..ManifestEdits::default()
        }
    );
    assert!(plan.notes.is_empty(), "{:?}", plan.notes);
}

//   c ──"0.0.1"──▶ b ──"0.0.1"──▶ a      a: fix → 0.0.2; on 0.0.z nothing else is compatible
#[test]
fn dependents_cascade_until_nothing_changes() {
    let plan = Repo::tagged(vec![
        member("a", "0.0.1", vec![]),
        member("b", "0.0.1", vec![dep("a", "0.0.1")]),
        member("c", "0.0.1", vec![dep("b", "0.0.1")]),
    ])
    .commit("fix: mend a", &["a"])
    .plan(&options())
    .unwrap();
    assert_eq!(released(&plan), ["a 0.0.2", "b 0.0.2", "c 0.0.2"]);
    assert_eq!(
        krate(&plan, "c").reasons,
        [Reason::Dependency {
            name: "b".into(),
            version: v("0.0.2")
        }]
    );
    assert_eq!(
        edits(&plan, "crates/b/Cargo.toml").deps,
        [dep_edit("a", Normal, "0.0.2")]
    );
    assert_eq!(
        edits(&plan, "crates/c/Cargo.toml").deps,
        [dep_edit("b", Normal, "0.0.2")]
    );
    assert_eq!(plan.waves, [names(&["a"]), names(&["b"]), names(&["c"])]);
}

//   a ──workspace = true──▶ b      [workspace.dependencies] b = "1.2"; b: feat! → 2.0.0
#[test]
fn inherited_requirement_is_rewritten_in_the_root_manifest() {
    let plan = Repo::tagged(vec![
        member("a", "1.0.0", vec![inherited("b", "1.2")]),
        member("b", "1.2.0", vec![]),
    ])
    .with(|ws| {
        ws.workspace_deps
            .insert("b".into(), Some(VersionReq::parse("1.2").unwrap()));
    })
    .commit("feat!: drop the old api", &["b"])
    .plan(&options())
    .unwrap();
    assert_eq!(released(&plan), ["a 1.0.1", "b 2.0.0"]);
    assert_eq!(
        edits(&plan, "Cargo.toml"),
        &ManifestEdits {
            workspace_deps: vec![WorkspaceDepEdit {
                name: "b".into(),
                version: v("2.0.0")
            }],
            ..ManifestEdits::default()
        }
    );
    assert!(edits(&plan, "crates/a/Cargo.toml").deps.is_empty());
}
