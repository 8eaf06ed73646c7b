//! The handle a test holds: the registry's URLs, the faults and delays it injects, and what
//! it saw (uploads, requests, index fetches, tokens) and holds (versions, owners).

use super::*;

impl Registry {
    pub fn start() -> Registry {
        let _ = rustls::crypto::ring::default_provider().install_default();
        // The proxy's port must exist before ferro starts: ferro advertises it in config.json.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
        listener
            .set_nonblocking(true)
            .expect("nonblocking listener");
        let url = format!("http://{}", listener.local_addr().expect("local addr"));
        let data = tempfile::tempdir().expect("ferro data dir");
        let (ferro, ferro_url) = start_ferro(data.path(), &url);
        let client = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("proxy client");
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            ferro: ferro_url,
            client,
        });
        let app = axum::Router::new()
            .fallback(serve)
            .with_state(Arc::clone(&shared));
        let (stop, thread) = serve::spawn(listener, app);
        Registry {
            shared,
            url,
            ferro,
            _data: data,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    pub fn index_url(&self) -> String {
        format!("sparse+{}/", self.url)
    }

    pub fn api_url(&self) -> String {
        self.url.clone()
    }

    /// Callers append `&audience=…`.
    pub fn oidc_request_url(&self) -> String {
        format!("{}/oidc/token?x=1", self.url)
    }

    /// Applies to uploads that return from now on.
    pub fn set_index_delay(&self, d: Duration) {
        self.lock().index_delay = d;
    }

    pub fn set_upload_hold(&self, d: Duration) {
        self.lock().upload_hold = d;
    }

    pub fn inject(&self, fault: Fault) {
        self.lock().faults.push(fault);
    }

    pub fn uploads(&self) -> Vec<Upload> {
        self.lock().uploads.clone()
    }

    /// When the proxy starts listing `name@version` in index files (`None`: not uploaded
    /// through the proxy with success yet).
    pub fn visible_at(&self, name: &str, version: &str) -> Option<Instant> {
        let key = (name.to_lowercase(), version.to_owned());
        self.lock().visibility.get(&key).copied().flatten()
    }

    /// The versions in ferro's own index, whatever the proxy shows.
    pub fn published(&self, name: &str) -> Vec<String> {
        self.index_lines(name)
            .iter()
            .filter_map(|v| v["vers"].as_str().map(str::to_owned))
            .collect()
    }

    /// The lines of ferro's own index file for `name`.
    pub(super) fn index_lines(&self, name: &str) -> Vec<Value> {
        let text = self.ferro_get(&index_path(name)).unwrap_or_default();
        text.lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .collect()
    }

    /// GET `path` from ferro itself, past the proxy; `None` for an error status.
    pub(super) fn ferro_get(&self, path: &str) -> Option<String> {
        let url = format!("{}/{path}", self.shared.ferro);
        let client = reqwest::blocking::Client::builder().no_proxy().build();
        let response = client
            .expect("blocking client")
            .get(&url)
            .send()
            .unwrap_or_else(|e| panic!("GET {url}: {e}"));
        if !response.status().is_success() {
            return None;
        }
        Some(response.text().expect("a body"))
    }

    /// Every version in ferro's own index with its `yanked` flag.
    pub fn versions(&self, name: &str) -> Vec<(String, bool)> {
        self.index_lines(name)
            .iter()
            .filter_map(|v| Some((v["vers"].as_str()?.to_owned(), v["yanked"].as_bool()?)))
            .collect()
    }

    /// The owners ferro lists for `name` (empty when it has no such crate).
    pub fn owners(&self, name: &str) -> Vec<String> {
        let Some(text) = self.ferro_get(&format!("api/v1/crates/{name}/owners")) else {
            return Vec::new();
        };
        let body: Value = serde_json::from_str(&text).expect("owners JSON");
        body["users"]
            .as_array()
            .map(|users| {
                users
                    .iter()
                    .filter_map(|u| u["login"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn requests(&self) -> Vec<Request> {
        self.lock().requests.clone()
    }

    pub fn index_fetches(&self) -> Vec<IndexFetch> {
        self.lock().index_fetches.clone()
    }

    pub fn minted_tokens(&self) -> Vec<String> {
        self.lock().minted.clone()
    }

    pub fn revoked_tokens(&self) -> Vec<String> {
        self.lock().revoked.clone()
    }

    /// The JWTs sent to the token exchange, in order.
    pub fn exchanged_jwts(&self) -> Vec<String> {
        self.lock().jwts.clone()
    }

    pub fn oidc_audiences(&self) -> Vec<String> {
        self.lock().audiences.clone()
    }

    pub(super) fn lock(&self) -> MutexGuard<'_, State> {
        self.shared.lock()
    }
}
