//! Hostile input cannot steer a release (DESIGN §3 "Untrusted text"): text written by people
//! the maintainer does not control — commit messages, manifests, changelog files, PR bodies,
//! the event, configuration and tokens — written here as an attacker would, against the real
//! binary. Each test asserts the exit code and the message, and that nothing changed: no file
//! outside the repository, no ref of origin, no write request to the fake GitHub, no upload to
//! the registry.

mod support;

use std::path::Path;
use std::process::{Command, Output};

use serde_json::{Value, json};
use support::world::*;
use support::*;

// ── fixtures ─────────────────────────────────────────────────────────────────────────────────

/// Two crates `a` and `b` in `crates/`, released once (`a-v1.0.0`, `b-v1.0.0`), with a lock file.
fn two_crates() -> Repo {
    let repo = Repo::new();
    repo.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"crates/*\"]\nresolver = \"2\"\n",
    );
    add_crate(&repo, "crates/a", "a", "1.0.0", "");
    add_crate(&repo, "crates/b", "b", "1.0.0", "");
    repo.lock();
    repo.commit("chore: initial import");
    repo.tag("a-v1.0.0");
    repo.tag("b-v1.0.0");
    repo
}

/// A file outside every repository of the test, and its text, to check it is left alone.
struct Outside {
    dir: tempfile::TempDir,
}

impl Outside {
    fn new() -> Outside {
        let outside = Outside {
            dir: tempfile::tempdir().unwrap(),
        };
        std::fs::write(outside.file(), "# their changelog\n").unwrap();
        outside
    }

    fn file(&self) -> std::path::PathBuf {
        self.dir.path().join("CHANGELOG.md")
    }

    fn assert_untouched(&self) {
        let mut names: Vec<String> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["CHANGELOG.md"], "a file was written outside");
        assert_eq!(
            std::fs::read_to_string(self.file()).unwrap(),
            "# their changelog\n"
        );
    }
}

fn link(target: &Path, at: &Path) {
    std::os::unix::fs::symlink(target, at).unwrap();
}

fn code(out: &Output) -> Option<i32> {
    out.status.code()
}

/// The manifest block of a Release PR body, and a function to put an edited one back.
fn edit_manifest(body: &str, edit: impl FnOnce(&mut Value)) -> String {
    let marker = "<!-- releasekit-manifest";
    let start = body.rfind(marker).unwrap() + marker.len();
    let end = start + body[start..].find("-->").unwrap();
    let mut manifest: Value = serde_json::from_str(&body[start..end]).unwrap();
    edit(&mut manifest);
    format!("{}\n{manifest}\n{}", &body[..start], &body[end..])
}

fn set_pr_body(w: &World, number: u64, body: &str) {
    let answer = w.gh.send(
        "PATCH",
        &format!("/repos/acme/widgets/pulls/{number}"),
        &json!({ "body": body }).to_string(),
        None,
    );
    assert_eq!(answer.status, 200);
}

// ── 1. writes stay inside the repository ─────────────────────────────────────────────────────

#[test]
fn apply_refuses_a_changelog_that_links_outside_and_writes_nothing() {
    let repo = two_crates();
    let outside = Outside::new();
    link(&outside.file(), &repo.path().join("crates/a/CHANGELOG.md"));
    repo.commit("docs(a): keep the changelog elsewhere");
    repo.change("crates/a/src/lib.rs", "fix(a): mend");
    let out = run(repo.path(), &["apply", "--offline"], &[]);
    assert_refused(
        &out,
        &["refusing to write crates/a/CHANGELOG.md: it is a symbolic link"],
    );
    outside.assert_untouched();
    assert_eq!(repo.status(), "", "no manifest was written either");
}

#[test]
fn apply_refuses_a_member_manifest_or_lock_file_that_links_outside() {
    for linked in ["crates/b/Cargo.toml", "Cargo.lock"] {
        let repo = two_crates();
        let outside = tempfile::tempdir().unwrap();
        let target = outside.path().join("file");
        std::fs::rename(repo.path().join(linked), &target).unwrap();
        link(&target, &repo.path().join(linked));
        repo.commit("chore: share the file");
        repo.change("crates/b/src/lib.rs", "feat(b): more");
        let before = std::fs::read_to_string(&target).unwrap();
        let out = run(repo.path(), &["apply", "--offline"], &[]);
        assert_refused(
            &out,
            &[&format!(
                "refusing to write {linked}: it is a symbolic link"
            )],
        );
        assert_eq!(
            std::fs::read_to_string(&target).unwrap(),
            before,
            "{linked}"
        );
        assert_eq!(repo.status(), "", "{linked}: nothing written");
    }
}

