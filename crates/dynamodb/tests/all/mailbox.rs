//! Mailboxes on DynamoDB beyond the conformance suite: the item layout, expired parcels
//! deleted from the table, malformed items, and a collect whose requests fail part-way
//! (against a stand-in that answers each operation as told).

#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::io::Write;
use std::net::{Ipv4Addr, TcpListener};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use aws_sdk_dynamodb::types::AttributeValue;
use streamhooks_store::conformance::unique_id;
use streamhooks_store::{Parcel, Store};

use crate::errors::{read_request, refused, store_at};
use crate::store;

const T: i64 = 1_900_000_000_000;
const DAY: i64 = 24 * 60 * 60 * 1000;

fn parcel(id: &str, body: &str, posted_at: i64) -> Parcel {
    Parcel {
        id: id.into(),
        body: body.into(),
        posted_at,
    }
}

fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.into())
}

fn n(v: i64) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

async fn raw_item(pk: &str, sk: &str) -> Option<HashMap<String, AttributeValue>> {
    let store = store().await;
    store
        .client()
        .get_item()
        .table_name(store.table())
        .key("pk", s(pk))
        .key("sk", s(sk))
        .consistent_read(true)
        .send()
        .await
        .unwrap()
        .item
}

#[tokio::test]
async fn parcels_are_stored_as_documented() {
    let store = store().await;
    let agent = unique_id("layout");
    let expires = T + 1;
    store
        .post(&agent, &[parcel("id#1", "{\"a\":1}", T - 5)], expires)
        .await
        .unwrap();
    let item = raw_item(&format!("mailbox#{agent}"), "parcel#id#1")
        .await
        .unwrap();
    let expected: HashMap<String, AttributeValue> = [
        ("pk", s(&format!("mailbox#{agent}"))),
        ("sk", s("parcel#id#1")),
        ("body", s("{\"a\":1}")),
        ("posted_at", n(T - 5)),
        ("expires_at_ms", n(expires)),
        // Seconds, rounded up.
        ("expires_at", n(T / 1000 + 1)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    assert_eq!(item, expected);
    // Collected: gone from the table.
    assert_eq!(
        store.collect(&agent, T, 10).await.unwrap(),
        [parcel("id#1", "{\"a\":1}", T - 5)]
    );
    assert_eq!(
        raw_item(&format!("mailbox#{agent}"), "parcel#id#1").await,
        None
    );
}

#[tokio::test]
async fn collect_deletes_expired_parcels_from_the_table() {
    let store = store().await;
    let agent = unique_id("expired-items");
    let pk = format!("mailbox#{agent}");
    store
        .post(
            &agent,
            &[parcel("old-1", "1", T), parcel("old-2", "2", T)],
            T + 1_000,
        )
        .await
        .unwrap();
    store
        .post(&agent, &[parcel("live", "l", T)], T + DAY)
        .await
        .unwrap();
    // max 0 does nothing at all.
    assert_eq!(store.collect(&agent, T + 1_000, 0).await.unwrap(), []);
    assert!(raw_item(&pk, "parcel#old-1").await.is_some());
    // A live parcel claimed, and the expired ones deleted.
    assert_eq!(
        store.collect(&agent, T + 1_000, 1).await.unwrap(),
        [parcel("live", "l", T)]
    );
    for sk in ["parcel#old-1", "parcel#old-2", "parcel#live"] {
        assert_eq!(raw_item(&pk, sk).await, None, "{sk}");
    }
}

#[tokio::test]
async fn malformed_parcel_items_are_refused() {
    let store = store().await;
    for (sk, attributes) in [
        // No posted_at.
        (
            "parcel#x",
            vec![("body", s("b")), ("expires_at_ms", n(T + DAY))],
        ),
        // Not a parcel's sort key.
        (
            "junk",
            vec![
                ("body", s("b")),
                ("posted_at", n(T)),
                ("expires_at_ms", n(T + DAY)),
            ],
        ),
    ] {
        let agent = unique_id("malformed");
        let pk = format!("mailbox#{agent}");
        let mut put = store
            .client()
            .put_item()
            .table_name(store.table())
            .item("pk", s(&pk))
            .item("sk", s(sk));
        for (name, value) in attributes {
            put = put.item(name, value);
        }
        put.send().await.unwrap();
        let message = refused(store.collect(&agent, T, 10).await);
        assert!(message.contains("malformed mailbox parcel"), "{message}");
        assert!(message.contains(&pk), "{message}");
    }
}

/// A stand-in on 127.0.0.1 that answers each request with `answer(operation, body)`: an HTTP
/// status and a JSON body (`operation` from `X-Amz-Target`, such as `DeleteItem`).
fn routed(answer: impl Fn(&str, &str) -> (u16, String) + Send + 'static) -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let Some(request) = read_request(&mut stream) else {
                continue;
            };
            let (head, body) = request.split_once("\r\n\r\n").unwrap_or((&request, ""));
            let operation = head
                .lines()
                .find_map(|l| {
                    let (name, value) = l.split_once(':')?;
                    name.eq_ignore_ascii_case("x-amz-target")
                        .then(|| value.trim().rsplit('.').next().unwrap_or("").to_owned())
                })
                .unwrap_or_default();
            let (status, json) = answer(&operation, body);
            let response = format!(
                "HTTP/1.1 {status} Answer\r\ncontent-type: application/x-amz-json-1.0\r\n\
                 x-amzn-requestid: routed\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{json}",
                json.len()
            );
            let _ = stream.write_all(response.as_bytes());
        }
    });
    port
}

