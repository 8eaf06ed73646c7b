//! `publish`: every crate to release reaches the registry in an order its dependents can
//! resolve, as fast as the graph and the registry allow, and a run that dies at any point
//! finishes on re-run with nothing uploaded twice.
//!
//! Facts first (the workspace, the registry, the versions its index lists), then the plan
//! (what to upload, the schedule, pre-flight), then the uploads: one thread per crate in
//! flight, started as `plan::schedule` allows and paced as `plan::publish` says for crates.io;
//! each uploads with `cargo publish --no-verify` (the crates were verified together before),
//! retries as `plan::retry` decides and polls the sparse index until its version is visible.
//! The main thread alone changes the schedule and prints.

use std::collections::{BTreeMap, BTreeSet};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Sender, channel};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use semver::Version;
use serde::Serialize;

use crate::adapters::actions::{annotation, mask_command};
use crate::adapters::cargo::{self, Cargo, CargoOutput};
use crate::adapters::git::{Git, GitError, Trust, Worktree};
use crate::adapters::index::Index;
use crate::adapters::oidc::TrustedPublishing;
use crate::adapters::registry::{self, RegistrySpec};
use crate::config::Secret;
use crate::config::file::Settings;
use crate::error::{Error, Result};
use crate::jobs::apply::{Place, confined};
use crate::jobs::{Context, published_versions, resolvable, target_dir, workspace_at};
use crate::plan::graph::{Edge, publish_edges, waves};
use crate::plan::manifest::unversion_dev_deps;
use crate::plan::publish::{
    DepFacts, Pacer, PackageFacts, Problem, UploadError, automatic_concurrency, classify_upload,
    crates_io_estimate, human, manifest_problems, reason, unordered_dev_deps,
};
use crate::plan::release::{PlanError, assign_groups};
use crate::plan::retry::{Attempts, Decision, GiveUp, RetryPolicy};
use crate::plan::schedule::{CrateState, Schedule};
use crate::plan::workspace::{Member, Workspace};

/// A trusted-publishing token is renewed when it is this old (crates.io's live 30 minutes).
const RENEW_AFTER: Duration = Duration::from_secs(25 * 60);

/// What to publish when the release stage ran before: its crates, at its merge commit.
pub struct FromRelease {
    pub commit: String,
    pub crates: Vec<String>,
}

/// One crate's end of the run, as the summary and the `published` output show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CrateOutcome {
    pub name: String,
    pub version: String,
    #[serde(flatten)]
    pub state: CrateState,
    /// Found in the registry on upload (a run before this one got there first).
    #[serde(skip)]
    pub already_there: bool,
}

#[derive(Debug, Default)]
pub struct PublishReport {
    pub crates: Vec<CrateOutcome>,
}

impl PublishReport {
    /// Uploaded by this run and visible in the index.
    pub fn published(&self) -> impl Iterator<Item = &CrateOutcome> {
        self.crates
            .iter()
            .filter(|c| c.state == CrateState::Visible)
    }
}

/// One crate of the release.
#[derive(Debug, Clone)]
struct Candidate {
    name: String,
    version: Version,
    manifest: String,
    /// The index lists no version of it: a new crate (its own crates.io bucket).
    new: bool,
}

