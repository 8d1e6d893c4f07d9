//! Fixture tests: every documented sample decodes to the right kinds, the full canonical output
//! matches its golden file, every event round-trips, and every kind is exercised.
//!
//! - `tests/fixtures/**/*.json`: inputs, built from the AWS documentation samples and the
//!   Streams library's snapshot shapes.
//! - `tests/fixtures/expected-kinds.txt`: the kinds each input must yield, in order, written by
//!   hand from the rules (AWS docs, Streams' `src/core.js`), independently of the decoder.
//! - `tests/fixtures/**/*.events.jsonl`: golden canonical output (without `raw`, which is the
//!   input itself). Regenerate with `BLESS=1 cargo test -p streamhooks-events --test fixtures`
//!   and review the diff.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use serde_json::Value;
use streamhooks_events::{Event, EventKind, Limits, decode_slice};

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn inputs() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![fixture_dir()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("fixture dir readable") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "json") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn relative(path: &Path) -> String {
    path.strip_prefix(fixture_dir())
        .expect("under fixtures")
        .to_string_lossy()
        .replace('\\', "/")
}

struct Expected {
    kinds: Vec<String>,
    errors: usize,
}

fn expected() -> BTreeMap<String, Expected> {
    let text = std::fs::read_to_string(fixture_dir().join("expected-kinds.txt"))
        .expect("expected-kinds.txt");
    let mut out = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (path, rest) = line
            .split_once(':')
            .unwrap_or_else(|| panic!("expected-kinds.txt:{}: no `path:`", n + 1));
        let mut kinds = Vec::new();
        let mut errors = 0;
        for word in rest.split_whitespace() {
            if let Some(count) = word.strip_prefix('!') {
                errors = count.parse().expect("!N error count");
            } else {
                kinds.push(word.to_owned());
            }
        }
        let previous = out.insert(path.trim().to_owned(), Expected { kinds, errors });
        assert!(previous.is_none(), "{path} listed twice");
    }
    out
}

fn label(e: &Event) -> String {
    match &e.contact_id {
        Some(c) => format!("{}@{c}", e.kind),
        None => e.kind.to_string(),
    }
}

fn golden_lines(events: &[Event]) -> String {
    let mut out = String::new();
    for e in events {
        let mut e = e.clone();
        e.raw = Value::Null; // left out of the JSON
        out.push_str(&serde_json::to_string(&e).expect("serialize"));
        out.push('\n');
    }
    out
}

#[test]
fn fixtures_decode_to_expected_kinds_and_golden_output() {
    let expected = expected();
    let bless = std::env::var_os("BLESS").is_some();
    let mut failures = Vec::new();
    let mut seen_paths = BTreeSet::new();
    for path in inputs() {
        let rel = relative(&path);
        seen_paths.insert(rel.clone());
        let bytes = std::fs::read(&path).expect("fixture readable");
        let decoded = decode_slice(&bytes, &Limits::default());

        let Some(want) = expected.get(&rel) else {
            failures.push(format!("{rel}: not listed in expected-kinds.txt"));
            continue;
        };
        let got: Vec<String> = decoded.events.iter().map(label).collect();
        if got != want.kinds {
            failures.push(format!(
                "{rel}: kinds\n   got  {}\n   want {}",
                got.join(" "),
                want.kinds.join(" ")
            ));
        }
        if decoded.errors.len() != want.errors {
            failures.push(format!(
                "{rel}: {} errors, want {}: {:?}",
                decoded.errors.len(),
                want.errors,
                decoded
                    .errors
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
            ));
        }

        let ids: HashSet<&str> = decoded.events.iter().map(|e| e.id.as_str()).collect();
        if ids.len() != decoded.events.len() {
            failures.push(format!("{rel}: duplicate event ids"));
        }
        for e in &decoded.events {
            let text = serde_json::to_string(e).expect("serialize");
            let back: Event = serde_json::from_str(&text).expect("round trip parses");
            if &back != e {
                failures.push(format!("{rel}: {} does not round-trip", e.id));
            }
        }

        let golden_path = path.with_extension("events.jsonl");
        let actual = golden_lines(&decoded.events);
        if bless {
            std::fs::write(&golden_path, &actual).expect("write golden");
        } else {
            match std::fs::read_to_string(&golden_path) {
                Ok(golden) if golden == actual => {}
                Ok(golden) => {
                    let first_diff = golden
                        .lines()
                        .zip(actual.lines())
                        .position(|(a, b)| a != b)
                        .unwrap_or(golden.lines().count().min(actual.lines().count()));
                    failures.push(format!(
                        "{rel}: output differs from {} at event {} (BLESS=1 regenerates)",
                        relative(&golden_path),
                        first_diff + 1
                    ));
                }
                Err(_) => failures.push(format!(
                    "{rel}: no golden file {} (BLESS=1 writes it)",
                    relative(&golden_path)
                )),
            }
        }
    }
    for listed in expected.keys() {
        if !seen_paths.contains(listed) {
            failures.push(format!(
                "expected-kinds.txt lists {listed}, which does not exist"
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn every_kind_is_exercised_by_some_fixture() {
    let mut produced = BTreeSet::new();
    for path in inputs() {
        let bytes = std::fs::read(&path).expect("fixture readable");
        for e in decode_slice(&bytes, &Limits::default()).events {
            produced.insert(e.kind);
        }
    }
    let missing: Vec<&str> = EventKind::ALL
        .iter()
        .filter(|k| !produced.contains(k))
        .map(|k| k.as_str())
        .collect();
    assert!(
        missing.is_empty(),
        "no fixture yields: {}",
        missing.join(", ")
    );
}

#[test]
fn every_event_carries_the_documented_minimum() {
    for path in inputs() {
        let bytes = std::fs::read(&path).expect("fixture readable");
        for e in decode_slice(&bytes, &Limits::default()).events {
            let v: Value = serde_json::to_value(&e).expect("serialize");
            for field in [
                "id",
                "source",
                "kind",
                "occurred_at",
                "source_type",
                "version",
            ] {
                assert!(
                    v.get(field).is_some(),
                    "{}: {} lacks {field}",
                    relative(&path),
                    e.id
                );
            }
            if e.kind.is_contact() {
                assert!(
                    e.contact_id.is_some(),
                    "{}: {} lacks contact_id",
                    relative(&path),
                    e.id
                );
                assert_eq!(
                    e.contact.as_ref().map(|c| c.contact_id.as_str()),
                    e.contact_id.as_deref(),
                    "{}: {} contact snapshot disagrees",
                    relative(&path),
                    e.id
                );
            }
            if let Some(instance) = &e.instance_arn {
                assert!(
                    instance.contains(":instance/"),
                    "{}: {instance}",
                    relative(&path)
                );
            }
        }
    }
}
