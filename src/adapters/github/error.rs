//! What can go wrong talking to GitHub, and the hint each failure gives the user.

use std::time::Duration;

use http::Method;

use crate::hint::Hint;

#[derive(Debug, thiserror::Error)]
pub enum GitHubError {
    #[error("no GitHub token: `{stage}` writes to GitHub")]
    MissingToken { stage: String },
    #[error("GITHUB_REPOSITORY is not set: the stage talks to a repository on GitHub")]
    NoRepository,
    #[error("GITHUB_API_URL {value:?} is not an http(s) URL")]
    BadApiUrl { value: String },
    #[error("{method} {path} answered HTML, not GitHub's JSON (status {status})")]
    NotJson {
        method: Method,
        path: String,
        status: u16,
    },
    #[error("GitHub rejected the token (401 Bad credentials) on {method} {path}")]
    Unauthorized { method: Method, path: String },
    #[error("GitHub answered {status} to {method} {path}: {message}")]
    Status {
        method: Method,
        path: String,
        status: u16,
        message: String,
    },
    #[error("{method} {path} failed {attempts} time(s); last: {last}")]
    Exhausted {
        method: Method,
        path: String,
        attempts: u32,
        last: String,
    },
    #[error("GitHub's rate limit asks to wait {}s before {method} {path}, longer than releasekit-cargo waits", wait.as_secs())]
    WaitTooLong {
        method: Method,
        path: String,
        wait: Duration,
    },
    #[error("unexpected answer to {method} {path}: {message}")]
    Decode {
        method: Method,
        path: String,
        message: String,
    },
    #[error("dry run: refused to send {method} {path}")]
    DryRunWrite { method: Method, path: String },
    #[error("could not start the HTTP client: {message}")]
    Client { message: String },
}

pub const TOKEN_PERMISSIONS: &str = "give the workflow `permissions: contents: write, pull-requests: write` (and enable Settings → Actions → General → \"Allow GitHub Actions to create and approve pull requests\"), or pass a GitHub App token or fine-grained PAT with those permissions as the `token` input";

impl GitHubError {
    /// A token problem is a configuration problem: the first call is a read, so nothing
    /// was changed when it shows.
    pub fn is_input(&self) -> bool {
        matches!(
            self,
            GitHubError::MissingToken { .. }
                | GitHubError::NoRepository
                | GitHubError::BadApiUrl { .. }
                | GitHubError::Unauthorized { .. }
        )
    }
}

impl Hint for GitHubError {
    fn hint(&self) -> Option<String> {
        Some(match self {
            GitHubError::MissingToken { .. } => format!(
                "set the `token` input (it defaults to `${{{{ github.token }}}}`) or GITHUB_TOKEN; {TOKEN_PERMISSIONS}"
            ),
            GitHubError::NoRepository => {
                "set GITHUB_REPOSITORY to owner/name (the runner sets it in Actions)".into()
            }
            GitHubError::BadApiUrl { .. } => {
                "set GITHUB_API_URL to the API root, e.g. https://api.github.com".into()
            }
            GitHubError::NotJson { .. } => "check GITHUB_API_URL: it must be the API root (https://api.github.com, or https://HOST/api/v3 on GitHub Enterprise Server), not a web page".into(),
            GitHubError::Unauthorized { .. } => {
                format!("the `token` input is invalid or expired; {TOKEN_PERMISSIONS}")
            }
            GitHubError::Status { status: 403, .. } | GitHubError::Status { status: 404, .. } => {
                format!("the token may lack a permission: {TOKEN_PERMISSIONS}")
            }
            GitHubError::Exhausted { .. } => {
                "GitHub or the network is failing; re-run the job: every step is safe to repeat"
                    .into()
            }
            GitHubError::WaitTooLong { .. } => {
                "re-run the job after the rate limit resets: every step is safe to repeat".into()
            }
            _ => return None,
        })
    }
}
