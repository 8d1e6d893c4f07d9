//! [`StateStore`] on DynamoDB: round trips, key counts, all-or-none writes, limits, and the
//! synchronous calls from every kind of thread.

use std::sync::Arc;

use streamhooks_dynamodb::{DynamoStore, MAX_TRANSACTION_WRITES};
use streamhooks_engine::{MemoryStore, StateStore, StateWrite};
use streamhooks_store::conformance::unique_id;

use crate::store;

fn set(key: &str, value: &[u8]) -> StateWrite {
    StateWrite::Set {
        key: key.to_owned(),
        value: value.to_vec(),
    }
}

fn delete(key: &str) -> StateWrite {
    StateWrite::Delete {
        key: key.to_owned(),
    }
}

/// Runs `f` with a store on a blocking thread, as the engine is meant to be run.
async fn blocking<T: Send + 'static>(f: impl FnOnce(&DynamoStore) -> T + Send + 'static) -> T {
    let store = store().await;
    tokio::task::spawn_blocking(move || f(&store))
        .await
        .expect("the blocking task panicked")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_set_delete_round_trip() {
    blocking(|store| {
        let plugin = unique_id("plugin");
        let other = unique_id("other");
        assert_eq!(store.get(&plugin, "a").unwrap(), None);
        assert_eq!(store.key_count(&plugin).unwrap(), 0);

        // One write: a plain put.
        store.apply(&plugin, &[set("a", b"1")]).unwrap();
        assert_eq!(store.get(&plugin, "a").unwrap(), Some(b"1".to_vec()));
        assert_eq!(store.get(&other, "a").unwrap(), None);

        // Several: one transaction, applied in order.
        store
            .apply(
                &plugin,
                &[set("b", b"2"), set("c", &[0, 255, 7]), delete("a")],
            )
            .unwrap();
        assert_eq!(store.get(&plugin, "a").unwrap(), None);
        assert_eq!(store.get(&plugin, "b").unwrap(), Some(b"2".to_vec()));
        assert_eq!(store.get(&plugin, "c").unwrap(), Some(vec![0, 255, 7]));
        assert_eq!(store.key_count(&plugin).unwrap(), 2);

        // The empty key, an empty value, keys with separators, and a 256-byte key.
        let long = "k".repeat(streamhooks_engine::MAX_STATE_KEY_BYTES);
        store
            .apply(
                &plugin,
                &[
                    set("", b"empty key"),
                    set("e", b""),
                    set("x#y/ä", b"z"),
                    set(&long, b"l"),
                ],
            )
            .unwrap();
        assert_eq!(store.get(&plugin, "").unwrap(), Some(b"empty key".to_vec()));
        assert_eq!(store.get(&plugin, "e").unwrap(), Some(Vec::new()));
        assert_eq!(store.get(&plugin, "x#y/ä").unwrap(), Some(b"z".to_vec()));
        assert_eq!(store.get(&plugin, &long).unwrap(), Some(b"l".to_vec()));
        assert_eq!(store.key_count(&plugin).unwrap(), 6);

        // Several writes to one key: the last one counts.
        store
            .apply(
                &plugin,
                &[
                    set("k", b"1"),
                    delete("b"),
                    set("k", b"2"),
                    delete("k"),
                    set("k", b"3"),
                ],
            )
            .unwrap();
        assert_eq!(store.get(&plugin, "k").unwrap(), Some(b"3".to_vec()));
        assert_eq!(store.get(&plugin, "b").unwrap(), None);

        // A delete of a missing key, and nothing at all.
        store.apply(&plugin, &[delete("never")]).unwrap();
        store.apply(&plugin, &[]).unwrap();
        assert_eq!(store.key_count(&plugin).unwrap(), 6);
        assert_eq!(store.key_count(&other).unwrap(), 0);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_count_pages_through_more_than_a_megabyte() {
    blocking(|store| {
        let plugin = unique_id("big");
        // 40 values of 60 KiB: 2.4 MB, more than one Query page (1 MB).
        let value = vec![7u8; 60 << 10];
        for batch in 0..2 {
            let writes: Vec<StateWrite> = (0..20)
                .map(|i| set(&format!("key-{batch}-{i}"), &value))
                .collect();
            store.apply(&plugin, &writes).unwrap();
        }
        assert_eq!(store.key_count(&plugin).unwrap(), 40);
        assert_eq!(store.get(&plugin, "key-1-19").unwrap(), Some(value));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_is_all_or_none() {
    blocking(|store| {
        let plugin = unique_id("atomic");
        store
            .apply(&plugin, &[set("a", b"old"), set("b", b"old")])
            .unwrap();
        // DynamoDB refuses the second write (its sort key is over 1024 bytes): nothing of the
        // transaction is written.
        let too_long = "x".repeat(1100);
        let err = store
            .apply(
                &plugin,
                &[
                    set("a", b"new"),
                    set(&too_long, b"x"),
                    delete("b"),
                    set("c", b"new"),
                ],
            )
            .unwrap_err();
        assert!(
            !err.retryable && err.to_string().contains("refused"),
            "{err}"
        );
        assert!(err.reason.contains("ValidationException"), "{err}");
        assert_eq!(store.get(&plugin, "a").unwrap(), Some(b"old".to_vec()));
        assert_eq!(store.get(&plugin, "b").unwrap(), Some(b"old".to_vec()));
        assert_eq!(store.get(&plugin, "c").unwrap(), None);
        assert_eq!(store.key_count(&plugin).unwrap(), 2);

        // Alone, the same failing write is refused too.
        let err = store.apply(&plugin, &[set(&too_long, b"x")]).unwrap_err();
        assert!(
            !err.retryable && err.to_string().contains("refused"),
            "{err}"
        );
        assert_eq!(store.key_count(&plugin).unwrap(), 2);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_refuses_what_one_transaction_cannot_hold() {
    blocking(|store| {
        let plugin = unique_id("limits");
        let writes: Vec<StateWrite> = (0..=MAX_TRANSACTION_WRITES)
            .map(|i| set(&format!("k{i}"), b"v"))
            .collect();
        let err = store.apply(&plugin, &writes).unwrap_err();
        assert!(
            err.reason
                .contains(&format!("wrote {} state keys", MAX_TRANSACTION_WRITES + 1)),
            "{err}"
        );
        assert!(err.reason.contains("at most 100"), "{err}");
        assert_eq!(store.key_count(&plugin).unwrap(), 0);

        // Exactly the limit passes.
        store
            .apply(&plugin, &writes[..MAX_TRANSACTION_WRITES])
            .unwrap();
        assert_eq!(store.key_count(&plugin).unwrap(), MAX_TRANSACTION_WRITES);

        // 70 values of 64 KiB: 4.5 MB, over a transaction's 4 MB.
        let big = vec![1u8; 64 << 10];
        let writes: Vec<StateWrite> = (0..70).map(|i| set(&format!("big{i}"), &big)).collect();
        let err = store.apply(&plugin, &writes).unwrap_err();
        assert!(err.reason.contains("bytes of state in one call"), "{err}");
        assert_eq!(store.key_count(&plugin).unwrap(), MAX_TRANSACTION_WRITES);
    })
    .await;
}

/// The same batches give the same state as the engine's in-memory store.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behaves_like_the_engines_memory_store() {
    blocking(|store| {
        let plugin = unique_id("parity");
        let memory = MemoryStore::new();
        let keys = ["a", "b", "c", "", "d#e"];
        let batches: Vec<Vec<StateWrite>> = (0u8..12)
            .map(|round| {
                (0..(round % 4) + 1)
                    .map(|j| {
                        let key = keys[usize::from(round + j * 3) % keys.len()];
                        if (round + j) % 3 == 0 {
                            delete(key)
                        } else {
                            set(key, &[round, j])
                        }
                    })
                    .collect()
            })
            .collect();
        for batch in &batches {
            store.apply(&plugin, batch).unwrap();
            memory.apply(&plugin, batch).unwrap();
            assert_eq!(
                store.key_count(&plugin).unwrap(),
                memory.key_count(&plugin).unwrap(),
                "after {batch:?}"
            );
            for key in keys {
                assert_eq!(
                    store.get(&plugin, key).unwrap(),
                    memory.get(&plugin, key).unwrap(),
                    "{key:?} after {batch:?}"
                );
            }
        }
    })
    .await;
}

/// On a multi-thread runtime, the synchronous calls also work straight from an async task (a
/// worker thread) and from a thread outside the runtime.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_calls_work_from_a_worker_and_from_a_plain_thread() {
    let store = Arc::new(store().await);
    let plugin = unique_id("contexts");
    store.apply(&plugin, &[set("w", b"worker")]).unwrap();
    assert_eq!(store.get(&plugin, "w").unwrap(), Some(b"worker".to_vec()));

    let (s, p) = (store.clone(), plugin.clone());
    tokio::task::spawn_blocking(move || {
        std::thread::spawn(move || {
            s.apply(&p, &[set("t", b"thread")]).unwrap();
            assert_eq!(s.key_count(&p).unwrap(), 2);
        })
        .join()
    })
    .await
    .unwrap()
    .unwrap();
    assert_eq!(store.get(&plugin, "t").unwrap(), Some(b"thread".to_vec()));
}

/// From inside a current-thread runtime, blocking would stall the runtime the request needs:
/// an error saying so, not a panic or a hang.
#[tokio::test]
async fn sync_calls_from_a_current_thread_runtime_fail_clearly() {
    let store = store().await;
    let err = store.get("p", "k").unwrap_err();
    assert!(err.reason.contains("current-thread"), "{err}");
    assert!(err.reason.contains("spawn_blocking"), "{err}");
    assert!(store.key_count("p").is_err());
    assert!(store.apply("p", &[set("k", b"v")]).is_err());
}

/// A store made outside any runtime has none to run its requests on until it is given one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_made_outside_a_runtime_needs_one() {
    let config = crate::moto::Moto::shared().sdk_config().await;
    let handle = tokio::runtime::Handle::current();
    let plugin = unique_id("no-runtime");
    tokio::task::spawn_blocking(move || {
        // Construction on a thread outside the runtime.
        std::thread::spawn(move || {
            let store = DynamoStore::from_sdk_config(&config, crate::moto::TABLE);
            let err = store.get(&plugin, "k").unwrap_err();
            assert!(err.reason.contains("with_runtime"), "{err}");
            let store = store.with_runtime(handle);
            store.apply(&plugin, &[set("k", b"v")]).unwrap();
            assert_eq!(store.get(&plugin, "k").unwrap(), Some(b"v".to_vec()));
        })
        .join()
        .unwrap();
    })
    .await
    .unwrap();
}
