use super::*;

fn edge(from: &str, to: &str, kind: DepKind) -> Edge {
    Edge {
        from: from.into(),
        to: to.into(),
        kind,
        target: None,
        req: Some("^1".into()),
        optional: false,
    }
}

fn target(name: &str) -> YankTarget {
    YankTarget {
        name: name.into(),
        version: Version::new(1, 2, 0),
        tag: Some(format!("{name}-v1.2.0")),
        release_only: false,
        explicit: false,
    }
}

fn pair(name: &str, version: &str) -> YankTarget {
    YankTarget {
        version: Version::parse(version).unwrap(),
        explicit: true,
        ..target(name)
    }
}

fn listed(entries: &[(&str, &str, bool)]) -> BTreeMap<String, Vec<(Version, bool)>> {
    let mut out: BTreeMap<String, Vec<(Version, bool)>> = BTreeMap::new();
    for (name, version, yanked) in entries {
        out.entry((*name).into())
            .or_default()
            .push((Version::parse(version).unwrap(), *yanked));
    }
    out
}

fn order(plan: &YankPlan) -> Vec<(&str, YankAction)> {
    plan.crates
        .iter()
        .map(|c| (c.name.as_str(), c.action))
        .collect()
}

//   core ◀── util ◀── app      (app dev-depends on testkit, testkit on app: no order)
#[test]
fn dependents_are_yanked_before_their_dependencies_and_undone_the_other_way() {
    let targets: Vec<YankTarget> = ["app", "core", "testkit", "util"].map(target).to_vec();
    let edges = vec![
        edge("util", "core", DepKind::Normal),
        edge("app", "util", DepKind::Build),
        edge("app", "testkit", DepKind::Dev),
        edge("testkit", "app", DepKind::Dev),
    ];
    let index = listed(&[
        ("core", "1.2.0", false),
        ("util", "1.2.0", false),
        ("app", "1.2.0", false),
        ("testkit", "1.1.0", false),
        ("testkit", "1.2.0", false),
    ]);
    let yank = YankPlan::new(&targets, &edges, &index, false).unwrap();
    let names: Vec<&str> = yank.crates.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["app", "util", "testkit", "core"]);
    assert!(yank.crates.iter().all(|c| c.action == YankAction::Change));
    let undo = YankPlan::new(&targets, &edges, &index, true).unwrap();
    let names: Vec<&str> = undo.crates.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["core", "testkit", "util", "app"]);
    assert!(
        undo.crates
            .iter()
            .all(|c| c.action == YankAction::AlreadyDone)
    );
}

#[test]
fn what_the_index_shows_already_is_kept_so_a_rerun_converges() {
    let targets = vec![target("a"), target("b"), target("c")];
    let index = listed(&[
        ("a", "1.2.0", true),
        ("b", "1.2.0", false),
        ("c", "1.0.0", false),
    ]);
    let plan = YankPlan::new(&targets, &[], &index, false).unwrap();
    assert_eq!(
        order(&plan),
        [
            ("c", YankAction::NotInRegistry),
            ("b", YankAction::Change),
            ("a", YankAction::AlreadyDone)
        ]
    );
    let undo = YankPlan::new(&targets, &[], &index, true).unwrap();
    assert_eq!(
        order(&undo),
        [
            ("a", YankAction::Change),
            ("b", YankAction::AlreadyDone),
            ("c", YankAction::NotInRegistry)
        ]
    );
}

/// A release-only crate is never yanked, whatever the registry holds under its name.
#[test]
fn a_release_only_crate_is_never_yanked_from_the_registry() {
    let mut cli = target("cli");
    cli.release_only = true;
    let targets = vec![target("core"), cli];
    let edges = vec![edge("cli", "core", DepKind::Normal)];
    let index = listed(&[("core", "1.2.0", false), ("cli", "1.2.0", false)]);
    let plan = YankPlan::new(&targets, &edges, &index, false).unwrap();
    assert_eq!(
        order(&plan),
        [
            ("cli", YankAction::ReleaseOnly),
            ("core", YankAction::Change)
        ]
    );
    let undo = YankPlan::new(&targets, &edges, &index, true).unwrap();
    assert_eq!(
        order(&undo),
        [
            ("core", YankAction::AlreadyDone),
            ("cli", YankAction::ReleaseOnly)
        ]
    );
}

