//! Publishing as a plan, end to end against the real registry behind the test proxy: a 429
//! pauses its bucket, owners for new crates, a workspace without a lockfile, the metadata of
//! our uploads next to cargo's, and `publish --json`. What reached the registry is read from
//! the proxy's log and the registry itself.

mod support;

use std::time::{Duration, Instant};

use serde_json::Value;
use support::publish::{Fixture, TOKEN, succeed};
use support::registry::{CrateSpec, DepSpec, Fault, Kind, Upload};

/// Uploads of `names` since `since` (their successes and failures), from the proxy's log.
fn uploads_of(fx: &Fixture, names: &[&str], since: Instant) -> Vec<Upload> {
    fx.registry
        .uploads()
        .into_iter()
        .filter(|u| names.contains(&u.name.as_str()) && u.started >= since)
        .collect()
}

/// ```text
///   v-a 0.2.0, v-b 0.2.0       new versions: both answered 429 "retry after ~6 s"
///   v-late 0.2.0 ──▶ n-a       a new version, ready once n-a is visible (~1 s)
///   n-late ──▶ n-a             new crates
/// ```
/// After the 429s no upload of a new version starts before the time they name — v-late
/// neither, though it never got a 429 itself — while the new crates go on.
#[test]
fn a_429_pauses_every_upload_of_its_bucket_and_not_the_other() {
    let first = vec![
        CrateSpec::new("v-a", "0.1.0"),
        CrateSpec::new("v-b", "0.1.0"),
        CrateSpec::new("v-late", "0.1.0"),
    ];
    let mut fx = Fixture::new(first);
    for name in ["v-a", "v-b", "v-late"] {
        fx.cargo_publish(name);
    }
    fx.rewrite(vec![
        CrateSpec::new("v-a", "0.2.0"),
        CrateSpec::new("v-b", "0.2.0"),
        CrateSpec::new("n-a", "0.1.0"),
        CrateSpec::new("v-late", "0.2.0").dep(DepSpec::new("n-a", "0.1.0")),
        CrateSpec::new("n-late", "0.1.0").dep(DepSpec::new("n-a", "0.1.0")),
    ]);
    fx.registry.set_index_delay(Duration::from_secs(1));
    for name in ["v-a", "v-b"] {
        fx.registry.inject(
            Fault::upload(name)
                .status(429)
                .retry_after(Duration::from_secs(6)),
        );
    }
    let since = Instant::now();
    let run = fx.run(&[]);
    assert_eq!(run.code(), Some(0), "{}\n{}", run.stdout(), run.stderr());
    fx.assert_all_published_once();

    let versions = uploads_of(&fx, &["v-a", "v-b", "v-late"], since);
    let limits: Vec<&Upload> = versions.iter().filter(|u| u.status == 429).collect();
    assert_eq!(limits.len(), 2, "{versions:?}");
    // v-a and v-b went together at the start, before either answer was in; every other
    // upload of their bucket came after the 429s and must respect both. The proxy names the
    // time in whole seconds; both sides read one clock.
    let first_of = |name: &str| versions.iter().position(|u| u.name == name);
    let opening: Vec<usize> = ["v-a", "v-b"].iter().filter_map(|n| first_of(n)).collect();
    let slack = Duration::from_millis(50);
    for limit in &limits {
        let until = limit.retry_at.expect("a 429 with Retry-After");
        for (i, u) in versions.iter().enumerate() {
            if opening.contains(&i) {
                continue;
            }
            assert!(
                u.started + slack >= until,
                "{} ({}) started {:?} before the Retry-After time of {}'s 429: {}",
                u.name,
                u.status,
                until - u.started,
                limit.name,
                run.stdout()
            );
        }
    }
    let until = limits.iter().filter_map(|l| l.retry_at).max().unwrap();
    let late = versions.iter().find(|u| u.name == "v-late").unwrap();
    assert!(
        late.started + slack >= until,
        "v-late went before the pause ended: {}",
        run.stdout()
    );
    // The other bucket went on meanwhile.
    let answered = limits.iter().map(|l| l.returned).min().unwrap();
    let new_crate = uploads_of(&fx, &["n-late"], since);
    assert!(
        new_crate
            .iter()
            .any(|u| u.status == 200 && u.started > answered && u.started < until),
        "n-late did not go during the pause: {new_crate:?}"
    );
    assert!(
        run.stdout()
            .contains("the registry answered 429 to an upload of new versions"),
        "{}",
        run.stdout()
    );
}

