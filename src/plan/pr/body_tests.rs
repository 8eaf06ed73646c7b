//! Tests of the PR body: the manifest round trip through it and its size budget.

use super::body::manifest_block;
use super::tests::*;
use super::*;
use crate::plan::release::CrateRelease;

#[test]
fn body_manifest_round_trips_through_parse_manifest() {
    let plan = three_crates();
    let m = manifest(&plan, Some("core"));
    assert_eq!(parse_manifest(&body(&plan, &m, &PrEdits::default())), Ok(m));
}

#[test]
fn the_last_manifest_block_wins_over_a_quoted_older_one() {
    let plan = three_crates();
    let mut older = manifest(&plan, None);
    older.crates.truncate(1);
    let current = manifest(&plan, None);
    let quoted = manifest_block(&older);
    assert_eq!(
        parse_manifest(&quoted),
        Ok(older),
        "the quoted block alone is valid"
    );
    let text = format!(
        "Earlier body, for the record:\n\n```\n{quoted}```\n\n{}",
        body(&plan, &current, &PrEdits::default())
    );
    assert_eq!(parse_manifest(&text), Ok(current));
}

#[test]
fn a_tag_containing_comment_close_still_round_trips() {
    let mut plan = three_crates();
    plan.crates[0].planned_tag = "kit-->v1 --!> <x>".into();
    let m = manifest(&plan, None);
    let text = body(&plan, &m, &PrEdits::default());
    let block = &text[text.rfind(MARKER).unwrap()..];
    assert_eq!(block.matches("-->").count(), 1, "only the block's own end");
    assert_eq!(
        parse_manifest(&text).unwrap().crates[0].tag,
        "kit-->v1 --!> <x>"
    );
}

type Expect = fn(&PrError) -> bool;

#[test]
fn unreadable_bodies_give_errors_with_hints() {
    let current = format!("{MARKER}\n{{\"format\": 1, \"group\": null, \"crates\": []}}\n-->");
    let cases: [(&str, String, Expect); 5] = [
        ("no block", "Just a PR.".into(), |e| *e == PrError::Missing),
        (
            "bad json",
            format!("{MARKER}\n{{\"format\": 1,\n-->"),
            |e| matches!(e, PrError::Invalid { message } if message.contains("line")),
        ),
        (
            "unclosed",
            format!("{MARKER}\n{{}}"),
            |e| matches!(e, PrError::Invalid { message } if message.contains("-->")),
        ),
        (
            "missing field",
            format!("{MARKER}\n{{\"format\": 1}}\n-->"),
            |e| matches!(e, PrError::Invalid { message } if message.contains("crates")),
        ),
        (
            "newer format",
            current.replace("\"format\": 1", "\"format\": 2"),
            |e| *e == PrError::UnsupportedFormat { format: 2 },
        ),
    ];
    for (case, text, expected) in cases {
        let error = parse_manifest(&text).unwrap_err();
        assert!(expected(&error), "{case}: {error:?}");
        assert!(error.hint().unwrap().contains("prepare"), "{case}");
    }
    assert!(
        PrError::Missing
            .hint()
            .unwrap()
            .starts_with("the merged pull request's body has no releasekit manifest")
    );
    assert!(parse_manifest(&current).unwrap().crates.is_empty());
}
/// A plan whose crates' changelogs are `sizes` characters long (roughly).
fn sized(sizes: &[usize]) -> ReleasePlan {
    let crates = sizes
        .iter()
        .enumerate()
        .map(|(i, &size)| CrateRelease {
            changelog: format!("## [1.1.0]\n\n{}\n", "x".repeat(size)),
            ..bumped(&format!("c{i:03}"), "1.0.0", "1.1.0")
        })
        .collect();
    plan(crates, vec![])
}

#[test]
fn an_oversized_body_collapses_the_largest_changelog_first() {
    let plan = sized(&[10_000, 40_000, 10_000, 1_000, 10_000]);
    let m = manifest(&plan, None);
    let text = body(&plan, &m, &PrEdits::default());
    assert!(text.chars().count() <= BODY_LIMIT);
    assert!(text.contains(
            "The changelog of c001 is too long for this PR; it is in crates/c001/CHANGELOG.md on this branch."
        ));
    assert_eq!(text.matches("is too long for this PR").count(), 1);
    assert_eq!(
        text.matches(&"x".repeat(10_000)).count(),
        3,
        "the others stay"
    );
    assert!(text.contains("| 1 commit (minor) |"), "reasons stay");
    assert!(text.contains("**Publish order:**"), "waves stay");
    assert_eq!(parse_manifest(&text), Ok(m));
}

#[test]
fn a_body_of_200_crates_with_2kb_changelogs_stays_under_the_limit() {
    let mut sizes = vec![2_000; 200];
    sizes[7] = 100;
    sizes[42] = 3_000;
    let plan = sized(&sizes);
    let m = manifest(&plan, None);
    let text = body(&plan, &m, &PrEdits::default());
    assert!(
        text.chars().count() <= BODY_LIMIT,
        "{}",
        text.chars().count()
    );
    assert!(
        text.contains(&format!("\n{}\n", "x".repeat(100))),
        "the small one is intact"
    );
    assert!(
        !text.contains(&"x".repeat(3_000)),
        "the largest gave way first"
    );
    let shown = text.matches(&"x".repeat(2_000)).count();
    assert!((1..199).contains(&shown), "as many as fit: {shown}");
    let hidden = 200 - 1 - shown;
    assert!(text.contains(&format!(
        "The changelogs of {hidden} more crate(s) are too long"
    )));
    assert_eq!(
        text.matches("| 1 commit (minor) |").count(),
        200,
        "reasons stay"
    );
    assert_eq!(parse_manifest(&text), Ok(m));
}

#[test]
fn a_manifest_beyond_the_limit_is_returned_whole_after_a_one_line_intro() {
    let plan = many(400, |i| format!("a_rather_long_crate_name_{i}"));
    let m = manifest(&plan, None);
    let text = body(&plan, &m, &PrEdits::default());
    assert!(text.chars().count() > BODY_LIMIT);
    assert_eq!(text.lines().nth(1), Some(""));
    assert!(
        text.lines()
            .nth(2)
            .unwrap()
            .starts_with("<!-- releasekit-body ")
    );
    assert!(text.lines().nth(3).unwrap().starts_with(MARKER));
    assert_eq!(parse_manifest(&text), Ok(m));
}

#[test]
fn three_hundred_crates_with_typical_names_fit() {
    let plan = many(300, |i| format!("bevy_thing_{i}"));
    let m = manifest(&plan, None);
    let text = body(&plan, &m, &PrEdits::default());
    assert!(
        text.chars().count() <= BODY_LIMIT,
        "{}",
        text.chars().count()
    );
    assert_eq!(parse_manifest(&text), Ok(m));
}
