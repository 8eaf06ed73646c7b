//! The publish stage end to end: the real binary with the environment a Docker action gets,
//! a real registry (ferro-cargo-registry-server) behind the fault proxy of the test support,
//! real cargo and real git. What reached the registry is read from the proxy's log and from
//! the registry itself, never from our own output.

mod support;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::publish::{Fixture, TOKEN, names, succeed};
use support::registry::{self, CrateSpec, DepSpec, Fault, Kind};

/// ```text
///   app ──build──▶ gen ◀── testkit
///    │  ──cfg(unix), renamed──▶ util ──▶ core ──dev "0.1.0"──▶ testkit
///    │  ──optional──▶ extra ──▶ core
///   util ──dev, path only (stripped by cargo: no edge)──▶ testkit
/// ```
/// Nothing is published yet, so core's versioned dev-dependency on testkit is an edge too.
#[test]
fn every_upload_starts_after_its_edges_are_visible() {
    let crates = vec![
        CrateSpec::new("rk-testkit", "0.1.0").dep(DepSpec::new("rk-gen", "0.1.0")),
        CrateSpec::new("rk-core", "0.1.0").dep(DepSpec::new("rk-testkit", "0.1.0").kind(Kind::Dev)),
        CrateSpec::new("rk-util", "0.1.0")
            .dep(DepSpec::new("rk-core", "0.1.0"))
            .dep(
                DepSpec::new("rk-testkit", "0.1.0")
                    .kind(Kind::Dev)
                    .path_only(),
            ),
        CrateSpec::new("rk-gen", "0.1.0"),
        CrateSpec::new("rk-extra", "0.1.0").dep(DepSpec::new("rk-core", "0.1.0")),
        CrateSpec::new("rk-app", "0.1.0")
            .dep(DepSpec::new("rk-gen", "0.1.0").kind(Kind::Build))
            .dep(
                DepSpec::new("rk-util", "0.1.0")
                    .rename("utility")
                    .target("cfg(unix)"),
            )
            .dep(DepSpec::new("rk-extra", "0.1.0").optional()),
    ];
    let fx = Fixture::new(crates);
    fx.registry.set_index_delay(Duration::from_millis(700));
    let run = fx.run(&[]);
    assert_eq!(run.code(), Some(0), "{}\n{}", run.stdout(), run.stderr());
    fx.assert_all_published_once();
    fx.assert_order(&[("rk-core", "rk-testkit")]);
    let mut published = run.published();
    published.sort();
    assert_eq!(published, names(&fx.crates));
    assert!(
        run.summary.contains("| rk-app | 0.1.0 | published |"),
        "{}",
        run.summary
    );
}

