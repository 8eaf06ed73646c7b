//! API checks as the planner sees them: which released crates are compared with their last
//! release, what a comparison found, how a break raises the bump, and what is said when a check
//! could not run — never read as "no break".
//!
//! Pure: `adapters::semver_checks` runs cargo-semver-checks and the job hands its outcome in as
//! [`ApiChecks`] (a fact like the history or the tags). This module runs nothing and reads no
//! configuration: the mode of each crate comes in as a function.

use std::collections::BTreeMap;
use std::fmt;

use semver::Version;
use serde::{Deserialize, Serialize};

use super::Bump;
use super::history::Tag;
use super::release::{Reason, ReleasePlan};
use super::version::effective_bump;

/// How many breaks a reason, a changelog or a note names before "and N more".
pub const SHOWN_BREAKS: usize = 5;

/// `semver_checks` in the configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum SemverChecks {
    /// Check when cargo-semver-checks is installed; say so in the plan when it is not.
    #[default]
    Auto,
    /// A check that cannot run (tool missing, baseline or rustdoc failing) stops the stage.
    Required,
    /// Never check.
    Off,
}

/// One break cargo-semver-checks reported: the lint and the item it names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiBreak {
    /// `function_missing`.
    pub lint: String,
    /// `widgets::parse`.
    pub item: String,
}

impl fmt::Display for ApiBreak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.lint, self.item)
    }
}

/// What the check of one crate found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum ApiCheck {
    /// The public API at HEAD was compared with the last release; no breaks when empty.
    Compared { breaks: Vec<ApiBreak> },
    /// No comparison was made, and why (the tool is missing, the baseline does not build …).
    NotRun { why: String },
}

/// Per crate name, the checks made so far.
pub type ApiChecks = BTreeMap<String, ApiCheck>;

/// Where a crate's last release is read from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Baseline {
    /// The tree of its release tag.
    Tag { tag: String, commit: String },
    /// The registry's `.crate` of this version: the crate is published, but no release tag is
    /// reachable.
    Registry { version: Version },
}

/// A crate whose API is to be compared with its last release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiCandidate {
    pub name: String,
    pub baseline: Baseline,
    pub mode: SemverChecks,
}

/// The crates of `plan` to check: released with a bump below the breaking level of their
/// version, with a previous release (a reachable tag, or a published version), a library to
/// document (`has_lib`), checks not `off`, and not in `done` yet. A crate on 0.0.z never is:
/// every bump there is already breaking.
pub fn candidates(
    plan: &ReleasePlan,
    tags: &[Tag],
    has_lib: impl Fn(&str) -> bool,
    mode: impl Fn(&str) -> SemverChecks,
    done: &ApiChecks,
) -> Vec<ApiCandidate> {
    plan.released()
        .filter(|c| c.bump < breaking_bump(&c.initial_version))
        .filter(|c| !c.reasons.contains(&Reason::New) && !done.contains_key(&c.name))
        .filter(|c| has_lib(&c.name))
        .filter_map(|c| {
            let mode = mode(&c.name);
            if mode == SemverChecks::Off {
                return None;
            }
            let baseline = match &c.prior_tag {
                Some(tag) => {
                    let commit = tags.iter().find(|t| &t.name == tag)?.commit.clone();
                    Baseline::Tag {
                        tag: tag.clone(),
                        commit,
                    }
                }
                None => Baseline::Registry {
                    version: c.initial_version.clone(),
                },
            };
            Some(ApiCandidate {
                name: c.name.clone(),
                baseline,
                mode,
            })
        })
        .collect()
}

/// The bump an API break asks for on `version`: major, minor below 1.0, patch on 0.0.z.
pub fn breaking_bump(version: &Version) -> Bump {
    effective_bump(version, Bump::Major)
}

/// The crates whose check is `required` but could not run, with why: the stage must stop.
pub fn required_failures(
    checks: &ApiChecks,
    mode: impl Fn(&str) -> SemverChecks,
) -> Vec<(String, String)> {
    checks
        .iter()
        .filter(|(name, _)| mode(name) == SemverChecks::Required)
        .filter_map(|(name, check)| match check {
            ApiCheck::NotRun { why } => Some((name.clone(), why.clone())),
            ApiCheck::Compared { .. } => None,
        })
        .collect()
}

/// The first [`SHOWN_BREAKS`] breaks, and how many more there are.
pub fn first_breaks(breaks: &[ApiBreak]) -> (Vec<ApiBreak>, usize) {
    let shown = breaks.iter().take(SHOWN_BREAKS).cloned().collect();
    (shown, breaks.len().saturating_sub(SHOWN_BREAKS))
}

