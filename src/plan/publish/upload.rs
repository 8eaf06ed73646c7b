//! What the registry's answer to an upload means: done, already there (a run before us got
//! there), or a failure for `plan::retry` to judge.
//!
//! Pure: the adapter hands in the status, the error text the registry sent and the wait it
//! asked for.

use std::time::Duration;

use crate::plan::retry::Failure;

/// How long to wait before asking the index again whether an upload is visible, `waited` after
/// the upload returned. An index shows a new version seconds later (crates.io's: a few), and a
/// dependent waits for exactly that moment, so the first seconds are polled finely; a file
/// unchanged since the last look costs a 304. After a minute the index is clearly slow: back
/// off to at most 10 s.
pub fn index_poll_interval(waited: Duration) -> Duration {
    let secs = waited.as_secs_f64();
    if secs < 5.0 {
        Duration::from_millis(250)
    } else if secs < 60.0 {
        Duration::from_secs(1)
    } else {
        Duration::from_secs_f64((secs / 10.0).min(10.0))
    }
}

/// What a refused upload means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UploadError {
    /// The registry has this version already: a run before us got there.
    AlreadyThere,
    /// Retry or not, as `plan::retry` decides.
    Failed(Failure),
}

/// The meaning of the registry's answer `status` with error text `detail`; `None` for a
/// success. `wait` is what the answer asked for (`Retry-After`, or the date in crates.io's
/// text), for a rate limit.
pub fn classify_upload(status: u16, detail: &str, wait: Option<Duration>) -> Option<UploadError> {
    let failure = Failure::from_status(status, wait)?;
    let text = detail.to_ascii_lowercase();
    // crates.io answers 400 "crate version `x@1.0.0` is already uploaded", other registries 409
    // "already exists".
    let duplicate = (400..500).contains(&status)
        && (text.contains("already exists") || text.contains("already uploaded"));
    Some(if duplicate {
        UploadError::AlreadyThere
    } else {
        UploadError::Failed(failure)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_index_is_polled_finely_at_first_then_less_and_less() {
        let at = |secs: f64| index_poll_interval(Duration::from_secs_f64(secs));
        assert_eq!(at(0.0), Duration::from_millis(250));
        assert_eq!(at(4.9), Duration::from_millis(250));
        assert_eq!(at(5.0), Duration::from_secs(1));
        assert_eq!(at(59.0), Duration::from_secs(1));
        assert_eq!(at(60.0), Duration::from_secs(6));
        assert_eq!(at(3600.0), Duration::from_secs(10));
    }

    #[test]
    fn registry_answers_classify() {
        let three = Some(Duration::from_secs(3));
        let cases: &[(u16, &str, Option<Duration>, Option<UploadError>)] = &[
            (200, "", None, None),
            (
                400,
                "crate version `core@1.0.0` is already uploaded",
                None,
                Some(UploadError::AlreadyThere),
            ),
            (
                409,
                "crate version already exists: core 1.0.0",
                None,
                Some(UploadError::AlreadyThere),
            ),
            (
                429,
                "You have published too many new crates in a short period of time.",
                three,
                Some(UploadError::Failed(Failure::RateLimited { wait: three })),
            ),
            (
                503,
                "Service Unavailable",
                None,
                Some(UploadError::Failed(Failure::Transient)),
            ),
            (
                403,
                "this crate is owned by someone else",
                None,
                Some(UploadError::Failed(Failure::Permanent)),
            ),
            (
                401,
                "authentication failed",
                None,
                Some(UploadError::Failed(Failure::Unauthorized)),
            ),
            (
                400,
                "missing or empty metadata fields: description",
                None,
                Some(UploadError::Failed(Failure::Permanent)),
            ),
            // A server error that happens to say "already exists" is not a duplicate.
            (
                500,
                "could not write: file already exists",
                None,
                Some(UploadError::Failed(Failure::Transient)),
            ),
        ];
        for (status, detail, wait, expected) in cases {
            assert_eq!(
                classify_upload(*status, detail, *wait),
                *expected,
                "{status} {detail}"
            );
        }
    }
}
