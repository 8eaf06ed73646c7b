//! The JSON shapes GitHub answers with: users, repositories, labels, pull requests, refs,
//! releases, and pagination.

use super::*;

impl State {
    // ---- JSON shapes ----

    pub(super) fn full_name(&self) -> String {
        format!("{}/{}", self.owner, self.name)
    }

    pub(super) fn tick(&mut self) -> String {
        self.clock += 1;
        timestamp(self.clock)
    }

    pub(super) fn id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    pub(super) fn user_json(&self) -> Value {
        let api = &self.api;
        let login = BOT_LOGIN;
        json!({
            "login": login,
            "id": BOT_ID,
            "node_id": "MDM6Qm90NDE4OTgyODI=",
            "avatar_url": "https://avatars.githubusercontent.com/in/15368?v=4",
            "gravatar_id": "",
            "url": format!("{api}/users/{login}"),
            "html_url": "https://github.com/apps/github-actions",
            "followers_url": format!("{api}/users/{login}/followers"),
            "following_url": format!("{api}/users/{login}/following{{/other_user}}"),
            "gists_url": format!("{api}/users/{login}/gists{{/gist_id}}"),
            "starred_url": format!("{api}/users/{login}/starred{{/owner}}{{/repo}}"),
            "subscriptions_url": format!("{api}/users/{login}/subscriptions"),
            "organizations_url": format!("{api}/users/{login}/orgs"),
            "repos_url": format!("{api}/users/{login}/repos"),
            "events_url": format!("{api}/users/{login}/events{{/privacy}}"),
            "received_events_url": format!("{api}/users/{login}/received_events"),
            "type": "Bot",
            "user_view_type": "public",
            "site_admin": false,
        })
    }

    pub(super) fn owner_json(&self, owner: &str) -> Value {
        let api = &self.api;
        json!({
            "login": owner,
            "id": 1_000_000,
            "node_id": "O_kgDOFake",
            "avatar_url": "https://avatars.githubusercontent.com/u/1000000?v=4",
            "gravatar_id": "",
            "url": format!("{api}/users/{owner}"),
            "html_url": format!("https://github.com/{owner}"),
            "followers_url": format!("{api}/users/{owner}/followers"),
            "following_url": format!("{api}/users/{owner}/following{{/other_user}}"),
            "gists_url": format!("{api}/users/{owner}/gists{{/gist_id}}"),
            "starred_url": format!("{api}/users/{owner}/starred{{/owner}}{{/repo}}"),
            "subscriptions_url": format!("{api}/users/{owner}/subscriptions"),
            "organizations_url": format!("{api}/users/{owner}/orgs"),
            "repos_url": format!("{api}/users/{owner}/repos"),
            "events_url": format!("{api}/users/{owner}/events{{/privacy}}"),
            "received_events_url": format!("{api}/users/{owner}/received_events"),
            "type": "Organization",
            "user_view_type": "public",
            "site_admin": false,
        })
    }

    pub(super) fn repo_json(&self, owner: &str, name: &str) -> Value {
        let (api, full) = (&self.api, format!("{owner}/{name}"));
        json!({
            "id": 700_000_001,
            "node_id": "R_kgDOFake",
            "name": name,
            "full_name": full,
            "private": false,
            "owner": self.owner_json(owner),
            "html_url": format!("https://github.com/{full}"),
            "description": null,
            "fork": false,
            "url": format!("{api}/repos/{full}"),
            "pulls_url": format!("{api}/repos/{full}/pulls{{/number}}"),
            "releases_url": format!("{api}/repos/{full}/releases{{/id}}"),
            "tags_url": format!("{api}/repos/{full}/tags"),
            "git_refs_url": format!("{api}/repos/{full}/git/refs{{/sha}}"),
            "labels_url": format!("{api}/repos/{full}/labels{{/name}}"),
            "clone_url": format!("https://github.com/{full}.git"),
            "git_url": format!("git://github.com/{full}.git"),
            "ssh_url": format!("git@github.com:{full}.git"),
            "created_at": "2026-01-05T09:00:00Z",
            "updated_at": "2026-11-20T18:00:00Z",
            "pushed_at": "2026-11-21T09:59:00Z",
            "default_branch": "main",
            "visibility": "public",
            "archived": false,
            "disabled": false,
            "has_issues": true,
            "topics": [],
        })
    }

