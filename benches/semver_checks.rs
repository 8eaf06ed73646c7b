//! API-check benchmark: `plan` on a generated workspace of 10 crates (one base crate, nine that
//! depend on it, a few hundred items each), every crate tagged and then changed by a `fix:`, so
//! that all ten are compared with their last release. Prints the median of 3 runs of
//! - `cargo check --workspace` from an empty target directory (the reference),
//! - `plan` with the checks cold (empty target directory: HEAD and ten baselines documented),
//! - `plan` warm, baselines from the cache: a second run on the same HEAD (nothing to document
//!   again, ten comparisons); after a `fix:` in one crate (that crate documented again); after a
//!   `fix:` in all ten (HEAD documented again),
//! - `plan` with `semver_checks = "off"`,
//!
//! and each one's ratio to the reference. Needs cargo-semver-checks: `RELEASEKIT_SEMVER_CHECKS_BIN`,
//! PATH, or the tools cache `.ci/run` installs it into.
//!
//! Run: `cargo bench --bench semver_checks` (about 3 minutes on 2 cores).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const CRATES: usize = 10;
const FUNCTIONS: usize = 150;
const STRUCTS: usize = 30;
const RUNS: usize = 3;

fn tool_dir() -> PathBuf {
    if let Some(bin) = std::env::var_os("RELEASEKIT_SEMVER_CHECKS_BIN") {
        return PathBuf::from(bin).parent().unwrap().to_owned();
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    let cache = std::env::var_os("RELEASEKIT_TOOLS")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/releasekit-cargo/tools"))
        })
        .unwrap_or_default();
    std::env::split_paths(&path)
        .chain([cache.join("bin")])
        .find(|dir| dir.join("cargo-semver-checks").is_file())
        .expect("cargo-semver-checks is not installed: `CI=true .ci/run` installs it into the tools cache")
}

fn name(i: usize) -> String {
    if i == 0 {
        "base".into()
    } else {
        format!("part{i}")
    }
}

/// A library with `FUNCTIONS` functions and `STRUCTS` structs with methods; `round` changes
/// the bodies only (the API stays).
fn lib(i: usize, round: usize) -> String {
    let mut text = String::from("//! Generated for the API-check benchmark.\n\n");
    if i > 0 {
        text.push_str("pub use base::Shape;\n\n");
    } else {
        text.push_str("#[derive(Debug, Clone, PartialEq)]\npub enum Shape { Circle(f64), Square(f64), Line { from: (f64, f64), to: (f64, f64) } }\n\n");
    }
    for f in 0..FUNCTIONS {
        text.push_str(&format!(
            "/// Function {f}.\npub fn f{f}(values: &[u64], k: u64) -> u64 {{\n    let mut acc: u64 = {round};\n    for (n, v) in values.iter().enumerate() {{\n        acc = acc.wrapping_mul(31).wrapping_add(v ^ (n as u64 + k + {f}));\n        if acc % 7 == 3 {{ acc /= 2; }}\n    }}\n    match acc % 3 {{ 0 => acc, 1 => acc.rotate_left(5), _ => acc.swap_bytes() }}\n}}\n\n"
        ));
    }
    for s in 0..STRUCTS {
        text.push_str(&format!(
            "/// Struct {s}.\n#[derive(Debug, Clone, Default, PartialEq)]\npub struct S{s} {{\n    pub name: String,\n    pub values: Vec<u64>,\n    limit: usize,\n}}\n\nimpl S{s} {{\n    pub fn new(name: &str) -> Self {{ Self {{ name: name.to_owned(), values: Vec::new(), limit: {s} + {round} }} }}\n    pub fn push(&mut self, v: u64) -> bool {{ if self.values.len() < self.limit {{ self.values.push(v); true }} else {{ false }} }}\n    pub fn score(&self) -> u64 {{ f{}(&self.values, {s}) }}\n}}\n\n",
            s % FUNCTIONS
        ));
    }
    text
}

struct Bench {
    ws: tempfile::TempDir,
    path: String,
    ours: &'static str,
}

