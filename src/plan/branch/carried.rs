//! The maintainer's commits on the release branch that ask for a release themselves. The plan
//! counts the base branch's commits only: a `feat`, `fix` or breaking change pushed onto the
//! Release PR is released with it, but lists in no changelog section and bumps nothing. The PR
//! says so, naming them. Pure.

use std::fmt::Write as _;

use super::{Replay, Theirs};
use crate::plan::Bump;
use crate::plan::commits::{CommitRules, classify};
use crate::plan::history::short_id;

/// How many commits the note names.
const NAMED: usize = 5;

/// A note naming the maintainer's commits (`theirs`) that ask for a release under `rules`, as
/// a commit on the base branch would; `None` when none does.
pub fn uncounted_note(theirs: &[Theirs], rules: &CommitRules) -> Option<String> {
    let asking: Vec<(String, Bump)> = theirs
        .iter()
        .filter(|t| t.replay != Replay::Drop)
        .map(|t| classify(&t.commit.id, &t.commit.message, rules))
        .filter(|c| c.bump > Bump::None)
        .map(|c| {
            let subject: String = c.summary.chars().take(100).collect();
            let kind = match (&c.kind, &c.scope) {
                (Some(kind), Some(scope)) => format!("{kind}({scope})"),
                (Some(kind), None) => kind.clone(),
                _ => String::new(),
            };
            let bang = if c.breaking { "!" } else { "" };
            let shown = if kind.is_empty() {
                subject
            } else {
                format!("{kind}{bang}: {subject}")
            };
            (format!("`{shown}` ({})", short_id(&c.id)), c.bump)
        })
        .collect();
    let top = asking.iter().map(|(_, bump)| *bump).max()?;
    let mut note = format!(
        "{} commit(s) on this branch ask for a release ({top} at most), but the plan counts the base branch's commits only — they are released with this PR in no changelog section and bump nothing: ",
        asking.len()
    );
    let named: Vec<&str> = asking.iter().take(NAMED).map(|(s, _)| s.as_str()).collect();
    note.push_str(&named.join(", "));
    if asking.len() > NAMED {
        let _ = write!(note, " and {} more", asking.len() - NAMED);
    }
    note.push_str(". Push them to the base branch instead, or type the version and the changelog entry on the branch");
    Some(note)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::history::RawCommit;

    fn theirs(id: &str, message: &str, replay: Replay) -> Theirs {
        Theirs {
            commit: RawCommit {
                id: id.repeat(40),
                parents: Vec::new(),
                message: message.into(),
                paths: Vec::new(),
                verified_revert: None,
            },
            replay,
        }
    }

    #[test]
    fn the_maintainers_commits_that_ask_for_a_release_are_named() {
        let rules = CommitRules::default();
        let branch = [
            theirs("a", "docs(core): say what the parser reads", Replay::Pick),
            theirs("b", "feat(app)!: remove the old flag", Replay::Pick),
            theirs("c", "fix: tidy", Replay::Pick),
            theirs("d", "feat: from main, merged in", Replay::Drop),
        ];
        assert_eq!(
            uncounted_note(&branch, &rules).as_deref(),
            Some(
                "2 commit(s) on this branch ask for a release (major at most), but the plan counts the base branch's commits only — they are released with this PR in no changelog section and bump nothing: `feat(app)!: remove the old flag` (bbbbbbb), `fix: tidy` (ccccccc). Push them to the base branch instead, or type the version and the changelog entry on the branch"
            )
        );
        assert_eq!(uncounted_note(&branch[..1], &rules), None);
        assert_eq!(uncounted_note(&branch[3..], &rules), None);
    }
}
