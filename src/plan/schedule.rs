//! The publish scheduler: which crate may be uploaded now, and what a failure blocks.
//!
//! Owns the state machine of DESIGN.md §3 "Publishing" (like cargo's `PublishPlan`): a crate
//! starts as soon as its own dependencies are visible in the index, not when a whole wave is,
//! at most `concurrency` uploads at once; a crate that failed for good blocks only its
//! transitive dependents. It must not upload, poll, sleep or read the clock: the loop that does
//! lives in `jobs` and reports each outcome here (crates.io's rate limits are
//! `plan::publish::pacing`'s).

use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

use super::graph::{CycleError, Edge, waves};

/// Where one crate of the release stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum CrateState {
    /// Waiting for its dependencies or for an upload slot.
    Pending,
    /// Handed out by [`Schedule::take_ready`]; holds an upload slot.
    Uploading,
    /// Uploaded; waiting to appear in the index.
    Confirming,
    /// In the index: dependents may start.
    Visible,
    /// Its version was in the index before we started (a re-run resumes).
    Skipped,
    Failed {
        reason: String,
    },
    /// Never started because `by` (a dependency, maybe transitive) failed.
    Blocked {
        by: String,
    },
}

impl CrateState {
    /// Dependents may start: the version is in the index.
    fn satisfies(&self) -> bool {
        matches!(self, CrateState::Visible | CrateState::Skipped)
    }
}

/// The publish state of every crate of one release.
#[derive(Debug, Clone)]
pub struct Schedule {
    /// Plan order, each name once.
    names: Vec<String>,
    index: BTreeMap<String, usize>,
    states: Vec<CrateState>,
    /// Per crate, the crates of the release it waits for.
    deps: Vec<Vec<usize>>,
    /// Per crate, the crates of the release that wait for it.
    dependents: Vec<Vec<usize>>,
}

/// Answered for a name that is not in the schedule (a programming error).
static UNKNOWN: CrateState = CrateState::Pending;

impl Schedule {
    /// `crates`: every crate of this release in plan order (a repeated name counts once);
    /// `already_published`: those whose version the index lists, which start `Skipped` and
    /// count as visible; `edges`: publish edges, of which only those with both ends in `crates`
    /// matter (a crate outside the release keeps its published version).
    ///
    /// A cycle is only an error among the crates still to upload: an edge into a skipped crate
    /// is satisfied already, so it cannot hold anything up.
    pub fn new(
        crates: &[String],
        already_published: &BTreeSet<String>,
        edges: &[Edge],
    ) -> Result<Schedule, CycleError> {
        let mut names: Vec<String> = Vec::with_capacity(crates.len());
        let mut index = BTreeMap::new();
        for name in crates {
            if !index.contains_key(name) {
                index.insert(name.clone(), names.len());
                names.push(name.clone());
            }
        }

        let to_upload: BTreeSet<String> = names
            .iter()
            .filter(|n| !already_published.contains(*n))
            .cloned()
            .collect();
        waves(&to_upload, edges)?;

        let mut deps = vec![Vec::new(); names.len()];
        let mut dependents = vec![Vec::new(); names.len()];
        for edge in edges {
            let (Some(&from), Some(&to)) = (index.get(&edge.from), index.get(&edge.to)) else {
                continue;
            };
            if from == to || deps[from].contains(&to) {
                continue;
            }
            deps[from].push(to);
            dependents[to].push(from);
        }
        let states = names
            .iter()
            .map(|n| {
                if already_published.contains(n) {
                    CrateState::Skipped
                } else {
                    CrateState::Pending
                }
            })
            .collect();
        Ok(Schedule {
            names,
            index,
            states,
            deps,
            dependents,
        })
    }

    /// The crates that may start now, in plan order, marked `Uploading`: pending, with every
    /// dependency visible or skipped, at most `concurrency - uploading()` of them. A
    /// `concurrency` of 0 means unbounded (the caller resolves "automatic" before).
    pub fn take_ready(&mut self, concurrency: usize) -> Vec<String> {
        let mut room = match concurrency {
            0 => usize::MAX,
            n => n.saturating_sub(self.uploading()),
        };
        let mut ready = Vec::new();
        for i in 0..self.names.len() {
            if room == 0 {
                break;
            }
            if self.is_ready(i) {
                self.states[i] = CrateState::Uploading;
                ready.push(self.names[i].clone());
                room -= 1;
            }
        }
        ready
    }

