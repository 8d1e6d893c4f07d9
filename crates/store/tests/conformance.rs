//! The store conformance suite against [`MemoryStore`].

#![cfg(feature = "conformance")]

use std::sync::Arc;

use streamhooks_store::MemoryStore;
use streamhooks_store::conformance::{self, Collector};

streamhooks_store::conformance_tests!(MemoryStore::new());

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
