//! Attribute names, key layouts and the parsing of stored items.

use std::collections::{BTreeSet, HashMap};

use aws_sdk_dynamodb::types::AttributeValue;
use streamhooks_store::{ActionKey, EpochMillis, Parcel};

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
pub(crate) const BODY: &str = "body";
pub(crate) const POSTED_AT: &str = "posted_at";

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

pub(crate) fn mailbox_pk(agent: &str) -> String {
    format!("mailbox#{agent}")
}

/// The prefix of a parcel's sort key, before its id.
pub(crate) const PARCEL_SK_PREFIX: &str = "parcel#";

pub(crate) fn parcel_sk(id: &str) -> String {
    format!("{PARCEL_SK_PREFIX}{id}")
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

/// A parcel of a mailbox as listed: what `collect` chooses by (the body is read when it is
/// claimed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Listed {
    pub(crate) id: String,
    pub(crate) posted_at: EpochMillis,
    pub(crate) expires_at_ms: EpochMillis,
}

const PARCEL: &str = "mailbox parcel";

/// A parcel item's `sk`, `posted_at` and `expires_at_ms`.
pub(crate) fn parse_listed(item: &Item) -> Result<Listed, Failure> {
    let sk = item
        .get(SK)
        .and_then(|v| v.as_s().ok())
        .ok_or_else(|| malformed(PARCEL, item, "no sk"))?;
    let id = sk
        .strip_prefix(PARCEL_SK_PREFIX)
        .ok_or_else(|| malformed(PARCEL, item, &format!("sk {sk:?} is not parcel#<id>")))?;
    Ok(Listed {
        id: id.to_owned(),
        posted_at: number(PARCEL, item, POSTED_AT)?,
        expires_at_ms: number(PARCEL, item, EXPIRES_AT_MS)?,
    })
}

/// A whole parcel item: the parcel and its expiry.
pub(crate) fn parse_parcel(item: &Item) -> Result<(Parcel, EpochMillis), Failure> {
    let listed = parse_listed(item)?;
    let body = item
        .get(BODY)
        .ok_or_else(|| malformed(PARCEL, item, "no body"))?
        .as_s()
        .map_err(|_| malformed(PARCEL, item, "body is not a string"))?
        .clone();
    Ok((
        Parcel {
            id: listed.id,
            body,
            posted_at: listed.posted_at,
        },
        listed.expires_at_ms,
    ))
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

    #[test]
    fn parcels_parse_and_malformed_ones_are_refused() {
        let item: Item = [
            (PK, s("mailbox#a")),
            (SK, s("parcel#x#1")),
            (BODY, s("b")),
            (POSTED_AT, n(5)),
            (EXPIRES_AT_MS, n(7)),
            (EXPIRES_AT, n(1)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        let parcel = Parcel {
            id: "x#1".into(),
            body: "b".into(),
            posted_at: 5,
        };
        assert_eq!(parse_parcel(&item), Ok((parcel, 7)));
        for (name, value) in [
            (SK, Some(s("event"))),
            (BODY, None),
            (BODY, Some(n(1))),
            (POSTED_AT, Some(s("5"))),
            (EXPIRES_AT_MS, None),
        ] {
            let mut bad = item.clone();
            match &value {
                Some(v) => bad.insert(name.to_owned(), v.clone()),
                None => bad.remove(name),
            };
            match parse_parcel(&bad) {
                Err(Failure::Refused(m)) => assert!(m.contains("mailbox#a"), "{m}"),
                other => panic!("{name} = {value:?}: {other:?}"),
            }
        }
    }
}
