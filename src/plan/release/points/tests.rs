//! Unit tests of `points`.

use super::*;
use crate::plan::attribution::test_commit as commit;
use crate::plan::release::ManifestTexts;

fn v(text: &str) -> Version {
    Version::parse(text).unwrap()
}

fn tag(name: &str, commit: &str) -> Tag {
    Tag {
        name: name.into(),
        commit: commit.into(),
    }
}

/// `a` at `version` on the history `4 → 3 → 2 → 1` (newest first): 1 adds the crate at
/// 0.1.0, 2 sets `version` in `crates/a/Cargo.toml`, 3 changes a source file and 4 the
/// manifest's keywords. The manifest texts are given when `texts`.
fn find_in(
    version: &str,
    tags: &[Tag],
    registry: Option<&Published>,
    shallow: bool,
    texts: bool,
) -> (Found, Vec<String>) {
    let history = [
        commit("4", &["3"], &["crates/a/Cargo.toml"]),
        commit("3", &["2"], &["crates/a/src/lib.rs"]),
        commit("2", &["1"], &["crates/a/Cargo.toml"]),
        commit("1", &[], &["crates/a/Cargo.toml", "crates/a/src/lib.rs"]),
    ];
    let text = |v: &str, extra: &str| {
        Some(format!(
            "[package]\nname = \"a\"\nversion = \"{v}\"\n{extra}"
        ))
    };
    let around = |before, after| ManifestTexts { before, after };
    let mut manifests = ManifestHistory::new();
    if texts {
        manifests.insert(
            "crates/a/Cargo.toml".into(),
            [
                (
                    "4",
                    around(text(version, ""), text(version, "keywords = [\"x\"]\n")),
                ),
                ("2", around(text("0.1.0", ""), text(version, ""))),
                ("1", around(None, text("0.1.0", ""))),
            ]
            .into_iter()
            .map(|(id, t)| (id.to_owned(), t))
            .collect(),
        );
    }
    let ancestry = Ancestry::new(&history);
    let src = Sources {
        tags,
        history: &history,
        ancestry: &ancestry,
        shallow,
        registry,
        root_manifest: "Cargo.toml",
        manifests: &manifests,
    };
    let m = Member::plain("a", version, Vec::new());
    let mut notes = Vec::new();
    let found = find(&m, "{name}-v{version}", &src, &mut notes);
    (found, notes)
}

fn find_with(
    version: &str,
    tags: &[Tag],
    registry: Option<&Published>,
    shallow: bool,
) -> (Found, Vec<String>) {
    find_in(version, tags, registry, shallow, true)
}

fn point_tag(found: &Found) -> Option<&str> {
    found.point.as_ref().and_then(|p| p.tag.as_deref())
}

#[test]
fn the_last_release_is_the_highest_reachable_version_not_the_last_listed() {
    let tags = [
        tag("a-v1.10.0", "2"),
        tag("a-v1.9.0", "1"),
        tag("b-v3.0.0", "3"),
    ];
    let (found, notes) = find_with("1.10.0", &tags, None, false);
    assert_eq!(point_tag(&found), Some("a-v1.10.0"));
    assert_eq!(found.unreleased, None);
    assert!(notes.is_empty(), "{notes:?}");
}

#[test]
fn a_newer_tag_head_does_not_reach_is_ignored_and_said() {
    let tags = [tag("a-v0.2.0", "elsewhere"), tag("a-v0.1.1", "2")];
    let (found, notes) = find_with("0.1.1", &tags, None, false);
    assert_eq!(point_tag(&found), Some("a-v0.1.1"));
    assert_eq!(
        notes,
        [
            "a: tag a-v0.2.0 is ignored: HEAD does not reach it (another branch, or a release commit amended after tagging); the last release here is a-v0.1.1"
        ]
    );
}

#[test]
fn in_a_shallow_clone_a_tag_beyond_the_history_still_counts() {
    let tags = [tag("a-v0.2.0", "beyond")];
    let (found, notes) = find_with("0.2.0", &tags, None, true);
    assert_eq!(point_tag(&found), Some("a-v0.2.0"));
    assert!(notes.is_empty(), "{notes:?}");
}