/// A contributor's PR can commit a file where the API checks cache a baseline's rustdoc JSON
/// (the cache key is predictable): it would stand in for the real baseline, and a removed
/// `pub fn` would ship as a patch. A target directory git tracks anything in is refused, on the
/// command line and in Actions, before anything is documented.
#[test]
fn a_file_committed_under_the_target_directory_is_refused_before_the_api_check() {
    let repo = two_crates();
    repo.write(".gitignore", "/target\n");
    let planted = "target/releasekit/semver/baseline-v1/a+a-v1.0.0-forged.json";
    repo.write(planted, "{}");
    repo.git(&["add", "-f", "target"]);
    repo.change("crates/a/src/lib.rs", "fix: tidy up");
    let runner = tempfile::tempdir().unwrap();
    let in_actions = action_env(repo.path(), runner.path(), &[("INPUT_ACTION", "plan")]);
    for out in [
        run(repo.path(), &["plan"], &[]),
        run(repo.path(), &["apply"], &[]),
        run_env(repo.path(), &[], &in_actions),
    ] {
        assert_refused(
            &out,
            &[
                &format!(
                    "cargo's target directory target cannot be used: git tracks 1 file(s) in it, such as {planted}"
                ),
                "git rm -r --cached target",
            ],
        );
        assert!(
            !repo.path().join("target/releasekit/semver/head").exists(),
            "nothing was documented"
        );
        assert_eq!(repo.status(), "", "nothing was written");
    }
}

/// A committed `target` link would send cargo's output and the API checks' cache outside the
/// checkout: plan and publish refuse it before cargo writes anything.
#[test]
fn a_committed_target_link_leading_outside_is_refused_and_nothing_is_written_there() {
    let repo = two_crates();
    let outside = tempfile::tempdir().unwrap();
    link(outside.path(), &repo.path().join("target"));
    repo.commit("chore: keep the build elsewhere");
    repo.change("crates/a/src/lib.rs", "fix: tidy");
    let runner = tempfile::tempdir().unwrap();
    let in_actions = action_env(repo.path(), runner.path(), &[("INPUT_ACTION", "plan")]);
    let publish = action_env(
        repo.path(),
        runner.path(),
        &[("INPUT_ACTION", "publish"), ("INPUT_DRY_RUN", "true")],
    );
    for out in [
        run(repo.path(), &["plan"], &[]),
        run_env(repo.path(), &[], &in_actions),
        run_env(repo.path(), &[], &publish),
        run(repo.path(), &["publish", "--dry-run"], &[]),
    ] {
        let to = outside.path().canonicalize().unwrap();
        assert_refused(
            &out,
            &[
                &format!(
                    "cargo's target directory target cannot be used: it is a link that leads outside the repository, to {}",
                    to.display()
                ),
                "git rm target",
            ],
        );
        let written: Vec<_> = std::fs::read_dir(outside.path()).unwrap().collect();
        assert!(written.is_empty(), "written outside: {written:?}");
    }
}

/// cargo accepts a member outside the workspace root (`members = ["../x"]` with
/// `package.workspace` pointing back): its manifest path in `cargo metadata` is outside the
/// repository, and its new changelog would be written there.
#[test]
fn apply_refuses_a_member_whose_manifest_cargo_places_outside_the_repository() {
    let repo = two_crates();
    let outside = tempfile::tempdir().unwrap();
    let member = outside.path().join("evil");
    std::fs::create_dir_all(member.join("src")).unwrap();
    std::fs::write(member.join("src/lib.rs"), "").unwrap();
    std::fs::write(
        member.join("Cargo.toml"),
        format!(
            "{}workspace = \"{}\"\n",
            manifest("evil", "0.1.0", "").replace("\n\n", "\n"),
            repo.path().display()
        ),
    )
    .unwrap();
    let relative = format!(
        "../{}/evil",
        outside.path().file_name().unwrap().to_str().unwrap()
    );
    repo.write(
        "Cargo.toml",
        &format!("[workspace]\nmembers = [\"crates/*\", \"{relative}\"]\nresolver = \"2\"\n"),
    );
    repo.commit("chore: a member elsewhere");
    let before = std::fs::read_to_string(member.join("Cargo.toml")).unwrap();
    let out = run(repo.path(), &["apply", "--offline"], &[]);
    assert_refused(
        &out,
        &[&format!(
            "refusing to write {}: it is outside the repository",
            member.join("Cargo.toml").display()
        )],
    );
    assert!(!member.join("CHANGELOG.md").exists());
    assert_eq!(
        std::fs::read_to_string(member.join("Cargo.toml")).unwrap(),
        before
    );
    assert_eq!(repo.status(), "");
}

