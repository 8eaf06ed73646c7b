//! The one retry loop every client uses (GitHub, the sparse index, the registry's API, the
//! uploads): try, ask `plan::retry` what a failure is worth, sleep as it says, try again.
//!
//! What a try means — an answer to hand back, an error to stop with, or a failure to judge —
//! is the caller's business; the policy is `plan::retry`'s. This module only carries it out.

use std::time::Duration;

use crate::plan::retry::{Attempts, Decision, Failure, GiveUp, RetryPolicy};

/// What one try came to.
#[derive(Debug)]
pub enum Try<T, E> {
    /// An answer for the caller (a success, or a refusal it reads itself).
    Done(T),
    /// An error no retry can cure.
    Stop(E),
    /// A failure `plan::retry` judges; `what` says what happened, for the log and the error.
    Failed { failure: Failure, what: String },
}

/// Why the loop ended without an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stopped<E> {
    Stop(E),
    /// The policy gave up after `attempts` tries; `last` is what the last one said.
    GaveUp {
        give_up: GiveUp,
        attempts: u32,
        last: String,
    },
}

/// Try until `once` answers or the policy gives up. Before each sleep, `retrying` hears what
/// failed and how long the wait is (for the log).
pub fn with_retries<T, E>(
    policy: &RetryPolicy,
    mut once: impl FnMut() -> Try<T, E>,
    mut retrying: impl FnMut(&str, Duration),
) -> Result<T, Stopped<E>> {
    let mut attempts = Attempts::default();
    loop {
        let (failure, what) = match once() {
            Try::Done(answer) => return Ok(answer),
            Try::Stop(error) => return Err(Stopped::Stop(error)),
            Try::Failed { failure, what } => (failure, what),
        };
        match policy.next(&mut attempts, &failure, fastrand::f64()) {
            Decision::RetryAfter(wait) => {
                retrying(&what, wait);
                std::thread::sleep(wait);
            }
            Decision::GiveUp(give_up) => {
                return Err(Stopped::GaveUp {
                    give_up,
                    attempts: attempts.retries.saturating_add(1),
                    last: what,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quick(max_retries: u32) -> RetryPolicy {
        RetryPolicy {
            base: Duration::from_millis(1),
            cap: Duration::from_millis(2),
            default_rate_wait: Duration::from_millis(1),
            ..RetryPolicy::new(max_retries)
        }
    }

    #[test]
    fn transient_failures_are_retried_until_an_answer() {
        let mut tries = 0;
        let mut heard = Vec::new();
        let answer = with_retries(
            &quick(3),
            || {
                tries += 1;
                if tries < 3 {
                    Try::<_, ()>::Failed {
                        failure: Failure::Transient,
                        what: format!("503 on try {tries}"),
                    }
                } else {
                    Try::Done(tries)
                }
            },
            |what, _| heard.push(what.to_owned()),
        );
        assert_eq!(answer, Ok(3));
        assert_eq!(heard, ["503 on try 1", "503 on try 2"]);
    }

    #[test]
    fn the_policy_gives_up_with_the_last_failure_and_the_count() {
        let result = with_retries(
            &quick(1),
            || Try::<(), ()>::Failed {
                failure: Failure::Transient,
                what: "connection reset".into(),
            },
            |_, _| {},
        );
        assert_eq!(
            result,
            Err(Stopped::GaveUp {
                give_up: GiveUp::Exhausted { attempts: 2 },
                attempts: 2,
                last: "connection reset".into()
            })
        );
        let permanent = with_retries(
            &quick(5),
            || Try::<(), ()>::Failed {
                failure: Failure::Permanent,
                what: "403".into(),
            },
            |_, _| panic!("never retried"),
        );
        assert!(matches!(
            permanent,
            Err(Stopped::GaveUp {
                give_up: GiveUp::NotRetryable,
                attempts: 1,
                ..
            })
        ));
    }

    #[test]
    fn a_stop_ends_the_loop_at_once() {
        let mut tries = 0;
        let result: Result<(), _> = with_retries(
            &quick(5),
            || {
                tries += 1;
                Try::Stop("bad token")
            },
            |_, _| {},
        );
        assert_eq!(result, Err(Stopped::Stop("bad token")));
        assert_eq!(tries, 1);
    }
}