pub fn run(ctx: &mut Context<'_>, from_release: Option<&FromRelease>) -> Result<PublishReport> {
    if ctx.config.skip_publish {
        ctx.print("publish: skipped (skip_publish is set)\n")?;
        return Ok(PublishReport::default());
    }
    ctx.require_full_history("publish")?;
    let target = locate(ctx, from_release)?;
    let Target {
        dir,
        workspace,
        settings,
        spec,
        ..
    } = &target;
    let registry_name = spec.name.clone();
    let crates_io = registry_name.is_none();

    // Which crates: the release's, else every publishable member (of the group). Members
    // released without publishing (`release = true`) belong to groups too, and are only listed.
    let publishable: Vec<&Member> = workspace.publishable(registry_name.as_deref()).collect();
    let release_only: Vec<&Member> = (workspace.members.iter())
        .filter(|m| !m.publish.allows(registry_name.as_deref()) && settings.release_asked(&m.name))
        .collect();
    let groups = assign_groups(
        &[&publishable[..], &release_only[..]].concat(),
        &settings.groups,
    )?;
    let in_scope = |m: &&Member| match from_release {
        Some(release) => release.crates.contains(&m.name),
        None => match &ctx.config.group {
            Some(group) => groups.get(m.name.as_str()).cloned().flatten().as_ref() == Some(group),
            None => true,
        },
    };
    let chosen: Vec<&Member> = publishable.iter().copied().filter(in_scope).collect();
    let not_uploaded: Vec<&Member> = release_only.iter().copied().filter(in_scope).collect();

    ctx.begin_group("registry index")?;
    let index = Arc::new(Index::new(
        &spec.index_url,
        spec.token.as_ref(),
        ctx.config.max_retries,
    )?);
    let index_config = index.config();
    let listed = published_versions(&index, chosen.iter().map(|m| m.name.as_str()));
    for line in index.take_log() {
        ctx.print(&format!("{line}\n"))?;
    }
    ctx.end_group()?;
    let index_config = index_config?;
    let listed = listed?;

    let mut candidates = Vec::new();
    let mut already = BTreeSet::new();
    for m in &chosen {
        let versions = listed.get(&m.name).cloned().unwrap_or_default();
        if versions.iter().any(|(v, _)| v == &m.version) {
            already.insert(m.name.clone());
        }
        candidates.push(Candidate {
            name: m.name.clone(),
            version: m.version.clone(),
            manifest: m.manifest.clone(),
            new: versions.is_empty(),
        });
    }
    let edges = publish_edges(workspace, registry_name.as_deref(), &resolvable(&listed));
    let names: Vec<String> = candidates.iter().map(|c| c.name.clone()).collect();
    let schedule =
        Schedule::new(&names, &already, &edges).map_err(|e| Error::Plan(PlanError::Cycle(e)))?;
    let to_upload: Vec<&Candidate> = candidates
        .iter()
        .filter(|c| !already.contains(&c.name))
        .collect();
    let upload_names: BTreeSet<String> = to_upload.iter().map(|c| c.name.clone()).collect();
    let upload_waves =
        waves(&upload_names, &edges).map_err(|e| Error::Plan(PlanError::Cycle(e)))?;

    // A token: the configured one, or trusted publishing.
    let trusted = match &spec.token {
        Some(_) => None,
        None => index_config.api.as_deref().and_then(|api| {
            TrustedPublishing::new(
                ctx.env("ACTIONS_ID_TOKEN_REQUEST_URL"),
                ctx.env("ACTIONS_ID_TOKEN_REQUEST_TOKEN"),
                api,
            )
        }),
    };

    let registry_label = match &registry_name {
        Some(name) => format!("registry `{name}`"),
        None => "crates.io".to_owned(),
    };
    let new_crates = to_upload.iter().filter(|c| c.new).count() as u32;
    let estimate = if crates_io {
        crates_io_estimate(new_crates, to_upload.len() as u32 - new_crates)
    } else {
        None
    };
    let concurrency = match ctx.config.concurrency {
        0 => automatic_concurrency(crates_io),
        n => n,
    };
    print_plan(
        ctx,
        &registry_label,
        &candidates,
        &already,
        &upload_waves,
        concurrency,
        estimate.as_deref(),
    )?;
    list_release_only(ctx, &not_uploaded)?;
    if to_upload.is_empty() {
        let report = report_of(&schedule, &candidates, &BTreeSet::new());
        finish(ctx, &registry_label, &report, &[], estimate.as_deref())?;
        return Ok(report);
    }

    let problems = preflight(ctx, &target, &edges, &to_upload, trusted.is_some())?;
    if !problems.is_empty() {
        return Err(stop(ctx, &registry_label, problems)?);
    }

    if ctx.config.dry_run {
        let report = report_of(&schedule, &candidates, &BTreeSet::new());
        finish(
            ctx,
            &registry_label,
            &report,
            &upload_waves,
            estimate.as_deref(),
        )?;
        return Ok(report);
    }

    // Uploads.
    let tokens = Arc::new(Tokens::start(ctx, trusted, &spec.token_variable)?);
    ctx.begin_group("uploads")?;
    let job = Arc::new(Job {
        cargo: target.cargo.clone(),
        dir: dir.clone(),
        target_dir: target.target_dir.clone(),
        registry: registry_name.clone(),
        index: index.clone(),
        tokens: tokens.clone(),
        policy: RetryPolicy::new(ctx.config.max_retries),
        timeout: Duration::from_secs(settings.publish_timeout_secs),
    });
    let pacer = crates_io.then(Pacer::crates_io);
    let outcome = upload_all(ctx, &job, schedule, &candidates, concurrency, pacer);
    ctx.end_group()?;
    // Revoke the trusted-publishing token whatever happened.
    let revoked = tokens.finish();
    for line in tokens.take_masks() {
        ctx.command(&line)?;
    }
    for problem in revoked {
        ctx.print(&format!("warning: {problem}\n"))?;
    }
    let (schedule, already_there) = outcome?;
    let report = report_of(&schedule, &candidates, &already_there);
    finish(ctx, &registry_label, &report, &[], estimate.as_deref())?;
    let left: Vec<String> = report
        .crates
        .iter()
        .filter(|c| {
            matches!(
                c.state,
                CrateState::Failed { .. } | CrateState::Blocked { .. }
            )
        })
        .map(|c| c.name.clone())
        .collect();
    if left.is_empty() {
        Ok(report)
    } else {
        Err(Error::PublishIncomplete { left })
    }
}

