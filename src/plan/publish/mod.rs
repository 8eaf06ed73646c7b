//! The publish plan: for each crate of the release, what publishing will do with it — upload it
//! (in which wave, as a new crate or a new version, paced how by crates.io's limits), skip it
//! (the index lists its version: a re-run resumes), or not upload it because of a problem of
//! its own or of a crate it depends on — and for the run, the concurrency, how long crates.io's
//! limits hold it up, how the uploads authenticate and every problem that stops it. What the
//! dry run prints, `publish --json` prints and the summary shows; [`PublishReport`] is what the
//! uploads then did.
//!
//! Pure: built from facts the job gathered (the index's versions, the publish edges, what cargo
//! says of each package, the token situation); the job adds the problems only cargo can find
//! (the build, packaging) with [`PublishPlan::add_problems`].

pub mod pacing;
pub mod preflight;
pub mod upload;

use std::collections::{BTreeMap, BTreeSet};

use semver::Version;
use serde::Serialize;

use super::graph::{CycleError, Edge, waves};
use super::schedule::CrateState;
use pacing::{Bucket, Pacer, minimum_duration};
pub use preflight::{PackageFacts, Problem};

/// Uploads at once when `concurrency` is 0: crates.io's burst is small and every upload
/// there costs about a second, so a handful keeps the pipe full without tripping its limits; a
/// private registry takes more.
pub fn automatic_concurrency(crates_io: bool) -> usize {
    if crates_io { 4 } else { 8 }
}

/// One crate of the release as the registry's index has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrateFacts {
    pub name: String,
    pub version: Version,
    /// Every version the index lists, yanked ones too (a yanked version cannot be uploaded
    /// again either).
    pub listed: Vec<Version>,
}

#[cfg(test)]
impl CrateFacts {
    /// `name` at `version`, the index listing `listed`.
    pub(crate) fn listed(name: &str, version: &str, listed: &[&str]) -> CrateFacts {
        let parse = |v: &str| Version::parse(v).expect("a version");
        CrateFacts {
            name: name.to_owned(),
            version: parse(version),
            listed: listed.iter().map(|v| parse(v)).collect(),
        }
    }
}

/// How the uploads authenticate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Auth {
    /// A token configured for the registry (`variable`, or cargo's credentials file).
    Token { variable: String },
    /// No token, but the job may exchange its OIDC token (trusted publishing); a new crate
    /// still needs `variable`.
    Trusted { variable: String },
    /// Neither.
    Missing { variable: String },
}

/// Whether the build and verification have a `Cargo.lock` to keep to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Lockfile {
    /// The workspace has one: `--locked`, the versions it records.
    Present,
    /// It has none (libraries often ignore it): dependencies are resolved fresh, as `cargo
    /// publish` itself does, and no lockfile is left behind.
    Absent,
}

/// What the job found out before planning.
#[derive(Debug, Clone)]
pub struct PublishFacts<'a> {
    /// `None`: crates.io.
    pub registry: Option<&'a str>,
    /// The crates of the release, in plan order.
    pub crates: &'a [CrateFacts],
    /// Publish edges (`plan::graph::publish_edges`); only those between crates of the release
    /// order anything.
    pub edges: &'a [Edge],
    /// What cargo says of each package (for the manifest checks of pre-flight).
    pub packages: &'a [PackageFacts],
    /// The `concurrency` setting; 0 = automatic.
    pub concurrency: usize,
    pub auth: Auth,
    pub lockfile: Lockfile,
    /// `owners` from the configuration: added to every crate published for the first time.
    pub owners: &'a [String],
    /// The registry's web API (`api` in its index's config.json), where uploads go; `None`:
    /// nothing can be uploaded.
    pub api: Option<&'a str>,
    /// The registry's index, to name it in a problem.
    pub index: &'a str,
    /// Members of the release released without publishing (`release = true` on a
    /// `publish = false` crate): listed, never uploaded nor looked up.
    pub release_only: &'a [ReleaseOnly],
}

/// A crate released without publishing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReleaseOnly {
    pub name: String,
    pub version: Version,
}

