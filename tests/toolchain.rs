//! The workspace's toolchain: the binary runs every cargo command with the toolchain the
//! `toolchain` input names, else the one the workspace's rust-toolchain.toml names, and stops
//! before writing anything when a member's `rust-version` is above it.
//!
//! rustup runs for real, in a temporary RUSTUP_HOME that holds only toolchains linked (`rustup
//! toolchain link`) to the toolchain running these tests, under names no other machine has, and
//! no default: a cargo command run with any other toolchain fails. Nothing outside temporary
//! directories changes, and nothing is downloaded (the dist server is a closed local port).

mod support;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use support::*;

/// Longest a run may take here; more means it hangs (a real install is never attempted).
const BOUND: Duration = Duration::from_secs(120);

/// A RUSTUP_HOME with `names` linked to the toolchain running this test, and no default.
struct Rustup {
    home: tempfile::TempDir,
    /// The linked toolchain's directory.
    sysroot: PathBuf,
    /// A dist server nothing listens on.
    dist: String,
}

impl Rustup {
    fn with(names: &[&str]) -> Rustup {
        let out = Command::new("rustc")
            .args(["--print", "sysroot"])
            .output()
            .expect("rustc runs");
        assert!(out.status.success(), "{}", stderr(&out));
        let sysroot = PathBuf::from(stdout(&out).trim());
        let home = tempfile::tempdir().expect("RUSTUP_HOME");
        for name in names {
            let out = Command::new("rustup")
                .args(["toolchain", "link", name])
                .arg(&sysroot)
                .env("RUSTUP_HOME", home.path())
                .output()
                .expect("rustup is installed (the tests need it)");
            assert!(
                out.status.success(),
                "rustup toolchain link: {}",
                stderr(&out)
            );
        }
        let closed = TcpListener::bind("127.0.0.1:0").expect("a free port");
        let dist = format!("http://{}", closed.local_addr().unwrap());
        drop(closed);
        Rustup {
            home,
            sysroot,
            dist,
        }
    }

    /// The linked toolchain's cargo, asked directly (no rustup): the line the summary must show.
    fn cargo_version(&self) -> String {
        let out = Command::new(self.sysroot.join("bin/cargo"))
            .arg("--version")
            .output()
            .expect("cargo runs");
        stdout(&out).trim().to_owned()
    }

