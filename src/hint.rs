//! What to do about a failure. Every error type of every layer says it the same way, through
//! [`Hint`]; the run's error shows it on its own line under the message (`main`).

/// The advice under an error: what the person should do about it.
pub trait Hint {
    /// What to do, in a sentence; `None` when the message says it all.
    fn hint(&self) -> Option<String>;
}

/// An error and its hint on one line, `message (hint)`: for a failure reported among others
/// (a summary line, a warning) rather than as the run's error.
pub fn with_hint(e: &(impl std::fmt::Display + Hint)) -> String {
    match e.hint() {
        Some(hint) => format!("{e} ({hint})"),
        None => e.to_string(),
    }
}