/// Where and what to publish: the checkout, or a worktree of the release's merge commit when
/// the checkout's tree differs; its metadata, settings and registry.
struct Target {
    cargo: Cargo,
    dir: PathBuf,
    root: PathBuf,
    target_dir: PathBuf,
    metadata: cargo_metadata::Metadata,
    workspace: Workspace,
    settings: Settings,
    spec: RegistrySpec,
    /// What git may accept in the checkout, for the scratch worktree of verification.
    trust: Trust,
    /// Removed when the target drops.
    _worktree: Option<Worktree>,
}

fn locate(ctx: &Context<'_>, from_release: Option<&FromRelease>) -> Result<Target> {
    let trust = ctx.trust();
    let (dir, worktree) = match from_release {
        Some(release) => workspace_at(ctx, &ctx.git()?, &release.commit, "publish")?,
        None => (ctx.config.workspace.clone(), None),
    };
    let metadata = ctx.metadata(&dir)?;
    let root = metadata.workspace_root.clone().into_std_path_buf();
    let target_dir = metadata.target_directory.clone().into_std_path_buf();
    // Publish builds, packages and verifies there: refused before it does.
    match Git::discover(&dir, &trust) {
        Ok(git) => target_dir::check(&git, &target_dir)?,
        Err(GitError::NotARepository { .. }) => {}
        Err(e) => return Err(e.into()),
    }
    let workspace = cargo::workspace(&metadata, &root)?;
    let settings = ctx.settings(&root)?;
    let spec = registry::resolve(ctx.config.registry.as_deref(), &ctx.env, &root)?;
    Ok(Target {
        cargo: ctx.cargo()?.clone(),
        dir,
        root,
        target_dir,
        metadata,
        workspace,
        settings,
        spec,
        trust,
        _worktree: worktree,
    })
}

/// Everything that can stop the release, found together, before anything is public.
fn preflight(
    ctx: &mut Context<'_>,
    target: &Target,
    edges: &[Edge],
    to_upload: &[&Candidate],
    trusted: bool,
) -> Result<Vec<Problem>> {
    ctx.begin_group("pre-flight")?;
    let mut problems = Vec::new();
    let by_name: BTreeMap<&str, &cargo_metadata::Package> = target
        .metadata
        .workspace_packages()
        .into_iter()
        .map(|p| (p.name.as_str(), p))
        .collect();
    for c in to_upload {
        if let Some(pkg) = by_name.get(c.name.as_str()) {
            problems.extend(manifest_problems(&package_facts(pkg, &c.manifest)));
        }
    }
    let variable = target.spec.token_variable.clone();
    match (&target.spec.token, trusted) {
        (Some(_), _) => {}
        (None, true) => {
            let new: Vec<String> = to_upload
                .iter()
                .filter(|c| c.new)
                .map(|c| c.name.clone())
                .collect();
            if !new.is_empty() {
                problems.push(Problem::NewCratesNeedToken {
                    crates: new,
                    variable,
                });
            }
        }
        (None, false) => problems.push(Problem::NoToken { variable }),
    }
    ctx.print("cargo build --release --locked --workspace\n")?;
    if let Err(CargoOutput { stderr }) = target.cargo.build_release(&target.dir)? {
        problems.push(Problem::Build {
            output: tail(&stderr, 40),
        });
    }
    let packages: Vec<(String, Version)> = to_upload
        .iter()
        .map(|c| (c.name.clone(), c.version.clone()))
        .collect();
    ctx.print(&format!(
        "cargo package (verifying {} crates together)\n",
        packages.len()
    ))?;
    match verify(target, edges, &packages)? {
        Ok(files) => {
            for file in files {
                if file.bytes > crate::plan::publish::MAX_CRATE_BYTES {
                    problems.push(Problem::TooLarge {
                        krate: file.name,
                        bytes: file.bytes,
                    });
                }
            }
        }
        Err(CargoOutput { stderr }) => problems.push(Problem::Verify {
            output: tail(&stderr, 40),
        }),
    }
    ctx.end_group()?;
    Ok(problems)
}

