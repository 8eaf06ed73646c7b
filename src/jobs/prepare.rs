//! `prepare`: keep the one Release PR of a release branch up to date. The plan is applied in a
//! fresh worktree of the base commit (the user's checkout is never touched), committed as
//! `chore(release): …`, force-pushed to the release branch, and the PR is created or updated.
//! With nothing to release the open Release PR is closed with a comment.
//!
//! Re-runs converge: the release commit is dated like its base, so the same plan on the same
//! base is the same commit (the push is skipped), and the PR is only written when its text
//! changes. A dry run reads everything, writes nothing, and says what it would have done.

use std::fmt::Write as _;
use std::path::PathBuf;

use crate::adapters::git::{Git, PushAuth};
use crate::adapters::github::{GitHub, Outcome, PullRequest};
use crate::error::{Error, Result};
use crate::jobs::{Context, Gathered, Lookup, Selection, apply, gather, plan_for, relative_to};
use crate::plan::history::short_id as short;
use crate::plan::pr;
use crate::plan::refname::check_ref_name;
use crate::plan::release::ReleasePlan;
use crate::plan::render;
use crate::plan::trigger::{LABEL_PENDING, release_branch};

/// What happened to the Release PR.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrAction {
    Created,
    Updated,
    Unchanged,
    Closed,
    /// Nothing to release and no PR open.
    None,
}

pub struct PrepareReport {
    pub plan: ReleasePlan,
    pub branch: String,
    pub pull: Option<PullRequest>,
    pub action: PrAction,
    /// The release commit pushed (or already there); `None` in a dry run or with nothing to do.
    pub commit: Option<String>,
    /// Files the release commit changes, relative to the workspace root.
    pub files: Vec<PathBuf>,
}

const CLOSE_COMMENT: &str = "releasekit-cargo closed this Release PR: no crate has changes that ask for a new version any more. A later push that does will open a new one.";

/// Prepare every Release PR: one for the whole workspace, or with `[groups]` configured and
/// no `group` input, one per group (and one for the crates no group claims).
pub fn run(ctx: &mut Context<'_>) -> Result<Vec<PrepareReport>> {
    ctx.require_full_history("prepare")?;
    ctx.begin_group("plan")?;
    let gathered = gather(ctx, Lookup::of(&ctx.config))?;
    let whole = plan_for(ctx, &gathered, &Selection::Configured)?;
    for line in &gathered.api_log {
        ctx.print(&format!("{line}\n"))?;
    }
    ctx.print(&render::text(&whole))?;
    ctx.end_group()?;

    let github = ctx.github("prepare")?;
    // A read first: a token that cannot read the repository stops the run before any push.
    let default_branch = github.default_branch()?;
    let git = ctx.git()?;
    let base = base_branch(ctx, &git, &default_branch)?;
    let units: Vec<Selection> = if ctx.config.group.is_some() || gathered.settings.groups.is_empty()
    {
        vec![Selection::Configured]
    } else {
        let mut units: Vec<Selection> = gathered
            .settings
            .groups
            .iter()
            .map(|g| Selection::Group(g.name.clone()))
            .collect();
        units.push(Selection::Ungrouped);
        units
    };
    // Every branch this run pushes to or opens a PR against, checked before the first push.
    check_branch("base branch", &base)?;
    for unit in &units {
        let group = match unit {
            Selection::Configured => ctx.config.group.as_deref(),
            Selection::Group(name) => Some(name.as_str()),
            Selection::Ungrouped => None,
        };
        check_branch("release branch", &release_branch(group))?;
    }
    let mut reports = Vec::new();
    for unit in &units {
        let (plan, group) = match unit {
            Selection::Configured => (whole.clone(), ctx.config.group.clone()),
            Selection::Group(name) => (plan_for(ctx, &gathered, unit)?, Some(name.clone())),
            Selection::Ungrouped => (plan_for(ctx, &gathered, unit)?, None),
        };
        let report = prepare_one(ctx, &github, &git, &gathered, &base, plan, group)?;
        reports.push(report);
    }
    finish(ctx, &whole, &reports)?;
    Ok(reports)
}

