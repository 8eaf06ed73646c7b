//! `plan`: show what the next release would be. Reads everything, writes nothing but reports
//! (stdout, and in Actions the job summary and the `has_bumps` and `plan` outputs).

use crate::error::Result;
use crate::jobs::{Context, gather_and_plan};
use crate::plan::release::ReleasePlan;
use crate::plan::render;

pub fn run(ctx: &mut Context<'_>) -> Result<ReleasePlan> {
    let (plan, gathered) = gather_and_plan(ctx)?;
    if ctx.config.json {
        ctx.print(&format!(
            "{}\n",
            serde_json::to_string_pretty(&plan).expect("a plan serialises")
        ))?;
    } else {
        for line in &gathered.api_log {
            ctx.print(&format!("{line}\n"))?;
        }
        ctx.print(&render::text(&plan))?;
    }
    ctx.runner.summary(&render::markdown(&plan))?;
    ctx.plan_outputs(&plan)?;
    Ok(plan)
}