    /// The upload returned: `Uploading` → `Confirming`, which frees its upload slot.
    pub fn uploaded(&mut self, name: &str) {
        self.transition(name, "uploaded", CrateState::Confirming, |s| {
            matches!(s, CrateState::Uploading)
        });
    }

    /// The registry said the version exists already: `Uploading`/`Confirming` → `Visible`.
    /// Not `Skipped`, which records what was published before this run started.
    pub fn already_there(&mut self, name: &str) {
        self.transition(name, "already_there", CrateState::Visible, |s| {
            matches!(s, CrateState::Uploading | CrateState::Confirming)
        });
    }

    /// The index lists the new version: `Confirming` → `Visible`.
    pub fn visible(&mut self, name: &str) {
        self.transition(name, "visible", CrateState::Visible, |s| {
            matches!(s, CrateState::Confirming)
        });
    }

    /// The crate failed for good (from `Pending`, `Uploading` or `Confirming`). Every
    /// transitive dependent still pending becomes `Blocked { by: name }`; everything else
    /// goes on.
    pub fn failed(&mut self, name: &str, reason: &str) {
        let failed = CrateState::Failed {
            reason: reason.to_owned(),
        };
        let Some(i) = self.transition(name, "failed", failed, |s| {
            matches!(
                s,
                CrateState::Pending | CrateState::Uploading | CrateState::Confirming
            )
        }) else {
            return;
        };
        // Only through pending crates: one already blocked had its dependents blocked then, and
        // a dependent that was skipped satisfies its own dependents regardless.
        let mut stack = vec![i];
        while let Some(node) = stack.pop() {
            for &dependent in &self.dependents[node] {
                if self.states[dependent] == CrateState::Pending {
                    self.states[dependent] = CrateState::Blocked {
                        by: name.to_owned(),
                    };
                    stack.push(dependent);
                }
            }
        }
    }

    /// The state of `name`; `Pending` for a name not in the schedule (a debug assertion).
    pub fn state(&self, name: &str) -> &CrateState {
        match self.index.get(name) {
            Some(&i) => &self.states[i],
            None => {
                debug_assert!(false, "{name} is not in the publish schedule");
                &UNKNOWN
            }
        }
    }

    /// Crates holding an upload slot.
    pub fn uploading(&self) -> usize {
        self.count(|s| matches!(s, CrateState::Uploading))
    }

    /// Crates uploaded and not yet seen in the index.
    pub fn confirming(&self) -> usize {
        self.count(|s| matches!(s, CrateState::Confirming))
    }

    /// Nothing in flight and no pending crate that could start. With no cycle and failures
    /// blocking their dependents, this means every crate reached a final state.
    pub fn is_finished(&self) -> bool {
        self.uploading() == 0
            && self.confirming() == 0
            && !(0..self.names.len()).any(|i| self.is_ready(i))
    }

    /// Every crate with its state, in plan order.
    pub fn states(&self) -> Vec<(String, CrateState)> {
        self.names
            .iter()
            .cloned()
            .zip(self.states.iter().cloned())
            .collect()
    }

    /// The crates not in the index (neither visible nor skipped), in plan order: what a re-run
    /// still has to publish.
    pub fn left(&self) -> Vec<String> {
        self.names
            .iter()
            .zip(&self.states)
            .filter(|(_, s)| !s.satisfies())
            .map(|(n, _)| n.clone())
            .collect()
    }

    fn is_ready(&self, i: usize) -> bool {
        self.states[i] == CrateState::Pending
            && self.deps[i].iter().all(|&d| self.states[d].satisfies())
    }

    fn count(&self, f: impl Fn(&CrateState) -> bool) -> usize {
        self.states.iter().filter(|s| f(s)).count()
    }

    /// Moves `name` to `to` if `allowed` accepts its current state. A wrong transition is a
    /// bug in the publish loop: it trips a debug assertion and is ignored in release builds,
    /// because a stuck report is better than a panic halfway through publishing.
    fn transition(
        &mut self,
        name: &str,
        event: &str,
        to: CrateState,
        allowed: impl Fn(&CrateState) -> bool,
    ) -> Option<usize> {
        let Some(&i) = self.index.get(name) else {
            debug_assert!(false, "{event}: {name} is not in the publish schedule");
            return None;
        };
        if !allowed(&self.states[i]) {
            debug_assert!(false, "{event}: {name} is {:?}", self.states[i]);
            return None;
        }
        self.states[i] = to;
        Some(i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::plan::graph::test_edge as edge;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|n| (*n).to_owned()).collect()
    }

    fn set(list: &[&str]) -> BTreeSet<String> {
        list.iter().map(|n| (*n).to_owned()).collect()
    }

