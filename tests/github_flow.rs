//! prepare and release end to end: the real binary, with the environment a Docker action gets
//! (every input present, `HOME` apart from the workspace, event.json on disk), a real git
//! repository whose `origin` is a local bare repository, and the stateful fake GitHub.

mod support;

use serde_json::{Value, json};
use support::github::Fault;
use support::tools::Bin;
use support::world::*;
use support::*;

#[test]
fn prepare_opens_one_release_pr_and_a_rerun_changes_nothing() {
    let w = World::new();
    let first = w.prepare().ok();
    let masks: Vec<String> = stdout(&first.out)
        .lines()
        .take_while(|l| l.starts_with("::add-mask::"))
        .map(str::to_owned)
        .collect();
    assert!(
        masks.contains(&format!("::add-mask::{TOKEN}"))
            && masks.contains(&format!("::add-mask::{REGISTRY_TOKEN}")),
        "both tokens are masked before anything else is printed: {masks:?}"
    );
    let pulls = w.gh.pulls();
    assert_eq!(pulls.len(), 1, "{pulls:#?}");
    let pr = &pulls[0];
    assert_eq!(pr["head"]["ref"], "releasekit/release");
    assert_eq!(pr["base"]["ref"], "main");
    assert!(pr["title"].as_str().unwrap().starts_with("chore(release):"));
    assert_eq!(w.gh.issue_labels(1), vec!["autorelease: pending"]);
    assert_eq!(first.outputs["pr_number"], "1");
    assert_eq!(first.outputs["has_bumps"], "true");
    assert!(first.summary.contains("Opened [#1]"), "{}", first.summary);

    // The branch holds the release commit on top of main: versions, requirements, changelogs.
    let branch = w.release_branch().expect("release branch pushed");
    let parent = w.repo.git(&["rev-parse", &format!("{branch}^")]);
    assert_eq!(parent.trim(), w.head());
    assert!(
        w.branch_file("crates/core/Cargo.toml")
            .contains("version = \"0.1.1\"")
    );
    assert!(
        w.branch_file("crates/util/Cargo.toml")
            .contains("version = \"0.1.1\"")
    );
    assert!(
        w.branch_file("crates/core/CHANGELOG.md")
            .contains("add a parser")
    );
    assert!(
        w.branch_file("Cargo.lock")
            .contains("name = \"core\"\nversion = \"0.1.1\"")
    );
    assert!(w.repo.status().is_empty(), "the checkout is untouched");
    let body = pr["body"].as_str().unwrap();
    assert!(body.contains("<!-- releasekit-manifest"), "{body}");
    assert!(body.contains("handle empty input"), "{body}");

    let second = w.prepare().ok();
    assert_eq!(w.gh.pulls().len(), 1, "still one PR");
    assert_eq!(
        w.release_branch().as_deref(),
        Some(branch.as_str()),
        "same commit"
    );
    assert!(second.writes.is_empty(), "{:?}", second.writes);
    assert_eq!(second.outputs["pr_number"], "1");
}

#[test]
fn a_new_commit_between_two_prepares_reaches_the_branch_and_the_pr_body() {
    let w = World::new();
    w.prepare().ok();
    let before = w.release_branch().unwrap();
    let body_before = w.gh.pull(1)["body"].as_str().unwrap().to_owned();
    assert!(!body_before.contains("add a command"));

    w.repo
        .change("crates/app/src/lib.rs", "feat(app): add a command");
    w.repo.git(&["push", "-q", "origin", "main"]);
    let run = w.prepare().ok();
    assert_eq!(w.gh.pulls().len(), 1);
    assert_eq!(run.writes, vec!["PATCH /repos/acme/widgets/pulls/1"]);
    let after = w.release_branch().unwrap();
    assert_ne!(after, before);
    assert!(
        w.branch_file("crates/app/CHANGELOG.md")
            .contains("add a command")
    );
    let body = w.gh.pull(1)["body"].as_str().unwrap().to_owned();
    assert!(body.contains("add a command"), "{body}");
}

