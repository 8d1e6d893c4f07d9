//! The `streamhooks` command-line tool, as a library: [`run`] parses the arguments and runs one
//! command against the standard streams it is given, so tests can call it in-process. The
//! binary only hands it the real stdio.
//!
//! Commands: `decode` turns recorded Amazon Connect events from any source into canonical
//! events, one JSON line each; `kinds` lists the event kinds. Replaying events through plugins
//! comes with the plugin engine. This crate holds no decoding logic of its own: it splits input
//! into documents and hands each to [`streamhooks_events`].
//!
//! ```
//! use streamhooks_cli::{Console, run};
//!
//! let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
//! let console = Console {
//!     stdin: &mut &b""[..],
//!     stdout: &mut stdout,
//!     stderr: &mut stderr,
//!     stderr_is_terminal: false,
//! };
//! assert_eq!(run(["streamhooks", "kinds"], console), 0);
//! assert!(String::from_utf8_lossy(&stdout).contains("contact-connected-to-agent\t"));
//! ```

pub mod dev;
mod input;
mod scaffold;

use std::ffi::OsString;
use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::{Args, Parser, Subcommand};
use serde::Serialize;
use serde_json::{Value, json};
use streamhooks_actions::Manifest;
use streamhooks_engine::{ComponentSource, Engine, MemoryStore, Plugins, Target};
use streamhooks_events::{Event, EventKind, Limits, decode_slice};
use streamhooks_executor::{Executor, Outcome, Planned, RateLimiter, Recorder};

use input::{Body, Piece, SplitError};

/// The bundled sample day that `decode --sample` reads.
const SAMPLE: &str = include_str!("../../../examples/sample-day.jsonl");
const SAMPLE_NAME: &str = "sample-day.jsonl";
const STDIN_NAME: &str = "<stdin>";

/// Exit status: everything worked.
pub const EXIT_OK: u8 = 0;
/// Exit status: some document, or part of one, could not be decoded.
pub const EXIT_DECODE_FAILED: u8 = 1;
/// Exit status: usage error, or an input or the output could not be read or written.
pub const EXIT_USAGE_OR_IO: u8 = 2;

/// The standard streams a command runs with.
pub struct Console<'a> {
    /// Read by `decode` when no file is named, or for `-`.
    pub stdin: &'a mut dyn BufRead,
    /// Where results go.
    pub stdout: &'a mut dyn Write,
    /// Where errors and progress go.
    pub stderr: &'a mut dyn Write,
    /// Whether stderr is a terminal; progress is shown by default only then.
    pub stderr_is_terminal: bool,
}

/// Parses `args` (the program name first) and runs the command; returns the exit status
/// ([`EXIT_OK`], [`EXIT_DECODE_FAILED`] or [`EXIT_USAGE_OR_IO`]).
pub fn run<I, T>(args: I, console: Console<'_>) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version are "errors" that go to stdout with status 0.
            let (out, status) = if e.use_stderr() {
                (console.stderr, EXIT_USAGE_OR_IO)
            } else {
                (console.stdout, EXIT_OK)
            };
            return match write!(out, "{}", e.render()).and_then(|()| out.flush()) {
                Ok(()) => status,
                Err(_) => EXIT_USAGE_OR_IO,
            };
        }
    };
    match cli.command {
        Command::Decode(args) => decode(&args, console),
        Command::Replay(args) => replay(&args, console),
        Command::Plugin(command) => plugin(&command, console),
        Command::Kinds(args) => kinds(&args, console),
        Command::Dev(args) => dev_command(&args, console),
    }
}

const ABOUT: &str = "\
streamhooks runs Amazon Connect agent-desktop handler logic as sandboxed plugins, fed by every
Amazon Connect event source. This tool works locally and needs no AWS account: it decodes
recorded events into the canonical events that plugins receive.";

const DECODE_ABOUT: &str = "\
Reads Amazon Connect events in any supported source format, recognised per document: EventBridge
events (contact events, Contact Lens and metrics rules), Lambda Kinesis events and single Kinesis
records of the agent event stream, plain agent event stream records, and batches forwarded by the
streamhooks Streams forwarder. Each event that decodes is printed on stdout as one JSON object per
line, in input order. Each failure is reported on stderr as FILE:LINE: reason (LINE is where the
document starts; FILE is <stdin> for stdin), and decoding goes on.

Input rules, for each input:
  * Its first non-blank line decides the layout. If that line is a complete JSON value on its
    own, the input is JSON Lines: every non-blank line is one document, read one line at a time.
  * Otherwise the input is a sequence of JSON documents, pretty-printed or not, separated by
    optional whitespace (one pretty-printed event, `jq .` output, concatenated Firehose records).
    A syntax error stops that input with one error giving its line and column: nothing after it
    can be trusted. The documents before it are kept.
  * A document that is a JSON array stands for its elements, each decoded as its own document;
    their errors read FILE:LINE: [INDEX]: reason.
  * No document, array included, may be larger than 1 MiB. A longer line is reported and skipped;
    a longer document in a non-line input stops that input. Turn a large array into JSON Lines
    with `jq -c '.[]'`.
  * A document that decodes only in part (a Kinesis event with one bad record) prints the events
    that decoded and reports the others.
  * Memory use does not grow with the size of the input.";

const DECODE_AFTER: &str = "\
Exit status: 0 if everything decoded, 1 if any document or part of one failed, 2 for usage errors
or inputs that cannot be read (the other inputs are still decoded).

Examples:
  streamhooks decode --sample --no-raw
  streamhooks decode events.jsonl kinesis-event.json
  aws s3 cp s3://bucket/connect/2024/05/01/records - | streamhooks decode";

