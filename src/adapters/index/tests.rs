//! Unit tests of `index`.

use std::collections::VecDeque;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Response, Uri};

use super::*;

const TOKEN: &str = "s3cr3t-token";

/// One request as the fake index saw it.
#[derive(Debug, Clone)]
struct Seen {
    path: String,
    authorization: Option<String>,
    if_none_match: Option<String>,
    user_agent: Option<String>,
}

#[derive(Default)]
struct Files {
    /// Path (no leading `/`) → (ETag, body).
    files: HashMap<String, (String, String)>,
    /// Answers served before the real one, per path: (status, Retry-After).
    faults: HashMap<String, VecDeque<(u16, Option<&'static str>)>>,
    /// Index files (and config.json when `config_protected`) need `Authorization: TOKEN`.
    protected: bool,
    config_protected: bool,
    etags: u32,
    seen: Vec<Seen>,
}

type Shared = Arc<Mutex<Files>>;

/// A sparse index on 127.0.0.1, served by axum on a background runtime.
struct FakeIndex {
    url: String,
    state: Shared,
}

impl FakeIndex {
    fn start(auth_required: bool) -> FakeIndex {
        let state: Shared = Arc::default();
        let shared = state.clone();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                tx.send(listener.local_addr().unwrap()).unwrap();
                let app = Router::new().fallback(serve).with_state(shared);
                axum::serve(listener, app).await.unwrap();
            });
        });
        let address = rx.recv().unwrap();
        let index = FakeIndex {
            url: format!("http://{address}/"),
            state,
        };
        let config = serde_json::json!({
            "dl": format!("{}api/v1/crates", index.url),
            "api": index.url,
            "auth-required": auth_required,
        });
        index.put("config.json", &config.to_string());
        index.state.lock().unwrap().protected = auth_required;
        index
    }

    /// Serve `body` at `path` under a new ETag.
    fn put(&self, path: &str, body: &str) {
        let mut state = self.state.lock().unwrap();
        state.etags += 1;
        let etag = format!("\"v{}\"", state.etags);
        state.files.insert(path.into(), (etag, body.into()));
    }

    fn fail(&self, path: &str, answers: &[(u16, Option<&'static str>)]) {
        let mut state = self.state.lock().unwrap();
        state
            .faults
            .entry(path.into())
            .or_default()
            .extend(answers.iter().copied());
    }

    fn seen(&self) -> Vec<Seen> {
        self.state.lock().unwrap().seen.clone()
    }

    fn seen_at(&self, path: &str) -> Vec<Seen> {
        self.seen().into_iter().filter(|s| s.path == path).collect()
    }

    fn client(&self, token: Option<&str>, max_retries: u32) -> Index {
        Index::with_policy(
            &self.url,
            token.map(Secret::new).as_ref(),
            fast_policy(max_retries),
        )
        .unwrap()
    }
}

fn fast_policy(max_retries: u32) -> RetryPolicy {
    RetryPolicy {
        base: Duration::from_millis(2),
        cap: Duration::from_millis(10),
        ..RetryPolicy::new(max_retries)
    }
}

async fn serve(State(state): State<Shared>, uri: Uri, headers: HeaderMap) -> Response<Body> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let path = uri.path().trim_start_matches('/').to_owned();
    let mut state = state.lock().unwrap();
    state.seen.push(Seen {
        path: path.clone(),
        authorization: header("authorization"),
        if_none_match: header("if-none-match"),
        user_agent: header("user-agent"),
    });
    let answer = Response::builder();
    if let Some((status, retry_after)) = state.faults.get_mut(&path).and_then(VecDeque::pop_front) {
        let answer = answer.status(status);
        let answer = match retry_after {
            Some(wait) => answer.header("retry-after", wait),
            None => answer,
        };
        return answer.body(Body::from("fault")).unwrap();
    }
    let needs_token = if path == "config.json" {
        state.config_protected
    } else {
        state.protected
    };
    if needs_token && header("authorization").as_deref() != Some(TOKEN) {
        return answer.status(401).body(Body::empty()).unwrap();
    }
    match state.files.get(&path) {
        None => answer.status(404).body(Body::empty()).unwrap(),
        Some((etag, _)) if header("if-none-match").as_ref() == Some(etag) => answer
            .status(304)
            .header("etag", etag)
            .body(Body::empty())
            .unwrap(),
        Some((etag, body)) => answer
            .status(200)
            .header("etag", etag)
            .body(Body::from(body.clone()))
            .unwrap(),
    }
}

