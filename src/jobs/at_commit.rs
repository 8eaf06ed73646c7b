//! The workspace as it was at a commit: its directory, and its members' versions there.

use std::path::{Path, PathBuf};

use crate::adapters::git::{Git, Worktree};
use crate::error::Result;
use crate::plan::manifest::manifest_facts;
use crate::plan::workspace::Member;

use super::Context;

/// The workspace directory as it is at `commit`: the checkout itself when HEAD has the same
/// tree, else the same directory in a scratch worktree of `commit`, kept while the guard lives.
pub(crate) fn workspace_at(
    ctx: &Context<'_>,
    git: &Git,
    commit: &str,
    label: &str,
) -> Result<(PathBuf, Option<Worktree>)> {
    let dir = ctx.config.workspace.clone();
    if git.tree("HEAD")? == git.tree(commit)? {
        return Ok((dir, None));
    }
    let tree = git.worktree(label, commit)?;
    let dir = tree.dir().join(relative_to(&dir, git.root()));
    Ok((dir, Some(tree)))
}

/// Each of `members`' version as its manifest (or the root's `[workspace.package]`) writes it
/// at each of `commits`, read in one `cat-file --batch`; `workspace_dir` is the workspace root
/// relative to the repository root. `None` where the manifest or its version is missing.
pub(crate) fn member_versions_at<const N: usize>(
    git: &Git,
    workspace_dir: &Path,
    members: &[&Member],
    commits: [&str; N],
) -> Result<[Vec<Option<String>>; N]> {
    let path = |rel: &str| workspace_dir.join(rel).to_string_lossy().replace('\\', "/");
    let paths: Vec<String> = std::iter::once(path("Cargo.toml"))
        .chain(members.iter().map(|m| path(&m.manifest)))
        .collect();
    let wanted: Vec<(&str, &str)> = commits
        .iter()
        .flat_map(|commit| paths.iter().map(move |p| (*commit, p.as_str())))
        .collect();
    let texts = git.files_at(&wanted)?;
    Ok(std::array::from_fn(|at| {
        let texts = &texts[at * paths.len()..(at + 1) * paths.len()];
        let facts = |i: usize| {
            texts[i]
                .as_deref()
                .and_then(|text| manifest_facts(text).ok())
        };
        members
            .iter()
            .enumerate()
            .map(|(i, m)| match m.version_from_workspace {
                true => facts(0).and_then(|f| f.workspace_version),
                false => facts(i + 1).and_then(|f| f.package_version),
            })
            .collect()
    }))
}

/// `path` relative to `base` (both canonicalised so symlinked temp dirs compare equal).
pub(crate) fn relative_to(path: &Path, base: &Path) -> PathBuf {
    let canon = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_owned());
    canon(path)
        .strip_prefix(canon(base))
        .map(Path::to_owned)
        .unwrap_or_default()
}
