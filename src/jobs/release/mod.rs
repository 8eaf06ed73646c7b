//! `release`: after a Release PR is merged, tag each crate it released at the merge commit and
//! create its GitHub Release, then move the PR's label from `autorelease: pending` to
//! `autorelease: tagged`.
//!
//! What is released is what was merged ([`merged`]): each publishable member (or one with
//! `release = true`) whose manifest version at the merge commit is above its last release, at
//! that version, with that version's section of the merged changelog — whatever the
//! maintainer edited on the Release PR, and whether it was merged with a merge commit, squashed
//! or rebased. No text of the PR body is trusted: its manifest is a hint, each name it gives
//! must be a member the workspace releases, and every tag is rendered again from `tag_format`.
//! Everything in the way is found before anything is written. Tags and releases are created
//! through the REST API one at a time; one that exists is kept and reported (a draft too, which
//! GitHub finds by listing only), so a re-run after a failure finishes the job without creating
//! anything twice. Each release is shaped as the configuration at the merge commit says
//! (`[github_release]`, `plan::github_release`).

mod merged;

use merged::Shaping;
pub(crate) use merged::{keep_group, lock_problems_at, merged_release};

use serde::Serialize;

use crate::adapters::git::Git;
use crate::adapters::github::{GitHub, NewRelease, Outcome, PullRequest};
use crate::config::file::Settings;
use crate::error::{Error, Result};
use crate::jobs::{Context, relative_to};
use crate::plan::changelog;
use crate::plan::github_release::ReleaseInput;
use crate::plan::history::short_id as short;
use crate::plan::pr::{ManifestCrate, ReleaseManifest};
use crate::plan::render::prepare::PullLink;
use crate::plan::render::release::{ReleaseSummary, ReleasedRow, release_markdown};
use crate::plan::trigger::{LABEL_PENDING, LABEL_TAGGED};

/// One crate's release, as the `releases` output lists it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Released {
    pub name: String,
    pub version: String,
    pub tag: String,
    /// Empty when there is no release (`github_release.enabled = false`, or a dry run).
    pub url: String,
    pub prerelease: bool,
    /// Created as a draft: only the repository's writers see it until it is published.
    pub draft: bool,
    #[serde(skip)]
    pub tag_outcome: Outcome,
    /// `None`: no GitHub Release for this crate (`github_release.enabled = false`).
    #[serde(skip)]
    pub release_outcome: Option<Outcome>,
}

pub struct ReleaseReport {
    pub pull: PullRequest,
    /// What is released: the crates as merged (see [`merged`]).
    pub manifest: ReleaseManifest,
    pub commit: String,
    pub released: Vec<Released>,
    /// Where the Release PR's body said something else than what was merged.
    pub differences: Vec<String>,
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
    let shaping = merged.shaping;
    ctx.print_github_log(&github)?;

    let mut report = ReleaseReport {
        pull: merged.pull,
        manifest: merged.manifest,
        commit: merged.commit,
        released: Vec::new(),
        differences: merged.differences,
        warnings: merged.warnings,
    };
    for line in report.differences.iter().chain(&report.warnings) {
        ctx.print(&format!("warning: {line}\n"))?;
    }
    ctx.begin_group("tags and GitHub Releases")?;
    let result = release_all(ctx, &github, &git, &workspace_dir, &shaping, &mut report);
    ctx.print_github_log(&github)?;
    ctx.end_group()?;
    let result = result.and_then(|()| relabel(ctx, &github, &report));
    ctx.print_github_log(&github)?;
    finish(ctx, &report, result.as_ref().err())?;
    result.map(|()| report)
}

