//! The registry's web API (`<api>/api/v1/…`, `api` from the index's `config.json`): uploads,
//! yank and unyank, owners. The shapes are cargo's (`crates-io` crate) and crates.io's.
//!
//! Effects only. An upload is one request ([`RegistryApi::publish_once`]): the publish job
//! retries it, because a rate limit there pauses more than one upload. Every other call goes
//! through the shared retry loop here. The token is sent as `Authorization` and never appears
//! in a URL, an error or a log line.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use reqwest::Method;
use reqwest::blocking::{Client, Response};
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderValue, RETRY_AFTER};
use serde::Deserialize;

use crate::config::Secret;
use crate::hint::Hint;
use crate::plan::retry::{Failure, GiveUp, RetryPolicy, requested_wait, wait_from_text};

use super::retry::{Stopped, Try, with_retries};
use super::{USER_AGENT, error_chain};

#[derive(Debug, thiserror::Error)]
pub enum RegistryApiError {
    #[error("could not start the HTTP client for the registry: {message}")]
    Client { message: String },
    #[error("the registry index names no API (`api` in its config.json): it cannot {action}")]
    NoApi { action: String },
    #[error("the registry refused to {action}: {status} {detail}")]
    Refused {
        action: ApiCall,
        status: u16,
        detail: String,
    },
    #[error("could not {action}: {last} (after {attempts} attempt(s))")]
    Failed {
        action: ApiCall,
        attempts: u32,
        last: String,
    },
    #[error("the registry asks to wait {} s before it lets us {action}, longer than releasekit-cargo waits", wait.as_secs())]
    WaitTooLong { action: ApiCall, wait: Duration },
}

/// One call to the registry's web API: how its messages name it, and the token scope it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiCall {
    Yank { name: String, version: String },
    Unyank { name: String, version: String },
    ListOwners { name: String },
    AddOwners { name: String },
}

impl std::fmt::Display for ApiCall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApiCall::Yank { name, version } => write!(f, "yank {name} {version}"),
            ApiCall::Unyank { name, version } => write!(f, "unyank {name} {version}"),
            ApiCall::ListOwners { name } => write!(f, "list the owners of {name}"),
            ApiCall::AddOwners { name } => write!(f, "add owners to {name}"),
        }
    }
}

impl ApiCall {
    /// The hint for a 401 or 403: the crates.io token scope this call needs.
    fn refused_hint(&self) -> String {
        match self {
            ApiCall::Yank { .. } | ApiCall::Unyank { .. } => {
                token_lacks("the `yank` scope to yank and unyank")
            }
            ApiCall::ListOwners { .. } | ApiCall::AddOwners { .. } => {
                token_lacks("the `change-owners` scope to add owners")
            }
        }
    }
}

/// The hint for an upload the registry refused with a 401 or 403: a crate's first version
/// needs crates.io's `publish-new` scope, a new version of a crate it has `publish-update`.
pub fn upload_refused_hint(new_crate: bool) -> String {
    token_lacks(if new_crate {
        "the `publish-new` scope to publish a crate's first version"
    } else {
        "the `publish-update` scope to publish a new version"
    })
}

fn token_lacks(scope: &str) -> String {
    format!(
        "the registry token lacks the right: it needs {scope}, and must belong to an owner of the crate; set it in the registry's token variable"
    )
}

impl Hint for RegistryApiError {
    fn hint(&self) -> Option<String> {
        Some(match self {
            RegistryApiError::Refused {
                status: 401 | 403,
                action,
                ..
            } => action.refused_hint(),
            RegistryApiError::Refused { status: 404, .. } => {
                "check the crate name and version: the registry does not have them".into()
            }
            RegistryApiError::NoApi { .. } => {
                "point the registry's `index` at a registry with a web API".into()
            }
            _ => "the registry or the network is failing; re-run: every step is safe to repeat"
                .into(),
        })
    }
}

/// The registry's answer to one upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    /// The `errors[].detail` texts, joined (or the start of the body when it has none).
    pub detail: String,
    /// What the answer asked to wait (`Retry-After`, or the date in crates.io's 429 text).
    pub wait: Option<Duration>,
}

pub struct RegistryApi {
    client: Client,
    /// Without a final `/`.
    api: String,
    policy: RetryPolicy,
    log: Mutex<Vec<String>>,
}

#[derive(Deserialize)]
struct ErrorList {
    errors: Vec<ErrorDetail>,
}

#[derive(Deserialize)]
struct ErrorDetail {
    detail: String,
}

#[derive(Deserialize)]
struct Users {
    users: Vec<User>,
}

#[derive(Deserialize)]
struct User {
    login: String,
}

