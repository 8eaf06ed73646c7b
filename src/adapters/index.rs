//! A client for a registry's sparse index: `config.json`, and which versions of a crate it lists.
//!
//! Effects only. Every request goes through [`Index::send`], which asks `plan::retry` whether a
//! failure is worth another attempt and sleeps as it says; how often to poll and how long to wait
//! for a version is the publish job's business. Index files are fetched with conditional GETs
//! (the ETag and body of each file are kept) because the job polls the same files many times
//! while uploads become visible. One `Index` is shared by the upload threads, so all its state
//! sits behind locks. The token is sent only where `config.json` asks for it and never appears in
//! a URL, an error or a log line.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

use reqwest::blocking::Client;
use reqwest::header::{AUTHORIZATION, ETAG, HeaderValue, IF_NONE_MATCH, RETRY_AFTER};
use serde::Deserialize;

use crate::config::Secret;
use crate::hint::Hint;
use crate::plan::retry::{Failure, GiveUp, RetryPolicy, requested_wait};

use super::retry::{Stopped, Try, with_retries};
use super::{USER_AGENT, error_chain};

#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("{url:?} is not a valid registry index URL")]
    BadUrl { url: String },
    #[error("could not start the HTTP client for the registry index: {message}")]
    Client { message: String },
    #[error("the registry index refused access to {url}")]
    Unauthorized { url: String },
    #[error("the registry index answered {status} for {url}")]
    Status { url: String, status: u16 },
    #[error("the registry index cannot be reached at {url}: {message}")]
    Unreachable { url: String, message: String },
    #[error("{url} is not a valid sparse index config.json: {message}")]
    BadConfig { url: String, message: String },
}

impl Hint for IndexError {
    fn hint(&self) -> Option<String> {
        Some(match self {
            IndexError::BadUrl { .. } | IndexError::BadConfig { .. } => {
                "point the registry's `index` at its sparse index root, where config.json lives (e.g. sparse+https://index.crates.io/)".into()
            }
            IndexError::Client { .. } => {
                "the TLS setup of this machine may be broken; report it with the message above"
                    .into()
            }
            IndexError::Unauthorized { .. } => {
                "the registry requires a token for its index: set its token".into()
            }
            IndexError::Status { .. } => {
                "check the registry's index URL; if it is right, the registry is failing: re-run the job later".into()
            }
            IndexError::Unreachable { .. } => {
                "the registry or the network is failing; re-run the job: every step is safe to repeat".into()
            }
        })
    }
}

/// The parts of `config.json` we read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexConfig {
    pub dl: String,
    pub api: Option<String>,
    pub auth_required: bool,
}

/// One line of an index file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexVersion {
    pub version: semver::Version,
    pub yanked: bool,
}

impl IndexVersion {
    /// Whether this line is `version`. Build metadata is ignored, as registries do when they
    /// refuse a duplicate.
    pub fn is(&self, version: &semver::Version) -> bool {
        let v = &self.version;
        (v.major, v.minor, v.patch, &v.pre)
            == (version.major, version.minor, version.patch, &version.pre)
    }
}

/// One sparse index, shared by every thread that polls it.
pub struct Index {
    /// Ends with `/`; index paths are appended to it.
    base: String,
    client: Client,
    /// The token as a header value marked sensitive, so not even `Debug` shows it.
    authorization: Option<HeaderValue>,
    policy: RetryPolicy,
    config: Mutex<Option<IndexConfig>>,
    /// Per index path, the last ETag and the body it named.
    cache: Mutex<HashMap<String, Cached>>,
    log: Mutex<Vec<String>>,
    requests: AtomicU64,
    not_modified: AtomicU64,
}

#[derive(Clone)]
struct Cached {
    etag: HeaderValue,
    body: Arc<str>,
}

/// An answer that was not retried.
struct Reply {
    status: u16,
    etag: Option<HeaderValue>,
    body: String,
}

#[derive(Deserialize)]
struct RawConfig {
    dl: String,
    #[serde(default)]
    api: Option<String>,
    #[serde(default, rename = "auth-required")]
    auth_required: bool,
}

#[derive(Deserialize)]
struct RawEntry {
    vers: String,
    #[serde(default)]
    yanked: Option<bool>,
}

impl Index {
    /// A client for the sparse index at `index_url` (`sparse+` tolerated, `/` appended when
    /// missing). `token` is sent raw as `Authorization` when `config.json` requires auth.
    pub fn new(
        index_url: &str,
        token: Option<&Secret>,
        max_retries: u32,
    ) -> Result<Index, IndexError> {
        Index::with_policy(index_url, token, RetryPolicy::new(max_retries))
    }

