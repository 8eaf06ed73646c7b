//! Unit tests of `commits`.

use super::*;

const ID: &str = "0123456789abcdef0123456789abcdef01234567";

/// One line per commit: `type(scope)! -> bump section #pr | summary | breaking description`.
fn describe(commit: &ConventionalCommit) -> String {
    let or_dash = |value: Option<String>| value.unwrap_or_else(|| "-".to_owned());
    format!(
        "{}{}{} -> {} {} {} | {} | {}",
        or_dash(commit.kind.clone()),
        commit
            .scope
            .as_ref()
            .map(|s| format!("({s})"))
            .unwrap_or_default(),
        if commit.breaking { "!" } else { "" },
        commit.bump,
        or_dash(commit.section.map(|s| format!("{s:?}"))),
        or_dash(commit.pr.map(|pr| format!("#{pr}"))),
        commit.summary,
        or_dash(commit.breaking_description.clone()),
    )
}

#[test]
fn classify_reads_type_scope_breaking_and_pr() {
    let cases = [
        ("feat: add x", "feat -> minor Features - | add x | -"),
        // no blank line after the subject: the subject still classifies it
        (
            "feat: tight body\nright after the subject",
            "feat -> minor Features - | tight body | -",
        ),
        ("fix: mend y\n", "fix -> patch Fixes - | mend y | -"),
        (
            "perf: faster z",
            "perf -> patch Performance - | faster z | -",
        ),
        ("docs: explain", "docs -> none - - | explain | -"),
        ("chore: tidy", "chore -> none - - | tidy | -"),
        ("Feat: shout", "feat -> minor Features - | shout | -"),
        ("FIX(Core): loud", "fix(Core) -> patch Fixes - | loud | -"),
        (
            "feat(api): add y",
            "feat(api) -> minor Features - | add y | -",
        ),
        (
            "feat(api)!: drop z",
            "feat(api)! -> major Breaking - | drop z | -",
        ),
        (
            "refactor!: rename",
            "refactor! -> major Breaking - | rename | -",
        ),
        (
            "feat: new api\n\nSome body.\n\nBREAKING CHANGE: `old` is gone",
            "feat! -> major Breaking - | new api | `old` is gone",
        ),
        (
            "fix: tighten\n\nBREAKING-CHANGE: rejects empty input",
            "fix! -> major Breaking - | tighten | rejects empty input",
        ),
        (
            "chore(deps): bump toml\n\nBREAKING CHANGE: MSRV is 1.95",
            "chore(deps)! -> major Breaking - | bump toml | MSRV is 1.95",
        ),
        ("fix: parse (#12)", "fix -> patch Fixes #12 | parse | -"),
        (
            "fix: see (#12) again",
            "fix -> patch Fixes - | see (#12) again | -",
        ),
        ("fix: odd (#12a)", "fix -> patch Fixes - | odd (#12a) | -"),
        ("Update README (#7)", "- -> none - #7 | Update README | -"),
        ("Update README", "- -> none - - | Update README | -"),
        ("fix:", "- -> none - - | fix: | -"),
        ("feat add x", "- -> none - - | feat add x | -"),
        (
            "fixup! feat: add x",
            "- -> none - - | fixup! feat: add x | -",
        ),
        ("squash! fix: y", "- -> none - - | squash! fix: y | -"),
        (
            "Merge pull request #3 from o/feat\n\nfeat: x",
            "- -> none - - | Merge pull request #3 from o/feat | -",
        ),
        (
            "Revert \"feat: x\"\n\nThis reverts commit 89abcdef.",
            "- -> none - - | Revert \"feat: x\" | -",
        ),
        (
            "revert: feat: x\n\nThis reverts commit 89abcdef.",
            "revert -> none - - | feat: x | -",
        ),
        (
            "feat(io): read\r\n\r\nBody line.\r\n\r\nBREAKING CHANGE: sync only\r\n",
            "feat(io)! -> major Breaking - | read | sync only",
        ),
    ];
    for (message, expected) in cases {
        assert_eq!(
            describe(&classify(ID, message, &CommitRules::default())),
            expected,
            "message {message:?}"
        );
    }
}

#[test]
fn classify_keeps_ids_and_finds_the_reverted_hash() {
    let commit = classify(
        ID,
        "Revert \"feat: x\"\n\nThis reverts commit 89ABCDEF0123.\n",
        &CommitRules::default(),
    );
    assert_eq!(commit.id, ID);
    assert_eq!(commit.short_id, "0123456");
    assert_eq!(commit.reverts.as_deref(), Some("89abcdef0123"));
    let rules = CommitRules::default();
    let crlf = classify(
        ID,
        "revert: x\r\n\r\nThis reverts commit 89abcdef.\r\n",
        &rules,
    );
    assert_eq!(crlf.reverts.as_deref(), Some("89abcdef"));
    assert_eq!(
        classify(ID, "fix: x\n\nThis reverts commit nothing.", &rules).reverts,
        None
    );
    assert_eq!(
        classify(ID, "This reverts commit 89abcdef.", &rules).reverts,
        None
    );
}

fn commit(id: &str, message: &str) -> ConventionalCommit {
    classify(id, message, &CommitRules::default())
}

