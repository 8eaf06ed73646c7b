//! The handle a test holds: starting the fake, sending raw requests, inspecting its state and
//! acting as a maintainer (merging, editing, adding pull requests).

use super::*;

impl FakeGitHub {
    /// One raw request, as any other client (a person, an earlier tool) would send it: a tiny
    /// blocking HTTP/1.1 client, so tests need no extra crate. `raw` is the body as sent.
    pub fn send(&self, method: &str, path: &str, raw: &str, auth: Option<&str>) -> Answer {
        let address = self.url().trim_start_matches("http://").to_owned();
        let mut stream = TcpStream::connect(&address).expect("connect to the fake");
        let mut request =
            format!("{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n");
        request += "Accept: application/vnd.github+json\r\nUser-Agent: fake-github-test\r\n";
        if let Some(auth) = auth {
            request += &format!("Authorization: {auth}\r\n");
        }
        if !raw.is_empty() {
            request += "Content-Type: application/json\r\n";
        }
        request += &format!("Content-Length: {}\r\n\r\n{raw}", raw.len());
        stream.write_all(request.as_bytes()).expect("send request");
        let mut response = String::new();
        stream.read_to_string(&mut response).expect("read response");
        let (head, body) = response
            .split_once("\r\n\r\n")
            .expect("a complete HTTP response");
        let mut lines = head.lines();
        let status = lines
            .next()
            .and_then(|l| l.split(' ').nth(1))
            .and_then(|s| s.parse().ok());
        let headers = lines
            .filter_map(|l| l.split_once(": "))
            .map(|(n, v)| (n.to_owned(), v.to_owned()));
        Answer {
            status: status.expect("a status line"),
            headers: headers.collect(),
            body: serde_json::from_str(body).unwrap_or(Value::Null),
        }
    }

