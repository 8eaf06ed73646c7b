//! The world of an Actions run, end to end: a three-crate workspace in a real git repository
//! whose `origin` is a local bare repository, the stateful fake GitHub, a real registry (ferro
//! behind the fault proxy), and the real binary run with the environment a Docker action gets
//! (every input present, `HOME` apart from the workspace, event.json on disk).

use std::collections::BTreeMap;
use std::process::Output;

use serde_json::{Value, json};

use super::github::{FakeGitHub, MergeMethod};
use super::registry::{self, Registry};
use super::*;

pub const TOKEN: &str = "ghs_SuperSecretTokenValue0123456789";
pub const REGISTRY_TOKEN: &str = "cio_RegistrySecretValue9876543210";

/// A three-crate workspace released once (`core` ← `util` ← `app`), with new commits on main,
/// pushed to a bare `origin`; the crates publish to a real registry named `test`, where nothing
/// is published yet.
pub struct World {
    pub repo: Repo,
    pub origin: tempfile::TempDir,
    pub runner: tempfile::TempDir,
    pub gh: FakeGitHub,
    /// The real registry (ferro behind the test proxy) the crates publish to, as `test`.
    pub registry: Registry,
    pub cargo_home: tempfile::TempDir,
}

impl World {
    pub fn new() -> World {
        let registry = Registry::start();
        let cargo_home = tempfile::tempdir().unwrap();
        registry::cargo_home(cargo_home.path(), "test", &registry.index_url());
        let repo = Repo::new();
        repo.write(
            "Cargo.toml",
            "[workspace]\nmembers = [\"crates/*\"]\nresolver = \"2\"\n",
        );
        // As `cargo new` writes it: the action builds into the checkout's target/ (where a
        // cache step finds it), also when it publishes from another commit.
        repo.write(".gitignore", "/target\n");
        for (name, deps) in [
            ("core", ""),
            (
                "util",
                "[dependencies]\ncore = { path = \"../core\", version = \"0.1.0\", registry = \"test\" }\n",
            ),
            (
                "app",
                "[dependencies]\nutil = { path = \"../util\", version = \"0.1.0\", registry = \"test\" }\ncore = { path = \"../core\", version = \"0.1\", registry = \"test\" }\n",
            ),
        ] {
            let manifest = manifest(name, "0.1.0", deps)
                .replace("license = ", "publish = [\"test\"]\nlicense = ");
            repo.write(&format!("crates/{name}/Cargo.toml"), &manifest);
            repo.write(&format!("crates/{name}/src/lib.rs"), "//! a crate\n");
        }
        let lock = std::process::Command::new("cargo")
            .args(["generate-lockfile", "--offline"])
            .env("CARGO_HOME", cargo_home.path())
            .current_dir(repo.path())
            .output()
            .unwrap();
        assert!(lock.status.success(), "{}", stderr(&lock));
        repo.commit("feat: first release");
        for tag in ["core-v0.1.0", "util-v0.1.0", "app-v0.1.0"] {
            repo.tag(tag);
        }
        repo.change("crates/core/src/lib.rs", "feat(core): add a parser");
        repo.change("crates/util/src/lib.rs", "fix(util): handle empty input");
        repo.change("crates/app/src/lib.rs", "fix(app): tidy the output");
        let origin = tempfile::tempdir().unwrap();
        let out = std::process::Command::new("git")
            .args(["init", "-q", "--bare", "-b", "main"])
            .arg(origin.path())
            .output()
            .unwrap();
        assert!(out.status.success());
        repo.git(&[
            "remote",
            "add",
            "origin",
            &origin.path().display().to_string(),
        ]);
        repo.git(&["push", "-q", "origin", "main", "--tags"]);
        World {
            repo,
            origin,
            runner: tempfile::tempdir().unwrap(),
            gh: FakeGitHub::start("acme/widgets"),
            registry,
            cargo_home,
        }
    }

    /// A `publish = false` binary crate `cli` on top of `util`, never released (committed, not
    /// pushed).
    pub fn add_application(&self) {
        self.repo.write(
            "crates/cli/Cargo.toml",
            &manifest(
                "cli",
                "0.1.0",
                "[dependencies]\nutil = { path = \"../util\", version = \"0.1.0\", registry = \"test\" }\n",
            )
            .replace("license = ", "publish = false\nlicense = "),
        );
        self.repo.write(
            "crates/cli/src/main.rs",
            "fn main() {\n    println!(\"cli\");\n}\n",
        );
        self.generate_lockfile();
        self.repo.commit("feat(cli): the command line");
    }

    /// Write `Cargo.lock` for the working tree as it is (offline, this World's registry).
    pub fn generate_lockfile(&self) {
        let lock = std::process::Command::new("cargo")
            .args(["generate-lockfile", "--offline"])
            .env("CARGO_HOME", self.cargo_home.path())
            .current_dir(self.repo.path())
            .output()
            .unwrap();
        assert!(lock.status.success(), "{}", stderr(&lock));
    }