#[test]
fn nothing_to_release_closes_the_open_release_pr_with_a_comment() {
    let w = World::new();
    let stale = w.gh.add_pull(
        "releasekit/release",
        "main",
        "chore(release): old",
        "old",
        &["autorelease: pending"],
    );
    // Tag what changed so that nothing is left to release.
    w.repo.tag("core-v0.1.1");
    w.repo.tag("util-v0.1.1");
    w.repo.tag("app-v0.1.1");
    let run = w.prepare().ok();
    assert_eq!(run.outputs["has_bumps"], "false");
    assert_eq!(w.gh.pull(stale)["state"], "closed");
    assert_eq!(w.gh.comments(stale).len(), 1);
    assert_eq!(w.release_branch(), None, "nothing pushed");
}

#[test]
fn release_tags_and_releases_each_crate_once_and_a_rerun_creates_nothing() {
    let w = World::new();
    w.prepare().ok();
    let event = w.merge_release_pr(1);
    let merge = w.head();
    let run = w.action("pull_request", event.clone(), &[]).ok();

    let refs = w.gh.refs();
    for tag in ["core-v0.1.1", "util-v0.1.1", "app-v0.1.1"] {
        assert!(
            refs.contains_key(&format!("refs/tags/{tag}")),
            "{tag}: {refs:?}"
        );
    }
    for object in w.gh.tag_objects() {
        assert_eq!(
            object["object"]["sha"],
            merge.as_str(),
            "tagged at the merge commit"
        );
    }
    let releases = w.gh.releases();
    assert_eq!(releases.len(), 3);
    let core = releases
        .iter()
        .find(|r| r["tag_name"] == "core-v0.1.1")
        .unwrap();
    assert!(
        core["body"].as_str().unwrap().contains("add a parser"),
        "{core}"
    );
    assert_eq!(core["prerelease"], false);
    let latest: Vec<&Value> = releases
        .iter()
        .filter(|r| r["make_latest"] == "true")
        .collect();
    assert_eq!(latest.len(), 1, "one primary crate: {releases:#?}");
    assert_eq!(
        latest[0]["tag_name"], "app-v0.1.1",
        "the crate on top of the graph"
    );
    assert_eq!(
        w.gh.issue_labels(1),
        vec!["autorelease: tagged", "autorelease: notified"]
    );
    let dispatches = w.gh.dispatches();
    assert_eq!(dispatches.len(), 1, "{dispatches:?}");
    assert_eq!(dispatches[0].0, "acme/widgets");
    let listed = releases_output(&run);
    assert_eq!(listed.len(), 3);
    assert!(listed.iter().all(|r| {
        r["url"]
            .as_str()
            .unwrap()
            .starts_with("https://github.com/acme/widgets/releases/tag/")
    }));

    let again = w.action("pull_request", event, &[]).ok();
    assert!(again.writes.is_empty(), "{:?}", again.writes);
    assert_eq!(w.gh.releases().len(), 3);
    assert_eq!(w.gh.dispatches().len(), 1, "no notify twice");
    assert_eq!(releases_output(&again).len(), 3);
}

/// `release` reads which members are publishable to the configured registry: crates that publish
/// only to `test` are released from the command line with `--registry test`, as the action's
/// `registry` input does.
#[test]
fn release_on_the_command_line_takes_the_registry_option() {
    let w = World::new();
    w.prepare().ok();
    w.merge_release_pr(1);
    let home = tempfile::tempdir().unwrap();
    let cargo_home = w.cargo_home.path().display().to_string();
    let api = w.gh.url();
    let vars = [
        ("GITHUB_API_URL", api.as_str()),
        ("GITHUB_REPOSITORY", "acme/widgets"),
        ("GITHUB_TOKEN", TOKEN),
        ("CARGO_HOME", cargo_home.as_str()),
        ("HOME", home.path().to_str().unwrap()),
    ];
    let out = run(w.repo.path(), &["release", "--registry", "test"], &vars);
    assert_success(&out);
    let refs = w.gh.refs();
    for tag in ["core-v0.1.1", "util-v0.1.1", "app-v0.1.1"] {
        assert!(
            refs.contains_key(&format!("refs/tags/{tag}")),
            "{tag}: {refs:?}"
        );
    }
    assert!(!stdout(&out).contains(TOKEN) && !stderr(&out).contains(TOKEN));
}

