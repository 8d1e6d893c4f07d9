//! The store conformance suite against [`DynamoStore`](streamhooks_dynamodb::DynamoStore).

use std::sync::Arc;

use streamhooks_store::conformance::{self, CHECKS, Collector};
use streamhooks_store::{Begin, Store};

use crate::store;

streamhooks_store::conformance_tests!(store().await);

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
