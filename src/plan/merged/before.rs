//! Where a merged Release PR's own changes start: the base branch as it was just before the
//! merge. A crate whose version the PR did not change (a crate added on the base branch, a
//! version someone else's PR raised) is not the Release PR's to release. Pure: the job reads
//! the first-parent commits of the merge commit.

use std::collections::BTreeSet;

use super::super::branch::carries_plan_trailer;
use super::super::history::RawCommit;

/// The commit just before the merge, from the first-parent commits of the merge commit,
/// newest first (`first_parents[0]` is the merge commit): a merge commit's first parent;
/// else the parent of the newest commit carrying the release commit's trailer — the squash
/// commit itself, or the release commit a rebase merge put below the maintainer's commits —
/// looked for down to the first commit a release tag points at (`tagged`: an earlier release);
/// else the merge commit's parent (a squash commit whose message was edited). `None` for a
/// commit without parents.
pub fn before_merge(first_parents: &[RawCommit], tagged: &BTreeSet<&str>) -> Option<String> {
    let merge = first_parents.first()?;
    if merge.parents.len() > 1 {
        return merge.parents.first().cloned();
    }
    let release = first_parents
        .iter()
        .enumerate()
        .take_while(|(at, c)| *at == 0 || !tagged.contains(c.id.as_str()))
        .map(|(_, c)| c)
        .find(|c| carries_plan_trailer(&c.message));
    release.unwrap_or(merge).parents.first().cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRAILER: &str =
        "\n\nReleasekit-Plan: 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n";

    fn commit(id: &str, parents: &[&str], message: &str) -> RawCommit {
        RawCommit {
            id: id.into(),
            parents: parents.iter().map(|p| (*p).to_owned()).collect(),
            message: message.into(),
            paths: Vec::new(),
            verified_revert: None,
        }
    }

    #[test]
    fn the_base_branch_before_a_merge_a_squash_or_a_rebase() {
        let none = BTreeSet::new();
        let release = format!("chore(release): x{TRAILER}");
        // A merge commit: its first parent, whatever is below.
        let merge = [commit(
            "m",
            &["b", "r"],
            "Merge pull request #1 from acme/releasekit/release",
        )];
        assert_eq!(before_merge(&merge, &none).as_deref(), Some("b"));
        // A squash commit, its trailer in the listed messages or edited away: its parent.
        let squash = [
            commit(
                "s",
                &["b"],
                &format!("Release 2099 (#1)\n\n* {release}\n\n* docs: y"),
            ),
            commit("b", &["a"], "feat: on main"),
        ];
        assert_eq!(before_merge(&squash, &none).as_deref(), Some("b"));
        let edited = [
            commit("s", &["b"], "Release 2099"),
            commit("b", &["a"], "feat: z"),
        ];
        assert_eq!(before_merge(&edited, &none).as_deref(), Some("b"));
        // A rebase: the maintainer's commits on top of the rebased release commit.
        let rebase = [
            commit("t2", &["t1"], "docs: two"),
            commit("t1", &["r"], "docs: one"),
            commit("r", &["b"], &release),
            commit("b", &["p"], "feat: on main"),
        ];
        assert_eq!(before_merge(&rebase, &none).as_deref(), Some("b"));
        // No trailer above the last release: an older release commit does not count.
        let older = [
            commit("s", &["b"], "Release 2099"),
            commit("b", &["p"], "feat: on main"),
            commit("p", &["q"], &release),
        ];
        assert_eq!(
            before_merge(&older, &BTreeSet::from(["p"])).as_deref(),
            Some("b")
        );
        assert_eq!(before_merge(&[], &none), None);
    }
}
