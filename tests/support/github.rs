//! A stateful fake of the GitHub REST API for integration tests: pull requests, labels,
//! comments, git refs and tag objects, releases and repository dispatches, answered with the
//! JSON shapes, status codes, error bodies and headers GitHub really sends, so the real
//! binary can run against it through octocrab. It serves one repository (plus the ones a
//! test allows for dispatches), logs every request, and can inject faults. It knows nothing
//! about the product: tests inspect its state and its request log.

#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::future::IntoFuture;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::extract::{Request, State as Extract};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

const DOCS: &str = "https://docs.github.com/rest";
const BOT_LOGIN: &str = "github-actions[bot]";
const BOT_ID: u64 = 41898282;

/// One request as the fake saw it, with the status it answered.
#[derive(Debug, Clone, PartialEq)]
pub struct Logged {
    pub method: String,
    /// Path plus `?query` when there is one, still percent-encoded as sent.
    pub path: String,
    /// `Null` when the body was empty or not JSON.
    pub body: Value,
    pub authorization: Option<String>,
    pub status: u16,
}

/// A canned failure for matching requests; a faulted request changes no state.
#[derive(Debug, Clone)]
pub struct Fault {
    pub method: Option<&'static str>,
    pub path_contains: String,
    pub skip: usize,
    pub times: usize,
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Value,
}

impl Fault {
    pub fn status(method: &'static str, path_contains: &str, status: u16) -> Fault {
        Fault {
            method: Some(method),
            ..Fault::any_method(path_contains, status)
        }
    }

    pub fn any_method(path_contains: &str, status: u16) -> Fault {
        let reason = StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("Error");
        Fault {
            method: None,
            path_contains: path_contains.to_owned(),
            skip: 0,
            times: 1,
            status,
            headers: Vec::new(),
            body: json!({ "message": reason }),
        }
    }

    pub fn skip(self, n: usize) -> Fault {
        Fault { skip: n, ..self }
    }

    pub fn times(self, n: usize) -> Fault {
        Fault { times: n, ..self }
    }

    pub fn header(mut self, name: &str, value: &str) -> Fault {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn body(self, v: Value) -> Fault {
        Fault { body: v, ..self }
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        self.method.is_none_or(|m| m.eq_ignore_ascii_case(method))
            && path.contains(&self.path_contains)
    }
}

/// How a pull request is merged (the repository settings GitHub offers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MergeMethod {
    /// A merge commit of the branch on the base.
    Merge,
    /// One commit on the base with the branch's whole change.
    Squash,
    /// A squash whose commit message the maintainer typed in GitHub's merge box.
    SquashAs(&'static str),
    /// Each commit of the branch replayed on the base.
    Rebase,
}

/// What the fake answered to [`FakeGitHub::send`].
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Value,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        let header = self
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name));
        header.map(|(_, v)| v.as_str())
    }
}

