//! What prepare did for each release branch, and the outputs and job summary made of it (the
//! summary rendered by `plan::render::prepare`).

use std::path::PathBuf;

use crate::adapters::github::PullRequest;
use crate::error::Result;
use crate::jobs::Context;
use crate::plan::branch::Stuck;
use crate::plan::pr::{PrAction, PrEdits};
use crate::plan::release::ReleasePlan;
use crate::plan::render::prepare::{PreparedBranch, PullLink, prepare_markdown};

/// What prepare did for one release branch.
pub struct PrepareReport {
    /// The plan, with the versions typed into the Release PR taken as given.
    pub plan: ReleasePlan,
    pub branch: String,
    pub pull: Option<PullRequest>,
    pub action: PrAction,
    /// The branch's tip after the run (pushed, or already there); `None` with nothing to do.
    pub commit: Option<String>,
    /// Whether the branch was (or, in a dry run, would be) pushed.
    pub pushed: bool,
    /// Files the release commit changes, relative to the workspace root.
    pub files: Vec<PathBuf>,
    /// What the maintainer changed on the branch.
    pub edits: PrEdits,
    /// Why the branch was left as it is, and whether that was commented on by this run.
    pub stuck: Option<Stuck>,
    pub commented: bool,
    /// Merges of the base branch into the release branch that the new base replaced.
    pub dropped: usize,
}

/// Outputs and job summary. With one Release PR its plan is the `plan` output: the versions
/// typed into it included.
pub(super) fn finish(
    ctx: &mut Context<'_>,
    whole: &ReleasePlan,
    reports: &[PrepareReport],
) -> Result<()> {
    let plan = match reports {
        [one] => &one.plan,
        _ => whole,
    };
    ctx.plan_outputs(plan)?;
    let pulls: Vec<&PullRequest> = reports.iter().filter_map(|r| r.pull.as_ref()).collect();
    if !pulls.is_empty() {
        let numbers: Vec<String> = pulls.iter().map(|p| p.number.to_string()).collect();
        let urls: Vec<&str> = pulls.iter().map(|p| p.html_url.as_str()).collect();
        // One Release PR per group: the outputs list them all, comma-separated.
        ctx.runner.set_output("pr_number", &numbers.join(","))?;
        ctx.runner.set_output("pr_url", &urls.join(","))?;
    }
    let branches: Vec<PreparedBranch<'_>> = reports
        .iter()
        .map(|r| PreparedBranch {
            branch: &r.branch,
            action: r.action,
            pull: r.pull.as_ref().map(|p| PullLink {
                number: p.number,
                url: &p.html_url,
            }),
            files: r.files.len(),
            kept: r.edits.commits,
            stuck: r.stuck.as_ref(),
            commented: r.commented,
        })
        .collect();
    let summary = prepare_markdown(plan, &branches, ctx.config.dry_run);
    ctx.runner.summary(&summary)?;
    Ok(())
}
