//! Attribute names, key layouts and the parsing of stored items.

use std::collections::{BTreeSet, HashMap};

use aws_sdk_dynamodb::types::AttributeValue;
use streamhooks_store::{ActionKey, EpochMillis};

use crate::error::Failure;

/// A stored item.
pub(crate) type Item = HashMap<String, AttributeValue>;

pub(crate) const PK: &str = "pk";
pub(crate) const SK: &str = "sk";
/// TTL, epoch seconds (rounded up).
pub(crate) const EXPIRES_AT: &str = "expires_at";
/// The precise expiry, epoch milliseconds.
pub(crate) const EXPIRES_AT_MS: &str = "expires_at_ms";
pub(crate) const STATUS: &str = "status";
pub(crate) const LEASE_UNTIL: &str = "lease_until";
pub(crate) const DONE: &str = "done";
pub(crate) const RESULT: &str = "result";
pub(crate) const APPLIED: &str = "applied";
pub(crate) const VALUE: &str = "value";

pub(crate) const IN_PROGRESS: &str = "in_progress";
pub(crate) const RELEASED: &str = "released";
pub(crate) const COMPLETED: &str = "completed";

/// The sort key of an idempotency record.
pub(crate) const EVENT_SK: &str = "event";
/// The sort key of an ordering mark.
pub(crate) const MARK_SK: &str = "mark";

pub(crate) fn event_pk(event_id: &str) -> String {
    format!("event#{event_id}")
}

pub(crate) fn order_pk(entity: &str) -> String {
    format!("order#{entity}")
}

pub(crate) fn state_pk(plugin: &str) -> String {
    format!("state#{plugin}")
}

pub(crate) fn state_sk(key: &str) -> String {
    format!("key#{key}")
}

pub(crate) fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

pub(crate) fn n(v: i64) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

/// The TTL attribute for a precise expiry: epoch seconds, rounded up, so that TTL never
/// deletes an item before `expires_at_ms`.
pub(crate) fn ttl_seconds(expires_at_ms: EpochMillis) -> i64 {
    let secs = expires_at_ms.div_euclid(1000);
    if expires_at_ms.rem_euclid(1000) > 0 {
        secs.saturating_add(1)
    } else {
        secs
    }
}

/// How an action is stored in the `done` string set: `<plugin>#<index>` (split at the last
/// `#`, so a plugin name may hold one).
pub(crate) fn encode_action(action: &ActionKey) -> String {
    format!("{}#{}", action.plugin, action.index)
}

fn decode_action(s: &str) -> Option<ActionKey> {
    let (plugin, index) = s.rsplit_once('#')?;
    Some(ActionKey::new(plugin, index.parse().ok()?))
}

/// What an idempotency record holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Status {
    InProgress { lease_until: EpochMillis },
    Released,
    Completed { result: Option<String> },
}

/// An idempotency record as stored.
#[derive(Debug, Clone)]
pub(crate) struct Record {
    pub(crate) status: Status,
    pub(crate) done: BTreeSet<ActionKey>,
    pub(crate) expires_at_ms: EpochMillis,
}

/// An ordering mark as stored.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Mark {
    pub(crate) applied: EpochMillis,
    pub(crate) expires_at_ms: EpochMillis,
}

fn malformed(what: &str, item: &Item, problem: &str) -> Failure {
    let pk = item
        .get(PK)
        .and_then(|v| v.as_s().ok())
        .map_or("?", String::as_str);
    Failure::Refused(format!(
        "malformed {what} item (pk {pk:?}): {problem}; was it written by another program?"
    ))
}

fn number(what: &str, item: &Item, name: &str) -> Result<EpochMillis, Failure> {
    let v = item
        .get(name)
        .ok_or_else(|| malformed(what, item, &format!("no {name}")))?;
    v.as_n()
        .ok()
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| malformed(what, item, &format!("{name} is not an integer: {v:?}")))
}

pub(crate) fn parse_record(item: &Item) -> Result<Record, Failure> {
    const WHAT: &str = "idempotency record";
    let status = item
        .get(STATUS)
        .and_then(|v| v.as_s().ok())
        .ok_or_else(|| malformed(WHAT, item, "no status"))?;
    let status = match status.as_str() {
        IN_PROGRESS => Status::InProgress {
            lease_until: number(WHAT, item, LEASE_UNTIL)?,
        },
        RELEASED => Status::Released,
        COMPLETED => Status::Completed {
            result: match item.get(RESULT) {
                None => None,
                Some(v) => Some(
                    v.as_s()
                        .map_err(|_| malformed(WHAT, item, "result is not a string"))?
                        .clone(),
                ),
            },
        },
        other => return Err(malformed(WHAT, item, &format!("unknown status {other:?}"))),
    };
    let done = match item.get(DONE) {
        None => BTreeSet::new(),
        Some(v) => v
            .as_ss()
            .map_err(|_| malformed(WHAT, item, "done is not a string set"))?
            .iter()
            .map(|a| {
                decode_action(a).ok_or_else(|| malformed(WHAT, item, &format!("done holds {a:?}")))
            })
            .collect::<Result<_, _>>()?,
    };
    Ok(Record {
        status,
        done,
        expires_at_ms: number(WHAT, item, EXPIRES_AT_MS)?,
    })
}

pub(crate) fn parse_mark(item: &Item) -> Result<Mark, Failure> {
    const WHAT: &str = "ordering mark";
    Ok(Mark {
        applied: number(WHAT, item, APPLIED)?,
        expires_at_ms: number(WHAT, item, EXPIRES_AT_MS)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttl_rounds_up_to_a_second() {
        assert_eq!(ttl_seconds(0), 0);
        assert_eq!(ttl_seconds(1), 1);
        assert_eq!(ttl_seconds(999), 1);
        assert_eq!(ttl_seconds(1000), 1);
        assert_eq!(ttl_seconds(1001), 2);
        assert_eq!(ttl_seconds(-1), 0);
        assert_eq!(ttl_seconds(-1000), -1);
        assert_eq!(ttl_seconds(1_700_000_000_123), 1_700_000_001);
    }

    #[test]
    fn actions_round_trip() {
        for action in [
            ActionKey::new("", 0),
            ActionKey::new("a#b", 3),
            ActionKey::new("a#0", 1),
            ActionKey::new("p", usize::MAX),
        ] {
            assert_eq!(decode_action(&encode_action(&action)), Some(action));
        }
        assert_eq!(decode_action("no-index"), None);
        assert_eq!(decode_action("p#x"), None);
    }
}
