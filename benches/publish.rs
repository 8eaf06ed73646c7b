//! Publish benchmark: our `publish` against `cargo publish --workspace` on generated
//! workspaces, against a real registry (ferro) behind the test proxy modelling crates.io: each
//! upload's answer held 1 s, each new version shown in the index `delay` after its upload
//! returned. Prints, per case, both times, their ratio, and each one's ratio to the bound
//! `verify once + waves × (upload + delay)`, where "verify once" is `cargo package --workspace`
//! measured on a fresh copy in the same run.
//!
//! Run: `cargo bench --bench publish [SHAPE…]` (all three shapes: about 5 minutes on 2 cores);
//! `RELEASEKIT_BENCH_TRACE=1` shows our run's log lines with their times.

#[path = "../tests/support/registry.rs"]
mod registry;

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use registry::{CrateSpec, Registry};

const UPLOAD: Duration = Duration::from_secs(1);
const TOKEN: &str = "bench-token";

struct Case {
    shape: &'static str,
    crates: Vec<CrateSpec>,
    waves: usize,
}

/// A fresh registry, CARGO_HOME and workspace of `crates`.
struct Setup {
    registry: Registry,
    home: tempfile::TempDir,
    ws: tempfile::TempDir,
}

impl Setup {
    fn new(crates: &[CrateSpec], delay: Duration) -> Setup {
        let registry = Registry::start();
        registry.set_upload_hold(UPLOAD);
        registry.set_index_delay(delay);
        let home = tempfile::tempdir().unwrap();
        registry::cargo_home(home.path(), "test", &registry.index_url());
        let ws = tempfile::tempdir().unwrap();
        registry::write_workspace(ws.path(), "test", crates);
        // Dependencies compiled once before timing: every contender starts from a warm build.
        let setup = Setup { registry, home, ws };
        setup.command("cargo", &["build", "--release", "--quiet"]);
        setup
    }

    fn command(&self, program: &str, args: &[&str]) -> Duration {
        let started = Instant::now();
        let mut child = Command::new(program)
            .args(args)
            .current_dir(self.ws.path())
            .env("CARGO_HOME", self.home.path())
            .env("CARGO_REGISTRIES_TEST_TOKEN", TOKEN)
            .env("CARGO_TERM_COLOR", "never")
            .env_remove("CARGO_TARGET_DIR")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // With RELEASEKIT_BENCH_TRACE set, each line of stdout is shown with the time it came:
        // where a run spends its fixed cost.
        let trace = std::env::var_os("RELEASEKIT_BENCH_TRACE").is_some();
        let stdout = child.stdout.take().unwrap();
        let lines = std::thread::spawn(move || {
            let mut kept = Vec::new();
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if trace {
                    eprintln!("{:>7.2}s  {line}", started.elapsed().as_secs_f64());
                }
                kept.push(line);
            }
            kept.join("\n")
        });
        let mut stderr = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        let status = child.wait().unwrap();
        let took = started.elapsed();
        let stdout = lines.join().unwrap();
        assert!(status.success(), "{program} {args:?}: {stdout}\n{stderr}");
        took
    }

    fn all_published(&self, crates: &[CrateSpec]) {
        for c in crates {
            assert!(
                self.registry.published(&c.name).contains(&c.version),
                "{} not published",
                c.name
            );
        }
    }
}

fn waves_of(crates: &[CrateSpec]) -> usize {
    fn depth(crates: &[CrateSpec], name: &str) -> usize {
        let c = crates.iter().find(|c| c.name == name).unwrap();
        1 + c
            .deps
            .iter()
            .map(|d| depth(crates, &d.name))
            .max()
            .unwrap_or(0)
    }
    crates
        .iter()
        .map(|c| depth(crates, &c.name))
        .max()
        .unwrap_or(0)
}

fn secs(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64())
}

fn main() {
    // `cargo bench --bench publish [SHAPE…]`: only those shapes (cargo adds `--bench`).
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let ours = env!("CARGO_BIN_EXE_releasekit-cargo");
    let cases: Vec<Case> = [
        ("3x4", registry::layered(3, 4)),
        ("6x4", registry::layered(6, 4)),
        ("irregular", registry::irregular(&[4, 1, 3, 2, 4])),
    ]
    .into_iter()
    .filter(|(shape, _)| only.is_empty() || only.iter().any(|o| o == shape))
    .map(|(shape, crates)| Case {
        shape,
        waves: waves_of(&crates),
        crates,
    })
    .collect();

    println!(
        "{:<10} {:>5} {:>5} {:>7} {:>7} {:>7} {:>7} {:>11} {:>10} {:>9}",
        "shape",
        "crates",
        "delay",
        "verify",
        "bound",
        "cargo",
        "ours",
        "ours/cargo",
        "cargo/bnd",
        "ours/bnd"
    );
    for case in &cases {
        for delay in [Duration::ZERO, Duration::from_secs(3)] {
            let verify = Setup::new(&case.crates, delay);
            let verify_time = verify.command(
                "cargo",
                &["package", "--workspace", "--registry", "test", "--quiet"],
            );
            drop(verify);

            let cargo = Setup::new(&case.crates, delay);
            let cargo_time = cargo.command(
                "cargo",
                &["publish", "--workspace", "--registry", "test", "--quiet"],
            );
            cargo.all_published(&case.crates);
            drop(cargo);

            let us = Setup::new(&case.crates, delay);
            let our_time = us.command(ours, &["publish", "--registry", "test"]);
            us.all_published(&case.crates);
            drop(us);

            let bound = verify_time + (UPLOAD + delay) * case.waves as u32;
            let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64();
            println!(
                "{:<10} {:>5} {:>4}s {:>7} {:>7} {:>7} {:>7} {:>10.2}x {:>9.2}x {:>8.2}x",
                case.shape,
                case.crates.len(),
                delay.as_secs(),
                secs(verify_time),
                secs(bound),
                secs(cargo_time),
                secs(our_time),
                ratio(our_time, cargo_time),
                ratio(cargo_time, bound),
                ratio(our_time, bound),
            );
        }
    }
}
