//! Tests of the release branch: its plan trailer, the edits carried over, and the conflict comment.

use super::*;
use crate::plan::pr::{MANIFEST_FORMAT, ManifestCrate};

const DAY: &str = "2024-05-01";

fn v(text: &str) -> Version {
    Version::parse(text).unwrap()
}

fn manifest() -> ReleaseManifest {
    ReleaseManifest {
        format: MANIFEST_FORMAT,
        group: None,
        crates: vec![ManifestCrate {
            name: "core".into(),
            version: v("0.2.0"),
            tag: "core-v0.2.0".into(),
            previous: Some(v("0.1.0")),
            dir: "crates/core".into(),
            manifest: "crates/core/Cargo.toml".into(),
            prerelease: false,
            primary: true,
            wave: Some(0),
        }],
    }
}

fn commit(id: &str, parents: &[&str], message: &str) -> RawCommit {
    RawCommit {
        id: id.into(),
        parents: parents.iter().map(|p| p.to_string()).collect(),
        message: message.into(),
        paths: Vec::new(),
        verified_revert: None,
    }
}

fn ours(id: &str, parent: &str) -> RawCommit {
    commit(
        id,
        &[parent],
        &release_commit_message(&manifest(), &BTreeMap::new(), DAY, None),
    )
}

#[test]
fn the_release_commit_is_known_by_its_trailer_and_keeps_typed_versions() {
    let kept = BTreeMap::from([("core".to_owned(), v("0.2.0"))]);
    let patch = "0123456789abcdef0123456789abcdef01234567";
    let message = release_commit_message(&manifest(), &kept, DAY, Some(patch));
    assert!(
        message.starts_with("chore(release): core 0.2.0\n"),
        "{message}"
    );
    let trailers = tool_trailers(&message).expect("ours");
    assert_eq!(trailers.kept, kept);
    assert_eq!(trailers.digest.len(), 64);
    assert_eq!(trailers.patch.as_deref(), Some(patch));
    assert_eq!(trailers.date.as_deref(), Some(DAY));
    // The same plan gives the same message: a rebuilt commit can have the same id.
    assert_eq!(
        message,
        release_commit_message(&manifest(), &kept, DAY, Some(patch))
    );
    let plain = tool_trailers(&release_commit_message(
        &manifest(),
        &BTreeMap::new(),
        DAY,
        None,
    ));
    let plain = plain.unwrap();
    assert_ne!(
        plain.digest, trailers.digest,
        "the kept versions are part of the digest"
    );
    assert_eq!(plain.patch, None, "a commit made before the patch trailer");
}

#[test]
fn a_person_does_not_write_the_trailer_by_accident() {
    let digest = "a".repeat(64);
    let cases = [
        // Authors and subjects do not matter: only the trailer does.
        ("chore(release): core 0.2.0\n\ncore 0.1.0 → 0.2.0\n", false),
        ("docs: mention Releasekit-Plan: in the README\n", false),
        // Not in the last paragraph: quoted in a body.
        (
            &*format!("fix: x\n\nReleasekit-Plan: {digest}\n\nSigned-off-by: A <a@b>\n"),
            false,
        ),
        (
            &*format!("fix: x\n\nReleasekit-Plan: {}\n", "a".repeat(63)),
            false,
        ),
        (
            &*format!("fix: x\n\nReleasekit-Plan: {}\n", "A".repeat(64)),
            false,
        ),
        (&*format!("fix: x\n\nreleasekit-plan: {digest}\n"), false),
        (&*format!("fix: x\n\nReleasekit-Plan: {digest}\n"), true),
        (
            &*format!("fix: x\n\nReleasekit-Plan: {digest}\nReleasekit-Date: 2024-5-1\n"),
            true,
        ),
        (
            &*format!(
                "chore(release): x\n\nReleasekit-Plan: {digest}\nReleasekit-Kept: core nonsense\n"
            ),
            true,
        ),
    ];
    for (message, expected) in cases {
        let trailers = tool_trailers(message);
        assert_eq!(trailers.is_some(), expected, "{message:?}");
        // A day is ten characters of digits and dashes: it goes into headings.
        assert_eq!(trailers.and_then(|t| t.date), None, "{message:?}");
    }
}

