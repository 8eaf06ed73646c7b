//! Whether and when a failed registry or GitHub request is tried again.
//!
//! Owns the retry policy of DESIGN.md §3 "Publishing": full-jitter backoff for transient
//! failures, honouring the wait a rate limit asks for within a bound, and never retrying what
//! cannot succeed. It also reads the wait out of response headers and crates.io's error text.
//! It must not sleep, read the clock or draw random numbers: the time and the jitter come in as
//! arguments, and the caller carries out the decision.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A failure as the retry policy sees it; adapters map status codes and errors into it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// 429, or GitHub's 403 for a primary or secondary rate limit. `wait` is what the response
    /// asked for (`Retry-After`, `x-ratelimit-reset`, crates.io's error text), if anything.
    RateLimited { wait: Option<Duration> },
    /// 5xx, a timeout, a reset or dropped connection: the same request may well succeed later.
    Transient,
    /// 401: the token is wrong or expired; asking again with it changes nothing.
    Unauthorized,
    /// Any other 4xx: the request itself is wrong.
    Permanent,
}

impl Failure {
    /// The failure an HTTP status means, `None` for a success or redirect.
    ///
    /// A 403 counts as a rate limit only when the response asked for a wait (`Retry-After`, or
    /// `x-ratelimit-remaining: 0`), because GitHub also answers 403 for missing permissions,
    /// which no wait cures. `requested_wait` is what [`requested_wait`] found.
    pub fn from_status(status: u16, requested_wait: Option<Duration>) -> Option<Failure> {
        match status {
            100..=399 => None,
            401 => Some(Failure::Unauthorized),
            429 => Some(Failure::RateLimited {
                wait: requested_wait,
            }),
            403 if requested_wait.is_some() => Some(Failure::RateLimited {
                wait: requested_wait,
            }),
            // A request timeout is the server giving up on a slow client, not a bad request.
            408 | 500..=599 => Some(Failure::Transient),
            _ => Some(Failure::Permanent),
        }
    }
}

/// The limits of retrying one operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after transient failures; rate-limit waits do not count against it.
    pub max_retries: u32,
    /// The first backoff ceiling; it doubles with every retry.
    pub base: Duration,
    /// The backoff ceiling never grows past this.
    pub cap: Duration,
    /// Total time one operation may spend waiting on rate limits before we stop.
    pub max_wait: Duration,
    /// The wait when a rate-limited response does not say how long.
    pub default_rate_wait: Duration,
}

impl RetryPolicy {
    /// Base 1 s, cap 30 s, at most 15 min of rate-limit waiting, 60 s when a limit names no time.
    pub fn new(max_retries: u32) -> Self {
        RetryPolicy {
            max_retries,
            base: Duration::from_secs(1),
            cap: Duration::from_secs(30),
            max_wait: Duration::from_secs(15 * 60),
            default_rate_wait: Duration::from_secs(60),
        }
    }

    /// What to do after `failure`.
    ///
    /// `retries_so_far`: retries already made for this operation (0 on the first failure).
    /// `waited`: time already spent waiting on rate limits for this operation.
    /// `jitter`: a number in [0, 1) from the caller; values outside [0, 1] are clamped.
    ///
    /// A rate limit does not consume `max_retries`: the server told us exactly when it will
    /// accept the request, so waiting is not guessing, and a large release on crates.io hits
    /// the new-crate limit many times by design. Rate-limit waits are bounded by `max_wait`
    /// alone (no count of waits in a row): past it the job stops with instructions rather than
    /// holding a runner for hours.
    pub fn decide(
        &self,
        retries_so_far: u32,
        waited: Duration,
        failure: &Failure,
        jitter: f64,
    ) -> Decision {
        match failure {
            Failure::Unauthorized | Failure::Permanent => Decision::GiveUp(GiveUp::NotRetryable),
            Failure::Transient if retries_so_far < self.max_retries => {
                Decision::RetryAfter(backoff(self.base, self.cap, retries_so_far, jitter))
            }
            Failure::Transient => Decision::GiveUp(GiveUp::Exhausted {
                attempts: retries_so_far.saturating_add(1),
            }),
            Failure::RateLimited { wait } => {
                let wait = wait.unwrap_or(self.default_rate_wait);
                if waited.saturating_add(wait) > self.max_wait {
                    return Decision::GiveUp(GiveUp::WaitTooLong { wait });
                }
                // Up to one second more, so that many clients released at the same instant
                // do not hit the server together again.
                let spread = Duration::from_secs(1).mul_f64(unit(jitter));
                Decision::RetryAfter(wait.saturating_add(spread))
            }
        }
    }
}