/// ```text
///   old 0.1.0 → 0.2.0 (published before)      fresh 0.1.0 (new)
/// ```
#[test]
fn owners_are_added_once_to_a_new_crate_and_not_to_an_existing_one() {
    let mut fx = Fixture::new(vec![CrateSpec::new("old", "0.1.0")]);
    fx.cargo_publish("old");
    fx.rewrite(vec![
        CrateSpec::new("old", "0.2.0"),
        CrateSpec::new("fresh", "0.1.0"),
    ]);
    std::fs::write(
        fx.ws.path().join("releasekit.toml"),
        "owners = [\"github:acme:release-team\", \"octocat\"]\n",
    )
    .unwrap();
    fx.commit("chore: owners");
    let owner_calls = |fx: &Fixture, method: &str, name: &str| {
        let path = format!("/api/v1/crates/{name}/owners");
        fx.registry
            .requests()
            .iter()
            .filter(|r| r.method == method && r.path == path)
            .count()
    };

    let run = fx.run(&[]);
    assert_eq!(run.code(), Some(0), "{}\n{}", run.stdout(), run.stderr());
    assert_eq!(
        fx.registry.owners("fresh"),
        ["github:acme:release-team", "octocat"]
    );
    assert_eq!(owner_calls(&fx, "PUT", "fresh"), 1);
    assert_eq!(owner_calls(&fx, "PUT", "old"), 0);
    assert_eq!(owner_calls(&fx, "GET", "old"), 0);
    assert_eq!(fx.registry.owners("old"), Vec::<String>::new());
    assert!(
        run.summary
            .contains("- `fresh`: added github:acme:release-team, octocat"),
        "{}",
        run.summary
    );

    // A re-run finds everything published: the owners are there, nothing is added again.
    let again = fx.run(&[]);
    assert_eq!(again.code(), Some(0), "{}", again.stderr());
    assert_eq!(owner_calls(&fx, "PUT", "fresh"), 1);
    assert!(
        again.summary.contains("- `fresh`: owners already set"),
        "{}",
        again.summary
    );
}

#[test]
fn owners_that_cannot_be_added_are_reported_and_the_publish_succeeds() {
    let fx = Fixture::new(vec![CrateSpec::new("lonely", "0.1.0")]);
    std::fs::write(
        fx.ws.path().join("releasekit.toml"),
        "owners = [\"octocat\"]\n",
    )
    .unwrap();
    fx.commit("chore: owners");
    // The registry's owners API refuses (as crates.io does a token without the scope).
    fx.registry.inject(
        Fault::api("PUT", "/api/v1/crates/lonely/owners")
            .status(403)
            .detail("this token does not have the required permissions"),
    );
    let run = fx.run(&[]);
    assert_eq!(run.code(), Some(0), "{}\n{}", run.stdout(), run.stderr());
    assert_eq!(fx.registry.published("lonely"), ["0.1.0"]);
    assert!(
        run.summary.contains("- `lonely`: **not added**:")
            && run.summary.contains("required permissions"),
        "{}",
        run.summary
    );
    assert!(
        run.stdout().contains("warning: owners of lonely not added"),
        "{}",
        run.stdout()
    );
}

/// serde's, tokio's and tracing's shape: `Cargo.lock` ignored and not committed.
#[test]
fn a_workspace_without_a_lockfile_publishes_fresh_and_stays_clean() {
    let fx = Fixture::new(vec![
        CrateSpec::new("nl-core", "0.1.0"),
        CrateSpec::new("nl-app", "0.1.0").dep(DepSpec::new("nl-core", "0.1.0")),
    ]);
    let lock = fx.ws.path().join("Cargo.lock");
    std::fs::remove_file(&lock).unwrap();
    std::fs::write(fx.ws.path().join(".gitignore"), "/target\nCargo.lock\n").unwrap();
    fx.commit("chore: no lockfile");
    assert_eq!(fx.status(), "");

    let dry = fx.run(&[("INPUT_DRY_RUN", "true")]);
    assert_eq!(dry.code(), Some(0), "{}\n{}", dry.stdout(), dry.stderr());
    assert!(
        dry.stdout().contains("cargo build --release --workspace\n"),
        "{}",
        dry.stdout()
    );
    assert!(
        dry.summary.contains("the workspace has no Cargo.lock"),
        "{}",
        dry.summary
    );
    assert!(fx.registry.uploads().is_empty());
    assert!(!lock.exists(), "the dry run left a lockfile");

    let run = fx.run(&[]);
    assert_eq!(run.code(), Some(0), "{}\n{}", run.stdout(), run.stderr());
    fx.assert_all_published_once();
    assert!(
        run.summary.contains("the workspace has no Cargo.lock"),
        "{}",
        run.summary
    );
    assert!(!lock.exists(), "publishing left a lockfile");
    assert_eq!(fx.status(), "");

    // The next release's `apply` (what prepare commits) writes no lockfile either.
    for tag in ["nl-core-v0.1.0", "nl-app-v0.1.0"] {
        succeed(
            std::process::Command::new("git")
                .args(["tag", tag])
                .current_dir(fx.ws.path()),
        );
    }
    let lib = fx.ws.path().join("crates/nl-core/src/lib.rs");
    let text = std::fs::read_to_string(&lib).unwrap() + "pub fn more() {}\n";
    std::fs::write(&lib, text).unwrap();
    fx.commit("feat(nl-core): more");
    let apply = fx.cli(&["apply", "--registry", "test"]);
    assert_eq!(
        apply.code(),
        Some(0),
        "{}\n{}",
        apply.stdout(),
        apply.stderr()
    );
    assert!(!lock.exists(), "apply wrote a lockfile");
    let changed = fx.status();
    assert!(
        changed.contains("crates/nl-core/Cargo.toml"),
        "{changed}\n{}",
        apply.stdout()
    );
    assert!(!changed.contains("Cargo.lock"), "{changed}");
}

