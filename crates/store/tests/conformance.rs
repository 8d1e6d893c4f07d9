//! The store conformance suite against [`MemoryStore`].

#![cfg(feature = "conformance")]

use streamhooks_store::MemoryStore;
use streamhooks_store::conformance::{self, CHECKS};

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
);

/// One store shared by every check, run one after the other: the checks' ids do not collide.
#[tokio::test]
async fn all_checks_on_one_store() {
    conformance::run_all(&MemoryStore::new()).await;
}
