//! Precompiled artifacts and the sidecar that makes them trusted.
//!
//! Deserializing a precompiled artifact is `unsafe` in wasmtime: the bytes are mapped and run
//! as machine code, unchecked. So the engine deserializes an artifact only when its sidecar
//! says it was produced by [`crate::Engine::write_artifact`] from exactly the component that
//! sits beside it (same SHA-256), for this host's target, with these engine settings and this
//! wasmtime version (the fingerprint). Anything else — no sidecar, a stale one, another target —
//! and the engine compiles the component itself. Artifacts are produced by the project's own
//! build; they must never be accepted from plugin authors or users, and the directory they are
//! loaded from must be writable only by whoever deploys the function (anyone who can write both
//! the artifact and its sidecar can run native code in the host).

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use wasmtime::component::Component;

use crate::engine::{Engine, EngineInner};
use crate::error::{EngineError, describe};

/// A machine a plugin artifact can be compiled for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    /// `x86_64-unknown-linux-gnu` (Lambda `x86_64`).
    X86_64Linux = 0,
    /// `aarch64-unknown-linux-gnu` (Lambda `arm64`).
    Aarch64Linux = 1,
}

impl Target {
    /// Every target.
    pub const ALL: [Target; 2] = [Target::X86_64Linux, Target::Aarch64Linux];

    /// The target triple.
    pub fn triple(self) -> &'static str {
        match self {
            Target::X86_64Linux => "x86_64-unknown-linux-gnu",
            Target::Aarch64Linux => "aarch64-unknown-linux-gnu",
        }
    }

    /// The architecture (`x86_64`, `aarch64`), as artifact file names carry it.
    pub fn arch(self) -> &'static str {
        match self {
            Target::X86_64Linux => "x86_64",
            Target::Aarch64Linux => "aarch64",
        }
    }

    /// The target of a triple, if it is one of [`Target::ALL`].
    pub fn from_triple(triple: &str) -> Option<Target> {
        Target::ALL.into_iter().find(|t| t.triple() == triple)
    }

    /// The target this process runs on, if it is one of [`Target::ALL`].
    pub fn host() -> Option<Target> {
        match (std::env::consts::ARCH, std::env::consts::OS) {
            ("x86_64", "linux") => Some(Target::X86_64Linux),
            ("aarch64", "linux") => Some(Target::Aarch64Linux),
            _ => None,
        }
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.triple())
    }
}

/// The sidecar written next to an artifact (`<component>.cwasm.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Sidecar {
    /// Version of this sidecar's shape.
    pub(crate) format: u32,
    /// SHA-256 of the component the artifact was compiled from, lowercase hex.
    pub(crate) component_sha256: String,
    /// SHA-256 of the artifact itself, lowercase hex.
    pub(crate) artifact_sha256: String,
    /// The target triple.
    pub(crate) target: String,
    /// The wasmtime major version, for people; the fingerprint pins the exact version.
    pub(crate) wasmtime: String,
    /// SHA-256 of wasmtime's compatibility hash for the engine settings and target.
    pub(crate) engine: String,
}

const SIDECAR_FORMAT: u32 = 1;
/// Keep in step with the `wasmtime` requirement in the workspace Cargo.toml.
const WASMTIME_MAJOR: &str = "48";

/// `<component>.<arch>.cwasm`: one artifact per target can sit beside a component (an x86_64
/// build machine precompiles for itself and for arm64 Lambda).
pub(crate) fn artifact_path(component: &Path, target: Target) -> PathBuf {
    let mut name = component.as_os_str().to_owned();
    name.push(format!(".{}.cwasm", target.arch()));
    PathBuf::from(name)
}

/// `<component>.<arch>.cwasm.json`.
pub(crate) fn sidecar_path(component: &Path, target: Target) -> PathBuf {
    let mut name = component.as_os_str().to_owned();
    name.push(format!(".{}.cwasm.json", target.arch()));
    PathBuf::from(name)
}

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Feeds `Hash` output into SHA-256, so a fingerprint is the same in every process.
struct Sha256Hasher(Sha256);

impl Hasher for Sha256Hasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    fn finish(&self) -> u64 {
        let digest = self.0.clone().finalize();
        let mut first = [0; 8];
        first.copy_from_slice(&digest[..8]);
        u64::from_le_bytes(first)
    }
}

/// The fingerprint of an engine's compilation settings (wasmtime version included).
pub(crate) fn fingerprint(engine: &wasmtime::Engine) -> String {
    let mut hasher = Sha256Hasher(Sha256::new());
    engine.precompile_compatibility_hash().hash(&mut hasher);
    hex(&hasher.0.finalize())
}

