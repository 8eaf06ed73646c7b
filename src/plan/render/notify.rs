//! How notify reads to a person: the event and payload for the log, the job summary.

use std::fmt::Write as _;

use crate::plan::notify::{NotifyPlan, NotifyReport};

fn pretty(plan: &NotifyPlan) -> String {
    serde_json::to_string_pretty(&plan.payload.to_json()).expect("a payload serialises")
}

/// The event, its targets and the payload, for the log.
pub fn notify_text(plan: &NotifyPlan) -> String {
    format!(
        "event `{}` to {}, client_payload:\n{}\n",
        plan.event_type,
        plan.targets.join(", "),
        pretty(plan)
    )
}

/// The job summary: each target with what happened (or would, in a dry run), and the payload.
pub fn notify_markdown(plan: &NotifyPlan, report: &NotifyReport, dry_run: bool) -> String {
    let dry = if dry_run { " (dry run)" } else { "" };
    let mut text = format!(
        "## releasekit-cargo notify{dry}\n\n`repository_dispatch` event `{}`:\n\n",
        plan.event_type
    );
    for target in &plan.targets {
        let failed = report.failed.iter().find(|(t, _)| t == target);
        let state = match failed {
            _ if report.sent.contains(target) => "sent".to_owned(),
            Some((_, why)) => format!("**failed**: {}", why.replace('|', "\\|")),
            None if dry_run => "would send".to_owned(),
            None => "not sent".to_owned(),
        };
        let _ = writeln!(text, "- `{target}`: {state}");
    }
    let _ = write!(
        text,
        "\n<details><summary>client_payload</summary>\n\n```json\n{}\n```\n\n</details>\n",
        pretty(plan)
    );
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::notify::tests::payload;

    fn plan() -> NotifyPlan {
        NotifyPlan {
            event_type: "releasekit-release".into(),
            targets: vec!["acme/widgets".into(), "acme/downstream".into()],
            payload: payload(),
        }
    }

    #[test]
    fn notify_sent_to_one_and_failed_for_the_other() {
        let report = NotifyReport {
            sent: vec!["acme/widgets".into()],
            failed: vec![(
                "acme/downstream".into(),
                "GitHub answered 404 to POST /repos/acme/downstream/dispatches: Not Found".into(),
            )],
        };
        insta::assert_snapshot!(format!(
            "{}\n──── summary ────\n{}",
            notify_text(&plan()),
            notify_markdown(&plan(), &report, false)
        ));
    }

    #[test]
    fn notify_dry_run() {
        insta::assert_snapshot!(notify_markdown(&plan(), &NotifyReport::default(), true));
    }
}
