//! The release branch is shared: releasekit-cargo's release commit sits on the base branch,
//! and whatever the maintainer pushed on top of it is theirs (DESIGN §3 "Idempotency").
//!
//! Owns the rule for "whose commit is this" — the tool's release commit carries a
//! `Releasekit-Plan: <digest>` trailer, a line no person writes by accident; the author is not
//! looked at — and what follows from it: which of the maintainer's commits are replayed on a
//! rebuilt release commit, which versions they typed (those the plan takes as given), and the
//! text of the comment that asks them to resolve a conflict. Pure: the git adapter lists the
//! commits, the jobs replay them.

mod carried;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use semver::Version;
use sha2::{Digest, Sha256};

use super::history::{RawCommit, short_id};
use super::pr::{ReleaseManifest, commit_message};

pub use carried::uncounted_note;

/// The trailer that marks the release commit releasekit-cargo built.
pub const PLAN_TRAILER: &str = "Releasekit-Plan";
/// A version the release commit took from the maintainer's commits (one trailer per crate):
/// once written into the release commit their edit no longer shows as a difference, so the
/// commit remembers it.
pub const KEPT_TRAILER: &str = "Releasekit-Kept";
/// The `git patch-id --stable` of the release commit's changes as the tool made them: a commit
/// that carries the trailers but whose changes differ was amended (or had a commit squashed
/// into it) by the maintainer.
pub const PATCH_TRAILER: &str = "Releasekit-Patch";
/// The day (`YYYY-MM-DD`) the release commit dates its changelog sections: the day the Release
/// PR was first built, kept by every rebuild, so that a rebuild on a later day writes the same
/// headings and the maintainer's edits next to them replay cleanly.
pub const DATE_TRAILER: &str = "Releasekit-Date";
/// How a note about a version merging would be refused starts.
pub const REFUSED: &str = "merging this PR would be refused: ";
/// What the conflict comment starts with; the digest after it names the conflict.
const CONFLICT_MARKER: &str = "<!-- releasekit-conflict";

/// What the release commit's trailers say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolTrailers {
    /// SHA-256 of the manifest and the kept versions, 64 lower-case hex digits.
    pub digest: String,
    /// Versions the maintainer typed, as the release commit wrote them.
    pub kept: BTreeMap<String, Version>,
    /// The patch id of the changes the tool made; `None` for a commit without changes, or one
    /// made before the trailer existed (nothing to compare with).
    pub patch: Option<String>,
    /// The day of its changelog sections; `None` for a commit made before the trailer existed.
    pub date: Option<String>,
}

/// The trailers of the tool's release commit, or `None` when `message` is anyone else's. The
/// trailer must stand in the message's last paragraph exactly as [`release_commit_message`]
/// writes it: `Releasekit-Plan: ` and 64 lower-case hex digits.
pub fn tool_trailers(message: &str) -> Option<ToolTrailers> {
    let message = message.trim_end();
    let last = message.rsplit("\n\n").next().unwrap_or(message);
    let mut digest = None;
    let mut kept = BTreeMap::new();
    let mut patch = None;
    let mut date = None;
    for line in last.lines() {
        let Some((key, value)) = line.split_once(": ") else {
            continue;
        };
        match key {
            PLAN_TRAILER if is_hex(value, &[64]) => digest = Some(value.to_owned()),
            PATCH_TRAILER if is_hex(value, &[40, 64]) => patch = Some(value.to_owned()),
            DATE_TRAILER if is_day(value) => date = Some(value.to_owned()),
            KEPT_TRAILER => {
                if let Some((name, version)) = value.split_once(' ')
                    && let Ok(version) = Version::parse(version)
                {
                    kept.insert(name.to_owned(), version);
                }
            }
            _ => {}
        }
    }
    Some(ToolTrailers {
        digest: digest?,
        kept,
        patch,
        date,
    })
}

/// Whether a line of `message` is a well-formed `Releasekit-Plan:` trailer, wherever it stands:
/// a squash merge of a Release PR lists the squashed commits' messages in its body.
pub fn carries_plan_trailer(message: &str) -> bool {
    message.lines().any(|line| {
        (line.trim().strip_prefix(PLAN_TRAILER))
            .and_then(|rest| rest.strip_prefix(": "))
            .is_some_and(|digest| is_hex(digest, &[64]))
    })
}

/// `YYYY-MM-DD`, digits only: the text goes into changelog headings.
fn is_day(value: &str) -> bool {
    let bytes = value.as_bytes();
    bytes.len() == 10
        && bytes.iter().enumerate().all(|(at, b)| match at {
            4 | 7 => *b == b'-',
            _ => b.is_ascii_digit(),
        })
}