    fn schedule(crates: &[&str], published: &[&str], edges: &[Edge]) -> Schedule {
        Schedule::new(&names(crates), &set(published), edges).unwrap()
    }

    /// Uploaded and confirmed in one go.
    fn publish(s: &mut Schedule, name: &str) {
        s.uploaded(name);
        s.visible(name);
    }

    //        a
    //       / \
    //      b   c
    //       \ /
    //        d          (a depends on b and c, both depend on d)
    fn diamond() -> Schedule {
        schedule(
            &["d", "b", "c", "a"],
            &[],
            &[
                edge("a", "b"),
                edge("a", "c"),
                edge("b", "d"),
                edge("c", "d"),
            ],
        )
    }

    #[test]
    fn diamond_with_concurrency_one_uploads_one_crate_at_a_time() {
        let mut s = diamond();
        let mut order = Vec::new();
        while !s.is_finished() {
            let ready = s.take_ready(1);
            assert_eq!(ready.len(), 1, "after {order:?}");
            assert_eq!(s.take_ready(1), Vec::<String>::new(), "slot is taken");
            publish(&mut s, &ready[0]);
            order.extend(ready);
        }
        assert_eq!(order, names(&["d", "b", "c", "a"]));
        assert_eq!(s.left(), Vec::<String>::new());
    }

    #[test]
    fn diamond_with_concurrency_two_uploads_the_middle_together() {
        let mut s = diamond();
        assert_eq!(s.take_ready(2), names(&["d"]));
        publish(&mut s, "d");
        assert_eq!(s.take_ready(2), names(&["b", "c"]));
        assert_eq!(s.uploading(), 2);
        publish(&mut s, "b");
        assert_eq!(s.take_ready(2), Vec::<String>::new(), "a still waits for c");
        publish(&mut s, "c");
        assert_eq!(s.take_ready(2), names(&["a"]));
        publish(&mut s, "a");
        assert!(s.is_finished());
    }

    //   slow1 <- slow2 <- slow3        quick <- after_quick
    //
    // Wave by wave, after_quick would wait for slow2; it must start once quick is visible.
    #[test]
    fn crate_starts_when_its_own_dependencies_are_visible_not_its_level() {
        let mut s = schedule(
            &["slow1", "quick", "slow2", "after_quick", "slow3"],
            &[],
            &[
                edge("slow2", "slow1"),
                edge("slow3", "slow2"),
                edge("after_quick", "quick"),
            ],
        );
        assert_eq!(s.take_ready(0), names(&["slow1", "quick"]));
        publish(&mut s, "quick");
        // slow1 is still being uploaded.
        assert_eq!(s.take_ready(0), names(&["after_quick"]));
        assert_eq!(s.state("slow1"), &CrateState::Uploading);
        assert_eq!(s.state("slow2"), &CrateState::Pending);
    }

    #[test]
    fn confirming_crates_free_their_upload_slot_but_do_not_satisfy_dependents() {
        //   a <- b,   c
        let mut s = schedule(&["a", "b", "c"], &[], &[edge("b", "a")]);
        assert_eq!(s.take_ready(1), names(&["a"]));
        s.uploaded("a");
        assert_eq!((s.uploading(), s.confirming()), (0, 1));
        assert_eq!(s.take_ready(1), names(&["c"]), "b waits until a is visible");
        assert!(!s.is_finished());
    }

    //   a <- b <- c      a is already published
    #[test]
    fn skipped_crates_satisfy_their_dependents() {
        let mut s = schedule(&["a", "b", "c"], &["a"], &[edge("b", "a"), edge("c", "b")]);
        assert_eq!(s.state("a"), &CrateState::Skipped);
        assert_eq!(s.take_ready(0), names(&["b"]));
        assert_eq!(s.left(), names(&["b", "c"]));
    }

    #[test]
    fn already_there_makes_a_crate_visible_not_skipped() {
        let mut s = schedule(&["a", "b"], &[], &[edge("b", "a")]);
        s.take_ready(0);
        s.already_there("a");
        assert_eq!(s.state("a"), &CrateState::Visible);
        assert_eq!(s.uploading(), 0);
        assert_eq!(s.take_ready(0), names(&["b"]));
        s.uploaded("b");
        s.already_there("b");
        assert!(s.is_finished());
    }

