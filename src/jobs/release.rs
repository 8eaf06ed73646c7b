//! `release`: after a Release PR is merged, tag each crate it released at the merge commit and
//! create its GitHub Release, then move the PR's label from `autorelease: pending` to
//! `autorelease: tagged`.
//!
//! The list comes from the merged PR's manifest, never from a new plan, but no text of the PR
//! body is trusted: each crate it names must be a publishable member of the workspace at the
//! merge commit, at the version the PR promised, and its tag is rendered again from
//! `tag_format`, its name and that version, and checked against git's rules — all before
//! anything is written. Tags and releases are created through the REST API one at a time; one
//! that exists is kept and reported, so a re-run after a failure finishes the job without
//! creating anything twice.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use serde::Serialize;

use crate::adapters::cargo;
use crate::adapters::git::Git;
use crate::adapters::github::{GitHub, NewRelease, Outcome, PullRequest};
use crate::error::{Error, Result};
use crate::jobs::{Context, relative_to, workspace_at};
use crate::plan::changelog;
use crate::plan::history::{short_id as short, tag_name};
use crate::plan::pr::{self, ManifestCrate, ReleaseManifest};
use crate::plan::refname::check_ref_name;
use crate::plan::release::member_tag_formats;
use crate::plan::trigger::{LABEL_PENDING, LABEL_TAGGED, is_release_branch};

#[derive(Debug, thiserror::Error)]
pub enum ReleaseError {
    #[error("no merged Release PR found for {commit}")]
    NoReleasePr { commit: String },
    #[error("pull request #{number} is not a merged Release PR ({why})")]
    NotReleasePr { number: u64, why: String },
    #[error("the manifests at the merge commit {commit} do not match the Release PR #{number}: {}", mismatches.join("; "))]
    Mismatch {
        number: u64,
        commit: String,
        mismatches: Vec<String>,
    },
    #[error(
        "the Release PR #{number} names {name:?}, which is no publishable member of the workspace at the merge commit {commit}"
    )]
    NotAMember {
        number: u64,
        name: String,
        commit: String,
    },
}

impl ReleaseError {
    pub fn hint(&self) -> String {
        match self {
            ReleaseError::NoReleasePr { .. } => "merge the Release PR first (prepare opens it), or run release from its merge commit; in Actions, release runs on the `pull_request: closed` event of the merged Release PR".into(),
            ReleaseError::NotReleasePr { .. } => "release only runs for a merged pull request from releasekit/release… that carries a releasekit manifest".into(),
            ReleaseError::Mismatch { .. } => "the merge changed versions after the Release PR was prepared: run prepare again and merge the new Release PR".into(),
            ReleaseError::NotAMember { .. } => "the Release PR's body was edited after prepare wrote it; nothing was created: run prepare again and merge the new Release PR".into(),
        }
    }
}

/// One crate's release, as the `releases` output lists it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Released {
    pub name: String,
    pub version: String,
    pub tag: String,
    pub url: String,
    pub prerelease: bool,
    #[serde(skip)]
    pub tag_outcome: Outcome,
    #[serde(skip)]
    pub release_outcome: Outcome,
}

pub struct ReleaseReport {
    pub pull: PullRequest,
    /// What is released: the PR's manifest as the workspace at the merge commit confirms it.
    pub manifest: ReleaseManifest,
    pub commit: String,
    pub released: Vec<Released>,
    /// Things kept as they were that a maintainer should look at.
    pub warnings: Vec<String>,
}

/// Release the merged Release PR `number`, else the one of a `pull_request` event, else the
/// one merged at HEAD.
pub fn run(ctx: &mut Context<'_>, number: Option<u64>) -> Result<ReleaseReport> {
    ctx.require_full_history("release")?;
    let github = ctx.github("release")?;
    github.default_branch()?;
    let git = ctx.git()?;
    let merged = merged_release(ctx, &github, &git, number)?;
    let workspace_dir = relative_to(&ctx.config.workspace, git.root());
    ctx.print_github_log(&github)?;

    let mut report = ReleaseReport {
        pull: merged.pull,
        manifest: merged.manifest,
        commit: merged.commit,
        released: Vec::new(),
        warnings: merged.warnings,
    };
    for warning in &report.warnings {
        ctx.print(&format!("warning: {warning}\n"))?;
    }
    ctx.begin_group("tags and GitHub Releases")?;
    let result = release_all(ctx, &github, &git, &workspace_dir, &mut report);
    ctx.print_github_log(&github)?;
    ctx.end_group()?;
    let result = result.and_then(|()| relabel(ctx, &github, &report));
    ctx.print_github_log(&github)?;
    finish(ctx, &report, result.as_ref().err())?;
    result.map(|()| report)
}

/// A merged Release PR and what it releases.
pub(crate) struct MergedRelease {
    pub pull: PullRequest,
    /// Checked and re-derived from the workspace at `commit` ([`confirmed`]).
    pub manifest: ReleaseManifest,
    pub commit: String,
    /// Where the PR body said something else than what is released.
    pub warnings: Vec<String>,
}

