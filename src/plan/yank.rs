//! Rolling a release back: which versions of a release set to yank (or, with `--undo`, to
//! unyank), in which order — dependents before their dependencies, so no version left
//! selectable requires one already yanked; the reverse to undo — what the registry shows
//! already (a re-run converges), and how a GitHub Release reads once it is marked yanked.
//!
//! Pure: the job hands in the set, the publish edges and what the index lists; it yanks,
//! confirms in the index and edits the releases as this plan says.

use std::collections::{BTreeMap, BTreeSet};

use semver::Version;
use serde::Serialize;

use super::DepKind;
use super::graph::{CycleError, Edge, waves};

/// Prefix of a yanked release's title.
pub const TITLE_PREFIX: &str = "[yanked] ";
/// Marks the line a yank adds to a release's body, so undo finds it again.
const BODY_MARK: &str = "<!-- releasekit-cargo: yanked -->";

/// One crate of the set to roll back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YankTarget {
    pub name: String,
    pub version: Version,
    /// Its release tag (and so its GitHub Release), when known.
    pub tag: Option<String>,
    /// Released without publishing (`release = true`, or a member not published to this
    /// registry): never yanked nor looked up there — the registry may hold an unrelated crate
    /// of that name — only its GitHub Release is marked.
    pub release_only: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum YankAction {
    /// Yank it now (or unyank, undoing).
    Change,
    /// The index shows it as wanted already: nothing to send.
    AlreadyDone,
    /// The index does not list this version: nothing to yank.
    NotInRegistry,
    /// Released without publishing: only its GitHub Release is marked.
    ReleaseOnly,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct YankCrate {
    pub name: String,
    pub version: Version,
    pub tag: Option<String>,
    pub action: YankAction,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct YankPlan {
    /// Unyank instead.
    pub undo: bool,
    /// In the order to change them.
    pub crates: Vec<YankCrate>,
}

impl YankPlan {
    /// `listed`: per crate, every version the index lists with its yanked flag. `edges`: publish
    /// edges among the workspace's members; only normal and build edges order a yank (a
    /// dev-dependency never decides what a downstream build resolves).
    pub fn new(
        targets: &[YankTarget],
        edges: &[Edge],
        listed: &BTreeMap<String, Vec<(Version, bool)>>,
        undo: bool,
    ) -> Result<YankPlan, CycleError> {
        let names: BTreeSet<String> = targets.iter().map(|t| t.name.clone()).collect();
        let ordering: Vec<Edge> = edges
            .iter()
            .filter(|e| e.kind != DepKind::Dev && names.contains(&e.from) && names.contains(&e.to))
            .cloned()
            .collect();
        // Dependencies first; a yank goes the other way.
        let mut order: Vec<String> = waves(&names, &ordering)?.into_iter().flatten().collect();
        if !undo {
            order.reverse();
        }
        let crates = order
            .iter()
            .flat_map(|name| targets.iter().filter(move |t| &t.name == name))
            .map(|t| {
                let yanked = listed
                    .get(&t.name)
                    .and_then(|versions| versions.iter().find(|(v, _)| *v == t.version))
                    .map(|(_, yanked)| *yanked);
                let action = match yanked {
                    _ if t.release_only => YankAction::ReleaseOnly,
                    None => YankAction::NotInRegistry,
                    Some(yanked) if yanked != undo => YankAction::AlreadyDone,
                    Some(_) => YankAction::Change,
                };
                YankCrate {
                    name: t.name.clone(),
                    version: t.version.clone(),
                    tag: t.tag.clone(),
                    action,
                }
            })
            .collect();
        Ok(YankPlan { undo, crates })
    }
}

/// A GitHub Release's title and body once marked yanked; `None` when it is marked already.
pub fn mark_release(title: &str, body: &str, registry: &str) -> Option<(String, String)> {
    if title.starts_with(TITLE_PREFIX) && body.contains(BODY_MARK) {
        return None;
    }
    let title = if title.starts_with(TITLE_PREFIX) {
        title.to_owned()
    } else {
        format!("{TITLE_PREFIX}{title}")
    };
    let mut body = body.trim_end().to_owned();
    if !body.contains(BODY_MARK) {
        if !body.is_empty() {
            body.push_str("\n\n");
        }
        body.push_str(&format!(
            "> **Yanked** from {registry}: new lockfiles no longer select this version. {BODY_MARK}\n"
        ));
    }
    Some((title, body))
}

/// A GitHub Release's title and body with the yank mark taken off; `None` when it has none.
pub fn unmark_release(title: &str, body: &str) -> Option<(String, String)> {
    if !title.starts_with(TITLE_PREFIX) && !body.contains(BODY_MARK) {
        return None;
    }
    let title = title.strip_prefix(TITLE_PREFIX).unwrap_or(title).to_owned();
    let kept: Vec<&str> = body.lines().filter(|l| !l.contains(BODY_MARK)).collect();
    let body = kept.join("\n").trim_end().to_owned() + "\n";
    Some((title, body))
}

/// What happened to one crate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum YankOutcome {
    /// Yanked (unyanked) and confirmed in the index.
    Done,
    /// Nothing to do: the index showed it so already, or does not list it.
    Kept,
    Failed {
        reason: String,
    },
    /// Not attempted: a crate earlier in the order failed.
    NotAttempted,
}

/// What happened to one GitHub Release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum ReleaseMark {
    Marked,
    AlreadyMarked,
    NoRelease,
    Failed { reason: String },
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct YankReport {
    pub crates: Vec<(String, YankOutcome)>,
    pub releases: Vec<(String, ReleaseMark)>,
    /// Why the releases were not looked at, when they were not.
    pub releases_skipped: Option<String>,
}

impl YankReport {
    /// The crates left as they were because something failed.
    pub fn left(&self) -> Vec<String> {
        self.crates
            .iter()
            .filter(|(_, o)| matches!(o, YankOutcome::Failed { .. } | YankOutcome::NotAttempted))
            .map(|(n, _)| n.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edge(from: &str, to: &str, kind: DepKind) -> Edge {
        Edge {
            from: from.into(),
            to: to.into(),
            kind,
            target: None,
            req: Some("^1".into()),
            optional: false,
        }
    }

    fn target(name: &str) -> YankTarget {
        YankTarget {
            name: name.into(),
            version: Version::new(1, 2, 0),
            tag: Some(format!("{name}-v1.2.0")),
            release_only: false,
        }
    }

    fn listed(entries: &[(&str, &str, bool)]) -> BTreeMap<String, Vec<(Version, bool)>> {
        let mut out: BTreeMap<String, Vec<(Version, bool)>> = BTreeMap::new();
        for (name, version, yanked) in entries {
            out.entry((*name).into())
                .or_default()
                .push((Version::parse(version).unwrap(), *yanked));
        }
        out
    }

    fn order(plan: &YankPlan) -> Vec<(&str, YankAction)> {
        plan.crates
            .iter()
            .map(|c| (c.name.as_str(), c.action))
            .collect()
    }

    //   core ◀── util ◀── app      (app dev-depends on testkit, testkit on app: no order)
    #[test]
    fn dependents_are_yanked_before_their_dependencies_and_undone_the_other_way() {
        let targets: Vec<YankTarget> = ["app", "core", "testkit", "util"].map(target).to_vec();
        let edges = vec![
            edge("util", "core", DepKind::Normal),
            edge("app", "util", DepKind::Build),
            edge("app", "testkit", DepKind::Dev),
            edge("testkit", "app", DepKind::Dev),
        ];
        let index = listed(&[
            ("core", "1.2.0", false),
            ("util", "1.2.0", false),
            ("app", "1.2.0", false),
            ("testkit", "1.1.0", false),
            ("testkit", "1.2.0", false),
        ]);
        let yank = YankPlan::new(&targets, &edges, &index, false).unwrap();
        let names: Vec<&str> = yank.crates.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["app", "util", "testkit", "core"]);
        assert!(yank.crates.iter().all(|c| c.action == YankAction::Change));
        let undo = YankPlan::new(&targets, &edges, &index, true).unwrap();
        let names: Vec<&str> = undo.crates.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["core", "testkit", "util", "app"]);
        assert!(
            undo.crates
                .iter()
                .all(|c| c.action == YankAction::AlreadyDone)
        );
    }

    #[test]
    fn what_the_index_shows_already_is_kept_so_a_rerun_converges() {
        let targets = vec![target("a"), target("b"), target("c")];
        let index = listed(&[
            ("a", "1.2.0", true),
            ("b", "1.2.0", false),
            ("c", "1.0.0", false),
        ]);
        let plan = YankPlan::new(&targets, &[], &index, false).unwrap();
        assert_eq!(
            order(&plan),
            [
                ("c", YankAction::NotInRegistry),
                ("b", YankAction::Change),
                ("a", YankAction::AlreadyDone)
            ]
        );
        let undo = YankPlan::new(&targets, &[], &index, true).unwrap();
        assert_eq!(
            order(&undo),
            [
                ("a", YankAction::Change),
                ("b", YankAction::AlreadyDone),
                ("c", YankAction::NotInRegistry)
            ]
        );
    }

    /// A release-only crate is never yanked, whatever the registry holds under its name.
    #[test]
    fn a_release_only_crate_is_never_yanked_from_the_registry() {
        let mut cli = target("cli");
        cli.release_only = true;
        let targets = vec![target("core"), cli];
        let edges = vec![edge("cli", "core", DepKind::Normal)];
        let index = listed(&[("core", "1.2.0", false), ("cli", "1.2.0", false)]);
        let plan = YankPlan::new(&targets, &edges, &index, false).unwrap();
        assert_eq!(
            order(&plan),
            [
                ("cli", YankAction::ReleaseOnly),
                ("core", YankAction::Change)
            ]
        );
        let undo = YankPlan::new(&targets, &edges, &index, true).unwrap();
        assert_eq!(
            order(&undo),
            [
                ("core", YankAction::AlreadyDone),
                ("cli", YankAction::ReleaseOnly)
            ]
        );
    }

    #[test]
    fn a_release_is_marked_once_and_unmarked_to_its_own_text() {
        let body = "## Features\n\n- parse faster (abc1234)\n";
        let (title, marked) = mark_release("serde v1.2.0", body, "crates.io").unwrap();
        assert_eq!(title, "[yanked] serde v1.2.0");
        insta::assert_snapshot!("yanked_release_body", marked);
        assert_eq!(mark_release(&title, &marked, "crates.io"), None);
        let (title, unmarked) = unmark_release(&title, &marked).unwrap();
        assert_eq!((title.as_str(), unmarked.as_str()), ("serde v1.2.0", body));
        assert_eq!(unmark_release(&title, &unmarked), None);
        // An empty body gets the line alone.
        let (_, only) = mark_release("x", "", "registry `internal`").unwrap();
        assert!(
            only.starts_with("> **Yanked** from registry `internal`"),
            "{only}"
        );
    }
}
