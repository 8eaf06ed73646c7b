//! The GitHub Actions runner's files and workflow commands: step outputs (`GITHUB_OUTPUT`), the
//! job summary (`GITHUB_STEP_SUMMARY`), `::add-mask::`, `::group::` and annotations.
//!
//! Effects only; what to report is decided by the jobs.

use std::collections::hash_map::RandomState;
use std::fs::OpenOptions;
use std::hash::{BuildHasher, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::plan::git_output::inert;

#[derive(Debug, thiserror::Error)]
#[error("could not write {what} file {path}")]
pub struct ActionsError {
    pub what: &'static str,
    pub path: PathBuf,
    #[source]
    pub source: std::io::Error,
}

/// Where the runner wants outputs and the summary (both unset outside Actions).
#[derive(Debug, Clone, Default)]
pub struct Runner {
    pub output: Option<PathBuf>,
    pub summary: Option<PathBuf>,
}

impl Runner {
    /// Open both files for appending, writing nothing: a run checks that it can report before
    /// it changes anything.
    pub fn check(&self) -> Result<(), ActionsError> {
        for (what, path) in [("output", &self.output), ("summary", &self.summary)] {
            if let Some(path) = path {
                append(path, what, "")?;
            }
        }
        Ok(())
    }

    /// Write a step output; multi-line safe through a heredoc with a random delimiter that the
    /// value cannot contain.
    pub fn set_output(&self, name: &str, value: &str) -> Result<(), ActionsError> {
        let Some(path) = &self.output else {
            return Ok(());
        };
        let delimiter = loop {
            let candidate = format!("ghadelimiter_{}", random_hex());
            if !value.contains(&candidate) {
                break candidate;
            }
        };
        append(
            path,
            "output",
            &format!("{name}<<{delimiter}\n{value}\n{delimiter}\n"),
        )
    }

    /// Append Markdown to the job summary.
    pub fn summary(&self, markdown: &str) -> Result<(), ActionsError> {
        let Some(path) = &self.summary else {
            return Ok(());
        };
        let mut text = markdown.to_owned();
        if !text.ends_with('\n') {
            text.push('\n');
        }
        append(path, "summary", &text)
    }
}

fn append(path: &Path, what: &'static str, text: &str) -> Result<(), ActionsError> {
    OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .map_err(|source| ActionsError {
            what,
            path: path.to_owned(),
            source,
        })
}

fn random_hex() -> String {
    // RandomState is seeded from the OS's randomness once per process and per instance.
    let a = RandomState::new().build_hasher().finish();
    let b = RandomState::new().build_hasher().finish();
    format!("{a:016x}{b:016x}")
}

/// Where a run prints (stdout, or stderr for the final error). What it prints carries text
/// nobody vouches for — commit messages, changelog sections, PR bodies, manifests — so:
/// - inside Actions, such text is printed between `::stop-commands::<token>` and `::<token>::`
///   with a token made for this run: the runner reads no workflow command in between (neither
///   `::cmd::` at any indentation nor the legacy `##[cmd]`), and the run's own commands
///   ([`Console::command`]) are printed after processing resumed;
/// - everywhere, control characters other than newline and tab become `�`, so no escape
///   sequence reaches a terminal or a log viewer.
pub struct Console<'a> {
    out: &'a mut dyn Write,
    /// Inside Actions: the stop token, and whether commands are stopped right now.
    stop: Option<(String, bool)>,
    /// The last text did not end its line.
    mid_line: bool,
}