/// What one request has used of its policy so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Attempts {
    pub retries: u32,
    pub waited: Duration,
}

impl RetryPolicy {
    /// [`RetryPolicy::decide`] for the next try, counting what a retry uses: a rate-limit
    /// wait adds to `waited` (it spends no retry), any other retry one of `retries`.
    pub fn next(&self, attempts: &mut Attempts, failure: &Failure, jitter: f64) -> Decision {
        let decision = self.decide(attempts.retries, attempts.waited, failure, jitter);
        if let Decision::RetryAfter(wait) = decision {
            if matches!(failure, Failure::RateLimited { .. }) {
                attempts.waited = attempts.waited.saturating_add(wait);
            } else {
                attempts.retries = attempts.retries.saturating_add(1);
            }
        }
        decision
    }
}

/// The outcome of [`RetryPolicy::decide`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Sleep this long, then send the same request again.
    RetryAfter(Duration),
    GiveUp(GiveUp),
}

/// Why the policy gave up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GiveUp {
    /// 401 or another 4xx: retrying cannot help.
    NotRetryable,
    /// Transient failures used every retry; `attempts` counts the first try too.
    Exhausted { attempts: u32 },
    /// The rate limit asks for `wait`, which would take the operation past `max_wait`.
    WaitTooLong { wait: Duration },
}

/// Full-jitter backoff: `jitter * min(cap, base * 2^retries_so_far)`.
///
/// Full jitter rather than a fixed delay spreads concurrent uploads that failed together over
/// the whole window, so they do not retry in lockstep.
pub fn backoff(base: Duration, cap: Duration, retries_so_far: u32, jitter: f64) -> Duration {
    let factor = 2u32.checked_pow(retries_so_far).unwrap_or(u32::MAX);
    base.saturating_mul(factor).min(cap).mul_f64(unit(jitter))
}

/// `jitter` forced into [0, 1] so `mul_f64` can neither panic nor exceed its ceiling.
fn unit(jitter: f64) -> f64 {
    if jitter.is_nan() {
        0.0
    } else {
        jitter.clamp(0.0, 1.0)
    }
}

/// The wait a response asks for, relative to `now`.
///
/// `Retry-After` first, as delta-seconds or an HTTP date (crates.io sends a date); else GitHub's
/// `x-ratelimit-reset` (epoch seconds), but only when `x-ratelimit-remaining` is "0", because
/// GitHub sends the reset time on every response. A time in the past is `Duration::ZERO`. A
/// header that does not parse is passed over.
pub fn requested_wait(
    retry_after: Option<&str>,
    ratelimit_remaining: Option<&str>,
    ratelimit_reset: Option<&str>,
    now: SystemTime,
) -> Option<Duration> {
    if let Some(value) = retry_after.map(str::trim) {
        if let Ok(seconds) = value.parse::<u64>() {
            return Some(Duration::from_secs(seconds));
        }
        if let Ok(at) = httpdate::parse_http_date(value) {
            return Some(until(at, now));
        }
    }
    if ratelimit_remaining.map(str::trim) != Some("0") {
        return None;
    }
    let seconds = ratelimit_reset?.trim().parse::<u64>().ok()?;
    let at = UNIX_EPOCH.checked_add(Duration::from_secs(seconds))?;
    Some(until(at, now))
}

