//! Trusted publishing: a GitHub Actions OIDC token exchanged for a short-lived registry token
//! (crates.io's `POST /api/v1/trusted_publishing/tokens`), and its revocation (`DELETE`).
//!
//! Effects only: when to mint, renew or revoke is the publish job's decision. Tokens are
//! [`Secret`]s; none goes into a URL, a log line or an error.

use std::time::Duration;

use serde::Deserialize;

use crate::config::Secret;
use crate::config::env::OidcRequest;
use crate::hint::Hint;

#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    #[error("could not get an OIDC token from GitHub Actions: {message}")]
    IdToken { message: String },
    #[error("the registry at {api} refused the trusted publishing exchange: {message}")]
    Exchange { api: String, message: String },
    #[error("could not revoke the trusted publishing token at {api}: {message}")]
    Revoke { api: String, message: String },
}

impl Hint for OidcError {
    fn hint(&self) -> Option<String> {
        Some(match self {
            OidcError::IdToken { .. } => {
                "give the job `permissions: id-token: write` so GitHub issues OIDC tokens".into()
            }
            OidcError::Exchange { .. } => {
                "configure a trusted publisher for this repository and workflow on the registry (crates.io: the crate's Settings → Trusted Publishing), or set the registry token".into()
            }
            OidcError::Revoke { .. } => {
                "the token expires by itself within 30 minutes; nothing else to do".into()
            }
        })
    }
}

/// The OIDC request variables GitHub sets in a job with `id-token: write`, and the registry API
/// to exchange at.
pub struct TrustedPublishing {
    client: reqwest::blocking::Client,
    api: String,
    request_url: String,
    request_token: Secret,
}

impl TrustedPublishing {
    /// Trusted publishing at the registry API `api` for a job that may request OIDC tokens
    /// (config resolves `ACTIONS_ID_TOKEN_REQUEST_URL` and `_TOKEN` into `request`); `None`
    /// when no HTTP client can be made.
    pub fn new(request: &OidcRequest, api: &str) -> Option<TrustedPublishing> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::blocking::Client::builder()
            .user_agent(super::USER_AGENT)
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30))
            .build()
            .ok()?;
        Some(TrustedPublishing {
            client,
            api: api.trim_end_matches('/').to_owned(),
            request_url: request.url.clone(),
            request_token: request.token.clone(),
        })
    }

    /// The audience the registry expects: its API host (`crates.io` for crates.io).
    pub fn audience(&self) -> String {
        let rest = self
            .api
            .split_once("://")
            .map(|(_, rest)| rest)
            .unwrap_or(&self.api);
        let host = rest.split(['/', ':']).next().unwrap_or(rest);
        host.to_owned()
    }

    /// Ask GitHub for an OIDC token and exchange it for a registry token.
    pub fn mint(&self) -> Result<Secret, OidcError> {
        #[derive(Deserialize)]
        struct IdToken {
            value: String,
        }
        #[derive(Deserialize)]
        struct Minted {
            token: String,
        }
        let separator = if self.request_url.contains('?') {
            '&'
        } else {
            '?'
        };
        let url = format!(
            "{}{separator}audience={}",
            self.request_url,
            self.audience()
        );
        let id_err = |message: String| OidcError::IdToken { message };
        let answer = self
            .client
            .get(url)
            .header(
                "Authorization",
                format!("bearer {}", self.request_token.expose()),
            )
            .send()
            .map_err(|e| id_err(without_url(&e)))?;
        if !answer.status().is_success() {
            return Err(id_err(format!("status {}", answer.status().as_u16())));
        }
        let jwt: IdToken = answer
            .json_body()
            .map_err(|e| id_err(format!("unexpected answer: {e}")))?;

        let exchange_err = |message: String| OidcError::Exchange {
            api: self.api.clone(),
            message,
        };
        let answer = self
            .client
            .post(format!("{}/api/v1/trusted_publishing/tokens", self.api))
            .header("Content-Type", "application/json")
            .body(serde_json::json!({ "jwt": jwt.value }).to_string())
            .send()
            .map_err(|e| exchange_err(without_url(&e)))?;
        let status = answer.status().as_u16();
        if !answer.status().is_success() {
            let detail = answer.text().unwrap_or_default();
            return Err(exchange_err(format!(
                "status {status}: {}",
                detail.chars().take(300).collect::<String>()
            )));
        }
        let minted: Minted = answer
            .json_body()
            .map_err(|e| exchange_err(format!("unexpected answer: {e}")))?;
        if let Some(what) = crate::config::token_problem(&minted.token) {
            return Err(exchange_err(format!(
                "the token it answered is not one line of printable characters: it holds {what}"
            )));
        }
        Ok(Secret::new(minted.token))
    }

    /// Revoke a token minted by [`TrustedPublishing::mint`].
    pub fn revoke(&self, token: &Secret) -> Result<(), OidcError> {
        let err = |message: String| OidcError::Revoke {
            api: self.api.clone(),
            message,
        };
        let answer = self
            .client
            .delete(format!("{}/api/v1/trusted_publishing/tokens", self.api))
            .header("Authorization", token.expose())
            .send()
            .map_err(|e| err(without_url(&e)))?;
        if answer.status().is_success() {
            Ok(())
        } else {
            Err(err(format!("status {}", answer.status().as_u16())))
        }
    }
}

/// reqwest's error text without the URL (the OIDC request URL carries a query of GitHub's).
fn without_url(e: &reqwest::Error) -> String {
    let e = e.to_string();
    match e.find(" for url (") {
        Some(at) => e[..at].to_owned(),
        None => e,
    }
}

trait JsonBody {
    fn json_body<T: serde::de::DeserializeOwned>(self) -> Result<T, String>;
}

impl JsonBody for reqwest::blocking::Response {
    fn json_body<T: serde::de::DeserializeOwned>(self) -> Result<T, String> {
        let text = self.text().map_err(|e| without_url(&e))?;
        serde_json::from_str(&text).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audience_is_the_api_host() {
        let cases = [
            ("https://crates.io", "crates.io"),
            ("https://crates.io/", "crates.io"),
            ("http://127.0.0.1:4000", "127.0.0.1"),
            ("https://registry.example/api", "registry.example"),
        ];
        for (api, audience) in cases {
            let request = OidcRequest {
                url: "http://x/token".into(),
                token: Secret::new("t"),
            };
            let tp = TrustedPublishing::new(&request, api).unwrap();
            assert_eq!(tp.audience(), audience, "{api}");
        }
    }
}