    /// As [`Index::new`] with a whole policy, so tests can retry without sleeping seconds.
    pub(crate) fn with_policy(
        index_url: &str,
        token: Option<&Secret>,
        policy: RetryPolicy,
    ) -> Result<Index, IndexError> {
        let url = index_url.strip_prefix("sparse+").unwrap_or(index_url);
        let base = if url.ends_with('/') {
            url.to_owned()
        } else {
            format!("{url}/")
        };
        let parsed = reqwest::Url::parse(&base).map_err(|_| IndexError::BadUrl {
            url: index_url.to_owned(),
        })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(IndexError::BadUrl {
                url: index_url.to_owned(),
            });
        }
        let authorization = token
            .map(|token| {
                let mut value =
                    HeaderValue::from_str(token.expose()).map_err(|_| IndexError::Client {
                        message: "the registry token is not a valid HTTP header value".into(),
                    })?;
                value.set_sensitive(true);
                Ok(value)
            })
            .transpose()?;
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = Client::builder()
            .user_agent(USER_AGENT)
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| IndexError::Client {
                message: error_chain(&e),
            })?;
        Ok(Index {
            base,
            client,
            authorization,
            policy,
            config: Mutex::new(None),
            cache: Mutex::new(HashMap::new()),
            log: Mutex::new(Vec::new()),
            requests: AtomicU64::new(0),
            not_modified: AtomicU64::new(0),
        })
    }

    /// `config.json`, fetched once. Like cargo, it is asked for without the token first: a
    /// registry that wants one for it answers 401, and then it is sent.
    pub fn config(&self) -> Result<IndexConfig, IndexError> {
        // Held across the request so that threads starting together fetch it once.
        let mut cached = lock(&self.config);
        if let Some(config) = &*cached {
            return Ok(config.clone());
        }
        let url = format!("{}config.json", self.base);
        let reply = match self.send(&url, false, None) {
            Err(IndexError::Unauthorized { .. }) if self.authorization.is_some() => {
                self.send(&url, true, None)?
            }
            other => other?,
        };
        if !(200..300).contains(&reply.status) {
            return Err(IndexError::Status {
                url,
                status: reply.status,
            });
        }
        let raw: RawConfig =
            serde_json::from_str(&reply.body).map_err(|e| IndexError::BadConfig {
                url: url.clone(),
                message: e.to_string(),
            })?;
        let config = IndexConfig {
            dl: raw.dl,
            api: raw.api,
            auth_required: raw.auth_required,
        };
        *cached = Some(config.clone());
        Ok(config)
    }

    /// Every version the index lists for `name`, yanked ones flagged; empty when the index
    /// has no file for it (404, 410, 451).
    pub fn versions(&self, name: &str) -> Result<Vec<IndexVersion>, IndexError> {
        let auth = self.config()?.auth_required;
        let path = index_path(name);
        let url = format!("{}{path}", self.base);
        // A copy, not a lookup after the answer: another thread may replace the entry meanwhile,
        // and a 304 refers to the ETag this request sent.
        let cached = lock(&self.cache).get(&path).cloned();
        let reply = self.send(&url, auth, cached.as_ref().map(|c| &c.etag))?;
        let body = match (reply.status, cached) {
            (304, Some(cached)) => cached.body,
            (404 | 410 | 451, _) => {
                lock(&self.cache).remove(&path);
                return Ok(Vec::new());
            }
            (200..=299, _) => {
                let body: Arc<str> = reply.body.into();
                let mut cache = lock(&self.cache);
                match reply.etag {
                    Some(etag) => {
                        cache.insert(
                            path,
                            Cached {
                                etag,
                                body: body.clone(),
                            },
                        );
                    }
                    None => {
                        cache.remove(&path);
                    }
                }
                body
            }
            (status, _) => return Err(IndexError::Status { url, status }),
        };
        Ok(parse_versions(&body))
    }

    /// Whether `name@version` is listed, yanked or not: a yanked version exists and cannot be
    /// published again ([`IndexVersion::is`]).
    pub fn is_visible(&self, name: &str, version: &semver::Version) -> Result<bool, IndexError> {
        Ok(self.versions(name)?.iter().any(|listed| listed.is(version)))
    }

    /// Retries since the last call, for the job to print.
    pub fn take_log(&self) -> Vec<String> {
        std::mem::take(&mut *lock(&self.log))
    }

    /// HTTP requests sent, and how many of them were answered 304.
    pub fn stats(&self) -> (u64, u64) {
        (
            self.requests.load(Ordering::Relaxed),
            self.not_modified.load(Ordering::Relaxed),
        )
    }

    /// GET `url`, retrying what `plan::retry` says is worth it. Answers below 400 come back, and
    /// 404, 410 and 451, which say a file is absent; 401 and 403 stop at once.
    fn send(
        &self,
        url: &str,
        auth: bool,
        if_none_match: Option<&HeaderValue>,
    ) -> Result<Reply, IndexError> {
        let once = || match self.once(url, auth, if_none_match) {
            Ok((reply, wait)) => match reply.status {
                401 | 403 => Try::Stop(IndexError::Unauthorized {
                    url: url.to_owned(),
                }),
                404 | 410 | 451 => Try::Done(reply),
                status => match Failure::from_status(status, wait) {
                    None => Try::Done(reply),
                    Some(Failure::Permanent | Failure::Unauthorized) => {
                        Try::Stop(IndexError::Status {
                            url: url.to_owned(),
                            status,
                        })
                    }
                    Some(failure) => Try::Failed {
                        failure,
                        what: status.to_string(),
                    },
                },
            },
            Err(e) if e.is_builder() || e.is_redirect() => Try::Stop(IndexError::Unreachable {
                url: url.to_owned(),
                message: error_chain(&e),
            }),
            Err(e) => Try::Failed {
                failure: Failure::Transient,
                what: error_chain(&e),
            },
        };
        let retrying = |what: &str, wait: Duration| {
            lock(&self.log).push(format!(
                "index: {what} from {url}, retrying in {:.1} s",
                wait.as_secs_f64()
            ));
        };
        with_retries(&self.policy, once, retrying).map_err(|stopped| match stopped {
            Stopped::Stop(error) => error,
            Stopped::GaveUp {
                give_up: GiveUp::WaitTooLong { wait },
                last,
                ..
            } => IndexError::Unreachable {
                url: url.to_owned(),
                message: format!(
                    "{last}: the registry asks to wait {} s, longer than releasekit-cargo waits",
                    wait.as_secs()
                ),
            },
            Stopped::GaveUp { attempts, last, .. } => IndexError::Unreachable {
                url: url.to_owned(),
                message: format!("{last} (after {attempts} attempt(s))"),
            },
        })
    }

    /// One GET: the answer and the wait it asked for.
    fn once(
        &self,
        url: &str,
        auth: bool,
        if_none_match: Option<&HeaderValue>,
    ) -> Result<(Reply, Option<Duration>), reqwest::Error> {
        let mut request = self.client.get(url);
        if auth && let Some(authorization) = &self.authorization {
            request = request.header(AUTHORIZATION, authorization.clone());
        }
        if let Some(etag) = if_none_match {
            request = request.header(IF_NONE_MATCH, etag.clone());
        }
        self.requests.fetch_add(1, Ordering::Relaxed);
        let response = request.send()?;
        let status = response.status().as_u16();
        if status == 304 {
            self.not_modified.fetch_add(1, Ordering::Relaxed);
        }
        let headers = response.headers();
        let etag = headers.get(ETAG).cloned();
        let wait = requested_wait(
            headers.get(RETRY_AFTER).and_then(|v| v.to_str().ok()),
            None,
            None,
            SystemTime::now(),
        );
        let body = response.text()?;
        Ok((Reply { status, etag, body }, wait))
    }
}

