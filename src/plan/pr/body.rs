//! The Release PR body: intro, table, waves, notes, changelogs and the embedded manifest,
//! fitted to GitHub's size limit.

use std::fmt::Write;

use serde::Serialize;

use super::stamp::{STAMP_LEN, stamped};
use super::{BODY_LIMIT, MARKER, ManifestCrate, PrEdits, ReleaseManifest};
use crate::plan::release::{CrateRelease, ReleasePlan};

/// The PR body, within [`BODY_LIMIT`] characters: intro, table, publish waves, notes, each
/// crate's changelog, and last the manifest, stamped with the digest of the rest (`stamp`).
///
/// When too long, changelogs give way first: the largest, one at a time, to a pointer at its
/// `CHANGELOG.md`; if the pointers are still too many, they merge into one line and the smallest
/// changelogs come back while they fit. Then the table's reasons go, then the waves, then
/// everything but a one-line intro and the manifest. The manifest is never cut: at about 200
/// characters a crate (typical names) it alone exceeds the limit only beyond about 300 crates,
/// and then the body is returned over the limit (GitHub refuses it; the caller must say so).
pub fn body(plan: &ReleasePlan, manifest: &ReleaseManifest, edits: &PrEdits) -> String {
    // Within the limit with the stamp (`stamp`) that follows.
    const LIMIT: usize = BODY_LIMIT - STAMP_LEN;
    let find = |name: &str| plan.crates.iter().find(|c| c.name == name);
    let mut parts = Parts {
        intro: intro(manifest, edits),
        table: Some(table(manifest, find, edits, true)),
        waves: waves(plan),
        notes: notes(plan),
        changelogs: manifest
            .crates
            .iter()
            .map(|c| Changelog::new(c, find(&c.name)))
            .collect(),
        manifest: manifest_block(manifest),
    };
    let mut total = parts.len();
    while total > LIMIT {
        let largest = parts
            .changelogs
            .iter_mut()
            .filter(|c| c.shown == Shown::Full && c.chars(Shown::Pointer) < c.chars(Shown::Full))
            .rev() // max_by_key keeps the last maximum: among equals, collapse the first.
            .max_by_key(|c| c.chars(Shown::Full));
        let Some(largest) = largest else { break };
        total -= largest.chars(Shown::Full) - largest.chars(Shown::Pointer);
        largest.shown = Shown::Pointer;
    }
    if total > LIMIT {
        for c in &mut parts.changelogs {
            if c.shown == Shown::Pointer {
                c.shown = Shown::Hidden;
            }
        }
        let mut hidden: Vec<usize> = (0..parts.changelogs.len())
            .filter(|&i| parts.changelogs[i].shown == Shown::Hidden)
            .collect();
        hidden.sort_by_key(|&i| parts.changelogs[i].chars(Shown::Full));
        for i in hidden {
            parts.changelogs[i].shown = Shown::Full;
            if parts.len() > LIMIT {
                parts.changelogs[i].shown = Shown::Hidden;
                break;
            }
        }
    }
    if parts.len() > LIMIT {
        parts.table = Some(table(manifest, find, edits, false));
    }
    if parts.len() > LIMIT {
        parts.waves = None;
    }
    if parts.len() > LIMIT {
        return stamped(format!(
            "This Release PR was opened by releasekit-cargo; it releases {} crate(s), too many to describe here (each crate's CHANGELOG.md on this branch has its notes). Merging it tags, releases and publishes each.\n\n{}",
            manifest.crates.len(),
            parts.manifest
        ));
    }
    stamped(parts.render())
}

/// The body's sections; each ends with a blank line (the manifest ends the body).
struct Parts {
    intro: String,
    table: Option<String>,
    waves: Option<String>,
    notes: Option<String>,
    changelogs: Vec<Changelog>,
    manifest: String,
}

impl Parts {
    fn render(&self) -> String {
        let mut out = self.intro.clone();
        for section in [&self.table, &self.waves, &self.notes]
            .into_iter()
            .flatten()
        {
            out.push_str(section);
        }
        for c in &self.changelogs {
            out.push_str(c.text());
        }
        out.push_str(&self.merged());
        out.push_str(&self.manifest);
        out
    }

    fn len(&self) -> usize {
        let chars = |s: &Option<String>| s.as_deref().map_or(0, |s| s.chars().count());
        self.intro.chars().count()
            + chars(&self.table)
            + chars(&self.waves)
            + chars(&self.notes)
            + self
                .changelogs
                .iter()
                .map(|c| c.chars(c.shown))
                .sum::<usize>()
            + self.merged().chars().count()
            + self.manifest.chars().count()
    }

