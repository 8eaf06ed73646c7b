//! API checks end to end: real tiny workspaces in real git repositories, the real
//! cargo-semver-checks, the real binary (`plan`, and `prepare` against the fake GitHub and the
//! real registry). The binary gets a PATH of its own: cargo, rustc, rustdoc and git, and the
//! tool only when a test puts it there — wrapped, so a test can tell whether it was started.

mod support;

use std::path::Path;
use std::process::Output;

use serde_json::Value;
use support::github::FakeGitHub;
use support::registry::{self, Registry};
use support::tools::Bin;
use support::*;

const TOKEN: &str = "ghs_SemverChecksTestToken0123456789";
const REGISTRY_TOKEN: &str = "cio_SemverChecksRegistry9876543210";
/// A workspace of `crates` (name, version, lib.rs), published to the registry `test` only,
/// committed as `chore: import`.
fn workspace(crates: &[(&str, &str, &str)]) -> Repo {
    let repo = Repo::new();
    repo.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"crates/*\"]\nresolver = \"2\"\n",
    );
    repo.write(".gitignore", "/target\n");
    for (name, version, lib) in crates {
        let manifest =
            manifest(name, version, "").replace("license = ", "publish = [\"test\"]\nlicense = ");
        repo.write(&format!("crates/{name}/Cargo.toml"), &manifest);
        repo.write(&format!("crates/{name}/src/lib.rs"), lib);
    }
    repo.commit("chore: import");
    repo
}

/// A repository with an `origin`, the fake GitHub, the real registry as `test`, and a runner.
struct World {
    repo: Repo,
    _origin: tempfile::TempDir,
    runner: tempfile::TempDir,
    gh: FakeGitHub,
    registry: Registry,
    cargo_home: tempfile::TempDir,
}

struct Run {
    out: Output,
    summary: String,
}

impl Run {
    fn stdout(&self) -> String {
        stdout(&self.out)
    }

    fn ok(self) -> Run {
        assert_success(&self.out);
        self
    }
}

impl World {
    fn new(repo: Repo) -> World {
        let registry = Registry::start();
        let cargo_home = tempfile::tempdir().unwrap();
        registry::cargo_home(cargo_home.path(), "test", &registry.index_url());
        let origin = tempfile::tempdir().unwrap();
        repo.git(&[
            "init",
            "-q",
            "--bare",
            "-b",
            "main",
            origin.path().to_str().unwrap(),
        ]);
        repo.git(&["remote", "add", "origin", origin.path().to_str().unwrap()]);
        World {
            repo,
            _origin: origin,
            runner: tempfile::tempdir().unwrap(),
            gh: FakeGitHub::start("acme/widgets"),
            registry,
            cargo_home,
        }
    }

    /// `cargo publish` of one crate as it is in the checkout (an earlier release).
    fn cargo_publish(&self, name: &str) {
        self.cargo_publish_in(self.repo.path(), name);
    }

    /// `cargo publish` of the crate `name` of the workspace at `dir`.
    fn cargo_publish_in(&self, dir: &Path, name: &str) {
        let out = std::process::Command::new("cargo")
            .args([
                "publish",
                "--registry",
                "test",
                "--no-verify",
                "--allow-dirty",
                "-p",
                name,
            ])
            .current_dir(dir)
            .env("CARGO_HOME", self.cargo_home.path())
            .env("CARGO_REGISTRIES_TEST_TOKEN", REGISTRY_TOKEN)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    }

    /// Run the action's `action` (prepare, plan) with `bin` as PATH.
    fn action(&self, action: &str, bin: &Bin) -> Run {
        self.action_with(action, bin, &[])
    }

    /// [`World::action`] with `extra` in the environment too.
    fn action_with(&self, action: &str, bin: &Bin, extra: &[(&str, &str)]) -> Run {
        self.repo
            .git(&["push", "-q", "-f", "origin", "main", "--tags"]);
        let dir = self.runner.path();
        let home = dir.join("home");
        std::fs::create_dir_all(&home).unwrap();
        let _ = std::fs::remove_file(dir.join("summary"));
        let rustup_home = std::env::var("RUSTUP_HOME")
            .unwrap_or_else(|_| support::home().join(".rustup").display().to_string());
        let (api, path) = (self.gh.url(), bin.path());
        let cargo_home = self.cargo_home.path().display().to_string();
        let set = [
            ("INPUT_ACTION", action),
            ("INPUT_REGISTRY", "test"),
            ("INPUT_TOKEN", TOKEN),
            ("CARGO_REGISTRIES_TEST_TOKEN", REGISTRY_TOKEN),
            ("HOME", home.to_str().unwrap()),
            ("CARGO_HOME", &cargo_home),
            ("RUSTUP_HOME", &rustup_home),
            ("PATH", &path),
            ("GITHUB_REF", "refs/heads/main"),
            ("GITHUB_API_URL", &api),
        ];
        let mut set = set.to_vec();
        set.extend_from_slice(extra);
        let out = run_env(
            self.repo.path(),
            &[],
            &action_env(self.repo.path(), dir, &set),
        );
        Run {
            summary: std::fs::read_to_string(dir.join("summary")).unwrap_or_default(),
            out,
        }
    }

