//! The rules of publishing that do not depend on the world: what makes a crate unfit to
//! upload (pre-flight), what a failed `cargo publish` means, how many uploads run at once, how
//! crates.io's rate limits pace a release and how long that takes.
//!
//! It must not run cargo, read an index or the clock: the job hands it cargo's messages, the
//! facts of each package and the time elapsed, and carries out what comes back.

use std::fmt;
use std::time::{Duration, SystemTime};

use serde::Serialize;

use std::collections::{BTreeMap, BTreeSet};

use super::DepKind;
use super::graph::Edge;
use super::retry::{Failure, wait_from_text};
use super::schedule::{Bucket, CRATES_IO_NEW_CRATES, CRATES_IO_NEW_VERSIONS, minimum_duration};
use super::workspace::Workspace;

/// crates.io refuses a `.crate` file larger than this.
pub const MAX_CRATE_BYTES: u64 = 10 * 1024 * 1024;

/// Uploads at once when `concurrency` is 0: crates.io's burst is small and every upload
/// there costs about a second, so a handful keeps the pipe full without tripping its limits; a
/// private registry takes more.
pub fn automatic_concurrency(crates_io: bool) -> usize {
    if crates_io { 4 } else { 8 }
}

/// What pre-flight knows of one package to publish.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PackageFacts {
    pub name: String,
    /// Workspace-relative manifest path, for messages.
    pub manifest: String,
    pub description: bool,
    pub license: bool,
    pub license_file: bool,
    pub deps: Vec<DepFacts>,
}

/// One dependency as cargo reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepFacts {
    pub name: String,
    pub dev: bool,
    /// `*`, or no requirement at all.
    pub wildcard: bool,
    /// A `path` dependency (to a member or elsewhere).
    pub path: bool,
}

/// Something that stops a release before anything is uploaded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum Problem {
    MissingMetadata {
        krate: String,
        manifest: String,
        fields: Vec<&'static str>,
    },
    Wildcard {
        krate: String,
        manifest: String,
        dependency: String,
    },
    PathOnly {
        krate: String,
        manifest: String,
        dependency: String,
    },
    TooLarge {
        krate: String,
        bytes: u64,
    },
    NoToken {
        variable: String,
    },
    NewCratesNeedToken {
        crates: Vec<String>,
        variable: String,
    },
    Build {
        output: String,
    },
    Verify {
        output: String,
    },
}

impl Problem {
    /// The manifest's fault or the configuration's (exit 2), not a failed build.
    pub fn is_input(&self) -> bool {
        !matches!(self, Problem::Build { .. } | Problem::Verify { .. })
    }

    /// What to do about it.
    pub fn hint(&self) -> String {
        match self {
            Problem::MissingMetadata { fields, .. } => format!(
                "add {} to [package] (registries refuse crates without them)",
                fields
                    .iter()
                    .map(|f| format!("`{f}`"))
                    .collect::<Vec<_>>()
                    .join(" and ")
            ),
            Problem::Wildcard { dependency, .. } => format!(
                "give `{dependency}` a version requirement such as \"1.2\": registries refuse `*`"
            ),
            Problem::PathOnly { dependency, .. } => format!(
                "add `version = \"…\"` beside `path` for `{dependency}`, or make it a path-only dev-dependency"
            ),
            Problem::TooLarge { .. } => {
                "leave files out of the package with `exclude` or `include` in [package]; `cargo package --list` shows what goes in".into()
            }
            Problem::NoToken { variable } => format!(
                "set {variable} to a registry API token with the publish-update scope, or use trusted publishing (permissions `id-token: write`, a trusted publisher configured on crates.io)"
            ),
            Problem::NewCratesNeedToken { variable, .. } => format!(
                "a crate's first version cannot be published with trusted publishing: set {variable} for this release, then configure a trusted publisher for each new crate"
            ),
            Problem::Build { .. } => {
                "fix the build: `cargo build --release --locked` must succeed at the release commit".into()
            }
            Problem::Verify { .. } => {
                "fix the package: the crates are built from their packaged sources as the registry will see them (`cargo package`)".into()
            }
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::MissingMetadata {
                krate,
                manifest,
                fields,
            } => write!(f, "{krate} ({manifest}) has no {}", fields.join(" or ")),
            Problem::Wildcard {
                krate,
                manifest,
                dependency,
            } => write!(
                f,
                "{krate} ({manifest}) depends on `{dependency}` with the wildcard requirement `*`"
            ),
            Problem::PathOnly {
                krate,
                manifest,
                dependency,
            } => write!(
                f,
                "{krate} ({manifest}) depends on `{dependency}` by path only, which cannot be published"
            ),
            Problem::TooLarge { krate, bytes } => write!(
                f,
                "{krate} packages to {:.1} MB, over the registry's limit of {} MB",
                *bytes as f64 / 1_048_576.0,
                MAX_CRATE_BYTES / 1_048_576
            ),
            Problem::NoToken { variable } => {
                write!(f, "no registry token: {variable} is not set")
            }
            Problem::NewCratesNeedToken { crates, .. } => write!(
                f,
                "new crates cannot use trusted publishing: {}",
                crates.join(", ")
            ),
            Problem::Build { output } => write!(f, "the release build failed:\n{output}"),
            Problem::Verify { output } => {
                write!(f, "verifying the packages failed:\n{output}")
            }
        }
    }
}

