//! Our own small types for what GitHub answers (pull requests, releases) and what we send.

use serde::Deserialize;

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
pub(super) struct RawPull {
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
pub(super) struct RawRelease {
    id: u64,
    html_url: String,
    pub(super) tag_name: String,
    #[serde(default)]
    pub(super) draft: bool,
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