/// Lower-case hex of one of the `lengths`.
fn is_hex(value: &str, lengths: &[usize]) -> bool {
    lengths.contains(&value.len())
        && value
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The release commit's message: [`commit_message`], then the trailers that mark it as ours,
/// remember the versions kept from the maintainer and the day of its changelog sections, and
/// name the patch id of its changes.
pub fn release_commit_message(
    manifest: &ReleaseManifest,
    kept: &BTreeMap<String, Version>,
    date: &str,
    patch: Option<&str>,
) -> String {
    let mut hasher = Sha256::new();
    hasher.update(serde_json::to_vec(manifest).expect("a manifest serialises"));
    for (name, version) in kept {
        hasher.update(format!("\n{name} {version}"));
    }
    let digest = format!("{:x}", hasher.finalize());
    let mut out = commit_message(manifest);
    let _ = write!(out, "\n{PLAN_TRAILER}: {digest}\n");
    for (name, version) in kept {
        let _ = writeln!(out, "{KEPT_TRAILER}: {name} {version}");
    }
    if is_day(date) {
        let _ = writeln!(out, "{DATE_TRAILER}: {date}");
    }
    if let Some(patch) = patch {
        let _ = writeln!(out, "{PATCH_TRAILER}: {patch}");
    }
    out
}

/// How the release branch divides between the tool and the maintainer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ownership {
    /// The tool's release commit.
    pub tool: RawCommit,
    /// The maintainer's commits above it, oldest first.
    pub theirs: Vec<Theirs>,
}

/// One of the maintainer's commits and what replaying it means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Theirs {
    pub commit: RawCommit,
    pub replay: Replay,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replay {
    /// Applied again as it is.
    Pick,
    /// A merge of another branch: its change against the branch's side is applied again.
    PickMerge,
    /// A merge of commits the new base already holds (the base branch merged into the release
    /// branch, GitHub's "Update branch"): the new base replaces it.
    Drop,
}

/// Whose commit is each of `chain`: the release branch's first-parent commits that the base
/// branch does not have, oldest first. The oldest commit carrying the plan trailer is the
/// tool's; every commit above it is the maintainer's, trailer or not (a copy of an old
/// release commit is theirs to keep). A merge whose other parents `in_base` all reports as
/// reachable from the new base is dropped; another merge is replayed against its first parent.
/// No commit with the trailer: the branch was rewritten, and nothing on it can be told apart
/// safely. Commits below it: the maintainer's (reordered under the release commit) or an older
/// main's (main was rewritten) — neither is kept nor dropped without a word, so the branch is
/// stuck too.
pub fn ownership(chain: &[RawCommit], in_base: impl Fn(&str) -> bool) -> Result<Ownership, Stuck> {
    let at = chain
        .iter()
        .position(|c| tool_trailers(&c.message).is_some())
        .ok_or(Stuck::Rewritten {
            commits: chain.len(),
        })?;
    if at > 0 {
        return Err(Stuck::Below {
            release: chain[at].id.clone(),
            commits: chain[..at].iter().map(|c| c.id.clone()).collect(),
        });
    }
    let theirs = chain[at + 1..]
        .iter()
        .map(|c| {
            let replay = match c.parents.as_slice() {
                [_, others @ ..] if !others.is_empty() => {
                    if others.iter().all(|p| in_base(p)) {
                        Replay::Drop
                    } else {
                        Replay::PickMerge
                    }
                }
                _ => Replay::Pick,
            };
            Theirs {
                commit: c.clone(),
                replay,
            }
        })
        .collect();
    Ok(Ownership {
        tool: chain[at].clone(),
        theirs,
    })
}

/// One crate's version as two commits of the release branch have it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionAt {
    pub name: String,
    /// In the tool's release commit (`None`: the crate's manifest is not there).
    pub tool: Option<String>,
    /// At the branch's tip, as written (`None`: no manifest there).
    pub tip: Option<String>,
}

/// The versions the maintainer typed into the branch, which the next plan takes as given: a
/// manifest version at the tip that differs from the release commit's, or one the release
/// commit already kept (its trailer says so). A version that is no semver, or that `problem`
/// finds in the way of a release (`plan::merged::version_problem`), is not taken: the returned
/// notes say why, since merging would be refused.
pub fn typed_versions(
    versions: &[VersionAt],
    kept: &BTreeMap<String, Version>,
    problem: impl Fn(&str, &Version) -> Option<String>,
) -> (BTreeMap<String, Version>, Vec<String>) {
    let mut typed = BTreeMap::new();
    let mut notes = Vec::new();
    for v in versions {
        let Some(tip) = &v.tip else { continue };
        if v.tool.as_ref() == Some(tip) && !kept.contains_key(&v.name) {
            continue;
        }
        match Version::parse(tip.trim()) {
            Err(_) => notes.push(format!(
                "{REFUSED}{}: the version {tip:?} on this branch is no semantic version",
                v.name
            )),
            Ok(version) => match problem(&v.name, &version) {
                Some(why) => notes.push(format!("{REFUSED}{why}")),
                None => {
                    typed.insert(v.name.clone(), version);
                }
            },
        }
    }
    (typed, notes)
}

