//! Tests of shared versions, groups (fixed, independent, `--group`) and tag formats.

use super::*;

// ── shared versions and groups ───────────────────────────────────────────────────────────

#[test]
fn members_inheriting_the_workspace_version_move_together_with_the_highest_bump() {
    let plan = Repo::tagged(vec![
        member("a", "1.0.0", vec![]),
        member("b", "1.0.0", vec![]),
        member("c", "1.0.0", vec![]),
        member("d", "1.0.0", vec![]),
    ])
    .with(|ws| {
        ws.workspace_version = Some(v("1.0.0"));
        for m in ws.members.iter_mut().filter(|m| m.name != "d") {
            m.version_from_workspace = true;
        }
    })
    .commit("fix: mend a", &["a"])
    .commit("feat: add to b", &["b"])
    .plan(&options())
    .unwrap();
    assert_eq!(released(&plan), ["a 1.1.0", "b 1.1.0", "c 1.1.0"]);
    assert_eq!(krate(&plan, "a").bump, Bump::Minor);
    assert_eq!(
        krate(&plan, "c").reasons,
        [Reason::Fixed { with: "a".into() }]
    );
    assert_eq!(
        plan.manifest_edits,
        BTreeMap::from([(
            "Cargo.toml".to_owned(),
            ManifestEdits {
                workspace_package_version: Some(v("1.1.0")),
                ..ManifestEdits::default()
            }
        )])
    );
}

//   a, b: version.workspace = true, 1.0.0; a was released as a-v1.0.0, b is added untagged.
//   b is new and goes out at 1.0.0; the shared version does not move, so a has nothing to
//   release (re-releasing it would plan the existing tag a-v1.0.0 again and replace a's 1.0.0
//   changelog section with "released together with `b`").
#[test]
fn new_member_of_a_shared_version_family_does_not_re_release_the_others() {
    let plan = Repo::new(vec![
        member("a", "1.0.0", vec![]),
        member("b", "1.0.0", vec![]),
    ])
    .with(|ws| {
        ws.workspace_version = Some(v("1.0.0"));
        for m in &mut ws.members {
            m.version_from_workspace = true;
        }
    })
    .tag("a-v1.0.0")
    .commit("chore: add b", &["b"])
    .plan(&options())
    .unwrap();
    assert_eq!(released(&plan), ["b 1.0.0"]);
}

fn core_family() -> Repo {
    Repo::tagged(vec![
        member("core", "1.2.0", vec![]),
        member("core-macros", "1.1.5", vec![]),
        member("other", "1.0.0", vec![]),
    ])
    .commit("feat: add x", &["core"])
}

#[test]
fn fixed_group_gives_every_member_the_highest_bump_and_one_version() {
    let plan = core_family()
        .plan(&PlanOptions {
            groups: vec![group("core", &["core*"], Versioning::Fixed)],
            ..options()
        })
        .unwrap();
    assert_eq!(released(&plan), ["core 1.3.0", "core-macros 1.3.0"]);
    let macros = krate(&plan, "core-macros");
    assert_eq!(macros.bump, Bump::Minor);
    assert_eq!(
        macros.reasons,
        [Reason::Fixed {
            with: "core".into()
        }]
    );
    assert_eq!(macros.group.as_deref(), Some("core"));
    assert_eq!(macros.planned_tag, "core-macros-v1.3.0");
}

#[test]
fn independent_group_releases_only_the_changed_member() {
    let plan = core_family()
        .plan(&PlanOptions {
            groups: vec![group("core", &["core*"], Versioning::Independent)],
            ..options()
        })
        .unwrap();
    assert_eq!(released(&plan), ["core 1.3.0"]);
}

#[test]
fn group_option_releases_only_that_groups_members() {
    let plan = Repo::tagged(vec![
        member("a", "1.0.0", vec![]),
        member("b", "1.0.0", vec![]),
        member("c", "1.0.0", vec![]),
    ])
    .commit("fix: mend all", &["a", "b", "c"])
    .plan(&PlanOptions {
        group: Some("g1".into()),
        groups: vec![
            group("g1", &["a"], Versioning::Independent),
            group("g2", &["b"], Versioning::Independent),
        ],
        ..options()
    })
    .unwrap();
    assert_eq!(released(&plan), ["a 1.0.1"]);
    assert_eq!(
        plan.manifest_edits.keys().collect::<Vec<_>>(),
        ["crates/a/Cargo.toml"]
    );
}

//   a (group g1) ──"1.2"──▶ b (group g2)      b: feat! → 2.0.0; the plan is for g1 only
#[test]
fn group_option_does_not_release_a_member_for_a_dependency_it_leaves_unreleased() {
    let plan = Repo::tagged(vec![
        member("a", "1.0.0", vec![dep("b", "1.2")]),
        member("b", "1.2.0", vec![]),
    ])
    .commit("feat!: drop the old api", &["b"])
    .plan(&PlanOptions {
        group: Some("g1".into()),
        groups: vec![
            group("g1", &["a"], Versioning::Independent),
            group("g2", &["b"], Versioning::Independent),
        ],
        ..options()
    })
    .unwrap();
    // Today: a 1.0.1 "dependency b → 2.0.0", changelog "update `b` to 2.0.0", and no edit of
    // a's requirement on b, because b stays at 1.2.0 in this plan.
    assert_eq!(released(&plan), Vec::<String>::new());
}

