//! A real crate registry for integration tests: ferro-cargo-registry-server behind an
//! in-process proxy that cargo talks to. The proxy forwards every request to ferro and adds
//! what crates.io does and a local server does not: uploads that take time, an index that lags
//! behind uploads, rate limits and other upload failures (which never reach ferro), and fakes
//! of the trusted-publishing token exchange and of GitHub's OIDC token endpoint. It logs every
//! request, upload and index fetch. Beside it live the generators of the CARGO_HOME and the
//! workspaces the publish tests run on. It knows nothing about the product.
//!
//! This file holds the types; `control` the handle a test holds, `ferro` the server behind,
//! `proxy` and `tokens` what the proxy adds, `forward` the way to ferro, `fixtures` the
//! generators.

#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
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

// `#[path]` so the submodules resolve the same whether this file is `support::registry` or a
// test crate's own `#[path = "support/registry.rs"]` module.
// Shared with the other fake server; each is also compiled alone by its own test crate.
#[allow(clippy::duplicate_mod)]
#[path = "serve.rs"]
mod serve;
use serve::percent_decode;
#[path = "registry/control.rs"]
mod control;
#[path = "registry/ferro.rs"]
mod ferro;
#[path = "registry/fixtures.rs"]
mod fixtures;
#[path = "registry/forward.rs"]
mod forward;
#[path = "registry/proxy.rs"]
mod proxy;
#[path = "registry/tokens.rs"]
mod tokens;
#[path = "tools.rs"]
pub mod tools;

use ferro::*;
pub use fixtures::*;
use forward::*;
use proxy::*;
use tokens::*;

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

struct Shared {
    state: Mutex<State>,
    ferro: String,
    client: reqwest::Client,
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

/// What ferro answered, read whole so it can be filtered or logged.
struct Forwarded {
    status: u16,
    headers: HeaderMap,
    body: Bytes,
}
