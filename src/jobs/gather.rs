//! Gathering the facts a plan is made from: the workspace, its history and tags, the
//! configuration, and what the registry (or `--published-file`) has.

use std::path::Path;

use crate::adapters::cargo;
use crate::adapters::git::{Git, GitError};
use crate::error::{Error, Result};
use crate::plan::api::ApiChecks;
use crate::plan::release::{
    ManifestHistory, ManifestRead, ManifestTexts, Published, manifest_reads,
};

use super::{
    Context, Gathered, Lookup, Selection, api, every_version, plan_options, registry_listing,
    resolvable, today,
};

/// Read the workspace, its history, its tags, the configuration, and (with [`Lookup::Index`])
/// which versions the registry has.
pub fn gather(ctx: &Context<'_>, lookup: Lookup) -> Result<Gathered> {
    let config = &ctx.config;
    let mut shallow = false;
    let mut package_dirs = Vec::new();
    let (metadata, repo_root, history, tags, git) = match &config.metadata_file {
        Some(file) => {
            let meta = cargo::metadata_from_file(file)?;
            let root = meta.workspace_root.clone().into_std_path_buf();
            (meta, root, Vec::new(), Vec::new(), None)
        }
        None => {
            // Git first: a workspace outside git is the more basic mistake.
            let git = ctx.git()?;
            // Reading the history is most of a plan's time: let cargo work meanwhile.
            let (meta, history) = std::thread::scope(|s| {
                let log = s.spawn(|| git.log());
                let meta = ctx.metadata(&config.workspace);
                let history = log.join().unwrap_or_else(|_| {
                    Err(GitError::Failed {
                        command: "log".into(),
                        dir: git.root().to_owned(),
                        stderr: "the thread reading the history stopped".into(),
                    })
                });
                (meta, history)
            });
            let (meta, history, tags) = (meta?, history?, git.tags()?);
            shallow = git.is_shallow()?;
            package_dirs = git.package_dirs()?;
            let root = git.root().to_owned();
            (meta, root, history, tags, Some(git))
        }
    };
    let root = metadata.workspace_root.clone().into_std_path_buf();
    // Before anything could write one (`cargo metadata --no-deps` does not).
    let lockfile = cargo::has_lockfile(&root);
    let settings = ctx.settings(&root)?;
    let mut workspace = cargo::workspace(&metadata, &repo_root)?;
    workspace.package_dirs = package_dirs;
    settings.check_packages(workspace.members.iter().map(|m| m.name.as_str()))?;
    let registry = config.registry.as_deref();
    settings.check_release(|name| {
        (workspace.member(name)).is_some_and(|m| m.publish.allows(registry))
    })?;
    let target_dir = metadata.target_directory.clone().into_std_path_buf();
    let libs = cargo::library_members(&metadata);
    let mut index_unread = None;
    let (published, listed) = match (&config.published_file, lookup) {
        (Some(path), _) => {
            let published = read_published(path)?;
            (Some(published.clone()), Some(published))
        }
        (None, Lookup::Offline) => (None, None),
        (None, Lookup::Index) => {
            let spec = ctx.registry(&root)?;
            let names = workspace
                .publishable(spec.name.as_deref())
                .map(|m| m.name.as_str());
            match registry_listing(ctx, &spec, names) {
                Ok(listed) => (Some(resolvable(&listed)), Some(every_version(&listed))),
                Err(why) => {
                    index_unread = Some(why);
                    (None, None)
                }
            }
        }
    };
    let mut gathered = Gathered {
        root,
        lockfile,
        repo_root,
        settings,
        workspace,
        history,
        tags,
        published,
        listed,
        index_unread,
        shallow,
        api: ApiChecks::new(),
        api_log: Vec::new(),
        target_dir,
        libs,
        manifests: ManifestHistory::new(),
        date: today(),
        configured: None,
    };
    // Before the API checks: they plan already, and a plan needs these texts.
    if let Some(git) = git {
        let options = plan_options(ctx, &gathered.settings, &Selection::Configured);
        let none = Published::new();
        let reads = manifest_reads(gathered.facts(&none), &options)?;
        gathered.manifests = manifest_texts(&git, &reads)?;
    }
    api::check(ctx, &mut gathered)?;
    Ok(gathered)
}

/// Each manifest of `reads` before and after its commit, in one batch of reads.
fn manifest_texts(git: &Git, reads: &[ManifestRead]) -> Result<ManifestHistory> {
    let wanted: Vec<(&str, &str)> = reads
        .iter()
        .flat_map(|r| {
            let path = r.path.as_str();
            std::iter::once((r.commit.as_str(), path)).chain(r.parent.as_deref().map(|p| (p, path)))
        })
        .collect();
    let mut texts = git.files_at(&wanted)?.into_iter();
    let mut out = ManifestHistory::new();
    for read in reads {
        let after = texts.next().flatten();
        let before = match read.parent {
            Some(_) => texts.next().flatten(),
            None => None,
        };
        (out.entry(read.path.clone()).or_default())
            .insert(read.commit.clone(), ManifestTexts { before, after });
    }
    Ok(out)
}

fn read_published(path: &Path) -> Result<Published> {
    let err = |message: String| Error::PublishedFile {
        path: path.to_owned(),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
    serde_json::from_str(&text).map_err(|e| err(e.to_string()))
}