/// The manifest checks of pre-flight for one package: metadata every registry asks for, and
/// dependencies that cannot be published.
pub fn manifest_problems(p: &PackageFacts) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut fields = Vec::new();
    if !p.description {
        fields.push("description");
    }
    if !p.license && !p.license_file {
        fields.push("license");
    }
    if !fields.is_empty() {
        out.push(Problem::MissingMetadata {
            krate: p.name.clone(),
            manifest: p.manifest.clone(),
            fields,
        });
    }
    for dep in &p.deps {
        // A path dev-dependency without a version is dropped by cargo when packaging.
        if dep.path && dep.wildcard && !dep.dev {
            out.push(Problem::PathOnly {
                krate: p.name.clone(),
                manifest: p.manifest.clone(),
                dependency: dep.name.clone(),
            });
        } else if dep.wildcard && !dep.path {
            out.push(Problem::Wildcard {
                krate: p.name.clone(),
                manifest: p.manifest.clone(),
                dependency: dep.name.clone(),
            });
        }
    }
    out
}

/// Per manifest (workspace-relative), the versioned dev-dependencies among `selected` that are
/// no publish edge (a published version satisfies them: serde's shape). cargo orders the crates
/// it packages together by every versioned dependency among them, these included, and stalls
/// on the cycle they close; verification makes them path-only.
pub fn unordered_dev_deps(
    ws: &Workspace,
    edges: &[Edge],
    selected: &BTreeSet<String>,
) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for name in selected {
        let Some(member) = ws.member(name) else {
            continue;
        };
        for dep in &member.deps {
            let ordered = edges
                .iter()
                .any(|e| e.from == *name && e.to == dep.name && e.kind == DepKind::Dev);
            if dep.kind == DepKind::Dev
                && dep.req.is_some()
                && selected.contains(&dep.name)
                && !ordered
            {
                out.entry(member.manifest.clone())
                    .or_default()
                    .insert(dep.name.clone());
            }
        }
    }
    out
}

/// What a failed `cargo publish` means, read from its messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UploadError {
    /// The registry has this version already: a run before us got there.
    AlreadyThere,
    /// Retry or not, as `plan::retry` decides.
    Failed(Failure),
}

/// Classify cargo's stderr after a failed upload. `now` turns crates.io's "try again after
/// <date>" into a wait.
pub fn classify_upload(stderr: &str, now: SystemTime) -> UploadError {
    let text = stderr.to_ascii_lowercase();
    if text.contains("already exists") || text.contains("already uploaded") {
        return UploadError::AlreadyThere;
    }
    if let Some(status) = status_in(&text) {
        let wait = if status == 429 {
            wait_from_text(stderr, now)
        } else {
            None
        };
        if let Some(failure) = Failure::from_status(status, wait) {
            return UploadError::Failed(failure);
        }
    }
    const NETWORK: &[&str] = &[
        "failed to send request",
        "connection reset",
        "connection refused",
        "empty reply from server",
        "timeout was reached",
        "timed out",
        "couldn't connect",
        "failed to connect",
        "recv failure",
        "send failure",
        "broken pipe",
        "[7]",
        "[28]",
        "[52]",
        "[55]",
        "[56]",
    ];
    if NETWORK.iter().any(|n| text.contains(n)) {
        return UploadError::Failed(Failure::Transient);
    }
    UploadError::Failed(Failure::Permanent)
}

