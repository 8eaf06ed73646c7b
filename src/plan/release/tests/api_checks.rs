//! Tests of the plan with API-check facts (see release.rs and api.rs): a break raises the bump,
//! groups and dependents follow, what could not run is said, and which crates are checked.

use super::*;
use crate::plan::api::{ApiBreak, ApiCheck, Baseline, SemverChecks, candidates};

impl Repo {
    /// cargo-semver-checks found `lints` (`lint item` pairs) in `name`.
    fn api_breaks(mut self, name: &str, lints: &[(&str, &str)]) -> Repo {
        let breaks = lints
            .iter()
            .map(|(lint, item)| ApiBreak {
                lint: (*lint).into(),
                item: (*item).into(),
            })
            .collect();
        self.api.insert(name.into(), ApiCheck::Compared { breaks });
        self
    }

    fn api_not_run(mut self, name: &str, why: &str) -> Repo {
        self.api
            .insert(name.into(), ApiCheck::NotRun { why: why.into() });
        self
    }
}

#[test]
fn an_api_break_raises_a_fix_to_major_and_below_1_0_to_minor() {
    let plan = Repo::tagged(vec![
        member("stable", "1.2.3", vec![]),
        member("young", "0.3.1", vec![]),
    ])
    .commit("fix: mend both", &["stable", "young"])
    .api_breaks("stable", &[("function_missing", "stable::parse")])
    .api_breaks("young", &[("function_missing", "young::parse")])
    .plan(&options())
    .unwrap();
    assert_eq!(released(&plan), ["stable 2.0.0", "young 0.4.0"]);
    let stable = krate(&plan, "stable");
    assert_eq!(stable.bump, Bump::Major);
    assert_eq!(
        stable.reasons.last().unwrap().to_string(),
        "API break (major): function_missing: stable::parse"
    );
    assert!(
        stable.changelog.contains(
            "### Breaking changes\n\n- function_missing: `stable::parse` (cargo-semver-checks)\n"
        ),
        "{}",
        stable.changelog
    );
    assert_eq!(krate(&plan, "young").bump, Bump::Minor);
}

#[test]
fn a_compared_crate_without_breaks_keeps_the_bump_of_its_commits() {
    let plan = Repo::tagged(vec![member("a", "1.2.3", vec![])])
        .commit("fix: add a helper", &["a"])
        .api_breaks("a", &[])
        .plan(&options())
        .unwrap();
    assert_eq!(released(&plan), ["a 1.2.4"]);
    assert!(
        plan.notes.iter().all(|n| !n.contains("API")),
        "{:?}",
        plan.notes
    );
}

/// ```text
/// app ──1.0──▶ core ◀═fixed═▶ core-macros
/// ```
#[test]
fn dependents_and_the_fixed_group_follow_a_raised_bump() {
    let plan = Repo::tagged(vec![
        member("app", "1.0.0", vec![dep("core", "1.0")]),
        member("core", "1.0.0", vec![]),
        member("core-macros", "1.0.0", vec![]),
    ])
    .commit("fix: tidy core", &["core"])
    .api_breaks("core", &[("trait_missing", "core::Render")])
    .plan(&PlanOptions {
        groups: vec![group("core", &["core*"], Versioning::Fixed)],
        ..options()
    })
    .unwrap();
    assert_eq!(
        released(&plan),
        ["app 1.0.1", "core 2.0.0", "core-macros 2.0.0"]
    );
}

#[test]
fn a_forced_bump_is_not_raised_but_the_break_is_noted() {
    let plan = Repo::tagged(vec![member("a", "1.2.3", vec![])])
        .commit("fix: x", &["a"])
        .api_breaks("a", &[("function_missing", "a::parse")])
        .plan(&PlanOptions {
            forced_bump: Some(Bump::Patch),
            ..options()
        })
        .unwrap();
    assert_eq!(released(&plan), ["a 1.2.4"]);
    assert_eq!(
        plan.notes,
        ["API break in a (function_missing: a::parse), but bump_type forces patch"]
    );
}

