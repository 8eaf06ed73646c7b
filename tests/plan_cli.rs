//! `releasekit-cargo plan` and `apply`, end to end: the real binary on real git repositories
//! holding real Cargo workspaces.

mod support;

use serde_json::Value;
use support::plan_crate as krate;
use support::*;

/// cargo's switch, which the binary honours too: these tests are about the plan, not the
/// registry (the registry's answers are tested in real_histories.rs, against a real one).
const OFFLINE: (&str, &str) = ("CARGO_NET_OFFLINE", "true");

/// ```text
///   delta (new) ──> beta 0.3.1 ──> alpha 1.2.0 <·· gamma 0.0.4 (dev-dependency)
/// ```
fn workspace() -> Repo {
    let repo = Repo::new();
    repo.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"crates/*\"]\nresolver = \"2\"\n",
    );
    repo.write("README.md", "# widgets\n");
    add_crate(&repo, "crates/alpha", "alpha", "1.2.0", "");
    add_crate(
        &repo,
        "crates/beta",
        "beta",
        "0.3.1",
        "[dependencies]\nalpha = { path = \"../alpha\", version = \"1.2\" }\n",
    );
    add_crate(
        &repo,
        "crates/gamma",
        "gamma",
        "0.0.4",
        "[dev-dependencies]\nalpha = { path = \"../alpha\", version = \"1.2\" } # tests only\n",
    );
    repo.lock();
    repo.commit("chore: initial import");
    for tag in ["alpha-v1.2.0", "beta-v0.3.1", "gamma-v0.0.4"] {
        repo.tag(tag);
    }
    add_crate(
        &repo,
        "crates/delta",
        "delta",
        "0.1.0",
        "[dependencies]\nbeta = { path = \"../beta\", version = \"0.3.1\" }\n",
    );
    repo.lock();
    repo.commit("feat(delta): a new crate");
    repo
}

fn summary(plan: &Value) -> Vec<String> {
    plan["crates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{} {} -> {} released={} bump={} tag={} wave={}",
                c["name"].as_str().unwrap(),
                c["initial_version"].as_str().unwrap(),
                c["planned_version"].as_str().unwrap(),
                c["released"],
                c["bump"].as_str().unwrap(),
                c["planned_tag"].as_str().unwrap(),
                c["wave"]
            )
        })
        .collect()
}

#[test]
fn conventional_history_since_each_tag_gives_the_expected_plan() {
    let repo = workspace();
    repo.change("crates/alpha/src/lib.rs", "feat(alpha): add a widget");
    repo.change("crates/beta/src/lib.rs", "fix(beta): off by one (#12)");
    repo.change("README.md", "docs: explain widgets");

    let plan = plan_json(&repo);
    assert_eq!(
        summary(&plan),
        [
            "alpha 1.2.0 -> 1.3.0 released=true bump=minor tag=alpha-v1.3.0 wave=0",
            "beta 0.3.1 -> 0.3.2 released=true bump=patch tag=beta-v0.3.2 wave=1",
            "delta 0.1.0 -> 0.1.0 released=true bump=none tag=delta-v0.1.0 wave=2",
            "gamma 0.0.4 -> 0.0.4 released=false bump=none tag=gamma-v0.0.4 wave=null",
        ]
    );
    assert_eq!(
        plan["waves"],
        serde_json::json!([["alpha"], ["beta"], ["delta"]])
    );
    assert_eq!(krate(&plan, "delta")["reasons"][0]["kind"], "new");
    let beta_log = krate(&plan, "beta")["changelog"].as_str().unwrap();
    assert!(
        beta_log.contains("### Fixes") && beta_log.contains("off by one"),
        "{beta_log}"
    );
    assert!(
        !krate(&plan, "alpha")["changelog"]
            .as_str()
            .unwrap()
            .contains("explain widgets")
    );
}

