//! Every publish report as a person reads it, one snapshot per scenario.

use super::*;
use crate::plan::publish::{
    Auth, CrateFacts, CrateOutcome, Lockfile, PackageFacts, Problem, PublishFacts, ReleaseOnly,
};

use crate::plan::graph::test_edge as edge;

fn krate(name: &str, version: &str, listed: &[&str]) -> CrateFacts {
    CrateFacts::listed(name, version, listed)
}

fn package(name: &str) -> PackageFacts {
    PackageFacts::complete(name)
}

/// ```text
///   serde-core (1.0.3 in the index) ◀── serde ◀── serde-json
///   derive-a … derive-f: six new crates (the sixth waits for crates.io's limit)
/// ```
fn plan(registry: Option<&str>, lockfile: Lockfile, owners: &[String]) -> PublishPlan {
    let mut crates = vec![
        krate("serde-core", "1.0.3", &["1.0.2", "1.0.3"]),
        krate("serde", "1.0.3", &["1.0.2"]),
        krate("serde-json", "1.1.0", &["1.0.0"]),
    ];
    crates.extend(
        ["a", "b", "c", "d", "e", "f"].map(|x| krate(&format!("derive-{x}"), "0.1.0", &[])),
    );
    let packages: Vec<PackageFacts> = crates.iter().map(|c| package(&c.name)).collect();
    let edges = vec![edge("serde", "serde-core"), edge("serde-json", "serde")];
    PublishPlan::new(&PublishFacts {
        registry,
        crates: &crates,
        edges: &edges,
        packages: &packages,
        concurrency: 0,
        auth: Auth::Token {
            variable: "CARGO_REGISTRY_TOKEN".into(),
        },
        lockfile,
        owners,
        api: Some("https://crates.io"),
        index: "https://index.crates.io/",
        release_only: &[],
    })
    .unwrap()
}

fn owners() -> Vec<String> {
    vec!["github:acme:release-team".into(), "octocat".into()]
}

#[test]
fn publish_plan_as_the_log_and_a_dry_run_show_it() {
    let plan = plan(None, Lockfile::Absent, &owners());
    insta::assert_snapshot!(
        "publish_dry_run",
        format!(
            "{}\n──── summary ────\n{}",
            publish_text(&plan),
            publish_markdown(&plan, None, true)
        )
    );
}

#[test]
fn publish_stopped_by_pre_flight_lists_every_problem_with_its_hint() {
    let mut plan = plan(Some("internal"), Lockfile::Present, &[]);
    plan.add_problems(vec![
        Problem::MissingMetadata {
            krate: "serde".into(),
            manifest: "crates/serde/Cargo.toml".into(),
            fields: vec!["description", "license"],
        },
        Problem::NoToken {
            variable: "CARGO_REGISTRIES_INTERNAL_TOKEN".into(),
        },
        Problem::Verify {
            output: "error[E0432]: unresolved import `crate::outside`\n --> src/lib.rs:1:5".into(),
        },
    ]);
    insta::assert_snapshot!(
        "publish_stopped",
        format!(
            "{}\n──── summary ────\n{}",
            publish_text(&plan),
            publish_markdown(&plan, None, false)
        )
    );
}

#[test]
fn publish_report_with_failures_owners_and_warnings() {
    let plan = plan(None, Lockfile::Present, &owners());
    let outcome = |name: &str, version: &str, state: CrateState| CrateOutcome {
        name: name.into(),
        version: version.into(),
        state,
        already_there: false,
    };
    let mut found = outcome("derive-b", "0.1.0", CrateState::Visible);
    found.already_there = true;
    let report = PublishReport {
        crates: vec![
            outcome("serde-core", "1.0.3", CrateState::Skipped),
            outcome(
                "serde",
                "1.0.3",
                CrateState::Failed {
                    reason: "403 Forbidden: this crate is owned by someone else | not you".into(),
                },
            ),
            outcome(
                "serde-json",
                "1.1.0",
                CrateState::Blocked { by: "serde".into() },
            ),
            outcome("derive-a", "0.1.0", CrateState::Visible),
            found,
        ],
        owners: vec![
            OwnersOutcome {
                krate: "derive-a".into(),
                result: Ok(owners()),
            },
            OwnersOutcome {
                krate: "derive-b".into(),
                result: Err("403 Forbidden: only owners can add owners".into()),
            },
        ],
        warnings: vec!["could not revoke the trusted publishing token".into()],
    };
    insta::assert_snapshot!(
        "publish_report",
        format!(
            "{}\n──── summary ────\n{}",
            publish_outcome_text(&report),
            publish_markdown(&plan, Some(&report), false)
        )
    );
}

#[test]
fn publish_with_nothing_to_do() {
    let crates = vec![krate("only", "1.0.0", &["1.0.0"])];
    let plan = PublishPlan::new(&PublishFacts {
        registry: Some("internal"),
        crates: &crates,
        edges: &[],
        packages: &[],
        concurrency: 3,
        auth: Auth::Token {
            variable: "CARGO_REGISTRIES_INTERNAL_TOKEN".into(),
        },
        lockfile: Lockfile::Present,
        owners: &[],
        api: Some("https://registry.example"),
        index: "https://index.example/",
        release_only: &[ReleaseOnly {
            name: "cli".into(),
            version: "0.1.0".parse().unwrap(),
        }],
    })
    .unwrap();
    let report = PublishReport {
        crates: vec![CrateOutcome {
            name: "only".into(),
            version: "1.0.0".into(),
            state: CrateState::Skipped,
            already_there: false,
        }],
        ..PublishReport::default()
    };
    insta::assert_snapshot!(
        "publish_nothing_to_do",
        format!(
            "{}\n──── summary ────\n{}",
            publish_text(&plan),
            publish_markdown(&plan, Some(&report), false)
        )
    );
}