#[test]
fn prepare_refuses_a_committed_changelog_link_naming_it_as_the_user_sees_it() {
    let w = World::new();
    let outside = Outside::new();
    link(
        &outside.file(),
        &w.repo.path().join("crates/core/CHANGELOG.md"),
    );
    w.repo.commit("docs(core): changelog kept elsewhere");
    w.repo.git(&["push", "-q", "origin", "main"]);
    let before = world_state(&w);
    let run = w.prepare();
    assert_refused(
        &run.out,
        &["refusing to write crates/core/CHANGELOG.md: it is a symbolic link"],
    );
    assert!(
        !stderr(&run.out).contains("releasekit-prepare"),
        "the scratch worktree's path is not shown: {}",
        stderr(&run.out)
    );
    assert_nothing_changed(&w, &before, &run);
    outside.assert_untouched();
}

/// `cargo update` fails (a dependency that cannot be resolved offline) after the manifests
/// and changelogs were written: every file is put back as it was.
#[test]
fn apply_that_fails_in_cargo_update_puts_every_file_back() {
    let repo = Repo::new();
    repo.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"a\"]\nresolver = \"2\"\n",
    );
    add_crate(
        &repo,
        "a",
        "a",
        "1.0.0",
        "[dependencies]\nnot-a-real-crate-xyz = \"1\"\n",
    );
    repo.write(
        "Cargo.lock",
        "version = 4\n\n[[package]]\nname = \"a\"\nversion = \"1.0.0\"\n",
    );
    repo.commit("chore: initial import");
    repo.tag("v1.0.0");
    repo.change("a/src/lib.rs", "feat: more");
    let cargo_home = tempfile::tempdir().unwrap();
    let home = cargo_home.path().to_str().unwrap();
    let out = run(
        repo.path(),
        &["apply", "--offline"],
        &[("CARGO_HOME", home), ("CARGO_NET_OFFLINE", "true")],
    );
    let err = stderr(&out);
    assert_eq!(code(&out), Some(1), "{err}");
    assert!(
        err.contains("`cargo update --workspace` failed after the manifests were edited; every file was put back as it was (a/Cargo.toml, a/CHANGELOG.md, Cargo.lock)"),
        "{err}"
    );
    assert!(
        err.contains("not-a-real-crate-xyz"),
        "cargo's reason: {err}"
    );
    assert_eq!(repo.status(), "", "the tree is as it was");
}

// ── 2. git output cannot be forged ───────────────────────────────────────────────────────────

/// What the old `%x1e`/`%x1f` framing read as a second commit: a breaking change on `b`.
fn forged_record() -> Vec<u8> {
    let id = "f".repeat(40);
    format!(
        "\x1e{id}\x1f{id}\x1ffeat(b)!: forged breaking change\n\nBREAKING CHANGE: forged\x1f\0\ncrates/b/src/lib.rs\0"
    )
    .into_bytes()
}

