//! cargo-semver-checks, driven as a subprocess, with the rustdoc JSON made and cached here.
//!
//! The tool compares two rustdoc JSON files (`--baseline-rustdoc`, `--current-rustdoc`); we
//! produce both ourselves, as the tool does on stable (`RUSTC_BOOTSTRAP=1` and rustdoc's JSON
//! output, private and hidden items included), so that:
//! - every candidate at HEAD is documented by one `cargo doc` in the workspace (cargo runs them
//!   in parallel, with the dependencies checked once) into a target directory kept between runs,
//!   each with the features the tool itself would enable ([`features`]), keeping to the
//!   workspace's `Cargo.lock` (`--locked`) or, without one, removing the one cargo writes;
//! - a baseline is documented once per release commit (one `git worktree` of the tag, one
//!   `cargo doc` for every candidate tagged there), or from the registry's `.crate` when no tag is
//!   reachable, and its JSON is cached under `<target>/releasekit/semver/baseline-v1/` by crate,
//!   baseline (tag and commit, or registry version), toolchain and features — the tool itself
//!   caches registry baselines only;
//! - the comparisons run in parallel, up to the cores.
//!
//! Effects only: which crates to check and what a break means are `plan::api`'s. Every failure
//! becomes an [`ApiCheck::NotRun`] that says why; nothing here reports "no break" unless the
//! tool said so.

mod features;
mod report;
mod rustdoc;
mod sources;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use crate::adapters::cargo::Cargo;
use crate::adapters::git::Git;
use crate::plan::api::{ApiCandidate, ApiCheck, ApiChecks, Baseline};
use report::parse_report;
use sources::Source;

/// The directory of cached baseline JSON under `<target>/releasekit/semver/` (the reusable
/// workflow's prepare job keeps it between runs). Cached JSON of another layout or other flags
/// must not be read: bump with either.
pub const CACHE_DIR: &str = "baseline-v1";
/// The features documented (cargo-semver-checks' default choice, [`features`]), part of the
/// cache key: with the baseline's commit or version they determine the feature set.
const FEATURES: &str = "heuristic-features";
/// Most characters of a reason a check could not run.
const WHY_LIMIT: usize = 300;

/// What a run of the checks did, for the log.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CheckStats {
    pub compared: usize,
    pub baselines_cached: usize,
    pub baselines_documented: usize,
    pub seconds: f64,
}

/// Where the checks of one workspace run.
pub struct SemverChecker<'a> {
    /// The workspace root (HEAD is documented there, as checked out).
    pub root: &'a Path,
    /// The repository, for worktrees of release tags; the workspace's directory inside it.
    pub git: &'a Git,
    pub workspace_dir: &'a Path,
    /// `<cargo target dir>/releasekit/semver`.
    pub dir: PathBuf,
    /// The registry the crates are published to (`None` = crates.io), for `.crate` baselines.
    pub registry: Option<&'a str>,
    /// Most processes at once.
    pub jobs: usize,
    /// The run's toolchain, cargo home and target directory.
    pub cargo: &'a Cargo,
    /// The workspace has a `Cargo.lock` of its own (found before any cargo command could write
    /// one): HEAD is documented keeping to it. Without one, none is left behind.
    pub lockfile: bool,
}

