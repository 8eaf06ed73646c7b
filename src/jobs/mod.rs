//! Thin orchestrators: gather the facts through the adapters, hand them to `plan`, carry out
//! what comes back, and report. Jobs decide no policy of their own.

pub mod apply;
pub mod plan;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::adapters::actions::Runner;
use crate::adapters::{cargo, git::Git};
use crate::config::Config;
use crate::config::file::{Settings, load_settings};
use crate::error::{Error, Result};
use crate::plan::release::{Facts, PlanOptions, Published, ReleasePlan, build_plan};

/// What every job runs with.
pub struct Context<'a> {
    pub config: Config,
    pub env: BTreeMap<String, String>,
    pub runner: Runner,
    pub out: &'a mut dyn Write,
}

impl Context<'_> {
    pub fn print(&mut self, text: &str) -> Result<()> {
        self.out
            .write_all(text.as_bytes())
            .map_err(|source| Error::Io {
                action: "write to",
                path: PathBuf::from("stdout"),
                source,
            })
    }

    fn env(&self, name: &str) -> Option<&str> {
        self.env
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// `https://github.com/owner/repo` when running for a GitHub repository.
    pub fn repository_url(&self) -> Option<String> {
        let repo = self.env("GITHUB_REPOSITORY")?;
        let server = self
            .env("GITHUB_SERVER_URL")
            .unwrap_or("https://github.com");
        Some(format!("{}/{repo}", server.trim_end_matches('/')))
    }
}

/// The facts a plan is made from, kept for the jobs that act on it.
pub struct Gathered {
    /// The workspace root on disk.
    pub root: PathBuf,
    pub settings: Settings,
}

/// Read the workspace, its history and the configuration, and plan the release.
pub fn gather_and_plan(ctx: &Context<'_>) -> Result<(ReleasePlan, Gathered)> {
    let config = &ctx.config;
    let mut shallow = false;
    let (metadata, repo_root, history, tags) = match &config.metadata_file {
        Some(file) => {
            let meta = cargo::metadata_from_file(file)?;
            let root = meta.workspace_root.clone().into_std_path_buf();
            (meta, root, Vec::new(), Vec::new())
        }
        None => {
            // Git first: a workspace outside git is the more basic mistake.
            let git = Git::discover(&config.workspace)?;
            // Reading the history is most of a plan's time: let cargo work meanwhile.
            let (meta, history) = std::thread::scope(|s| {
                let log = s.spawn(|| git.log());
                let meta = cargo::metadata(&config.workspace);
                (meta, log.join().expect("git log thread"))
            });
            let (meta, history, tags) = (meta?, history?, git.tags()?);
            shallow = git.is_shallow()?;
            (meta, git.root().to_owned(), history, tags)
        }
    };
    let root = metadata.workspace_root.clone().into_std_path_buf();
    let root_manifest = std::fs::read_to_string(root.join("Cargo.toml")).ok();
    let settings = load_settings(
        &config.config_file,
        config.config_explicit,
        root_manifest.as_deref(),
    )?;
    let workspace = cargo::workspace(&metadata, &repo_root)?;
    let published = match &config.published_file {
        Some(path) => read_published(path)?,
        None => Published::new(),
    };
    let options = PlanOptions {
        forced_bump: config.bump_type,
        force_prepare: config.force_prepare,
        prerelease: config.prerelease.clone(),
        group: config.group.clone(),
        tag_format: settings.tag_format.clone(),
        groups: settings.groups.clone(),
        dependents_bump: settings.dependents_bump,
        registry: config.registry.clone(),
        date: today(),
        repository_url: ctx.repository_url(),
    };
    let facts = Facts {
        workspace: &workspace,
        history: &history,
        tags: &tags,
        published: &published,
        assume_tagged_published: config.published_file.is_none(),
    };
    let mut plan = build_plan(facts, &options)?;
    if shallow {
        plan.notes.push(
            "this clone is shallow: release tags and commits beyond its depth are missing, so crates may look new or changed; fetch the whole history (actions/checkout with `fetch-depth: 0`)".into(),
        );
    }
    Ok((plan, Gathered { root, settings }))
}

fn read_published(path: &Path) -> Result<Published> {
    let err = |message: String| Error::PublishedFile {
        path: path.to_owned(),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
    serde_json::from_str(&text).map_err(|e| err(e.to_string()))
}

fn today() -> String {
    time::OffsetDateTime::now_utc().date().to_string()
}