fn prepare_one(
    ctx: &mut Context<'_>,
    github: &GitHub,
    git: &Git,
    gathered: &Gathered,
    base: &str,
    plan: ReleasePlan,
    group: Option<String>,
) -> Result<PrepareReport> {
    let dry = ctx.config.dry_run;
    let branch = release_branch(group.as_deref());
    let existing = github.open_pulls(&branch)?.into_iter().next();
    ctx.print_github_log(github)?;

    let mut report = PrepareReport {
        plan,
        branch,
        pull: existing,
        action: PrAction::None,
        commit: None,
        files: Vec::new(),
    };
    if !report.plan.has_bumps() && !ctx.config.force_prepare {
        if let Some(pull) = &report.pull {
            ctx.begin_group(&format!("close the Release PR of {}", report.branch))?;
            if dry {
                ctx.print(&format!(
                    "dry run: would close #{} with a comment: nothing to release\n",
                    pull.number
                ))?;
            } else {
                github.comment(pull.number, CLOSE_COMMENT)?;
                github.close_pull(pull.number)?;
                ctx.print(&format!("closed #{}: nothing to release\n", pull.number))?;
            }
            ctx.end_group()?;
            report.action = PrAction::Closed;
        }
        return Ok(report);
    }

    let manifest = pr::manifest(&report.plan, group.as_deref());
    let title = pr::title(&manifest);
    let body = pr::body(&report.plan, &manifest);
    if body.chars().count() > pr::BODY_LIMIT {
        return Err(Error::PrBodyTooLong {
            branch: report.branch,
            crates: manifest.crates.len(),
        });
    }

    ctx.begin_group(&format!("release branch {}", report.branch))?;
    let changelogs = gathered.settings.changelog.enabled;
    if dry {
        let place = apply::Place {
            fence: &gathered.repo_root,
            root: &gathered.root,
        };
        let writes = apply::planned_writes(&report.plan, place, changelogs)?;
        report.files = apply::changed_files(&gathered.root, &writes);
        ctx.print(&format!(
            "dry run: would commit {} file(s) on {} (from {base}) and force-push it to origin\n",
            report.files.len(),
            report.branch
        ))?;
    } else {
        let head = git.rev_parse("HEAD")?;
        let workspace_dir = relative_to(&gathered.root, git.root());
        let worktree = git.worktree("prepare", &head)?;
        let root = worktree.dir().join(&workspace_dir);
        let place = apply::Place {
            fence: worktree.dir(),
            root: &root,
        };
        let writes = apply::planned_writes(&report.plan, place, changelogs)?;
        report.files = apply::write(ctx.cargo()?, &root, writes)?;
        let commit = worktree.commit_all(&pr::commit_message(&manifest), &head)?;
        drop(worktree);
        if git.remote_branch("origin", &report.branch)?.as_deref() == Some(commit.as_str()) {
            ctx.print(&format!(
                "{} already holds this release commit {}\n",
                report.branch,
                short(&commit)
            ))?;
        } else {
            let auth = ctx.config.token.as_ref().map(|t| PushAuth {
                token: t.expose().to_owned(),
                server: ctx.env("GITHUB_SERVER_URL").map(str::to_owned),
            });
            git.force_push("origin", &commit, &report.branch, auth.as_ref())?;
            ctx.print(&format!(
                "pushed {} to {} ({} file(s) changed)\n",
                short(&commit),
                report.branch,
                report.files.len()
            ))?;
        }
        report.commit = Some(commit);
    }
    ctx.end_group()?;

    ctx.begin_group(&format!("Release PR of {}", report.branch))?;
    let result = open_or_update(ctx, github, &mut report, base, &title, &body);
    ctx.print_github_log(github)?;
    ctx.end_group()?;
    result?;
    Ok(report)
}

