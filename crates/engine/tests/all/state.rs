//! Plugin state: limits answered with the WIT `state-error`s, kept only when the call returns
//! `ok`.

use crate::{load, run_once};

#[test]
fn state_abuse_is_refused_with_state_errors_and_the_allowed_part_kept() {
    let (plugins, store) = load("state-abuse");
    let run = run_once(&plugins, "e-1");
    assert_eq!(run.result, Ok(vec![]));
    let kept = store.snapshot("state-abuse");
    assert_eq!(kept.len(), 64, "max_state_keys");
    assert!(
        !kept.contains_key("big"),
        "a 1 MiB value is over 4096 bytes"
    );
    assert!(kept.contains_key("k000000") && kept.contains_key("k000063"));
    assert!(!kept.contains_key("k000064"));
    // What the plugin saw: the WIT state-errors, by reason.
    let logs: Vec<&str> = run.logs.iter().map(|l| l.message.as_str()).collect();
    assert_eq!(
        logs,
        ["state-abuse refused: key-too-long=0 value-too-large=1 too-many-keys=99936 unavailable=0"]
    );
}

#[test]
fn state_is_private_to_each_plugin() {
    let (plugins, store) = load("state-abuse");
    run_once(&plugins, "e-1");
    assert!(store.snapshot("noop").is_empty());
    assert_eq!(store.snapshot("state-abuse").len(), 64);
}

#[test]
fn state_written_by_a_call_that_fails_is_not_kept() {
    // state-abuse makes 100,000 state calls; with a 1 ms budget it is interrupted part-way,
    // after some writes were accepted.
    let dir = crate::copy_plugin("state-abuse", &crate::scratch_dir("state-deadline"));
    let manifest = dir.join("plugin.toml");
    let text = std::fs::read_to_string(&manifest).expect("manifest");
    let text = text.replace("timeout_ms = 10000", "timeout_ms = 1");
    assert!(text.contains("timeout_ms = 1\n") || text.contains("timeout_ms = 1 "));
    std::fs::write(&manifest, text).expect("write");
    let store = std::sync::Arc::new(streamhooks_engine::MemoryStore::new());
    let plugins = crate::engine()
        .load(&manifest, store.clone())
        .expect("load");
    let run = run_once(&plugins, "e-1");
    assert_eq!(crate::failure(&run).kind(), "deadline");
    assert!(store.snapshot("state-abuse").is_empty());
}

/// A store that reads fine but cannot write.
struct ReadOnlyStore;

impl streamhooks_engine::StateStore for ReadOnlyStore {
    fn get(
        &self,
        _: &str,
        _: &str,
    ) -> Result<Option<Vec<u8>>, streamhooks_engine::StateStoreError> {
        Ok(None)
    }

    fn key_count(&self, _: &str) -> Result<usize, streamhooks_engine::StateStoreError> {
        Ok(0)
    }

    fn apply(
        &self,
        _: &str,
        _: &[streamhooks_engine::StateWrite],
    ) -> Result<(), streamhooks_engine::StateStoreError> {
        Err(streamhooks_engine::StateStoreError::refused("read-only"))
    }
}

#[test]
fn a_store_that_cannot_save_fails_the_run_as_state_store() {
    let plugins = crate::engine()
        .load(
            &crate::hostile_dir().join("state-abuse/plugin.toml"),
            std::sync::Arc::new(ReadOnlyStore),
        )
        .expect("load");
    let run = run_once(&plugins, "e-1");
    assert_eq!(
        crate::failure(&run),
        &streamhooks_engine::PluginFailure::StateStore {
            message: "read-only".into()
        }
    );
}

/// A store that is down.
struct DownStore;

impl streamhooks_engine::StateStore for DownStore {
    fn get(
        &self,
        _: &str,
        _: &str,
    ) -> Result<Option<Vec<u8>>, streamhooks_engine::StateStoreError> {
        Err(streamhooks_engine::StateStoreError::unavailable("down"))
    }

    fn key_count(&self, _: &str) -> Result<usize, streamhooks_engine::StateStoreError> {
        self.get("", "").map(|_| 0)
    }

    fn apply(
        &self,
        _: &str,
        _: &[streamhooks_engine::StateWrite],
    ) -> Result<(), streamhooks_engine::StateStoreError> {
        self.get("", "").map(|_| ())
    }
}

#[test]
fn a_store_that_is_down_answers_writes_with_unavailable() {
    let plugins = crate::engine()
        .load(
            &crate::hostile_dir().join("state-abuse/plugin.toml"),
            std::sync::Arc::new(DownStore),
        )
        .expect("load");
    let run = run_once(&plugins, "e-1");
    assert_eq!(
        run.result,
        Ok(vec![]),
        "nothing was written, nothing to save"
    );
    assert_eq!(
        run.logs[0].message,
        "state-abuse refused: key-too-long=0 value-too-large=1 too-many-keys=0 unavailable=100000"
    );
}
