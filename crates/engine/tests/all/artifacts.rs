//! Precompiled artifacts: written with a sidecar, loaded only when the sidecar matches the
//! component beside them, this host and this engine; otherwise the component is compiled.

use std::sync::Arc;

use streamhooks_engine::{ComponentSource, MemoryStore, Target};

use crate::{copy_plugin, engine, run_once, scratch_dir};

fn host() -> Target {
    Target::host().expect("tests run on x86_64 or aarch64 Linux")
}

fn source_of(dir: &std::path::Path) -> ComponentSource {
    let plugins = engine()
        .load(&dir.join("plugin.toml"), Arc::new(MemoryStore::new()))
        .expect("load");
    let run = run_once(&plugins, "e-1");
    assert!(
        run.result.is_ok() || run.plugin == "noop",
        "{:?}",
        run.result
    );
    plugins.get("noop").expect("noop").source().clone()
}

/// `noop.wasm.<arch>.cwasm` (and `.json`) for `target`.
fn artifact_name(target: Target, suffix: &str) -> String {
    format!("noop.wasm.{}.cwasm{suffix}", target.arch())
}

fn refused(source: ComponentSource) -> String {
    match source {
        ComponentSource::ArtifactRefused { reason } => reason,
        other => panic!("the artifact should have been refused: {other:?}"),
    }
}

#[test]
fn a_matching_artifact_is_loaded_and_runs() {
    let dir = copy_plugin("noop", &scratch_dir("artifact"));
    assert_eq!(source_of(&dir), ComponentSource::Compiled);
    let artifact = engine()
        .write_artifact(&dir.join("noop.wasm"), host())
        .expect("precompile");
    assert_eq!(artifact, dir.join(artifact_name(host(), "")));
    let sidecar: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.join(artifact_name(host(), ".json"))).expect("sidecar"),
    )
    .expect("json");
    assert_eq!(sidecar["target"], host().triple());
    assert_eq!(sidecar["component_sha256"].as_str().map(str::len), Some(64));
    assert_eq!(source_of(&dir), ComponentSource::Precompiled);
}

#[test]
fn an_artifact_for_another_component_is_not_used() {
    let dir = copy_plugin("noop", &scratch_dir("stale"));
    engine()
        .write_artifact(&dir.join("noop.wasm"), host())
        .expect("precompile");
    // The component changes after the artifact was made: the sidecar no longer matches.
    let other = crate::hostile_dir().join("plugin-error/plugin_error.wasm");
    std::fs::copy(other, dir.join("noop.wasm")).expect("replace");
    let plugins = engine()
        .load(&dir.join("plugin.toml"), Arc::new(MemoryStore::new()))
        .expect("load");
    let reason = refused(plugins.get("noop").expect("noop").source().clone());
    assert_eq!(
        reason,
        "the artifact was compiled from another version of the component"
    );
    // And what runs is the component beside the manifest, not the stale artifact.
    let run = run_once(&plugins, "e-1");
    assert_eq!(run.result.unwrap_err().kind(), "plugin-error");
}

#[test]
fn a_tampered_artifact_or_a_missing_sidecar_is_not_used() {
    let dir = copy_plugin("noop", &scratch_dir("tampered"));
    let artifact = engine()
        .write_artifact(&dir.join("noop.wasm"), host())
        .expect("precompile");
    let mut bytes = std::fs::read(&artifact).expect("read");
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(&artifact, &bytes).expect("write");
    assert_eq!(
        refused(source_of(&dir)),
        "the artifact does not match its sidecar"
    );
    std::fs::remove_file(dir.join(artifact_name(host(), ".json"))).expect("rm");
    assert!(refused(source_of(&dir)).contains(&format!("{}: ", artifact_name(host(), ".json"))));
}

#[test]
fn cross_compiles_for_arm64_lambda() {
    let component = std::fs::read(crate::hostile_dir().join("noop/noop.wasm")).expect("noop");
    let elf = engine()
        .precompile(&component, Target::Aarch64Linux)
        .expect("precompile for aarch64");
    assert_eq!(&elf[..4], b"\x7fELF");
    // e_machine 183 is EM_AARCH64.
    assert_eq!(u16::from_le_bytes([elf[18], elf[19]]), 183);
}

#[test]
fn artifacts_for_every_target_sit_side_by_side() {
    // A build machine precompiles for itself and for arm64 Lambda into the same folder: each
    // target has its own file, and the host loads its own.
    let dir = copy_plugin("noop", &scratch_dir("both"));
    for target in Target::ALL {
        let written = engine()
            .write_artifact(&dir.join("noop.wasm"), target)
            .expect("write");
        assert_eq!(written, dir.join(artifact_name(target, "")));
    }
    for target in Target::ALL {
        assert!(dir.join(artifact_name(target, "")).is_file());
        assert!(dir.join(artifact_name(target, ".json")).is_file());
    }
    assert_eq!(source_of(&dir), ComponentSource::Precompiled);
}

#[test]
fn an_artifact_renamed_to_pass_for_another_target_is_refused() {
    let other = Target::ALL
        .into_iter()
        .find(|t| *t != host())
        .expect("two targets");
    let dir = copy_plugin("noop", &scratch_dir("renamed"));
    engine()
        .write_artifact(&dir.join("noop.wasm"), other)
        .expect("write");
    // Beside the component, another machine's artifact is simply not this host's file.
    assert_eq!(source_of(&dir), ComponentSource::Compiled);
    // Renamed to this host's file names, its sidecar still says what it is.
    for suffix in ["", ".json"] {
        std::fs::rename(
            dir.join(artifact_name(other, suffix)),
            dir.join(artifact_name(host(), suffix)),
        )
        .expect("rename");
    }
    assert!(
        refused(source_of(&dir)).starts_with(&format!("the artifact is for {}", other.triple()))
    );
}
