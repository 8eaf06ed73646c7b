//! What git prints about the history, read with framing that no byte of a commit can forge.
//!
//! Two streams, neither of which a commit's author controls the shape of:
//! - `git log -z --raw --format=%H%x00%P` (see [`LOG_ARGS`]) gives each commit's id, its parents
//!   and the paths it changed, every field ended by NUL. Ids are hex; each path follows its own
//!   `:`-line and is taken by position, never by what it looks like, and no path holds a NUL.
//!   Messages are not in this stream at all.
//! - `git cat-file --batch` gives each commit object with its size in front, so a message is
//!   read by length: NUL, control bytes, CRLF and invalid UTF-8 (read lossily) are only text.
//!
//! Pure: the git adapter runs the commands and hands over their bytes.

use std::borrow::Cow;
use std::collections::HashMap;

use super::history::RawCommit;

/// The arguments of the `git log` whose output [`parse_log`] reads (after `log`).
pub const LOG_ARGS: &[&str] = &[
    "--no-renames",
    "--no-color",
    "-z",
    "--raw",
    "--format=%H%x00%P",
];

/// Why git's output could not be read: it is not what the command prints.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unexpected output from `git {command}` at byte {at}: {what}")]
pub struct FramingError {
    pub command: &'static str,
    pub at: usize,
    pub what: String,
}

/// One commit of the log, without its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    pub id: String,
    pub parents: Vec<String>,
    pub paths: Vec<String>,
}

/// Read the output of `git log` with [`LOG_ARGS`]: per commit `id NUL parents NUL`, then for
/// each changed path `:<modes> <ids> <status> NUL <path> NUL` (the first `:`-line after a
/// newline), two paths for a rename or copy.
pub fn parse_log(out: &[u8]) -> Result<Vec<LogEntry>, FramingError> {
    let err = |at: usize, what: &str| FramingError {
        command: "log",
        at,
        what: what.to_owned(),
    };
    let mut fields = fields(out);
    let mut entries: Vec<LogEntry> = Vec::new();
    while let Some((at, field)) = fields.next() {
        let line = field.strip_prefix(b"\n").unwrap_or(field);
        if let Some(meta) = line.strip_prefix(b":") {
            let entry = entries
                .last_mut()
                .ok_or_else(|| err(at, "a changed path before any commit"))?;
            let status = meta.rsplit(|&b| b == b' ').next().unwrap_or_default();
            let count = if matches!(status.first(), Some(b'R' | b'C')) {
                2
            } else {
                1
            };
            for _ in 0..count {
                let (_, path) = fields
                    .next()
                    .ok_or_else(|| err(at, "a `:` line without its path"))?;
                entry.paths.push(String::from_utf8_lossy(path).into_owned());
            }
            continue;
        }
        let id = object_id(field).ok_or_else(|| err(at, "expected a commit id"))?;
        let (at, parents) = fields
            .next()
            .ok_or_else(|| err(at, "a commit id without its parents"))?;
        let parents = parents
            .split(|&b| b == b' ')
            .filter(|p| !p.is_empty())
            .map(object_id)
            .collect::<Option<Vec<String>>>()
            .ok_or_else(|| err(at, "expected parent commit ids"))?;
        entries.push(LogEntry {
            id,
            parents,
            paths: Vec::new(),
        });
    }
    Ok(entries)
}

/// Read the output of `git cat-file --batch` for commits: per object `<id> commit <size> LF`,
/// then exactly `size` bytes, then LF. Returns each commit's message (what follows the first
/// blank line of the object, up to a NUL), read lossily as UTF-8 without trailing white space.
pub fn parse_commit_objects(out: &[u8]) -> Result<HashMap<String, String>, FramingError> {
    let err = |at: usize, what: String| FramingError {
        command: "cat-file --batch",
        at,
        what,
    };
    let mut messages = HashMap::new();
    let mut at = 0;
    while at < out.len() {
        let rest = &out[at..];
        let end = rest
            .iter()
            .position(|&b| b == b'\n')
            .ok_or_else(|| err(at, "an object header without its end of line".into()))?;
        let header = String::from_utf8_lossy(&rest[..end]);
        let parts: Vec<&str> = header.split(' ').collect();
        let (id, size) = match parts.as_slice() {
            [id, "commit", size] => (*id, size),
            _ => {
                return Err(err(
                    at,
                    format!("expected `<id> commit <size>`, got {header:?}"),
                ));
            }
        };
        let id = object_id(id.as_bytes())
            .ok_or_else(|| err(at, format!("{id:?} is not an object id")))?;
        let size: usize = size
            .parse()
            .map_err(|_| err(at, format!("{size:?} is not a size")))?;
        let start = end + 1;
        let body = start
            .checked_add(size)
            .and_then(|stop| rest.get(start..stop))
            .ok_or_else(|| err(at, format!("the object {id} is cut short")))?;
        if rest.get(start + size) != Some(&b'\n') {
            return Err(err(
                at,
                format!("the object {id} does not end where its size says"),
            ));
        }
        messages.insert(id, message_of(body));
        at += start + size + 1;
    }
    Ok(messages)
}