const REPLAY_ABOUT: &str = "\
Decodes events exactly as `decode` does (same inputs, same input rules), runs each through every
plugin in the plugin folder that subscribes to its kind, and prints each action a plugin decides
and its manifest grants as one JSON line on stdout:

  {\"event_id\", \"kind\", \"plugin\", \"index\", \"action\", \"parameters\", \"outcome\"}

where `action` is the action type (`start-task-contact`, `client`, `crm` ...), `parameters`
its fields, and `outcome` what the dry-run executor made of it: `done` (recorded instead of
called), `deferred-to-client` (a client directive for the agent's browser) or `failed`. The
actions go through the real execution path (routing, EventBridge batching, directives per
agent), but a recorder stands in for Amazon Connect, the CRM connectors and EventBridge: no
call leaves the process.

Each plugin runs in a fresh sandboxed instance per event, within its manifest's limits. A plugin
that fails (deadline, memory, stack overflow, trap, too much output, or an error it returns) is
reported on stderr as FILE:LINE: EVENT_ID: plugin NAME failed (KIND): reason, and the other
plugins still run. Denied actions (not granted by the manifest) are reported on stderr too.
Plugin state (host.state-*) lives in memory for the run, so a replay is deterministic.";

const REPLAY_AFTER: &str = "\
Exit status: 0 if every event decoded (plugin failures and denials are reported, not fatal), 1
if any document or part of one failed to decode, 2 for usage errors, unreadable inputs or a
plugin folder that cannot be loaded.

Examples:
  scripts/build-plugins.sh
  streamhooks replay --plugins target/plugins/examples --sample
  streamhooks replay --plugins target/plugins/examples --logs events.jsonl";

/// Decode and inspect Amazon Connect events locally.
#[derive(Debug, Parser)]
#[command(name = "streamhooks", version, long_about = ABOUT)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Decode events from files or stdin and print each canonical event as one JSON line.
    #[command(long_about = DECODE_ABOUT, after_long_help = DECODE_AFTER)]
    Decode(DecodeArgs),
    /// Run events through plugins and print each action they decide (dry run: nothing is
    /// executed).
    #[command(long_about = REPLAY_ABOUT, after_long_help = REPLAY_AFTER)]
    Replay(ReplayArgs),
    /// Build, check and precompile plugins.
    #[command(subcommand)]
    Plugin(PluginCommand),
    /// List every event kind with its one-line description.
    Kinds(KindsArgs),
    /// Serve the whole loop locally: the ingest endpoint (dev auth), an EventBridge-style
    /// endpoint, the plugins, an in-memory store, a dry-run executor, a live feed and a demo
    /// agent page.
    #[command(long_about = DEV_ABOUT)]
    Dev(DevArgs),
}

const NEW_ABOUT: &str = "\
Creates a working plugin to start from, in Rust, JavaScript or Python: plugin.toml (it
subscribes to contact-connected and is granted one contact attribute), a handler that sets the
attribute to the agent who answered a voice contact, a test of that decision that runs without
a wasm host, a README, and the language's package manifest whose build makes the component
(`streamhooks plugin build DIR` runs it).

The plugin depends on a streamhooks checkout's sdk/ folders (the SDKs are not published to
crates.io, npm or PyPI yet): the checkout the current folder is in, else the one this
executable was built in, else --sdk.";

const BUILD_ABOUT: &str = "\
Builds a plugin from its source folder into a ready plugin folder, by language:

  Rust        (Cargo.toml)      cargo build for wasm32-unknown-unknown, then the module is
                                turned into a component (in-process)
  JavaScript  (package.json)    `npm run build -- --out OUT`: the SDK's streamhooks-js-build
                                (componentize-js); run `npm install` first
  Python      (pyproject.toml)  `python3 -m streamhooks_sdk.build --out OUT` (componentize-py);
                                STREAMHOOKS_PYTHON names another interpreter

Then the component is checked as `plugin check` does (manifest, imports, exports, loads within
its limits) and precompiled (--precompile, default this host) beside the component as
<component>.<arch>.cwasm with its sidecar: a JavaScript or Python component (12-18 MB) takes
seconds to compile and milliseconds to load precompiled.";

const DEV_ABOUT: &str = "\
Serves on 127.0.0.1, with no AWS account, everything a Streams agent desktop talks to:

  POST /ingest   the ingest-http handler itself (same checks, same answers); authentication
                 is the insecure dev mode: `Authorization: Bearer dev:<agent id or ARN>`
  POST /events   Amazon Connect events as EventBridge delivers them to a rule target (one
                 event or an array), through the contact-events handler
  GET  /feed     server-sent events: each event handled, each action decided (dry run:
                 recorded, not executed), each directive result, each dead letter
  GET  /         a demo agent desktop: amazon-connect-streams against a simulated CCP, the
                 streamhooks forwarder, and the live feed

Plugins are loaded from --plugins; state, idempotency and mailboxes are kept in memory. The
demo page needs amazon-connect-streams: `npm ci --prefix sdk/forwarder` (or --streams-js).
The first line printed on stdout that starts `streamhooks dev: listening on` gives the URL.";

#[derive(Debug, Args)]
struct DevArgs {
    /// The plugin folder: every `*/plugin.toml` below it is loaded.
    #[arg(long, value_name = "DIR", default_value = "target/plugins/examples")]
    plugins: PathBuf,
    /// Where to listen (port 0 picks a free port).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8787")]
    addr: std::net::SocketAddr,
    /// amazon-connect-streams' release/connect-streams.js [default: the forwarder's dev
    /// dependency under sdk/forwarder/node_modules].
    #[arg(long, value_name = "FILE")]
    streams_js: Option<PathBuf>,
    /// Another origin allowed to call /ingest from a browser (repeatable).
    #[arg(long, value_name = "ORIGIN")]
    allow_origin: Vec<String>,
}

