//! What `notify` sends: the `repository_dispatch` targets and the `client_payload` downstream
//! workflows read as `github.event.client_payload`.
//!
//! GitHub refuses a `client_payload` with more than 10 top-level keys (422), so the payload is a
//! struct whose fields are those keys: adding an eleventh is a compile-visible change that the
//! tests below catch. Pure: the job gathers the facts (the Release PR's manifest, what the
//! registry shows) and sends what comes back.

use serde::Serialize;

/// GitHub's limit on the top-level keys of `client_payload`.
pub const MAX_PAYLOAD_KEYS: usize = 10;

/// One released crate, as downstream workflows see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotifiedCrate {
    pub name: String,
    pub version: String,
    pub tag: String,
    /// Listed in the registry's index; `None` when the index could not be read.
    pub published: Option<bool>,
}

/// The `client_payload` of the dispatch: each field one top-level key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Payload {
    /// `owner/name` of the repository that released.
    pub repository: String,
    /// The Release PR's merge commit: what was tagged and published.
    pub sha: String,
    /// The release group, `None` for a whole-workspace release.
    pub group: Option<String>,
    pub pr_number: u64,
    pub crates: Vec<NotifiedCrate>,
    /// `crates-io`, or the registry's name in cargo's configuration.
    pub registry: String,
    pub dry_run: bool,
    pub releasekit_version: String,
}

impl Payload {
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("a payload serialises")
    }
}

/// What notify sends: one event to each target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifyPlan {
    pub event_type: String,
    pub targets: Vec<String>,
    pub payload: Payload,
}

/// What notify did: the targets the event reached, and those it did not with why.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NotifyReport {
    pub sent: Vec<String>,
    pub failed: Vec<(String, String)>,
}

/// The repositories to notify: the configured ones in order, without repeats, or this one when
/// none is configured.
pub fn targets(configured: &[String], this_repository: &str) -> Vec<String> {
    if configured.is_empty() {
        return vec![this_repository.to_owned()];
    }
    let mut out: Vec<String> = Vec::with_capacity(configured.len());
    for repo in configured {
        if !out.iter().any(|r| r.eq_ignore_ascii_case(repo)) {
            out.push(repo.clone());
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn payload() -> Payload {
        Payload {
            repository: "acme/widgets".into(),
            sha: "0123abcd".into(),
            group: None,
            pr_number: 7,
            crates: vec![NotifiedCrate {
                name: "core".into(),
                version: "1.2.0".into(),
                tag: "core-v1.2.0".into(),
                published: Some(true),
            }],
            registry: "crates-io".into(),
            dry_run: false,
            releasekit_version: "0.1.0".into(),
        }
    }

    #[test]
    fn payload_stays_within_githubs_ten_top_level_keys() {
        let json = payload().to_json();
        let keys: Vec<&String> = json.as_object().unwrap().keys().collect();
        assert!(
            keys.len() <= MAX_PAYLOAD_KEYS,
            "{} keys: {keys:?}",
            keys.len()
        );
    }

    #[test]
    fn payload_keys_and_shapes_are_what_downstream_workflows_read() {
        let json = payload().to_json();
        assert_eq!(
            json,
            serde_json::json!({
                "repository": "acme/widgets",
                "sha": "0123abcd",
                "group": null,
                "pr_number": 7,
                "crates": [{"name": "core", "version": "1.2.0", "tag": "core-v1.2.0", "published": true}],
                "registry": "crates-io",
                "dry_run": false,
                "releasekit_version": "0.1.0",
            })
        );
    }

    #[test]
    fn targets_default_to_this_repository_and_drop_repeats() {
        let cases: &[(&[&str], &[&str])] = &[
            (&[], &["acme/widgets"]),
            (&["acme/docs"], &["acme/docs"]),
            (
                &["acme/docs", "Acme/Docs", "acme/site"],
                &["acme/docs", "acme/site"],
            ),
        ];
        for (configured, expected) in cases {
            let configured: Vec<String> = configured.iter().map(|s| s.to_string()).collect();
            assert_eq!(
                targets(&configured, "acme/widgets"),
                *expected,
                "{configured:?}"
            );
        }
    }
}