/// Regression: `--crate app@9.9.9` (a typo) was "not in the registry: nothing to do", exit 0.
#[test]
fn a_pair_named_on_the_command_line_that_the_index_does_not_list_is_refused() {
    let index = listed(&[("app", "0.1.0", false), ("app", "0.1.1", true)]);
    let targets = [
        pair("app", "9.9.9"),
        pair("core", "1.0.0"),
        pair("app", "0.1.1"),
    ];
    let err = YankPlan::new(&targets, &[], &index, false).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the registry's index does not list app@9.9.9 (it lists 0.1.0, 0.1.1); \
         core@1.0.0 (it lists no version of core)"
    );
    assert!(err.hint().unwrap().contains("nothing was changed"));
    // A Release PR's crate may simply not be published yet: a note, not an error.
    let from_pr = [target("core")];
    let plan = YankPlan::new(&from_pr, &[], &index, false).unwrap();
    assert_eq!(order(&plan), [("core", YankAction::NotInRegistry)]);
    // Released without publishing: the registry is not asked about it at all.
    let mut cli = pair("cli", "1.0.0");
    cli.release_only = true;
    let plan = YankPlan::new(&[cli], &[], &index, false).unwrap();
    assert_eq!(order(&plan), [("cli", YankAction::ReleaseOnly)]);
}

#[test]
fn command_line_names_are_matched_to_members_as_the_registry_compares_them() {
    let members = ["my-app", "core_util"];
    let v = Version::new(1, 0, 0);
    let pairs = vec![
        ("My_App".to_owned(), v.clone()),
        ("core-UTIL".to_owned(), v.clone()),
    ];
    assert_eq!(
        workspace_pairs(&pairs, members).unwrap(),
        [
            ("my-app".to_owned(), v.clone()),
            ("core_util".to_owned(), v.clone())
        ]
    );
    let strangers = vec![("serde".to_owned(), v.clone()), ("my-app".to_owned(), v)];
    let err = workspace_pairs(&strangers, members).unwrap_err();
    assert_eq!(
        err.to_string(),
        "--crate serde: not a member of this workspace"
    );
    assert_eq!(
        err.hint().unwrap(),
        "yank rolls back this workspace's releases only; its members are core_util, my-app; \
         nothing was changed"
    );
}

/// Regression: outcomes were looked up by name alone, so with `app@1.2.3` kept and
/// `app@1.2.4` yanked the release of 1.2.4 was left unmarked (and the other way round a
/// release not yanked was marked).
#[test]
fn two_versions_of_one_crate_each_decide_their_own_release_mark() {
    let index = listed(&[("app", "1.2.3", true), ("app", "1.2.4", false)]);
    let targets = [pair("app", "1.2.3"), pair("app", "1.2.4")];
    let plan = YankPlan::new(&targets, &[], &index, false).unwrap();
    let actions: Vec<(String, YankAction)> = (plan.crates.iter())
        .map(|c| (c.version.to_string(), c.action))
        .collect();
    assert_eq!(
        actions,
        [
            ("1.2.3".to_owned(), YankAction::AlreadyDone),
            ("1.2.4".to_owned(), YankAction::Change)
        ]
    );
    let outcome = |version: &str, outcome| CrateOutcome {
        name: "app".into(),
        version: Version::parse(version).unwrap(),
        outcome,
    };
    let mut report = YankReport {
        crates: vec![
            outcome("1.2.3", YankOutcome::Kept),
            outcome("1.2.4", YankOutcome::Done),
        ],
        ..YankReport::default()
    };
    assert!(plan.crates.iter().all(|c| report.settled(c)));
    report.crates[1].outcome = YankOutcome::Failed {
        reason: "403".into(),
    };
    let settled: Vec<bool> = plan.crates.iter().map(|c| report.settled(c)).collect();
    assert_eq!(settled, [true, false]);
    assert_eq!(report.left(), ["app 1.2.4"]);
}

/// Regression: a GitHub Release that could not be marked left the run "done", exit 0.
#[test]
fn a_release_that_could_not_be_marked_leaves_the_yank_unfinished() {
    let mut report = YankReport {
        crates: vec![CrateOutcome {
            name: "app".into(),
            version: Version::new(0, 1, 1),
            outcome: YankOutcome::Done,
        }],
        releases: vec![("app-v0.1.1".into(), ReleaseMark::Marked)],
        releases_skipped: None,
    };
    assert!(report.left().is_empty());
    report.releases.push((
        "core-v0.1.1".into(),
        ReleaseMark::Failed {
            reason: "GitHub answered 403".into(),
        },
    ));
    report
        .releases
        .push(("util-v0.1.1".into(), ReleaseMark::NoRelease));
    assert_eq!(report.left(), ["the GitHub Release core-v0.1.1"]);
}
