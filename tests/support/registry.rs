//! A real crate registry for integration tests: ferro-cargo-registry-server behind an
//! in-process proxy that cargo talks to. The proxy forwards every request to ferro and adds
//! what crates.io does and a local server does not: uploads that take time, an index that lags
//! behind uploads, rate limits and other upload failures (which never reach ferro), and fakes
//! of the trusted-publishing token exchange and of GitHub's OIDC token endpoint. It logs every
//! request, upload and index fetch. Beside it live the generators of the CARGO_HOME and the
//! workspaces the publish tests run on. It knows nothing about the product.

#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap};
use std::future::IntoFuture;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, MutexGuard, mpsc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::{Body, Bytes};
use axum::extract::State as Extract;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header, request::Parts};
use axum::response::Response;
use base64::Engine;
use serde_json::{Value, json};

const FERRO: &str = "ferro-cargo-registry-server";
const START_TIMEOUT: Duration = Duration::from_secs(15);

/// One request as the proxy answered it; `status` is 0 when the connection was dropped.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// Path plus `?query` when there is one.
    pub path: String,
    pub status: u16,
    pub started: Instant,
    pub ended: Instant,
}

/// One `PUT /api/v1/crates/new`; `status` is what the client got (0: connection dropped).
#[derive(Debug, Clone)]
pub struct Upload {
    pub name: String,
    pub version: String,
    pub started: Instant,
    pub returned: Instant,
    pub status: u16,
    pub faulted: bool,
    /// The metadata JSON of the upload body (what the registry's index entry is made from).
    pub metadata: Value,
    /// The time named by the answer's `Retry-After` (an HTTP date: whole seconds).
    pub retry_at: Option<Instant>,
}

/// One GET of an index file, with the status the client got.
#[derive(Debug, Clone)]
pub struct IndexFetch {
    pub path: String,
    pub status: u16,
    pub at: Instant,
}

/// A canned failure for uploads of one crate, or for one call of the registry's API; a
/// faulted request never reaches ferro.
#[derive(Debug, Clone)]
pub struct Fault {
    name: String,
    /// (method, path) of an API call; `None`: uploads of `name`.
    call: Option<(String, String)>,
    status: u16,
    retry_after: Option<Duration>,
    detail: Option<String>,
    drop_connection: bool,
    /// `None`: every matching upload, forever.
    times: Option<usize>,
}

impl Fault {
    /// Fails the next upload of `name` with 503 until told otherwise.
    pub fn upload(name: &str) -> Fault {
        Fault {
            name: name.to_lowercase(),
            call: None,
            status: 503,
            retry_after: None,
            detail: None,
            drop_connection: false,
            times: Some(1),
        }
    }

    /// Fails the next `method` request of `path` (an API call: owners, yank) with 503.
    pub fn api(method: &str, path: &str) -> Fault {
        Fault {
            call: Some((method.to_owned(), path.to_owned())),
            ..Fault::upload("")
        }
    }

    pub fn status(self, status: u16) -> Fault {
        Fault { status, ..self }
    }

    /// Sends `Retry-After` (an HTTP date, now + `after`); a 429 names the same date in its body.
    pub fn retry_after(self, after: Duration) -> Fault {
        Fault {
            retry_after: Some(after),
            ..self
        }
    }

    /// Replaces the error detail the status would carry.
    pub fn detail(self, detail: &str) -> Fault {
        Fault {
            detail: Some(detail.to_owned()),
            ..self
        }
    }

    /// Close the connection without an answer.
    pub fn drop_connection(self) -> Fault {
        Fault {
            drop_connection: true,
            ..self
        }
    }

    pub fn times(self, n: usize) -> Fault {
        Fault {
            times: Some(n),
            ..self
        }
    }

    pub fn always(self) -> Fault {
        Fault {
            times: None,
            ..self
        }
    }

    /// The answer crates.io gives for this status (`None` drops the connection), and the time
    /// its `Retry-After` names.
    fn response(&self) -> (Option<Response>, Option<Instant>) {
        if self.drop_connection {
            return (None, None);
        }
        let (now, clock) = (SystemTime::now(), Instant::now());
        let retry_at = self
            .retry_after
            .map(|d| httpdate::fmt_http_date(now + d.max(Duration::from_secs(1))));
        // The date is whole seconds: the instant it names, as the client reads it.
        let named = retry_at.as_deref().map(|date| {
            let at = httpdate::parse_http_date(date).expect("a date we formatted");
            match at.duration_since(now) {
                Ok(ahead) => clock + ahead,
                Err(behind) => clock - behind.duration(),
            }
        });
        let detail = match (&self.detail, self.status) {
            (Some(detail), _) => detail.clone(),
            (None, 429) => {
                let at = retry_at.clone().unwrap_or_else(|| {
                    httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(600))
                });
                format!(
                    "You have published too many new crates in a short period of time. Please try again after {at} or email help@crates.io to have your limit increased."
                )
            }
            (None, 403) => "this crate is owned by someone else".to_owned(),
            (None, status) => reason(status).to_owned(),
        };
        let mut response = json_response(self.status, json!({"errors": [{"detail": detail}]}));
        if let Some(at) = retry_at.and_then(|at| HeaderValue::try_from(at).ok()) {
            response.headers_mut().insert(header::RETRY_AFTER, at);
        }
        (Some(response), named)
    }
}

