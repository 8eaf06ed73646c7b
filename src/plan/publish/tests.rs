//! The publish plan from facts alone: no registry, no cargo.

use super::preflight::{DepFacts, PackageFacts};
use super::*;

use crate::plan::graph::test_edge as edge;

/// A crate at 1.0.0; `listed` versions in the index (none: a new crate).
fn krate(name: &str, listed: &[&str]) -> CrateFacts {
    CrateFacts::listed(name, "1.0.0", listed)
}

fn package(name: &str) -> PackageFacts {
    PackageFacts::complete(name)
}

fn token() -> Auth {
    Auth::Token {
        variable: "CARGO_REGISTRY_TOKEN".into(),
    }
}

struct Facts {
    registry: Option<&'static str>,
    crates: Vec<CrateFacts>,
    edges: Vec<Edge>,
    packages: Vec<PackageFacts>,
    auth: Auth,
}

impl Facts {
    fn new(crates: Vec<CrateFacts>, edges: Vec<Edge>) -> Facts {
        let packages = crates.iter().map(|c| package(&c.name)).collect();
        Facts {
            registry: Some("internal"),
            crates,
            edges,
            packages,
            auth: token(),
        }
    }

    fn crates_io(mut self) -> Facts {
        self.registry = None;
        self
    }

    fn plan(&self) -> PublishPlan {
        self.try_plan().unwrap()
    }

    fn facts(&self) -> PublishFacts<'_> {
        PublishFacts {
            registry: self.registry,
            crates: &self.crates,
            edges: &self.edges,
            packages: &self.packages,
            concurrency: 0,
            auth: self.auth.clone(),
            lockfile: Lockfile::Present,
            owners: &[],
            api: Some("https://registry.example"),
            index: "https://index.example/",
            release_only: &[],
        }
    }

    fn try_plan(&self) -> Result<PublishPlan, CycleError> {
        PublishPlan::new(&self.facts())
    }
}

fn actions(plan: &PublishPlan) -> Vec<(&str, Action)> {
    plan.crates
        .iter()
        .map(|c| (c.name.as_str(), c.action.clone()))
        .collect()
}

fn upload(wave: usize) -> Action {
    Action::Upload { wave }
}

fn blocked(by: &str) -> Action {
    Action::Blocked { by: by.to_owned() }
}

//   core ◀── util ◀── app          core 1.0.0 is in the index already
#[test]
fn a_crate_the_index_lists_is_skipped_and_its_dependents_start_in_the_first_wave() {
    let plan = Facts::new(
        vec![
            krate("core", &["0.9.0", "1.0.0"]),
            krate("util", &["0.9.0"]),
            krate("app", &[]),
        ],
        vec![edge("util", "core"), edge("app", "util")],
    )
    .plan();
    assert_eq!(
        actions(&plan),
        vec![
            ("core", Action::Skip),
            ("util", upload(1)),
            ("app", upload(2))
        ]
    );
    assert_eq!(plan.waves, vec![vec!["util"], vec!["app"]]);
    assert_eq!(plan.skipped(), ["core".to_owned()].into());
    assert_eq!(
        plan.crates.iter().map(|c| c.new).collect::<Vec<_>>(),
        [false, false, true]
    );
    assert_eq!(plan.problems, vec![]);
}

//   core ◀── util ◀── app        other
//   util has no description: it and app are blocked by util; core and other go
#[test]
fn a_crate_with_a_problem_blocks_itself_and_its_dependents_only() {
    let mut facts = Facts::new(
        vec![
            krate("core", &[]),
            krate("util", &[]),
            krate("app", &[]),
            krate("other", &[]),
        ],
        vec![edge("util", "core"), edge("app", "util")],
    );
    facts.packages[1].description = false;
    let plan = facts.plan();
    assert_eq!(
        actions(&plan),
        vec![
            ("core", upload(1)),
            ("util", blocked("util")),
            ("app", blocked("util")),
            ("other", upload(1)),
        ]
    );
    assert_eq!(plan.problems.len(), 1);
    assert_eq!(
        plan.problems[0].to_string(),
        "util (crates/util/Cargo.toml) has no description"
    );
}

