//! How a yank (or its undo) reads to a person: the plan for the log, the job summary.

use std::fmt::Write as _;

use crate::plan::yank::{ReleaseMark, YankAction, YankOutcome, YankPlan, YankReport};

fn verb(plan: &YankPlan) -> &'static str {
    if plan.undo { "unyank" } else { "yank" }
}

/// The plan for the log: each crate in order with what will be done.
pub fn yank_text(plan: &YankPlan, registry: &str) -> String {
    let verb = verb(plan);
    let mut out = format!(
        "{verb} from {registry}, in this order{}:\n",
        if plan.undo {
            " (dependencies first)"
        } else {
            " (dependents first)"
        }
    );
    for c in &plan.crates {
        let _ = writeln!(
            out,
            "  {} {}: {}",
            c.name,
            c.version,
            action_text(verb, c.action)
        );
    }
    if plan.crates.is_empty() {
        out.push_str("  nothing: the set is empty\n");
    }
    out
}

fn action_text(verb: &str, action: YankAction) -> String {
    match action {
        YankAction::Change => verb.to_owned(),
        YankAction::AlreadyDone if verb == "yank" => "yanked already: kept".to_owned(),
        YankAction::AlreadyDone => "not yanked: kept".to_owned(),
        YankAction::NotInRegistry => "not in the registry: nothing to do".to_owned(),
        YankAction::ReleaseOnly => {
            "released without publishing: not in the registry, only its GitHub Release is marked"
                .to_owned()
        }
    }
}

/// The job summary: the plan (a dry run), or what was done.
pub fn yank_markdown(
    plan: &YankPlan,
    report: Option<&YankReport>,
    registry: &str,
    dry_run: bool,
) -> String {
    let verb = verb(plan);
    let dry = if dry_run {
        " (dry run: nothing changed)"
    } else {
        ""
    };
    let mut md = format!("## releasekit-cargo {verb}{dry}\n\nFrom {registry}, in this order:\n\n");
    md.push_str("| crate | version | result |\n|---|---|---|\n");
    for c in &plan.crates {
        let outcome = report.and_then(|r| r.outcome(&c.name, &c.version));
        let result = match outcome {
            None if c.action == YankAction::Change => format!("would {verb}"),
            None => action_text(verb, c.action),
            Some(YankOutcome::Done) => format!("{verb}ed"),
            Some(YankOutcome::Kept) => action_text(verb, c.action),
            Some(YankOutcome::Failed { reason }) => {
                format!("**failed**: {}", reason.replace('|', "\\|"))
            }
            Some(YankOutcome::NotAttempted) => {
                "**not attempted**: an earlier crate failed".to_owned()
            }
        };
        let _ = writeln!(md, "| {} | {} | {result} |", c.name, c.version);
    }
    if let Some(report) = report {
        if let Some(why) = &report.releases_skipped {
            let _ = writeln!(md, "\nGitHub Releases not marked: {why}.");
        } else if !report.releases.is_empty() {
            md.push_str("\nGitHub Releases:\n\n");
            for (tag, mark) in &report.releases {
                let text = match mark {
                    ReleaseMark::Marked if plan.undo => "yank mark removed".to_owned(),
                    ReleaseMark::Marked => "marked yanked".to_owned(),
                    ReleaseMark::AlreadyMarked => "already as wanted".to_owned(),
                    ReleaseMark::NoRelease => "no GitHub Release".to_owned(),
                    ReleaseMark::Failed { reason } => format!("**failed**: {reason}"),
                };
                let _ = writeln!(md, "- `{tag}`: {text}");
            }
        }
        if !report.left().is_empty() {
            let _ = writeln!(
                md,
                "\n**Not finished.** Fix what failed and run {verb} again: what is done already is kept."
            );
        }
    }
    md
}

#[cfg(test)]
mod tests {
    use semver::Version;

    use super::*;
    use crate::plan::yank::{CrateOutcome, YankCrate};

