//! Pull requests, their labels and comments.

use super::*;

impl State {
    // ---- pull requests ----

    pub(super) fn insert_pull(
        &mut self,
        head_owner: &str,
        head: &str,
        base: &str,
        title: &str,
        body: Option<String>,
        draft: bool,
    ) -> u64 {
        let now = self.tick();
        let number = self.next_number;
        self.next_number += 1;
        let id = self.id();
        let pull = Pull {
            id,
            number,
            title: title.to_owned(),
            body,
            head_owner: head_owner.to_owned(),
            head_ref: head.to_owned(),
            head_sha: fake_sha(&format!("head {head} {number}")),
            base_ref: base.to_owned(),
            base_sha: fake_sha(&format!("base {base}")),
            open: true,
            draft,
            maintainer_can_modify: false,
            created_at: now.clone(),
            updated_at: now,
            closed_at: None,
            merged_at: None,
            merge_commit_sha: None,
        };
        self.pulls.insert(number, pull);
        self.issue_labels.insert(number, Vec::new());
        number
    }

    pub(super) fn list_pulls(&self, path: &str, query: &[(String, String)]) -> Reply {
        let state = param(query, "state").unwrap_or("open");
        let head = param(query, "head").map(|h| self.split_head(h));
        let base = param(query, "base");
        let pulls = self.pulls.values().rev().filter(|p| match state {
            "closed" => !p.open,
            "all" => true,
            _ => p.open,
        });
        let pulls = pulls.filter(|p| {
            let head_ok = head
                .as_ref()
                .is_none_or(|(o, r)| p.head_owner.eq_ignore_ascii_case(o) && p.head_ref == *r);
            head_ok && base.is_none_or(|b| p.base_ref == b)
        });
        let pulls = pulls.map(|p| self.pull_json(p, false)).collect();
        self.paginate(path, query, pulls)
    }

    pub(super) fn create_pull(&mut self, body: &Value) -> Reply {
        const DOC: &str = "https://docs.github.com/rest/pulls/pulls#create-a-pull-request";
        for field in ["title", "head", "base"] {
            if body[field].as_str().is_none_or(str::is_empty) {
                return Reply::invalid("PullRequest", "missing_field", field, DOC);
            }
        }
        let (head_owner, head) = self.split_head(body["head"].as_str().unwrap_or_default());
        let base = body["base"].as_str().unwrap_or_default();
        if head == base {
            let message = format!("No commits between {base} and {head}");
            return Reply::validation(
                json!({"resource": "PullRequest", "code": "custom", "message": message}),
                DOC,
            );
        }
        // GitHub refuses a second open pull request for the same head and base.
        let duplicate = self.pulls.values().any(|p| {
            p.open
                && p.head_owner.eq_ignore_ascii_case(&head_owner)
                && p.head_ref == head
                && p.base_ref == base
        });
        if duplicate {
            let message = format!("A pull request already exists for {head_owner}:{head}.");
            return Reply::validation(
                json!({"resource": "PullRequest", "code": "custom", "message": message}),
                DOC,
            );
        }
        let text = body["body"].as_str().map(str::to_owned);
        let draft = body["draft"].as_bool().unwrap_or(false);
        let title = body["title"].as_str().unwrap_or_default();
        let number = self.insert_pull(&head_owner, &head, base, title, text, draft);
        let pull = self.pulls.get_mut(&number).expect("just inserted");
        pull.maintainer_can_modify = body["maintainer_can_modify"].as_bool().unwrap_or(false);
        Reply::json(201, self.pull_json(&self.pulls[&number], true))
    }

    pub(super) fn update_pull(&mut self, n: &str, body: &Value) -> Reply {
        let Some(number) = n.parse::<u64>().ok().filter(|n| self.pulls.contains_key(n)) else {
            return Reply::not_found();
        };
        let now = self.tick();
        let pull = self.pulls.get_mut(&number).expect("checked above");
        if let Some(title) = body["title"].as_str() {
            pull.title = title.to_owned();
        }
        if let Some(text) = body.get("body") {
            pull.body = text.as_str().map(str::to_owned);
        }
        if let Some(base) = body["base"].as_str() {
            pull.base_ref = base.to_owned();
            pull.base_sha = fake_sha(&format!("base {base}"));
        }
        match body["state"].as_str() {
            Some("closed") if pull.open => {
                pull.open = false;
                pull.closed_at = Some(now.clone());
            }
            Some("open") if !pull.open && pull.merged_at.is_none() => {
                pull.open = true;
                pull.closed_at = None;
            }
            _ => {}
        }
        pull.updated_at = now;
        Reply::json(200, self.pull_json(&self.pulls[&number], true))
    }

    pub(super) fn commit_pulls(&self, sha: &str) -> Reply {
        let pulls = self.pulls.values().rev();
        let pulls =
            pulls.filter(|p| p.head_sha == sha || p.merge_commit_sha.as_deref() == Some(sha));
        Reply::json(200, pulls.map(|p| self.pull_json(p, false)).collect())
    }

    pub(super) fn with_pull(&self, n: &str, answer: impl FnOnce(&State, &Pull) -> Reply) -> Reply {
        match n.parse::<u64>().ok().and_then(|n| self.pulls.get(&n)) {
            Some(pull) => answer(self, pull),
            None => Reply::not_found(),
        }
    }