fn line(vers: &str, yanked: bool) -> String {
    serde_json::json!({"name": "foo", "vers": vers, "deps": [], "cksum": "00", "features": {}, "yanked": yanked, "v": 2})
            .to_string()
}

fn v(text: &str) -> semver::Version {
    semver::Version::parse(text).unwrap()
}

#[test]
fn index_path_follows_the_sparse_rules() {
    let cases = [
        ("a", "1/a"),
        ("A", "1/a"),
        ("ab", "2/ab"),
        ("abc", "3/a/abc"),
        ("Abc", "3/a/abc"),
        ("abcd", "ab/cd/abcd"),
        ("Serde_JSON", "se/rd/serde_json"),
        ("hello-world", "he/ll/hello-world"),
    ];
    for (name, path) in cases {
        assert_eq!(index_path(name), path, "{name}");
    }
}

#[test]
fn index_is_shared_between_threads() {
    fn shared<T: Send + Sync>() {}
    shared::<Index>();
}

#[test]
fn versions_are_read_with_yanked_flags_and_odd_lines_skipped() {
    let index = FakeIndex::start(false);
    let body = [
        line("1.0.0", false),
        line("1.1.0", true),
        "not json at all".into(),
        line("one.two", false),
        r#"{"name":"foo","vers":"1.2.0-rc.1","unknown":{"x":1}}"#.into(),
        String::new(),
        r#"{"name":"foo","vers":"1.3.0","yanked":null}"#.into(),
    ]
    .join("\n");
    index.put("3/f/foo", &body);
    let client = index.client(None, 0);
    let versions = client.versions("Foo").unwrap();
    let listed: Vec<(String, bool)> = versions
        .iter()
        .map(|v| (v.version.to_string(), v.yanked))
        .collect();
    assert_eq!(
        listed,
        [
            ("1.0.0".to_string(), false),
            ("1.1.0".to_string(), true),
            ("1.2.0-rc.1".to_string(), false),
            ("1.3.0".to_string(), false),
        ]
    );
}

#[test]
fn crate_without_index_file_has_no_versions() {
    let index = FakeIndex::start(false);
    index.fail("ne/w-/new-crate", &[(410, None)]);
    let client = index.client(None, 2);
    assert_eq!(client.versions("never-published").unwrap(), []);
    assert_eq!(client.versions("new-crate").unwrap(), []);
    assert!(!client.is_visible("never-published", &v("0.1.0")).unwrap());
}

#[test]
fn second_read_is_a_conditional_get_answered_304() {
    let index = FakeIndex::start(false);
    index.put("3/f/foo", &line("1.0.0", false));
    let client = index.client(None, 0);
    let first = client.versions("foo").unwrap();
    let second = client.versions("foo").unwrap();
    assert_eq!(first, second);
    assert_eq!(second.len(), 1);
    let seen = index.seen_at("3/f/foo");
    assert_eq!(seen[0].if_none_match, None);
    assert_eq!(seen[1].if_none_match.as_deref(), Some("\"v2\""));
    // config.json once, the file twice, one 304.
    assert_eq!(client.stats(), (3, 1));
}

#[test]
fn version_becomes_visible_when_the_file_changes() {
    let index = FakeIndex::start(false);
    index.put("3/f/foo", &line("1.0.0", false));
    let client = index.client(None, 0);
    assert!(client.is_visible("foo", &v("1.0.0")).unwrap());
    assert!(!client.is_visible("foo", &v("1.1.0")).unwrap());
    index.put(
        "3/f/foo",
        &[line("1.0.0", false), line("1.1.0", false)].join("\n"),
    );
    assert!(client.is_visible("foo", &v("1.1.0")).unwrap());
    // The second read was a 304, the third a 200 with the new ETag.
    assert_eq!(client.stats(), (4, 1));
}

