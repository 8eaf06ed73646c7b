//! `plan` and `apply` on the shapes real histories take (DESIGN §3 "Release point" and
//! "Commits"): a maintenance branch, an amended release commit, a release whose tags and
//! publish never happened, packages narrower than their directory, dependency updates,
//! `[commits]`, `Release-As` and prerelease graduation. Real git repositories, the real
//! binary, and where the rule depends on the registry a real one (ferro behind the test
//! proxy) named `test`.

mod support;

use serde_json::Value;
use support::plan_crate as krate;
use support::registry::{self, Registry};
use support::*;

/// Two crates, `a` 0.1.0 and `b` 1.0.0 under `crates/`, released and tagged once.
fn two_crates() -> Repo {
    let repo = Repo::new();
    repo.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"crates/*\"]\nresolver = \"2\"\n",
    );
    repo.write(".gitignore", "/target\n");
    add_crate(&repo, "crates/a", "a", "0.1.0", "");
    add_crate(&repo, "crates/b", "b", "1.0.0", "");
    repo.lock();
    repo.commit("feat: first release");
    repo.tag("a-v0.1.0");
    repo.tag("b-v1.0.0");
    repo
}

/// [`two_crates`], whose crates go to a real registry named `test` (nothing published yet).
struct World {
    repo: Repo,
    registry: Registry,
    home: tempfile::TempDir,
}

impl World {
    fn new() -> World {
        let registry = Registry::start();
        let home = tempfile::tempdir().unwrap();
        registry::cargo_home(home.path(), "test", &registry.index_url());
        World {
            repo: two_crates(),
            registry,
            home,
        }
    }

    fn cargo_home(&self) -> String {
        self.home.path().display().to_string()
    }

    /// `cargo publish` of `name` as the working tree has it now.
    fn publish(&self, name: &str) {
        let out = std::process::Command::new("cargo")
            .args([
                "publish",
                "--registry",
                "test",
                "--no-verify",
                "--allow-dirty",
            ])
            .args(["-p", name])
            .current_dir(self.repo.path())
            .env("CARGO_HOME", self.home.path())
            .env("CARGO_REGISTRIES_TEST_TOKEN", "any-token")
            .env("CARGO_TERM_COLOR", "never")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "cargo publish {name}: {}",
            stderr(&out)
        );
    }

    /// The binary with `args`, the registry `test` and this world's CARGO_HOME.
    fn run(&self, args: &[&str]) -> std::process::Output {
        let mut all = args.to_vec();
        all.extend(["--registry", "test"]);
        run(
            self.repo.path(),
            &all,
            &[("CARGO_HOME", &self.cargo_home())],
        )
    }

    fn plan(&self, args: &[&str]) -> Value {
        let mut all = vec!["plan", "--json"];
        all.extend(args);
        let out = self.run(&all);
        assert!(out.status.success(), "plan: {}", stderr(&out));
        serde_json::from_str(&stdout(&out)).expect("plan --json prints JSON")
    }

    /// How often the registry was asked for `name`'s index file.
    fn index_reads(&self, name: &str) -> usize {
        let path = format!("/{}", registry::index_path(name));
        let fetches = self.registry.index_fetches();
        fetches.iter().filter(|f| f.path == path).count()
    }
}

/// `name version` of each released crate.
fn released(plan: &Value) -> Vec<String> {
    plan["crates"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["released"] == true)
        .map(|c| {
            format!(
                "{} {}",
                c["name"].as_str().unwrap(),
                c["planned_version"].as_str().unwrap()
            )
        })
        .collect()
}

