//! `prepare`: keep the one Release PR of a release branch up to date. The plan is applied in a
//! fresh worktree of the base commit (the user's checkout is never touched), committed as
//! `chore(release): …` with a `Releasekit-Plan:` trailer, force-pushed to the release branch
//! (with a lease: a push the maintainer made meanwhile is never overwritten), and the PR is
//! created or updated. With nothing to release the open Release PR is closed with a comment.
//!
//! The Release PR is the maintainer's once opened ([`branch`]): their commits on the branch are
//! replayed on the rebuilt release commit, the versions they typed are taken as given by the
//! plan (dependents follow them), and the PR body shows what they edited and describes what
//! the branch will release. A conflict, or a branch whose release commit was rewritten, leaves
//! the branch and the PR as they are, with one comment saying what to do.
//!
//! Re-runs converge: the release commit and its changelog sections are dated like the base
//! commit, replays keep their commits' own dates, so the same plan on the same base is the same
//! branch (the push is skipped), and the PR is only written when its text changes. A dry run
//! reads everything, builds the branch in a scratch worktree, writes nothing, and says what it
//! would have done.

mod branch;
mod describe;
mod report;

use crate::adapters::git::{Git, PushAuth};
use crate::adapters::github::{GitHub, Outcome};
use crate::error::{Error, Result};
use crate::jobs::{Context, Gathered, Lookup, Selection, gather, plan_for, plan_given};
use crate::plan::branch::{Stuck, commented};
use crate::plan::history::short_id as short;
use crate::plan::pr;
use crate::plan::pr::PrEdits;
use crate::plan::refname::check_ref_name;
use crate::plan::release::ReleasePlan;
use crate::plan::render;
use crate::plan::trigger::{LABEL_PENDING, is_release_branch, release_branch};

pub use crate::plan::pr::PrAction;
use branch::{Rebuilt, rebuild};
use describe::{branch_manifest, edits, sections};
pub use report::PrepareReport;
use report::finish;

const CLOSE_COMMENT: &str = "releasekit-cargo closed this Release PR: no crate has changes that ask for a new version any more. A later push that does will open a new one.";

/// Prepare every Release PR: one for the whole workspace, or with `[groups]` configured and
/// no `group` input, one per group (and one for the crates no group claims).
pub fn run(ctx: &mut Context<'_>) -> Result<Vec<PrepareReport>> {
    ctx.require_full_history("prepare")?;
    ctx.begin_group("plan")?;
    let mut gathered = gather(ctx, Lookup::of(&ctx.config))?;
    // Dated like the base commit, as the release commit is: the same base gives the same text.
    if let Some(date) = ctx.git()?.commit_date("HEAD")? {
        gathered.date = date;
    }
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
    // A Release PR's merge, squash commit or last rebased commit starts no new Release PR,
    // whatever its message says: the release stage runs for it.
    let head = git.rev_parse("HEAD")?;
    let merged_here = (github.commit_pulls(&head)?.into_iter()).find(|p| {
        p.merged && is_release_branch(&p.head_ref) && p.merge_commit_sha.as_deref() == Some(&head)
    });
    if let Some(pull) = merged_here {
        ctx.print(&format!(
            "nothing to do: {} is the merge of the Release PR #{} (release runs for it)\n",
            short(&head),
            pull.number
        ))?;
        return Ok(Vec::new());
    }
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
        let report = prepare_one(ctx, &github, &git, &gathered, &base, unit, plan, group)?;
        reports.push(report);
    }
    finish(ctx, &whole, &reports)?;
    Ok(reports)
}

