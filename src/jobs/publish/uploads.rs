//! The uploads: one thread per crate in flight, started as `plan::schedule` allows. Each waits
//! for its bucket as `plan::publish::pacing` says (crates.io's limits, and the pause a 429
//! puts on every upload of its bucket), uploads its verified package through the registry's
//! API, retries as `plan::retry` decides (the shared retry loop) and polls the sparse index
//! until its version is visible. The main thread alone changes the schedule and prints.

use std::collections::{BTreeMap, BTreeSet};
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::mpsc::{Sender, channel};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use semver::Version;

use crate::adapters::cargo::Cargo;
use crate::adapters::crate_file::CrateFile;
use crate::adapters::index::{Index, IndexVersion};
use crate::adapters::registry_api::{RegistryApi, upload_refused_hint};
use crate::adapters::retry::{Stopped, Try, with_retries};
use crate::error::Result;
use crate::jobs::Context;
use crate::jobs::index_wait;
use crate::plan::publish::pacing::{Admission, Bucket, Pacer, human};
use crate::plan::publish::upload::{UploadError, classify_upload};
use crate::plan::publish::{Action, PublishPlan};
use crate::plan::retry::{Failure, GiveUp, RetryPolicy};
use crate::plan::schedule::Schedule;

use super::tokens::Tokens;
use super::verify::package_one;

/// What every upload thread shares.
pub(super) struct Job {
    /// cargo with the run's toolchain.
    pub cargo: Cargo,
    /// The release's workspace directory and its target directory (for a crate packaged just
    /// before its upload).
    pub dir: PathBuf,
    pub target_dir: PathBuf,
    /// The workspace has a lockfile: a crate packaged just before its upload keeps to it.
    pub locked: bool,
    /// `None`: crates.io.
    pub registry: Option<String>,
    /// The index as manifests name it (`None`: crates.io), for the upload metadata.
    pub registry_index: Option<String>,
    pub index: Arc<Index>,
    pub api: RegistryApi,
    pub tokens: Tokens,
    pub policy: RetryPolicy,
    pub timeout: Duration,
    pub pacer: Mutex<Pacer>,
    pub started: Instant,
}

