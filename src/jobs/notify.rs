//! `notify`: a `repository_dispatch` to each repository of `[notify] repositories` (default:
//! this one) after a release, so downstream workflows can react. What was released comes from
//! the release stage when `auto` ran it, else from the merged Release PR (the event's, or the
//! one merged at `GITHUB_SHA`). Whether each version is on the registry is read from its index.
//! A dry run prints the payload and sends nothing.

use crate::config::file::Settings;
use crate::error::{Error, Result};
use crate::jobs::release::{ReleaseReport, merged_release};
use crate::jobs::{Context, registry_listing};
use crate::plan::notify::{NotifiedCrate, NotifyPlan, NotifyReport, Payload, targets};
use crate::plan::pr::ReleaseManifest;
use crate::plan::render::notify::{notify_markdown, notify_text};
use crate::plan::trigger::LABEL_NOTIFIED;

/// Notify about `released` (auto, right after the release stage: skipped when the Release PR
/// says it was done already) or about the merged Release PR found from the event or commit
/// (always sent: asking for notify by name means send).
pub fn run(ctx: &mut Context<'_>, released: Option<&ReleaseReport>) -> Result<NotifyReport> {
    let github = ctx.github("notify")?;
    if let Some(report) = released
        && report.pull.labels.iter().any(|l| l == LABEL_NOTIFIED)
    {
        ctx.print(&format!(
            "notify: already done for #{} (label `{LABEL_NOTIFIED}`); run `action: notify` to send again\n",
            report.pull.number
        ))?;
        return Ok(NotifyReport::default());
    }
    let (number, commit, manifest) = match released {
        Some(report) => (
            report.pull.number,
            report.commit.clone(),
            report.manifest.clone(),
        ),
        None => {
            let merged = merged_release(ctx, &github, &ctx.git()?, None)?;
            (merged.pull.number, merged.commit, merged.manifest)
        }
    };
    ctx.print_github_log(&github)?;
    let settings = ctx.settings(&ctx.config.workspace)?;
    let repository = ctx
        .config
        .env
        .repository
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default();
    let crates = on_registry(ctx, &manifest, &settings)?;
    let payload = Payload {
        repository: repository.clone(),
        sha: commit,
        group: manifest.group.clone(),
        pr_number: number,
        crates,
        registry: ctx
            .config
            .registry
            .clone()
            .unwrap_or_else(|| "crates-io".into()),
        dry_run: ctx.config.dry_run,
        releasekit_version: env!("CARGO_PKG_VERSION").into(),
    };
    let plan = NotifyPlan {
        event_type: settings.notify.event_type.clone(),
        targets: targets(&settings.notify.repositories, &repository),
        payload,
    };
    let json = plan.payload.to_json();

    ctx.begin_group("repository_dispatch")?;
    ctx.print(&notify_text(&plan))?;
    let mut report = NotifyReport::default();
    if ctx.config.dry_run {
        ctx.print("dry run: nothing sent\n")?;
    } else {
        for target in &plan.targets {
            match github.dispatch(target, &plan.event_type, &json) {
                Ok(()) => {
                    ctx.print(&format!("sent to {target}\n"))?;
                    report.sent.push(target.clone());
                }
                Err(e) => {
                    ctx.print(&format!("{target}: failed: {e}\n"))?;
                    report.failed.push((target.clone(), e.to_string()));
                }
            }
            ctx.print_github_log(&github)?;
        }
    }
    if report.failed.is_empty() && !ctx.config.dry_run {
        github.ensure_label(
            LABEL_NOTIFIED,
            "5319e7",
            "releasekit-cargo: downstream repositories notified",
        )?;
        github.add_labels(number, &[LABEL_NOTIFIED])?;
        ctx.print_github_log(&github)?;
    }
    ctx.end_group()?;
    ctx.runner
        .summary(&notify_markdown(&plan, &report, ctx.config.dry_run))?;
    if !report.failed.is_empty() {
        let failed = report
            .failed
            .iter()
            .map(|(target, why)| format!("{target} ({why})"))
            .collect();
        return Err(Error::NotifyIncomplete { failed });
    }
    Ok(report)
}

/// Each released crate with whether its version is in the registry's index. The index is only
/// asked; when it cannot be read the payload says `null` rather than failing a release that is
/// otherwise done. A crate released without publishing (`release = true`) is `false`, and its
/// name is not looked up: the registry may hold an unrelated crate of that name.
fn on_registry(
    ctx: &mut Context<'_>,
    manifest: &ReleaseManifest,
    settings: &Settings,
) -> Result<Vec<NotifiedCrate>> {
    let spec = ctx.registry(&ctx.config.workspace)?;
    let asked = (manifest.crates.iter())
        .filter(|c| !settings.release_asked(&c.name))
        .map(|c| c.name.as_str());
    let listed = registry_listing(ctx, &spec, asked);
    if let Err(why) = &listed {
        ctx.print(&format!(
            "warning: {why}; `published` is null in the payload\n"
        ))?;
    }
    Ok(manifest
        .crates
        .iter()
        .map(|c| NotifiedCrate {
            name: c.name.clone(),
            version: c.version.to_string(),
            tag: c.tag.clone(),
            published: if settings.release_asked(&c.name) {
                Some(false)
            } else {
                listed.as_ref().ok().map(|listed| {
                    listed
                        .get(&c.name)
                        .is_some_and(|versions| versions.iter().any(|(v, _)| v == &c.version))
                })
            },
        })
        .collect())
}
