//! Why no plan could be made, with the hint that says what to do.

use semver::Version;

use crate::hint::Hint;

use crate::plan::attribution::PatternError;
use crate::plan::graph::CycleError;
use crate::plan::refname::RefNameError;
use crate::plan::version::VersionError;
use crate::plan::workspace::ManifestProblem;

/// Why no plan could be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error(transparent)]
    Cycle(#[from] CycleError),
    #[error("{} manifest problem{} prevent publishing: {}", .0.len(), if .0.len() == 1 { "" } else { "s" },
        .0.iter().map(|p| p.message.as_str()).collect::<Vec<_>>().join("; "))]
    Manifests(Vec<ManifestProblem>),
    #[error("group {group} is not configured")]
    UnknownGroup { group: String, known: Vec<String> },
    #[error("crate {name} matches groups {first} and {second}")]
    GroupOverlap {
        name: String,
        first: String,
        second: String,
    },
    #[error("group {group}: pattern {pattern:?} is invalid or matches no publishable crate")]
    GroupPattern { group: String, pattern: String },
    #[error("tag format {format:?} has no {{name}} but is used by several independently versioned crates: {}", .crates.join(", "))]
    TagFormatNeedsName { format: String, crates: Vec<String> },
    #[error(
        "{first} and {second} share the [workspace.package] version but are in different groups"
    )]
    SplitWorkspaceVersion { first: String, second: String },
    #[error("the tag {tag:?} of crate {name} is no name git accepts: {why}")]
    BadTag {
        name: String,
        tag: String,
        why: RefNameError,
    },
    #[error("crate {name} cannot be released")]
    Version {
        name: String,
        #[source]
        source: VersionError,
    },
    #[error("{name} {version} is planned, but {existing} already")]
    VersionExists {
        name: String,
        version: String,
        /// What holds it: a tag (and where), or the registry.
        existing: String,
        /// The last release HEAD reaches.
        last: Option<String>,
    },
    #[error("{name} {version} is planned, which is not above its last release {last}")]
    NotAbove {
        name: String,
        version: Version,
        last: Version,
    },
    #[error(
        "commit {commit} says `Release-As: {version}` for {name}, which is not above its last release {last}"
    )]
    ReleaseAsNotAbove {
        commit: String,
        name: String,
        version: String,
        last: String,
    },
    #[error("commit {commit} says `Release-As: {value}` for {name}, which is not a version")]
    ReleaseAsInvalid {
        commit: String,
        name: String,
        value: String,
    },
    #[error(transparent)]
    PackageRules(#[from] PatternError),
    #[error("the changelog entry template fails for {name}: {message}")]
    EntryTemplate { name: String, message: String },
}

impl Hint for PlanError {
    /// What to do about it.
    fn hint(&self) -> Option<String> {
        Some(match self {
            PlanError::Cycle(cycle) => return cycle.hint(),
            PlanError::Manifests(problems) => {
                problems.iter().map(|p| p.hint.as_str()).collect::<Vec<_>>().join("\n")
            }
            PlanError::UnknownGroup { known, .. } if known.is_empty() => {
                "no groups are configured: drop the group input, or add [groups.<name>] to releasekit.toml".into()
            }
            PlanError::UnknownGroup { known, .. } => format!("configured groups: {}", known.join(", ")),
            PlanError::GroupOverlap { name, .. } => {
                format!("narrow the `members` patterns so that {name} belongs to one group")
            }
            PlanError::GroupPattern { group, .. } => format!(
                "fix [groups.{group}] members in releasekit.toml: patterns are crate-name globs such as `serde*`"
            ),
            PlanError::TagFormatNeedsName { .. } => {
                "put {name} in tag_format (e.g. \"{name}-v{version}\"), or make the group `versioning = \"fixed\"`".into()
            }
            PlanError::SplitWorkspaceVersion { .. } => {
                "put every crate with `version.workspace = true` in one group".into()
            }
            PlanError::BadTag { .. } => {
                "change tag_format in releasekit.toml so that it makes names git accepts (`git check-ref-format`)".into()
            }
            PlanError::Version { name, .. } => format!(
                "write {name}'s next version into its manifest by hand (a smaller number, or a higher level such as the next major), or choose another prerelease label"
            ),
            PlanError::VersionExists { name, last, .. } => format!(
                "{}; plan from the branch that holds that release, or set a higher version with a `Release-As: X.Y.Z` footer in a new commit that changes {name}",
                match last {
                    Some(last) => format!("the last release of {name} HEAD reaches is {last}"),
                    None => format!("HEAD reaches no release of {name}"),
                }
            ),
            PlanError::NotAbove { version, last, .. } => not_above_hint(version, last),
            PlanError::ReleaseAsNotAbove { name, last, .. } => format!(
                "the newest footer wins: add a commit that changes {name} with `Release-As:` above {last}, or revert the commit"
            ),
            PlanError::ReleaseAsInvalid { name, .. } => format!(
                "the newest footer wins: add a commit that changes {name} with a full version, such as `Release-As: 1.2.3`"
            ),
            PlanError::PackageRules(_) => {
                "fix the pattern in the crate's `include` or `exclude` (gitignore syntax; cargo refuses it too)".into()
            }
            PlanError::EntryTemplate { .. } => {
                "fix `entry` in [changelog] (or [package.<name>.changelog]) of releasekit.toml: templates write `{subject}` and `{% if scope %}…{% endif %}`".into()
            }
        })
    }
}

/// What to do when a prerelease asked for would sort below the last release.
fn not_above_hint(version: &Version, last: &Version) -> String {
    let stable = Version::new(last.major, last.minor, last.patch);
    let label = |v: &Version| {
        let pre = v.pre.as_str();
        (pre.rsplit_once('.'))
            .filter(|(_, n)| n.bytes().all(|b| b.is_ascii_digit()))
            .map_or(pre, |(label, _)| label)
            .to_owned()
    };
    let (asked, current) = (label(version), label(last));
    if asked != current {
        format!(
            "semver orders `{asked}` before `{current}`, and a version cannot go back: go on with `--prerelease {current}` (or a label semver orders after it), or leave out `--prerelease` to release {stable}"
        )
    } else {
        format!(
            "ask for `--prerelease {current}` without a number (the next one), or leave out `--prerelease` to release {stable}"
        )
    }
}
