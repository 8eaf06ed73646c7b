//! Tests of the Release PR text: fixtures, the manifest, the primary crate, titles, commit
//! messages and the release-commit test.

use super::*;
use crate::plan::Bump;
use crate::plan::graph::{Edge, waves as plan_waves};
use crate::plan::release::{CrateRelease, Reason};

fn v(text: &str) -> Version {
    Version::parse(text).unwrap()
}

/// Released from `from` (tagged `name-v<from>`) to `to`, with one commit.
pub(super) fn bumped(name: &str, from: &str, to: &str) -> CrateRelease {
    let (a, b) = (v(from), v(to));
    let bump = if a.major != b.major {
        Bump::Major
    } else if a.minor != b.minor {
        Bump::Minor
    } else {
        Bump::Patch
    };
    CrateRelease {
        name: name.to_owned(),
        group: None,
        dir: format!("crates/{name}"),
        manifest: format!("crates/{name}/Cargo.toml"),
        initial_version: a,
        prior_tag: Some(format!("{name}-v{from}")),
        planned_tag: format!("{name}-v{to}"),
        planned_version: b,
        released: true,
        bump,
        reasons: vec![Reason::Commits { count: 1, bump }],
        commits: Vec::new(),
        changelog: format!("## [{to}] - 2026-11-21\n\n### Features\n\n- something new\n"),
        wave: None,
        release_only: false,
        changelog_file: Some("CHANGELOG.md".into()),
    }
}

/// Never tagged: released at its version.
fn new_crate(name: &str, version: &str) -> CrateRelease {
    CrateRelease {
        prior_tag: None,
        bump: Bump::None,
        reasons: vec![Reason::New],
        initial_version: v(version),
        planned_version: v(version),
        planned_tag: format!("{name}-v{version}"),
        changelog: format!("## [{version}] - 2026-11-21\n\n### Features\n\n- first release\n"),
        ..bumped(name, "0.0.0", "0.0.1")
    }
}

fn unchanged(name: &str, version: &str) -> CrateRelease {
    CrateRelease {
        released: false,
        reasons: Vec::new(),
        changelog: String::new(),
        ..new_crate(name, version)
    }
}

fn edge(from: &str, to: &str, kind: DepKind) -> Edge {
    Edge {
        from: from.to_owned(),
        to: to.to_owned(),
        kind,
        target: None,
        req: Some("1".into()),
        optional: false,
    }
}

/// A plan of `crates` (sorted by name) with `edges`, waves filled in as the planner does.
pub(super) fn plan(mut crates: Vec<CrateRelease>, edges: Vec<Edge>) -> ReleasePlan {
    crates.sort_by(|a, b| a.name.cmp(&b.name));
    let nodes: BTreeSet<String> = crates
        .iter()
        .filter(|c| c.released)
        .map(|c| c.name.clone())
        .collect();
    let waves = plan_waves(&nodes, &edges).unwrap();
    for c in &mut crates {
        c.wave = waves.iter().position(|w| w.contains(&c.name));
    }
    ReleasePlan {
        crates,
        waves,
        edges,
        manifest_edits: BTreeMap::new(),
        notes: Vec::new(),
        workspace_changelog: None,
    }
}

/// kit (root) → kit-core, kit-macros; kit-macros is new; kit is a prerelease.
pub(crate) fn three_crates() -> ReleasePlan {
    let mut kit = bumped("kit", "0.9.2", "1.0.0-rc.1");
    kit.dir = ".".into();
    kit.manifest = "Cargo.toml".into();
    kit.reasons = vec![Reason::Commits {
        count: 3,
        bump: Bump::Major,
    }];
    kit.changelog = "## [1.0.0-rc.1](https://github.com/acme/kit/compare/kit-v0.9.2...kit-v1.0.0-rc.1) - 2026-11-21\n\n### Breaking changes\n\n- **api:** rename `Kit::run` to `Kit::start` ([#41](https://github.com/acme/kit/pull/41), [c0ffee1](https://github.com/acme/kit/commit/c0ffee1))\n".into();
    let mut core = bumped("kit-core", "0.9.2", "0.9.3");
    core.changelog = "## [0.9.3](https://github.com/acme/kit/compare/kit-core-v0.9.2...kit-core-v0.9.3) - 2026-11-21\n\n### Fixes\n\n- keep `|` in paths ([c0ffee2](https://github.com/acme/kit/commit/c0ffee2))\n".into();
    let mut plan = plan(
        vec![
            kit,
            core,
            new_crate("kit-macros", "0.1.0"),
            unchanged("kit-docs", "1.0.0"),
        ],
        vec![
            edge("kit", "kit-core", DepKind::Normal),
            edge("kit", "kit-macros", DepKind::Normal),
        ],
    );
    plan.notes
            .push("kit-docs's requirement on kit-core is rewritten, but kit-docs is not released in this plan".into());
    plan
}

