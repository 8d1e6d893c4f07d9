//! Memory per pooled instance: what one more instance alive at once costs the process.
//!
//! ```sh
//! bash scripts/build-plugins.sh --all
//! cargo bench -p streamhooks-tests --bench memory
//! ```
//!
//! For screen-pop in Rust, JavaScript and Python (each loaded alone), 8 threads are started and
//! parked first (so their stacks are in the baseline); then 1, 2, 4 and 8 of them call the
//! plugin on the same event in a loop for a while, so that that many pool slots are in use at
//! once. After each step the process's resident memory (`VmRSS`) and its peak (`VmHWM`) are
//! read from `/proc/self/status`. The slope between 1 and 8 concurrent instances is the memory
//! one more pooled instance holds: while it runs (the peak) and once it is back in the pool
//! (resident after the calls, which the allocator's keep-resident setting bounds).
//! `MEMORY_STEP_MS` (default 300) sets how long each step calls.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::time::Duration;

use streamhooks_engine::{Engine, MemoryStore, Plugins};
use streamhooks_events::{Event, EventKind};
use streamhooks_tests::inputs::{repo, sample_day};
use streamhooks_tests::lambda_api::resident_kib;

/// Resets the peak (`VmHWM`) to the current resident size (Linux: write 5 to clear_refs).
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn connecting_event() -> Event {
    sample_day()
        .into_iter()
        .find(|e| {
            e.kind == EventKind::ContactConnecting
                && e.contact
                    .as_ref()
                    .is_some_and(|c| c.attributes.contains_key("CustomerId"))
        })
        .expect("a contact-connecting event with a CustomerId")
}

const THREADS: usize = 8;

/// One plugin's rows: (concurrent instances, resident KiB after, peak KiB during, calls).
fn measure(
    plugins: Arc<Plugins>,
    event: Arc<Event>,
    step: Duration,
) -> Vec<(usize, u64, u64, u64)> {
    let active = Arc::new(AtomicUsize::new(0));
    let running = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));
    let calls = Arc::new(AtomicU64::new(0));
    let barrier = Arc::new(Barrier::new(THREADS + 1));
    let threads: Vec<_> = (0..THREADS)
        .map(|i| {
            let (plugins, event) = (plugins.clone(), event.clone());
            let (active, running, stop, calls, barrier) = (
                active.clone(),
                running.clone(),
                stop.clone(),
                calls.clone(),
                barrier.clone(),
            );
            std::thread::spawn(move || {
                loop {
                    barrier.wait(); // a step starts (or the end)
                    if stop.load(Ordering::SeqCst) {
                        return;
                    }
                    while running.load(Ordering::SeqCst) && i < active.load(Ordering::SeqCst) {
                        let run = plugins.run("screen-pop", &event).expect("loaded");
                        assert!(
                            run.result.is_ok(),
                            "screen-pop fails: {:?}",
                            run.result.err()
                        );
                        calls.fetch_add(1, Ordering::Relaxed);
                    }
                    barrier.wait(); // the step is over
                }
            })
        })
        .collect();
    let mut rows = Vec::new();
    for concurrent in [1, 2, 4, 8] {
        active.store(concurrent, Ordering::SeqCst);
        running.store(true, Ordering::SeqCst);
        calls.store(0, Ordering::SeqCst);
        reset_peak();
        barrier.wait();
        std::thread::sleep(step);
        running.store(false, Ordering::SeqCst);
        barrier.wait();
        let (rss, peak) = resident_kib(None);
        rows.push((concurrent, rss, peak, calls.load(Ordering::SeqCst)));
    }
    stop.store(true, Ordering::SeqCst);
    barrier.wait();
    for thread in threads {
        thread.join().unwrap();
    }
    rows
}

fn mib(kib: f64) -> String {
    format!("{:.2} MiB", kib / 1024.0)
}

fn main() {
    let step = Duration::from_millis(
        std::env::var("MEMORY_STEP_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(300),
    );
    let event = Arc::new(connecting_event());
    let engine = Engine::new().expect("engine");
    println!(
        "memory per pooled instance: screen-pop called by 1, 2, 4, 8 threads at once, {} ms per step",
        step.as_millis()
    );
    println!();
    println!(
        "| plugin | memory_mib | resident after load | concurrent | resident after | peak during | calls |"
    );
    println!("|---|---|---|---|---|---|---|");
    let mut slopes = Vec::new();
    for (language, group) in [
        ("Rust", "examples"),
        ("JavaScript", "js"),
        ("Python", "python"),
    ] {
        let dir = repo().join("target/plugins").join(group).join("screen-pop");
        assert!(
            dir.join("plugin.toml").is_file(),
            "{} is missing: run scripts/build-plugins.sh --all first",
            dir.display()
        );
        let (before, _) = resident_kib(None);
        let plugins = Arc::new(
            engine
                .load(&dir.join("plugin.toml"), Arc::new(MemoryStore::new()))
                .unwrap_or_else(|e| panic!("{e}")),
        );
        let (loaded, _) = resident_kib(None);
        let memory_mib = plugins
            .iter()
            .next()
            .unwrap()
            .manifest()
            .limits
            .memory_bytes
            >> 20;
        let rows = measure(plugins.clone(), event.clone(), step);
        for (concurrent, rss, peak, calls) in &rows {
            println!(
                "| screen-pop ({language}) | {memory_mib} | +{} | {concurrent} | {} | {} | {calls} |",
                mib((loaded - before) as f64),
                mib(*rss as f64),
                mib(*peak as f64),
            );
        }
        let (first, last) = (rows[0], rows[rows.len() - 1]);
        let n = (last.0 - first.0) as f64;
        slopes.push((
            language,
            (last.1 as f64 - first.1 as f64) / n,
            (last.2 as f64 - first.2 as f64) / n,
        ));
        drop(plugins);
    }
    println!();
    println!("| plugin | per pooled instance, resident after use | per running instance, peak |");
    println!("|---|---|---|");
    for (language, resident, peak) in slopes {
        println!(
            "| screen-pop ({language}) | {} | {} |",
            mib(resident),
            mib(peak)
        );
    }
}