#[test]
fn dependency_updates_are_patches_listed_under_dependencies() {
    let cases = [
        (
            "chore(deps): update rust crate serde to v1.0.219",
            "chore(deps) -> patch Dependencies - | update rust crate serde to v1.0.219 | -",
        ),
        (
            "build(deps): bump tokio from 1.40.0 to 1.41.0 (#88)",
            "build(deps) -> patch Dependencies #88 | bump tokio from 1.40.0 to 1.41.0 | -",
        ),
        (
            "fix(deps): update rust crate toml to 0.9",
            "fix(deps) -> patch Dependencies - | update rust crate toml to 0.9 | -",
        ),
        (
            "deps: bump log",
            "deps -> patch Dependencies - | bump log | -",
        ),
        (
            "chore(deps-dev): bump insta",
            "chore(deps-dev) -> none - - | bump insta | -",
        ),
        (
            "docs(deps): explain",
            "docs(deps) -> none - - | explain | -",
        ),
        (
            "chore(deps)!: drop MSRV 1.70",
            "chore(deps)! -> major Breaking - | drop MSRV 1.70 | -",
        ),
    ];
    for (message, expected) in cases {
        assert_eq!(describe(&commit(ID, message)), expected, "{message:?}");
    }
}

#[test]
fn configured_rules_set_the_bump_of_each_type_and_of_plain_subjects() {
    let rules = CommitRules {
        types: [
            ("feat", Bump::Minor),
            ("fix", Bump::Patch),
            ("refactor", Bump::Patch),
            ("perf", Bump::None),
            ("deps", Bump::None),
        ]
        .into_iter()
        .map(|(k, b)| (k.to_owned(), b))
        .collect(),
        non_conventional: Bump::Patch,
    };
    let cases = [
        (
            "refactor: split x",
            "refactor -> patch Other - | split x | -",
        ),
        ("perf: faster", "perf -> none Performance - | faster | -"),
        (
            "chore(deps): bump x",
            "chore(deps) -> none Dependencies - | bump x | -",
        ),
        ("docs: explain", "docs -> none - - | explain | -"),
        ("Update README", "- -> patch Other - | Update README | -"),
        (
            "Merge pull request #3 from o/x",
            "- -> none - - | Merge pull request #3 from o/x | -",
        ),
        (
            "refactor!: rename",
            "refactor! -> major Breaking - | rename | -",
        ),
    ];
    for (message, expected) in cases {
        assert_eq!(
            describe(&classify(ID, message, &rules)),
            expected,
            "{message:?}"
        );
    }
}

#[test]
fn release_as_is_read_from_a_footer_in_any_case_never_the_subject() {
    let read = |message: &str| commit(ID, message).release_as;
    assert_eq!(
        read("feat: x\n\nRelease-As: 2.0.0").as_deref(),
        Some("2.0.0")
    );
    assert_eq!(
        read("chore: x\n\nbody\n\nrelease-as:  1.5.0-rc.1 \nSigned-off-by: A <a@b>").as_deref(),
        Some("1.5.0-rc.1")
    );
    assert_eq!(read("Release-As: 2.0.0"), None);
    assert_eq!(read("fix: y\n\nRelease-As:"), None);
}

fn ids(commits: &[ConventionalCommit]) -> Vec<&str> {
    commits.iter().map(|c| c.id.as_str()).collect()
}

#[test]
fn revert_and_its_target_both_drop_out() {
    let commits = vec![
        commit(
            "cccc3333",
            "Revert \"feat: x\"\n\nThis reverts commit aaaa1111.",
        ),
        commit("bbbb2222", "fix: y"),
        commit("aaaa1111", "feat: x"),
    ];
    assert_eq!(ids(&drop_reverted(commits)), ["bbbb2222"]);
}

#[test]
fn revert_matches_its_target_by_prefix() {
    let commits = vec![
        commit("cccc3333", "revert: x\n\nThis reverts commit aaaa11."),
        commit("aaaa1111ffff", "feat: x"),
    ];
    assert!(drop_reverted(commits).is_empty());
}

#[test]
fn revert_of_nothing_stays_but_bumps_nothing_and_is_not_listed() {
    let revert = commit("cccc3333", "fix: undo x\n\nThis reverts commit aaaa1111.");
    assert_eq!(revert.bump, Bump::Patch);
    let kept = drop_reverted(vec![revert, commit("bbbb2222", "feat: y")]);
    assert_eq!(ids(&kept), ["cccc3333", "bbbb2222"]);
    assert_eq!((kept[0].bump, kept[0].section), (Bump::None, None));
    assert_eq!(
        (kept[1].bump, kept[1].section),
        (Bump::Minor, Some(Section::Features))
    );
}

#[test]
fn reverting_a_revert_brings_the_original_back() {
    // dddd reverts cccc, which reverted aaaa: aaaa is in effect again.
    let commits = vec![
        commit(
            "dddd4444",
            "Revert \"Revert \\\"feat: x\\\"\"\n\nThis reverts commit cccc3333.",
        ),
        commit(
            "cccc3333",
            "Revert \"feat: x\"\n\nThis reverts commit aaaa1111.",
        ),
        commit("aaaa1111", "feat: x"),
    ];
    let kept = drop_reverted(commits);
    assert_eq!(ids(&kept), ["aaaa1111"]);
    assert_eq!(kept[0].bump, Bump::Minor);
}

#[test]
fn commits_without_reverts_pass_through_unchanged() {
    let commits = vec![commit("bbbb2222", "fix: y"), commit("aaaa1111", "feat: x")];
    assert_eq!(drop_reverted(commits.clone()), commits);
}