    pub(super) fn label_json(&self, label: &Label) -> Value {
        let (api, full) = (&self.api, self.full_name());
        json!({
            "id": label.id,
            "node_id": format!("LA_kwDOFake{}", label.id),
            "url": format!("{api}/repos/{full}/labels/{}", percent_encode(&label.name)),
            "name": label.name,
            "color": label.color,
            "default": false,
            "description": label.description,
        })
    }

    pub(super) fn issue_labels_json(&self, number: u64) -> Value {
        let names = self.issue_labels.get(&number).into_iter().flatten();
        let labels = names.filter_map(|n| self.labels.iter().find(|l| &l.name == n));
        Value::Array(labels.map(|l| self.label_json(l)).collect())
    }

    /// `full` is the single-pull-request shape; lists leave out the merge and count fields.
    pub(super) fn pull_json(&self, pull: &Pull, full: bool) -> Value {
        let (api, repo) = (&self.api, self.full_name());
        let n = pull.number;
        let url = format!("{api}/repos/{repo}/pulls/{n}");
        let html_url = format!("https://github.com/{repo}/pull/{n}");
        let issue_url = format!("{api}/repos/{repo}/issues/{n}");
        let commits_url = format!("{url}/commits");
        let review_comments_url = format!("{url}/comments");
        let comments_url = format!("{issue_url}/comments");
        let statuses_url = format!("{api}/repos/{repo}/statuses/{}", pull.head_sha);
        let repo_json = self.repo_json(&self.owner, &self.name);
        let head = json!({
            "label": format!("{}:{}", pull.head_owner, pull.head_ref),
            "ref": pull.head_ref,
            "sha": pull.head_sha,
            "user": self.owner_json(&pull.head_owner),
            "repo": repo_json,
        });
        let base = json!({
            "label": format!("{}:{}", self.owner, pull.base_ref),
            "ref": pull.base_ref,
            "sha": pull.base_sha,
            "user": self.owner_json(&self.owner),
            "repo": repo_json,
        });
        let links = json!({
            "self": {"href": url},
            "html": {"href": html_url},
            "issue": {"href": issue_url},
            "comments": {"href": comments_url},
            "review_comments": {"href": review_comments_url},
            "review_comment": {"href": format!("{api}/repos/{repo}/pulls/comments{{/number}}")},
            "commits": {"href": commits_url},
            "statuses": {"href": statuses_url},
        });
        let mut json = json!({
            "url": url,
            "id": pull.id,
            "node_id": format!("PR_kwDOFake{}", pull.id),
            "html_url": html_url,
            "diff_url": format!("{html_url}.diff"),
            "patch_url": format!("{html_url}.patch"),
            "issue_url": issue_url,
            "number": n,
            "state": if pull.open { "open" } else { "closed" },
            "locked": false,
            "title": pull.title,
            "user": self.user_json(),
            "body": pull.body,
            "created_at": pull.created_at,
            "updated_at": pull.updated_at,
            "closed_at": pull.closed_at,
            "merged_at": pull.merged_at,
            "merge_commit_sha": pull.merge_commit_sha,
            "assignee": null,
            "assignees": [],
            "requested_reviewers": [],
            "requested_teams": [],
            "labels": self.issue_labels_json(n),
            "milestone": null,
            "draft": pull.draft,
            "commits_url": commits_url,
            "review_comments_url": review_comments_url,
            "review_comment_url": format!("{api}/repos/{repo}/pulls/comments{{/number}}"),
            "comments_url": comments_url,
            "statuses_url": statuses_url,
            "head": head,
            "base": base,
            "_links": links,
            "author_association": "NONE",
            "auto_merge": null,
            "active_lock_reason": null,
        });
        if full {
            let merged = pull.merged_at.is_some();
            let extra = json!({
                "merged": merged,
                "mergeable": if pull.open { json!(true) } else { Value::Null },
                "rebaseable": if pull.open { json!(true) } else { Value::Null },
                "mergeable_state": if pull.open { "clean" } else { "unknown" },
                "merged_by": if merged { self.user_json() } else { Value::Null },
                "comments": self.comments.get(&n).map_or(0, Vec::len),
                "review_comments": 0,
                "maintainer_can_modify": pull.maintainer_can_modify,
                "commits": 1,
                "additions": 10,
                "deletions": 2,
                "changed_files": 3,
            });
            if let (Value::Object(json), Value::Object(extra)) = (&mut json, extra) {
                json.extend(extra);
            }
        }
        json
    }