/// What publishing does with one crate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// Uploaded as soon as its dependencies are visible; `wave` (1-based) is its depth among
    /// the uploads.
    Upload { wave: usize },
    /// The index lists this version already.
    Skip,
    /// Not uploaded: `by` (this crate itself, or one it depends on) has a problem.
    Blocked { by: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CratePlan {
    pub name: String,
    pub version: Version,
    /// The index lists no version of it: its upload counts as a new crate.
    pub new: bool,
    /// The index lists no other version: this release is the crate's first, and the configured
    /// owners are added to it (also on a re-run that finds it uploaded already).
    pub first: bool,
    #[serde(flatten)]
    pub action: Action,
    /// Seconds after the start before crates.io's limits let its upload start, when more than
    /// none (crates.io only; upload and index time come on top).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paced_secs: Option<u64>,
}

/// How crates.io's limits hold a release up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pacing {
    pub new_crates: u32,
    pub new_versions: u32,
    /// The least time the uploads take under the limits alone.
    pub least_secs: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublishPlan {
    /// `None`: crates.io.
    pub registry: Option<String>,
    pub crates: Vec<CratePlan>,
    /// The uploads by depth (each crate starts when its own dependencies are visible, not when
    /// its whole wave may).
    pub waves: Vec<Vec<String>>,
    /// Most uploads at once, "automatic" resolved.
    pub concurrency: usize,
    /// crates.io only.
    pub pacing: Option<Pacing>,
    pub lockfile: Lockfile,
    pub auth: Auth,
    /// Owners added to each new crate after its first upload.
    pub owners: Vec<String>,
    /// Everything that stops the release before any upload, found together.
    pub problems: Vec<Problem>,
    /// Crates of the release never uploaded (`release = true`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub release_only: Vec<ReleaseOnly>,
    /// The edges among the crates to upload, kept to order them.
    #[serde(skip)]
    edges: Vec<Edge>,
}

impl PublishPlan {
    /// Plan the release from the facts; a cycle among the crates to upload is the only error.
    pub fn new(facts: &PublishFacts<'_>) -> Result<PublishPlan, CycleError> {
        let crates_io = facts.registry.is_none();
        let skipped: BTreeSet<&str> = facts
            .crates
            .iter()
            .filter(|c| c.listed.contains(&c.version))
            .map(|c| c.name.as_str())
            .collect();
        let uploads: BTreeSet<String> = facts
            .crates
            .iter()
            .filter(|c| !skipped.contains(c.name.as_str()))
            .map(|c| c.name.clone())
            .collect();
        let edges: Vec<Edge> = facts
            .edges
            .iter()
            .filter(|e| uploads.contains(&e.from) && uploads.contains(&e.to) && e.from != e.to)
            .cloned()
            .collect();
        let waves = waves(&uploads, &edges)?;
        let wave_of: BTreeMap<&str, usize> = waves
            .iter()
            .enumerate()
            .flat_map(|(i, w)| w.iter().map(move |n| (n.as_str(), i + 1)))
            .collect();

        let mut problems: Vec<Problem> = facts
            .packages
            .iter()
            .filter(|p| uploads.contains(&p.name))
            .flat_map(preflight::manifest_problems)
            .collect();
        let new_uploads: Vec<String> = facts
            .crates
            .iter()
            .filter(|c| uploads.contains(&c.name) && c.listed.is_empty())
            .map(|c| c.name.clone())
            .collect();
        if facts.api.is_none() && !uploads.is_empty() {
            problems.push(Problem::NoApi {
                index: facts.index.to_owned(),
            });
        }
        match &facts.auth {
            Auth::Token { .. } => {}
            Auth::Trusted { variable } if !new_uploads.is_empty() => {
                problems.push(Problem::NewCratesNeedToken {
                    crates: new_uploads.clone(),
                    variable: variable.clone(),
                });
            }
            Auth::Trusted { .. } => {}
            Auth::Missing { variable } => problems.push(Problem::NoToken {
                variable: variable.clone(),
            }),
        }

        let crates = facts
            .crates
            .iter()
            .map(|c| CratePlan {
                name: c.name.clone(),
                version: c.version.clone(),
                new: c.listed.is_empty(),
                first: c.listed.iter().all(|v| *v == c.version),
                action: match wave_of.get(c.name.as_str()) {
                    Some(&wave) => Action::Upload { wave },
                    None => Action::Skip,
                },
                paced_secs: None,
            })
            .collect();
        let mut plan = PublishPlan {
            registry: facts.registry.map(str::to_owned),
            crates,
            waves,
            concurrency: match facts.concurrency {
                0 => automatic_concurrency(crates_io),
                n => n,
            },
            pacing: None,
            lockfile: facts.lockfile,
            auth: facts.auth.clone(),
            owners: facts.owners.to_vec(),
            problems: Vec::new(),
            release_only: facts.release_only.to_vec(),
            edges,
        };
        if crates_io {
            plan.pace();
        }
        plan.add_problems(problems);
        Ok(plan)
    }

    /// Add problems found by the checks only cargo can make; the crates they name, and every
    /// crate that depends on those, become blocked.
    pub fn add_problems(&mut self, problems: Vec<Problem>) {
        self.problems.extend(problems);
        let roots: BTreeSet<String> = self
            .problems
            .iter()
            .flat_map(|p| p.crates())
            .map(str::to_owned)
            .collect();
        let mut blocked_by: BTreeMap<String, String> = BTreeMap::new();
        for wave in &self.waves {
            for name in wave {
                let by = if roots.contains(name) {
                    Some(name.clone())
                } else {
                    self.edges
                        .iter()
                        .filter(|e| &e.from == name)
                        .find_map(|e| blocked_by.get(&e.to).cloned())
                };
                if let Some(by) = by {
                    blocked_by.insert(name.clone(), by);
                }
            }
        }
        for c in &mut self.crates {
            if let Some(by) = blocked_by.get(&c.name) {
                c.action = Action::Blocked { by: by.clone() };
            }
        }
    }

    /// crates.io's limits, uploads started in wave order from full buckets.
    fn pace(&mut self) {
        let new: BTreeMap<String, bool> = self
            .crates
            .iter()
            .map(|c| (c.name.clone(), c.new))
            .collect();
        let mut pacer = Pacer::crates_io();
        let mut paced: BTreeMap<String, u64> = BTreeMap::new();
        for name in self.waves.iter().flatten() {
            let bucket = Bucket::of(new[name]);
            let at = pacer.next_start(bucket);
            pacer.admit(bucket, at);
            if !at.is_zero() {
                paced.insert(name.clone(), at.as_secs());
            }
        }
        for c in &mut self.crates {
            c.paced_secs = paced.get(&c.name).copied();
        }
        let uploads: Vec<&CratePlan> = self.uploads().collect();
        let new_crates = uploads.iter().filter(|c| c.new).count() as u32;
        let new_versions = uploads.len() as u32 - new_crates;
        self.pacing = Some(Pacing {
            new_crates,
            new_versions,
            least_secs: minimum_duration(new_crates, new_versions).as_secs(),
        });
    }

    /// The crates this run uploads or would upload but for a problem: everything not in the
    /// index yet, in plan order.
    pub fn uploads(&self) -> impl Iterator<Item = &CratePlan> {
        self.crates.iter().filter(|c| c.action != Action::Skip)
    }

    /// The crates whose version the index lists already.
    pub fn skipped(&self) -> BTreeSet<String> {
        self.crates
            .iter()
            .filter(|c| c.action == Action::Skip)
            .map(|c| c.name.clone())
            .collect()
    }

    /// The publish edges among the crates to upload.
    pub fn edges(&self) -> &[Edge] {
        &self.edges
    }

    pub fn crate_plan(&self, name: &str) -> Option<&CratePlan> {
        self.crates.iter().find(|c| c.name == name)
    }
}

/// One crate's end of the run, as the summary and the `published` output show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CrateOutcome {
    pub name: String,
    pub version: String,
    #[serde(flatten)]
    pub state: CrateState,
    /// Found in the registry on upload (a run before this one got there first).
    #[serde(skip)]
    pub already_there: bool,
}

/// What adding the configured owners to a new crate did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OwnersOutcome {
    #[serde(rename = "crate")]
    pub krate: String,
    /// The owners the registry accepted, or why it did not; a failure does not fail the
    /// publish.
    pub result: Result<Vec<String>, String>,
}

/// What the uploads did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PublishReport {
    pub crates: Vec<CrateOutcome>,
    pub owners: Vec<OwnersOutcome>,
    /// Things that went wrong without failing the publish (a token that could not be revoked).
    pub warnings: Vec<String>,
}

impl PublishReport {
    /// Uploaded by this run and visible in the index.
    pub fn published(&self) -> impl Iterator<Item = &CrateOutcome> {
        self.crates
            .iter()
            .filter(|c| c.state == CrateState::Visible)
    }

    /// The crates not in the index at the end (failed, or blocked by a failure).
    pub fn left(&self) -> Vec<String> {
        self.crates
            .iter()
            .filter(|c| {
                matches!(
                    c.state,
                    CrateState::Failed { .. } | CrateState::Blocked { .. }
                )
            })
            .map(|c| c.name.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests;
