//! `yank`: roll a release back. The release set — the crates of the merged Release PR of the
//! event's commit, or `--crate NAME@VERSION` pairs — is yanked from the registry dependents
//! first, each confirmed in the index (`yanked: true`) before the next, and each GitHub Release
//! is marked yanked (a title prefix and a line in the body). `--undo` unyanks, dependencies
//! first, and takes the marks off. A dry run reads and prints the plan and writes nothing; a
//! re-run converges (what the index shows already is kept). The registry token is required:
//! the GitHub token alone can yank nothing.

use std::time::Duration;

use crate::adapters::cargo;
use crate::adapters::github::GitHub;
use crate::adapters::index::{Index, IndexVersion};
use crate::adapters::registry_api::RegistryApi;
use crate::config::Secret;
use crate::error::{Error, Result};
use crate::hint::with_hint;
use crate::jobs::index_wait;
use crate::jobs::release::merged_release;
use crate::jobs::{Context, published_versions, resolvable};
use crate::plan::graph::publish_edges;
use crate::plan::history::tag_name;
use crate::plan::release::member_tag_formats;
use crate::plan::render::registry_label;
use crate::plan::render::yank::{yank_markdown, yank_text};
use crate::plan::yank::{
    CrateOutcome, ReleaseMark, YankAction, YankOutcome, YankPlan, YankReport, YankTarget,
    mark_release, registry_key, unmark_release, workspace_pairs,
};

pub fn run(ctx: &mut Context<'_>) -> Result<YankReport> {
    let dir = ctx.config.workspace.clone();
    let metadata = ctx.metadata(&dir)?;
    let root = metadata.workspace_root.clone().into_std_path_buf();
    let workspace = cargo::workspace(&metadata, &root)?;
    let settings = ctx.settings(&root)?;
    let spec = ctx.registry(&root)?;
    let registry = registry_label(spec.name.as_deref());
    // Before anything is read from GitHub: without the registry's token nothing can be yanked.
    let token = spec.token.clone().ok_or_else(|| Error::YankNeedsToken {
        variable: spec.token_variable.clone(),
    })?;
    let undo = ctx.config.yank.undo;

    // The set, and the GitHub client that marks its releases (when there is one).
    // Never yanked from the registry: released without publishing, or not published there.
    let release_only = |name: &str| {
        settings.release_asked(name)
            || (workspace.members.iter()).any(|m| {
                registry_key(&m.name) == registry_key(name)
                    && !m.publish.allows(spec.name.as_deref())
            })
    };
    let (targets, github) = if ctx.config.yank.crates.is_empty() {
        let github = ctx.github("yank")?;
        let merged = merged_release(ctx, &github, &ctx.git()?, None)?;
        ctx.print_github_log(&github)?;
        let targets: Vec<YankTarget> = merged
            .manifest
            .crates
            .iter()
            .map(|c| YankTarget {
                name: c.name.clone(),
                version: c.version.clone(),
                tag: Some(c.tag.clone()),
                release_only: release_only(&c.name),
                explicit: false,
            })
            .collect();
        (targets, Ok(github))
    } else {
        // Only this workspace's crates, each spelled as its member is.
        let members = workspace.members.iter().map(|m| m.name.as_str());
        let pairs = workspace_pairs(&ctx.config.yank.crates, members)?;
        let formats = member_tag_formats(
            &workspace,
            spec.name.as_deref(),
            settings.tag_format.as_deref(),
            &settings.groups,
            &settings.crate_options(),
        )?;
        let targets: Vec<YankTarget> = (pairs.iter())
            .map(|(name, version)| YankTarget {
                name: name.clone(),
                version: version.clone(),
                tag: formats.get(name).map(|f| tag_name(f, name, version)),
                release_only: release_only(name),
                explicit: true,
            })
            .collect();
        let github = match (&ctx.config.env.repository, &ctx.config.token) {
            (Some(_), Some(_)) => Ok(ctx.github("yank")?),
            _ => Err("no GITHUB_REPOSITORY and GitHub token to find them with".to_owned()),
        };
        (targets, github)
    };

    let index = Index::new(&spec.index_url, Some(&token), ctx.config.max_retries)?;
    let asked = (targets.iter())
        .filter(|t| !t.release_only)
        .map(|t| t.name.as_str());
    let listed = published_versions(&index, asked)?;
    let edges = publish_edges(&workspace, spec.name.as_deref(), &resolvable(&listed));
    // Every mistake in the set is found here, before anything is changed.
    let plan = YankPlan::new(&targets, &edges, &listed, undo)?;
    ctx.print(&yank_text(&plan, &registry))?;
    if ctx.config.dry_run {
        ctx.runner
            .summary(&yank_markdown(&plan, None, &registry, true))?;
        ctx.print("dry run: nothing yanked, no release changed\n")?;
        return Ok(YankReport::default());
    }

    let api = index.config()?.api.ok_or_else(|| {
        Error::RegistryApi(crate::adapters::registry_api::RegistryApiError::NoApi {
            action: "yank".into(),
        })
    })?;
    let api = RegistryApi::new(&api, ctx.config.max_retries)?;
    let timeout = Duration::from_secs(settings.publish_timeout_secs);
    let mut report = YankReport::default();
    ctx.begin_group(if undo { "unyank" } else { "yank" })?;
    let mut failed = false;
    for c in &plan.crates {
        let outcome = match c.action {
            _ if failed => YankOutcome::NotAttempted,
            YankAction::AlreadyDone | YankAction::NotInRegistry | YankAction::ReleaseOnly => {
                YankOutcome::Kept
            }
            YankAction::Change => change(&api, &index, &c.name, &c.version, &token, undo, timeout),
        };
        for line in api.take_log() {
            ctx.print(&format!("{line}\n"))?;
        }
        let line = match &outcome {
            YankOutcome::Done => format!("{} {}: done, confirmed in the index", c.name, c.version),
            YankOutcome::Kept => format!("{} {}: nothing to do", c.name, c.version),
            YankOutcome::Failed { reason } => {
                failed = true;
                format!("{} {}: failed: {reason}", c.name, c.version)
            }
            YankOutcome::NotAttempted => format!("{} {}: not attempted", c.name, c.version),
        };
        ctx.print(&format!("{line}\n"))?;
        report.crates.push(CrateOutcome {
            name: c.name.clone(),
            version: c.version.clone(),
            outcome,
        });
    }
    ctx.end_group()?;

    match &github {
        Ok(github) => {
            ctx.begin_group("GitHub Releases")?;
            for c in &plan.crates {
                let Some(tag) = c.tag.as_ref().filter(|_| report.settled(c)) else {
                    continue;
                };
                let mark = mark(github, tag, &registry, undo);
                let said = match &mark {
                    ReleaseMark::Marked if undo => "yank mark removed".to_owned(),
                    ReleaseMark::Marked => "marked yanked".to_owned(),
                    ReleaseMark::AlreadyMarked => "as wanted already".to_owned(),
                    ReleaseMark::NoRelease => "no GitHub Release".to_owned(),
                    ReleaseMark::Failed { reason } => format!("failed: {reason}"),
                };
                ctx.print(&format!("{tag}: {said}\n"))?;
                report.releases.push((tag.clone(), mark));
            }
            ctx.print_github_log(github)?;
            ctx.end_group()?;
        }
        Err(why) => report.releases_skipped = Some(why.clone()),
    }
    ctx.runner
        .summary(&yank_markdown(&plan, Some(&report), &registry, false))?;
    let left = report.left();
    if left.is_empty() {
        Ok(report)
    } else {
        Err(Error::YankIncomplete { left })
    }
}

