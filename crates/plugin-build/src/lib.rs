//! Builds streamhooks plugins: turns a `wasm32-unknown-unknown` core module produced by
//! wit-bindgen into a WebAssembly component, and checks that a component is a plugin the host
//! can link: it imports nothing but `streamhooks:plugin/host` (and the type-only
//! `streamhooks:plugin/types`) and exports `streamhooks:plugin/handler`.
//!
//! Plugins are built without WASI on purpose: a component that imports `wasi:*` would need the
//! host to link WASI, and a plugin has no business with clocks, files or the network. This crate
//! does not run plugins (that is `streamhooks-engine`) and does not read manifests.
//!
//! ```no_run
//! use std::path::Path;
//!
//! # fn main() -> Result<(), streamhooks_plugin_build::Error> {
//! // Build one plugin crate and write its component into `out/`.
//! let component = streamhooks_plugin_build::build(
//!     Path::new("plugins/screen-pop"),
//!     Path::new("target"),
//!     Path::new("out"),
//! )?;
//! println!("wrote {}", component.display());
//!
//! // Or componentize a core module you built yourself.
//! let core = std::fs::read("target/wasm32-unknown-unknown/release/screen_pop.wasm")
//!     .map_err(|source| streamhooks_plugin_build::Error::Io {
//!         path: "screen_pop.wasm".into(),
//!         source,
//!     })?;
//! let component = streamhooks_plugin_build::componentize(&core)?;
//! streamhooks_plugin_build::check_imports(&component)?;
//! # Ok(())
//! # }
//! ```

use std::ffi::OsString;
use std::fs;
use std::io::{self, BufRead};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};

use wasmparser::{Parser, Payload, Validator};
use wit_component::ComponentEncoder;

/// The WIT package of the plugin contract (`sdk/wit/streamhooks.wit`).
pub const CONTRACT_PACKAGE: &str = "streamhooks:plugin";

/// The contract version this crate builds against. Components built against an earlier version
/// with the same major version are accepted too (the WIT's minor versions are additive).
pub const CONTRACT_VERSION: &str = "0.1.0";

/// The interface every plugin component exports.
pub const HANDLER_EXPORT: &str = "streamhooks:plugin/handler@0.1.0";

/// The Rust target plugins are compiled for before they are componentized.
pub const PLUGIN_TARGET: &str = "wasm32-unknown-unknown";

/// Interfaces of the contract a plugin may import.
const IMPORTABLE_INTERFACES: [&str; 2] = ["host", "types"];

/// Why a plugin could not be built or was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input to [`componentize`] is not a core WebAssembly module (it may already be a
    /// component, e.g. built for `wasm32-wasip2`).
    #[error(
        "not a core WebAssembly module ({found}); build plugins with `--target wasm32-unknown-unknown`"
    )]
    NotCoreModule {
        /// What the input looked like.
        found: &'static str,
    },
    /// wit-component could not turn the core module into a component (no `component-type`
    /// metadata, a missing export, an import it cannot map ...).
    #[error("cannot componentize the module: {reason}")]
    Componentize {
        /// wit-component's explanation, with its causes.
        reason: String,
    },
    /// The bytes are not a valid component.
    #[error("invalid component: {source}")]
    Invalid {
        /// The parser's or validator's error.
        #[source]
        source: wasmparser::BinaryReaderError,
    },
    /// The bytes are a core module where a component was expected.
    #[error("not a WebAssembly component (a core module?); componentize it first")]
    NotComponent,
    /// The component imports something the host does not offer.
    #[error(
        "component imports `{import}`: a streamhooks plugin may import only \
         `streamhooks:plugin/host@{CONTRACT_VERSION}` and `streamhooks:plugin/types@{CONTRACT_VERSION}` \
         (no WASI: build for wasm32-unknown-unknown, not wasm32-wasip1/wasip2)"
    )]
    ForbiddenImport {
        /// The import's name, e.g. `wasi:cli/environment@0.2.0`.
        import: String,
    },
    /// The component does not export the plugin handler.
    #[error(
        "component does not export `{HANDLER_EXPORT}` (exports: {exports:?}); \
         was it built with wit-bindgen for the world `plugin` of sdk/wit?"
    )]
    MissingHandler {
        /// What the component exports instead.
        exports: Vec<String>,
    },
    /// Cargo could not be started.
    #[error("cannot run `{command}`: {source}")]
    Spawn {
        /// The command line.
        command: String,
        /// Why it could not start.
        #[source]
        source: io::Error,
    },
    /// Cargo failed (its diagnostics went to stderr).
    #[error("`{command}` failed ({status})")]
    Cargo {
        /// The command line.
        command: String,
        /// How it exited.
        status: ExitStatus,
    },
    /// Cargo succeeded but reported no `.wasm` for the crate (not a `cdylib`?).
    #[error(
        "cargo built no .wasm for {crate_dir}: a plugin crate needs `[lib] crate-type = [\"cdylib\"]`"
    )]
    NoArtifact {
        /// The plugin crate.
        crate_dir: PathBuf,
    },
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        #[source]
        source: io::Error,
    },
}