/// The merged Release PR (`number`, else the `pull_request` event's, else the one merged at
/// `GITHUB_SHA` or HEAD), what it releases and its merge commit.
pub(crate) fn merged_release(
    ctx: &Context<'_>,
    github: &GitHub,
    git: &Git,
    number: Option<u64>,
) -> Result<MergedRelease> {
    let pull = find_pull(ctx, github, git, number.or_else(|| ctx.event_pull_number()))?;
    let claimed = pr::parse_manifest(&pull.body)?;
    // The id goes into git's arguments: only a full hex object id is one.
    let commit = pull
        .merge_commit_sha
        .clone()
        .filter(|sha| matches!(sha.len(), 40 | 64) && sha.bytes().all(|b| b.is_ascii_hexdigit()))
        .ok_or_else(|| ReleaseError::NotReleasePr {
            number: pull.number,
            why: "it has no merge commit".into(),
        })?;
    let (manifest, warnings) = confirmed(ctx, git, pull.number, &claimed, &commit)?;
    Ok(MergedRelease {
        pull,
        manifest,
        commit,
        warnings,
    })
}

/// The crates `claimed` names, as the workspace at `commit` has them: each a publishable
/// member at the version the PR promised, its tag rendered from `tag_format` (the settings of
/// the checkout, the root manifest of the merge commit) and accepted by git's rules, its paths
/// the member's own. Only the order, the primary crate and the previous versions are the PR's.
fn confirmed(
    ctx: &Context<'_>,
    git: &Git,
    number: u64,
    claimed: &ReleaseManifest,
    commit: &str,
) -> Result<(ReleaseManifest, Vec<String>)> {
    let (dir, tree) = workspace_at(ctx, git, commit, "release")?;
    let repo_root = tree.as_ref().map_or(git.root(), |t| t.dir());
    let metadata = ctx.cargo()?.metadata(&dir)?;
    let root = metadata.workspace_root.clone().into_std_path_buf();
    let workspace = cargo::workspace(&metadata, repo_root)?;
    let settings = ctx.settings(&root)?;
    let formats = member_tag_formats(
        &workspace,
        ctx.config.registry.as_deref(),
        settings.tag_format.as_deref(),
        &settings.groups,
    )?;
    let mut crates = Vec::new();
    let mut warnings = Vec::new();
    let mut mismatches = Vec::new();
    let mut seen = BTreeSet::new();
    for c in claimed
        .crates
        .iter()
        .filter(|c| seen.insert(c.name.clone()))
    {
        let (Some(member), Some(format)) = (workspace.member(&c.name), formats.get(&c.name)) else {
            return Err(ReleaseError::NotAMember {
                number,
                name: c.name.chars().take(100).collect(),
                commit: commit.to_owned(),
            }
            .into());
        };
        if member.version != c.version {
            mismatches.push(format!(
                "{} is {}, not {}",
                c.name, member.version, c.version
            ));
            continue;
        }
        let tag = tag_name(format, &member.name, &member.version);
        check_ref_name(&tag).map_err(|why| Error::BadRefName {
            what: "tag",
            name: tag.clone(),
            why,
        })?;
        if tag != c.tag {
            let named: String = c.tag.chars().take(100).collect();
            warnings.push(format!(
                "the Release PR names the tag {named:?} for {} {}; {tag} is made from tag_format instead",
                c.name, c.version
            ));
        }
        crates.push(ManifestCrate {
            name: member.name.clone(),
            version: member.version.clone(),
            tag,
            previous: c.previous.clone(),
            dir: member.dir.clone(),
            manifest: member.manifest.clone(),
            prerelease: !member.version.pre.is_empty(),
            primary: c.primary,
            wave: c.wave,
        });
    }
    if !mismatches.is_empty() {
        return Err(ReleaseError::Mismatch {
            number,
            commit: commit.to_owned(),
            mismatches,
        }
        .into());
    }
    let manifest = ReleaseManifest {
        format: claimed.format,
        group: claimed.group.clone(),
        crates,
    };
    Ok((manifest, warnings))
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
            let head = match ctx.env("GITHUB_SHA") {
                Some(sha) => sha.to_owned(),
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

fn release_all(
    ctx: &mut Context<'_>,
    github: &GitHub,
    git: &Git,
    workspace_dir: &std::path::Path,
    report: &mut ReleaseReport,
) -> Result<()> {
    let dry = ctx.config.dry_run;
    for c in report.manifest.crates.clone() {
        let tag_outcome = match github.tag_commit(&c.tag)? {
            Some(at) if at == report.commit => {
                ctx.print(&format!("tag {} exists: kept\n", c.tag))?;
                Outcome::Existed
            }
            Some(at) => {
                let warning = format!(
                    "tag {} exists at {}, not at the merge commit {}: kept as it is",
                    c.tag,
                    short(&at),
                    short(&report.commit)
                );
                ctx.print(&format!("{warning}\n"))?;
                report.warnings.push(warning);
                Outcome::Existed
            }
            None if dry => {
                ctx.print(&format!(
                    "dry run: would tag {} at {}\n",
                    c.tag,
                    short(&report.commit)
                ))?;
                Outcome::Created
            }
            None => {
                let message = format!("{} {}", c.name, c.version);
                let outcome = github.create_tag(&c.tag, &message, &report.commit)?;
                ctx.print(&format!("tagged {} at {}\n", c.tag, short(&report.commit)))?;
                outcome
            }
        };
        let (url, release_outcome) = match github.release_by_tag(&c.tag)? {
            Some(existing) => {
                ctx.print(&format!("release {} exists: kept\n", c.tag))?;
                (existing.html_url, Outcome::Existed)
            }
            None if dry => {
                ctx.print(&format!(
                    "dry run: would create the GitHub Release {}{}\n",
                    c.tag,
                    if c.prerelease { " (prerelease)" } else { "" }
                ))?;
                (String::new(), Outcome::Created)
            }
            None => {
                let notes = release_notes(git, &report.commit, workspace_dir, &c)?;
                let name = format!("{} {}", c.name, c.version);
                let (release, outcome) = github.create_release(&NewRelease {
                    tag: &c.tag,
                    name: &name,
                    body: &notes,
                    prerelease: c.prerelease,
                    make_latest: c.primary && !c.prerelease,
                })?;
                ctx.print(&format!("released {}: {}\n", c.tag, release.html_url))?;
                (release.html_url, outcome)
            }
        };
        report.released.push(Released {
            name: c.name.clone(),
            version: c.version.to_string(),
            tag: c.tag.clone(),
            url,
            prerelease: c.prerelease,
            tag_outcome,
            release_outcome,
        });
    }
    Ok(())
}

/// The crate's changelog section at the merge commit, or a line saying what was released.
fn release_notes(
    git: &Git,
    commit: &str,
    workspace_dir: &std::path::Path,
    c: &ManifestCrate,
) -> Result<String> {
    let path = workspace_dir
        .join(&c.manifest)
        .with_file_name("CHANGELOG.md")
        .to_string_lossy()
        .replace('\\', "/");
    let text = git.show_file(commit, &path)?;
    Ok(text
        .and_then(|t| changelog::section(&t, &c.version))
        .unwrap_or_else(|| format!("Release of {} {}.", c.name, c.version)))
}

fn relabel(ctx: &mut Context<'_>, github: &GitHub, report: &ReleaseReport) -> Result<()> {
    let number = report.pull.number;
    let labels = &report.pull.labels;
    if labels.iter().any(|l| l == LABEL_TAGGED) && !labels.iter().any(|l| l == LABEL_PENDING) {
        return Ok(());
    }
    if ctx.config.dry_run {
        ctx.print(&format!(
            "dry run: would move #{number} from `{LABEL_PENDING}` to `{LABEL_TAGGED}`\n"
        ))?;
        return Ok(());
    }
    github.ensure_label(
        LABEL_TAGGED,
        "0e8a16",
        "releasekit-cargo: tagged and released",
    )?;
    github.add_labels(number, &[LABEL_TAGGED])?;
    github.remove_label(number, LABEL_PENDING)?;
    Ok(())
}

fn finish(ctx: &mut Context<'_>, report: &ReleaseReport, failed: Option<&Error>) -> Result<()> {
    let json = serde_json::to_string(&report.released).expect("releases serialise");
    ctx.runner.set_output("releases", &json)?;
    ctx.runner
        .set_output("pr_number", &report.pull.number.to_string())?;
    ctx.runner.set_output("pr_url", &report.pull.html_url)?;
    let dry = if ctx.config.dry_run { " (dry run)" } else { "" };
    let mut summary = format!(
        "## releasekit-cargo release{dry}\n\nRelease PR [#{}]({}), merge commit `{}`.\n\n| crate | version | tag | release |\n|---|---|---|---|\n",
        report.pull.number,
        report.pull.html_url,
        short(&report.commit)
    );
    for r in &report.released {
        let what = |o: Outcome| match (o, ctx.config.dry_run) {
            (Outcome::Existed, _) => "kept (existed)",
            (Outcome::Created, true) => "would create",
            (Outcome::Created, false) => "created",
        };
        let release = if r.url.is_empty() {
            what(r.release_outcome).to_owned()
        } else {
            format!("[{}]({})", what(r.release_outcome), r.url)
        };
        let _ = writeln!(
            summary,
            "| `{}` | {} | `{}` {} | {release} |",
            r.name,
            r.version,
            r.tag,
            what(r.tag_outcome)
        );
    }
    for warning in &report.warnings {
        let _ = write!(summary, "\n> **Warning:** {warning}\n");
    }
    let left: Vec<&ManifestCrate> = report
        .manifest
        .crates
        .iter()
        .filter(|c| !report.released.iter().any(|r| r.name == c.name))
        .collect();
    if let Some(error) = failed {
        let names: Vec<String> = left.iter().map(|c| format!("`{}`", c.tag)).collect();
        let _ = write!(
            summary,
            "\n**Failed:** {error}\n\nNot done yet: {}. Re-run the job: tags and releases that exist are kept, the rest are created.\n",
            if names.is_empty() {
                "the labels".to_owned()
            } else {
                names.join(", ")
            }
        );
    }
    ctx.runner.summary(&summary)?;
    Ok(())
}