    pub fn start(repository: &str) -> FakeGitHub {
        let (owner, name) = repository
            .split_once('/')
            .unwrap_or_else(|| panic!("repository must be owner/name, got {repository:?}"));
        // Binding before returning means connections queue in the backlog until the runtime
        // accepts them, so the caller never races the server's start.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind fake GitHub");
        listener
            .set_nonblocking(true)
            .expect("nonblocking listener");
        let url = format!("http://{}", listener.local_addr().expect("local addr"));
        let state = Arc::new(Mutex::new(State::new(&url, owner, name)));
        let app = axum::Router::new()
            .fallback(serve)
            .with_state(Arc::clone(&state));
        let (stop, thread) = serve::spawn(listener, app);
        FakeGitHub {
            state,
            url,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    pub fn allow_repo(&self, repository: &str) {
        self.lock().allowed.insert(repository.to_lowercase());
    }

    pub fn url(&self) -> String {
        self.url.clone()
    }

    pub fn require_token(&self, token: &str) {
        self.lock().token = Some(token.to_owned());
    }

    pub fn requests(&self) -> Vec<Logged> {
        self.lock().log.clone()
    }

    pub fn writes(&self) -> Vec<Logged> {
        let writes = ["POST", "PATCH", "PUT", "DELETE"];
        self.requests()
            .into_iter()
            .filter(|r| writes.contains(&r.method.as_str()))
            .collect()
    }

    pub fn inject(&self, fault: Fault) {
        self.lock().faults.push((fault, 0));
    }

    pub fn pulls(&self) -> Vec<Value> {
        let state = self.lock();
        state
            .pulls
            .values()
            .map(|p| state.pull_json(p, true))
            .collect()
    }

    pub fn pull(&self, number: u64) -> Value {
        let state = self.lock();
        let pull = state.pulls.get(&number);
        let pull = pull.unwrap_or_else(|| panic!("the fake has no pull request #{number}"));
        state.pull_json(pull, true)
    }

    /// Merge Release PR `number` the way GitHub does by default: a merge commit (see
    /// [`FakeGitHub::merge_release_pr_as`]).
    pub fn merge_release_pr(&self, git: impl Fn(&[&str]) -> String, number: u64) -> Value {
        self.merge_release_pr_as(git, number, MergeMethod::Merge)
    }

    /// Merge Release PR `number` with `method` as GitHub does, on main of the clone that `git`
    /// runs in (it returns git's stdout), pushed to origin, then marked merged here with
    /// GitHub's `merge_commit_sha`: the merge commit, the squash commit, or the last commit the
    /// rebase put on main. Returns the `pull_request: closed` payload.
    pub fn merge_release_pr_as(
        &self,
        git: impl Fn(&[&str]) -> String,
        number: u64,
        method: MergeMethod,
    ) -> Value {
        let head = self.pull(number)["head"]["ref"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let branch = format!("origin/{head}");
        let branch = branch.as_str();
        git(&["fetch", "-q", "origin"]);
        match method {
            MergeMethod::Merge => {
                git(&[
                    "merge",
                    "-q",
                    "--no-ff",
                    "-m",
                    &format!("Merge pull request #{number} from acme/{head}"),
                    branch,
                ]);
            }
            MergeMethod::Squash | MergeMethod::SquashAs(_) => {
                // GitHub's default message: the title with the number, then each commit.
                let title = self.pull(number)["title"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned();
                let log = git(&[
                    "log",
                    "--reverse",
                    "--format=* %B%x00",
                    &format!("HEAD..{branch}"),
                ]);
                let listed: Vec<&str> = log
                    .split('\0')
                    .map(str::trim)
                    .filter(|m| !m.is_empty())
                    .collect();
                git(&["merge", "-q", "--squash", branch]);
                let message = match method {
                    MergeMethod::SquashAs(message) => message.to_owned(),
                    _ => format!("{title} (#{number})\n\n{}\n", listed.join("\n\n")),
                };
                git(&["commit", "-q", "-m", &message]);
            }
            MergeMethod::Rebase => {
                git(&["checkout", "-q", "-B", "fake-github-rebase", branch]);
                git(&["rebase", "-q", "main"]);
                git(&["checkout", "-q", "main"]);
                git(&["merge", "-q", "--ff-only", "fake-github-rebase"]);
                git(&["branch", "-q", "-D", "fake-github-rebase"]);
            }
        }
        git(&["push", "-q", "origin", "main"]);
        let sha = git(&["rev-parse", "HEAD"]).trim().to_owned();
        self.merge_pull(number, &sha);
        json!({"action": "closed", "number": number, "pull_request": self.pull(number)})
    }

    /// The maintainer edits pull request `number` on GitHub: its title, its body, or both
    /// (`None` keeps what is there). Not a request of the binary: nothing is logged.
    pub fn edit_pull(&self, number: u64, title: Option<&str>, body: Option<&str>) {
        let mut state = self.lock();
        let now = state.tick();
        let pull = state.pulls.get_mut(&number);
        let pull = pull.unwrap_or_else(|| panic!("the fake has no pull request #{number}"));
        if let Some(title) = title {
            pull.title = title.to_owned();
        }
        if let Some(body) = body {
            pull.body = Some(body.to_owned());
        }
        pull.updated_at = now;
    }

    pub fn merge_pull(&self, number: u64, merge_commit_sha: &str) {
        let mut state = self.lock();
        let now = state.tick();
        let pull = state.pulls.get_mut(&number);
        let pull = pull.unwrap_or_else(|| panic!("the fake has no pull request #{number}"));
        pull.open = false;
        pull.merged_at = Some(now.clone());
        pull.closed_at = Some(now.clone());
        pull.updated_at = now;
        pull.merge_commit_sha = Some(merge_commit_sha.to_owned());
    }

    pub fn add_pull(
        &self,
        head: &str,
        base: &str,
        title: &str,
        body: &str,
        labels: &[&str],
    ) -> u64 {
        let mut state = self.lock();
        let (head_owner, head) = state.split_head(head);
        let number = state.insert_pull(
            &head_owner,
            &head,
            base,
            title,
            Some(body.to_owned()),
            false,
        );
        for label in labels {
            state.add_issue_label(number, label);
        }
        number
    }

    pub fn comments(&self, number: u64) -> Vec<String> {
        let state = self.lock();
        let comments = state.comments.get(&number).into_iter().flatten();
        comments
            .map(|c| c["body"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    pub fn issue_labels(&self, number: u64) -> Vec<String> {
        self.lock()
            .issue_labels
            .get(&number)
            .cloned()
            .unwrap_or_default()
    }

    pub fn repo_labels(&self) -> Vec<String> {
        self.lock().labels.iter().map(|l| l.name.clone()).collect()
    }

    pub fn refs(&self) -> BTreeMap<String, String> {
        self.lock().refs.clone()
    }

    pub fn tag_objects(&self) -> Vec<Value> {
        self.lock().tags.clone()
    }

    /// Releases oldest first, each with the `make_latest` the client sent (GitHub never echoes it).
    pub fn releases(&self) -> Vec<Value> {
        let state = self.lock();
        let releases = state.releases.iter().map(|r| {
            let mut json = state.release_json(r);
            json["make_latest"] = r.make_latest.clone();
            json
        });
        releases.collect()
    }

    pub fn dispatches(&self) -> Vec<(String, Value)> {
        self.lock().dispatches.clone()
    }

    pub(super) fn lock(&self) -> MutexGuard<'_, State> {
        // A panicking test thread must not hide the state from the next assertion.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}