/// ferro behind the proxy; both stop when dropped.
pub struct Registry {
    shared: Arc<Shared>,
    url: String,
    ferro: Child,
    _data: tempfile::TempDir,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Registry {
    pub fn start() -> Registry {
        let _ = rustls::crypto::ring::default_provider().install_default();
        // The proxy's port must exist before ferro starts: ferro advertises it in config.json.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
        listener
            .set_nonblocking(true)
            .expect("nonblocking listener");
        let url = format!("http://{}", listener.local_addr().expect("local addr"));
        let data = tempfile::tempdir().expect("ferro data dir");
        let (ferro, ferro_url) = start_ferro(data.path(), &url);
        let client = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("proxy client");
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            ferro: ferro_url,
            client,
        });
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let served = Arc::clone(&shared);
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("proxy runtime");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
                let app = axum::Router::new().fallback(serve).with_state(served);
                tokio::select! {
                    _ = axum::serve(listener, app).into_future() => {}
                    _ = stopped => {}
                }
            });
            // Clients that keep connections alive must not hold the test up.
            runtime.shutdown_timeout(Duration::from_millis(200));
        });
        Registry {
            shared,
            url,
            ferro,
            _data: data,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    pub fn index_url(&self) -> String {
        format!("sparse+{}/", self.url)
    }

    pub fn api_url(&self) -> String {
        self.url.clone()
    }

    /// Callers append `&audience=…`.
    pub fn oidc_request_url(&self) -> String {
        format!("{}/oidc/token?x=1", self.url)
    }

    /// Applies to uploads that return from now on.
    pub fn set_index_delay(&self, d: Duration) {
        self.lock().index_delay = d;
    }

    pub fn set_upload_hold(&self, d: Duration) {
        self.lock().upload_hold = d;
    }

    pub fn inject(&self, fault: Fault) {
        self.lock().faults.push(fault);
    }

    pub fn uploads(&self) -> Vec<Upload> {
        self.lock().uploads.clone()
    }

    /// When the proxy starts listing `name@version` in index files (`None`: not uploaded
    /// through the proxy with success yet).
    pub fn visible_at(&self, name: &str, version: &str) -> Option<Instant> {
        let key = (name.to_lowercase(), version.to_owned());
        self.lock().visibility.get(&key).copied().flatten()
    }

    /// The versions in ferro's own index, whatever the proxy shows.
    pub fn published(&self, name: &str) -> Vec<String> {
        self.index_lines(name)
            .iter()
            .filter_map(|v| v["vers"].as_str().map(str::to_owned))
            .collect()
    }

    /// The lines of ferro's own index file for `name`.
    fn index_lines(&self, name: &str) -> Vec<Value> {
        let text = self.ferro_get(&index_path(name)).unwrap_or_default();
        text.lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .collect()
    }

    /// GET `path` from ferro itself, past the proxy; `None` for an error status.
    fn ferro_get(&self, path: &str) -> Option<String> {
        let url = format!("{}/{path}", self.shared.ferro);
        let client = reqwest::blocking::Client::builder().no_proxy().build();
        let response = client
            .expect("blocking client")
            .get(&url)
            .send()
            .unwrap_or_else(|e| panic!("GET {url}: {e}"));
        if !response.status().is_success() {
            return None;
        }
        Some(response.text().expect("a body"))
    }

    /// Every version in ferro's own index with its `yanked` flag.
    pub fn versions(&self, name: &str) -> Vec<(String, bool)> {
        self.index_lines(name)
            .iter()
            .filter_map(|v| Some((v["vers"].as_str()?.to_owned(), v["yanked"].as_bool()?)))
            .collect()
    }

    /// The owners ferro lists for `name` (empty when it has no such crate).
    pub fn owners(&self, name: &str) -> Vec<String> {
        let Some(text) = self.ferro_get(&format!("api/v1/crates/{name}/owners")) else {
            return Vec::new();
        };
        let body: Value = serde_json::from_str(&text).expect("owners JSON");
        body["users"]
            .as_array()
            .map(|users| {
                users
                    .iter()
                    .filter_map(|u| u["login"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn requests(&self) -> Vec<Request> {
        self.lock().requests.clone()
    }

    pub fn index_fetches(&self) -> Vec<IndexFetch> {
        self.lock().index_fetches.clone()
    }

    pub fn minted_tokens(&self) -> Vec<String> {
        self.lock().minted.clone()
    }

    pub fn revoked_tokens(&self) -> Vec<String> {
        self.lock().revoked.clone()
    }

    /// The JWTs sent to the token exchange, in order.
    pub fn exchanged_jwts(&self) -> Vec<String> {
        self.lock().jwts.clone()
    }

    pub fn oidc_audiences(&self) -> Vec<String> {
        self.lock().audiences.clone()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.shared.lock()
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        let _ = self.ferro.kill();
        let _ = self.ferro.wait();
    }
}

/// `RELEASEKIT_FERRO_BIN`, else PATH, else the tools cache (where `.ci/run` installs it); on a
/// machine that has none, the first test installs it there (`cargo install --locked`, about
/// 80 s), under a file lock so parallel tests install it once.
fn ferro_bin() -> PathBuf {
    if let Some(bin) = std::env::var_os("RELEASEKIT_FERRO_BIN") {
        return PathBuf::from(bin);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    let on_path = std::env::split_paths(&path).map(|dir| dir.join(FERRO));
    if let Some(bin) = on_path.into_iter().find(|p| p.is_file()) {
        return bin;
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_default();
    let root = std::env::var_os("RELEASEKIT_TOOLS")
        .map(PathBuf::from)
        .unwrap_or_else(|| cache.join("releasekit-cargo/tools"));
    let bin = root.join("bin").join(FERRO);
    if bin.is_file() {
        return bin;
    }
    std::fs::create_dir_all(&root).expect("tools cache");
    let lock = std::fs::File::create(root.join(".install.lock")).expect("install lock");
    lock.lock().expect("lock the tools cache");
    if !bin.is_file() {
        let out = Command::new("cargo")
            .args([
                "install",
                "--locked",
                "--quiet",
                FERRO,
                "--version",
                "1.0.0",
                "--root",
            ])
            .arg(&root)
            .output()
            .expect("cargo install runs");
        assert!(
            out.status.success(),
            "could not install {FERRO} 1.0.0 into {}: {}",
            root.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    bin
}

/// Starts ferro on a port of its choosing (no race for a free port) and returns it once it
/// answers `GET /config.json`, with its own origin.
fn start_ferro(data: &Path, advertised: &str) -> (Child, String) {
    let bin = ferro_bin();
    let mut child = Command::new(&bin)
        .env("FERRO_CARGO_REGISTRY_LISTEN", "127.0.0.1:0")
        .env("FERRO_CARGO_REGISTRY_DATA", data)
        .env("FERRO_CARGO_REGISTRY_API", advertised)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("start {}: {e}", bin.display()));
    let output = Arc::new(Mutex::new(String::new()));
    let (bound, address) = mpsc::channel::<String>();
    let stdout = child.stdout.take().expect("ferro stdout");
    let seen = Arc::clone(&output);
    // Draining both pipes for ferro's whole life keeps it from blocking on a full pipe.
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(rest) = line.split_once("bound=").map(|(_, r)| r) {
                let _ = bound.send(
                    rest.split_whitespace()
                        .next()
                        .unwrap_or_default()
                        .to_owned(),
                );
            }
            let mut seen = seen.lock().unwrap_or_else(|e| e.into_inner());
            if seen.len() < 64 << 10 {
                seen.push_str(&line);
                seen.push('\n');
            }
        }
    });
    let mut stderr = child.stderr.take().expect("ferro stderr");
    let seen = Arc::clone(&output);
    std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        seen.lock()
            .unwrap_or_else(|e| e.into_inner())
            .push_str(&text);
    });
    let failed = |child: &mut Child, why: &str| -> ! {
        let _ = child.kill();
        let _ = child.wait();
        std::thread::sleep(Duration::from_millis(100));
        let output = output.lock().unwrap_or_else(|e| e.into_inner()).clone();
        panic!("{FERRO} {why}; its output:\n{output}")
    };
    let Ok(address) = address.recv_timeout(START_TIMEOUT) else {
        failed(&mut child, "did not say where it listens")
    };
    let origin = format!("http://{address}");
    let client = reqwest::blocking::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(2))
        .build()
        .expect("blocking client");
    let deadline = Instant::now() + START_TIMEOUT;
    loop {
        let answer = client.get(format!("{origin}/config.json")).send();
        if answer.is_ok_and(|a| a.status().is_success()) {
            return (child, origin);
        }
        if Instant::now() > deadline {
            failed(&mut child, "did not answer GET /config.json");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

struct Shared {
    state: Mutex<State>,
    ferro: String,
    client: reqwest::Client,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panicking test thread must not hide the state from the next assertion.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[derive(Default)]
struct State {
    index_delay: Duration,
    upload_hold: Duration,
    faults: Vec<Fault>,
    requests: Vec<Request>,
    uploads: Vec<Upload>,
    index_fetches: Vec<IndexFetch>,
    /// (lower-case name, version) → when index files start listing it; `None` while its
    /// upload is in flight. Versions absent here (put into ferro directly) are always shown.
    visibility: HashMap<(String, String), Option<Instant>>,
    minted: Vec<String>,
    revoked: Vec<String>,
    jwts: Vec<String>,
    audiences: Vec<String>,
}

impl State {
    fn take_fault(&mut self, name: &str) -> Option<Fault> {
        let name = name.to_lowercase();
        let at = self
            .faults
            .iter()
            .position(|f| f.call.is_none() && f.name == name)?;
        self.take_at(at)
    }

    fn take_call_fault(&mut self, method: &str, path: &str) -> Option<Fault> {
        let at = self.faults.iter().position(|f| {
            f.call
                .as_ref()
                .is_some_and(|(m, p)| m == method && p == path)
        })?;
        self.take_at(at)
    }

    fn take_at(&mut self, at: usize) -> Option<Fault> {
        let fault = self.faults[at].clone();
        match &mut self.faults[at].times {
            Some(1) | Some(0) => {
                self.faults.remove(at);
            }
            Some(n) => *n -= 1,
            None => {}
        }
        Some(fault)
    }

    fn hides(&self, line: &str, now: Instant) -> bool {
        let Ok(entry) = serde_json::from_str::<Value>(line) else {
            return false;
        };
        let (Some(name), Some(version)) = (entry["name"].as_str(), entry["vers"].as_str()) else {
            return false;
        };
        let key = (name.to_lowercase(), version.to_owned());
        match self.visibility.get(&key) {
            None => false,
            Some(None) => true,
            Some(Some(at)) => now < *at,
        }
    }
}

async fn serve(Extract(shared): Extract<Arc<Shared>>, request: axum::extract::Request) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_owned();
    let path = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned());
    let response = route(shared.clone(), request).await;
    shared.lock().requests.push(Request {
        method,
        path: path.unwrap_or_default(),
        status: response.as_ref().map_or(0, |r| r.status().as_u16()),
        started,
        ended: Instant::now(),
    });
    match response {
        Some(response) => response,
        // Unwinding the connection's task makes hyper close it without a byte of answer;
        // resume_unwind skips the panic hook, so nothing is printed.
        None => std::panic::resume_unwind(Box::new("fault: drop the connection")),
    }
}

async fn route(shared: Arc<Shared>, request: axum::extract::Request) -> Option<Response> {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 256 << 20)
        .await
        .unwrap_or_default();
    let (method, path) = (
        parts.method.as_str().to_owned(),
        parts.uri.path().to_owned(),
    );
    let response = match (method.as_str(), path.as_str()) {
        // On a task of its own: an upload the client gave up on still completes, as it does
        // on a real registry.
        ("PUT", "/api/v1/crates/new") => {
            return tokio::spawn(async move { upload(&shared, &parts, body).await })
                .await
                .unwrap_or(None);
        }
        ("POST", "/api/v1/trusted_publishing/tokens") => mint(&shared, &body),
        ("DELETE", "/api/v1/trusted_publishing/tokens") => revoke(&shared, &parts.headers),
        ("GET", "/oidc/token") => oidc(&shared, &parts),
        ("GET", p) if !p.starts_with("/api/") && p != "/config.json" => {
            index_file(&shared, &parts).await
        }
        (method, path) => {
            let fault = shared.lock().take_call_fault(method, path);
            match fault {
                Some(fault) => return fault.response().0,
                None => forward(&shared, &parts, body).await.into_response(),
            }
        }
    };
    Some(response)
}

async fn upload(shared: &Shared, parts: &Parts, body: Bytes) -> Option<Response> {
    let started = Instant::now();
    let Some((name, version, metadata)) = upload_name(&body) else {
        // Let ferro explain what is wrong with the body.
        return Some(forward(shared, parts, body).await.into_response());
    };
    let key = (name.to_lowercase(), version.clone());
    let fault = shared.lock().take_fault(&name);
    let faulted = fault.is_some();
    let mut pending = false;
    let mut retry_at = None;
    let response = match fault {
        Some(fault) => {
            let (response, named) = fault.response();
            retry_at = named;
            response
        }
        None => {
            {
                // Hidden from before ferro can list it until the upload has returned.
                let mut state = shared.lock();
                if !state.visibility.contains_key(&key) {
                    state.visibility.insert(key.clone(), None);
                    pending = true;
                }
            }
            Some(forward(shared, parts, body).await.into_response())
        }
    };
    let hold = shared.lock().upload_hold;
    tokio::time::sleep(hold).await;
    let returned = Instant::now();
    let status = response.as_ref().map_or(0, |r| r.status().as_u16());
    let mut state = shared.lock();
    if !faulted && status == 200 {
        let at = returned + state.index_delay;
        state.visibility.insert(key, Some(at));
    } else if pending {
        state.visibility.remove(&key);
    }
    state.uploads.push(Upload {
        name,
        version,
        started,
        returned,
        status,
        faulted,
        metadata,
        retry_at,
    });
    response
}

/// Name, version and metadata from a publish body: u32 LE length, JSON metadata, then the
/// .crate.
fn upload_name(body: &[u8]) -> Option<(String, String, Value)> {
    let length = u32::from_le_bytes(body.get(..4)?.try_into().ok()?) as usize;
    let metadata: Value = serde_json::from_slice(body.get(4..4 + length)?).ok()?;
    let name = metadata["name"].as_str()?.to_owned();
    let version = metadata["vers"].as_str()?.to_owned();
    Some((name, version, metadata))
}

/// Serves an index file without the versions not visible yet. A filtered file gets no ETag and
/// never a 304; a complete one keeps ferro's ETag, and the proxy decides If-None-Match itself
/// against the body it serves now, so a 304 can never stand for a body the client never saw.
async fn index_file(shared: &Shared, parts: &Parts) -> Response {
    let mut unconditional = parts.clone();
    unconditional.headers.remove(header::IF_NONE_MATCH);
    unconditional.headers.remove(header::IF_MODIFIED_SINCE);
    let answer = forward(shared, &unconditional, Bytes::new()).await;
    let response = match answer.status {
        200 => {
            let text = String::from_utf8_lossy(&answer.body).into_owned();
            let shown: Vec<&str> = {
                let state = shared.lock();
                let now = Instant::now();
                text.lines().filter(|l| !state.hides(l, now)).collect()
            };
            if shown.len() == text.lines().count() {
                complete_index_file(answer, &parts.headers)
            } else if shown.is_empty() {
                // What crates.io answers for a new crate its index does not list yet.
                text_response(404, "not found\n")
            } else {
                text_response(200, &(shown.join("\n") + "\n"))
            }
        }
        _ => answer.into_response(),
    };
    shared.lock().index_fetches.push(IndexFetch {
        path: parts.uri.path().to_owned(),
        status: response.status().as_u16(),
        at: Instant::now(),
    });
    response
}

fn complete_index_file(answer: Forwarded, request: &HeaderMap) -> Response {
    let etag = answer.headers.get(header::ETAG).cloned();
    let asked = request
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok());
    let matches = match (asked, etag.as_ref().and_then(|e| e.to_str().ok())) {
        (Some(asked), Some(etag)) => asked
            .split(',')
            .map(|t| t.trim().trim_start_matches("W/"))
            .any(|t| t == "*" || t == etag.trim_start_matches("W/")),
        _ => false,
    };
    if !matches {
        return answer.into_response();
    }
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::NOT_MODIFIED;
    if let Some(etag) = etag {
        response.headers_mut().insert(header::ETAG, etag);
    }
    response
}

/// `POST /api/v1/trusted_publishing/tokens`: a JWT in, a fresh publish token out.
fn mint(shared: &Shared, body: &[u8]) -> Response {
    let request: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let Some(jwt) = request["jwt"].as_str().filter(|j| !j.is_empty()) else {
        return error(400, "invalid JSON body: missing field `jwt`");
    };
    let token = format!("cio{}", random_text(32));
    let mut state = shared.lock();
    state.jwts.push(jwt.to_owned());
    state.minted.push(token.clone());
    json_response(200, json!({ "token": token }))
}

/// `DELETE /api/v1/trusted_publishing/tokens` with the token itself as `Authorization`.
fn revoke(shared: &Shared, headers: &HeaderMap) -> Response {
    let token = authorization(headers);
    let token = token.strip_prefix("Bearer ").unwrap_or(&token);
    let mut state = shared.lock();
    let live = state.minted.iter().any(|t| t == token) && !state.revoked.iter().any(|t| t == token);
    if !live {
        return error(401, "authentication failed");
    }
    state.revoked.push(token.to_owned());
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::NO_CONTENT;
    response
}

/// GitHub's `ACTIONS_ID_TOKEN_REQUEST_URL`: a bearer request token in, a JWT for `audience` out.
fn oidc(shared: &Shared, parts: &Parts) -> Response {
    let auth = authorization(&parts.headers);
    let bearer = auth
        .get(..7)
        .is_some_and(|p| p.eq_ignore_ascii_case("bearer "));
    if !bearer || auth[7..].trim().is_empty() {
        return json_response(
            401,
            json!({"message": "Unable to get ACTIONS_ID_TOKEN_REQUEST_TOKEN env variable"}),
        );
    }
    let query = parts.uri.query().unwrap_or_default();
    let audience = query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == "audience")
        .map(|(_, v)| percent_decode(v))
        .unwrap_or_default();
    shared.lock().audiences.push(audience.clone());
    json_response(200, json!({ "value": fake_jwt(&audience) }))
}

fn fake_jwt(audience: &str) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let header = json!({"alg": "RS256", "typ": "JWT", "kid": "fake"});
    let claims = json!({
        "iss": "https://token.actions.githubusercontent.com",
        "aud": audience,
        "sub": "repo:acme/widgets:ref:refs/heads/main",
        "repository": "acme/widgets",
        "jti": random_text(16),
        "iat": now,
        "exp": now + 300,
    });
    let encode = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let signature = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_text(64));
    format!("{}.{}.{signature}", encode(&header), encode(&claims))
}

