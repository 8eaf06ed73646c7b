//! Routing: the state a fake starts with, faults, authorization and the route table.

use super::*;

impl State {
    pub(super) fn new(api: &str, owner: &str, name: &str) -> State {
        State {
            api: api.to_owned(),
            owner: owner.to_owned(),
            name: name.to_owned(),
            allowed: BTreeSet::from([format!("{owner}/{name}").to_lowercase()]),
            token: None,
            log: Vec::new(),
            faults: Vec::new(),
            clock: 0,
            next_number: 1,
            next_id: 1_000_001,
            pulls: BTreeMap::new(),
            issue_labels: BTreeMap::new(),
            comments: BTreeMap::new(),
            labels: Vec::new(),
            refs: BTreeMap::new(),
            tags: Vec::new(),
            releases: Vec::new(),
            dispatches: Vec::new(),
        }
    }

    pub(super) fn handle(&mut self, incoming: &Incoming) -> Reply {
        let path = match incoming.query.is_empty() {
            true => incoming.path.clone(),
            false => format!("{}?{}", incoming.path, incoming.query),
        };
        let parsed = match incoming.body.iter().all(u8::is_ascii_whitespace) {
            true => Ok(Value::Null),
            false => serde_json::from_slice::<Value>(&incoming.body),
        };
        let reply = self.fault(&incoming.method, &path).unwrap_or_else(|| {
            if !self.authorized(incoming.authorization.as_deref()) {
                return Reply::error(401, "Bad credentials", DOCS);
            }
            match &parsed {
                Ok(body) => self.route(&incoming.method, &incoming.path, &incoming.query, body),
                Err(_) => Reply::error(400, "Problems parsing JSON", DOCS),
            }
        });
        self.log.push(Logged {
            method: incoming.method.clone(),
            path,
            body: parsed.unwrap_or(Value::Null),
            authorization: incoming.authorization.clone(),
            status: reply.status,
        });
        reply
    }

    pub(super) fn fault(&mut self, method: &str, path: &str) -> Option<Reply> {
        let mut fired = None;
        for (fault, seen) in &mut self.faults {
            if !fault.matches(method, path) {
                continue;
            }
            *seen += 1;
            if fired.is_none() && *seen > fault.skip && *seen <= fault.skip + fault.times {
                fired = Some(Reply {
                    status: fault.status,
                    body: Some(fault.body.clone()),
                    headers: fault.headers.clone(),
                });
            }
        }
        fired
    }

    pub(super) fn authorized(&self, authorization: Option<&str>) -> bool {
        let Some(token) = &self.token else {
            return true;
        };
        let given = authorization.unwrap_or_default();
        given == format!("Bearer {token}") || given == format!("token {token}")
    }

    pub(super) fn route(&mut self, method: &str, path: &str, query: &str, body: &Value) -> Reply {
        let segments: Vec<String> = path
            .trim_start_matches('/')
            .split('/')
            .map(percent_decode)
            .collect();
        let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
        let ["repos", owner, name, rest @ ..] = &segments[..] else {
            return Reply::not_found();
        };
        let repository = format!("{owner}/{name}");
        if !self.allowed.contains(&repository.to_lowercase()) {
            return Reply::not_found();
        }
        match (method, rest) {
            ("GET", []) => return Reply::json(200, self.repo_json(owner, name)),
            ("POST", ["dispatches"]) => return self.dispatch(&repository, body),
            _ => {}
        }
        let primary = format!("{}/{}", self.owner, self.name);
        if !repository.eq_ignore_ascii_case(&primary) {
            return Reply::not_found();
        }
        let query = parse_query(query);
        match (method, rest) {
            ("GET", ["pulls"]) => self.list_pulls(path, &query),
            ("POST", ["pulls"]) => self.create_pull(body),
            ("GET", ["pulls", n]) => {
                self.with_pull(n, |s, p| Reply::json(200, s.pull_json(p, true)))
            }
            ("PATCH", ["pulls", n]) => self.update_pull(n, body),
            ("GET", ["commits", sha, "pulls"]) => self.commit_pulls(sha),
            ("GET", ["labels", name @ ..]) => self.get_label(&name.join("/")),
            ("POST", ["labels"]) => self.create_label(body),
            ("GET", ["issues", n, "labels"]) => {
                self.with_issue(n, |s, n| Reply::json(200, s.issue_labels_json(n)))
            }
            ("POST", ["issues", n, "labels"]) => self.add_labels(n, body),
            ("DELETE", ["issues", n, "labels", name @ ..]) => self.remove_label(n, &name.join("/")),
            ("GET", ["issues", n, "comments"]) => self.with_issue(n, |s, n| {
                let comments = s.comments.get(&n).cloned().unwrap_or_default();
                s.paginate(path, &query, comments)
            }),
            ("POST", ["issues", n, "comments"]) => self.create_comment(n, body),
            ("GET", ["git", "ref", reference @ ..]) => {
                self.get_ref(&format!("refs/{}", reference.join("/")))
            }
            ("GET", ["git", "matching-refs", prefix @ ..]) => self.matching_refs(&prefix.join("/")),
            ("POST", ["git", "refs"]) => self.create_ref(body),
            ("POST", ["git", "tags"]) => self.create_tag(body),
            ("GET", ["git", "tags", sha]) => match self.tags.iter().find(|t| t["sha"] == *sha) {
                Some(tag) => Reply::json(200, tag.clone()),
                None => Reply::not_found(),
            },
            ("GET", ["releases"]) => {
                let releases = self
                    .releases
                    .iter()
                    .rev()
                    .map(|r| self.release_json(r))
                    .collect();
                self.paginate(path, &query, releases)
            }
            ("POST", ["releases"]) => self.create_release(body),
            ("GET", ["releases", "tags", tag @ ..]) => {
                let tag = tag.join("/");
                let release = self.releases.iter().find(|r| !r.draft && r.tag_name == tag);
                release.map_or_else(Reply::not_found, |r| Reply::json(200, self.release_json(r)))
            }
            ("GET", ["releases", id]) => {
                let release = self.releases.iter().find(|r| r.id.to_string() == *id);
                release.map_or_else(Reply::not_found, |r| Reply::json(200, self.release_json(r)))
            }
            ("PATCH", ["releases", id]) => self.update_release(id, body),
            _ => Reply::not_found(),
        }
    }
}
