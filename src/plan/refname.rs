//! Git's rules for the names of refs (`git check-ref-format`), so that a tag or branch name we
//! would create is refused before anything is pushed, not by git or GitHub halfway through.
//!
//! Pure: a name in, the first rule it breaks out. Names are checked as git checks the part after
//! `refs/tags/` or `refs/heads/`: one level is enough (`v1.0.0`), slashes make more levels.

use std::fmt;

/// The longest `/`-separated part, in bytes: git keeps a ref as a file named after its last
/// part and writes `<part>.lock` first, and file names stop at 255 bytes.
pub const MAX_PART_BYTES: usize = 250;
/// The longest name, in bytes: far beyond any tag or branch a person types, short enough for
/// every file system git runs on once the repository's own path is in front.
pub const MAX_NAME_BYTES: usize = 1024;

/// The rule of `git check-ref-format` a name breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefNameError {
    Empty,
    /// The name is the single character `@`.
    LoneAt,
    /// Begins with `-` (`git tag` and `git branch` take it for an option and refuse it).
    LeadingDash,
    /// Begins or ends with `/`, or has `//`.
    EmptyPart,
    /// A `/`-separated part begins with `.`.
    PartStartsWithDot,
    /// A `/`-separated part ends with `.lock`.
    PartEndsWithLock,
    EndsWithDot,
    DoubleDot,
    /// `@{`.
    AtBrace,
    /// A control character (below 0x20, or DEL); `what` names it.
    Control(char),
    /// One of space ~ ^ : ? * [ \.
    Forbidden(char),
    PartTooLong,
    TooLong,
}

impl fmt::Display for RefNameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RefNameError::Empty => f.write_str("it is empty"),
            RefNameError::LoneAt => f.write_str("it is the single character `@`"),
            RefNameError::LeadingDash => f.write_str("it begins with `-`"),
            RefNameError::EmptyPart => {
                f.write_str("it begins or ends with `/` or has two `/` in a row")
            }
            RefNameError::PartStartsWithDot => f.write_str("a part between `/` begins with `.`"),
            RefNameError::PartEndsWithLock => f.write_str("a part between `/` ends with `.lock`"),
            RefNameError::EndsWithDot => f.write_str("it ends with `.`"),
            RefNameError::DoubleDot => f.write_str("it has `..`"),
            RefNameError::AtBrace => f.write_str("it has `@{`"),
            RefNameError::Control(c) => {
                write!(f, "it has the control character U+{:04X}", *c as u32)
            }
            RefNameError::Forbidden(' ') => f.write_str("it has a space"),
            RefNameError::Forbidden(c) => write!(f, "it has `{c}`"),
            RefNameError::PartTooLong => {
                write!(
                    f,
                    "a part between `/` is longer than {MAX_PART_BYTES} bytes"
                )
            }
            RefNameError::TooLong => write!(f, "it is longer than {MAX_NAME_BYTES} bytes"),
        }
    }
}

/// Whether git accepts `name` as a tag or branch name: `git check-ref-format --allow-onelevel`,
/// plus what `git tag` and `git branch` refuse besides (a leading `-`, a lone `@`) and a length
/// limit git's file system needs. The first rule broken comes back.
pub fn check_ref_name(name: &str) -> Result<(), RefNameError> {
    if name.is_empty() {
        return Err(RefNameError::Empty);
    }
    if name == "@" {
        return Err(RefNameError::LoneAt);
    }
    if name.starts_with('-') {
        return Err(RefNameError::LeadingDash);
    }
    if let Some(c) = name.chars().find(|c| c.is_ascii_control()) {
        return Err(RefNameError::Control(c));
    }
    if let Some(c) = name.chars().find(|c| " ~^:?*[\\".contains(*c)) {
        return Err(RefNameError::Forbidden(c));
    }
    if name.contains("..") {
        return Err(RefNameError::DoubleDot);
    }
    if name.contains("@{") {
        return Err(RefNameError::AtBrace);
    }
    for part in name.split('/') {
        if part.is_empty() {
            return Err(RefNameError::EmptyPart);
        }
        if part.starts_with('.') {
            return Err(RefNameError::PartStartsWithDot);
        }
        if part.ends_with(".lock") {
            return Err(RefNameError::PartEndsWithLock);
        }
        if part.len() > MAX_PART_BYTES {
            return Err(RefNameError::PartTooLong);
        }
    }
    if name.ends_with('.') {
        return Err(RefNameError::EndsWithDot);
    }
    if name.len() > MAX_NAME_BYTES {
        return Err(RefNameError::TooLong);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use RefNameError::*;

    #[test]
    fn names_git_accepts_pass() {
        for name in [
            "v1.0.0",
            "core-v0.1.1",
            "core/v1.2.3-rc.1+build.5",
            "releasekit/release",
            "releasekit/release-my_group-2",
            "a",
            "@x",
            "x@",
            "a.b",
            "a/b.c/d",
            "ünïcode",
            "main",
        ] {
            assert_eq!(check_ref_name(name), Ok(()), "{name}");
        }
        assert_eq!(check_ref_name(&"x".repeat(MAX_PART_BYTES)), Ok(()));
    }

    #[test]
    fn each_rule_of_check_ref_format_is_enforced() {
        let cases: &[(&str, RefNameError)] = &[
            ("", Empty),
            ("@", LoneAt),
            ("-v1", LeadingDash),
            ("/v1", EmptyPart),
            ("v1/", EmptyPart),
            ("a//b", EmptyPart),
            (".v1", PartStartsWithDot),
            ("a/.b", PartStartsWithDot),
            ("v1.lock", PartEndsWithLock),
            ("a.lock/b", PartEndsWithLock),
            ("v1.", EndsWithDot),
            ("a..b", DoubleDot),
            ("v@{1}", AtBrace),
            ("a\nb", Control('\n')),
            ("a\rb", Control('\r')),
            ("a\tb", Control('\t')),
            ("a\0b", Control('\0')),
            ("a\x7fb", Control('\x7f')),
            ("a b", Forbidden(' ')),
            ("a~1", Forbidden('~')),
            ("a^1", Forbidden('^')),
            ("a:b", Forbidden(':')),
            ("a?", Forbidden('?')),
            ("a*", Forbidden('*')),
            ("a[1]", Forbidden('[')),
            ("a\\b", Forbidden('\\')),
        ];
        for (name, expected) in cases {
            assert_eq!(check_ref_name(name), Err(*expected), "{name:?}");
        }
    }

    #[test]
    fn a_name_too_long_for_the_file_system_is_refused() {
        assert_eq!(
            check_ref_name(&"x".repeat(MAX_PART_BYTES + 1)),
            Err(PartTooLong)
        );
        let many = vec!["x".repeat(200); 6].join("/");
        assert_eq!(check_ref_name(&many), Err(TooLong));
    }

    #[test]
    fn every_error_says_which_rule_in_words() {
        assert_eq!(
            Control('\n').to_string(),
            "it has the control character U+000A"
        );
        assert_eq!(Forbidden(' ').to_string(), "it has a space");
        assert_eq!(
            PartEndsWithLock.to_string(),
            "a part between `/` ends with `.lock`"
        );
    }
}
