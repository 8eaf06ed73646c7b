//! The registry support code against the real thing: ferro-cargo-registry-server behind the
//! proxy, driven by real `cargo publish` / `cargo package` runs and by reqwest for what cargo
//! does not do (conditional index fetches, the trusted-publishing and OIDC fakes).

#[path = "support/registry.rs"]
mod registry;

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant, SystemTime};

use registry::{CrateSpec, DepSpec, Fault, Kind, Registry};

/// A workspace of `crates` written for a registry named `test`, and a CARGO_HOME naming it.
struct Fixture {
    registry: Registry,
    home: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Fixture {
        let registry = Registry::start();
        let home = tempfile::tempdir().expect("CARGO_HOME");
        registry::cargo_home(home.path(), "test", &registry.index_url());
        Fixture { registry, home }
    }

    fn workspace(&self, crates: &[CrateSpec]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("workspace dir");
        registry::write_workspace(dir.path(), "test", crates);
        dir
    }

    fn cargo(&self, dir: &Path, args: &[&str], vars: &[(&str, &str)]) -> Output {
        let mut command = Command::new("cargo");
        command
            .args(args)
            .current_dir(dir)
            .env("CARGO_HOME", self.home.path())
            .env("CARGO_REGISTRIES_TEST_TOKEN", "any-token")
            .env("CARGO_TERM_COLOR", "never")
            .env_remove("CARGO_TARGET_DIR");
        for (k, v) in vars {
            command.env(k, v);
        }
        command.output().expect("cargo runs")
    }

