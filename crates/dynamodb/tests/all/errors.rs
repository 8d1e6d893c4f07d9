//! Error classification (by error code and HTTP status) and the start-up check, against moto
//! and against stand-ins on 127.0.0.1 that answer with canned DynamoDB errors, hang, or are
//! not there.

#![allow(clippy::unwrap_used)]

use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
};
use streamhooks_dynamodb::{DynamoStore, OPERATION_TIMEOUT};
use streamhooks_engine::{StateStore, StateWrite};
use streamhooks_store::conformance::unique_id;
use streamhooks_store::{Parcel, Store, StoreError};

use crate::moto::{self, Moto};
use crate::store;

const LEASE: i64 = 1_900_000_000_000;

pub(crate) fn unavailable(result: Result<impl std::fmt::Debug, StoreError>) -> String {
    match result {
        Err(StoreError::Unavailable(m)) => m,
        other => panic!("expected Unavailable, got {other:?}"),
    }
}

pub(crate) fn refused(result: Result<impl std::fmt::Debug, StoreError>) -> String {
    match result {
        Err(StoreError::Refused(m)) => m,
        other => panic!("expected Refused, got {other:?}"),
    }
}

/// A store on `table` of the shared moto server.
async fn store_on(table: &str) -> DynamoStore {
    DynamoStore::from_sdk_config(&Moto::shared().sdk_config().await, table)
}

/// A store whose endpoint is `http://127.0.0.1:port`.
pub(crate) async fn store_at(port: u16) -> DynamoStore {
    let config = moto::sdk_config_for(&format!("http://127.0.0.1:{port}")).await;
    DynamoStore::from_sdk_config(&config, "stand-in")
}

/// Reads one HTTP request (headers and a `Content-Length` body) from `stream`; its text.
pub(crate) fn read_request(stream: &mut TcpStream) -> Option<String> {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    let head_end = loop {
        let n = stream.read(&mut buf).ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&buf[..n]);
        if let Some(i) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&data[..head_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while data.len() < head_end + length {
        let n = stream.read(&mut buf).ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&buf[..n]);
    }
    Some(String::from_utf8_lossy(&data).into_owned())
}

/// A stand-in on 127.0.0.1 answering every request with HTTP `status` and DynamoDB error
/// `code` (in the body's `__type`, as DynamoDB sends it); `extra` adds JSON fields.
fn stand_in(status: u16, code: &str, extra: &str) -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let port = listener.local_addr().unwrap().port();
    let body = format!(
        r#"{{"__type":"com.amazonaws.dynamodb.v20120810#{code}","message":"canned {code}"{extra}}}"#
    );
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            if read_request(&mut stream).is_none() {
                continue;
            }
            let response = format!(
                "HTTP/1.1 {status} Canned\r\ncontent-type: application/x-amz-json-1.0\r\n\
                 x-amzn-requestid: canned\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(response.as_bytes());
        }
    });
    port
}

/// A stand-in on 127.0.0.1 that accepts connections and never answers.
fn silent() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().take(32) {
            held.push(stream);
        }
        std::thread::sleep(Duration::from_secs(120));
    });
    port
}

#[tokio::test]
async fn check_accepts_the_template_table() {
    store().await.check().await.unwrap();
}

#[tokio::test]
async fn a_missing_table_is_refused_by_name() {
    let table = moto::unique_table("missing");
    let store = store_on(&table).await;
    let message = refused(store.check().await);
    assert!(message.contains(&table), "{message}");
    assert!(message.contains("ResourceNotFoundException"), "{message}");
    let message = refused(store.begin("e", 0, LEASE).await);
    assert!(message.contains(&table), "{message}");
    refused(store.advance("x", 1, 0, LEASE).await);
}

#[tokio::test]
async fn check_refuses_another_key_schema() {
    let config = Moto::shared().sdk_config().await;
    let client = aws_sdk_dynamodb::Client::new(&config);
    let attribute = |name: &str, ty: ScalarAttributeType| {
        AttributeDefinition::builder()
            .attribute_name(name)
            .attribute_type(ty)
            .build()
            .unwrap()
    };
    let key = |name: &str, kind: KeyType| {
        KeySchemaElement::builder()
            .attribute_name(name)
            .key_type(kind)
            .build()
            .unwrap()
    };

    // A hash key only, with another name.
    let table = moto::unique_table("hash-only");
    client
        .create_table()
        .table_name(&table)
        .attribute_definitions(attribute("id", ScalarAttributeType::S))
        .key_schema(key("id", KeyType::Hash))
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await
        .unwrap();
    let message = refused(store_on(&table).await.check().await);
    assert!(message.contains(&table), "{message}");
    assert!(message.contains("[id (S, HASH)]"), "{message}");
    assert!(message.contains("pk (S, HASH), sk (S, RANGE)"), "{message}");

    // The right names, a numeric hash key.
    let table = moto::unique_table("numeric");
    client
        .create_table()
        .table_name(&table)
        .attribute_definitions(attribute("pk", ScalarAttributeType::N))
        .attribute_definitions(attribute("sk", ScalarAttributeType::S))
        .key_schema(key("pk", KeyType::Hash))
        .key_schema(key("sk", KeyType::Range))
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await
        .unwrap();
    let message = refused(store_on(&table).await.check().await);
    assert!(
        message.contains("[pk (N, HASH), sk (S, RANGE)]"),
        "{message}"
    );
}

#[tokio::test]
async fn a_validation_error_is_refused() {
    let store = store().await;
    // The partition key would be over DynamoDB's 2048 bytes.
    let id = format!("{}-{}", unique_id("long"), "x".repeat(2100));
    let message = refused(store.begin(&id, 0, LEASE).await);
    assert!(message.contains("ValidationException"), "{message}");
    assert!(message.contains("HTTP 400"), "{message}");
}