    fn pr_body(&self) -> String {
        self.gh.pull(1)["body"].as_str().unwrap().to_owned()
    }

    /// A file on origin's release branch.
    fn branch_file(&self, path: &str) -> String {
        self.repo.git(&["fetch", "-q", "origin"]);
        self.repo
            .git(&["show", &format!("origin/releasekit/release:{path}")])
    }

    /// The cached baseline JSON files, by name.
    fn cached_baselines(&self) -> Vec<String> {
        let dir = self
            .repo
            .path()
            .join("target/releasekit/semver/baseline-v1");
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }
}

/// `plan --offline --registry test` on the command line with the tool on PATH: its output.
fn plan_with_the_tool(repo: &Repo) -> String {
    let bin = Bin::new(true);
    let out = run(
        repo.path(),
        &["plan", "--offline", "--registry", "test"],
        &[("PATH", &bin.path())],
    );
    assert_success(&out);
    stdout(&out)
}

fn lib(items: &[&str]) -> String {
    let mut text = String::from("//! a crate\n");
    for item in items {
        text.push_str(&format!("pub fn {item}() -> u8 {{ 1 }}\n"));
    }
    text
}

/// `fix:` commits that remove a `pub fn` in 1.2.3 and in 0.3.1, add one in 1.0.0, remove one
/// from a crate only the registry knows (no tag), next to a new crate.
#[test]
fn api_breaks_raise_the_bump_in_the_plan_the_pr_and_the_changelog_and_baselines_are_cached() {
    let repo = workspace(&[
        ("widgets", "1.2.3", &lib(&["parse", "render"])),
        ("gadgets", "0.3.1", &lib(&["spin", "stop"])),
        ("helpers", "1.0.0", &lib(&["help"])),
        ("legacy", "1.1.0", &lib(&["old", "older"])),
    ]);
    for tag in ["widgets-v1.2.3", "gadgets-v0.3.1", "helpers-v1.0.0"] {
        repo.tag(tag);
    }
    let w = World::new(repo);
    w.cargo_publish("legacy");
    w.repo.write("crates/widgets/src/lib.rs", &lib(&["render"]));
    w.repo.commit("fix(widgets): drop the old parser");
    w.repo.write("crates/gadgets/src/lib.rs", &lib(&["stop"]));
    w.repo.commit("fix(gadgets): no more spinning");
    w.repo
        .write("crates/helpers/src/lib.rs", &lib(&["help", "assist"]));
    w.repo.commit("fix(helpers): one more helper");
    w.repo.write("crates/legacy/src/lib.rs", &lib(&["older"]));
    w.repo.commit("fix(legacy): forget the oldest");
    add_crate(&w.repo, "crates/fresh", "fresh", "0.1.0", "");
    w.repo.commit("feat(fresh): a new crate");
    let bin = Bin::new(true);

    let first = w.action("prepare", &bin).ok();
    let log = first.stdout();
    assert!(
        log.contains("4 of 4 crate(s) compared with their last release")
            && log.contains("baselines: 0 from the cache, 4 documented"),
        "{log}"
    );
    let body = w.pr_body();
    for row in [
        "| `widgets` | 1.2.3 → 2.0.0 | major | 1 commit (patch); API break (major): function_missing: widgets::parse |",
        "| `gadgets` | 0.3.1 → 0.4.0 | minor | 1 commit (patch); API break (minor): function_missing: gadgets::spin |",
        "| `helpers` | 1.0.0 → 1.0.1 | patch | 1 commit (patch) |",
        "| `legacy` | 2.0.0 | major | 1 commit (patch); API break (major): function_missing: legacy::old |",
        "| `fresh` | 0.1.0 | none | new crate (no release tag) |",
    ] {
        assert!(body.contains(row), "{row}\nnot in\n{body}");
    }
    assert!(w.branch_file("crates/widgets/CHANGELOG.md").contains(
        "### Breaking changes\n\n- function_missing: `widgets::parse` (cargo-semver-checks)\n"
    ));
    assert!(
        w.branch_file("crates/widgets/Cargo.toml")
            .contains("version = \"2.0.0\"")
    );
    // The new crate has no previous release: nothing to compare it with.
    let cached = w.cached_baselines();
    assert_eq!(cached.len(), 4, "{cached:?}");
    assert!(
        cached
            .iter()
            .any(|c| c.starts_with("legacy+registry-1.1.0+"))
    );
    assert!(!cached.iter().any(|c| c.starts_with("fresh")), "{cached:?}");
    // legacy has no tag: its baseline is the registry's .crate.
    let downloads: Vec<String> = w
        .registry
        .requests()
        .into_iter()
        .filter(|r| r.method == "GET" && r.path.ends_with("/download"))
        .map(|r| r.path)
        .collect();
    assert_eq!(downloads.len(), 1, "{downloads:?}");
    assert!(downloads[0].contains("legacy/1.1.0"), "{downloads:?}");

    // Unchanged baselines come from the cache: only HEAD is documented again.
    let second = w.action("prepare", &bin).ok();
    assert!(
        second
            .stdout()
            .contains("baselines: 4 from the cache, 0 documented"),
        "{}",
        second.stdout()
    );
    assert_eq!(w.pr_body(), body);
}

