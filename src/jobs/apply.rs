//! `apply`: write the plan into the working tree — manifests, changelogs, `Cargo.lock` — and
//! nothing else (no commit, no push, no token). Exactly what `prepare` commits.
//!
//! Every new text is computed, and every path to write checked, before the first write: a
//! manifest that cannot be edited, or a path that is a link or leads outside the repository,
//! leaves the tree untouched. When `cargo update` fails after the writes, they are undone.

use std::path::{Component, Path, PathBuf};

use crate::adapters::cargo::Cargo;
use crate::error::{Error, Result};
use crate::jobs::{Context, gather_and_plan};
use crate::plan::changelog::{insert_section, insert_workspace_section, workspace_section};
use crate::plan::manifest::apply_edits;
use crate::plan::release::ReleasePlan;
use crate::plan::render;

/// Files written, relative to the workspace root.
pub struct ApplyReport {
    pub plan: ReleasePlan,
    pub written: Vec<PathBuf>,
}

pub fn run(ctx: &mut Context<'_>) -> Result<ApplyReport> {
    // A shallow clone would make released crates look new: their changelogs would get sections
    // for versions already released.
    ctx.require_full_history("apply")?;
    let (plan, gathered) = gather_and_plan(ctx)?;
    let place = Place {
        fence: &gathered.repo_root,
        root: &gathered.root,
    };
    let writes = planned_writes(&plan, place)?;
    let written = write(ctx.cargo()?, &gathered.root, gathered.lockfile, writes)?;

    for line in &gathered.api_log {
        ctx.print(&format!("{line}\n"))?;
    }
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

/// Where files are written: `root`-relative paths, none of which may lead out of `fence`
/// (the repository, or the worktree a release commit is built in).
#[derive(Debug, Clone, Copy)]
pub struct Place<'a> {
    pub fence: &'a Path,
    pub root: &'a Path,
}

/// The new text of every file the plan changes under the workspace root (relative paths),
/// computed before anything is written; files that would not change are left out. Each path,
/// and `Cargo.lock` when there is one, is checked with [`confined`] before it is read.
pub fn planned_writes(plan: &ReleasePlan, place: Place<'_>) -> Result<Vec<(PathBuf, String)>> {
    let root = place.root;
    let read = |rel: &Path| -> Result<Option<String>> {
        let path = confined(place, rel)?;
        match std::fs::read_to_string(&path) {
            Ok(text) => Ok(Some(text)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(Error::Io {
                action: "read",
                path,
                source,
            }),
        }
    };
    let mut writes: Vec<(PathBuf, String)> = Vec::new();
    for (manifest, edits) in &plan.manifest_edits {
        let rel = PathBuf::from(manifest);
        let text = read(&rel)?.ok_or_else(|| Error::Io {
            action: "read",
            path: root.join(&rel),
            source: std::io::ErrorKind::NotFound.into(),
        })?;
        let new = apply_edits(&text, edits).map_err(|source| Error::Manifest {
            path: root.join(&rel),
            source,
        })?;
        if new != text {
            writes.push((rel, new));
        }
    }
    let mut changed = |rel: PathBuf, new: &dyn Fn(Option<&str>) -> String| -> Result<()> {
        let slot = writes.iter().position(|(path, _)| *path == rel);
        let existing = match slot {
            Some(at) => Some(writes[at].1.clone()),
            None => read(&rel)?,
        };
        let text = new(existing.as_deref());
        match slot {
            Some(at) => writes[at].1 = text,
            None if existing.as_deref() != Some(text.as_str()) => writes.push((rel, text)),
            None => {}
        }
        Ok(())
    };
    for c in plan.released() {
        if let Some(file) = &c.changelog_file {
            let rel = PathBuf::from(&c.manifest).with_file_name(file);
            changed(rel, &|old| {
                insert_section(old, &c.planned_version, &c.changelog)
            })?;
        }
    }
    if let Some(file) = &plan.workspace_changelog {
        // Inserted last to first: each goes on top, so they read in the plan's order.
        for c in plan.released().collect::<Vec<_>>().into_iter().rev() {
            let section = workspace_section(&c.name, &c.changelog);
            changed(PathBuf::from(file), &|old| {
                insert_workspace_section(old, &c.name, &c.planned_version, &section)
            })?;
        }
    }
    if !writes.is_empty() {
        // `cargo update` writes it in place: a link would carry that write elsewhere.
        confined(place, Path::new("Cargo.lock"))?;
    }
    Ok(writes)
}

/// `rel` under `place.root`, when writing it stays inside `place.fence`: a relative path
/// without `..`, whose directory resolves inside the fence, and which is not itself a link or
/// anything but a regular file. Errors name `rel` as the user sees it, never a scratch path.
pub(crate) fn confined(place: Place<'_>, rel: &Path) -> Result<PathBuf> {
    let refuse = |why: &'static str| Error::UnsafeWrite {
        path: rel.to_owned(),
        why,
    };
    for part in rel.components() {
        match part {
            Component::Normal(_) | Component::CurDir => {}
            Component::ParentDir => return Err(refuse("its path climbs out with `..`")),
            Component::RootDir | Component::Prefix(_) => {
                return Err(refuse("it is outside the repository"));
            }
        }
    }
    let path = place.root.join(rel);
    let dir = path.parent().unwrap_or(place.root);
    if !resolved(dir).starts_with(resolved(place.fence)) {
        return Err(refuse(
            "its directory is outside the repository (a link leads there)",
        ));
    }
    match std::fs::symlink_metadata(&path) {
        Ok(meta) if meta.file_type().is_symlink() => Err(refuse("it is a symbolic link")),
        Ok(meta) if !meta.is_file() => Err(refuse("it is not a regular file")),
        _ => Ok(path),
    }
}