/// Turns a core module built by wit-bindgen for the `plugin` world into a validated component,
/// and checks it with [`check_imports`] and [`check_exports`].
///
/// ```no_run
/// let core = std::fs::read("target/wasm32-unknown-unknown/release/noop.wasm")?;
/// let component = streamhooks_plugin_build::componentize(&core)?;
/// std::fs::write("noop.wasm", component)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn componentize(core_wasm: &[u8]) -> Result<Vec<u8>, Error> {
    if !Parser::is_core_wasm(core_wasm) {
        let found = if Parser::is_component(core_wasm) {
            "it is already a component"
        } else {
            "no WebAssembly header"
        };
        return Err(Error::NotCoreModule { found });
    }
    let component = ComponentEncoder::default()
        .validate(true)
        .module(core_wasm)
        .and_then(|mut encoder| encoder.encode())
        .map_err(|e| Error::Componentize {
            reason: format!("{e:#}"),
        })?;
    check_imports(&component)?;
    check_exports(&component)?;
    Ok(component)
}

/// Validates a component and refuses it if it imports anything but the streamhooks host and
/// types interfaces (of [`CONTRACT_VERSION`] or an earlier compatible version).
///
/// Works on any component, whatever built it (componentize-js, componentize-py ...).
///
/// ```no_run
/// let component = std::fs::read("plugin.wasm")?;
/// if let Err(e) = streamhooks_plugin_build::check_imports(&component) {
///     eprintln!("refused: {e}"); // component imports `wasi:cli/environment@0.2.0`: ...
/// }
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn check_imports(component: &[u8]) -> Result<(), Error> {
    let outline = outline(component)?;
    match outline.imports.into_iter().find(|i| !is_importable(i)) {
        Some(import) => Err(Error::ForbiddenImport { import }),
        None => Ok(()),
    }
}

/// Refuses a component that does not export the plugin handler interface.
///
/// ```no_run
/// let component = std::fs::read("plugin.wasm")?;
/// streamhooks_plugin_build::check_exports(&component)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn check_exports(component: &[u8]) -> Result<(), Error> {
    let outline = outline(component)?;
    if outline
        .exports
        .iter()
        .any(|e| contract_interface(e) == Some("handler"))
    {
        Ok(())
    } else {
        Err(Error::MissingHandler {
            exports: outline.exports,
        })
    }
}

/// The names a component imports at its top level, in order (after validating it).
///
/// ```no_run
/// let component = std::fs::read("plugin.wasm")?;
/// for import in streamhooks_plugin_build::component_imports(&component)? {
///     println!("{import}");
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn component_imports(component: &[u8]) -> Result<Vec<String>, Error> {
    Ok(outline(component)?.imports)
}

