//! Unit tests of `merged`.

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
    // Build metadata does not make another release: the registry compares without it.
    let with_build = BTreeMap::from([("util".to_owned(), vec![v("0.1.1+build.7")])]);
    let merged = case.decide(Some(&hint(&[("util", "0.1.1")])), &[], Some(&with_build));
    assert_eq!(merged.problems, ["util 0.1.1 is in the registry already"]);
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
