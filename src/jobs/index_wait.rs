//! Waiting for the sparse index to show what the registry accepted (an upload, a yank): the
//! one polling loop of publish and yank. The index is asked at once, then as often as
//! [`index_poll_interval`] says, until a timeout.

use std::time::{Duration, Instant};

use crate::adapters::index::{Index, IndexVersion};
use crate::plan::publish::pacing::human;
use crate::plan::publish::upload::index_poll_interval;

/// Why the index never showed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unseen {
    /// Not within the timeout; the last index error, when a poll failed.
    TimedOut { last_error: Option<String> },
    /// The timeout is beyond what this system's clock can count.
    TooLong,
}

impl Unseen {
    /// Why, for the report: `{accepted} within {timeout} (publish_timeout); {then}`, and the
    /// last index error.
    pub fn reason(&self, timeout: Duration, accepted: &str, then: &str) -> String {
        match self {
            Unseen::TooLong => format!(
                "publish_timeout {} is beyond what this system's clock can count",
                human(timeout)
            ),
            Unseen::TimedOut { last_error } => {
                let mut why = format!(
                    "{accepted} within {} (publish_timeout); {then}",
                    human(timeout)
                );
                if let Some(e) = last_error {
                    why.push_str(&format!(" (last index error: {e})"));
                }
                why
            }
        }
    }
}

/// Poll the index file of `name` until `shown` holds for the versions it lists, or `timeout`
/// has passed.
pub fn wait_until(
    index: &Index,
    name: &str,
    timeout: Duration,
    shown: impl Fn(&[IndexVersion]) -> bool,
) -> Result<(), Unseen> {
    let started = Instant::now();
    let deadline = started.checked_add(timeout).ok_or(Unseen::TooLong)?;
    let mut last_error = None;
    loop {
        match index.versions(name) {
            Ok(versions) if shown(&versions) => return Ok(()),
            Ok(_) => {}
            Err(e) => last_error = Some(e.to_string()),
        }
        let pause = index_poll_interval(started.elapsed());
        if Instant::now()
            .checked_add(pause)
            .is_none_or(|next| next > deadline)
        {
            return Err(Unseen::TimedOut { last_error });
        }
        std::thread::sleep(pause);
    }
}