/// What ferro answered, read whole so it can be filtered or logged.
struct Forwarded {
    status: u16,
    headers: HeaderMap,
    body: Bytes,
}

impl Forwarded {
    fn into_response(self) -> Response {
        let mut response = Response::new(Body::from(self.body));
        *response.status_mut() =
            StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_GATEWAY);
        for (name, value) in &self.headers {
            // hyper frames the body itself.
            let framing = [
                header::TRANSFER_ENCODING,
                header::CONNECTION,
                header::CONTENT_LENGTH,
            ];
            if !framing.contains(name) {
                response.headers_mut().append(name, value.clone());
            }
        }
        response
    }
}

async fn forward(shared: &Shared, parts: &Parts, body: Bytes) -> Forwarded {
    let target = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let url = format!("{}{target}", shared.ferro);
    let mut headers = parts.headers.clone();
    for hop in [header::HOST, header::CONNECTION, header::CONTENT_LENGTH] {
        headers.remove(hop);
    }
    let sent = shared
        .client
        .request(parts.method.clone(), &url)
        .headers(headers)
        .body(body)
        .send()
        .await;
    let answer = match sent {
        Ok(answer) => answer,
        Err(e) => return bad_gateway(&url, &e),
    };
    let status = answer.status().as_u16();
    let headers = answer.headers().clone();
    match answer.bytes().await {
        Ok(body) => Forwarded {
            status,
            headers,
            body,
        },
        Err(e) => bad_gateway(&url, &e),
    }
}