/// Report what pre-flight found (log, summary, an empty `published`) as the run's error.
fn stop(ctx: &mut Context<'_>, registry: &str, problems: Vec<Problem>) -> Result<Error> {
    for p in &problems {
        if ctx.config.in_actions {
            ctx.command(&annotation(
                "error",
                None,
                None,
                &format!("{p}: {}", p.hint()),
            ))?;
        } else {
            ctx.print(&format!("error: {p}\n  hint: {}\n", p.hint()))?;
        }
    }
    preflight_summary(ctx, registry, &problems)?;
    ctx.runner.set_output("published", "[]")?;
    Ok(Error::Preflight { problems })
}

/// `cargo package` of every crate to upload, together. When a versioned dev-dependency among
/// them is no publish edge (the registry satisfies it: serde's shape), cargo's own ordering
/// would stall on it, so the crates are packaged from a scratch worktree of HEAD in which
/// those dev-dependencies are path-only; verification builds no dev-dependency either way.
fn verify(
    target: &Target,
    edges: &[Edge],
    packages: &[(String, Version)],
) -> Result<cargo::Packages> {
    let Target {
        cargo,
        dir,
        root,
        target_dir,
        workspace,
        spec,
        trust,
        ..
    } = target;
    let registry = spec.name.as_deref();
    let selected: BTreeSet<String> = packages.iter().map(|(n, _)| n.clone()).collect();
    let unversion = unordered_dev_deps(workspace, edges, &selected);
    if unversion.is_empty() {
        return Ok(cargo.package(dir, target_dir, packages, registry, false)?);
    }
    let git = Git::discover(dir, trust)?;
    let tree = git.worktree("verify", "HEAD")?;
    let scratch = tree.dir();
    let scratch_root = scratch.join(super::relative_to(root, git.root()));
    for (manifest, deps) in unversion {
        let paths: BTreeMap<String, String> = deps
            .iter()
            .filter_map(|d| workspace.member(d.as_str()))
            .map(|m| {
                (
                    m.name.clone(),
                    scratch_root.join(&m.dir).display().to_string(),
                )
            })
            .collect();
        let place = Place {
            fence: scratch,
            root: &scratch_root,
        };
        let path = confined(place, Path::new(&manifest))?;
        let text = std::fs::read_to_string(&path).map_err(|source| Error::Io {
            action: "read",
            path: path.clone(),
            source,
        })?;
        let edited = unversion_dev_deps(&text, &paths).map_err(|source| Error::Manifest {
            path: path.clone(),
            source,
        })?;
        std::fs::write(&path, edited).map_err(|source| Error::Io {
            action: "write",
            path: path.clone(),
            source,
        })?;
    }
    Ok(cargo.package(
        &scratch.join(super::relative_to(dir, git.root())),
        target_dir,
        packages,
        registry,
        true,
    )?)
}

fn package_facts(pkg: &cargo_metadata::Package, manifest: &str) -> PackageFacts {
    PackageFacts {
        name: pkg.name.to_string(),
        manifest: manifest.to_owned(),
        description: pkg
            .description
            .as_deref()
            .is_some_and(|d| !d.trim().is_empty()),
        license: pkg.license.is_some(),
        license_file: pkg.license_file.is_some(),
        deps: pkg
            .dependencies
            .iter()
            .map(|d| DepFacts {
                name: d.name.clone(),
                dev: d.kind == cargo_metadata::DependencyKind::Development,
                wildcard: d.req == semver::VersionReq::STAR,
                path: d.path.is_some(),
            })
            .collect(),
    }
}

/// How the uploads get a token. No other cargo child sees one (`config::CargoSetup::hidden`),
/// so a token from the environment is handed to each upload explicitly.
enum Tokens {
    /// The configured token: the environment's (the variable and its value), or none here, and
    /// cargo reads its credentials file or credential providers itself.
    Configured(Option<(String, Secret)>),
    Trusted {
        tp: Box<TrustedPublishing>,
        variable: String,
        lease: Mutex<Lease>,
    },
}