/// The installed cargo-semver-checks (`cargo semver-checks --version`), or why there is none.
pub fn installed(cargo: &Cargo, dir: &Path) -> Result<String, String> {
    let out = cargo
        .command()
        .args(["semver-checks", "--version"])
        .current_dir(dir)
        .output()
        .map_err(|e| format!("cargo could not be run: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    match stdout.trim().strip_prefix("cargo-semver-checks ") {
        Some(version) if out.status.success() => Ok(version.to_owned()),
        _ => Err(
            "cargo-semver-checks is not installed (`cargo install cargo-semver-checks --locked`)"
                .into(),
        ),
    }
}

impl SemverChecker<'_> {
    /// Compare each candidate's public API at HEAD with its baseline.
    pub fn check(&self, candidates: &[ApiCandidate]) -> (ApiChecks, CheckStats) {
        let start = Instant::now();
        let mut stats = CheckStats::default();
        let mut checks = ApiChecks::new();
        let toolchain = match toolchain(self.cargo, self.root) {
            Ok(t) => t,
            Err(why) => {
                for c in candidates {
                    checks.insert(c.name.clone(), ApiCheck::NotRun { why: why.clone() });
                }
                return (checks, stats);
            }
        };
        let cache = self.dir.join(CACHE_DIR);
        let cached = |c: &ApiCandidate| {
            cache.join(format!(
                "{}.json",
                slug(&[&c.name, &baseline_key(&c.baseline), &toolchain, FEATURES])
            ))
        };
        // What to document: HEAD once, and each baseline not in the cache, by source.
        let mut jobs = vec![Job::Head];
        let mut by_source: BTreeMap<Source, Vec<String>> = BTreeMap::new();
        for c in candidates {
            if cached(c).is_file() {
                stats.baselines_cached += 1;
                continue;
            }
            let source = match &c.baseline {
                Baseline::Tag { commit, .. } => Source::Commit(commit.clone()),
                Baseline::Registry { version } => {
                    Source::Registry(c.name.clone(), version.to_string())
                }
            };
            by_source.entry(source).or_default().push(c.name.clone());
        }
        jobs.extend(
            by_source
                .into_iter()
                .map(|(s, names)| Job::Baseline(s, names)),
        );

        let names: Vec<String> = candidates.iter().map(|c| c.name.clone()).collect();
        let documented = parallel(jobs, self.jobs, |job| match job {
            Job::Head => (true, self.document_head(&names)),
            Job::Baseline(source, names) => (false, self.document_baseline(&source, &names)),
        });
        let mut head = BTreeMap::new();
        let mut baseline_failed = BTreeMap::new();
        for (is_head, results) in documented {
            for (name, result) in results {
                match (is_head, result) {
                    (true, result) => {
                        head.insert(name, result);
                    }
                    (false, Ok(json)) => {
                        let c = candidates.iter().find(|c| c.name == name);
                        match c.map(|c| store(&json, &cached(c))) {
                            Some(Err(why)) => {
                                baseline_failed.insert(name, why);
                            }
                            Some(Ok(())) => stats.baselines_documented += 1,
                            None => {}
                        }
                    }
                    (false, Err(why)) => {
                        baseline_failed.insert(name, why);
                    }
                }
            }
        }

        let mut comparisons = Vec::new();
        for c in candidates {
            let current = head
                .remove(&c.name)
                .unwrap_or_else(|| Err("cargo doc did not document it at HEAD".to_owned()));
            let check = match (current, baseline_failed.remove(&c.name)) {
                (Err(why), _) => Err(format!("HEAD could not be documented: {why}")),
                (_, Some(why)) => Err(format!(
                    "the baseline {} could not be documented: {why}",
                    describe(&c.baseline)
                )),
                (Ok(current), None) => Ok((c.name.clone(), cached(c), current)),
            };
            match check {
                Ok(pair) => comparisons.push(pair),
                Err(why) => {
                    checks.insert(c.name.clone(), ApiCheck::NotRun { why: clip(&why) });
                }
            }
        }
        stats.compared = comparisons.len();
        let root = self.root;
        for (name, check) in parallel(comparisons, self.jobs, |(name, baseline, current)| {
            (name, compare(self.cargo, root, &baseline, &current))
        }) {
            checks.insert(name, check);
        }
        stats.seconds = start.elapsed().as_secs_f64();
        (checks, stats)
    }
}

enum Job {
    Head,
    Baseline(Source, Vec<String>),
}

