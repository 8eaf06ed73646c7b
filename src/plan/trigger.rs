//! The trigger matrix (DESIGN.md §1): which stages `action: auto` runs for the event GitHub
//! delivered. Reads the event JSON text into our own small types; the file itself is read by
//! the job. Pure: no environment, no files.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::hint::Hint;

use super::history::short_id as short;

/// The release branch of a group (`releasekit/release`, `releasekit/release-<group>`).
pub const RELEASE_BRANCH: &str = "releasekit/release";
pub const LABEL_PENDING: &str = "autorelease: pending";
pub const LABEL_TAGGED: &str = "autorelease: tagged";
/// Set once the downstream repositories were told: a re-run of the same event sends nothing
/// twice (an explicit `action: notify` still does).
pub const LABEL_NOTIFIED: &str = "autorelease: notified";

pub fn release_branch(group: Option<&str>) -> String {
    match group {
        Some(g) => format!("{RELEASE_BRANCH}-{g}"),
        None => RELEASE_BRANCH.to_owned(),
    }
}

/// Whether `branch` is a release branch (of any group).
pub fn is_release_branch(branch: &str) -> bool {
    branch == RELEASE_BRANCH
        || branch
            .strip_prefix(RELEASE_BRANCH)
            .is_some_and(|rest| rest.starts_with('-'))
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct HeadCommit {
    pub id: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PushEvent {
    #[serde(rename = "ref", default)]
    pub git_ref: String,
    #[serde(default)]
    pub head_commit: Option<HeadCommit>,
    /// The pushed commits (GitHub lists up to 20).
    #[serde(default)]
    pub commits: Vec<HeadCommit>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct EventLabel {
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct EventBranch {
    #[serde(rename = "ref")]
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct EventPull {
    pub number: u64,
    #[serde(default)]
    pub merged: Option<bool>,
    #[serde(default)]
    pub merge_commit_sha: Option<String>,
    #[serde(default)]
    pub labels: Vec<EventLabel>,
    pub head: EventBranch,
    pub base: EventBranch,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PullRequestEvent {
    pub action: String,
    pub pull_request: EventPull,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct DispatchEvent {
    /// Dispatch inputs arrive as strings, booleans or numbers.
    #[serde(default)]
    pub inputs: Option<BTreeMap<String, serde_json::Value>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Push(PushEvent),
    PullRequest(PullRequestEvent),
    Dispatch(DispatchEvent),
    Other(String),
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("the {name} event payload cannot be read: {message}")]
pub struct EventError {
    pub name: String,
    pub message: String,
}

impl Hint for EventError {
    fn hint(&self) -> Option<String> {
        Some("GITHUB_EVENT_PATH must point at the event JSON the runner wrote; outside Actions, run a stage by name (`releasekit-cargo prepare`)".into())
    }
}

/// Read the payload of the event named `name` (`GITHUB_EVENT_NAME`); an event we do not act on
/// must still be JSON.
pub fn parse_event(name: &str, json: &str) -> Result<Event, EventError> {
    let err = |e: serde_json::Error| EventError {
        name: name.to_owned(),
        message: e.to_string(),
    };
    serde_json::from_str::<serde::de::IgnoredAny>(json).map_err(err)?;
    Ok(match name {
        "push" => Event::Push(serde_json::from_str(json).map_err(err)?),
        "pull_request" | "pull_request_target" => {
            Event::PullRequest(serde_json::from_str(json).map_err(err)?)
        }
        "workflow_dispatch" => Event::Dispatch(serde_json::from_str(json).map_err(err)?),
        other => Event::Other(other.to_owned()),
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    Plan,
    Prepare,
    Release,
    Publish,
    Notify,
}

/// What `auto` does for an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trigger {
    Run(Vec<Stage>),
    /// Nothing to do, and why (shown as a notice; the run succeeds).
    Skip(String),
}

const AFTER_MERGE: [Stage; 3] = [Stage::Release, Stage::Publish, Stage::Notify];

/// The stages for `event`; `is_release_commit` tells a release commit (or the merge of a
/// Release PR) from any other head commit.
pub fn decide(event: &Event, is_release_commit: impl Fn(&str) -> bool) -> Trigger {
    match event {
        Event::Push(push) => {
            let Some(branch) = push.git_ref.strip_prefix("refs/heads/") else {
                return Trigger::Skip(format!(
                    "push of {} is not a branch push: nothing to prepare",
                    push.git_ref
                ));
            };
            if is_release_branch(branch) {
                return Trigger::Skip(format!(
                    "push to the release branch {branch}: it is prepared, not a base branch"
                ));
            }
            // A rebase-merged Release PR puts the release commit below the maintainer's.
            let release = push
                .head_commit
                .iter()
                .chain(push.commits.iter().rev())
                .find(|c| is_release_commit(&c.message));
            match (&push.head_commit, release) {
                (Some(head), Some(release)) if release.id == head.id => Trigger::Skip(format!(
                    "the head commit {} is a release commit: the release runs when its Release PR is merged",
                    short(&head.id)
                )),
                (Some(_), Some(release)) => Trigger::Skip(format!(
                    "the push holds the release commit {} (a Release PR merged by rebase): the release runs for its Release PR",
                    short(&release.id)
                )),
                (Some(_), None) => Trigger::Run(vec![Stage::Prepare]),
                (None, _) => Trigger::Skip(format!(
                    "push to {branch} without commits (a branch deletion?)"
                )),
            }
        }
        Event::PullRequest(event) => {
            let pr = &event.pull_request;
            if event.action != "closed" {
                return Trigger::Skip(format!(
                    "pull_request {} of #{}: only a merged Release PR starts a release",
                    event.action, pr.number
                ));
            }
            if pr.merged != Some(true) {
                return Trigger::Skip(format!("#{} was closed without merging", pr.number));
            }
            if !is_release_branch(&pr.head.name) {
                return Trigger::Skip(format!(
                    "#{} is not a Release PR (its branch {} is not {RELEASE_BRANCH}…)",
                    pr.number, pr.head.name
                ));
            }
            if !pr.labels.iter().any(|l| l.name == LABEL_PENDING) {
                return Trigger::Skip(format!(
                    "#{} has no `{LABEL_PENDING}` label: it was released already, or the label was removed by hand",
                    pr.number
                ));
            }
            Trigger::Run(AFTER_MERGE.to_vec())
        }
        Event::Dispatch(dispatch) => {
            let action = dispatch
                .inputs
                .as_ref()
                .and_then(|i| i.get("action"))
                .and_then(|v| v.as_str())
                .unwrap_or("");
            match action {
                "prepare" => Trigger::Run(vec![Stage::Prepare]),
                "release" => Trigger::Run(AFTER_MERGE.to_vec()),
                "plan" => Trigger::Run(vec![Stage::Plan]),
                "publish" => Trigger::Run(vec![Stage::Publish]),
                "notify" => Trigger::Run(vec![Stage::Notify]),
                "" | "auto" => Trigger::Skip(
                    "workflow_dispatch without an `action` input (prepare, release, plan, publish, notify): nothing chosen".into(),
                ),
                other => Trigger::Skip(format!(
                    "workflow_dispatch input action {other:?} is not one of prepare, release, plan, publish, notify"
                )),
            }
        }
        Event::Other(name) => Trigger::Skip(format!(
            "the {name} event starts no stage (auto runs on push, a merged Release PR and workflow_dispatch)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_release(message: &str) -> bool {
        message.starts_with("chore(release):")
    }

    fn push(git_ref: &str, message: Option<&str>) -> Event {
        let head = message.map(|m| serde_json::json!({"id": "0123456789abcdef", "message": m}));
        let json = serde_json::json!({"ref": git_ref, "head_commit": head}).to_string();
        parse_event("push", &json).unwrap()
    }

    fn closed(merged: bool, head: &str, labels: &[&str]) -> Event {
        let labels: Vec<_> = labels
            .iter()
            .map(|l| serde_json::json!({"name": l}))
            .collect();
        let json = serde_json::json!({
            "action": "closed",
            "number": 7,
            "pull_request": {"number": 7, "merged": merged, "merge_commit_sha": "abc",
                "labels": labels, "head": {"ref": head, "sha": "h"}, "base": {"ref": "main", "sha": "b"}}
        });
        parse_event("pull_request", &json.to_string()).unwrap()
    }

    fn dispatch(action: Option<&str>) -> Event {
        let json = match action {
            Some(a) => serde_json::json!({"inputs": {"action": a, "dry_run": true}}),
            None => serde_json::json!({"inputs": null}),
        };
        parse_event("workflow_dispatch", &json.to_string()).unwrap()
    }

    #[test]
    fn trigger_matrix() {
        let run = |stages: &[Stage]| Trigger::Run(stages.to_vec());
        let cases: Vec<(&str, Event, Option<Trigger>)> = vec![
            (
                "push to main",
                push("refs/heads/main", Some("feat: x")),
                Some(run(&[Stage::Prepare])),
            ),
            (
                "push of a release commit",
                push("refs/heads/main", Some("chore(release): a 1.0.0")),
                None,
            ),
            (
                "push of a rebase-merged Release PR",
                parse_event(
                    "push",
                    &serde_json::json!({"ref": "refs/heads/main",
                        "head_commit": {"id": "b", "message": "docs(core): reword"},
                        "commits": [{"id": "a", "message": "chore(release): core 0.1.1"},
                                    {"id": "b", "message": "docs(core): reword"}]})
                    .to_string(),
                )
                .unwrap(),
                None,
            ),
            (
                "push to the release branch",
                push("refs/heads/releasekit/release", Some("feat: x")),
                None,
            ),
            (
                "push to a group release branch",
                push("refs/heads/releasekit/release-core", Some("x")),
                None,
            ),
            ("tag push", push("refs/tags/v1", Some("feat: x")), None),
            ("branch deletion", push("refs/heads/main", None), None),
            (
                "merged release PR",
                closed(true, "releasekit/release", &[LABEL_PENDING]),
                Some(run(&AFTER_MERGE)),
            ),
            (
                "merged group release PR",
                closed(true, "releasekit/release-core", &[LABEL_PENDING]),
                Some(run(&AFTER_MERGE)),
            ),
            (
                "closed unmerged",
                closed(false, "releasekit/release", &[LABEL_PENDING]),
                None,
            ),
            (
                "merged other PR",
                closed(true, "feature", &[LABEL_PENDING]),
                None,
            ),
            (
                "merged release PR already tagged",
                closed(true, "releasekit/release", &[LABEL_TAGGED]),
                None,
            ),
            (
                "lookalike branch",
                closed(true, "releasekit/released", &[LABEL_PENDING]),
                None,
            ),
            (
                "dispatch prepare",
                dispatch(Some("prepare")),
                Some(run(&[Stage::Prepare])),
            ),
            (
                "dispatch release",
                dispatch(Some("release")),
                Some(run(&AFTER_MERGE)),
            ),
            (
                "dispatch plan",
                dispatch(Some("plan")),
                Some(run(&[Stage::Plan])),
            ),
            ("dispatch without action", dispatch(None), None),
            ("dispatch auto", dispatch(Some("auto")), None),
            ("schedule", parse_event("schedule", "{}").unwrap(), None),
        ];
        for (what, event, expected) in cases {
            let got = decide(&event, is_release);
            match expected {
                Some(t) => assert_eq!(got, t, "{what}"),
                None => assert!(matches!(got, Trigger::Skip(_)), "{what}: {got:?}"),
            }
        }
    }

    #[test]
    fn opened_pull_request_is_skipped_with_its_action_named() {
        let json = r#"{"action":"opened","pull_request":{"number":3,"head":{"ref":"x"},"base":{"ref":"main"}}}"#;
        let event = parse_event("pull_request", json).unwrap();
        let Trigger::Skip(reason) = decide(&event, is_release) else {
            panic!("opened PR must not run")
        };
        assert!(
            reason.contains("opened") && reason.contains("#3"),
            "{reason}"
        );
    }

    #[test]
    fn unreadable_payload_names_the_event() {
        let err = parse_event("pull_request", "{\"action\": 1}").unwrap_err();
        assert_eq!(err.name, "pull_request");
    }

    #[test]
    fn release_branches_and_their_groups() {
        assert_eq!(release_branch(None), "releasekit/release");
        assert_eq!(release_branch(Some("core")), "releasekit/release-core");
        assert!(is_release_branch("releasekit/release-core"));
        assert!(!is_release_branch("releasekit/releases"));
    }
}