#[test]
fn problems_cargo_finds_later_block_the_same_way() {
    let mut plan = Facts::new(
        vec![krate("core", &[]), krate("util", &[])],
        vec![edge("util", "core")],
    )
    .plan();
    plan.add_problems(vec![Problem::TooLarge {
        krate: "core".into(),
        bytes: 11 << 20,
    }]);
    assert_eq!(
        actions(&plan),
        vec![("core", blocked("core")), ("util", blocked("core"))]
    );
    // A failed build stops the release without naming a crate.
    plan.add_problems(vec![Problem::Build {
        command: "cargo build --release --workspace".into(),
        output: "error[E0425]".into(),
    }]);
    assert_eq!(plan.problems.len(), 2);
    assert_eq!(plan.crates[1].action, blocked("core"));
}

#[test]
fn manifests_of_skipped_crates_are_not_checked() {
    let mut facts = Facts::new(vec![krate("core", &["1.0.0"])], vec![]);
    facts.packages[0].deps.push(DepFacts {
        name: "anything".into(),
        dev: false,
        wildcard: true,
        path: false,
    });
    assert_eq!(facts.plan().problems, vec![]);
}

#[test]
fn no_token_and_no_trusted_publishing_is_a_problem_of_the_whole_release() {
    let mut facts = Facts::new(vec![krate("core", &["0.1.0"])], vec![]);
    facts.auth = Auth::Missing {
        variable: "CARGO_REGISTRIES_INTERNAL_TOKEN".into(),
    };
    let plan = facts.plan();
    assert_eq!(
        plan.problems,
        vec![Problem::NoToken {
            variable: "CARGO_REGISTRIES_INTERNAL_TOKEN".into()
        }]
    );
    assert_eq!(plan.crates[0].action, upload(1));
}

//   core (published before) ◀── fresh (new)        lone (published before)
#[test]
fn trusted_publishing_cannot_create_crates_so_new_ones_and_their_dependents_are_blocked() {
    let mut facts = Facts::new(
        vec![
            krate("fresh", &[]),
            krate("core", &["0.1.0"]),
            krate("lone", &["0.1.0"]),
        ],
        vec![edge("core", "fresh")],
    );
    facts.auth = Auth::Trusted {
        variable: "CARGO_REGISTRY_TOKEN".into(),
    };
    let plan = facts.plan();
    assert_eq!(
        plan.problems,
        vec![Problem::NewCratesNeedToken {
            crates: vec!["fresh".into()],
            variable: "CARGO_REGISTRY_TOKEN".into()
        }]
    );
    assert_eq!(
        actions(&plan),
        vec![
            ("fresh", blocked("fresh")),
            ("core", blocked("fresh")),
            ("lone", upload(1))
        ]
    );
    // Only versions of existing crates: trusted publishing is enough.
    facts.crates.remove(0);
    facts.edges.clear();
    assert_eq!(facts.plan().problems, vec![]);
}

#[test]
fn a_registry_without_an_api_can_take_no_upload() {
    let facts = Facts::new(vec![krate("core", &[]), krate("old", &["1.0.0"])], vec![]);
    let plan = PublishPlan::new(&PublishFacts {
        api: None,
        ..facts.facts()
    })
    .unwrap();
    assert_eq!(
        plan.problems,
        vec![Problem::NoApi {
            index: "https://index.example/".into()
        }]
    );
    // Nothing to upload: nothing to complain about.
    let skipped = Facts::new(vec![krate("old", &["1.0.0"])], vec![]);
    let plan = PublishPlan::new(&PublishFacts {
        api: None,
        ..skipped.facts()
    })
    .unwrap();
    assert_eq!(plan.problems, vec![]);
}

