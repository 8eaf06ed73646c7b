//! Pre-flight: what makes a crate unfit to upload, found from its manifest before anything is
//! public, and which versioned dev-dependencies verification must make path-only.
//!
//! Pure: the job hands in what cargo says about each package and carries out the checks that
//! need cargo (the build, packaging) itself; their failures come back here as [`Problem`]s.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::Serialize;

use crate::hint::Hint;
use crate::plan::DepKind;
use crate::plan::graph::Edge;
use crate::plan::workspace::Workspace;

/// crates.io refuses a `.crate` file larger than this.
pub const MAX_CRATE_BYTES: u64 = 10 * 1024 * 1024;

/// What pre-flight knows of one package to publish.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PackageFacts {
    pub name: String,
    /// Workspace-relative manifest path, for messages.
    pub manifest: String,
    pub description: bool,
    pub license: bool,
    pub license_file: bool,
    pub deps: Vec<DepFacts>,
}

#[cfg(test)]
impl PackageFacts {
    /// A package with everything a registry asks for, and no dependency.
    pub(crate) fn complete(name: &str) -> PackageFacts {
        PackageFacts {
            name: name.to_owned(),
            manifest: format!("crates/{name}/Cargo.toml"),
            description: true,
            license: true,
            license_file: false,
            deps: Vec::new(),
        }
    }
}

/// One dependency as cargo reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepFacts {
    pub name: String,
    pub dev: bool,
    /// `*`, or no requirement at all.
    pub wildcard: bool,
    /// A `path` dependency (to a member or elsewhere).
    pub path: bool,
}

/// Something that stops a release before anything is uploaded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum Problem {
    MissingMetadata {
        krate: String,
        manifest: String,
        fields: Vec<&'static str>,
    },
    Wildcard {
        krate: String,
        manifest: String,
        dependency: String,
    },
    PathOnly {
        krate: String,
        manifest: String,
        dependency: String,
    },
    TooLarge {
        krate: String,
        bytes: u64,
    },
    NoToken {
        variable: String,
    },
    NoApi {
        index: String,
    },
    NewCratesNeedToken {
        crates: Vec<String>,
        variable: String,
    },
    Build {
        /// The command that failed, as run.
        command: String,
        output: String,
    },
    Verify {
        output: String,
    },
}

impl Problem {
    /// The manifest's fault or the configuration's (exit 2), not a failed build.
    pub fn is_input(&self) -> bool {
        !matches!(self, Problem::Build { .. } | Problem::Verify { .. })
    }

    /// The crates this problem is about (its dependents cannot go either); none when it stops
    /// the whole release (no token, a failed build).
    pub fn crates(&self) -> Vec<&str> {
        match self {
            Problem::MissingMetadata { krate, .. }
            | Problem::Wildcard { krate, .. }
            | Problem::PathOnly { krate, .. }
            | Problem::TooLarge { krate, .. } => vec![krate.as_str()],
            Problem::NewCratesNeedToken { crates, .. } => {
                crates.iter().map(String::as_str).collect()
            }
            Problem::NoToken { .. }
            | Problem::NoApi { .. }
            | Problem::Build { .. }
            | Problem::Verify { .. } => Vec::new(),
        }
    }
}

