//! The screen-pop and crm-call-log examples exist in Rust (`plugins/`), JavaScript
//! (`plugins/js/`, componentize-js) and Python (`plugins/python/`, componentize-py). Built
//! (`scripts/build-plugins.sh --all`) and run in the real engine over the same events, each
//! language's version must decide exactly what the Rust one decides: the same actions with the
//! same parameters byte for byte, the same grants, the same failures, and the same state left
//! behind (the state formats are shared, so a plugin can be rewritten in another language
//! without losing what it remembers).
//!
//! The events: the whole bundled sample day, then the same contacts' events again with hostile
//! attribute values (quotes, newlines, control characters, non-ASCII, URL syntax), and events
//! missing what the plugins need. `tests/plugins.rs` runs the README-level scenarios on each
//! language as well.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{Value, json};
use streamhooks_actions::Manifest;
use streamhooks_engine::{ComponentSource, Engine, MemoryStore, PluginRun, Plugins};
use streamhooks_events::Event;
use streamhooks_tests::inputs::{repo, sample_day};

const PLUGINS: [&str; 2] = ["screen-pop", "crm-call-log"];
const LANGUAGES: [(&str, &str); 2] = [("JavaScript", "js"), ("Python", "python")];

/// `target/plugins/<group>/<name>/plugin.toml`; panics with what to run when it is missing.
fn built(group: &str, name: &str) -> PathBuf {
    let manifest = repo()
        .join("target/plugins")
        .join(group)
        .join(name)
        .join("plugin.toml");
    assert!(
        manifest.is_file(),
        "{} is missing: these tests run the built plugins; run `bash scripts/build-plugins.sh --all` \
         from the repository root first",
        manifest.display()
    );
    manifest
}

/// Attribute values that a careless port would encode differently: JSON escapes, URL syntax,
/// non-ASCII (2, 3 and 4 bytes), control characters, an empty value.
const HOSTILE: [&str; 6] = [
    "quote \" backslash \\ slash / tab \t end",
    "line\nbreak\r\nand\u{0001}\u{001f}\u{007f}",
    "Zoë 李 🙂 \u{2028}\u{2029}",
    "C 10/01&ü?#=%20+",
    "",
    "{CustomerId}",
];

/// The sample day's contact events again, under new ids, with each hostile value as the
/// customer id and disposition; then events missing their agent or contact.
fn hostile_events(day: &[Event]) -> Vec<Event> {
    let mut out = Vec::new();
    let contact_kinds = [
        "contact-connecting",
        "contact-accepted",
        "contact-connected",
        "contact-acw",
        "contact-refresh",
        "contact-completed",
        "contact-ended",
    ];
    for (n, value) in HOSTILE.iter().enumerate() {
        for event in day
            .iter()
            .filter(|e| contact_kinds.contains(&e.kind.as_str()) && e.contact.is_some())
            .take(60)
        {
            let mut event = event.clone();
            event.id = format!("{}#hostile-{n}", event.id);
            // Other contacts: the sample day's contacts are remembered as popped and logged.
            let suffix = format!("-h{n}");
            if let Some(id) = event.contact_id.as_mut() {
                id.push_str(&suffix);
            }
            if let Some(contact) = event.contact.as_mut() {
                contact.contact_id.push_str(&suffix);
                for key in ["CustomerId", "Disposition"] {
                    contact
                        .attributes
                        .insert(key.to_owned(), (*value).to_owned());
                }
            }
            out.push(event);
        }
    }
    // Missing data: no agent, no contact at all.
    for event in day
        .iter()
        .filter(|e| contact_kinds.contains(&e.kind.as_str()))
        .take(20)
    {
        let mut no_agent = event.clone();
        no_agent.id = format!("{}#no-agent", event.id);
        no_agent.agent_arn = None;
        no_agent.agent = None;
        out.push(no_agent);
        let mut no_contact = event.clone();
        no_contact.id = format!("{}#no-contact", event.id);
        no_contact.contact_id = None;
        no_contact.contact = None;
        out.push(no_contact);
    }
    out
}

/// What one run decided, in a form that compares across languages: each action with its
/// parameters and verdict, or the failure with its kind and message.
fn outcome(run: &PluginRun) -> Value {
    match &run.result {
        Ok(decisions) => Value::Array(
            decisions
                .iter()
                .map(|d| {
                    json!({
                        "index": d.index,
                        "action": d.action,
                        "verdict": d.verdict.as_ref().map_err(ToString::to_string).err(),
                    })
                })
                .collect(),
        ),
        Err(failure) => json!({
            "failure": failure.kind(),
            "message": failure.to_string(),
            "retryable": failure.retryable(),
        }),
    }
}