#[allow(clippy::too_many_arguments)]
fn prepare_one(
    ctx: &mut Context<'_>,
    github: &GitHub,
    git: &Git,
    gathered: &Gathered,
    base: &str,
    unit: &Selection,
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
        pushed: false,
        files: Vec::new(),
        edits: PrEdits::default(),
        stuck: None,
        commented: false,
        dropped: 0,
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

    ctx.begin_group(&format!("release branch {}", report.branch))?;
    let registry = ctx.config.registry.clone();
    let auth = ctx.config.token.as_ref().map(|t| PushAuth {
        token: t.expose().to_owned(),
        server: ctx.config.env.server.clone(),
    });
    let head = git.rev_parse("HEAD")?;
    let found = branch::read(
        git,
        gathered,
        registry.as_deref(),
        &report.branch,
        &head,
        report.pull.is_some(),
        auth.as_ref(),
    )?;
    for note in &found.notes {
        ctx.print(&format!("note: {note}\n"))?;
    }
    let tip = found.tip.clone().unwrap_or_default();
    let owners = match found.owners {
        Some(Err(stuck)) => return stay(ctx, github, report, stuck, base, &tip),
        Some(Ok(owners)) => Some(owners),
        None => None,
    };
    // An open Release PR keeps the day its changelog sections were first dated.
    let date = found.date.clone().unwrap_or_else(|| gathered.date.clone());
    if !found.typed.is_empty() {
        let typed: Vec<String> = found
            .typed
            .iter()
            .map(|(n, v)| format!("{n} {v}"))
            .collect();
        ctx.print(&format!(
            "versions typed into the Release PR, taken as given: {}\n",
            typed.join(", ")
        ))?;
    }
    if !found.typed.is_empty() || date != gathered.date {
        report.plan = plan_given(ctx, gathered, unit, &found.typed, &date)?;
    }
    report.plan.notes.extend(found.notes.iter().cloned());
    let planned = pr::manifest(&report.plan, group.as_deref());
    let built = rebuild(
        ctx.cargo()?,
        git,
        gathered,
        &report.plan,
        &planned,
        &found.typed,
        &date,
        &head,
        owners.as_ref(),
    )?;
    let built = match built {
        Rebuilt::Built(built) => built,
        Rebuilt::Stuck(stuck) => return stay(ctx, github, report, stuck, base, &tip),
    };
    report.files = built.files.clone();
    report.dropped = built.dropped;
    report.edits = edits(&report.plan, &found.typed, &built, owners.is_some());

    // What the branch releases, read from its manifests: the PR body's manifest.
    let manifest = branch_manifest(ctx, git, gathered, &built, &planned, &mut report.plan)?;
    let title = pr::title(&manifest);
    let mut shown = report.plan.clone();
    let sections = sections(built.theirs.as_ref(), &manifest, &report.plan);
    for c in &mut shown.crates {
        if let Some(text) = sections.get(&c.name) {
            c.changelog = text.clone();
        }
    }
    let body = pr::body(&shown, &manifest, &report.edits);
    if body.chars().count() > pr::BODY_LIMIT {
        return Err(Error::PrBodyTooLong {
            branch: report.branch,
            crates: manifest.crates.len(),
        });
    }

    let carried = if built.kept > 0 {
        format!(" with {} commit(s) of the maintainer on top", built.kept)
    } else {
        String::new()
    };
    if found.tip.as_deref() == Some(built.tip.as_str()) {
        ctx.print(&format!(
            "{} already holds this release {}{carried}\n",
            report.branch,
            short(&built.tip)
        ))?;
    } else {
        if !dry {
            git.force_push(
                "origin",
                &built.tip,
                &report.branch,
                found.tip.as_deref(),
                auth.as_ref(),
            )?;
        }
        report.pushed = true;
        ctx.print(&format!(
            "{} {} to {} (from {base}; the release commit changes {} file(s)){carried}\n",
            if dry { "dry run: would push" } else { "pushed" },
            short(&built.tip),
            report.branch,
            report.files.len()
        ))?;
    }
    report.commit = Some(built.tip);
    ctx.end_group()?;

    ctx.begin_group(&format!("Release PR of {}", report.branch))?;
    let result = open_or_update(ctx, github, &mut report, base, &title, &body);
    ctx.print_github_log(github)?;
    ctx.end_group()?;
    result?;
    Ok(report)
}

/// Leave the branch and the PR as they are, and say why on the PR once: a second run in the
/// same state finds its comment by the marker and says nothing more. Ends the branch's group.
fn stay(
    ctx: &mut Context<'_>,
    github: &GitHub,
    mut report: PrepareReport,
    stuck: Stuck,
    base: &str,
    tip: &str,
) -> Result<PrepareReport> {
    report.action = PrAction::Stuck;
    report.commit = Some(tip.to_owned());
    ctx.print(&format!(
        "{} is left as it is: {}\n",
        report.branch,
        stuck.describe()
    ))?;
    if let Some(pull) = &report.pull {
        if commented(&github.comments(pull.number)?, &stuck.marker(tip)) {
            ctx.print(&format!(
                "#{} has the comment about it already\n",
                pull.number
            ))?;
        } else if ctx.config.dry_run {
            ctx.print(&format!(
                "dry run: would comment on #{} what to resolve\n",
                pull.number
            ))?;
            report.commented = true;
        } else {
            github.comment(pull.number, &stuck.comment(&report.branch, base, tip))?;
            ctx.print(&format!("commented on #{} what to resolve\n", pull.number))?;
            report.commented = true;
        }
        ctx.print_github_log(github)?;
    }
    report.stuck = Some(stuck);
    ctx.end_group()?;
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
        // The body as the last run wrote it, or edited around what it wrote, stays.
        Some(pull) if pull.title == title && pr::body_stays(&pull.body, body) => {
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
        .config
        .env
        .git_ref
        .as_deref()
        .and_then(|r| r.strip_prefix("refs/heads/"))
    {
        return Ok(branch.to_owned());
    }
    Ok(git
        .current_branch()?
        .unwrap_or_else(|| default_branch.to_owned()))
}