struct Lease {
    token: Secret,
    minted: Instant,
    /// `::add-mask::` lines of tokens minted on a worker thread, for the main thread to print.
    masks: Vec<String>,
    /// Tokens replaced by a newer one, revoked at the end.
    retired: Vec<Secret>,
}

impl Tokens {
    /// Trusted publishing when the job can ask for OIDC tokens and no token is configured:
    /// the first token minted and masked now, before any upload.
    fn start(
        ctx: &mut Context<'_>,
        trusted: Option<TrustedPublishing>,
        variable: &str,
    ) -> Result<Tokens> {
        let Some(tp) = trusted else {
            let from_env = ctx
                .env(variable)
                .map(|token| (variable.to_owned(), Secret::new(token)));
            return Ok(Tokens::Configured(from_env));
        };
        let token = tp.mint()?;
        ctx.command(&mask_command(token.expose()))?;
        ctx.print("trusted publishing: exchanged the job's OIDC token for a registry token\n")?;
        Ok(Tokens::Trusted {
            tp: Box::new(tp),
            variable: variable.to_owned(),
            lease: Mutex::new(Lease {
                token,
                minted: Instant::now(),
                masks: Vec::new(),
                retired: Vec::new(),
            }),
        })
    }

    /// The environment variable and token for the next upload, renewed when it is old.
    fn for_upload(&self) -> Result<Option<(String, Secret)>, String> {
        match self {
            Tokens::Configured(from_env) => Ok(from_env.clone()),
            Tokens::Trusted {
                tp,
                variable,
                lease,
            } => {
                let mut lease = lease.lock().unwrap_or_else(PoisonError::into_inner);
                if lease.minted.elapsed() >= RENEW_AFTER {
                    let fresh = tp.mint().map_err(|e| format!("{e} ({})", e.hint()))?;
                    lease.masks.push(mask_command(fresh.expose()));
                    let old = std::mem::replace(&mut lease.token, fresh);
                    lease.retired.push(old);
                    lease.minted = Instant::now();
                }
                Ok(Some((variable.clone(), lease.token.clone())))
            }
        }
    }

    fn take_masks(&self) -> Vec<String> {
        match self {
            Tokens::Configured(_) => Vec::new(),
            Tokens::Trusted { lease, .. } => {
                std::mem::take(&mut lease.lock().unwrap_or_else(PoisonError::into_inner).masks)
            }
        }
    }

    /// Revoke every token minted; what could not be revoked, as warnings.
    fn finish(&self) -> Vec<String> {
        let Tokens::Trusted { tp, lease, .. } = self else {
            return Vec::new();
        };
        let lease = lease.lock().unwrap_or_else(PoisonError::into_inner);
        std::iter::once(&lease.token)
            .chain(lease.retired.iter())
            .filter_map(|t| tp.revoke(t).err())
            .map(|e| format!("{e} ({})", e.hint()))
            .collect()
    }
}

/// What every upload thread shares.
struct Job {
    cargo: Cargo,
    dir: PathBuf,
    target_dir: PathBuf,
    registry: Option<String>,
    index: Arc<Index>,
    tokens: Arc<Tokens>,
    policy: RetryPolicy,
    timeout: Duration,
}

/// What an upload thread tells the main thread.
enum Event {
    Log(String),
    Uploaded(String),
    Visible(String),
    AlreadyThere(String),
    Failed(String, String),
}