/// The commits of the log with their messages, in the log's order. Every commit must have its
/// object: the two streams list the same history.
pub fn join(
    entries: Vec<LogEntry>,
    mut messages: HashMap<String, String>,
) -> Result<Vec<RawCommit>, FramingError> {
    entries
        .into_iter()
        .map(|e| {
            let message = messages.remove(&e.id).ok_or_else(|| FramingError {
                command: "cat-file --batch",
                at: 0,
                what: format!("git log listed commit {} that cat-file did not show", e.id),
            })?;
            Ok(RawCommit {
                id: e.id,
                parents: e.parents,
                message,
                paths: e.paths,
                // What git confirms of a claimed revert comes from the adapter.
                verified_revert: None,
            })
        })
        .collect()
}

/// A commit object's message: what follows the first blank line (the headers end there; a
/// signature's lines continue with a space, never blank), up to a NUL as git itself shows it,
/// made [`inert`]: its text reaches changelogs, the PR body, the summary and terminals.
fn message_of(object: &[u8]) -> String {
    let message = object
        .windows(2)
        .position(|w| w == b"\n\n")
        .map_or(&[][..], |at| &object[at + 2..]);
    let message = message.split(|&b| b == 0).next().unwrap_or_default();
    inert(String::from_utf8_lossy(message).trim_end()).into_owned()
}

/// `text` with every control character but newline and tab (ESC, BEL, CR, DEL, the C1 range…)
/// replaced by `�`, a CRLF line end becoming LF: no escape sequence of a commit message reaches
/// a terminal, and what is left is still visible.
pub fn inert(text: &str) -> Cow<'_, str> {
    let unsafe_char = |c: char| c.is_control() && c != '\n' && c != '\t';
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let text = text.replace("\r\n", "\n");
    Cow::Owned(
        text.chars()
            .map(|c| if unsafe_char(c) { '\u{FFFD}' } else { c })
            .collect(),
    )
}

/// A full SHA-1 or SHA-256 object id in lower-case hex.
fn object_id(field: &[u8]) -> Option<String> {
    let hex = field
        .iter()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b));
    (hex && matches!(field.len(), 40 | 64)).then(|| String::from_utf8_lossy(field).into_owned())
}

