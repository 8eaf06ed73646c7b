//! Thin orchestrators: gather the facts through the adapters, hand them to `plan`, carry out
//! what comes back, and report. Jobs decide no policy of their own.

mod api;
pub mod apply;
pub mod auto;
pub mod index_wait;
pub mod notify;
pub mod plan;
pub mod prepare;
pub mod publish;
pub mod release;
pub mod target_dir;
pub mod yank;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use cargo_metadata::Metadata;

use crate::adapters::actions::{Console, END_GROUP, Runner, group_command};
use crate::adapters::cargo::{self, Cargo};
use crate::adapters::git::{Git, GitError, Trust, Worktree};
use crate::adapters::github::{GitHub, GitHubError};
use crate::adapters::index::{Index, IndexError, index_path};
use crate::adapters::registry::{self, RegistrySpec};
use crate::adapters::toolchain;
use crate::config::Config;
use crate::config::file::{Settings, load_settings};
use crate::error::{Error, Result};
use crate::plan::api::ApiChecks;
use crate::plan::history::{RawCommit, Tag};
use crate::plan::manifest::manifest_facts;
use crate::plan::release::{
    Facts, ManifestHistory, ManifestRead, ManifestTexts, PlanOptions, Published, ReleasePlan,
    build_plan, manifest_reads,
};
use crate::plan::toolchain::{Toolchain, check as check_rust_versions};
use crate::plan::trigger::Event;
use crate::plan::workspace::{Member, Workspace};
use semver::Version;

/// What every job runs with: the configuration (the environment resolved in it), the runner's
/// files, and where the log goes.
pub struct Context<'a> {
    pub config: Config,
    pub runner: Runner,
    /// Standard output: untrusted text is printed inert ([`Console`]).
    pub out: Console<'a>,
    /// cargo with the run's toolchain, found (and installed) on first use: once per run.
    pub cargo: OnceLock<(Cargo, Toolchain)>,
}