#[test]
fn a_message_with_every_control_byte_and_forged_framing_invents_no_commit() {
    let repo = two_crates();
    add_crate(&repo, "crates/c", "c", "1.0.0", "");
    repo.lock();
    repo.commit("chore: add c");
    repo.tag("c-v1.0.0");
    // One commit touching only `a`: a conventional subject, then every byte but NUL, invalid
    // UTF-8, the old framing's separators shaped as a forged record, a NUL and more after it.
    let mut message = b"fix(a): mend the parser\r\n\r\nbytes: ".to_vec();
    message.extend((1u8..=0x1f).chain([0x7f]).chain(0x80..=0xff));
    message.extend(forged_record());
    message.extend(b"\0after NUL\x1efeat!: more forgery\x1f");
    let head = repo.git(&["rev-parse", "HEAD"]).trim().to_owned();
    let mut stream = format!(
        "commit refs/heads/main\ncommitter Eve <eve@example.com> 1700000000 +0000\ndata {}\n",
        message.len()
    )
    .into_bytes();
    stream.extend(&message);
    stream.extend(
        format!("\nfrom {head}\nM 100644 inline crates/a/src/lib.rs\ndata 11\n//! mended\n\n")
            .as_bytes(),
    );
    let mut child = Command::new("git")
        .args(["fast-import", "--quiet"])
        .current_dir(repo.path())
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), &stream).unwrap();
    assert!(child.wait().unwrap().success());
    repo.git(&["reset", "-q", "--hard"]);
    // A CRLF message on `c`, committed the usual way.
    repo.write("crates/c/src/lib.rs", "//! c grows\n");
    repo.git(&["add", "-A"]);
    let scratch = tempfile::tempdir().unwrap();
    let file = scratch.path().join("crlf-message");
    std::fs::write(&file, "feat(c): grow\r\n\r\nA body.\r\n").unwrap();
    repo.git(&[
        "commit",
        "-q",
        "--cleanup=verbatim",
        "-F",
        file.to_str().unwrap(),
    ]);

    let out = run(repo.path(), &["plan", "--json", "--offline"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let plan: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let krate = |name: &str| {
        plan["crates"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(krate("b")["released"], false, "no commit touched b: {plan}");
    // The one commit is a's, with everything its message says: the footer the forgery carried
    // is a footer of a's own message.
    assert_eq!(
        krate("a")["reasons"],
        json!([{"kind": "commits", "count": 1, "bump": "major"}])
    );
    assert_eq!(krate("a")["planned_version"], "2.0.0");
    assert!(
        krate("a")["changelog"]
            .as_str()
            .unwrap()
            .contains("mend the parser"),
        "{plan}"
    );
    assert_eq!(krate("c")["planned_version"], "1.1.0", "CRLF keeps working");
}

/// A squash-merged PR's message can say anything: "This reverts commit <hash>." cancels the
/// named commit only when git shows the commit undoes it (`git revert`'s own commit does); a
/// `fix:` that merely claims to revert the maintainer's `feat!:` counts as a fix, the break
/// stays, and the plan says the claim was ignored.
#[test]
fn only_a_commit_whose_changes_undo_another_cancels_it() {
    let reverted = two_crates();
    reverted.change("crates/a/src/lib.rs", "feat: add x");
    reverted.git(&["revert", "--no-edit", "HEAD"]);
    let out = run(reverted.path(), &["plan", "--offline"], &[]);
    assert_success(&out);
    assert!(
        stdout(&out).contains("Nothing to release"),
        "a true revert cancels: {}",
        stdout(&out)
    );

    let claimed = two_crates();
    claimed.change("crates/a/src/lib.rs", "feat!: drop the old API");
    let breaking = claimed
        .git(&["rev-parse", "--short=7", "HEAD"])
        .trim()
        .to_owned();
    claimed.change(
        "crates/a/src/lib.rs",
        &format!("fix: typo in docs\n\nThis reverts commit {breaking}."),
    );
    let fix = claimed
        .git(&["rev-parse", "--short=7", "HEAD"])
        .trim()
        .to_owned();
    let out = run(claimed.path(), &["plan", "--offline"], &[]);
    assert_success(&out);
    let text = stdout(&out);
    assert!(
        text.contains("1.0.0 → 2.0.0  major  2 commits (major)"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "note: commit {fix} says it reverts {breaking}, but its changes are not the inverse of that commit's: it counts as a commit of its own, and {breaking} stays"
        )),
        "{text}"
    );
}

// ── 3. numbers are bounded, arithmetic checked ───────────────────────────────────────────────

#[test]
fn a_crate_at_the_largest_patch_number_is_an_error_never_a_downgrade() {
    let max = u64::MAX;
    let repo = Repo::new();
    add_crate(&repo, ".", "solo", &format!("0.1.{max}"), "");
    repo.lock();
    repo.commit("chore: initial import");
    repo.tag(&format!("v0.1.{max}"));
    repo.change("src/lib.rs", "fix: mend");
    for command in ["plan", "apply"] {
        let out = run(repo.path(), &[command, "--offline"], &[]);
        assert_refused(
            &out,
            &[
                "crate solo cannot be released",
                &format!("0.1.{max} has no next version: its patch number would pass {max}"),
            ],
        );
        assert_eq!(repo.status(), "", "{command} wrote nothing");
    }
}

/// `publish_timeout = i64::MAX` made upload workers panic on `Instant + Duration` and the main
/// thread wait forever after the uploads; now it is a configuration error before anything.
#[test]
fn the_largest_publish_timeout_is_refused_before_any_tag_or_upload() {
    let w = World::new();
    w.prepare().ok();
    let event = w.merge_release_pr(1);
    w.repo
        .write("releasekit.toml", "publish_timeout = 9223372036854775807\n");
    let before = world_state(&w);
    let run = w.action("pull_request", event, &[("INPUT_SKIP_PUBLISH", "false")]);
    assert_refused(
        &run.out,
        &[
            "releasekit.toml:1:19: invalid value \"9223372036854775807\" for publish_timeout: expected a number of seconds from 1 to 86400 (24 hours)",
        ],
    );
    assert_nothing_changed(&w, &before, &run);
    assert_eq!(w.gh.issue_labels(1), ["autorelease: pending"]);
}

// ── 4. the runner's files and the event are checked first ───────────────────────────────────

#[test]
fn an_unusable_output_or_summary_file_stops_release_before_any_tag() {
    let w = World::new();
    w.prepare().ok();
    let event = w.merge_release_pr(1);
    let dir = w.runner.path().display().to_string();
    let missing = format!("{dir}/gone/summary");
    for (variable, value, what) in [
        ("GITHUB_OUTPUT", dir.as_str(), "could not write output file"),
        (
            "GITHUB_STEP_SUMMARY",
            missing.as_str(),
            "could not write summary file",
        ),
    ] {
        let before = world_state(&w);
        let run = w.action("pull_request", event.clone(), &[(variable, value)]);
        assert_refused(&run.out, &[what, "GITHUB_OUTPUT and GITHUB_STEP_SUMMARY"]);
        assert_nothing_changed(&w, &before, &run);
        assert_eq!(w.gh.issue_labels(1), ["autorelease: pending"], "{variable}");
    }
}

#[test]
fn an_event_file_that_is_missing_a_directory_not_utf8_or_not_json_is_an_input_error() {
    let w = World::new();
    let dir = w.runner.path();
    std::fs::write(dir.join("binary.json"), b"{\"ref\": \"\xff\xfe\"}").unwrap();
    std::fs::write(dir.join("cut.json"), "{\"ref\": ").unwrap();
    let cases = [
        ("push", dir.join("missing.json"), "No such file"),
        ("push", dir.to_owned(), "directory"),
        ("push", dir.join("binary.json"), "is not UTF-8 text"),
        ("push", dir.join("cut.json"), "EOF while parsing"),
        ("issues", dir.join("cut.json"), "EOF while parsing"),
    ];
    for (name, path, why) in cases {
        let before = world_state(&w);
        let requests = w.gh.requests().len();
        let run = w.action(
            name,
            w.push_event(),
            &[("GITHUB_EVENT_PATH", path.to_str().unwrap())],
        );
        assert_refused(
            &run.out,
            &[
                "event payload cannot be read",
                why,
                "GITHUB_EVENT_PATH must point at",
            ],
        );
        assert_eq!(w.gh.requests().len(), requests, "not even a read was sent");
        assert_nothing_changed(&w, &before, &run);
    }
}

// ── 5. tokens are one printable line ─────────────────────────────────────────────────────────

#[test]
fn a_token_with_a_line_break_is_refused_before_any_request_and_never_printed() {
    let w = World::new();
    let secret = "ghs_InjectedHeaderTokenValue42";
    let with_header = format!("{secret}\nX-Injected: 1");
    let with_cr = format!("{secret}\r");
    for (variable, value, shown) in [
        ("INPUT_TOKEN", with_header.as_str(), "INPUT_TOKEN"),
        (
            "CARGO_REGISTRIES_TEST_TOKEN",
            with_cr.as_str(),
            "CARGO_REGISTRIES_TEST_TOKEN",
        ),
    ] {
        let before = world_state(&w);
        let requests = w.gh.requests().len();
        let run = w.prepare_with(&[(variable, value)]);
        assert_refused(
            &run.out,
            &[&format!(
                "the token in {shown} is not one line of printable characters: it holds a line break"
            )],
        );
        assert_eq!(w.gh.requests().len(), requests, "no request carried it");
        assert_nothing_changed(&w, &before, &run);
        for line in stdout(&run.out)
            .lines()
            .chain(stderr(&run.out).lines())
            .filter(|l| !l.starts_with("::add-mask::"))
        {
            assert!(!line.contains(secret), "printed: {line}");
        }
    }
}

// ── 6. tag formats and branch names are what git accepts ────────────────────────────────────

#[test]
fn a_tag_format_git_refuses_is_a_configuration_error_from_plan_on() {
    for (format, why) in [
        (
            "{name}-v{version}.lock",
            "a part between `/` ends with `.lock`",
        ),
        ("{name}/v{version}/", "it begins or ends with `/`"),
    ] {
        let repo = two_crates();
        repo.write("releasekit.toml", &format!("tag_format = \"{format}\"\n"));
        repo.commit("chore: tag format");
        for command in ["plan", "apply"] {
            let out = run(repo.path(), &[command, "--offline"], &[]);
            assert_refused(
                &out,
                &[
                    &format!("releasekit.toml:1:14: invalid value \"{format}\" for tag_format"),
                    why,
                ],
            );
            assert_eq!(repo.status(), "");
        }
    }
}

#[test]
fn a_version_whose_tag_is_too_long_for_git_stops_the_plan() {
    let repo = Repo::new();
    let version = format!("1.0.0-{}", "x".repeat(300));
    add_crate(&repo, ".", "solo", &version, "");
    repo.lock();
    repo.commit("chore: initial import");
    let out = run(repo.path(), &["plan", "--offline"], &[]);
    assert_refused(
        &out,
        &[
            &format!("the tag \"v{version}\" of crate solo is no name git accepts"),
            "longer than 250 bytes",
        ],
    );
}

#[test]
fn a_base_branch_git_refuses_stops_prepare_before_the_push() {
    let w = World::new();
    let before = world_state(&w);
    let run = w.prepare_with(&[("GITHUB_REF", "refs/heads/main..evil")]);
    assert_refused(
        &run.out,
        &["the base branch \"main..evil\" is no name git accepts: it has `..`"],
    );
    assert_nothing_changed(&w, &before, &run);
}

/// The pure rules of `plan::refname` say what `git check-ref-format` says, on names an
/// attacker would try.
#[test]
fn ref_name_rules_agree_with_git_check_ref_format() {
    let names = [
        "v1.0.0",
        "core-v0.1.1",
        "a/b",
        "a.lock",
        "a.lock/b",
        "a/.b",
        ".a",
        "a..b",
        "a@{b",
        "a b",
        "a~1",
        "a^",
        "a:b",
        "a?",
        "a*",
        "a[",
        "a\\b",
        "a/",
        "/a",
        "a//b",
        "a.",
        "a\x01b",
        "a\x7fb",
        "@x",
        "x@",
        "ünï",
        "a/b/c.d",
        "a\tb",
    ];
    for name in names {
        let git = Command::new("git")
            .args([
                "check-ref-format",
                "--allow-onelevel",
                &format!("refs/tags/{name}"),
            ])
            .status()
            .unwrap()
            .success();
        let ours = releasekit_cargo::plan::refname::check_ref_name(name);
        assert_eq!(
            ours.is_ok(),
            git,
            "{name:?}: ours {ours:?}, git accepts: {git}"
        );
    }
}

// ── 7. the release stage trusts no text of the PR body ──────────────────────────────────────

#[test]
fn a_pr_body_naming_another_tag_gets_the_tag_rendered_from_tag_format() {
    let w = World::new();
    w.prepare().ok();
    let body = w.gh.pull(1)["body"].as_str().unwrap().to_owned();
    let edited = edit_manifest(&body, |m| {
        for c in m["crates"].as_array_mut().unwrap() {
            if c["name"] == "core" {
                c["tag"] = json!("v9.9.9-evil");
            }
        }
    });
    set_pr_body(&w, 1, &edited);
    let event = w.merge_release_pr(1);
    let run = w.action("pull_request", event, &[]).ok();
    let refs = w.gh.refs();
    assert!(refs.contains_key("refs/tags/core-v0.1.1"), "{refs:?}");
    assert!(!refs.keys().any(|r| r.contains("evil")), "{refs:?}");
    assert!(
        stdout(&run.out).contains(
            "warning: the Release PR names the tag \"v9.9.9-evil\" for core 0.1.1; core-v0.1.1 is made from tag_format instead"
        ),
        "{}",
        stdout(&run.out)
    );
    let tags: Vec<String> =
        w.gh.releases()
            .iter()
            .map(|r| r["tag_name"].as_str().unwrap().to_owned())
            .collect();
    assert!(tags.contains(&"core-v0.1.1".to_owned()), "{tags:?}");
    assert!(!tags.iter().any(|t| t.contains("evil")), "{tags:?}");
}

#[test]
fn a_pr_body_naming_a_crate_that_is_no_member_creates_nothing() {
    let w = World::new();
    w.prepare().ok();
    let body = w.gh.pull(1)["body"].as_str().unwrap().to_owned();
    let edited = edit_manifest(&body, |m| {
        let crates = m["crates"].as_array_mut().unwrap();
        let mut evil = crates[0].clone();
        evil["name"] = json!("not-a-crate");
        evil["tag"] = json!("not-a-crate-v1.0.0");
        crates.push(evil);
    });
    set_pr_body(&w, 1, &edited);
    let event = w.merge_release_pr(1);
    let before = world_state(&w);
    let run = w.action("pull_request", event, &[("INPUT_SKIP_PUBLISH", "false")]);
    assert_refused(
        &run.out,
        &[
            "the Release PR #1 names \"not-a-crate\", which is no member the workspace releases (publishable, or `release = true`) at the merge commit",
        ],
    );
    assert_nothing_changed(&w, &before, &run);
    assert!(w.gh.tag_objects().is_empty());
    assert_eq!(w.gh.issue_labels(1), ["autorelease: pending"]);
}

#[test]
fn a_pr_body_that_leaves_a_merged_crate_out_still_releases_it_as_merged() {
    let w = World::new();
    w.prepare().ok();
    let body = w.gh.pull(1)["body"].as_str().unwrap().to_owned();
    let edited = edit_manifest(&body, |m| {
        m["crates"]
            .as_array_mut()
            .unwrap()
            .retain(|c| c["name"] != "app");
    });
    set_pr_body(&w, 1, &edited);
    let event = w.merge_release_pr(1);
    let run = w.action("pull_request", event, &[]).ok();
    assert!(w.gh.refs().contains_key("refs/tags/app-v0.1.1"));
    assert_eq!(releases_output(&run).len(), 3);
    assert!(
        run.summary
            .contains("app 0.1.1 is released although the Release PR body does not list it"),
        "{}",
        run.summary
    );
}

#[test]
fn a_pr_body_naming_a_version_released_already_creates_nothing() {
    let w = World::new();
    // app's change is undone: the Release PR does not release it.
    w.repo.git(&["revert", "--no-edit", "HEAD"]);
    w.repo.git(&["push", "-q", "origin", "main"]);
    w.prepare().ok();
    let body = w.gh.pull(1)["body"].as_str().unwrap().to_owned();
    assert!(!body.contains("app-v0.1"), "{body}");
    let edited = edit_manifest(&body, |m| {
        let crates = m["crates"].as_array_mut().unwrap();
        let mut app = crates[0].clone();
        app["name"] = json!("app");
        app["version"] = json!("0.1.0");
        app["tag"] = json!("app-v0.1.0");
        crates.push(app);
    });
    set_pr_body(&w, 1, &edited);
    let event = w.merge_release_pr(1);
    let before = world_state(&w);
    let run = w.action("pull_request", event, &[]);
    assert_refused(&run.out, &["app 0.1.0 is not above its last release 0.1.0"]);
    assert_nothing_changed(&w, &before, &run);
    assert!(w.gh.dispatches().is_empty(), "nothing announced");
}

// ── 8. a shallow clone stops every stage that writes ────────────────────────────────────────

#[test]
fn a_shallow_clone_stops_prepare_release_and_publish_and_plan_only_notes_it() {
    let w = World::new();
    w.prepare().ok();
    let event = w.merge_release_pr(1);
    let clone = tempfile::tempdir().unwrap();
    let url = format!("file://{}", w.origin.path().display());
    let cloned = Command::new("git")
        .args(["clone", "-q", "--depth", "1", &url, "."])
        .current_dir(clone.path())
        .status()
        .unwrap();
    assert!(cloned.success());
    let sha = w.head();
    for (name, payload, inputs) in [
        ("push", w.push_event(), vec![("INPUT_ACTION", "prepare")]),
        (
            "pull_request",
            event.clone(),
            vec![("INPUT_ACTION", "release")],
        ),
        ("pull_request", event.clone(), vec![]),
        (
            "pull_request",
            event.clone(),
            vec![("INPUT_ACTION", "publish"), ("INPUT_SKIP_PUBLISH", "false")],
        ),
    ] {
        let before = world_state(&w);
        let mut inputs = inputs;
        inputs.push(("GITHUB_SHA", &sha));
        let run = w.action_in(clone.path(), name, payload, &inputs);
        assert_refused(&run.out, &["is shallow", "fetch-depth: 0"]);
        assert_nothing_changed(&w, &before, &run);
    }
    assert!(w.gh.tag_objects().is_empty());
    let plan = w.action_in(
        clone.path(),
        "push",
        w.push_event(),
        &[("INPUT_ACTION", "plan")],
    );
    let plan = plan.ok();
    assert!(
        stdout(&plan.out).contains("fetch-depth: 0"),
        "{}",
        stdout(&plan.out)
    );
}

/// `apply` writes changelogs and manifests: on a `--depth 1` clone every released crate would
/// look new (a "1.0.0" section for crates released long ago).
#[test]
fn a_shallow_clone_stops_apply_before_it_writes_anything() {
    let repo = two_crates();
    repo.change("crates/a/src/lib.rs", "fix: one");
    repo.change("crates/b/src/lib.rs", "fix: two");
    let clone = tempfile::tempdir().unwrap();
    let url = format!("file://{}", repo.path().display());
    let cloned = Command::new("git")
        .args(["clone", "-q", "--depth", "1", &url, "."])
        .current_dir(clone.path())
        .status()
        .unwrap();
    assert!(cloned.success());
    let out = run(clone.path(), &["apply"], &[]);
    assert_refused(
        &out,
        &[
            "is shallow",
            "`apply` needs the whole history",
            "fetch-depth: 0",
        ],
    );
    let status = Command::new("git")
        .args(["status", "--porcelain", "--ignored"])
        .current_dir(clone.path())
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&status.stdout),
        "",
        "nothing written"
    );
}