/// Start crates as the schedule allows, apply what the threads report, until nothing is left.
fn upload_all(
    ctx: &mut Context<'_>,
    job: &Arc<Job>,
    mut schedule: Schedule,
    candidates: &[Candidate],
    concurrency: usize,
    mut pacer: Option<Pacer>,
) -> Result<(Schedule, BTreeSet<String>)> {
    let by_name: BTreeMap<&str, &Candidate> =
        candidates.iter().map(|c| (c.name.as_str(), c)).collect();
    let started = Instant::now();
    let (tx, rx) = channel::<Event>();
    let mut already_there = BTreeSet::new();
    let mut in_flight = 0usize;
    loop {
        for name in schedule.take_ready(concurrency) {
            let c = by_name[name.as_str()];
            let wait = pacer
                .as_mut()
                .map(|p| p.start(c.new, started.elapsed()))
                .unwrap_or_default();
            if !wait.is_zero() {
                ctx.print(&format!(
                    "{} {}: waiting {} for crates.io's publish rate limit\n",
                    c.name,
                    c.version,
                    human(wait)
                ))?;
            }
            let (job, c) = (Arc::clone(job), c.clone());
            in_flight += 1;
            spawn_worker(c.name.clone(), tx.clone(), move |tx| {
                upload_one(&job, &c, wait, tx)
            });
        }
        if in_flight == 0 {
            break;
        }
        // The loop holds a sender itself, so this waits for a worker; every worker ends with
        // an event, a panicking one too (`spawn_worker`).
        let Ok(event) = rx.recv() else {
            break;
        };
        for line in job.tokens.take_masks() {
            ctx.command(&line)?;
        }
        let at = started.elapsed().as_secs_f64();
        match event {
            Event::Log(line) => ctx.print(&format!("{line}\n"))?,
            Event::Uploaded(name) => {
                schedule.uploaded(&name);
                ctx.print(&format!("[{at:6.1}s] {name}: uploaded\n"))?;
            }
            Event::Visible(name) => {
                in_flight -= 1;
                schedule.visible(&name);
                ctx.print(&format!("[{at:6.1}s] {name}: visible in the index\n"))?;
            }
            Event::AlreadyThere(name) => {
                in_flight -= 1;
                schedule.already_there(&name);
                already_there.insert(name.clone());
                ctx.print(&format!(
                    "[{at:6.1}s] {name}: already in the registry (uploaded before), visible\n"
                ))?;
            }
            Event::Failed(name, why) => {
                in_flight -= 1;
                schedule.failed(&name, &why);
                ctx.print(&format!("[{at:6.1}s] {name}: failed: {why}\n"))?;
            }
        }
    }
    Ok((schedule, already_there))
}

/// Run `work` on a thread of its own. A panic in it reaches the main loop as a failure of
/// `name`, never as silence: the loop would otherwise wait forever for that crate's last event.
fn spawn_worker(
    name: String,
    tx: Sender<Event>,
    work: impl FnOnce(&Sender<Event>) + Send + 'static,
) {
    std::thread::spawn(move || {
        if let Err(panic) = std::panic::catch_unwind(AssertUnwindSafe(|| work(&tx))) {
            let why = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "no message".to_owned());
            let _ = tx.send(Event::Failed(
                name,
                format!("its upload thread stopped unexpectedly: {why}"),
            ));
        }
    });
}

/// Upload one crate (retrying as the policy says), then wait until the index lists it.
fn upload_one(job: &Job, c: &Candidate, pace: Duration, tx: &Sender<Event>) {
    let send = |e: Event| {
        let _ = tx.send(e);
    };
    std::thread::sleep(pace);
    let mut attempts = Attempts::default();
    let mut uploaded_before = false;
    loop {
        let token = match job.tokens.for_upload() {
            Ok(t) => t,
            Err(why) => return send(Event::Failed(c.name.clone(), why)),
        };
        let result = job.cargo.publish(
            &job.dir,
            &job.target_dir.join("releasekit-upload").join(&c.name),
            &c.name,
            job.registry.as_deref(),
            token.as_ref().map(|(var, t)| (var.as_str(), t.expose())),
        );
        let stderr = match result {
            Ok(Ok(())) => break,
            Ok(Err(CargoOutput { stderr })) => stderr,
            Err(e) => return send(Event::Failed(c.name.clone(), e.to_string())),
        };
        let failure = match classify_upload(&stderr, SystemTime::now()) {
            UploadError::AlreadyThere => {
                uploaded_before = true;
                break;
            }
            UploadError::Failed(f) => f,
        };
        let why = reason(&stderr);
        match job.policy.next(&mut attempts, &failure, fastrand::f64()) {
            Decision::RetryAfter(wait) => {
                send(Event::Log(format!(
                    "{} {}: {why}; retrying in {:.1} s",
                    c.name,
                    c.version,
                    wait.as_secs_f64()
                )));
                std::thread::sleep(wait);
            }
            Decision::GiveUp(give_up) => {
                let why = match give_up {
                    GiveUp::NotRetryable => why,
                    GiveUp::Exhausted { attempts } => {
                        format!("{why} (gave up after {attempts} attempts)")
                    }
                    GiveUp::WaitTooLong { wait } => format!(
                        "{why} (the registry asks to wait {}, longer than we wait: re-run later)",
                        human(wait)
                    ),
                };
                return send(Event::Failed(c.name.clone(), why));
            }
        }
    }
    if !uploaded_before {
        send(Event::Uploaded(c.name.clone()));
    }
    match confirm(job, c) {
        Ok(()) if uploaded_before => send(Event::AlreadyThere(c.name.clone())),
        Ok(()) => send(Event::Visible(c.name.clone())),
        Err(why) => send(Event::Failed(c.name.clone(), why)),
    }
}