/// The NUL-ended fields of `out` with their byte offsets (a last field without its NUL too).
fn fields(out: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    let body = out.strip_suffix(b"\0").unwrap_or(out);
    let mut at = 0;
    body.split(|&b| b == 0)
        .take_while(move |_| !out.is_empty())
        .map(move |field| {
            let start = at;
            at += field.len() + 1;
            (start, field)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "1111111111111111111111111111111111111111";
    const B: &str = "2222222222222222222222222222222222222222";
    const C: &str = "3333333333333333333333333333333333333333";

    fn meta(status: &str) -> String {
        format!(":100644 100644 abc1234 def5678 {status}")
    }

    #[test]
    fn log_records_give_ids_parents_and_paths_of_merges_roots_and_empty_commits() {
        // C merges A and B (no paths); B changes two files, one with a space and a newline in
        // its name; A is the root, with no files.
        let out = format!(
            "{C}\0{A} {B}\0{B}\0{A}\0\n{}\0a/sp ace\0{}\0b/new\nline\0{A}\0\0",
            meta("M"),
            meta("A")
        );
        let entries = parse_log(out.as_bytes()).unwrap();
        assert_eq!(
            entries,
            [
                LogEntry {
                    id: C.into(),
                    parents: vec![A.into(), B.into()],
                    paths: vec![]
                },
                LogEntry {
                    id: B.into(),
                    parents: vec![A.into()],
                    paths: vec!["a/sp ace".into(), "b/new\nline".into()]
                },
                LogEntry {
                    id: A.into(),
                    parents: vec![],
                    paths: vec![]
                },
            ]
        );
    }

    #[test]
    fn a_path_that_looks_like_a_commit_or_a_colon_line_is_still_a_path() {
        let out = format!(
            "{B}\0{A}\0\n{}\0{C}\0{}\0:100644 100644 abc def M\0{A}\0\0",
            meta("M"),
            meta("M")
        );
        let entries = parse_log(out.as_bytes()).unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(
            entries[0].paths,
            [C.to_owned(), ":100644 100644 abc def M".to_owned()]
        );
    }

    #[test]
    fn a_rename_or_copy_line_takes_both_paths() {
        let out = format!("{A}\0\0\n{}\0old\0new\0{}\0x\0", meta("R100"), meta("M"));
        let entries = parse_log(out.as_bytes()).unwrap();
        assert_eq!(entries[0].paths, ["old", "new", "x"]);
    }

    #[test]
    fn log_output_that_is_not_git_logs_shape_is_an_error() {
        for (out, what) in [
            ("not-a-commit\0\0", "expected a commit id"),
            (
                ":100644 100644 a b M\0x\0",
                "a changed path before any commit",
            ),
            (
                "1111111111111111111111111111111111111111",
                "a commit id without its parents",
            ),
            (
                "1111111111111111111111111111111111111111\0zz\0",
                "expected parent commit ids",
            ),
        ] {
            let e = parse_log(out.as_bytes()).unwrap_err();
            assert_eq!(e.what, what, "{out:?}");
        }
        assert_eq!(parse_log(b"").unwrap(), []);
    }

    fn object(id: &str, message: &[u8]) -> Vec<u8> {
        let mut body = format!("tree {A}\nparent {B}\nauthor a <a@b> 1 +0000\ncommitter a <a@b> 1 +0000\ngpgsig -----BEGIN-----\n \n x\n -----END-----\n\n").into_bytes();
        body.extend_from_slice(message);
        let mut out = format!("{id} commit {}\n", body.len()).into_bytes();
        out.extend(body);
        out.push(b'\n');
        out
    }

    #[test]
    fn messages_are_read_by_length_whatever_bytes_they_hold() {
        // Every byte but NUL, then what an object header looks like, then NUL and more.
        let mut hostile: Vec<u8> = (1u8..=255).collect();
        hostile.extend_from_slice(b"\r\n\n1111 commit 9\n\x1e\x1f\0after the NUL");
        let mut out = object(A, b"feat: plain\n\nbody\r\n");
        out.extend(object(B, &hostile));
        out.extend(object(C, b""));
        let messages = parse_commit_objects(&out).unwrap();
        assert_eq!(messages.len(), 3);
        assert_eq!(messages[A], "feat: plain\n\nbody");
        let shown = hostile.split(|&b| b == 0).next().unwrap();
        assert_eq!(
            messages[B],
            inert(String::from_utf8_lossy(shown).trim_end()).into_owned()
        );
        // Control characters are shown as `�`, never kept: no escape sequence survives.
        assert!(!messages[B].contains('\u{1e}') && messages[B].contains('\u{FFFD}'));
        assert!(
            !messages[B]
                .chars()
                .any(|c| c.is_control() && c != '\n' && c != '\t')
        );
        assert!(messages[B].contains("\n1111 commit 9\n"));
        assert!(!messages[B].contains("after the NUL"));
        assert_eq!(messages[C], "");
    }

    #[test]
    fn inert_text_keeps_newlines_and_tabs_and_shows_every_other_control_character() {
        assert_eq!(inert("fix: plain\n\tbody"), "fix: plain\n\tbody");
        assert_eq!(
            inert("fix(a): look \u{1b}]0;PWNED\u{7} \u{1b}[2J cleared\r\nbody\rX\u{7f}\u{9b}"),
            "fix(a): look �]0;PWNED� �[2J cleared\nbody�X��"
        );
    }

    #[test]
    fn objects_that_are_cut_short_missing_or_not_commits_are_an_error() {
        let whole = object(A, b"fix: x\n");
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (whole[..whole.len() - 3].to_vec(), "cut short"),
            (
                format!("{A} missing\n").into_bytes(),
                "expected `<id> commit <size>`",
            ),
            (
                format!("{A} blob 2\nab\n").into_bytes(),
                "expected `<id> commit <size>`",
            ),
            (format!("{A} commit x\n").into_bytes(), "is not a size"),
            (
                format!("{A} commit 1\nab\n").into_bytes(),
                "does not end where its size says",
            ),
            (
                format!("{A} commit 99999999999999999999999\n").into_bytes(),
                "is not a size",
            ),
            (
                format!("{A} commit {}\n", usize::MAX).into_bytes(),
                "cut short",
            ),
        ];
        for (out, what) in cases {
            let e = parse_commit_objects(&out).unwrap_err();
            assert!(e.what.contains(what), "{e}");
        }
    }

    #[test]
    fn join_pairs_each_log_entry_with_its_message_and_refuses_a_missing_one() {
        let entries = vec![LogEntry {
            id: A.into(),
            parents: vec![],
            paths: vec!["x".into()],
        }];
        let messages = HashMap::from([(A.to_owned(), "fix: x".to_owned())]);
        let commits = join(entries.clone(), messages).unwrap();
        assert_eq!(commits[0].message, "fix: x");
        assert_eq!(commits[0].paths, ["x"]);
        let e = join(entries, HashMap::new()).unwrap_err();
        assert!(e.what.contains("did not show"), "{e}");
    }
}