impl Hint for Problem {
    /// What to do about it.
    fn hint(&self) -> Option<String> {
        Some(match self {
            Problem::MissingMetadata { fields, .. } => format!(
                "add {} to [package] (registries refuse crates without them)",
                fields
                    .iter()
                    .map(|f| format!("`{f}`"))
                    .collect::<Vec<_>>()
                    .join(" and ")
            ),
            Problem::Wildcard { dependency, .. } => format!(
                "give `{dependency}` a version requirement such as \"1.2\": registries refuse `*`"
            ),
            Problem::PathOnly { dependency, .. } => format!(
                "add `version = \"…\"` beside `path` for `{dependency}`, or make it a path-only dev-dependency"
            ),
            Problem::TooLarge { .. } => {
                "leave files out of the package with `exclude` or `include` in [package]; `cargo package --list` shows what goes in".into()
            }
            Problem::NoToken { variable } => format!(
                "set {variable} to a registry API token with the publish-update scope, or use trusted publishing (permissions `id-token: write`, a trusted publisher configured on crates.io)"
            ),
            Problem::NoApi { .. } => {
                "point the registry's `index` at a registry that accepts uploads (its config.json names an `api`)".into()
            }
            Problem::NewCratesNeedToken { variable, .. } => format!(
                "a crate's first version cannot be published with trusted publishing: set {variable} for this release, then configure a trusted publisher for each new crate"
            ),
            Problem::Build { command, .. } => {
                format!("fix the build: `{command}` must succeed at the release commit")
            }
            Problem::Verify { .. } => {
                "fix the package: the crates are built from their packaged sources as the registry will see them (`cargo package`)".into()
            }
        })
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::MissingMetadata {
                krate,
                manifest,
                fields,
            } => write!(f, "{krate} ({manifest}) has no {}", fields.join(" or ")),
            Problem::Wildcard {
                krate,
                manifest,
                dependency,
            } => write!(
                f,
                "{krate} ({manifest}) depends on `{dependency}` with the wildcard requirement `*`"
            ),
            Problem::PathOnly {
                krate,
                manifest,
                dependency,
            } => write!(
                f,
                "{krate} ({manifest}) depends on `{dependency}` by path only, which cannot be published"
            ),
            Problem::TooLarge { krate, bytes } => write!(
                f,
                "{krate} packages to {:.1} MB, over the registry's limit of {} MB",
                *bytes as f64 / 1_048_576.0,
                MAX_CRATE_BYTES / 1_048_576
            ),
            Problem::NoToken { variable } => {
                write!(f, "no registry token: {variable} is not set")
            }
            Problem::NoApi { index } => write!(
                f,
                "the registry index {index} names no API in its config.json: nothing can be uploaded to it"
            ),
            Problem::NewCratesNeedToken { crates, .. } => write!(
                f,
                "new crates cannot use trusted publishing: {}",
                crates.join(", ")
            ),
            Problem::Build { output, .. } => write!(f, "the release build failed:\n{output}"),
            Problem::Verify { output } => {
                write!(f, "verifying the packages failed:\n{output}")
            }
        }
    }
}

/// The manifest checks of pre-flight for one package: metadata every registry asks for, and
/// dependencies that cannot be published.
pub fn manifest_problems(p: &PackageFacts) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut fields = Vec::new();
    if !p.description {
        fields.push("description");
    }
    if !p.license && !p.license_file {
        fields.push("license");
    }
    if !fields.is_empty() {
        out.push(Problem::MissingMetadata {
            krate: p.name.clone(),
            manifest: p.manifest.clone(),
            fields,
        });
    }
    for dep in &p.deps {
        // A path dev-dependency without a version is dropped by cargo when packaging.
        if dep.path && dep.wildcard && !dep.dev {
            out.push(Problem::PathOnly {
                krate: p.name.clone(),
                manifest: p.manifest.clone(),
                dependency: dep.name.clone(),
            });
        } else if dep.wildcard && !dep.path {
            out.push(Problem::Wildcard {
                krate: p.name.clone(),
                manifest: p.manifest.clone(),
                dependency: dep.name.clone(),
            });
        }
    }
    out
}

/// Per manifest (workspace-relative), the versioned dev-dependencies among `selected` that are
/// no publish edge (a published version satisfies them: serde's shape). cargo orders the crates
/// it packages together by every versioned dependency among them, these included, and stalls
/// on the cycle they close; verification makes them path-only.
pub fn unordered_dev_deps(
    ws: &Workspace,
    edges: &[Edge],
    selected: &BTreeSet<String>,
) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for name in selected {
        let Some(member) = ws.member(name) else {
            continue;
        };
        for dep in &member.deps {
            let ordered = edges
                .iter()
                .any(|e| e.from == *name && e.to == dep.name && e.kind == DepKind::Dev);
            if dep.kind == DepKind::Dev
                && dep.req.is_some()
                && selected.contains(&dep.name)
                && !ordered
            {
                out.entry(member.manifest.clone())
                    .or_default()
                    .insert(dep.name.clone());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
