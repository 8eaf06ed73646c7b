//! Test support: real git repositories holding real Cargo workspaces, and the real binary run
//! with exactly the environment we choose (nothing inherited but what cargo and git need).

#![allow(dead_code)]

pub mod github;
pub mod maintainer;
pub mod publish;
pub mod registry;
pub mod world;

#[allow(unused_imports)]
pub use registry::tools;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const BIN: &str = env!("CARGO_BIN_EXE_releasekit-cargo");

/// A git repository in a temporary directory.
pub struct Repo {
    pub dir: tempfile::TempDir,
}

impl Repo {
    pub fn new() -> Repo {
        let repo = Repo {
            dir: tempfile::tempdir().expect("temp dir"),
        };
        repo.git(&["init", "-q", "-b", "main"]);
        repo.git(&["config", "user.email", "dev@example.com"]);
        repo.git(&["config", "user.name", "Dev"]);
        repo.git(&["config", "commit.gpgsign", "false"]);
        repo
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, rel: &str, text: &str) -> &Self {
        let path = self.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
        self
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path().join(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
    }

    /// Commit everything with `message`; returns the commit id.
    pub fn commit(&self, message: &str) -> String {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
        self.git(&["rev-parse", "HEAD"]).trim().to_owned()
    }

    /// Change `rel` (append a line) and commit it.
    pub fn change(&self, rel: &str, message: &str) -> String {
        let path = self.path().join(rel);
        let mut text = std::fs::read_to_string(&path).unwrap_or_default();
        text.push_str(&format!("// {message}\n"));
        self.write(rel, &text);
        self.commit(message)
    }

    pub fn tag(&self, name: &str) {
        self.git(&["tag", "-a", name, "-m", name]);
    }

    pub fn git(&self, args: &[&str]) -> String {
        let out = Command::new("git")
            .args(args)
            .current_dir(self.path())
            .output()
            .expect("git runs");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// `git status --porcelain`: empty when the tree is clean.
    pub fn status(&self) -> String {
        self.git(&["status", "--porcelain"])
    }

    /// `cargo metadata --locked`: the manifests and Cargo.lock agree.
    pub fn assert_cargo_accepts_lockfile(&self) {
        let out = Command::new("cargo")
            .args([
                "metadata",
                "--locked",
                "--offline",
                "--no-deps",
                "--format-version",
                "1",
            ])
            .current_dir(self.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "cargo metadata --locked: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Generate Cargo.lock offline (the fixtures have no registry dependencies).
    pub fn lock(&self) {
        let out = Command::new("cargo")
            .args(["generate-lockfile", "--offline"])
            .current_dir(self.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// A library crate manifest.
pub fn manifest(name: &str, version: &str, deps: &str) -> String {
    format!(
        "[package]\nname = \"{name}\"\nversion = \"{version}\"\nedition = \"2021\"\ndescription = \"{name}\"\nlicense = \"MIT\"\n\n{deps}\n"
    )
}

/// Write a member crate at `dir` with a lib.rs.
pub fn add_crate(repo: &Repo, dir: &str, name: &str, version: &str, deps: &str) {
    repo.write(&format!("{dir}/Cargo.toml"), &manifest(name, version, deps));
    repo.write(&format!("{dir}/src/lib.rs"), "//! a crate\n");
}

/// The environment the binary gets: only what git and cargo need, plus `vars`.
pub fn run(dir: &Path, args: &[&str], vars: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args).current_dir(dir).env_clear();
    for keep in [
        "PATH",
        "CARGO_HOME",
        "RUSTUP_HOME",
        "RUSTUP_TOOLCHAIN",
        "HOME",
    ] {
        if let Ok(value) = std::env::var(keep) {
            cmd.env(keep, value);
        }
    }
    for (k, v) in vars {
        cmd.env(k, v);
    }
    cmd.output().expect("binary runs")
}

/// Fail the test with the exit code and both streams unless the run succeeded.
pub fn assert_success(out: &Output) {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        stdout(out),
        stderr(out)
    );
}

/// `plan --json --offline` in `repo`, which must succeed.
pub fn plan_json(repo: &Repo) -> serde_json::Value {
    let out = run(repo.path(), &["plan", "--json", "--offline"], &[]);
    assert!(out.status.success(), "plan failed: {}", stderr(&out));
    serde_json::from_str(&stdout(&out)).expect("plan --json prints JSON")
}

/// The entry of crate `name` in a plan's JSON.
pub fn plan_crate<'a>(plan: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    plan["crates"]
        .as_array()
        .expect("a plan lists crates")
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("{name} in plan"))
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// This clone's action.yml.
pub fn action_yml_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("action.yml")
}

/// The names of action.yml's `section` (`inputs`, `outputs`), in its order.
pub fn action_yml_names(section: &str) -> Vec<String> {
    action_yml_names_in(&action_yml_path(), section)
}

/// The names of `section` in the action.yml at `path`, in its order.
pub fn action_yml_names_in(path: &Path, section: &str) -> Vec<String> {
    let text = std::fs::read_to_string(path).expect("read action.yml");
    let action: serde_norway::Value = serde_norway::from_str(&text).expect("action.yml parses");
    action[section]
        .as_mapping()
        .unwrap_or_else(|| panic!("action.yml has no {section}"))
        .keys()
        .map(|k| k.as_str().expect("a name").to_owned())
        .collect()
}

/// Every input action.yml declares, empty, as the runner passes them; then `set` on top.
pub fn action_env(workspace: &Path, home: &Path, set: &[(&str, &str)]) -> Vec<(String, String)> {
    action_env_for(&action_yml_path(), workspace, home, set)
}

/// [`action_env`] for the action.yml at `action`.
pub fn action_env_for(
    action: &Path,
    workspace: &Path,
    home: &Path,
    set: &[(&str, &str)],
) -> Vec<(String, String)> {
    let mut env: Vec<(String, String)> = action_yml_names_in(action, "inputs")
        .iter()
        .map(|i| (format!("INPUT_{}", i.to_uppercase()), String::new()))
        .collect();
    env.push(("GITHUB_ACTIONS".into(), "true".into()));
    env.push(("GITHUB_WORKSPACE".into(), workspace.display().to_string()));
    env.push(("GITHUB_REPOSITORY".into(), "acme/widgets".into()));
    env.push((
        "GITHUB_OUTPUT".into(),
        home.join("output").display().to_string(),
    ));
    env.push((
        "GITHUB_STEP_SUMMARY".into(),
        home.join("summary").display().to_string(),
    ));
    for (k, v) in set {
        env.retain(|(key, _)| key != k);
        env.push((k.to_string(), v.to_string()));
    }
    env
}

pub fn run_env(dir: &Path, args: &[&str], vars: &[(String, String)]) -> Output {
    let pairs: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    run(dir, args, &pairs)
}

/// Parse a GITHUB_OUTPUT file (heredoc form) into name → value.
pub fn outputs(path: &Path) -> std::collections::BTreeMap<String, String> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut out = std::collections::BTreeMap::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let (name, delimiter) = line.split_once("<<").expect("heredoc output");
        let mut value = Vec::new();
        for l in lines.by_ref() {
            if l == delimiter {
                break;
            }
            value.push(l);
        }
        out.insert(name.to_owned(), value.join("\n"));
    }
    out
}

pub fn home() -> PathBuf {
    std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default()
}

/// The workflow commands the Actions runner would carry out in `output` (stdout or stderr of a
/// step), as it reads them: `::cmd …::` after leading white space, the legacy `##[cmd]` anywhere
/// in a line, none between `::stop-commands::<token>` and a line `::<token>::`.
pub fn runner_commands(output: &str) -> Vec<String> {
    let mut commands = Vec::new();
    let mut stopped: Option<String> = None;
    for line in output.lines() {
        if let Some(token) = &stopped {
            if line.trim() == format!("::{token}::") {
                stopped = None;
            }
            continue;
        }
        let trimmed = line.trim_start();
        if let Some(token) = trimmed.strip_prefix("::stop-commands::") {
            stopped = Some(token.trim().to_owned());
            commands.push(trimmed.to_owned());
        } else if trimmed.starts_with("::") || line.contains("##[") {
            commands.push(trimmed.to_owned());
        }
    }
    commands
}