/// Poll the sparse index until it lists the version: at once (cargo waited already), then
/// backing off from 1 s, until `publish_timeout`.
fn confirm(job: &Job, c: &Candidate) -> Result<(), String> {
    let deadline = Instant::now().checked_add(job.timeout).ok_or_else(|| {
        format!(
            "publish_timeout {} is beyond what this system's clock can count",
            human(job.timeout)
        )
    })?;
    let mut pause = Duration::from_secs(1);
    let mut last_error = None;
    loop {
        match job.index.is_visible(&c.name, &c.version) {
            Ok(true) => return Ok(()),
            Ok(false) => {}
            Err(e) => last_error = Some(e.to_string()),
        }
        if Instant::now()
            .checked_add(pause)
            .is_none_or(|next| next > deadline)
        {
            let mut why = format!(
                "uploaded, but the index did not list it within {} (publish_timeout); re-run to confirm and continue",
                human(job.timeout)
            );
            if let Some(e) = last_error {
                why.push_str(&format!(" (last index error: {e})"));
            }
            return Err(why);
        }
        std::thread::sleep(pause);
        pause = (pause.mul_f64(1.5)).min(Duration::from_secs(10));
    }
}

fn report_of(
    schedule: &Schedule,
    candidates: &[Candidate],
    already_there: &BTreeSet<String>,
) -> PublishReport {
    let versions: BTreeMap<&str, &Version> = candidates
        .iter()
        .map(|c| (c.name.as_str(), &c.version))
        .collect();
    PublishReport {
        crates: schedule
            .states()
            .into_iter()
            .map(|(name, state)| CrateOutcome {
                version: versions[name.as_str()].to_string(),
                already_there: already_there.contains(&name),
                name,
                state,
            })
            .collect(),
    }
}

fn print_plan(
    ctx: &mut Context<'_>,
    registry: &str,
    candidates: &[Candidate],
    already: &BTreeSet<String>,
    upload_waves: &[Vec<String>],
    concurrency: usize,
    estimate: Option<&str>,
) -> Result<()> {
    let wave_of: BTreeMap<&str, usize> = upload_waves
        .iter()
        .enumerate()
        .flat_map(|(i, w)| w.iter().map(move |n| (n.as_str(), i + 1)))
        .collect();
    let uploads = candidates.len() - already.len();
    let mut text = format!(
        "publish to {registry}: {uploads} to upload, {} already published; {} waves, at most {concurrency} uploads at once\n",
        already.len(),
        upload_waves.len()
    );
    for c in candidates {
        let what = match wave_of.get(c.name.as_str()) {
            Some(w) if c.new => format!("upload (new crate), wave {w}"),
            Some(w) => format!("upload, wave {w}"),
            None => "skip: already in the index".to_owned(),
        };
        text.push_str(&format!(
            "  {:<28} {:<14} {what}\n",
            c.name,
            c.version.to_string()
        ));
    }
    if let Some(e) = estimate {
        text.push_str(&format!("note: {e}\n"));
    }
    ctx.print(&text)
}

/// Crates released without publishing (`release = true`): listed, never uploaded.
fn list_release_only(ctx: &mut Context<'_>, members: &[&Member]) -> Result<()> {
    if members.is_empty() {
        return Ok(());
    }
    let mut text = String::new();
    let mut md = String::from(
        "### Not published\n\nReleased with `release = true` on a `publish = false` crate:\n\n",
    );
    for m in members {
        let version = m.version.to_string();
        text.push_str(&format!(
            "  {:<28} {version:<14} not published: release only\n",
            m.name
        ));
        md.push_str(&format!(
            "- `{}` {version}: not published: release only\n",
            m.name
        ));
    }
    ctx.print(&text)?;
    ctx.runner.summary(&md)?;
    Ok(())
}

fn state_text(c: &CrateOutcome, dry_run: bool) -> String {
    match &c.state {
        CrateState::Visible if c.already_there => "published (found already uploaded)".into(),
        CrateState::Visible => "published".into(),
        CrateState::Skipped => "skipped: already in the index".into(),
        CrateState::Failed { reason } => format!("**failed**: {}", reason.replace('|', "\\|")),
        CrateState::Blocked { by } => format!("**blocked** by `{by}`"),
        _ if dry_run => "would upload".into(),
        CrateState::Pending | CrateState::Uploading | CrateState::Confirming => {
            "not published".into()
        }
    }
}

