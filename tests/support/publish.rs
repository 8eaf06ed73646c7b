//! The publish tests' world: a real registry (ferro behind the fault proxy), a CARGO_HOME that
//! names it, a generated workspace in a git repository, and the real binary run as the action
//! with the environment a Docker action gets.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

use super::registry::{self, CrateSpec, Kind, Registry, Upload};
use super::{action_env, outputs};

pub const TOKEN: &str = "registry-token-5f2a9c";

pub struct Fixture {
    pub registry: Registry,
    pub cargo_home: tempfile::TempDir,
    pub ws: tempfile::TempDir,
    pub runner: tempfile::TempDir,
    pub crates: Vec<CrateSpec>,
}

pub struct Run {
    pub out: Output,
    pub summary: String,
    pub outputs: BTreeMap<String, String>,
}

impl Run {
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.out.stdout).into_owned()
    }

    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.out.stderr).into_owned()
    }

    pub fn code(&self) -> Option<i32> {
        self.out.status.code()
    }

    pub fn published(&self) -> Vec<(String, String)> {
        let list: Vec<serde_json::Value> =
            serde_json::from_str(self.outputs.get("published").expect("published output"))
                .expect("JSON");
        list.iter()
            .map(|v| {
                (
                    v["name"].as_str().unwrap().to_owned(),
                    v["version"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }

    pub fn assert_no_token(&self) {
        for (what, text) in [
            ("stdout", self.stdout()),
            ("stderr", self.stderr()),
            ("summary", self.summary.clone()),
        ] {
            for line in text.lines().filter(|l| !l.starts_with("::add-mask::")) {
                assert!(!line.contains(TOKEN), "token in {what}: {line}");
            }
        }
    }
}

impl Fixture {
    pub fn new(crates: Vec<CrateSpec>) -> Fixture {
        let registry = Registry::start();
        let cargo_home = tempfile::tempdir().unwrap();
        registry::cargo_home(cargo_home.path(), "test", &registry.index_url());
        let ws = tempfile::tempdir().unwrap();
        registry::write_workspace(ws.path(), "test", &crates);
        Fixture {
            registry,
            cargo_home,
            ws,
            runner: tempfile::tempdir().unwrap(),
            crates,
        }
    }

    pub fn env(&self, inputs: &[(&str, &str)]) -> Vec<(String, String)> {
        let dir = self.runner.path();
        let home = dir.join("home");
        std::fs::create_dir_all(&home).unwrap();
        for file in ["output", "summary"] {
            let _ = std::fs::remove_file(dir.join(file));
        }
        let real_home = super::home();
        let rustup_home = std::env::var("RUSTUP_HOME")
            .unwrap_or_else(|_| real_home.join(".rustup").display().to_string());
        let mut set: Vec<(&str, &str)> = vec![
            ("INPUT_ACTION", "publish"),
            ("INPUT_REGISTRY", "test"),
            ("HOME", home.to_str().unwrap()),
            ("CARGO_HOME", self.cargo_home.path().to_str().unwrap()),
            ("RUSTUP_HOME", &rustup_home),
            ("CARGO_REGISTRIES_TEST_TOKEN", TOKEN),
            ("GITHUB_EVENT_NAME", "workflow_dispatch"),
        ];
        set.extend_from_slice(inputs);
        let mut env = action_env(self.ws.path(), dir, &set);
        env.retain(|(_, v)| v != "<unset>");
        env
    }

    /// Run the action; `inputs` may also set or (with `<unset>`) remove variables.
    pub fn run(&self, inputs: &[(&str, &str)]) -> Run {
        let out = super::run_env(self.ws.path(), &[], &self.env(inputs));
        self.finish(out)
    }

    /// Run the binary as a command line outside Actions, with `args`.
    pub fn cli(&self, args: &[&str]) -> Run {
        let home = self.runner.path().join("home");
        std::fs::create_dir_all(&home).unwrap();
        let vars = [
            ("HOME", home.to_str().unwrap()),
            ("CARGO_HOME", self.cargo_home.path().to_str().unwrap()),
            ("CARGO_REGISTRIES_TEST_TOKEN", TOKEN),
        ];
        let out = super::run(self.ws.path(), args, &vars);
        let run = Run {
            out,
            summary: String::new(),
            outputs: BTreeMap::new(),
        };
        run.assert_no_token();
        run
    }

    /// Commit everything in the workspace.
    pub fn commit(&self, message: &str) {
        for args in [&["add", "-A"][..], &["commit", "-q", "-m", message]] {
            succeed(Command::new("git").args(args).current_dir(self.ws.path()));
        }
    }

    /// `git status --porcelain` of the workspace: empty when the tree is clean.
    pub fn status(&self) -> String {
        let out = Command::new("git")
            .args(["status", "--porcelain", "--ignored=no"])
            .current_dir(self.ws.path())
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn spawn(&self, inputs: &[(&str, &str)]) -> Child {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_releasekit-cargo"));
        cmd.current_dir(self.ws.path())
            .env_clear()
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        cmd.env("PATH", std::env::var("PATH").unwrap());
        for (k, v) in self.env(inputs) {
            cmd.env(k, v);
        }
        cmd.spawn().expect("binary starts")
    }

    pub fn finish(&self, out: Output) -> Run {
        let dir = self.runner.path();
        let run = Run {
            out,
            summary: std::fs::read_to_string(dir.join("summary")).unwrap_or_default(),
            outputs: outputs(&dir.join("output")),
        };
        run.assert_no_token();
        run
    }

    /// `cargo publish` of one crate straight to the registry (an earlier release).
    pub fn cargo_publish(&self, name: &str) {
        succeed(
            Command::new("cargo")
                .args(["publish", "--registry", "test", "--no-verify", "-p", name])
                .current_dir(self.ws.path())
                .env("CARGO_HOME", self.cargo_home.path())
                .env("CARGO_REGISTRIES_TEST_TOKEN", TOKEN),
        );
    }

    /// Rewrite the workspace with `crates` (new versions) and commit it.
    pub fn rewrite(&mut self, crates: Vec<CrateSpec>) {
        let keep = self.ws.path().join(".git");
        let moved = self.runner.path().join("git-keep");
        std::fs::rename(&keep, &moved).unwrap();
        for entry in std::fs::read_dir(self.ws.path()).unwrap() {
            let path = entry.unwrap().path();
            if path.file_name().unwrap() != "target" {
                if path.is_dir() {
                    std::fs::remove_dir_all(&path).unwrap();
                } else {
                    std::fs::remove_file(&path).unwrap();
                }
            }
        }
        let fresh = tempfile::tempdir().unwrap();
        registry::write_workspace(fresh.path(), "test", &crates);
        std::fs::remove_dir_all(fresh.path().join(".git")).unwrap();
        copy_dir(fresh.path(), self.ws.path());
        std::fs::rename(&moved, &keep).unwrap();
        for args in [
            &["add", "-A"][..],
            &["commit", "-q", "-m", "chore: next release"],
        ] {
            succeed(Command::new("git").args(args).current_dir(self.ws.path()));
        }
        self.crates = crates;
    }

    /// Successful uploads per crate (status 200), from the proxy's log.
    pub fn successful_uploads(&self) -> BTreeMap<String, Vec<Upload>> {
        let mut out: BTreeMap<String, Vec<Upload>> = BTreeMap::new();
        for u in self.registry.uploads() {
            if u.status == 200 {
                out.entry(u.name.clone()).or_default().push(u);
            }
        }
        out
    }

    /// Every crate's version is in the registry, uploaded exactly once.
    pub fn assert_all_published_once(&self) {
        let uploads = self.successful_uploads();
        for c in &self.crates {
            assert!(
                self.registry.published(&c.name).contains(&c.version),
                "{} {} is not in the registry",
                c.name,
                c.version
            );
            let n = uploads
                .get(&c.name)
                .map(|u| u.iter().filter(|u| u.version == c.version).count())
                .unwrap_or(0);
            assert_eq!(n, 1, "{} {} uploaded {n} times", c.name, c.version);
        }
    }

    /// Every successful upload started after each crate it depends on (an edge that survives
    /// packaging) was visible in the index.
    pub fn assert_order(&self, unsatisfied_dev: &[(&str, &str)]) {
        let uploads = self.successful_uploads();
        let mut checked = 0;
        for c in &self.crates {
            let Some(mine) = uploads.get(&c.name) else {
                continue;
            };
            let mine = mine.iter().find(|u| u.version == c.version).unwrap();
            for d in &c.deps {
                let edge = match d.kind {
                    Kind::Normal | Kind::Build => true,
                    Kind::Dev => {
                        d.version.is_some()
                            && unsatisfied_dev.contains(&(c.name.as_str(), d.name.as_str()))
                    }
                };
                if !edge {
                    continue;
                }
                let dep = self.crates.iter().find(|x| x.name == d.name).unwrap();
                let visible = self
                    .registry
                    .visible_at(&dep.name, &dep.version)
                    .unwrap_or_else(|| panic!("{} never visible", dep.name));
                assert!(
                    mine.started >= visible,
                    "{} started {:?} before {} was visible",
                    c.name,
                    visible - mine.started,
                    dep.name
                );
                checked += 1;
            }
        }
        assert!(checked > 0, "no edge was checked");
    }
}

/// Run a setup command that must succeed.
pub fn succeed(command: &mut Command) {
    let out = command.output().unwrap();
    assert!(
        out.status.success(),
        "{command:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

pub fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

pub fn names(crates: &[CrateSpec]) -> Vec<(String, String)> {
    let mut v: Vec<_> = crates
        .iter()
        .map(|c| (c.name.clone(), c.version.clone()))
        .collect();
    v.sort();
    v
}
