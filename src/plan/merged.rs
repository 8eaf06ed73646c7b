//! What a Release PR releases, read from the manifests as they are — at the merge commit for
//! the release stage, at the release branch's tip for the PR body prepare writes — rather than
//! from the manifest in the PR body, which is only a hint (DESIGN §3 "Idempotency").
//!
//! Each publishable member whose version is above its last release is released at that
//! version, its tag rendered from its tag format. What stands in the way (a version that is not
//! above the last release, a tag or a registry version that exists already, a tag git refuses)
//! is collected, all of it, before anything is created. Pure: the jobs read the workspace, the
//! tags, GitHub and the registry.

mod before;
mod locked;

use std::collections::{BTreeMap, BTreeSet};

use semver::Version;

use crate::hint::Hint;

use super::DepKind;
use super::history::{Tag, parse_tag, short_id, tag_name};
use super::pr::{ManifestCrate, ReleaseManifest, primary_among};
use super::refname::check_ref_name;
use super::workspace::Workspace;

pub use before::before_merge;
pub use locked::lock_problems;

/// The facts about one commit.
#[derive(Debug, Clone, Copy)]
pub struct MergedFacts<'a> {
    /// The workspace as the commit has it.
    pub workspace: &'a Workspace,
    /// The registry the crates go to (`None`: crates.io): decides which members are publishable.
    pub registry: Option<&'a str>,
    /// Each member's tag format (publishable, or released without publishing).
    pub formats: &'a BTreeMap<String, String>,
    /// The tags the commit reaches, with the commits they point at.
    pub reachable: &'a [Tag],
    pub commit: &'a str,
}

/// A member whose version is above its last release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub name: String,
    pub version: Version,
    pub tag: String,
    pub last: Option<Version>,
}

/// Every member with a tag format (publishable, or released without publishing) whose version
/// is above its last release (see [`last_release`]). A member never released is above nothing.
pub fn candidates(f: &MergedFacts<'_>) -> Vec<Candidate> {
    (f.workspace.members.iter())
        .filter_map(|m| {
            let format = f.formats.get(&m.name)?;
            let last = last_release(f, &m.name);
            let above = last.as_ref().is_none_or(|last| m.version > *last);
            above.then(|| Candidate {
                name: m.name.clone(),
                version: m.version.clone(),
                tag: tag_name(format, &m.name, &m.version),
                last,
            })
        })
        .collect()
}

/// The newest release of `name` among the tags the commit reaches, leaving out tags on the
/// commit itself (an earlier run's release of this very commit).
pub fn last_release(f: &MergedFacts<'_>, name: &str) -> Option<Version> {
    let format = f.formats.get(name)?;
    f.reachable
        .iter()
        .filter(|t| t.commit != f.commit)
        .filter_map(|t| parse_tag(format, name, &t.name))
        .max()
}

/// What the release is checked against.
#[derive(Debug, Clone, Copy)]
pub struct Checks<'a> {
    /// The manifest in the Release PR's body.
    pub hint: Option<&'a ReleaseManifest>,
    /// Tags that exist (in the clone or on GitHub) → the commit each points at.
    pub existing: &'a BTreeMap<String, String>,
    /// Every version the registry lists per crate, yanked ones too; `None`: not known.
    pub listed: Option<&'a BTreeMap<String, Vec<Version>>>,
    /// Each member's version on the base branch just before the merge ([`before_merge`]);
    /// `None`: not known (prepare describing a branch).
    pub before: Option<&'a BTreeMap<String, Version>>,
}

/// The release as merged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merged {
    pub manifest: ReleaseManifest,
    /// Where the hint says something else than what is released, and members left out.
    pub differences: Vec<String>,
    /// What must be fixed before anything may be created; empty when the release can go.
    pub problems: Vec<String>,
    /// The crates the problems are about.
    pub refused: BTreeSet<String>,
}

