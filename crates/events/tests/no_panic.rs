//! Property tests: no input makes a decoder panic.
//!
//! Three generators: arbitrary bytes; arbitrary JSON built from the keys and values the
//! decoders look for (so generated documents reach deep into every decoder, not just the format
//! check); and mutations of the real fixtures (a value replaced, a key removed or re-cased, at any
//! depth, also inside base64 Kinesis payloads). Every result must be events or errors; any error
//! must render.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use proptest::prelude::*;
use serde_json::{Map, Value, json};
use streamhooks_events::{Limits, decode_slice, decode_value};

const KEYS: &[&str] = &[
    "version",
    "id",
    "detail-type",
    "source",
    "time",
    "detail",
    "eventType",
    "EventType",
    "contactId",
    "ContactId",
    "channel",
    "Channel",
    "instanceArn",
    "agentInfo",
    "AgentInfo",
    "agentArn",
    "queueInfo",
    "queueArn",
    "enqueueTimestamp",
    "initiationTimestamp",
    "disconnectTimestamp",
    "connectedToAgentTimestamp",
    "afterContactWorkEndTimestamp",
    "ruleName",
    "actionName",
    "contactArn",
    "Records",
    "kinesis",
    "data",
    "EventId",
    "EventTimestamp",
    "AgentARN",
    "InstanceARN",
    "CurrentAgentSnapshot",
    "PreviousAgentSnapshot",
    "AgentStatus",
    "NextAgentStatus",
    "Name",
    "Type",
    "ARN",
    "StartTimestamp",
    "Configuration",
    "RoutingProfile",
    "FirstName",
    "Contacts",
    "State",
    "Queue",
    "format",
    "agent_arn",
    "events",
    "event",
    "occurred_at",
    "contact_id",
    "agent",
    "contact",
    "snapshot",
    "configuration",
    "agentARN",
    "state",
    "nextState",
    "contacts",
    "type",
    "name",
    "attributes",
    "value",
    "connections",
    "oldState",
    "newState",
    "errorType",
    "muted",
    "sent_at",
];

const AGENT_ARN: &str = "arn:aws:connect:us-west-2:111122223333:instance/i-1/agent/a-1";

fn interesting_strings() -> Vec<String> {
    [
        "aws.connect",
        "Amazon Connect Contact Event",
        "Contact Lens Realtime Rules Matched",
        "Metrics Rules Matched",
        "streamhooks.streams.v1",
        "streamhooks.streams.v2",
        AGENT_ARN,
        "arn:aws:connect:us-west-2:111122223333:instance/i-1/contact/c-1",
        "STATE_CHANGE",
        "LOGIN",
        "HEART_BEAT",
        "CONNECTED_TO_AGENT",
        "CONNECTED",
        "CONNECTED_ONHOLD",
        "ENDED",
        "PAUSED",
        "MISSED",
        "ROUTABLE",
        "CUSTOM",
        "VOICE",
        "Voice",
        "agent::state_change",
        "contact::connected",
        "agent::mute_toggle",
        "hold",
        "2026-11-20T09:00:00.000Z",
        "2026-13-45T99:00:00Z",
        "",
        " ",
        "\u{0}",
        "é→",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect()
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| json!(f)),
        Just(json!(u64::MAX)),
        proptest::sample::select(interesting_strings()).prop_map(Value::String),
        ".{0,12}".prop_map(Value::String),
        // A base64 payload of small JSON, to reach past the Kinesis layer.
        proptest::sample::select(interesting_strings()).prop_map(|s| {
            let doc = json!({"EventType": s, "EventId": "e", "EventTimestamp": 0});
            Value::String(base64::engine::general_purpose::STANDARD.encode(doc.to_string()))
        }),
    ]
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::sample::select(KEYS).prop_map(str::to_owned),
        1 => proptest::sample::select(KEYS).prop_map(|k| k.to_ascii_uppercase()),
        1 => "[a-zA-Z_-]{0,8}",
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(5, 96, 8, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::vec((key(), inner), 0..10)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<String, Value>>())),
        ]
    })
}

fn check(value: &Value) {
    let limits = Limits::default();
    let decoded = decode_value(value, &limits);
    for error in &decoded.errors {
        assert!(!error.to_string().is_empty());
    }
    for event in &decoded.events {
        // Whatever decodes must serialize and read back unchanged.
        let text = serde_json::to_string(event).expect("events serialize");
        let back: streamhooks_events::Event = serde_json::from_str(&text).expect("events parse");
        assert_eq!(&back, event);
    }
}

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn fixtures() -> &'static [Value] {
    static FIXTURES: std::sync::OnceLock<Vec<Value>> = std::sync::OnceLock::new();
    FIXTURES.get_or_init(load_fixtures)
}

fn load_fixtures() -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    let mut stack = vec![fixture_dir()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "json") {
                let text = std::fs::read_to_string(&path).expect("fixture readable");
                out.push(serde_json::from_str(&text).expect("fixture is JSON"));
            }
        }
    }
    out.sort_by_key(|v| v.to_string());
    out
}