#[derive(Debug, Subcommand)]
enum PluginCommand {
    /// Create a working plugin to start from: its manifest, a handler, a test and a build, in
    /// Rust, JavaScript or Python.
    #[command(long_about = NEW_ABOUT)]
    New {
        /// The plugin's name: lowercase letters, digits and '-' (`answered-by`).
        #[arg(value_name = "NAME")]
        name: String,
        /// The language to write it in.
        #[arg(long, value_enum, default_value = "rust")]
        lang: scaffold::Lang,
        /// The folder to create [default: ./NAME].
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        /// A streamhooks checkout whose sdk/ the plugin depends on [default: the checkout
        /// the current folder or this executable is in].
        #[arg(long, value_name = "DIR")]
        sdk: Option<PathBuf>,
    },
    /// Build a plugin from source into a ready plugin folder (OUT/plugin.toml and the
    /// component the manifest names), check it, and precompile it.
    #[command(long_about = BUILD_ABOUT)]
    Build {
        /// The plugin's source folder, with plugin.toml and Cargo.toml (Rust), package.json
        /// (JavaScript) or pyproject.toml (Python).
        #[arg(value_name = "DIR")]
        crate_dir: PathBuf,
        /// The plugin folder to write [default: target/plugins/<name>].
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Cargo's target folder (Rust plugins).
        #[arg(long, value_name = "DIR", default_value = "target")]
        target_dir: PathBuf,
        /// Precompile the component for: this host, x86_64, aarch64 (arm64 Lambda), all, or
        /// none. JavaScript and Python components take seconds to compile; an artifact makes
        /// loading them take milliseconds.
        #[arg(long, default_value = "host", value_parser = ["host", "x86_64", "aarch64", "all", "none"])]
        precompile: String,
    },
    /// Check plugin folders: the manifest is valid, the component imports only the streamhooks
    /// host interface, exports the handler of the WIT world, and loads within its limits.
    Check {
        /// Plugin folders (with plugin.toml), or folders of them.
        #[arg(value_name = "DIR", required = true)]
        dirs: Vec<PathBuf>,
    },
    /// Precompile plugins' components to native code for this host or arm64 Lambda, written
    /// beside each component as <component>.<arch>.cwasm with a sidecar that ties it to that exact
    /// component, engine and target. The engine loads an artifact only when its sidecar
    /// matches, and compiles the component otherwise.
    Compile {
        /// Plugin folders (with plugin.toml), or folders of them.
        #[arg(value_name = "DIR", required = true)]
        dirs: Vec<PathBuf>,
        /// The target: x86_64, aarch64 (arm64 Lambda) or all.
        #[arg(long, default_value = "host", value_parser = ["host", "x86_64", "aarch64", "all"])]
        target: String,
    },
}

#[derive(Debug, Args)]
struct DecodeArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Leave out each event's `raw` field (the original payload), for readable output.
    #[arg(long)]
    no_raw: bool,
}

#[derive(Debug, Args)]
struct ReplayArgs {
    /// The plugin folder: every `*/plugin.toml` below it (and `plugin.toml` in it) is loaded.
    #[arg(long, value_name = "DIR")]
    plugins: PathBuf,
    /// Also print what plugins log, on stderr.
    #[arg(long)]
    logs: bool,
    #[command(flatten)]
    input: InputArgs,
}

/// Where events come from, for `decode` and `replay`.
#[derive(Debug, Args)]
struct InputArgs {
    /// Files to read, in order; `-` or none at all reads stdin.
    #[arg(value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Read the bundled sample day of events (examples/sample-day.jsonl) instead of files.
    #[arg(long, conflicts_with = "files")]
    sample: bool,
    /// Show progress on stderr at most once a second, then a summary.
    ///
    /// On by default when stderr is a terminal.
    #[arg(long, overrides_with = "no_progress")]
    progress: bool,
    /// Do not report progress (a summary is still printed when anything failed).
    #[arg(long, overrides_with = "progress")]
    no_progress: bool,
}

#[derive(Debug, Args)]
struct KindsArgs {
    /// Print a JSON array of {"kind", "description"} objects instead of tab-separated lines.
    #[arg(long)]
    json: bool,
}

fn kinds(args: &KindsArgs, console: Console<'_>) -> u8 {
    let out = console.stdout;
    let written = if args.json {
        let kinds: Vec<_> = EventKind::ALL
            .iter()
            .map(|kind| json!({"kind": kind.as_str(), "description": kind.description()}))
            .collect();
        serde_json::to_writer_pretty(&mut *out, &kinds)
            .map_err(io::Error::from)
            .and_then(|()| writeln!(out))
    } else {
        EventKind::ALL
            .iter()
            .try_for_each(|kind| writeln!(out, "{}\t{}", kind.as_str(), kind.description()))
    };
    match written.and_then(|()| out.flush()) {
        Ok(()) => EXIT_OK,
        Err(e) => output_failed(e, console.stderr, EXIT_OK),
    }
}

/// Reports a failure to write stdout. A closed pipe (`streamhooks decode | head`) is the reader's
/// choice, not an error: stop quietly with the status so far.
fn output_failed(e: io::Error, stderr: &mut dyn Write, status: u8) -> u8 {
    if e.kind() == io::ErrorKind::BrokenPipe {
        return status;
    }
    let _ = writeln!(stderr, "streamhooks: cannot write output: {e}");
    EXIT_USAGE_OR_IO
}

/// One input of `decode`.
enum Input {
    Sample,
    Stdin,
    File(PathBuf),
}

impl Input {
    fn name(&self) -> String {
        match self {
            Input::Sample => SAMPLE_NAME.into(),
            Input::Stdin => STDIN_NAME.into(),
            Input::File(path) => path.display().to_string(),
        }
    }
}

fn decode(args: &DecodeArgs, console: Console<'_>) -> u8 {
    read_all(
        &args.input,
        console,
        Sink::Print {
            no_raw: args.no_raw,
        },
    )
}