struct Run {
    /// Per event (by position), the outcome; `null` when the plugin does not subscribe.
    outcomes: Vec<Value>,
    state: BTreeMap<String, Vec<u8>>,
    source: String,
}

fn run_all(engine: &Engine, manifest: &Path, name: &str, events: &[Event]) -> Run {
    let store = Arc::new(MemoryStore::new());
    let plugins: Plugins = engine
        .load(manifest, store.clone())
        .unwrap_or_else(|e| panic!("loading {}: {e}", manifest.display()));
    let source = plugins
        .iter()
        .map(|p| match p.source() {
            ComponentSource::Compiled => "compiled".to_owned(),
            ComponentSource::Precompiled => "precompiled".to_owned(),
            ComponentSource::ArtifactRefused { reason } => format!("artifact refused: {reason}"),
        })
        .collect();
    let outcomes = events
        .iter()
        .map(|event| {
            let mut dispatch = plugins.dispatch(event);
            assert!(dispatch.runs.len() <= 1, "one plugin, at most one run");
            dispatch.runs.pop().map_or(Value::Null, |run| outcome(&run))
        })
        .collect();
    Run {
        outcomes,
        state: store.snapshot(name),
        source,
    }
}

/// The manifest without what legitimately differs between languages: where it sits, the
/// component file, and the memory and time a bigger guest needs.
fn manifest_without_build_details(path: &Path) -> Manifest {
    let mut manifest = Manifest::from_path(path).unwrap_or_else(|e| panic!("{e}"));
    manifest.path = PathBuf::new();
    manifest.component = PathBuf::new();
    manifest.limits.memory_bytes = 0;
    manifest.limits.timeout_ms = 0;
    manifest
}

#[test]
fn every_language_decides_what_rust_decides() {
    let engine = Engine::new().expect("the plugin engine starts");
    let day = sample_day();
    let mut events = day.clone();
    events.extend(hostile_events(&day));
    for name in PLUGINS {
        let rust_manifest = built("examples", name);
        let rust = run_all(&engine, &rust_manifest, name, &events);
        // The comparison means something only if the Rust plugin acted and failed somewhere.
        let actions: usize = rust
            .outcomes
            .iter()
            .filter_map(Value::as_array)
            .map(Vec::len)
            .sum();
        let failures = rust
            .outcomes
            .iter()
            .filter(|o| o.get("failure").is_some())
            .count();
        assert!(
            actions >= 20 && failures >= 5 && !rust.state.is_empty(),
            "{name} in Rust: {actions} actions, {failures} failures, {} state keys over {} \
             events: too few to compare languages on",
            rust.state.len(),
            events.len()
        );
        for (language, group) in LANGUAGES {
            let manifest = built(group, name);
            assert_eq!(
                manifest_without_build_details(&manifest),
                manifest_without_build_details(&rust_manifest),
                "{name}: the {language} manifest must match the Rust one but for the component \
                 and memory/time limits"
            );
            let other = run_all(&engine, &manifest, name, &events);
            assert_eq!(
                other.source, "precompiled",
                "{name} in {language}: the build precompiles it for this host"
            );
            let differing: Vec<(&Event, &Value, &Value)> = events
                .iter()
                .zip(rust.outcomes.iter().zip(&other.outcomes))
                .filter(|(_, (r, o))| r != o)
                .map(|(event, (r, o))| (event, r, o))
                .collect();
            let first: Vec<String> = differing
                .iter()
                .take(3)
                .map(|(event, r, o)| {
                    format!(
                        "event {} ({}):\n  Rust: {r}\n  {language}: {o}",
                        event.id, event.kind
                    )
                })
                .collect();
            assert!(
                differing.is_empty(),
                "{name} in {language} decides differently from Rust ({} events differ); the \
                 first:\n{}",
                differing.len(),
                first.join("\n")
            );
            let text = |state: &BTreeMap<String, Vec<u8>>| -> BTreeMap<String, String> {
                state
                    .iter()
                    .map(|(k, v)| (k.clone(), String::from_utf8_lossy(v).into_owned()))
                    .collect()
            };
            assert_eq!(
                text(&other.state),
                text(&rust.state),
                "{name} in {language} leaves different state from Rust"
            );
        }
    }
}