/// A patch trailer is a git patch id (40 or 64 lower-case hex digits) or nothing: anything else
/// reads as a release commit made before the trailer existed.
#[test]
fn a_malformed_patch_trailer_is_no_patch_id() {
    let digest = "a".repeat(64);
    for (value, expected) in [
        ("b".repeat(40), true),
        ("c".repeat(64), true),
        ("B".repeat(40), false),
        ("b".repeat(39), false),
        ("b".repeat(41), false),
        (format!("{}\u{1b}", "b".repeat(39)), false),
        (format!("{} x", "b".repeat(40)), false),
        (String::new(), false),
    ] {
        let message =
            format!("chore(release): x\n\nReleasekit-Plan: {digest}\nReleasekit-Patch: {value}\n");
        let trailers = tool_trailers(&message).expect("the plan trailer is well formed");
        assert_eq!(trailers.patch.is_some(), expected, "{value:?}");
    }
}

#[test]
fn commits_above_the_release_commit_are_the_maintainers() {
    // base ── R ── M1 ── merge(main) ── M2        (main: base ── X)
    //                   └── X
    let chain = vec![
        ours("r", "base"),
        commit("m1", &["r"], "docs(core): reword the changelog"),
        commit(
            "merge",
            &["m1", "x"],
            "Merge branch 'main' into releasekit/release",
        ),
        commit("m2", &["merge"], "chore(core): 0.3.0"),
    ];
    let own = ownership(&chain, |id| id == "x").unwrap();
    assert_eq!(own.tool.id, "r");
    let theirs: Vec<(&str, Replay)> = own
        .theirs
        .iter()
        .map(|t| (t.commit.id.as_str(), t.replay))
        .collect();
    assert_eq!(
        theirs,
        [
            ("m1", Replay::Pick),
            ("merge", Replay::Drop),
            ("m2", Replay::Pick)
        ]
    );
    // A merge of something the base does not hold is theirs to keep.
    let own = ownership(&chain, |_| false).unwrap();
    assert_eq!(own.theirs[1].replay, Replay::PickMerge);
}

#[test]
fn the_oldest_release_commit_is_the_tools_and_a_later_copy_is_the_maintainers() {
    // base ── R ── M1 ── R-copy
    let chain = vec![
        ours("r", "base"),
        commit("m1", &["r"], "docs: reword"),
        ours("copy", "m1"),
    ];
    let own = ownership(&chain, |_| false).unwrap();
    assert_eq!(own.tool.id, "r");
    let ids: Vec<&str> = own.theirs.iter().map(|t| t.commit.id.as_str()).collect();
    assert_eq!(ids, ["m1", "copy"]);
}

#[test]
fn commits_below_the_release_commit_are_neither_kept_nor_dropped_silently() {
    // base ── F ── R ── M1: reordered by `git rebase -i`, or main rewritten under the
    // branch (F was main's once).
    let chain = vec![
        commit("f", &["base"], "fix(core): last-minute fix"),
        ours("r", "f"),
        commit("m1", &["r"], "docs: reword"),
    ];
    let stuck = ownership(&chain, |_| false).unwrap_err();
    assert_eq!(
        stuck,
        Stuck::Below {
            release: "r".into(),
            commits: vec!["f".into()],
        }
    );
    assert!(
        stuck
            .describe()
            .contains("1 commit(s) lie below the release commit r"),
        "{}",
        stuck.describe()
    );
    let text = stuck.comment("releasekit/release", "main", "tip");
    assert!(
        text.contains("**Move them above the release commit:**") && text.contains("Start over"),
        "{text}"
    );
}