/// A squash-merged PR's message is printed in the plan, the PR body and the changelog: its
/// lines cannot issue workflow commands (`::cmd::` at any indentation, `##[cmd]`, a forged
/// `::stop-commands::` and resume), and its escape sequences reach no terminal, file or page.
#[test]
fn commit_text_issues_no_workflow_command_and_no_terminal_escape() {
    let w = World::new();
    w.repo
        .write("crates/core/src/lib.rs", "//! core, changed\n");
    w.repo.commit(
        "feat(core): x\n\nBREAKING CHANGE: changed\n::set-output name=has_bumps::false\n  ::add-mask::attacker\n\t##[group]forged group\n::error file=Cargo.toml,line=1::forged annotation\n::stop-commands::deadbeef\n::deadbeef::\n    ::warning::forged after a forged resume",
    );
    w.repo
        .write("crates/util/src/lib.rs", "//! util, changed\n");
    w.repo
        .commit("fix(util): look \u{1b}]0;PWNED\u{7} \u{1b}[2J cleared");

    let run = w.prepare().ok();
    let plan = w
        .action("push", w.push_event(), &[("INPUT_ACTION", "plan")])
        .ok();

    for run in [&run, &plan] {
        let out = stdout(&run.out);
        let mut commands = runner_commands(&out);
        commands.extend(runner_commands(&stderr(&run.out)));
        for command in &commands {
            assert!(
                [
                    "::add-mask::",
                    "::group::",
                    "::endgroup::",
                    "::stop-commands::releasekit-"
                ]
                .iter()
                .any(|ours| command.starts_with(ours)),
                "a command the run did not mean: {command}\n{out}"
            );
            assert!(
                !command.contains("attacker") && !command.contains("forged"),
                "{command}"
            );
        }
        assert!(
            out.contains("::error file=Cargo.toml,line=1::forged annotation"),
            "{out}"
        );
        assert!(out.contains("look �]0;PWNED� �[2J cleared"), "{out}");
    }
    let changelog = w.branch_file("crates/util/CHANGELOG.md");
    let body = w.gh.pull(1)["body"].as_str().unwrap().to_owned();
    for (what, text) in [
        ("stdout", stdout(&run.out)),
        ("summary", run.summary.clone()),
        ("PR body", body),
        ("CHANGELOG.md", changelog),
    ] {
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}'),
            "{what} holds a control character:\n{text}"
        );
        assert!(
            text.contains("look �]0;PWNED� �[2J cleared"),
            "{what}:\n{text}"
        );
    }
}

