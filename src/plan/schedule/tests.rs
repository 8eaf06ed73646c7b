//! Unit tests of `schedule`.

use super::*;

use crate::plan::graph::test_edge as edge;

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|n| (*n).to_owned()).collect()
}

fn set(list: &[&str]) -> BTreeSet<String> {
    list.iter().map(|n| (*n).to_owned()).collect()
}

fn schedule(crates: &[&str], published: &[&str], edges: &[Edge]) -> Schedule {
    Schedule::new(&names(crates), &set(published), edges).unwrap()
}

/// Uploaded and confirmed in one go.
fn publish(s: &mut Schedule, name: &str) {
    s.uploaded(name);
    s.visible(name);
}

//        a
//       / \
//      b   c
//       \ /
//        d          (a depends on b and c, both depend on d)
fn diamond() -> Schedule {
    schedule(
        &["d", "b", "c", "a"],
        &[],
        &[
            edge("a", "b"),
            edge("a", "c"),
            edge("b", "d"),
            edge("c", "d"),
        ],
    )
}

#[test]
fn diamond_with_concurrency_one_uploads_one_crate_at_a_time() {
    let mut s = diamond();
    let mut order = Vec::new();
    while !s.is_finished() {
        let ready = s.take_ready(1);
        assert_eq!(ready.len(), 1, "after {order:?}");
        assert_eq!(s.take_ready(1), Vec::<String>::new(), "slot is taken");
        publish(&mut s, &ready[0]);
        order.extend(ready);
    }
    assert_eq!(order, names(&["d", "b", "c", "a"]));
    assert_eq!(s.left(), Vec::<String>::new());
}

#[test]
fn diamond_with_concurrency_two_uploads_the_middle_together() {
    let mut s = diamond();
    assert_eq!(s.take_ready(2), names(&["d"]));
    publish(&mut s, "d");
    assert_eq!(s.take_ready(2), names(&["b", "c"]));
    assert_eq!(s.uploading(), 2);
    publish(&mut s, "b");
    assert_eq!(s.take_ready(2), Vec::<String>::new(), "a still waits for c");
    publish(&mut s, "c");
    assert_eq!(s.take_ready(2), names(&["a"]));
    publish(&mut s, "a");
    assert!(s.is_finished());
}

//   slow1 <- slow2 <- slow3        quick <- after_quick
//
// Wave by wave, after_quick would wait for slow2; it must start once quick is visible.
#[test]
fn crate_starts_when_its_own_dependencies_are_visible_not_its_level() {
    let mut s = schedule(
        &["slow1", "quick", "slow2", "after_quick", "slow3"],
        &[],
        &[
            edge("slow2", "slow1"),
            edge("slow3", "slow2"),
            edge("after_quick", "quick"),
        ],
    );
    assert_eq!(s.take_ready(0), names(&["slow1", "quick"]));
    publish(&mut s, "quick");
    // slow1 is still being uploaded.
    assert_eq!(s.take_ready(0), names(&["after_quick"]));
    assert_eq!(s.state("slow1"), &CrateState::Uploading);
    assert_eq!(s.state("slow2"), &CrateState::Pending);
}

#[test]
fn confirming_crates_free_their_upload_slot_but_do_not_satisfy_dependents() {
    //   a <- b,   c
    let mut s = schedule(&["a", "b", "c"], &[], &[edge("b", "a")]);
    assert_eq!(s.take_ready(1), names(&["a"]));
    s.uploaded("a");
    assert_eq!((s.uploading(), s.confirming()), (0, 1));
    assert_eq!(s.take_ready(1), names(&["c"]), "b waits until a is visible");
    assert!(!s.is_finished());
}

//   a <- b <- c      a is already published
#[test]
fn skipped_crates_satisfy_their_dependents() {
    let mut s = schedule(&["a", "b", "c"], &["a"], &[edge("b", "a"), edge("c", "b")]);
    assert_eq!(s.state("a"), &CrateState::Skipped);
    assert_eq!(s.take_ready(0), names(&["b"]));
    assert_eq!(s.left(), names(&["b", "c"]));
}

#[test]
fn already_there_makes_a_crate_visible_not_skipped() {
    let mut s = schedule(&["a", "b"], &[], &[edge("b", "a")]);
    s.take_ready(0);
    s.already_there("a");
    assert_eq!(s.state("a"), &CrateState::Visible);
    assert_eq!(s.uploading(), 0);
    assert_eq!(s.take_ready(0), names(&["b"]));
    s.uploaded("b");
    s.already_there("b");
    assert!(s.is_finished());
}