#[test]
fn a_release_that_fails_halfway_completes_on_rerun_without_duplicates() {
    let w = World::new();
    w.prepare().ok();
    let event = w.merge_release_pr(1);
    // The third release fails for good: 502 on the first try and both retries.
    w.gh.inject(Fault::status("POST", "/releases", 502).skip(2).times(3));
    let failed = w.action("pull_request", event.clone(), &[("INPUT_MAX_RETRIES", "2")]);
    assert_eq!(failed.code(), Some(1), "{}", stderr(&failed.out));
    assert_eq!(w.gh.releases().len(), 2);
    assert!(
        failed.summary.contains("Not done yet"),
        "{}",
        failed.summary
    );
    assert_eq!(w.gh.issue_labels(1), vec!["autorelease: pending"]);

    w.action("pull_request", event, &[]).ok();
    let releases = w.gh.releases();
    assert_eq!(releases.len(), 3);
    let mut tags: Vec<&str> = releases
        .iter()
        .map(|r| r["tag_name"].as_str().unwrap())
        .collect();
    tags.sort();
    tags.dedup();
    assert_eq!(tags.len(), 3, "no release twice");
    assert_eq!(w.gh.tag_objects().len(), 3, "no tag created twice");
    assert_eq!(
        w.gh.issue_labels(1),
        vec!["autorelease: tagged", "autorelease: notified"]
    );
}

#[test]
fn dry_runs_send_no_write_and_leave_origin_unchanged() {
    let w = World::new();
    let refs = w.origin_refs();
    let run = w
        .action("push", w.push_event(), &[("INPUT_DRY_RUN", "true")])
        .ok();
    assert!(run.writes.is_empty(), "{:?}", run.writes);
    assert_eq!(w.origin_refs(), refs);
    assert!(
        stdout(&run.out).contains("would open a pull request"),
        "{}",
        stdout(&run.out)
    );
    assert_eq!(run.outputs["has_bumps"], "true");
    assert!(run.summary.contains("dry run"));

    // With a Release PR open and merged: release in dry run.
    w.prepare().ok();
    let event = w.merge_release_pr(1);
    let refs = w.origin_refs();
    let state = (w.gh.refs(), w.gh.releases(), w.gh.issue_labels(1));
    let run = w
        .action("pull_request", event, &[("INPUT_DRY_RUN", "true")])
        .ok();
    assert!(run.writes.is_empty(), "{:?}", run.writes);
    assert_eq!(w.origin_refs(), refs);
    assert_eq!((w.gh.refs(), w.gh.releases(), w.gh.issue_labels(1)), state);
    assert!(
        stdout(&run.out).contains("would tag core-v0.1.1"),
        "{}",
        stdout(&run.out)
    );
    assert_eq!(releases_output(&run).len(), 3);

    // And prepare in dry run with the PR open: no PATCH either.
    w.repo.change("crates/app/src/lib.rs", "feat(app): more");
    let run = w
        .action("push", w.push_event(), &[("INPUT_DRY_RUN", "true")])
        .ok();
    assert!(run.writes.is_empty(), "{:?}", run.writes);
}

#[test]
fn rate_limits_and_server_errors_are_retried() {
    let w = World::new();
    w.gh.inject(
        Fault::status("POST", "/pulls", 403)
            .header("retry-after", "1")
            .body(json!({"message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."})),
    );
    w.gh.inject(Fault::status("GET", "/pulls?", 503));
    let run = w.prepare().ok();
    assert_eq!(w.gh.pulls().len(), 1);
    let posts =
        w.gh.requests()
            .iter()
            .filter(|r| r.method == "POST" && r.path.ends_with("/pulls"))
            .map(|r| r.status)
            .collect::<Vec<_>>();
    assert_eq!(posts, vec![403, 201]);
    assert!(
        stdout(&run.out).contains("retrying"),
        "{}",
        stdout(&run.out)
    );
}

