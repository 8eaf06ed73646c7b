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
mod tests;