//        a   x
//        |   |
//        b   y        (b depends on a, c on b; y on x)
//        |
//        c
#[test]
fn failure_blocks_transitive_dependents_only() {
    let mut s = schedule(
        &["a", "x", "b", "y", "c"],
        &[],
        &[edge("b", "a"), edge("c", "b"), edge("y", "x")],
    );
    assert_eq!(s.take_ready(0), names(&["a", "x"]));
    s.failed("a", "500 Internal Server Error, 3 retries");
    assert_eq!(
        s.state("a"),
        &CrateState::Failed {
            reason: "500 Internal Server Error, 3 retries".to_owned()
        }
    );
    for blocked in ["b", "c"] {
        assert_eq!(
            s.state(blocked),
            &CrateState::Blocked { by: "a".to_owned() },
            "{blocked}"
        );
    }
    assert!(!s.is_finished(), "x is still uploading");
    publish(&mut s, "x");
    assert_eq!(s.take_ready(0), names(&["y"]));
    publish(&mut s, "y");
    assert!(s.is_finished());
    assert_eq!(s.left(), names(&["a", "b", "c"]));
}

//   a <- s <- b        s was published before: b needs only s, not a
#[test]
fn failure_does_not_block_through_a_skipped_crate() {
    let mut s = schedule(&["a", "s", "b"], &["s"], &[edge("s", "a"), edge("b", "s")]);
    assert_eq!(s.take_ready(0), names(&["a", "b"]));
    s.failed("a", "rejected");
    assert_eq!(s.state("b"), &CrateState::Uploading);
}

//   a <- c -> b       c depends on a and b; both fail: c keeps the first blocker
#[test]
fn blocked_crate_names_the_first_failure() {
    let mut s = schedule(&["a", "b", "c"], &[], &[edge("c", "a"), edge("c", "b")]);
    s.take_ready(0);
    s.failed("a", "first");
    s.failed("b", "second");
    assert_eq!(s.state("c"), &CrateState::Blocked { by: "a".to_owned() });
    assert!(s.is_finished());
}

#[test]
fn concurrency_bounds_the_uploads_in_flight() {
    let crates: Vec<String> = (0..10).map(|i| format!("c{i}")).collect();
    let mut s = Schedule::new(&crates, &BTreeSet::new(), &[]).unwrap();
    assert_eq!(s.take_ready(3), names(&["c0", "c1", "c2"]));
    assert_eq!(s.take_ready(3), Vec::<String>::new());
    s.uploaded("c1");
    assert_eq!(s.take_ready(3), names(&["c3"]));
    assert_eq!(s.uploading(), 3);
    assert_eq!(s.take_ready(0).len(), 6, "0 is unbounded");
}

//   a -> b -> a
#[test]
fn cycle_among_crates_to_upload_is_an_error() {
    let error = Schedule::new(
        &names(&["a", "b"]),
        &BTreeSet::new(),
        &[edge("a", "b"), edge("b", "a")],
    )
    .unwrap_err();
    assert_eq!(error.edges, vec![edge("a", "b"), edge("b", "a")]);
}

//   a -> b -> a      b is already published: a can go
#[test]
fn cycle_through_an_already_published_crate_is_no_error() {
    let mut s = schedule(&["a", "b"], &["b"], &[edge("a", "b"), edge("b", "a")]);
    assert_eq!(s.take_ready(0), names(&["a"]));
}

//   a -> outside     outside is not released now; self-edges are ignored too
#[test]
fn edges_leaving_the_release_are_satisfied() {
    let mut s = schedule(&["a"], &[], &[edge("a", "outside"), edge("a", "a")]);
    assert_eq!(s.take_ready(0), names(&["a"]));
}

#[test]
fn empty_or_fully_published_release_is_finished_at_once() {
    assert!(schedule(&[], &[], &[]).is_finished());
    let s = schedule(&["a", "b"], &["a", "b"], &[edge("b", "a")]);
    assert!(s.is_finished());
    assert_eq!(s.left(), Vec::<String>::new());
}

#[test]
fn states_are_listed_in_plan_order_and_serialise_with_a_tag() {
    let mut s = schedule(&["b", "a", "c"], &["c"], &[]);
    s.take_ready(1);
    s.failed("b", "no token");
    let json = serde_json::to_string(&s.states()).unwrap();
    assert_eq!(
        json,
        r#"[["b",{"state":"failed","reason":"no token"}],["a",{"state":"pending"}],["c",{"state":"skipped"}]]"#
    );
}

#[test]
#[cfg(debug_assertions)]
#[should_panic(expected = "visible: a is Pending")]
fn wrong_transition_trips_a_debug_assertion() {
    let mut s = schedule(&["a"], &[], &[]);
    s.visible("a");
}
