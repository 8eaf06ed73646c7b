//! How prepare reads to a person: the job summary — the plan, then what happened to each
//! release branch's Release PR.

use std::fmt::Write as _;

use crate::plan::branch::Stuck;
use crate::plan::pr::PrAction;
use crate::plan::release::ReleasePlan;

/// A pull request as the summary links it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PullLink<'a> {
    pub number: u64,
    pub url: &'a str,
}

/// What prepare did for one release branch, as the summary tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PreparedBranch<'a> {
    pub branch: &'a str,
    pub action: PrAction,
    pub pull: Option<PullLink<'a>>,
    /// Files the release commit changes.
    pub files: usize,
    /// The maintainer's commits kept on top of the release commit.
    pub kept: usize,
    /// Why the branch was left as it is.
    pub stuck: Option<&'a Stuck>,
    /// Whether this run commented (would comment, in a dry run) about it.
    pub commented: bool,
}

/// The job summary: `plan`'s own, then one line per release branch.
pub fn prepare_markdown(
    plan: &ReleasePlan,
    branches: &[PreparedBranch<'_>],
    dry_run: bool,
) -> String {
    let mut summary = super::markdown(plan);
    let dry = if dry_run { " (dry run)" } else { "" };
    let _ = write!(summary, "\n### Release PR{dry}\n\n");
    for b in branches {
        let link = |p: PullLink<'_>| format!("[#{}]({})", p.number, p.url);
        let line = match (b.action, b.pull) {
            (PrAction::Created, Some(p)) => format!("Opened {}.", link(p)),
            (PrAction::Created, None) => "Would open a Release PR.".to_owned(),
            (PrAction::Updated, Some(p)) => format!("Updated {}.", link(p)),
            (PrAction::Unchanged, Some(p)) => format!("{} is up to date.", link(p)),
            (PrAction::Closed, Some(p)) => format!("Closed {}: nothing to release.", link(p)),
            (PrAction::Stuck, pull) => {
                let stuck = b.stuck.map(Stuck::describe).unwrap_or_default();
                let said = match (pull, b.commented) {
                    (Some(p), true) if dry_run => {
                        format!(" Would comment on {} what to resolve.", link(p))
                    }
                    (Some(p), true) => format!(" Commented on {} what to resolve.", link(p)),
                    (Some(p), false) => format!(" {} has the comment about it already.", link(p)),
                    (None, _) => String::new(),
                };
                format!("**Left as it is:** {stuck}. Nothing was pushed.{said}")
            }
            _ => "Nothing to release: no Release PR.".to_owned(),
        };
        let files = if b.files == 0 || b.action == PrAction::Stuck {
            String::new()
        } else {
            format!(" Release commit: {} file(s).", b.files)
        };
        let kept = match b.kept {
            0 => String::new(),
            n => format!(" {n} commit(s) of the maintainer kept on top."),
        };
        let _ = writeln!(summary, "- `{}`: {line}{files}{kept}", b.branch);
    }
    summary
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::pr::tests::three_crates;

    fn branch(name: &'static str, action: PrAction, pull: Option<u64>) -> PreparedBranch<'static> {
        let url: &'static str = match pull {
            Some(7) => "https://github.com/acme/widgets/pull/7",
            Some(_) => "https://github.com/acme/widgets/pull/9",
            None => "",
        };
        PreparedBranch {
            branch: name,
            action,
            pull: pull.map(|number| PullLink { number, url }),
            // A release commit exists where the PR is open and up to date.
            files: match action {
                PrAction::Created | PrAction::Updated | PrAction::Unchanged => 3,
                _ => 0,
            },
            kept: 0,
            stuck: None,
            commented: false,
        }
    }

    #[test]
    fn prepare_summary_for_every_kind_of_branch() {
        let conflict = Stuck::Conflict {
            commit: "0123456789abcdef0123456789abcdef01234567".into(),
            files: vec!["crates/core/CHANGELOG.md".into()],
        };
        let rewritten = Stuck::Rewritten { commits: 2 };
        let mut kept = branch("releasekit/release-core", PrAction::Updated, Some(7));
        kept.kept = 2;
        let mut stuck = branch("releasekit/release-cli", PrAction::Stuck, Some(9));
        stuck.stuck = Some(&conflict);
        stuck.commented = true;
        let mut noted = branch("releasekit/release-docs", PrAction::Stuck, Some(9));
        noted.stuck = Some(&rewritten);
        let branches = [
            branch("releasekit/release", PrAction::Created, Some(7)),
            kept,
            branch("releasekit/release-io", PrAction::Unchanged, Some(9)),
            branch("releasekit/release-old", PrAction::Closed, Some(9)),
            stuck,
            noted,
            branch("releasekit/release-none", PrAction::None, None),
        ];
        insta::assert_snapshot!(prepare_markdown(&three_crates(), &branches, false));
    }

    #[test]
    fn prepare_summary_of_a_dry_run() {
        let conflict = Stuck::Conflict {
            commit: "0123456789abcdef0123456789abcdef01234567".into(),
            files: vec!["Cargo.toml".into()],
        };
        let mut stuck = branch("releasekit/release-cli", PrAction::Stuck, Some(9));
        stuck.stuck = Some(&conflict);
        stuck.commented = true;
        let branches = [branch("releasekit/release", PrAction::Created, None), stuck];
        insta::assert_snapshot!(prepare_markdown(&three_crates(), &branches, true));
    }
}