/// Builds the plugin crate at `crate_dir` with `cargo build --release --target
/// wasm32-unknown-unknown` into `target_dir`, componentizes the `.wasm` it produces and writes
/// the component into the directory `out` (created if missing) under the core module's file
/// name (`screen_pop.wasm` for the crate `screen-pop`). Returns the component's path.
///
/// Cargo's diagnostics go to this process's stderr.
///
/// ```no_run
/// use std::path::Path;
///
/// let component = streamhooks_plugin_build::build(
///     Path::new("plugins/hostile/noop"),
///     Path::new("target"),
///     Path::new("target/plugins/hostile/noop"),
/// )?;
/// assert!(component.ends_with("noop.wasm"));
/// # Ok::<(), streamhooks_plugin_build::Error>(())
/// ```
pub fn build(crate_dir: &Path, target_dir: &Path, out: &Path) -> Result<PathBuf, Error> {
    let manifest = crate_dir.join("Cargo.toml");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"));
    let mut cmd = Command::new(&cargo);
    cmd.args(["build", "--release", "--target", PLUGIN_TARGET])
        .arg("--message-format=json-render-diagnostics")
        .arg("--manifest-path")
        .arg(&manifest)
        .arg("--target-dir")
        .arg(target_dir)
        // Set by cargo for build scripts: host flags must not leak into a wasm build.
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    let command = format!("{cmd:?}");
    let output = cmd.output().map_err(|source| Error::Spawn {
        command: command.clone(),
        source,
    })?;
    if !output.status.success() {
        return Err(Error::Cargo {
            command,
            status: output.status,
        });
    }
    let core_path = wasm_artifact(&output.stdout, &manifest).ok_or_else(|| Error::NoArtifact {
        crate_dir: crate_dir.to_path_buf(),
    })?;
    let core = fs::read(&core_path).map_err(|source| Error::Io {
        path: core_path.clone(),
        source,
    })?;
    let component = componentize(&core)?;
    fs::create_dir_all(out).map_err(|source| Error::Io {
        path: out.to_path_buf(),
        source,
    })?;
    let file_name = core_path
        .file_name()
        .map_or_else(|| OsString::from("plugin.wasm"), ToOwned::to_owned);
    let dest = out.join(file_name);
    fs::write(&dest, component).map_err(|source| Error::Io {
        path: dest.clone(),
        source,
    })?;
    Ok(dest)
}

/// Finds the `.wasm` cargo reported for the package at `manifest` in its JSON messages.
fn wasm_artifact(messages: &[u8], manifest: &Path) -> Option<PathBuf> {
    let wanted = fs::canonicalize(manifest).unwrap_or_else(|_| manifest.to_path_buf());
    let mut found = None;
    for line in messages.lines().map_while(Result::ok) {
        let Ok(msg) = serde_json::from_str::<serde_json::Value>(&line) else {
            continue;
        };
        if msg["reason"] != "compiler-artifact" {
            continue;
        }
        let Some(files) = msg["filenames"].as_array() else {
            continue;
        };
        let wasm = files
            .iter()
            .filter_map(serde_json::Value::as_str)
            .find(|f| f.ends_with(".wasm"));
        let Some(wasm) = wasm else { continue };
        let same_package = msg["manifest_path"]
            .as_str()
            .is_some_and(|m| Path::new(m) == wanted);
        if same_package {
            return Some(PathBuf::from(wasm));
        }
        found.get_or_insert_with(|| PathBuf::from(wasm));
    }
    found
}

/// The top-level imports and exports of a validated component.
struct Outline {
    imports: Vec<String>,
    exports: Vec<String>,
}

fn outline(component: &[u8]) -> Result<Outline, Error> {
    if !Parser::is_component(component) {
        return Err(Error::NotComponent);
    }
    Validator::new()
        .validate_all(component)
        .map_err(|source| Error::Invalid { source })?;
    let mut outline = Outline {
        imports: Vec::new(),
        exports: Vec::new(),
    };
    // Nested modules and components have imports of their own, satisfied inside the
    // component: only the outermost level is what the host must provide.
    let mut depth = 0usize;
    for payload in Parser::new(0).parse_all(component) {
        match payload.map_err(|source| Error::Invalid { source })? {
            Payload::ModuleSection { .. } | Payload::ComponentSection { .. } => depth += 1,
            Payload::End(_) => depth = depth.saturating_sub(1),
            Payload::ComponentImportSection(reader) if depth == 0 => {
                for import in reader {
                    let import = import.map_err(|source| Error::Invalid { source })?;
                    outline.imports.push(import.name.name.to_owned());
                }
            }
            Payload::ComponentExportSection(reader) if depth == 0 => {
                for export in reader {
                    let export = export.map_err(|source| Error::Invalid { source })?;
                    outline.exports.push(export.name.name.to_owned());
                }
            }
            _ => {}
        }
    }
    Ok(outline)
}