#[test]
fn new_crates_beyond_crates_io_burst_are_paced_ten_minutes_apart() {
    let crates: Vec<CrateFacts> = (1..=7).map(|i| krate(&format!("c{i}"), &[])).collect();
    let plan = Facts::new(crates, vec![]).crates_io().plan();
    let paced: Vec<Option<u64>> = plan.crates.iter().map(|c| c.paced_secs).collect();
    assert_eq!(paced, [None, None, None, None, None, Some(600), Some(1200)]);
    assert_eq!(
        plan.pacing,
        Some(Pacing {
            new_crates: 7,
            new_versions: 0,
            least_secs: 1200
        })
    );
}

#[test]
fn new_versions_use_their_own_bucket_and_the_estimate_is_the_slower_bucket() {
    let mut crates: Vec<CrateFacts> = (0..32)
        .map(|i| krate(&format!("v{i}"), &["0.1.0"]))
        .collect();
    crates.extend((0..6).map(|i| krate(&format!("n{i}"), &[])));
    let plan = Facts::new(crates, vec![]).crates_io().plan();
    let pacing = plan.pacing.clone().unwrap();
    assert_eq!((pacing.new_crates, pacing.new_versions), (6, 32));
    // 6th new crate after 10 min; 31st and 32nd versions after 1 and 2 min: the crates bucket
    // decides.
    assert_eq!(pacing.least_secs, 600);
    let paced = |prefix: &str| -> Vec<u64> {
        let mut secs: Vec<u64> = plan
            .crates
            .iter()
            .filter(|c| c.name.starts_with(prefix))
            .filter_map(|c| c.paced_secs)
            .collect();
        secs.sort();
        secs
    };
    assert_eq!(paced("v"), [60, 120]);
    assert_eq!(paced("n"), [600]);
}

#[test]
fn a_private_registry_is_not_paced_and_gets_more_uploads_at_once() {
    let crates: Vec<CrateFacts> = (1..=7).map(|i| krate(&format!("c{i}"), &[])).collect();
    let facts = Facts::new(crates, vec![]);
    let plan = facts.plan();
    assert_eq!(plan.pacing, None);
    assert!(plan.crates.iter().all(|c| c.paced_secs.is_none()));
    assert_eq!(plan.concurrency, automatic_concurrency(false));
    assert_eq!(
        facts.crates_io().plan().concurrency,
        automatic_concurrency(true)
    );
    assert!(automatic_concurrency(true) < automatic_concurrency(false));
}

//   a ──▶ b ──▶ a
#[test]
fn a_cycle_among_uploads_is_an_error_but_not_through_a_skipped_crate() {
    let cycle = vec![edge("a", "b"), edge("b", "a")];
    let facts = Facts::new(vec![krate("a", &[]), krate("b", &[])], cycle.clone());
    assert!(facts.try_plan().is_err());
    let facts = Facts::new(vec![krate("a", &[]), krate("b", &["1.0.0"])], cycle);
    assert_eq!(
        actions(&facts.plan()),
        vec![("a", upload(1)), ("b", Action::Skip)]
    );
}

#[test]
fn the_plan_serialises_for_publish_json() {
    let mut facts = Facts::new(
        vec![krate("core", &["0.1.0"]), krate("app", &[])],
        vec![edge("app", "core")],
    )
    .crates_io();
    facts.packages[1].license = false;
    let plan = facts.plan();
    insta::assert_json_snapshot!(plan);
}

//   core, and cli: `release = true` on a `publish = false` crate
#[test]
fn a_release_only_crate_is_listed_and_never_uploaded() {
    let facts = Facts::new(vec![krate("core", &[])], vec![]).crates_io();
    let cli = [ReleaseOnly {
        name: "cli".into(),
        version: Version::new(0, 1, 0),
    }];
    let plan = PublishPlan::new(&PublishFacts {
        release_only: &cli,
        ..facts.facts()
    })
    .unwrap();
    assert_eq!(actions(&plan), vec![("core", upload(1))]);
    assert_eq!(plan.waves, vec![vec!["core"]]);
    assert_eq!(plan.release_only, cli);
    let json = serde_json::to_value(&plan).unwrap();
    assert_eq!(json["release_only"][0]["name"], "cli");
    assert!(
        (json["crates"].as_array().unwrap().iter()).all(|c| c["name"] != "cli"),
        "{json}"
    );
}
