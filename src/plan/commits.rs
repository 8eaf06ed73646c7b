//! Conventional Commits classification: what one commit message asks of a release (its bump,
//! its changelog section, its PR number, a `Release-As` version) and which commits cancel out
//! through reverts.
//!
//! Pure. Parsing is git-conventional's; this module only maps its result onto the
//! [`CommitRules`] (DESIGN §3 by default, `[commits]` in the configuration). A message that is
//! not conventional is a plain commit that bumps what `non_conventional` says — never an
//! error. The 0.x rules are not applied here (see `version::effective_bump`).

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::Serialize;

use super::Bump;

/// A changelog section a commit is listed under, in the order they are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Section {
    Breaking,
    Features,
    Fixes,
    Performance,
    Dependencies,
    /// A commit whose type (or non-conventional subject) the rules made release.
    Other,
}

/// The pseudo-type of dependency updates: type `deps`, or `chore`, `build` or `fix` with scope
/// `deps` (how Renovate and Dependabot write them).
pub const DEPENDENCY_UPDATE: &str = "deps";

/// The commit types `[commits]` can set a bump for: Conventional Commits' (the Angular
/// convention's) and dependency updates. A type outside them is a typo, or a convention no
/// tool around here writes.
pub const COMMIT_TYPES: [&str; 12] = [
    "feat",
    "fix",
    "perf",
    "refactor",
    "docs",
    "style",
    "test",
    "build",
    "ci",
    "chore",
    "revert",
    DEPENDENCY_UPDATE,
];

/// What each kind of commit asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommitRules {
    /// Commit type (lower case) → bump; a type not listed bumps nothing. Breaking changes are
    /// major whatever their type.
    pub types: BTreeMap<String, Bump>,
    /// What a message that is not a conventional commit asks for (`none` or `patch`).
    pub non_conventional: Bump,
}

impl Default for CommitRules {
    /// DESIGN §3: `feat` minor; `fix`, `perf` and dependency updates patch; the rest nothing.
    fn default() -> CommitRules {
        let types = [
            ("feat", Bump::Minor),
            ("fix", Bump::Patch),
            ("perf", Bump::Patch),
            (DEPENDENCY_UPDATE, Bump::Patch),
        ]
        .into_iter()
        .map(|(kind, bump)| (kind.to_owned(), bump))
        .collect();
        CommitRules {
            types,
            non_conventional: Bump::None,
        }
    }
}

impl CommitRules {
    fn bump(&self, kind: &str) -> Bump {
        self.types.get(kind).copied().unwrap_or(Bump::None)
    }
}

/// One commit as the release plan sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConventionalCommit {
    /// The full hash.
    pub id: String,
    /// The first 7 characters of `id`.
    pub short_id: String,
    /// The type, lower-cased (`feat`); `None` when the message is not conventional.
    pub kind: Option<String>,
    pub scope: Option<String>,
    /// The description without a trailing ` (#N)`; the whole subject when not conventional.
    pub summary: String,
    /// `!` after the type or scope, or a `BREAKING CHANGE` / `BREAKING-CHANGE` footer.
    pub breaking: bool,
    /// The breaking-change footer's text, when there is one.
    pub breaking_description: Option<String>,
    /// What the commit asks for before the 0.x rules.
    pub bump: Bump,
    /// Where the changelog lists it; `None` means it is not listed.
    pub section: Option<Section>,
    /// The pull request number from a trailing `(#123)` in the subject.
    pub pr: Option<u64>,
    /// The hash named by a `This reverts commit <hash>.` line (git revert's own text). Only a
    /// claim until the planner replaces it with what git confirmed
    /// ([`super::history::RawCommit::verified_revert`]).
    pub reverts: Option<String>,
    /// The value of a `Release-As:` footer, as written.
    pub release_as: Option<String>,
}

/// Classify one commit from its hash and its full message (subject, blank line, body, footers)
/// under `rules`.
pub fn classify(id: &str, message: &str, rules: &CommitRules) -> ConventionalCommit {
    // git-conventional takes CRLF, but the subject and revert lines are read here too. Most
    // messages have no CR: they are read as they are, not copied.
    let message: Cow<'_, str> = if message.contains('\r') {
        Cow::Owned(message.replace("\r\n", "\n"))
    } else {
        Cow::Borrowed(message)
    };
    let message = message.trim_start_matches('\n');
    let subject = message.lines().next().unwrap_or("").trim_end();
    let (subject_text, pr) = split_pr(subject);
    let mut commit = ConventionalCommit {
        id: id.to_owned(),
        short_id: super::history::short_id(id).to_owned(),
        kind: None,
        scope: None,
        summary: subject_text.to_owned(),
        breaking: false,
        breaking_description: None,
        bump: Bump::None,
        section: None,
        pr,
        reverts: reverted_hash(message),
        release_as: release_as(message),
    };
    if is_tool_generated(subject) {
        return commit;
    }
    // git-conventional wants a blank line after the subject and well-formed footers; a message
    // that lacks them still says what it is in its subject.
    let Ok(parsed) = git_conventional::Commit::parse(message)
        .or_else(|_| git_conventional::Commit::parse(subject))
    else {
        commit.bump = rules.non_conventional;
        commit.section = (commit.bump > Bump::None).then_some(Section::Other);
        return commit;
    };
    let kind = parsed.type_().as_str().to_lowercase();
    let scope = parsed.scope().map(|scope| scope.as_str().to_owned());
    let breaking = parsed.breaking();
    let dependency_update = is_dependency_update(&kind, scope.as_deref());
    let rule = if dependency_update {
        DEPENDENCY_UPDATE
    } else {
        kind.as_str()
    };
    commit.bump = if breaking {
        Bump::Major
    } else {
        rules.bump(rule)
    };
    commit.section = match rule {
        _ if breaking => Some(Section::Breaking),
        DEPENDENCY_UPDATE => Some(Section::Dependencies),
        "feat" => Some(Section::Features),
        "fix" => Some(Section::Fixes),
        "perf" => Some(Section::Performance),
        _ if commit.bump > Bump::None => Some(Section::Other),
        _ => None,
    };
    commit.summary = split_pr(parsed.description().trim_end()).0.to_owned();
    commit.scope = scope;
    commit.breaking = breaking;
    // git-conventional falls back to the description for `!`; we want only a real footer.
    commit.breaking_description = parsed
        .footers()
        .iter()
        .find(|footer| footer.breaking())
        .map(|footer| footer.value().to_owned());
    commit.kind = Some(kind);
    commit
}