#[test]
fn yanked_version_and_other_build_metadata_count_as_visible() {
    let index = FakeIndex::start(false);
    index.put(
        "3/f/foo",
        &[line("1.0.0", true), line("2.0.0+build.1", false)].join("\n"),
    );
    let client = index.client(None, 0);
    assert!(client.is_visible("foo", &v("1.0.0")).unwrap());
    assert!(client.is_visible("foo", &v("2.0.0+build.2")).unwrap());
    assert!(!client.is_visible("foo", &v("2.0.0-rc.1")).unwrap());
}

#[test]
fn server_errors_are_retried_and_logged() {
    let index = FakeIndex::start(false);
    index.put("3/f/foo", &line("1.0.0", false));
    index.fail("3/f/foo", &[(503, None), (503, None)]);
    let client = index.client(None, 2);
    assert_eq!(client.versions("foo").unwrap().len(), 1);
    let log = client.take_log();
    assert_eq!(log.len(), 2, "{log:?}");
    for entry in &log {
        let expected = format!("index: 503 from {}3/f/foo, retrying in ", index.url);
        assert!(entry.starts_with(&expected), "{entry}");
        assert!(entry.ends_with(" s"), "{entry}");
    }
    assert_eq!(client.take_log(), Vec::<String>::new());
}

#[test]
fn retries_run_out_as_unreachable() {
    let index = FakeIndex::start(false);
    index.put("3/f/foo", &line("1.0.0", false));
    index.fail("3/f/foo", &[(503, None), (500, None), (408, None)]);
    let client = index.client(None, 2);
    let error = client.versions("foo").unwrap_err();
    assert!(
        matches!(&error, IndexError::Unreachable { url, message }
                if *url == format!("{}3/f/foo", index.url) && message == "408 (after 3 attempt(s))"),
        "{error:?}"
    );
    assert_eq!(index.seen_at("3/f/foo").len(), 3);
    assert!(error.hint().unwrap().contains("re-run"));
}

#[test]
fn rate_limit_is_waited_out_without_using_retries() {
    let index = FakeIndex::start(false);
    index.put("3/f/foo", &line("1.0.0", false));
    index.fail("3/f/foo", &[(429, Some("0"))]);
    let client = index.client(None, 0);
    assert_eq!(client.versions("foo").unwrap().len(), 1);
    assert_eq!(index.seen_at("3/f/foo").len(), 2);
    let log = client.take_log();
    assert!(log[0].starts_with("index: 429 from "), "{log:?}");
}

#[test]
fn refused_connections_are_retried_then_unreachable() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    drop(listener);
    let client = Index::with_policy(&url, None, fast_policy(1)).unwrap();
    let error = client.config().unwrap_err();
    assert!(
        matches!(&error, IndexError::Unreachable { url: u, .. } if *u == format!("{url}config.json")),
        "{error:?}"
    );
    assert_eq!(client.take_log().len(), 1);
    assert_eq!(client.stats(), (2, 0));
}

#[test]
fn unauthorized_is_not_retried_and_never_shows_the_token() {
    let index = FakeIndex::start(true);
    index.put("3/f/foo", &line("1.0.0", false));
    // Wrong token: the fake wants TOKEN.
    let client = Index::with_policy(
        &index.url,
        Some(&Secret::new("wrong-token")),
        fast_policy(3),
    )
    .unwrap();
    let error = client.versions("foo").unwrap_err();
    assert!(
        matches!(&error, IndexError::Unauthorized { url } if url.ends_with("/3/f/foo")),
        "{error:?}"
    );
    assert_eq!(index.seen_at("3/f/foo").len(), 1);
    let text = format!(
        "{error} {error:?} {:?} {:?}",
        error.hint(),
        client.take_log()
    );
    assert!(!text.contains("wrong-token"), "{text}");
    assert_eq!(
        error.hint().unwrap(),
        "the registry requires a token for its index: set its token"
    );
}

#[test]
fn other_client_errors_are_reported_with_their_status() {
    let index = FakeIndex::start(false);
    index.fail("3/f/foo", &[(400, None)]);
    let client = index.client(None, 3);
    let error = client.versions("foo").unwrap_err();
    assert!(
        matches!(error, IndexError::Status { status: 400, .. }),
        "{error:?}"
    );
    assert_eq!(index.seen_at("3/f/foo").len(), 1);
}