/// `path` with every link resolved, as far as it exists (the rest appended as written).
pub(crate) fn resolved(path: &Path) -> PathBuf {
    let mut existing = path;
    let mut rest = Vec::new();
    loop {
        if let Ok(real) = existing.canonicalize() {
            return rest.iter().rev().fold(real, |p, part| p.join(part));
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_owned());
                existing = parent;
            }
            _ => return path.to_owned(),
        }
    }
}

/// Write `writes` under `root` (paths [`planned_writes`] checked), then refresh `Cargo.lock`
/// when the workspace has one of its own (`lockfile`, decided before any cargo command could
/// write one) so it records the new versions. Returns the files changed: [`changed_files`]. A
/// failure on the way puts every file back as it was.
pub fn write(
    cargo: &Cargo,
    root: &Path,
    lockfile: bool,
    writes: Vec<(PathBuf, String)>,
) -> Result<Vec<PathBuf>> {
    let files = changed_files(lockfile, &writes);
    let before: Vec<(PathBuf, Option<Vec<u8>>)> = files
        .iter()
        .map(|rel| (rel.clone(), std::fs::read(root.join(rel)).ok()))
        .collect();
    let written = writes.iter().try_for_each(|(rel, text)| {
        let path = root.join(rel);
        std::fs::write(&path, text).map_err(|source| Error::Io {
            action: "write",
            path,
            source,
        })
    });
    let refreshed = match written {
        Ok(()) if files.len() > writes.len() => {
            cargo
                .refresh_lockfile(root)
                .map_err(|source| Error::LockfileRefresh {
                    files: files.clone(),
                    not_restored: Vec::new(),
                    source: Box::new(source),
                })
        }
        other => other,
    };
    if let Err(mut error) = refreshed {
        let not_restored = restore(root, &before);
        if let Error::LockfileRefresh {
            not_restored: n, ..
        } = &mut error
        {
            *n = not_restored;
        }
        return Err(error);
    }
    Ok(files)
}

/// Put each file back as it was (`None`: it did not exist); the files that could not be.
fn restore(root: &Path, before: &[(PathBuf, Option<Vec<u8>>)]) -> Vec<PathBuf> {
    before
        .iter()
        .filter(|(rel, old)| {
            let path = root.join(rel);
            let done = match old {
                Some(bytes) => std::fs::write(&path, bytes),
                None => match std::fs::remove_file(&path) {
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                    other => other,
                },
            };
            done.is_err()
        })
        .map(|(rel, _)| rel.clone())
        .collect()
}

