//! The GitHub REST API: pull requests, labels, comments, tags, releases and dispatches, through
//! octocrab (`base_uri` = `GITHUB_API_URL`, so GHES and the tests' fake work alike).
//!
//! Effects only. Every call goes through [`GitHub::send`], which asks `plan::retry` whether a
//! failure is worth another attempt; octocrab's typed methods are not used because they drop the
//! `Retry-After` and `x-ratelimit-*` headers that decision needs. Responses are read into the
//! small types below, never handed on as GitHub JSON. Calls run one at a time: GitHub asks
//! integrations not to make concurrent mutating requests (secondary rate limits).

use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use http::{HeaderMap, Method, StatusCode};
use octocrab::Octocrab;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::config::env::Repository;
use crate::hint::Hint;
use crate::plan::retry::{Failure, GiveUp, RetryPolicy, requested_wait};

use super::retry::{Stopped, Try, with_retries};
use super::{USER_AGENT, error_chain};

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

/// A response that was not retried: its status, headers and body.
struct Reply {
    status: StatusCode,
    body: String,
}

impl Reply {
    fn json<T: for<'de> Deserialize<'de>>(&self, method: &Method, path: &str) -> Result<T> {
        self.not_html(method, path)?;
        serde_json::from_str(&self.body).map_err(|e| GitHubError::Decode {
            method: method.clone(),
            path: path.to_owned(),
            message: e.to_string(),
        })
    }

    /// A web page where the API's JSON should be: GITHUB_API_URL points at the wrong server.
    fn not_html(&self, method: &Method, path: &str) -> Result<()> {
        if self.body.trim_start().starts_with('<') {
            return Err(GitHubError::NotJson {
                method: method.clone(),
                path: path.to_owned(),
                status: self.status.as_u16(),
            });
        }
        Ok(())
    }

    fn message(&self) -> String {
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
    fn already_exists(&self) -> bool {
        self.status == StatusCode::UNPROCESSABLE_ENTITY
            && (self.body.contains("already_exists") || self.body.contains("already exists"))
    }
}

/// The parts of a pull request the stages read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullRequest {
    pub number: u64,
    pub html_url: String,
    pub title: String,
    pub body: String,
    pub open: bool,
    pub merged: bool,
    pub merge_commit_sha: Option<String>,
    pub head_ref: String,
    pub base_ref: String,
    pub labels: Vec<String>,
}

#[derive(Deserialize)]
struct RawPull {
    number: u64,
    html_url: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: Option<String>,
    state: String,
    #[serde(default)]
    merged: Option<bool>,
    #[serde(default)]
    merged_at: Option<String>,
    #[serde(default)]
    merge_commit_sha: Option<String>,
    head: RawBranch,
    base: RawBranch,
    #[serde(default)]
    labels: Vec<RawLabel>,
}

#[derive(Deserialize)]
struct RawBranch {
    #[serde(rename = "ref")]
    name: String,
}

#[derive(Deserialize)]
struct RawLabel {
    name: String,
}

impl From<RawPull> for PullRequest {
    fn from(p: RawPull) -> PullRequest {
        PullRequest {
            number: p.number,
            html_url: p.html_url,
            title: p.title,
            body: p.body.unwrap_or_default(),
            open: p.state == "open",
            // Lists leave `merged` out; `merged_at` is there in both shapes.
            merged: p.merged.unwrap_or(false) || p.merged_at.is_some(),
            merge_commit_sha: p.merge_commit_sha,
            head_ref: p.head.name,
            base_ref: p.base.name,
            labels: p.labels.into_iter().map(|l| l.name).collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    pub id: u64,
    /// A draft's is GitHub's `…/releases/tag/untagged-…`: only the repository's writers see it.
    pub html_url: String,
    pub tag_name: String,
    pub draft: bool,
    /// The title.
    pub name: String,
    pub body: String,
}

#[derive(Deserialize)]
struct RawRelease {
    id: u64,
    html_url: String,
    tag_name: String,
    #[serde(default)]
    draft: bool,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    body: Option<String>,
}

impl From<RawRelease> for Release {
    fn from(r: RawRelease) -> Release {
        Release {
            id: r.id,
            html_url: r.html_url,
            tag_name: r.tag_name,
            draft: r.draft,
            name: r.name.unwrap_or_default(),
            body: r.body.unwrap_or_default(),
        }
    }
}

/// How many pages of releases (100 each, newest first) are searched for a draft: a draft an
/// earlier run made is among the newest.
const DRAFT_PAGES: u32 = 10;

/// What a request to create something found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Created,
    Existed,
}

/// A release to create.
pub struct NewRelease<'a> {
    pub tag: &'a str,
    pub name: &'a str,
    pub body: &'a str,
    pub prerelease: bool,
    pub draft: bool,
    /// GitHub's `make_latest`: `"true"`, `"false"` or `"legacy"`.
    pub make_latest: &'a str,
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

