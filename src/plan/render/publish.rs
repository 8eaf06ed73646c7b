//! How publishing reads to a person: the plan as the log shows it (what the dry run prints and
//! a real run starts with), and the job summary — the plan with its problems when pre-flight
//! stopped the release, the plan when nothing was uploaded (a dry run), else what the uploads
//! did.

use std::fmt::Write as _;
use std::time::Duration;

use crate::hint::Hint;
use crate::plan::publish::pacing::{CRATES_IO_NEW_CRATES, CRATES_IO_NEW_VERSIONS, human};
use crate::plan::publish::{
    Action, CratePlan, Lockfile, OwnersOutcome, PublishPlan, PublishReport,
};
use crate::plan::schedule::CrateState;

fn registry_label(plan: &PublishPlan) -> String {
    super::registry_label(plan.registry.as_deref())
}

/// The plan for the log: one line per crate, the waves, and the notes.
pub fn publish_text(plan: &PublishPlan) -> String {
    let uploads = plan.uploads().count();
    let mut out = format!(
        "publish to {}: {uploads} to upload, {} already published; {} wave(s), at most {} uploads at once\n",
        registry_label(plan),
        plan.crates.len() - uploads,
        plan.waves.len(),
        plan.concurrency
    );
    let names =
        (plan.crates.iter().map(|c| &c.name)).chain(plan.release_only.iter().map(|c| &c.name));
    let width = names.map(String::len).max().unwrap_or(0);
    for c in &plan.crates {
        let version = c.version.to_string();
        let _ = writeln!(
            out,
            "  {:<width$}  {version:<12}  {}",
            c.name,
            action_text(c)
        );
    }
    for c in &plan.release_only {
        let version = c.version.to_string();
        let _ = writeln!(out, "  {:<width$}  {version:<12}  {RELEASE_ONLY}", c.name);
    }
    if !plan.waves.is_empty() {
        out.push_str("waves (each crate starts as soon as its own dependencies are visible):\n");
        for (i, w) in plan.waves.iter().enumerate() {
            let _ = writeln!(out, "  wave {}: {}", i + 1, w.join(", "));
        }
    }
    for note in notes(plan) {
        let _ = writeln!(out, "note: {note}");
    }
    out
}

/// What a crate released without publishing gets.
const RELEASE_ONLY: &str = "not published: release only";

/// The crates released without publishing, for the summary.
fn release_only_markdown(md: &mut String, plan: &PublishPlan) {
    if plan.release_only.is_empty() {
        return;
    }
    md.push_str(
        "\n### Not published\n\nReleased with `release = true` on a `publish = false` crate:\n\n",
    );
    for c in &plan.release_only {
        let _ = writeln!(md, "- `{}` {}: {RELEASE_ONLY}", c.name, c.version);
    }
}

fn action_text(c: &CratePlan) -> String {
    let kind = if c.new { " (new crate)" } else { "" };
    match &c.action {
        Action::Upload { wave } => {
            let mut text = format!("upload{kind}, wave {wave}");
            if let Some(secs) = c.paced_secs {
                let _ = write!(
                    text,
                    ", not before {} (crates.io's limit)",
                    human(Duration::from_secs(secs))
                );
            }
            text
        }
        Action::Skip => "skip: already in the index".to_owned(),
        Action::Blocked { by } if *by == c.name => format!("not uploaded{kind}: see its problem"),
        Action::Blocked { by } => format!("not uploaded{kind}: blocked by {by}"),
    }
}

/// What a person should know beside the table: the time crates.io's limits take, a missing
/// lockfile, the owners new crates get.
fn notes(plan: &PublishPlan) -> Vec<String> {
    let mut notes = Vec::new();
    if let Some(pacing) = plan.pacing.as_ref().filter(|p| p.least_secs > 0) {
        notes.push(format!(
            "crates.io allows {} new crates at once then one every {}, and {} new versions at once then one every {}: {} new crate(s) and {} new version(s) take at least {}; uploads are paced to fit, not failed",
            CRATES_IO_NEW_CRATES.burst,
            human(CRATES_IO_NEW_CRATES.refill),
            CRATES_IO_NEW_VERSIONS.burst,
            human(CRATES_IO_NEW_VERSIONS.refill),
            pacing.new_crates,
            pacing.new_versions,
            human(Duration::from_secs(pacing.least_secs))
        ));
    }
    if plan.lockfile == Lockfile::Absent {
        notes.push(
            "the workspace has no Cargo.lock: the build and verification resolve dependencies fresh (as `cargo publish` does), and no lockfile is written into the repository".into(),
        );
    }
    let new = plan.uploads().filter(|c| c.new).count();
    if !plan.owners.is_empty() && new > 0 {
        notes.push(format!(
            "owners {} are added to each new crate after its first upload",
            plan.owners.join(", ")
        ));
    }
    notes
}

