//! The fake GitHub answers like GitHub: shapes, status codes, error bodies, faults and its
//! request log. Driven with the fake's own blocking HTTP/1.1 client, so the checks need no extra
//! crate.

#[path = "support/github.rs"]
mod github;

use github::{Answer, FakeGitHub, Fault};
use serde_json::{Value, json};

fn call(fake: &FakeGitHub, method: &str, path: &str, body: Option<Value>) -> Answer {
    call_as(fake, method, path, body, Some("Bearer secret"))
}

fn call_as(
    fake: &FakeGitHub,
    method: &str,
    path: &str,
    body: Option<Value>,
    auth: Option<&str>,
) -> Answer {
    let raw = body.map(|b| b.to_string()).unwrap_or_default();
    fake.send(method, path, &raw, auth)
}

const REPO: &str = "/repos/acme/widgets";

#[test]
fn created_pull_request_is_listed_by_its_head_and_a_second_one_is_refused() {
    let fake = FakeGitHub::start("acme/widgets");
    let create =
        json!({"title": "chore: release", "head": "release/main", "base": "main", "body": "notes"});

    let created = call(
        &fake,
        "POST",
        &format!("{REPO}/pulls"),
        Some(create.clone()),
    );
    assert_eq!(created.status, 201);
    assert_eq!(created.body["number"], 1);
    assert_eq!(created.body["state"], "open");
    assert_eq!(
        created.body["html_url"],
        "https://github.com/acme/widgets/pull/1"
    );
    assert_eq!(
        created.body["url"],
        format!("{}/repos/acme/widgets/pulls/1", fake.url())
    );
    assert_eq!(created.body["head"]["label"], "acme:release/main");
    assert_eq!(created.body["merged"], false);
    assert_eq!(
        created.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    assert_eq!(created.header("x-ratelimit-limit"), Some("5000"));

    let other = json!({"title": "other", "head": "feature", "base": "main"});
    assert_eq!(
        call(&fake, "POST", &format!("{REPO}/pulls"), Some(other)).status,
        201
    );

    let listed = call(
        &fake,
        "GET",
        &format!("{REPO}/pulls?state=open&head=acme%3Arelease%2Fmain"),
        None,
    );
    assert_eq!(listed.status, 200);
    let numbers: Vec<&Value> = listed
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|p| &p["number"])
        .collect();
    assert_eq!(numbers, [&json!(1)]);

    let duplicate = call(&fake, "POST", &format!("{REPO}/pulls"), Some(create));
    assert_eq!(duplicate.status, 422);
    assert_eq!(duplicate.body["message"], "Validation Failed");
    let error = &duplicate.body["errors"][0];
    assert_eq!(
        error["message"],
        "A pull request already exists for acme:release/main."
    );
    assert_eq!(fake.pulls().len(), 2);
}

#[test]
fn merged_pull_request_is_found_by_its_merge_commit() {
    let fake = FakeGitHub::start("acme/widgets");
    let number = fake.add_pull(
        "release/main",
        "main",
        "chore: release",
        "body",
        &["autorelease: pending"],
    );
    let sha = "a".repeat(40);
    fake.merge_pull(number, &sha);

    let found = call(&fake, "GET", &format!("{REPO}/commits/{sha}/pulls"), None);
    assert_eq!(found.status, 200);
    let pull = &found.body[0];
    assert_eq!(
        (pull["number"].clone(), pull["state"].clone()),
        (json!(number), json!("closed"))
    );
    assert_eq!(pull["merge_commit_sha"], sha.as_str());
    assert_eq!(pull["labels"][0]["name"], "autorelease: pending");
    assert_eq!(fake.pull(number)["merged"], true);
}

#[test]
fn labels_are_added_removed_and_missing_ones_are_404() {
    let fake = FakeGitHub::start("acme/widgets");
    let number = fake.add_pull("release/main", "main", "chore: release", "", &[]);

    let missing = call(
        &fake,
        "GET",
        &format!("{REPO}/labels/autorelease%3A%20pending"),
        None,
    );
    assert_eq!(missing.status, 404);
    let label =
        json!({"name": "autorelease: pending", "color": "ededed", "description": "waiting"});
    let created = call(
        &fake,
        "POST",
        &format!("{REPO}/labels"),
        Some(label.clone()),
    );
    assert_eq!(created.status, 201);
    assert_eq!(
        call(&fake, "POST", &format!("{REPO}/labels"), Some(label)).status,
        422
    );
    let got = call(
        &fake,
        "GET",
        &format!("{REPO}/labels/autorelease%3A%20pending"),
        None,
    );
    assert_eq!(
        (got.status, got.body["default"].clone()),
        (200, json!(false))
    );

    let labels = json!({"labels": ["autorelease: pending", "autorelease: tagged"]});
    let added = call(
        &fake,
        "POST",
        &format!("{REPO}/issues/{number}/labels"),
        Some(labels),
    );
    assert_eq!(added.status, 200);
    assert_eq!(added.body.as_array().unwrap().len(), 2);
    assert_eq!(
        fake.repo_labels(),
        ["autorelease: pending", "autorelease: tagged"]
    );

    let removed = call(
        &fake,
        "DELETE",
        &format!("{REPO}/issues/{number}/labels/autorelease%3A%20pending"),
        None,
    );
    assert_eq!(removed.status, 200);
    assert_eq!(removed.body[0]["name"], "autorelease: tagged");
    assert_eq!(fake.issue_labels(number), ["autorelease: tagged"]);
    assert_eq!(fake.pull(number)["labels"].as_array().unwrap().len(), 1);

    let again = call(
        &fake,
        "DELETE",
        &format!("{REPO}/issues/{number}/labels/autorelease%3A%20pending"),
        None,
    );
    assert_eq!(
        (again.status, again.body["message"].clone()),
        (404, json!("Label does not exist"))
    );
}