    /// `cargo publish` each of `names`, in order, from the tree of `rev` (a worktree made for
    /// it and removed after): versions released before this World's history reach the registry.
    pub fn cargo_publish_at(&self, rev: &str, names: &[&str]) {
        let tree = self.runner.path().join(format!("published-{rev}"));
        let path = tree.to_str().unwrap();
        self.repo.git(&["worktree", "add", "-q", path, rev]);
        for name in names {
            let out = std::process::Command::new("cargo")
                .args(["publish", "--registry", "test", "--no-verify", "-p", name])
                .current_dir(&tree)
                .env("CARGO_HOME", self.cargo_home.path())
                .env("CARGO_REGISTRIES_TEST_TOKEN", REGISTRY_TOKEN)
                .output()
                .unwrap();
            assert!(out.status.success(), "{name}: {}", stderr(&out));
        }
        self.repo.git(&["worktree", "remove", "--force", path]);
    }

    /// Commit `releasekit.toml` with `text` on main as `message`, and push it.
    pub fn configure(&self, text: &str, message: &str) {
        self.repo.write("releasekit.toml", text);
        self.repo.commit(message);
        self.repo.git(&["push", "-q", "origin", "main"]);
    }

    /// Every ref of the bare origin.
    pub fn origin_refs(&self) -> BTreeMap<String, String> {
        let out = std::process::Command::new("git")
            .args(["for-each-ref", "--format=%(refname) %(objectname)"])
            .current_dir(self.origin.path())
            .output()
            .unwrap();
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .filter_map(|l| l.split_once(' '))
            .map(|(a, b)| (a.to_owned(), b.to_owned()))
            .collect()
    }

    pub fn release_branch(&self) -> Option<String> {
        self.origin_refs()
            .get("refs/heads/releasekit/release")
            .cloned()
    }

    /// A file on the release branch of origin.
    pub fn branch_file(&self, path: &str) -> String {
        self.repo.git(&["fetch", "-q", "origin"]);
        self.repo
            .git(&["show", &format!("origin/releasekit/release:{path}")])
    }

    pub fn head(&self) -> String {
        self.repo.git(&["rev-parse", "HEAD"]).trim().to_owned()
    }

    /// Run the action for `event` (its name and payload) with `inputs` set.
    pub fn action(&self, event: &str, payload: Value, inputs: &[(&str, &str)]) -> Run {
        self.action_in(self.repo.path(), event, payload, inputs)
    }

    /// [`World::action`] with `checkout` as the workspace (another clone of origin).
    pub fn action_in(
        &self,
        checkout: &std::path::Path,
        event: &str,
        payload: Value,
        inputs: &[(&str, &str)],
    ) -> Run {
        self.run_in(checkout, &[], event, payload, inputs)
    }

    /// The binary with a subcommand and `args` (the command line, not the inputs, decides)
    /// in the environment of an Actions run for `event`; `vars` set on top.
    pub fn command(
        &self,
        args: &[&str],
        event: &str,
        payload: Value,
        vars: &[(&str, &str)],
    ) -> Run {
        self.run_in(self.repo.path(), args, event, payload, vars)
    }

    fn run_in(
        &self,
        checkout: &std::path::Path,
        args: &[&str],
        event: &str,
        payload: Value,
        inputs: &[(&str, &str)],
    ) -> Run {
        let dir = self.runner.path();
        let home = dir.join("home");
        std::fs::create_dir_all(&home).unwrap();
        let event_path = dir.join("event.json");
        std::fs::write(&event_path, payload.to_string()).unwrap();
        for file in ["output", "summary"] {
            let _ = std::fs::remove_file(dir.join(file));
        }
        let real_home = super::home();
        let cargo_home = self.cargo_home.path().display().to_string();
        let rustup_home = std::env::var("RUSTUP_HOME")
            .unwrap_or_else(|_| real_home.join(".rustup").display().to_string());
        let sha = self.head();
        // Publishing has its own tests against a real registry (publish_flow.rs).
        let mut set: Vec<(&str, &str)> = vec![
            ("INPUT_SKIP_PUBLISH", "true"),
            ("INPUT_REGISTRY", "test"),
            ("CARGO_REGISTRIES_TEST_TOKEN", REGISTRY_TOKEN),
            ("INPUT_TOKEN", TOKEN),
            ("HOME", home.to_str().unwrap()),
            ("CARGO_HOME", &cargo_home),
            ("RUSTUP_HOME", &rustup_home),
            ("GITHUB_EVENT_NAME", event),
            ("GITHUB_EVENT_PATH", event_path.to_str().unwrap()),
            ("GITHUB_REF", "refs/heads/main"),
            ("GITHUB_SHA", &sha),
            ("GITHUB_SERVER_URL", "https://github.com"),
        ];
        let api = self.gh.url();
        set.push(("GITHUB_API_URL", &api));
        set.extend_from_slice(inputs);
        let env = action_env(checkout, dir, &set);
        let before = self.gh.requests().len();
        let out = run_env(checkout, args, &env);
        let run = Run {
            summary: std::fs::read_to_string(dir.join("summary")).unwrap_or_default(),
            raw_outputs: std::fs::read_to_string(dir.join("output")).unwrap_or_default(),
            outputs: outputs(&dir.join("output")),
            writes: self.gh.requests()[before..]
                .iter()
                .filter(|r| r.method != "GET")
                .map(|r| format!("{} {}", r.method, r.path))
                .collect(),
            out,
        };
        run.assert_no_token();
        run
    }