#[test]
fn a_check_that_could_not_run_leaves_the_bump_and_says_so() {
    let plan = Repo::tagged(vec![member("a", "1.2.3", vec![])])
        .commit("fix: x", &["a"])
        .api_not_run(
            "a",
            "the baseline at tag a-v1.2.3 could not be documented: error: x",
        )
        .plan(&options())
        .unwrap();
    assert_eq!(released(&plan), ["a 1.2.4"]);
    assert_eq!(
        plan.notes,
        [
            "API check could not run for a: the baseline at tag a-v1.2.3 could not be documented: error: x. The bump comes from the commits alone."
        ]
    );
    assert!(render::text(&plan).contains("note: API check could not run for a"));
}

/// The API checks plan once before their results; results that raise no bump only add notes to
/// that plan (`api::add_notes`), which must then be the plan made with them.
#[test]
fn results_that_raise_no_bump_turn_the_plan_made_before_them_into_the_plan_made_with_them() {
    let repo = || {
        Repo::tagged(vec![
            member("a", "1.2.3", vec![]),
            member("b", "0.3.0", vec![]),
            member("c", "2.0.0", vec![]),
        ])
        .commit("fix: mend", &["a", "b", "c"])
    };
    /// What the case is, the results it adds, and the forced bump.
    type Case = (&'static str, fn(Repo) -> Repo, Option<Bump>);
    let cases: [Case; 3] = [
        (
            "not run, twice the same reason",
            |r| {
                r.api_not_run("a", "not installed")
                    .api_not_run("b", "not installed")
            },
            None,
        ),
        (
            "compared, no break; not run",
            |r| r.api_breaks("a", &[]).api_not_run("c", "no baseline"),
            None,
        ),
        (
            "a break a forced bump keeps",
            |r| r.api_breaks("a", &[("function_missing", "a::parse")]),
            Some(Bump::Patch),
        ),
    ];
    for (case, results, forced_bump) in cases {
        let options = PlanOptions {
            forced_bump,
            ..options()
        };
        let with = results(repo()).plan(&options).unwrap();
        let mut before = repo().plan(&options).unwrap();
        assert_eq!(before.notes.len() + 1, with.notes.len(), "{case}");
        crate::plan::api::add_notes(&mut before, &results(repo()).api, forced_bump.is_some());
        assert_eq!(before, with, "{case}");
    }
}

#[test]
fn only_released_crates_below_the_breaking_level_with_a_previous_release_are_checked() {
    let mut repo = Repo::new(vec![
        member("fresh", "0.1.0", vec![]),
        member("patch", "1.0.0", vec![]),
        member("major", "1.0.0", vec![]),
        member("quiet", "1.0.0", vec![]),
        member("tiny", "0.0.3", vec![]),
        member("off", "1.0.0", vec![]),
        member("bin", "1.0.0", vec![]),
        member("untagged", "2.0.0", vec![]),
    ]);
    for name in ["patch", "major", "quiet", "tiny", "off", "bin"] {
        repo = repo.tag_member(name);
    }
    repo.published.insert("untagged".into(), vec![v("2.0.0")]);
    let repo = repo.commit(
        "fix: everything",
        &["fresh", "patch", "tiny", "off", "bin", "untagged"],
    );
    let repo = repo.commit("feat!: redesign", &["major"]);
    let plan = repo.plan(&options()).unwrap();
    let mode = |name: &str| {
        if name == "off" {
            SemverChecks::Off
        } else {
            SemverChecks::Auto
        }
    };
    let todo = candidates(&plan, &repo.tags, |n| n != "bin", mode, &ApiChecks::new());
    let tag = repo.tags.iter().find(|t| t.name == "patch-v1.0.0").unwrap();
    assert_eq!(
        todo.iter()
            .map(|c| (c.name.as_str(), c.baseline.clone()))
            .collect::<Vec<_>>(),
        [
            (
                "patch",
                Baseline::Tag {
                    tag: "patch-v1.0.0".into(),
                    commit: tag.commit.clone()
                }
            ),
            (
                "untagged",
                Baseline::Registry {
                    version: v("2.0.0")
                }
            ),
        ]
    );
    let done = ApiChecks::from([("patch".into(), ApiCheck::Compared { breaks: Vec::new() })]);
    let todo = candidates(&plan, &repo.tags, |_| true, mode, &done);
    assert_eq!(
        todo.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
        ["bin", "untagged"]
    );
}
