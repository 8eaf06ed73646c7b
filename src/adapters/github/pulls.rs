//! Pull requests, their comments and labels, and the repository's default branch.

use http::Method;
use serde::Deserialize;
use serde_json::{Value, json};

use super::transport::encode;
use super::types::RawPull;
use super::{GitHub, GitHubError, Outcome, PullRequest, Result};

impl GitHub {
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
}