#[test]
fn manifest_lists_released_crates_in_plan_order_with_previous_only_when_tagged() {
    let m = manifest(&three_crates(), None);
    let rows: Vec<(&str, String, Option<String>, bool, bool)> = m
        .crates
        .iter()
        .map(|c| {
            let previous = c.previous.as_ref().map(ToString::to_string);
            (
                c.name.as_str(),
                c.version.to_string(),
                previous,
                c.prerelease,
                c.primary,
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("kit", "1.0.0-rc.1".into(), Some("0.9.2".into()), true, true),
            (
                "kit-core",
                "0.9.3".into(),
                Some("0.9.2".into()),
                false,
                false
            ),
            ("kit-macros", "0.1.0".into(), None, false, false),
        ]
    );
    assert_eq!(m.crates[0].wave, Some(1));
}

#[test]
fn primary_crate_is_the_one_with_most_released_dependencies() {
    use DepKind::{Build, Dev, Normal};
    let at = |name: &str, dir: &str| CrateRelease {
        dir: dir.into(),
        ..bumped(name, "1.0.0", "1.1.0")
    };
    let cases: Vec<(&str, Vec<CrateRelease>, Vec<Edge>, &str)> = vec![
        // a ← b ← c: c reaches b and a.
        (
            "chain",
            vec![at("a", "a"), at("b", "b"), at("c", "c")],
            vec![edge("c", "b", Normal), edge("b", "a", Build)],
            "c",
        ),
        // clap → clap_builder → clap_lex; clap → clap_derive
        (
            "clap",
            vec![
                at("clap", "clap"),
                at("clap_builder", "clap_builder"),
                at("clap_derive", "clap_derive"),
                at("clap_lex", "clap_lex"),
            ],
            vec![
                edge("clap", "clap_builder", Normal),
                edge("clap", "clap_derive", Normal),
                edge("clap_builder", "clap_lex", Normal),
            ],
            "clap",
        ),
        // a, b: two roots, the root package (".") wins over a longer dir.
        (
            "root package",
            vec![at("a", "crates/a"), at("z", ".")],
            vec![],
            "z",
        ),
        (
            "empty dir",
            vec![at("a", "crates/a"), at("z", "")],
            vec![],
            "z",
        ),
        (
            "shorter dir",
            vec![at("a", "crates/long"), at("z", "z")],
            vec![],
            "z",
        ),
        (
            "same dir length: name",
            vec![at("b", "x/b"), at("a", "x/a")],
            vec![],
            "a",
        ),
        // b →(dev) a: dev edges do not make b the top crate.
        (
            "dev edge",
            vec![at("b", "b"), at("a", "a")],
            vec![edge("b", "a", Dev)],
            "a",
        ),
        // b → a, but a is not released: no dependency counted.
        (
            "unreleased dependency",
            vec![at("b", "b"), unchanged("a", "1.0.0")],
            vec![edge("b", "a", Normal)],
            "b",
        ),
    ];
    for (case, crates, edges, expected) in cases {
        let plan = plan(crates, edges);
        assert_eq!(primary_crate(&plan).as_deref(), Some(expected), "{case}");
        let m = manifest(&plan, None);
        let primaries: Vec<&str> = m
            .crates
            .iter()
            .filter(|c| c.primary)
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(primaries, [expected], "{case}");
    }
    assert_eq!(
        primary_crate(&plan(vec![unchanged("a", "1.0.0")], vec![])),
        None
    );
}

pub(super) fn many(count: usize, name: impl Fn(usize) -> String) -> ReleasePlan {
    plan(
        (0..count)
            .map(|i| bumped(&name(i), "1.0.0", "1.1.0"))
            .collect(),
        vec![],
    )
}

#[test]
fn titles_name_the_release_within_72_characters() {
    let one = manifest(&plan(vec![bumped("foo", "1.1.0", "1.2.0")], vec![]), None);
    let three = manifest(&three_crates(), None);
    let grouped = manifest(&three_crates(), Some("core"));
    let huge = manifest(&many(200, |i| format!("crate_with_a_long_name_{i}")), None);
    let huge_group = manifest(&many(200, |i| format!("c{i}")), Some("core"));
    let cases = [
        (&one, "chore(release): foo 1.2.0"),
        (
            &three,
            "chore(release): release 3 crates (kit 1.0.0-rc.1, kit-core 0.9.3, …)",
        ),
        (
            &grouped,
            "chore(release): release group core, 3 crates (kit 1.0.0-rc.1, …)",
        ),
        (
            &huge,
            "chore(release): release 200 crates (crate_with_a_long_name_0 1.1.0, …)",
        ),
        (
            &huge_group,
            "chore(release): release group core, 200 crates (c0 1.1.0, c1 1.1.0, …)",
        ),
    ];
    for (m, expected) in cases {
        let title = title(m);
        assert_eq!(title, expected);
        assert!(title.chars().count() <= TITLE_LIMIT, "{title}");
        assert!(is_release_commit(&title, "releasekit/release"), "{title}");
    }
    let mut single_group = one.clone();
    single_group.group = Some("core".into());
    assert_eq!(
        title(&single_group),
        "chore(release): release group core (foo 1.2.0)"
    );
    let two = manifest(
        &plan(
            vec![bumped("a", "1.0.0", "1.0.1"), bumped("b", "1.0.0", "1.0.1")],
            vec![],
        ),
        None,
    );
    assert_eq!(
        title(&two),
        "chore(release): release 2 crates (a 1.0.1, b 1.0.1)"
    );
}

#[test]
fn commit_message_lists_each_crate_and_marks_new_ones() {
    let m = manifest(&three_crates(), None);
    insta::assert_snapshot!("pr_commit_message_three_crates", commit_message(&m));
}

#[test]
fn pr_body_three_crates() {
    let plan = three_crates();
    let m = manifest(&plan, None);
    // The maintainer typed kit's version and reworded kit-core's changelog.
    let edits = PrEdits {
        version: BTreeSet::from(["kit".to_owned()]),
        changelog: BTreeSet::from(["kit-core".to_owned()]),
        commits: 2,
    };
    insta::assert_snapshot!("pr_body_three_crates", body(&plan, &m, &edits));
}

#[test]
fn release_commits_are_recognised() {
    let cases = [
        ("chore(release): foo 1.2.0", true),
        ("chore(release)!: release 3 crates (a 1.0.0, …)", true),
        (
            "chore(release): release 3 crates (a 1.0.0, …) (#57)\n\n* a 1.0.0",
            true,
        ),
        ("Merge pull request #57 from acme/releasekit/release", true),
        (
            "Merge pull request #57 from acme/releasekit/release\n\nchore(release): x",
            true,
        ),
        (
            "Merge pull request #8 from fork/releasekit/release-core",
            true,
        ),
        ("Merge pull request #8 from acme/releasekit/release-", false),
        ("Merge pull request #8 from acme/releasekit/released", false),
        ("Merge pull request #8 from acme/feature/releasekit", false),
        ("Merge pull request #x from acme/releasekit/release", false),
        ("chore: release notes", false),
        // A squash merge whose title the maintainer changed: the trailer is in its body.
        (
            &*format!(
                "Release widgets 2099.1 (#1)\n\n* chore(release): x\n\nReleasekit-Plan: {}\n\n* docs: y",
                "ab".repeat(32)
            ),
            true,
        ),
        (
            &*format!("feat: x\n\nReleasekit-Plan: {}\n", "ab".repeat(31)),
            false,
        ),
        ("feat: x\n\nsee the Releasekit-Plan: trailer", false),
        ("feat: chore(release): in the subject", false),
        ("feat: add release", false),
        ("", false),
    ];
    for (message, expected) in cases {
        assert_eq!(
            is_release_commit(message, "releasekit/release"),
            expected,
            "{message:?}"
        );
    }
}

#[test]
fn edits_are_named_per_crate() {
    let edits = PrEdits {
        version: BTreeSet::from(["a".to_owned(), "b".to_owned()]),
        changelog: BTreeSet::from(["b".to_owned(), "c".to_owned()]),
        commits: 2,
    };
    assert_eq!(edits.of("a"), Some("version"));
    assert_eq!(edits.of("b"), Some("version, changelog"));
    assert_eq!(edits.of("c"), Some("changelog"));
    assert_eq!(edits.of("d"), None);
}
