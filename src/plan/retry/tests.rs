//! Unit tests of `retry`.

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
        let Decision::RetryAfter(sleep) = policy.decide(0, Duration::ZERO, &limited, jitter) else {
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
        // The largest numbers parse or are passed over; none wraps to a short wait.
        (
            Some("18446744073709551615"),
            None,
            None,
            Some(secs(u64::MAX)),
        ),
        (Some("99999999999999999999"), None, None, None),
        (None, Some("0"), Some("18446744073709551615"), None),
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