fn replay(args: &ReplayArgs, console: Console<'_>) -> u8 {
    let engine = match Engine::new() {
        Ok(engine) => engine,
        Err(e) => {
            let _ = writeln!(
                console.stderr,
                "streamhooks: cannot start the plugin engine: {e}"
            );
            return EXIT_USAGE_OR_IO;
        }
    };
    let plugins = match engine.load_dir(&args.plugins, Arc::new(MemoryStore::new())) {
        Ok(plugins) => plugins,
        Err(e) => {
            let _ = writeln!(console.stderr, "streamhooks: {e}");
            return EXIT_USAGE_OR_IO;
        }
    };
    if plugins.is_empty() {
        let _ = writeln!(
            console.stderr,
            "streamhooks: no plugin in {} (expected */plugin.toml)",
            args.plugins.display()
        );
        return EXIT_USAGE_OR_IO;
    }
    // Say how each plugin was loaded: an artifact that was refused falls back to compiling the
    // component, which works but costs start-up time, so say why.
    let loaded: Vec<String> = plugins
        .iter()
        .map(|p| match p.source() {
            ComponentSource::Compiled => format!("{} (compiled)", p.name()),
            ComponentSource::Precompiled => format!("{} (precompiled)", p.name()),
            ComponentSource::ArtifactRefused { reason } => {
                format!("{} (compiled; artifact refused: {reason})", p.name())
            }
        })
        .collect();
    let _ = writeln!(
        console.stderr,
        "loaded {} plugins from {}: {}",
        plugins.len(),
        args.plugins.display(),
        loaded.join(", ")
    );
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            let _ = writeln!(console.stderr, "streamhooks: cannot start a runtime: {e}");
            return EXIT_USAGE_OR_IO;
        }
    };
    // Dry run: a recorder stands in for Amazon Connect, every CRM connector plugins name, and
    // EventBridge; nothing leaves the process.
    let recorder = Arc::new(Recorder::new());
    let executor = Executor::new(Arc::new(RateLimiter::unlimited()))
        .with_connect(recorder.clone())
        .with_any_crm(recorder.clone())
        .with_publisher(recorder.clone());
    let replayer = Replayer {
        plugins: &plugins,
        logs: args.logs,
        stats: ReplayStats::default(),
        executor,
        runtime,
    };
    read_all(&args.input, console, Sink::Replay(Box::new(replayer)))
}

fn dev_command(args: &DevArgs, console: Console<'_>) -> u8 {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // A second subscriber (tests running commands in one process) is not an error.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
    let options = dev::DevOptions {
        addr: args.addr,
        plugins: args.plugins.clone(),
        streams_js: dev::find_streams_js(args.streams_js.as_deref()),
        allow_origins: args.allow_origin.clone(),
    };
    match dev::serve(&options, console.stdout) {
        Ok(()) => EXIT_OK,
        Err(message) => {
            let _ = writeln!(console.stderr, "streamhooks dev: {message}");
            EXIT_USAGE_OR_IO
        }
    }
}

fn plugin(command: &PluginCommand, console: Console<'_>) -> u8 {
    let result = match command {
        PluginCommand::New {
            name,
            lang,
            dir,
            sdk,
        } => plugin_new(name, *lang, dir.as_deref(), sdk.as_deref(), console.stdout),
        PluginCommand::Build {
            crate_dir,
            out,
            target_dir,
            precompile,
        } => plugin_build(
            crate_dir,
            out.as_deref(),
            target_dir,
            precompile,
            console.stdout,
        ),
        PluginCommand::Check { dirs } => plugin_check(dirs, console.stdout),
        PluginCommand::Compile { dirs, target } => plugin_compile(dirs, target, console.stdout),
    };
    match result.and_then(|()| console.stdout.flush().map_err(|e| e.to_string())) {
        Ok(()) => EXIT_OK,
        Err(message) => {
            let _ = writeln!(console.stderr, "streamhooks: {message}");
            EXIT_DECODE_FAILED
        }
    }
}

/// The manifests under `dirs`: `DIR/plugin.toml`, or else every `DIR/*/plugin.toml`.
fn manifests(dirs: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for dir in dirs {
        let own = dir.join("plugin.toml");
        if own.is_file() {
            out.push(own);
            continue;
        }
        let entries =
            std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
        let mut found: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path().join("plugin.toml"))
            .filter(|p| p.is_file())
            .collect();
        if found.is_empty() {
            return Err(format!(
                "{}: no plugin.toml in it or in its folders",
                dir.display()
            ));
        }
        found.sort();
        out.extend(found);
    }
    Ok(out)
}

fn plugin_new(
    name: &str,
    lang: scaffold::Lang,
    dir: Option<&Path>,
    sdk: Option<&Path>,
    stdout: &mut dyn Write,
) -> Result<(), String> {
    let dir = dir.map_or_else(|| PathBuf::from(name), Path::to_owned);
    let sdk = match sdk {
        Some(root) if scaffold::is_checkout(root) => {
            let root = root
                .canonicalize()
                .map_err(|e| format!("--sdk {}: {e}", root.display()))?;
            scaffold::SdkSource(root)
        }
        Some(root) => {
            return Err(format!(
                "--sdk {}: not a streamhooks checkout (no sdk/wit/streamhooks.wit in it)",
                root.display()
            ));
        }
        None => {
            let cwd = std::env::current_dir().map_err(|e| format!("no current folder: {e}"))?;
            scaffold::SdkSource::find(&cwd).ok_or_else(|| {
                format!(
                    "no streamhooks checkout in {} or its parents, nor where this executable was \
                     built: a new plugin depends on a checkout's sdk/ (the SDKs are not \
                     published yet); pass --sdk PATH",
                    cwd.display()
                )
            })?
        }
    };
    let created = scaffold::new_plugin(lang, name, &dir, &sdk)?;
    let from = format!("the SDK in {}", sdk.0.display());
    writeln!(
        stdout,
        "created {} plugin {name} in {} ({} files, depending on {from}); next:\n{}",
        lang.name(),
        created.dir.display(),
        created.files.len(),
        scaffold::next_steps(lang, &created.dir, &sdk)
    )
    .map_err(|e| e.to_string())
}

