//! How a plan reads to a person: the terminal table with its changelog preview, and the
//! Markdown job summary. Pure text; the JSON form is the plan's own serialisation.

pub mod notify;
pub mod prepare;
pub mod publish;
pub mod release;
pub mod yank;

use std::fmt::Write;

use super::release::{CrateRelease, ReleasePlan};

/// The terminal form: a table (crate, current → next, bump, reason, tag, wave), the publish
/// waves, notes, and each released crate's changelog section.
pub fn text(plan: &ReleasePlan) -> String {
    let mut out = String::new();
    let released: Vec<&CrateRelease> = plan.released().collect();
    if released.is_empty() {
        out.push_str("Nothing to release: no crate has changes that ask for a new version.\n");
    } else {
        let rows: Vec<[String; 6]> = released.iter().map(|c| row(c)).collect();
        let header = ["crate", "version", "bump", "reason", "tag", "wave"].map(String::from);
        let mut widths = header.clone().map(|h| h.chars().count());
        for r in &rows {
            for (w, cell) in widths.iter_mut().zip(r) {
                *w = (*w).max(cell.chars().count());
            }
        }
        for r in std::iter::once(&header).chain(&rows) {
            let line: Vec<String> = r
                .iter()
                .zip(widths)
                .map(|(cell, w)| format!("{cell:<w$}"))
                .collect();
            let _ = writeln!(out, "{}", line.join("  ").trim_end());
        }
        let unchanged = plan.crates.len() - released.len();
        if unchanged > 0 {
            let _ = writeln!(out, "\n{unchanged} other publishable crate(s) unchanged.");
        }
        let _ = writeln!(out, "\nPublish order ({} wave(s)):", plan.waves.len());
        for (i, wave) in plan.waves.iter().enumerate() {
            let _ = writeln!(out, "  {}: {}", i + 1, wave.join(", "));
        }
    }
    for note in &plan.notes {
        let _ = writeln!(out, "\nnote: {note}");
    }
    for c in &released {
        let _ = write!(out, "\n── {} ──\n{}", c.name, c.changelog);
        if !c.changelog.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

/// The Markdown job summary.
pub fn markdown(plan: &ReleasePlan) -> String {
    let mut out = String::from("## releasekit-cargo plan\n\n");
    let released: Vec<&CrateRelease> = plan.released().collect();
    if released.is_empty() {
        out.push_str("Nothing to release: no crate has changes that ask for a new version.\n");
        return out;
    }
    out.push_str("| crate | version | bump | reason | tag | wave |\n|---|---|---|---|---|---|\n");
    for c in &released {
        let [name, version, bump, reason, tag, wave] = row(c);
        let _ = writeln!(
            out,
            "| `{name}` | {version} | {bump} | {reason} | `{tag}` | {wave} |"
        );
    }
    let _ = writeln!(out, "\n**Publish order:** {} wave(s)\n", plan.waves.len());
    for (i, wave) in plan.waves.iter().enumerate() {
        let names: Vec<String> = wave.iter().map(|n| format!("`{n}`")).collect();
        let _ = writeln!(out, "{}. {}", i + 1, names.join(", "));
    }
    for note in &plan.notes {
        let _ = writeln!(out, "\n> {note}");
    }
    for c in &released {
        let _ = write!(
            out,
            "\n<details><summary>{} {}</summary>\n\n{}\n</details>\n",
            c.name,
            c.planned_version,
            c.changelog.trim_end()
        );
    }
    out
}

/// `crates.io`, or "registry `name`".
pub fn registry_label(name: Option<&str>) -> String {
    match name {
        Some(name) => format!("registry `{name}`"),
        None => "crates.io".to_owned(),
    }
}

fn row(c: &CrateRelease) -> [String; 6] {
    let version = if c.initial_version == c.planned_version {
        c.planned_version.to_string()
    } else {
        format!("{} → {}", c.initial_version, c.planned_version)
    };
    let reasons: Vec<String> = c.reasons.iter().map(ToString::to_string).collect();
    [
        c.name.clone(),
        version,
        c.bump.to_string(),
        reasons.join("; "),
        c.planned_tag.clone(),
        match (c.wave, c.release_only) {
            (Some(w), _) => (w + 1).to_string(),
            (None, true) => "not published".to_owned(),
            (None, false) => String::new(),
        },
    ]
}