#[test]
fn a_branch_without_the_release_commit_was_rewritten() {
    let chain = vec![
        commit("a", &["base"], "chore(release): core 0.2.0"),
        commit("b", &["a"], "docs: reword"),
    ];
    assert_eq!(
        ownership(&chain, |_| true),
        Err(Stuck::Rewritten { commits: 2 })
    );
    assert_eq!(
        ownership(&[], |_| true),
        Err(Stuck::Rewritten { commits: 0 })
    );
}

#[test]
fn typed_versions_are_those_the_tip_changed_or_the_release_commit_kept() {
    let at = |name: &str, tool: Option<&str>, tip: Option<&str>| VersionAt {
        name: name.into(),
        tool: tool.map(str::to_owned),
        tip: tip.map(str::to_owned),
    };
    let versions = [
        at("same", Some("0.1.1"), Some("0.1.1")),
        at("typed", Some("0.1.1"), Some("0.3.0")),
        at("kept", Some("2.0.0"), Some("2.0.0")),
        at("new", None, Some("0.1.0")),
        at("gone", Some("1.0.1"), None),
        at("below", Some("1.0.1"), Some("0.9.0")),
        at("junk", Some("1.0.1"), Some("1.0.x")),
    ];
    let kept = BTreeMap::from([("kept".to_owned(), v("2.0.0"))]);
    let last = v("1.0.0");
    let problem = |name: &str, version: &Version| {
        (name == "below" && *version <= last)
            .then(|| format!("{name} {version} is not above its last release {last}"))
    };
    let (typed, notes) = typed_versions(&versions, &kept, problem);
    assert_eq!(
        typed,
        BTreeMap::from([
            ("kept".to_owned(), v("2.0.0")),
            ("new".to_owned(), v("0.1.0")),
            ("typed".to_owned(), v("0.3.0")),
        ])
    );
    assert_eq!(
        notes,
        [
            "merging this PR would be refused: below 0.9.0 is not above its last release 1.0.0",
            "merging this PR would be refused: junk: the version \"1.0.x\" on this branch is no semantic version",
        ]
    );
}

#[test]
fn the_conflict_comment_names_the_files_the_ways_out_and_a_marker_per_state() {
    let stuck = Stuck::Conflict {
        commit: "0123456789abcdef".into(),
        files: vec!["crates/core/CHANGELOG.md".into()],
    };
    let text = stuck.comment("releasekit/release", "main", "tip1");
    assert!(text.contains("`crates/core/CHANGELOG.md`"), "{text}");
    assert!(text.contains("your commit 0123456"), "{text}");
    assert!(text.contains("**Resolve it on the branch:**"), "{text}");
    assert!(
        text.contains("**Start over:** delete the branch `releasekit/release`"),
        "{text}"
    );
    let marker = stuck.marker("tip1");
    assert!(text.trim_end().ends_with(&marker));
    assert!(commented(&["hello".into(), text.clone()], &marker));
    assert!(
        !commented(std::slice::from_ref(&text), &stuck.marker("tip2")),
        "a new push is a new state"
    );
    insta::assert_snapshot!("conflict_comment", text);
    let odd = Stuck::Conflict {
        commit: "0123456789abcdef".into(),
        files: vec!["a\n::error::x.md".into()],
    };
    assert!(
        odd.describe().ends_with("in `a\\n::error::x.md`"),
        "{}",
        odd.describe()
    );
    let rewritten = Stuck::Rewritten { commits: 3 }.comment("b", "main", "tip1");
    assert!(
        !rewritten.contains("Resolve it on the branch"),
        "{rewritten}"
    );
    assert!(rewritten.contains("Start over"), "{rewritten}");
    let amended = Stuck::Amended {
        commit: "0123456789abcdef".into(),
    };
    assert!(amended.describe().contains("0123456 was amended"));
    let text = amended.comment("b", "main", "tip1");
    assert!(
        text.contains("**Keep your edit as a commit of its own:**")
            && text.contains("instead of amending 0123456")
            && !text.contains("Resolve it on the branch"),
        "{text}"
    );
}