    fn repo_path(&self, rest: &str) -> String {
        format!("/repos/{}/{}{rest}", self.owner, self.repo)
    }

    /// Send one request, retrying what `plan::retry` says is worth it. Every non-retried
    /// answer comes back, 4xx included, for the caller to read; 401 stops at once.
    fn send(&self, method: Method, path: &str, body: Option<&Value>) -> Result<Reply> {
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

    fn expect(&self, reply: Reply, method: Method, path: &str, ok: &[u16]) -> Result<Reply> {
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

    fn get_json<T: for<'de> Deserialize<'de>>(&self, path: &str) -> Result<Option<T>> {
        let reply = self.send(Method::GET, path, None)?;
        if reply.status == StatusCode::NOT_FOUND {
            reply.not_html(&Method::GET, path)?;
            return Ok(None);
        }
        let reply = self.expect(reply, Method::GET, path, &[200])?;
        reply.json(&Method::GET, path).map(Some)
    }

    fn write_json<T: for<'de> Deserialize<'de>>(
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

    /// The repository's default branch; also proves the token can read the repository before
    /// anything is written.
    pub fn default_branch(&self) -> Result<String> {
        #[derive(Deserialize)]
        struct Repo {
            default_branch: String,
        }
        let path = self.repo_path("");
        let repo: Option<Repo> = self.get_json(&path)?;
        repo.map(|r| r.default_branch)
            .ok_or_else(|| GitHubError::Status {
                method: Method::GET,
                path,
                status: 404,
                message: "Not Found".into(),
            })
    }

    /// Open pull requests whose head is `branch` of this repository.
    pub fn open_pulls(&self, branch: &str) -> Result<Vec<PullRequest>> {
        let path = self.repo_path(&format!(
            "/pulls?state=open&head={}&per_page=100",
            encode(&format!("{}:{branch}", self.owner))
        ));
        let pulls: Vec<RawPull> = self.get_json(&path)?.unwrap_or_default();
        // Filter again: GitHub ignores a `head` it cannot parse and lists everything.
        Ok(pulls
            .into_iter()
            .map(PullRequest::from)
            .filter(|p| p.head_ref == branch)
            .collect())
    }

    /// Recently closed pull requests, newest first.
    pub fn closed_pulls(&self) -> Result<Vec<PullRequest>> {
        let path = self.repo_path("/pulls?state=closed&sort=updated&direction=desc&per_page=50");
        let pulls: Vec<RawPull> = self.get_json(&path)?.unwrap_or_default();
        Ok(pulls.into_iter().map(PullRequest::from).collect())
    }

    pub fn pull(&self, number: u64) -> Result<Option<PullRequest>> {
        let raw: Option<RawPull> = self.get_json(&self.repo_path(&format!("/pulls/{number}")))?;
        Ok(raw.map(PullRequest::from))
    }

    /// Pull requests that contain `sha` (as merge commit or head).
    pub fn commit_pulls(&self, sha: &str) -> Result<Vec<PullRequest>> {
        let path = self.repo_path(&format!("/commits/{sha}/pulls"));
        let pulls: Vec<RawPull> = self.get_json(&path)?.unwrap_or_default();
        Ok(pulls.into_iter().map(PullRequest::from).collect())
    }

    /// Open a pull request; one that exists already for `head` is returned instead.
    pub fn create_pull(
        &self,
        title: &str,
        head: &str,
        base: &str,
        body: &str,
    ) -> Result<(PullRequest, Outcome)> {
        let path = self.repo_path("/pulls");
        let request = json!({"title": title, "head": head, "base": base, "body": body,
            "maintainer_can_modify": true});
        let reply = self.send(Method::POST, &path, Some(&request))?;
        if reply.already_exists()
            && let Some(existing) = self.open_pulls(head)?.into_iter().next()
        {
            return Ok((existing, Outcome::Existed));
        }
        let reply = self.expect(reply, Method::POST, &path, &[201])?;
        let raw: RawPull = reply.json(&Method::POST, &path)?;
        Ok((raw.into(), Outcome::Created))
    }

    pub fn update_pull(&self, number: u64, title: &str, body: &str) -> Result<PullRequest> {
        let path = self.repo_path(&format!("/pulls/{number}"));
        let raw: RawPull = self.write_json(
            Method::PATCH,
            &path,
            &json!({"title": title, "body": body}),
            &[200],
        )?;
        Ok(raw.into())
    }

    pub fn close_pull(&self, number: u64) -> Result<()> {
        let path = self.repo_path(&format!("/pulls/{number}"));
        let _: Value =
            self.write_json(Method::PATCH, &path, &json!({"state": "closed"}), &[200])?;
        Ok(())
    }

    pub fn comment(&self, number: u64, body: &str) -> Result<()> {
        let path = self.repo_path(&format!("/issues/{number}/comments"));
        let _: Value = self.write_json(Method::POST, &path, &json!({"body": body}), &[201])?;
        Ok(())
    }

    /// The text of every comment on issue or pull request `number`, oldest first.
    pub fn comments(&self, number: u64) -> Result<Vec<String>> {
        #[derive(Deserialize)]
        struct Comment {
            #[serde(default)]
            body: Option<String>,
        }
        const PER_PAGE: usize = 100;
        let mut texts = Vec::new();
        // A bound, not a limit anyone meets: 3,000 comments.
        for page in 1..=30 {
            let path = self.repo_path(&format!(
                "/issues/{number}/comments?per_page={PER_PAGE}&page={page}"
            ));
            let comments: Vec<Comment> = self.get_json(&path)?.unwrap_or_default();
            let last = comments.len() < PER_PAGE;
            texts.extend(comments.into_iter().filter_map(|c| c.body));
            if last {
                break;
            }
        }
        Ok(texts)
    }

    /// Make sure the repository has this label.
    pub fn ensure_label(&self, name: &str, color: &str, description: &str) -> Result<Outcome> {
        let path = self.repo_path(&format!("/labels/{}", encode(name)));
        if self.get_json::<Value>(&path)?.is_some() {
            return Ok(Outcome::Existed);
        }
        let create = self.repo_path("/labels");
        let body = json!({"name": name, "color": color, "description": description});
        let reply = self.send(Method::POST, &create, Some(&body))?;
        if reply.already_exists() {
            return Ok(Outcome::Existed);
        }
        self.expect(reply, Method::POST, &create, &[201])?;
        Ok(Outcome::Created)
    }

    pub fn add_labels(&self, number: u64, labels: &[&str]) -> Result<()> {
        let path = self.repo_path(&format!("/issues/{number}/labels"));
        let _: Value = self.write_json(Method::POST, &path, &json!({"labels": labels}), &[200])?;
        Ok(())
    }

    /// Take a label off an issue or pull request; one that is not there is fine.
    pub fn remove_label(&self, number: u64, label: &str) -> Result<()> {
        let path = self.repo_path(&format!("/issues/{number}/labels/{}", encode(label)));
        let reply = self.send(Method::DELETE, &path, None)?;
        self.expect(reply, Method::DELETE, &path, &[200, 204, 404])?;
        Ok(())
    }

    /// The commit a tag points at (annotated tags peeled), if the tag exists.
    pub fn tag_commit(&self, tag: &str) -> Result<Option<String>> {
        #[derive(Deserialize)]
        struct Ref {
            object: Object,
        }
        #[derive(Deserialize)]
        struct Object {
            sha: String,
            #[serde(rename = "type")]
            kind: String,
        }
        #[derive(Deserialize)]
        struct TagObject {
            object: Object,
        }
        let path = self.repo_path(&format!("/git/ref/tags/{}", encode_ref(tag)));
        let Some(found) = self.get_json::<Ref>(&path)? else {
            return Ok(None);
        };
        if found.object.kind != "tag" {
            return Ok(Some(found.object.sha));
        }
        let path = self.repo_path(&format!("/git/tags/{}", found.object.sha));
        let object: Option<TagObject> = self.get_json(&path)?;
        Ok(Some(object.map_or(found.object.sha, |t| t.object.sha)))
    }

    /// Create an annotated tag `tag` at `commit`: the tag object, then its ref. A ref that
    /// appeared meanwhile (422 "Reference already exists") is re-read and counts as existing.
    pub fn create_tag(&self, tag: &str, message: &str, commit: &str) -> Result<Outcome> {
        #[derive(Deserialize)]
        struct Created {
            sha: String,
        }
        let path = self.repo_path("/git/tags");
        let object: Created = self.write_json(
            Method::POST,
            &path,
            &json!({"tag": tag, "message": message, "object": commit, "type": "commit"}),
            &[201],
        )?;
        let path = self.repo_path("/git/refs");
        let body = json!({"ref": format!("refs/tags/{tag}"), "sha": object.sha});
        let reply = self.send(Method::POST, &path, Some(&body))?;
        if reply.already_exists() && self.tag_commit(tag)?.is_some() {
            return Ok(Outcome::Existed);
        }
        self.expect(reply, Method::POST, &path, &[201])?;
        Ok(Outcome::Created)
    }

    pub fn release_by_tag(&self, tag: &str) -> Result<Option<Release>> {
        let path = self.repo_path(&format!("/releases/tags/{}", encode_ref(tag)));
        let raw: Option<RawRelease> = self.get_json(&path)?;
        Ok(raw.map(Release::from))
    }

    /// The draft releases of `tags` among the newest releases ([`DRAFT_PAGES`] pages): GitHub
    /// finds no draft by its tag, and lets several drafts share one.
    pub fn drafts(&self, tags: &[&str]) -> Result<Vec<Release>> {
        let mut found = Vec::new();
        for page in 1..=DRAFT_PAGES {
            let path = self.repo_path(&format!("/releases?per_page=100&page={page}"));
            let releases: Vec<RawRelease> = self.get_json(&path)?.unwrap_or_default();
            let last = releases.len() < 100;
            found.extend(
                (releases.into_iter())
                    .filter(|r| r.draft && tags.contains(&r.tag_name.as_str()))
                    .map(Release::from),
            );
            if last {
                break;
            }
        }
        Ok(found)
    }

    /// Change a release's title and body.
    pub fn update_release(&self, id: u64, name: &str, body: &str) -> Result<Release> {
        let path = self.repo_path(&format!("/releases/{id}"));
        let raw: RawRelease = self.write_json(
            Method::PATCH,
            &path,
            &json!({"name": name, "body": body}),
            &[200],
        )?;
        Ok(raw.into())
    }

    /// Create a GitHub Release; one that exists already for the tag is returned instead.
    pub fn create_release(&self, new: &NewRelease<'_>) -> Result<(Release, Outcome)> {
        let path = self.repo_path("/releases");
        let body = json!({
            "tag_name": new.tag,
            "name": new.name,
            "body": new.body,
            "draft": new.draft,
            "prerelease": new.prerelease,
            "make_latest": new.make_latest,
        });
        let reply = self.send(Method::POST, &path, Some(&body))?;
        if reply.already_exists()
            && let Some(existing) = self.release_by_tag(new.tag)?
        {
            return Ok((existing, Outcome::Existed));
        }
        let reply = self.expect(reply, Method::POST, &path, &[201])?;
        let raw: RawRelease = reply.json(&Method::POST, &path)?;
        Ok((raw.into(), Outcome::Created))
    }

    /// `repository_dispatch` to `repository` ("owner/name").
    pub fn dispatch(&self, repository: &str, event_type: &str, payload: &Value) -> Result<()> {
        let path = format!("/repos/{repository}/dispatches");
        let body = json!({"event_type": event_type, "client_payload": payload});
        let reply = self.send(Method::POST, &path, Some(&body))?;
        self.expect(reply, Method::POST, &path, &[204])?;
        Ok(())
    }
}

/// How `plan::retry` should see a response; `None` for an answer the caller reads (2xx, and
/// 4xx such as 404 and 422 that mean something to it).
fn failure_of(reply: &Reply, headers: &HeaderMap) -> Option<Failure> {
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
fn encode(text: &str) -> String {
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
fn encode_ref(name: &str) -> String {
    name.split('/').map(encode).collect::<Vec<_>>().join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(status: u16, body: &str) -> Reply {
        Reply {
            status: StatusCode::from_u16(status).unwrap(),
            body: body.into(),
        }
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, v.parse().unwrap());
        }
        map
    }

    #[test]
    fn failures_are_classified_from_status_headers_and_text() {
        let none = headers(&[]);
        let cases: Vec<(Reply, HeaderMap, Option<Failure>)> = vec![
            (reply(200, "{}"), none.clone(), None),
            (reply(404, "{}"), none.clone(), None),
            (reply(422, "{}"), none.clone(), None),
            (reply(401, "{}"), none.clone(), Some(Failure::Unauthorized)),
            (reply(502, ""), none.clone(), Some(Failure::Transient)),
            (
                reply(
                    403,
                    r#"{"message":"Resource not accessible by integration"}"#,
                ),
                none.clone(),
                None,
            ),
            (
                reply(
                    403,
                    r#"{"message":"You have exceeded a secondary rate limit"}"#,
                ),
                headers(&[("retry-after", "7")]),
                Some(Failure::RateLimited {
                    wait: Some(Duration::from_secs(7)),
                }),
            ),
            (
                reply(
                    403,
                    r#"{"message":"You have exceeded a secondary rate limit"}"#,
                ),
                none.clone(),
                Some(Failure::RateLimited { wait: None }),
            ),
            (
                reply(429, "{}"),
                headers(&[("retry-after", "2")]),
                Some(Failure::RateLimited {
                    wait: Some(Duration::from_secs(2)),
                }),
            ),
        ];
        for (reply, headers, expected) in cases {
            assert_eq!(
                failure_of(&reply, &headers),
                expected,
                "{} {}",
                reply.status,
                reply.body
            );
        }
    }

    #[test]
    fn validation_errors_that_mean_already_there_are_recognised() {
        assert!(reply(422, r#"{"message":"Reference already exists"}"#).already_exists());
        assert!(
            reply(
                422,
                r#"{"message":"Validation Failed","errors":[{"resource":"Release","code":"already_exists","field":"tag_name"}]}"#
            )
            .already_exists()
        );
        assert!(
            !reply(
                422,
                r#"{"message":"Validation Failed","errors":[{"code":"invalid"}]}"#
            )
            .already_exists()
        );
        assert!(!reply(201, "already exists").already_exists());
    }

    #[test]
    fn error_text_includes_validation_details() {
        let r = reply(
            422,
            r#"{"message":"Validation Failed","errors":[{"resource":"PullRequest","code":"custom","message":"No commits between main and x"}]}"#,
        );
        assert_eq!(
            r.message(),
            "Validation Failed; No commits between main and x"
        );
    }

    #[test]
    fn a_web_page_where_json_should_be_points_at_github_api_url() {
        let page = reply(200, "\n  <!DOCTYPE html><html><title>GitHub</title></html>");
        let err = page
            .json::<Value>(&Method::GET, "/repos/acme/widgets")
            .unwrap_err();
        assert!(
            matches!(err, GitHubError::NotJson { status: 200, .. }),
            "{err}"
        );
        assert!(err.hint().unwrap().starts_with("check GITHUB_API_URL"));
        assert!(reply(200, "{}").json::<Value>(&Method::GET, "/x").is_ok());
    }

    #[test]
    fn an_api_url_that_is_not_http_is_refused() {
        let repository = Repository::parse("acme/widgets").unwrap();
        for url in [
            "ftp://api.github.com",
            "file:///etc",
            "api.github.com",
            "javascript:x",
        ] {
            let err = GitHub::new(url, &repository, None, 0, true).err().unwrap();
            assert!(matches!(err, GitHubError::BadApiUrl { .. }), "{url}: {err}");
            assert!(err.is_input());
        }
        assert!(GitHub::new("HTTPS://api.github.com", &repository, None, 0, true).is_ok());
    }

    #[test]
    fn names_are_percent_encoded_but_ref_separators_kept() {
        assert_eq!(encode("autorelease: pending"), "autorelease%3A%20pending");
        assert_eq!(encode("o:releasekit/release"), "o%3Areleasekit%2Frelease");
        assert_eq!(encode_ref("serde-v1.0.0"), "serde-v1.0.0");
        assert_eq!(encode_ref("group/a+b-v1"), "group/a%2Bb-v1");
    }
}
