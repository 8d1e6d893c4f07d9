//! Integration tests of the engine against the real plugins built by
//! `scripts/build-plugins.sh` (`target/plugins/hostile/<name>/`): one binary, a module per topic.

mod artifacts;
mod hostile;
mod isolation;
mod loading;
mod state;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use chrono::TimeZone;
use streamhooks_engine::{Engine, MemoryStore, PluginFailure, PluginRun, Plugins};
use streamhooks_events::{ContactSnapshot, Event, EventKind, Source};

/// The built hostile plugins; panics with what to run when they are missing.
pub(crate) fn hostile_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/plugins/hostile");
    assert!(
        dir.join("noop/plugin.toml").is_file(),
        "the engine tests need the built plugins in {}: run scripts/build-plugins.sh first",
        dir.display()
    );
    dir
}

/// One engine for the whole test binary, as in a real process.
pub(crate) fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::new().expect("engine"))
}

/// Every hostile plugin, loaded once for the tests that share them (loading compiles 11
/// components, which takes seconds in a debug build).
pub(crate) fn all_hostile() -> &'static Plugins {
    static ALL: OnceLock<Plugins> = OnceLock::new();
    ALL.get_or_init(|| {
        engine()
            .load_dir(&hostile_dir(), Arc::new(MemoryStore::new()))
            .expect("load the hostile plugins")
    })
}

/// The plugin `name` alone, with a fresh in-memory state store.
pub(crate) fn load(name: &str) -> (Plugins, Arc<MemoryStore>) {
    let store = Arc::new(MemoryStore::new());
    let manifest = hostile_dir().join(name).join("plugin.toml");
    let plugins = engine()
        .load(&manifest, store.clone())
        .unwrap_or_else(|e| panic!("loading {name}: {e}"));
    (plugins, store)
}

/// A `contact-connected` event (every hostile plugin subscribes to it).
pub(crate) fn event(id: &str) -> Event {
    let at = chrono::Utc
        .with_ymd_and_hms(2026, 11, 20, 9, 14, 9)
        .unwrap();
    let mut event = Event::new(
        id,
        Source::AgentStream,
        EventKind::ContactConnected,
        "STATE_CHANGE",
        at,
        serde_json::json!({"EventType": "STATE_CHANGE"}),
    );
    event.contact_id = Some("c-1".into());
    event.agent_arn = Some("arn:aws:connect:us-west-2:1:instance/i/agent/a".into());
    event.contact = Some(ContactSnapshot::new("c-1"));
    event
}

/// The one run of a single-plugin dispatch.
pub(crate) fn run_once(plugins: &Plugins, id: &str) -> PluginRun {
    let mut dispatch = plugins.dispatch(&event(id));
    assert_eq!(dispatch.runs.len(), 1, "one plugin, one run");
    dispatch.runs.remove(0)
}

/// The failure of a run that must have failed.
pub(crate) fn failure(run: &PluginRun) -> &PluginFailure {
    match &run.result {
        Err(failure) => failure,
        Ok(decisions) => panic!("{} succeeded with {decisions:?}", run.plugin),
    }
}

/// A fresh scratch directory under the system temp dir.
pub(crate) fn scratch_dir(label: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "streamhooks-engine-{}-{}-{label}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// Copies the built plugin `name` into `dir/<name>/`.
pub(crate) fn copy_plugin(name: &str, dir: &Path) -> PathBuf {
    let from = hostile_dir().join(name);
    let to = dir.join(name);
    std::fs::create_dir_all(&to).expect("plugin dir");
    for entry in std::fs::read_dir(&from).expect("read plugin dir") {
        let path = entry.expect("entry").path();
        if path.is_file() {
            std::fs::copy(&path, to.join(path.file_name().expect("name"))).expect("copy");
        }
    }
    to
}