/// cargo says "the remote server responded with an error (status 503 Service Unavailable)".
fn status_in(text: &str) -> Option<u16> {
    text.match_indices("status ").find_map(|(at, word)| {
        let rest = &text[at + word.len()..];
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        (digits.len() == 3).then(|| digits.parse().ok()).flatten()
    })
}

/// The last lines of cargo's stderr that say what went wrong, for a one-line reason.
pub fn reason(stderr: &str) -> String {
    let lines: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        .filter(|l| {
            !l.is_empty()
                && !l.starts_with("Updating")
                && !l.starts_with("Packaging")
                && !l.starts_with("Packaged")
                && !l.starts_with("Uploading")
                && !l.starts_with("Caused by")
                && !l.starts_with("note:")
                && !l.starts_with("help:")
        })
        .collect();
    let from = lines
        .iter()
        .position(|l| l.starts_with("error"))
        .unwrap_or(lines.len().saturating_sub(1));
    let mut text = lines[from.min(lines.len())..].join(" ");
    if text.is_empty() {
        text = "cargo publish failed without a message".into();
    }
    const MAX: usize = 300;
    if text.chars().count() > MAX {
        text = text.chars().take(MAX).collect::<String>() + "…";
    }
    text
}

/// crates.io's publish rate limits as a pacer: the n-th upload of a kind may start only when
/// its bucket allows, counted from the start of the run with full buckets. (A bucket already
/// drained by an earlier release shows up as a 429, which waits as the registry says.)
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pacer {
    crates: Bucket,
    versions: Bucket,
    new_crates: u32,
    new_versions: u32,
}

impl Pacer {
    pub fn crates_io() -> Pacer {
        Pacer::new(CRATES_IO_NEW_CRATES, CRATES_IO_NEW_VERSIONS)
    }

    pub fn new(crates: Bucket, versions: Bucket) -> Pacer {
        Pacer {
            crates,
            versions,
            new_crates: 0,
            new_versions: 0,
        }
    }

    /// Count one more upload of this kind and say how long after `elapsed` it must wait.
    pub fn start(&mut self, new_crate: bool, elapsed: Duration) -> Duration {
        let at = if new_crate {
            self.new_crates += 1;
            self.crates.earliest_start(self.new_crates)
        } else {
            self.new_versions += 1;
            self.versions.earliest_start(self.new_versions)
        };
        at.saturating_sub(elapsed)
    }
}

/// How long crates.io's limits alone hold a release of this size up, as a sentence for the
/// summary; `None` when everything fits in the bursts.
pub fn crates_io_estimate(new_crates: u32, new_versions: u32) -> Option<String> {
    let least = minimum_duration(
        new_crates,
        new_versions,
        CRATES_IO_NEW_CRATES,
        CRATES_IO_NEW_VERSIONS,
    );
    if least.is_zero() {
        return None;
    }
    Some(format!(
        "crates.io allows {} new crates at once then one every {} min, and {} new versions at once then one every {} min: {} new crates and {} new versions take at least {}; uploads are paced to fit, not failed",
        CRATES_IO_NEW_CRATES.burst,
        CRATES_IO_NEW_CRATES.refill.as_secs() / 60,
        CRATES_IO_NEW_VERSIONS.burst,
        CRATES_IO_NEW_VERSIONS.refill.as_secs() / 60,
        new_crates,
        new_versions,
        human(least)
    ))
}

