//! How a GitHub Release reads once marked yanked, and how the mark comes off again.
//!
//! A mark is a fixed title prefix and a fixed paragraph appended to the body; undo strips
//! exactly those, so a release comes back to its own text byte for byte (CRLF line ends, no
//! final newline, trailing spaces, an empty body or title). Only a mark someone edited by hand
//! is taken off by its line, as well as that can be done.

/// Prefix of a yanked release's title.
pub const TITLE_PREFIX: &str = "[yanked] ";
/// Starts the paragraph a yank appends to a release's body (after a blank line).
const NOTE_START: &str = "\n\n> **Yanked** from ";
const NOTE_TEXT: &str = ": new lockfiles no longer select this version. ";
/// Ends the paragraph: the release had a title of its own.
const BODY_MARK: &str = "<!-- releasekit-cargo: yanked -->";
/// Ends the paragraph: the release had no title (GitHub showed its tag), so the marked title
/// names the tag and undo empties it again.
const BODY_MARK_NO_TITLE: &str = "<!-- releasekit-cargo: yanked, untitled -->";

/// A GitHub Release's title and body once marked yanked; `None` when it is marked already.
/// `tag` names a release without a title.
pub fn mark_release(
    title: &str,
    body: &str,
    registry: &str,
    tag: &str,
) -> Option<(String, String)> {
    if strip_note(body).is_some() {
        return None;
    }
    let (title, mark) = if title.is_empty() {
        (format!("{TITLE_PREFIX}{tag}"), BODY_MARK_NO_TITLE)
    } else {
        (format!("{TITLE_PREFIX}{title}"), BODY_MARK)
    };
    // A registry label never holds a line break; were it to, undo could not find the note.
    let registry = registry.replace(['\r', '\n'], " ");
    let body = format!("{body}{NOTE_START}{registry}{NOTE_TEXT}{mark}\n");
    Some((title, body))
}

/// A GitHub Release's title and body with the yank mark taken off; `None` when it has none.
pub fn unmark_release(title: &str, body: &str) -> Option<(String, String)> {
    let untitle = |title: &str| title.strip_prefix(TITLE_PREFIX).unwrap_or(title).to_owned();
    if let Some((body, untitled)) = strip_note(body) {
        let title = if untitled {
            String::new()
        } else {
            untitle(title)
        };
        return Some((title, body.to_owned()));
    }
    // Edited by hand: drop the lines that carry the mark.
    if body.contains(BODY_MARK) || body.contains(BODY_MARK_NO_TITLE) {
        let kept: Vec<&str> = (body.split_inclusive('\n'))
            .filter(|l| !l.contains(BODY_MARK) && !l.contains(BODY_MARK_NO_TITLE))
            .collect();
        return Some((untitle(title), kept.concat()));
    }
    None
}

/// The body before the note a mark appended, and whether the release had no title; `None`
/// when the body does not end with that note exactly.
fn strip_note(body: &str) -> Option<(&str, bool)> {
    let line = body.strip_suffix('\n')?;
    let (line, untitled) = match line.strip_suffix(BODY_MARK) {
        Some(line) => (line, false),
        None => (line.strip_suffix(BODY_MARK_NO_TITLE)?, true),
    };
    let line = line.strip_suffix(NOTE_TEXT)?;
    let start = line.rfind(NOTE_START)?;
    let registry = &line[start + NOTE_START.len()..];
    (!registry.contains('\n')).then_some((&body[..start], untitled))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_release_is_marked_once_and_unmarked_to_its_own_text() {
        let body = "## Features\n\n- parse faster (abc1234)\n";
        let (title, marked) = mark_release("serde v1.2.0", body, "crates.io", "v1.2.0").unwrap();
        assert_eq!(title, "[yanked] serde v1.2.0");
        insta::assert_snapshot!("yanked_release_body", marked);
        assert_eq!(mark_release(&title, &marked, "crates.io", "v1.2.0"), None);
        let (title, unmarked) = unmark_release(&title, &marked).unwrap();
        assert_eq!((title.as_str(), unmarked.as_str()), ("serde v1.2.0", body));
        assert_eq!(unmark_release(&title, &unmarked), None);
    }

    /// Regression: undo used to rejoin the body's lines with `\n`, trim its end and add a
    /// newline, and leave an empty title as `[yanked] `.
    #[test]
    fn undo_of_a_mark_gives_back_every_title_and_body_byte_for_byte() {
        let bodies = [
            "",
            "\n",
            "Notes",
            "Notes\n",
            "Notes\n\n\n",
            "a\r\nb\r\n",
            "a\r\nb",
            "trailing  ",
            "  \t",
            "> **Yanked** from crates.io: new lockfiles no longer select this version. <!-- releasekit-cargo: yanked -->",
            "quoted <!-- releasekit-cargo: yanked --> in the middle\nand more\n",
            "ends like a note\n\n> **Yanked** from x: no",
            "ünïcödé ✓\n",
        ];
        let titles = ["", "v1.0.0", "[yanked] already odd", " spaced ", "a\r\nb"];
        for body in bodies {
            for title in titles {
                for registry in ["crates.io", "registry `internal`", "odd\nlabel"] {
                    let Some((marked_title, marked)) = mark_release(title, body, registry, "v9")
                    else {
                        panic!("{title:?} {body:?} counts as marked already")
                    };
                    assert!(marked_title.starts_with(TITLE_PREFIX), "{marked_title:?}");
                    assert!(!marked_title.trim_start_matches(TITLE_PREFIX).is_empty());
                    assert_eq!(
                        mark_release(&marked_title, &marked, registry, "v9"),
                        None,
                        "marked twice: {title:?} {body:?}"
                    );
                    assert_eq!(
                        unmark_release(&marked_title, &marked),
                        Some((title.to_owned(), body.to_owned())),
                        "{registry:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn an_untitled_release_shows_its_tag_while_yanked() {
        let (title, body) = mark_release("", "", "crates.io", "app-v1.0.0").unwrap();
        assert_eq!(title, "[yanked] app-v1.0.0");
        assert!(body.contains("> **Yanked** from crates.io"), "{body}");
        assert_eq!(
            unmark_release(&title, &body),
            Some((String::new(), String::new()))
        );
    }

    #[test]
    fn a_mark_edited_by_hand_still_comes_off_by_its_line() {
        let body = "Notes\n\n> **Yanked** (we broke it) <!-- releasekit-cargo: yanked -->\nPS\n";
        assert_eq!(
            unmark_release("[yanked] v1", body),
            Some(("v1".to_owned(), "Notes\n\nPS\n".to_owned()))
        );
        assert_eq!(unmark_release("v1", "Notes\n"), None);
    }
}