fn bad_gateway(url: &str, e: &reqwest::Error) -> Forwarded {
    let body = json!({"errors": [{"detail": format!("proxy: {url}: {e}")}]});
    Forwarded {
        status: 502,
        headers: HeaderMap::new(),
        body: Bytes::from(body.to_string()),
    }
}

fn authorization(headers: &HeaderMap) -> String {
    let value = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    value.unwrap_or_default().trim().to_owned()
}

fn error(status: u16, detail: &str) -> Response {
    json_response(status, json!({"errors": [{"detail": detail}]}))
}

fn json_response(status: u16, body: Value) -> Response {
    let mut response = Response::new(Body::from(body.to_string()));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    let json = HeaderValue::from_static("application/json; charset=utf-8");
    response.headers_mut().insert(header::CONTENT_TYPE, json);
    response
}

fn text_response(status: u16, body: &str) -> Response {
    let mut response = Response::new(Body::from(body.to_owned()));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    let text = HeaderValue::from_static("text/plain; charset=utf-8");
    response.headers_mut().insert(header::CONTENT_TYPE, text);
    response
}

fn reason(status: u16) -> &'static str {
    let reason = StatusCode::from_u16(status).ok();
    reason.and_then(|s| s.canonical_reason()).unwrap_or("Error")
}