/// The summary, the `published` output and the last lines of the log.
fn finish(
    ctx: &mut Context<'_>,
    registry: &str,
    report: &PublishReport,
    upload_waves: &[Vec<String>],
    estimate: Option<&str>,
) -> Result<()> {
    let dry = ctx.config.dry_run;
    let mut md = format!(
        "## releasekit-cargo publish{}\n\nTo {registry}.",
        if dry {
            " (dry run: nothing uploaded)"
        } else {
            ""
        }
    );
    let count = |f: &dyn Fn(&CrateOutcome) -> bool| report.crates.iter().filter(|c| f(c)).count();
    let published = count(&|c| c.state == CrateState::Visible);
    let skipped = count(&|c| c.state == CrateState::Skipped);
    let failed = count(&|c| matches!(c.state, CrateState::Failed { .. }));
    let blocked = count(&|c| matches!(c.state, CrateState::Blocked { .. }));
    if !dry {
        md.push_str(&format!(
            " {published} published, {skipped} skipped (already in the index), {failed} failed, {blocked} blocked."
        ));
    }
    md.push_str("\n\n");
    if report.crates.is_empty() {
        md.push_str("No crate to publish.\n");
    } else {
        md.push_str("| crate | version | result |\n|---|---|---|\n");
        for c in &report.crates {
            md.push_str(&format!(
                "| {} | {} | {} |\n",
                c.name,
                c.version,
                state_text(c, dry)
            ));
        }
    }
    if dry && !upload_waves.is_empty() {
        md.push_str(
            "\nUpload waves (each crate starts as soon as its own dependencies are visible):\n\n",
        );
        for (i, w) in upload_waves.iter().enumerate() {
            md.push_str(&format!("{}. {}\n", i + 1, w.join(", ")));
        }
    }
    if let Some(e) = estimate {
        md.push_str(&format!("\n{e}.\n"));
    }
    if failed + blocked > 0 {
        md.push_str("\n**Not finished.** Fix what failed, then re-run this job (or `releasekit-cargo publish` at the release commit): crates already in the index are skipped and the rest continue.\n");
    }
    ctx.runner.summary(&md)?;
    if dry && !upload_waves.is_empty() {
        let mut text = String::from("dry run: nothing uploaded; the uploads would run in waves:\n");
        for (i, w) in upload_waves.iter().enumerate() {
            text.push_str(&format!("  wave {}: {}\n", i + 1, w.join(", ")));
        }
        ctx.print(&text)?;
    } else if !dry {
        ctx.print(&format!(
            "publish: {published} published, {skipped} skipped, {failed} failed, {blocked} blocked\n"
        ))?;
        for c in &report.crates {
            if let CrateState::Blocked { by } = &c.state {
                ctx.print(&format!("  {}: blocked by {by}\n", c.name))?;
            }
        }
    }
    #[derive(Serialize)]
    struct Out<'a> {
        name: &'a str,
        version: &'a str,
    }
    let list: Vec<Out<'_>> = report
        .published()
        .map(|c| Out {
            name: &c.name,
            version: &c.version,
        })
        .collect();
    ctx.runner
        .set_output("published", &serde_json::to_string(&list).expect("json"))?;
    Ok(())
}

fn preflight_summary(ctx: &mut Context<'_>, registry: &str, problems: &[Problem]) -> Result<()> {
    let mut md = format!(
        "## releasekit-cargo publish\n\nTo {registry}. **Stopped before any upload**: pre-flight found {} problem(s).\n\n",
        problems.len()
    );
    for p in problems {
        let text = p.to_string();
        match text.split_once('\n') {
            Some((head, rest)) => md.push_str(&format!(
                "- {head}\n\n  ```\n{}\n  ```\n  {}\n",
                rest.trim_end(),
                p.hint()
            )),
            None => md.push_str(&format!("- {text}: {}\n", p.hint())),
        }
    }
    ctx.runner.summary(&md)?;
    Ok(())
}

/// The last `n` lines of cargo's output.
fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_worker_that_panics_ends_as_a_failure_of_its_crate_not_a_hang() {
        let (tx, rx) = channel();
        spawn_worker("core".into(), tx, |_| panic!("index answer out of range"));
        match rx.recv() {
            Ok(Event::Failed(name, why)) => {
                assert_eq!(name, "core");
                assert!(why.contains("index answer out of range"), "{why}");
            }
            Ok(_) => panic!("expected the failure of core"),
            Err(e) => panic!("the worker ended without a word: {e}"),
        }
    }
}