/// Why the release branch was left as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stuck {
    /// Replaying the maintainer's commit `commit` on the new release commit conflicts in
    /// `files` (repository-relative).
    Conflict { commit: String, files: Vec<String> },
    /// No commit on the branch carries the release commit's trailer.
    Rewritten { commits: usize },
    /// `commits` (oldest first), which the base branch does not have, lie below the release
    /// commit `release`.
    Below {
        release: String,
        commits: Vec<String>,
    },
    /// The release commit `commit` carries the trailers, but its changes are not the ones the
    /// tool made (its `Releasekit-Patch:`): the maintainer amended it, or squashed a commit
    /// into it, and their edit cannot be told from the tool's.
    Amended { commit: String },
}

impl Stuck {
    /// What is stuck, in one sentence.
    pub fn describe(&self) -> String {
        match self {
            Stuck::Conflict { commit, files } => format!(
                "your commit {} conflicts with the new release commit in {}",
                short_id(commit),
                shown(files)
            ),
            Stuck::Rewritten { commits } => format!(
                "none of its {commits} commit(s) is the release commit releasekit-cargo built (no `{PLAN_TRAILER}:` trailer): the branch was rewritten"
            ),
            Stuck::Below { release, commits } => format!(
                "{} commit(s) lie below the release commit {} and are not on the base branch: {}",
                commits.len(),
                short_id(release),
                commits
                    .iter()
                    .map(|c| short_id(c))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Stuck::Amended { commit } => format!(
                "the release commit {} was amended (or a commit was squashed into it): its changes are not the ones releasekit-cargo made (`{PATCH_TRAILER}:`), so your edit cannot be told from the release commit's own",
                short_id(commit)
            ),
        }
    }

    /// The marker that finds the comment about this very state again: the branch's tip and
    /// what is stuck. A new push to the branch, or a conflict in other files, is a new one.
    pub fn marker(&self, tip: &str) -> String {
        let mut hasher = Sha256::new();
        hasher.update(tip.as_bytes());
        hasher.update(self.describe().as_bytes());
        let digest = format!("{:x}", hasher.finalize());
        format!("{CONFLICT_MARKER} {} -->", &digest[..16])
    }

    /// The comment on the Release PR: what is stuck and the ways out, ending with the marker.
    pub fn comment(&self, branch: &str, base: &str, tip: &str) -> String {
        let mut out = format!(
            "releasekit-cargo could not bring this Release PR up to date with `{base}`: {}. The branch and this PR are left exactly as they are.\n\n",
            self.describe()
        );
        out.push_str("Ways out:\n\n");
        if let Stuck::Conflict { commit, files } = self {
            let _ = writeln!(
                out,
                "- **Resolve it on the branch:** rewrite your commits on `{branch}` so that none of them changes the lines of {} that the new release commit changes — amend or drop {} (`git rebase -i`, keeping the release commit at the bottom) and force-push. The next run of prepare replays what is left; make the edit again once it has updated this PR.",
                shown(files),
                short_id(commit)
            );
        }
        if let Stuck::Below { release, .. } = self {
            let _ = writeln!(
                out,
                "- **Move them above the release commit:** rewrite `{branch}` so that the release commit {} comes first above `{base}` and your commits follow it (`git rebase -i {base}`, its line first), or push them to `{base}` instead, and force-push. The next run of prepare replays what is above it.",
                short_id(release)
            );
        }
        if let Stuck::Amended { commit } = self {
            let _ = writeln!(
                out,
                "- **Keep your edit as a commit of its own:** put the release commit back as releasekit-cargo pushed it (this PR's timeline names the commit the branch was force-pushed from; `git push --force origin <that commit>:{branch}`), then push your edit as a new commit on top of it instead of amending {}. The next run of prepare replays it.",
                short_id(commit)
            );
        }
        let _ = writeln!(
            out,
            "- **Start over:** delete the branch `{branch}`; the next run of prepare opens a fresh Release PR (your edits on it are gone, copy what you want to keep first)."
        );
        let _ = writeln!(
            out,
            "- **Merge it as it is:** the release takes the versions and changelogs as merged; the new commits on `{base}` go into the next Release PR."
        );
        let _ = write!(out, "\n{}\n", self.marker(tip));
        out
    }
}

/// File names as code, their control characters escaped: a name is anyone's text, and the
/// log and the comment must show it on one line.
fn shown(files: &[String]) -> String {
    files
        .iter()
        .map(|f| format!("`{}`", f.escape_debug()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether `comments` holds the comment for `marker` already.
pub fn commented(comments: &[String], marker: &str) -> bool {
    comments.iter().any(|c| c.contains(marker))
}

#[cfg(test)]
mod tests;
