//! Git refs and tag objects, releases and repository dispatches.

use super::*;

impl State {
    // ---- git refs and tags ----

    pub(super) fn get_ref(&self, reference: &str) -> Reply {
        match self.refs.get(reference) {
            Some(sha) => Reply::json(200, self.ref_json(reference, sha)),
            None => Reply::not_found(),
        }
    }

    pub(super) fn matching_refs(&self, prefix: &str) -> Reply {
        let prefix = format!("refs/{prefix}");
        let refs = self.refs.iter().filter(|(r, _)| r.starts_with(&prefix));
        Reply::json(200, refs.map(|(r, sha)| self.ref_json(r, sha)).collect())
    }

    pub(super) fn create_ref(&mut self, body: &Value) -> Reply {
        const DOC: &str = "https://docs.github.com/rest/git/refs#create-a-reference";
        let reference = body["ref"].as_str().unwrap_or_default();
        let sha = body["sha"].as_str().unwrap_or_default();
        if !reference.starts_with("refs/")
            || reference.matches('/').count() < 2
            || reference.ends_with('/')
        {
            return Reply::error(422, "Reference name is not valid", DOC);
        }
        if !is_sha(sha) {
            return Reply::error(422, "Object does not exist", DOC);
        }
        if self.refs.contains_key(reference) {
            return Reply::error(422, "Reference already exists", DOC);
        }
        self.refs.insert(reference.to_owned(), sha.to_owned());
        Reply::json(201, self.ref_json(reference, sha))
    }

    pub(super) fn create_tag(&mut self, body: &Value) -> Reply {
        const DOC: &str = "https://docs.github.com/rest/git/tags#create-a-tag-object";
        for field in ["tag", "message", "object", "type"] {
            if body[field].as_str().is_none() {
                let message = format!("Invalid request.\n\n\"{field}\" wasn't supplied.");
                return Reply::error(422, &message, DOC);
            }
        }
        let object = body["object"].as_str().unwrap_or_default();
        if !is_sha(object) {
            return Reply::error(422, "Object does not exist", DOC);
        }
        let now = self.tick();
        let tag = body["tag"].as_str().unwrap_or_default();
        let sha = fake_sha(&format!("tag {tag} {}", self.tags.len()));
        let (api, full) = (&self.api, self.full_name());
        let tagger = match body.get("tagger") {
            Some(tagger) if tagger.is_object() => tagger.clone(),
            _ => json!({
                "name": BOT_LOGIN,
                "email": format!("{BOT_ID}+{BOT_LOGIN}@users.noreply.github.com"),
                "date": now,
            }),
        };
        let kind = body["type"].as_str().unwrap_or("commit");
        let json = json!({
            "node_id": format!("TA_kwDOFake{}", self.tags.len() + 1),
            "tag": tag,
            "sha": sha,
            "url": format!("{api}/repos/{full}/git/tags/{sha}"),
            "message": body["message"],
            "tagger": tagger,
            "object": {
                "sha": object,
                "type": kind,
                "url": format!("{api}/repos/{full}/git/{kind}s/{object}"),
            },
            "verification": {"verified": false, "reason": "unsigned", "signature": null, "payload": null, "verified_at": null},
        });
        self.tags.push(json.clone());
        Reply::json(201, json)
    }

    // ---- releases ----

    pub(super) fn create_release(&mut self, body: &Value) -> Reply {
        const DOC: &str = "https://docs.github.com/rest/releases/releases#create-a-release";
        let Some(tag) = body["tag_name"].as_str().filter(|t| !t.is_empty()) else {
            return Reply::invalid("Release", "missing_field", "tag_name", DOC);
        };
        let draft = body["draft"].as_bool().unwrap_or(false);
        // Drafts may share a tag; a published release owns it.
        if !draft && self.releases.iter().any(|r| !r.draft && r.tag_name == tag) {
            return Reply::invalid("Release", "already_exists", "tag_name", DOC);
        }
        let now = self.tick();
        let release = Release {
            id: self.id(),
            tag_name: tag.to_owned(),
            target_commitish: body["target_commitish"]
                .as_str()
                .unwrap_or("main")
                .to_owned(),
            name: body["name"].as_str().map(str::to_owned),
            body: body["body"].as_str().map(str::to_owned),
            draft,
            prerelease: body["prerelease"].as_bool().unwrap_or(false),
            created_at: now.clone(),
            published_at: (!draft).then_some(now),
            make_latest: body["make_latest"].clone(),
        };
        let json = self.release_json(&release);
        self.releases.push(release);
        Reply::json(201, json)
    }

    pub(super) fn update_release(&mut self, id: &str, body: &Value) -> Reply {
        let Some(index) = self.releases.iter().position(|r| r.id.to_string() == id) else {
            return Reply::not_found();
        };
        let now = self.tick();
        let release = &mut self.releases[index];
        if let Some(tag) = body["tag_name"].as_str() {
            release.tag_name = tag.to_owned();
        }
        if let Some(target) = body["target_commitish"].as_str() {
            release.target_commitish = target.to_owned();
        }
        if let Some(name) = body.get("name") {
            release.name = name.as_str().map(str::to_owned);
        }
        if let Some(text) = body.get("body") {
            release.body = text.as_str().map(str::to_owned);
        }
        if let Some(prerelease) = body["prerelease"].as_bool() {
            release.prerelease = prerelease;
        }
        if let Some(draft) = body["draft"].as_bool() {
            if release.draft && !draft {
                release.published_at = Some(now);
            }
            release.draft = draft;
        }
        if body.get("make_latest").is_some() {
            release.make_latest = body["make_latest"].clone();
        }
        Reply::json(200, self.release_json(&self.releases[index]))
    }

    // ---- dispatches ----

    pub(super) fn dispatch(&mut self, repository: &str, body: &Value) -> Reply {
        const DOC: &str =
            "https://docs.github.com/rest/repos/repos#create-a-repository-dispatch-event";
        match body.get("event_type") {
            Some(Value::String(event)) if !event.is_empty() => {}
            Some(Value::String(_)) => {
                return Reply::error(
                    422,
                    "Invalid request.\n\nFor 'properties/event_type', \"\" is too short (minimum 1).",
                    DOC,
                );
            }
            _ => {
                return Reply::error(
                    422,
                    "Invalid request.\n\n\"event_type\" wasn't supplied.",
                    DOC,
                );
            }
        }
        match body.get("client_payload") {
            None => {}
            Some(Value::Object(payload)) if payload.len() <= 10 => {}
            Some(Value::Object(_)) => {
                return Reply::error(
                    422,
                    "Invalid request.\n\nclient_payload: more than 10 properties are not allowed",
                    DOC,
                );
            }
            Some(other) => {
                let message = format!(
                    "Invalid request.\n\nFor 'properties/client_payload', {other} is not an object."
                );
                return Reply::error(422, &message, DOC);
            }
        }
        self.dispatches.push((repository.to_owned(), body.clone()));
        Reply {
            status: 204,
            body: None,
            headers: Vec::new(),
        }
    }
}