/// The job summary: the plan (with its problems when pre-flight stopped it), or with a report,
/// what the uploads did.
pub fn publish_markdown(
    plan: &PublishPlan,
    report: Option<&PublishReport>,
    dry_run: bool,
) -> String {
    let dry = if dry_run {
        " (dry run: nothing uploaded)"
    } else {
        ""
    };
    let mut md = format!(
        "## releasekit-cargo publish{dry}\n\nTo {}.",
        registry_label(plan)
    );
    if !plan.problems.is_empty() {
        let _ = write!(
            md,
            " **Stopped before any upload**: pre-flight found {} problem(s).\n\n",
            plan.problems.len()
        );
        for p in &plan.problems {
            let text = p.to_string();
            match text.split_once('\n') {
                Some((head, rest)) => {
                    let _ = write!(
                        md,
                        "- {head}\n\n  ```\n{}\n  ```\n  {}\n",
                        rest.trim_end(),
                        p.hint().unwrap_or_default()
                    );
                }
                None => {
                    let _ = writeln!(md, "- {text}: {}", p.hint().unwrap_or_default());
                }
            }
        }
        md.push('\n');
        plan_table(&mut md, plan);
        release_only_markdown(&mut md, plan);
        return md;
    }
    match report {
        Some(report) => report_markdown(&mut md, plan, report),
        None => {
            md.push_str("\n\n");
            plan_table(&mut md, plan);
            if !plan.waves.is_empty() {
                md.push_str(
                    "\nUpload waves (each crate starts as soon as its own dependencies are visible):\n\n",
                );
                for (i, w) in plan.waves.iter().enumerate() {
                    let _ = writeln!(md, "{}. {}", i + 1, w.join(", "));
                }
            }
            notes_markdown(&mut md, plan);
        }
    }
    release_only_markdown(&mut md, plan);
    md
}

fn notes_markdown(md: &mut String, plan: &PublishPlan) {
    for note in notes(plan) {
        let _ = writeln!(md, "\n{note}.");
    }
}

fn plan_table(md: &mut String, plan: &PublishPlan) {
    if plan.crates.is_empty() {
        md.push_str("No crate to publish.\n");
        return;
    }
    md.push_str("| crate | version | plan |\n|---|---|---|\n");
    for c in &plan.crates {
        let action = match &c.action {
            Action::Blocked { by } if *by == c.name => "**not uploaded**: see its problem".into(),
            Action::Blocked { by } => format!("**not uploaded**: blocked by `{by}`"),
            _ => action_text(c),
        };
        let _ = writeln!(md, "| {} | {} | {action} |", c.name, c.version);
    }
}

fn report_markdown(md: &mut String, plan: &PublishPlan, report: &PublishReport) {
    let count =
        |f: &dyn Fn(&CrateState) -> bool| report.crates.iter().filter(|c| f(&c.state)).count();
    let failed = count(&|s| matches!(s, CrateState::Failed { .. }));
    let blocked = count(&|s| matches!(s, CrateState::Blocked { .. }));
    let _ = write!(
        md,
        " {} published, {} skipped (already in the index), {failed} failed, {blocked} blocked.\n\n",
        count(&|s| *s == CrateState::Visible),
        count(&|s| *s == CrateState::Skipped),
    );
    if report.crates.is_empty() {
        md.push_str("No crate to publish.\n");
    } else {
        md.push_str("| crate | version | result |\n|---|---|---|\n");
        for c in &report.crates {
            let result = match &c.state {
                CrateState::Visible if c.already_there => {
                    "published (found already uploaded)".to_owned()
                }
                CrateState::Visible => "published".to_owned(),
                CrateState::Skipped => "skipped: already in the index".to_owned(),
                CrateState::Failed { reason } => {
                    format!("**failed**: {}", reason.replace('|', "\\|"))
                }
                CrateState::Blocked { by } => format!("**blocked** by `{by}`"),
                CrateState::Pending | CrateState::Uploading | CrateState::Confirming => {
                    "not published".to_owned()
                }
            };
            let _ = writeln!(md, "| {} | {} | {result} |", c.name, c.version);
        }
    }
    notes_markdown(md, plan);
    if !report.owners.is_empty() {
        md.push_str("\nOwners of the new crates:\n\n");
        for OwnersOutcome { krate, result } in &report.owners {
            let _ = match result {
                Ok(added) if added.is_empty() => writeln!(md, "- `{krate}`: owners already set"),
                Ok(added) => writeln!(md, "- `{krate}`: added {}", added.join(", ")),
                Err(why) => writeln!(
                    md,
                    "- `{krate}`: **not added**: {why}. Add them with `cargo owner --add` (the crate is published)"
                ),
            };
        }
    }
    for warning in &report.warnings {
        let _ = writeln!(md, "\nWarning: {warning}");
    }
    if failed + blocked > 0 {
        md.push_str("\n**Not finished.** Fix what failed, then re-run this job (or `releasekit-cargo publish` at the release commit): crates already in the index are skipped and the rest continue.\n");
    }
}

/// The last line of the log: the counts, and what each blocked crate waits for.
pub fn publish_outcome_text(report: &PublishReport) -> String {
    let count =
        |f: &dyn Fn(&CrateState) -> bool| report.crates.iter().filter(|c| f(&c.state)).count();
    let mut out = format!(
        "publish: {} published, {} skipped, {} failed, {} blocked\n",
        count(&|s| *s == CrateState::Visible),
        count(&|s| *s == CrateState::Skipped),
        count(&|s| matches!(s, CrateState::Failed { .. })),
        count(&|s| matches!(s, CrateState::Blocked { .. })),
    );
    for c in &report.crates {
        if let CrateState::Blocked { by } = &c.state {
            let _ = writeln!(out, "  {}: blocked by {by}", c.name);
        }
    }
    for o in &report.owners {
        if let Err(why) = &o.result {
            let _ = writeln!(out, "warning: owners of {} not added: {why}", o.krate);
        }
    }
    out
}

#[cfg(test)]
mod tests;