#[tokio::test]
async fn throttling_and_server_errors_are_unavailable() {
    for (status, code) in [
        (400, "ProvisionedThroughputExceededException"),
        (400, "ThrottlingException"),
        (400, "RequestLimitExceeded"),
        (500, "InternalServerError"),
        (503, "SomethingNew"),
        (429, "SomethingElse"),
    ] {
        let store = store_at(stand_in(status, code, "")).await;
        let message = unavailable(store.begin("e", 0, LEASE).await);
        assert!(message.contains(code), "{message}");
        assert!(message.contains(&format!("HTTP {status}")), "{message}");
        unavailable(store.complete("e", LEASE, None, LEASE).await);
        unavailable(store.release("e", LEASE, LEASE).await);
    }
}

#[tokio::test]
async fn client_errors_are_refused() {
    for code in [
        "ValidationException",
        "AccessDeniedException",
        "ResourceNotFoundException",
        "SomethingNew",
    ] {
        let store = store_at(stand_in(400, code, "")).await;
        let message = refused(store.begin("e", 0, LEASE).await);
        assert!(message.contains(code), "{message}");
        assert!(message.contains("table stand-in"), "{message}");
        refused(store.advance("x", 1, 0, LEASE).await);
        refused(store.record_done("e", LEASE, &[]).await);
        refused(store.check().await);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelled_transactions_are_classified_by_their_reasons() {
    let writes = [
        StateWrite::Set {
            key: "a".into(),
            value: b"1".to_vec(),
        },
        StateWrite::Delete { key: "b".into() },
    ];
    for (reasons, retryable) in [
        (
            r#"[{"Code":"None"},{"Code":"TransactionConflict","Message":"busy"}]"#,
            true,
        ),
        (r#"[{"Code":"ThrottlingError"},{"Code":"None"}]"#, true),
        (
            r#"[{"Code":"ValidationError","Message":"bad"},{"Code":"None"}]"#,
            false,
        ),
        (
            r#"[{"Code":"ValidationError"},{"Code":"TransactionConflict"}]"#,
            false,
        ),
    ] {
        let port = stand_in(
            400,
            "TransactionCanceledException",
            &format!(r#","CancellationReasons":{reasons}"#),
        );
        let store = store_at(port).await;
        let writes = writes.clone();
        let err = tokio::task::spawn_blocking(move || store.apply("p", &writes))
            .await
            .unwrap()
            .unwrap_err();
        assert_eq!(err.retryable, retryable, "{reasons}: {err}");
        assert!(err.reason.contains("nothing written"), "{err}");
        assert!(
            err.reason.contains(r#"key "a""#) || err.reason.contains(r#"key "b""#),
            "{err}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_server_is_unavailable() {
    let store = store_at(moto::free_port()).await;
    let message = unavailable(store.begin("e", 0, LEASE).await);
    assert!(message.contains("table stand-in"), "{message}");
    unavailable(store.advance("x", 1, 0, LEASE).await);
    unavailable(store.check().await);
    let err = tokio::task::spawn_blocking(move || store.get("p", "k"))
        .await
        .unwrap()
        .unwrap_err();
    assert!(err.retryable, "{err}");
}

#[tokio::test]
async fn a_server_that_does_not_answer_times_out_as_unavailable() {
    let store = store_at(silent()).await;
    let started = Instant::now();
    let message = unavailable(store.begin("e", 0, LEASE).await);
    assert!(message.contains("timed out"), "{message}");
    assert!(
        started.elapsed() <= OPERATION_TIMEOUT + Duration::from_secs(2),
        "took {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn mailbox_errors_are_classified() {
    let parcels = [Parcel {
        id: "p".into(),
        body: "b".into(),
        posted_at: 1,
    }];
    let store = store_at(stand_in(500, "InternalServerError", "")).await;
    let message = unavailable(store.post("agent", &parcels, LEASE).await);
    assert!(message.contains("PutItem"), "{message}");
    let message = unavailable(store.collect("agent", 0, 10).await);
    assert!(message.contains("Query"), "{message}");
    for code in ["AccessDeniedException", "ResourceNotFoundException"] {
        let store = store_at(stand_in(400, code, "")).await;
        let message = refused(store.post("agent", &parcels, LEASE).await);
        assert!(message.contains(code), "{message}");
        assert!(message.contains("table stand-in"), "{message}");
        refused(store.collect("agent", 0, 10).await);
    }
    // Nothing to do: no request.
    store.post("agent", &[], LEASE).await.unwrap();
    assert_eq!(store.collect("agent", 0, 0).await.unwrap(), []);
}

#[tokio::test]
async fn mailboxes_on_a_missing_table_are_refused() {
    let table = moto::unique_table("missing-mailbox");
    let store = store_on(&table).await;
    let parcels = [Parcel {
        id: "p".into(),
        body: "b".into(),
        posted_at: 1,
    }];
    let message = refused(store.post("agent", &parcels, LEASE).await);
    assert!(message.contains("ResourceNotFoundException"), "{message}");
    assert!(message.contains(&table), "{message}");
    refused(store.collect("agent", 0, 10).await);
}

#[tokio::test]
async fn a_parcel_over_the_item_limit_is_refused() {
    let store = store().await;
    let agent = unique_id("too-large");
    let parcels = [Parcel {
        id: "p".into(),
        body: "x".repeat(400 * 1024 + 1),
        posted_at: 1,
    }];
    let message = refused(store.post(&agent, &parcels, LEASE).await);
    assert!(message.contains("ValidationException"), "{message}");
    assert_eq!(store.collect(&agent, 0, 10).await.unwrap(), []);
}