#[test]
fn comments_are_recorded_on_the_issue() {
    let fake = FakeGitHub::start("acme/widgets");
    let number = fake.add_pull("release/main", "main", "t", "", &[]);
    let posted = call(
        &fake,
        "POST",
        &format!("{REPO}/issues/{number}/comments"),
        Some(json!({"body": "released"})),
    );
    assert_eq!(posted.status, 201);
    assert_eq!(posted.body["user"]["login"], "github-actions[bot]");
    assert_eq!(fake.comments(number), ["released"]);
    assert_eq!(
        call(
            &fake,
            "POST",
            &format!("{REPO}/issues/99/comments"),
            Some(json!({"body": "x"}))
        )
        .status,
        404
    );
}

#[test]
fn annotated_tag_ref_points_at_the_tag_object_and_cannot_be_created_twice() {
    let fake = FakeGitHub::start("acme/widgets");
    let commit = "c".repeat(40);
    let tag =
        json!({"tag": "core/v1.0.0", "message": "core 1.0.0", "object": commit, "type": "commit"});
    let object = call(&fake, "POST", &format!("{REPO}/git/tags"), Some(tag));
    assert_eq!(object.status, 201);
    let tag_sha = object.body["sha"].as_str().unwrap().to_owned();
    assert_eq!(tag_sha.len(), 40);
    assert_eq!(object.body["verification"]["verified"], false);

    let reference = json!({"ref": "refs/tags/core/v1.0.0", "sha": tag_sha});
    let created = call(
        &fake,
        "POST",
        &format!("{REPO}/git/refs"),
        Some(reference.clone()),
    );
    assert_eq!(
        (created.status, created.body["object"]["type"].clone()),
        (201, json!("tag"))
    );
    let again = call(&fake, "POST", &format!("{REPO}/git/refs"), Some(reference));
    assert_eq!(
        (again.status, again.body["message"].clone()),
        (422, json!("Reference already exists"))
    );

    let got = call(
        &fake,
        "GET",
        &format!("{REPO}/git/ref/tags/core/v1.0.0"),
        None,
    );
    assert_eq!(
        (got.status, got.body["object"]["sha"].clone()),
        (200, json!(tag_sha))
    );
    assert_eq!(
        call(
            &fake,
            "GET",
            &format!("{REPO}/git/ref/tags/core/v9.9.9"),
            None
        )
        .status,
        404
    );
    assert_eq!(fake.refs().get("refs/tags/core/v1.0.0"), Some(&tag_sha));

    let bad = call(
        &fake,
        "POST",
        &format!("{REPO}/git/refs"),
        Some(json!({"ref": "tags/x", "sha": commit})),
    );
    assert_eq!(
        (bad.status, bad.body["message"].clone()),
        (422, json!("Reference name is not valid"))
    );
}

#[test]
fn release_for_an_existing_tag_is_refused_and_found_by_tag() {
    let fake = FakeGitHub::start("acme/widgets");
    let release =
        json!({"tag_name": "v1.0.0", "name": "v1.0.0", "body": "notes", "make_latest": "false"});
    let created = call(
        &fake,
        "POST",
        &format!("{REPO}/releases"),
        Some(release.clone()),
    );
    assert_eq!(created.status, 201);
    assert_eq!(
        created.body["html_url"],
        "https://github.com/acme/widgets/releases/tag/v1.0.0"
    );
    assert!(
        created.body.get("make_latest").is_none(),
        "GitHub never echoes make_latest"
    );
    assert_eq!(fake.releases()[0]["make_latest"], "false");

    let again = call(&fake, "POST", &format!("{REPO}/releases"), Some(release));
    assert_eq!(again.status, 422);
    let expected = json!({"resource": "Release", "code": "already_exists", "field": "tag_name"});
    assert_eq!(again.body["errors"][0], expected);

    let got = call(&fake, "GET", &format!("{REPO}/releases/tags/v1.0.0"), None);
    assert_eq!(
        (got.status, got.body["id"].clone()),
        (200, created.body["id"].clone())
    );
    assert_eq!(
        call(&fake, "GET", &format!("{REPO}/releases/tags/v2.0.0"), None).status,
        404
    );
}