/// `a: b, c: d (and 3 more)`.
pub fn list_breaks(breaks: &[ApiBreak], more: usize) -> String {
    let mut text = breaks
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    if more > 0 {
        text.push_str(&format!(" (and {more} more)"));
    }
    text
}

/// The notes a plan carries about its released crates' checks: one per reason a check could
/// not run (crates sharing a reason, such as a missing tool, in one note), and one per break a
/// forced `bump_type` keeps below the breaking level.
pub fn notes<'a>(
    checks: &ApiChecks,
    released: impl Iterator<Item = (&'a str, Bump, &'a Version)>,
    forced: bool,
) -> Vec<String> {
    let mut not_run: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut notes = Vec::new();
    for (name, bump, version) in released {
        match checks.get(name) {
            Some(ApiCheck::NotRun { why }) => not_run.entry(why).or_default().push(name),
            Some(ApiCheck::Compared { breaks })
                if forced && !breaks.is_empty() && bump < breaking_bump(version) =>
            {
                let (shown, more) = first_breaks(breaks);
                notes.push(format!(
                    "API break in {name} ({}), but bump_type forces {bump}",
                    list_breaks(&shown, more)
                ));
            }
            _ => {}
        }
    }
    for (why, names) in not_run {
        notes.insert(
            0,
            format!(
                "API check could not run for {}: {why}. The bump comes from the commits alone.",
                names.join(", ")
            ),
        );
    }
    notes
}

/// Add to `plan` the notes about its released crates' checks ([`notes`]): last, as
/// [`super::release::build_plan`] adds them. They change no version: a plan made with no check
/// result yet, given the results afterwards, is the plan made with them — unless a break raises
/// a bump, which asks for a new plan.
pub fn add_notes(plan: &mut ReleasePlan, checks: &ApiChecks, forced: bool) {
    let released = (plan.released()).map(|c| (c.name.as_str(), c.bump, &c.initial_version));
    let notes = notes(checks, released, forced);
    plan.notes.extend(notes);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn breaks(n: usize) -> Vec<ApiBreak> {
        (0..n)
            .map(|i| ApiBreak {
                lint: "function_missing".into(),
                item: format!("widgets::f{i}"),
            })
            .collect()
    }

    #[test]
    fn breaking_bump_follows_the_zero_x_rules() {
        let v = |t: &str| Version::parse(t).unwrap();
        assert_eq!(breaking_bump(&v("1.2.3")), Bump::Major);
        assert_eq!(breaking_bump(&v("0.3.1")), Bump::Minor);
        assert_eq!(breaking_bump(&v("0.0.4")), Bump::Patch);
    }

    #[test]
    fn a_long_list_of_breaks_names_the_first_and_counts_the_rest() {
        let (shown, more) = first_breaks(&breaks(7));
        assert_eq!(shown.len(), SHOWN_BREAKS);
        assert_eq!(
            list_breaks(&shown[..2], more),
            "function_missing: widgets::f0, function_missing: widgets::f1 (and 2 more)"
        );
    }

    #[test]
    fn a_check_that_could_not_run_is_a_note_naming_the_crates_never_a_pass() {
        let v = Version::new(1, 0, 0);
        let mut checks = ApiChecks::new();
        for name in ["a", "b"] {
            checks.insert(
                name.into(),
                ApiCheck::NotRun {
                    why: "cargo-semver-checks is not installed".into(),
                },
            );
        }
        checks.insert("c".into(), ApiCheck::Compared { breaks: Vec::new() });
        let released = [
            ("a", Bump::Patch, &v),
            ("b", Bump::Minor, &v),
            ("c", Bump::Patch, &v),
        ];
        assert_eq!(
            notes(&checks, released.into_iter(), false),
            [
                "API check could not run for a, b: cargo-semver-checks is not installed. The bump comes from the commits alone."
            ]
        );
        let required = |name: &str| {
            if name == "a" {
                SemverChecks::Required
            } else {
                SemverChecks::Auto
            }
        };
        assert_eq!(
            required_failures(&checks, required),
            [(
                "a".to_owned(),
                "cargo-semver-checks is not installed".to_owned()
            )]
        );
    }

    #[test]
    fn a_break_under_a_forced_bump_is_a_note() {
        let v = Version::new(1, 0, 0);
        let checks = ApiChecks::from([("a".into(), ApiCheck::Compared { breaks: breaks(1) })]);
        assert_eq!(
            notes(&checks, [("a", Bump::Patch, &v)].into_iter(), true),
            ["API break in a (function_missing: widgets::f0), but bump_type forces patch"]
        );
        assert!(notes(&checks, [("a", Bump::Major, &v)].into_iter(), true).is_empty());
    }
}
