//! `auto`: run the stages the trigger matrix (`plan::trigger`) chooses for the event GitHub
//! delivered (`GITHUB_EVENT_NAME`, the JSON at `GITHUB_EVENT_PATH`, read before the run starts). An event that starts
//! nothing is a notice and a successful run.

use crate::adapters::actions::annotation;
use crate::error::{Error, Result};
use crate::jobs::publish::FromRelease;
use crate::jobs::release::ReleaseReport;
use crate::jobs::{Context, notify, plan, prepare, publish, release};
use crate::plan::pr::is_release_commit;
use crate::plan::trigger::{RELEASE_BRANCH, Stage, Trigger, decide};

pub fn run(ctx: &mut Context<'_>) -> Result<()> {
    let event = ctx.event().cloned().ok_or(Error::NoEvent)?;
    let stages = match decide(&event, |m| is_release_commit(m, RELEASE_BRANCH)) {
        Trigger::Skip(reason) => {
            let text = format!("nothing to do: {reason}");
            if ctx.config.in_actions {
                ctx.command(&annotation("notice", None, None, &text))?;
            } else {
                ctx.print(&format!("{text}\n"))?;
            }
            return Ok(());
        }
        Trigger::Run(stages) => stages,
    };
    // Every stage reads the workspace with cargo: the toolchain is found before the first one,
    // and checked against each rust-version when the run publishes, so a workspace it cannot
    // build stops before a release is tagged, not at its upload.
    ctx.announce_toolchain()?;
    if stages.contains(&Stage::Publish) && !ctx.config.skip_publish {
        ctx.metadata(&ctx.config.workspace)?;
    }
    let number = ctx.event_pull_number();
    // What the release stage released is what publish uploads, at its merge commit.
    let mut released: Option<ReleaseReport> = None;
    for stage in stages {
        match stage {
            Stage::Plan => plan::run(ctx).map(drop)?,
            Stage::Prepare => prepare::run(ctx).map(drop)?,
            Stage::Release => released = Some(release::run(ctx, number)?),
            Stage::Publish => {
                let from = released.as_ref().map(|report| FromRelease {
                    commit: report.commit.clone(),
                    crates: report
                        .manifest
                        .crates
                        .iter()
                        .map(|c| c.name.clone())
                        .collect(),
                });
                publish::run(ctx, from.as_ref()).map(drop)?
            }
            Stage::Notify => notify::run(ctx, released.as_ref()).map(drop)?,
        }
    }
    Ok(())
}
