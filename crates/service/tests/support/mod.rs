//! What the service tests share: the built example plugins, a Connect double that can be told
//! to fail, and canonical events from the decoder's golden fixtures.
#![allow(clippy::unwrap_used, dead_code, unreachable_pub)]

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use streamhooks_actions::Action;
use streamhooks_engine::Engine;
use streamhooks_events::Event;
use streamhooks_executor::ports::{BoxFuture, CallContext, CallError, Connect};
use streamhooks_executor::{Executor, RateLimiter, RetryPolicy};
use streamhooks_service::{MemoryDeadLetters, Service, ServiceConfig};

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A directory of plugins: the named example plugins (each `name` or `name=alias`, an alias
/// being a second copy under another plugin name).
pub fn plugins_dir(names: &[&str]) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "streamhooks-service-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    for spec in names {
        let (name, alias) = spec.split_once('=').unwrap_or((spec, spec));
        let built = repo().join("target/plugins/examples").join(name);
        assert!(
            built.join("plugin.toml").is_file(),
            "{} is missing: run `bash scripts/build-plugins.sh` from the repository root first",
            built.display()
        );
        let to = dir.join(alias);
        std::fs::create_dir_all(&to).unwrap();
        for entry in std::fs::read_dir(&built).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
        if alias != name {
            let manifest = to.join("plugin.toml");
            let text = std::fs::read_to_string(&manifest).unwrap();
            let renamed = text.replacen(
                &format!("name = \"{name}\""),
                &format!("name = \"{alias}\""),
                1,
            );
            assert_ne!(text, renamed, "the manifest of {name} names it");
            std::fs::write(&manifest, renamed).unwrap();
        }
    }
    dir
}

pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::new().unwrap())
}

/// Amazon Connect as a double: records every call (operation and client token), answers from
/// a script of failures (then success), optionally slowly.
#[derive(Default)]
pub struct ScriptedConnect {
    pub calls: Mutex<Vec<(String, String)>>,
    pub script: Mutex<VecDeque<CallError>>,
    pub delay: Mutex<Duration>,
}

impl ScriptedConnect {
    pub fn fail_next(&self, errors: impl IntoIterator<Item = CallError>) {
        self.script.lock().unwrap().extend(errors);
    }
    pub fn calls(&self) -> Vec<(String, String)> {
        self.calls.lock().unwrap().clone()
    }
    pub fn successes(&self) -> usize {
        self.calls().len()
    }
}

impl Connect for ScriptedConnect {
    fn call<'a>(
        &'a self,
        action: &'a Action,
        cx: &'a CallContext,
    ) -> BoxFuture<'a, Result<Option<String>, CallError>> {
        Box::pin(async move {
            let delay = *self.delay.lock().unwrap();
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            let scripted = self.script.lock().unwrap().pop_front();
            if let Some(error) = scripted {
                return Err(error);
            }
            let op = streamhooks_executor::connect_operation(action).unwrap_or("?");
            self.calls
                .lock()
                .unwrap()
                .push((op.to_owned(), cx.client_token.clone()));
            Ok(None)
        })
    }
}

pub fn transient() -> CallError {
    CallError::Transient {
        message: "HTTP 503 from the test double".into(),
    }
}

pub fn permanent() -> CallError {
    CallError::Permanent {
        code: "InvalidParameterException".into(),
        message: "ContactId is not valid".into(),
    }
}

pub struct Harness {
    pub service: Arc<Service>,
    pub connect: Arc<ScriptedConnect>,
    pub dead: Arc<MemoryDeadLetters>,
    pub store: Arc<streamhooks_store::MemoryStore>,
}

pub fn harness(plugins: &[&str], config: ServiceConfig) -> Harness {
    harness_with_state(
        plugins,
        config,
        Arc::new(streamhooks_engine::MemoryStore::new()),
    )
}

/// Plugin state in memory whose writes fail, while `failing` holds an error, with it.
#[derive(Default)]
pub struct FlakyState {
    pub inner: streamhooks_engine::MemoryStore,
    pub failing: Mutex<Option<streamhooks_engine::StateStoreError>>,
}

impl streamhooks_engine::StateStore for FlakyState {
    fn get(
        &self,
        plugin: &str,
        key: &str,
    ) -> Result<Option<Vec<u8>>, streamhooks_engine::StateStoreError> {
        self.inner.get(plugin, key)
    }
    fn key_count(&self, plugin: &str) -> Result<usize, streamhooks_engine::StateStoreError> {
        self.inner.key_count(plugin)
    }
    fn apply(
        &self,
        plugin: &str,
        writes: &[streamhooks_engine::StateWrite],
    ) -> Result<(), streamhooks_engine::StateStoreError> {
        if let Some(e) = self.failing.lock().unwrap().clone() {
            return Err(e);
        }
        self.inner.apply(plugin, writes)
    }
}

pub fn harness_with_state(
    plugins: &[&str],
    config: ServiceConfig,
    state: Arc<dyn streamhooks_engine::StateStore>,
) -> Harness {
    build(plugins, config, state, None)
}

/// A harness whose service tells `observer` what it does.
#[allow(dead_code)] // not every test crate uses it
pub fn harness_observed(
    plugins: &[&str],
    config: ServiceConfig,
    observer: Arc<dyn streamhooks_service::Observer>,
) -> Harness {
    build(
        plugins,
        config,
        Arc::new(streamhooks_engine::MemoryStore::new()),
        Some(observer),
    )
}

fn build(
    plugins: &[&str],
    config: ServiceConfig,
    state: Arc<dyn streamhooks_engine::StateStore>,
    observer: Option<Arc<dyn streamhooks_service::Observer>>,
) -> Harness {
    let connect = Arc::new(ScriptedConnect::default());
    let dead = Arc::new(MemoryDeadLetters::new());
    let store = Arc::new(streamhooks_store::MemoryStore::new());
    let loaded = engine().load_dir(&plugins_dir(plugins), state).unwrap();
    let executor = Executor::new(Arc::new(RateLimiter::unlimited()))
        .with_connect(connect.clone())
        .with_retry(RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        });
    let mut service = Service::new(
        Arc::new(loaded),
        Arc::new(executor),
        store.clone(),
        dead.clone(),
        config,
    );
    if let Some(observer) = observer {
        service = service.with_observer(observer);
    }
    Harness {
        service: Arc::new(service),
        connect,
        dead,
        store,
    }
}

/// The canonical events of a decoder fixture (`agent-stream/contact-hold`).
pub fn events(fixture: &str) -> Vec<Event> {
    let path = repo()
        .join("crates/events/tests/fixtures")
        .join(format!("{fixture}.events.jsonl"));
    std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

pub fn event(fixture: &str, kind: &str) -> Event {
    events(fixture)
        .into_iter()
        .find(|e| e.kind.as_str() == kind)
        .unwrap_or_else(|| panic!("{fixture} has a {kind} event"))
}

pub fn fixture(path: &str) -> serde_json::Value {
    let path = repo().join("crates/events/tests/fixtures").join(path);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

pub fn deadline() -> tokio::time::Instant {
    tokio::time::Instant::now() + Duration::from_secs(10)
}
