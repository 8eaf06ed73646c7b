//! What prepare did for each release branch, and the outputs and job summary made of it.
//! Plain data and its rendering: the rendering moves to `plan::render` with the other stages'.

use std::fmt::Write as _;
use std::path::PathBuf;

use crate::adapters::github::PullRequest;
use crate::error::Result;
use crate::jobs::Context;
use crate::plan::branch::Stuck;
use crate::plan::pr::PrEdits;
use crate::plan::release::ReleasePlan;
use crate::plan::render;

/// What happened to the Release PR.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrAction {
    Created,
    Updated,
    Unchanged,
    Closed,
    /// Left as it is: the maintainer's commits conflict, or the branch was rewritten.
    Stuck,
    /// Nothing to release and no PR open.
    None,
}

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
    let mut summary = render::markdown(plan);
    let dry = if ctx.config.dry_run { " (dry run)" } else { "" };
    let _ = write!(summary, "\n### Release PR{dry}\n\n");
    for report in reports {
        let line = match (report.action, &report.pull) {
            (PrAction::Created, Some(p)) => format!("Opened [#{}]({}).", p.number, p.html_url),
            (PrAction::Created, None) => "Would open a Release PR.".to_owned(),
            (PrAction::Updated, Some(p)) => format!("Updated [#{}]({}).", p.number, p.html_url),
            (PrAction::Unchanged, Some(p)) => {
                format!("[#{}]({}) is up to date.", p.number, p.html_url)
            }
            (PrAction::Closed, Some(p)) => {
                format!(
                    "Closed [#{}]({}): nothing to release.",
                    p.number, p.html_url
                )
            }
            (PrAction::Stuck, pull) => {
                let stuck = report
                    .stuck
                    .as_ref()
                    .map(Stuck::describe)
                    .unwrap_or_default();
                let said = match (pull, report.commented) {
                    (Some(p), true) if ctx.config.dry_run => {
                        format!(
                            " Would comment on [#{}]({}) what to resolve.",
                            p.number, p.html_url
                        )
                    }
                    (Some(p), true) => {
                        format!(
                            " Commented on [#{}]({}) what to resolve.",
                            p.number, p.html_url
                        )
                    }
                    (Some(p), false) => {
                        format!(
                            " [#{}]({}) has the comment about it already.",
                            p.number, p.html_url
                        )
                    }
                    (None, _) => String::new(),
                };
                format!("**Left as it is:** {stuck}. Nothing was pushed.{said}")
            }
            _ => "Nothing to release: no Release PR.".to_owned(),
        };
        let files = if report.files.is_empty() || report.action == PrAction::Stuck {
            String::new()
        } else {
            format!(" Release commit: {} file(s).", report.files.len())
        };
        let kept = match report.edits.commits {
            0 => String::new(),
            n => format!(" {n} commit(s) of the maintainer kept on top."),
        };
        let _ = writeln!(summary, "- `{}`: {line}{files}{kept}", report.branch);
    }
    ctx.runner.summary(&summary)?;
    Ok(())
}