fn notes(plan: &Value) -> Vec<String> {
    plan["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap().to_owned())
        .collect()
}

/// Set the version of the crate in `dir` and refresh the lockfile (what a merged Release PR
/// does), and commit.
fn bump_manifest(repo: &Repo, dir: &str, name: &str, version: &str, message: &str) {
    repo.write(&format!("{dir}/Cargo.toml"), &manifest(name, version, ""));
    repo.lock();
    repo.commit(message);
}

// ── release points ───────────────────────────────────────────────────────────────────────

/// ```text
///   main:        0.1.0 ── fix ── 0.1.1 ── feat! ── 0.2.0 (a-v0.2.0, published)
///                                  \
///   release-0.1:                    └── fix (backport) ── HEAD
/// ```
#[test]
fn a_backport_on_a_maintenance_branch_ignores_main_s_newer_tag() {
    let w = World::new();
    w.publish("a");
    w.repo.change("crates/a/src/lib.rs", "fix(a): off by one");
    bump_manifest(&w.repo, "crates/a", "a", "0.1.1", "chore(release): a 0.1.1");
    w.repo.tag("a-v0.1.1");
    w.publish("a");
    w.repo.change("crates/a/src/lib.rs", "feat(a)!: new api");
    bump_manifest(&w.repo, "crates/a", "a", "0.2.0", "chore(release): a 0.2.0");
    w.repo.tag("a-v0.2.0");
    w.publish("a");
    w.repo
        .git(&["checkout", "-q", "-b", "release-0.1", "a-v0.1.1"]);
    w.repo
        .change("crates/a/src/lib.rs", "fix(a): backport the overflow fix");

    let plan = w.plan(&[]);
    assert_eq!(released(&plan), ["a 0.1.2"]);
    let a = krate(&plan, "a");
    assert_eq!(a["prior_tag"], "a-v0.1.1");
    let log = a["changelog"].as_str().unwrap();
    assert!(log.contains("backport the overflow fix"), "{log}");
    assert!(
        !log.contains("new api") && !log.contains("off by one"),
        "{log}"
    );
    assert!(
        notes(&plan)
            .iter()
            .any(|n| n.starts_with("a: tag a-v0.2.0 is ignored: HEAD does not reach it")),
        "{:?}",
        notes(&plan)
    );
    assert!(w.index_reads("a") > 0, "the plan asked the registry");
}

/// ```text
///   0.1.0 ── R' chore(release): a 0.2.0 (amended; published as 0.2.0) ── fix ── HEAD
///         └─ R  chore(release): a 0.2.0  ← a-v0.2.0, on no branch
/// ```
#[test]
fn an_amended_release_commit_s_tag_stands_for_its_release_with_the_registry_and_offline() {
    let w = World::new();
    bump_manifest(&w.repo, "crates/a", "a", "0.2.0", "chore(release): a 0.2.0");
    w.repo.tag("a-v0.2.0");
    w.publish("a");
    w.repo.git(&[
        "commit",
        "-q",
        "--amend",
        "-m",
        "chore(release): a 0.2.0 (#7)",
    ]);
    let amended = w.repo.git(&["rev-parse", "--short=7", "HEAD"]);
    w.repo
        .change("crates/a/src/lib.rs", "fix(a): after the release");

    let plan = w.plan(&[]);
    assert_eq!(released(&plan), ["a 0.2.1"]);
    let log = krate(&plan, "a")["changelog"].as_str().unwrap().to_owned();
    assert!(log.contains("after the release"), "{log}");
    let said = format!(
        "a 0.2.0: tag a-v0.2.0 names it, but HEAD does not reach the tag (a release commit amended after tagging?); the registry lists it: taken as released at {}, the commit that set version 0.2.0 in crates/a/Cargo.toml",
        amended.trim()
    );
    assert!(notes(&plan).contains(&said), "{:?}", notes(&plan));
    assert!(
        !notes(&plan).iter().any(|n| n.contains("is ignored")),
        "the tag is not ignored: {:?}",
        notes(&plan)
    );

    // Offline the tag stands in for the registry, as tags do offline.
    let offline = w.plan(&["--offline"]);
    assert_eq!(released(&offline), ["a 0.2.1"]);
    let said = said.replace(
        "the registry lists it",
        "offline, the tag stands in for the registry",
    );
    assert!(notes(&offline).contains(&said), "{:?}", notes(&offline));
    let out = run(w.repo.path(), &["apply", "--offline"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        w.repo
            .read("crates/a/Cargo.toml")
            .contains("version = \"0.2.1\"")
    );
}

#[test]
fn an_untagged_bump_left_by_a_failed_release_is_released_as_is() {
    let w = World::new();
    w.publish("a");
    w.repo.change("crates/a/src/lib.rs", "fix(a): mend");
    bump_manifest(&w.repo, "crates/a", "a", "0.1.1", "chore(release): a 0.1.1");

    let plan = w.plan(&[]);
    assert_eq!(released(&plan), ["a 0.1.1"]);
    let reasons = krate(&plan, "a")["reasons"].as_array().unwrap().clone();
    assert!(
        reasons.contains(&serde_json::json!({"kind": "unreleased", "version": "0.1.1"})),
        "{reasons:?}"
    );
    assert!(w.index_reads("a") > 0);

    // Commits that ask for more than the unreleased version win.
    w.repo
        .change("crates/a/src/lib.rs", "feat(a)!: drop the old entry point");
    assert_eq!(released(&w.plan(&[])), ["a 0.2.0"]);
}

#[test]
fn an_untagged_bump_the_registry_lists_is_the_release_point_and_its_tag_is_missing() {
    let w = World::new();
    w.repo.change("crates/a/src/lib.rs", "fix(a): mend");
    bump_manifest(&w.repo, "crates/a", "a", "0.1.1", "chore(release): a 0.1.1");
    w.publish("a");

    let plan = w.plan(&[]);
    assert_eq!(released(&plan), Vec::<String>::new());
    assert!(
        notes(&plan)
            .iter()
            .any(|n| n.starts_with("a 0.1.1 is in the registry but HEAD reaches no tag a-v0.1.1")),
        "{:?}",
        notes(&plan)
    );
    w.repo.change("crates/a/src/lib.rs", "fix(a): later");
    let plan = w.plan(&[]);
    assert_eq!(released(&plan), ["a 0.1.2"]);
    let log = krate(&plan, "a")["changelog"].as_str().unwrap();
    assert!(log.contains("later") && !log.contains("mend"), "{log}");

    // Offline the tags stand in for the registry, and say so: they cannot know 0.1.1 is out.
    let before = w.index_reads("a");
    let offline = w.plan(&["--offline"]);
    assert_eq!(released(&offline), ["a 0.1.1"]);
    assert_eq!(w.index_reads("a"), before, "offline asks no registry");
    assert!(
        notes(&offline)
            .iter()
            .any(|n| n.starts_with("published versions were not looked up")),
        "{:?}",
        notes(&offline)
    );
}

/// ```text
///   0.1.0 ── fix ── 0.1.1 (published, never tagged) ── fix (never released) ── keywords ── HEAD
/// ```
#[test]
fn an_untagged_version_the_registry_lists_was_released_at_the_commit_that_set_it() {
    let w = World::new();
    w.repo.change("crates/a/src/lib.rs", "fix(a): mend");
    bump_manifest(&w.repo, "crates/a", "a", "0.1.1", "chore(release): a 0.1.1");
    let set = w.repo.git(&["rev-parse", "--short=7", "HEAD"]);
    w.publish("a");
    w.repo
        .change("crates/a/src/lib.rs", "fix(a): a real fix never released");
    let text = w.repo.read("crates/a/Cargo.toml");
    w.repo.write(
        "crates/a/Cargo.toml",
        &text.replace("license = ", "keywords = [\"parsing\"]\nlicense = "),
    );
    w.repo.commit("chore(a): keywords");

    let plan = w.plan(&[]);
    assert_eq!(released(&plan), ["a 0.1.2"]);
    let log = krate(&plan, "a")["changelog"].as_str().unwrap();
    assert!(
        log.contains("a real fix never released") && !log.contains("mend"),
        "{log}"
    );
    let set = set.trim();
    let said = format!(
        "a 0.1.1 is in the registry but HEAD reaches no tag a-v0.1.1: taken as released at {set}, the commit that set version 0.1.1 in crates/a/Cargo.toml; `git tag a-v0.1.1 {set}` makes it exact"
    );
    assert!(notes(&plan).contains(&said), "{:?}", notes(&plan));
}

/// `version.workspace = true`: the version lives in the root manifest, which a Renovate update
/// of `[workspace.dependencies]` changes after the release.
#[test]
fn a_shared_workspace_version_the_registry_lists_was_released_at_the_commit_that_set_it() {
    let w = World::new();
    let root = |version: &str, semver: &str| {
        format!(
            "[workspace]\nmembers = [\"crates/*\"]\nresolver = \"2\"\n\n[workspace.package]\nversion = \"{version}\"\n\n[workspace.dependencies]\nsemver = \"{semver}\"\n"
        )
    };
    let shared =
        |name: &str| manifest(name, "0", "").replace("version = \"0\"", "version.workspace = true");
    w.repo.write("Cargo.toml", &root("1.1.0", "1.0.0"));
    w.repo.write("crates/a/Cargo.toml", &shared("a"));
    w.repo.write("crates/b/Cargo.toml", &shared("b"));
    w.repo.lock();
    let set = w.repo.commit("chore(release): 1.1.0");
    w.publish("a");
    w.publish("b");
    w.repo
        .change("crates/b/src/lib.rs", "fix(b): never released");
    w.repo.write("Cargo.toml", &root("1.1.0", "1.0.26"));
    w.repo
        .commit("chore(deps): update rust crate semver to v1.0.26");

    let plan = w.plan(&[]);
    assert_eq!(released(&plan), ["a 1.1.1", "b 1.1.1"]);
    let log = krate(&plan, "b")["changelog"].as_str().unwrap();
    assert!(log.contains("never released"), "{log}");
    assert!(
        notes(&plan)
            .iter()
            .any(|n| n.starts_with("b 1.1.0 is in the registry")
                && n.contains(&format!(
                    "taken as released at {}, the commit that set version 1.1.0 in Cargo.toml",
                    &set[..7]
                ))),
        "{:?}",
        notes(&plan)
    );
}

#[test]
fn a_planned_version_the_registry_already_lists_is_refused() {
    let w = World::new();
    // 0.1.1 went to the registry from a side branch that was never tagged or merged.
    w.repo.git(&["checkout", "-q", "-b", "side"]);
    bump_manifest(&w.repo, "crates/a", "a", "0.1.1", "chore: a 0.1.1 by hand");
    w.publish("a");
    w.repo.git(&["checkout", "-q", "main"]);
    w.repo.change("crates/a/src/lib.rs", "fix(a): mend");

    let out = w.run(&["apply"]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains("a 0.1.1 is planned, but the registry lists it already"),
        "{err}"
    );
    assert!(
        err.contains("hint: the last release of a HEAD reaches is a-v0.1.0"),
        "{err}"
    );
    assert_eq!(w.repo.status(), "", "nothing written");
}

#[test]
fn an_index_that_cannot_be_read_is_a_note_and_the_tags_decide() {
    let w = World::new();
    w.repo.change("crates/a/src/lib.rs", "fix(a): mend");
    let out = run(
        w.repo.path(),
        &["plan", "--json", "--registry", "test"],
        &[
            ("CARGO_HOME", &w.cargo_home()),
            ("CARGO_REGISTRIES_TEST_INDEX", "sparse+http://127.0.0.1:1/"),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let plan: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(released(&plan), ["a 0.1.1"]);
    assert!(
        notes(&plan).iter().any(|n| n
            .starts_with("the registry index http://127.0.0.1:1/ could not be read")
            && n.ends_with("the tags stand in for it")),
        "{:?}",
        notes(&plan)
    );
}

// ── which commits belong to a crate ──────────────────────────────────────────────────────

/// ```text
///   /            app (root package, include = ["src/**/*"])
///   /crates/b    b (member, readme = "../../README.md")
///   /fuzz        its own package, outside the workspace
/// ```
fn root_package() -> Repo {
    let repo = Repo::new();
    repo.write(
        "Cargo.toml",
        &manifest(
            "app",
            "1.0.0",
            "[workspace]\nmembers = [\"crates/b\"]\nexclude = [\"fuzz\"]\n",
        )
        .replace("license = ", "include = [\"src/**/*\"]\nlicense = "),
    );
    repo.write("src/main.rs", "fn main() {}\n");
    repo.write("README.md", "# app\n");
    repo.write(".github/workflows/ci.yml", "on: push\n");
    add_crate(&repo, "crates/b", "b", "1.0.0", "");
    repo.write(
        "crates/b/Cargo.toml",
        &manifest("b", "1.0.0", "")
            .replace("license = ", "readme = \"../../README.md\"\nlicense = "),
    );
    add_crate(&repo, "fuzz", "fuzz", "0.0.0", "");
    repo.lock();
    repo.commit("feat: first release");
    repo.tag("app-v1.0.0");
    repo.tag("b-v1.0.0");
    repo
}

#[test]
fn a_lockfile_only_commit_does_not_release_a_root_package_with_include() {
    let repo = root_package();
    let lock = repo.read("Cargo.lock");
    repo.write("Cargo.lock", &format!("{lock}\n"));
    repo.commit("fix(deps): lock file maintenance");
    repo.change(".github/workflows/ci.yml", "fix(ci): cache the target dir");
    repo.change("fuzz/src/lib.rs", "fix(fuzz): a new target");
    repo.change("crates/b/src/lib.rs", "fix(b): mend");
    assert_eq!(released(&plan_json(&repo)), ["b 1.0.1"]);

    repo.change("src/main.rs", "fix: the app itself");
    assert_eq!(released(&plan_json(&repo)), ["app 1.0.1", "b 1.0.1"]);
}

/// What cargo drops from the root package (`[workspace]`, its dependencies table, `[patch]`)
/// releases nothing of it; its own tables do.
#[test]
fn a_change_to_the_root_manifest_s_workspace_tables_does_not_release_the_root_package() {
    let repo = root_package();
    let edit = |from: &str, to: &str, message: &str| {
        let text = repo.read("Cargo.toml");
        assert!(text.contains(from), "{text}");
        repo.write("Cargo.toml", &text.replacen(from, to, 1));
        repo.commit(message);
    };
    add_crate(&repo, "crates/c", "c", "0.1.0", "");
    edit(
        "members = [\"crates/b\"]",
        "members = [\"crates/b\", \"crates/c\"]",
        "feat(c): a new crate c",
    );
    edit(
        "exclude = [\"fuzz\"]",
        "exclude = [\"fuzz\"]\n\n[workspace.dependencies]\nitoa = \"1.0.17\"\n\n[patch.crates-io]\nitoa = { path = \"vendor/itoa\" }",
        "fix(deps): share itoa and patch it",
    );
    edit(
        "itoa = \"1.0.17\"",
        "itoa = \"1.0.18\"",
        "fix(deps): update rust crate itoa to v1.0.18",
    );
    assert_eq!(released(&plan_json(&repo)), ["c 0.1.0"]);

    edit(
        "description = \"app\"",
        "description = \"the app\"",
        "fix: say what the app is",
    );
    let plan = plan_json(&repo);
    assert_eq!(released(&plan), ["app 1.0.1", "c 0.1.0"]);
    let log = krate(&plan, "app")["changelog"].as_str().unwrap();
    assert!(
        log.contains("say what the app is") && !log.contains("itoa"),
        "{log}"
    );
}

/// cargo packages the readme wherever it is: b's names it, app's is found by default.
#[test]
fn a_readme_releases_every_crate_that_packages_it() {
    let repo = root_package();
    repo.change("README.md", "fix: say what the crates do");
    assert_eq!(released(&plan_json(&repo)), ["app 1.0.1", "b 1.0.1"]);
}

/// ```text
///   [workspace.dependencies] semver = "1.0.0"
///   a: semver.workspace = true     b: semver.workspace = true     c: its own semver = "1"
///   d: semver.workspace = true as a dev-dependency only
/// ```
fn inheriting() -> Repo {
    let repo = Repo::new();
    let root = |semver: &str| {
        format!(
            "[workspace]\nmembers = [\"crates/*\"]\nresolver = \"2\"\n\n# shared\n[workspace.dependencies]\nsemver = \"{semver}\"\n"
        )
    };
    repo.write("Cargo.toml", &root("1.0.0"));
    add_crate(
        &repo,
        "crates/a",
        "a",
        "0.1.0",
        "[dependencies]\nsemver.workspace = true\n",
    );
    add_crate(
        &repo,
        "crates/b",
        "b",
        "0.1.0",
        "[dependencies]\nsemver = { workspace = true }\n",
    );
    add_crate(
        &repo,
        "crates/c",
        "c",
        "0.1.0",
        "[dependencies]\nsemver = \"1\"\n",
    );
    add_crate(
        &repo,
        "crates/d",
        "d",
        "0.1.0",
        "[dev-dependencies]\nsemver.workspace = true\n",
    );
    repo.commit("feat: first release");
    for tag in ["a-v0.1.0", "b-v0.1.0", "c-v0.1.0", "d-v0.1.0"] {
        repo.tag(tag);
    }
    repo.write("Cargo.toml", &root("1.0.26"));
    repo.commit("chore(deps): update rust crate semver to v1.0.26");
    repo
}

#[test]
fn a_renovate_update_of_a_workspace_dependency_releases_the_members_that_inherit_it() {
    let repo = inheriting();
    let plan = plan_json(&repo);
    assert_eq!(released(&plan), ["a 0.1.1", "b 0.1.1"]);
    let log = krate(&plan, "a")["changelog"].as_str().unwrap();
    assert!(
        log.contains("### Dependencies\n\n- **deps:** update rust crate semver to v1.0.26"),
        "{log}"
    );

    // A change elsewhere in the root manifest belongs to nobody.
    let text = repo
        .read("Cargo.toml")
        .replace("# shared", "# shared by a and b");
    repo.write("Cargo.toml", &text);
    repo.commit("fix: comment the root manifest");
    assert_eq!(released(&plan_json(&repo)), ["a 0.1.1", "b 0.1.1"]);
}

/// The crate's users never build its dev-dependencies: their update is no reason to release.
#[test]
fn a_workspace_dependency_only_dev_dependencies_inherit_releases_nothing() {
    let repo = inheriting();
    let plan = plan_json(&repo);
    assert!(
        !released(&plan).iter().any(|r| r.starts_with("d ")),
        "{:?}",
        released(&plan)
    );
    repo.change("crates/d/src/lib.rs", "fix(d): mend");
    assert!(released(&plan_json(&repo)).contains(&"d 0.1.1".to_owned()));
}

/// ```text
///   [workspace.package] rust-version = "1.70", edition = "2021"
///   a: rust-version.workspace = true     b: edition.workspace = true     c: neither
/// ```
#[test]
fn a_changed_workspace_package_field_releases_the_members_that_inherit_it() {
    let repo = Repo::new();
    let root = |msrv: &str| {
        format!(
            "[workspace]\nmembers = [\"crates/*\"]\nresolver = \"2\"\n\n[workspace.package]\nrust-version = \"{msrv}\"\nedition = \"2021\"\n"
        )
    };
    repo.write("Cargo.toml", &root("1.70"));
    let inherit = |name: &str, field: &str| {
        manifest(name, "0.1.0", "").replace(
            "license = ",
            &format!("{field}.workspace = true\nlicense = "),
        )
    };
    add_crate(&repo, "crates/a", "a", "0.1.0", "");
    repo.write("crates/a/Cargo.toml", &inherit("a", "rust-version"));
    add_crate(&repo, "crates/b", "b", "0.1.0", "");
    repo.write(
        "crates/b/Cargo.toml",
        &inherit("b", "edition").replace("edition = \"2021\"\n", ""),
    );
    add_crate(&repo, "crates/c", "c", "0.1.0", "");
    repo.commit("feat: first release");
    for tag in ["a-v0.1.0", "b-v0.1.0", "c-v0.1.0"] {
        repo.tag(tag);
    }
    repo.write("Cargo.toml", &root("1.80"));
    repo.commit("fix!: raise the MSRV to 1.80");
    let plan = plan_json(&repo);
    assert_eq!(released(&plan), ["a 0.2.0"]);
    let log = krate(&plan, "a")["changelog"].as_str().unwrap();
    assert!(log.contains("raise the MSRV to 1.80"), "{log}");
}

#[test]
fn a_dependabot_update_of_a_member_manifest_is_a_patch_under_dependencies() {
    let repo = inheriting();
    let c = repo
        .read("crates/c/Cargo.toml")
        .replace("semver = \"1\"", "semver = \"1.0.26\"");
    repo.write("crates/c/Cargo.toml", &c);
    repo.commit("build(deps): bump semver from 1.0.0 to 1.0.26 in /crates/c (#31)");
    let plan = plan_json(&repo);
    assert_eq!(released(&plan), ["a 0.1.1", "b 0.1.1", "c 0.1.1"]);
    let log = krate(&plan, "c")["changelog"].as_str().unwrap();
    assert!(
        log.contains("### Dependencies\n\n- **deps:** bump semver"),
        "{log}"
    );
}

#[test]
fn commit_rules_from_the_configuration_decide_what_releases() {
    let repo = two_crates();
    repo.change("crates/a/src/lib.rs", "refactor(a): split the parser");
    repo.change("crates/b/src/lib.rs", "Tidy b up");
    assert_eq!(released(&plan_json(&repo)), Vec::<String>::new());

    repo.write(
        "releasekit.toml",
        "[commits]\ntypes = { refactor = \"patch\" }\nnon_conventional = \"patch\"\n",
    );
    repo.commit("docs: release refactors and plain commits, as release-plz did");
    let plan = plan_json(&repo);
    assert_eq!(released(&plan), ["a 0.1.1", "b 1.0.1"]);
    let log = krate(&plan, "b")["changelog"].as_str().unwrap();
    assert!(log.contains("### Other changes\n\n- Tidy b up"), "{log}");
}

#[test]
fn a_release_as_footer_sets_the_next_version() {
    let repo = two_crates();
    repo.change(
        "crates/a/src/lib.rs",
        "feat(a): the api is stable\n\nRelease-As: 1.0.0",
    );
    let out = run(repo.path(), &["apply", "--offline"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        repo.read("crates/a/Cargo.toml")
            .contains("version = \"1.0.0\"")
    );
    assert!(repo.read("crates/a/CHANGELOG.md").contains("## [1.0.0]"));
}

#[test]
fn a_release_candidate_graduates_when_no_prerelease_is_asked_for() {
    let repo = two_crates();
    repo.change("crates/a/src/lib.rs", "feat(a)!: streaming");
    let rc = |n: &str| {
        let out = run(
            repo.path(),
            &["apply", "--offline", "--prerelease", "rc"],
            &[],
        );
        assert!(out.status.success(), "{}", stderr(&out));
        repo.commit(&format!("chore(release): a 0.2.0-rc.{n}"));
        repo.tag(&format!("a-v0.2.0-rc.{n}"));
    };
    rc("1");
    assert!(
        repo.read("crates/a/Cargo.toml")
            .contains("version = \"0.2.0-rc.1\"")
    );
    repo.change("crates/a/src/lib.rs", "fix(a): found in rc.1");
    rc("2");

    // Nothing changed since rc.2: another rc has nothing to say, the final release has.
    let out = run(
        repo.path(),
        &["plan", "--json", "--offline", "--prerelease", "rc"],
        &[],
    );
    let iterate: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(released(&iterate), Vec::<String>::new());
    let out = run(repo.path(), &["apply", "--offline"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        repo.read("crates/a/Cargo.toml")
            .contains("version = \"0.2.0\"")
    );
    let changelog = repo.read("crates/a/CHANGELOG.md");
    let start = changelog.find("## [0.2.0] ").expect("a 0.2.0 section");
    let end = changelog
        .find("## [0.2.0-rc.2]")
        .expect("the rc.2 section kept");
    let section = &changelog[start..end];
    assert!(
        section.contains("streaming") && section.contains("found in rc.1"),
        "the final section gathers everything since 0.1.0: {changelog}"
    );
}

/// `two_crates`, with a at 1.4.0-rc.1 (tagged) after a feature, and a fix since.
fn on_a_release_candidate() -> Repo {
    let repo = two_crates();
    repo.change("crates/a/src/lib.rs", "feat(a): streaming");
    bump_manifest(
        &repo,
        "crates/a",
        "a",
        "1.4.0-rc.1",
        "chore(release): a 1.4.0-rc.1",
    );
    repo.tag("a-v1.4.0-rc.1");
    repo.change("crates/a/src/lib.rs", "fix(a): found in rc.1");
    repo
}

#[test]
fn a_prerelease_label_semver_orders_below_the_series_is_refused_naming_both() {
    let repo = on_a_release_candidate();
    let out = run(
        repo.path(),
        &["apply", "--offline", "--prerelease", "beta"],
        &[],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains("a 1.4.0-beta.1 is planned, which is not above its last release 1.4.0-rc.1"),
        "{err}"
    );
    assert!(
        err.contains("semver orders `beta` before `rc`")
            && err.contains("`--prerelease rc`")
            && err.contains("release 1.4.0"),
        "{err}"
    );
    assert_eq!(repo.status(), "", "nothing written");
    let plan = run(
        repo.path(),
        &["plan", "--json", "--offline", "--prerelease", "rc"],
        &[],
    );
    let plan: Value = serde_json::from_str(&stdout(&plan)).unwrap();
    assert_eq!(released(&plan), ["a 1.4.0-rc.2"]);
}

#[test]
fn an_unreleased_dev_version_takes_the_prerelease_label_asked_for() {
    let repo = two_crates();
    bump_manifest(
        &repo,
        "crates/a",
        "a",
        "0.2.0-dev",
        "chore: start 0.2 development",
    );
    repo.change("crates/a/src/lib.rs", "fix(a): mend");
    let out = run(
        repo.path(),
        &["plan", "--json", "--offline", "--prerelease", "rc"],
        &[],
    );
    let plan: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(released(&plan), ["a 0.2.0-rc.1"]);
    assert_eq!(
        released(&plan_json(&repo)),
        ["a 0.2.0"],
        "without: it graduates"
    );
}

#[test]
fn a_release_as_footer_sets_the_version_of_a_new_crate() {
    let repo = two_crates();
    add_crate(&repo, "crates/n", "n", "0.3.0", "");
    repo.lock();
    repo.commit("feat(n): a new crate, stable from the start\n\nRelease-As: 1.0.0");
    let plan = plan_json(&repo);
    assert_eq!(released(&plan), ["n 1.0.0"]);
    let kinds: Vec<&str> = (krate(&plan, "n")["reasons"].as_array().unwrap().iter())
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["new", "release_as"]);
}

#[test]
fn a_release_as_footer_with_a_prerelease_gives_the_prerelease_of_that_version() {
    let repo = on_a_release_candidate();
    repo.change(
        "crates/a/src/lib.rs",
        "feat(a): a new api\n\nRelease-As: 2.0.0",
    );
    let rc = |repo: &Repo| -> Value {
        let out = run(
            repo.path(),
            &["plan", "--json", "--offline", "--prerelease", "rc"],
            &[],
        );
        assert!(out.status.success(), "{}", stderr(&out));
        serde_json::from_str(&stdout(&out)).unwrap()
    };
    assert_eq!(released(&rc(&repo)), ["a 2.0.0-rc.1"]);
    assert_eq!(released(&plan_json(&repo)), ["a 2.0.0"]);
    // On the 2.0.0-rc series, the same footer asks for its next number.
    bump_manifest(
        &repo,
        "crates/a",
        "a",
        "2.0.0-rc.1",
        "chore(release): a 2.0.0-rc.1",
    );
    repo.tag("a-v2.0.0-rc.1");
    repo.change("crates/a/src/lib.rs", "fix(a): again\n\nRelease-As: 2.0.0");
    assert_eq!(released(&rc(&repo)), ["a 2.0.0-rc.2"]);
}

/// What the case is, what it does to the repository, and what the error must say.
type BadInput = (&'static str, fn(&Repo), &'static str);

/// Each bad input: exit 2, one error naming the thing, nothing written.
#[test]
fn bad_history_input_is_one_clear_error_with_exit_code_2_and_nothing_written() {
    let cases: [BadInput; 5] = [
        (
            "Release-As below the last release",
            |r| {
                r.change("crates/a/src/lib.rs", "fix(a): mend\n\nRelease-As: 0.0.9");
            },
            "says `Release-As: 0.0.9` for a, which is not above its last release 0.1.0",
        ),
        (
            "unknown bump in [commits]",
            |r| {
                r.write(
                    "releasekit.toml",
                    "[commits]\ntypes = { refactor = \"huge\" }\n",
                );
            },
            "releasekit.toml:2:22: invalid value \"huge\" for commits.types.refactor",
        ),
        (
            "unknown type in [commits]",
            |r| {
                r.write(
                    "releasekit.toml",
                    "[commits]\ntypes = { refactr = \"patch\" }\n",
                );
            },
            "releasekit.toml:2:11: invalid value \"refactr\" for commits.types: expected one of the Conventional Commits types",
        ),
        (
            "malformed type in [commits]",
            |r| {
                r.write(
                    "releasekit.toml",
                    "[commits.types]\n\"feat!\" = \"minor\"\n",
                );
            },
            "releasekit.toml:2:1: invalid value \"feat!\" for commits.types",
        ),
        (
            "planned version colliding with an existing tag",
            |r| {
                // 0.1.1 was tagged on a branch main never merged.
                r.git(&["checkout", "-q", "-b", "side", "HEAD~1"]);
                r.change("crates/a/src/lib.rs", "fix(a): elsewhere");
                r.tag("a-v0.1.1");
                r.git(&["checkout", "-q", "main"]);
            },
            "a 0.1.1 is planned, but tag a-v0.1.1 names it (at commit ",
        ),
    ];
    for (what, act, needle) in cases {
        let repo = two_crates();
        repo.change("crates/a/src/lib.rs", "fix(a): something to release");
        act(&repo);
        let status_before = repo.status();
        let out = run(repo.path(), &["apply", "--offline"], &[]);
        assert_eq!(out.status.code(), Some(2), "{what}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains(needle), "{what}: {err}");
        assert_eq!(err.matches("error:").count(), 1, "{what}: one error: {err}");
        assert!(err.contains("hint:"), "{what}: says the fix: {err}");
        assert_eq!(repo.status(), status_before, "{what}: nothing written");
    }
}
