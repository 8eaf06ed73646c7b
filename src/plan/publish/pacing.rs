//! crates.io's publish rate limits: two buckets per user (new crates, new versions of existing
//! crates), each a burst then one upload per refill, and the pause a 429 imposes on its bucket.
//!
//! [`Pacer`] is the state the upload loop asks before each upload starts; it never sleeps and
//! never reads the clock: the loop hands in the time elapsed since the run started and waits as
//! long as it is told. [`minimum_duration`] is the same arithmetic for the plan's estimate.

use std::time::Duration;

use serde::Serialize;

/// The two kinds of upload crates.io counts separately.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Bucket {
    /// The first version of a crate.
    NewCrates,
    /// A new version of a crate the registry has.
    NewVersions,
}

impl Bucket {
    pub fn of(new_crate: bool) -> Bucket {
        if new_crate {
            Bucket::NewCrates
        } else {
            Bucket::NewVersions
        }
    }

    fn index(self) -> usize {
        match self {
            Bucket::NewCrates => 0,
            Bucket::NewVersions => 1,
        }
    }
}

/// A token bucket as crates.io applies it to publishes: `burst` at once, then one more every
/// `refill`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub burst: u32,
    pub refill: Duration,
}

/// crates.io: new crates, burst 5, then one per 10 minutes.
pub const CRATES_IO_NEW_CRATES: Limit = Limit {
    burst: 5,
    refill: Duration::from_secs(600),
};

/// crates.io: new versions of existing crates, burst 30, then one per minute.
pub const CRATES_IO_NEW_VERSIONS: Limit = Limit {
    burst: 30,
    refill: Duration::from_secs(60),
};

impl Limit {
    /// Least time before the `n`-th upload (1-based) may start, the bucket full at time zero:
    /// 0 for `n <= burst`, else `(n - burst) * refill`.
    pub fn earliest_start(&self, n: u32) -> Duration {
        self.refill.saturating_mul(n.saturating_sub(self.burst))
    }
}

/// The least time the uploads of `new_crates` new crates and `new_versions` new versions of
/// existing crates take under crates.io's limits: the later of the two last starts, since the
/// buckets drain independently and uploads of both kinds interleave. Upload and index time
/// come on top.
pub fn minimum_duration(new_crates: u32, new_versions: u32) -> Duration {
    CRATES_IO_NEW_CRATES
        .earliest_start(new_crates)
        .max(CRATES_IO_NEW_VERSIONS.earliest_start(new_versions))
}

/// What the pacer says to an upload about to start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Start now; the upload is counted against its bucket.
    Go,
    /// Ask again after this long (nothing was counted).
    Wait(Duration),
}

/// One bucket: from `origin` on, `credit` uploads may start at once, then one per refill; and
/// nothing at all before `paused_until`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Lane {
    limit: Option<Limit>,
    origin: Duration,
    credit: u32,
    admitted: u32,
    paused_until: Duration,
}

impl Lane {
    fn new(limit: Option<Limit>) -> Lane {
        Lane {
            limit,
            origin: Duration::ZERO,
            credit: limit.map_or(u32::MAX, |l| l.burst),
            admitted: 0,
            paused_until: Duration::ZERO,
        }
    }

    /// When the next upload of this bucket may start.
    fn next_start(&self) -> Duration {
        let paced = match self.limit {
            Some(limit) => {
                let waits = self.admitted.saturating_add(1).saturating_sub(self.credit);
                self.origin
                    .saturating_add(limit.refill.saturating_mul(waits))
            }
            None => Duration::ZERO,
        };
        paced.max(self.paused_until)
    }
}

/// The upload loop's view of the registry's rate limits, in time elapsed since the run started.
/// Buckets are counted from full at the start of the run; one already drained by an earlier
/// release shows up as a 429, which [`Pacer::limited`] turns into a pause of the whole bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pacer {
    lanes: [Lane; 2],
}

