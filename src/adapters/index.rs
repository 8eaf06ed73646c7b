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
mod tests;
