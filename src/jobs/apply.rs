//! `apply`: write the plan into the working tree — manifests, changelogs, `Cargo.lock` — and
//! nothing else (no commit, no push, no token). Exactly what `prepare` commits.
//!
//! Every new text is computed before the first write, so a manifest that cannot be edited
//! leaves the tree untouched.

use std::path::{Path, PathBuf};

use crate::adapters::cargo;
use crate::error::{Error, Result};
use crate::jobs::{Context, gather_and_plan};
use crate::plan::changelog::insert_section;
use crate::plan::manifest::apply_edits;
use crate::plan::release::ReleasePlan;
use crate::plan::render;

/// Files written, relative to the workspace root.
pub struct ApplyReport {
    pub plan: ReleasePlan,
    pub written: Vec<PathBuf>,
}

pub fn run(ctx: &mut Context<'_>) -> Result<ApplyReport> {
    let (plan, gathered) = gather_and_plan(ctx)?;
    let writes = planned_writes(&plan, &gathered.root, gathered.settings.changelog.enabled)?;
    let written = write(&gathered.root, writes)?;

    ctx.print(&render::text(&plan))?;
    let mut listing = format!("\nWrote {} file(s):\n", written.len());
    for path in &written {
        listing.push_str(&format!("  {}\n", path.display()));
    }
    ctx.print(&listing)?;
    ctx.runner.summary(&render::markdown(&plan))?;
    ctx.runner
        .set_output("has_bumps", if plan.has_bumps() { "true" } else { "false" })?;
    Ok(ApplyReport { plan, written })
}

/// The new text of every file the plan changes under the workspace `root` (relative paths),
/// computed before anything is written; files that would not change are left out.
pub fn planned_writes(
    plan: &ReleasePlan,
    root: &Path,
    changelogs: bool,
) -> Result<Vec<(PathBuf, String)>> {
    let read = |rel: &PathBuf| {
        let path = root.join(rel);
        std::fs::read_to_string(&path).map_err(|source| Error::Io {
            action: "read",
            path,
            source,
        })
    };
    let mut writes: Vec<(PathBuf, String)> = Vec::new();
    for (manifest, edits) in &plan.manifest_edits {
        let rel = PathBuf::from(manifest);
        let text = read(&rel)?;
        let new = apply_edits(&text, edits).map_err(|source| Error::Manifest {
            path: root.join(&rel),
            source,
        })?;
        if new != text {
            writes.push((rel, new));
        }
    }
    if changelogs {
        for c in plan.released() {
            let rel = PathBuf::from(&c.manifest).with_file_name("CHANGELOG.md");
            let existing = match std::fs::read_to_string(root.join(&rel)) {
                Ok(text) => Some(text),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(source) => {
                    return Err(Error::Io {
                        action: "read",
                        path: root.join(&rel),
                        source,
                    });
                }
            };
            let new = insert_section(existing.as_deref(), &c.planned_version, &c.changelog);
            if existing.as_deref() != Some(new.as_str()) {
                writes.push((rel, new));
            }
        }
    }
    Ok(writes)
}

/// Write `writes` under `root`, then refresh `Cargo.lock` (when there is one) so it records
/// the new versions. Returns the files changed: [`changed_files`].
pub fn write(root: &Path, writes: Vec<(PathBuf, String)>) -> Result<Vec<PathBuf>> {
    for (rel, text) in &writes {
        let path = root.join(rel);
        std::fs::write(&path, text).map_err(|source| Error::Io {
            action: "write",
            path,
            source,
        })?;
    }
    let files = changed_files(root, &writes);
    if files.len() > writes.len() {
        cargo::refresh_lockfile(root)?;
    }
    Ok(files)
}

/// The files `writes` changes under `root`: those written, and `Cargo.lock` when there is one
/// to refresh. What a dry run lists without writing.
pub fn changed_files(root: &Path, writes: &[(PathBuf, String)]) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = writes.iter().map(|(rel, _)| rel.clone()).collect();
    if !files.is_empty() && root.join("Cargo.lock").exists() {
        files.push(PathBuf::from("Cargo.lock"));
    }
    files
}