// ── 9. no panic on any input ─────────────────────────────────────────────────────────────────

#[test]
fn a_prerelease_with_leading_zeros_on_an_untagged_crate_plans_without_a_panic() {
    let repo = Repo::new();
    add_crate(&repo, ".", "solo", "1.0.0", "");
    repo.lock();
    repo.commit("feat: first");
    for (label, planned) in [("a.01.2", "1.0.0-a.1.2"), ("rc.007.x", "1.0.0-rc.7.x.1")] {
        let out = run(
            repo.path(),
            &["plan", "--json", "--offline", "--prerelease", label],
            &[],
        );
        assert!(out.status.success(), "{label}: {}", stderr(&out));
        let plan: Value = serde_json::from_str(&stdout(&out)).unwrap();
        assert_eq!(plan["crates"][0]["planned_version"], planned, "{label}");
    }
}

/// A server that answers every request with a web page, as a GitHub web address would.
fn html_server() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request = Vec::new();
            let mut byte = [0u8; 1];
            while !request.ends_with(b"\r\n\r\n") {
                match std::io::Read::read(&mut stream, &mut byte) {
                    Ok(1) => request.push(byte[0]),
                    _ => break,
                }
            }
            let page = "<!DOCTYPE html><html><body>Sign in to GitHub</body></html>";
            let answer = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{page}",
                page.len()
            );
            let _ = std::io::Write::write_all(&mut stream, answer.as_bytes());
        }
    });
    url
}

#[test]
fn an_api_url_that_is_not_http_or_answers_html_points_at_github_api_url() {
    let w = World::new();
    let html = html_server();
    for (url, exit, needle) in [
        (
            "ftp://api.github.com",
            2,
            "GITHUB_API_URL \"ftp://api.github.com\" is not an http(s) URL",
        ),
        (html.as_str(), 1, "answered HTML, not GitHub's JSON"),
    ] {
        let before = world_state(&w);
        let run = w.prepare_with(&[("GITHUB_API_URL", url)]);
        let err = stderr(&run.out);
        assert_eq!(run.code(), Some(exit), "{url}: {err}");
        assert!(err.contains(needle), "{err}");
        assert!(err.contains("GITHUB_API_URL"), "the hint names it: {err}");
        assert_nothing_changed(&w, &before, &run);
    }
}