fn random_text(n: usize) -> String {
    std::iter::repeat_with(fastrand::alphanumeric)
        .take(n)
        .collect()
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The sparse index path of `name`: `1/a`, `2/ab`, `3/a/abc`, `he/ll/hello`, lower-cased.
pub fn index_path(name: &str) -> String {
    let name = name.to_lowercase();
    match name.len() {
        1 => format!("1/{name}"),
        2 => format!("2/{name}"),
        3 => format!("3/{}/{name}", &name[..1]),
        _ => format!("{}/{}/{name}", &name[..2], &name[2..4]),
    }
}

/// A CARGO_HOME whose config.toml names the registry `registry_name` at `index_url`; cargo's
/// other defaults stay (network retries included), as a user's would.
pub fn cargo_home(dir: &Path, registry_name: &str, index_url: &str) {
    std::fs::create_dir_all(dir).expect("CARGO_HOME dir");
    let config = format!("[registries.{registry_name}]\nindex = \"{index_url}\"\n");
    std::fs::write(dir.join("config.toml"), config).expect("write config.toml");
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Normal,
    Build,
    Dev,
}

/// A workspace member for [`write_workspace`].
#[derive(Debug, Clone)]
pub struct CrateSpec {
    pub name: String,
    pub version: String,
    pub deps: Vec<DepSpec>,
}

/// A dependency on another member of the same generated workspace.
#[derive(Debug, Clone)]
pub struct DepSpec {
    pub name: String,
    pub kind: Kind,
    /// The requirement; `None` writes a path-only dependency (publishable only as a dev-dep).
    pub version: Option<String>,
    pub optional: bool,
    pub rename: Option<String>,
    /// `cfg(...)` or a target triple.
    pub target: Option<String>,
}

impl CrateSpec {
    pub fn new(name: &str, version: &str) -> CrateSpec {
        CrateSpec {
            name: name.to_owned(),
            version: version.to_owned(),
            deps: Vec::new(),
        }
    }

    pub fn dep(mut self, dep: DepSpec) -> CrateSpec {
        self.deps.push(dep);
        self
    }
}

impl DepSpec {
    /// A normal dependency on `name` with requirement `version`.
    pub fn new(name: &str, version: &str) -> DepSpec {
        DepSpec {
            name: name.to_owned(),
            kind: Kind::Normal,
            version: Some(version.to_owned()),
            optional: false,
            rename: None,
            target: None,
        }
    }

    pub fn kind(self, kind: Kind) -> DepSpec {
        DepSpec { kind, ..self }
    }

    pub fn path_only(self) -> DepSpec {
        DepSpec {
            version: None,
            ..self
        }
    }

    pub fn optional(self) -> DepSpec {
        DepSpec {
            optional: true,
            ..self
        }
    }

    pub fn rename(self, key: &str) -> DepSpec {
        DepSpec {
            rename: Some(key.to_owned()),
            ..self
        }
    }

    pub fn target(self, target: &str) -> DepSpec {
        DepSpec {
            target: Some(target.to_owned()),
            ..self
        }
    }

    /// The key in the manifest, and the feature of an optional dependency.
    fn key(&self) -> &str {
        self.rename.as_deref().unwrap_or(&self.name)
    }

    /// `#[cfg(...)]` guarding the dependency's use, or `None` when it is always there.
    /// A target triple has no cfg of its own, so its dependency goes unused.
    fn cfg(&self) -> Option<Option<String>> {
        let target = match self.target.as_deref() {
            None => None,
            Some(t) => match t.strip_prefix("cfg(").and_then(|t| t.strip_suffix(')')) {
                Some(predicate) => Some(predicate.to_owned()),
                None => return None,
            },
        };
        let feature = self
            .optional
            .then(|| format!("feature = \"{}\"", self.key()));
        Some(match (target, feature) {
            (Some(t), Some(f)) => Some(format!("all({t}, {f})")),
            (t, f) => t.or(f),
        })
    }
}

/// Writes a committed git repository at `dir` holding a workspace of `crates` under
/// `crates/<name>`, all publishable to `registry` only, with Cargo.lock. Each lib.rs (and
/// build.rs) uses every normal (build) dependency, so a missing one fails the build.
pub fn write_workspace(dir: &Path, registry: &str, crates: &[CrateSpec]) {
    let members: Vec<String> = crates
        .iter()
        .map(|c| format!("\"crates/{}\"", c.name))
        .collect();
    let root = format!(
        "[workspace]\nmembers = [{}]\nresolver = \"2\"\n",
        members.join(", ")
    );
    write(dir, "Cargo.toml", &root);
    write(dir, ".gitignore", "/target\n");
    for spec in crates {
        let base = format!("crates/{}", spec.name);
        write(
            dir,
            &format!("{base}/Cargo.toml"),
            &member_manifest(spec, registry),
        );
        write(dir, &format!("{base}/src/lib.rs"), &lib_rs(spec));
        if spec.deps.iter().any(|d| d.kind == Kind::Build) {
            write(dir, &format!("{base}/build.rs"), &build_rs(spec));
        }
    }
    // Cargo must know the registry to read `registry = …`; offline, it never contacts it.
    let variable = format!(
        "CARGO_REGISTRIES_{}_INDEX",
        registry.to_uppercase().replace('-', "_")
    );
    let mut lock = Command::new("cargo");
    lock.args(["generate-lockfile", "--offline", "--quiet"]);
    if std::env::var_os(&variable).is_none() {
        lock.env(&variable, "sparse+http://127.0.0.1:9/");
    }
    run(lock.current_dir(dir));
    for args in [
        &["init", "-q", "-b", "main"][..],
        &["config", "user.email", "dev@example.com"],
        &["config", "user.name", "Dev"],
        &["config", "commit.gpgsign", "false"],
        &["add", "-A"],
        &["commit", "-q", "-m", "chore: generated workspace"],
    ] {
        run(Command::new("git").args(args).current_dir(dir));
    }
}

fn member_manifest(spec: &CrateSpec, registry: &str) -> String {
    let name = &spec.name;
    let mut text = format!(
        "[package]\nname = \"{name}\"\nversion = \"{}\"\nedition = \"2021\"\n\
         description = \"{name}, generated for registry tests\"\nlicense = \"MIT\"\n\
         publish = [\"{registry}\"]\n",
        spec.version
    );
    let mut tables: BTreeMap<(Option<&str>, Kind), Vec<String>> = BTreeMap::new();
    for dep in &spec.deps {
        let mut fields = vec![format!("path = \"../{}\"", dep.name)];
        if let Some(version) = &dep.version {
            fields.push(format!("version = \"{version}\""));
            fields.push(format!("registry = \"{registry}\""));
        }
        if dep.rename.is_some() {
            fields.push(format!("package = \"{}\"", dep.name));
        }
        if dep.optional {
            fields.push("optional = true".to_owned());
        }
        let line = format!("{} = {{ {} }}", dep.key(), fields.join(", "));
        tables
            .entry((dep.target.as_deref(), dep.kind))
            .or_default()
            .push(line);
    }
    for ((target, kind), lines) in tables {
        let table = match kind {
            Kind::Normal => "dependencies",
            Kind::Build => "build-dependencies",
            Kind::Dev => "dev-dependencies",
        };
        match target {
            Some(target) => text += &format!("\n[target.'{target}'.{table}]\n"),
            None => text += &format!("\n[{table}]\n"),
        }
        text += &(lines.join("\n") + "\n");
    }
    let optional: Vec<&DepSpec> = spec.deps.iter().filter(|d| d.optional).collect();
    if !optional.is_empty() {
        text += "\n[features]\n";
        for dep in optional {
            text += &format!("{0} = [\"dep:{0}\"]\n", dep.key());
        }
    }
    text
}

fn lib_rs(spec: &CrateSpec) -> String {
    let mut text = format!(
        "//! `{0}`, generated for registry tests.\n\npub fn name() -> &'static str {{\n    \"{0}\"\n}}\n",
        spec.name
    );
    text += &uses(spec, Kind::Normal, "pub use");
    text
}

fn build_rs(spec: &CrateSpec) -> String {
    let uses = uses(spec, Kind::Build, "use");
    format!("#![allow(unused_imports)]\n{uses}\nfn main() {{}}\n")
}

/// One `use` per distinct dependency of `kind`, guarded like its declaration.
fn uses(spec: &CrateSpec, kind: Kind, keyword: &str) -> String {
    let mut seen = Vec::new();
    let mut text = String::new();
    for dep in spec.deps.iter().filter(|d| d.kind == kind) {
        let ident = dep.key().replace('-', "_");
        let Some(cfg) = dep.cfg() else { continue };
        if seen.contains(&ident) {
            continue;
        }
        if let Some(cfg) = cfg {
            text += &format!("#[cfg({cfg})]\n");
        }
        let alias = if keyword == "use" { " as _" } else { "" };
        text += &format!("{keyword} {ident}{alias};\n");
        seen.push(ident);
    }
    text
}

fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("create dirs");
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

fn run(command: &mut Command) {
    let out = command
        .output()
        .unwrap_or_else(|e| panic!("{command:?}: {e}"));
    assert!(
        out.status.success(),
        "{command:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `layers` × `width` crates `l{k}-c{i}` at 0.1.0; crate i of layer k depends on crates i and
/// i+1 (wrapping) of layer k-1:
///
/// ```text
/// l1-c0  l1-c1  l1-c2
///   | \    | \    | \
/// l0-c0  l0-c1  l0-c2   (l1-c2 → l0-c2, l0-c0)
/// ```
pub fn layered(layers: usize, width: usize) -> Vec<CrateSpec> {
    layers_of(&vec![width; layers], false)
}

/// Layer k has `widths[k]` crates; crate i of layer k depends on crates i and i+1 (wrapping) of
/// layer k-1, and crate 0 of layer k also on crate 0 of layer k-2 (an edge that skips a layer).
pub fn irregular(widths: &[usize]) -> Vec<CrateSpec> {
    layers_of(widths, true)
}

fn layers_of(widths: &[usize], skip: bool) -> Vec<CrateSpec> {
    let name = |k: usize, i: usize| format!("l{k}-c{i}");
    let mut crates = Vec::new();
    for (k, &width) in widths.iter().enumerate() {
        for i in 0..width {
            let mut spec = CrateSpec::new(&name(k, i), "0.1.0");
            let below = k.checked_sub(1).map_or(0, |b| widths[b]);
            let mut targets: Vec<String> = Vec::new();
            if below > 0 {
                targets.push(name(k - 1, i % below));
                targets.push(name(k - 1, (i + 1) % below));
            }
            if skip && k >= 2 && i == 0 && widths[k - 2] > 0 {
                targets.push(name(k - 2, 0));
            }
            targets.dedup();
            for target in targets {
                if !spec.deps.iter().any(|d| d.name == target) {
                    spec = spec.dep(DepSpec::new(&target, "0.1.0"));
                }
            }
            crates.push(spec);
        }
    }
    crates
}