/// The release tag's tree does not compile: `auto` releases with a visible note, `required`
/// stops prepare; a missing tool is the same under both.
#[test]
fn a_check_that_cannot_run_is_a_note_under_auto_and_stops_prepare_under_required() {
    // rustdoc reads signatures, not bodies: a type that does not exist stops it.
    let repo = workspace(&[(
        "widgets",
        "1.2.3",
        "pub fn parse() -> Missing { todo!() }\n",
    )]);
    repo.tag("v1.2.3");
    repo.write("crates/widgets/src/lib.rs", &lib(&["parse"]));
    repo.commit("fix: parse returns a number");
    let w = World::new(repo);
    let with_tool = Bin::new(true);

    let auto = w.action("prepare", &with_tool).ok();
    let note = "API check could not run for widgets: the baseline at tag v1.2.3 could not be documented: error: cannot find type `Missing` in this scope";
    assert!(auto.stdout().contains(note), "{}", auto.stdout());
    assert!(auto.summary.contains(note), "{}", auto.summary);
    assert!(w.pr_body().contains(note), "{}", w.pr_body());
    assert!(
        w.pr_body()
            .contains("| `widgets` | 1.2.3 → 1.2.4 | patch |")
    );

    w.repo
        .write("releasekit.toml", "semver_checks = \"required\"\n");
    let writes = w.gh.writes().len();
    let required = w.action("prepare", &with_tool);
    assert_eq!(required.out.status.code(), Some(1));
    let err = stderr(&required.out);
    assert!(
        err.contains("API check could not run (semver_checks = \"required\"): widgets: the baseline at tag v1.2.3 could not be documented"),
        "{err}"
    );
    assert_eq!(w.gh.writes().len(), writes, "nothing written to GitHub");

    // Without the tool: a note under auto (the plan, the PR body, the summary), an error
    // under required.
    let no_tool = Bin::new(false);
    let missing = w.action("prepare", &no_tool);
    assert_eq!(
        missing.out.status.code(),
        Some(1),
        "{}",
        stderr(&missing.out)
    );
    assert!(
        stderr(&missing.out).contains("widgets: cargo-semver-checks is not installed"),
        "{}",
        stderr(&missing.out)
    );
    w.repo
        .write("releasekit.toml", "semver_checks = \"auto\"\n");
    let missing = w.action("prepare", &no_tool).ok();
    let note = "API check could not run for widgets: cargo-semver-checks is not installed";
    assert!(missing.stdout().contains(note), "{}", missing.stdout());
    assert!(missing.summary.contains(note), "{}", missing.summary);
    assert!(w.pr_body().contains(note), "{}", w.pr_body());
}

