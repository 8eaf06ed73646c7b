//! The facts publishing is planned from: where the release's sources are (the checkout, or a
//! worktree of the release's merge commit), its workspace and settings, the registry, the
//! versions its index lists, what cargo says of each package, the token situation and whether
//! a lockfile is committed.

use std::path::PathBuf;
use std::sync::Arc;

use crate::adapters::cargo::{self, Cargo};
use crate::adapters::git::{Git, Trust, Worktree};
use crate::adapters::index::{Index, IndexConfig};
use crate::adapters::registry::RegistrySpec;
use crate::config::file::Settings;
use crate::error::Result;
use crate::jobs::{Context, published_versions, resolvable, target_dir, workspace_at};
use crate::plan::graph::{Edge, publish_edges};
use crate::plan::publish::preflight::DepFacts;
use crate::plan::publish::{Auth, CrateFacts, Lockfile, PackageFacts, ReleaseOnly};
use crate::plan::release::assign_groups;
use crate::plan::workspace::{Member, Workspace};

use super::FromRelease;

/// Where and what to publish: the checkout, or a worktree of the release's merge commit when
/// the checkout's tree differs; its metadata, settings and registry.
pub(super) struct Target {
    /// cargo with the run's toolchain.
    pub cargo: Cargo,
    pub dir: PathBuf,
    pub root: PathBuf,
    pub target_dir: PathBuf,
    pub metadata: cargo_metadata::Metadata,
    pub workspace: Workspace,
    pub settings: Settings,
    pub spec: RegistrySpec,
    /// What git may accept in the checkout, for the scratch worktree of verification.
    pub trust: Trust,
    /// Removed when the target drops.
    _worktree: Option<Worktree>,
}

/// `checkout` is the checkout's repository (`None` outside git), found once by the caller.
pub(super) fn locate(
    ctx: &Context<'_>,
    from_release: Option<&FromRelease>,
    checkout: Option<&Git>,
) -> Result<Target> {
    let trust = ctx.trust();
    let (dir, worktree) = match (from_release, checkout) {
        (Some(release), Some(git)) => workspace_at(ctx, git, &release.commit, "publish")?,
        (Some(release), None) => workspace_at(ctx, &ctx.git()?, &release.commit, "publish")?,
        (None, _) => (ctx.config.workspace.clone(), None),
    };
    let metadata = ctx.metadata(&dir)?;
    let root = metadata.workspace_root.clone().into_std_path_buf();
    let target_dir = metadata.target_directory.clone().into_std_path_buf();
    // Publish builds, packages and verifies there: refused before it does. Without a
    // worktree `dir` is the checkout, whose repository is known; a worktree is its own.
    let git = match worktree {
        None => checkout.cloned(),
        Some(_) => Some(Git::discover(&dir, &trust)?),
    };
    if let Some(git) = &git {
        target_dir::check(git, &target_dir)?;
    }
    let workspace = cargo::workspace(&metadata, &root)?;
    let settings = ctx.settings(&root)?;
    let spec = ctx.registry(&root)?;
    Ok(Target {
        cargo: ctx.cargo()?.clone(),
        dir,
        root,
        target_dir,
        metadata,
        workspace,
        settings,
        spec,
        trust,
        _worktree: worktree,
    })
}

/// Everything the plan is made from, owned.
pub(super) struct Facts {
    pub crates: Vec<CrateFacts>,
    pub edges: Vec<Edge>,
    pub packages: Vec<PackageFacts>,
    pub auth: Auth,
    pub lockfile: Lockfile,
    pub index: Arc<Index>,
    pub index_config: IndexConfig,
    pub release_only: Vec<ReleaseOnly>,
}

/// The crates of the release (the release stage's, else every publishable member of the
/// group), what the index lists of each, and the rest of the facts. Members released without
/// publishing (`release = true`) belong to groups too, and are only listed.
pub(super) fn gather(
    ctx: &mut Context<'_>,
    target: &Target,
    from_release: Option<&FromRelease>,
) -> Result<Facts> {
    let registry = target.spec.name.as_deref();
    let publishable: Vec<&Member> = target.workspace.publishable(registry).collect();
    let release_only: Vec<&Member> = (target.workspace.members.iter())
        .filter(|m| !m.publish.allows(registry) && target.settings.release_asked(&m.name))
        .collect();
    let groups = assign_groups(
        &[&publishable[..], &release_only[..]].concat(),
        &target.settings.groups,
    )?;
    let in_scope = |m: &&Member| match from_release {
        Some(release) => release.crates.contains(&m.name),
        None => match &ctx.config.group {
            Some(group) => groups.get(m.name.as_str()).cloned().flatten().as_ref() == Some(group),
            None => true,
        },
    };
    let chosen: Vec<&Member> = publishable.iter().copied().filter(in_scope).collect();
    let release_only: Vec<ReleaseOnly> = (release_only.iter().copied())
        .filter(in_scope)
        .map(|m| ReleaseOnly {
            name: m.name.clone(),
            version: m.version.clone(),
        })
        .collect();

    super::begin(ctx, "registry index")?;
    let index = Arc::new(Index::new(
        &target.spec.index_url,
        target.spec.token.as_ref(),
        ctx.config.max_retries,
    )?);
    let index_config = index.config();
    let listed = published_versions(&index, chosen.iter().map(|m| m.name.as_str()));
    for line in index.take_log() {
        super::say(ctx, &format!("{line}\n"))?;
    }
    super::end(ctx)?;
    let (index_config, listed) = (index_config?, listed?);

    let crates = chosen
        .iter()
        .map(|m| CrateFacts {
            name: m.name.clone(),
            version: m.version.clone(),
            listed: listed
                .get(&m.name)
                .map(|versions| versions.iter().map(|(v, _)| v.clone()).collect())
                .unwrap_or_default(),
        })
        .collect();
    let edges = publish_edges(&target.workspace, registry, &resolvable(&listed));
    let packages = chosen
        .iter()
        .filter_map(|m| {
            let pkg = target
                .metadata
                .workspace_packages()
                .into_iter()
                .find(|p| p.name.as_str() == m.name)?;
            Some(package_facts(pkg, &m.manifest))
        })
        .collect();
    let variable = target.spec.token_variable.clone();
    let auth = match (&target.spec.token, &ctx.config.env.oidc, &index_config.api) {
        (Some(_), _, _) => Auth::Token { variable },
        (None, Some(_), Some(_)) => Auth::Trusted { variable },
        (None, _, _) => Auth::Missing { variable },
    };
    // The lockfile the build would use: the workspace root's, as cargo finds it.
    let lockfile = if cargo::has_lockfile(&target.root) {
        Lockfile::Present
    } else {
        Lockfile::Absent
    };
    Ok(Facts {
        crates,
        edges,
        packages,
        auth,
        lockfile,
        index,
        index_config,
        release_only,
    })
}

fn package_facts(pkg: &cargo_metadata::Package, manifest: &str) -> PackageFacts {
    PackageFacts {
        name: pkg.name.to_string(),
        manifest: manifest.to_owned(),
        description: pkg
            .description
            .as_deref()
            .is_some_and(|d| !d.trim().is_empty()),
        license: pkg.license.is_some(),
        license_file: pkg.license_file.is_some(),
        deps: pkg
            .dependencies
            .iter()
            .map(|d| DepFacts {
                name: d.name.clone(),
                dev: d.kind == cargo_metadata::DependencyKind::Development,
                wildcard: d.req == semver::VersionReq::STAR,
                path: d.path.is_some(),
            })
            .collect(),
    }
}