#[test]
fn a_manifest_version_above_the_last_tag_is_unreleased_unless_the_registry_lists_it() {
    let tags = [tag("a-v0.1.0", "1")];
    let (found, notes) = find_with("0.1.1", &tags, None, false);
    assert_eq!(point_tag(&found), Some("a-v0.1.0"));
    assert_eq!(found.unreleased, Some(v("0.1.1")));
    assert!(notes.is_empty());

    let registry = Published::from([("a".to_owned(), vec![v("0.1.0"), v("0.1.1")])]);
    let (found, notes) = find_with("0.1.1", &tags, Some(&registry), false);
    assert_eq!(
        found.point,
        Some(ReleasePoint {
            tag: None,
            version: v("0.1.1"),
            commit: Some("2".into())
        }),
        "2 set the version; 4 changed the manifest later"
    );
    assert_eq!(found.unreleased, None);
    assert_eq!(
        notes,
        [
            "a 0.1.1 is in the registry but HEAD reaches no tag a-v0.1.1: taken as released at 2, the commit that set version 0.1.1 in crates/a/Cargo.toml; `git tag a-v0.1.1 2` makes it exact"
        ]
    );
    let search = found.search.unwrap();
    assert_eq!(
        (search.manifest.as_str(), &search.commits[..], search.since),
        ("crates/a/Cargo.toml", &[0, 2][..], Some(3)),
        "the changes since the last tag are searched"
    );
    // Without the texts, the newest change of the manifest is all there is to go on.
    let (found, _) = find_in("0.1.1", &tags, Some(&registry), false, false);
    assert_eq!(found.point.unwrap().commit.as_deref(), Some("4"));
}

#[test]
fn offline_a_tag_head_does_not_reach_on_the_manifest_s_version_stands_in_for_the_registry() {
    // The release commit was amended after it was tagged a-v0.1.1; 2 is the amended one.
    let tags = [tag("a-v0.1.0", "1"), tag("a-v0.1.1", "amended")];
    let (found, notes) = find_with("0.1.1", &tags, None, false);
    assert_eq!(
        found.point,
        Some(ReleasePoint {
            tag: Some("a-v0.1.1".into()),
            version: v("0.1.1"),
            commit: Some("2".into())
        })
    );
    assert_eq!(found.unreleased, None);
    assert_eq!(
        notes,
        [
            "a 0.1.1: tag a-v0.1.1 names it, but HEAD does not reach the tag (a release commit amended after tagging?); offline, the tag stands in for the registry: taken as released at 2, the commit that set version 0.1.1 in crates/a/Cargo.toml"
        ]
    );
    // The registry, when asked, decides.
    let registry = Published::from([("a".to_owned(), vec![v("0.1.0")])]);
    let (found, _) = find_with("0.1.1", &tags, Some(&registry), false);
    assert_eq!(point_tag(&found), Some("a-v0.1.0"));
    assert_eq!(found.unreleased, Some(v("0.1.1")));
}

#[test]
fn an_untagged_crate_is_new_unless_the_registry_lists_its_version() {
    let (found, _) = find_with("0.3.0", &[], None, false);
    assert_eq!(found, Found::default());
    let registry = Published::from([("a".to_owned(), vec![v("0.3.0+build.1")])]);
    let (found, _) = find_with("0.3.0", &[], Some(&registry), false);
    assert_eq!(found.point.map(|p| p.version), Some(v("0.3.0")));
}

#[test]
fn a_prerelease_point_knows_the_last_stable_release() {
    let tags = [
        tag("a-v1.4.0-rc.2", "3"),
        tag("a-v1.4.0-rc.1", "2"),
        tag("a-v1.3.0", "1"),
    ];
    let (found, _) = find_with("1.4.0-rc.2", &tags, None, false);
    assert_eq!(point_tag(&found), Some("a-v1.4.0-rc.2"));
    assert_eq!(
        found.stable.and_then(|p| p.tag).as_deref(),
        Some("a-v1.3.0")
    );
}