/// Decide the release of `candidates` (from [`candidates`]) against `checks`. A crate the hint
/// names is the maintainer's intent: anything in its way is a problem, and so is its version
/// when it is not above its last release. A candidate the hint does not name is released when
/// the Release PR changed its version and nothing stands in its way, else left out with a
/// note (a crate the base branch had at that version already is not the PR's; a version in
/// the registry whose tag is missing was released before).
pub fn decide(f: &MergedFacts<'_>, candidates: Vec<Candidate>, checks: &Checks<'_>) -> Merged {
    let hinted = |name: &str| {
        checks
            .hint
            .and_then(|h| h.crates.iter().find(|c| c.name == name))
    };
    let names: BTreeSet<String> = candidates.iter().map(|c| c.name.clone()).collect();
    let mut differences = Vec::new();
    let mut problems = Vec::new();
    let mut refused = BTreeSet::new();
    let mut released: Vec<Candidate> = Vec::new();
    for c in candidates {
        let hint = hinted(&c.name);
        let blocked = version_problem(f, checks, &c.name, &c.version);
        match (blocked, hint) {
            (Some(why), Some(_)) => {
                problems.push(why);
                refused.insert(c.name);
            }
            (Some(why), None) => differences.push(format!("{why}: not released")),
            (None, Some(h)) => {
                if h.version != c.version {
                    differences.push(format!(
                        "the Release PR body says {} {}; {} is released as merged",
                        c.name, h.version, c.version
                    ));
                } else if h.tag != c.tag {
                    let named: String = h.tag.chars().take(100).collect();
                    differences.push(format!(
                        "the Release PR names the tag {named:?} for {} {}; {} is made from tag_format instead",
                        c.name, c.version, c.tag
                    ));
                }
                released.push(c);
            }
            (None, None)
                if checks
                    .before
                    .is_some_and(|before| before.get(&c.name) == Some(&c.version)) =>
            {
                differences.push(format!(
                    "{} {} is above its last release, but the Release PR did not change its version (the base branch had it already): not released; the next prepare proposes it",
                    c.name, c.version
                ));
            }
            (None, None) => {
                if checks.hint.is_some() {
                    differences.push(format!(
                        "{} {} is released although the Release PR body does not list it",
                        c.name, c.version
                    ));
                }
                released.push(c);
            }
        }
    }
    // A crate the hint names that is no candidate: its version is not above its last release.
    for h in checks.hint.map(|h| h.crates.as_slice()).unwrap_or_default() {
        let Some(member) = f.workspace.member(&h.name) else {
            continue;
        };
        if !names.contains(&h.name)
            && let Some(why) = version_problem(f, checks, &member.name, &member.version)
        {
            problems.push(why);
            refused.insert(member.name.clone());
        }
    }
    Merged {
        manifest: manifest_of(f, released, checks.hint),
        differences,
        problems,
        refused,
    }
}

/// What stands in the way of releasing `name` at `version` from the commit, if anything: a
/// version not above the last release, its tag on another commit, the registry listing it
/// already, or a tag git refuses. A tag on the commit itself is an earlier run's: no problem.
pub fn version_problem(
    f: &MergedFacts<'_>,
    checks: &Checks<'_>,
    name: &str,
    version: &Version,
) -> Option<String> {
    let format = f.formats.get(name)?;
    if let Some(last) = last_release(f, name)
        && *version <= last
    {
        return Some(format!(
            "{name} {version} is not above its last release {last}"
        ));
    }
    let tag = tag_name(format, name, version);
    match checks.existing.get(&tag) {
        Some(at) if at == f.commit => return None,
        Some(at) => {
            return Some(format!(
                "{name} {version}: the tag {tag} exists already, at {}",
                short_id(at)
            ));
        }
        None => {}
    }
    let listed = checks
        .listed
        .and_then(|l| l.get(name))
        .is_some_and(|versions| versions.contains(version));
    if listed {
        return Some(format!("{name} {version} is in the registry already"));
    }
    check_ref_name(&tag)
        .err()
        .map(|why| format!("{name} {version}: the tag {tag:?} is no name git accepts: {why}"))
}

