//! The contract with the runner's Docker action container, without a Docker engine: the binary
//! runs as root on a checkout another user owns (the runner's user; here uid 4242), with the
//! environment and the directory layout the runner passes (`/github/workspace`, `/github/home`,
//! `/github/workflow/event.json`, `/github/file_commands/…`, under a temporary root), against
//! the fake GitHub and a real registry. git refuses such a checkout unless it is declared safe;
//! the binary declares exactly the checkout, for its own commands, and writes no configuration.
//!
//! With `RELEASEKIT_TEST_IMAGE` set, the binary runs inside that image instead (`podman run`,
//! each directory mounted at the same path); `scripts/podman-e2e.sh` builds it. Needs root for
//! the chown: as another user the tests say so and pass without running.

mod support;

use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};
use support::github::FakeGitHub;
use support::registry::{self, CrateSpec, DepSpec, Registry};
use support::{action_yml_names, outputs, stderr, stdout};

const OWNER: u32 = 4242;
const GITHUB_TOKEN: &str = "ghs_ContainerContractToken0123456789";
const REGISTRY_TOKEN: &str = "registry-token-container-7d1e";
const CRATES: [&str; 3] = ["alpha", "beta", "gamma"];

fn running_as_root() -> bool {
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// The runner's directories under one temporary root, and a workspace (`alpha` ← `beta` ←
/// `gamma`, released once at 0.1.0, one change each since) pushed to a bare origin and owned by
/// [`OWNER`].
struct Runner {
    _root: tempfile::TempDir,
    workspace: PathBuf,
    home: PathBuf,
    workflow: PathBuf,
    file_commands: PathBuf,
    temp: PathBuf,
    origin: PathBuf,
}

impl Runner {
    fn new() -> Runner {
        let root = tempfile::tempdir().expect("temp root");
        let github = root.path().join("github");
        let runner = Runner {
            workspace: github.join("workspace"),
            home: github.join("home"),
            workflow: github.join("workflow"),
            file_commands: github.join("file_commands"),
            temp: root.path().join("runner/_temp"),
            origin: root.path().join("origin.git"),
            _root: root,
        };
        for dir in runner.mounts() {
            std::fs::create_dir_all(dir).expect("runner directory");
        }
        let dep = |name: &str| DepSpec::new(name, "0.1.0");
        let crates = vec![
            CrateSpec::new("alpha", "0.1.0"),
            CrateSpec::new("beta", "0.1.0").dep(dep("alpha")),
            CrateSpec::new("gamma", "0.1.0").dep(dep("beta")),
        ];
        registry::write_workspace(&runner.workspace, "test", &crates);
        for name in CRATES {
            runner.git(&["tag", "-a", &format!("{name}-v0.1.0"), "-m", name]);
        }
        for name in CRATES {
            let lib = runner.workspace.join(format!("crates/{name}/src/lib.rs"));
            let mut text = std::fs::read_to_string(&lib).expect("lib.rs");
            text.push_str("// handle empty input\n");
            std::fs::write(&lib, text).expect("lib.rs");
            runner.git(&[
                "commit",
                "-q",
                "-am",
                &format!("fix({name}): handle empty input"),
            ]);
        }
        succeed(
            Command::new("git")
                .args(["init", "-q", "--bare", "-b", "main"])
                .arg(&runner.origin),
        );
        let origin = runner.origin.display().to_string();
        runner.git(&["remote", "add", "origin", &origin]);
        runner.git(&["push", "-q", "origin", "main", "--tags"]);
        runner.hand_to_owner();
        runner
    }

    fn mounts(&self) -> [&Path; 6] {
        [
            &self.workspace,
            &self.home,
            &self.workflow,
            &self.file_commands,
            &self.temp,
            &self.origin,
        ]
    }

    /// The runner's user owns the checkout (as after actions/checkout in a fresh job).
    fn hand_to_owner(&self) {
        succeed(
            Command::new("chown")
                .args(["-R", &format!("{OWNER}:{OWNER}")])
                .arg(&self.workspace),
        );
    }

    /// git as the test itself (root) uses it: declaring the workspace safe for this command.
    fn git(&self, args: &[&str]) -> String {
        let safe = format!("safe.directory={}", self.workspace.display());
        let out = succeed(
            Command::new("git")
                .args(["-c", &safe])
                .args(args)
                .current_dir(&self.workspace),
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn head(&self) -> String {
        self.git(&["rev-parse", "HEAD"]).trim().to_owned()
    }

    /// The environment the runner passes to a Docker action for `event`, on top of `set`.
    fn env(&self, gh: &FakeGitHub, event: &str, set: &[(&str, String)]) -> Vec<(String, String)> {
        // Every input action.yml declares, present and empty, as the runner passes them.
        let mut env: Vec<(String, String)> = action_yml_names("inputs")
            .iter()
            .map(|name| (format!("INPUT_{}", name.to_uppercase()), String::new()))
            .collect();
        let path = |p: PathBuf| p.display().to_string();
        let mut vars = vec![
            ("GITHUB_ACTIONS", "true".to_owned()),
            ("GITHUB_WORKSPACE", path(self.workspace.clone())),
            ("HOME", path(self.home.clone())),
            ("GITHUB_EVENT_PATH", path(self.workflow.join("event.json"))),
            ("GITHUB_OUTPUT", path(self.file_commands.join("set_output"))),
            (
                "GITHUB_STEP_SUMMARY",
                path(self.file_commands.join("step_summary")),
            ),
            ("RUNNER_TEMP", path(self.temp.clone())),
            ("GITHUB_REPOSITORY", "acme/widgets".to_owned()),
            ("GITHUB_SHA", self.head()),
            ("GITHUB_REF", "refs/heads/main".to_owned()),
            ("GITHUB_EVENT_NAME", event.to_owned()),
            ("GITHUB_API_URL", gh.url()),
            ("GITHUB_SERVER_URL", "https://github.com".to_owned()),
            ("INPUT_TOKEN", GITHUB_TOKEN.to_owned()),
        ];
        vars.extend(set.iter().cloned());
        for (name, value) in vars {
            env.retain(|(k, _)| k != name);
            env.push((name.to_owned(), value));
        }
        env
    }

    /// Run the action for `event` with `payload`, as the runner would; a fresh set of file
    /// commands per step.
    fn action(&self, gh: &FakeGitHub, event: &str, payload: Value, set: &[(&str, String)]) -> Run {
        std::fs::write(self.workflow.join("event.json"), payload.to_string()).expect("event");
        for file in ["set_output", "step_summary"] {
            let _ = std::fs::remove_file(self.file_commands.join(file));
        }
        let env = self.env(gh, event, set);
        let out = launch(&self.workspace, &self.mounts(), &env);
        let run = Run {
            summary: std::fs::read_to_string(self.file_commands.join("step_summary"))
                .unwrap_or_default(),
            outputs: outputs(&self.file_commands.join("set_output")),
            out,
        };
        assert!(
            run.out.status.success(),
            "{event}: exit {:?}\nstdout:\n{}\nstderr:\n{}",
            run.out.status.code(),
            stdout(&run.out),
            stderr(&run.out)
        );
        run
    }

    /// Merge the Release PR (see [`FakeGitHub::merge_release_pr`]).
    fn merge_release_pr(&self, gh: &FakeGitHub, number: u64) -> Value {
        gh.merge_release_pr(|args| self.git(args), number)
    }

    /// Tracked files not owned by [`OWNER`].
    fn files_not_owned(&self) -> Vec<String> {
        self.git(&["ls-files", "-z"])
            .split('\0')
            .filter(|f| !f.is_empty())
            .filter(|f| {
                std::fs::metadata(self.workspace.join(f)).map_or(true, |m| m.uid() != OWNER)
            })
            .map(str::to_owned)
            .collect()
    }
}

struct Run {
    out: Output,
    summary: String,
    outputs: BTreeMap<String, String>,
}

/// The host binary, or with `RELEASEKIT_TEST_IMAGE` the image, with exactly `env`, in `dir`.
/// The image has its own toolchain and PATH, so the host's cargo paths stay out of it; the host
/// binary gets the host's rustup, but no CARGO_HOME, as the runner passes none to a container.
fn launch(dir: &Path, mounts: &[&Path], env: &[(String, String)]) -> Output {
    let mut cmd = match std::env::var("RELEASEKIT_TEST_IMAGE") {
        Ok(image) if !image.is_empty() => {
            let mut cmd = Command::new("podman");
            cmd.args(["run", "--rm", "--network", "host", "-w"])
                .arg(dir);
            for mount in mounts {
                cmd.arg("-v").arg(format!("{0}:{0}", mount.display()));
            }
            for (name, value) in env {
                cmd.arg("-e").arg(format!("{name}={value}"));
            }
            cmd.arg(image);
            cmd
        }
        _ => {
            let mut cmd = Command::new(support::BIN);
            cmd.current_dir(dir).env_clear().envs(env.iter().cloned());
            for keep in ["PATH", "RUSTUP_HOME", "RUSTUP_TOOLCHAIN"] {
                if let Some(value) = std::env::var_os(keep) {
                    cmd.env(keep, value);
                }
            }
            cmd
        }
    };
    cmd.output().expect("the binary or podman runs")
}

fn succeed(cmd: &mut Command) -> Output {
    let out = cmd.output().expect("command runs");
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn json_names(text: &str) -> Vec<String> {
    let list: Vec<Value> = serde_json::from_str(text).expect("JSON output");
    let mut names: Vec<String> = list
        .iter()
        .map(|v| {
            format!(
                "{} {}",
                v["name"].as_str().unwrap(),
                v["version"].as_str().unwrap()
            )
        })
        .collect();
    names.sort();
    names
}

#[test]
fn plain_git_as_root_refuses_the_checkout_another_user_owns() {
    if !running_as_root() {
        eprintln!("skipped: not root, so the checkout cannot be given to another user (chown)");
        return;
    }
    let runner = Runner::new();
    let out = Command::new("git")
        .arg("status")
        .current_dir(&runner.workspace)
        .env("HOME", &runner.home)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("git runs");
    assert!(!out.status.success(), "git accepted a foreign checkout");
    assert!(
        stderr(&out).contains("dubious ownership"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn the_release_flow_runs_as_root_on_a_checkout_another_user_owns() {
    if !running_as_root() {
        eprintln!("skipped: not root, so the checkout cannot be given to another user (chown)");
        return;
    }
    let runner = Runner::new();
    let gh = FakeGitHub::start("acme/widgets");
    let registry = Registry::start();

    // The workflow's environment for every step: cargo reads the registry from it alone.
    let registry_env = [
        ("INPUT_REGISTRY", "test".to_owned()),
        ("CARGO_REGISTRIES_TEST_INDEX", registry.index_url()),
        ("CARGO_REGISTRIES_TEST_TOKEN", REGISTRY_TOKEN.to_owned()),
    ];

    let message = runner.git(&["log", "-1", "--format=%B"]);
    let push =
        json!({"ref": "refs/heads/main", "head_commit": {"id": runner.head(), "message": message}});
    let prepared = runner.action(&gh, "push", push, &registry_env);
    assert_eq!(gh.pulls().len(), 1, "{:#?}", gh.pulls());
    assert_eq!(prepared.outputs["pr_number"], "1");
    assert_eq!(prepared.outputs["has_bumps"], "true");

    let event = runner.merge_release_pr(&gh, 1);
    // The release job starts from a fresh checkout, owned by the runner's user again.
    runner.hand_to_owner();
    let released = runner.action(&gh, "pull_request", event, &registry_env);

    let expected: Vec<String> = CRATES.iter().map(|c| format!("{c} 0.1.1")).collect();
    let mut tags: Vec<String> = gh
        .releases()
        .iter()
        .map(|r| r["tag_name"].as_str().unwrap().to_owned())
        .collect();
    tags.sort();
    assert_eq!(tags, ["alpha-v0.1.1", "beta-v0.1.1", "gamma-v0.1.1"]);
    for name in CRATES {
        assert!(
            registry.published(name).contains(&"0.1.1".to_owned()),
            "{name} 0.1.1 is not on the registry\n{}",
            released.summary
        );
    }
    assert_eq!(json_names(&released.outputs["releases"]), expected);
    assert_eq!(json_names(&released.outputs["published"]), expected);

    assert!(
        !runner.home.join(".gitconfig").exists(),
        "the binary wrote git configuration into HOME"
    );
    // cargo's work is where a cache step on the runner finds it: its home under /github/home,
    // its builds in the checkout's target/.
    assert!(
        runner.home.join(".cargo/registry/index").is_dir(),
        "cargo's home is not under HOME"
    );
    assert!(runner.workspace.join("target/release").is_dir());
    assert!(
        released.summary.contains("**Toolchain:** `cargo 1."),
        "{}",
        released.summary
    );
    assert_eq!(
        runner.files_not_owned(),
        Vec::<String>::new(),
        "tracked files changed hands"
    );
    assert_eq!(
        runner.git(&["status", "--porcelain"]),
        "",
        "the checkout is clean"
    );
}