    pub(super) fn ref_json(&self, reference: &str, sha: &str) -> Value {
        let (api, full) = (&self.api, self.full_name());
        let kind = match self.tags.iter().any(|t| t["sha"] == sha) {
            true => "tag",
            false => "commit",
        };
        json!({
            "ref": reference,
            "node_id": format!("REF_kwDOFake{}", fake_sha(reference).get(..12).unwrap_or_default()),
            "url": format!("{api}/repos/{full}/git/{reference}"),
            "object": {
                "sha": sha,
                "type": kind,
                "url": format!("{api}/repos/{full}/git/{kind}s/{sha}"),
            },
        })
    }

    pub(super) fn release_json(&self, release: &Release) -> Value {
        let (api, full) = (&self.api, self.full_name());
        let (id, tag) = (release.id, &release.tag_name);
        json!({
            "url": format!("{api}/repos/{full}/releases/{id}"),
            "assets_url": format!("{api}/repos/{full}/releases/{id}/assets"),
            "upload_url": format!("https://uploads.github.com/repos/{full}/releases/{id}/assets{{?name,label}}"),
            // A draft has no public page yet: GitHub names it `untagged-…` until it is published.
            "html_url": if release.draft {
                format!("https://github.com/{full}/releases/tag/untagged-{:020x}", id.wrapping_mul(0x9e37_79b9_7f4a_7c15))
            } else {
                format!("https://github.com/{full}/releases/tag/{tag}")
            },
            "id": id,
            "author": self.user_json(),
            "node_id": format!("RE_kwDOFake{id}"),
            "tag_name": tag,
            "target_commitish": release.target_commitish,
            "name": release.name,
            "draft": release.draft,
            "immutable": false,
            "prerelease": release.prerelease,
            "created_at": release.created_at,
            "updated_at": release.created_at,
            "published_at": release.published_at,
            "assets": [],
            "tarball_url": format!("{api}/repos/{full}/tarball/{tag}"),
            "zipball_url": format!("{api}/repos/{full}/zipball/{tag}"),
            "body": release.body,
        })
    }

    /// One page of `items` per `per_page`/`page`, with GitHub's `Link` header when there are more.
    pub(super) fn paginate(
        &self,
        path: &str,
        query: &[(String, String)],
        items: Vec<Value>,
    ) -> Reply {
        let per_page = param(query, "per_page")
            .and_then(|p| p.parse().ok())
            .unwrap_or(30usize)
            .clamp(1, 100);
        let page = param(query, "page")
            .and_then(|p| p.parse().ok())
            .unwrap_or(1usize)
            .max(1);
        let last = items.len().div_ceil(per_page).max(1);
        let body: Vec<Value> = items
            .into_iter()
            .skip((page - 1) * per_page)
            .take(per_page)
            .collect();
        let mut reply = Reply::json(200, Value::Array(body));
        if last > 1 {
            let link = |n: usize, rel: &str| {
                let mut pairs: Vec<String> = query
                    .iter()
                    .filter(|(k, _)| k != "page")
                    .map(|(k, v)| format!("{k}={}", percent_encode(v)))
                    .collect();
                pairs.push(format!("page={n}"));
                format!("<{}{path}?{}>; rel=\"{rel}\"", self.api, pairs.join("&"))
            };
            let mut links = Vec::new();
            if page > 1 {
                links.push(link(page - 1, "prev"));
            }
            if page < last {
                links.push(link(page + 1, "next"));
                links.push(link(last, "last"));
            }
            if page > 1 {
                links.push(link(1, "first"));
            }
            reply.headers.push(("link".into(), links.join(", ")));
        }
        reply
    }
}
