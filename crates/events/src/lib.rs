//! The streamhooks event model: one canonical [`Event`] for every Amazon Connect source, and
//! the decoders that produce it.
//!
//! Three sources feed streamhooks, each with its own format:
//! - [`eventbridge`]: "Amazon Connect Contact Event" (`INITIATED` ... `COMPLETED`, and event types
//!   added later), Contact Lens and metrics rule events;
//! - [`agent_stream`]: Kinesis agent event stream records (`STATE_CHANGE`, `HEART_BEAT`, `LOGIN`,
//!   `LOGOUT`), from whose previous and current snapshots the Streams-style transitions are
//!   derived as the Streams library derives them in the browser;
//! - [`streams`]: batches forwarded from agents' browsers in the versioned wire format
//!   `streamhooks.streams.v1` (documented in `docs/wire-format.md`).
//!
//! Decoding is tolerant where AWS is inconsistent (key case, `Voice` vs `VOICE`, unknown fields,
//! new event types) and strict where input is untrusted (size caps, required ids). No input makes
//! a decoder panic; every failure is a [`DecodeError`] naming what is wrong and where.
//!
//! This crate knows no AWS SDK and no WebAssembly runtime.
//!
//! ```
//! use streamhooks_events::{decode_slice, EventKind, Limits};
//!
//! let doc = br#"{"version":"0","id":"e-1","detail-type":"Amazon Connect Contact Event",
//!   "source":"aws.connect","time":"2021-08-04T17:43:48Z",
//!   "detail":{"eventType":"CONNECTED_TO_AGENT","contactId":"c-1","channel":"Voice",
//!     "instanceArn":"arn:aws:connect:us-west-2:111122223333:instance/i-1",
//!     "agentInfo":{"agentArn":"arn:aws:connect:us-west-2:111122223333:instance/i-1/agent/a-1"}}}"#;
//! let decoded = decode_slice(doc, &Limits::default());
//! assert!(decoded.errors.is_empty());
//! assert_eq!(decoded.events[0].kind, EventKind::ContactConnectedToAgent);
//! assert_eq!(decoded.events[0].contact_id.as_deref(), Some("c-1"));
//! ```

pub mod agent_stream;
mod error;
pub mod eventbridge;
mod json;
mod model;
pub mod streams;

use serde_json::Value;

pub use error::DecodeError;
pub use model::{
    AgentSnapshot, AgentState, AgentStateType, Change, Channel, ContactSnapshot, ContactState,
    EVENT_VERSION, ErrorInfo, Event, EventKind, Named, RuleMatch, Source, arn_resource_id,
    instance_arn_of,
};

use json::Node;

/// Size caps for untrusted input. The defaults fit every AWS source (an EventBridge event is at
/// most 256 KB, a Kinesis record 1 MB) with room to spare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest JSON document accepted, in bytes.
    pub max_document_bytes: usize,
    /// Most entries in one forwarded Streams batch.
    pub max_batch_events: usize,
    /// Most records in one Kinesis event (Lambda delivers at most 10,000).
    pub max_records: usize,
    /// Most contacts in one agent snapshot.
    pub max_contacts: usize,
    /// Longest id (event, contact, client event) accepted, in bytes.
    pub max_id_bytes: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_document_bytes: 1024 * 1024,
            max_batch_events: 100,
            max_records: 10_000,
            max_contacts: 100,
            max_id_bytes: 256,
        }
    }
}

/// The source format of a JSON document, as [`detect`] recognises it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// An Amazon EventBridge event (has `detail-type`).
    EventBridge,
    /// A Lambda Kinesis event: `{"Records": [{"kinesis": {"data": base64}}, ...]}`.
    KinesisEvent,
    /// One Kinesis record: `{"kinesis": {"data": base64}}`.
    KinesisRecord,
    /// An agent event stream record as plain JSON (has `EventType` and `AgentARN`).
    AgentEvent,
    /// A batch forwarded from a Streams client (has `format: "streamhooks.streams.v1"`).
    StreamsBatch,
}