/// A committed `Cargo.lock` the manifests no longer match (a dependency removed, the lockfile
/// not updated) stops pre-flight, in the dry run and the real one: nothing is uploaded and the
/// lockfile stays as committed. `cargo package` without `--locked` rewrote it, and the release
/// build running alongside then passed on the rewritten file: both crates went out and the
/// checkout was left with ` M Cargo.lock`.
#[test]
fn a_stale_committed_lockfile_stops_preflight_and_stays_as_committed() {
    let fx = Fixture::new(vec![
        CrateSpec::new("ol-a", "0.1.0"),
        CrateSpec::new("ol-b", "0.1.0").dep(DepSpec::new("ol-a", "0.1.0")),
    ]);
    let without_a = |rel: &str, mentions: &str| {
        let path = fx.ws.path().join(rel);
        let text = std::fs::read_to_string(&path).unwrap();
        let kept: Vec<&str> = text
            .lines()
            .filter(|l| !l.contains(mentions) && *l != "[dependencies]")
            .collect();
        assert_ne!(kept.len(), text.lines().count(), "{rel}: {text}");
        std::fs::write(&path, kept.join("\n") + "\n").unwrap();
    };
    without_a("crates/ol-b/Cargo.toml", "ol-a = ");
    without_a("crates/ol-b/src/lib.rs", "ol_a");
    fx.commit("refactor(ol-b): no ol-a");
    let lock = fx.ws.path().join("Cargo.lock");
    let committed = std::fs::read(&lock).unwrap();

    for (what, inputs) in [
        ("the dry run", &[("INPUT_DRY_RUN", "true")][..]),
        ("the publish", &[][..]),
    ] {
        let run = fx.run(inputs);
        let said = format!("{}\n{}", run.stdout(), run.stderr());
        assert_eq!(run.code(), Some(1), "{what}: {said}");
        assert!(said.contains("pre-flight"), "{what}: {said}");
        assert!(
            said.contains("lock file") && said.contains("--locked"),
            "{what}: {said}"
        );
        assert!(fx.registry.uploads().is_empty(), "{what} uploaded");
        for name in ["ol-a", "ol-b"] {
            assert!(fx.registry.published(name).is_empty(), "{what}: {name}");
        }
        assert!(
            std::fs::read(&lock).unwrap() == committed,
            "{what} rewrote Cargo.lock"
        );
        assert_eq!(fx.status(), "", "{what}");
    }
}

