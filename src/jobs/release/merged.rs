//! Which Release PR was merged, and what it releases: the versions and changelogs as merged
//! (`plan::merged`), checked against the tags of the clone and of GitHub and against the
//! registry before anything is created. The manifest in the PR body is a hint: where it says
//! something else, the summary lists it. Notify and publish take the same set.

use std::collections::BTreeMap;
use std::path::Path;

use semver::Version;

use crate::adapters::cargo;
use crate::adapters::git::Git;
use crate::adapters::github::{GitHub, PullRequest};
use crate::config::file::Settings;
use crate::error::Result;
use crate::jobs::{Context, every_version, member_versions_at, registry_listing, workspace_at};
use crate::plan::history::{Tag, tag_name};
use crate::plan::manifest::manifest_facts;
use crate::plan::merged::{
    Candidate, Checks, MergedFacts, ReleaseError, before_merge, candidates, decide, lock_problems,
};
use crate::plan::pr::{self, ReleaseManifest};
use crate::plan::release::{member_groups, member_tag_formats};
use crate::plan::trigger::is_release_branch;
use crate::plan::workspace::{Member, Workspace};

/// A merged Release PR and what it releases.
pub(crate) struct MergedRelease {
    pub pull: PullRequest,
    /// What is released: the publishable members above their last release at `commit`.
    pub manifest: ReleaseManifest,
    pub commit: String,
    /// Where the PR body says something else than what is released.
    pub differences: Vec<String>,
    /// Things a maintainer should know (the registry could not be asked).
    pub warnings: Vec<String>,
    /// How the releases are made: the configuration at the merge commit.
    pub shaping: Shaping,
}

/// The configuration at the merge commit, and each crate's previous tag.
pub(crate) struct Shaping {
    pub settings: Settings,
    pub previous_tags: BTreeMap<String, String>,
}

/// The merged Release PR (`number`, else the `pull_request` event's, else the one merged at
/// `GITHUB_SHA` or HEAD), what it releases and its merge commit — the squash commit, or the
/// last commit a rebase merge put on the base branch.
pub(crate) fn merged_release(
    ctx: &Context<'_>,
    github: &GitHub,
    git: &Git,
    number: Option<u64>,
) -> Result<MergedRelease> {
    let pull = find_pull(ctx, github, git, number.or_else(|| ctx.event_pull_number()))?;
    let hint = pr::parse_manifest(&pull.body)?;
    // The id goes into git's arguments: only a full hex object id is one.
    let commit = pull
        .merge_commit_sha
        .clone()
        .filter(|sha| matches!(sha.len(), 40 | 64) && sha.bytes().all(|b| b.is_ascii_hexdigit()))
        .ok_or_else(|| ReleaseError::NotReleasePr {
            number: pull.number,
            why: "it has no merge commit".into(),
        })?;
    let (dir, tree) = workspace_at(ctx, git, &commit, "release")?;
    let repo_root = tree.as_ref().map_or(git.root(), |t| t.dir());
    let metadata = match ctx.cargo()?.metadata(&dir) {
        Ok(metadata) => metadata,
        Err(error) => return Err(unreadable(git, &commit, pull.number, error)),
    };
    let root = metadata.workspace_root.clone().into_std_path_buf();
    let workspace = cargo::workspace(&metadata, repo_root)?;
    let settings = ctx.settings(&root)?;
    let formats = member_tag_formats(
        &workspace,
        ctx.config.registry.as_deref(),
        settings.tag_format.as_deref(),
        &settings.groups,
        &settings.crate_options(),
    )?;
    // The PR body is text anyone with write access can edit: a name it gives must be one of
    // the workspace's publishable members.
    if let Some(c) = hint.crates.iter().find(|c| !formats.contains_key(&c.name)) {
        return Err(ReleaseError::NotAMember {
            number: pull.number,
            name: c.name.chars().take(100).collect(),
            commit: commit.clone(),
        }
        .into());
    }
    let reachable = git.tags_reached_from(&commit)?;
    let facts = MergedFacts {
        workspace: &workspace,
        registry: ctx.config.registry.as_deref(),
        formats: &formats,
        reachable: &reachable,
        commit: &commit,
    };
    let mut found = candidates(&facts);
    keep_group(&mut found, &facts, &settings, &hint.group)?;
    let mut existing: BTreeMap<String, String> = git
        .tags()?
        .into_iter()
        .map(|t| (t.name, t.commit))
        .collect();
    for c in &found {
        if !existing.contains_key(&c.tag)
            && let Some(at) = github.tag_commit(&c.tag)?
        {
            existing.insert(c.tag.clone(), at);
        }
    }
    let mut warnings = Vec::new();
    let spec = ctx.registry(&root)?;
    // A crate released without publishing is never looked up: the name may be another's.
    let published = (found.iter())
        .filter(|c| !settings.release_asked(&c.name))
        .map(|c| c.name.as_str());
    let listed: Option<BTreeMap<String, Vec<Version>>> =
        match registry_listing(ctx, &spec, published) {
            Ok(listed) => Some(every_version(&listed)),
            Err(why) => {
                warnings.push(format!(
                    "{why}: whether a merged version is in the registry already was not checked"
                ));
                None
            }
        };
    let before = versions_before(git, &workspace, &commit, &reachable)?;
    let checks = Checks {
        hint: Some(&hint),
        existing: &existing,
        listed: listed.as_ref(),
        before: before.as_ref(),
    };
    let mut merged = decide(&facts, found, &checks);
    // Tags made where cargo cannot build `--locked` could never be published.
    if !merged.manifest.crates.is_empty() {
        (merged.problems).extend(lock_problems_at(git, &workspace, &commit)?);
    }
    if !merged.problems.is_empty() {
        return Err(ReleaseError::Refused {
            number: pull.number,
            commit,
            problems: merged.problems,
        }
        .into());
    }
    let previous_tags = (merged.manifest.crates.iter())
        .filter_map(|c| {
            let previous = c.previous.as_ref()?;
            Some((
                c.name.clone(),
                tag_name(&formats[&c.name], &c.name, previous),
            ))
        })
        .collect();
    Ok(MergedRelease {
        pull,
        manifest: merged.manifest,
        commit,
        differences: merged.differences,
        warnings,
        shaping: Shaping {
            settings,
            previous_tags,
        },
    })
}

