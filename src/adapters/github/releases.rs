//! Tags, GitHub Releases (drafts included) and repository dispatches.

use http::Method;
use serde::Deserialize;
use serde_json::{Value, json};

use super::transport::encode_ref;
use super::types::RawRelease;
use super::{GitHub, NewRelease, Outcome, Release, Result};

/// How many pages of releases (100 each, newest first) are searched for a draft: a draft an
/// earlier run made is among the newest.
const DRAFT_PAGES: u32 = 10;

impl GitHub {
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
