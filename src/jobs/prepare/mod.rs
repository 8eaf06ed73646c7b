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

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use semver::Version;

use crate::adapters::git::{Git, PushAuth};
use crate::adapters::github::{GitHub, Outcome, PullRequest};
use crate::error::{Error, Result};
use crate::jobs::{Context, Gathered, Lookup, Selection, gather, plan_for, plan_given};
use crate::plan::branch::{REFUSED, Stuck, commented};
use crate::plan::history::short_id as short;
use crate::plan::merged::{Checks, MergedFacts, candidates, decide};
use crate::plan::pr;
use crate::plan::pr::PrEdits;
use crate::plan::refname::check_ref_name;
use crate::plan::release::{ReleasePlan, member_tag_formats};
use crate::plan::render;
use crate::plan::trigger::{LABEL_PENDING, release_branch};

use branch::{Rebuilt, rebuild, sections};

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
        server: ctx.env("GITHUB_SERVER_URL").map(str::to_owned),
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
    let owners = match found.owners {
        Some(Err(stuck)) => {
            let tip = found.tip.clone().unwrap_or_default();
            let result = stay(ctx, github, &mut report, stuck, base, &tip);
            ctx.end_group()?;
            return result.map(|()| report);
        }
        Some(Ok(owners)) => Some(owners),
        None => None,
    };
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
        report.plan = plan_given(ctx, gathered, unit, &found.typed)?;
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
        &head,
        owners.as_ref(),
    )?;
    let built = match built {
        Rebuilt::Built(built) => built,
        Rebuilt::Stuck(stuck) => {
            let tip = found.tip.clone().unwrap_or_default();
            let result = stay(ctx, github, &mut report, stuck, base, &tip);
            ctx.end_group()?;
            return result.map(|()| report);
        }
    };
    report.files = built.files.clone();
    report.dropped = built.dropped;
    report.edits = edits(
        gathered,
        git,
        &report.plan,
        &found.typed,
        &built,
        owners.is_some(),
    );

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

/// What the maintainer changed: the versions they typed (taken by the plan) and the changelogs
/// their commits change on top of the release commit.
fn edits(
    gathered: &Gathered,
    git: &Git,
    plan: &ReleasePlan,
    typed: &BTreeMap<String, Version>,
    built: &branch::Built,
    owned: bool,
) -> PrEdits {
    let dir = crate::jobs::relative_to(&gathered.root, git.root());
    let changelog = plan
        .released()
        .filter(|c| {
            let path = dir
                .join(std::path::Path::new(&c.manifest).with_file_name("CHANGELOG.md"))
                .to_string_lossy()
                .replace('\\', "/");
            built
                .theirs
                .as_ref()
                .is_some_and(|t| t.changed.contains(&path))
        })
        .map(|c| c.name.clone())
        .collect();
    PrEdits {
        version: typed
            .keys()
            .filter(|name| plan.released().any(|c| &c.name == *name))
            .cloned()
            .collect(),
        changelog,
        commits: if owned { built.kept } else { 0 },
    }
}

/// The manifest of what the rebuilt branch releases if merged now (`plan::merged`, as the
/// release stage will read it), with what would stop the release added to the plan's notes.
/// Without the maintainer's commits on it the branch is the plan, and so is its manifest.
fn branch_manifest(
    ctx: &Context<'_>,
    git: &Git,
    gathered: &Gathered,
    built: &branch::Built,
    planned: &pr::ReleaseManifest,
    plan: &mut ReleasePlan,
) -> Result<pr::ReleaseManifest> {
    let registry = ctx.config.registry.as_deref();
    let Some(theirs) = &built.theirs else {
        // Nothing of the maintainer's on it: the branch is the plan.
        return Ok(planned.clone());
    };
    let Some(workspace) = &theirs.workspace else {
        let note = format!("{REFUSED}cargo cannot read the manifests on this branch");
        if !plan.notes.contains(&note) {
            plan.notes.push(note);
        }
        return Ok(planned.clone());
    };
    let formats = member_tag_formats(
        workspace,
        registry,
        gathered.settings.tag_format.as_deref(),
        &gathered.settings.groups,
    )?;
    let reachable = git.tags_reached_from(&built.tip)?;
    let existing: BTreeMap<String, String> = git
        .tags()?
        .into_iter()
        .map(|t| (t.name, t.commit))
        .collect();
    let facts = MergedFacts {
        workspace,
        registry,
        formats: &formats,
        reachable: &reachable,
        commit: &built.tip,
    };
    // Only the plan's crates: another group's are its own Release PR's.
    let mut found = candidates(&facts);
    let in_plan = |name: &str| plan.crates.iter().any(|c| c.name == name);
    found.retain(|c| in_plan(&c.name));
    let checks = Checks {
        hint: Some(planned),
        existing: &existing,
        listed: gathered.listed.as_ref(),
    };
    let merged = decide(&facts, found, &checks);
    for note in merged
        .problems
        .iter()
        .map(|problem| format!("{REFUSED}{problem}"))
        .chain(merged.differences)
    {
        if !plan.notes.contains(&note) {
            plan.notes.push(note);
        }
    }
    // A crate merging would be refused for stays in the manifest as planned: the release stage
    // then names it rather than leaving it out unsaid.
    let mut manifest = merged.manifest;
    let has_primary = manifest.crates.iter().any(|c| c.primary);
    manifest.crates.extend(
        planned
            .crates
            .iter()
            .filter(|c| merged.refused.contains(&c.name))
            .map(|c| pr::ManifestCrate {
                primary: c.primary && !has_primary,
                ..c.clone()
            }),
    );
    manifest.crates.sort_by(|a, b| a.name.cmp(&b.name));
    manifest.group = planned.group.clone();
    Ok(manifest)
}

/// Leave the branch and the PR as they are, and say why on the PR once: a second run in the
/// same state finds its comment by the marker and says nothing more.
fn stay(
    ctx: &mut Context<'_>,
    github: &GitHub,
    report: &mut PrepareReport,
    stuck: Stuck,
    base: &str,
    tip: &str,
) -> Result<()> {
    report.action = PrAction::Stuck;
    report.commit = Some(tip.to_owned());
    ctx.print(&format!(
        "{} is left as it is: {}\n",
        report.branch,
        stuck.describe()
    ))?;
    let Some(pull) = &report.pull else {
        report.stuck = Some(stuck);
        return Ok(());
    };
    let marker = stuck.marker(tip);
    if commented(&github.comments(pull.number)?, &marker) {
        ctx.print(&format!(
            "#{} has the comment about it already\n",
            pull.number
        ))?;
    } else {
        let text = stuck.comment(&report.branch, base, tip);
        if ctx.config.dry_run {
            ctx.print(&format!(
                "dry run: would comment on #{} what to resolve\n",
                pull.number
            ))?;
        } else {
            github.comment(pull.number, &text)?;
            ctx.print(&format!("commented on #{} what to resolve\n", pull.number))?;
        }
        report.commented = true;
    }
    ctx.print_github_log(github)?;
    report.stuck = Some(stuck);
    Ok(())
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

/// Outputs and job summary. With one Release PR its plan is the `plan` output: the versions
/// typed into it included.
fn finish(ctx: &mut Context<'_>, whole: &ReleasePlan, reports: &[PrepareReport]) -> Result<()> {
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