/// A parcel item in DynamoDB's JSON, with its body when `body` is given.
fn item_json(id: &str, posted_at: i64, expires_at_ms: i64, body: Option<&str>) -> String {
    let body = body.map_or(String::new(), |b| format!(r#","body":{{"S":"{b}"}}"#));
    format!(
        r#"{{"pk":{{"S":"mailbox#agent"}},"sk":{{"S":"parcel#{id}"}},"posted_at":{{"N":"{posted_at}"}},"expires_at_ms":{{"N":"{expires_at_ms}"}}{body}}}"#
    )
}

/// Answers a `Query` with the parcels `listed` (id, expiry), and a `DeleteItem` of parcel
/// `id` with `deleted(id)`: `Ok(())` the item as it was, or `Err((status, code))`.
fn mailbox_stand_in(
    listed: &'static [(&'static str, i64)],
    deleted: impl Fn(&str) -> Result<(), (u16, &'static str)> + Send + 'static,
) -> u16 {
    routed(move |operation, body| match operation {
        "Query" => {
            let items: Vec<String> = listed
                .iter()
                .enumerate()
                .map(|(i, (id, expires))| item_json(id, T + i as i64, *expires, None))
                .collect();
            (
                200,
                format!(
                    r#"{{"Items":[{}],"Count":{n},"ScannedCount":{n}}}"#,
                    items.join(","),
                    n = items.len()
                ),
            )
        }
        "DeleteItem" => {
            let Some(&(id, expires)) = listed
                .iter()
                .find(|(id, _)| body.contains(&format!("\"parcel#{id}\"")))
            else {
                return (500, r#"{"__type":"InternalServerError"}"#.to_owned());
            };
            let i = listed.iter().position(|(x, _)| *x == id).unwrap();
            match deleted(id) {
                Ok(()) => (
                    200,
                    format!(
                        r#"{{"Attributes":{}}}"#,
                        item_json(id, T + i as i64, expires, Some(&format!("body {id}")))
                    ),
                ),
                Err((status, code)) => (
                    status,
                    format!(
                        r#"{{"__type":"com.amazonaws.dynamodb.v20120810#{code}","message":"canned {code}"}}"#
                    ),
                ),
            }
        }
        other => (
            400,
            format!(r#"{{"__type":"ValidationException","message":"unexpected {other}"}}"#),
        ),
    })
}

#[tokio::test]
async fn a_collect_that_fails_after_claiming_returns_what_it_claimed() {
    static LISTED: &[(&str, i64)] = &[("a", T + DAY), ("b", T + DAY), ("c", T + DAY)];
    let port = mailbox_stand_in(LISTED, |id| match id {
        "b" => Err((400, "AccessDeniedException")),
        _ => Ok(()),
    });
    let store = store_at(port).await;
    // a and c claimed (concurrently with b), b refused: a and c come back.
    assert_eq!(
        store.collect("agent", T, 10).await.unwrap(),
        [parcel("a", "body a", T), parcel("c", "body c", T + 2)]
    );

    // Nothing claimed: the error.
    let port = mailbox_stand_in(LISTED, |_| Err((400, "AccessDeniedException")));
    let message = refused(store_at(port).await.collect("agent", T, 10).await);
    assert!(message.contains("AccessDeniedException"), "{message}");
    assert!(message.contains("DeleteItem"), "{message}");
}

#[tokio::test]
async fn a_claim_that_finds_its_parcel_gone_moves_on() {
    static LISTED: &[(&str, i64)] = &[("a", T + DAY), ("b", T + DAY), ("c", T + DAY)];
    let port = mailbox_stand_in(LISTED, |id| match id {
        "a" => Err((400, "ConditionalCheckFailedException")),
        _ => Ok(()),
    });
    let store = store_at(port).await;
    assert_eq!(
        store.collect("agent", T, 1).await.unwrap(),
        [parcel("b", "body b", T + 1)]
    );
}

#[tokio::test]
async fn failing_to_drop_expired_parcels_does_not_fail_the_collect() {
    static LISTED: &[(&str, i64)] = &[("old", T), ("live", T + DAY)];
    let drops = Arc::new(AtomicUsize::new(0));
    let counted = drops.clone();
    let port = mailbox_stand_in(LISTED, move |id| match id {
        "old" => {
            counted.fetch_add(1, Ordering::SeqCst);
            Err((400, "AccessDeniedException"))
        }
        _ => Ok(()),
    });
    let store = store_at(port).await;
    assert_eq!(
        store.collect("agent", T, 10).await.unwrap(),
        [parcel("live", "body live", T + 1)]
    );
    assert_eq!(
        drops.load(Ordering::SeqCst),
        1,
        "the expired parcel was dropped once"
    );
}