    //        a   x
    //        |   |
    //        b   y        (b depends on a, c on b; y on x)
    //        |
    //        c
    #[test]
    fn failure_blocks_transitive_dependents_only() {
        let mut s = schedule(
            &["a", "x", "b", "y", "c"],
            &[],
            &[edge("b", "a"), edge("c", "b"), edge("y", "x")],
        );
        assert_eq!(s.take_ready(0), names(&["a", "x"]));
        s.failed("a", "500 Internal Server Error, 3 retries");
        assert_eq!(
            s.state("a"),
            &CrateState::Failed {
                reason: "500 Internal Server Error, 3 retries".to_owned()
            }
        );
        for blocked in ["b", "c"] {
            assert_eq!(
                s.state(blocked),
                &CrateState::Blocked { by: "a".to_owned() },
                "{blocked}"
            );
        }
        assert!(!s.is_finished(), "x is still uploading");
        publish(&mut s, "x");
        assert_eq!(s.take_ready(0), names(&["y"]));
        publish(&mut s, "y");
        assert!(s.is_finished());
        assert_eq!(s.left(), names(&["a", "b", "c"]));
    }

    //   a <- s <- b        s was published before: b needs only s, not a
    #[test]
    fn failure_does_not_block_through_a_skipped_crate() {
        let mut s = schedule(&["a", "s", "b"], &["s"], &[edge("s", "a"), edge("b", "s")]);
        assert_eq!(s.take_ready(0), names(&["a", "b"]));
        s.failed("a", "rejected");
        assert_eq!(s.state("b"), &CrateState::Uploading);
    }

    //   a <- c -> b       c depends on a and b; both fail: c keeps the first blocker
    #[test]
    fn blocked_crate_names_the_first_failure() {
        let mut s = schedule(&["a", "b", "c"], &[], &[edge("c", "a"), edge("c", "b")]);
        s.take_ready(0);
        s.failed("a", "first");
        s.failed("b", "second");
        assert_eq!(s.state("c"), &CrateState::Blocked { by: "a".to_owned() });
        assert!(s.is_finished());
    }

    #[test]
    fn concurrency_bounds_the_uploads_in_flight() {
        let crates: Vec<String> = (0..10).map(|i| format!("c{i}")).collect();
        let mut s = Schedule::new(&crates, &BTreeSet::new(), &[]).unwrap();
        assert_eq!(s.take_ready(3), names(&["c0", "c1", "c2"]));
        assert_eq!(s.take_ready(3), Vec::<String>::new());
        s.uploaded("c1");
        assert_eq!(s.take_ready(3), names(&["c3"]));
        assert_eq!(s.uploading(), 3);
        assert_eq!(s.take_ready(0).len(), 6, "0 is unbounded");
    }

    //   a -> b -> a
    #[test]
    fn cycle_among_crates_to_upload_is_an_error() {
        let error = Schedule::new(
            &names(&["a", "b"]),
            &BTreeSet::new(),
            &[edge("a", "b"), edge("b", "a")],
        )
        .unwrap_err();
        assert_eq!(error.edges, vec![edge("a", "b"), edge("b", "a")]);
    }

    //   a -> b -> a      b is already published: a can go
    #[test]
    fn cycle_through_an_already_published_crate_is_no_error() {
        let mut s = schedule(&["a", "b"], &["b"], &[edge("a", "b"), edge("b", "a")]);
        assert_eq!(s.take_ready(0), names(&["a"]));
    }

    //   a -> outside     outside is not released now; self-edges are ignored too
    #[test]
    fn edges_leaving_the_release_are_satisfied() {
        let mut s = schedule(&["a"], &[], &[edge("a", "outside"), edge("a", "a")]);
        assert_eq!(s.take_ready(0), names(&["a"]));
    }

    #[test]
    fn empty_or_fully_published_release_is_finished_at_once() {
        assert!(schedule(&[], &[], &[]).is_finished());
        let s = schedule(&["a", "b"], &["a", "b"], &[edge("b", "a")]);
        assert!(s.is_finished());
        assert_eq!(s.left(), Vec::<String>::new());
    }

    #[test]
    fn states_are_listed_in_plan_order_and_serialise_with_a_tag() {
        let mut s = schedule(&["b", "a", "c"], &["c"], &[]);
        s.take_ready(1);
        s.failed("b", "no token");
        let json = serde_json::to_string(&s.states()).unwrap();
        assert_eq!(
            json,
            r#"[["b",{"state":"failed","reason":"no token"}],["a",{"state":"pending"}],["c",{"state":"skipped"}]]"#
        );
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "visible: a is Pending")]
    fn wrong_transition_trips_a_debug_assertion() {
        let mut s = schedule(&["a"], &[], &[]);
        s.visible("a");
    }
}
