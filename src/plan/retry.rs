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
mod tests;