#[test]
fn token_is_sent_only_when_config_requires_auth() {
    for auth_required in [true, false] {
        let index = FakeIndex::start(auth_required);
        index.put("3/f/foo", &line("1.0.0", false));
        let client = index.client(Some(TOKEN), 0);
        assert!(client.config().unwrap().auth_required == auth_required);
        assert!(client.is_visible("foo", &v("1.0.0")).unwrap());
        let expected = auth_required.then(|| TOKEN.to_owned());
        assert_eq!(index.seen_at("3/f/foo")[0].authorization, expected);
        // config.json is asked for without it: it is public here.
        assert_eq!(index.seen_at("config.json")[0].authorization, None);
    }
}

#[test]
fn protected_config_is_fetched_again_with_the_token() {
    let index = FakeIndex::start(true);
    index.state.lock().unwrap().config_protected = true;
    let client = index.client(Some(TOKEN), 0);
    let config = client.config().unwrap();
    assert!(config.auth_required);
    assert_eq!(config.dl, format!("{}api/v1/crates", index.url));
    assert_eq!(config.api.as_deref(), Some(index.url.as_str()));
    let auth: Vec<Option<String>> = index
        .seen_at("config.json")
        .into_iter()
        .map(|s| s.authorization)
        .collect();
    assert_eq!(auth, [None, Some(TOKEN.to_owned())]);
    // Without a token the 401 stands.
    let anonymous = index.client(None, 0);
    assert!(matches!(
        anonymous.config(),
        Err(IndexError::Unauthorized { .. })
    ));
}

#[test]
fn config_is_fetched_once_and_the_url_may_carry_sparse_prefix() {
    let index = FakeIndex::start(false);
    let url = format!("sparse+{}", index.url.trim_end_matches('/'));
    let client = Index::with_policy(&url, None, fast_policy(0)).unwrap();
    let first = client.config().unwrap();
    assert_eq!(client.config().unwrap(), first);
    assert!(!first.auth_required);
    assert_eq!(index.seen_at("config.json").len(), 1);
}

#[test]
fn config_without_dl_is_rejected() {
    let index = FakeIndex::start(false);
    index.put("config.json", r#"{"api": "http://x/"}"#);
    let error = index.client(None, 0).config().unwrap_err();
    assert!(matches!(error, IndexError::BadConfig { .. }), "{error:?}");
}

#[test]
fn bad_index_urls_are_refused() {
    for url in ["not a url", "ftp://host/index/", "sparse+file:///tmp/x"] {
        assert!(
            matches!(Index::new(url, None, 0), Err(IndexError::BadUrl { .. })),
            "{url}"
        );
    }
}

#[test]
fn every_request_names_releasekit_in_its_user_agent() {
    let index = FakeIndex::start(false);
    index.put("3/f/foo", &line("1.0.0", false));
    let client = index.client(None, 0);
    client.versions("foo").unwrap();
    let seen = index.seen();
    assert_eq!(seen.len(), 2);
    for request in seen {
        assert_eq!(request.user_agent.as_deref(), Some(USER_AGENT));
    }
    assert!(USER_AGENT.starts_with("releasekit-cargo/"));
    assert!(USER_AGENT.ends_with(" (+https://github.com/releasekit/releasekit-cargo)"));
}

#[test]
fn threads_polling_together_share_one_config_and_cache() {
    let index = FakeIndex::start(false);
    index.put("3/f/foo", &line("1.0.0", false));
    index.put("3/b/bar", &line("0.1.0", false));
    let client = index.client(None, 0);
    std::thread::scope(|scope| {
        for i in 0..8 {
            let client = &client;
            scope.spawn(move || {
                let (name, version) = if i % 2 == 0 {
                    ("foo", "1.0.0")
                } else {
                    ("bar", "0.1.0")
                };
                assert!(client.is_visible(name, &v(version)).unwrap());
            });
        }
    });
    assert_eq!(index.seen_at("config.json").len(), 1);
    assert_eq!(client.stats().0, 9);
}