fn release_all(
    ctx: &mut Context<'_>,
    github: &GitHub,
    git: &Git,
    workspace_dir: &std::path::Path,
    shaping: &Shaping,
    report: &mut ReleaseReport,
) -> Result<()> {
    let dry = ctx.config.dry_run;
    let settings = &shaping.settings;
    // A draft is found by listing: GitHub looks up published releases by tag only.
    let mut drafts: Option<Vec<_>> = None;
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
        let shape = settings.github_release_for(&c.name);
        let changelog = release_notes(git, &report.commit, workspace_dir, settings, &c)?;
        let kept =
            settings.changelog_for(&c.name).enabled || settings.changelog.workspace_path.is_some();
        if changelog.is_none() && kept {
            let warning = format!(
                "the merged changelog has no section for {} {}: its GitHub Release has no notes",
                c.name, c.version
            );
            ctx.print(&format!("warning: {warning}\n"))?;
            report.warnings.push(warning);
        }
        let text = shape
            .release(&ReleaseInput {
                name: &c.name,
                version: &c.version,
                tag: &c.tag,
                previous_tag: shaping.previous_tags.get(&c.name).map(String::as_str),
                primary: c.primary,
                changelog: changelog.as_deref(),
                repository_url: ctx.repository_url().as_deref(),
            })
            .map_err(|e| Error::ReleaseBody {
                name: c.name.clone(),
                message: e.message,
            })?;
        let Some(text) = text else {
            ctx.print(&format!(
                "no GitHub Release for {} (github_release.enabled = false)\n",
                c.tag
            ))?;
            report.released.push(Released {
                name: c.name.clone(),
                version: c.version.to_string(),
                tag: c.tag.clone(),
                url: String::new(),
                prerelease: c.prerelease,
                draft: false,
                tag_outcome,
                release_outcome: None,
            });
            continue;
        };
        let existing = match github.release_by_tag(&c.tag)? {
            Some(existing) => Some(existing),
            None => {
                if drafts.is_none() {
                    let tags: Vec<&str> = (report.manifest.crates.iter())
                        .map(|c| c.tag.as_str())
                        .collect();
                    drafts = Some(github.drafts(&tags)?);
                }
                (drafts.iter().flatten())
                    .find(|d| d.tag_name == c.tag)
                    .cloned()
            }
        };
        let draft = if text.draft { " (draft)" } else { "" };
        let (url, draft, release_outcome) = match existing {
            Some(existing) => {
                let kind = if existing.draft {
                    "draft release"
                } else {
                    "release"
                };
                ctx.print(&format!("{kind} {} exists: kept\n", c.tag))?;
                (existing.html_url, existing.draft, Outcome::Existed)
            }
            None if dry => {
                ctx.print(&format!(
                    "dry run: would create the GitHub Release {}{}{draft}\n",
                    c.tag,
                    if c.prerelease { " (prerelease)" } else { "" }
                ))?;
                (String::new(), text.draft, Outcome::Created)
            }
            None => {
                let (release, outcome) = github.create_release(&NewRelease {
                    tag: &c.tag,
                    name: &text.name,
                    body: &text.body,
                    prerelease: text.prerelease,
                    draft: text.draft,
                    make_latest: text.make_latest,
                })?;
                ctx.print(&format!(
                    "released {}{draft}: {}\n",
                    c.tag, release.html_url
                ))?;
                (release.html_url, release.draft, outcome)
            }
        };
        report.released.push(Released {
            name: c.name.clone(),
            version: c.version.to_string(),
            tag: c.tag.clone(),
            url,
            prerelease: c.prerelease,
            draft,
            tag_outcome,
            release_outcome: Some(release_outcome),
        });
    }
    Ok(())
}

/// The crate's changelog section at the merge commit: from its own changelog when it writes
/// one, else from the workspace changelog; `None` when neither has it.
fn release_notes(
    git: &Git,
    commit: &str,
    workspace_dir: &std::path::Path,
    settings: &Settings,
    c: &ManifestCrate,
) -> Result<Option<String>> {
    let at = |rel: std::path::PathBuf| workspace_dir.join(rel).to_string_lossy().replace('\\', "/");
    let own = settings.changelog_for(&c.name);
    if own.enabled {
        let path = at(std::path::PathBuf::from(&c.manifest).with_file_name(&own.path));
        if let Some(text) = git.show_file(commit, &path)?
            && let Some(section) = changelog::section(&text, &c.version)
        {
            return Ok(Some(section));
        }
    }
    if let Some(file) = &settings.changelog.workspace_path
        && let Some(text) = git.show_file(commit, &at(std::path::PathBuf::from(file)))?
    {
        return Ok(changelog::workspace_section_body(
            &text, &c.name, &c.version,
        ));
    }
    Ok(None)
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
    let left: Vec<&str> = report
        .manifest
        .crates
        .iter()
        .filter(|c| !report.released.iter().any(|r| r.name == c.name))
        .map(|c| c.tag.as_str())
        .collect();
    let summary = release_markdown(
        &ReleaseSummary {
            pull: PullLink {
                number: report.pull.number,
                url: &report.pull.html_url,
            },
            commit: &report.commit,
            released: report
                .released
                .iter()
                .map(|r| ReleasedRow {
                    name: &r.name,
                    version: &r.version,
                    tag: &r.tag,
                    url: &r.url,
                    tag_existed: r.tag_outcome == Outcome::Existed,
                    release_existed: r.release_outcome.map(|o| o == Outcome::Existed),
                    draft: r.draft,
                })
                .collect(),
            differences: &report.differences,
            warnings: &report.warnings,
            failed: failed.map(|e| (e.to_string(), left)),
        },
        ctx.config.dry_run,
    );
    ctx.runner.summary(&summary)?;
    Ok(())
}
