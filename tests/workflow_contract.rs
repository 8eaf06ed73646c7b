//! The contract between action.yml and the reusable workflow (.github/workflows/
//! releasekit-cargo.yml): a caller can set every input of the action through it, each stage
//! step hands the action only inputs it declares, the two variants of a step (the action at this
//! commit, the prebuilt image) never drift apart, and the prepare and publish jobs cache where the
//! action's container keeps cargo's work (prepare the API checks' baselines too).

mod support;

use std::collections::BTreeSet;
use std::path::Path;

use serde_norway::{Mapping, Value};
use support::action_yml_names;

fn workflow() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(".github/workflows/releasekit-cargo.yml");
    let text = std::fs::read_to_string(path).expect("the reusable workflow");
    serde_norway::from_str(&text).expect("it parses")
}

fn keys(map: &Value) -> Vec<String> {
    map.as_mapping()
        .expect("a mapping")
        .keys()
        .map(|k| k.as_str().expect("a name").to_owned())
        .collect()
}

/// The triggers: serde_norway reads YAML 1.2, where `on` is a string key (YAML 1.1 made it `true`).
fn triggers(workflow: &Value) -> &Value {
    &workflow["on"]
}

/// Each job's steps that run the action: `uses: ./` or the prebuilt image.
fn action_steps(workflow: &Value) -> Vec<(String, Vec<&Mapping>)> {
    workflow["jobs"]
        .as_mapping()
        .unwrap()
        .iter()
        .map(|(name, job)| {
            let steps = job["steps"]
                .as_sequence()
                .unwrap()
                .iter()
                .filter(|step| {
                    step["uses"].as_str().is_some_and(|uses| {
                        uses == "./" || uses.starts_with("docker://ghcr.io/releasekit/")
                    })
                })
                .map(|step| step.as_mapping().unwrap())
                .collect();
            (name.as_str().unwrap().to_owned(), steps)
        })
        .collect()
}

#[test]
fn a_caller_can_set_every_input_of_the_action_but_the_token_which_is_a_secret() {
    let workflow = workflow();
    let called: Vec<String> = keys(&triggers(&workflow)["workflow_call"]["inputs"]);
    let action: Vec<String> = action_yml_names("inputs")
        .into_iter()
        .filter(|name| name != "token")
        .collect();
    assert_eq!(called, action);
    let secrets = keys(&triggers(&workflow)["workflow_call"]["secrets"]);
    assert!(secrets.contains(&"release_token".to_owned()), "{secrets:?}");
    let dispatched: BTreeSet<String> = keys(&triggers(&workflow)["workflow_dispatch"]["inputs"])
        .into_iter()
        .collect();
    let called: BTreeSet<String> = called.into_iter().collect();
    assert!(dispatched.is_subset(&called), "{dispatched:?}");
}

#[test]
fn each_stage_step_passes_only_declared_inputs_and_both_variants_agree() {
    let workflow = workflow();
    let declared: BTreeSet<String> = action_yml_names("inputs").into_iter().collect();
    for (job, steps) in action_steps(&workflow) {
        assert_eq!(
            steps.len(),
            2,
            "{job}: the action at this commit and the image"
        );
        let with = |step: &Mapping| step.get("with").cloned().unwrap_or(Value::Null);
        let env = |step: &Mapping| step.get("env").cloned().unwrap_or(Value::Null);
        assert_eq!(with(steps[0]), with(steps[1]), "{job}: with");
        assert_eq!(env(steps[0]), env(steps[1]), "{job}: env");
        let passed: BTreeSet<String> = keys(&with(steps[0])).into_iter().collect();
        let unknown: Vec<&String> = passed.difference(&declared).collect();
        assert!(
            unknown.is_empty(),
            "{job} passes undeclared inputs {unknown:?}"
        );
        assert!(
            passed.contains("token"),
            "{job}: a docker:// step gets no default token"
        );
        // Every stage reads the workspace with cargo: each gets the caller's toolchain.
        assert_eq!(
            with(steps[0])["toolchain"].as_str(),
            Some("${{ inputs.toolchain }}"),
            "{job}: toolchain"
        );
    }
}

#[test]
fn the_publish_job_caches_the_containers_cargo_home_and_target_with_rust_cache() {
    check_rust_cache(&workflow(), "publish");
}

/// Issue 14: a second prepare on an unchanged baseline documents only HEAD, on a hosted runner
/// too. rust-cache keeps cargo's work as on publish; the baselines' JSON has a cache of its
/// own at the directory the API checks read (rust-cache prunes it from target/), restored
/// before the action runs and saved, in post order, before rust-cache prunes.
#[test]
fn the_prepare_job_keeps_cargos_work_and_the_api_check_baselines_between_runs() {
    let workflow = workflow();
    check_rust_cache(&workflow, "prepare");
    let steps = workflow["jobs"]["prepare"]["steps"].as_sequence().unwrap();
    let at = |prefix: &str| {
        steps
            .iter()
            .position(|s| s["uses"].as_str().is_some_and(|u| u.starts_with(prefix)))
            .unwrap_or_else(|| panic!("prepare uses {prefix}"))
    };
    let (rust_cache, baselines, action) =
        (at("Swatinem/rust-cache@"), at("actions/cache@"), at("./"));
    assert!(rust_cache < baselines && baselines < action, "{steps:?}");
    let with = &steps[baselines]["with"];
    assert_eq!(
        with["path"].as_str().unwrap(),
        format!(
            "${{{{ inputs.workspace || '.' }}}}/target/releasekit/semver/{}",
            releasekit_cargo::adapters::semver_checks::CACHE_DIR
        )
    );
    let key = with["key"].as_str().unwrap();
    let restore = with["restore-keys"].as_str().unwrap();
    assert!(
        key.ends_with("${{ github.sha }}"),
        "a new entry per run: {key}"
    );
    assert!(
        key.starts_with(restore) && restore.ends_with('-'),
        "the newest entry is restored: {key} / {restore}"
    );
}

/// `job` restores rust-cache before the action, with the container's cargo home.
fn check_rust_cache(workflow: &Value, job: &str) {
    let steps = workflow["jobs"][job]["steps"].as_sequence().unwrap();
    let cache = steps
        .iter()
        .position(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("Swatinem/rust-cache@"))
        })
        .unwrap_or_else(|| panic!("{job} uses Swatinem/rust-cache"));
    let action = steps
        .iter()
        .position(|s| s["uses"].as_str() == Some("./"))
        .unwrap();
    assert!(
        cache < action,
        "{job}: the cache is restored before the action runs"
    );
    // /github/home in a Docker action is this directory on the runner.
    assert_eq!(
        steps[cache]["env"]["CARGO_HOME"].as_str(),
        Some("${{ runner.temp }}/_github_home/.cargo")
    );
    assert_eq!(
        steps[cache]["with"]["workspaces"].as_str(),
        Some("${{ inputs.workspace || '.' }}")
    );
}