/// Yank (unyank) one version and wait until the index shows it so.
fn change(
    api: &RegistryApi,
    index: &Index,
    name: &str,
    version: &semver::Version,
    token: &Secret,
    undo: bool,
    timeout: Duration,
) -> YankOutcome {
    let sent = if undo {
        api.unyank(name, &version.to_string(), token)
    } else {
        api.yank(name, &version.to_string(), token)
    };
    if let Err(e) = sent {
        return YankOutcome::Failed {
            reason: with_hint(&e),
        };
    }
    let shown =
        |versions: &[IndexVersion]| (versions.iter()).any(|v| v.is(version) && v.yanked != undo);
    match index_wait::wait_until(index, name, timeout, shown) {
        Ok(()) => YankOutcome::Done,
        Err(unseen) => YankOutcome::Failed {
            reason: unseen.reason(
                timeout,
                "the registry accepted it, but its index did not show it",
                "run again to confirm",
            ),
        },
    }
}

/// Mark (or unmark) the GitHub Release of `tag`.
fn mark(github: &GitHub, tag: &str, registry: &str, undo: bool) -> ReleaseMark {
    let release = match github.release_by_tag(tag) {
        Ok(Some(release)) => release,
        Ok(None) => return ReleaseMark::NoRelease,
        Err(e) => {
            return ReleaseMark::Failed {
                reason: e.to_string(),
            };
        }
    };
    let changed = if undo {
        unmark_release(&release.name, &release.body)
    } else {
        mark_release(&release.name, &release.body, registry, tag)
    };
    let Some((name, body)) = changed else {
        return ReleaseMark::AlreadyMarked;
    };
    match github.update_release(release.id, &name, &body) {
        Ok(_) => ReleaseMark::Marked,
        Err(e) => ReleaseMark::Failed {
            reason: e.to_string(),
        },
    }
}
