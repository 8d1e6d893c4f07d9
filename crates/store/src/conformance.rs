//! The conformance suite every [`Store`] implementation passes (cargo feature `conformance`).
//!
//! Each check is an async function taking the store under test; it panics, naming what it
//! expected, when the store breaks the documented semantics. [`CHECKS`] lists them all by name
//! and [`run_all`] runs them in turn.
//!
//! The checks share nothing: every one uses event ids and entities of its own, unique to the
//! process and the moment (see [`unique_id`]), so they can run concurrently against one shared
//! store (one DynamoDB table) and again the next day without cleaning up. Times are relative
//! to the wall clock when a check starts (the store holds no clock; a durable store's TTL sees
//! plausible expiries).
//!
//! ```no_run
//! # async fn conformance() {
//! // In an async test of the implementation:
//! streamhooks_store::conformance::run_all(&streamhooks_store::MemoryStore::new()).await;
//! # }
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::Poll;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::{
    ActionKey, Begin, BoxFuture, EpochMillis, IN_PROGRESS_RETENTION_MS, Order, Parcel, Store,
    StoreError,
};

/// One check of the suite.
pub type Check = for<'a> fn(&'a dyn Store) -> BoxFuture<'a, ()>;

macro_rules! checks {
    ($($name:ident),* $(,)?) => {
        /// Every check of the suite, with its name (the name of its function here).
        pub const CHECKS: &[(&str, Check)] = &[$((stringify!($name), boxed::$name)),*];

        mod boxed {
            use crate::{BoxFuture, Store};
            $(
                pub(super) fn $name(store: &dyn Store) -> BoxFuture<'_, ()> {
                    Box::pin(super::$name(store))
                }
            )*
        }
    };
}

checks!(
    begin_first_is_started_with_nothing_done,
    begin_while_leased_is_in_progress,
    ids_are_independent,
    lease_expiry_takeover_keeps_done_actions,
    in_progress_record_outlives_its_lease_by_the_retention,
    wrong_or_lost_lease_is_lease_lost,
    complete_gives_completed_on_redelivery,
    completed_record_expires_and_starts_again,
    release_keeps_done_actions,
    released_record_expires_and_starts_afresh,
    concurrent_begins_start_exactly_once,
    concurrent_takeovers_start_exactly_once,
    odd_ids_and_plugin_names_round_trip,
    advance_first_and_newer_are_fresh,
    advance_equal_time_is_fresh,
    advance_older_is_stale_with_the_applied_mark,
    advance_expired_mark_is_absent,
    advance_keeps_the_longest_expiry,
    advance_entities_are_independent,
    concurrent_advances_keep_the_newest,
    collect_from_an_empty_mailbox_is_empty,
    collect_returns_oldest_first_and_removes,
    collect_respects_max_and_keeps_the_rest,
    post_same_id_keeps_the_later_parcel,
    expired_parcels_are_dropped,
    mailboxes_are_independent,
    concurrent_collects_return_each_parcel_once,
    parcel_bodies_and_ids_round_trip,
);

/// Runs every check of [`CHECKS`] in turn against `store`, panicking at the first failure
/// (the panic message names the check).
pub async fn run_all(store: &dyn Store) {
    for (name, check) in CHECKS {
        eprintln!("store conformance: {name}");
        check(store).await;
    }
}

/// An id no other run or check uses: `prefix`, the process id, the time in nanoseconds and a
/// counter.
pub fn unique_id(prefix: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("conformance-{prefix}-{}-{nanos}-{n}", std::process::id())
}

/// The wall clock, in epoch milliseconds: the base of every check's times.
fn now_ms() -> EpochMillis {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| {
        EpochMillis::try_from(d.as_millis()).unwrap_or(EpochMillis::MAX)
    })
}

/// A lease length used by the checks.
const LEASE: EpochMillis = 30_000;
/// A record or mark lifetime used by the checks.
const DAY: EpochMillis = 24 * 60 * 60 * 1000;

fn set(keys: &[ActionKey]) -> BTreeSet<ActionKey> {
    keys.iter().cloned().collect()
}

fn started(done: &[ActionKey]) -> Begin {
    Begin::Started { done: set(done) }
}

async fn begin(store: &dyn Store, id: &str, now: EpochMillis, lease_until: EpochMillis) -> Begin {
    match store.begin(id, now, lease_until).await {
        Ok(b) => b,
        Err(e) => panic!("begin({id:?}, now={now}, lease_until={lease_until}) failed: {e}"),
    }
}

async fn record_done(store: &dyn Store, id: &str, lease_until: EpochMillis, done: &[ActionKey]) {
    if let Err(e) = store.record_done(id, lease_until, done).await {
        panic!("record_done({id:?}, lease_until={lease_until}, {done:?}) failed: {e}");
    }
}

async fn complete(
    store: &dyn Store,
    id: &str,
    lease_until: EpochMillis,
    result: Option<&str>,
    expires_at: EpochMillis,
) {
    if let Err(e) = store.complete(id, lease_until, result, expires_at).await {
        panic!("complete({id:?}, lease_until={lease_until}) failed: {e}");
    }
}

async fn release(store: &dyn Store, id: &str, lease_until: EpochMillis, expires_at: EpochMillis) {
    if let Err(e) = store.release(id, lease_until, expires_at).await {
        panic!("release({id:?}, lease_until={lease_until}) failed: {e}");
    }
}

async fn advance(
    store: &dyn Store,
    entity: &str,
    occurred_at: EpochMillis,
    now: EpochMillis,
    expires_at: EpochMillis,
) -> Order {
    match store.advance(entity, occurred_at, now, expires_at).await {
        Ok(o) => o,
        Err(e) => panic!("advance({entity:?}, occurred_at={occurred_at}, now={now}) failed: {e}"),
    }
}

fn assert_lease_lost(what: &str, id: &str, result: Result<(), StoreError>) {
    match result {
        Err(StoreError::LeaseLost { event_id }) if event_id == id => {}
        other => panic!(
            "{what} on {id:?}: expected Err(LeaseLost {{ event_id: {id:?} }}), got {other:?}"
        ),
    }
}