/// `off` (for the workspace, or for one crate) starts no check: the tool is never run.
#[test]
fn semver_checks_off_starts_no_check() {
    let repo = workspace(&[("widgets", "1.2.3", &lib(&["parse", "render"]))]);
    repo.tag("v1.2.3");
    repo.write("crates/widgets/src/lib.rs", &lib(&["render"]));
    repo.commit("fix: drop the parser");
    let bin = Bin::new(true);
    let plan = |config: &str| {
        repo.write("releasekit.toml", config);
        let args = ["plan", "--json", "--offline", "--registry", "test"];
        let out = run(repo.path(), &args, &[("PATH", &bin.path())]);
        assert!(out.status.success(), "{}", stderr(&out));
        let plan: Value = serde_json::from_slice(&out.stdout).unwrap();
        plan["crates"][0]["planned_version"]
            .as_str()
            .unwrap()
            .to_owned()
    };

    assert_eq!(plan("semver_checks = \"off\"\n"), "1.2.4");
    assert_eq!(bin.calls(), 0, "the tool was started");
    assert_eq!(
        plan("[package.widgets]\nsemver_checks = \"off\"\n"),
        "1.2.4"
    );
    assert_eq!(bin.calls(), 0, "the tool was started");
    assert!(
        !repo.path().join("target/releasekit").exists(),
        "nothing was documented"
    );
    // The same plan with checks on starts it: the wrapper sees every call.
    assert_eq!(plan(""), "2.0.0");
    assert!(bin.calls() >= 1);
}

#[test]
fn a_package_table_naming_no_member_stops_with_its_position() {
    let repo = workspace(&[("widgets", "1.2.3", "")]);
    repo.write(
        "releasekit.toml",
        "\n[package.widget]\nsemver_checks = \"off\"\n",
    );
    let bin = Bin::new(false);
    let out = run(repo.path(), &["plan"], &[("PATH", &bin.path())]);
    assert_eq!(out.status.code(), Some(2));
    let path = Path::new("releasekit.toml");
    assert!(
        stderr(&out).contains(&format!(
            "{}:2:10: invalid value \"widget\" for package.widget: expected the name of a workspace member: widgets",
            repo.path().join(path).display()
        )),
        "{}",
        stderr(&out)
    );
}

/// Build scripts run in the API check (`cargo doc` of HEAD and of the baseline) and in publish's
/// pre-flight (`cargo build --release`, `cargo package`): none sees a secret of the run, while
/// the upload still finds its registry token.
#[test]
fn build_scripts_see_no_token_and_the_upload_still_has_its_own() {
    let record = tempfile::tempdir().unwrap();
    let log = record.path().join("env.txt");
    let repo = workspace(&[("widgets", "1.2.3", &lib(&["parse", "render"]))]);
    let manifest = repo.read("crates/widgets/Cargo.toml");
    repo.write(
        "crates/widgets/Cargo.toml",
        &manifest.replace("edition = ", "build = \"build.rs\"\nedition = "),
    );
    repo.write(
        "crates/widgets/build.rs",
        &format!(
            "use std::io::Write;\nfn main() {{\n    let mut f = std::fs::OpenOptions::new().create(true).append(true).open({log:?}).unwrap();\n    writeln!(f, \"--- a build script ran\").unwrap();\n    for (k, v) in std::env::vars() {{\n        writeln!(f, \"{{k}}={{v}}\").unwrap();\n    }}\n}}\n"
        ),
    );
    repo.commit("chore: a build script");
    repo.tag("v1.2.3");
    repo.write("crates/widgets/src/lib.rs", &lib(&["render"]));
    repo.commit("fix: drop the parser");
    let w = World::new(repo);
    let bin = Bin::new(true);
    // A build script is linked: the system's `cc` after the test's own tools.
    let path = format!("{}:/usr/bin:/bin", bin.path());
    let secrets = [
        ("PATH", path.as_str()),
        ("GITHUB_TOKEN", "ghs_GithubTokenSecretValue"),
        ("CARGO_REGISTRY_TOKEN", "cio_CratesIoSecretValue"),
        ("CARGO_REGISTRIES_OTHER_TOKEN", "other_RegistrySecretValue"),
        ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "oidc_RequestSecretValue"),
        (
            "ACTIONS_ID_TOKEN_REQUEST_URL",
            "http://127.0.0.1:9/oidc_UrlSecretValue",
        ),
        ("ACTIONS_RUNTIME_TOKEN", "rt_RuntimeSecretValue"),
    ];

    let prepared = w.action_with("prepare", &bin, &secrets).ok();
    assert!(
        prepared
            .stdout()
            .contains("1 of 1 crate(s) compared with their last release"),
        "{}",
        prepared.stdout()
    );
    assert!(
        w.pr_body()
            .contains("| `widgets` | 1.2.3 → 2.0.0 | major |")
    );
    let documented = std::fs::read_to_string(&log)
        .unwrap()
        .matches("--- ")
        .count();
    assert!(
        documented >= 2,
        "HEAD and the baseline ran it: {documented}"
    );

    w.action_with("publish", &bin, &secrets).ok();
    let uploads = w.registry.uploads();
    assert_eq!(uploads.len(), 1, "the upload found its token: {uploads:?}");
    let seen = std::fs::read_to_string(&log).unwrap();
    assert!(
        seen.matches("--- ").count() >= documented + 2,
        "build and package ran it too:\n{seen}"
    );
    let mut values: Vec<&str> = secrets[1..].iter().map(|(_, v)| *v).collect();
    values.extend([TOKEN, REGISTRY_TOKEN]);
    for value in values {
        assert!(!seen.contains(value), "a build script saw {value}");
    }
    for name in [
        "INPUT_TOKEN=",
        "GITHUB_TOKEN=",
        "CARGO_REGISTRIES_TEST_TOKEN=",
    ] {
        assert!(
            !seen.lines().any(|l| l.starts_with(name)),
            "a build script saw {name}"
        );
    }
}

