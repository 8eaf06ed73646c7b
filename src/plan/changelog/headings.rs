//! Whose is a section's heading line: the tool's, for the version it writes. When the maintainer
//! renames a heading on the Release PR to the version they typed (`## [0.1.1]` → `## [0.2.0]`),
//! the rebuilt release commit writes that version's heading itself, with its own compare link;
//! their line and the tool's then differ only in what the tool owns, and the tool's stands.
//! Every other line, and the heading of any version the tool does not write, stays theirs.
//! Pure.

use std::collections::BTreeMap;

/// `theirs` (the maintainer's side of a changelog when their commit is replayed) with the
/// heading line of each version the tool wrote — a `## ` heading of `ours` (the rebuilt release
/// commit) whose version `base` (the release commit their commit was made on) does not head
/// with the very same line — replaced by the tool's line. A heading is known by what it names:
/// `[0.2.0]`, `[app 0.2.0]` (the workspace changelog) or its first word. `None` when nothing
/// changes.
pub fn adopt_headings(base: &str, ours: &str, theirs: &str) -> Option<String> {
    let base_lines = headings(base);
    let written: BTreeMap<&str, &str> = headings(ours)
        .into_iter()
        .filter(|line| !base_lines.contains(line))
        .filter_map(|line| Some((named(line)?, line)))
        .collect();
    let mut changed = false;
    let mut out = String::with_capacity(theirs.len());
    let mut fenced = false;
    for line in theirs.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        let tool = is_heading(content, &mut fenced)
            .then(|| named(content).and_then(|name| written.get(name)))
            .flatten()
            .filter(|tool| **tool != content);
        match tool {
            Some(tool) => {
                out.push_str(tool);
                out.push_str(&line[content.len()..]);
                changed = true;
            }
            None => out.push_str(line),
        }
    }
    changed.then_some(out)
}

/// Every `## ` heading line outside fenced code, without its line end.
fn headings(text: &str) -> Vec<&str> {
    let mut fenced = false;
    text.split_inclusive('\n')
        .map(|line| line.trim_end_matches(['\n', '\r']))
        .filter(|content| is_heading(content, &mut fenced))
        .collect()
}

/// Whether `content` is a `## ` heading, keeping track of fenced code blocks.
fn is_heading(content: &str, fenced: &mut bool) -> bool {
    if content.starts_with("```") || content.starts_with("~~~") {
        *fenced = !*fenced;
        return false;
    }
    !*fenced && content.starts_with("## ")
}

/// What a heading names: the text in its leading brackets, else its first word.
fn named(heading: &str) -> Option<&str> {
    let rest = heading.strip_prefix("## ")?.trim_start();
    let name = match rest.strip_prefix('[') {
        Some(inner) => inner.split(']').next()?,
        None => rest.split_whitespace().next()?,
    };
    (!name.is_empty()).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINK: &str = "https://github.com/acme/widgets/compare";

    fn changelog(heading: &str) -> String {
        format!(
            "# Changelog\n\n{heading}\n\n### Bug Fixes\n\n- tidy the output\n\n## [0.1.0] - 2020-01-01\n\n- first\n"
        )
    }

    #[test]
    fn a_heading_renamed_to_the_version_the_tool_now_writes_takes_the_tools_line() {
        let base = changelog(&format!(
            "## [0.1.1]({LINK}/app-v0.1.0...app-v0.1.1) - 2024-05-01"
        ));
        let ours = changelog(&format!(
            "## [0.2.0]({LINK}/app-v0.1.0...app-v0.2.0) - 2024-05-01"
        ));
        // Renamed by hand: the link still compares 0.1.1, and an old heading was edited too.
        let theirs = changelog(&format!(
            "## [0.2.0]({LINK}/app-v0.1.0...app-v0.1.1) - 2024-05-01"
        ))
        .replace(
            "## [0.1.0] - 2020-01-01",
            "## [0.1.0] - 2020-01-01 (the first)",
        );
        let adopted = adopt_headings(&base, &ours, &theirs).expect("changed");
        assert_eq!(
            adopted,
            ours.replace(
                "## [0.1.0] - 2020-01-01",
                "## [0.1.0] - 2020-01-01 (the first)"
            ),
            "the tool's heading for 0.2.0, the maintainer's everywhere else"
        );
        // Nothing to adopt: the maintainer's heading is the tool's already, or the tool wrote
        // no new heading.
        assert_eq!(adopt_headings(&base, &ours, &ours), None);
        assert_eq!(adopt_headings(&base, &base, &theirs), None);
    }

    #[test]
    fn line_ends_fences_and_the_workspace_changelog_are_respected() {
        let base = "## [app 0.1.1] - d1\r\n\r\n```\r\n## [app 0.2.0] in a fence\r\n```\r\n";
        let ours = "## [app 0.2.0](link) - d1\r\n\r\n```\r\n## [app 0.2.0] in a fence\r\n```\r\n";
        let theirs = "## [app 0.2.0] - d1\r\n\r\n```\r\n## [app 0.2.0] in a fence\r\n```\r\n";
        assert_eq!(adopt_headings(base, ours, theirs).as_deref(), Some(ours));
        // Another crate's heading of the same version is not the same heading.
        let theirs = "## [cli 0.2.0] - d1\n";
        assert_eq!(adopt_headings(base, ours, theirs), None);
    }
}
