//! Tests of versions from commits: bumps by cargo compatibility, new and untouched crates,
//! reverts, forced bumps and prereleases.

use super::*;

// ── versions from commits ────────────────────────────────────────────────────────────────

#[test]
fn commits_bump_stable_0_y_and_0_0_z_crates_by_cargo_compatibility() {
    let cases = [
        // current, commit, planned (None: not released)
        ("1.2.3", "feat: add x", Some("1.3.0")),
        ("1.2.3", "fix: mend x", Some("1.2.4")),
        ("1.2.3", "perf: speed x", Some("1.2.4")),
        ("1.2.3", "feat!: drop x", Some("2.0.0")),
        (
            "1.2.3",
            "fix: x\n\nBREAKING CHANGE: y is gone",
            Some("2.0.0"),
        ),
        ("1.2.3", "docs: explain x", None),
        ("0.3.1", "feat: add x", Some("0.3.2")),
        ("0.3.1", "fix: mend x", Some("0.3.2")),
        ("0.3.1", "feat!: drop x", Some("0.4.0")),
        ("0.0.4", "feat: add x", Some("0.0.5")),
        ("0.0.4", "fix: mend x", Some("0.0.5")),
        ("0.0.4", "feat!: drop x", Some("0.0.5")),
    ];
    for (current, message, planned) in cases {
        let plan = Repo::tagged(vec![member("a", current, vec![])])
            .commit(message, &["a"])
            .plan(&options())
            .unwrap();
        let got = krate(&plan, "a");
        let want = planned.unwrap_or(current);
        assert_eq!(
            (got.released, got.planned_version.to_string()),
            (planned.is_some(), want.to_owned()),
            "{current} + {message:?}"
        );
    }
}

#[test]
fn commits_reason_counts_the_commits_that_ask_for_a_bump() {
    let plan = Repo::tagged(vec![member("a", "1.0.0", vec![])])
        .commit("fix: one", &["a"])
        .commit("docs: not counted", &["a"])
        .commit("feat: two", &["a"])
        .plan(&options())
        .unwrap();
    let a = krate(&plan, "a");
    assert_eq!(
        a.reasons,
        [Reason::Commits {
            count: 2,
            bump: Bump::Minor
        }]
    );
    assert_eq!(a.bump, Bump::Minor);
    assert_eq!(
        a.commits.len(),
        2,
        "the commits the changelog lists are carried"
    );
}

#[test]
fn crate_without_a_tag_is_new_and_released_at_its_current_version() {
    let plan = Repo::new(vec![
        member("a", "0.1.0", vec![]),
        member("b", "1.0.0", vec![]),
    ])
    .tag_member("b")
    .commit("fix: mend a", &["a"])
    .plan(&options())
    .unwrap();
    let a = krate(&plan, "a");
    assert_eq!(released(&plan), ["a 0.1.0"]);
    assert_eq!(a.reasons, [Reason::New]);
    assert_eq!(
        (a.prior_tag.as_deref(), a.planned_tag.as_str()),
        (None, "a-v0.1.0")
    );
    assert_eq!(
        edits(&plan, "crates/a/Cargo.toml").package_version,
        Some(v("0.1.0"))
    );
}

#[test]
fn crate_tagged_with_no_commits_since_is_not_released() {
    let plan = Repo::tagged(vec![
        member("a", "1.0.0", vec![]),
        member("b", "1.0.0", vec![]),
    ])
    .commit("feat: only b", &["b"])
    .plan(&options())
    .unwrap();
    let a = krate(&plan, "a");
    assert_eq!(released(&plan), ["b 1.1.0"]);
    assert!(!a.released && a.reasons.is_empty() && a.changelog.is_empty());
    assert_eq!(a.planned_version, a.initial_version);
    assert_eq!(a.planned_tag, "a-v1.0.0");
    assert!(!plan.manifest_edits.contains_key("crates/a/Cargo.toml"));
}

#[test]
fn commits_before_the_tag_are_not_counted() {
    let plan = Repo::new(vec![member("a", "1.0.0", vec![])])
        .commit("feat!: redesign", &["a"])
        .commit("feat: add x", &["a"])
        .tag("v1.0.0")
        .commit("fix: mend x", &["a"])
        .plan(&options())
        .unwrap();
    let a = krate(&plan, "a");
    assert_eq!(released(&plan), ["a 1.0.1"]);
    assert_eq!(a.prior_tag.as_deref(), Some("v1.0.0"));
    assert_eq!(a.commits.len(), 1);
    assert_eq!(a.commits[0].summary, "mend x");
}