    fn plan(undo: bool) -> YankPlan {
        let c = |name: &str, action| YankCrate {
            name: name.into(),
            version: Version::new(2, 0, 0),
            tag: Some(format!("{name}-v2.0.0")),
            action,
        };
        YankPlan {
            undo,
            crates: vec![
                c("app", YankAction::Change),
                c("util", YankAction::AlreadyDone),
                c("core", YankAction::Change),
                c("gone", YankAction::NotInRegistry),
                c("cli", YankAction::ReleaseOnly),
            ],
        }
    }

    #[test]
    fn yank_dry_run() {
        let plan = plan(false);
        insta::assert_snapshot!(format!(
            "{}\n──── summary ────\n{}",
            yank_text(&plan, "crates.io"),
            yank_markdown(&plan, None, "crates.io", true)
        ));
    }

    fn outcome(name: &str, outcome: YankOutcome) -> CrateOutcome {
        CrateOutcome {
            name: name.into(),
            version: Version::new(2, 0, 0),
            outcome,
        }
    }

    #[test]
    fn yank_report_with_a_failure_and_releases() {
        let plan = plan(false);
        let report = YankReport {
            crates: vec![
                outcome("app", YankOutcome::Done),
                outcome("util", YankOutcome::Kept),
                outcome(
                    "core",
                    YankOutcome::Failed {
                        reason: "403 Forbidden: must be an owner".into(),
                    },
                ),
                outcome("gone", YankOutcome::NotAttempted),
                outcome("cli", YankOutcome::NotAttempted),
            ],
            releases: vec![
                ("app-v2.0.0".into(), ReleaseMark::Marked),
                ("util-v2.0.0".into(), ReleaseMark::AlreadyMarked),
                ("core-v2.0.0".into(), ReleaseMark::NoRelease),
            ],
            releases_skipped: None,
        };
        insta::assert_snapshot!(yank_markdown(&plan, Some(&report), "crates.io", false));
    }

    /// Each row shows its own version's outcome (they were looked up by name alone), and a
    /// release that could not be marked leaves the run unfinished.
    #[test]
    fn yank_report_of_two_versions_of_one_crate_and_a_release_not_marked() {
        let version = |v: &str| Version::parse(v).unwrap();
        let row = |v: &str, action| YankCrate {
            name: "app".into(),
            version: version(v),
            tag: Some(format!("app-v{v}")),
            action,
        };
        let plan = YankPlan {
            undo: false,
            crates: vec![
                row("1.2.3", YankAction::AlreadyDone),
                row("1.2.4", YankAction::Change),
            ],
        };
        let report = YankReport {
            crates: vec![
                CrateOutcome {
                    version: version("1.2.3"),
                    ..outcome("app", YankOutcome::Kept)
                },
                CrateOutcome {
                    version: version("1.2.4"),
                    ..outcome("app", YankOutcome::Done)
                },
            ],
            releases: vec![
                ("app-v1.2.3".into(), ReleaseMark::AlreadyMarked),
                (
                    "app-v1.2.4".into(),
                    ReleaseMark::Failed {
                        reason: "GitHub answered 403".into(),
                    },
                ),
            ],
            releases_skipped: None,
        };
        insta::assert_snapshot!(yank_markdown(&plan, Some(&report), "crates.io", false));
    }

    #[test]
    fn unyank_report_without_github() {
        let plan = plan(true);
        let report = YankReport {
            crates: plan
                .crates
                .iter()
                .map(|c| {
                    let result = match c.action {
                        YankAction::Change => YankOutcome::Done,
                        _ => YankOutcome::Kept,
                    };
                    outcome(&c.name, result)
                })
                .collect(),
            releases: Vec::new(),
            releases_skipped: Some("no GITHUB_REPOSITORY and token".into()),
        };
        insta::assert_snapshot!(format!(
            "{}\n──── summary ────\n{}",
            yank_text(&plan, "registry `internal`"),
            yank_markdown(&plan, Some(&report), "registry `internal`", false)
        ));
    }
}