/// Type `deps`, or `chore`, `build` or `fix` with scope `deps`: a dependency update.
pub fn is_dependency_update(kind: &str, scope: Option<&str>) -> bool {
    kind == DEPENDENCY_UPDATE
        || (matches!(kind, "chore" | "build" | "fix")
            && scope.is_some_and(|s| s.eq_ignore_ascii_case(DEPENDENCY_UPDATE)))
}

/// Drop each revert together with the commit it reverts when both are in `commits` (matched by
/// full hash or a prefix of it). A revert that is itself reverted is void, so its target stays
/// (revert, then revert the revert = the original change is back). A revert whose target is
/// not in the list — the change was released before — stays but bumps nothing and is not
/// listed: undoing a released feature is not a new feature.
pub fn drop_reverted(commits: Vec<ConventionalCommit>) -> Vec<ConventionalCommit> {
    let target_of: Vec<Option<usize>> = commits
        .iter()
        .enumerate()
        .map(|(index, commit)| {
            let hash = commit.reverts.as_deref()?;
            (0..commits.len()).find(|&other| other != index && commits[other].id.starts_with(hash))
        })
        .collect();
    let mut alive: Vec<Option<bool>> = vec![None; commits.len()];
    for index in 0..commits.len() {
        resolve_alive(index, &target_of, &mut alive, 0);
    }
    commits
        .into_iter()
        .enumerate()
        .filter_map(|(index, mut commit)| {
            if alive[index] != Some(true) {
                return None;
            }
            match (commit.reverts.is_some(), target_of[index]) {
                (true, Some(_)) => None,
                (true, None) => {
                    commit.bump = Bump::None;
                    commit.section = None;
                    Some(commit)
                }
                (false, _) => Some(commit),
            }
        })
        .collect()
}

/// A commit is alive unless a live revert in the list targets it. Hashes make real revert
/// chains acyclic; the depth bound only keeps hand-made input from recursing forever.
fn resolve_alive(
    index: usize,
    target_of: &[Option<usize>],
    alive: &mut [Option<bool>],
    depth: usize,
) -> bool {
    if let Some(known) = alive[index] {
        return known;
    }
    if depth > target_of.len() {
        return true;
    }
    let revertors: Vec<usize> = (0..target_of.len())
        .filter(|&other| other != index && target_of[other] == Some(index))
        .collect();
    let reverted = revertors
        .into_iter()
        .any(|other| resolve_alive(other, target_of, alive, depth + 1));
    alive[index] = Some(!reverted);
    !reverted
}

/// Merge commits and `fixup!`/`squash!` commits are made by tools, not written as conventional.
fn is_tool_generated(subject: &str) -> bool {
    ["Merge ", "fixup! ", "squash! ", "amend! "]
        .iter()
        .any(|prefix| subject.starts_with(prefix))
}

/// `add x (#12)` → (`add x`, 12), the way GitHub writes squash-merge subjects.
fn split_pr(text: &str) -> (&str, Option<u64>) {
    let Some(open) = text.strip_suffix(')').and_then(|rest| rest.rfind("(#")) else {
        return (text, None);
    };
    let digits = &text[open + 2..text.len() - 1];
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return (text, None);
    }
    match digits.parse() {
        Ok(pr) => (text[..open].trim_end(), Some(pr)),
        Err(_) => (text, None),
    }
}

/// The value of the last `Release-As:` footer line (the token in any case, as git trailers
/// allow), in the body only: a subject is never a footer.
fn release_as(message: &str) -> Option<String> {
    message
        .lines()
        .skip(1)
        .filter_map(|line| {
            let (token, value) = line.split_once(':')?;
            token
                .trim()
                .eq_ignore_ascii_case("release-as")
                .then(|| value.trim().to_owned())
        })
        .filter(|value| !value.is_empty())
        .last()
}

/// The hash from git revert's body line `This reverts commit <hash>.`: lower-case hex, at least
/// 4 characters.
pub fn reverted_hash(message: &str) -> Option<String> {
    message.lines().skip(1).find_map(|line| {
        let rest = line.trim().strip_prefix("This reverts commit ")?;
        let hash: String = rest.chars().take_while(char::is_ascii_hexdigit).collect();
        // git never abbreviates below 4 characters; shorter is not a hash.
        (hash.len() >= 4).then(|| hash.to_ascii_lowercase())
    })
}

#[cfg(test)]
mod tests;