/// Recognises which source format a document is in, without validating it.
pub fn detect(value: &Value) -> Option<Format> {
    let root = Node::root(value, "");
    if !root.is_object() {
        return None;
    }
    if root.get_any(&["detail-type", "detailType"]).is_some() {
        return Some(Format::EventBridge);
    }
    if let Some(records) = root.get("Records")
        && records.value.is_array()
    {
        return Some(Format::KinesisEvent);
    }
    if root.get("kinesis").is_some() {
        return Some(Format::KinesisRecord);
    }
    if root.get("EventType").is_some()
        && (root.get("AgentARN").is_some() || root.get("CurrentAgentSnapshot").is_some())
    {
        return Some(Format::AgentEvent);
    }
    if root
        .get("format")
        .and_then(|f| f.value.as_str())
        .is_some_and(|f| f.starts_with(streams::FORMAT_PREFIX))
    {
        return Some(Format::StreamsBatch);
    }
    None
}

/// What one document decoded to: its events, and an error for each part that failed.
///
/// A Kinesis event with one bad record, or a Streams batch with one bad entry, still yields the
/// events of the others: nothing good is dropped because something beside it is bad.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Decoded {
    /// The canonical events, in input order.
    pub events: Vec<Event>,
    /// What could not be decoded, each naming where.
    pub errors: Vec<DecodeError>,
}

impl Decoded {
    fn one(result: Result<Vec<Event>, DecodeError>) -> Decoded {
        match result {
            Ok(events) => Decoded {
                events,
                errors: Vec::new(),
            },
            Err(e) => Decoded {
                events: Vec::new(),
                errors: vec![e],
            },
        }
    }
}

/// Decodes one JSON document in any supported format, enforcing `limits.max_document_bytes`.
pub fn decode_slice(bytes: &[u8], limits: &Limits) -> Decoded {
    if bytes.len() > limits.max_document_bytes {
        return Decoded::one(Err(DecodeError::TooLarge {
            what: "document".into(),
            limit: limits.max_document_bytes,
            actual: bytes.len(),
        }));
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(value) => decode_value(&value, limits),
        Err(e) => Decoded::one(Err(DecodeError::from_json(&e))),
    }
}

/// Decodes one parsed JSON document in any supported format.
pub fn decode_value(value: &Value, limits: &Limits) -> Decoded {
    match detect(value) {
        Some(Format::EventBridge) => Decoded::one(eventbridge::decode(value, limits)),
        Some(Format::KinesisEvent) => agent_stream::decode_kinesis_event(value, limits),
        Some(Format::KinesisRecord) => {
            Decoded::one(agent_stream::decode_kinesis_record(value, limits))
        }
        Some(Format::AgentEvent) => Decoded::one(agent_stream::decode_agent_event(value, limits)),
        Some(Format::StreamsBatch) => streams::decode_batch(value, limits),
        None => Decoded::one(Err(DecodeError::UnknownFormat {
            found: describe(value),
        })),
    }
}

fn describe(value: &Value) -> String {
    match value {
        Value::Object(map) if map.is_empty() => "an empty object".into(),
        Value::Object(map) => {
            let mut keys: Vec<&str> = map.keys().map(String::as_str).take(6).collect();
            if map.len() > 6 {
                keys.push("...");
            }
            format!("an object with keys {}", keys.join(", "))
        }
        other => json::type_name(other).into(),
    }
}

/// Checks an id from untrusted input: non-empty, at most `max` bytes, printable ASCII.
fn check_id(node: &Node<'_>, id: &str, max: usize) -> Result<(), DecodeError> {
    if id.len() > max {
        return Err(node.invalid(format!("id is {} bytes; the limit is {max}", id.len())));
    }
    if !id.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(node.invalid("id must be printable ASCII without spaces"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unknown_formats_are_named() {
        let d = decode_value(&json!({"hello": 1, "world": 2}), &Limits::default());
        assert!(d.events.is_empty());
        let msg = d.errors[0].to_string();
        assert!(msg.contains("an object with keys hello, world"), "{msg}");
        let d = decode_value(&json!([1, 2]), &Limits::default());
        assert!(d.errors[0].to_string().contains("(an array)"));
    }

    #[test]
    fn oversized_documents_are_refused_before_parsing() {
        let limits = Limits {
            max_document_bytes: 10,
            ..Limits::default()
        };
        let d = decode_slice(br#"{"detail-type": "x"}"#, &limits);
        assert_eq!(
            d.errors,
            vec![DecodeError::TooLarge {
                what: "document".into(),
                limit: 10,
                actual: 20
            }]
        );
    }

    #[test]
    fn invalid_json_has_a_position() {
        let d = decode_slice(b"{\n  \"a\": 1,\n}", &Limits::default());
        match &d.errors[0] {
            DecodeError::Json { line, .. } => assert_eq!(*line, 3),
            other => panic!("unexpected {other:?}"),
        }
    }
}
