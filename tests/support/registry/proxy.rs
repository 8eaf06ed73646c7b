//! The proxy in front of ferro: its state (faults, delays, logs), the route table, uploads
//! that take time or fail, and an index that lags behind them.

use super::*;

impl Shared {
    pub(super) fn lock(&self) -> MutexGuard<'_, State> {
        // A panicking test thread must not hide the state from the next assertion.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl State {
    pub(super) fn take_fault(&mut self, name: &str) -> Option<Fault> {
        let name = name.to_lowercase();
        let at = self
            .faults
            .iter()
            .position(|f| f.call.is_none() && f.name == name)?;
        self.take_at(at)
    }

    pub(super) fn take_call_fault(&mut self, method: &str, path: &str) -> Option<Fault> {
        let at = self.faults.iter().position(|f| {
            f.call
                .as_ref()
                .is_some_and(|(m, p)| m == method && p == path)
        })?;
        self.take_at(at)
    }

    pub(super) fn take_at(&mut self, at: usize) -> Option<Fault> {
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

    pub(super) fn hides(&self, line: &str, now: Instant) -> bool {
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

pub(super) async fn serve(
    Extract(shared): Extract<Arc<Shared>>,
    request: axum::extract::Request,
) -> Response {
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

pub(super) async fn route(
    shared: Arc<Shared>,
    request: axum::extract::Request,
) -> Option<Response> {
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

pub(super) async fn upload(shared: &Shared, parts: &Parts, body: Bytes) -> Option<Response> {
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
pub(super) fn upload_name(body: &[u8]) -> Option<(String, String, Value)> {
    let length = u32::from_le_bytes(body.get(..4)?.try_into().ok()?) as usize;
    let metadata: Value = serde_json::from_slice(body.get(4..4 + length)?).ok()?;
    let name = metadata["name"].as_str()?.to_owned();
    let version = metadata["vers"].as_str()?.to_owned();
    Some((name, version, metadata))
}

/// Serves an index file without the versions not visible yet. A filtered file gets no ETag and
/// never a 304; a complete one keeps ferro's ETag, and the proxy decides If-None-Match itself
/// against the body it serves now, so a 304 can never stand for a body the client never saw.
pub(super) async fn index_file(shared: &Shared, parts: &Parts) -> Response {
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

pub(super) fn complete_index_file(answer: Forwarded, request: &HeaderMap) -> Response {
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
