//! streamhooks' engine against three baselines on the same handler (screen-pop) and the same
//! canonical event, in one process, interleaved, so that the ratios hold on a noisy machine:
//!
//! - native: the handler as plain Rust in the host process (`native.rs`): the physical limit;
//! - naive wasmtime: the same component under wasmtime's default configuration, a new linker,
//!   store and instance per event (`naive.rs`); with `InstancePre` as a middle step;
//! - Extism: the same handler written with Extism's Rust PDK, hosted by the `extism` crate
//!   (`peer.rs`), both as Extism documents it (one plugin instance called for every event)
//!   and with a fresh instance per event (the isolation streamhooks gives every call).
//!
//! Every case must return the same screen pop (checked before timing). Run with
//! `bench/peers/run.sh`; see BENCHMARKS.md.

mod naive;
mod native;
mod peer;

use std::collections::HashMap;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use streamhooks_actions::Action;
use streamhooks_actions::manifest::Manifest;
use streamhooks_engine::{Engine, MemoryStore, Plugins};
use streamhooks_events::{Event, EventKind, Limits, decode_slice};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repository root")
}

fn env_path(var: &str, default: PathBuf) -> PathBuf {
    std::env::var_os(var).map(PathBuf::from).unwrap_or(default)
}

fn sample_events() -> Vec<Event> {
    let text = std::fs::read(repo().join("examples/sample-day.jsonl")).expect("sample day");
    text.split(|b| *b == b'\n')
        .filter(|line| !line.is_empty())
        .flat_map(|line| decode_slice(line, &Limits::default()).events)
        .collect()
}

fn size(event: &Event) -> usize {
    serde_json::to_vec(event).map(|v| v.len()).unwrap_or(0)
}

/// The first `kind` event whose canonical JSON is 2-8 KB, as tests/benches/engine.rs picks.
fn pick(events: &[Event], kind: EventKind) -> Option<&Event> {
    let of_kind = || events.iter().filter(move |e| e.kind == kind);
    of_kind()
        .find(|e| (2048..=8192).contains(&size(e)))
        .or_else(|| of_kind().next())
}

struct Case<'a> {
    label: &'static str,
    call: Box<dyn FnMut() + 'a>,
    times: Vec<Duration>,
}

impl<'a> Case<'a> {
    fn new(label: &'static str, call: impl FnMut() + 'a) -> Case<'a> {
        Case {
            label,
            call: Box::new(call),
            times: Vec::new(),
        }
    }

    fn run(&mut self, iterations: usize, keep: bool) {
        for _ in 0..iterations {
            let start = Instant::now();
            (self.call)();
            let elapsed = start.elapsed();
            if keep {
                self.times.push(elapsed);
            }
        }
    }

    fn stats(&self) -> Stats {
        let mut times = self.times.clone();
        times.sort();
        let n = times.len();
        Stats {
            p50: times[n / 2],
            p99: times[n * 99 / 100],
            mean: times.iter().sum::<Duration>() / n as u32,
            n,
        }
    }
}

#[derive(Clone, Copy)]
struct Stats {
    p50: Duration,
    p99: Duration,
    mean: Duration,
    n: usize,
}

/// This process's resident memory (`VmRSS`), KiB.
fn resident_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

fn us(d: Duration) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6)
}