fn open_or_update(
    ctx: &mut Context<'_>,
    github: &GitHub,
    report: &mut PrepareReport,
    base: &str,
    title: &str,
    body: &str,
) -> Result<()> {
    let dry = ctx.config.dry_run;
    let pull = match report.pull.take() {
        Some(pull) if pull.title == title && pull.body == body => {
            report.action = PrAction::Unchanged;
            ctx.print(&format!(
                "#{} is up to date: {}\n",
                pull.number, pull.html_url
            ))?;
            pull
        }
        Some(pull) if dry => {
            report.action = PrAction::Updated;
            ctx.print(&format!(
                "dry run: would update #{}: {title}\n",
                pull.number
            ))?;
            pull
        }
        Some(pull) => {
            let pull = github.update_pull(pull.number, title, body)?;
            report.action = PrAction::Updated;
            ctx.print(&format!("updated #{}: {}\n", pull.number, pull.html_url))?;
            pull
        }
        None if dry => {
            report.action = PrAction::Created;
            ctx.print(&format!(
                "dry run: would open a pull request {} → {base}: {title}\n",
                report.branch
            ))?;
            report.pull = None;
            return Ok(());
        }
        None => {
            let (pull, outcome) = github.create_pull(title, &report.branch, base, body)?;
            report.action = match outcome {
                Outcome::Created => PrAction::Created,
                Outcome::Existed => PrAction::Updated,
            };
            let pull = if outcome == Outcome::Existed {
                github.update_pull(pull.number, title, body)?
            } else {
                pull
            };
            ctx.print(&format!("opened #{}: {}\n", pull.number, pull.html_url))?;
            pull
        }
    };
    if !pull.labels.iter().any(|l| l == LABEL_PENDING) {
        if dry {
            ctx.print(&format!(
                "dry run: would label #{} `{LABEL_PENDING}`\n",
                pull.number
            ))?;
        } else {
            github.ensure_label(
                LABEL_PENDING,
                "ededed",
                "releasekit-cargo: Release PR not released yet",
            )?;
            github.add_labels(pull.number, &[LABEL_PENDING])?;
        }
    }
    report.pull = Some(pull);
    Ok(())
}

/// Outputs and job summary.
fn finish(ctx: &mut Context<'_>, whole: &ReleasePlan, reports: &[PrepareReport]) -> Result<()> {
    ctx.plan_outputs(whole)?;
    let pulls: Vec<&PullRequest> = reports.iter().filter_map(|r| r.pull.as_ref()).collect();
    if !pulls.is_empty() {
        let numbers: Vec<String> = pulls.iter().map(|p| p.number.to_string()).collect();
        let urls: Vec<&str> = pulls.iter().map(|p| p.html_url.as_str()).collect();
        // One Release PR per group: the outputs list them all, comma-separated.
        ctx.runner.set_output("pr_number", &numbers.join(","))?;
        ctx.runner.set_output("pr_url", &urls.join(","))?;
    }
    let mut summary = render::markdown(whole);
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
            _ => "Nothing to release: no Release PR.".to_owned(),
        };
        let files = if report.files.is_empty() {
            String::new()
        } else {
            format!(" Release commit: {} file(s).", report.files.len())
        };
        let _ = writeln!(summary, "- `{}`: {line}{files}", report.branch);
    }
    ctx.runner.summary(&summary)?;
    Ok(())
}

fn check_branch(what: &'static str, name: &str) -> Result<()> {
    check_ref_name(name).map_err(|why| Error::BadRefName {
        what,
        name: name.to_owned(),
        why,
    })
}

/// The branch the Release PR merges into: the pushed branch (`GITHUB_REF`), else the checked-out
/// branch, else the repository's default branch.
fn base_branch(ctx: &Context<'_>, git: &Git, default_branch: &str) -> Result<String> {
    if let Some(branch) = ctx
        .env("GITHUB_REF")
        .and_then(|r| r.strip_prefix("refs/heads/"))
    {
        return Ok(branch.to_owned());
    }
    Ok(git
        .current_branch()?
        .unwrap_or_else(|| default_branch.to_owned()))
}