/// The fake server; it stops when dropped.
pub struct FakeGitHub {
    state: Arc<Mutex<State>>,
    url: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl FakeGitHub {
    /// One raw request, as any other client (a person, an earlier tool) would send it: a tiny
    /// blocking HTTP/1.1 client, so tests need no extra crate. `raw` is the body as sent.
    pub fn send(&self, method: &str, path: &str, raw: &str, auth: Option<&str>) -> Answer {
        let address = self.url().trim_start_matches("http://").to_owned();
        let mut stream = TcpStream::connect(&address).expect("connect to the fake");
        let mut request =
            format!("{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n");
        request += "Accept: application/vnd.github+json\r\nUser-Agent: fake-github-test\r\n";
        if let Some(auth) = auth {
            request += &format!("Authorization: {auth}\r\n");
        }
        if !raw.is_empty() {
            request += "Content-Type: application/json\r\n";
        }
        request += &format!("Content-Length: {}\r\n\r\n{raw}", raw.len());
        stream.write_all(request.as_bytes()).expect("send request");
        let mut response = String::new();
        stream.read_to_string(&mut response).expect("read response");
        let (head, body) = response
            .split_once("\r\n\r\n")
            .expect("a complete HTTP response");
        let mut lines = head.lines();
        let status = lines
            .next()
            .and_then(|l| l.split(' ').nth(1))
            .and_then(|s| s.parse().ok());
        let headers = lines
            .filter_map(|l| l.split_once(": "))
            .map(|(n, v)| (n.to_owned(), v.to_owned()));
        Answer {
            status: status.expect("a status line"),
            headers: headers.collect(),
            body: serde_json::from_str(body).unwrap_or(Value::Null),
        }
    }

    pub fn start(repository: &str) -> FakeGitHub {
        let (owner, name) = repository
            .split_once('/')
            .unwrap_or_else(|| panic!("repository must be owner/name, got {repository:?}"));
        // Binding before returning means connections queue in the backlog until the runtime
        // accepts them, so the caller never races the server's start.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind fake GitHub");
        listener
            .set_nonblocking(true)
            .expect("nonblocking listener");
        let url = format!("http://{}", listener.local_addr().expect("local addr"));
        let state = Arc::new(Mutex::new(State::new(&url, owner, name)));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let served = Arc::clone(&state);
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("fake GitHub runtime");
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
        FakeGitHub {
            state,
            url,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    pub fn allow_repo(&self, repository: &str) {
        self.lock().allowed.insert(repository.to_lowercase());
    }

    pub fn url(&self) -> String {
        self.url.clone()
    }

    pub fn require_token(&self, token: &str) {
        self.lock().token = Some(token.to_owned());
    }

    pub fn requests(&self) -> Vec<Logged> {
        self.lock().log.clone()
    }

    pub fn writes(&self) -> Vec<Logged> {
        let writes = ["POST", "PATCH", "PUT", "DELETE"];
        self.requests()
            .into_iter()
            .filter(|r| writes.contains(&r.method.as_str()))
            .collect()
    }

    pub fn inject(&self, fault: Fault) {
        self.lock().faults.push((fault, 0));
    }

    pub fn pulls(&self) -> Vec<Value> {
        let state = self.lock();
        state
            .pulls
            .values()
            .map(|p| state.pull_json(p, true))
            .collect()
    }

    pub fn pull(&self, number: u64) -> Value {
        let state = self.lock();
        let pull = state.pulls.get(&number);
        let pull = pull.unwrap_or_else(|| panic!("the fake has no pull request #{number}"));
        state.pull_json(pull, true)
    }

    /// Merge Release PR `number` the way GitHub does by default: a merge commit (see
    /// [`FakeGitHub::merge_release_pr_as`]).
    pub fn merge_release_pr(&self, git: impl Fn(&[&str]) -> String, number: u64) -> Value {
        self.merge_release_pr_as(git, number, MergeMethod::Merge)
    }

    /// Merge Release PR `number` with `method` as GitHub does, on main of the clone that `git`
    /// runs in (it returns git's stdout), pushed to origin, then marked merged here with
    /// GitHub's `merge_commit_sha`: the merge commit, the squash commit, or the last commit the
    /// rebase put on main. Returns the `pull_request: closed` payload.
    pub fn merge_release_pr_as(
        &self,
        git: impl Fn(&[&str]) -> String,
        number: u64,
        method: MergeMethod,
    ) -> Value {
        let head = self.pull(number)["head"]["ref"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let branch = format!("origin/{head}");
        let branch = branch.as_str();
        git(&["fetch", "-q", "origin"]);
        match method {
            MergeMethod::Merge => {
                git(&[
                    "merge",
                    "-q",
                    "--no-ff",
                    "-m",
                    &format!("Merge pull request #{number} from acme/{head}"),
                    branch,
                ]);
            }
            MergeMethod::Squash | MergeMethod::SquashAs(_) => {
                // GitHub's default message: the title with the number, then each commit.
                let title = self.pull(number)["title"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned();
                let log = git(&[
                    "log",
                    "--reverse",
                    "--format=* %B%x00",
                    &format!("HEAD..{branch}"),
                ]);
                let listed: Vec<&str> = log
                    .split('\0')
                    .map(str::trim)
                    .filter(|m| !m.is_empty())
                    .collect();
                git(&["merge", "-q", "--squash", branch]);
                let message = match method {
                    MergeMethod::SquashAs(message) => message.to_owned(),
                    _ => format!("{title} (#{number})\n\n{}\n", listed.join("\n\n")),
                };
                git(&["commit", "-q", "-m", &message]);
            }
            MergeMethod::Rebase => {
                git(&["checkout", "-q", "-B", "fake-github-rebase", branch]);
                git(&["rebase", "-q", "main"]);
                git(&["checkout", "-q", "main"]);
                git(&["merge", "-q", "--ff-only", "fake-github-rebase"]);
                git(&["branch", "-q", "-D", "fake-github-rebase"]);
            }
        }
        git(&["push", "-q", "origin", "main"]);
        let sha = git(&["rev-parse", "HEAD"]).trim().to_owned();
        self.merge_pull(number, &sha);
        json!({"action": "closed", "number": number, "pull_request": self.pull(number)})
    }

    /// The maintainer edits pull request `number` on GitHub: its title, its body, or both
    /// (`None` keeps what is there). Not a request of the binary: nothing is logged.
    pub fn edit_pull(&self, number: u64, title: Option<&str>, body: Option<&str>) {
        let mut state = self.lock();
        let now = state.tick();
        let pull = state.pulls.get_mut(&number);
        let pull = pull.unwrap_or_else(|| panic!("the fake has no pull request #{number}"));
        if let Some(title) = title {
            pull.title = title.to_owned();
        }
        if let Some(body) = body {
            pull.body = Some(body.to_owned());
        }
        pull.updated_at = now;
    }

    pub fn merge_pull(&self, number: u64, merge_commit_sha: &str) {
        let mut state = self.lock();
        let now = state.tick();
        let pull = state.pulls.get_mut(&number);
        let pull = pull.unwrap_or_else(|| panic!("the fake has no pull request #{number}"));
        pull.open = false;
        pull.merged_at = Some(now.clone());
        pull.closed_at = Some(now.clone());
        pull.updated_at = now;
        pull.merge_commit_sha = Some(merge_commit_sha.to_owned());
    }

    pub fn add_pull(
        &self,
        head: &str,
        base: &str,
        title: &str,
        body: &str,
        labels: &[&str],
    ) -> u64 {
        let mut state = self.lock();
        let (head_owner, head) = state.split_head(head);
        let number = state.insert_pull(
            &head_owner,
            &head,
            base,
            title,
            Some(body.to_owned()),
            false,
        );
        for label in labels {
            state.add_issue_label(number, label);
        }
        number
    }

    pub fn comments(&self, number: u64) -> Vec<String> {
        let state = self.lock();
        let comments = state.comments.get(&number).into_iter().flatten();
        comments
            .map(|c| c["body"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    pub fn issue_labels(&self, number: u64) -> Vec<String> {
        self.lock()
            .issue_labels
            .get(&number)
            .cloned()
            .unwrap_or_default()
    }

    pub fn repo_labels(&self) -> Vec<String> {
        self.lock().labels.iter().map(|l| l.name.clone()).collect()
    }

    pub fn refs(&self) -> BTreeMap<String, String> {
        self.lock().refs.clone()
    }

    pub fn tag_objects(&self) -> Vec<Value> {
        self.lock().tags.clone()
    }

    /// Releases oldest first, each with the `make_latest` the client sent (GitHub never echoes it).
    pub fn releases(&self) -> Vec<Value> {
        let state = self.lock();
        let releases = state.releases.iter().map(|r| {
            let mut json = state.release_json(r);
            json["make_latest"] = r.make_latest.clone();
            json
        });
        releases.collect()
    }

    pub fn dispatches(&self) -> Vec<(String, Value)> {
        self.lock().dispatches.clone()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panicking test thread must not hide the state from the next assertion.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Drop for FakeGitHub {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

async fn serve(Extract(state): Extract<Arc<Mutex<State>>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, 16 << 20)
        .await
        .unwrap_or_default();
    let authorization = parts
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let incoming = Incoming {
        method: parts.method.as_str().to_owned(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().unwrap_or_default().to_owned(),
        authorization,
        body: bytes.to_vec(),
    };
    let mut state = state.lock().unwrap_or_else(|e| e.into_inner());
    let reply = state.handle(&incoming);
    let remaining = 5000u64.saturating_sub(state.log.len() as u64);
    let request_id = state.log.len();
    drop(state);
    respond(reply, remaining, request_id)
}

fn respond(reply: Reply, remaining: u64, request_id: usize) -> Response {
    let reset = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
        + 3600;
    let mut headers: Vec<(String, String)> = vec![
        ("x-github-api-version-selected".into(), "2022-11-28".into()),
        (
            "x-github-media-type".into(),
            "github.v3; format=json".into(),
        ),
        ("x-ratelimit-limit".into(), "5000".into()),
        ("x-ratelimit-remaining".into(), remaining.to_string()),
        ("x-ratelimit-reset".into(), reset.to_string()),
        ("x-ratelimit-used".into(), (5000 - remaining).to_string()),
        ("x-ratelimit-resource".into(), "core".into()),
        (
            "x-github-request-id".into(),
            format!("F4KE:{request_id:04X}:2A1B3C:3D4E5F:6560A1B2"),
        ),
    ];
    let body = match reply.body {
        Some(body) => {
            headers.push((
                "content-type".into(),
                "application/json; charset=utf-8".into(),
            ));
            Body::from(body.to_string())
        }
        None => Body::empty(),
    };
    // Later entries win, so a fault's headers can override the defaults.
    headers.extend(reply.headers);
    let mut response = Response::new(body);
    *response.status_mut() =
        StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    for (name, value) in headers {
        if let (Ok(name), Ok(value)) = (HeaderName::try_from(name), HeaderValue::try_from(value)) {
            response.headers_mut().insert(name, value);
        }
    }
    response
}

struct Incoming {
    method: String,
    path: String,
    query: String,
    authorization: Option<String>,
    body: Vec<u8>,
}

struct Reply {
    status: u16,
    body: Option<Value>,
    headers: Vec<(String, String)>,
}

impl Reply {
    fn json(status: u16, body: Value) -> Reply {
        Reply {
            status,
            body: Some(body),
            headers: Vec::new(),
        }
    }

    fn error(status: u16, message: &str, docs: &str) -> Reply {
        let body =
            json!({ "message": message, "documentation_url": docs, "status": status.to_string() });
        Reply::json(status, body)
    }

    fn not_found() -> Reply {
        Reply::error(404, "Not Found", DOCS)
    }

    fn invalid(resource: &str, code: &str, field: &str, docs: &str) -> Reply {
        let error = json!({ "resource": resource, "code": code, "field": field });
        Reply::validation(error, docs)
    }

    fn validation(error: Value, docs: &str) -> Reply {
        let body = json!({
            "message": "Validation Failed",
            "errors": [error],
            "documentation_url": docs,
            "status": "422",
        });
        Reply::json(422, body)
    }
}

struct Pull {
    id: u64,
    number: u64,
    title: String,
    body: Option<String>,
    head_owner: String,
    head_ref: String,
    head_sha: String,
    base_ref: String,
    base_sha: String,
    open: bool,
    draft: bool,
    maintainer_can_modify: bool,
    created_at: String,
    updated_at: String,
    closed_at: Option<String>,
    merged_at: Option<String>,
    merge_commit_sha: Option<String>,
}

struct Label {
    id: u64,
    name: String,
    color: String,
    description: Option<String>,
}

struct Release {
    id: u64,
    tag_name: String,
    target_commitish: String,
    name: Option<String>,
    body: Option<String>,
    draft: bool,
    prerelease: bool,
    created_at: String,
    published_at: Option<String>,
    make_latest: Value,
}

struct State {
    api: String,
    owner: String,
    name: String,
    allowed: BTreeSet<String>,
    token: Option<String>,
    log: Vec<Logged>,
    faults: Vec<(Fault, usize)>,
    clock: u64,
    next_number: u64,
    next_id: u64,
    pulls: BTreeMap<u64, Pull>,
    issue_labels: BTreeMap<u64, Vec<String>>,
    comments: BTreeMap<u64, Vec<Value>>,
    labels: Vec<Label>,
    refs: BTreeMap<String, String>,
    tags: Vec<Value>,
    releases: Vec<Release>,
    dispatches: Vec<(String, Value)>,
}

impl State {
    fn new(api: &str, owner: &str, name: &str) -> State {
        State {
            api: api.to_owned(),
            owner: owner.to_owned(),
            name: name.to_owned(),
            allowed: BTreeSet::from([format!("{owner}/{name}").to_lowercase()]),
            token: None,
            log: Vec::new(),
            faults: Vec::new(),
            clock: 0,
            next_number: 1,
            next_id: 1_000_001,
            pulls: BTreeMap::new(),
            issue_labels: BTreeMap::new(),
            comments: BTreeMap::new(),
            labels: Vec::new(),
            refs: BTreeMap::new(),
            tags: Vec::new(),
            releases: Vec::new(),
            dispatches: Vec::new(),
        }
    }

    fn handle(&mut self, incoming: &Incoming) -> Reply {
        let path = match incoming.query.is_empty() {
            true => incoming.path.clone(),
            false => format!("{}?{}", incoming.path, incoming.query),
        };
        let parsed = match incoming.body.iter().all(u8::is_ascii_whitespace) {
            true => Ok(Value::Null),
            false => serde_json::from_slice::<Value>(&incoming.body),
        };
        let reply = self.fault(&incoming.method, &path).unwrap_or_else(|| {
            if !self.authorized(incoming.authorization.as_deref()) {
                return Reply::error(401, "Bad credentials", DOCS);
            }
            match &parsed {
                Ok(body) => self.route(&incoming.method, &incoming.path, &incoming.query, body),
                Err(_) => Reply::error(400, "Problems parsing JSON", DOCS),
            }
        });
        self.log.push(Logged {
            method: incoming.method.clone(),
            path,
            body: parsed.unwrap_or(Value::Null),
            authorization: incoming.authorization.clone(),
            status: reply.status,
        });
        reply
    }

    fn fault(&mut self, method: &str, path: &str) -> Option<Reply> {
        let mut fired = None;
        for (fault, seen) in &mut self.faults {
            if !fault.matches(method, path) {
                continue;
            }
            *seen += 1;
            if fired.is_none() && *seen > fault.skip && *seen <= fault.skip + fault.times {
                fired = Some(Reply {
                    status: fault.status,
                    body: Some(fault.body.clone()),
                    headers: fault.headers.clone(),
                });
            }
        }
        fired
    }

    fn authorized(&self, authorization: Option<&str>) -> bool {
        let Some(token) = &self.token else {
            return true;
        };
        let given = authorization.unwrap_or_default();
        given == format!("Bearer {token}") || given == format!("token {token}")
    }

    fn route(&mut self, method: &str, path: &str, query: &str, body: &Value) -> Reply {
        let segments: Vec<String> = path
            .trim_start_matches('/')
            .split('/')
            .map(percent_decode)
            .collect();
        let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
        let ["repos", owner, name, rest @ ..] = &segments[..] else {
            return Reply::not_found();
        };
        let repository = format!("{owner}/{name}");
        if !self.allowed.contains(&repository.to_lowercase()) {
            return Reply::not_found();
        }
        match (method, rest) {
            ("GET", []) => return Reply::json(200, self.repo_json(owner, name)),
            ("POST", ["dispatches"]) => return self.dispatch(&repository, body),
            _ => {}
        }
        let primary = format!("{}/{}", self.owner, self.name);
        if !repository.eq_ignore_ascii_case(&primary) {
            return Reply::not_found();
        }
        let query = parse_query(query);
        match (method, rest) {
            ("GET", ["pulls"]) => self.list_pulls(path, &query),
            ("POST", ["pulls"]) => self.create_pull(body),
            ("GET", ["pulls", n]) => {
                self.with_pull(n, |s, p| Reply::json(200, s.pull_json(p, true)))
            }
            ("PATCH", ["pulls", n]) => self.update_pull(n, body),
            ("GET", ["commits", sha, "pulls"]) => self.commit_pulls(sha),
            ("GET", ["labels", name @ ..]) => self.get_label(&name.join("/")),
            ("POST", ["labels"]) => self.create_label(body),
            ("GET", ["issues", n, "labels"]) => {
                self.with_issue(n, |s, n| Reply::json(200, s.issue_labels_json(n)))
            }
            ("POST", ["issues", n, "labels"]) => self.add_labels(n, body),
            ("DELETE", ["issues", n, "labels", name @ ..]) => self.remove_label(n, &name.join("/")),
            ("GET", ["issues", n, "comments"]) => self.with_issue(n, |s, n| {
                let comments = s.comments.get(&n).cloned().unwrap_or_default();
                s.paginate(path, &query, comments)
            }),
            ("POST", ["issues", n, "comments"]) => self.create_comment(n, body),
            ("GET", ["git", "ref", reference @ ..]) => {
                self.get_ref(&format!("refs/{}", reference.join("/")))
            }
            ("GET", ["git", "matching-refs", prefix @ ..]) => self.matching_refs(&prefix.join("/")),
            ("POST", ["git", "refs"]) => self.create_ref(body),
            ("POST", ["git", "tags"]) => self.create_tag(body),
            ("GET", ["git", "tags", sha]) => match self.tags.iter().find(|t| t["sha"] == *sha) {
                Some(tag) => Reply::json(200, tag.clone()),
                None => Reply::not_found(),
            },
            ("GET", ["releases"]) => {
                let releases = self
                    .releases
                    .iter()
                    .rev()
                    .map(|r| self.release_json(r))
                    .collect();
                self.paginate(path, &query, releases)
            }
            ("POST", ["releases"]) => self.create_release(body),
            ("GET", ["releases", "tags", tag @ ..]) => {
                let tag = tag.join("/");
                let release = self.releases.iter().find(|r| !r.draft && r.tag_name == tag);
                release.map_or_else(Reply::not_found, |r| Reply::json(200, self.release_json(r)))
            }
            ("GET", ["releases", id]) => {
                let release = self.releases.iter().find(|r| r.id.to_string() == *id);
                release.map_or_else(Reply::not_found, |r| Reply::json(200, self.release_json(r)))
            }
            ("PATCH", ["releases", id]) => self.update_release(id, body),
            _ => Reply::not_found(),
        }
    }

    // ---- pull requests ----

    fn insert_pull(
        &mut self,
        head_owner: &str,
        head: &str,
        base: &str,
        title: &str,
        body: Option<String>,
        draft: bool,
    ) -> u64 {
        let now = self.tick();
        let number = self.next_number;
        self.next_number += 1;
        let id = self.id();
        let pull = Pull {
            id,
            number,
            title: title.to_owned(),
            body,
            head_owner: head_owner.to_owned(),
            head_ref: head.to_owned(),
            head_sha: fake_sha(&format!("head {head} {number}")),
            base_ref: base.to_owned(),
            base_sha: fake_sha(&format!("base {base}")),
            open: true,
            draft,
            maintainer_can_modify: false,
            created_at: now.clone(),
            updated_at: now,
            closed_at: None,
            merged_at: None,
            merge_commit_sha: None,
        };
        self.pulls.insert(number, pull);
        self.issue_labels.insert(number, Vec::new());
        number
    }

    fn list_pulls(&self, path: &str, query: &[(String, String)]) -> Reply {
        let state = param(query, "state").unwrap_or("open");
        let head = param(query, "head").map(|h| self.split_head(h));
        let base = param(query, "base");
        let pulls = self.pulls.values().rev().filter(|p| match state {
            "closed" => !p.open,
            "all" => true,
            _ => p.open,
        });
        let pulls = pulls.filter(|p| {
            let head_ok = head
                .as_ref()
                .is_none_or(|(o, r)| p.head_owner.eq_ignore_ascii_case(o) && p.head_ref == *r);
            head_ok && base.is_none_or(|b| p.base_ref == b)
        });
        let pulls = pulls.map(|p| self.pull_json(p, false)).collect();
        self.paginate(path, query, pulls)
    }

    fn create_pull(&mut self, body: &Value) -> Reply {
        const DOC: &str = "https://docs.github.com/rest/pulls/pulls#create-a-pull-request";
        for field in ["title", "head", "base"] {
            if body[field].as_str().is_none_or(str::is_empty) {
                return Reply::invalid("PullRequest", "missing_field", field, DOC);
            }
        }
        let (head_owner, head) = self.split_head(body["head"].as_str().unwrap_or_default());
        let base = body["base"].as_str().unwrap_or_default();
        if head == base {
            let message = format!("No commits between {base} and {head}");
            return Reply::validation(
                json!({"resource": "PullRequest", "code": "custom", "message": message}),
                DOC,
            );
        }
        // GitHub refuses a second open pull request for the same head and base.
        let duplicate = self.pulls.values().any(|p| {
            p.open
                && p.head_owner.eq_ignore_ascii_case(&head_owner)
                && p.head_ref == head
                && p.base_ref == base
        });
        if duplicate {
            let message = format!("A pull request already exists for {head_owner}:{head}.");
            return Reply::validation(
                json!({"resource": "PullRequest", "code": "custom", "message": message}),
                DOC,
            );
        }
        let text = body["body"].as_str().map(str::to_owned);
        let draft = body["draft"].as_bool().unwrap_or(false);
        let title = body["title"].as_str().unwrap_or_default();
        let number = self.insert_pull(&head_owner, &head, base, title, text, draft);
        let pull = self.pulls.get_mut(&number).expect("just inserted");
        pull.maintainer_can_modify = body["maintainer_can_modify"].as_bool().unwrap_or(false);
        Reply::json(201, self.pull_json(&self.pulls[&number], true))
    }

    fn update_pull(&mut self, n: &str, body: &Value) -> Reply {
        let Some(number) = n.parse::<u64>().ok().filter(|n| self.pulls.contains_key(n)) else {
            return Reply::not_found();
        };
        let now = self.tick();
        let pull = self.pulls.get_mut(&number).expect("checked above");
        if let Some(title) = body["title"].as_str() {
            pull.title = title.to_owned();
        }
        if let Some(text) = body.get("body") {
            pull.body = text.as_str().map(str::to_owned);
        }
        if let Some(base) = body["base"].as_str() {
            pull.base_ref = base.to_owned();
            pull.base_sha = fake_sha(&format!("base {base}"));
        }
        match body["state"].as_str() {
            Some("closed") if pull.open => {
                pull.open = false;
                pull.closed_at = Some(now.clone());
            }
            Some("open") if !pull.open && pull.merged_at.is_none() => {
                pull.open = true;
                pull.closed_at = None;
            }
            _ => {}
        }
        pull.updated_at = now;
        Reply::json(200, self.pull_json(&self.pulls[&number], true))
    }

    fn commit_pulls(&self, sha: &str) -> Reply {
        let pulls = self.pulls.values().rev();
        let pulls =
            pulls.filter(|p| p.head_sha == sha || p.merge_commit_sha.as_deref() == Some(sha));
        Reply::json(200, pulls.map(|p| self.pull_json(p, false)).collect())
    }

    fn with_pull(&self, n: &str, answer: impl FnOnce(&State, &Pull) -> Reply) -> Reply {
        match n.parse::<u64>().ok().and_then(|n| self.pulls.get(&n)) {
            Some(pull) => answer(self, pull),
            None => Reply::not_found(),
        }
    }

    fn with_issue(&self, n: &str, answer: impl FnOnce(&State, u64) -> Reply) -> Reply {
        match n.parse::<u64>().ok().filter(|n| self.pulls.contains_key(n)) {
            Some(number) => answer(self, number),
            None => Reply::not_found(),
        }
    }

    /// `owner:branch` or `branch` (then the repository's owner).
    fn split_head(&self, head: &str) -> (String, String) {
        match head.split_once(':') {
            Some((owner, branch)) => (owner.to_owned(), branch.to_owned()),
            None => (self.owner.clone(), head.to_owned()),
        }
    }

    // ---- labels and comments ----

    fn get_label(&self, name: &str) -> Reply {
        match self
            .labels
            .iter()
            .find(|l| l.name.eq_ignore_ascii_case(name))
        {
            Some(label) => Reply::json(200, self.label_json(label)),
            None => Reply::not_found(),
        }
    }

    fn create_label(&mut self, body: &Value) -> Reply {
        const DOC: &str = "https://docs.github.com/rest/issues/labels#create-a-label";
        let Some(name) = body["name"].as_str().filter(|n| !n.is_empty()) else {
            return Reply::invalid("Label", "missing_field", "name", DOC);
        };
        if self
            .labels
            .iter()
            .any(|l| l.name.eq_ignore_ascii_case(name))
        {
            return Reply::invalid("Label", "already_exists", "name", DOC);
        }
        let color = body["color"]
            .as_str()
            .unwrap_or("ededed")
            .trim_start_matches('#')
            .to_lowercase();
        let description = body["description"].as_str().map(str::to_owned);
        let label = self.insert_label(name, &color, description);
        Reply::json(201, self.label_json(&self.labels[label]))
    }

    fn insert_label(&mut self, name: &str, color: &str, description: Option<String>) -> usize {
        let id = self.id();
        let label = Label {
            id,
            name: name.to_owned(),
            color: color.to_owned(),
            description,
        };
        self.labels.push(label);
        self.labels.len() - 1
    }

    /// Adds `name` to an issue, creating the repository label first as GitHub does.
    fn add_issue_label(&mut self, number: u64, name: &str) {
        let existing = self
            .labels
            .iter()
            .find(|l| l.name.eq_ignore_ascii_case(name));
        let name = match existing {
            Some(label) => label.name.clone(),
            None => {
                let index = self.insert_label(name, "ededed", None);
                self.labels[index].name.clone()
            }
        };
        let labels = self.issue_labels.entry(number).or_default();
        if !labels.contains(&name) {
            labels.push(name);
        }
    }

    fn add_labels(&mut self, n: &str, body: &Value) -> Reply {
        let Some(number) = n.parse::<u64>().ok().filter(|n| self.pulls.contains_key(n)) else {
            return Reply::not_found();
        };
        // GitHub takes `{"labels": [...]}` or a bare array.
        let names = body
            .get("labels")
            .unwrap_or(body)
            .as_array()
            .cloned()
            .unwrap_or_default();
        let names: Vec<String> = names
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect();
        if names.is_empty() {
            let doc = "https://docs.github.com/rest/issues/labels#add-labels-to-an-issue";
            return Reply::error(422, "Invalid request.\n\nNo labels were provided.", doc);
        }
        for name in names {
            self.add_issue_label(number, &name);
        }
        self.touch(number);
        Reply::json(200, self.issue_labels_json(number))
    }

    fn remove_label(&mut self, n: &str, name: &str) -> Reply {
        let Some(number) = n.parse::<u64>().ok().filter(|n| self.pulls.contains_key(n)) else {
            return Reply::not_found();
        };
        let labels = self.issue_labels.entry(number).or_default();
        let Some(index) = labels.iter().position(|l| l.eq_ignore_ascii_case(name)) else {
            let doc = "https://docs.github.com/rest/issues/labels#remove-a-label-from-an-issue";
            return Reply::error(404, "Label does not exist", doc);
        };
        labels.remove(index);
        self.touch(number);
        Reply::json(200, self.issue_labels_json(number))
    }

    fn create_comment(&mut self, n: &str, body: &Value) -> Reply {
        let Some(number) = n.parse::<u64>().ok().filter(|n| self.pulls.contains_key(n)) else {
            return Reply::not_found();
        };
        let Some(text) = body["body"].as_str() else {
            let doc = "https://docs.github.com/rest/issues/comments#create-an-issue-comment";
            return Reply::invalid("IssueComment", "missing_field", "body", doc);
        };
        let now = self.tick();
        let id = self.id();
        let (api, full) = (&self.api, self.full_name());
        let comment = json!({
            "id": id,
            "node_id": format!("IC_kwDOFake{id}"),
            "url": format!("{api}/repos/{full}/issues/comments/{id}"),
            "html_url": format!("https://github.com/{full}/pull/{number}#issuecomment-{id}"),
            "issue_url": format!("{api}/repos/{full}/issues/{number}"),
            "body": text,
            "user": self.user_json(),
            "created_at": now,
            "updated_at": now,
            "author_association": "NONE",
            "performed_via_github_app": null,
        });
        self.comments
            .entry(number)
            .or_default()
            .push(comment.clone());
        Reply::json(201, comment)
    }

    fn touch(&mut self, number: u64) {
        let now = self.tick();
        if let Some(pull) = self.pulls.get_mut(&number) {
            pull.updated_at = now;
        }
    }

    // ---- git refs and tags ----

    fn get_ref(&self, reference: &str) -> Reply {
        match self.refs.get(reference) {
            Some(sha) => Reply::json(200, self.ref_json(reference, sha)),
            None => Reply::not_found(),
        }
    }

    fn matching_refs(&self, prefix: &str) -> Reply {
        let prefix = format!("refs/{prefix}");
        let refs = self.refs.iter().filter(|(r, _)| r.starts_with(&prefix));
        Reply::json(200, refs.map(|(r, sha)| self.ref_json(r, sha)).collect())
    }

    fn create_ref(&mut self, body: &Value) -> Reply {
        const DOC: &str = "https://docs.github.com/rest/git/refs#create-a-reference";
        let reference = body["ref"].as_str().unwrap_or_default();
        let sha = body["sha"].as_str().unwrap_or_default();
        if !reference.starts_with("refs/")
            || reference.matches('/').count() < 2
            || reference.ends_with('/')
        {
            return Reply::error(422, "Reference name is not valid", DOC);
        }
        if !is_sha(sha) {
            return Reply::error(422, "Object does not exist", DOC);
        }
        if self.refs.contains_key(reference) {
            return Reply::error(422, "Reference already exists", DOC);
        }
        self.refs.insert(reference.to_owned(), sha.to_owned());
        Reply::json(201, self.ref_json(reference, sha))
    }

    fn create_tag(&mut self, body: &Value) -> Reply {
        const DOC: &str = "https://docs.github.com/rest/git/tags#create-a-tag-object";
        for field in ["tag", "message", "object", "type"] {
            if body[field].as_str().is_none() {
                let message = format!("Invalid request.\n\n\"{field}\" wasn't supplied.");
                return Reply::error(422, &message, DOC);
            }
        }
        let object = body["object"].as_str().unwrap_or_default();
        if !is_sha(object) {
            return Reply::error(422, "Object does not exist", DOC);
        }
        let now = self.tick();
        let tag = body["tag"].as_str().unwrap_or_default();
        let sha = fake_sha(&format!("tag {tag} {}", self.tags.len()));
        let (api, full) = (&self.api, self.full_name());
        let tagger = match body.get("tagger") {
            Some(tagger) if tagger.is_object() => tagger.clone(),
            _ => json!({
                "name": BOT_LOGIN,
                "email": format!("{BOT_ID}+{BOT_LOGIN}@users.noreply.github.com"),
                "date": now,
            }),
        };
        let kind = body["type"].as_str().unwrap_or("commit");
        let json = json!({
            "node_id": format!("TA_kwDOFake{}", self.tags.len() + 1),
            "tag": tag,
            "sha": sha,
            "url": format!("{api}/repos/{full}/git/tags/{sha}"),
            "message": body["message"],
            "tagger": tagger,
            "object": {
                "sha": object,
                "type": kind,
                "url": format!("{api}/repos/{full}/git/{kind}s/{object}"),
            },
            "verification": {"verified": false, "reason": "unsigned", "signature": null, "payload": null, "verified_at": null},
        });
        self.tags.push(json.clone());
        Reply::json(201, json)
    }

    // ---- releases ----

    fn create_release(&mut self, body: &Value) -> Reply {
        const DOC: &str = "https://docs.github.com/rest/releases/releases#create-a-release";
        let Some(tag) = body["tag_name"].as_str().filter(|t| !t.is_empty()) else {
            return Reply::invalid("Release", "missing_field", "tag_name", DOC);
        };
        let draft = body["draft"].as_bool().unwrap_or(false);
        // Drafts may share a tag; a published release owns it.
        if !draft && self.releases.iter().any(|r| !r.draft && r.tag_name == tag) {
            return Reply::invalid("Release", "already_exists", "tag_name", DOC);
        }
        let now = self.tick();
        let release = Release {
            id: self.id(),
            tag_name: tag.to_owned(),
            target_commitish: body["target_commitish"]
                .as_str()
                .unwrap_or("main")
                .to_owned(),
            name: body["name"].as_str().map(str::to_owned),
            body: body["body"].as_str().map(str::to_owned),
            draft,
            prerelease: body["prerelease"].as_bool().unwrap_or(false),
            created_at: now.clone(),
            published_at: (!draft).then_some(now),
            make_latest: body["make_latest"].clone(),
        };
        let json = self.release_json(&release);
        self.releases.push(release);
        Reply::json(201, json)
    }

    fn update_release(&mut self, id: &str, body: &Value) -> Reply {
        let Some(index) = self.releases.iter().position(|r| r.id.to_string() == id) else {
            return Reply::not_found();
        };
        let now = self.tick();
        let release = &mut self.releases[index];
        if let Some(tag) = body["tag_name"].as_str() {
            release.tag_name = tag.to_owned();
        }
        if let Some(target) = body["target_commitish"].as_str() {
            release.target_commitish = target.to_owned();
        }
        if let Some(name) = body.get("name") {
            release.name = name.as_str().map(str::to_owned);
        }
        if let Some(text) = body.get("body") {
            release.body = text.as_str().map(str::to_owned);
        }
        if let Some(prerelease) = body["prerelease"].as_bool() {
            release.prerelease = prerelease;
        }
        if let Some(draft) = body["draft"].as_bool() {
            if release.draft && !draft {
                release.published_at = Some(now);
            }
            release.draft = draft;
        }
        if body.get("make_latest").is_some() {
            release.make_latest = body["make_latest"].clone();
        }
        Reply::json(200, self.release_json(&self.releases[index]))
    }

    // ---- dispatches ----

    fn dispatch(&mut self, repository: &str, body: &Value) -> Reply {
        const DOC: &str =
            "https://docs.github.com/rest/repos/repos#create-a-repository-dispatch-event";
        match body.get("event_type") {
            Some(Value::String(event)) if !event.is_empty() => {}
            Some(Value::String(_)) => {
                return Reply::error(
                    422,
                    "Invalid request.\n\nFor 'properties/event_type', \"\" is too short (minimum 1).",
                    DOC,
                );
            }
            _ => {
                return Reply::error(
                    422,
                    "Invalid request.\n\n\"event_type\" wasn't supplied.",
                    DOC,
                );
            }
        }
        match body.get("client_payload") {
            None => {}
            Some(Value::Object(payload)) if payload.len() <= 10 => {}
            Some(Value::Object(_)) => {
                return Reply::error(
                    422,
                    "Invalid request.\n\nclient_payload: more than 10 properties are not allowed",
                    DOC,
                );
            }
            Some(other) => {
                let message = format!(
                    "Invalid request.\n\nFor 'properties/client_payload', {other} is not an object."
                );
                return Reply::error(422, &message, DOC);
            }
        }
        self.dispatches.push((repository.to_owned(), body.clone()));
        Reply {
            status: 204,
            body: None,
            headers: Vec::new(),
        }
    }

    // ---- JSON shapes ----

    fn full_name(&self) -> String {
        format!("{}/{}", self.owner, self.name)
    }

    fn tick(&mut self) -> String {
        self.clock += 1;
        timestamp(self.clock)
    }

    fn id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    fn user_json(&self) -> Value {
        let api = &self.api;
        let login = BOT_LOGIN;
        json!({
            "login": login,
            "id": BOT_ID,
            "node_id": "MDM6Qm90NDE4OTgyODI=",
            "avatar_url": "https://avatars.githubusercontent.com/in/15368?v=4",
            "gravatar_id": "",
            "url": format!("{api}/users/{login}"),
            "html_url": "https://github.com/apps/github-actions",
            "followers_url": format!("{api}/users/{login}/followers"),
            "following_url": format!("{api}/users/{login}/following{{/other_user}}"),
            "gists_url": format!("{api}/users/{login}/gists{{/gist_id}}"),
            "starred_url": format!("{api}/users/{login}/starred{{/owner}}{{/repo}}"),
            "subscriptions_url": format!("{api}/users/{login}/subscriptions"),
            "organizations_url": format!("{api}/users/{login}/orgs"),
            "repos_url": format!("{api}/users/{login}/repos"),
            "events_url": format!("{api}/users/{login}/events{{/privacy}}"),
            "received_events_url": format!("{api}/users/{login}/received_events"),
            "type": "Bot",
            "user_view_type": "public",
            "site_admin": false,
        })
    }

    fn owner_json(&self, owner: &str) -> Value {
        let api = &self.api;
        json!({
            "login": owner,
            "id": 1_000_000,
            "node_id": "O_kgDOFake",
            "avatar_url": "https://avatars.githubusercontent.com/u/1000000?v=4",
            "gravatar_id": "",
            "url": format!("{api}/users/{owner}"),
            "html_url": format!("https://github.com/{owner}"),
            "followers_url": format!("{api}/users/{owner}/followers"),
            "following_url": format!("{api}/users/{owner}/following{{/other_user}}"),
            "gists_url": format!("{api}/users/{owner}/gists{{/gist_id}}"),
            "starred_url": format!("{api}/users/{owner}/starred{{/owner}}{{/repo}}"),
            "subscriptions_url": format!("{api}/users/{owner}/subscriptions"),
            "organizations_url": format!("{api}/users/{owner}/orgs"),
            "repos_url": format!("{api}/users/{owner}/repos"),
            "events_url": format!("{api}/users/{owner}/events{{/privacy}}"),
            "received_events_url": format!("{api}/users/{owner}/received_events"),
            "type": "Organization",
            "user_view_type": "public",
            "site_admin": false,
        })
    }

    fn repo_json(&self, owner: &str, name: &str) -> Value {
        let (api, full) = (&self.api, format!("{owner}/{name}"));
        json!({
            "id": 700_000_001,
            "node_id": "R_kgDOFake",
            "name": name,
            "full_name": full,
            "private": false,
            "owner": self.owner_json(owner),
            "html_url": format!("https://github.com/{full}"),
            "description": null,
            "fork": false,
            "url": format!("{api}/repos/{full}"),
            "pulls_url": format!("{api}/repos/{full}/pulls{{/number}}"),
            "releases_url": format!("{api}/repos/{full}/releases{{/id}}"),
            "tags_url": format!("{api}/repos/{full}/tags"),
            "git_refs_url": format!("{api}/repos/{full}/git/refs{{/sha}}"),
            "labels_url": format!("{api}/repos/{full}/labels{{/name}}"),
            "clone_url": format!("https://github.com/{full}.git"),
            "git_url": format!("git://github.com/{full}.git"),
            "ssh_url": format!("git@github.com:{full}.git"),
            "created_at": "2026-01-05T09:00:00Z",
            "updated_at": "2026-11-20T18:00:00Z",
            "pushed_at": "2026-11-21T09:59:00Z",
            "default_branch": "main",
            "visibility": "public",
            "archived": false,
            "disabled": false,
            "has_issues": true,
            "topics": [],
        })
    }

    fn label_json(&self, label: &Label) -> Value {
        let (api, full) = (&self.api, self.full_name());
        json!({
            "id": label.id,
            "node_id": format!("LA_kwDOFake{}", label.id),
            "url": format!("{api}/repos/{full}/labels/{}", percent_encode(&label.name)),
            "name": label.name,
            "color": label.color,
            "default": false,
            "description": label.description,
        })
    }

    fn issue_labels_json(&self, number: u64) -> Value {
        let names = self.issue_labels.get(&number).into_iter().flatten();
        let labels = names.filter_map(|n| self.labels.iter().find(|l| &l.name == n));
        Value::Array(labels.map(|l| self.label_json(l)).collect())
    }

    /// `full` is the single-pull-request shape; lists leave out the merge and count fields.
    fn pull_json(&self, pull: &Pull, full: bool) -> Value {
        let (api, repo) = (&self.api, self.full_name());
        let n = pull.number;
        let url = format!("{api}/repos/{repo}/pulls/{n}");
        let html_url = format!("https://github.com/{repo}/pull/{n}");
        let issue_url = format!("{api}/repos/{repo}/issues/{n}");
        let commits_url = format!("{url}/commits");
        let review_comments_url = format!("{url}/comments");
        let comments_url = format!("{issue_url}/comments");
        let statuses_url = format!("{api}/repos/{repo}/statuses/{}", pull.head_sha);
        let repo_json = self.repo_json(&self.owner, &self.name);
        let head = json!({
            "label": format!("{}:{}", pull.head_owner, pull.head_ref),
            "ref": pull.head_ref,
            "sha": pull.head_sha,
            "user": self.owner_json(&pull.head_owner),
            "repo": repo_json,
        });
        let base = json!({
            "label": format!("{}:{}", self.owner, pull.base_ref),
            "ref": pull.base_ref,
            "sha": pull.base_sha,
            "user": self.owner_json(&self.owner),
            "repo": repo_json,
        });
        let links = json!({
            "self": {"href": url},
            "html": {"href": html_url},
            "issue": {"href": issue_url},
            "comments": {"href": comments_url},
            "review_comments": {"href": review_comments_url},
            "review_comment": {"href": format!("{api}/repos/{repo}/pulls/comments{{/number}}")},
            "commits": {"href": commits_url},
            "statuses": {"href": statuses_url},
        });
        let mut json = json!({
            "url": url,
            "id": pull.id,
            "node_id": format!("PR_kwDOFake{}", pull.id),
            "html_url": html_url,
            "diff_url": format!("{html_url}.diff"),
            "patch_url": format!("{html_url}.patch"),
            "issue_url": issue_url,
            "number": n,
            "state": if pull.open { "open" } else { "closed" },
            "locked": false,
            "title": pull.title,
            "user": self.user_json(),
            "body": pull.body,
            "created_at": pull.created_at,
            "updated_at": pull.updated_at,
            "closed_at": pull.closed_at,
            "merged_at": pull.merged_at,
            "merge_commit_sha": pull.merge_commit_sha,
            "assignee": null,
            "assignees": [],
            "requested_reviewers": [],
            "requested_teams": [],
            "labels": self.issue_labels_json(n),
            "milestone": null,
            "draft": pull.draft,
            "commits_url": commits_url,
            "review_comments_url": review_comments_url,
            "review_comment_url": format!("{api}/repos/{repo}/pulls/comments{{/number}}"),
            "comments_url": comments_url,
            "statuses_url": statuses_url,
            "head": head,
            "base": base,
            "_links": links,
            "author_association": "NONE",
            "auto_merge": null,
            "active_lock_reason": null,
        });
        if full {
            let merged = pull.merged_at.is_some();
            let extra = json!({
                "merged": merged,
                "mergeable": if pull.open { json!(true) } else { Value::Null },
                "rebaseable": if pull.open { json!(true) } else { Value::Null },
                "mergeable_state": if pull.open { "clean" } else { "unknown" },
                "merged_by": if merged { self.user_json() } else { Value::Null },
                "comments": self.comments.get(&n).map_or(0, Vec::len),
                "review_comments": 0,
                "maintainer_can_modify": pull.maintainer_can_modify,
                "commits": 1,
                "additions": 10,
                "deletions": 2,
                "changed_files": 3,
            });
            if let (Value::Object(json), Value::Object(extra)) = (&mut json, extra) {
                json.extend(extra);
            }
        }
        json
    }

    fn ref_json(&self, reference: &str, sha: &str) -> Value {
        let (api, full) = (&self.api, self.full_name());
        let kind = match self.tags.iter().any(|t| t["sha"] == sha) {
            true => "tag",
            false => "commit",
        };
        json!({
            "ref": reference,
            "node_id": format!("REF_kwDOFake{}", fake_sha(reference).get(..12).unwrap_or_default()),
            "url": format!("{api}/repos/{full}/git/{reference}"),
            "object": {
                "sha": sha,
                "type": kind,
                "url": format!("{api}/repos/{full}/git/{kind}s/{sha}"),
            },
        })
    }

    fn release_json(&self, release: &Release) -> Value {
        let (api, full) = (&self.api, self.full_name());
        let (id, tag) = (release.id, &release.tag_name);
        json!({
            "url": format!("{api}/repos/{full}/releases/{id}"),
            "assets_url": format!("{api}/repos/{full}/releases/{id}/assets"),
            "upload_url": format!("https://uploads.github.com/repos/{full}/releases/{id}/assets{{?name,label}}"),
            // A draft has no public page yet: GitHub names it `untagged-…` until it is published.
            "html_url": if release.draft {
                format!("https://github.com/{full}/releases/tag/untagged-{:020x}", id.wrapping_mul(0x9e37_79b9_7f4a_7c15))
            } else {
                format!("https://github.com/{full}/releases/tag/{tag}")
            },
            "id": id,
            "author": self.user_json(),
            "node_id": format!("RE_kwDOFake{id}"),
            "tag_name": tag,
            "target_commitish": release.target_commitish,
            "name": release.name,
            "draft": release.draft,
            "immutable": false,
            "prerelease": release.prerelease,
            "created_at": release.created_at,
            "updated_at": release.created_at,
            "published_at": release.published_at,
            "assets": [],
            "tarball_url": format!("{api}/repos/{full}/tarball/{tag}"),
            "zipball_url": format!("{api}/repos/{full}/zipball/{tag}"),
            "body": release.body,
        })
    }

    /// One page of `items` per `per_page`/`page`, with GitHub's `Link` header when there are more.
    fn paginate(&self, path: &str, query: &[(String, String)], items: Vec<Value>) -> Reply {
        let per_page = param(query, "per_page")
            .and_then(|p| p.parse().ok())
            .unwrap_or(30usize)
            .clamp(1, 100);
        let page = param(query, "page")
            .and_then(|p| p.parse().ok())
            .unwrap_or(1usize)
            .max(1);
        let last = items.len().div_ceil(per_page).max(1);
        let body: Vec<Value> = items
            .into_iter()
            .skip((page - 1) * per_page)
            .take(per_page)
            .collect();
        let mut reply = Reply::json(200, Value::Array(body));
        if last > 1 {
            let link = |n: usize, rel: &str| {
                let mut pairs: Vec<String> = query
                    .iter()
                    .filter(|(k, _)| k != "page")
                    .map(|(k, v)| format!("{k}={}", percent_encode(v)))
                    .collect();
                pairs.push(format!("page={n}"));
                format!("<{}{path}?{}>; rel=\"{rel}\"", self.api, pairs.join("&"))
            };
            let mut links = Vec::new();
            if page > 1 {
                links.push(link(page - 1, "prev"));
            }
            if page < last {
                links.push(link(page + 1, "next"));
                links.push(link(last, "last"));
            }
            if page > 1 {
                links.push(link(1, "first"));
            }
            reply.headers.push(("link".into(), links.join(", ")));
        }
        reply
    }
}

/// `2026-11-21T10:00:00Z` plus `seconds`, a clock that only moves when the fake's state does.
fn timestamp(seconds: u64) -> String {
    let total = 10 * 3600 + seconds;
    let (day, rest) = (21 + total / 86_400, total % 86_400);
    format!(
        "2026-11-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest / 60 % 60,
        rest % 60
    )
}

/// A stable, git-looking 40-hex id derived from `seed` (FNV-1a, stretched).
fn fake_sha(seed: &str) -> String {
    (0..3u64)
        .map(|round| {
            let mut hash = 0xcbf2_9ce4_8422_2325u64 ^ round;
            for byte in seed.bytes().chain(round.to_le_bytes()) {
                hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
            }
            format!("{hash:016x}")
        })
        .collect::<String>()[..40]
        .to_owned()
}

fn is_sha(s: &str) -> bool {
    s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn param<'a>(query: &'a [(String, String)], name: &str) -> Option<&'a str> {
    query
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn parse_query(query: &str) -> Vec<(String, String)> {
    let pairs = query.split('&').filter(|p| !p.is_empty());
    let pairs = pairs.map(|p| p.split_once('=').unwrap_or((p, "")));
    pairs
        .map(|(k, v)| {
            (
                percent_decode(&k.replace('+', " ")),
                percent_decode(&v.replace('+', " ")),
            )
        })
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

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b':' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