#[test]
fn a_rejected_token_stops_at_once_naming_the_permissions() {
    let w = World::new();
    w.gh.require_token("some-other-token");
    let refs = w.origin_refs();
    let run = w.prepare();
    assert_eq!(run.code(), Some(2));
    let err = stderr(&run.out);
    assert!(err.contains("401"), "{err}");
    assert!(
        err.contains("contents: write") && err.contains("pull-requests: write"),
        "{err}"
    );
    assert!(
        err.contains("Allow GitHub Actions to create and approve pull requests"),
        "{err}"
    );
    assert_eq!(w.gh.requests().len(), 1, "no retry of a 401");
    assert_eq!(w.origin_refs(), refs, "nothing pushed");
}

#[test]
fn a_missing_token_is_an_input_error() {
    let w = World::new();
    let run = w.action("push", w.push_event(), &[("INPUT_TOKEN", "")]);
    assert_eq!(run.code(), Some(2), "{}", stderr(&run.out));
    assert!(stderr(&run.out).contains("token"), "{}", stderr(&run.out));
    assert!(w.gh.requests().is_empty());
}

#[test]
fn events_that_start_nothing_are_a_notice_and_success() {
    let w = World::new();
    let release_commit = json!({"ref": "refs/heads/main",
        "head_commit": {"id": w.head(), "message": "chore(release): core 0.1.1"}});
    let run = w.action("push", release_commit, &[]).ok();
    assert!(
        stdout(&run.out).contains("::notice::nothing to do"),
        "{}",
        stdout(&run.out)
    );
    let run = w.action("issues", json!({}), &[]).ok();
    assert!(stdout(&run.out).contains("::notice::nothing to do"));
    assert!(w.gh.requests().is_empty());
    assert_eq!(w.release_branch(), None);
}

#[test]
fn each_release_group_gets_its_own_branch_and_release_pr() {
    let w = World::new();
    w.configure(
        "[groups.base]\nmembers = [\"core\", \"util\"]\n",
        "chore: release groups",
    );
    let run = w.prepare().ok();
    let pulls = w.gh.pulls();
    let mut heads: Vec<&str> = pulls
        .iter()
        .map(|p| p["head"]["ref"].as_str().unwrap())
        .collect();
    heads.sort();
    assert_eq!(heads, vec!["releasekit/release", "releasekit/release-base"]);
    let refs = w.origin_refs();
    assert!(
        refs.contains_key("refs/heads/releasekit/release-base"),
        "{refs:?}"
    );
    w.repo.git(&["fetch", "-q", "origin"]);
    let base_app = w.repo.git(&[
        "show",
        "origin/releasekit/release-base:crates/app/Cargo.toml",
    ]);
    assert!(
        base_app.contains("version = \"0.1.0\""),
        "app is not in the base group"
    );
    assert!(
        w.branch_file("crates/app/Cargo.toml")
            .contains("version = \"0.1.1\"")
    );
    assert!(
        w.branch_file("crates/core/Cargo.toml")
            .contains("version = \"0.1.0\"")
    );
    assert_eq!(run.outputs["pr_number"].split(',').count(), 2);
    let base_pr = pulls
        .iter()
        .find(|p| p["head"]["ref"] == "releasekit/release-base")
        .unwrap();
    assert!(
        base_pr["title"].as_str().unwrap().contains("base"),
        "{base_pr}"
    );
}