impl Bench {
    fn new() -> Bench {
        let ws = tempfile::tempdir().unwrap();
        let tools = tool_dir();
        let path = std::env::join_paths([tools].into_iter().chain(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        )))
        .unwrap()
        .into_string()
        .unwrap();
        let bench = Bench {
            ws,
            path,
            ours: env!("CARGO_BIN_EXE_releasekit-cargo"),
        };
        bench.git(&["init", "-q", "-b", "main"]);
        bench.git(&["config", "user.email", "bench@example.com"]);
        bench.git(&["config", "user.name", "Bench"]);
        bench.git(&["config", "commit.gpgsign", "false"]);
        let members: Vec<String> = (0..CRATES)
            .map(|i| format!("\"crates/{}\"", name(i)))
            .collect();
        bench.write(
            "Cargo.toml",
            &format!(
                "[workspace]\nmembers = [{}]\nresolver = \"2\"\n",
                members.join(", ")
            ),
        );
        bench.write(".gitignore", "/target\n");
        for i in 0..CRATES {
            let dep = if i == 0 {
                String::new()
            } else {
                "base = { path = \"../base\", version = \"1.0.0\" }\n".into()
            };
            bench.write(
                &format!("crates/{}/Cargo.toml", name(i)),
                &format!("[package]\nname = \"{}\"\nversion = \"1.0.0\"\nedition = \"2021\"\nlicense = \"MIT\"\ndescription = \"bench\"\n\n[dependencies]\n{dep}", name(i)),
            );
            bench.write(&format!("crates/{}/src/lib.rs", name(i)), &lib(i, 0));
        }
        bench.git(&["add", "-A"]);
        bench.git(&["commit", "-q", "-m", "chore: import"]);
        for i in 0..CRATES {
            bench.git(&["tag", &format!("{}-v1.0.0", name(i))]);
        }
        bench
    }

    fn dir(&self) -> &Path {
        self.ws.path()
    }

    fn write(&self, rel: &str, text: &str) {
        let path = self.dir().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn git(&self, args: &[&str]) {
        let out = Command::new("git")
            .args(args)
            .current_dir(self.dir())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// A `fix:` that changes the bodies of `crates`, not their API.
    fn fix(&self, crates: std::ops::Range<usize>, round: usize) {
        for i in crates {
            self.write(&format!("crates/{}/src/lib.rs", name(i)), &lib(i, round));
        }
        self.git(&["commit", "-q", "-am", &format!("fix: tune round {round}")]);
    }

    fn clean(&self) {
        let _ = std::fs::remove_dir_all(self.dir().join("target"));
    }

    /// Run `program` in the workspace; its time and stdout.
    fn time(&self, program: &str, args: &[&str]) -> (Duration, String) {
        let started = Instant::now();
        let out = Command::new(program)
            .args(args)
            .current_dir(self.dir())
            .env("PATH", &self.path)
            .env("CARGO_TERM_COLOR", "never")
            .env_remove("CARGO_TARGET_DIR")
            .output()
            .unwrap();
        let took = started.elapsed();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "{program} {args:?}: {stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        (took, stdout)
    }

    fn plan(&self, expect: &str) -> Duration {
        // Offline: the registry's answer time is not the API checks'.
        let (took, stdout) = self.time(self.ours, &["plan", "--offline"]);
        assert!(stdout.contains(expect), "expected {expect:?} in\n{stdout}");
        took
    }
}

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn main() {
    let bench = Bench::new();
    bench.fix(0..CRATES, 1);
    let compared = format!("{CRATES} of {CRATES} crate(s) compared");
    let cached = format!("baselines: {CRATES} from the cache, 0 documented");
    let mut round = 1;
    let mut next = || {
        round += 1;
        round
    };
    let median_of = |f: &mut dyn FnMut() -> Duration| median((0..RUNS).map(|_| f()).collect());

    let check = median_of(&mut || {
        bench.clean();
        bench.time("cargo", &["check", "--workspace", "--quiet"]).0
    });
    let cold = median_of(&mut || {
        bench.clean();
        bench.plan(&compared)
    });
    let same_head = median_of(&mut || bench.plan(&cached));
    let one_changed = median_of(&mut || {
        bench.fix(CRATES - 1..CRATES, next());
        bench.plan(&cached)
    });
    let all_changed = median_of(&mut || {
        bench.fix(0..CRATES, next());
        bench.plan(&cached)
    });
    bench.write("releasekit.toml", "semver_checks = \"off\"\n");
    let off = median_of(&mut || bench.plan("part9"));

    let ratio = |d: Duration| d.as_secs_f64() / check.as_secs_f64();
    println!(
        "{CRATES} crates (one base, nine depending on it), {FUNCTIONS} functions and {STRUCTS} structs each; median of {RUNS} runs"
    );
    println!("{:<58} {:>7} {:>8}", "", "seconds", "/ check");
    for (what, took) in [
        ("cargo check --workspace, empty target dir", check),
        ("plan, API checks cold (empty target dir)", cold),
        ("plan, warm: second run, HEAD unchanged", same_head),
        (
            "plan, warm: a fix: in 1 crate since the last run",
            one_changed,
        ),
        (
            "plan, warm: a fix: in all 10 crates since the last run",
            all_changed,
        ),
        ("plan, semver_checks = \"off\"", off),
    ] {
        println!(
            "{what:<58} {:>7.2} {:>7.2}x",
            took.as_secs_f64(),
            ratio(took)
        );
    }
}
