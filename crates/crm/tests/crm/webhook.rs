use std::time::{Duration, Instant};

use serde_json::json;
use streamhooks_crm::webhook::{IDEMPOTENCY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use streamhooks_crm::{CallError, CrmConnector, WebhookConfig, WebhookConnector, verify_signature};

use crate::server::{Reply, Server, closed_port_url};
use crate::{cx, upsert};

const SECRET: &str = "webhook-secret";

fn connector(url: &str) -> WebhookConnector {
    WebhookConnector::new(WebhookConfig::new(format!("{url}/hook"), SECRET))
        .expect("a valid config")
}

/// Answers like a receiver that verifies: 401 unless the signature and idempotency key hold.
async fn verifying_receiver(reply: Reply) -> Server {
    Server::start(move |r| {
        let signed = verify_signature(
            SECRET.as_bytes(),
            r.header(TIMESTAMP_HEADER).unwrap_or_default(),
            &r.body,
            r.header(SIGNATURE_HEADER).unwrap_or_default(),
        );
        let keyed = r.header(IDEMPOTENCY_HEADER) == Some("tok-abc");
        if signed && keyed {
            reply.clone()
        } else {
            Reply::new(401, r#"{"message":"bad signature"}"#)
        }
    })
    .await
}

#[tokio::test]
async fn posts_the_signed_update() {
    let server = verifying_receiver(Reply::new(200, r#"{"id":"rec-9"}"#)).await;
    let id = connector(&server.url)
        .write(&upsert(), &cx(Duration::from_secs(10)))
        .await;
    assert_eq!(id, Ok(Some("rec-9".into())));

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert_eq!((r.method.as_str(), r.path.as_str()), ("POST", "/hook"));
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.header("idempotency-key"), Some("tok-abc"));
    assert_eq!(
        r.json(),
        json!({
            "event_id": "evt-1", "plugin": "crm-sync", "index": 2, "client_token": "tok-abc",
            "connector": "crm", "object": "Task", "operation": "upsert",
            "id_field": "CallId__c", "id": "c-1",
            "fields": {"Subject": "Call", "Duration__c": 42}
        })
    );
    // The signature is over "<timestamp>.<body>", exactly as sent.
    let timestamp = r.header(TIMESTAMP_HEADER).unwrap();
    let expected =
        streamhooks_crm::signature(SECRET.as_bytes(), timestamp.parse().unwrap(), &r.body);
    assert_eq!(r.header(SIGNATURE_HEADER), Some(expected.as_str()));
    assert!(!verify_signature(
        b"another secret",
        timestamp,
        &r.body,
        &expected
    ));
}

#[tokio::test]
async fn success_without_an_id_is_none() {
    let server = verifying_receiver(Reply::new(204, "")).await;
    let id = connector(&server.url)
        .write(&upsert(), &cx(Duration::from_secs(10)))
        .await;
    assert_eq!(id, Ok(None));
}

#[tokio::test]
async fn too_many_requests_is_throttled_with_retry_after() {
    let server = verifying_receiver(
        Reply::new(429, r#"{"message":"slow down"}"#).header("Retry-After", "2"),
    )
    .await;
    let err = connector(&server.url)
        .write(&upsert(), &cx(Duration::from_secs(10)))
        .await;
    assert_eq!(
        err,
        Err(CallError::Throttled {
            retry_after: Some(Duration::from_secs(2)),
            message: "slow down".into()
        })
    );
}

#[tokio::test]
async fn server_errors_are_transient() {
    let server = verifying_receiver(Reply::new(500, "oops")).await;
    let err = connector(&server.url)
        .write(&upsert(), &cx(Duration::from_secs(10)))
        .await;
    assert_eq!(
        err,
        Err(CallError::Transient {
            message: "http-500: oops".into()
        })
    );
}

#[tokio::test]
async fn client_errors_are_permanent_with_a_short_message() {
    let long = "x".repeat(2000);
    let server = verifying_receiver(Reply::new(422, json!({"message": long}).to_string())).await;
    let err = connector(&server.url)
        .write(&upsert(), &cx(Duration::from_secs(10)))
        .await;
    let Err(CallError::Permanent { code, message }) = err else {
        panic!("{err:?}")
    };
    assert_eq!(code, "http-422");
    assert_eq!(message, "x".repeat(500));

    // A receiver that refuses the signature: permanent, and the message is the receiver's.
    let wrong =
        WebhookConnector::new(WebhookConfig::new(format!("{}/hook", server.url), "nope")).unwrap();
    let err = wrong.write(&upsert(), &cx(Duration::from_secs(10))).await;
    assert_eq!(
        err,
        Err(CallError::Permanent {
            code: "http-401".into(),
            message: "bad signature".into()
        })
    );
}

#[tokio::test]
async fn a_slow_receiver_times_out_by_the_deadline() {
    let server = verifying_receiver(Reply::new(200, "{}").after(Duration::from_secs(30))).await;
    let start = Instant::now();
    let err = connector(&server.url)
        .write(&upsert(), &cx(Duration::from_millis(300)))
        .await;
    assert_eq!(
        err,
        Err(CallError::Transient {
            message: "timed out".into()
        })
    );
    // Bounded by the deadline, not the 5 s timeout nor the 30 s answer (loose: CI is slow).
    assert!(
        start.elapsed() < Duration::from_secs(4),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn a_past_deadline_sends_nothing() {
    let server = verifying_receiver(Reply::new(200, "{}")).await;
    let mut late = cx(Duration::ZERO);
    late.deadline = Instant::now() - Duration::from_millis(1);
    let err = connector(&server.url).write(&upsert(), &late).await;
    assert!(matches!(err, Err(CallError::Transient { .. })), "{err:?}");
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn connection_refused_is_transient() {
    let url = closed_port_url().await;
    let err = connector(&url)
        .write(&upsert(), &cx(Duration::from_secs(10)))
        .await;
    let Err(CallError::Transient { message }) = err else {
        panic!("{err:?}")
    };
    assert!(message.starts_with("connection failed"), "{message}");
}