    pub fn push_event(&self) -> Value {
        let message = self.repo.git(&["log", "-1", "--format=%B"]);
        json!({"ref": "refs/heads/main", "head_commit": {"id": self.head(), "message": message}})
    }

    pub fn prepare(&self) -> Run {
        self.prepare_with(&[])
    }

    /// A push to main, with `inputs` set.
    pub fn prepare_with(&self, inputs: &[(&str, &str)]) -> Run {
        self.action("push", self.push_event(), inputs)
    }

    /// Merge the Release PR (see [`FakeGitHub::merge_release_pr`]).
    pub fn merge_release_pr(&self, number: u64) -> Value {
        self.gh.merge_release_pr(|args| self.repo.git(args), number)
    }

    /// Merge the Release PR with `method` (see [`FakeGitHub::merge_release_pr_as`]).
    pub fn merge_release_pr_as(&self, number: u64, method: MergeMethod) -> Value {
        self.gh
            .merge_release_pr_as(|args| self.repo.git(args), number, method)
    }
}

pub struct Run {
    pub out: Output,
    pub summary: String,
    pub raw_outputs: String,
    pub outputs: BTreeMap<String, String>,
    /// Non-GET requests this run made to the fake GitHub.
    pub writes: Vec<String>,
}

impl Run {
    /// The token appears once, in the `::add-mask::` command that hides it; nowhere else.
    pub fn assert_no_token(&self) {
        let masks = [TOKEN, REGISTRY_TOKEN].map(|t| format!("::add-mask::{t}"));
        let out = stdout(&self.out);
        let out: Vec<&str> = out
            .lines()
            .filter(|l| !masks.iter().any(|m| m == l))
            .collect();
        let out = out.join("\n");
        for (what, text) in [
            ("stdout", out),
            ("stderr", stderr(&self.out)),
            ("summary", self.summary.clone()),
            ("outputs", self.raw_outputs.clone()),
        ] {
            for token in [TOKEN, REGISTRY_TOKEN] {
                assert!(!text.contains(token), "a token leaked into {what}:\n{text}");
            }
        }
    }

    pub fn ok(self) -> Run {
        assert!(
            self.out.status.success(),
            "exit {:?}\nstdout:\n{}\nstderr:\n{}",
            self.out.status.code(),
            stdout(&self.out),
            stderr(&self.out)
        );
        self
    }

    pub fn code(&self) -> Option<i32> {
        self.out.status.code()
    }
}

pub fn releases_output(run: &Run) -> Vec<Value> {
    serde_json::from_str(&run.outputs["releases"]).expect("releases output is JSON")
}

/// The run failed with exit code 2 and said `needles` on stderr, with a hint.
pub fn assert_refused(out: &Output, needles: &[&str]) {
    let err = stderr(out);
    assert_eq!(
        out.status.code(),
        Some(2),
        "stdout:\n{}\nstderr:\n{err}",
        stdout(out)
    );
    for needle in needles {
        assert!(err.contains(needle), "expected {needle:?} in:\n{err}");
    }
    assert!(err.contains("\nhint: "), "a hint says what to do:\n{err}");
    assert!(!err.contains("panicked"), "{err}");
}

/// Everything the world could have changed: origin's refs, GitHub's refs, the releases and the
/// uploads to the registry.
pub type WorldState = (
    BTreeMap<String, String>,
    BTreeMap<String, String>,
    usize,
    usize,
);

/// The state to compare before and after a refused run.
pub fn world_state(w: &World) -> WorldState {
    (
        w.origin_refs(),
        w.gh.refs(),
        w.gh.releases().len(),
        w.registry.uploads().len(),
    )
}

/// The run sent no write to GitHub and changed nothing.
pub fn assert_nothing_changed(w: &World, before: &WorldState, run: &Run) {
    assert!(run.writes.is_empty(), "GitHub writes: {:?}", run.writes);
    assert_eq!(
        &world_state(w),
        before,
        "origin, GitHub or the registry changed"
    );
    assert!(w.registry.uploads().is_empty(), "something was uploaded");
}