fn plugin_build(
    source: &Path,
    out: Option<&Path>,
    target_dir: &Path,
    precompile: &str,
    stdout: &mut dyn Write,
) -> Result<(), String> {
    let lang = scaffold::Lang::of_source(source)?;
    let manifest = Manifest::from_path(&source.join("plugin.toml")).map_err(|e| e.to_string())?;
    let out = out.map_or_else(
        || Path::new("target/plugins").join(&manifest.name),
        Path::to_owned,
    );
    std::fs::create_dir_all(&out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let file_name = manifest
        .component
        .file_name()
        .ok_or_else(|| format!("{}: component: names no file", manifest.path.display()))?;
    let component = out.join(file_name);
    // Artifacts of an earlier build no longer match: leave none behind.
    remove_artifacts(&component)?;
    if lang == scaffold::Lang::Rust {
        let built = streamhooks_plugin_build::build(source, target_dir, &out)
            .map_err(|e| format!("{}: {e}", source.display()))?;
        if built != component {
            std::fs::rename(&built, &component)
                .map_err(|e| format!("cannot write {}: {e}", component.display()))?;
        }
        std::fs::copy(&manifest.path, out.join("plugin.toml"))
            .map_err(|e| format!("cannot write {}: {e}", out.join("plugin.toml").display()))?;
    } else {
        let absolute = std::path::absolute(&out)
            .map_err(|e| format!("cannot resolve {}: {e}", out.display()))?;
        scaffold::build_with_sdk(lang, source, &absolute)?;
        for needed in [out.join("plugin.toml"), component.clone()] {
            if !needed.is_file() {
                return Err(format!(
                    "{}: the {} build wrote no {}",
                    source.display(),
                    lang.name(),
                    needed.display()
                ));
            }
        }
    }
    // What is cheap to check first (imports, exports), then the artifacts, then the load, which
    // uses the host's artifact when there is one: compiling a JavaScript or Python component
    // takes seconds, and would otherwise happen twice.
    let (checked, size) = read_and_check_interfaces(&out.join("plugin.toml"))?;
    let engine = Engine::new().map_err(|e| e.to_string())?;
    let mut targets = match precompile {
        "none" => Vec::new(),
        other => compile_targets(other)?,
    };
    targets.sort_by_key(|t| Some(*t) != Target::host());
    for target in targets {
        let started = Instant::now();
        let artifact = engine
            .write_artifact(&checked.component, target)
            .map_err(|e| e.to_string())?;
        writeln!(
            stdout,
            "precompiled {} for {} in {} ms: {}",
            checked.name,
            target.triple(),
            started.elapsed().as_millis(),
            artifact.display()
        )
        .map_err(|e| e.to_string())?;
    }
    load_and_report(&engine, &checked, size, stdout)
}

/// Removes the precompiled artifacts (and sidecars) written beside `component` before.
fn remove_artifacts(component: &Path) -> Result<(), String> {
    let (Some(dir), Some(name)) = (component.parent(), component.file_name()) else {
        return Ok(());
    };
    let prefix = format!("{}.", name.to_string_lossy());
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        if file.starts_with(&prefix) && (file.ends_with(".cwasm") || file.ends_with(".cwasm.json"))
        {
            std::fs::remove_file(entry.path())
                .map_err(|e| format!("cannot remove {}: {e}", entry.path().display()))?;
        }
    }
    Ok(())
}

/// The targets `--target`/`--precompile` names.
fn compile_targets(target: &str) -> Result<Vec<Target>, String> {
    Ok(match target {
        "all" => Target::ALL.to_vec(),
        "host" => vec![Target::host().ok_or("this host is not a supported compile target")?],
        other => vec![
            Target::from_triple(&format!("{other}-unknown-linux-gnu"))
                .ok_or_else(|| format!("unknown target {other}"))?,
        ],
    })
}

fn plugin_check(dirs: &[PathBuf], stdout: &mut dyn Write) -> Result<(), String> {
    // One engine for every plugin checked: it compiles each component and runs a ticker thread.
    let engine = Engine::new().map_err(|e| e.to_string())?;
    let mut failures = Vec::new();
    for manifest in manifests(dirs)? {
        if let Err(e) = check_one(&engine, &manifest, stdout) {
            failures.push(e);
        }
    }
    match failures.len() {
        0 => Ok(()),
        _ => Err(failures.join("\nstreamhooks: ")),
    }
}

/// Reads the manifest at `manifest_path` and its component, and checks that the component
/// imports only the host interface and exports the handler: the manifest and the component's
/// size in bytes.
fn read_and_check_interfaces(manifest_path: &Path) -> Result<(Manifest, usize), String> {
    let manifest = Manifest::from_path(manifest_path).map_err(|e| e.to_string())?;
    let component = std::fs::read(&manifest.component).map_err(|e| {
        format!(
            "{}: component: cannot read {}: {e}",
            manifest_path.display(),
            manifest.component.display()
        )
    })?;
    streamhooks_plugin_build::check_imports(&component)
        .and_then(|()| streamhooks_plugin_build::check_exports(&component))
        .map_err(|e| format!("{}: {e}", manifest.component.display()))?;
    Ok((manifest, component.len()))
}

/// Checks one plugin and prints what it is.
fn check_one(engine: &Engine, manifest_path: &Path, stdout: &mut dyn Write) -> Result<(), String> {
    let (manifest, size) = read_and_check_interfaces(manifest_path)?;
    load_and_report(engine, &manifest, size, stdout)
}

/// Loads a checked plugin within its limits and prints what it is and how it was loaded.
fn load_and_report(
    engine: &Engine,
    manifest: &Manifest,
    size: usize,
    stdout: &mut dyn Write,
) -> Result<(), String> {
    let plugins = engine
        .load(&manifest.path, Arc::new(MemoryStore::new()))
        .map_err(|e| e.to_string())?;
    let loaded = match plugins.iter().next().map(|p| p.source()) {
        Some(ComponentSource::Precompiled) => " (loaded from its precompiled artifact)".to_owned(),
        Some(ComponentSource::ArtifactRefused { reason }) => {
            format!(" (compiled: its artifact was refused: {reason})")
        }
        Some(ComponentSource::Compiled) | None => String::new(),
    };
    let kinds: Vec<&str> = manifest.subscribe.iter().map(|k| k.as_str()).collect();
    writeln!(
        stdout,
        "ok {} {}: {size} bytes, subscribes to {}{loaded}",
        manifest.name,
        manifest.version,
        kinds.join(", ")
    )
    .map_err(|e| e.to_string())
}