impl RegistryApi {
    pub fn new(api: &str, max_retries: u32) -> Result<RegistryApi, RegistryApiError> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = Client::builder()
            .user_agent(USER_AGENT)
            .connect_timeout(Duration::from_secs(10))
            // crates.io gives an upload 30 s before it answers 503.
            .timeout(Duration::from_secs(120))
            .build()
            .map_err(|e| RegistryApiError::Client {
                message: error_chain(&e),
            })?;
        Ok(RegistryApi {
            client,
            api: api.trim_end_matches('/').to_owned(),
            policy: RetryPolicy::new(max_retries),
            log: Mutex::new(Vec::new()),
        })
    }

    /// Retries since the last call, for the job to print.
    pub fn take_log(&self) -> Vec<String> {
        std::mem::take(&mut *self.log.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// `PUT /api/v1/crates/new` with `body` (`adapters::crate_file`), once; a transport failure
    /// comes back as its message.
    pub fn publish_once(&self, body: Vec<u8>, token: &Secret) -> Result<Answer, String> {
        let response = self
            .request(Method::PUT, "/crates/new", token)
            .map_err(|e| e.to_string())?
            .header(CONTENT_TYPE, "application/octet-stream")
            .body(body)
            .send()
            .map_err(|e| without_url(&e))?;
        answer(response).map_err(|e| without_url(&e))
    }

    /// `DELETE /api/v1/crates/{name}/{version}/yank`; yanking a yanked version succeeds.
    pub fn yank(&self, name: &str, version: &str, token: &Secret) -> Result<(), RegistryApiError> {
        let path = format!("/crates/{name}/{version}/yank");
        let call = ApiCall::Yank {
            name: name.to_owned(),
            version: version.to_owned(),
        };
        self.call(Method::DELETE, &path, None, token, &call)
            .map(drop)
    }

    /// `PUT /api/v1/crates/{name}/{version}/unyank`.
    pub fn unyank(
        &self,
        name: &str,
        version: &str,
        token: &Secret,
    ) -> Result<(), RegistryApiError> {
        let path = format!("/crates/{name}/{version}/unyank");
        let call = ApiCall::Unyank {
            name: name.to_owned(),
            version: version.to_owned(),
        };
        self.call(Method::PUT, &path, None, token, &call).map(drop)
    }

    /// The logins of `name`'s owners (`github:org:team` for a team).
    pub fn owners(&self, name: &str, token: &Secret) -> Result<Vec<String>, RegistryApiError> {
        let action = ApiCall::ListOwners {
            name: name.to_owned(),
        };
        let body = self.call(
            Method::GET,
            &format!("/crates/{name}/owners"),
            None,
            token,
            &action,
        )?;
        let users: Users = serde_json::from_str(&body).map_err(|e| RegistryApiError::Refused {
            action,
            status: 200,
            detail: format!("unexpected answer: {e}"),
        })?;
        Ok(users.users.into_iter().map(|u| u.login).collect())
    }

    /// `PUT /api/v1/crates/{name}/owners` with `{"users": [...]}`; the registry's message.
    pub fn add_owners(
        &self,
        name: &str,
        users: &[String],
        token: &Secret,
    ) -> Result<String, RegistryApiError> {
        let body = serde_json::json!({ "users": users }).to_string();
        let action = ApiCall::AddOwners {
            name: name.to_owned(),
        };
        let answer = self.call(
            Method::PUT,
            &format!("/crates/{name}/owners"),
            Some(body),
            token,
            &action,
        )?;
        #[derive(Deserialize)]
        struct Added {
            #[serde(default)]
            msg: Option<String>,
        }
        Ok(serde_json::from_str::<Added>(&answer)
            .ok()
            .and_then(|a| a.msg)
            .unwrap_or_default())
    }

    fn request(
        &self,
        method: Method,
        path: &str,
        token: &Secret,
    ) -> Result<reqwest::blocking::RequestBuilder, RegistryApiError> {
        let mut authorization =
            HeaderValue::from_str(token.expose()).map_err(|_| RegistryApiError::Client {
                message: "the registry token is not a valid HTTP header value".into(),
            })?;
        authorization.set_sensitive(true);
        Ok(self
            .client
            .request(method, format!("{}/api/v1{path}", self.api))
            .header(ACCEPT, "application/json")
            .header(AUTHORIZATION, authorization))
    }

    /// One API call with the shared retry loop: the body of a success.
    fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<String>,
        token: &Secret,
        action: &ApiCall,
    ) -> Result<String, RegistryApiError> {
        let once = || {
            let mut request = match self.request(method.clone(), path, token) {
                Ok(request) => request,
                Err(e) => return Try::Stop(e),
            };
            if let Some(body) = &body {
                request = request
                    .header(CONTENT_TYPE, "application/json")
                    .body(body.clone());
            }
            let sent = request.send().and_then(|r| {
                let status = r.status().as_u16();
                let wait = retry_after(&r);
                Ok((status, wait, r.text()?))
            });
            let (status, wait, text) = match sent {
                Ok(answer) => answer,
                Err(e) => {
                    return Try::Failed {
                        failure: Failure::Transient,
                        what: without_url(&e),
                    };
                }
            };
            let errors = error_details(&text);
            match (Failure::from_status(status, wait), errors) {
                (None, None) => Try::Done(text),
                (None, Some(detail)) => Try::Stop(RegistryApiError::Refused {
                    action: action.clone(),
                    status,
                    detail,
                }),
                (Some(failure @ (Failure::Transient | Failure::RateLimited { .. })), errors) => {
                    Try::Failed {
                        failure,
                        what: format!("{status} {}", errors.unwrap_or_default()),
                    }
                }
                (Some(_), errors) => Try::Stop(RegistryApiError::Refused {
                    action: action.clone(),
                    status,
                    detail: errors.unwrap_or_else(|| text.chars().take(200).collect()),
                }),
            }
        };
        let retrying = |what: &str, wait: Duration| {
            self.log
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(format!(
                    "registry: {action}: {what}; retrying in {:.1} s",
                    wait.as_secs_f64()
                ));
        };
        with_retries(&self.policy, once, retrying).map_err(|stopped| match stopped {
            Stopped::Stop(e) => e,
            Stopped::GaveUp {
                give_up: GiveUp::WaitTooLong { wait },
                ..
            } => RegistryApiError::WaitTooLong {
                action: action.clone(),
                wait,
            },
            Stopped::GaveUp { attempts, last, .. } => RegistryApiError::Failed {
                action: action.clone(),
                attempts,
                last,
            },
        })
    }
}

