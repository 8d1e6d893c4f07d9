//! Plugin engine benchmark: instantiate + call per event, p50/p99, and events/s per core for one
//! and for five plugins, on realistic 2-8 KB events from the bundled sample day.
//!
//! ```sh
//! bash scripts/build-plugins.sh --all
//! cargo bench -p streamhooks-tests --bench engine
//! ```
//!
//! The JavaScript and Python versions of screen-pop and crm-call-log (`target/plugins/js`,
//! `target/plugins/python`) run on the same events as the Rust ones, for the cost of each
//! language's guest per call.
//!
//! Criterion measures the means; a second pass times single calls to report p50 and p99, which
//! criterion does not. Both run in one process, so the ratios between rows hold on a noisy
//! machine even when absolute numbers move.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use streamhooks_engine::{Engine, MemoryStore, Plugins};
use streamhooks_events::{Event, EventKind};
use streamhooks_tests::inputs::sample_day;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_owned()
}

fn built(kind: &str) -> PathBuf {
    let dir = repo().join("target/plugins").join(kind);
    assert!(
        dir.is_dir(),
        "{} is missing: run scripts/build-plugins.sh --all first",
        dir.display()
    );
    dir
}

fn size(event: &Event) -> usize {
    serde_json::to_vec(event).map(|v| v.len()).unwrap_or(0)
}

/// The first event of `kind` whose canonical JSON is 2-8 KB (the size the targets speak of),
/// or the first of that kind at all.
fn pick(events: &[Event], kind: EventKind) -> Option<&Event> {
    let of_kind = || events.iter().filter(move |e| e.kind == kind);
    of_kind()
        .find(|e| (2048..=8192).contains(&size(e)))
        .or_else(|| of_kind().next())
}

/// A plugin folder with `n` copies of the noop plugin (`noop-0` ... ), all subscribed to
/// `contact-connected`.
fn noop_copies(n: usize) -> PathBuf {
    let source = built("hostile").join("noop");
    let manifest = std::fs::read_to_string(source.join("plugin.toml")).expect("noop manifest");
    let dir = std::env::temp_dir().join(format!("streamhooks-bench-{}-{n}", std::process::id()));
    for i in 0..n {
        let copy = dir.join(format!("noop-{i}"));
        std::fs::create_dir_all(&copy).expect("temp dir");
        std::fs::write(
            copy.join("plugin.toml"),
            manifest.replace("name = \"noop\"", &format!("name = \"noop-{i}\"")),
        )
        .expect("write manifest");
        std::fs::copy(source.join("noop.wasm"), copy.join("noop.wasm")).expect("copy component");
    }
    dir
}

fn load(engine: &Engine, dir: &Path) -> Plugins {
    engine
        .load_dir(dir, Arc::new(MemoryStore::new()))
        .unwrap_or_else(|e| panic!("loading {}: {e}", dir.display()))
}

/// Checks a run succeeds, so the benchmark measures the path that matters.
fn run_ok(plugins: &Plugins, name: &str, event: &Event) {
    let run = plugins.run(name, event).expect("plugin loaded");
    if let Err(failure) = &run.result {
        panic!("{name} fails on {}: {failure}", event.kind);
    }
}

struct Case<'a> {
    label: String,
    plugins: &'a Plugins,
    plugin: Option<String>,
    event: &'a Event,
    /// Single calls timed for the percentiles (fewer for the slow JavaScript and Python guests).
    iterations: usize,
}

impl Case<'_> {
    fn call(&self) {
        match &self.plugin {
            Some(name) => {
                black_box(self.plugins.run(name, black_box(self.event)));
            }
            None => {
                black_box(self.plugins.dispatch(black_box(self.event)));
            }
        }
    }
}

fn percentiles(case: &Case<'_>) -> (Duration, Duration, Duration) {
    let iterations = case.iterations;
    for _ in 0..iterations / 10 {
        case.call();
    }
    let mut times = Vec::with_capacity(iterations);
    for _ in 0..iterations {
        let start = Instant::now();
        case.call();
        times.push(start.elapsed());
    }
    times.sort();
    let mean = times.iter().sum::<Duration>() / iterations as u32;
    (times[iterations / 2], times[iterations * 99 / 100], mean)
}

fn main() {
    let events = sample_day();
    let engine = Engine::new().expect("engine");
    let one_noop_dir = noop_copies(1);
    let five_noop_dir = noop_copies(5);
    let one_noop = load(&engine, &one_noop_dir);
    let five_noops = load(&engine, &five_noop_dir);
    let examples = load(&engine, &built("examples"));
    let in_js = load(&engine, &built("js"));
    let in_python = load(&engine, &built("python"));

    let connected = pick(&events, EventKind::ContactConnected).expect("a contact-connected event");
    run_ok(&one_noop, "noop-0", connected);

    let mut cases = vec![Case {
        label: format!("noop ({} B event)", size(connected)),
        plugins: &one_noop,
        plugin: Some("noop-0".into()),
        event: connected,
        iterations: 20_000,
    }];
    for plugin in examples.iter() {
        let name = plugin.name().to_owned();
        let Some(event) = plugin
            .manifest()
            .subscribe
            .iter()
            .find_map(|kind| pick(&events, *kind))
        else {
            continue;
        };
        run_ok(&examples, &name, event);
        cases.push(Case {
            label: format!("{name} on {} ({} B event)", event.kind, size(event)),
            plugins: &examples,
            plugin: Some(name.clone()),
            event,
            iterations: 20_000,
        });
        for (language, plugins) in [("JavaScript", &in_js), ("Python", &in_python)] {
            if plugins.get(&name).is_none() {
                continue;
            }
            run_ok(plugins, &name, event);
            cases.push(Case {
                label: format!("{name} in {language}, same event"),
                plugins,
                plugin: Some(name.clone()),
                event,
                iterations: 1_000,
            });
        }
    }
    cases.push(Case {
        label: "dispatch to 1 plugin (noop)".into(),
        plugins: &one_noop,
        plugin: None,
        event: connected,
        iterations: 20_000,
    });
    cases.push(Case {
        label: "dispatch to 5 plugins (noop x5)".into(),
        plugins: &five_noops,
        plugin: None,
        event: connected,
        iterations: 20_000,
    });

    let mut criterion = Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    {
        let mut group = criterion.benchmark_group("instantiate+call");
        group.throughput(Throughput::Elements(1));
        for case in &cases {
            group.bench_function(&case.label, |b| b.iter(|| case.call()));
        }
        group.finish();
    }
    {
        let mut group = criterion.benchmark_group("sample day");
        group.throughput(Throughput::Elements(events.len() as u64));
        group.sample_size(10);
        group.bench_function("5 example plugins, every event", |b| {
            b.iter(|| {
                for event in &events {
                    black_box(examples.dispatch(black_box(event)));
                }
            });
        });
        group.finish();
    }
    criterion.final_summary();

    println!(
        "\nper call, single thread (20,000 iterations each; 1,000 for JavaScript and Python):"
    );
    println!(
        "{:<55} {:>10} {:>10} {:>10} {:>12}",
        "case", "p50", "p99", "mean", "events/s"
    );
    for case in &cases {
        let (p50, p99, mean) = percentiles(case);
        println!(
            "{:<55} {:>10.1?} {:>10.1?} {:>10.1?} {:>12.0}",
            case.label,
            p50,
            p99,
            mean,
            1.0 / mean.as_secs_f64()
        );
    }
    let _ = std::fs::remove_dir_all(one_noop_dir);
    let _ = std::fs::remove_dir_all(five_noop_dir);
}