#[test]
fn a_breaking_change_rewrites_requirements_and_bumps_dependents() {
    let repo = workspace();
    repo.change(
        "crates/alpha/src/lib.rs",
        "feat(alpha)!: drop the old entry point",
    );

    let plan = plan_json(&repo);
    assert_eq!(
        summary(&plan),
        [
            "alpha 1.2.0 -> 2.0.0 released=true bump=major tag=alpha-v2.0.0 wave=0",
            "beta 0.3.1 -> 0.3.2 released=true bump=patch tag=beta-v0.3.2 wave=1",
            "delta 0.1.0 -> 0.1.0 released=true bump=none tag=delta-v0.1.0 wave=2",
            "gamma 0.0.4 -> 0.0.4 released=false bump=none tag=gamma-v0.0.4 wave=null",
        ]
    );
    assert_eq!(
        krate(&plan, "beta")["reasons"][0],
        serde_json::json!({"kind": "dependency", "name": "alpha", "version": "2.0.0"})
    );

    let out = run(repo.path(), &["apply", "--offline"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        repo.read("crates/alpha/Cargo.toml")
            .contains("version = \"2.0.0\"")
    );
    assert!(
        repo.read("crates/beta/Cargo.toml")
            .contains("alpha = { path = \"../alpha\", version = \"2.0.0\" }")
    );
    // gamma is not released, but its dev-dependency no longer matched: rewritten, comment kept.
    assert!(
        repo.read("crates/gamma/Cargo.toml")
            .contains("version = \"2.0.0\" } # tests only")
    );
    assert!(
        repo.read("crates/gamma/Cargo.toml")
            .contains("version = \"0.0.4\"")
    );
    repo.assert_cargo_accepts_lockfile();
}

#[test]
fn apply_writes_manifests_changelogs_and_lockfile_that_cargo_accepts() {
    let repo = workspace();
    repo.change("crates/alpha/src/lib.rs", "feat(alpha): add a widget");
    repo.write(
        "crates/alpha/CHANGELOG.md",
        "# Changelog\n\n## [1.2.0] - 2026-01-01\n\n- old  text   kept\n",
    );
    repo.commit("docs(alpha): start a changelog");

    let out = run(repo.path(), &["apply", "--offline"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let alpha = repo.read("crates/alpha/Cargo.toml");
    assert!(alpha.contains("version = \"1.3.0\""), "{alpha}");
    // delta is released and asks for what it was tested with; beta is not released: untouched.
    assert!(
        repo.read("crates/delta/Cargo.toml")
            .contains("beta = { path = \"../beta\", version = \"0.3.1\" }")
    );
    assert!(
        repo.read("crates/beta/Cargo.toml")
            .contains("version = \"1.2\"")
    );
    let changelog = repo.read("crates/alpha/CHANGELOG.md");
    assert!(
        changelog.starts_with("# Changelog\n\n## [1.3.0"),
        "{changelog}"
    );
    assert!(
        changelog.ends_with("## [1.2.0] - 2026-01-01\n\n- old  text   kept\n"),
        "{changelog}"
    );
    assert!(changelog.contains("add a widget"));
    assert!(
        repo.read("Cargo.lock")
            .contains("name = \"alpha\"\nversion = \"1.3.0\"")
    );
    repo.assert_cargo_accepts_lockfile();

    // Applying again changes nothing more: the plan is computed from the same tags and history.
    let before = repo.status();
    let again = run(repo.path(), &["apply", "--offline"], &[]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert_eq!(repo.status(), before);
    assert_eq!(
        repo.read("crates/alpha/CHANGELOG.md")
            .matches("## [1.3.0")
            .count(),
        1
    );
}

#[test]
fn in_actions_the_plan_goes_to_the_outputs_and_the_job_summary() {
    let repo = workspace();
    repo.change("crates/beta/src/lib.rs", "fix(beta): handle empty input");
    let runner = tempfile::tempdir().unwrap();
    let env = action_env(
        repo.path(),
        runner.path(),
        &[("INPUT_ACTION", "plan"), OFFLINE],
    );
    let out = run_env(repo.path(), &[], &env);
    assert!(out.status.success(), "{}", stderr(&out));
    let outputs = outputs(&runner.path().join("output"));
    assert_eq!(outputs["has_bumps"], "true");
    let plan: Value = serde_json::from_str(&outputs["plan"]).unwrap();
    assert_eq!(krate(&plan, "beta")["planned_version"], "0.3.2");
    let summary = std::fs::read_to_string(runner.path().join("summary")).unwrap();
    assert!(
        summary.contains("| `beta` | 0.3.1 → 0.3.2 | patch |"),
        "{summary}"
    );
    assert!(
        summary.contains("https://github.com/acme/widgets/commit/"),
        "changelog links the repository: {summary}"
    );
}

#[test]
fn nothing_to_release_says_so_and_reports_no_bumps() {
    let repo = workspace();
    // Tag delta too: now every crate is released and nothing changed since.
    repo.tag("delta-v0.1.0");
    repo.change("README.md", "docs: nothing for the crates");
    let runner = tempfile::tempdir().unwrap();
    let env = action_env(
        repo.path(),
        runner.path(),
        &[("INPUT_ACTION", "plan"), OFFLINE],
    );
    let out = run_env(repo.path(), &[], &env);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("Nothing to release"),
        "{}",
        stdout(&out)
    );
    assert_eq!(outputs(&runner.path().join("output"))["has_bumps"], "false");
}

/// Each bad input: exit 2, one error naming the thing, and nothing changed in the tree.
#[test]
fn bad_input_is_one_clear_error_with_exit_code_2_and_no_change() {
    type Act = Box<dyn Fn(&Repo) -> std::process::Output>;
    let cases: Vec<(&str, Act, &str)> = vec![
        (
            "unknown bump_type",
            Box::new(|r: &Repo| {
                let home = tempfile::tempdir().unwrap();
                let env = action_env(
                    r.path(),
                    home.path(),
                    &[
                        ("INPUT_ACTION", "plan"),
                        ("INPUT_BUMP_TYPE", "huge"),
                        OFFLINE,
                    ],
                );
                run_env(r.path(), &[], &env)
            }),
            "bump_type",
        ),
        (
            "non-boolean dry_run",
            Box::new(|r: &Repo| {
                let home = tempfile::tempdir().unwrap();
                let env = action_env(
                    r.path(),
                    home.path(),
                    &[("INPUT_ACTION", "plan"), ("INPUT_DRY_RUN", "yes"), OFFLINE],
                );
                run_env(r.path(), &[], &env)
            }),
            "dry_run",
        ),
        (
            "malformed releasekit.toml",
            Box::new(|r: &Repo| {
                r.write(
                    "releasekit.toml",
                    "tag_format = \"{name}-v{version}\"\ndependents_bump = \"sometimes\"\n",
                );
                run(r.path(), &["apply", "--offline"], &[])
            }),
            "dependents_bump",
        ),
        (
            "workspace input naming no directory",
            Box::new(|r: &Repo| {
                let home = tempfile::tempdir().unwrap();
                let env = action_env(
                    r.path(),
                    home.path(),
                    &[
                        ("INPUT_ACTION", "plan"),
                        ("INPUT_WORKSPACE", "rust"),
                        OFFLINE,
                    ],
                );
                run_env(r.path(), &[], &env)
            }),
            "workspace directory",
        ),
        (
            "member path dependency without a version",
            Box::new(|r: &Repo| {
                add_crate(
                    r,
                    "crates/beta",
                    "beta",
                    "0.3.1",
                    "[dependencies]\nalpha = { path = \"../alpha\" }\n",
                );
                r.commit("fix(beta): depend on alpha by path");
                run(r.path(), &["apply", "--offline"], &[])
            }),
            "without a version",
        ),
    ];
    for (what, act, needle) in cases {
        let repo = workspace();
        repo.change(
            "crates/alpha/src/lib.rs",
            "feat(alpha): something to release",
        );
        let out = act(&repo);
        let status_after = repo.status();
        assert_eq!(out.status.code(), Some(2), "{what}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains(needle), "{what}: error names {needle}: {err}");
        assert!(
            err.contains("hint:") || err.contains("expected"),
            "{what}: says the fix: {err}"
        );
        assert!(
            status_after.lines().all(|l| l.ends_with("releasekit.toml")),
            "{what}: nothing changed, but: {status_after}"
        );
    }
}

#[test]
fn a_directory_outside_git_is_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Cargo.toml"), manifest("solo", "1.0.0", "")).unwrap();
    std::fs::create_dir(dir.path().join("src")).unwrap();
    std::fs::write(dir.path().join("src/lib.rs"), "").unwrap();
    let out = run(dir.path(), &["plan"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("not inside a git repository"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("fetch-depth: 0"), "{}", stderr(&out));
}

/// ```text
///   tool ──(registry "home 0.5", not the member)──x   home (member)
///   app ──(registry "util 1", [patch] → member)──>  util (member)
/// ```
#[test]
fn patch_makes_a_registry_dependency_an_edge_and_a_same_name_registry_crate_is_none() {
    let repo = Repo::new();
    repo.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"crates/*\"]\nresolver = \"2\"\n\n[patch.crates-io]\nutil = { path = \"crates/util\" }\n",
    );
    add_crate(&repo, "crates/home", "home", "0.9.0", "");
    add_crate(
        &repo,
        "crates/tool",
        "tool",
        "1.0.0",
        "[dependencies]\nhome = \"0.5\"\n",
    );
    add_crate(&repo, "crates/util", "util", "1.0.0", "");
    add_crate(
        &repo,
        "crates/app",
        "app",
        "1.0.0",
        "[dependencies]\nutil = \"1.0\"\n",
    );
    repo.commit("feat: four new crates");

    let plan = plan_json(&repo);
    assert_eq!(
        plan["waves"],
        serde_json::json!([["home", "tool", "util"], ["app"]])
    );
    let edges: Vec<String> = plan["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{} -> {}",
                e["from"].as_str().unwrap(),
                e["to"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(edges, ["app -> util"]);
}

#[test]
fn a_serde_like_dev_dependency_cycle_plans_once_the_crate_was_released_and_fails_before() {
    // serde_core ··dev "1"··> serde ──> serde_core
    let repo = Repo::new();
    repo.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"serde\", \"serde_core\"]\nresolver = \"2\"\n",
    );
    add_crate(
        &repo,
        "serde",
        "serde",
        "1.0.0",
        "[dependencies]\nserde_core = { path = \"../serde_core\", version = \"=1.0.0\" }\n",
    );
    add_crate(
        &repo,
        "serde_core",
        "serde_core",
        "1.0.0",
        "[dev-dependencies]\nserde = { path = \"../serde\", version = \"1\" }\n",
    );
    repo.commit("feat: serde");

    let out = run(repo.path(), &["plan", "--offline"], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains("publish cycle") && err.contains("serde_core -> serde (dev-dependency"),
        "{err}"
    );
    assert!(err.contains("hint:"), "{err}");

    repo.tag("serde-v1.0.0");
    repo.tag("serde_core-v1.0.0");
    repo.change("serde_core/src/lib.rs", "fix(core): a fix");
    repo.change("serde/src/lib.rs", "fix(serde): a fix");
    let plan = plan_json(&repo);
    assert_eq!(
        plan["waves"],
        serde_json::json!([["serde_core"], ["serde"]])
    );
}

#[test]
fn a_shallow_clone_is_pointed_out_in_the_plan() {
    let origin = workspace();
    origin.change("crates/alpha/src/lib.rs", "feat(alpha): add a widget");
    let clone = tempfile::tempdir().unwrap();
    let url = format!("file://{}", origin.path().display());
    let status = std::process::Command::new("git")
        .args(["clone", "-q", "--depth", "1", &url, "."])
        .current_dir(clone.path())
        .status()
        .unwrap();
    assert!(status.success());
    let out = run(clone.path(), &["plan", "--offline"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("fetch-depth: 0"), "{}", stdout(&out));
    let full = run(origin.path(), &["plan", "--offline"], &[]);
    assert!(!stdout(&full).contains("shallow"), "{}", stdout(&full));
}