    /// The one line that stands for the hidden changelogs.
    fn merged(&self) -> String {
        match self
            .changelogs
            .iter()
            .filter(|c| c.shown == Shown::Hidden)
            .count()
        {
            0 => String::new(),
            n => format!(
                "The changelogs of {n} more crate(s) are too long for this PR; each is in its crate's CHANGELOG.md on this branch.\n\n"
            ),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shown {
    Full,
    Pointer,
    Hidden,
}

/// One crate's changelog block, in full and as the pointer that replaces it.
struct Changelog {
    full: String,
    full_chars: usize,
    pointer: String,
    pointer_chars: usize,
    shown: Shown,
}

impl Changelog {
    /// `planned`: the crate in the plan, with its changelog section and the file it is
    /// written to.
    fn new(c: &ManifestCrate, planned: Option<&CrateRelease>) -> Changelog {
        let summary = format!("{} {}", c.name, c.version);
        let changelog = match planned.map_or("", |p| p.changelog.trim()) {
            "" => "_No changelog entries._",
            text => text,
        };
        let file = planned.map_or(Some("CHANGELOG.md"), |p| p.changelog_file.as_deref());
        let pointer = match (file, c.dir.trim_end_matches('/')) {
            (None, _) => format!("The changelog of {} is too long for this PR.", c.name),
            (Some(file), "" | ".") => format!(
                "The changelog of {} is too long for this PR; it is in {file} on this branch.",
                c.name
            ),
            (Some(file), dir) => format!(
                "The changelog of {} is too long for this PR; it is in {dir}/{file} on this branch.",
                c.name
            ),
        };
        let full = details(&summary, changelog);
        let pointer = details(&summary, &pointer);
        Changelog {
            full_chars: full.chars().count(),
            pointer_chars: pointer.chars().count(),
            full,
            pointer,
            shown: Shown::Full,
        }
    }

    fn text(&self) -> &str {
        match self.shown {
            Shown::Full => &self.full,
            Shown::Pointer => &self.pointer,
            Shown::Hidden => "",
        }
    }

    fn chars(&self, shown: Shown) -> usize {
        match shown {
            Shown::Full => self.full_chars,
            Shown::Pointer => self.pointer_chars,
            Shown::Hidden => 0,
        }
    }
}

fn details(summary: &str, content: &str) -> String {
    format!("<details><summary>{summary}</summary>\n\n{content}\n\n</details>\n\n")
}

fn intro(manifest: &ReleaseManifest, edits: &PrEdits) -> String {
    let group = match &manifest.group {
        Some(group) => format!(" for group `{group}`"),
        None => String::new(),
    };
    let yours = match edits.commits {
        0 => String::new(),
        n => format!(" This branch carries {n} commit(s) of yours on top of the release commit."),
    };
    format!(
        "This Release PR was opened by releasekit-cargo{group}. Merging it tags each crate below at the merge commit, creates its GitHub Release and publishes it to the registry.\n\n\
         You may edit this branch — reword a changelog line, type another version into a manifest: what is merged is what is released, and the next run of `prepare` keeps your commits on top of its own.{yours} This description is written again by each run that has something new to say.\n\n"
    )
}

fn table<'a>(
    manifest: &ReleaseManifest,
    find: impl Fn(&str) -> Option<&'a CrateRelease>,
    edits: &PrEdits,
    reasons: bool,
) -> String {
    let mut out = String::from(if reasons {
        "| crate | version | bump | reason | tag |\n|---|---|---|---|---|\n"
    } else {
        "| crate | version | bump | tag |\n|---|---|---|---|\n"
    });
    for c in &manifest.crates {
        let plan = find(&c.name);
        let version = match &c.previous {
            Some(previous) => format!("{previous} → {}", c.version),
            None => c.version.to_string(),
        };
        let bump = plan.map(|p| p.bump.to_string()).unwrap_or_default();
        let reason = if reasons {
            let list: Vec<String> = plan
                .map(|p| p.reasons.iter().map(ToString::to_string).collect())
                .unwrap_or_default();
            format!(" {} |", cell(&list.join("; ")))
        } else {
            String::new()
        };
        let edited = edits
            .of(&c.name)
            .map(|what| format!(" (edited in this PR: {what})"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "| `{}`{edited} | {version} | {bump} |{reason} `{}` |",
            c.name,
            cell(&c.tag)
        );
    }
    out.push('\n');
    out
}

/// A pipe would end the cell early.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

fn waves(plan: &ReleasePlan) -> Option<String> {
    if plan.waves.is_empty() {
        return None;
    }
    let mut out = format!("**Publish order:** {} wave(s)\n\n", plan.waves.len());
    for (i, wave) in plan.waves.iter().enumerate() {
        let names: Vec<String> = wave.iter().map(|n| format!("`{n}`")).collect();
        let _ = writeln!(out, "{}. {}", i + 1, names.join(", "));
    }
    out.push('\n');
    Some(out)
}

fn notes(plan: &ReleasePlan) -> Option<String> {
    if plan.notes.is_empty() {
        return None;
    }
    let mut out = String::from("**Notes:**\n\n");
    for note in &plan.notes {
        let _ = writeln!(out, "- {note}");
    }
    out.push('\n');
    Some(out)
}

pub(super) fn manifest_block(manifest: &ReleaseManifest) -> String {
    format!("{MARKER}\n{}\n-->\n", manifest_json(manifest))
}

/// Pretty JSON with one crate per line, so that large releases stay within the body limit. No
/// `>` survives (each becomes `\u003e`, which JSON reads back), so `-->` cannot end the comment.
fn manifest_json(manifest: &ReleaseManifest) -> String {
    // Destructured so that a new field cannot be forgotten here.
    let ReleaseManifest {
        format,
        group,
        crates,
    } = manifest;
    let mut out = format!(
        "{{\n  \"format\": {},\n  \"group\": {},\n  \"crates\": [",
        json(format),
        json(group)
    );
    for (i, c) in crates.iter().enumerate() {
        out.push_str(if i == 0 { "\n    " } else { ",\n    " });
        out.push_str(&json(c));
    }
    out.push_str(if crates.is_empty() {
        "]\n}"
    } else {
        "\n  ]\n}"
    });
    out.replace('>', "\\u003e")
}

fn json<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).expect("plain data always serialises")
}