#[test]
fn revert_of_a_feature_within_the_range_cancels_it() {
    let repo = Repo::tagged(vec![member("a", "1.0.0", vec![])]).commit("feat: add x", &["a"]);
    let feat = repo.head();
    let plan = repo
        .commit(
            &format!("Revert \"feat: add x\"\n\nThis reverts commit {feat}."),
            &["a"],
        )
        .undoing(&feat)
        .plan(&options())
        .unwrap();
    assert!(!plan.has_bumps(), "{:?}", released(&plan));
    assert!(krate(&plan, "a").commits.is_empty());
    assert!(
        plan.notes.iter().all(|n| !n.contains("reverts")),
        "{:?}",
        plan.notes
    );
}

/// A message alone cannot cancel a commit: a squash-merged `fix:` that claims to revert the
/// maintainer's `feat!:` without undoing it counts as itself, the `feat!:` stays, and the plan
/// says the claim was ignored.
#[test]
fn a_revert_claimed_by_the_message_alone_cancels_nothing_and_is_noted() {
    let repo =
        Repo::tagged(vec![member("a", "1.0.0", vec![])]).commit("feat!: drop the old API", &["a"]);
    let breaking = repo.head();
    let plan = repo
        .commit(
            &format!(
                "fix: typo in docs\n\nThis reverts commit {}.",
                &breaking[..7]
            ),
            &["a"],
        )
        .plan(&options())
        .unwrap();
    assert_eq!(released(&plan), ["a 2.0.0"]);
    let summaries: Vec<&str> = krate(&plan, "a")
        .commits
        .iter()
        .map(|c| c.summary.as_str())
        .collect();
    assert_eq!(summaries, ["typo in docs", "drop the old API"]);
    let short = &plan.crates[0].commits[0].short_id;
    assert!(
        plan.notes.contains(&format!(
            "commit {short} says it reverts {}, but its changes are not the inverse of that commit's: it counts as a commit of its own, and {} stays",
            &breaking[..7],
            &breaking[..7]
        )),
        "{:?}",
        plan.notes
    );
}

// ── forced bumps and prereleases ─────────────────────────────────────────────────────────

#[test]
fn forced_bump_applies_only_to_changed_crates() {
    let plan = Repo::tagged(vec![
        member("a", "1.0.0", vec![]),
        member("b", "1.0.0", vec![]),
    ])
    .commit("chore: tidy a", &["a"])
    .plan(&PlanOptions {
        forced_bump: Some(Bump::Minor),
        ..options()
    })
    .unwrap();
    assert_eq!(released(&plan), ["a 1.1.0"]);
    assert_eq!(
        krate(&plan, "a").reasons,
        [Reason::Forced { bump: Bump::Minor }]
    );
}

#[test]
fn forced_bump_with_force_prepare_applies_to_every_crate() {
    let plan = Repo::tagged(vec![
        member("a", "1.0.0", vec![]),
        member("b", "1.0.0", vec![]),
    ])
    .commit("chore: tidy a", &["a"])
    .plan(&PlanOptions {
        forced_bump: Some(Bump::Minor),
        force_prepare: true,
        ..options()
    })
    .unwrap();
    assert_eq!(released(&plan), ["a 1.1.0", "b 1.1.0"]);
    assert_eq!(
        krate(&plan, "b").reasons,
        [Reason::Forced { bump: Bump::Minor }]
    );
}

#[test]
fn prerelease_starts_a_series_on_the_next_version() {
    let plan = Repo::tagged(vec![member("a", "1.3.0", vec![])])
        .commit("feat: add x", &["a"])
        .plan(&PlanOptions {
            prerelease: Some("rc".parse().unwrap()),
            ..options()
        })
        .unwrap();
    assert_eq!(released(&plan), ["a 1.4.0-rc.1"]);
    assert_eq!(krate(&plan, "a").planned_tag, "v1.4.0-rc.1");
}

#[test]
fn prerelease_on_a_prerelease_of_the_same_label_counts_up() {
    let plan = Repo::tagged(vec![member("a", "1.4.0-rc.1", vec![])])
        .commit("fix: mend x", &["a"])
        .plan(&PlanOptions {
            prerelease: Some("rc".parse().unwrap()),
            ..options()
        })
        .unwrap();
    assert_eq!(krate(&plan, "a").prior_tag.as_deref(), Some("v1.4.0-rc.1"));
    assert_eq!(released(&plan), ["a 1.4.0-rc.2"]);
}