impl Context<'_> {
    /// Print text: never read as a workflow command, never a terminal escape.
    pub fn print(&mut self, text: &str) -> Result<()> {
        self.out.text(text).map_err(stdout_error)
    }

    /// Print a workflow command of our own (`::add-mask::`, `::group::`, an annotation).
    pub fn command(&mut self, line: &str) -> Result<()> {
        self.out.command(line).map_err(stdout_error)
    }

    /// The GitHub event this run was started for, read before anything else.
    pub fn event(&self) -> Option<&Event> {
        self.config.env.event.as_ref()
    }

    /// The pull request number of a `pull_request` event, when this run has one.
    pub fn event_pull_number(&self) -> Option<u64> {
        match self.event()? {
            Event::PullRequest(e) => Some(e.pull_request.number),
            _ => None,
        }
    }

    /// The settings of the workspace whose root is `root` (`releasekit.toml`, or the metadata
    /// table of its root manifest).
    pub fn settings(&self, root: &Path) -> Result<Settings> {
        let root_manifest = std::fs::read_to_string(root.join("Cargo.toml")).ok();
        Ok(load_settings(
            &self.config.config_file,
            self.config.config_explicit,
            root_manifest.as_deref(),
        )?)
    }

    /// Which directories git may accept although another user owns them (inside Actions only).
    pub fn trust(&self) -> Trust {
        Trust::new(self.config.env.trusted_dirs.clone())
    }

    /// The repository holding the workspace.
    pub fn git(&self) -> Result<Git> {
        Ok(Git::discover(&self.config.workspace, &self.trust())?)
    }

    /// Stop a stage that writes on a shallow clone (a dry run too: it shows what the real run
    /// would do). Missing history and tags would make released crates look new or changed.
    /// A workspace outside git has no history to miss.
    pub fn require_full_history(&self, stage: &str) -> Result<()> {
        match Git::discover(&self.config.workspace, &self.trust()) {
            Ok(git) => Ok(git.require_full_history(stage)?),
            Err(GitError::NotARepository { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// `https://github.com/owner/repo` when running for a GitHub repository.
    pub fn repository_url(&self) -> Option<String> {
        let env = &self.config.env;
        Some(format!("{}/{}", env.server_url(), env.repository.as_ref()?))
    }

    /// The registry to publish to (`registry` setting) as cargo in `root` sees it.
    pub fn registry(&self, root: &Path) -> Result<RegistrySpec> {
        Ok(registry::resolve(
            self.config.registry.as_deref(),
            &self.config.env.registry,
            root,
        )?)
    }
}

impl Context<'_> {
    /// cargo with the run's toolchain and the toolchain it is; resolved (installed when
    /// missing) on the first call.
    fn resolved(&self) -> Result<&(Cargo, Toolchain)> {
        if let Some(resolved) = self.cargo.get() {
            return Ok(resolved);
        }
        let resolved = toolchain::resolve(&self.config.cargo, &self.config.workspace)?;
        Ok(self.cargo.get_or_init(|| resolved))
    }

    /// cargo, started with the run's toolchain, home and target directory.
    pub fn cargo(&self) -> Result<&Cargo> {
        Ok(&self.resolved()?.0)
    }

    /// The toolchain cargo ran with, once it did.
    pub fn toolchain_used(&self) -> Option<&Toolchain> {
        self.cargo.get().map(|(_, toolchain)| toolchain)
    }

    /// Find the toolchain now and say which it is (not on stdout when it carries JSON).
    pub fn announce_toolchain(&mut self) -> Result<()> {
        let line = self.resolved()?.1.describe();
        if !self.config.json {
            self.print(&format!("toolchain: {line}\n"))?;
        }
        Ok(())
    }

    /// `cargo metadata --no-deps` in `dir`, refused (exit 2, before anything is written) when a
    /// member's `rust-version` is above the toolchain's.
    pub fn metadata(&self, dir: &Path) -> Result<Metadata> {
        let (cargo, toolchain) = self.resolved()?;
        let metadata = cargo.metadata(dir)?;
        check_rust_versions(&cargo::rust_versions(&metadata), toolchain)?;
        Ok(metadata)
    }
}

impl Context<'_> {
    /// The GitHub API client for this repository (`GITHUB_REPOSITORY` at `GITHUB_API_URL`).
    /// A write needs a token; a dry run refuses every write.
    pub fn github(&self, stage: &str) -> Result<GitHub> {
        let repository = self
            .config
            .env
            .repository
            .as_ref()
            .ok_or(GitHubError::NoRepository)?;
        let token = self.config.token.as_ref().map(|t| t.expose());
        if token.is_none() && !self.config.dry_run {
            return Err(GitHubError::MissingToken {
                stage: stage.to_owned(),
            }
            .into());
        }
        Ok(GitHub::new(
            &self.config.env.api_url,
            repository,
            token,
            self.config.max_retries,
            self.config.dry_run,
        )?)
    }

    /// Print what the GitHub client retried since the last call.
    pub fn print_github_log(&mut self, github: &GitHub) -> Result<()> {
        for line in github.take_log() {
            self.print(&format!("{line}\n"))?;
        }
        Ok(())
    }

    /// Open a `::group::` in Actions (a heading elsewhere).
    pub fn begin_group(&mut self, title: &str) -> Result<()> {
        if self.config.in_actions {
            self.command(&group_command(title))
        } else {
            self.print(&format!("── {title} ──\n"))
        }
    }

    pub fn end_group(&mut self) -> Result<()> {
        if self.config.in_actions {
            self.command(END_GROUP)
        } else {
            Ok(())
        }
    }

    /// The `has_bumps` and `plan` outputs every stage that plans writes.
    pub fn plan_outputs(&self, plan: &ReleasePlan) -> Result<()> {
        self.runner
            .set_output("has_bumps", if plan.has_bumps() { "true" } else { "false" })?;
        let json = serde_json::to_string(plan).expect("a plan serialises");
        self.runner.set_output("plan", &json)?;
        Ok(())
    }
}

/// The facts a plan is made from, kept for the jobs that act on it.
pub struct Gathered {
    /// The workspace root on disk.
    pub root: PathBuf,
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

/// Read the workspace, its history, the configuration and (unless offline) the registry's
/// index, and plan the release.
pub fn gather_and_plan(ctx: &Context<'_>) -> Result<(ReleasePlan, Gathered)> {
    let gathered = gather(ctx, Lookup::of(&ctx.config))?;
    let plan = plan_for(ctx, &gathered, &Selection::Configured)?;
    Ok((plan, gathered))
}

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

/// The options of a plan of `selection` under `settings`.
pub(crate) fn plan_options(
    ctx: &Context<'_>,
    settings: &Settings,
    selection: &Selection,
) -> PlanOptions {
    let config = &ctx.config;
    let (group, ungrouped_only) = match selection {
        Selection::Configured => (config.group.clone(), false),
        Selection::Group(name) => (Some(name.clone()), false),
        Selection::Ungrouped => (None, true),
    };
    PlanOptions {
        forced_bump: config.bump_type,
        force_prepare: config.force_prepare,
        prerelease: config.prerelease.clone(),
        group,
        ungrouped_only,
        tag_format: settings.tag_format.clone(),
        groups: settings.groups.clone(),
        dependents_bump: settings.dependents_bump,
        registry: config.registry.clone(),
        date: today(),
        repository_url: ctx.repository_url(),
        commit_rules: settings.commits.clone(),
        given: BTreeMap::new(),
        changelog: settings.changelog.crates.clone(),
        workspace_changelog: settings.changelog.workspace_path.clone(),
        crates: settings.crate_options(),
    }
}

/// Plan the release of `selection` from facts gathered once.
pub fn plan_for(ctx: &Context<'_>, g: &Gathered, selection: &Selection) -> Result<ReleasePlan> {
    plan_given(ctx, g, selection, &BTreeMap::new(), &g.date)
}

/// [`plan_for`], with the versions `given` (typed into the Release PR) taken as they are, and
/// the changelog sections dated `date` (`YYYY-MM-DD`).
pub(crate) fn plan_given(
    ctx: &Context<'_>,
    g: &Gathered,
    selection: &Selection,
    given: &BTreeMap<String, Version>,
    date: &str,
) -> Result<ReleasePlan> {
    let mut plan = match (selection, given.is_empty(), &g.configured) {
        (Selection::Configured, true, Some((planned, plan))) if planned == date => plan.clone(),
        _ => plan_of_facts(ctx, g, selection, given, date)?,
    };
    if let Some(why) = &g.index_unread {
        plan.notes.push(format!("{why}; the tags stand in for it"));
    }
    if g.shallow {
        plan.notes.push(
            "this clone is shallow: release tags and commits beyond its depth are missing, so crates may look new or changed; fetch the whole history (actions/checkout with `fetch-depth: 0`)".into(),
        );
    }
    Ok(plan)
}

/// The plan the facts of `g` give (see [`plan_given`]), without the notes about how they were
/// read.
pub(crate) fn plan_of_facts(
    ctx: &Context<'_>,
    g: &Gathered,
    selection: &Selection,
    given: &BTreeMap<String, Version>,
    date: &str,
) -> Result<ReleasePlan> {
    let options = PlanOptions {
        date: date.to_owned(),
        given: given.clone(),
        ..plan_options(ctx, &g.settings, selection)
    };
    let none = Published::new();
    Ok(build_plan(g.facts(&none), &options)?)
}

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

/// Every version of `names` the registry's index lists, or why the index could not be read:
/// prepare and notify only lose precision by it, so the reason becomes a note, not an error.
pub(crate) fn registry_listing<'a>(
    ctx: &Context<'_>,
    spec: &RegistrySpec,
    names: impl Iterator<Item = &'a str>,
) -> std::result::Result<Listed, String> {
    Index::new(&spec.index_url, spec.token.as_ref(), ctx.config.max_retries)
        .map_err(Error::from)
        .and_then(|index| published_versions(&index, names))
        .map_err(|e| {
            format!(
                "the registry index {} could not be read: {e}",
                spec.index_url
            )
        })
}

/// Per crate, every version the index lists with its yanked flag.
pub(crate) type Listed = BTreeMap<String, Vec<(Version, bool)>>;

/// Every version the index lists per crate, with its yanked flag; asked a few at a time.
pub(crate) fn published_versions<'a>(
    index: &Index,
    names: impl Iterator<Item = &'a str>,
) -> Result<Listed> {
    let names: Vec<&str> = names.collect();
    if !names.is_empty() {
        // Once, before the threads: an index that cannot be read fails here, fast.
        index.config()?;
    }
    let mut out = BTreeMap::new();
    for chunk in names.chunks(8) {
        let answers: Vec<_> = std::thread::scope(|s| {
            let handles: Vec<_> = chunk
                .iter()
                .map(|name| s.spawn(move || (name.to_string(), index.versions(name))))
                .collect();
            handles
                .into_iter()
                .zip(chunk)
                .map(|(h, name)| {
                    h.join().unwrap_or_else(|_| {
                        let why = "the thread reading it stopped".to_owned();
                        (
                            name.to_string(),
                            Err(IndexError::Unreachable {
                                url: index_path(name),
                                message: why,
                            }),
                        )
                    })
                })
                .collect()
        });
        for (name, versions) in answers {
            let versions = versions?
                .into_iter()
                .map(|v| (v.version, v.yanked))
                .collect();
            out.insert(name, versions);
        }
    }
    Ok(out)
}

/// Every version the registry lists, yanked ones too: none of them can be published again.
pub(crate) fn every_version(listed: &Listed) -> Published {
    listed
        .iter()
        .map(|(name, versions)| {
            (
                name.clone(),
                versions.iter().map(|(v, _)| v.clone()).collect(),
            )
        })
        .collect()
}

/// What the registry can resolve a requirement to: yanked versions it cannot.
pub(crate) fn resolvable(listed: &Listed) -> Published {
    listed
        .iter()
        .map(|(name, versions)| {
            let ok = versions
                .iter()
                .filter(|(_, yanked)| !yanked)
                .map(|(v, _)| v.clone())
                .collect();
            (name.clone(), ok)
        })
        .collect()
}

fn read_published(path: &Path) -> Result<Published> {
    let err = |message: String| Error::PublishedFile {
        path: path.to_owned(),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
    serde_json::from_str(&text).map_err(|e| err(e.to_string()))
}

fn stdout_error(source: std::io::Error) -> Error {
    Error::Io {
        action: "write to",
        path: PathBuf::from("stdout"),
        source,
    }
}

fn today() -> String {
    time::OffsetDateTime::now_utc().date().to_string()
}