impl<'a> Console<'a> {
    pub fn new(out: &'a mut dyn Write, in_actions: bool) -> Console<'a> {
        Console {
            out,
            stop: in_actions.then(|| (format!("releasekit-{}", random_hex()), false)),
            mid_line: false,
        }
    }

    /// Print `text` as text only.
    pub fn text(&mut self, text: &str) -> std::io::Result<()> {
        if text.is_empty() {
            return Ok(());
        }
        if let Some((token, stopped @ false)) = &mut self.stop {
            writeln!(self.out, "::stop-commands::{token}")?;
            *stopped = true;
        }
        self.mid_line = !text.ends_with('\n');
        self.out.write_all(inert(text).as_bytes())
    }

    /// Print one workflow command of our own (`::group::…`, `::add-mask::…`, an annotation),
    /// on a line of its own, with the runner reading commands again.
    pub fn command(&mut self, line: &str) -> std::io::Result<()> {
        self.resume()?;
        writeln!(self.out, "{line}")
    }

    /// Let the runner read commands again (the end of the run's output), on a line of its own.
    pub fn resume(&mut self) -> std::io::Result<()> {
        if std::mem::take(&mut self.mid_line) {
            writeln!(self.out)?;
        }
        if let Some((token, stopped @ true)) = &mut self.stop {
            writeln!(self.out, "::{token}::")?;
            *stopped = false;
        }
        self.out.flush()
    }
}

/// `::add-mask::` line for a secret: printed before anything else so the runner hides it.
pub fn mask_command(secret: &str) -> String {
    format!("::add-mask::{}", escape_data(secret))
}

pub fn group_command(title: &str) -> String {
    format!("::group::{}", escape_data(title))
}

pub const END_GROUP: &str = "::endgroup::";

/// `::error file=…,line=…::message` (or `::notice::`…): an annotation on a file.
pub fn annotation(level: &str, file: Option<&str>, line: Option<usize>, message: &str) -> String {
    let mut props = Vec::new();
    if let Some(file) = file {
        props.push(format!("file={}", escape_property(file)));
    }
    if let Some(line) = line {
        props.push(format!("line={line}"));
    }
    let props = if props.is_empty() {
        String::new()
    } else {
        format!(" {}", props.join(","))
    };
    format!("::{level}{props}::{}", escape_data(message))
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outputs_use_a_heredoc_whose_delimiter_differs_every_time() {
        let dir = tempfile::tempdir().unwrap();
        let runner = Runner {
            output: Some(dir.path().join("out")),
            summary: None,
        };
        runner.set_output("plan", "line 1\nline 2").unwrap();
        runner.set_output("has_bumps", "true").unwrap();
        let text = std::fs::read_to_string(dir.path().join("out")).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let first = lines[0].strip_prefix("plan<<").unwrap();
        assert_eq!(&lines[1..4], ["line 1", "line 2", first]);
        let second = lines[4].strip_prefix("has_bumps<<").unwrap();
        assert_ne!(first, second);
        assert_eq!(&lines[5..], ["true", second]);
    }

    #[test]
    fn check_opens_both_files_and_refuses_a_directory_or_a_missing_directory() {
        let dir = tempfile::tempdir().unwrap();
        let runner = Runner {
            output: Some(dir.path().join("out")),
            summary: Some(dir.path().join("summary")),
        };
        runner.check().unwrap();
        assert_eq!(std::fs::read_to_string(dir.path().join("out")).unwrap(), "");
        for (output, summary, what) in [
            (dir.path().to_owned(), dir.path().join("s"), "output"),
            (
                dir.path().join("o"),
                dir.path().join("gone/summary"),
                "summary",
            ),
        ] {
            let err = Runner {
                output: Some(output),
                summary: Some(summary),
            }
            .check()
            .unwrap_err();
            assert_eq!(err.what, what);
        }
        assert!(Runner::default().check().is_ok());
    }

    #[test]
    fn text_is_printed_with_commands_stopped_and_our_commands_after_they_resume() {
        let mut out = Vec::new();
        let mut console = Console::new(&mut out, true);
        console.command("::group::plan").unwrap();
        console
            .text("  ::add-mask::forged\n##[group]forged\n")
            .unwrap();
        console.text("no end of line \u{1b}[2J").unwrap();
        console.command("::endgroup::").unwrap();
        console.resume().unwrap();
        let token = console.stop.as_ref().unwrap().0.clone();
        assert!(token.len() > 30, "{token}");
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            format!(
                "::group::plan\n::stop-commands::{token}\n  ::add-mask::forged\n##[group]forged\nno end of line �[2J\n::{token}::\n::endgroup::\n"
            )
        );
        // Another run stops with another token.
        let mut other = Vec::new();
        let second = Console::new(&mut other, true).stop.unwrap().0;
        assert_ne!(second, token);
    }

    #[test]
    fn outside_actions_text_is_only_made_inert() {
        let mut out = Vec::new();
        let mut console = Console::new(&mut out, false);
        console.text("fix: \u{1b}]0;x\u{7}\n").unwrap();
        console.resume().unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "fix: �]0;x�\n");
    }

    #[test]
    fn workflow_commands_escape_what_would_end_or_split_them() {
        assert_eq!(mask_command("a%b\nc"), "::add-mask::a%25b%0Ac");
        assert_eq!(
            annotation("error", Some("a:b,c/Cargo.toml"), Some(3), "bad\nthing"),
            "::error file=a%3Ab%2Cc/Cargo.toml,line=3::bad%0Athing"
        );
        assert_eq!(annotation("notice", None, None, "x"), "::notice::x");
    }
}