#[test]
fn a_merged_version_whose_tag_exists_at_another_commit_is_refused_with_nothing_created() {
    let w = World::new();
    w.prepare().ok();
    let elsewhere = w.head();
    let made = w.gh.send(
        "POST",
        "/repos/acme/widgets/git/refs",
        &json!({"ref": "refs/tags/core-v0.1.1", "sha": elsewhere}).to_string(),
        None,
    );
    assert_eq!(made.status, 201);
    let event = w.merge_release_pr(1);
    let run = w.action("pull_request", event, &[]);
    assert_eq!(run.code(), Some(2), "{}", stderr(&run.out));
    let err = stderr(&run.out);
    assert!(
        err.contains("core 0.1.1: the tag core-v0.1.1 exists already, at"),
        "{err}"
    );
    assert!(run.writes.is_empty(), "{:?}", run.writes);
    assert_eq!(
        w.gh.refs()["refs/tags/core-v0.1.1"],
        elsewhere,
        "kept as it was"
    );
    assert!(w.gh.tag_objects().is_empty(), "no other tag either");
    assert!(w.gh.releases().is_empty());
    assert_eq!(w.gh.issue_labels(1), ["autorelease: pending"]);
}

/// Prepare asks the registry which versions it has (the dev-dependency rule), where `plan`
/// offline takes the last tags as published:
///
/// ```text
///   core ──dev "0.1"──▶ util ──▶ core     an edge while no util 0.1.x is on the registry
/// ```
#[test]
fn prepare_orders_the_release_by_what_the_registry_has() {
    let w = World::new();
    let manifest = w.repo.read("crates/core/Cargo.toml");
    w.repo.write(
        "crates/core/Cargo.toml",
        &format!(
            "{manifest}[dev-dependencies]\nutil = {{ path = \"../util\", version = \"0.1\", registry = \"test\" }}\n"
        ),
    );
    w.repo.commit("test(core): use util in the tests");
    w.repo.git(&["push", "-q", "origin", "main"]);

    // Nothing on the registry: core can only be uploaded after util, which needs core.
    let refused = w.prepare();
    assert_eq!(refused.code(), Some(2), "{}", stderr(&refused.out));
    let err = stderr(&refused.out);
    assert!(
        err.contains("core") && err.contains("util") && err.contains("dev"),
        "{err}"
    );
    assert!(refused.writes.is_empty(), "{:?}", refused.writes);
    assert_eq!(w.release_branch(), None);

    // The tagged versions (which had no such dev-dependency) reach the registry: now it
    // satisfies the requirement.
    w.cargo_publish_at("core-v0.1.0", &["core", "util"]);
    let run = w.prepare().ok();
    let plan: Value = serde_json::from_str(&run.outputs["plan"]).unwrap();
    assert_eq!(
        plan["waves"],
        json!([["core"], ["util"], ["app"]]),
        "{plan}"
    );
    assert!(w.release_branch().is_some());
}