#[test]
fn unknown_group_option_is_an_error_listing_the_configured_groups() {
    let err = Repo::tagged(vec![member("a", "1.0.0", vec![])])
        .plan(&PlanOptions {
            group: Some("nope".into()),
            groups: vec![group("g1", &["a"], Versioning::Independent)],
            ..options()
        })
        .unwrap_err();
    assert_eq!(
        err,
        PlanError::UnknownGroup {
            group: "nope".into(),
            known: names(&["g1"])
        }
    );
}

#[test]
fn overlapping_group_globs_are_an_error_naming_the_crate_and_both_groups() {
    let err = Repo::tagged(vec![
        member("serde", "1.0.0", vec![]),
        member("serde_json", "1.0.0", vec![]),
    ])
    .plan(&PlanOptions {
        groups: vec![
            group("g1", &["serde*"], Versioning::Independent),
            group("g2", &["serde_json"], Versioning::Independent),
        ],
        ..options()
    })
    .unwrap_err();
    assert_eq!(
        err,
        PlanError::GroupOverlap {
            name: "serde_json".into(),
            first: "g1".into(),
            second: "g2".into()
        }
    );
}

#[test]
fn group_glob_matching_no_crate_is_an_error() {
    let err = Repo::tagged(vec![member("serde", "1.0.0", vec![])])
        .plan(&PlanOptions {
            groups: vec![group("rt", &["tokio*"], Versioning::Independent)],
            ..options()
        })
        .unwrap_err();
    assert_eq!(
        err,
        PlanError::GroupPattern {
            group: "rt".into(),
            pattern: "tokio*".into()
        }
    );
}

// ── tags ─────────────────────────────────────────────────────────────────────────────────

#[test]
fn tags_default_to_name_dash_v_version() {
    let plan = Repo::tagged(vec![
        member("a", "1.0.0", vec![]),
        member("b", "1.0.0", vec![]),
    ])
    .commit("feat: add x", &["a"])
    .plan(&options())
    .unwrap();
    let a = krate(&plan, "a");
    assert_eq!(
        (a.prior_tag.as_deref(), a.planned_tag.as_str()),
        (Some("a-v1.0.0"), "a-v1.1.0")
    );
}

#[test]
fn single_publishable_crate_is_tagged_v_version() {
    let plan = Repo::new(vec![
        member("a", "1.0.0", vec![]),
        Member {
            publish: Publish::Never,
            ..member("xtask", "0.0.0", vec![])
        },
    ])
    .tag("v1.0.0")
    .commit("fix: mend x", &["a"])
    .plan(&options())
    .unwrap();
    let a = krate(&plan, "a");
    assert_eq!(
        (a.prior_tag.as_deref(), a.planned_tag.as_str()),
        (Some("v1.0.0"), "v1.0.1")
    );
}

#[test]
fn group_tag_format_names_and_finds_its_members_tags() {
    let plan = Repo::new(vec![
        member("a", "1.0.0", vec![]),
        member("b", "1.0.0", vec![]),
    ])
    .tag("a@1.0.0")
    .tag("a-v9.0.0")
    .tag_member("b")
    .commit("fix: mend both", &["a", "b"])
    .plan(&PlanOptions {
        groups: vec![GroupSpec {
            tag_format: Some("{name}@{version}".into()),
            ..group("g", &["a"], Versioning::Independent)
        }],
        ..options()
    })
    .unwrap();
    let tags = |name| {
        let c = krate(&plan, name);
        (c.prior_tag.clone(), c.planned_tag.clone())
    };
    assert_eq!(tags("a"), (Some("a@1.0.0".into()), "a@1.0.1".into()));
    assert_eq!(tags("b"), (Some("b-v1.0.0".into()), "b-v1.0.1".into()));
}

#[test]
fn tag_format_without_name_on_a_fixed_group_is_fine() {
    let plan = Repo::new(vec![
        member("core", "1.2.0", vec![]),
        member("core-macros", "1.1.5", vec![]),
    ])
    .tag("v1.2.0")
    .commit("feat: add x", &["core"])
    .plan(&PlanOptions {
        groups: vec![GroupSpec {
            tag_format: Some("v{version}".into()),
            ..group("core", &["core*"], Versioning::Fixed)
        }],
        ..options()
    })
    .unwrap();
    assert_eq!(krate(&plan, "core-macros").planned_tag, "v1.3.0");
}

#[test]
fn tag_format_without_name_on_two_independent_crates_is_an_error() {
    let err = Repo::tagged(vec![
        member("a", "1.0.0", vec![]),
        member("b", "1.0.0", vec![]),
    ])
    .plan(&PlanOptions {
        tag_format: Some("v{version}".into()),
        ..options()
    })
    .unwrap_err();
    assert_eq!(
        err,
        PlanError::TagFormatNeedsName {
            format: "v{version}".into(),
            crates: names(&["a", "b"])
        }
    );
}