fn plugin_compile(dirs: &[PathBuf], target: &str, stdout: &mut dyn Write) -> Result<(), String> {
    let targets = compile_targets(target)?;
    let engine = Engine::new().map_err(|e| e.to_string())?;
    for manifest_path in manifests(dirs)? {
        let manifest = Manifest::from_path(&manifest_path).map_err(|e| e.to_string())?;
        for target in &targets {
            let artifact = engine
                .write_artifact(&manifest.component, *target)
                .map_err(|e| e.to_string())?;
            writeln!(
                stdout,
                "{} {}: {}",
                manifest.name,
                target.triple(),
                artifact.display()
            )
            .map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

/// Reads every input of `args`, hands each decoded event to `sink`, reports failures, prints
/// the summary, and returns the exit status.
fn read_all(args: &InputArgs, console: Console<'_>, sink: Sink<'_>) -> u8 {
    let inputs: Vec<Input> = if args.sample {
        vec![Input::Sample]
    } else if args.files.is_empty() {
        vec![Input::Stdin]
    } else {
        args.files
            .iter()
            .map(|path| match path.to_str() {
                Some("-") => Input::Stdin,
                _ => Input::File(path.clone()),
            })
            .collect()
    };
    let progress = match (args.progress, args.no_progress) {
        (true, _) => true,
        (_, true) => false,
        _ => console.stderr_is_terminal,
    };
    let mut session = Session {
        limits: Limits::default(),
        sink,
        progress,
        stdout: console.stdout,
        stderr: console.stderr,
        stats: Stats::default(),
        bytes_before: 0,
        last_progress: Instant::now(),
        line: Vec::new(),
    };
    let mut unreadable = false;
    for input in &inputs {
        let name = input.name();
        let result = match input {
            Input::Sample => session.decode_input(&name, &mut SAMPLE.as_bytes()),
            Input::Stdin => session.decode_input(&name, console.stdin),
            Input::File(path) => match File::open(path) {
                Ok(file) => {
                    session.decode_input(&name, &mut BufReader::with_capacity(1 << 16, file))
                }
                Err(e) => Err(SplitError::Read(e)),
            },
        };
        match result {
            Ok(()) => {}
            Err(SplitError::Read(e)) => {
                let _ = writeln!(session.stderr, "streamhooks: cannot read {name}: {e}");
                unreadable = true;
            }
            Err(SplitError::Output(e)) => {
                let status = session.status(unreadable);
                return output_failed(e, session.stderr, status);
            }
        }
    }
    if let Err(e) = session.stdout.flush() {
        let status = session.status(unreadable);
        return output_failed(e, session.stderr, status);
    }
    let replayed = matches!(session.sink, Sink::Replay(_));
    if replayed || session.progress || session.stats.errors > 0 || unreadable {
        let _ = writeln!(session.stderr, "{}", session.stats);
    }
    if let Sink::Replay(replayer) = &session.sink {
        let _ = writeln!(session.stderr, "{}", replayer.stats);
    }
    session.status(unreadable)
}

/// What happens to each decoded event.
enum Sink<'p> {
    /// `decode`: print it.
    Print {
        /// Leave out `raw`.
        no_raw: bool,
    },
    /// `replay`: run it through the plugins and print what they decide.
    Replay(Box<Replayer<'p>>),
}

/// Runs events through plugins for `replay`, and what they decide through the dry-run
/// executor: the real execution path (routing, EventBridge batching, client directives per
/// agent, one outcome per action) with a [`Recorder`] standing in for every outside system.
struct Replayer<'p> {
    plugins: &'p Plugins,
    logs: bool,
    stats: ReplayStats,
    executor: Executor,
    runtime: tokio::runtime::Runtime,
}

/// One line of `replay` output: a granted action and where it came from.
#[derive(Serialize)]
struct ReplayLine<'a> {
    event_id: &'a str,
    kind: &'a str,
    plugin: &'a str,
    index: usize,
    action: &'a str,
    parameters: Value,
    /// What the dry-run executor made of it (`done`, `deferred-to-client`, `failed`).
    outcome: &'a str,
}

/// Counts for the `replay` summary.
#[derive(Debug, Default)]
struct ReplayStats {
    events: u64,
    plugin_runs: u64,
    actions: u64,
    denied: u64,
    failures: u64,
    failed_events: u64,
    failed_actions: u64,
}

impl fmt::Display for ReplayStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "replayed {} events ({} plugin runs): {} actions decided, {} denied, {} plugin \
             failures, {} events failed by a plugin's failure policy, {} actions failed in \
             the dry-run executor",
            self.events,
            self.plugin_runs,
            self.actions,
            self.denied,
            self.failures,
            self.failed_events,
            self.failed_actions
        )
    }
}