/// The wait named in crates.io's 429 error text ("… Please try again after Tue, 19 Nov 2024
/// 21:17:07 GMT or email help@crates.io …"), relative to `now`; `Duration::ZERO` when past.
///
/// cargo passes the text through and may wrap it, so whitespace is normalised, and any HTTP
/// date ending in "GMT" is taken rather than relying on the exact wording, which has changed
/// over the years.
pub fn wait_from_text(text: &str, now: SystemTime) -> Option<Duration> {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    // IMF-fixdate, the form crates.io formats: "Tue, 19 Nov 2024 21:17:07 GMT".
    const DATE_LEN: usize = 29;
    text.match_indices("GMT").find_map(|(at, gmt)| {
        let end = at + gmt.len();
        let candidate = text.get(end.checked_sub(DATE_LEN)?..end)?;
        let time = httpdate::parse_http_date(candidate).ok()?;
        Some(until(time, now))
    })
}

fn until(at: SystemTime, now: SystemTime) -> Duration {
    at.duration_since(now).unwrap_or(Duration::ZERO)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    /// 2024-11-19 21:00:00 UTC.
    fn now() -> SystemTime {
        UNIX_EPOCH + secs(1_732_050_000)
    }

    #[test]
    fn transient_failure_is_retried_within_the_budget_and_then_given_up() {
        let policy = RetryPolicy::new(3);
        let cases: &[(u32, Decision)] = &[
            (0, Decision::RetryAfter(Duration::from_millis(500))),
            (1, Decision::RetryAfter(secs(1))),
            (2, Decision::RetryAfter(secs(2))),
            (3, Decision::GiveUp(GiveUp::Exhausted { attempts: 4 })),
            (9, Decision::GiveUp(GiveUp::Exhausted { attempts: 10 })),
        ];
        for (retries, expected) in cases {
            assert_eq!(
                policy.decide(*retries, Duration::ZERO, &Failure::Transient, 0.5),
                *expected,
                "after {retries} retries"
            );
        }
    }

    #[test]
    fn zero_max_retries_gives_up_on_the_first_transient_failure() {
        assert_eq!(
            RetryPolicy::new(0).decide(0, Duration::ZERO, &Failure::Transient, 0.5),
            Decision::GiveUp(GiveUp::Exhausted { attempts: 1 })
        );
    }

    #[test]
    fn unauthorized_and_permanent_failures_are_never_retried() {
        let policy = RetryPolicy::new(5);
        for failure in [Failure::Unauthorized, Failure::Permanent] {
            assert_eq!(
                policy.decide(0, Duration::ZERO, &failure, 0.5),
                Decision::GiveUp(GiveUp::NotRetryable),
                "{failure:?}"
            );
        }
    }

    #[test]
    fn status_codes_map_to_failures() {
        let wait = Some(secs(30));
        let cases: &[(u16, Option<Duration>, Option<Failure>)] = &[
            (200, None, None),
            (304, None, None),
            (401, None, Some(Failure::Unauthorized)),
            (403, None, Some(Failure::Permanent)),
            (403, wait, Some(Failure::RateLimited { wait })),
            (404, None, Some(Failure::Permanent)),
            (408, None, Some(Failure::Transient)),
            (422, None, Some(Failure::Permanent)),
            (429, None, Some(Failure::RateLimited { wait: None })),
            (429, wait, Some(Failure::RateLimited { wait })),
            (500, None, Some(Failure::Transient)),
            (503, None, Some(Failure::Transient)),
        ];
        for (status, wait, expected) in cases {
            assert_eq!(Failure::from_status(*status, *wait), *expected, "{status}");
        }
    }

    #[test]
    fn rate_limit_wait_is_honoured_and_does_not_consume_retries() {
        let policy = RetryPolicy::new(2);
        let limited = Failure::RateLimited {
            wait: Some(secs(120)),
        };
        // Retries are used up, yet the rate limit is still waited out.
        assert_eq!(
            policy.decide(2, Duration::ZERO, &limited, 0.0),
            Decision::RetryAfter(secs(120))
        );
        assert_eq!(
            policy.decide(7, secs(60), &limited, 0.5),
            Decision::RetryAfter(Duration::from_millis(120_500))
        );
    }

    #[test]
    fn rate_limit_without_a_time_waits_the_default() {
        let policy = RetryPolicy::new(2);
        assert_eq!(
            policy.decide(0, Duration::ZERO, &Failure::RateLimited { wait: None }, 0.0),
            Decision::RetryAfter(secs(60))
        );
    }

    #[test]
    fn rate_limit_jitter_adds_at_most_one_second() {
        let policy = RetryPolicy::new(2);
        let limited = Failure::RateLimited {
            wait: Some(secs(10)),
        };
        for jitter in [0.0, 0.25, 0.999_999, 1.0, 7.0] {
            let Decision::RetryAfter(sleep) = policy.decide(0, Duration::ZERO, &limited, jitter)
            else {
                panic!("rate limit within the bound must be retried");
            };
            assert!(
                sleep >= secs(10) && sleep <= secs(11),
                "{jitter}: {sleep:?}"
            );
        }
    }

    #[test]
    fn rate_limit_past_the_total_bound_gives_up_with_the_wait() {
        let policy = RetryPolicy::new(2);
        let cases: &[(u64, u64, bool)] = &[
            // (already waited, asked for, gives up)
            (0, 900, false),
            (0, 901, true),
            (600, 300, false),
            (600, 301, true),
            (900, 0, false),
        ];
        for (waited, wait, gives_up) in cases {
            let limited = Failure::RateLimited {
                wait: Some(secs(*wait)),
            };
            let decision = policy.decide(0, secs(*waited), &limited, 0.0);
            let expected = if *gives_up {
                Decision::GiveUp(GiveUp::WaitTooLong { wait: secs(*wait) })
            } else {
                Decision::RetryAfter(secs(*wait))
            };
            assert_eq!(decision, expected, "waited {waited}, asked {wait}");
        }
    }

    #[test]
    fn backoff_never_exceeds_the_cap() {
        for retries in [0, 4, 5, 6, 31, 32, 64, u32::MAX] {
            for jitter in [0.0, 0.5, 0.999, 1.0, 100.0] {
                let sleep = backoff(secs(1), secs(30), retries, jitter);
                assert!(
                    sleep <= secs(30),
                    "{retries} retries, jitter {jitter}: {sleep:?}"
                );
            }
        }
    }

    #[test]
    fn backoff_ceiling_doubles_with_each_retry_until_the_cap() {
        let ceilings: Vec<u64> = (0..7)
            .map(|r| backoff(secs(1), secs(30), r, 0.5).as_millis() as u64)
            .collect();
        assert_eq!(ceilings, vec![500, 1000, 2000, 4000, 8000, 15000, 15000]);
    }

    #[test]
    fn backoff_with_zero_jitter_is_zero() {
        for retries in [0, 3, 40] {
            assert_eq!(backoff(secs(1), secs(30), retries, 0.0), Duration::ZERO);
        }
        assert_eq!(backoff(secs(1), secs(30), 3, f64::NAN), Duration::ZERO);
        assert_eq!(backoff(secs(1), secs(30), 3, -1.0), Duration::ZERO);
    }

    #[test]
    fn requested_wait_reads_retry_after_then_the_github_reset() {
        let reset_in_90 = "1732050090";
        // (Retry-After, x-ratelimit-remaining, x-ratelimit-reset, wait)
        type Case<'a> = (
            Option<&'a str>,
            Option<&'a str>,
            Option<&'a str>,
            Option<Duration>,
        );
        let cases: &[Case] = &[
            (Some("120"), None, None, Some(secs(120))),
            (Some(" 0 "), None, None, Some(Duration::ZERO)),
            // crates.io: an HTTP date 17 min 7 s ahead.
            (
                Some("Tue, 19 Nov 2024 21:17:07 GMT"),
                None,
                None,
                Some(secs(17 * 60 + 7)),
            ),
            (
                Some("Tue, 19 Nov 2024 20:59:00 GMT"),
                None,
                None,
                Some(Duration::ZERO),
            ),
            // Retry-After wins over the reset header.
            (Some("5"), Some("0"), Some(reset_in_90), Some(secs(5))),
            (None, Some("0"), Some(reset_in_90), Some(secs(90))),
            (None, Some("0"), Some("1732049000"), Some(Duration::ZERO)),
            // GitHub sends the reset on every response; it means nothing while calls remain.
            (None, Some("12"), Some(reset_in_90), None),
            (None, None, Some(reset_in_90), None),
            (None, Some("0"), None, None),
            // Garbage is passed over.
            (Some("soon"), None, None, None),
            (Some("-3"), None, None, None),
            (Some("soon"), Some("0"), Some(reset_in_90), Some(secs(90))),
            (None, Some("0"), Some("tomorrow"), None),
            (None, None, None, None),
        ];
        for (retry_after, remaining, reset, expected) in cases {
            assert_eq!(
                requested_wait(*retry_after, *remaining, *reset, now()),
                *expected,
                "{retry_after:?} {remaining:?} {reset:?}"
            );
        }
    }

    #[test]
    fn wait_from_text_reads_the_date_in_crates_io_rate_limit_message() {
        let message = "the remote server responded with an error (status 429 Too Many Requests): \
                       You have published too many new crates in a short period of time. Please \
                       try again after Tue, 19 Nov 2024 21:17:07 GMT or email help@crates.io to \
                       have your limit increased.";
        assert_eq!(wait_from_text(message, now()), Some(secs(17 * 60 + 7)));
    }

    #[test]
    fn wait_from_text_survives_cargo_wrapping_the_line() {
        let message = "Please try again after Tue, 19\n    Nov 2024 21:01:40 GMT or email";
        assert_eq!(wait_from_text(message, now()), Some(secs(100)));
    }

    #[test]
    fn wait_from_text_in_the_past_is_zero_and_without_a_date_is_none() {
        let past = "Please try again after Mon, 18 Nov 2024 10:00:00 GMT or email help@crates.io";
        assert_eq!(wait_from_text(past, now()), Some(Duration::ZERO));
        for text in [
            "",
            "GMT",
            "error: failed to publish: 500 Internal Server Error",
            "Please try again after Tue, 32 Nov 2024 21:17:07 GMT",
            "übergroß: GMT",
        ] {
            assert_eq!(wait_from_text(text, now()), None, "{text}");
        }
    }

    #[test]
    fn next_counts_a_rate_limit_wait_apart_from_retries() {
        let policy = RetryPolicy::new(1);
        let mut attempts = Attempts::default();
        let limited = Failure::RateLimited {
            wait: Some(Duration::from_secs(5)),
        };
        assert!(matches!(
            policy.next(&mut attempts, &limited, 0.0),
            Decision::RetryAfter(_)
        ));
        assert_eq!(
            attempts,
            Attempts {
                retries: 0,
                waited: Duration::from_secs(5)
            }
        );
        assert!(matches!(
            policy.next(&mut attempts, &Failure::Transient, 0.5),
            Decision::RetryAfter(_)
        ));
        assert_eq!(attempts.retries, 1);
        assert_eq!(
            policy.next(&mut attempts, &Failure::Transient, 0.5),
            Decision::GiveUp(GiveUp::Exhausted { attempts: 2 })
        );
        assert_eq!(attempts.retries, 1);
    }
}
