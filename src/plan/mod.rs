//! The pure core: everything here is a function of its arguments.
//!
//! No I/O, no async, no clock, no environment. Adapters turn the world (cargo metadata, git
//! history, the registry index) into the small types below; jobs hand them to these modules and
//! carry out what comes back. Nothing in `plan` imports `adapters`, `jobs` or `config`.

pub mod api;
pub mod attribution;
pub mod branch;
pub mod changelog;
pub mod commits;
pub mod git_output;
pub mod github_release;
pub mod graph;
pub mod history;
pub mod manifest;
pub mod merged;
pub mod notify;
pub mod pr;
pub mod publish;
pub mod refname;
pub mod release;
pub mod render;
pub mod retry;
pub mod schedule;
pub mod template;
pub mod toolchain;
pub mod trigger;
pub mod version;
pub mod workspace;
pub mod yank;

use std::fmt;

use serde::{Deserialize, Serialize};

/// How far a version moves. Ordered: a higher bump wins when several apply.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum Bump {
    #[default]
    None,
    Patch,
    Minor,
    Major,
}

impl fmt::Display for Bump {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Bump::None => "none",
            Bump::Patch => "patch",
            Bump::Minor => "minor",
            Bump::Major => "major",
        })
    }
}

/// The kind of a dependency edge as cargo names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DepKind {
    Normal,
    Build,
    Dev,
}

impl DepKind {
    /// The manifest table that holds dependencies of this kind.
    pub fn table(self) -> &'static str {
        match self {
            DepKind::Normal => "dependencies",
            DepKind::Build => "build-dependencies",
            DepKind::Dev => "dev-dependencies",
        }
    }
}

impl fmt::Display for DepKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DepKind::Normal => "normal",
            DepKind::Build => "build",
            DepKind::Dev => "dev",
        })
    }
}