fn main() {
    // `cargo bench`/`cargo run` may pass `--bench`; nothing else is read from the arguments.
    let rounds: usize = std::env::var("PEERS_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    let per_round: usize = std::env::var("PEERS_PER_ROUND")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let plugins_dir = env_path(
        "STREAMHOOKS_PLUGINS_DIR",
        repo().join("target/plugins/examples"),
    );
    let plugin_dir = plugins_dir.join("screen-pop");
    let guest_path = env_path(
        "EXTISM_GUEST",
        repo().join("target/bench/extism_screen_pop.wasm"),
    );
    assert!(
        plugin_dir.is_dir(),
        "{} is missing: run scripts/build-plugins.sh first",
        plugin_dir.display()
    );
    assert!(
        guest_path.is_file(),
        "{} is missing: run bench/peers/run.sh (it builds the Extism guest)",
        guest_path.display()
    );

    let rss_start = resident_kib();
    let events = sample_events();
    let event = pick(&events, EventKind::ContactConnecting).expect("a contact-connecting event");
    let event_json_len = size(event);
    let manifest = Manifest::from_path(&plugin_dir.join("plugin.toml")).expect("manifest");
    let component = std::fs::read(&manifest.component).expect("screen-pop component");
    let guest = std::fs::read(&guest_path).expect("Extism guest");

    // streamhooks: the engine as the functions use it (pooling allocator, InstancePre, limits,
    // epoch deadline, authorization), state writes deferred so that every call pops.
    let engine = Engine::new().expect("engine");
    let plugins: Plugins = engine
        .load(
            &plugin_dir.join("plugin.toml"),
            Arc::new(MemoryStore::new()),
        )
        .expect("load screen-pop");
    let native = native::Native {
        config: manifest.config.clone(),
        state: HashMap::new(),
    };
    let naive = naive::Naive::new(&component, manifest.config.clone()).expect("naive host");
    let naive_pre = naive.pre().expect("naive InstancePre");
    // Tuning rows: the engine's wasmtime settings without its limits and authorization, then
    // with pages kept resident between instances, then with copy-on-write memory images.
    let tuned = |keep: usize, cow: bool| {
        naive::Naive::with_wasmtime(
            &naive::pooled_config(keep, cow),
            &component,
            manifest.config.clone(),
        )
        .expect("pooled host")
    };
    let pooled = tuned(0, false);
    let pooled = pooled.pre().expect("pooled InstancePre");
    let resident = tuned(1 << 20, false);
    let resident = resident.pre().expect("resident InstancePre");
    let resident_cow = tuned(1 << 20, true);
    let resident_cow = resident_cow.pre().expect("resident cow InstancePre");
    let peer = peer::Peer::new(&guest, &manifest.config).expect("Extism plugin");
    let mut extism_plugin = peer.instance().expect("Extism instance");
    let rss_loaded = resident_kib();

    // The same decision from every case, or the comparison means nothing.
    let expected = native.handle(event).expect("native");
    assert_eq!(expected.actions.len(), 1, "screen-pop pops on this event");
    assert!(expected.state_write.is_some());
    let dispatch = plugins.dispatch_deferred(event);
    let ours: Vec<Action> = dispatch.granted().map(|(_, a)| a.clone()).collect();
    assert_eq!(ours, expected.actions, "streamhooks");
    assert_eq!(dispatch.runs[0].state_writes.len(), 1);
    let n = naive.handle(event).expect("naive");
    assert_eq!(n.actions, expected.actions, "naive");
    assert_eq!(n.writes, 1);
    for host in [&naive_pre, &pooled, &resident, &resident_cow] {
        let n = host.handle(event).expect("naive pre");
        assert_eq!(n.actions, expected.actions, "naive pre");
    }
    let (x, writes) = peer.handle(&mut extism_plugin, event).expect("extism");
    assert_eq!(x, expected.actions, "extism");
    assert_eq!(writes, 1);
    let mut fresh = peer.instance().expect("extism fresh");
    let (x, _) = peer.handle(&mut fresh, event).expect("extism fresh");
    assert_eq!(x, expected.actions, "extism fresh");
    drop(fresh);

    println!(
        "screen-pop on {} ({} B canonical JSON), {rounds} rounds x {per_round} calls per case, interleaved",
        event.kind, event_json_len
    );
    if let Some(Action::Client(c)) = expected.actions.first() {
        println!("every case returns: {:?}", c.directive);
    }

    let mut cases = vec![
        Case::new("native Rust, in process", || {
            black_box(native.handle(black_box(event)).ok());
        }),
        Case::new("streamhooks engine (pooled, InstancePre)", || {
            black_box(plugins.dispatch_deferred(black_box(event)));
        }),
        Case::new("naive wasmtime: InstancePre, no pooling", || {
            black_box(naive_pre.handle(black_box(event)).ok());
        }),
        Case::new("naive wasmtime: linker+store+instantiate", || {
            black_box(naive.handle(black_box(event)).ok());
        }),
        Case::new("wasmtime, engine's settings, no limits", || {
            black_box(pooled.handle(black_box(event)).ok());
        }),
        Case::new("  + 1 MiB kept resident per memory/table", || {
            black_box(resident.handle(black_box(event)).ok());
        }),
        Case::new("  + copy-on-write memory images", || {
            black_box(resident_cow.handle(black_box(event)).ok());
        }),
        Case::new("Extism: one plugin, reused (documented use)", || {
            black_box(peer.handle(&mut extism_plugin, black_box(event)).ok());
        }),
        Case::new("Extism: fresh instance per event", || {
            let mut plugin = peer.instance().expect("extism instance");
            black_box(peer.handle(&mut plugin, black_box(event)).ok());
        }),
    ];
    // Warm-up, then rounds in which every case runs in turn: drift and neighbours' load
    // spread over all cases alike.
    for case in &mut cases {
        case.run(per_round / 5, false);
    }
    for _ in 0..rounds {
        for case in &mut cases {
            case.run(per_round, true);
        }
    }
    // Compiling per event is three orders of magnitude off; a few calls show it.
    let mut compiling = Case::new("naive wasmtime: compile+instantiate per event", || {
        black_box(naive.handle_compiling(&component, black_box(event)).ok());
    });
    compiling.run(2, false);
    compiling.run(20, true);

    let stats: Vec<(&str, Stats)> = cases
        .iter()
        .chain(std::iter::once(&compiling))
        .map(|c| (c.label, c.stats()))
        .collect();
    let ours = stats[1].1;
    println!();
    println!(
        "| case | p50 | p99 | mean | events/s (1 core) | streamhooks ÷ case (p50) | (mean) | calls |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for (label, s) in &stats {
        println!(
            "| {label} | {} | {} | {} | {:.0} | {:.3} | {:.3} | {} |",
            us(s.p50),
            us(s.p99),
            us(s.mean),
            1.0 / s.mean.as_secs_f64(),
            ours.p50.as_secs_f64() / s.p50.as_secs_f64(),
            ours.mean.as_secs_f64() / s.mean.as_secs_f64(),
            s.n
        );
    }
    println!();
    let ratio = |i: usize| {
        (
            ours.p50.as_secs_f64() / stats[i].1.p50.as_secs_f64(),
            ours.mean.as_secs_f64() / stats[i].1.mean.as_secs_f64(),
        )
    };
    for (name, i) in [
        ("native", 0),
        ("naive wasmtime (linker+store+instantiate)", 3),
        ("Extism, reused instance", 7),
        ("Extism, fresh instance", 8),
    ] {
        let (p50, mean) = ratio(i);
        println!("streamhooks / {name}: {p50:.2}x at p50, {mean:.2}x mean");
    }
    println!(
        "\nresident memory of this process: {:.1} MiB at start, {:.1} MiB with every host set up, \
         {:.1} MiB after the runs",
        rss_start as f64 / 1024.0,
        rss_loaded as f64 / 1024.0,
        resident_kib() as f64 / 1024.0
    );
}