/// Writes `<component>.<arch>.cwasm` and its sidecar.
pub(crate) fn write(
    engine: &Engine,
    component: &Path,
    target: Target,
) -> Result<PathBuf, EngineError> {
    let io = |file: &Path, e: std::io::Error| EngineError::Io {
        file: file.to_owned(),
        reason: e.to_string(),
    };
    let bytes = std::fs::read(component).map_err(|e| io(component, e))?;
    let compiled = engine.precompile(&bytes, target).map_err(|e| match e {
        EngineError::Artifact { reason, .. } => EngineError::Artifact {
            file: component.to_owned(),
            reason,
        },
        other => other,
    })?;
    let sidecar = Sidecar {
        format: SIDECAR_FORMAT,
        component_sha256: sha256_hex(&bytes),
        artifact_sha256: sha256_hex(&compiled),
        target: target.triple().to_owned(),
        wasmtime: WASMTIME_MAJOR.to_owned(),
        engine: engine.inner.fingerprint(target)?,
    };
    let artifact = artifact_path(component, target);
    let sidecar_file = sidecar_path(component, target);
    // The sidecar is written last: an interrupted write leaves an artifact without a
    // (matching) sidecar, which is never loaded.
    let _ = std::fs::remove_file(&sidecar_file);
    std::fs::write(&artifact, &compiled).map_err(|e| io(&artifact, e))?;
    let json = serde_json::to_vec_pretty(&sidecar).map_err(|e| EngineError::Artifact {
        file: sidecar_file.clone(),
        reason: e.to_string(),
    })?;
    std::fs::write(&sidecar_file, json).map_err(|e| io(&sidecar_file, e))?;
    Ok(artifact)
}

/// The precompiled component beside `component` if its sidecar vouches for it; `Ok(None)` if
/// there is no artifact; `Err` (a reason to log) if there is one that cannot be used.
pub(crate) fn load_trusted(
    engine: &EngineInner,
    component: &Path,
    component_bytes: &[u8],
) -> Result<Option<Component>, String> {
    let Some(host) = Target::host() else {
        return Err("this host is not a target artifacts are made for".into());
    };
    let artifact = artifact_path(component, host);
    if !artifact.is_file() {
        return Ok(None);
    }
    let sidecar_file = sidecar_path(component, host);
    let text =
        std::fs::read(&sidecar_file).map_err(|e| format!("{}: {e}", sidecar_file.display()))?;
    let sidecar: Sidecar =
        serde_json::from_slice(&text).map_err(|e| format!("{}: {e}", sidecar_file.display()))?;
    if sidecar.format != SIDECAR_FORMAT {
        return Err(format!(
            "sidecar format {} is not {SIDECAR_FORMAT}",
            sidecar.format
        ));
    }
    // The name says the host's target; the sidecar must agree (a renamed artifact is refused).
    if sidecar.target != host.triple() {
        return Err(format!(
            "the artifact is for {}, this host is {host}",
            sidecar.target
        ));
    }
    if sidecar.component_sha256 != sha256_hex(component_bytes) {
        return Err("the artifact was compiled from another version of the component".into());
    }
    let expected = engine.fingerprint(host).map_err(|e| e.to_string())?;
    if sidecar.engine != expected {
        return Err(
            "the artifact was compiled by another wasmtime version or with other engine settings"
                .into(),
        );
    }
    let compiled = std::fs::read(&artifact).map_err(|e| format!("{}: {e}", artifact.display()))?;
    if sidecar.artifact_sha256 != sha256_hex(&compiled) {
        return Err("the artifact does not match its sidecar".into());
    }
    // SAFETY: wasmtime requires that the bytes come from `precompile_component` of a
    // compatible engine and were not tampered with. The sidecar, written by `write` after the
    // artifact, vouches that these exact bytes (artifact SHA-256) were compiled by this
    // crate from exactly the component beside them (component SHA-256), for this target and
    // engine fingerprint; wasmtime checks version and settings again while loading. Trust rests
    // on who may write the plugin directory (see the module docs).
    #[allow(unsafe_code)]
    let component =
        unsafe { Component::deserialize(&engine.wasmtime, &compiled) }.map_err(|e| describe(&e))?;
    Ok(Some(component))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_round_trip_and_paths_sit_beside_the_component() {
        for t in Target::ALL {
            assert_eq!(Target::from_triple(t.triple()), Some(t));
        }
        assert_eq!(Target::from_triple("wasm32-unknown-unknown"), None);
        let c = Path::new("/p/noop/noop.wasm");
        let x86 = Target::X86_64Linux;
        let arm = Target::Aarch64Linux;
        assert_eq!(
            artifact_path(c, x86),
            Path::new("/p/noop/noop.wasm.x86_64.cwasm")
        );
        assert_eq!(
            sidecar_path(c, x86),
            Path::new("/p/noop/noop.wasm.x86_64.cwasm.json")
        );
        assert_eq!(
            artifact_path(c, arm),
            Path::new("/p/noop/noop.wasm.aarch64.cwasm")
        );
        assert_ne!(sidecar_path(c, x86), sidecar_path(c, arm));
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