#[test]
fn dispatch_payload_is_limited_to_ten_top_level_keys() {
    let fake = FakeGitHub::start("acme/widgets");
    fake.allow_repo("acme/downstream");
    let payload = |n: usize| {
        (0..n)
            .map(|i| (format!("k{i}"), json!(i)))
            .collect::<serde_json::Map<_, _>>()
    };

    let eleven = json!({"event_type": "released", "client_payload": payload(11)});
    let refused = call(
        &fake,
        "POST",
        "/repos/acme/downstream/dispatches",
        Some(eleven),
    );
    assert_eq!(refused.status, 422);
    assert!(
        refused.body["message"]
            .as_str()
            .unwrap()
            .contains("more than 10 properties")
    );

    let ten = json!({"event_type": "released", "client_payload": payload(10)});
    let accepted = call(
        &fake,
        "POST",
        "/repos/acme/downstream/dispatches",
        Some(ten.clone()),
    );
    assert_eq!((accepted.status, accepted.body.clone()), (204, Value::Null));
    assert_eq!(
        fake.dispatches(),
        [("acme/downstream".to_owned(), ten.clone())]
    );

    assert_eq!(
        call(&fake, "POST", "/repos/acme/elsewhere/dispatches", Some(ten)).status,
        404
    );
    let unnamed = json!({"event_type": "", "client_payload": {}});
    assert_eq!(
        call(
            &fake,
            "POST",
            "/repos/acme/widgets/dispatches",
            Some(unnamed)
        )
        .status,
        422
    );
}

#[test]
fn fault_on_the_third_release_post_changes_nothing_and_later_requests_succeed() {
    let fake = FakeGitHub::start("acme/widgets");
    fake.inject(
        Fault::status("POST", "/releases", 502)
            .skip(2)
            .header("retry-after", "1"),
    );
    let release = |tag: &str| Some(json!({"tag_name": tag}));

    assert_eq!(
        call(&fake, "POST", &format!("{REPO}/releases"), release("a")).status,
        201
    );
    assert_eq!(
        call(&fake, "POST", &format!("{REPO}/releases"), release("b")).status,
        201
    );
    let faulted = call(&fake, "POST", &format!("{REPO}/releases"), release("c"));
    assert_eq!(
        (faulted.status, faulted.body.clone()),
        (502, json!({"message": "Bad Gateway"}))
    );
    assert_eq!(faulted.header("retry-after"), Some("1"));
    assert_eq!(fake.releases().len(), 2);

    assert_eq!(
        call(&fake, "POST", &format!("{REPO}/releases"), release("c")).status,
        201
    );
    let tags: Vec<Value> = fake
        .releases()
        .iter()
        .map(|r| r["tag_name"].clone())
        .collect();
    assert_eq!(tags, [json!("a"), json!("b"), json!("c")]);
    let statuses: Vec<u16> = fake.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [201, 201, 502, 201]);
}

#[test]
fn required_token_rejects_other_credentials_with_githubs_body() {
    let fake = FakeGitHub::start("acme/widgets");
    fake.require_token("secret");
    let wrong = call_as(&fake, "GET", REPO, None, Some("Bearer nope"));
    let expected = json!({"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest", "status": "401"});
    assert_eq!((wrong.status, wrong.body), (401, expected));
    assert_eq!(call_as(&fake, "GET", REPO, None, None).status, 401);
    assert_eq!(
        call_as(&fake, "GET", REPO, None, Some("token secret")).status,
        200
    );
    let repo = call(&fake, "GET", REPO, None);
    assert_eq!(
        (
            repo.body["full_name"].clone(),
            repo.body["default_branch"].clone()
        ),
        (json!("acme/widgets"), json!("main"))
    );
}

#[test]
fn writes_leave_out_reads_and_log_bodies() {
    let fake = FakeGitHub::start("acme/widgets");
    call(&fake, "GET", &format!("{REPO}/pulls"), None);
    call(
        &fake,
        "POST",
        &format!("{REPO}/labels"),
        Some(json!({"name": "x", "color": "000000"})),
    );
    call(&fake, "GET", &format!("{REPO}/labels/x"), None);

    let writes = fake.writes();
    assert_eq!(writes.len(), 1);
    assert_eq!(
        (writes[0].method.as_str(), writes[0].path.as_str()),
        ("POST", "/repos/acme/widgets/labels")
    );
    assert_eq!(writes[0].body["name"], "x");
    assert_eq!(writes[0].authorization.as_deref(), Some("Bearer secret"));
    assert_eq!(fake.requests().len(), 3);
}