/// The files `writes` changes: those written, and `Cargo.lock` when the workspace has one
/// (`lockfile`) to refresh.
pub fn changed_files(lockfile: bool, writes: &[(PathBuf, String)]) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = writes.iter().map(|(rel, _)| rel.clone()).collect();
    if !files.is_empty() && lockfile {
        files.push(PathBuf::from("Cargo.lock"));
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A repository `repo/` with a workspace in `repo/ws`, and a directory beside it.
    fn layout() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for sub in ["repo/ws/crates/a", "outside"] {
            std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        }
        std::fs::write(dir.path().join("repo/ws/crates/a/Cargo.toml"), "x").unwrap();
        std::fs::write(dir.path().join("outside/CHANGELOG.md"), "theirs").unwrap();
        dir
    }

    fn check(dir: &Path, rel: &str) -> std::result::Result<PathBuf, String> {
        let fence = dir.join("repo");
        let root = fence.join("ws");
        confined(
            Place {
                fence: &fence,
                root: &root,
            },
            Path::new(rel),
        )
        .map_err(|e| e.to_string())
    }

    #[test]
    fn a_regular_or_new_file_inside_the_repository_may_be_written() {
        let dir = layout();
        assert!(check(dir.path(), "crates/a/Cargo.toml").is_ok());
        assert!(check(dir.path(), "crates/a/CHANGELOG.md").is_ok());
        // A link to a directory inside the repository resolves inside: fine.
        std::os::unix::fs::symlink(
            dir.path().join("repo/ws/crates/a"),
            dir.path().join("repo/ws/b"),
        )
        .unwrap();
        assert!(check(dir.path(), "b/CHANGELOG.md").is_ok());
        assert!(check(dir.path(), "crates/new/CHANGELOG.md").is_ok());
    }

    #[test]
    fn links_climbing_and_absolute_paths_are_refused_naming_the_path_as_written() {
        let dir = layout();
        let outside = dir.path().join("outside");
        std::os::unix::fs::symlink(
            outside.join("CHANGELOG.md"),
            dir.path().join("repo/ws/crates/a/CHANGELOG.md"),
        )
        .unwrap();
        std::os::unix::fs::symlink(&outside, dir.path().join("repo/ws/crates/evil")).unwrap();
        std::os::unix::fs::symlink("../../nowhere", dir.path().join("repo/ws/crates/dangling"))
            .unwrap();
        std::fs::create_dir(dir.path().join("repo/ws/crates/a/dir.md")).unwrap();
        let absolute = outside.join("Cargo.toml").display().to_string();
        for (rel, why) in [
            ("crates/a/CHANGELOG.md", "it is a symbolic link"),
            ("crates/dangling", "it is a symbolic link"),
            (
                "crates/evil/CHANGELOG.md",
                "its directory is outside the repository",
            ),
            (
                "crates/evil/sub/CHANGELOG.md",
                "its directory is outside the repository",
            ),
            ("../outside/CHANGELOG.md", "climbs out with `..`"),
            ("crates/../../../outside/x", "climbs out with `..`"),
            (absolute.as_str(), "it is outside the repository"),
            ("crates/a/dir.md", "it is not a regular file"),
        ] {
            let err = check(dir.path(), rel).unwrap_err();
            assert!(
                err.starts_with(&format!("refusing to write {rel}: ")),
                "{err}"
            );
            assert!(err.contains(why), "{rel}: {err}");
        }
        assert_eq!(
            std::fs::read_to_string(outside.join("CHANGELOG.md")).unwrap(),
            "theirs"
        );
    }

    #[test]
    fn a_failed_write_puts_back_every_file_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("a.toml"), "old").unwrap();
        std::fs::create_dir(root.join("blocked")).unwrap();
        let writes = vec![
            (PathBuf::from("a.toml"), "new".to_owned()),
            (PathBuf::from("new.md"), "fresh".to_owned()),
            // A directory cannot be written as a file: the third write fails.
            (PathBuf::from("blocked"), "x".to_owned()),
        ];
        let err = write(&Cargo::default(), root, false, writes).unwrap_err();
        assert!(err.to_string().starts_with("could not write"), "{err}");
        assert_eq!(std::fs::read_to_string(root.join("a.toml")).unwrap(), "old");
        assert!(!root.join("new.md").exists());
    }
}