    pub(super) fn with_issue(&self, n: &str, answer: impl FnOnce(&State, u64) -> Reply) -> Reply {
        match n.parse::<u64>().ok().filter(|n| self.pulls.contains_key(n)) {
            Some(number) => answer(self, number),
            None => Reply::not_found(),
        }
    }

    /// `owner:branch` or `branch` (then the repository's owner).
    pub(super) fn split_head(&self, head: &str) -> (String, String) {
        match head.split_once(':') {
            Some((owner, branch)) => (owner.to_owned(), branch.to_owned()),
            None => (self.owner.clone(), head.to_owned()),
        }
    }

    // ---- labels and comments ----

    pub(super) fn get_label(&self, name: &str) -> Reply {
        match self
            .labels
            .iter()
            .find(|l| l.name.eq_ignore_ascii_case(name))
        {
            Some(label) => Reply::json(200, self.label_json(label)),
            None => Reply::not_found(),
        }
    }

    pub(super) fn create_label(&mut self, body: &Value) -> Reply {
        const DOC: &str = "https://docs.github.com/rest/issues/labels#create-a-label";
        let Some(name) = body["name"].as_str().filter(|n| !n.is_empty()) else {
            return Reply::invalid("Label", "missing_field", "name", DOC);
        };
        if self
            .labels
            .iter()
            .any(|l| l.name.eq_ignore_ascii_case(name))
        {
            return Reply::invalid("Label", "already_exists", "name", DOC);
        }
        let color = body["color"]
            .as_str()
            .unwrap_or("ededed")
            .trim_start_matches('#')
            .to_lowercase();
        let description = body["description"].as_str().map(str::to_owned);
        let label = self.insert_label(name, &color, description);
        Reply::json(201, self.label_json(&self.labels[label]))
    }

    pub(super) fn insert_label(
        &mut self,
        name: &str,
        color: &str,
        description: Option<String>,
    ) -> usize {
        let id = self.id();
        let label = Label {
            id,
            name: name.to_owned(),
            color: color.to_owned(),
            description,
        };
        self.labels.push(label);
        self.labels.len() - 1
    }

    /// Adds `name` to an issue, creating the repository label first as GitHub does.
    pub(super) fn add_issue_label(&mut self, number: u64, name: &str) {
        let existing = self
            .labels
            .iter()
            .find(|l| l.name.eq_ignore_ascii_case(name));
        let name = match existing {
            Some(label) => label.name.clone(),
            None => {
                let index = self.insert_label(name, "ededed", None);
                self.labels[index].name.clone()
            }
        };
        let labels = self.issue_labels.entry(number).or_default();
        if !labels.contains(&name) {
            labels.push(name);
        }
    }

    pub(super) fn add_labels(&mut self, n: &str, body: &Value) -> Reply {
        let Some(number) = n.parse::<u64>().ok().filter(|n| self.pulls.contains_key(n)) else {
            return Reply::not_found();
        };
        // GitHub takes `{"labels": [...]}` or a bare array.
        let names = body
            .get("labels")
            .unwrap_or(body)
            .as_array()
            .cloned()
            .unwrap_or_default();
        let names: Vec<String> = names
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect();
        if names.is_empty() {
            let doc = "https://docs.github.com/rest/issues/labels#add-labels-to-an-issue";
            return Reply::error(422, "Invalid request.\n\nNo labels were provided.", doc);
        }
        for name in names {
            self.add_issue_label(number, &name);
        }
        self.touch(number);
        Reply::json(200, self.issue_labels_json(number))
    }

    pub(super) fn remove_label(&mut self, n: &str, name: &str) -> Reply {
        let Some(number) = n.parse::<u64>().ok().filter(|n| self.pulls.contains_key(n)) else {
            return Reply::not_found();
        };
        let labels = self.issue_labels.entry(number).or_default();
        let Some(index) = labels.iter().position(|l| l.eq_ignore_ascii_case(name)) else {
            let doc = "https://docs.github.com/rest/issues/labels#remove-a-label-from-an-issue";
            return Reply::error(404, "Label does not exist", doc);
        };
        labels.remove(index);
        self.touch(number);
        Reply::json(200, self.issue_labels_json(number))
    }

    pub(super) fn create_comment(&mut self, n: &str, body: &Value) -> Reply {
        let Some(number) = n.parse::<u64>().ok().filter(|n| self.pulls.contains_key(n)) else {
            return Reply::not_found();
        };
        let Some(text) = body["body"].as_str() else {
            let doc = "https://docs.github.com/rest/issues/comments#create-an-issue-comment";
            return Reply::invalid("IssueComment", "missing_field", "body", doc);
        };
        let now = self.tick();
        let id = self.id();
        let (api, full) = (&self.api, self.full_name());
        let comment = json!({
            "id": id,
            "node_id": format!("IC_kwDOFake{id}"),
            "url": format!("{api}/repos/{full}/issues/comments/{id}"),
            "html_url": format!("https://github.com/{full}/pull/{number}#issuecomment-{id}"),
            "issue_url": format!("{api}/repos/{full}/issues/{number}"),
            "body": text,
            "user": self.user_json(),
            "created_at": now,
            "updated_at": now,
            "author_association": "NONE",
            "performed_via_github_app": null,
        });
        self.comments
            .entry(number)
            .or_default()
            .push(comment.clone());
        Reply::json(201, comment)
    }

    pub(super) fn touch(&mut self, number: u64) {
        let now = self.tick();
        if let Some(pull) = self.pulls.get_mut(&number) {
            pull.updated_at = now;
        }
    }
}