/// Every (path to a value) in a document, as indexes into objects and arrays.
fn paths(value: &Value, prefix: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
    out.push(prefix.clone());
    match value {
        Value::Object(map) => {
            for (i, v) in map.values().enumerate() {
                prefix.push(i);
                paths(v, prefix, out);
                prefix.pop();
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                prefix.push(i);
                paths(v, prefix, out);
                prefix.pop();
            }
        }
        _ => {}
    }
}

fn at_mut<'a>(value: &'a mut Value, path: &[usize]) -> &'a mut Value {
    let Some((first, rest)) = path.split_first() else {
        return value;
    };
    match value {
        Value::Object(map) => {
            let v = map.values_mut().nth(*first).expect("path exists");
            at_mut(v, rest)
        }
        Value::Array(items) => at_mut(&mut items[*first], rest),
        _ => value,
    }
}

#[derive(Debug, Clone)]
enum Mutation {
    Replace(Value),
    RemoveKey,
    RecaseKeys,
    DecodeBase64ThenReplace(Value),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => json_value().prop_map(Mutation::Replace),
        2 => Just(Mutation::RemoveKey),
        1 => Just(Mutation::RecaseKeys),
        2 => leaf().prop_map(Mutation::DecodeBase64ThenReplace),
    ]
}

fn apply(doc: &mut Value, target: &[usize], m: &Mutation, inner_pick: usize) {
    match m {
        Mutation::Replace(v) => *at_mut(doc, target) = v.clone(),
        Mutation::RemoveKey => {
            if let Some((last, parent)) = target.split_last()
                && let Value::Object(map) = at_mut(doc, parent)
                && let Some(k) = map.keys().nth(*last).cloned()
            {
                map.remove(&k);
            }
        }
        Mutation::RecaseKeys => {
            if let Value::Object(map) = at_mut(doc, target) {
                let old = std::mem::take(map);
                *map = old
                    .into_iter()
                    .map(|(k, v)| (k.to_ascii_lowercase(), v))
                    .collect();
            }
        }
        Mutation::DecodeBase64ThenReplace(v) => {
            // Mutate inside a Kinesis payload and re-encode it, so the agent stream decoder
            // sees broken documents, not just broken base64.
            let node = at_mut(doc, target);
            let Value::String(s) = node else { return };
            let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(s.as_bytes()) else {
                return;
            };
            let Ok(mut inner) = serde_json::from_slice::<Value>(&bytes) else {
                return;
            };
            let mut all = Vec::new();
            paths(&inner, &mut Vec::new(), &mut all);
            let pick = all[inner_pick % all.len()].clone();
            *at_mut(&mut inner, &pick) = v.clone();
            *node =
                Value::String(base64::engine::general_purpose::STANDARD.encode(inner.to_string()));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let decoded = decode_slice(&bytes, &Limits::default());
        prop_assert!(decoded.events.is_empty() || !bytes.is_empty());
    }

    #[test]
    fn arbitrary_json_never_panics(value in json_value()) {
        check(&value);
    }

    #[test]
    fn wrapped_arbitrary_json_never_panics(value in json_value(), which in 0usize..4) {
        // Put the arbitrary value where each format's detection sends the decoder deep.
        let doc = match which {
            0 => json!({"detail-type": "Amazon Connect Contact Event", "source": "aws.connect",
                        "id": "x", "time": "2026-11-20T09:00:00Z", "detail": value}),
            1 => json!({"format": "streamhooks.streams.v1", "agent_arn": AGENT_ARN, "events": [value]}),
            2 => json!({"EventType": "STATE_CHANGE", "AgentARN": AGENT_ARN, "EventId": "e",
                        "EventTimestamp": "2026-11-20T09:00:00Z",
                        "CurrentAgentSnapshot": value.clone(), "PreviousAgentSnapshot": value}),
            _ => json!({"Records": [{"kinesis": {"data": base64::engine::general_purpose::STANDARD.encode(value.to_string())}}]}),
        };
        check(&doc);
    }

    #[test]
    fn mutated_fixtures_never_panic(
        pick in any::<usize>(),
        target_pick in any::<usize>(),
        inner_pick in any::<usize>(),
        mutations in proptest::collection::vec(mutation(), 1..4),
    ) {
        let all = fixtures();
        prop_assert!(all.len() >= 20, "fixtures missing under {}", fixture_dir().display());
        let mut doc = all[pick % all.len()].clone();
        for m in &mutations {
            let mut targets = Vec::new();
            paths(&doc, &mut Vec::new(), &mut targets);
            let target = targets[target_pick % targets.len()].clone();
            apply(&mut doc, &target, m, inner_pick);
        }
        check(&doc);
        // The same document as bytes, truncated anywhere, must not panic either.
        let text = doc.to_string();
        let cut = target_pick % (text.len() + 1);
        let _ = decode_slice(&text.as_bytes()[..cut], &Limits::default());
    }
}