/// The manifest of the released crates: paths from the workspace, the primary crate from its
/// normal and build dependencies, the publish wave from the hint (it is only shown).
fn manifest_of(
    f: &MergedFacts<'_>,
    released: Vec<Candidate>,
    hint: Option<&ReleaseManifest>,
) -> ReleaseManifest {
    let names: Vec<(&str, &str)> = released
        .iter()
        .filter_map(|c| f.workspace.member(&c.name))
        .map(|m| (m.name.as_str(), m.dir.as_str()))
        .collect();
    let deps = |name: &str| -> Vec<&str> {
        f.workspace
            .member(name)
            .map(|m| {
                m.deps
                    .iter()
                    .filter(|d| matches!(d.kind, DepKind::Normal | DepKind::Build))
                    .map(|d| d.name.as_str())
                    .collect()
            })
            .unwrap_or_default()
    };
    let primary = primary_among(&names, deps);
    let crates = released
        .into_iter()
        .filter_map(|c| {
            let member = f.workspace.member(&c.name)?;
            let wave = hint
                .and_then(|h| h.crates.iter().find(|h| h.name == c.name))
                .and_then(|h| h.wave);
            Some(ManifestCrate {
                prerelease: !c.version.pre.is_empty(),
                primary: primary.as_deref() == Some(c.name.as_str()),
                name: c.name,
                version: c.version,
                tag: c.tag,
                previous: c.last,
                dir: member.dir.clone(),
                manifest: member.manifest.clone(),
                wave,
            })
        })
        .collect();
    ReleaseManifest {
        format: super::pr::MANIFEST_FORMAT,
        group: hint.and_then(|h| h.group.clone()),
        crates,
    }
}

/// Why a merged pull request is not released: it is no Release PR, or what it merged stands in
/// the way. Found before anything is created; the input's fault (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum ReleaseError {
    #[error("no merged Release PR found for {commit}")]
    NoReleasePr { commit: String },
    #[error("pull request #{number} is not a merged Release PR ({why})")]
    NotReleasePr { number: u64, why: String },
    #[error(
        "the Release PR #{number} names {name:?}, which is no member the workspace releases (publishable, or `release = true`) at the merge commit {commit}"
    )]
    NotAMember {
        number: u64,
        name: String,
        commit: String,
    },
    #[error("the Release PR #{number} cannot be released as merged at {commit}: {}", problems.join("; "))]
    Refused {
        number: u64,
        commit: String,
        problems: Vec<String>,
    },
    #[error(
        "the Release PR #{number} was merged with {path} giving the version {value:?}, which is no semantic version (merge commit {commit})"
    )]
    InvalidVersion {
        number: u64,
        commit: String,
        path: String,
        value: String,
    },
}

