//! `publish`: every crate to release reaches the registry in an order its dependents can
//! resolve, as fast as the graph and the registry allow, and a run that dies at any point
//! finishes on re-run with nothing uploaded twice.
//!
//! Gather the facts (`gather`), build the `plan::publish::PublishPlan`, add what pre-flight
//! finds (`verify`: the build, every crate packaged and verified together), and stop there on
//! a dry run or a problem; else act (`uploads`, then `owners`) and report. The plan and the
//! report are rendered by `plan::render::publish`.

mod gather;
mod owners;
mod tokens;
mod uploads;
mod verify;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::adapters::actions::annotation;
use crate::adapters::oidc::TrustedPublishing;
use crate::adapters::registry_api::RegistryApi;
use crate::error::{Error, Result};
use crate::hint::Hint;
use crate::jobs::Context;
use crate::plan::publish::pacing::Pacer;
use crate::plan::publish::{
    CrateOutcome, Lockfile, Problem, PublishFacts, PublishPlan, PublishReport,
};
use crate::plan::release::PlanError;
use crate::plan::render::publish::{publish_markdown, publish_outcome_text, publish_text};
use crate::plan::retry::RetryPolicy;
use crate::plan::schedule::Schedule;

use tokens::Tokens;
use uploads::Job;

/// What to publish when the release stage ran before: its crates, at its merge commit.
pub struct FromRelease {
    pub commit: String,
    pub crates: Vec<String>,
}

pub fn run(ctx: &mut Context<'_>, from_release: Option<&FromRelease>) -> Result<PublishReport> {
    if ctx.config.skip_publish {
        say(ctx, "publish: skipped (skip_publish is set)\n")?;
        return Ok(PublishReport::default());
    }
    ctx.require_full_history("publish")?;
    let checkout = ctx.repository()?.cloned();

    // Gather, plan.
    let target = gather::locate(ctx, from_release, checkout.as_ref())?;
    let facts = gather::gather(ctx, &target, from_release)?;
    let mut plan = PublishPlan::new(&PublishFacts {
        registry: target.spec.name.as_deref(),
        crates: &facts.crates,
        edges: &facts.edges,
        packages: &facts.packages,
        concurrency: ctx.config.concurrency,
        auth: facts.auth.clone(),
        lockfile: facts.lockfile,
        owners: &target.settings.owners,
        api: facts.index_config.api.as_deref(),
        index: &target.spec.index_url,
        release_only: &facts.release_only,
    })
    .map_err(|e| Error::Plan(PlanError::Cycle(e)))?;
    say(ctx, &publish_text(&plan))?;

    // Pre-flight: what only cargo can find.
    let mut files = Default::default();
    if plan.uploads().next().is_some() {
        let checked = verify::preflight(ctx, &target, &plan)?;
        plan.add_problems(checked.problems);
        files = checked.files;
    }
    if !plan.problems.is_empty() {
        return Err(stop(ctx, &plan)?);
    }
    // Owners are ensured on a re-run too, for first versions uploaded before.
    let owners_due = !plan.owners.is_empty() && plan.crates.iter().any(|c| c.first);
    if ctx.config.dry_run || (plan.uploads().next().is_none() && !owners_due) {
        let report = (!ctx.config.dry_run).then(|| report_of(&plan, None, Vec::new()));
        finish(ctx, &plan, report.as_ref())?;
        return Ok(report.unwrap_or_default());
    }

    // Act.
    let api = facts.index_config.api.clone().unwrap_or_default();
    let trusted = match (&target.spec.token, &ctx.config.env.oidc) {
        (None, Some(request)) => TrustedPublishing::new(request, &api),
        _ => None,
    };
    let Some(tokens) = Tokens::start(ctx, target.spec.token.as_ref(), trusted)? else {
        // Pre-flight stops a run without a token; nothing to do without one.
        return Err(Error::Preflight {
            problems: vec![Problem::NoToken {
                variable: target.spec.token_variable.clone(),
            }],
        });
    };
    let job = Arc::new(Job {
        cargo: target.cargo.clone(),
        dir: target.dir.clone(),
        target_dir: target.target_dir.clone(),
        locked: plan.lockfile == Lockfile::Present,
        registry: target.spec.name.clone(),
        registry_index: target
            .spec
            .name
            .as_ref()
            .map(|_| target.spec.index_url.clone()),
        index: facts.index.clone(),
        api: RegistryApi::new(&api, ctx.config.max_retries)?,
        tokens,
        policy: RetryPolicy::new(ctx.config.max_retries),
        timeout: Duration::from_secs(target.settings.publish_timeout_secs),
        pacer: Mutex::new(if plan.registry.is_none() {
            Pacer::crates_io()
        } else {
            Pacer::unlimited()
        }),
        started: Instant::now(),
    });
    begin(ctx, "uploads")?;
    let outcome = uploads::upload_all(ctx, &job, &plan, files);
    end(ctx)?;
    let owners = match &outcome {
        Ok((schedule, _)) => owners::add_owners(&job.api, &job.tokens, &plan, schedule),
        Err(_) => Vec::new(),
    };
    for line in job.api.take_log() {
        say(ctx, &format!("{line}\n"))?;
    }
    // Revoke the trusted-publishing token whatever happened.
    let warnings = job.tokens.finish();
    for line in job.tokens.take_masks() {
        ctx.command(&line)?;
    }
    let (schedule, already_there) = outcome?;
    let mut report = report_of(&plan, Some((&schedule, &already_there)), owners);
    report.warnings = warnings;
    finish(ctx, &plan, Some(&report))?;
    let left = report.left();
    if left.is_empty() {
        Ok(report)
    } else {
        Err(Error::PublishIncomplete { left })
    }
}

