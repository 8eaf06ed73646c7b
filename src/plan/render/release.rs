//! How release reads to a person: the job summary — each crate's tag and GitHub Release, where
//! the Release PR's body said otherwise, warnings, and on a failure what is left to do.

use std::fmt::Write as _;

use crate::plan::history::short_id;

use super::prepare::PullLink;

/// One crate's tag and release, as the summary lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReleasedRow<'a> {
    pub name: &'a str,
    pub version: &'a str,
    pub tag: &'a str,
    /// The GitHub Release's page; empty when there is none yet (a dry run).
    pub url: &'a str,
    /// The tag and the release were there before this run (kept as they were); no release
    /// at all (`None`) when `[github_release]` says so.
    pub tag_existed: bool,
    pub release_existed: Option<bool>,
    /// The release is (or would be) a draft.
    pub draft: bool,
}

/// What release did, for the summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseSummary<'a> {
    pub pull: PullLink<'a>,
    pub commit: &'a str,
    pub released: Vec<ReleasedRow<'a>>,
    /// Where the Release PR's body named something else than what was merged.
    pub differences: &'a [String],
    pub warnings: &'a [String],
    /// The error that stopped the run, and the tags of the crates not released yet.
    pub failed: Option<(String, Vec<&'a str>)>,
}

/// The job summary.
pub fn release_markdown(s: &ReleaseSummary<'_>, dry_run: bool) -> String {
    let dry = if dry_run { " (dry run)" } else { "" };
    let mut md = format!(
        "## releasekit-cargo release{dry}\n\nRelease PR [#{}]({}), merge commit `{}`.\n\n| crate | version | tag | release |\n|---|---|---|---|\n",
        s.pull.number,
        s.pull.url,
        short_id(s.commit)
    );
    let what = |existed: bool| match (existed, dry_run) {
        (true, _) => "kept (existed)",
        (false, true) => "would create",
        (false, false) => "created",
    };
    for r in &s.released {
        let draft = if r.draft { " draft" } else { "" };
        let release = match r.release_existed {
            None => "none (`github_release.enabled = false`)".to_owned(),
            Some(existed) if r.url.is_empty() => format!("{}{draft}", what(existed)),
            Some(existed) => format!("[{}{draft}]({})", what(existed), r.url),
        };
        let _ = writeln!(
            md,
            "| `{}` | {} | `{}` {} | {release} |",
            r.name,
            r.version,
            r.tag,
            what(r.tag_existed)
        );
    }
    if !s.differences.is_empty() {
        md.push_str("\nReleased as merged; the Release PR's body said otherwise:\n\n");
        for difference in s.differences {
            let _ = writeln!(md, "- {difference}");
        }
    }
    for warning in s.warnings {
        let _ = write!(md, "\n> **Warning:** {warning}\n");
    }
    if let Some((error, left)) = &s.failed {
        let names: Vec<String> = left.iter().map(|tag| format!("`{tag}`")).collect();
        let _ = write!(
            md,
            "\n**Failed:** {error}\n\nNot done yet: {}. Re-run the job: tags and releases that exist are kept, the rest are created.\n",
            if names.is_empty() {
                "the labels".to_owned()
            } else {
                names.join(", ")
            }
        );
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(
        name: &'static str,
        version: &'static str,
        tag: &'static str,
        url: &'static str,
    ) -> ReleasedRow<'static> {
        ReleasedRow {
            name,
            version,
            tag,
            url,
            tag_existed: false,
            release_existed: Some(false),
            draft: false,
        }
    }

    fn summary(released: Vec<ReleasedRow<'static>>) -> ReleaseSummary<'static> {
        ReleaseSummary {
            pull: PullLink {
                number: 12,
                url: "https://github.com/acme/widgets/pull/12",
            },
            commit: "9f1c2e3d4b5a69788776655443322110ffeeddcc",
            released,
            differences: &[],
            warnings: &[],
            failed: None,
        }
    }

    #[test]
    fn release_summary_with_kept_tags_differences_and_a_warning() {
        let mut kept = row(
            "util",
            "0.3.1",
            "util-v0.3.1",
            "https://github.com/acme/widgets/releases/tag/util-v0.3.1",
        );
        kept.tag_existed = true;
        kept.release_existed = Some(true);
        let differences = ["the Release PR's body named core 1.1.0; 1.2.0 was merged".to_owned()];
        let warnings = [
            "tag app-v2.0.0 exists at 0ab12cd, not at the merge commit 9f1c2e3: kept as it is"
                .to_owned(),
        ];
        let mut s = summary(vec![
            row(
                "core",
                "1.2.0",
                "core-v1.2.0",
                "https://github.com/acme/widgets/releases/tag/core-v1.2.0",
            ),
            kept,
        ]);
        s.differences = &differences;
        s.warnings = &warnings;
        insta::assert_snapshot!(release_markdown(&s, false));
    }

    #[test]
    fn release_summary_of_a_failed_run_names_what_is_left() {
        let mut s = summary(vec![row(
            "core",
            "1.2.0",
            "core-v1.2.0",
            "https://github.com/acme/widgets/releases/tag/core-v1.2.0",
        )]);
        s.failed = Some((
            "GitHub answered 502 to POST /repos/acme/widgets/releases".into(),
            vec!["util-v0.3.1", "app-v2.0.0"],
        ));
        insta::assert_snapshot!(release_markdown(&s, false));
    }

    #[test]
    fn release_summary_of_a_dry_run() {
        let mut draft = row("util", "0.3.1", "util-v0.3.1", "");
        draft.draft = true;
        let mut none = row("app", "2.0.0", "app-v2.0.0", "");
        none.release_existed = None;
        let s = summary(vec![row("core", "1.2.0", "core-v1.2.0", ""), draft, none]);
        insta::assert_snapshot!(release_markdown(&s, true));
    }
}
