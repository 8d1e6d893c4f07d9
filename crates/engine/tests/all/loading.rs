//! Loading plugin directories: what is loaded, and the errors that name the file.

use std::sync::Arc;

use streamhooks_engine::{Engine, EngineConfig, EngineError, MemoryStore};

use crate::{copy_plugin, engine, hostile_dir, scratch_dir};

fn store() -> Arc<MemoryStore> {
    Arc::new(MemoryStore::new())
}

#[test]
fn a_plugin_dir_itself_or_a_dir_of_plugin_dirs() {
    let one = engine()
        .load_dir(&hostile_dir().join("noop"), store())
        .expect("noop");
    assert_eq!(one.iter().map(|p| p.name()).collect::<Vec<_>>(), ["noop"]);
    let all = engine().load_dir(&hostile_dir(), store()).expect("all");
    assert_eq!(all.len(), 11);
    assert!(all.get("loop-forever").is_some());
    assert!(all.get("missing").is_none());
}

#[test]
fn duplicate_names_are_refused() {
    let dir = scratch_dir("dup");
    copy_plugin("noop", &dir);
    let copy = copy_plugin("noop", &dir.join("again"));
    std::fs::rename(&copy, dir.join("noop-again")).expect("rename");
    let err = engine().load_dir(&dir, store()).unwrap_err();
    let EngineError::Plugin { field, reason, .. } = &err else {
        panic!("{err}")
    };
    assert_eq!(field, "name");
    assert!(reason.contains("`noop` is also the name of"), "{reason}");
    assert!(err.to_string().contains("plugin.toml: name: "), "{err}");
}

#[test]
fn a_memory_limit_above_the_engine_pool_is_refused() {
    let small = Engine::with_config(EngineConfig {
        max_instances: 2,
        max_memory_bytes: 8 << 20,
        ..EngineConfig::default()
    })
    .expect("engine");
    let err = small
        .load(&hostile_dir().join("alloc-forever/plugin.toml"), store())
        .unwrap_err();
    assert!(
        err.to_string()
            .ends_with("alloc-forever/plugin.toml: limits.memory_mib: 16 MiB is above this engine's maximum of 8 MiB"),
        "{err}"
    );
}

#[test]
fn not_a_component_names_the_file() {
    let dir = copy_plugin("noop", &scratch_dir("garbage"));
    std::fs::write(dir.join("noop.wasm"), b"not wasm at all").expect("write");
    let err = engine()
        .load(&dir.join("plugin.toml"), store())
        .unwrap_err();
    assert!(matches!(err, EngineError::Component { .. }), "{err}");
    assert!(err.to_string().contains("noop/noop.wasm: "), "{err}");
}

#[test]
fn a_component_that_does_not_fit_the_world_is_refused_at_load() {
    let dir = copy_plugin("noop", &scratch_dir("empty"));
    // The smallest valid component: preamble only, so no `handler` export.
    std::fs::write(dir.join("noop.wasm"), b"\0asm\x0d\x00\x01\x00").expect("write");
    let err = engine()
        .load(&dir.join("plugin.toml"), store())
        .unwrap_err();
    let EngineError::Component { reason, .. } = &err else {
        panic!("{err}")
    };
    assert!(reason.contains("streamhooks:plugin/handler"), "{reason}");
}

#[test]
fn manifest_errors_pass_through_with_their_file() {
    let dir = copy_plugin("noop", &scratch_dir("manifest"));
    std::fs::write(
        dir.join("plugin.toml"),
        "name = \"noop\"\nversion = \"0.1.0\"\ncomponent = \"noop.wasm\"\nsubscribe = [\"no-such-kind\"]\n",
    )
    .expect("write");
    let err = engine().load_dir(&dir, store()).unwrap_err();
    assert!(matches!(err, EngineError::Manifest(_)), "{err}");
    assert!(err.to_string().contains("plugin.toml: subscribe"), "{err}");
}