/// The status, error text and requested wait of an upload's answer.
fn answer(response: Response) -> Result<Answer, reqwest::Error> {
    let status = response.status().as_u16();
    let header_wait = retry_after(&response);
    let text = response.text()?;
    let detail = error_details(&text).unwrap_or_else(|| {
        if (200..300).contains(&status) {
            String::new()
        } else {
            text.chars().take(300).collect()
        }
    });
    let wait = header_wait.or_else(|| {
        (status == 429)
            .then(|| wait_from_text(&detail, SystemTime::now()))
            .flatten()
    });
    Ok(Answer {
        status,
        detail,
        wait,
    })
}

fn retry_after(response: &Response) -> Option<Duration> {
    requested_wait(
        response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok()),
        None,
        None,
        SystemTime::now(),
    )
}

/// `{"errors": [{"detail": …}]}` joined, as cargo reads it.
fn error_details(body: &str) -> Option<String> {
    let list: ErrorList = serde_json::from_str(body).ok()?;
    Some(
        list.errors
            .into_iter()
            .map(|e| e.detail)
            .collect::<Vec<_>>()
            .join("; "),
    )
}

/// reqwest's error text without the URL (none of ours carries a secret, but a log line about a
/// crate reads better without it).
fn without_url(e: &reqwest::Error) -> String {
    let text = error_chain(e);
    match text.find(" for url (") {
        Some(at) => {
            let rest = &text[at..];
            let end = rest.find(')').map_or(text.len(), |i| at + i + 1);
            format!("{}{}", &text[..at], &text[end..])
        }
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression: every 401/403 said "it needs the yank scope to yank and unyank", an
    /// owners call and an upload included.
    #[test]
    fn a_refused_token_is_told_the_scope_of_what_it_was_refused() {
        let refused = |action: ApiCall| {
            RegistryApiError::Refused {
                action,
                status: 403,
                detail: "must be an owner".into(),
            }
            .hint()
            .unwrap()
        };
        let (name, version) = ("app".to_owned(), "1.0.0".to_owned());
        let yank = refused(ApiCall::Yank {
            name: name.clone(),
            version: version.clone(),
        });
        assert!(
            yank.contains("the `yank` scope to yank and unyank"),
            "{yank}"
        );
        let unyank = refused(ApiCall::Unyank {
            name: name.clone(),
            version,
        });
        assert_eq!(unyank, yank);
        for owners in [
            refused(ApiCall::ListOwners { name: name.clone() }),
            refused(ApiCall::AddOwners { name }),
        ] {
            assert!(owners.contains("the `change-owners` scope"), "{owners}");
            assert!(!owners.contains("yank"), "{owners}");
        }
        assert!(upload_refused_hint(true).contains("the `publish-new` scope"));
        assert!(upload_refused_hint(false).contains("the `publish-update` scope"));
        for hint in [upload_refused_hint(true), upload_refused_hint(false)] {
            assert!(
                !hint.contains("yank") && hint.contains("owner of the crate"),
                "{hint}"
            );
        }
    }
}