/// The whole pipeline on a merged Release PR: tags and releases, then every released crate
/// uploaded from the merge commit, even when the checkout has moved on since.
#[test]
fn a_merged_release_pr_is_released_and_published_from_the_merge_commit() {
    let w = World::new();
    let prepared = w.prepare().ok();
    let event = w.merge_release_pr(1);
    let merge = w.head();
    // A later commit changes a manifest: publishing must still take the merge commit's tree.
    let manifest = w.repo.read("crates/app/Cargo.toml");
    w.repo.write(
        "crates/app/Cargo.toml",
        &manifest.replace("version = \"0.1.1\"", "version = \"0.1.9\""),
    );
    w.repo.commit("chore(app): hand-edited version");
    let run = w
        .action(
            "pull_request",
            event.clone(),
            &[("INPUT_SKIP_PUBLISH", "false"), ("GITHUB_SHA", &merge)],
        )
        .ok();

    for name in ["core", "util", "app"] {
        assert_eq!(
            w.registry.published(name),
            vec!["0.1.1".to_owned()],
            "{name}"
        );
    }
    let published: Value = serde_json::from_str(&run.outputs["published"]).unwrap();
    let mut names: Vec<&str> = published
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["app", "core", "util"], "{published}");
    // Between them, the two runs of the pipeline write every output action.yml declares.
    let declared: std::collections::BTreeSet<String> =
        action_yml_names("outputs").into_iter().collect();
    let written: std::collections::BTreeSet<String> = prepared
        .outputs
        .keys()
        .chain(run.outputs.keys())
        .cloned()
        .collect();
    assert_eq!(written, declared);
    // Then notify: downstream learns that each crate is on the registry.
    let dispatches = w.gh.dispatches();
    assert_eq!(dispatches.len(), 1);
    let crates = &dispatches[0].1["client_payload"]["crates"];
    assert!(
        crates
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["published"] == true),
        "{crates}"
    );
    assert_eq!(releases_output(&run).len(), 3);
    // Uploads follow the dependency order, each after its dependencies were visible.
    let uploads = w.registry.uploads();
    let started = |name: &str| uploads.iter().find(|u| u.name == name).unwrap().started;
    let visible = |name: &str| w.registry.visible_at(name, "0.1.1").unwrap();
    assert!(started("util") >= visible("core"));
    assert!(started("app") >= visible("util"));
    // The checkout is left as it was: on its own commit, clean.
    assert_eq!(w.repo.status(), "");
    assert!(w.repo.read("crates/app/Cargo.toml").contains("0.1.9"));

    // A re-run (GitHub replays the same event) finds everything done: nothing twice.
    let again = w
        .action(
            "pull_request",
            event,
            &[("INPUT_SKIP_PUBLISH", "false"), ("GITHUB_SHA", &merge)],
        )
        .ok();
    assert_eq!(w.registry.uploads().len(), 3);
    assert_eq!(again.outputs["published"], "[]");
    assert!(again.writes.is_empty(), "{:?}", again.writes);
}

