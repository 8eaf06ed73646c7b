//! One request at a time through octocrab, retried as `plan::retry` decides; answers read
//! into our types, failures classified, names percent-encoded.

use std::time::{Duration, SystemTime};

use http::{HeaderMap, Method, StatusCode};
use serde::Deserialize;
use serde_json::Value;

use super::{GitHub, GitHubError, Result};
use crate::adapters::error_chain;
use crate::adapters::retry::{Stopped, Try, with_retries};
use crate::plan::retry::{Failure, GiveUp, requested_wait};

/// A response that was not retried: its status, headers and body.
pub(super) struct Reply {
    pub(super) status: StatusCode,
    pub(super) body: String,
}

impl Reply {
    pub(super) fn json<T: for<'de> Deserialize<'de>>(
        &self,
        method: &Method,
        path: &str,
    ) -> Result<T> {
        self.not_html(method, path)?;
        serde_json::from_str(&self.body).map_err(|e| GitHubError::Decode {
            method: method.clone(),
            path: path.to_owned(),
            message: e.to_string(),
        })
    }

    /// A web page where the API's JSON should be: GITHUB_API_URL points at the wrong server.
    pub(super) fn not_html(&self, method: &Method, path: &str) -> Result<()> {
        if self.body.trim_start().starts_with('<') {
            return Err(GitHubError::NotJson {
                method: method.clone(),
                path: path.to_owned(),
                status: self.status.as_u16(),
            });
        }
        Ok(())
    }

    pub(super) fn message(&self) -> String {
        serde_json::from_str::<Value>(&self.body)
            .ok()
            .and_then(|v| {
                let mut text = v.get("message")?.as_str()?.to_owned();
                if let Some(errors) = v.get("errors").and_then(Value::as_array) {
                    for e in errors {
                        let part = e
                            .get("message")
                            .or_else(|| e.get("code"))
                            .and_then(Value::as_str);
                        if let Some(part) = part {
                            text.push_str(&format!("; {part}"));
                        }
                    }
                }
                Some(text)
            })
            .unwrap_or_else(|| self.body.chars().take(200).collect())
    }

    /// GitHub's 422 for a resource that exists already ("already_exists", "Reference already
    /// exists", "A pull request already exists").
    pub(super) fn already_exists(&self) -> bool {
        self.status == StatusCode::UNPROCESSABLE_ENTITY
            && (self.body.contains("already_exists") || self.body.contains("already exists"))
    }
}

impl GitHub {
    pub(super) fn repo_path(&self, rest: &str) -> String {
        format!("/repos/{}/{}{rest}", self.owner, self.repo)
    }

    /// Send one request, retrying what `plan::retry` says is worth it. Every non-retried
    /// answer comes back, 4xx included, for the caller to read; 401 stops at once.
    pub(super) fn send(&self, method: Method, path: &str, body: Option<&Value>) -> Result<Reply> {
        if self.read_only && method != Method::GET {
            return Err(GitHubError::DryRunWrite {
                method,
                path: path.to_owned(),
            });
        }
        let once = || match self.runtime.block_on(self.once(&method, path, body)) {
            Ok((reply, headers)) => match failure_of(&reply, &headers) {
                None => Try::Done(reply),
                Some(Failure::Unauthorized) => Try::Stop(GitHubError::Unauthorized {
                    method: method.clone(),
                    path: path.to_owned(),
                }),
                Some(failure) => Try::Failed {
                    failure,
                    what: format!("{} {}", reply.status.as_u16(), reply.message()),
                },
            },
            Err(e) => Try::Failed {
                failure: Failure::Transient,
                what: e,
            },
        };
        let retrying = |what: &str, wait: Duration| {
            self.log
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push(format!(
                    "{method} {path}: {what}; retrying in {:.1}s",
                    wait.as_secs_f64()
                ));
        };
        with_retries(&self.policy, once, retrying).map_err(|stopped| match stopped {
            Stopped::Stop(error) => error,
            Stopped::GaveUp {
                give_up: GiveUp::WaitTooLong { wait },
                ..
            } => GitHubError::WaitTooLong {
                method: method.clone(),
                path: path.to_owned(),
                wait,
            },
            Stopped::GaveUp { attempts, last, .. } => GitHubError::Exhausted {
                method: method.clone(),
                path: path.to_owned(),
                attempts,
                last,
            },
        })
    }

    async fn once(
        &self,
        method: &Method,
        path: &str,
        body: Option<&Value>,
    ) -> std::result::Result<(Reply, HeaderMap), String> {
        let builder = http::Request::builder().method(method.clone()).uri(path);
        let request = self
            .client
            .build_request(builder, body)
            .map_err(|e| e.to_string())?;
        let response = self
            .client
            .execute(request)
            .await
            .map_err(|e| error_chain(&e))?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = self
            .client
            .body_to_string(response)
            .await
            .map_err(|e| error_chain(&e))?;
        Ok((Reply { status, body }, headers))
    }

    pub(super) fn expect(
        &self,
        reply: Reply,
        method: Method,
        path: &str,
        ok: &[u16],
    ) -> Result<Reply> {
        if ok.contains(&reply.status.as_u16()) {
            Ok(reply)
        } else {
            reply.not_html(&method, path)?;
            Err(GitHubError::Status {
                method,
                path: path.to_owned(),
                status: reply.status.as_u16(),
                message: reply.message(),
            })
        }
    }

    pub(super) fn get_json<T: for<'de> Deserialize<'de>>(&self, path: &str) -> Result<Option<T>> {
        let reply = self.send(Method::GET, path, None)?;
        if reply.status == StatusCode::NOT_FOUND {
            reply.not_html(&Method::GET, path)?;
            return Ok(None);
        }
        let reply = self.expect(reply, Method::GET, path, &[200])?;
        reply.json(&Method::GET, path).map(Some)
    }

    pub(super) fn write_json<T: for<'de> Deserialize<'de>>(
        &self,
        method: Method,
        path: &str,
        body: &Value,
        ok: &[u16],
    ) -> Result<T> {
        let reply = self.send(method.clone(), path, Some(body))?;
        let reply = self.expect(reply, method.clone(), path, ok)?;
        reply.json(&method, path)
    }
}

/// How `plan::retry` should see a response; `None` for an answer the caller reads (2xx, and
/// 4xx such as 404 and 422 that mean something to it).
pub(super) fn failure_of(reply: &Reply, headers: &HeaderMap) -> Option<Failure> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let wait = requested_wait(
        header("retry-after"),
        header("x-ratelimit-remaining"),
        header("x-ratelimit-reset"),
        SystemTime::now(),
    );
    let status = reply.status.as_u16();
    // A secondary rate limit sometimes comes as a bare 403 that only says so in its text;
    // any other 403 is a permission problem.
    let limited = status == 403 && reply.body.to_lowercase().contains("rate limit");
    match Failure::from_status(status, wait) {
        Some(Failure::Permanent) if limited => Some(Failure::RateLimited { wait }),
        Some(Failure::Permanent) => None,
        other => other,
    }
}

/// Percent-encode one path segment or query value.
pub(super) fn encode(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Percent-encode a ref name, keeping its `/` separators.
pub(super) fn encode_ref(name: &str) -> String {
    name.split('/').map(encode).collect::<Vec<_>>().join("/")
}
