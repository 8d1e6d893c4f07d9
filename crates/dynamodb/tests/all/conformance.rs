//! The store conformance suite against [`DynamoStore`](streamhooks_dynamodb::DynamoStore).

use std::sync::Arc;

use streamhooks_store::conformance::{self, CHECKS, Collector};
use streamhooks_store::{Begin, Store};

use crate::store;

macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $name() {
                conformance::$name(&store().await).await;
            }
        )*

        #[test]
        fn every_check_is_listed_here() {
            let here = [$(stringify!($name)),*];
            let all: Vec<&str> = CHECKS.iter().map(|(name, _)| *name).collect();
            assert_eq!(here.as_slice(), all.as_slice());
        }
    };
}

conformance!(
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

/// 16 begins on one new id from tasks spawned on a multi-thread runtime (not only polled
/// together in one task, as the suite does): exactly one starts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spawned_begins_start_exactly_once() {
    let store = Arc::new(store().await);
    let id = conformance::unique_id("spawned");
    let now = 1_900_000_000_000;
    let tasks: Vec<_> = (0..16)
        .map(|i| {
            let store = store.clone();
            let id = id.clone();
            tokio::spawn(async move { store.begin(&id, now, now + 30_000 + i).await })
        })
        .collect();
    let mut started = 0;
    for task in tasks {
        match task.await.unwrap().unwrap() {
            Begin::Started { done } => {
                assert!(done.is_empty());
                started += 1;
            }
            Begin::InProgress { .. } => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(started, 1);
}

/// 8 collectors in tasks spawned on a multi-thread runtime, over 20 parcels: each parcel is
/// returned exactly once (several times over, for more interleavings).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn spawned_collects_return_each_parcel_once() {
    let store: Arc<dyn Store> = Arc::new(store().await);
    let spawn = |collector: Collector| -> Collector {
        let task = tokio::spawn(collector);
        Box::pin(async move { task.await.expect("the collector panicked") })
    };
    for _ in 0..5 {
        conformance::spawned_collects_return_each_parcel_once(store.clone(), &spawn).await;
    }
}

/// Every check at once, against one store: the checks' ids do not collide, and the
/// mailboxes, records and marks of concurrent checks stay apart.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn all_checks_at_once_on_one_store() {
    let store = Arc::new(store().await);
    let tasks: Vec<_> = CHECKS
        .iter()
        .map(|(name, check)| {
            let store = store.clone();
            (*name, tokio::spawn(async move { check(&*store).await }))
        })
        .collect();
    for (name, task) in tasks {
        if let Err(e) = task.await {
            panic!("check {name} failed: {e}");
        }
    }
}