/// The same release uploaded by `cargo publish --workspace` to one registry and by us to
/// another: every crate's metadata (what the registry's index entry is made from) is the same
/// but for the registry's own address.
#[test]
fn our_uploads_send_the_metadata_cargo_sends() {
    let crates = vec![
        CrateSpec::new("md-gen", "0.1.0"),
        CrateSpec::new("md-core", "0.1.0").dep(DepSpec::new("md-gen", "0.1.0").kind(Kind::Dev)),
        CrateSpec::new("md-util", "0.1.0")
            .dep(DepSpec::new("md-core", "0.1.0"))
            .dep(DepSpec::new("md-gen", "0.1.0").kind(Kind::Dev).path_only()),
        CrateSpec::new("md-app", "0.1.0")
            .dep(DepSpec::new("md-gen", "0.1.0").kind(Kind::Build))
            .dep(
                DepSpec::new("md-util", "0.1.0")
                    .rename("utility")
                    .target("cfg(all(unix, not(windows)))"),
            )
            .dep(DepSpec::new("md-core", "0.1.0").optional()),
    ];
    let enrich = |fx: &Fixture| {
        let app = fx.ws.path().join("crates/md-app");
        let manifest = std::fs::read_to_string(app.join("Cargo.toml")).unwrap();
        let manifest = manifest.replacen(
            "[package]\n",
            "[package]\nauthors = [\"Dev <dev@example.com>\"]\nhomepage = \"https://example.com\"\n\
             documentation = \"https://docs.example.com\"\nrepository = \"https://github.com/acme/widgets\"\n\
             keywords = [\"release\", \"test\"]\ncategories = [\"development-tools\"]\n\
             rust-version = \"1.80\"\nlinks = \"mdapp\"\n",
            1,
        ) + "\n[badges]\nmaintenance = { status = \"experimental\" }\n";
        let manifest = manifest.replace(
            "[features]\nmd-core = [\"dep:md-core\"]\n",
            "[features]\nmd-core = [\"dep:md-core\"]\nfull = [\"md-core\"]\n",
        );
        std::fs::write(app.join("Cargo.toml"), manifest).unwrap();
        std::fs::write(app.join("README.md"), "# md-app\n\nGenerated.\n").unwrap();
        fx.commit("docs: describe md-app");
    };
    let by_cargo = Fixture::new(crates.clone());
    enrich(&by_cargo);
    succeed(
        std::process::Command::new("cargo")
            .args([
                "publish",
                "--workspace",
                "--registry",
                "test",
                "--no-verify",
            ])
            .current_dir(by_cargo.ws.path())
            .env("CARGO_HOME", by_cargo.cargo_home.path())
            .env("CARGO_REGISTRIES_TEST_TOKEN", TOKEN),
    );
    let by_us = Fixture::new(crates);
    enrich(&by_us);
    let run = by_us.run(&[]);
    assert_eq!(run.code(), Some(0), "{}\n{}", run.stdout(), run.stderr());

    let metadata = |fx: &Fixture| -> Vec<(String, Value)> {
        let index = fx.registry.index_url();
        let mut all: Vec<(String, Value)> = fx
            .registry
            .uploads()
            .into_iter()
            .filter(|u| u.status == 200)
            .map(|u| {
                let text = u.metadata.to_string().replace(&index, "<index>");
                let mut json: Value = serde_json::from_str(&text).unwrap();
                if let Some(deps) = json["deps"].as_array_mut() {
                    deps.sort_by_key(|d| (d["name"].to_string(), d["kind"].to_string()));
                }
                (u.name, json)
            })
            .collect();
        all.sort_by(|a, b| a.0.cmp(&b.0));
        all
    };
    let (cargo, ours) = (metadata(&by_cargo), metadata(&by_us));
    assert_eq!((cargo.len(), ours.len()), (4, 4));
    for ((name, expected), (_, got)) in cargo.iter().zip(&ours) {
        assert_eq!(got, expected, "{name}");
    }
    // The rich crate's metadata made it through whole.
    let app = &ours.iter().find(|(n, _)| n == "md-app").unwrap().1;
    assert_eq!(app["readme"], "# md-app\n\nGenerated.\n");
    assert_eq!(app["links"], "mdapp");
}

#[test]
fn publish_json_prints_the_plan_and_the_report() {
    let fx = Fixture::new(vec![
        CrateSpec::new("js-core", "0.1.0"),
        CrateSpec::new("js-app", "0.1.0").dep(DepSpec::new("js-core", "0.1.0")),
    ]);
    let dry = fx.cli(&["publish", "--registry", "test", "--dry-run", "--json"]);
    assert_eq!(dry.code(), Some(0), "{}", dry.stderr());
    let json: Value = serde_json::from_str(&dry.stdout()).expect("stdout is one JSON document");
    let app = &json["plan"]["crates"][0];
    assert_eq!(app["name"], "js-app");
    assert_eq!(app["action"], "upload");
    assert_eq!(app["wave"], 2);
    assert_eq!(json["plan"]["lockfile"], "present");
    assert_eq!(json["report"], Value::Null);
    assert!(fx.registry.uploads().is_empty());

    let started = Instant::now();
    let real = fx.cli(&["publish", "--registry", "test", "--json"]);
    assert_eq!(real.code(), Some(0), "{}", real.stderr());
    let json: Value = serde_json::from_str(&real.stdout()).expect("stdout is one JSON document");
    let states: Vec<&str> = json["report"]["crates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["visible", "visible"]);
    assert!(fx.registry.uploads().iter().all(|u| u.started > started));
}