    /// `cargo publish` of one crate without the verify build, which the proxy does not care about.
    fn publish(&self, dir: &Path, name: &str, vars: &[(&str, &str)]) -> Output {
        let args = ["publish", "--registry", "test", "--no-verify", "-p", name];
        self.cargo(dir, &args, vars)
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn client() -> reqwest::blocking::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::blocking::Client::builder().no_proxy().build();
    client.expect("reqwest client")
}

fn json(answer: reqwest::blocking::Response) -> serde_json::Value {
    serde_json::from_str(&answer.text().expect("a body")).expect("JSON")
}

fn one(name: &str, version: &str) -> Vec<CrateSpec> {
    vec![CrateSpec::new(name, version)]
}

#[test]
fn workspace_published_through_the_proxy_is_logged_and_in_ferro() {
    let fx = Fixture::new();
    let crates = [
        CrateSpec::new("base-lib", "0.1.0"),
        CrateSpec::new("app-lib", "0.2.0").dep(DepSpec::new("base-lib", "0.1.0")),
    ];
    let ws = fx.workspace(&crates);
    fx.registry.set_upload_hold(Duration::from_millis(300));

    let out = fx.cargo(
        ws.path(),
        &[
            "publish",
            "--workspace",
            "--registry",
            "test",
            "--no-verify",
        ],
        &[],
    );

    assert!(out.status.success(), "cargo publish: {}", stderr(&out));
    let uploads = fx.registry.uploads();
    let seen: Vec<(&str, &str, u16, bool)> = uploads
        .iter()
        .map(|u| (u.name.as_str(), u.version.as_str(), u.status, u.faulted))
        .collect();
    assert_eq!(
        seen,
        [
            ("base-lib", "0.1.0", 200, false),
            ("app-lib", "0.2.0", 200, false)
        ]
    );
    for upload in &uploads {
        let held = upload.returned - upload.started;
        assert!(held >= Duration::from_millis(300), "{upload:?}");
        assert_eq!(
            fx.registry.visible_at(&upload.name, &upload.version),
            Some(upload.returned)
        );
    }
    assert_eq!(fx.registry.published("base-lib"), ["0.1.0"]);
    assert_eq!(fx.registry.published("app-lib"), ["0.2.0"]);
    let requests = fx.registry.requests();
    assert!(
        requests
            .iter()
            .any(|r| r.path == "/config.json" && r.status == 200)
    );
    assert!(requests.iter().all(|r| r.started <= r.ended));
    let fetched = fx.registry.index_fetches();
    assert!(
        fetched.iter().any(|f| f.path == "/ba/se/base-lib"),
        "{fetched:?}"
    );
}

#[test]
fn delayed_version_appears_after_the_delay_and_an_old_etag_gets_it_not_a_304() {
    let fx = Fixture::new();
    let first = fx.workspace(&one("delayed", "0.1.0"));
    let second = fx.workspace(&one("delayed", "0.2.0"));
    let url = format!("{}/de/la/delayed", fx.registry.api_url());
    let http = client();
    let get = |etag: Option<&str>| {
        let mut request = http.get(&url);
        if let Some(etag) = etag {
            request = request.header("if-none-match", etag);
        }
        let answer = request.send().expect("GET index file");
        let status = answer.status().as_u16();
        let etag = answer
            .headers()
            .get("etag")
            .map(|e| e.to_str().unwrap().to_owned());
        (status, etag, answer.text().unwrap())
    };
    let out = fx.publish(first.path(), "delayed", &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let (status, before, body) = get(None);
    assert_eq!(status, 200);
    assert!(body.contains("\"0.1.0\""), "{body}");
    let before = before.expect("a complete index file has an ETag");

    fx.registry.set_index_delay(Duration::from_secs(2));
    // cargo itself waits until the index lists the version; look while it waits.
    let (out, status, hidden_etag, body, conditional) = std::thread::scope(|scope| {
        let cargo = scope.spawn(|| fx.publish(second.path(), "delayed", &[]));
        let deadline = Instant::now() + Duration::from_secs(20);
        while fx.registry.uploads().len() < 2 {
            assert!(Instant::now() < deadline, "no second upload");
            std::thread::sleep(Duration::from_millis(10));
        }
        let (status, hidden_etag, body) = get(None);
        let (conditional, _, _) = get(Some(&before));
        assert!(
            Instant::now()
                < fx.registry
                    .visible_at("delayed", "0.2.0")
                    .expect("visible_at"),
            "the checks above ran after the delay"
        );
        let out = cargo.join().expect("cargo thread");
        (out, status, hidden_etag, body, conditional)
    });

    let upload = fx.registry.uploads().pop().expect("the second upload");
    let visible = fx
        .registry
        .visible_at("delayed", "0.2.0")
        .expect("visible_at");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("waiting for delayed v0.2.0"),
        "{}",
        stderr(&out)
    );
    assert!(
        Instant::now() >= visible,
        "cargo saw the version before it was visible"
    );
    assert_eq!(visible, upload.returned + Duration::from_secs(2));
    assert_eq!(status, 200);
    assert!(
        body.contains("\"0.1.0\"") && !body.contains("\"0.2.0\""),
        "{body}"
    );
    assert_eq!(
        hidden_etag, None,
        "a filtered file must not carry ferro's ETag"
    );
    assert_eq!(conditional, 200, "filtered files ignore If-None-Match");
    assert_eq!(fx.registry.published("delayed"), ["0.1.0", "0.2.0"]);

    let (status, after, body) = get(Some(&before));
    assert_eq!(status, 200, "the ETag from before the version appeared");
    assert!(body.contains("\"0.2.0\""), "{body}");
    let after = after.expect("a complete index file has an ETag");
    assert_ne!(after, before);
    let (status, _, _) = get(Some(&after));
    assert_eq!(status, 304, "a current ETag still gets a 304");
}

#[test]
fn rate_limited_upload_fails_cargo_with_the_date_and_the_next_one_succeeds() {
    let fx = Fixture::new();
    let ws = fx.workspace(&one("limited", "0.1.0"));
    fx.registry.inject(
        Fault::upload("limited")
            .status(429)
            .retry_after(Duration::from_secs(120)),
    );

    let asked = SystemTime::now();
    let out = fx.publish(ws.path(), "limited", &[]);

    let text = stderr(&out);
    assert!(!out.status.success());
    assert!(text.contains("429"), "{text}");
    let date = text
        .split_once("Please try again after ")
        .and_then(|(_, rest)| rest.split_once(" or email"))
        .map(|(date, _)| date)
        .unwrap_or_else(|| panic!("no date in {text}"));
    let date = httpdate::parse_http_date(date).expect("an HTTP date");
    let ahead = date.duration_since(asked).expect("a date in the future");
    assert!((Duration::from_secs(115)..Duration::from_secs(125)).contains(&ahead));
    let uploads = fx.registry.uploads();
    assert_eq!(uploads.len(), 1, "cargo does not retry a 429 itself");
    assert!(uploads[0].faulted);
    assert_eq!(uploads[0].status, 429);
    assert!(fx.registry.published("limited").is_empty());

    let out = fx.publish(ws.path(), "limited", &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(fx.registry.published("limited"), ["0.1.0"]);
    assert!(!fx.registry.uploads()[1].faulted);
}

#[test]
fn unavailable_and_dropped_uploads_fail_cargo_and_publish_nothing() {
    let fx = Fixture::new();
    let crates = [
        CrateSpec::new("unavailable", "0.1.0"),
        CrateSpec::new("dropped", "0.1.0"),
    ];
    let ws = fx.workspace(&crates);
    fx.registry.inject(Fault::upload("unavailable").status(503));
    fx.registry
        .inject(Fault::upload("dropped").drop_connection());

    let unavailable = fx.publish(ws.path(), "unavailable", &[]);
    let dropped = fx.publish(ws.path(), "dropped", &[]);

    let text = stderr(&unavailable);
    assert!(!unavailable.status.success());
    assert!(text.contains("503"), "{text}");
    let text = stderr(&dropped);
    assert!(!dropped.status.success());
    assert!(text.contains("[52] Server returned nothing"), "{text}");
    let uploads = fx.registry.uploads();
    assert!(uploads.iter().all(|u| u.faulted), "{uploads:?}");
    let statuses: Vec<(&str, u16)> = uploads
        .iter()
        .map(|u| (u.name.as_str(), u.status))
        .collect();
    assert_eq!(
        statuses,
        [("unavailable", 503), ("dropped", 0)],
        "cargo does not retry"
    );
    let logged = fx.registry.requests();
    let puts: Vec<u16> = logged
        .iter()
        .filter(|r| r.method == "PUT")
        .map(|r| r.status)
        .collect();
    assert_eq!(puts, [503, 0]);
    assert!(fx.registry.published("unavailable").is_empty());
    assert!(fx.registry.published("dropped").is_empty());

    let again = fx.publish(ws.path(), "dropped", &[]);
    assert!(
        again.status.success(),
        "the fault was for one upload: {}",
        stderr(&again)
    );
    assert_eq!(fx.registry.published("dropped"), ["0.1.0"]);
}

#[test]
fn trusted_publishing_and_oidc_fakes_mint_exchange_and_revoke() {
    let registry = Registry::start();
    let http = client();
    let api = registry.api_url();
    let oidc_url = format!("{}&audience=crates.io", registry.oidc_request_url());

    let refused = http.get(&oidc_url).send().unwrap();
    let oidc = http
        .get(&oidc_url)
        .header("authorization", "bearer request-token")
        .send()
        .unwrap();
    assert_eq!(refused.status().as_u16(), 401);
    assert_eq!(oidc.status().as_u16(), 200);
    let jwt = json(oidc)["value"].as_str().expect("a value").to_owned();
    assert_eq!(jwt.split('.').count(), 3, "{jwt}");
    assert_eq!(registry.oidc_audiences(), ["crates.io"]);

    let tokens = format!("{api}/api/v1/trusted_publishing/tokens");
    let minted = http
        .post(&tokens)
        .body(serde_json::json!({ "jwt": jwt }).to_string())
        .send()
        .unwrap();
    assert_eq!(minted.status().as_u16(), 200);
    let token = json(minted)["token"].as_str().expect("a token").to_owned();
    assert_eq!(registry.minted_tokens(), std::slice::from_ref(&token));
    assert_eq!(registry.exchanged_jwts(), [jwt]);
    let no_jwt = http.post(&tokens).body("{}").send().unwrap();
    assert_eq!(no_jwt.status().as_u16(), 400);

    let revoke = |token: &str| {
        let answer = http.delete(&tokens).header("authorization", token).send();
        answer.unwrap().status().as_u16()
    };
    assert_eq!(revoke(&token), 204);
    assert_eq!(revoke(&token), 401, "a revoked token is unknown");
    assert_eq!(revoke("cio-never-minted"), 401);
    assert_eq!(registry.revoked_tokens(), [token]);
}

#[test]
fn generated_workspace_with_every_kind_of_member_dependency_packages() {
    // base ← app (normal, build, cfg(unix), renamed, optional, versioned dev)
    let fx = Fixture::new();
    let crates = [
        CrateSpec::new("base", "1.0.0"),
        CrateSpec::new("codegen", "0.3.0"),
        CrateSpec::new("unix-only", "0.1.0"),
        CrateSpec::new("renamed", "0.1.0"),
        CrateSpec::new("extra", "0.1.0"),
        CrateSpec::new("harness", "0.1.0"),
        CrateSpec::new("app", "0.5.0")
            .dep(DepSpec::new("base", "1.0.0"))
            .dep(DepSpec::new("codegen", "0.3").kind(Kind::Build))
            .dep(DepSpec::new("unix-only", "0.1.0").target("cfg(unix)"))
            .dep(DepSpec::new("renamed", "0.1.0").rename("alias"))
            .dep(DepSpec::new("extra", "0.1.0").optional())
            .dep(DepSpec::new("harness", "0.1.0").kind(Kind::Dev)),
    ];
    let ws = fx.workspace(&crates);
    let manifest = std::fs::read_to_string(ws.path().join("crates/app/Cargo.toml")).unwrap();
    let lib = std::fs::read_to_string(ws.path().join("crates/app/src/lib.rs")).unwrap();
    let build = std::fs::read_to_string(ws.path().join("crates/app/build.rs")).unwrap();

    let out = fx.cargo(
        ws.path(),
        &["package", "--workspace", "--registry", "test", "--quiet"],
        &[],
    );

    assert!(out.status.success(), "cargo package: {}", stderr(&out));
    for expected in [
        "publish = [\"test\"]",
        "[target.'cfg(unix)'.dependencies]\nunix-only = { path = \"../unix-only\", version = \"0.1.0\", registry = \"test\" }",
        "alias = { path = \"../renamed\", version = \"0.1.0\", registry = \"test\", package = \"renamed\" }",
        "extra = { path = \"../extra\", version = \"0.1.0\", registry = \"test\", optional = true }",
        "[dev-dependencies]\nharness = ",
        "[features]\nextra = [\"dep:extra\"]",
    ] {
        assert!(manifest.contains(expected), "{expected} in\n{manifest}");
    }
    for used in [
        "pub use base;",
        "#[cfg(unix)]\npub use unix_only;",
        "pub use alias;",
    ] {
        assert!(lib.contains(used), "{used} in\n{lib}");
    }
    assert!(
        lib.contains("#[cfg(feature = \"extra\")]\npub use extra;"),
        "{lib}"
    );
    assert!(build.contains("use codegen as _;"), "{build}");
    let packaged = ws.path().join("target/package/app-0.5.0.crate");
    assert!(packaged.is_file(), "{}", packaged.display());
}

#[test]
fn layered_crates_depend_on_the_one_below_and_its_neighbour() {
    // l1-c0 → l0-c0, l0-c1;  l1-c1 → l0-c1, l0-c0 (wrapping)
    let crates = registry::layered(3, 2);

    let edges: Vec<(String, Vec<String>)> = crates
        .iter()
        .map(|c| {
            (
                c.name.clone(),
                c.deps.iter().map(|d| d.name.clone()).collect(),
            )
        })
        .collect();

    let expected: Vec<(&str, Vec<&str>)> = vec![
        ("l0-c0", vec![]),
        ("l0-c1", vec![]),
        ("l1-c0", vec!["l0-c0", "l0-c1"]),
        ("l1-c1", vec!["l0-c1", "l0-c0"]),
        ("l2-c0", vec!["l1-c0", "l1-c1"]),
        ("l2-c1", vec!["l1-c1", "l1-c0"]),
    ];
    let expected: Vec<(String, Vec<String>)> = expected
        .into_iter()
        .map(|(n, d)| (n.to_owned(), d.into_iter().map(str::to_owned).collect()))
        .collect();
    assert_eq!(edges, expected);
    let width_one = registry::layered(2, 1);
    assert_eq!(width_one[1].deps.len(), 1, "a crate is not listed twice");
}

#[test]
fn irregular_layers_add_an_edge_that_skips_a_layer() {
    //   l2-c0 ──────────┐
    //   l1-c0  l1-c1    │
    //   l0-c0  ◄────────┘
    let crates = registry::irregular(&[1, 2, 1]);

    let names: Vec<&str> = crates.iter().map(|c| c.name.as_str()).collect();
    let top: Vec<&str> = crates[3].deps.iter().map(|d| d.name.as_str()).collect();

    assert_eq!(names, ["l0-c0", "l1-c0", "l1-c1", "l2-c0"]);
    assert_eq!(top, ["l1-c0", "l1-c1", "l0-c0"]);
}