    /// The binary in `dir` with `args` and `vars`, with this RUSTUP_HOME and nothing else of
    /// rustup's (the RUSTUP_TOOLCHAIN `cargo test` runs under stays out), bounded by [`BOUND`].
    fn run(&self, dir: &Path, args: &[&str], vars: &[(String, String)]) -> Output {
        let mut cmd = Command::new(BIN);
        cmd.args(args)
            .current_dir(dir)
            .env_clear()
            .env("RUSTUP_HOME", self.home.path())
            .env("RUSTUP_DIST_SERVER", &self.dist)
            .env("RUSTUP_UPDATE_ROOT", format!("{}/rustup", self.dist))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for keep in ["PATH", "CARGO_HOME", "HOME"] {
            if let Some(value) = std::env::var_os(keep) {
                cmd.env(keep, value);
            }
        }
        cmd.envs(vars.iter().cloned());
        let mut child = cmd.spawn().expect("binary runs");
        let started = Instant::now();
        while child.try_wait().expect("wait").is_none() {
            if started.elapsed() > BOUND {
                let _ = child.kill();
                panic!("the binary was still running after {BOUND:?}: it hangs");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        child.wait_with_output().expect("output")
    }
}

fn read_or_empty(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// `alpha` (rust-version `rust_version`, when given) with one feature since its 1.0.0 tag, and
/// `rust-toolchain.toml` naming `channel`.
fn workspace(channel: &str, rust_version: Option<&str>) -> Repo {
    let repo = Repo::new();
    repo.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"crates/*\"]\nresolver = \"2\"\n",
    );
    let msrv = rust_version
        .map(|v| format!("rust-version = \"{v}\"\n"))
        .unwrap_or_default();
    repo.write(
        "crates/alpha/Cargo.toml",
        &format!(
            "[package]\nname = \"alpha\"\nversion = \"1.0.0\"\nedition = \"2021\"\n{msrv}\
             description = \"alpha\"\nlicense = \"MIT\"\n"
        ),
    );
    repo.write("crates/alpha/src/lib.rs", "//! alpha\n");
    // Locked before the toolchain file exists: this test's own cargo knows no `channel`.
    repo.lock();
    repo.write(
        "rust-toolchain.toml",
        &format!("[toolchain]\nchannel = \"{channel}\"\n"),
    );
    repo.commit("feat: first version");
    repo.tag("alpha-v1.0.0");
    repo.change("crates/alpha/src/lib.rs", "feat(alpha): more");
    repo
}

/// The action's environment for `action: plan` (outputs and summary in `runner`), plus `set`.
fn plan_action(repo: &Repo, runner: &Path, set: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut set = set.to_vec();
    set.push(("INPUT_ACTION", "plan"));
    action_env(repo.path(), runner, &set)
}

#[test]
fn rust_toolchain_file_chooses_the_toolchain_every_cargo_command_runs_with() {
    let rustup = Rustup::with(&["rk-pinned"]);
    let repo = workspace("rk-pinned", None);
    let runner = tempfile::tempdir().unwrap();

    let out = rustup.run(repo.path(), &[], &plan_action(&repo, runner.path(), &[]));

    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let summary = std::fs::read_to_string(runner.path().join("summary")).unwrap();
    let file = repo.path().join("rust-toolchain.toml");
    let expected = format!(
        "**Toolchain:** `{}`, toolchain `rk-pinned` (overridden by '{}')",
        rustup.cargo_version(),
        file.display()
    );
    assert!(
        summary.contains(&expected),
        "{expected}\nnot in:\n{summary}"
    );
    assert!(stdout(&out).contains("alpha"), "{}", stdout(&out));
}

#[test]
fn toolchain_input_beats_the_toolchain_file_and_installs_nothing_it_has() {
    // The file names a toolchain nobody has: reading it would mean an install, which fails.
    let rustup = Rustup::with(&["rk-input"]);
    let repo = workspace("nightly-2001-02-03", None);
    let runner = tempfile::tempdir().unwrap();

    let env = plan_action(&repo, runner.path(), &[("INPUT_TOOLCHAIN", "rk-input")]);
    let out = rustup.run(repo.path(), &[], &env);

    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let summary = std::fs::read_to_string(runner.path().join("summary")).unwrap();
    let expected = format!(
        "**Toolchain:** `{}`, toolchain `rk-input` (the toolchain input)",
        rustup.cargo_version()
    );
    assert!(
        summary.contains(&expected),
        "{expected}\nnot in:\n{summary}"
    );
}

#[test]
fn rust_version_above_the_toolchain_stops_apply_before_anything_is_written() {
    let rustup = Rustup::with(&["rk-pinned"]);
    let repo = workspace("rk-pinned", Some("1.999"));

    let out = rustup.run(repo.path(), &["apply"], &[]);

    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    let text = stderr(&out);
    let expected = format!(
        "error: alpha needs Rust 1.999 (rust-version in crates/alpha/Cargo.toml), but the \
         toolchain in use is {}, toolchain rk-pinned (overridden by '{}')\nhint: use Rust 1.999 \
         or newer: set the `toolchain` input (`--toolchain 1.999` on the command line), or name \
         it in the workspace's rust-toolchain.toml; or lower rust-version",
        rustup.cargo_version(),
        repo.path().join("rust-toolchain.toml").display()
    );
    assert_eq!(text.trim(), expected);
    assert_eq!(repo.status(), "", "apply wrote into the working tree");
}

/// The value to change is where it is written: the root manifest's `[workspace.package]` for a
/// member that inherits it.
#[test]
fn an_inherited_rust_version_above_the_toolchain_names_the_root_manifest() {
    let rustup = Rustup::with(&["rk-pinned"]);
    let repo = workspace("rk-pinned", None);
    repo.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"crates/*\"]\nresolver = \"2\"\n\n[workspace.package]\nrust-version = \"1.999\"\n",
    );
    let member = repo.read("crates/alpha/Cargo.toml");
    repo.write(
        "crates/alpha/Cargo.toml",
        &member.replace("edition = ", "rust-version.workspace = true\nedition = "),
    );
    repo.commit("chore: the workspace's rust-version");

    let out = rustup.run(repo.path(), &["plan"], &[]);

    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(
        stderr(&out).starts_with("error: alpha needs Rust 1.999 (rust-version in Cargo.toml), "),
        "{}",
        stderr(&out)
    );
}

#[test]
fn rust_version_above_the_toolchain_in_actions_writes_no_output_or_summary() {
    let rustup = Rustup::with(&["rk-pinned"]);
    let repo = workspace("rk-pinned", Some("1.999"));
    let runner = tempfile::tempdir().unwrap();

    let out = rustup.run(repo.path(), &[], &plan_action(&repo, runner.path(), &[]));

    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("::error::error: alpha needs Rust 1.999"),
        "{}",
        stdout(&out)
    );
    // The runner's files are opened first (to know a report can be written), and left empty.
    assert_eq!(read_or_empty(&runner.path().join("summary")), "");
    assert_eq!(read_or_empty(&runner.path().join("output")), "");
    assert_eq!(repo.status(), "");
}

#[test]
fn a_toolchain_that_cannot_be_installed_is_a_clear_error_not_a_hang() {
    let rustup = Rustup::with(&["rk-pinned"]);
    let repo = workspace("rk-pinned", None);
    let runner = tempfile::tempdir().unwrap();

    let env = plan_action(
        &repo,
        runner.path(),
        &[("INPUT_TOOLCHAIN", "nightly-2001-02-03")],
    );
    let out = rustup.run(repo.path(), &[], &env);

    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    // In Actions the error is printed with workflow commands stopped (it may quote anything).
    let text = stderr(&out);
    let (stop, text) = text.split_once('\n').unwrap();
    assert!(stop.starts_with("::stop-commands::releasekit-"), "{stop}");
    assert!(
        text.starts_with(
            "error: could not install the Rust toolchain nightly-2001-02-03 with rustup: could \
             not download file from"
        ),
        "{text}"
    );
    assert!(text.contains("hint: check the toolchain's name"), "{text}");
    assert!(!text.contains("panicked"), "{text}");
    assert_eq!(read_or_empty(&runner.path().join("summary")), "");
}

#[test]
fn a_toolchain_file_naming_a_toolchain_that_cannot_be_installed_is_the_same_error() {
    let rustup = Rustup::with(&["rk-pinned"]);
    let repo = workspace("nightly-2001-02-03", None);

    let out = rustup.run(repo.path(), &["plan"], &[]);

    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    // rustup names it with the host's triple.
    let text = stderr(&out);
    assert!(
        text.starts_with("error: could not install the Rust toolchain nightly-2001-02-03-")
            && text.contains(" with rustup: could not download file from"),
        "{text}"
    );
}