/// Polls every future concurrently in the calling task and returns their outputs in order.
async fn join_all<'a, T>(futures: Vec<BoxFuture<'a, T>>) -> Vec<T> {
    let mut slots: Vec<(Option<BoxFuture<'a, T>>, Option<T>)> =
        futures.into_iter().map(|f| (Some(f), None)).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (future, output) in &mut slots {
            if let Some(f) = future {
                match f.as_mut().poll(cx) {
                    Poll::Ready(v) => {
                        *output = Some(v);
                        *future = None;
                    }
                    Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    })
    .await;
    slots.into_iter().filter_map(|(_, output)| output).collect()
}

/// The first `begin` of an id starts it, with nothing done.
pub async fn begin_first_is_started_with_nothing_done(store: &dyn Store) {
    let t = now_ms();
    let id = unique_id("first");
    assert_eq!(begin(store, &id, t, t + LEASE).await, started(&[]));
}

/// A `begin` while another invocation's lease is live is `InProgress` with that lease, up to
/// the millisecond before it expires; it does not disturb the holder.
pub async fn begin_while_leased_is_in_progress(store: &dyn Store) {
    let t = now_ms();
    let id = unique_id("leased");
    let lease = t + LEASE;
    assert_eq!(begin(store, &id, t, lease).await, started(&[]));
    for now in [t, t + 1, lease - 1] {
        assert_eq!(
            begin(store, &id, now, now + LEASE).await,
            Begin::InProgress { lease_until: lease },
            "begin at {now} while the lease runs until {lease}"
        );
    }
    // The holder still holds it.
    record_done(store, &id, lease, &[ActionKey::new("p", 0)]).await;
    complete(store, &id, lease, None, t + DAY).await;
}

/// Records of different ids do not affect each other.
pub async fn ids_are_independent(store: &dyn Store) {
    let t = now_ms();
    let a = unique_id("indep-a");
    let b = unique_id("indep-b");
    assert_eq!(begin(store, &a, t, t + LEASE).await, started(&[]));
    assert_eq!(begin(store, &b, t, t + LEASE + 1).await, started(&[]));
    record_done(store, &a, t + LEASE, &[ActionKey::new("p", 1)]).await;
    complete(store, &a, t + LEASE, Some("a"), t + DAY).await;
    assert_eq!(
        begin(store, &b, t + 1, t + 2 * LEASE).await,
        Begin::InProgress {
            lease_until: t + LEASE + 1
        }
    );
    release(store, &b, t + LEASE + 1, t + DAY).await;
    assert_eq!(begin(store, &b, t + 2, t + 2 * LEASE).await, started(&[]));
}

/// Once the lease expired (`lease_until <= now`), a `begin` takes the event over with every
/// action recorded done (the union of all `record_done` calls); the old holder has lost it.
pub async fn lease_expiry_takeover_keeps_done_actions(store: &dyn Store) {
    let t = now_ms();
    let id = unique_id("takeover");
    let first = t + LEASE;
    assert_eq!(begin(store, &id, t, first).await, started(&[]));
    let a = ActionKey::new("alpha", 0);
    let b = ActionKey::new("alpha", 1);
    let c = ActionKey::new("beta", 0);
    record_done(store, &id, first, &[a.clone(), b.clone()]).await;
    record_done(store, &id, first, &[b.clone(), c.clone()]).await;
    record_done(store, &id, first, &[]).await;

    // Exactly at lease_until the lease has expired.
    let second = first + LEASE;
    assert_eq!(
        begin(store, &id, first, second).await,
        started(&[a.clone(), b.clone(), c.clone()])
    );
    assert_lease_lost(
        "record_done with the expired lease",
        &id,
        store
            .record_done(&id, first, &[ActionKey::new("gamma", 0)])
            .await,
    );
    assert_lease_lost(
        "complete with the expired lease",
        &id,
        store.complete(&id, first, Some("late"), t + DAY).await,
    );
    assert_lease_lost(
        "release with the expired lease",
        &id,
        store.release(&id, first, t + DAY).await,
    );

    // The new holder adds to what was done, and its successor sees all of it.
    let d = ActionKey::new("beta", 7);
    record_done(store, &id, second, std::slice::from_ref(&d)).await;
    let third = second + 10 * LEASE;
    assert_eq!(
        begin(store, &id, second + 5, third).await,
        started(&[a, b, c, d])
    );
    complete(store, &id, third, Some("done"), t + DAY).await;
    assert_eq!(
        begin(store, &id, second + 6, third + LEASE).await,
        Begin::Completed {
            result: Some("done".into())
        }
    );
}

/// An in-progress record whose holder died is kept until `lease_until +
/// IN_PROGRESS_RETENTION_MS`: a takeover just before then keeps the done actions; at that
/// time the record has expired and the event starts afresh.
pub async fn in_progress_record_outlives_its_lease_by_the_retention(store: &dyn Store) {
    let t = now_ms();
    let a = ActionKey::new("p", 3);

    let id = unique_id("retained");
    let lease = t + LEASE;
    assert_eq!(begin(store, &id, t, lease).await, started(&[]));
    record_done(store, &id, lease, std::slice::from_ref(&a)).await;
    let late = lease + IN_PROGRESS_RETENTION_MS - 1;
    assert_eq!(
        begin(store, &id, late, late + LEASE).await,
        started(std::slice::from_ref(&a))
    );

    let id = unique_id("abandoned");
    assert_eq!(begin(store, &id, t, lease).await, started(&[]));
    record_done(store, &id, lease, std::slice::from_ref(&a)).await;
    let gone = lease + IN_PROGRESS_RETENTION_MS;
    assert_eq!(begin(store, &id, gone, gone + LEASE).await, started(&[]));
}

/// `record_done`, `complete` and `release` with a lease the caller does not hold (another
/// value, an unknown event, a completed or released record) are `LeaseLost`, and change
/// nothing.
pub async fn wrong_or_lost_lease_is_lease_lost(store: &dyn Store) {
    let t = now_ms();
    let unknown = unique_id("unknown");
    let a = ActionKey::new("p", 0);
    assert_lease_lost(
        "record_done on an unknown event",
        &unknown,
        store
            .record_done(&unknown, t + LEASE, std::slice::from_ref(&a))
            .await,
    );
    assert_lease_lost(
        "complete on an unknown event",
        &unknown,
        store.complete(&unknown, t + LEASE, None, t + DAY).await,
    );
    assert_lease_lost(
        "release on an unknown event",
        &unknown,
        store.release(&unknown, t + LEASE, t + DAY).await,
    );
    // None of that created a record.
    assert_eq!(begin(store, &unknown, t, t + LEASE).await, started(&[]));

    let id = unique_id("wrong");
    let lease = t + LEASE;
    assert_eq!(begin(store, &id, t, lease).await, started(&[]));
    for wrong in [lease - 1, lease + 1] {
        assert_lease_lost(
            "record_done with another lease",
            &id,
            store
                .record_done(&id, wrong, std::slice::from_ref(&a))
                .await,
        );
        assert_lease_lost(
            "record_done of nothing with another lease",
            &id,
            store.record_done(&id, wrong, &[]).await,
        );
        assert_lease_lost(
            "complete with another lease",
            &id,
            store.complete(&id, wrong, Some("x"), t + DAY).await,
        );
        assert_lease_lost(
            "release with another lease",
            &id,
            store.release(&id, wrong, t + DAY).await,
        );
    }
    // The holder is unaffected and nothing was recorded done.
    assert_eq!(
        begin(store, &id, t + 1, t + 1 + LEASE).await,
        Begin::InProgress { lease_until: lease }
    );
    release(store, &id, lease, t + DAY).await;
    assert_lease_lost(
        "record_done after release",
        &id,
        store
            .record_done(&id, lease, std::slice::from_ref(&a))
            .await,
    );
    assert_lease_lost(
        "complete after release",
        &id,
        store.complete(&id, lease, None, t + DAY).await,
    );
    assert_lease_lost(
        "release after release",
        &id,
        store.release(&id, lease, t + DAY).await,
    );
    let second = t + 2 + LEASE;
    assert_eq!(begin(store, &id, t + 2, second).await, started(&[]));
    complete(store, &id, second, None, t + DAY).await;
    assert_lease_lost(
        "record_done after complete",
        &id,
        store
            .record_done(&id, second, std::slice::from_ref(&a))
            .await,
    );
    assert_lease_lost(
        "complete after complete",
        &id,
        store.complete(&id, second, Some("again"), t + DAY).await,
    );
    assert_lease_lost(
        "release after complete",
        &id,
        store.release(&id, second, t + DAY).await,
    );
    assert_eq!(
        begin(store, &id, t + 3, t + 3 + LEASE).await,
        Begin::Completed { result: None }
    );
}

/// After `complete`, every redelivery until the record expires gets `Completed` with the
/// stored result (none, empty or text), also long after the lease ran out.
pub async fn complete_gives_completed_on_redelivery(store: &dyn Store) {
    let t = now_ms();
    for result in [None, Some(""), Some("{\"actions\":[1,2,3]}")] {
        let id = unique_id("complete");
        let lease = t + LEASE;
        assert_eq!(begin(store, &id, t, lease).await, started(&[]));
        record_done(store, &id, lease, &[ActionKey::new("p", 0)]).await;
        complete(store, &id, lease, result, t + DAY).await;
        for now in [t + 1, lease, lease + LEASE, t + DAY - 1] {
            assert_eq!(
                begin(store, &id, now, now + LEASE).await,
                Begin::Completed {
                    result: result.map(str::to_owned)
                },
                "redelivery at {now} of an event completed until {}",
                t + DAY
            );
        }
    }
}

/// A completed record expires at the `expires_at` given to `complete` (`expires_at <= now`):
/// the event then starts again, with nothing done.
pub async fn completed_record_expires_and_starts_again(store: &dyn Store) {
    let t = now_ms();
    let id = unique_id("expired");
    let lease = t + LEASE;
    assert_eq!(begin(store, &id, t, lease).await, started(&[]));
    record_done(store, &id, lease, &[ActionKey::new("p", 0)]).await;
    let expires = t + 1_000;
    complete(store, &id, lease, Some("r"), expires).await;
    assert_eq!(
        begin(store, &id, expires - 1, expires + LEASE).await,
        Begin::Completed {
            result: Some("r".into())
        }
    );
    let lease = expires + LEASE;
    assert_eq!(begin(store, &id, expires, lease).await, started(&[]));
    // It is a new record: the new holder holds it.
    complete(store, &id, lease, Some("second"), expires + DAY).await;
    assert_eq!(
        begin(store, &id, expires + 1, expires + 1 + LEASE).await,
        Begin::Completed {
            result: Some("second".into())
        }
    );
}

/// `release` gives the lease up: a redelivery takes the event over at once (before the old
/// lease would have expired) and gets the done actions.
pub async fn release_keeps_done_actions(store: &dyn Store) {
    let t = now_ms();
    let id = unique_id("release");
    let lease = t + LEASE;
    let done = [ActionKey::new("p", 0), ActionKey::new("q", 2)];
    assert_eq!(begin(store, &id, t, lease).await, started(&[]));
    record_done(store, &id, lease, &done).await;
    release(store, &id, lease, t + DAY).await;
    let second = t + 1 + LEASE;
    assert_eq!(begin(store, &id, t + 1, second).await, started(&done));
    // Taken over: the next caller waits for the new holder.
    assert_eq!(
        begin(store, &id, t + 2, t + 2 + LEASE).await,
        Begin::InProgress {
            lease_until: second
        }
    );
    // Released again, long after, with more done: still all kept.
    let more = ActionKey::new("r", 0);
    record_done(store, &id, second, std::slice::from_ref(&more)).await;
    release(store, &id, second, t + DAY).await;
    let late = t + DAY - 1;
    assert_eq!(
        begin(store, &id, late, late + LEASE).await,
        started(&[done[0].clone(), done[1].clone(), more])
    );
}

/// A released record expires at the `expires_at` given to `release`; then the event starts
/// afresh.
pub async fn released_record_expires_and_starts_afresh(store: &dyn Store) {
    let t = now_ms();
    let id = unique_id("released-expired");
    let lease = t + LEASE;
    assert_eq!(begin(store, &id, t, lease).await, started(&[]));
    record_done(store, &id, lease, &[ActionKey::new("p", 0)]).await;
    let expires = t + 1_000;
    release(store, &id, lease, expires).await;
    assert_eq!(
        begin(store, &id, expires, expires + LEASE).await,
        started(&[])
    );
}

/// Of 16 concurrent `begin`s on a new id, exactly one is `Started`; the others are
/// `InProgress` with the winner's lease.
pub async fn concurrent_begins_start_exactly_once(store: &dyn Store) {
    let t = now_ms();
    let id = unique_id("race");
    concurrent_begins(store, &id, t, &[]).await;
}

/// Of 16 concurrent `begin`s taking over an expired lease, exactly one is `Started`, with
/// the done actions; the others are `InProgress` with the winner's lease.
pub async fn concurrent_takeovers_start_exactly_once(store: &dyn Store) {
    let t = now_ms();
    let id = unique_id("race-takeover");
    let lease = t + LEASE;
    let done = [ActionKey::new("p", 0), ActionKey::new("p", 1)];
    assert_eq!(begin(store, &id, t, lease).await, started(&[]));
    record_done(store, &id, lease, &done).await;
    concurrent_begins(store, &id, lease, &done).await;

    // And once more after a release.
    let id = unique_id("race-released");
    assert_eq!(begin(store, &id, t, lease).await, started(&[]));
    record_done(store, &id, lease, &done).await;
    release(store, &id, lease, t + DAY).await;
    concurrent_begins(store, &id, t + 1, &done).await;
}

async fn concurrent_begins(store: &dyn Store, id: &str, now: EpochMillis, done: &[ActionKey]) {
    const CALLERS: EpochMillis = 16;
    let leases: Vec<EpochMillis> = (0..CALLERS).map(|i| now + LEASE + i).collect();
    let futures = leases
        .iter()
        .map(|&lease| store.begin(id, now, lease))
        .collect();
    let outcomes = join_all(futures).await;
    let mut winners = Vec::new();
    for (lease, outcome) in leases.iter().zip(&outcomes) {
        match outcome {
            Ok(Begin::Started { done: d }) => {
                assert_eq!(d, &set(done), "done actions of the winner");
                winners.push(*lease);
            }
            Ok(Begin::InProgress { .. }) => {}
            other => panic!("concurrent begin on {id:?}: unexpected {other:?}"),
        }
    }
    assert_eq!(
        winners.len(),
        1,
        "concurrent begins on {id:?}: exactly one must start, got {outcomes:?}"
    );
    let winner = winners[0];
    for outcome in &outcomes {
        if let Ok(Begin::InProgress { lease_until }) = outcome {
            assert_eq!(
                *lease_until, winner,
                "the losers see the winner's lease ({outcomes:?})"
            );
        }
    }
    // The winner holds it.
    record_done(store, id, winner, &[ActionKey::new("winner", 0)]).await;
    complete(store, id, winner, Some("won"), now + DAY).await;
}

/// Event ids, entities and plugin names with separators, spaces and non-ASCII characters,
/// and large action indexes, round-trip.
pub async fn odd_ids_and_plugin_names_round_trip(store: &dyn Store) {
    let t = now_ms();
    let id = format!("{}#sk=event/ä ✓", unique_id("odd"));
    let lease = t + LEASE;
    let done = [
        ActionKey::new("", 0),
        ActionKey::new("a#b", 12),
        ActionKey::new("a", 0),
        ActionKey::new("a#0", 1),
        ActionKey::new("ünï code", usize::from(u16::MAX)),
        ActionKey::new("p", usize::MAX),
    ];
    assert_eq!(begin(store, &id, t, lease).await, started(&[]));
    record_done(store, &id, lease, &done).await;
    assert_eq!(
        begin(store, &id, lease, lease + LEASE).await,
        started(&done)
    );

    let entity = format!("{}#mark ä", unique_id("odd-entity"));
    assert_eq!(advance(store, &entity, 5, t, t + DAY).await, Order::Fresh);
    assert_eq!(
        advance(store, &entity, 4, t, t + DAY).await,
        Order::Stale { applied: 5 }
    );
}

/// The first event of an entity is fresh, and so is every newer one.
pub async fn advance_first_and_newer_are_fresh(store: &dyn Store) {
    let t = now_ms();
    let entity = unique_id("fresh");
    for occurred in [t - 3_000, t - 2_000, t - 1, t + 5_000] {
        assert_eq!(
            advance(store, &entity, occurred, t, t + DAY).await,
            Order::Fresh,
            "advance to {occurred}"
        );
    }
    assert_eq!(
        advance(store, &entity, t + 4_999, t, t + DAY).await,
        Order::Stale { applied: t + 5_000 }
    );
}

/// An event as old as the mark is fresh (events derived from one record share a time; a
/// retried event meets its own mark).
pub async fn advance_equal_time_is_fresh(store: &dyn Store) {
    let t = now_ms();
    let entity = unique_id("equal");
    let occurred = t - 10;
    for _ in 0..3 {
        assert_eq!(
            advance(store, &entity, occurred, t, t + DAY).await,
            Order::Fresh
        );
    }
}

/// An event older than the mark is stale and reports the mark; it does not move the mark.
pub async fn advance_older_is_stale_with_the_applied_mark(store: &dyn Store) {
    let t = now_ms();
    let entity = unique_id("stale");
    let newest = t - 100;
    assert_eq!(
        advance(store, &entity, newest, t, t + DAY).await,
        Order::Fresh
    );
    for older in [newest - 1, newest - 50, 0] {
        assert_eq!(
            advance(store, &entity, older, t + 1, t + DAY).await,
            Order::Stale { applied: newest },
            "advance to {older} after {newest}"
        );
    }
    // The stale events left the mark alone.
    assert_eq!(
        advance(store, &entity, newest - 1, t + 2, t + DAY).await,
        Order::Stale { applied: newest }
    );
    assert_eq!(
        advance(store, &entity, newest, t + 2, t + DAY).await,
        Order::Fresh
    );
}

/// A mark that expired (`expires_at <= now`) is treated as absent: an older event is fresh,
/// and sets a new mark.
pub async fn advance_expired_mark_is_absent(store: &dyn Store) {
    let t = now_ms();
    let entity = unique_id("expired-mark");
    let expires = t + 1_000;
    assert_eq!(advance(store, &entity, t, t, expires).await, Order::Fresh);
    assert_eq!(
        advance(store, &entity, t - 5, expires - 1, expires + DAY).await,
        Order::Stale { applied: t }
    );
    assert_eq!(
        advance(store, &entity, t - 5, expires, expires + DAY).await,
        Order::Fresh
    );
    // The new mark holds the older time.
    assert_eq!(
        advance(store, &entity, t - 6, expires + 1, expires + DAY).await,
        Order::Stale { applied: t - 5 }
    );
}

/// A fresh event with a shorter `expires_at` does not shorten the mark's life.
pub async fn advance_keeps_the_longest_expiry(store: &dyn Store) {
    let t = now_ms();
    let entity = unique_id("longest");
    assert_eq!(advance(store, &entity, t, t, t + DAY).await, Order::Fresh);
    assert_eq!(
        advance(store, &entity, t + 10, t + 1, t + 1_000).await,
        Order::Fresh
    );
    // Past the second expiry, before the first: the mark (at its newest time) is alive.
    assert_eq!(
        advance(store, &entity, t + 5, t + 2_000, t + DAY).await,
        Order::Stale { applied: t + 10 }
    );
    // Past the first: absent.
    assert_eq!(
        advance(store, &entity, t + 5, t + DAY, t + 2 * DAY).await,
        Order::Fresh
    );
}

/// Marks of different entities do not affect each other.
pub async fn advance_entities_are_independent(store: &dyn Store) {
    let t = now_ms();
    let a = unique_id("entity-a");
    let b = unique_id("entity-b");
    assert_eq!(advance(store, &a, t + 100, t, t + DAY).await, Order::Fresh);
    assert_eq!(advance(store, &b, t, t, t + DAY).await, Order::Fresh);
    assert_eq!(
        advance(store, &b, t - 1, t, t + DAY).await,
        Order::Stale { applied: t }
    );
    assert_eq!(
        advance(store, &a, t + 50, t, t + DAY).await,
        Order::Stale { applied: t + 100 }
    );
    // The entity and the event namespaces are separate too.
    assert_eq!(begin(store, &a, t, t + LEASE).await, started(&[]));
    assert_eq!(
        advance(store, &a, t + 99, t, t + DAY).await,
        Order::Stale { applied: t + 100 }
    );
}

/// Concurrent advances of one entity leave the newest time as the mark, and a call reported
/// `Fresh` is never older than a mark that was in place before it.
pub async fn concurrent_advances_keep_the_newest(store: &dyn Store) {
    let t = now_ms();
    let entity = unique_id("race-mark");
    let times: Vec<EpochMillis> = (0..16).map(|i| t + (i * 7) % 16).collect();
    let futures = times
        .iter()
        .map(|&occurred| store.advance(&entity, occurred, t, t + DAY))
        .collect();
    let outcomes = join_all(futures).await;
    let newest = t + 15;
    for (occurred, outcome) in times.iter().zip(&outcomes) {
        match outcome {
            Ok(Order::Fresh) => {}
            Ok(Order::Stale { applied }) => assert!(
                applied > occurred,
                "advance to {occurred} reported stale against {applied}"
            ),
            Err(e) => panic!("concurrent advance of {entity:?} failed: {e}"),
        }
    }
    assert!(
        outcomes.iter().any(|o| matches!(o, Ok(Order::Fresh))),
        "some advance is fresh: {outcomes:?}"
    );
    assert_eq!(
        advance(store, &entity, newest - 1, t, t + DAY).await,
        Order::Stale { applied: newest },
        "the mark is the newest time after {outcomes:?}"
    );
    assert_eq!(
        advance(store, &entity, newest, t, t + DAY).await,
        Order::Fresh
    );
}

fn parcel(id: &str, body: &str, posted_at: EpochMillis) -> Parcel {
    Parcel {
        id: id.to_owned(),
        body: body.to_owned(),
        posted_at,
    }
}

async fn post(store: &dyn Store, agent: &str, parcels: &[Parcel], expires_at: EpochMillis) {
    if let Err(e) = store.post(agent, parcels, expires_at).await {
        let ids: Vec<&str> = parcels.iter().map(|p| p.id.as_str()).collect();
        panic!("post({agent:?}, {ids:?}, expires_at={expires_at}) failed: {e}");
    }
}

async fn collect(store: &dyn Store, agent: &str, now: EpochMillis, max: usize) -> Vec<Parcel> {
    match store.collect(agent, now, max).await {
        Ok(parcels) => parcels,
        Err(e) => panic!("collect({agent:?}, now={now}, max={max}) failed: {e}"),
    }
}

/// The ids of `parcels`, for short assertion messages.
fn ids(parcels: &[Parcel]) -> Vec<&str> {
    parcels.iter().map(|p| p.id.as_str()).collect()
}

/// Whether `parcels` are oldest first, ties by id.
fn in_order(parcels: &[Parcel]) -> bool {
    parcels
        .windows(2)
        .all(|w| (w[0].posted_at, &w[0].id) < (w[1].posted_at, &w[1].id))
}

/// Collecting from a mailbox nothing was posted to (or nothing but an empty list) returns
/// nothing.
pub async fn collect_from_an_empty_mailbox_is_empty(store: &dyn Store) {
    let t = now_ms();
    let agent = unique_id("mailbox-empty");
    assert_eq!(collect(store, &agent, t, 10).await, []);
    assert_eq!(collect(store, &agent, t, 0).await, []);
    post(store, &agent, &[], t + DAY).await;
    assert_eq!(collect(store, &agent, t, usize::MAX).await, []);
}

/// A collect returns the parcels of several posts oldest first (`posted_at`), ties by id
/// (byte order), and removes them: the next collect is empty.
pub async fn collect_returns_oldest_first_and_removes(store: &dyn Store) {
    let t = now_ms();
    let agent = unique_id("mailbox-order");
    post(
        store,
        &agent,
        &[
            parcel("c", "third at t-10", t - 10),
            parcel("b", "oldest", t - 30),
            parcel("a", "second at t-10", t - 10),
            parcel("z", "second oldest", t - 20),
        ],
        t + DAY,
    )
    .await;
    post(
        store,
        &agent,
        &[
            parcel("m", "newest", t + 5),
            parcel("B", "first at t-10", t - 10),
        ],
        t + DAY,
    )
    .await;
    let expected = [
        parcel("b", "oldest", t - 30),
        parcel("z", "second oldest", t - 20),
        parcel("B", "first at t-10", t - 10),
        parcel("a", "second at t-10", t - 10),
        parcel("c", "third at t-10", t - 10),
        parcel("m", "newest", t + 5),
    ];
    assert_eq!(collect(store, &agent, t, 100).await, expected);
    assert_eq!(
        collect(store, &agent, t + 1, 100).await,
        [],
        "a collect removes what it returns"
    );
}

/// A collect returns at most `max` parcels (none for 0), the oldest; the rest stay for the
/// next collects, together with parcels posted in between.
pub async fn collect_respects_max_and_keeps_the_rest(store: &dyn Store) {
    let t = now_ms();
    let agent = unique_id("mailbox-max");
    let all: Vec<Parcel> = (0..7)
        .map(|i| parcel(&format!("p{i}"), &format!("body {i}"), t + i))
        .collect();
    let reversed: Vec<Parcel> = all.iter().rev().cloned().collect();
    post(store, &agent, &reversed, t + DAY).await;
    assert_eq!(collect(store, &agent, t, 0).await, [], "max 0");
    assert_eq!(collect(store, &agent, t, 1).await, all[..1], "max 1");
    assert_eq!(collect(store, &agent, t, 3).await, all[1..4], "max 3");
    let early = parcel("early", "posted late, dated early", t - 1);
    post(store, &agent, std::slice::from_ref(&early), t + DAY).await;
    assert_eq!(
        collect(store, &agent, t, 2).await,
        [early, all[4].clone()],
        "max 2 after another post"
    );
    assert_eq!(collect(store, &agent, t, 10).await, all[5..], "the rest");
    assert_eq!(collect(store, &agent, t, 10).await, []);
}

/// Posting a parcel id that is waiting replaces it: one parcel, with the later body,
/// `posted_at` and expiry; within one post, the last parcel of an id wins.
pub async fn post_same_id_keeps_the_later_parcel(store: &dyn Store) {
    let t = now_ms();
    let agent = unique_id("mailbox-replace");
    let short = t + 1_000;
    post(
        store,
        &agent,
        &[parcel("x", "first", t - 5), parcel("y", "y", t)],
        short,
    )
    .await;
    // The second x lives a day: the replacement's expiry counts.
    post(store, &agent, &[parcel("x", "second", t - 1)], t + DAY).await;
    post(
        store,
        &agent,
        &[
            parcel("dup", "one", t + 1),
            parcel("other", "other", t + 3),
            parcel("dup", "two", t + 2),
        ],
        t + DAY,
    )
    .await;
    assert_eq!(
        collect(store, &agent, short, 10).await,
        [
            parcel("x", "second", t - 1),
            parcel("dup", "two", t + 2),
            parcel("other", "other", t + 3),
        ]
    );
    assert_eq!(collect(store, &agent, short, 10).await, []);
}

/// A parcel is returned while `now < expires_at` and never once `expires_at <= now`;
/// expired parcels do not count against `max`, and a collect drops every expired parcel
/// (also those after the `max` it returned): collecting again with an earlier `now` does
/// not bring them back.
pub async fn expired_parcels_are_dropped(store: &dyn Store) {
    let t = now_ms();
    let agent = unique_id("mailbox-expiry");
    let expires = t + 1_000;
    post(
        store,
        &agent,
        &[
            parcel("old-1", "o1", t - 3),
            parcel("old-2", "o2", t - 2),
            parcel("old-late", "ol", t + 50),
        ],
        expires,
    )
    .await;
    post(
        store,
        &agent,
        &[parcel("live-1", "l1", t - 1), parcel("live-2", "l2", t)],
        t + DAY,
    )
    .await;
    assert_eq!(
        collect(store, &agent, expires - 1, 1).await,
        [parcel("old-1", "o1", t - 3)],
        "a millisecond before its expiry a parcel is collected"
    );
    assert_eq!(
        collect(store, &agent, expires, 1).await,
        [parcel("live-1", "l1", t - 1)],
        "at its expiry a parcel is not collected, nor counted against max"
    );
    assert_eq!(
        collect(store, &agent, t + 1, 10).await,
        [parcel("live-2", "l2", t)],
        "expired parcels were dropped"
    );
    assert_eq!(collect(store, &agent, t + 1, 10).await, []);

    // A mailbox of expired parcels only.
    let agent = unique_id("mailbox-expired");
    post(store, &agent, &[parcel("gone", "g", t)], expires).await;
    assert_eq!(collect(store, &agent, expires + DAY, 10).await, []);
    assert_eq!(collect(store, &agent, t, 10).await, []);
}

/// The mailboxes of different agents (also agents whose names extend one another, and with
/// the same parcel ids) do not affect each other, nor records and marks of the same names.
pub async fn mailboxes_are_independent(store: &dyn Store) {
    let t = now_ms();
    let a = unique_id("mailbox-a");
    let b = unique_id("mailbox-b");
    let c = format!("{a}#parcel#1");
    post(store, &a, &[parcel("1", "a1", t)], t + DAY).await;
    post(
        store,
        &b,
        &[parcel("1", "b1", t), parcel("2", "b2", t + 1)],
        t + DAY,
    )
    .await;
    post(store, &c, &[parcel("1", "c1", t)], t + DAY).await;
    assert_eq!(collect(store, &a, t, 10).await, [parcel("1", "a1", t)]);
    assert_eq!(collect(store, &a, t, 10).await, []);
    assert_eq!(collect(store, &b, t, 1).await, [parcel("1", "b1", t)]);
    assert_eq!(collect(store, &c, t, 10).await, [parcel("1", "c1", t)]);
    assert_eq!(collect(store, &b, t, 10).await, [parcel("2", "b2", t + 1)]);

    // An event id and an entity named as the agent.
    post(store, &a, &[parcel("2", "a2", t)], t + DAY).await;
    assert_eq!(begin(store, &a, t, t + LEASE).await, started(&[]));
    complete(store, &a, t + LEASE, Some("r"), t + DAY).await;
    assert_eq!(advance(store, &a, t, t, t + DAY).await, Order::Fresh);
    assert_eq!(collect(store, &a, t, 10).await, [parcel("2", "a2", t)]);
    assert_eq!(
        begin(store, &a, t + 1, t + LEASE).await,
        Begin::Completed {
            result: Some("r".into())
        }
    );
    assert_eq!(
        advance(store, &a, t - 1, t, t + DAY).await,
        Order::Stale { applied: t }
    );
}

/// How many parcels the concurrent-collect checks post.
const RACE_PARCELS: EpochMillis = 20;
/// How many collectors they run.
const RACE_COLLECTORS: usize = 8;
/// The `max` of each of their collects.
const RACE_MAX: usize = 3;

/// Posts [`RACE_PARCELS`] parcels to a new agent's mailbox; returns the agent, the time and
/// the parcels.
async fn fill_for_race(store: &dyn Store, prefix: &str) -> (String, EpochMillis, Vec<Parcel>) {
    let t = now_ms();
    let agent = unique_id(prefix);
    // Some share a posted_at.
    let parcels: Vec<Parcel> = (0..RACE_PARCELS)
        .map(|i| parcel(&format!("race-{i:02}"), &format!("body {i}"), t + i / 3))
        .collect();
    post(store, &agent, &parcels, t + DAY).await;
    (agent, t, parcels)
}

/// One collector: collects with `max` [`RACE_MAX`] until a collect returns nothing; returns
/// every batch it got.
async fn drain(store: &dyn Store, agent: &str, now: EpochMillis) -> Vec<Vec<Parcel>> {
    let mut batches = Vec::new();
    loop {
        let batch = collect(store, agent, now, RACE_MAX).await;
        if batch.is_empty() {
            return batches;
        }
        batches.push(batch);
        // Each batch removes a parcel at least: more batches than parcels means it does not.
        assert!(
            batches.len() <= RACE_PARCELS as usize,
            "a collector got {} non-empty batches from {RACE_PARCELS} parcels: collect does \
             not remove what it returns (last batch: {:?})",
            batches.len(),
            batches.last().map(|b| ids(b))
        );
    }
}

/// Every parcel was returned exactly once across the collectors' batches; each batch was
/// at most `max`, in order; the mailbox is empty.
async fn check_race(
    store: &dyn Store,
    agent: &str,
    now: EpochMillis,
    posted: &[Parcel],
    outcomes: &[Vec<Vec<Parcel>>],
) {
    let mut seen: BTreeMap<&str, (usize, &Parcel)> = BTreeMap::new();
    for batch in outcomes.iter().flatten() {
        assert!(
            !batch.is_empty() && batch.len() <= RACE_MAX,
            "a collect with max {RACE_MAX} returned {} parcels",
            batch.len()
        );
        assert!(in_order(batch), "a batch out of order: {:?}", ids(batch));
        for p in batch {
            seen.entry(&p.id).or_insert((0, p)).0 += 1;
        }
    }
    let twice: Vec<&str> = seen
        .iter()
        .filter(|(_, (count, _))| *count > 1)
        .map(|(id, _)| *id)
        .collect();
    assert!(
        twice.is_empty(),
        "parcels returned more than once: {twice:?}"
    );
    let returned: Vec<Parcel> = seen.values().map(|(_, p)| (*p).clone()).collect();
    assert_eq!(returned, posted, "every parcel returned exactly once");
    assert_eq!(collect(store, agent, now, 100).await, []);
}

/// 8 collectors, polled concurrently, each collecting 3 at a time until its collect returns
/// nothing, over 20 parcels: each parcel is returned to exactly one of them, every one is
/// returned, and no collect returns more than its `max` or out of order.
pub async fn concurrent_collects_return_each_parcel_once(store: &dyn Store) {
    let (agent, t, posted) = fill_for_race(store, "mailbox-race").await;
    let futures: Vec<BoxFuture<'_, Vec<Vec<Parcel>>>> = (0..RACE_COLLECTORS)
        .map(|_| Box::pin(drain(store, &agent, t)) as BoxFuture<'_, _>)
        .collect();
    let outcomes = join_all(futures).await;
    check_race(store, &agent, t, &posted, &outcomes).await;
}

/// A collector's work, for [`spawned_collects_return_each_parcel_once`]'s `spawn`.
pub type Collector = BoxFuture<'static, Vec<Vec<Parcel>>>;

/// As [`concurrent_collects_return_each_parcel_once`], with each collector handed to `spawn`,
/// which starts it elsewhere at once (a task of a multi-thread runtime, a thread of its own)
/// and returns a future of its output; for tokio, `&|c| { let task = tokio::spawn(c);
/// Box::pin(async move { task.await.unwrap() }) }`. Not in [`CHECKS`]: the store must be
/// shared (`Arc`), and the test decides how the collectors run.
pub async fn spawned_collects_return_each_parcel_once(
    store: Arc<dyn Store>,
    spawn: &dyn Fn(Collector) -> Collector,
) {
    let (agent, t, posted) = fill_for_race(&*store, "mailbox-spawned").await;
    let running: Vec<Collector> = (0..RACE_COLLECTORS)
        .map(|_| {
            let store = store.clone();
            let agent = agent.clone();
            spawn(Box::pin(async move { drain(&*store, &agent, t).await }))
        })
        .collect();
    let outcomes = join_all(running).await;
    check_race(&*store, &agent, t, &posted, &outcomes).await;
}

/// The largest body the suite posts: 64 KiB.
pub const MAX_CHECKED_BODY_BYTES: usize = 64 * 1024;

/// A body of exactly `len` bytes, different for each `seed`: JSON-like text with escapes,
/// control characters and characters of 1 to 4 bytes in UTF-8, cut at a character boundary
/// and padded with ASCII.
fn odd_body(seed: usize, len: usize) -> String {
    let piece = format!(
        "{{\"n\":{seed},\"text\":\"\\\"quoted\\\" back\\\\slash\"}}\t\r\n\u{1}\u{7f} ä ß € ✓ \
         中文 e\u{301} 𝄞 😀 \u{fffd} \u{feff}#/%+ <>&'"
    );
    let mut body = String::with_capacity(len);
    while body.len() + piece.len() <= len {
        body.push_str(&piece);
    }
    for c in piece.chars() {
        if body.len() + c.len_utf8() > len {
            break;
        }
        body.push(c);
    }
    while body.len() < len {
        body.push('.');
    }
    body
}

/// Bodies round-trip byte-exact: empty, short non-ASCII, and up to 64 KiB
/// ([`MAX_CHECKED_BODY_BYTES`]) of text with escapes, control characters and characters of
/// every UTF-8 length; 20 such bodies at once (over a megabyte: more than one page of a
/// DynamoDB query). Parcel ids with separators, spaces and non-ASCII characters round-trip
/// too.
pub async fn parcel_bodies_and_ids_round_trip(store: &dyn Store) {
    let t = now_ms();
    let agent = format!("{} agent#ä ✓", unique_id("mailbox-bodies"));
    let mut posted = vec![
        parcel("empty", "", t),
        parcel("id#sk=parcel/ä ✓ ", "ä ✓ 😀", t),
        parcel("parcel#nested#", "\"{}\"", t),
        parcel(" ", " ", t),
    ];
    for i in 0..20 {
        let len = if i == 0 {
            MAX_CHECKED_BODY_BYTES - 1
        } else {
            MAX_CHECKED_BODY_BYTES
        };
        posted.push(parcel(&format!("large-{i:02}"), &odd_body(i, len), t + 1));
    }
    posted.push(parcel("small", &odd_body(99, 100), t + 2));
    post(store, &agent, &posted, t + DAY).await;
    let mut expected = posted.clone();
    expected.sort_by(|a, b| (a.posted_at, &a.id).cmp(&(b.posted_at, &b.id)));
    let collected = collect(store, &agent, t, 100).await;
    assert_eq!(ids(&collected), ids(&expected));
    for (got, want) in collected.iter().zip(&expected) {
        assert!(
            got == want,
            "parcel {:?} did not round-trip: body of {} bytes came back as {} bytes, \
             posted_at {} as {}",
            want.id,
            want.body.len(),
            got.body.len(),
            want.posted_at,
            got.posted_at
        );
    }
    assert_eq!(collect(store, &agent, t, 100).await, []);
}

/// Declares one `#[tokio::test]` per conformance check, each on the store `$store` makes (an
/// expression evaluated inside each async test, so it may `.await`), and a test that the list
/// is [`CHECKS`]. The caller's crate needs `tokio` with `macros` and `rt`.
///
/// ```ignore
/// streamhooks_store::conformance_tests!(streamhooks_store::MemoryStore::new());
/// ```
#[macro_export]
macro_rules! conformance_tests {
    ($store:expr) => {
        $crate::__conformance_tests!($store;
            begin_first_is_started_with_nothing_done,
            begin_while_leased_is_in_progress,
            ids_are_independent,
            lease_expiry_takeover_keeps_done_actions,
            in_progress_record_outlives_its_lease_by_the_retention,
            wrong_or_lost_lease_is_lease_lost,
            complete_gives_completed_on_redelivery,
            completed_record_expires_and_starts_again,
            release_keeps_done_actions,
            released_record_expires_and_starts_afresh,
            concurrent_begins_start_exactly_once,
            concurrent_takeovers_start_exactly_once,
            odd_ids_and_plugin_names_round_trip,
            advance_first_and_newer_are_fresh,
            advance_equal_time_is_fresh,
            advance_older_is_stale_with_the_applied_mark,
            advance_expired_mark_is_absent,
            advance_keeps_the_longest_expiry,
            advance_entities_are_independent,
            concurrent_advances_keep_the_newest,
            collect_from_an_empty_mailbox_is_empty,
            collect_returns_oldest_first_and_removes,
            collect_respects_max_and_keeps_the_rest,
            post_same_id_keeps_the_later_parcel,
            expired_parcels_are_dropped,
            mailboxes_are_independent,
            concurrent_collects_return_each_parcel_once,
            parcel_bodies_and_ids_round_trip,
        );
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __conformance_tests {
    ($store:expr; $($name:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $name() {
                $crate::conformance::$name(&$store).await;
            }
        )*

        #[test]
        fn every_check_is_listed_here() {
            let here = [$(stringify!($name)),*];
            let all: Vec<&str> = $crate::conformance::CHECKS.iter().map(|(name, _)| *name).collect();
            assert_eq!(here.as_slice(), all.as_slice());
        }
    };
}
