//! API checks between two plans: plan, compare the public API of the crates the plan releases
//! with their last release (cargo-semver-checks), and plan again with what was found — until
//! every released crate that needs a check has one (a raised bump can release dependents that
//! need one too). The results are facts of [`Gathered`]; every later plan reads them.
//!
//! `semver_checks = "required"` turns a check that could not run into an error before anything
//! is written; `plan::api` decides which crates are checked and what a result means.

use std::fmt::Write as _;

use crate::adapters::cargo::Cargo;
use crate::adapters::git::Git;
use crate::adapters::semver_checks::{SemverChecker, installed};
use crate::error::{Error, Result};
use std::collections::BTreeMap;

use crate::jobs::{
    Context, Gathered, Selection, plan_of_facts, plan_options, relative_to, target_dir,
};
use crate::plan::api::{ApiCheck, add_notes, candidates, required_failures};

/// Check the API of every crate the configured plan releases, recording what was found in
/// `g` (and what was done in its log).
pub(crate) fn check(ctx: &Context<'_>, g: &mut Gathered) -> Result<()> {
    let settings = g.settings.clone();
    let mode = |name: &str| settings.semver_checks_for(name);
    // The tool and the repository are looked up once, and only when a crate needs a check.
    let mut tool: Option<std::result::Result<(String, Git, Cargo), String>> = None;
    let forced = plan_options(ctx, &settings, &Selection::Configured)
        .forced_bump
        .is_some();
    loop {
        let plan = plan_of_facts(ctx, g, &Selection::Configured, &BTreeMap::new(), &g.date)?;
        // Made with no result yet: results that raise no bump only add their notes to it.
        let first = g.api.is_empty();
        let todo = candidates(&plan, &g.tags, |n| g.libs.contains(n), mode, &g.api);
        if todo.is_empty() {
            // Made from every fact there is: the plan later stages ask for.
            g.configured = Some((g.date.clone(), plan));
            break;
        }
        if tool.is_none() && ctx.config.metadata_file.is_none() {
            // The checks write their cache and cargo's output there: refuse it before they do.
            target_dir::check(&ctx.git()?, &g.target_dir)?;
        }
        let ready = tool.get_or_insert_with(|| {
            if ctx.config.metadata_file.is_some() {
                return Err(
                    "the workspace was read from --metadata-file: there are no sources to document"
                        .into(),
                );
            }
            let cargo = ctx.cargo().map_err(|e| e.to_string())?;
            let version = installed(cargo, &g.root)?;
            let git = ctx.git().map_err(|e| e.to_string())?;
            // `--offline` holds for the checks' cargo doc too: what is not downloaded yet makes
            // a check that could not run, never a download.
            Ok((version, git, cargo.clone().offline(ctx.config.offline)))
        });
        let raised = match ready {
            Err(why) => {
                for c in todo {
                    g.api.insert(c.name, ApiCheck::NotRun { why: why.clone() });
                }
                false
            }
            Ok((version, git, cargo)) => {
                let workspace_dir = relative_to(&g.root, git.root());
                let checker = SemverChecker {
                    root: &g.root,
                    git,
                    workspace_dir: &workspace_dir,
                    dir: g.target_dir.join("releasekit").join("semver"),
                    registry: ctx.config.registry.as_deref(),
                    jobs: std::thread::available_parallelism().map_or(2, usize::from),
                    cargo,
                    lockfile: g.lockfile,
                };
                let (mut found, stats) = checker.check(&todo);
                for c in &todo {
                    found
                        .entry(c.name.clone())
                        .or_insert_with(|| ApiCheck::NotRun {
                            why: "cargo-semver-checks gave no result".into(),
                        });
                }
                let mut line = format!(
                    "API checks (cargo-semver-checks {version}): {} of {} crate(s) compared with their last release in {:.1} s",
                    stats.compared,
                    todo.len(),
                    stats.seconds
                );
                let _ = write!(
                    line,
                    "; baselines: {} from the cache, {} documented",
                    stats.baselines_cached, stats.baselines_documented
                );
                g.api_log.push(line);
                let raised = found
                    .values()
                    .any(|c| matches!(c, ApiCheck::Compared { breaks } if !breaks.is_empty()));
                g.api.extend(found);
                raised
            }
        };
        // No break found: no bump moves, so no crate joins the release that would need a check
        // of its own. A plan made before any result is the last once their notes are added;
        // after earlier rounds, the next plan (with these results as notes) is.
        if !raised {
            if first {
                let mut plan = plan;
                add_notes(&mut plan, &g.api, forced);
                g.configured = Some((g.date.clone(), plan));
            }
            break;
        }
    }
    let failures = required_failures(&g.api, mode);
    if !failures.is_empty() {
        return Err(Error::ApiCheckRequired { failures });
    }
    Ok(())
}