/// What keeps `workspace` (as `commit` has it) from building `--locked`
/// ([`lock_problems`]), its `Cargo.lock` read at `commit`.
pub(crate) fn lock_problems_at(
    git: &Git,
    workspace: &Workspace,
    commit: &str,
) -> Result<Vec<String>> {
    let lock_path = match workspace.root_dir.as_str() {
        "" => "Cargo.lock".to_owned(),
        dir => format!("{dir}/Cargo.lock"),
    };
    let lock = git.show_file(commit, &lock_path)?;
    Ok(lock_problems(workspace, lock.as_deref(), &lock_path))
}

/// With release groups, a group's Release PR releases that group's crates only (`group`;
/// `None`: the crates no group claims): keep those of `found`.
pub(crate) fn keep_group(
    found: &mut Vec<Candidate>,
    facts: &MergedFacts<'_>,
    settings: &Settings,
    group: &Option<String>,
) -> Result<()> {
    if !settings.groups.is_empty() {
        let groups = member_groups(
            facts.workspace,
            facts.registry,
            &settings.groups,
            &settings.crate_options(),
        )?;
        found.retain(|c| groups.get(&c.name) == Some(group));
    }
    Ok(())
}

/// How far down the base branch the release commit of a rebase merge is looked for.
const REBASED_COMMITS: usize = 200;

/// Each member's version on the base branch just before the merge `commit` (`None` when the
/// commit has no parent): what the Release PR did not change is not its to release.
fn versions_before(
    git: &Git,
    workspace: &Workspace,
    commit: &str,
    reachable: &[Tag],
) -> Result<Option<BTreeMap<String, Version>>> {
    let tagged = reachable.iter().map(|t| t.commit.as_str()).collect();
    let Some(before) = before_merge(&git.first_parents(commit, REBASED_COMMITS)?, &tagged) else {
        return Ok(None);
    };
    let members: Vec<&Member> = workspace.members.iter().collect();
    let [versions] = member_versions_at(git, Path::new(&workspace.root_dir), &members, [&before])?;
    Ok(Some(
        members
            .iter()
            .zip(versions)
            .filter_map(|(m, version)| Some((m.name.clone(), Version::parse(&version?).ok()?)))
            .collect(),
    ))
}

/// Why cargo could not read the workspace at the merge commit: a manifest version that is no
/// semantic version is named with its file; anything else is cargo's own message.
fn unreadable(
    git: &Git,
    commit: &str,
    number: u64,
    error: cargo::CargoError,
) -> crate::error::Error {
    let manifests = git.manifests_at(commit).unwrap_or_default();
    let wanted: Vec<(&str, &str)> = manifests.iter().map(|p| (commit, p.as_str())).collect();
    let texts = git.files_at(&wanted).unwrap_or_default();
    for (path, text) in manifests.iter().zip(texts) {
        let Some(facts) = text.as_deref().and_then(|t| manifest_facts(t).ok()) else {
            continue;
        };
        for value in [facts.package_version, facts.workspace_version]
            .into_iter()
            .flatten()
        {
            if Version::parse(&value).is_err() {
                return ReleaseError::InvalidVersion {
                    number,
                    commit: commit.to_owned(),
                    path: path.clone(),
                    value: value.chars().take(100).collect(),
                }
                .into();
            }
        }
    }
    error.into()
}

/// The merged Release PR `number`, or the one merged at `GITHUB_SHA` (else HEAD).
fn find_pull(
    ctx: &Context<'_>,
    github: &GitHub,
    git: &Git,
    number: Option<u64>,
) -> Result<PullRequest> {
    let pull = match number {
        Some(number) => github.pull(number)?.ok_or(ReleaseError::NotReleasePr {
            number,
            why: "it does not exist".into(),
        })?,
        None => {
            let head = match &ctx.config.env.sha {
                Some(sha) => sha.clone(),
                None => git.rev_parse("HEAD")?,
            };
            let mut candidates = github.commit_pulls(&head)?;
            candidates.retain(|p| p.merged && is_release_branch(&p.head_ref));
            candidates
                .into_iter()
                .next()
                .ok_or(ReleaseError::NoReleasePr { commit: head })?
        }
    };
    if !pull.merged {
        return Err(ReleaseError::NotReleasePr {
            number: pull.number,
            why: "it is not merged".into(),
        }
        .into());
    }
    if !is_release_branch(&pull.head_ref) {
        return Err(ReleaseError::NotReleasePr {
            number: pull.number,
            why: format!("its branch {} is not a release branch", pull.head_ref),
        }
        .into());
    }
    Ok(pull)
}
