//! The store conformance suite against [`MemoryStore`].

#![cfg(feature = "conformance")]

use std::sync::Arc;

use streamhooks_store::MemoryStore;
use streamhooks_store::conformance::{self, CHECKS, Collector};

macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $name() {
                conformance::$name(&MemoryStore::new()).await;
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

/// One store shared by every check, run one after the other: the checks' ids do not collide.
#[tokio::test]
async fn all_checks_on_one_store() {
    conformance::run_all(&MemoryStore::new()).await;
}

/// Collectors on threads of their own (each running its collects on a runtime of its own),
/// racing for real on the store's lock: each parcel is returned exactly once.
#[tokio::test]
async fn collects_on_threads_return_each_parcel_once() {
    let spawn = |collector: Collector| -> Collector {
        let thread = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .build()
                .expect("a runtime for the collector")
                .block_on(collector)
        });
        Box::pin(async move { thread.join().expect("the collector panicked") })
    };
    for _ in 0..20 {
        conformance::spawned_collects_return_each_parcel_once(Arc::new(MemoryStore::new()), &spawn)
            .await;
    }
}