/// What the run did to each crate: the schedule's states after the uploads, or (nothing
/// uploaded) the plan's skips.
fn report_of(
    plan: &PublishPlan,
    uploaded: Option<(&Schedule, &BTreeSet<String>)>,
    owners: Vec<crate::plan::publish::OwnersOutcome>,
) -> PublishReport {
    let crates = plan
        .crates
        .iter()
        .map(|c| CrateOutcome {
            name: c.name.clone(),
            version: c.version.to_string(),
            state: match uploaded {
                Some((schedule, _)) => schedule.state(&c.name).clone(),
                None => crate::plan::schedule::CrateState::Skipped,
            },
            already_there: uploaded.is_some_and(|(_, found)| found.contains(&c.name)),
        })
        .collect();
    PublishReport {
        crates,
        owners,
        warnings: Vec::new(),
    }
}

/// Report what pre-flight found (log, summary, an empty `published`) as the run's error.
fn stop(ctx: &mut Context<'_>, plan: &PublishPlan) -> Result<Error> {
    for p in &plan.problems {
        if ctx.config.in_actions {
            ctx.command(&annotation(
                "error",
                None,
                None,
                &format!("{p}: {}", hint_of(p)),
            ))?;
        } else {
            say(ctx, &format!("error: {p}\n  hint: {}\n", hint_of(p)))?;
        }
    }
    finish(ctx, plan, None)?;
    Ok(Error::Preflight {
        problems: plan.problems.clone(),
    })
}

/// The summary, the `published` output, the last lines of the log, and with `--json` the plan
/// and the report on stdout.
fn finish(ctx: &mut Context<'_>, plan: &PublishPlan, report: Option<&PublishReport>) -> Result<()> {
    ctx.runner
        .summary(&publish_markdown(plan, report, ctx.config.dry_run))?;
    if let Some(report) = report {
        say(ctx, &publish_outcome_text(report))?;
    } else if ctx.config.dry_run && plan.problems.is_empty() {
        say(ctx, "dry run: nothing uploaded\n")?;
    }
    #[derive(Serialize)]
    struct Out<'a> {
        name: &'a str,
        version: &'a str,
    }
    let list: Vec<Out<'_>> = report
        .iter()
        .flat_map(|r| r.published())
        .map(|c| Out {
            name: &c.name,
            version: &c.version,
        })
        .collect();
    ctx.runner
        .set_output("published", &serde_json::to_string(&list).expect("json"))?;
    if ctx.config.json {
        #[derive(Serialize)]
        struct Json<'a> {
            plan: &'a PublishPlan,
            report: Option<&'a PublishReport>,
        }
        let json = serde_json::to_string_pretty(&Json { plan, report }).expect("json");
        ctx.print(&format!("{json}\n"))?;
    }
    Ok(())
}

fn hint_of(p: &Problem) -> String {
    p.hint().unwrap_or_default()
}

/// Print a line of the log; with `--json` stdout carries the JSON alone.
fn say(ctx: &mut Context<'_>, text: &str) -> Result<()> {
    if ctx.config.json {
        Ok(())
    } else {
        ctx.print(text)
    }
}

fn begin(ctx: &mut Context<'_>, title: &str) -> Result<()> {
    if ctx.config.json {
        Ok(())
    } else {
        ctx.begin_group(title)
    }
}

fn end(ctx: &mut Context<'_>) -> Result<()> {
    if ctx.config.json {
        Ok(())
    } else {
        ctx.end_group()
    }
}