/// `1 h 20 min`, `9 min`, `45 s`.
pub fn human(d: Duration) -> String {
    let s = d.as_secs();
    match (s / 3600, (s % 3600) / 60, s % 60) {
        (0, 0, s) => format!("{s} s"),
        (0, m, 0) => format!("{m} min"),
        (0, m, s) => format!("{m} min {s} s"),
        (h, 0, _) => format!("{h} h"),
        (h, m, _) => format!("{h} h {m} min"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::retry::Failure;

    fn package(deps: Vec<DepFacts>) -> PackageFacts {
        PackageFacts {
            name: "core".into(),
            manifest: "crates/core/Cargo.toml".into(),
            description: true,
            license: true,
            license_file: false,
            deps,
        }
    }

    fn dep(name: &str, dev: bool, wildcard: bool, path: bool) -> DepFacts {
        DepFacts {
            name: name.into(),
            dev,
            wildcard,
            path,
        }
    }

    /// ```text
    ///   serde ──optional──▶ derive ──dev "1.0" (1.0.0 published)──▶ serde
    ///   core ──dev "0.1" (nothing published: an edge)──▶ testkit
    ///   tool ──dev, path only──▶ serde
    /// ```
    #[test]
    fn only_dev_dependencies_the_registry_satisfies_are_unordered() {
        use crate::plan::graph::publish_edges;
        use crate::plan::workspace::{Member, MemberDep};
        let member = |name: &str, deps: Vec<MemberDep>| Member::plain(name, "1.0.1", deps);
        let mut optional = MemberDep::plain("derive", DepKind::Normal, Some("=1.0.1"));
        optional.optional = true;
        let ws = Workspace {
            members: vec![
                member(
                    "core",
                    vec![MemberDep::plain("testkit", DepKind::Dev, Some("0.1"))],
                ),
                member(
                    "derive",
                    vec![MemberDep::plain("serde", DepKind::Dev, Some("1.0"))],
                ),
                member("serde", vec![optional]),
                member("testkit", vec![]),
                member("tool", vec![MemberDep::plain("serde", DepKind::Dev, None)]),
            ],
            ..Workspace::default()
        };
        let published = [("serde".to_owned(), vec![semver::Version::new(1, 0, 0)])].into();
        let edges = publish_edges(&ws, None, &published);
        let all: BTreeSet<String> = ws.members.iter().map(|m| m.name.clone()).collect();
        let expected: BTreeMap<String, BTreeSet<String>> = [(
            "crates/derive/Cargo.toml".to_owned(),
            ["serde".to_owned()].into(),
        )]
        .into();
        assert_eq!(unordered_dev_deps(&ws, &edges, &all), expected);
        // serde not published in this run: nothing for cargo to trip over.
        let without: BTreeSet<String> = all.iter().filter(|n| *n != "serde").cloned().collect();
        assert_eq!(unordered_dev_deps(&ws, &edges, &without), BTreeMap::new());
    }

    #[test]
    fn complete_package_has_no_problem() {
        assert_eq!(
            manifest_problems(&package(vec![dep("util", false, false, true)])),
            vec![]
        );
    }

    #[test]
    fn missing_description_and_license_are_one_problem_naming_both() {
        let mut p = package(vec![]);
        p.description = false;
        p.license = false;
        let problems = manifest_problems(&p);
        assert_eq!(
            problems,
            vec![Problem::MissingMetadata {
                krate: "core".into(),
                manifest: "crates/core/Cargo.toml".into(),
                fields: vec!["description", "license"],
            }]
        );
        assert_eq!(
            problems[0].to_string(),
            "core (crates/core/Cargo.toml) has no description or license"
        );
        assert!(problems[0].hint().contains("`description` and `license`"));
    }

    #[test]
    fn license_file_stands_in_for_license() {
        let mut p = package(vec![]);
        p.license = false;
        p.license_file = true;
        assert_eq!(manifest_problems(&p), vec![]);
    }

    #[test]
    fn dependency_table() {
        // (dev, wildcard, path) → problem
        let cases: &[(bool, bool, bool, Option<&str>)] = &[
            (false, true, false, Some("wildcard")),
            (true, true, false, Some("wildcard")),
            (false, true, true, Some("path")),
            // cargo strips a path-only dev-dependency: fine.
            (true, true, true, None),
            (false, false, true, None),
            (false, false, false, None),
        ];
        for &(dev, wildcard, path, expected) in cases {
            let problems = manifest_problems(&package(vec![dep("x", dev, wildcard, path)]));
            let got = problems.first().map(|p| match p {
                Problem::Wildcard { .. } => "wildcard",
                Problem::PathOnly { .. } => "path",
                _ => "other",
            });
            assert_eq!(got, expected, "dev={dev} wildcard={wildcard} path={path}");
        }
    }

    #[test]
    fn only_build_and_verify_failures_are_not_input_problems() {
        assert!(
            Problem::NoToken {
                variable: "CARGO_REGISTRY_TOKEN".into()
            }
            .is_input()
        );
        assert!(!Problem::Build { output: "x".into() }.is_input());
        assert!(!Problem::Verify { output: "x".into() }.is_input());
    }

    const AT_1000: u64 = 1_700_000_000;

    fn now() -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(AT_1000)
    }

    #[test]
    fn upload_errors_classify() {
        let date = httpdate::fmt_http_date(now() + Duration::from_secs(3));
        let cases: Vec<(String, UploadError)> = vec![
            (
                "error: crate core@1.0.0 already exists on `test` index".into(),
                UploadError::AlreadyThere,
            ),
            (
                "error: failed to publish to registry at https://crates.io\n\nCaused by:\n  the remote server responded with an error: crate version `core@1.0.0` is already uploaded".into(),
                UploadError::AlreadyThere,
            ),
            (
                "the remote server responded with an error (status 409 Conflict): crate version already exists: core 1.0.0".into(),
                UploadError::AlreadyThere,
            ),
            (
                format!("the remote server responded with an error (status 429 Too Many Requests): You have published too many new crates in a short period of time. Please try again after {date} or email help@crates.io to have your limit increased."),
                UploadError::Failed(Failure::RateLimited { wait: Some(Duration::from_secs(3)) }),
            ),
            (
                "the remote server responded with an error (status 503 Service Unavailable): ".into(),
                UploadError::Failed(Failure::Transient),
            ),
            (
                "failed to upload package to registry\n\nCaused by:\n  [52] Server returned nothing (no headers, no data) (Empty reply from server)".into(),
                UploadError::Failed(Failure::Transient),
            ),
            (
                "the remote server responded with an error (status 403 Forbidden): this crate is owned by someone else".into(),
                UploadError::Failed(Failure::Permanent),
            ),
            (
                "the remote server responded with an error (status 401 Unauthorized): bad token".into(),
                UploadError::Failed(Failure::Unauthorized),
            ),
            (
                "error: failed to select a version for the requirement `util = \"^2\"`".into(),
                UploadError::Failed(Failure::Permanent),
            ),
        ];
        for (stderr, expected) in cases {
            assert_eq!(classify_upload(&stderr, now()), expected, "{stderr}");
        }
    }

    #[test]
    fn reason_keeps_the_error_and_drops_progress() {
        let stderr = "    Updating `test` index\n   Packaging core v1.0.0\n   Uploading core v1.0.0\nerror: failed to publish to registry at http://x\n\nCaused by:\n  the remote server responded with an error (status 403 Forbidden): nope\n";
        assert_eq!(
            reason(stderr),
            "error: failed to publish to registry at http://x the remote server responded with an error (status 403 Forbidden): nope"
        );
        assert_eq!(reason(""), "cargo publish failed without a message");
    }

    #[test]
    fn pacer_lets_the_burst_through_then_spaces_uploads() {
        let mut p = Pacer::crates_io();
        let zero = Duration::ZERO;
        for _ in 0..5 {
            assert_eq!(p.start(true, zero), zero);
        }
        // The 6th new crate waits one refill; later in the run, only what is left of it.
        assert_eq!(p.start(true, zero), Duration::from_secs(600));
        assert_eq!(
            p.start(true, Duration::from_secs(700)),
            Duration::from_secs(500)
        );
        // Versions have their own bucket.
        for _ in 0..30 {
            assert_eq!(p.start(false, zero), zero);
        }
        assert_eq!(
            p.start(false, Duration::from_secs(10)),
            Duration::from_secs(50)
        );
    }

    #[test]
    fn estimate_only_when_a_burst_is_exceeded() {
        assert_eq!(crates_io_estimate(5, 30), None);
        let text = crates_io_estimate(8, 10).expect("over the burst");
        assert!(text.contains("at least 30 min"), "{text}");
        assert!(
            crates_io_estimate(0, 45)
                .unwrap()
                .contains("at least 15 min")
        );
    }

    #[test]
    fn human_durations() {
        let cases = [
            (45, "45 s"),
            (540, "9 min"),
            (545, "9 min 5 s"),
            (3600, "1 h"),
            (4800, "1 h 20 min"),
        ];
        for (secs, text) in cases {
            assert_eq!(human(Duration::from_secs(secs)), text);
        }
    }

    #[test]
    fn automatic_concurrency_is_gentler_on_crates_io() {
        assert!(automatic_concurrency(true) < automatic_concurrency(false));
        assert!(automatic_concurrency(true) >= 2);
    }
}