impl Pacer {
    /// crates.io's two buckets.
    pub fn crates_io() -> Pacer {
        Pacer {
            lanes: [
                Lane::new(Some(CRATES_IO_NEW_CRATES)),
                Lane::new(Some(CRATES_IO_NEW_VERSIONS)),
            ],
        }
    }

    /// A registry whose limits we do not know: nothing is paced until it answers 429.
    pub fn unlimited() -> Pacer {
        Pacer {
            lanes: [Lane::new(None), Lane::new(None)],
        }
    }

    /// May an upload of `bucket` start at `now`? `Go` counts it.
    pub fn admit(&mut self, bucket: Bucket, now: Duration) -> Admission {
        let lane = &mut self.lanes[bucket.index()];
        let at = lane.next_start();
        if at <= now {
            lane.admitted = lane.admitted.saturating_add(1);
            Admission::Go
        } else {
            Admission::Wait(at - now)
        }
    }

    /// The registry answered 429 to an upload of `bucket`, asking to wait until `until`: no
    /// upload of that bucket starts before then — the registry counts per user, so every other
    /// one would be refused too — and from then on the bucket is taken as empty (one upload,
    /// then one per refill). The other bucket is not touched.
    pub fn limited(&mut self, bucket: Bucket, until: Duration) {
        let lane = &mut self.lanes[bucket.index()];
        lane.paused_until = lane.paused_until.max(until);
        if lane.limit.is_some() && until > lane.origin {
            lane.origin = until;
            lane.credit = 1;
            lane.admitted = 0;
        }
    }

    /// When the next upload of `bucket` may start, without counting it.
    pub fn next_start(&self, bucket: Bucket) -> Duration {
        self.lanes[bucket.index()].next_start()
    }

    /// Until when a 429 paused `bucket` (zero when it never was).
    pub fn paused_until(&self, bucket: Bucket) -> Duration {
        self.lanes[bucket.index()].paused_until
    }
}

