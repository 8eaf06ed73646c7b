//! Thin orchestrators: gather the facts through the adapters, hand them to `plan`, carry out
//! what comes back, and report. Jobs decide no policy of their own.

mod api;
pub mod apply;
mod at_commit;
pub mod auto;
mod context;
mod gather;
pub mod index_wait;
mod listing;
pub mod notify;
pub mod plan;
mod planning;
pub mod prepare;
pub mod publish;
pub mod release;
pub mod target_dir;
pub mod yank;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::OnceLock;

use crate::adapters::actions::{Console, Runner};
use crate::adapters::cargo::Cargo;
use crate::adapters::git::Git;
use crate::config::Config;
use crate::config::file::Settings;
use crate::plan::api::ApiChecks;
use crate::plan::history::{RawCommit, Tag};
use crate::plan::release::{Facts, ManifestHistory, Published, ReleasePlan};
use crate::plan::toolchain::Toolchain;
use crate::plan::workspace::Workspace;

pub(crate) use at_commit::{member_versions_at, relative_to, workspace_at};
pub use gather::gather;
pub(crate) use listing::{every_version, published_versions, registry_listing, resolvable};
pub use planning::{gather_and_plan, plan_for};
pub(crate) use planning::{plan_given, plan_of_facts, plan_options};

/// What every job runs with: the configuration (the environment resolved in it), the runner's
/// files, and where the log goes.
pub struct Context<'a> {
    pub config: Config,
    pub runner: Runner,
    /// Standard output: untrusted text is printed inert ([`Console`]).
    pub out: Console<'a>,
    /// cargo with the run's toolchain, found (and installed) on first use: once per run.
    pub cargo: OnceLock<(Cargo, Toolchain)>,
    /// The repository holding the workspace (`None` outside git), found on first use.
    pub repo: OnceLock<Option<Git>>,
}

/// The facts a plan is made from, kept for the jobs that act on it.
pub struct Gathered {
    /// The workspace root on disk.
    pub root: PathBuf,
    /// The workspace has a `Cargo.lock` of its own: found before any cargo command that could
    /// write one ran (the API checks document HEAD in the workspace).
    pub lockfile: bool,
    /// The repository root (the workspace root when metadata came from a file): no file is
    /// written outside it.
    pub repo_root: PathBuf,
    pub settings: Settings,
    workspace: Workspace,
    history: Vec<RawCommit>,
    tags: Vec<Tag>,
    /// What the registry (or `--published-file`) can resolve; `None`: not looked up, the last
    /// tags stand in for it.
    published: Option<Published>,
    /// Every version the registry lists, yanked ones too.
    listed: Option<Published>,
    /// Why the registry's index could not be read, for the plan's notes.
    index_unread: Option<String>,
    shallow: bool,
    /// What the API checks found, per crate.
    api: ApiChecks,
    /// What the API checks did, for the log.
    api_log: Vec<String>,
    /// Cargo's target directory (the API checks keep their rustdoc JSON under it).
    target_dir: PathBuf,
    /// The members with a library target: only those have an API to check.
    libs: BTreeSet<String>,
    /// Manifest texts around the commits the plan asked for.
    manifests: ManifestHistory,
    /// The date of the changelog sections (`YYYY-MM-DD`): today, or what the stage sets.
    pub(crate) date: String,
    /// The plan of [`Selection::Configured`] once every fact is in ([`plan_of_facts`]), and the
    /// date it was made with: the API checks make it on their last round, and [`plan_for`] hands
    /// it out instead of planning the same again.
    configured: Option<(String, ReleasePlan)>,
}

impl Gathered {
    /// The facts of a plan; `none` stands for published versions not looked up.
    fn facts<'a>(&'a self, none: &'a Published) -> Facts<'a> {
        Facts {
            workspace: &self.workspace,
            history: &self.history,
            tags: &self.tags,
            published: self.published.as_ref().unwrap_or(none),
            assume_tagged_published: self.published.is_none(),
            registry: self.listed.as_ref(),
            shallow: self.shallow,
            manifests: &self.manifests,
            api: &self.api,
        }
    }
}

/// Where a plan's published versions (the dev-dependency rule) come from when no
/// `--published-file` is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    /// No network (`--offline`): the tags stand in for the registry, and each crate's last
    /// tagged version is taken as published.
    Offline,
    /// The registry's index; when it cannot be read, the offline assumption with a note.
    Index,
}

impl Lookup {
    /// The index, unless the run is offline (`--offline`, `CARGO_NET_OFFLINE=true`).
    pub fn of(config: &Config) -> Lookup {
        if config.offline {
            Lookup::Offline
        } else {
            Lookup::Index
        }
    }
}

/// Which crates a plan covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// What the `group` input says (all crates when it is empty).
    Configured,
    /// One configured group.
    Group(String),
    /// The crates no configured group claims.
    Ungrouped,
}

fn today() -> String {
    time::OffsetDateTime::now_utc().date().to_string()
}