impl Replayer<'_> {
    /// Dispatches one event; prints granted actions on `stdout`, and denials, failures and
    /// (with `--logs`) plugin logs on `stderr`, each prefixed by where the event came from.
    fn replay(
        &mut self,
        event: &Event,
        at: &str,
        line: &mut Vec<u8>,
        stdout: &mut dyn Write,
        stderr: &mut dyn Write,
    ) -> io::Result<()> {
        self.stats.events += 1;
        let dispatch = self.plugins.dispatch(event);
        if dispatch.failed_event() {
            self.stats.failed_events += 1;
        }
        let mut planned = Vec::new();
        for run in &dispatch.runs {
            self.stats.plugin_runs += 1;
            if self.logs {
                for log in &run.logs {
                    let _ = writeln!(
                        stderr,
                        "{at}: {}: {} [{}] {}",
                        event.id,
                        run.plugin,
                        log.level.as_str(),
                        log.message
                    );
                }
                if run.logs_dropped > 0 {
                    let _ = writeln!(
                        stderr,
                        "{at}: {}: {}: {} log lines dropped (max_log_kib)",
                        event.id, run.plugin, run.logs_dropped
                    );
                }
            }
            let decisions = match &run.result {
                Ok(decisions) => decisions,
                Err(failure) => {
                    self.stats.failures += 1;
                    let _ = writeln!(
                        stderr,
                        "{at}: {}: plugin {} failed ({}): {failure}",
                        event.id,
                        run.plugin,
                        failure.kind()
                    );
                    continue;
                }
            };
            for decision in decisions {
                if let Err(denial) = &decision.verdict {
                    self.stats.denied += 1;
                    let _ = writeln!(
                        stderr,
                        "{at}: {}: plugin {} action [{}]: {denial}",
                        event.id, run.plugin, decision.index
                    );
                    continue;
                }
                self.stats.actions += 1;
                planned.push(Planned {
                    event_id: event.id.clone(),
                    plugin: run.plugin.clone(),
                    index: decision.index,
                    action: decision.action.clone(),
                    denied: None,
                    resources: Vec::new(),
                });
            }
        }
        if planned.is_empty() {
            return Ok(());
        }
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        let execution = self
            .runtime
            .block_on(self.executor.execute(&planned, deadline));
        for (plan, done) in planned.iter().zip(&execution.outcomes) {
            if let Outcome::Failed { code, reason, .. } = &done.outcome {
                self.stats.failed_actions += 1;
                let _ = writeln!(
                    stderr,
                    "{at}: {}: plugin {} action [{}] {} failed ({code}): {reason}",
                    event.id,
                    plan.plugin,
                    plan.index,
                    plan.action.type_name()
                );
            }
            let mut parameters = serde_json::to_value(&plan.action)?;
            if let Some(fields) = parameters.as_object_mut() {
                fields.remove("type");
            }
            let record = ReplayLine {
                event_id: &event.id,
                kind: event.kind.as_str(),
                plugin: &plan.plugin,
                index: plan.index,
                action: plan.action.type_name(),
                parameters,
                outcome: done.outcome.kind(),
            };
            line.clear();
            serde_json::to_writer(&mut *line, &record)?;
            line.push(b'\n');
            stdout.write_all(line)?;
        }
        Ok(())
    }
}

/// Counts for progress and the summary.
#[derive(Debug, Default)]
struct Stats {
    /// Documents and array elements seen, including those that failed before decoding.
    documents: u64,
    /// Events printed.
    events: u64,
    /// Documents with at least one error.
    failed: u64,
    /// Errors reported.
    errors: u64,
    /// Bytes read from all inputs.
    bytes: u64,
}

impl Stats {
    fn progress(&self) -> String {
        format!(
            "decode: {} documents, {} events, {} errors ({:.1} MB read)",
            self.documents,
            self.events,
            self.errors,
            self.bytes as f64 / 1e6
        )
    }
}

impl fmt::Display for Stats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "decoded {} events from {} documents ({} failed)",
            self.events, self.documents, self.failed
        )
    }
}

/// One run of `decode`: decodes pieces as the splitter finds them, prints events, reports errors.
struct Session<'a> {
    limits: Limits,
    sink: Sink<'a>,
    progress: bool,
    stdout: &'a mut dyn Write,
    stderr: &'a mut dyn Write,
    stats: Stats,
    /// Bytes read from the inputs before the current one.
    bytes_before: u64,
    last_progress: Instant,
    /// The event being printed, reused.
    line: Vec<u8>,
}