/// Kill the run after the second upload; the re-run finishes the rest and uploads nothing twice.
#[test]
fn a_killed_run_resumes_and_uploads_each_crate_once() {
    let fx = Fixture::new(registry::layered(3, 2));
    fx.registry.set_index_delay(Duration::from_millis(300));
    let mut child = fx.spawn(&[("INPUT_CONCURRENCY", "1")]);
    let deadline = Instant::now() + Duration::from_secs(120);
    while fx
        .successful_uploads()
        .values()
        .map(Vec::len)
        .sum::<usize>()
        < 2
    {
        assert!(Instant::now() < deadline, "no two uploads within 120 s");
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the run ended before it was killed: {status}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    // The re-run comes once the index shows what the killed run uploaded.
    for u in fx.successful_uploads().values().flatten() {
        while fx
            .registry
            .visible_at(&u.name, &u.version)
            .is_none_or(|at| at > Instant::now())
        {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    let before: usize = fx.successful_uploads().values().map(Vec::len).sum();
    assert!(
        before < fx.crates.len(),
        "everything was uploaded before the kill"
    );

    let run = fx.run(&[]);
    assert_eq!(run.code(), Some(0), "{}\n{}", run.stdout(), run.stderr());
    fx.assert_all_published_once();
    assert!(
        run.stdout().contains("skip: already in the index"),
        "{}",
        run.stdout()
    );
    // The re-run lists only what it uploaded itself.
    assert!(run.published().len() < fx.crates.len());

    // A third run has nothing to do.
    let again = fx.run(&[]);
    assert_eq!(again.code(), Some(0), "{}", again.stderr());
    assert_eq!(again.published(), vec![]);
    fx.assert_all_published_once();
}

/// ```text
///   a ◀── b ◀── c        d (independent)
/// ```
/// A permanent 403 on `b`: `c` is blocked, `a` and `d` are published, exit 1; the fault gone,
/// the re-run publishes `b` and `c` and nothing twice.
#[test]
fn a_permanent_failure_blocks_only_its_dependents_and_a_rerun_finishes() {
    let crates = vec![
        CrateSpec::new("pf-a", "1.0.0"),
        CrateSpec::new("pf-b", "1.0.0").dep(DepSpec::new("pf-a", "1.0.0")),
        CrateSpec::new("pf-c", "1.0.0").dep(DepSpec::new("pf-b", "1.0.0")),
        CrateSpec::new("pf-d", "1.0.0"),
    ];
    let fx = Fixture::new(crates);
    fx.registry
        .inject(Fault::upload("pf-b").status(403).times(1));
    let run = fx.run(&[]);
    assert_eq!(run.code(), Some(1), "{}\n{}", run.stdout(), run.stderr());
    assert_eq!(fx.registry.published("pf-a"), vec!["1.0.0"]);
    assert_eq!(fx.registry.published("pf-d"), vec!["1.0.0"]);
    assert_eq!(fx.registry.published("pf-b"), Vec::<String>::new());
    assert_eq!(fx.registry.published("pf-c"), Vec::<String>::new());
    // Not retried: one faulted upload of b, none of c.
    let b_uploads = fx
        .registry
        .uploads()
        .iter()
        .filter(|u| u.name == "pf-b")
        .count();
    assert_eq!(b_uploads, 1);
    assert!(!fx.registry.uploads().iter().any(|u| u.name == "pf-c"));
    assert!(
        run.summary.contains("| pf-b | 1.0.0 | **failed**:"),
        "{}",
        run.summary
    );
    assert!(
        run.summary.contains("owned by someone else"),
        "{}",
        run.summary
    );
    // pf-b's first version: the token needs the scope for new crates.
    let scope = "`publish-new` scope";
    assert!(run.summary.contains(scope), "{}", run.summary);
    assert!(
        run.summary
            .contains("| pf-c | 1.0.0 | **blocked** by `pf-b` |"),
        "{}",
        run.summary
    );
    assert!(run.summary.contains("re-run"), "{}", run.summary);
    assert!(run.stderr().contains("pf-b, pf-c"), "{}", run.stderr());

    let rerun = fx.run(&[]);
    assert_eq!(
        rerun.code(),
        Some(0),
        "{}\n{}",
        rerun.stdout(),
        rerun.stderr()
    );
    fx.assert_all_published_once();
    let mut published = rerun.published();
    published.sort();
    assert_eq!(
        published,
        vec![
            ("pf-b".into(), "1.0.0".into()),
            ("pf-c".into(), "1.0.0".into())
        ]
    );
}

/// 429 with Retry-After 3 s ahead on one crate, two 503s on another, a 5 s index delay: the run
/// waits, retries and finishes.
#[test]
fn rate_limits_server_errors_and_a_slow_index_are_waited_out() {
    let crates = vec![
        CrateSpec::new("ft-a", "0.3.0"),
        CrateSpec::new("ft-b", "0.3.0").dep(DepSpec::new("ft-a", "0.3.0")),
        CrateSpec::new("ft-c", "0.3.0"),
    ];
    let fx = Fixture::new(crates);
    fx.registry.set_index_delay(Duration::from_secs(5));
    fx.registry.inject(
        Fault::upload("ft-b")
            .status(429)
            .retry_after(Duration::from_secs(3)),
    );
    fx.registry
        .inject(Fault::upload("ft-c").status(503).times(2));
    let run = fx.run(&[("INPUT_MAX_RETRIES", "2")]);
    assert_eq!(run.code(), Some(0), "{}\n{}", run.stdout(), run.stderr());
    fx.assert_all_published_once();
    fx.assert_order(&[]);

    let uploads = fx.registry.uploads();
    let limited = uploads
        .iter()
        .find(|u| u.name == "ft-b" && u.status == 429)
        .expect("the 429 was answered");
    let retried = uploads
        .iter()
        .find(|u| u.name == "ft-b" && u.status == 200)
        .expect("b uploaded");
    assert!(
        retried.started >= limited.returned + Duration::from_secs(3) - Duration::from_millis(1100),
        "retried {:?} after the 429",
        retried.started - limited.returned
    );
    let c: Vec<u16> = uploads
        .iter()
        .filter(|u| u.name == "ft-c")
        .map(|u| u.status)
        .collect();
    assert_eq!(c, vec![503, 503, 200]);
    assert!(run.stdout().contains("retrying in"), "{}", run.stdout());
}

/// serde's shape: `serde` depends on `serde_derive`; `serde_derive` dev-depends with a version
/// on `serde`, an older version of which is already published. That dev edge is satisfied by
/// the registry, so there is no cycle: derive first, then serde. `cargo publish --workspace`
/// does not finish it.
#[test]
fn a_serde_shaped_dev_cycle_publishes_completely() {
    let first = vec![
        CrateSpec::new("sd-serde", "1.0.0"),
        CrateSpec::new("sd-derive", "1.0.0"),
    ];
    let mut fx = Fixture::new(first);
    fx.cargo_publish("sd-serde");
    fx.cargo_publish("sd-derive");
    fx.rewrite(vec![
        CrateSpec::new("sd-serde", "1.0.1").dep(DepSpec::new("sd-derive", "=1.0.1").optional()),
        CrateSpec::new("sd-derive", "1.0.1").dep(DepSpec::new("sd-serde", "1.0").kind(Kind::Dev)),
    ]);

    // cargo's own workspace publish, bounded: it does not get both crates out.
    let mut cargo = Command::new("cargo")
        .args([
            "publish",
            "--workspace",
            "--registry",
            "test",
            "--no-verify",
            "--dry-run",
        ])
        .current_dir(fx.ws.path())
        .env("CARGO_HOME", fx.cargo_home.path())
        .env("CARGO_REGISTRIES_TEST_TOKEN", TOKEN)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let cargo_ok = loop {
        if let Some(status) = cargo.try_wait().unwrap() {
            break status.success();
        }
        if Instant::now() > deadline {
            cargo.kill().unwrap();
            cargo.wait().unwrap();
            break false;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(!cargo_ok, "cargo publish --workspace handled the dev cycle");
    let mut cargo_err = String::new();
    std::io::Read::read_to_string(&mut cargo.stderr.take().unwrap(), &mut cargo_err).unwrap();
    assert!(
        cargo_err.contains("failed to select a version") || cargo_err.is_empty(),
        "{cargo_err}"
    );
    assert_eq!(fx.registry.published("sd-serde"), vec!["1.0.0"]);

    let run = fx.run(&[]);
    assert_eq!(run.code(), Some(0), "{}\n{}", run.stdout(), run.stderr());
    assert_eq!(fx.registry.published("sd-serde"), vec!["1.0.0", "1.0.1"]);
    assert_eq!(fx.registry.published("sd-derive"), vec!["1.0.0", "1.0.1"]);
    fx.assert_order(&[]);
}

#[test]
fn a_dry_run_uploads_nothing_and_prints_the_waves() {
    let fx = Fixture::new(registry::layered(2, 2));
    let run = fx.run(&[("INPUT_DRY_RUN", "true")]);
    assert_eq!(run.code(), Some(0), "{}\n{}", run.stdout(), run.stderr());
    assert!(fx.registry.uploads().is_empty());
    for c in &fx.crates {
        assert_eq!(fx.registry.published(&c.name), Vec::<String>::new());
    }
    let stdout = run.stdout();
    assert!(stdout.contains("wave 1: l0-c0, l0-c1"), "{stdout}");
    assert!(stdout.contains("wave 2: l1-c0, l1-c1"), "{stdout}");
    assert!(
        run.summary.contains("dry run: nothing uploaded"),
        "{}",
        run.summary
    );
    assert_eq!(run.published(), vec![]);
    assert!(
        fx.registry.requests().iter().all(|r| r.method == "GET"),
        "{:?}",
        fx.registry.requests()
    );
}

/// Missing metadata, a crate that does not compile from its package, and no token: all three
/// reported in one run, nothing uploaded.
#[test]
fn preflight_reports_every_problem_together_and_uploads_nothing() {
    let fx = Fixture::new(vec![
        CrateSpec::new("pre-a", "0.1.0"),
        CrateSpec::new("pre-b", "0.1.0").dep(DepSpec::new("pre-a", "0.1.0")),
    ]);
    let a = fx.ws.path().join("crates/pre-a/Cargo.toml");
    let text = std::fs::read_to_string(&a).unwrap();
    let text: String = text
        .lines()
        .filter(|l| !l.starts_with("description"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&a, text).unwrap();
    // Compiles in the workspace (build.rs-free), but not from the package: a file outside it.
    std::fs::write(
        fx.ws.path().join("crates/pre-b/src/lib.rs"),
        "include!(\"../../../outside.rs\");\n",
    )
    .unwrap();
    std::fs::write(fx.ws.path().join("outside.rs"), "pub fn b() {}\n").unwrap();
    for args in [
        &["add", "-A"][..],
        &["commit", "-q", "-m", "chore: break it"],
    ] {
        succeed(Command::new("git").args(args).current_dir(fx.ws.path()));
    }
    let run = fx.run(&[("CARGO_REGISTRIES_TEST_TOKEN", "<unset>")]);
    assert_eq!(run.code(), Some(1), "{}\n{}", run.stdout(), run.stderr());
    let stdout = run.stdout();
    assert!(
        stdout.contains("pre-a (crates/pre-a/Cargo.toml) has no description"),
        "{stdout}"
    );
    assert!(
        stdout.contains("no registry token: CARGO_REGISTRIES_TEST_TOKEN is not set"),
        "{stdout}"
    );
    assert!(stdout.contains("verifying the packages failed"), "{stdout}");
    assert!(
        run.summary.contains("Stopped before any upload"),
        "{}",
        run.summary
    );
    assert!(fx.registry.uploads().is_empty());
}

/// With a lockfile, the release build and verification run at the same time: a crate that
/// fails only in the release build and another that fails only from its package are both
/// reported, nothing is uploaded and the lockfile stays as it was.
#[test]
fn release_build_and_verification_run_together_and_both_failures_are_reported() {
    let fx = Fixture::new(vec![
        CrateSpec::new("rb-a", "0.1.0"),
        CrateSpec::new("rb-b", "0.1.0").dep(DepSpec::new("rb-a", "0.1.0")),
    ]);
    let lock = fx.ws.path().join("Cargo.lock");
    let locked = std::fs::read_to_string(&lock).expect("the fixture has a lockfile");
    // Verification builds the debug profile: this fails in the release build only.
    std::fs::write(
        fx.ws.path().join("crates/rb-a/src/lib.rs"),
        "#[cfg(not(debug_assertions))]\ncompile_error!(\"rb-a is broken in release\");\npub fn a() {}\n",
    )
    .unwrap();
    // Builds in the workspace, but not from its package: a file outside it.
    std::fs::write(
        fx.ws.path().join("crates/rb-b/src/lib.rs"),
        "include!(\"../../../outside.rs\");\n",
    )
    .unwrap();
    std::fs::write(fx.ws.path().join("outside.rs"), "pub fn b() {}\n").unwrap();
    fx.commit("chore: break it twice");

    let run = fx.run(&[]);
    assert_eq!(run.code(), Some(1), "{}\n{}", run.stdout(), run.stderr());
    let stdout = run.stdout();
    assert!(
        stdout.contains(
            "cargo build --release --locked --workspace\n\
             cargo package (verifying 2 crates together), alongside the build\n"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("the release build failed"), "{stdout}");
    assert!(stdout.contains("rb-a is broken in release"), "{stdout}");
    assert!(stdout.contains("verifying the packages failed"), "{stdout}");
    assert!(stdout.contains("outside.rs"), "{stdout}");
    assert!(fx.registry.uploads().is_empty());
    assert_eq!(std::fs::read_to_string(&lock).unwrap(), locked);
}

#[test]
fn input_problems_alone_exit_2() {
    let fx = Fixture::new(vec![CrateSpec::new("in-a", "0.1.0")]);
    let run = fx.run(&[("CARGO_REGISTRIES_TEST_TOKEN", "<unset>")]);
    assert_eq!(run.code(), Some(2), "{}\n{}", run.stdout(), run.stderr());
    assert!(fx.registry.uploads().is_empty());

    let unknown = fx.run(&[("INPUT_REGISTRY", "nowhere")]);
    assert_eq!(unknown.code(), Some(2), "{}", unknown.stderr());
    assert!(unknown.stderr().contains("nowhere"), "{}", unknown.stderr());
}

/// No token, the OIDC variables present: the job's OIDC token is exchanged, the registry
/// token masked, used and revoked. A new crate cannot go this way: said before any upload.
#[test]
fn trusted_publishing_exchanges_masks_and_revokes_its_token() {
    let mut fx = Fixture::new(vec![CrateSpec::new("tp-a", "0.1.0")]);
    fx.cargo_publish("tp-a");
    fx.rewrite(vec![CrateSpec::new("tp-a", "0.2.0")]);
    let oidc = fx.registry.oidc_request_url();
    let vars = [
        ("CARGO_REGISTRIES_TEST_TOKEN", "<unset>"),
        ("ACTIONS_ID_TOKEN_REQUEST_URL", oidc.as_str()),
        ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "oidc-request-token"),
    ];
    let run = fx.run(&vars);
    assert_eq!(run.code(), Some(0), "{}\n{}", run.stdout(), run.stderr());
    assert_eq!(fx.registry.published("tp-a"), vec!["0.1.0", "0.2.0"]);
    let minted = fx.registry.minted_tokens();
    assert_eq!(minted.len(), 1);
    assert_eq!(fx.registry.revoked_tokens(), minted);
    assert_eq!(fx.registry.oidc_audiences(), vec!["127.0.0.1"]);
    let stdout = run.stdout();
    assert!(
        stdout.contains(&format!("::add-mask::{}", minted[0])),
        "{stdout}"
    );
    let shown = stdout
        .lines()
        .filter(|l| !l.starts_with("::add-mask::"))
        .any(|l| l.contains(&minted[0]));
    assert!(!shown, "{stdout}");

    // A new crate beside it: stopped before anything is uploaded.
    fx.rewrite(vec![
        CrateSpec::new("tp-a", "0.3.0"),
        CrateSpec::new("tp-new", "0.1.0"),
    ]);
    let run = fx.run(&vars);
    assert_eq!(run.code(), Some(2), "{}\n{}", run.stdout(), run.stderr());
    assert!(
        run.stdout()
            .contains("new crates cannot use trusted publishing: tp-new")
    );
    assert_eq!(fx.registry.published("tp-a"), vec!["0.1.0", "0.2.0"]);
    assert_eq!(fx.registry.minted_tokens().len(), 1);
}