fn is_importable(name: &str) -> bool {
    contract_interface(name).is_some_and(|i| IMPORTABLE_INTERFACES.contains(&i))
}

/// The interface name if `name` is `streamhooks:plugin/<interface>@<version>` with a version
/// this host reads (same major, not newer than [`CONTRACT_VERSION`]).
fn contract_interface(name: &str) -> Option<&str> {
    let rest = name.strip_prefix(CONTRACT_PACKAGE)?.strip_prefix('/')?;
    let (interface, version) = rest.split_once('@')?;
    let theirs = parse_version(version)?;
    let ours = parse_version(CONTRACT_VERSION)?;
    (theirs.0 == ours.0 && theirs <= ours).then_some(interface)
}

fn parse_version(v: &str) -> Option<(u64, u64, u64)> {
    let mut parts = v.split('.').map(str::parse::<u64>);
    let version = (
        parts.next()?.ok()?,
        parts.next()?.ok()?,
        parts.next()?.ok()?,
    );
    parts.next().is_none().then_some(version)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_encoder::{
        CodeSection, EntityType, ExportKind, ExportSection, Function, FunctionSection,
        ImportSection, Instruction, MemorySection, MemoryType, Module, TypeSection, ValType,
    };
    use wit_component::StringEncoding;
    use wit_parser::Resolve;

    const WIT: &str = include_str!("../../../sdk/wit/streamhooks.wit");
    const WASI_ENV: &str = "package wasi:cli@0.2.0;
        interface environment { get-environment: func() -> list<tuple<string, string>>; }";
    const BAD_WORLD: &str = "package test:bad;
        world bad { import wasi:cli/environment@0.2.0; include streamhooks:plugin/plugin@0.1.0; }";

    /// A core module shaped like wit-bindgen's output for the `plugin` world (bodies trap),
    /// importing `host.log` and, if `wasi`, `wasi:cli/environment.get-environment`, with the
    /// `component-type` metadata of the world embedded.
    fn core_module(wasi: bool) -> Vec<u8> {
        let mut types = TypeSection::new();
        types.ty().function([ValType::I32; 3], []); // 0: host.log(level, ptr, len)
        types.ty().function([ValType::I32], [ValType::I32]); // 1: handle(event*) -> result*
        types.ty().function([ValType::I32; 4], [ValType::I32]); // 2: cabi_realloc
        types.ty().function([ValType::I32], []); // 3: get-environment(retptr)
        let mut imports = ImportSection::new();
        imports.import(
            "streamhooks:plugin/host@0.1.0",
            "log",
            EntityType::Function(0),
        );
        if wasi {
            imports.import(
                "wasi:cli/environment@0.2.0",
                "get-environment",
                EntityType::Function(3),
            );
        }
        let first_own = if wasi { 2 } else { 1 };
        let mut functions = FunctionSection::new();
        functions.function(1).function(2);
        let mut memories = MemorySection::new();
        memories.memory(MemoryType {
            minimum: 1,
            maximum: None,
            memory64: false,
            shared: false,
            page_size_log2: None,
        });
        let mut exports = ExportSection::new();
        exports
            .export("memory", ExportKind::Memory, 0)
            .export(
                "streamhooks:plugin/handler@0.1.0#handle",
                ExportKind::Func,
                first_own,
            )
            .export("cabi_realloc", ExportKind::Func, first_own + 1);
        let mut code = CodeSection::new();
        for _ in 0..2 {
            let mut body = Function::new([]);
            body.instruction(&Instruction::Unreachable);
            body.instruction(&Instruction::End);
            code.function(&body);
        }
        let mut module = Module::new();
        module
            .section(&types)
            .section(&imports)
            .section(&functions)
            .section(&memories)
            .section(&exports)
            .section(&code);
        let mut bytes = module.finish();

        let mut resolve = Resolve::default();
        let contract = resolve
            .push_str("streamhooks.wit", WIT)
            .expect("contract WIT");
        let world = if wasi {
            resolve.push_str("wasi.wit", WASI_ENV).expect("wasi WIT");
            let bad = resolve.push_str("bad.wit", BAD_WORLD).expect("bad WIT");
            resolve.select_world(&[bad], Some("bad"))
        } else {
            resolve.select_world(&[contract], Some("plugin"))
        }
        .expect("world");
        wit_component::embed_component_metadata(&mut bytes, &resolve, world, StringEncoding::UTF8)
            .expect("embed metadata");
        bytes
    }

    #[test]
    fn componentizes_a_plugin_module() {
        let component = componentize(&core_module(false)).expect("componentize");
        let imports = component_imports(&component).expect("imports");
        assert!(
            imports.contains(&"streamhooks:plugin/host@0.1.0".to_owned()),
            "{imports:?}"
        );
        assert!(imports.iter().all(|i| is_importable(i)), "{imports:?}");
        check_exports(&component).expect("exports handler");
    }

    #[test]
    fn refuses_wasi_imports_by_name() {
        let err = componentize(&core_module(true)).expect_err("must be refused");
        match &err {
            Error::ForbiddenImport { import } => assert_eq!(import, "wasi:cli/environment@0.2.0"),
            other => panic!("unexpected error: {other}"),
        }
        assert!(
            err.to_string()
                .starts_with("component imports `wasi:cli/environment@0.2.0`: "),
            "{err}"
        );
    }

    #[test]
    fn refuses_a_component_as_input_and_a_module_as_component() {
        let component = componentize(&core_module(false)).expect("componentize");
        assert!(matches!(
            componentize(&component),
            Err(Error::NotCoreModule { .. })
        ));
        assert!(matches!(
            check_imports(&core_module(false)),
            Err(Error::NotComponent)
        ));
        assert!(matches!(
            componentize(b"not wasm"),
            Err(Error::NotCoreModule { .. })
        ));
    }

    #[test]
    fn refuses_a_module_without_the_handler() {
        let bare = Module::new().finish();
        let err = componentize(&bare).expect_err("no handler");
        assert!(matches!(err, Error::MissingHandler { .. }), "{err}");
    }

    #[test]
    fn contract_versions() {
        assert!(is_importable("streamhooks:plugin/host@0.1.0"));
        assert!(is_importable("streamhooks:plugin/types@0.1.0"));
        assert!(is_importable("streamhooks:plugin/host@0.0.9"));
        assert!(!is_importable("streamhooks:plugin/host@0.2.0"));
        assert!(!is_importable("streamhooks:plugin/host@1.0.0"));
        assert!(!is_importable("streamhooks:plugin/host"));
        assert!(!is_importable("streamhooks:plugin/handler@0.1.0"));
        assert!(!is_importable("streamhooks:plugin/host@0.1.0-rc1"));
        assert!(!is_importable("wasi:cli/environment@0.2.0"));
        assert!(!is_importable("streamhooks:pluginx/host@0.1.0"));
    }

    /// Runs a nested cargo build of `plugins/hostile/noop` (needs the wasm32-unknown-unknown
    /// target; about 25 s in a fresh target dir): `cargo test -p streamhooks-plugin-build --
    /// --ignored`. scripts/build-plugins.sh covers the same path in CI.
    #[test]
    #[ignore = "runs a nested cargo build for wasm32-unknown-unknown"]
    fn builds_a_plugin_crate() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let target = root.join("target/plugin-build-test");
        let out = target.join("out");
        let component = build(&root.join("plugins/hostile/noop"), &target, &out).expect("build");
        assert_eq!(component, out.join("noop.wasm"));
        let bytes = fs::read(&component).expect("component");
        check_imports(&bytes).expect("imports");
    }

    #[test]
    fn finds_the_wasm_artifact_of_the_package() {
        let messages = br#"{"reason":"compiler-artifact","manifest_path":"/x/dep/Cargo.toml","filenames":["/t/dep.rlib"]}
{"reason":"compiler-artifact","manifest_path":"/x/p/Cargo.toml","filenames":["/t/p.wasm"]}
{"reason":"build-finished","success":true}"#;
        assert_eq!(
            wasm_artifact(messages, Path::new("/x/p/Cargo.toml")),
            Some(PathBuf::from("/t/p.wasm"))
        );
    }
}