/// Run cargo-semver-checks on two rustdoc JSON files. Only breaks that need a new major
/// version are asked for (`--release-type minor`): they are what raises a bump.
fn compare(cargo: &Cargo, dir: &Path, baseline: &Path, current: &Path) -> ApiCheck {
    let out = cargo
        .command()
        .args(["semver-checks", "check-release", "--release-type", "minor"])
        .args(["--color", "never", "-vv"])
        .arg("--baseline-rustdoc")
        .arg(baseline)
        .arg("--current-rustdoc")
        .arg(current)
        .current_dir(dir)
        .output();
    let out = match out {
        Ok(out) => out,
        Err(e) => {
            return ApiCheck::NotRun {
                why: format!("cargo semver-checks could not be run: {e}"),
            };
        }
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    match parse_report(&stdout, &stderr) {
        Some(breaks) if out.status.success() == breaks.is_empty() => ApiCheck::Compared { breaks },
        _ => {
            let why = stderr
                .lines()
                .find(|l| l.starts_with("error") || l.contains("panicked"))
                .unwrap_or("cargo semver-checks gave no verdict");
            ApiCheck::NotRun {
                why: clip(&format!("cargo semver-checks failed: {why}")),
            }
        }
    }
}

/// `rustc -vV` of the workspace's toolchain: release and commit, for the cache key.
fn toolchain(cargo: &Cargo, dir: &Path) -> Result<String, String> {
    let out = cargo
        .tool("rustc")
        .arg("-vV")
        .current_dir(dir)
        .output()
        .map_err(|e| format!("rustc could not be run: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let field = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(key))
            .map(str::trim)
    };
    match (field("release:"), field("commit-hash:"), field("host:")) {
        (Some(release), commit, Some(host)) if out.status.success() => {
            let commit = commit.map_or("unknown", |c| &c[..c.len().min(9)]);
            Ok(format!("{release}-{commit}-{host}"))
        }
        _ => Err("`rustc -vV` did not say which toolchain it is".into()),
    }
}

fn baseline_key(baseline: &Baseline) -> String {
    match baseline {
        Baseline::Tag { tag, commit } => format!("{tag}-{}", &commit[..commit.len().min(12)]),
        Baseline::Registry { version } => format!("registry-{version}"),
    }
}

fn describe(baseline: &Baseline) -> String {
    match baseline {
        Baseline::Tag { tag, .. } => format!("at tag {tag}"),
        Baseline::Registry { version } => format!("{version} from the registry"),
    }
}

/// A file name from parts: anything but ASCII letters, digits, `.`, `-` and `_` becomes `_`.
fn slug(parts: &[&str]) -> String {
    parts
        .iter()
        .map(|p| {
            p.chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                        c
                    } else {
                        '_'
                    }
                })
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("+")
}

/// Copy `json` to `to` through a temporary file, so a reader never sees half of it.
fn store(json: &Path, to: &Path) -> Result<(), String> {
    let parent = to.parent().expect("a cache file has a directory");
    let tmp = to.with_extension(format!("tmp{}", std::process::id()));
    std::fs::create_dir_all(parent)
        .and_then(|()| std::fs::copy(json, &tmp))
        .and_then(|_| std::fs::rename(&tmp, to))
        .map_err(|e| {
            format!(
                "could not cache its rustdoc JSON in {}: {e}",
                parent.display()
            )
        })
}

fn clip(text: &str) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match one_line.char_indices().nth(WHY_LIMIT) {
        Some((at, _)) => format!("{}…", &one_line[..at]),
        None => one_line,
    }
}

/// `f` over `items` on at most `jobs` threads; results in the order of `items`.
fn parallel<T: Send, R: Send>(items: Vec<T>, jobs: usize, f: impl Fn(T) -> R + Sync) -> Vec<R> {
    let count = items.len();
    let queue: Mutex<Vec<(usize, T)>> = Mutex::new(items.into_iter().enumerate().rev().collect());
    let results: Mutex<Vec<Option<R>>> = Mutex::new((0..count).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..jobs.clamp(1, count.max(1)) {
            s.spawn(|| {
                loop {
                    let next = queue.lock().expect("queue").pop();
                    let Some((i, item)) = next else { break };
                    let result = f(item);
                    results.lock().expect("results")[i] = Some(result);
                }
            });
        }
    });
    results
        .into_inner()
        .expect("results")
        .into_iter()
        .map(|r| r.expect("every item ran"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parallel_keeps_the_order_of_its_items() {
        let out = parallel((0..20).collect(), 3, |i: u32| i * 2);
        assert_eq!(out, (0..20).map(|i| i * 2).collect::<Vec<_>>());
        assert!(parallel(Vec::<u32>::new(), 4, |i| i).is_empty());
    }

    #[test]
    fn cache_names_hold_crate_baseline_toolchain_and_features() {
        let key = baseline_key(&Baseline::Tag {
            tag: "widgets-v1.2.3".into(),
            commit: "0123456789abcdef0123".into(),
        });
        assert_eq!(
            slug(&[
                "widgets",
                &key,
                "1.95.0-59807616e-x86_64-unknown-linux-gnu",
                FEATURES
            ]),
            "widgets+widgets-v1.2.3-0123456789ab+1.95.0-59807616e-x86_64-unknown-linux-gnu+heuristic-features"
        );
        assert_eq!(slug(&["a/b c"]), "a_b_c");
    }
}