/// The baseline is documented in a worktree of its tag under the repository's `.git`, below the
/// checkout: cargo looks for a `[workspace]` in every directory above a package. A
/// single-package repository whose HEAD became a workspace (an `xtask` member added after the
/// tag) must still have its tag's package documented as its own workspace, not refused as a
/// stray member of the checkout's; and no worktree is left behind.
#[test]
fn a_single_package_baseline_below_a_checkout_that_became_a_workspace_is_its_own_workspace() {
    let repo = Repo::new();
    repo.write(".gitignore", "/target\n");
    repo.write(
        "Cargo.toml",
        &manifest("widgets", "1.2.3", "").replace("license = ", "publish = [\"test\"]\nlicense = "),
    );
    repo.write("src/lib.rs", &lib(&["parse", "render"]));
    repo.commit("chore: import");
    repo.tag("v1.2.3");
    let root = repo.read("Cargo.toml");
    repo.write(
        "Cargo.toml",
        &format!("{root}\n[workspace]\nmembers = [\"xtask\"]\n"),
    );
    repo.write(
        "xtask/Cargo.toml",
        "[package]\nname = \"xtask\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n",
    );
    repo.write("xtask/src/main.rs", "fn main() {}\n");
    repo.commit("build: an xtask");
    repo.write("src/lib.rs", &lib(&["render"]));
    repo.commit("fix: drop the parser");

    let text = plan_with_the_tool(&repo);
    assert!(
        text.contains("1 of 1 crate(s) compared with their last release"),
        "{text}"
    );
    assert!(text.contains("function_missing: widgets::parse"), "{text}");
    assert_eq!(
        repo.git(&["worktree", "list", "--porcelain"])
            .matches("worktree ")
            .count(),
        1
    );
    assert!(
        !repo.path().join(".git/releasekit").exists(),
        "the private directory is gone"
    );
}

/// A `fix:` that removes a function behind a non-default feature breaks the users who enable
/// it. Both sides are documented with the features cargo-semver-checks enables by default
/// (every feature but the unstable, nightly, bench, no_std and `_`-prefixed ones), from the
/// release tag's tree and from the registry's `.crate` alike; an `_internal` one stays unchecked
/// as the tool leaves it.
#[test]
fn an_api_removed_behind_a_non_default_feature_raises_the_bump() {
    let gated = |items: &[&str]| {
        format!(
            "{}#[cfg(feature = \"extra\")]\npub fn gated() -> u8 {{ 1 }}\n#[cfg(feature = \"_internal\")]\npub fn hidden() -> u8 {{ 1 }}\n",
            lib(items)
        )
    };
    let repo = workspace(&[
        ("widgets", "1.2.3", &gated(&["parse"])),
        ("legacy", "1.1.0", &gated(&["old"])),
    ]);
    for name in ["widgets", "legacy"] {
        let path = format!("crates/{name}/Cargo.toml");
        let manifest = repo.read(&path);
        repo.write(
            &path,
            &format!("{manifest}\n[features]\nextra = []\n_internal = []\n"),
        );
    }
    repo.commit("feat: gated functions");
    repo.tag("widgets-v1.2.3");
    let w = World::new(repo);
    w.cargo_publish("legacy");
    let ungated = |items: &[&str]| {
        format!(
            "{}#[cfg(feature = \"_internal\")]\npub fn kept() {{}}\n",
            lib(items)
        )
    };
    w.repo
        .write("crates/widgets/src/lib.rs", &ungated(&["parse"]));
    w.repo.write("crates/legacy/src/lib.rs", &ungated(&["old"]));
    w.repo.commit("fix: tidy up");

    let plan = w.action("prepare", &Bin::new(true)).ok();

    let text = plan.stdout();
    assert!(
        text.contains("2 of 2 crate(s) compared with their last release"),
        "{text}"
    );
    for name in ["widgets", "legacy"] {
        assert!(
            text.contains(&format!(
                "API break (major): function_missing: {name}::gated"
            )),
            "{name}: {text}"
        );
        assert!(!text.contains(&format!("{name}::hidden")), "{text}");
    }
}

