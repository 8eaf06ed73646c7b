//! Whose is the PR body's text: a stamp with the digest of what prepare wrote stands before the
//! manifest, so that a later run tells "I would write the same" from "the text on GitHub is the
//! same". A maintainer's note added to the body then survives a re-run with nothing new (no
//! PATCH), as long as the manifest block — the hint the release stage reads — is as written.
//! Pure.

use sha2::{Digest, Sha256};

use super::MARKER;

const STAMP: &str = "<!-- releasekit-body ";
/// The characters a stamp adds to a body.
pub(super) const STAMP_LEN: usize = STAMP.len() + 64 + " -->\n".len();

/// `body` (ending with the manifest block) with the stamp of its digest before the manifest.
pub(super) fn stamped(body: String) -> String {
    let digest = hex(&body);
    let at = body.rfind(MARKER).unwrap_or(body.len());
    let mut out = String::with_capacity(body.len() + STAMP_LEN);
    out.push_str(&body[..at]);
    out.push_str(&format!("{STAMP}{digest} -->\n"));
    out.push_str(&body[at..]);
    out
}

/// Whether the body on GitHub (`current`) may stay where this run would write `body` (stamped):
/// the same text, or the same stamp — the last run wrote what this one would — and the same
/// manifest block, with the maintainer's edits around them.
pub fn body_stays(current: &str, body: &str) -> bool {
    current == body
        || (stamp_of(current).is_some()
            && stamp_of(current) == stamp_of(body)
            && manifest_of(current) == manifest_of(body))
}

fn stamp_of(body: &str) -> Option<&str> {
    let at = body.rfind(STAMP)? + STAMP.len();
    let digest = body.get(at..at + 64)?;
    body[at + 64..].starts_with(" -->").then_some(digest)
}

/// The last manifest block, as written.
fn manifest_of(body: &str) -> Option<&str> {
    let at = body.rfind(MARKER)?;
    let end = body[at..].find("-->")?;
    Some(&body[at..at + end])
}

fn hex(text: &str) -> String {
    format!("{:x}", Sha256::digest(text.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST: &str = "<!-- releasekit-manifest\n{\"format\": 1}\n-->\n";

    /// A stamp cut short, too short, or with a character of several bytes where the digest
    /// ends, is no stamp: the body is written again, and nothing panics.
    #[test]
    fn a_malformed_stamp_is_no_stamp() {
        let written = stamped(format!("intro\n\n{MANIFEST}"));
        let digest = stamp_of(&written).expect("stamped").to_owned();
        let cut = written.replace(&format!("{digest} -->"), &digest[..40]);
        let short = written.replace(&digest, &digest[..63]);
        let wide = written.replace(&digest, &format!("{}é{}", &digest[..63], &digest[63..]));
        let at_end = format!("intro\n{STAMP}{}", &digest[..10]);
        for body in [&cut, &short, &wide, &at_end] {
            assert_eq!(stamp_of(body), None, "{body:?}");
            assert!(!body_stays(body, &written), "{body:?}");
        }
    }

    #[test]
    fn a_body_edited_around_the_stamp_and_the_manifest_stays() {
        let written = stamped(format!("intro\n\n{MANIFEST}"));
        assert_eq!(
            written.chars().count(),
            "intro\n\n".len() + MANIFEST.len() + STAMP_LEN
        );
        assert!(body_stays(&written, &written));
        // A note added by the maintainer stays while the run would write the same.
        let noted = written.replace("intro\n", "intro\n\nShip after the blog post.\n");
        assert!(body_stays(&noted, &written));
        // Something new to say, the manifest touched, or the stamp gone: written again.
        let new = stamped(format!("intro, more\n\n{MANIFEST}"));
        assert!(!body_stays(&noted, &new));
        let hint = noted.replace("\"format\": 1", "\"format\": 1, \"crates\": []");
        assert!(!body_stays(&hint, &written));
        let unstamped = format!("intro\n\nShip it.\n{MANIFEST}");
        assert!(!body_stays(&unstamped, &stamped(unstamped.clone())));
    }
}
