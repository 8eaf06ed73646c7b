//! Publish benchmark: our `publish` against `cargo publish --workspace` on generated
//! workspaces, against a real registry (ferro) behind the test proxy, idle or modelling
//! crates.io: each upload's answer held 1 s, each new version shown in the index `delay` after
//! its upload returned. Prints, per case, both times, their ratio, and each one's ratio to the
//! bound `verify once + waves × (upload + delay)`, where "verify once" is `cargo package
//! --workspace` measured on a fresh copy in the same run.
//!
//! Run: `cargo bench --bench publish -- [SHAPE…] [LATENCY…]` (all: about 10 minutes on 2
//! cores). Latencies: `zero` (an idle registry: only each tool's fixed cost is left; the
//! contenders run in turn `RELEASEKIT_BENCH_RUNS` times, default 3, and the medians count),
//! `upload` (1 s per upload), `upload+3s` (and a 3 s index delay). `RELEASEKIT_BENCH_TRACE=1`
//! shows our run's log lines with their times; `RELEASEKIT_BENCH_OURS=PATH` measures another
//! build of ours (to compare commits).

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
    fn new(crates: &[CrateSpec], hold: Duration, delay: Duration) -> Setup {
        let registry = Registry::start();
        registry.set_upload_hold(hold);
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

/// The median of some measurements.
fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn secs(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64())
}

/// The registry latencies measured: (upload answer held, index delay after an upload), by name.
/// `zero` is an idle loopback registry: what is left is each tool's own fixed cost.
const LATENCIES: [(&str, Duration, Duration); 3] = [
    ("zero", Duration::ZERO, Duration::ZERO),
    ("upload", UPLOAD, Duration::ZERO),
    ("upload+3s", UPLOAD, Duration::from_secs(3)),
];

fn main() {
    // `cargo bench --bench publish [SHAPE…] [LATENCY…]`: only those shapes and latencies
    // (cargo adds `--bench`).
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let latency_names: Vec<&str> = LATENCIES.iter().map(|(name, _, _)| *name).collect();
    let (latencies, only): (Vec<String>, Vec<String>) = args
        .into_iter()
        .partition(|a| latency_names.contains(&a.as_str()));
    // RELEASEKIT_BENCH_OURS runs another build of ours (an older commit's, to compare).
    let ours = std::env::var("RELEASEKIT_BENCH_OURS")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_releasekit-cargo").to_owned());
    let zero_runs: usize = std::env::var("RELEASEKIT_BENCH_RUNS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(3);
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
        "{:<10} {:>6} {:>10} {:>7} {:>7} {:>7} {:>7} {:>11} {:>10} {:>9}",
        "shape",
        "crates",
        "latency",
        "verify",
        "bound",
        "cargo",
        "ours",
        "ours/cargo",
        "cargo/bnd",
        "ours/bnd"
    );
    for case in &cases {
        for (name, hold, delay) in LATENCIES {
            if !latencies.is_empty() && !latencies.iter().any(|l| l == name) {
                continue;
            }
            // An idle registry leaves only fixed costs, which the machine's other work blurs:
            // each contender runs `runs` times there, and the median counts.
            let runs = if name == "zero" { zero_runs } else { 1 };
            // Interleaved, so that the machine's other work weighs on every contender alike.
            let (mut verifies, mut cargos, mut ourss) = (Vec::new(), Vec::new(), Vec::new());
            for _ in 0..runs.max(1) {
                let verify = Setup::new(&case.crates, hold, delay);
                verifies.push(verify.command(
                    "cargo",
                    &["package", "--workspace", "--registry", "test", "--quiet"],
                ));
                drop(verify);
                let cargo = Setup::new(&case.crates, hold, delay);
                cargos.push(cargo.command(
                    "cargo",
                    &["publish", "--workspace", "--registry", "test", "--quiet"],
                ));
                cargo.all_published(&case.crates);
                drop(cargo);
                let us = Setup::new(&case.crates, hold, delay);
                ourss.push(us.command(&ours, &["publish", "--registry", "test"]));
                us.all_published(&case.crates);
            }
            let pair_ratios: Vec<f64> = ourss
                .iter()
                .zip(&cargos)
                .map(|(o, c)| o.as_secs_f64() / c.as_secs_f64())
                .collect();
            let (verify_time, cargo_time, our_time) =
                (median(verifies), median(cargos), median(ourss));

            let bound = verify_time + (hold + delay) * case.waves as u32;
            let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64();
            println!(
                "{:<10} {:>6} {:>10} {:>7} {:>7} {:>7} {:>7} {:>10.2}x {:>9.2}x {:>8.2}x",
                case.shape,
                case.crates.len(),
                name,
                secs(verify_time),
                secs(bound),
                secs(cargo_time),
                secs(our_time),
                ratio(our_time, cargo_time),
                ratio(cargo_time, bound),
                ratio(our_time, bound),
            );
            if name == "zero" {
                let mut sorted = pair_ratios.clone();
                sorted.sort_by(f64::total_cmp);
                println!(
                    "  at zero latency ours/cargo = {:.2}x, the median of {runs} interleaved pairs {:?} (target: at most 1.00x)",
                    sorted[sorted.len() / 2],
                    pair_ratios
                        .iter()
                        .map(|r| (r * 100.0).round() / 100.0)
                        .collect::<Vec<_>>()
                );
            }
        }
    }
}
