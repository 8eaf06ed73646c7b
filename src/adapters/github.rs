//! The GitHub REST API: pull requests, labels, comments, tags, releases and dispatches, through
//! octocrab (`base_uri` = `GITHUB_API_URL`, so GHES and the tests' fake work alike).
//!
//! Effects only. Every call goes through [`GitHub::send`], which asks `plan::retry` whether a
//! failure is worth another attempt; octocrab's typed methods are not used because they drop the
//! `Retry-After` and `x-ratelimit-*` headers that decision needs. Responses are read into the
//! small types of `types`, never handed on as GitHub JSON. Calls run one at a time: GitHub asks
//! integrations not to make concurrent mutating requests (secondary rate limits).

use std::sync::Mutex;
use std::time::Duration;

use octocrab::Octocrab;

use crate::config::env::Repository;
use crate::plan::retry::RetryPolicy;

use super::USER_AGENT;

mod error;
mod pulls;
mod releases;
mod transport;
mod types;

pub use error::{GitHubError, TOKEN_PERMISSIONS};
pub use types::{NewRelease, Outcome, PullRequest, Release};

type Result<T, E = GitHubError> = std::result::Result<T, E>;

/// One repository on one GitHub (or GHES, or the tests' fake).
pub struct GitHub {
    client: Octocrab,
    runtime: tokio::runtime::Runtime,
    pub owner: String,
    pub repo: String,
    policy: RetryPolicy,
    read_only: bool,
    log: Mutex<Vec<String>>,
}

impl GitHub {
    /// A client for `repository` at `api_url`. Without a token only reads work (public
    /// repositories); `read_only` refuses every write, as a dry run must.
    pub fn new(
        api_url: &str,
        repository: &Repository,
        token: Option<&str>,
        max_retries: u32,
        read_only: bool,
    ) -> Result<GitHub> {
        let scheme = api_url
            .split_once("://")
            .map(|(s, _)| s.to_ascii_lowercase());
        if !matches!(scheme.as_deref(), Some("http" | "https")) {
            return Err(GitHubError::BadApiUrl {
                value: api_url.to_owned(),
            });
        }
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| GitHubError::Client {
                message: e.to_string(),
            })?;
        let client = runtime.block_on(async {
            let mut builder = Octocrab::builder()
                .base_uri(api_url.trim_end_matches('/'))
                .map_err(|_| GitHubError::BadApiUrl {
                    value: api_url.to_owned(),
                })?
                .add_header(http::header::USER_AGENT, USER_AGENT.to_owned())
                .add_header(
                    http::HeaderName::from_static("x-github-api-version"),
                    "2022-11-28".to_owned(),
                )
                .set_connect_timeout(Some(Duration::from_secs(20)))
                .set_read_timeout(Some(Duration::from_secs(60)));
            if let Some(token) = token {
                builder = builder.personal_token(token.to_owned());
            }
            builder.build().map_err(|e| GitHubError::Client {
                message: e.to_string(),
            })
        })?;
        Ok(GitHub {
            client,
            runtime,
            owner: repository.owner.clone(),
            repo: repository.name.clone(),
            policy: RetryPolicy::new(max_retries),
            read_only,
            log: Mutex::new(Vec::new()),
        })
    }

    /// Retries and waits since the last call, for the job to print.
    pub fn take_log(&self) -> Vec<String> {
        std::mem::take(
            &mut self
                .log
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }
}

#[cfg(test)]
mod tests;