/// After a release, notify alone (the reusable workflow's notify job): the configured
/// repositories each get one `repository_dispatch` with the payload downstream workflows read;
/// a 502 on the way is retried; a repository the token cannot reach fails the run, after the
/// others were sent.
#[test]
fn notify_dispatches_the_release_to_each_configured_repository() {
    let w = World::new();
    w.configure(
        "[notify]\nrepositories = [\"acme/docs\", \"acme/site\"]\nevent_type = \"widgets-released\"\n",
        "ci: notify the docs and the site",
    );
    w.prepare().ok();
    let event = w.merge_release_pr(1);
    let merge = w.head();
    w.gh.allow_repo("acme/docs");
    w.gh.allow_repo("acme/site");
    let before = w.gh.requests().len();
    w.action(
        "pull_request",
        event.clone(),
        &[("INPUT_ACTION", "release")],
    )
    .ok();
    assert!(
        w.gh.dispatches().is_empty(),
        "release alone does not notify"
    );
    // The stage named explicitly still takes the Release PR from the event.
    let asked: Vec<String> = w.gh.requests()[before..]
        .iter()
        .map(|r| r.path.clone())
        .collect();
    assert!(asked.iter().any(|p| p.ends_with("/pulls/1")), "{asked:?}");
    assert!(!asked.iter().any(|p| p.contains("/commits/")), "{asked:?}");

    w.gh.inject(Fault::status("POST", "/dispatches", 502).times(1));
    let run = w
        .action("pull_request", event.clone(), &[("INPUT_ACTION", "notify")])
        .ok();
    let dispatches = w.gh.dispatches();
    let targets: Vec<&str> = dispatches.iter().map(|(r, _)| r.as_str()).collect();
    assert_eq!(targets, ["acme/docs", "acme/site"]);
    let body = &dispatches[0].1;
    assert_eq!(body["event_type"], "widgets-released");
    let payload = &body["client_payload"];
    assert!(payload.as_object().unwrap().len() <= 10, "{payload}");
    assert_eq!(payload["repository"], "acme/widgets");
    assert_eq!(payload["sha"], merge.as_str());
    assert_eq!(payload["pr_number"], 1);
    assert_eq!(payload["registry"], "test");
    assert_eq!(payload["dry_run"], false);
    let mut crates: Vec<(String, String, String, String)> = payload["crates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_owned(),
                c["version"].as_str().unwrap().to_owned(),
                c["tag"].as_str().unwrap().to_owned(),
                c["published"].to_string(),
            )
        })
        .collect();
    crates.sort();
    assert_eq!(
        crates,
        ["app", "core", "util"].map(|n| (
            n.to_owned(),
            "0.1.1".to_owned(),
            format!("{n}-v0.1.1"),
            "false".to_owned()
        ))
    );
    let posts =
        w.gh.requests()
            .iter()
            .filter(|r| r.method == "POST" && r.path.ends_with("/dispatches"))
            .count();
    assert_eq!(posts, 3, "the 502 was retried once");
    assert!(run.summary.contains("`acme/site`: sent"), "{}", run.summary);
    assert!(
        w.gh.issue_labels(1)
            .contains(&"autorelease: notified".to_owned())
    );

    // A dry run shows the payload and sends nothing; an index that cannot be read leaves
    // `published` unknown rather than failing.
    let dry = w
        .action(
            "pull_request",
            event.clone(),
            &[
                ("INPUT_ACTION", "notify"),
                ("INPUT_DRY_RUN", "true"),
                ("INPUT_MAX_RETRIES", "0"),
                ("CARGO_REGISTRIES_TEST_INDEX", "sparse+http://127.0.0.1:9/"),
            ],
        )
        .ok();
    assert!(
        stdout(&dry.out).contains("\"published\": null"),
        "{}",
        stdout(&dry.out)
    );
    assert!(dry.writes.is_empty(), "{:?}", dry.writes);
    assert!(
        stdout(&dry.out).contains("\"releasekit_version\""),
        "{}",
        stdout(&dry.out)
    );
    assert!(stdout(&dry.out).contains("dry run: nothing sent"));

    // A repository the token cannot reach: 404 from GitHub, exit 1, the other one still sent.
    w.repo.write(
        "releasekit.toml",
        "[notify]\nrepositories = [\"acme/private\", \"acme/docs\"]\n",
    );
    let failed = w.action("pull_request", event, &[("INPUT_ACTION", "notify")]);
    assert_eq!(failed.code(), Some(1), "{}", stderr(&failed.out));
    assert!(
        stderr(&failed.out).contains("acme/private"),
        "{}",
        stderr(&failed.out)
    );
    assert_eq!(w.gh.dispatches().len(), 3);
    assert_eq!(w.gh.dispatches()[2].0, "acme/docs");
}

/// serde's and tokio's shape, without even an ignore rule: no `Cargo.lock` in the repository.
/// The Release PR's commit bumps the versions and adds none; the checkout gets none either.
/// Without cargo-semver-checks, and with it on PATH as in the action's image (its API checks
/// document HEAD in the checkout, where `cargo doc` would write a lockfile).
#[test]
fn prepare_adds_no_lockfile_to_a_repository_without_one() {
    for with_tool in [false, true] {
        let bin = Bin::new(with_tool);
        let w = World::new();
        w.repo.git(&["rm", "-q", "Cargo.lock"]);
        w.repo.commit("chore: no lockfile");
        w.repo.git(&["push", "-q", "origin", "main"]);

        let run = w.prepare_with(&[("PATH", &bin.path())]).ok();
        assert_eq!(bin.calls() > 0, with_tool, "{}", stdout(&run.out));
        assert!(
            w.branch_file("crates/core/Cargo.toml")
                .contains("version = \"0.1.1\"")
        );
        let files = w
            .repo
            .git(&["ls-tree", "-r", "--name-only", "origin/releasekit/release"]);
        assert!(files.contains("crates/core/Cargo.toml"), "{files}");
        assert!(!files.lines().any(|f| f == "Cargo.lock"), "{files}");
        assert!(
            !w.repo.path().join("Cargo.lock").exists(),
            "with the tool: {with_tool}"
        );
        assert!(w.repo.status().is_empty(), "{}", w.repo.status());
    }
}