/// One crate to upload.
struct Upload {
    name: String,
    version: Version,
    bucket: Bucket,
    /// The verified package; `None`: packaged just before the upload.
    file: Option<CrateFile>,
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
/// Returns the schedule at the end and the crates found already uploaded.
pub(super) fn upload_all(
    ctx: &mut Context<'_>,
    job: &Arc<Job>,
    plan: &PublishPlan,
    mut files: BTreeMap<String, CrateFile>,
) -> Result<(Schedule, BTreeSet<String>)> {
    let names: Vec<String> = plan.crates.iter().map(|c| c.name.clone()).collect();
    let mut schedule = Schedule::new(&names, &plan.skipped(), plan.edges())
        .map_err(|e| crate::error::Error::Plan(crate::plan::release::PlanError::Cycle(e)))?;
    let (tx, rx) = channel::<Event>();
    let mut already_there = BTreeSet::new();
    let mut in_flight = 0usize;
    loop {
        for name in schedule.take_ready(plan.concurrency) {
            let Some(c) = plan.crate_plan(&name) else {
                continue;
            };
            if !matches!(c.action, Action::Upload { .. }) {
                continue;
            }
            let upload = Upload {
                name: c.name.clone(),
                version: c.version.clone(),
                bucket: Bucket::of(c.new),
                file: files.remove(&c.name),
            };
            let job = Arc::clone(job);
            in_flight += 1;
            spawn_worker(name, tx.clone(), move |tx| upload_one(&job, upload, tx));
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
        let at = job.started.elapsed().as_secs_f64();
        let line = match event {
            Event::Log(line) => line,
            Event::Uploaded(name) => {
                schedule.uploaded(&name);
                format!("[{at:6.1}s] {name}: uploaded")
            }
            Event::Visible(name) => {
                in_flight -= 1;
                schedule.visible(&name);
                format!("[{at:6.1}s] {name}: visible in the index")
            }
            Event::AlreadyThere(name) => {
                in_flight -= 1;
                schedule.already_there(&name);
                already_there.insert(name.clone());
                format!("[{at:6.1}s] {name}: already in the registry (uploaded before), visible")
            }
            Event::Failed(name, why) => {
                in_flight -= 1;
                schedule.failed(&name, &why);
                format!("[{at:6.1}s] {name}: failed: {why}")
            }
        };
        super::say(ctx, &format!("{line}\n"))?;
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
fn upload_one(job: &Job, upload: Upload, tx: &Sender<Event>) {
    let send = |e: Event| {
        let _ = tx.send(e);
    };
    let Upload {
        name,
        version,
        bucket,
        file,
    } = upload;
    let file = match file {
        Some(file) => file,
        None => match package_one(job, &name, &version) {
            Ok(file) => file,
            Err(why) => return send(Event::Failed(name, why)),
        },
    };
    let body = file.body();
    let once = || {
        if let Err(why) = wait_for_bucket(job, bucket, &name, &version, &send) {
            return Try::Stop(why);
        }
        let token = match job.tokens.current() {
            Ok(token) => token,
            Err(why) => return Try::Stop(why),
        };
        let answer = match job.api.publish_once(body.clone(), &token) {
            Ok(answer) => answer,
            Err(transport) => {
                return Try::Failed {
                    failure: Failure::Transient,
                    what: transport,
                };
            }
        };
        match classify_upload(answer.status, &answer.detail, answer.wait) {
            None => Try::Done(false),
            Some(UploadError::AlreadyThere) => Try::Done(true),
            Some(UploadError::Failed(failure)) => {
                if let Failure::RateLimited { wait } = failure {
                    // The registry counts per user: every upload of this bucket would be
                    // refused until then, not only this one.
                    let wait = wait.unwrap_or(job.policy.default_rate_wait);
                    let until = job.started.elapsed().saturating_add(wait);
                    lock(&job.pacer).limited(bucket, until);
                }
                let mut what = format!("{} {}", answer.status, answer.detail)
                    .trim_end()
                    .to_owned();
                if matches!(failure, Failure::Unauthorized | Failure::Permanent)
                    && matches!(answer.status, 401 | 403)
                {
                    what.push_str(&format!(
                        " ({})",
                        upload_refused_hint(bucket == Bucket::NewCrates)
                    ));
                }
                Try::Failed { failure, what }
            }
        }
    };
    let retrying = |what: &str, wait: Duration| {
        send(Event::Log(format!(
            "{name} {version}: {what}; retrying in {:.1} s",
            wait.as_secs_f64()
        )));
    };
    let uploaded_before = match with_retries(&job.policy, once, retrying) {
        Ok(found) => found,
        Err(Stopped::Stop(why)) => return send(Event::Failed(name, why)),
        Err(Stopped::GaveUp {
            give_up,
            attempts,
            last,
        }) => {
            let why = match give_up {
                GiveUp::NotRetryable => last,
                GiveUp::Exhausted { .. } => format!("{last} (gave up after {attempts} attempts)"),
                GiveUp::WaitTooLong { wait } => format!(
                    "{last} (the registry asks to wait {}, longer than we wait: re-run later)",
                    human(wait)
                ),
            };
            return send(Event::Failed(name, why));
        }
    };
    if !uploaded_before {
        send(Event::Uploaded(name.clone()));
    }
    match confirm(job, &name, &version) {
        Ok(()) if uploaded_before => send(Event::AlreadyThere(name)),
        Ok(()) => send(Event::Visible(name)),
        Err(why) => send(Event::Failed(name, why)),
    }
}

/// Sleep until the pacer lets an upload of `bucket` start. A pause a 429 asked for that is
/// longer than the retry policy waits ends the upload: a re-run later finishes it.
fn wait_for_bucket(
    job: &Job,
    bucket: Bucket,
    name: &str,
    version: &Version,
    send: &impl Fn(Event),
) -> std::result::Result<(), String> {
    loop {
        let now = job.started.elapsed();
        let (admission, paused_until) = {
            let mut pacer = lock(&job.pacer);
            (pacer.admit(bucket, now), pacer.paused_until(bucket))
        };
        let wait = match admission {
            Admission::Go => return Ok(()),
            Admission::Wait(wait) => wait,
        };
        let why = if paused_until > now {
            let pause = paused_until - now;
            if pause > job.policy.max_wait {
                return Err(format!(
                    "the registry's rate limit for {} asks to wait {}, longer than we wait: re-run later",
                    bucket_text(bucket),
                    human(pause)
                ));
            }
            format!(
                "the registry answered 429 to an upload of {}",
                bucket_text(bucket)
            )
        } else {
            format!("crates.io's publish rate limit for {}", bucket_text(bucket))
        };
        send(Event::Log(format!(
            "{name} {version}: waiting {} ({why})",
            human(wait)
        )));
        std::thread::sleep(wait);
    }
}

fn bucket_text(bucket: Bucket) -> &'static str {
    match bucket {
        Bucket::NewCrates => "new crates",
        Bucket::NewVersions => "new versions",
    }
}

/// Wait until the sparse index lists the version (yanked or not), until `publish_timeout`.
fn confirm(job: &Job, name: &str, version: &Version) -> std::result::Result<(), String> {
    let listed = |versions: &[IndexVersion]| versions.iter().any(|v| v.is(version));
    index_wait::wait_until(&job.index, name, job.timeout, listed).map_err(|unseen| {
        unseen.reason(
            job.timeout,
            "uploaded, but the index did not list it",
            "re-run to confirm and continue",
        )
    })
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
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