#[test]
fn unknown_routes_are_404_and_bad_json_is_400() {
    let fake = FakeGitHub::start("acme/widgets");
    let unknown = call(&fake, "GET", "/repos/acme/widgets/nothing-here", None);
    let expected = json!({"message": "Not Found", "documentation_url": "https://docs.github.com/rest", "status": "404"});
    assert_eq!((unknown.status, unknown.body), (404, expected));
    assert_eq!(call(&fake, "GET", "/repos/other/repo", None).status, 404);
    let bad = fake.send("POST", &format!("{REPO}/pulls"), "{not json", None);
    assert_eq!(
        (bad.status, bad.body["message"].clone()),
        (400, json!("Problems parsing JSON"))
    );
    assert_eq!(fake.requests()[2].body, Value::Null);
}

#[test]
fn listing_pages_carries_a_link_header() {
    let fake = FakeGitHub::start("acme/widgets");
    for tag in ["a", "b", "c"] {
        call(
            &fake,
            "POST",
            &format!("{REPO}/releases"),
            Some(json!({"tag_name": tag})),
        );
    }
    let first = call(
        &fake,
        "GET",
        &format!("{REPO}/releases?per_page=2&page=1"),
        None,
    );
    assert_eq!(first.body.as_array().unwrap().len(), 2);
    assert_eq!(first.body[0]["tag_name"], "c", "newest first");
    let link = first.header("link").expect("a link header");
    assert!(link.contains("page=2>; rel=\"next\""), "{link}");
    let second = call(
        &fake,
        "GET",
        &format!("{REPO}/releases?per_page=2&page=2"),
        None,
    );
    assert_eq!(second.body[0]["tag_name"], "a");
}

/// The product reads these answers through octocrab; its models must accept every shape.
#[test]
fn octocrab_models_accept_every_answer() {
    use octocrab::params::repos::Reference;

    let fake = FakeGitHub::start("acme/widgets");
    fake.require_token("secret");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let crab = octocrab::Octocrab::builder()
            .base_uri(fake.url())
            .unwrap()
            .personal_token("secret".to_owned())
            .build()
            .unwrap();
        let repo = crab.repos("acme", "widgets");
        assert_eq!(repo.get().await.unwrap().default_branch.as_deref(), Some("main"));

        let pulls = crab.pulls("acme", "widgets");
        let created = pulls.create("chore: release", "release/main", "main").body("notes").send().await.unwrap();
        let listed = pulls.list().head("acme:release/main").send().await.unwrap();
        assert_eq!(listed.items[0].number, created.number);
        let updated = pulls.update(created.number).title("chore: release v2").send().await.unwrap();
        assert_eq!(pulls.get(updated.number).await.unwrap().title.as_deref(), Some("chore: release v2"));

        let issues = crab.issues("acme", "widgets");
        let label = issues.create_label("autorelease: pending", "ededed", "waiting").await.unwrap();
        assert_eq!(issues.get_label("autorelease%3A%20pending").await.unwrap().id, label.id);
        let labels = issues.add_labels(created.number, &["autorelease: pending".to_owned()]).await.unwrap();
        assert_eq!(labels.len(), 1);
        assert!(issues.remove_label(created.number, "autorelease: pending").await.unwrap().is_empty());
        issues.create_comment(created.number, "hello").await.unwrap();

        let commit = "c".repeat(40);
        let git = crab.git("acme", "widgets");
        let tag = git.create_tag("v1.0.0", "v1.0.0", commit.clone(), "commit").send().await.unwrap();
        repo.create_ref(&Reference::Tag("v1.0.0".to_owned()), tag.sha.clone()).await.unwrap();
        let reference = repo.get_ref(&Reference::Tag("v1.0.0".to_owned())).await.unwrap();
        assert!(matches!(reference.object, octocrab::models::repos::Object::Tag { sha, .. } if sha == tag.sha));

        let releases = repo.releases();
        let release = releases.create("v1.0.0").name("v1.0.0").body("notes").send().await.unwrap();
        assert_eq!(releases.get_by_tag("v1.0.0").await.unwrap().id, release.id);
        assert_eq!(releases.list().send().await.unwrap().items.len(), 1);

        fake.merge_pull(created.number, &commit);
        let merged = repo.list_pulls(commit.clone()).send().await.unwrap();
        assert!(merged.items[0].merged_at.is_some());

        repo.dispatches().create("released").client_payload(json!({"a": 1})).send().await.unwrap();
    });
    assert_eq!(fake.dispatches().len(), 1);
    assert!(
        fake.requests().iter().all(|r| r.status < 300),
        "{:#?}",
        fake.requests()
    );
}