/// The index path of a crate: lower-cased; 1 char → `1/a`, 2 → `2/ab`, 3 → `3/a/abc`,
/// longer → `ab/cd/abcd…`.
pub fn index_path(name: &str) -> String {
    let lower = name.to_lowercase();
    let chars: Vec<char> = lower.chars().collect();
    match chars.len() {
        0 | 1 => format!("1/{lower}"),
        2 => format!("2/{lower}"),
        3 => format!("3/{}/{lower}", chars[0]),
        _ => format!(
            "{}/{}/{lower}",
            chars[..2].iter().collect::<String>(),
            chars[2..4].iter().collect::<String>()
        ),
    }
}

/// The versions of an index file. A line that does not parse, or whose `vers` is not semver,
/// is passed over: one odd entry must not hide every other version of the crate.
fn parse_versions(body: &str) -> Vec<IndexVersion> {
    body.lines()
        .filter_map(|line| {
            let entry: RawEntry = serde_json::from_str(line).ok()?;
            let version = semver::Version::parse(&entry.vers).ok()?;
            Some(IndexVersion {
                version,
                yanked: entry.yanked.unwrap_or(false),
            })
        })
        .collect()
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // The data behind these locks stays consistent even if a holder panicked.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
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
        if let Some((status, retry_after)) =
            state.faults.get_mut(&path).and_then(VecDeque::pop_front)
        {
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
}
