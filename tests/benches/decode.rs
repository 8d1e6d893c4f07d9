//! Decode throughput per source format: the bundled sample day's documents (EventBridge
//! contact events, Lambda Kinesis events of the agent event stream, forwarded Streams
//! batches), each decoded from bytes to canonical events as the functions do
//! (`streamhooks_events::decode_slice`: JSON parse, detection, decoding, limits).
//!
//! ```sh
//! cargo bench -p streamhooks-tests --bench decode
//! ```
//!
//! Formats are timed in interleaved rounds in one process, so their ratios hold on a noisy
//! machine. `DECODE_ROUNDS` (default 30) sets the rounds over the whole sample day.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use streamhooks_events::{Format, Limits, decode_slice, detect};

struct Group {
    label: &'static str,
    documents: Vec<Vec<u8>>,
    events: usize,
    canonical_bytes: usize,
    times: Vec<Duration>,
}

fn main() {
    let rounds: usize = std::env::var("DECODE_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let text = std::fs::read(root.join("examples/sample-day.jsonl")).expect("sample day");
    let limits = Limits::default();
    let mut groups = [
        ("EventBridge contact event", Format::EventBridge),
        ("Kinesis event (agent event stream)", Format::KinesisEvent),
        ("Streams batch (forwarder)", Format::StreamsBatch),
    ]
    .map(|(label, _)| Group {
        label,
        documents: Vec::new(),
        events: 0,
        canonical_bytes: 0,
        times: Vec::new(),
    });
    for line in text.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
        let value: serde_json::Value = serde_json::from_slice(line).unwrap();
        let index = match detect(&value) {
            Some(Format::EventBridge) => 0,
            Some(Format::KinesisEvent) => 1,
            Some(Format::StreamsBatch) => 2,
            other => panic!("unexpected format in the sample day: {other:?}"),
        };
        let decoded = decode_slice(line, &limits);
        assert!(decoded.errors.is_empty(), "{:?}", decoded.errors);
        let group = &mut groups[index];
        group.events += decoded.events.len();
        group.canonical_bytes += decoded
            .events
            .iter()
            .map(|e| serde_json::to_vec(e).unwrap().len())
            .sum::<usize>();
        group.documents.push(line.to_vec());
    }
    // Warm-up, then interleaved rounds: each round decodes every document of each format once.
    for group in &groups {
        for doc in &group.documents {
            black_box(decode_slice(black_box(doc), &limits));
        }
    }
    for _ in 0..rounds {
        for group in &mut groups {
            let start = Instant::now();
            for doc in &group.documents {
                black_box(decode_slice(black_box(doc), &limits));
            }
            group.times.push(start.elapsed());
        }
    }

    println!(
        "decode, sample day, {rounds} rounds; per-round medians (one thread)\n\n\
         | format | documents | events | input per document | canonical event | per event | events/s | MB/s in |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|"
    );
    for group in &mut groups {
        group.times.sort();
        let round = group.times[group.times.len() / 2];
        let input: usize = group.documents.iter().map(Vec::len).sum();
        let per_event = round / group.events as u32;
        println!(
            "| {} | {} | {} | {:.1} KB | {:.1} KB | {:.1} µs | {:.0} | {:.0} |",
            group.label,
            group.documents.len(),
            group.events,
            input as f64 / group.documents.len() as f64 / 1000.0,
            group.canonical_bytes as f64 / group.events as f64 / 1000.0,
            per_event.as_secs_f64() * 1e6,
            group.events as f64 / round.as_secs_f64(),
            input as f64 / round.as_secs_f64() / 1e6,
        );
    }
}