/// `1 h 20 min`, `9 min`, `45 s`.
pub fn human(d: Duration) -> String {
    let s = d.as_secs();
    match (s / 3600, (s % 3600) / 60, s % 60) {
        (0, 0, s) => format!("{s} s"),
        (0, m, 0) => format!("{m} min"),
        (0, m, s) => format!("{m} min {s} s"),
        (h, 0, _) => format!("{h} h"),
        (h, m, _) => format!("{h} h {m} min"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    #[test]
    fn the_burst_goes_at_once_then_one_upload_per_refill() {
        let mut p = Pacer::crates_io();
        for _ in 0..5 {
            assert_eq!(p.admit(Bucket::NewCrates, secs(0)), Admission::Go);
        }
        // The 6th new crate waits one refill; asked again later, only what is left of it.
        assert_eq!(
            p.admit(Bucket::NewCrates, secs(0)),
            Admission::Wait(secs(600))
        );
        assert_eq!(
            p.admit(Bucket::NewCrates, secs(450)),
            Admission::Wait(secs(150))
        );
        assert_eq!(p.admit(Bucket::NewCrates, secs(600)), Admission::Go);
        assert_eq!(
            p.admit(Bucket::NewCrates, secs(600)),
            Admission::Wait(secs(600))
        );
        // Versions have their own bucket.
        for _ in 0..30 {
            assert_eq!(p.admit(Bucket::NewVersions, secs(10)), Admission::Go);
        }
        assert_eq!(
            p.admit(Bucket::NewVersions, secs(10)),
            Admission::Wait(secs(50))
        );
    }

    #[test]
    fn a_429_pauses_every_upload_of_its_bucket_and_not_the_other() {
        let mut p = Pacer::crates_io();
        assert_eq!(p.admit(Bucket::NewVersions, secs(0)), Admission::Go);
        // An earlier release drained the bucket: the registry says "after 40 s".
        p.limited(Bucket::NewVersions, secs(40));
        assert_eq!(
            p.admit(Bucket::NewVersions, secs(5)),
            Admission::Wait(secs(35))
        );
        assert_eq!(p.admit(Bucket::NewCrates, secs(5)), Admission::Go);
        // From the pause on the bucket counts as empty: one at once, then one per minute.
        assert_eq!(p.admit(Bucket::NewVersions, secs(40)), Admission::Go);
        assert_eq!(
            p.admit(Bucket::NewVersions, secs(40)),
            Admission::Wait(secs(60))
        );
        assert_eq!(p.admit(Bucket::NewVersions, secs(100)), Admission::Go);
    }

    #[test]
    fn a_second_429_for_the_same_time_does_not_hand_out_the_credit_twice() {
        let mut p = Pacer::crates_io();
        p.limited(Bucket::NewCrates, secs(30));
        assert_eq!(p.admit(Bucket::NewCrates, secs(30)), Admission::Go);
        // A 429 for an upload sent before the first pause arrives late, naming the same time.
        p.limited(Bucket::NewCrates, secs(30));
        assert_eq!(
            p.admit(Bucket::NewCrates, secs(30)),
            Admission::Wait(secs(600))
        );
        // An earlier time never shortens a pause.
        p.limited(Bucket::NewCrates, secs(10));
        assert_eq!(p.next_start(Bucket::NewCrates), secs(630));
    }

    #[test]
    fn an_unknown_registry_is_paced_only_by_its_429s() {
        let mut p = Pacer::unlimited();
        for _ in 0..100 {
            assert_eq!(p.admit(Bucket::NewCrates, secs(0)), Admission::Go);
        }
        p.limited(Bucket::NewCrates, secs(3));
        assert_eq!(
            p.admit(Bucket::NewCrates, secs(1)),
            Admission::Wait(secs(2))
        );
        assert_eq!(p.admit(Bucket::NewVersions, secs(1)), Admission::Go);
        for _ in 0..100 {
            assert_eq!(p.admit(Bucket::NewCrates, secs(3)), Admission::Go);
        }
    }

    #[test]
    fn limit_lets_the_burst_start_at_once_then_one_per_refill() {
        let cases: &[(Limit, u32, u64)] = &[
            (CRATES_IO_NEW_CRATES, 0, 0),
            (CRATES_IO_NEW_CRATES, 1, 0),
            (CRATES_IO_NEW_CRATES, 5, 0),
            (CRATES_IO_NEW_CRATES, 6, 600),
            (CRATES_IO_NEW_CRATES, 12, 7 * 600),
            (CRATES_IO_NEW_VERSIONS, 30, 0),
            (CRATES_IO_NEW_VERSIONS, 31, 60),
            (CRATES_IO_NEW_VERSIONS, 100, 70 * 60),
        ];
        for (limit, n, s) in cases {
            assert_eq!(limit.earliest_start(*n), secs(*s), "{limit:?} upload {n}");
        }
    }

    #[test]
    fn minimum_duration_is_the_slower_of_the_independent_buckets() {
        let cases: &[(u32, u32, u64)] = &[
            (0, 0, 0),
            (5, 30, 0),
            // 10 new crates: 5 waits of 10 min; 40 versions: 10 waits of 1 min.
            (10, 40, 50 * 60),
            (2, 100, 70 * 60),
            (7, 31, 20 * 60),
        ];
        for (new_crates, new_versions, s) in cases {
            assert_eq!(
                minimum_duration(*new_crates, *new_versions),
                secs(*s),
                "{new_crates} crates, {new_versions} versions"
            );
        }
    }

    #[test]
    fn human_durations() {
        let cases = [
            (45, "45 s"),
            (540, "9 min"),
            (545, "9 min 5 s"),
            (3600, "1 h"),
            (4800, "1 h 20 min"),
        ];
        for (s, text) in cases {
            assert_eq!(human(secs(s)), text);
        }
    }
}