/// Tags made together at one commit name a crate added after it: that crate's check cannot run
/// (its note says why), and the other crate tagged there is still compared — its break found —
/// and only what was documented is counted.
#[test]
fn a_crate_missing_at_its_tags_commit_does_not_stop_the_check_of_the_others() {
    let repo = workspace(&[("b", "1.0.0", &lib(&["b"]))]);
    repo.tag("a-v1.0.0");
    repo.tag("b-v1.0.0");
    add_crate(&repo, "crates/a", "a", "1.0.0", "");
    repo.commit("chore: add a");
    repo.change("crates/a/src/lib.rs", "fix: a");
    repo.write("crates/b/src/lib.rs", &lib(&["b2"]));
    repo.commit("fix: both");

    let text = plan_with_the_tool(&repo);
    assert!(
        text.contains("1 of 2 crate(s) compared with their last release")
            && text.contains("baselines: 0 from the cache, 1 documented"),
        "{text}"
    );
    assert!(text.contains("function_missing: b::b"), "{text}");
    assert!(
        text.contains("API check could not run for a: the baseline at tag a-v1.0.0 could not be documented: the workspace at that commit has no package a"),
        "{text}"
    );
}

/// `plan --offline` uses no network, the API checks' `cargo doc` included: a dependency not
/// downloaded yet makes a check that could not run (with its note), never a download. Online,
/// the same plan downloads it and compares.
#[test]
fn plan_offline_downloads_nothing_for_the_api_checks() {
    let repo = workspace(&[("widgets", "1.2.3", &lib(&["parse", "render"]))]);
    let w = World::new(repo);
    let helper = workspace(&[("helper", "1.0.0", &lib(&["help"]))]);
    w.cargo_publish_in(helper.path(), "helper");
    let manifest = w.repo.read("crates/widgets/Cargo.toml");
    w.repo.write(
        "crates/widgets/Cargo.toml",
        &format!(
            "{manifest}\n[dependencies]\nhelper = {{ version = \"1\", registry = \"test\" }}\n"
        ),
    );
    let cargo_home = w.cargo_home.path().display().to_string();
    let lock = std::process::Command::new("cargo")
        .arg("generate-lockfile")
        .current_dir(w.repo.path())
        .env("CARGO_HOME", &cargo_home)
        .output()
        .unwrap();
    assert!(lock.status.success(), "{}", stderr(&lock));
    w.repo.commit("feat: a helper");
    w.repo.tag("v1.2.3");
    w.repo.write("crates/widgets/src/lib.rs", &lib(&["render"]));
    w.repo.commit("fix: drop the parser");
    let bin = Bin::new(true);
    let downloads = || {
        w.registry
            .requests()
            .iter()
            .filter(|r| r.path.contains("/download"))
            .count()
    };
    let before = downloads();
    let vars = [("PATH", bin.path()), ("CARGO_HOME", cargo_home.clone())];
    let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();

    let offline = run(
        w.repo.path(),
        &["plan", "--offline", "--registry", "test"],
        &vars,
    );

    assert_success(&offline);
    assert!(
        stdout(&offline).contains("note: API check could not run for widgets"),
        "{}",
        stdout(&offline)
    );
    assert_eq!(downloads(), before, "nothing was downloaded");

    let online = run(w.repo.path(), &["plan", "--registry", "test"], &vars);
    assert_success(&online);
    assert!(
        stdout(&online).contains("function_missing: widgets::parse"),
        "{}",
        stdout(&online)
    );
    assert!(downloads() > before);
}
