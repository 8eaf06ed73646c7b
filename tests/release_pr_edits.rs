//! The Release PR is the maintainer's (DESIGN §3 "Idempotency"): what they push on the release
//! branch survives prepare, or the branch is left as it is with a word on the PR — never lost
//! without one (what a merge releases is `release_pr_merges.rs`'s). Each test is named by what
//! the maintainer did, and runs the real binary against a real git repository (origin a local
//! bare one, the maintainer's edits pushed from their own clone, `support::maintainer`) and the
//! stateful fake GitHub. Every dry run is checked against the fake's request log and origin's
//! refs.

mod support;

use serde_json::Value;
use support::maintainer::*;
use support::world::*;
use support::*;

// ── edits survive prepare ────────────────────────────────────────────────────────────────────

#[test]
fn a_reworded_changelog_line_survives_two_later_prepares() {
    let w = World::new();
    w.prepare().ok();
    let release_commit = w.release_branch().unwrap();
    reword_core(&w);

    // A dry run builds the new branch in a scratch worktree and writes nothing.
    fix_app(&w);
    let run = dry(&w, "push", w.push_event()).ok();
    let out = stdout(&run.out);
    assert!(
        out.contains("with 1 commit(s) of the maintainer on top"),
        "{out}"
    );
    let would = out
        .split("dry run: would push ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .unwrap_or_else(|| panic!("{out}"))
        .to_owned();

    let first = w.prepare().ok();
    // The replay is deterministic: the run pushes what its dry run showed.
    assert!(w.release_branch().unwrap().starts_with(&would), "{would}");
    for later in [
        None,
        Some(("crates/util/src/lib.rs", "fix(util): trim the input")),
    ] {
        if let Some((rel, message)) = later {
            push_to_main(&w, rel, message);
            w.prepare().ok();
        }
        let line = changelog_line(&w, "core", "add a parser");
        assert!(line.contains("add a parser for widget files"), "{line}");
        assert!(changelog_line(&w, "app", "keep the output short").starts_with("- "));
        let commits = branch_commits(&w);
        assert_eq!(commits.len(), 2, "{commits:?}");
        assert_eq!(commits[0].0, MAINTAINER, "their commit stays theirs");
        assert_eq!(commits[0].1, "docs(core): say what the parser reads");
        assert!(commits[1].1.starts_with("chore(release):"), "{commits:?}");
        assert!(commits[1].2.contains("Releasekit-Plan: "), "{commits:?}");
        let body = body(&w);
        assert!(body.contains("add a parser for widget files"), "{body}");
        assert!(
            body.contains("| `core` (edited in this PR: changelog) |"),
            "{body}"
        );
        assert!(!body.contains("`app` (edited"), "{body}");
    }
    assert!(
        w.branch_file("crates/util/CHANGELOG.md")
            .contains("trim the input")
    );
    assert_ne!(w.release_branch().unwrap(), release_commit);
    assert!(
        first
            .summary
            .contains("1 commit(s) of the maintainer kept on top"),
        "{}",
        first.summary
    );

    // Nothing new: the same commits, no push, no PATCH.
    let tip = w.release_branch().unwrap();
    let again = w.prepare().ok();
    assert!(again.writes.is_empty(), "{:?}", again.writes);
    assert_eq!(w.release_branch().unwrap(), tip);
}

#[test]
fn main_merged_into_the_release_branch_is_replaced_by_the_new_base_and_the_edits_stay() {
    let w = World::new();
    w.prepare().ok();
    reword_core(&w);
    // A fix lands on main while no prepare runs; the maintainer presses "Update branch".
    fix_app(&w);
    update_branch(&w, &["merge", "-q", "--no-edit"]);
    assert_eq!(branch_commits(&w).len(), 3, "release, reword, merge");
    push_to_main(&w, "crates/util/src/lib.rs", "fix(util): trim the input");
    let run = w.prepare().ok();
    let commits = branch_commits(&w);
    let subjects: Vec<&str> = commits.iter().map(|c| c.1.as_str()).collect();
    assert_eq!(subjects.len(), 2, "the merge is gone: {subjects:?}");
    assert_eq!(commits[0].0, MAINTAINER);
    assert!(subjects[1].starts_with("chore(release):"), "{subjects:?}");
    w.repo.git(&["fetch", "-q", "origin"]);
    let parent = w.repo.git(&["rev-parse", "origin/releasekit/release~1^"]);
    assert_eq!(parent.trim(), w.head(), "built on the newest main");
    assert!(changelog_line(&w, "core", "add a parser").contains("for widget files"));
    let app = w.branch_file("crates/app/CHANGELOG.md");
    assert!(
        app.contains("keep the output short") && app.contains("tidy the output"),
        "{app}"
    );
    assert!(
        run.summary
            .contains("1 commit(s) of the maintainer kept on top"),
        "{}",
        run.summary
    );
}

#[test]
fn a_version_typed_into_the_release_pr_is_released_and_tagged_at_that_version() {
    let w = World::new();
    // `cli` needs core "0.1" and has nothing to release by itself.
    let manifest = manifest(
        "cli",
        "0.1.0",
        "[dependencies]\ncore = { path = \"../core\", version = \"0.1\", registry = \"test\" }\n",
    )
    .replace("license = ", "publish = [\"test\"]\nlicense = ");
    w.repo.write("crates/cli/Cargo.toml", &manifest);
    w.repo
        .write("crates/cli/src/lib.rs", "//! the command line\n");
    w.generate_lockfile();
    w.repo.commit("chore: add the cli crate");
    w.repo.tag("cli-v0.1.0");
    w.repo.git(&["push", "-q", "origin", "main", "--tags"]);
    w.prepare().ok();
    assert!(
        w.branch_file("crates/cli/Cargo.toml")
            .contains("version = \"0.1.0\"")
    );

    // On GitHub's web editor: the manifest only.
    on_the_branch(&w, "chore(core): the parser is worth a 0.2", |dir| {
        replace(
            dir,
            "crates/core/Cargo.toml",
            "version = \"0.1.1\"",
            "version = \"0.2.0\"",
        );
    });
    fix_app(&w);
    let run = dry(&w, "push", w.push_event()).ok();
    assert!(
        stdout(&run.out).contains("versions typed into the Release PR, taken as given: core 0.2.0"),
        "{}",
        stdout(&run.out)
    );
    let run = w.prepare().ok();

    // The version stays; the dependents follow it, on the same branch.
    let core = w.branch_file("crates/core/Cargo.toml");
    assert!(core.contains("version = \"0.2.0\""), "{core}");
    let cli = w.branch_file("crates/cli/Cargo.toml");
    assert!(cli.contains("version = \"0.1.1\""), "cli is bumped:\n{cli}");
    assert!(
        cli.contains("version = \"0.2.0\", registry"),
        "its requirement follows:\n{cli}"
    );
    assert!(
        w.branch_file("crates/util/Cargo.toml")
            .contains("version = \"0.2.0\", registry")
    );
    assert!(
        w.branch_file("Cargo.lock")
            .contains("name = \"core\"\nversion = \"0.2.0\"")
    );
    assert!(
        w.branch_file("crates/core/CHANGELOG.md")
            .contains("## [0.2.0]")
    );
    let body = body(&w);
    assert!(
        body.contains("| `core` (edited in this PR: version) | 0.1.0 → 0.2.0 |"),
        "{body}"
    );
    assert!(
        body.contains("version 0.2.0 typed into the Release PR"),
        "{body}"
    );
    assert!(body.contains("dependency core → 0.2.0"), "{body}");
    let plan: Value = serde_json::from_str(&run.outputs["plan"]).unwrap();
    let planned = |name: &str| {
        plan["crates"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .map(|c| c["planned_version"].as_str().unwrap().to_owned())
            .unwrap()
    };
    assert_eq!(
        (planned("core"), planned("cli")),
        ("0.2.0".into(), "0.1.1".into())
    );
    let commits = branch_commits(&w);
    assert_eq!(commits[0].0, MAINTAINER);
    assert!(
        commits[1].2.contains("Releasekit-Kept: core 0.2.0"),
        "{commits:?}"
    );

    // Nothing new: the kept version holds, nothing is written.
    let tip = w.release_branch().unwrap();
    let again = w.prepare().ok();
    assert!(again.writes.is_empty(), "{:?}", again.writes);
    assert_eq!(w.release_branch().unwrap(), tip);

    let event = w.merge_release_pr(1);
    let merge = w.head();
    dry(&w, "pull_request", event.clone()).ok();
    let run = w.action("pull_request", event, &[]).ok();
    assert_eq!(
        released(&run),
        [
            ("app".into(), "0.1.1".into()),
            ("cli".into(), "0.1.1".into()),
            ("core".into(), "0.2.0".into()),
            ("util".into(), "0.1.1".into()),
        ]
    );
    let refs = w.gh.refs();
    assert!(refs.contains_key("refs/tags/core-v0.2.0"), "{refs:?}");
    assert!(!refs.contains_key("refs/tags/core-v0.1.1"), "{refs:?}");
    assert!(
        w.gh.tag_objects()
            .iter()
            .all(|t| t["object"]["sha"] == merge.as_str())
    );
    assert!(release_body(&w, "core-v0.2.0").contains("add a parser"));
    let dispatched = &w.gh.dispatches()[0].1["client_payload"]["crates"];
    assert!(
        dispatched
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["name"] == "core" && c["version"] == "0.2.0"),
        "notify takes the same set: {dispatched}"
    );
}

// ── conflicts ───────────────────────────────────────────────────────────────────────────────

#[test]
fn a_conflicting_edit_leaves_the_branch_untouched_and_comments_once() {
    let w = World::new();
    w.prepare().ok();
    reword_core(&w);
    let tip = w.release_branch().unwrap();
    let pull = w.gh.pull(1);
    // The new entry lands right above the reworded line.
    push_to_main(&w, "crates/core/src/lib.rs", "feat(core): add a lexer");

    let run = dry(&w, "push", w.push_event()).ok();
    assert!(
        stdout(&run.out).contains("dry run: would comment on #1"),
        "{}",
        stdout(&run.out)
    );
    assert!(w.gh.comments(1).is_empty());

    let run = w.prepare().ok();
    assert_eq!(run.writes, ["POST /repos/acme/widgets/issues/1/comments"]);
    assert_eq!(
        w.release_branch().unwrap(),
        tip,
        "the branch is left as it is"
    );
    let now = w.gh.pull(1);
    assert_eq!(
        (&now["title"], &now["body"]),
        (&pull["title"], &pull["body"])
    );
    let comments = w.gh.comments(1);
    assert_eq!(comments.len(), 1);
    let comment = &comments[0];
    assert!(comment.contains("`crates/core/CHANGELOG.md`"), "{comment}");
    assert!(
        comment.contains("**Resolve it on the branch:**"),
        "{comment}"
    );
    assert!(
        comment.contains("**Start over:** delete the branch `releasekit/release`"),
        "{comment}"
    );
    assert!(
        run.summary.contains("**Left as it is:**"),
        "{}",
        run.summary
    );
    assert!(run.summary.contains("Commented on [#1]"), "{}", run.summary);

    let again = w.prepare().ok();
    assert!(again.writes.is_empty(), "{:?}", again.writes);
    assert_eq!(w.gh.comments(1).len(), 1, "no second comment");
    assert!(
        again.summary.contains("has the comment about it already"),
        "{}",
        again.summary
    );

    // Start over: the branch deleted, the next prepare builds it afresh (the PR is reopened
    // by GitHub's branch restore in life; here the fake keeps it open).
    git_in(
        w.origin.path(),
        &["update-ref", "-d", "refs/heads/releasekit/release"],
    );
    w.prepare().ok();
    assert!(
        w.branch_file("crates/core/CHANGELOG.md")
            .contains("add a lexer")
    );
    assert_eq!(branch_commits(&w).len(), 1);
}

#[test]
fn a_branch_whose_release_commit_was_rewritten_is_left_as_it_is() {
    let w = World::new();
    w.prepare().ok();
    // The maintainer amends the release commit (its trailer gone) and force-pushes.
    as_maintainer(&w, |dir| {
        git_in(
            dir,
            &["commit", "-q", "--amend", "-m", "chore(release): my own"],
        );
    });
    let tip = w.release_branch().unwrap();
    push_to_main(&w, "crates/app/src/lib.rs", "fix(app): more");
    let run = w.prepare().ok();
    assert_eq!(w.release_branch().unwrap(), tip);
    assert_eq!(run.writes, ["POST /repos/acme/widgets/issues/1/comments"]);
    let comment = &w.gh.comments(1)[0];
    assert!(comment.contains("the branch was rewritten"), "{comment}");
    assert!(comment.contains("**Start over:**"), "{comment}");
}

#[test]
fn a_release_commit_amended_or_fixed_up_is_left_as_it_is_with_a_comment() {
    // `git commit -a --amend --no-edit`, and a fixup squashed into the release commit: both keep
    // its trailers, and both put the maintainer's reword inside it.
    let amend = |dir: &std::path::Path| {
        git_in(dir, &["commit", "-q", "-a", "--amend", "--no-edit"]);
    };
    let fixup = |dir: &std::path::Path| {
        git_in(dir, &["commit", "-q", "-a", "--fixup", "HEAD"]);
        let rebase = [
            "-c",
            "sequence.editor=true",
            "rebase",
            "-q",
            "-i",
            "--autosquash",
        ];
        git_in(dir, &[&rebase[..], &["HEAD~2"]].concat());
    };
    for (how, rewrite) in [
        ("amend", &amend as &dyn Fn(&std::path::Path)),
        ("fixup", &fixup),
    ] {
        let w = World::new();
        w.prepare().ok();
        as_maintainer(&w, |dir| {
            replace(
                dir,
                "crates/core/CHANGELOG.md",
                "add a parser",
                "add a parser for widget files",
            );
            rewrite(dir);
        });
        let commits = branch_commits(&w);
        assert_eq!(commits.len(), 1, "{how}: {commits:?}");
        assert!(
            commits[0].2.contains("Releasekit-Plan: "),
            "{how}: {commits:?}"
        );
        let tip = w.release_branch().unwrap();
        fix_app(&w);

        dry(&w, "push", w.push_event()).ok();
        let run = w.prepare().ok();
        assert_eq!(w.release_branch().unwrap(), tip, "{how}: left as it is");
        assert!(
            changelog_line(&w, "core", "add a parser").contains("widget files"),
            "{how}"
        );
        assert_eq!(
            run.writes,
            ["POST /repos/acme/widgets/issues/1/comments"],
            "{how}"
        );
        let comment = &w.gh.comments(1)[0];
        assert!(comment.contains("was amended"), "{how}: {comment}");
        assert!(
            comment.contains("**Keep your edit as a commit of its own:**"),
            "{how}: {comment}"
        );
        assert!(run.summary.contains("**Left as it is:**"), "{how}");
        let again = w.prepare().ok();
        assert!(again.writes.is_empty(), "{how}: {:?}", again.writes);
    }
}

#[test]
fn a_release_branch_rebased_on_main_is_still_the_tools_and_keeps_the_edits() {
    // GitHub's "Update branch" by rebase: every commit made again on the newer main.
    let w = World::new();
    w.prepare().ok();
    reword_core(&w);
    fix_app(&w);
    update_branch(&w, &["rebase", "-q"]);
    push_to_main(&w, "crates/util/src/lib.rs", "fix(util): trim the input");
    let run = w.prepare().ok();
    assert!(w.gh.comments(1).is_empty(), "{:?}", w.gh.comments(1));
    assert!(changelog_line(&w, "core", "add a parser").contains("widget files"));
    assert!(
        w.branch_file("crates/app/CHANGELOG.md")
            .contains("keep the output short")
    );
    assert!(
        w.branch_file("crates/util/CHANGELOG.md")
            .contains("trim the input")
    );
    assert!(
        run.summary
            .contains("1 commit(s) of the maintainer kept on top"),
        "{}",
        run.summary
    );
}

#[test]
fn a_maintainer_commit_below_the_release_commit_leaves_the_branch_as_it_is() {
    let w = World::new();
    w.prepare().ok();
    // Reordered as after a `git rebase -i`: their fix first, the release commit on top of it.
    let below = as_maintainer(&w, |dir| {
        git_in(dir, &["reset", "-q", "--hard", "HEAD~1"]);
        let lib = dir.join("crates/core/src/lib.rs");
        let text = std::fs::read_to_string(&lib).unwrap();
        std::fs::write(lib, text + "// the maintainer's last-minute fix\n").unwrap();
        git_in(
            dir,
            &["commit", "-q", "-a", "-m", "fix(core): last-minute fix"],
        );
        git_in(dir, &["cherry-pick", "origin/releasekit/release"]);
    });
    let below = git_in(w.origin.path(), &["rev-parse", &format!("{below}~1")]);
    let tip = w.release_branch().unwrap();
    push_to_main(&w, "crates/util/src/lib.rs", "fix(util): trim the input");

    dry(&w, "push", w.push_event()).ok();
    let run = w.prepare().ok();
    assert_eq!(w.release_branch().unwrap(), tip, "left as it is");
    assert!(
        w.branch_file("crates/core/src/lib.rs")
            .contains("last-minute fix")
    );
    assert_eq!(run.writes, ["POST /repos/acme/widgets/issues/1/comments"]);
    let comment = &w.gh.comments(1)[0];
    assert!(comment.contains(&below[..7]), "{comment}");
    assert!(comment.contains("below the release commit"), "{comment}");
    assert!(
        comment.contains("**Move them above the release commit:**"),
        "{comment}"
    );
    assert!(w.prepare().ok().writes.is_empty());
}

#[test]
fn a_typed_version_with_its_changelog_heading_renamed_survives_later_prepares_on_later_days() {
    // The README's invitation, literally: the version typed into Cargo.toml, the heading made
    // to follow it (its compare link and date left as they were).
    let w = World::new();
    w.prepare().ok();
    let first = w.branch_file("crates/app/CHANGELOG.md");
    let day = first
        .lines()
        .find(|l| l.starts_with("## [0.1.1]"))
        .and_then(|l| l.rsplit(" - ").next())
        .unwrap()
        .to_owned();
    type_app_0_2_0(&w);
    for (n, date) in [(1, "2099-01-02T12:00:00Z"), (2, "2099-01-05T12:00:00Z")] {
        push_to_main_dated(
            &w,
            "crates/util/src/lib.rs",
            &format!("fix(util): trim the input, take {n}"),
            date,
        );
        let run = w.prepare().ok();
        assert!(w.gh.comments(1).is_empty(), "{:?}", w.gh.comments(1));
        assert!(run.summary.contains("Updated [#1]"), "{}", run.summary);
        let app = w.branch_file("crates/app/CHANGELOG.md");
        let headings: Vec<&str> = app.lines().filter(|l| l.starts_with("## [0.")).collect();
        // The heading follows the version; the section keeps the day the PR was opened.
        assert_eq!(
            headings[0],
            format!(
                "## [0.2.0](https://github.com/acme/widgets/compare/app-v0.1.0...app-v0.2.0) - {day}"
            ),
            "{app}"
        );
        assert!(!app.contains("## [0.1.1]"), "{app}");
        assert!(
            w.branch_file("crates/util/CHANGELOG.md")
                .contains(&format!("## [0.1.1](https://github.com/acme/widgets/compare/util-v0.1.0...util-v0.1.1) - {day}")),
            "{}",
            w.branch_file("crates/util/CHANGELOG.md")
        );
        assert!(
            w.branch_file("crates/app/Cargo.toml")
                .contains("version = \"0.2.0\"")
        );
        // Prepared twice: nothing new, nothing written.
        let again = w.prepare().ok();
        assert!(again.writes.is_empty(), "{:?}", again.writes);
    }
    let commits = branch_commits(&w);
    assert_eq!(commits[0].0, MAINTAINER, "{commits:?}");
    assert!(
        commits[1].2.contains(&format!("Releasekit-Date: {day}")),
        "{commits:?}"
    );
}

#[test]
fn a_version_typed_for_another_groups_crate_is_not_described_by_this_release_pr() {
    let w = World::new();
    w.configure(
        "[groups.base]\nmembers = [\"core\", \"util\"]\n",
        "chore: release groups",
    );
    w.prepare().ok();
    let pulls = w.gh.pulls();
    let app_pr = pulls
        .iter()
        .find(|p| p["head"]["ref"] == "releasekit/release")
        .and_then(|p| p["number"].as_u64())
        .unwrap();
    // On the Release PR of the crates no group claims (app's), core — base's — is typed.
    on_the_branch(&w, "chore: core 0.3.0", |dir| {
        replace(
            dir,
            "crates/core/Cargo.toml",
            "version = \"0.1.0\"",
            "version = \"0.3.0\"",
        );
    });
    push_to_main(&w, "crates/app/src/lib.rs", "fix(app): later");
    w.prepare().ok();
    let body = w.gh.pull(app_pr)["body"].as_str().unwrap().to_owned();
    let manifest = body
        .rsplit("releasekit-manifest")
        .next()
        .unwrap_or_default();
    assert!(!manifest.contains("\"core\""), "{body}");
    assert!(!body.contains("| `core`"), "{body}");
    assert!(!body.contains("core 0.3.0 is released"), "{body}");
    // The typed version is not this PR's to take, and the branch carries it with a Cargo.lock
    // and requirements that do not follow: the body says merging is refused, and it is.
    let note = "merging this PR would be refused: Cargo.lock gives core 0.1.0, crates/core/Cargo.toml gives 0.3.0";
    assert!(body.contains(note), "{body}");
    let event = w.merge_release_pr(app_pr);
    let before = world_state(&w);
    let run = w.action("pull_request", event, &[]);
    assert_refused(
        &run.out,
        &[&note["merging this PR would be refused: ".len()..]],
    );
    assert_nothing_changed(&w, &before, &run);
}

#[test]
fn a_typed_version_below_what_later_commits_ask_for_is_kept_and_said() {
    let w = World::new();
    w.prepare().ok();
    on_the_branch(&w, "chore(app): 0.1.2", |dir| {
        replace(
            dir,
            "crates/app/Cargo.toml",
            "version = \"0.1.1\"",
            "version = \"0.1.2\"",
        );
    });
    push_to_main(
        &w,
        "crates/app/src/lib.rs",
        "feat(app)!: drop the old output format",
    );
    let run = w.prepare().ok();
    let note = "app 0.1.2 was typed into the Release PR, but its changes since the last release ask for 0.2.0: released at 0.1.2 as typed (type 0.2.0 to follow them)";
    assert!(body(&w).contains(note), "{}", body(&w));
    assert!(run.summary.contains(note), "{}", run.summary);
    assert!(
        w.branch_file("crates/app/Cargo.toml")
            .contains("version = \"0.1.2\"")
    );
}

#[test]
fn a_breaking_code_commit_pushed_on_the_release_branch_is_named_in_the_pr() {
    let w = World::new();
    w.prepare().ok();
    let id = on_the_branch(&w, "feat(app)!: remove the old flag", |dir| {
        let path = dir.join("crates/app/src/lib.rs");
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(path, text + "// the old flag is gone\n").unwrap();
    });
    push_to_main(&w, "crates/util/src/lib.rs", "fix(util): trim the input");
    let run = w.prepare().ok();
    let note = format!(
        "1 commit(s) on this branch ask for a release (major at most), but the plan counts the base branch's commits only — they are released with this PR in no changelog section and bump nothing: `feat(app)!: remove the old flag` ({})",
        &id[..7]
    );
    assert!(body(&w).contains(&note), "{}", body(&w));
    assert!(run.summary.contains(&note), "{}", run.summary);
    // The commit itself is kept, as any of the maintainer's.
    assert!(
        w.branch_file("crates/app/src/lib.rs")
            .contains("the old flag is gone")
    );
}

#[test]
fn a_note_added_to_the_pr_body_stays_while_nothing_new_comes() {
    let w = World::new();
    w.prepare().ok();
    let noted = body(&w).replacen(
        "\n\n",
        "\n\nMaintainer's note: ship after the blog post.\n\n",
        1,
    );
    w.gh.edit_pull(1, None, Some(&noted));
    let run = w.prepare().ok();
    assert!(run.writes.is_empty(), "{:?}", run.writes);
    assert_eq!(body(&w), noted);
    // Something new to say: the body is written again, as the PR says it is.
    fix_app(&w);
    w.prepare().ok();
    assert!(!body(&w).contains("Maintainer's note"), "{}", body(&w));
    assert!(body(&w).contains("keep the output short"), "{}", body(&w));
}
