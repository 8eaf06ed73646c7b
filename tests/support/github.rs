//! A stateful fake of the GitHub REST API for integration tests: pull requests, labels,
//! comments, git refs and tag objects, releases and repository dispatches, answered with the
//! JSON shapes, status codes, error bodies and headers GitHub really sends, so the real
//! binary can run against it through octocrab. It serves one repository (plus the ones a
//! test allows for dispatches), logs every request, and can inject faults. It knows nothing
//! about the product: tests inspect its state and its request log.
//!
//! This file holds the types; `control` the handle a test holds, `http` the server side,
//! `routes` the route table, `pulls`, `releases` and `json` what each route does and answers.

#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::extract::{Request, State as Extract};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

// `#[path]` so the submodules resolve the same whether this file is `support::github` or a
// test crate's own `#[path = "support/github.rs"]` module.
// Shared with the other fake server; each is also compiled alone by its own test crate.
#[allow(clippy::duplicate_mod)]
#[path = "serve.rs"]
mod serve;
use serve::percent_decode;
#[path = "github/control.rs"]
mod control;
#[path = "github/http.rs"]
mod http;
#[path = "github/json.rs"]
mod json;
#[path = "github/pulls.rs"]
mod pulls;
#[path = "github/releases.rs"]
mod releases;
#[path = "github/routes.rs"]
mod routes;

use http::*;

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