impl Session<'_> {
    fn decode_input(&mut self, name: &str, reader: &mut dyn BufRead) -> Result<(), SplitError> {
        let max = self.limits.max_document_bytes;
        let mut read = 0;
        let result = input::split(reader, max, &mut |piece| {
            read = piece.bytes_read;
            self.piece(name, piece)
        });
        self.bytes_before += read;
        result
    }

    fn piece(&mut self, name: &str, piece: Piece<'_>) -> io::Result<()> {
        self.stats.documents += 1;
        self.stats.bytes = self.bytes_before + piece.bytes_read;
        let errors_before = self.stats.errors;
        match piece.body {
            Body::Document(doc) => {
                let decoded = decode_slice(doc, &self.limits);
                for error in decoded.errors {
                    let error = input::at_line(error, piece.line);
                    self.report(name, piece.line, piece.index, &error);
                }
                for event in decoded.events {
                    self.handle(name, piece.line, event)?;
                }
            }
            Body::Problem(problem) => self.report(name, piece.line, piece.index, &problem),
        }
        if self.stats.errors > errors_before {
            self.stats.failed += 1;
        }
        if self.progress && self.last_progress.elapsed() >= Duration::from_secs(1) {
            self.last_progress = Instant::now();
            let _ = writeln!(self.stderr, "{}", self.stats.progress());
        }
        Ok(())
    }

    fn report(&mut self, name: &str, line: usize, index: Option<usize>, error: &dyn fmt::Display) {
        self.stats.errors += 1;
        let _ = match index {
            Some(index) => writeln!(self.stderr, "{name}:{line}: [{index}]: {error}"),
            None => writeln!(self.stderr, "{name}:{line}: {error}"),
        };
    }

    fn handle(&mut self, name: &str, line: usize, mut event: Event) -> io::Result<()> {
        self.stats.events += 1;
        match &mut self.sink {
            Sink::Print { no_raw } => {
                if *no_raw {
                    // A null `raw` is left out of the JSON; the other fields keep their order.
                    event.raw = Value::Null;
                }
                self.line.clear();
                serde_json::to_writer(&mut self.line, &event)?;
                self.line.push(b'\n');
                self.stdout.write_all(&self.line)
            }
            Sink::Replay(replayer) => replayer.replay(
                &event,
                &format!("{name}:{line}"),
                &mut self.line,
                self.stdout,
                self.stderr,
            ),
        }
    }

    fn status(&self, unreadable: bool) -> u8 {
        if unreadable {
            EXIT_USAGE_OR_IO
        } else if self.stats.failed > 0 {
            EXIT_DECODE_FAILED
        } else {
            EXIT_OK
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs the tool in-process; returns (status, stdout, stderr).
    fn run_with(args: &[&str], stdin: &[u8]) -> (u8, String, String) {
        let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
        let mut stdin = stdin;
        let console = Console {
            stdin: &mut stdin,
            stdout: &mut stdout,
            stderr: &mut stderr,
            stderr_is_terminal: false,
        };
        let args = std::iter::once("streamhooks").chain(args.iter().copied());
        let status = run(args, console);
        (
            status,
            String::from_utf8_lossy(&stdout).into_owned(),
            String::from_utf8_lossy(&stderr).into_owned(),
        )
    }

    #[test]
    fn kinds_lists_every_kind_with_its_description() {
        let (status, out, _) = run_with(&["kinds"], b"");
        assert_eq!(status, EXIT_OK);
        assert_eq!(out.lines().count(), EventKind::ALL.len());
        assert!(out.contains("contact-connected-to-agent\tThe contact was connected to an agent"));
        let (_, out, _) = run_with(&["kinds", "--json"], b"");
        let kinds: serde_json::Value = serde_json::from_str(&out).expect("kinds --json is JSON");
        assert_eq!(kinds[0]["kind"], EventKind::ALL[0].as_str());
    }

    #[test]
    fn decode_errors_name_the_input_and_line() {
        let input = b"\n{\"hello\": 1}\n{\"a\":\n[{\"b\": 2}, 3]\n";
        let (status, out, err) = run_with(&["decode"], input);
        assert_eq!(status, EXIT_DECODE_FAILED);
        assert_eq!(out, "");
        let lines: Vec<&str> = err.lines().collect();
        assert!(
            lines[0]
                .starts_with("<stdin>:2: unrecognised event format (an object with keys hello)"),
            "{err}"
        );
        assert!(
            lines[1].starts_with("<stdin>:3: invalid JSON at line 3, column 5: EOF while parsing"),
            "{err}"
        );
        assert!(
            lines[2].starts_with("<stdin>:4: [0]: unrecognised"),
            "{err}"
        );
        assert!(
            lines[3].starts_with("<stdin>:4: [1]: unrecognised"),
            "{err}"
        );
        // Something failed, so the summary is printed even without --progress.
        assert_eq!(lines[4], "decoded 0 events from 4 documents (4 failed)");
    }

    #[test]
    fn no_raw_keeps_the_field_order() {
        let line = SAMPLE.lines().next().expect("the sample has a line");
        let (status, with_raw, err) = run_with(&["decode"], line.as_bytes());
        assert_eq!(status, EXIT_OK, "{err}");
        let (_, out, _) = run_with(&["decode", "--no-raw"], line.as_bytes());
        assert_eq!(out.lines().count(), with_raw.lines().count());
        assert!(out.lines().count() > 0);
        for (full, trimmed) in with_raw.lines().zip(out.lines()) {
            assert!(trimmed.starts_with("{\"version\":1,\"id\":"), "{trimmed}");
            assert!(!trimmed.contains("\"raw\""), "{trimmed}");
            // Everything but `raw` is as without --no-raw.
            let mut full: Value = serde_json::from_str(full).expect("an event");
            assert!(full.as_object_mut().and_then(|f| f.remove("raw")).is_some());
            assert_eq!(
                full,
                serde_json::from_str::<Value>(trimmed).expect("an event")
            );
        }
    }

    #[test]
    fn decode_of_nothing_succeeds_quietly() {
        assert_eq!(
            run_with(&["decode", "-"], b"\n\n"),
            (0, String::new(), String::new())
        );
        let (status, _, err) = run_with(&["decode", "--progress"], b"");
        assert_eq!(status, EXIT_OK);
        assert_eq!(err, "decoded 0 events from 0 documents (0 failed)\n");
    }

    #[test]
    fn unreadable_files_are_reported_and_the_others_decoded() {
        let (status, _, err) = run_with(&["decode", "/nonexistent/streamhooks", "-"], b"[1]\n");
        assert_eq!(status, EXIT_USAGE_OR_IO);
        assert!(
            err.starts_with("streamhooks: cannot read /nonexistent/streamhooks: "),
            "{err}"
        );
        assert!(err.contains("<stdin>:1: [0]: unrecognised"), "{err}");
    }

    #[test]
    fn usage_errors_exit_2_and_help_exits_0() {
        let (status, _, err) = run_with(&["decode", "--bogus"], b"");
        assert_eq!(status, EXIT_USAGE_OR_IO);
        assert!(err.contains("--bogus"), "{err}");
        let (status, _, err) = run_with(&["decode", "--sample", "file.json"], b"");
        assert_eq!(status, EXIT_USAGE_OR_IO);
        assert!(err.contains("cannot be used with"), "{err}");
        let (status, out, _) = run_with(&["decode", "--help"], b"");
        assert_eq!(status, EXIT_OK);
        assert!(out.contains("Input rules"), "{out}");
    }

    #[test]
    fn a_closed_output_pipe_stops_quietly() {
        struct Closed;
        impl Write for Closed {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::ErrorKind::BrokenPipe.into())
            }
            fn flush(&mut self) -> io::Result<()> {
                Err(io::ErrorKind::BrokenPipe.into())
            }
        }
        let mut stderr = Vec::new();
        let console = Console {
            stdin: &mut &b""[..],
            stdout: &mut Closed,
            stderr: &mut stderr,
            stderr_is_terminal: false,
        };
        assert_eq!(run(["streamhooks", "kinds"], console), EXIT_OK);
        assert!(stderr.is_empty());
    }
}