impl Hint for ReleaseError {
    fn hint(&self) -> Option<String> {
        Some(match self {
            ReleaseError::NoReleasePr { .. } => "merge the Release PR first (prepare opens it), or run release from its merge commit; in Actions, release runs on the `pull_request: closed` event of the merged Release PR".into(),
            ReleaseError::NotReleasePr { .. } => "release only runs for a merged pull request from releasekit/release… that carries a releasekit manifest".into(),
            ReleaseError::NotAMember { .. } => "the Release PR's body was edited after prepare wrote it; nothing was created: run prepare again and merge the new Release PR".into(),
            ReleaseError::Refused { .. } | ReleaseError::InvalidVersion { .. } => "nothing was created. Fix the versions on the base branch (each above its crate's last release, and not released yet) and push: prepare opens a new Release PR for them; or fix them and run release again for this PR".into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::pr::MANIFEST_FORMAT;
    use crate::plan::workspace::{Member, MemberDep};

    fn v(text: &str) -> Version {
        Version::parse(text).unwrap()
    }

    fn member(name: &str, version: &str, deps: &[&str]) -> Member {
        let deps = deps
            .iter()
            .map(|d| MemberDep::plain(d, DepKind::Normal, Some("*")))
            .collect();
        Member::plain(name, version, deps)
    }

    fn tag(name: &str, commit: &str) -> Tag {
        Tag {
            name: name.into(),
            commit: commit.into(),
        }
    }

    fn hint(crates: &[(&str, &str)]) -> ReleaseManifest {
        ReleaseManifest {
            format: MANIFEST_FORMAT,
            group: None,
            crates: crates
                .iter()
                .map(|(name, version)| ManifestCrate {
                    name: (*name).into(),
                    version: v(version),
                    tag: format!("{name}-v{version}"),
                    previous: None,
                    dir: format!("crates/{name}"),
                    manifest: format!("crates/{name}/Cargo.toml"),
                    prerelease: false,
                    primary: false,
                    wave: Some(0),
                })
                .collect(),
        }
    }

    /// app → util → core at the merge commit `m`, each released once at 0.1.0 before it.
    struct Case {
        ws: Workspace,
        formats: BTreeMap<String, String>,
        tags: Vec<Tag>,
    }

    impl Case {
        fn new(versions: [&str; 3]) -> Case {
            let ws = Workspace {
                members: vec![
                    member("app", versions[0], &["util"]),
                    member("core", versions[1], &[]),
                    member("util", versions[2], &["core"]),
                ],
                ..Workspace::default()
            };
            let formats = ["app", "core", "util"]
                .map(|n| (n.to_owned(), "{name}-v{version}".to_owned()))
                .into();
            let tags = ["app", "core", "util"]
                .map(|n| tag(&format!("{n}-v0.1.0"), "first"))
                .into();
            Case { ws, formats, tags }
        }

        fn facts(&self) -> MergedFacts<'_> {
            MergedFacts {
                workspace: &self.ws,
                registry: None,
                formats: &self.formats,
                reachable: &self.tags,
                commit: "m",
            }
        }

        fn decide(
            &self,
            hint: Option<&ReleaseManifest>,
            existing: &[(&str, &str)],
            listed: Option<&BTreeMap<String, Vec<Version>>>,
        ) -> Merged {
            let existing: BTreeMap<String, String> = existing
                .iter()
                .map(|(t, c)| (t.to_string(), c.to_string()))
                .collect();
            let f = self.facts();
            decide(
                &f,
                candidates(&f),
                &Checks {
                    hint,
                    existing: &existing,
                    listed,
                    before: None,
                },
            )
        }
    }

    fn released(merged: &Merged) -> Vec<(String, String, String)> {
        merged
            .manifest
            .crates
            .iter()
            .map(|c| (c.name.clone(), c.version.to_string(), c.tag.clone()))
            .collect()
    }

    #[test]
    fn each_member_above_its_last_release_is_released_at_its_merged_version() {
        let case = Case::new(["0.1.0", "0.3.0", "0.1.1"]);
        let merged = case.decide(
            Some(&hint(&[("core", "0.2.0"), ("util", "0.1.1")])),
            &[],
            None,
        );
        assert_eq!(
            released(&merged),
            [
                ("core".into(), "0.3.0".into(), "core-v0.3.0".into()),
                ("util".into(), "0.1.1".into(), "util-v0.1.1".into()),
            ]
        );
        assert_eq!(
            merged.differences,
            ["the Release PR body says core 0.2.0; 0.3.0 is released as merged"]
        );
        assert!(merged.problems.is_empty());
        let core = &merged.manifest.crates[0];
        assert_eq!(core.previous, Some(v("0.1.0")));
        assert_eq!(core.wave, Some(0), "the wave is the hint's");
        assert!(merged.manifest.crates[1].primary, "util depends on core");
    }

    #[test]
    fn a_version_the_release_pr_did_not_change_is_not_its_to_release() {
        // app 0.2.0 and a new crate `extra` came from the base branch; core's 0.1.1 is the
        // PR's, although its (edited) body no longer lists it.
        let mut case = Case::new(["0.2.0", "0.1.1", "0.1.0"]);
        case.ws.members.push(member("extra", "0.1.0", &[]));
        case.formats
            .insert("extra".into(), "{name}-v{version}".into());
        let before: BTreeMap<String, Version> =
            [("app", "0.2.0"), ("core", "0.1.0"), ("extra", "0.1.0")]
                .map(|(n, version)| (n.to_owned(), v(version)))
                .into();
        let f = case.facts();
        let checks = Checks {
            hint: Some(&hint(&[])),
            existing: &BTreeMap::new(),
            listed: None,
            before: Some(&before),
        };
        let merged = decide(&f, candidates(&f), &checks);
        assert_eq!(
            released(&merged),
            [("core".into(), "0.1.1".into(), "core-v0.1.1".into())]
        );
        let not_its = |name: &str, version: &str| {
            format!(
                "{name} {version} is above its last release, but the Release PR did not change its version (the base branch had it already): not released; the next prepare proposes it"
            )
        };
        assert_eq!(
            merged.differences,
            [
                not_its("app", "0.2.0"),
                "core 0.1.1 is released although the Release PR body does not list it".into(),
                not_its("extra", "0.1.0"),
            ]
        );
        assert!(merged.problems.is_empty());
    }

    #[test]
    fn a_version_the_hint_did_not_list_is_released_and_said() {
        let case = Case::new(["0.2.0", "0.1.1", "0.1.0"]);
        let merged = case.decide(Some(&hint(&[("core", "0.1.1")])), &[], None);
        assert_eq!(released(&merged).len(), 2);
        assert_eq!(
            merged.differences,
            ["app 0.2.0 is released although the Release PR body does not list it"]
        );
    }

    #[test]
    fn a_hinted_version_not_above_the_last_release_is_a_problem() {
        let case = Case::new(["0.1.0", "0.0.9", "0.1.0"]);
        let merged = case.decide(
            Some(&hint(&[("core", "0.1.1"), ("util", "0.1.1")])),
            &[],
            None,
        );
        assert_eq!(
            merged.problems,
            [
                "core 0.0.9 is not above its last release 0.1.0",
                "util 0.1.0 is not above its last release 0.1.0"
            ]
        );
        // Without the hint an unchanged crate is simply not released.
        assert!(case.decide(None, &[], None).manifest.crates.is_empty());
    }

    #[test]
    fn tags_and_registry_versions_that_exist_stop_a_hinted_crate_and_skip_another() {
        let case = Case::new(["0.1.1", "0.1.1", "0.1.1"]);
        let listed = BTreeMap::from([("util".to_owned(), vec![v("0.1.1")])]);
        let existing = [("core-v0.1.1", "elsewhere"), ("app-v0.1.1", "m")];
        let merged = case.decide(
            Some(&hint(&[("core", "0.1.1"), ("util", "0.1.1")])),
            &existing,
            Some(&listed),
        );
        assert_eq!(
            merged.problems,
            [
                "core 0.1.1: the tag core-v0.1.1 exists already, at elsewhe",
                "util 0.1.1 is in the registry already"
            ]
        );
        // The tag on the merge commit itself is an earlier run's: released (kept).
        assert_eq!(released(&merged)[0].0, "app");
        let merged = case.decide(None, &existing, Some(&listed));
        assert!(merged.problems.is_empty(), "{merged:?}");
        assert_eq!(
            merged.differences,
            [
                "core 0.1.1: the tag core-v0.1.1 exists already, at elsewhe: not released",
                "util 0.1.1 is in the registry already: not released"
            ]
        );
    }

    #[test]
    fn a_tag_on_the_commit_itself_is_no_last_release() {
        let mut case = Case::new(["0.1.0", "0.1.1", "0.1.0"]);
        case.tags.push(tag("core-v0.1.1", "m"));
        let merged = case.decide(
            Some(&hint(&[("core", "0.1.1")])),
            &[("core-v0.1.1", "m")],
            None,
        );
        assert!(merged.problems.is_empty(), "{merged:?}");
        assert_eq!(released(&merged)[0].2, "core-v0.1.1");
    }

    #[test]
    fn a_tag_git_refuses_is_a_problem() {
        let mut case = Case::new(["0.1.0", "0.1.1", "0.1.0"]);
        case.formats
            .insert("core".into(), "{name} v{version}".into());
        let merged = case.decide(Some(&hint(&[("core", "0.1.1")])), &[], None);
        assert_eq!(merged.problems.len(), 1);
        assert!(
            merged.problems[0]
                .starts_with("core 0.1.1: the tag \"core v0.1.1\" is no name git accepts"),
            "{merged:?}"
        );
    }
}
