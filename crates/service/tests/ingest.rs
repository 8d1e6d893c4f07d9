//! The ingest handler: authentication, agent binding, CORS, caps and the answers' shapes, with
//! the real plugins behind it. The dev authenticator (`Bearer dev:<agent>`) stands in for
//! Cognito here; the Cognito verifier has its own tests in streamhooks-auth.
#![allow(clippy::unwrap_used)]

mod support;

use std::sync::Arc;

use http::{Method, Request, StatusCode};
use serde_json::{Value, json};
use streamhooks_auth::DevAuthenticator;
use streamhooks_service::ServiceConfig;
use streamhooks_service::ingest::{Ingest, IngestConfig};
use support::*;

const ORIGIN: &str = "https://example.my.connect.aws";

fn ingest(config: IngestConfig) -> Ingest {
    let h = harness(&["screen-pop"], ServiceConfig::default());
    Ingest::new(
        h.service,
        Arc::new(DevAuthenticator::insecure_new()),
        config,
    )
}

fn config() -> IngestConfig {
    IngestConfig {
        allowed_origins: vec![ORIGIN.into()],
        instance_arn: Some(
            "arn:aws:connect:us-west-2:111122223333:instance/7c1e3f5a-92b4-4d1e-8f6a-3b5c9d2e4a17"
                .into(),
        ),
        ..IngestConfig::default()
    }
}

fn batch() -> Value {
    fixture("streams/incoming-call.json")
}

fn agent() -> String {
    batch()["agent_arn"].as_str().unwrap().to_owned()
}

fn post(body: &Value, token: Option<&str>) -> Request<Vec<u8>> {
    let mut request = Request::builder()
        .method(Method::POST)
        .uri("/")
        .header("origin", ORIGIN)
        .header("content-type", "application/json");
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    request.body(body.to_string().into_bytes()).unwrap()
}

async fn send(ingest: &Ingest, request: Request<Vec<u8>>) -> (StatusCode, http::HeaderMap, Value) {
    let response = ingest.handle(request, deadline()).await;
    let (parts, body) = response.into_parts();
    let value = if body.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&body).unwrap()
    };
    (parts.status, parts.headers, value)
}

fn code(body: &Value) -> &str {
    body["error"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("an error body: {body}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_gets_the_agents_directives_and_a_retried_batch_gets_them_again() {
    let ingest = ingest(config());
    let token = format!("dev:{}", agent());
    let (status, headers, body) = send(&ingest, post(&batch(), Some(&token))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(headers["access-control-allow-origin"], ORIGIN);
    assert_eq!(body["format"], "streamhooks.directives.v1");
    assert_eq!(body["events"].as_array().unwrap().len(), 4);
    assert!(
        body["events"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["status"] == "processed")
    );
    let directives = body["directives"].as_array().unwrap();
    assert_eq!(directives.len(), 1, "{body}");
    assert_eq!(directives[0]["agent_arn"], agent());
    assert_eq!(directives[0]["plugin"], "screen-pop");
    assert!(
        directives[0]["id"]
            .as_str()
            .unwrap()
            .ends_with("#screen-pop#0")
    );

    let (status, _, again) = send(&ingest, post(&batch(), Some(&token))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        again["events"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["status"] == "duplicate")
    );
    assert_eq!(again["directives"], body["directives"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_and_cross_agent_requests_are_refused() {
    let ingest = ingest(config());
    let (status, headers, body) = send(&ingest, post(&batch(), None)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(code(&body), "missing-token");
    assert_eq!(headers["www-authenticate"], r#"Bearer realm="streamhooks""#);

    let (status, headers, body) = send(&ingest, post(&batch(), Some("not-a-dev-token"))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let challenge = headers["www-authenticate"].to_str().unwrap();
    assert!(
        challenge.contains(r#"error="invalid_token""#),
        "{challenge}"
    );

    // Authenticated as another agent of the same instance: may not post this agent's events.
    let other = agent().replace(
        "5d2c7e40-8b1a-4c9e-a3f6-0e7d2b9c4a11",
        "00000000-0000-4000-8000-000000000000",
    );
    let (status, _, body) = send(&ingest, post(&batch(), Some(&format!("dev:{other}")))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(code(&body), "agent-mismatch");

    // A batch re-labelled with the attacker's own ARN: binding passes, but every entry still
    // carries the real agent's configuration, so the decoder refuses them all.
    let mut relabelled = batch();
    relabelled["agent_arn"] = json!(other);
    let (status, _, body) = send(&ingest, post(&relabelled, Some(&format!("dev:{other}")))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(code(&body), "malformed-batch");
    assert_eq!(body["error"]["errors"].as_array().unwrap().len(), 4);
    assert_eq!(
        body["error"]["errors"][0]["path"],
        "events[0].agent.configuration.agentARN"
    );

    // An agent of another instance.
    let mut foreign = batch();
    let foreign_agent = agent().replace(
        "7c1e3f5a-92b4-4d1e-8f6a-3b5c9d2e4a17",
        "11111111-1111-4111-8111-111111111111",
    );
    foreign["agent_arn"] = json!(foreign_agent);
    let (status, _, body) = send(
        &ingest,
        post(&foreign, Some(&format!("dev:{foreign_agent}"))),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(code(&body), "wrong-instance");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cors_is_answered_for_allowed_origins_only() {
    let ingest = ingest(config());
    let preflight = |origin: &str| {
        Request::builder()
            .method(Method::OPTIONS)
            .uri("/")
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .body(Vec::new())
            .unwrap()
    };
    let (status, headers, _) = send(&ingest, preflight(ORIGIN)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(headers["access-control-allow-origin"], ORIGIN);
    assert!(
        headers["access-control-allow-headers"]
            .to_str()
            .unwrap()
            .contains("authorization")
    );
    let (status, headers, body) = send(&ingest, preflight("https://evil.example")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(!headers.contains_key("access-control-allow-origin"));
    assert_eq!(code(&body), "origin-not-allowed");

    let mut request = post(&batch(), Some(&format!("dev:{}", agent())));
    request
        .headers_mut()
        .insert("origin", "https://evil.example".parse().unwrap());
    let (status, _, body) = send(&ingest, request).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(code(&body), "origin-not-allowed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_clear_errors() {
    let ingest = ingest(IngestConfig {
        max_body_bytes: 2048,
        agent_rate: 1.0,
        agent_burst: 1.0,
        ..config()
    });
    let token = format!("dev:{}", agent());

    let mut get = post(&batch(), Some(&token));
    *get.method_mut() = Method::GET;
    let (status, headers, body) = send(&ingest, get).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(headers["allow"], "POST, OPTIONS");
    assert_eq!(code(&body), "method-not-allowed");

    let mut text = post(&batch(), Some(&token));
    text.headers_mut()
        .insert("content-type", "text/plain".parse().unwrap());
    let (status, _, body) = send(&ingest, text).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(code(&body), "unsupported-media-type");

    let (status, _, body) = send(&ingest, post(&batch(), Some(&token))).await;
    assert_eq!(
        status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "the sample batch is over 2 KiB"
    );
    assert_eq!(code(&body), "body-too-large");

    let mut broken = post(&json!({}), Some(&token));
    *broken.body_mut() = b"{\"format\": \"streamhooks.streams.v1\",\n \"agent_arn\": }".to_vec();
    let (status, _, body) = send(&ingest, broken).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(code(&body), "malformed-json");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("line 2"),
        "{body}"
    );

    let no_events = json!({"format": "streamhooks.streams.v1", "agent_arn": agent(), "events": [{"id": "x", "event": "contact::teleported", "occurred_at": 1}]});
    let (status, _, body) = send(&ingest, post(&no_events, Some(&token))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(code(&body), "malformed-batch");
    assert_eq!(
        body["error"]["errors"][0]["path"], "events[0].event",
        "{body}"
    );

    // The rate limit (burst 1) counts requests that got past authentication and binding: the
    // malformed batch above spent it; the next is refused.
    let (status, headers, body) = send(&ingest, post(&no_events, Some(&token))).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(code(&body), "rate-limited");
    assert!(headers.contains_key("retry-after"));
}

/// An ingest handler whose agent has a screen pop waiting in its mailbox, decided on a
/// server-side (agent event stream) event; that event, and the agent.
async fn directive_waiting_in_mailbox() -> (Ingest, streamhooks_events::Event, String) {
    let h = harness(&["screen-pop"], ServiceConfig::default());
    let server_side = event("agent-stream/contact-connected", "contact-connected");
    let report = h
        .service
        .process(
            &server_side,
            &streamhooks_service::Delivery::None,
            deadline(),
        )
        .await;
    assert_eq!(report.status, streamhooks_service::Status::Processed);
    let agent = server_side.agent_arn.clone().unwrap();
    let ingest = Ingest::new(
        h.service,
        Arc::new(DevAuthenticator::insecure_new()),
        config(),
    );
    (ingest, server_side, agent)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn directives_decided_on_server_side_events_come_with_the_agents_next_answer() {
    // The agent event stream reports the contact connected before the browser forwards it.
    let (ingest, server_side, agent) = directive_waiting_in_mailbox().await;

    let mut batch = batch();
    batch["agent_arn"] = json!(agent);
    for entry in batch["events"].as_array_mut().unwrap() {
        entry["agent"]["configuration"]["agentARN"] = json!(agent);
    }
    let (status, _, body) = send(&ingest, post(&batch, Some(&format!("dev:{agent}")))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let directives = body["directives"].as_array().unwrap();
    assert_eq!(directives[0]["event_id"], json!(server_side.id), "{body}");
    assert_eq!(directives[0]["directive"], "screen-pop");
    // Handed out once.
    let mut later = batch.clone();
    later["events"][0]["id"] = json!("a-later-event");
    later["events"] = json!([later["events"][0].clone()]);
    let (_, _, body) = send(&ingest, post(&later, Some(&format!("dev:{agent}")))).await;
    assert!(
        body["directives"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["event_id"] != json!(server_side.id)),
        "{body}"
    );
}

#[derive(Default)]
struct Seen {
    events: std::sync::Mutex<Vec<(String, String)>>,
    results: std::sync::Mutex<Vec<(String, streamhooks_service::ingest::DirectiveResult)>>,
}

impl streamhooks_service::Observer for Seen {
    fn event(&self, event: &streamhooks_events::Event, report: &streamhooks_service::EventReport) {
        self.events
            .lock()
            .unwrap()
            .push((event.id.clone(), format!("{:?}", report.status)));
    }
    fn directive_result(&self, agent: &str, result: &streamhooks_service::ingest::DirectiveResult) {
        self.results
            .lock()
            .unwrap()
            .push((agent.to_owned(), result.clone()));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_batch_collects_the_mailbox() {
    let (ingest, server_side, agent) = directive_waiting_in_mailbox().await;
    let poll = json!({"format": "streamhooks.streams.v1", "agent_arn": agent, "events": []});
    let token = format!("dev:{agent}");
    let (status, _, body) = send(&ingest, post(&poll, Some(&token))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["events"], json!([]));
    assert_eq!(body["rejected"], json!([]));
    let directives = body["directives"].as_array().unwrap();
    assert_eq!(directives.len(), 1, "{body}");
    assert_eq!(directives[0]["event_id"], json!(server_side.id));
    // Handed out once: the next poll finds the mailbox empty.
    let (status, _, body) = send(&ingest, post(&poll, Some(&token))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["directives"], json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn directive_results_are_recorded_and_what_was_not_done_is_dead_lettered() {
    let seen = Arc::new(Seen::default());
    let h = harness_observed(&["screen-pop"], ServiceConfig::default(), seen.clone());
    let ingest = Ingest::new(
        Arc::clone(&h.service),
        Arc::new(DevAuthenticator::insecure_new()),
        config(),
    );
    let agent = agent();
    let token = format!("dev:{agent}");
    let pop = "streams/5d2c/4b1d#screen-pop#0";
    let mut body = batch();
    body["directive_results"] = json!([
        {"id": pop, "status": "done"},
        {"id": "streams/5d2c/77aa#screen-pop#1", "status": "failed", "message": "InvalidStateException: contact is gone"},
        {"id": "streams/5d2c/77ab#screen-pop#0", "status": "refused", "message": "`accept` is not in this page's allowlist"},
        {"id": "streams/5d2c/77ac#screen-pop#0", "status": "maybe"},
        {"status": "done"}
    ]);
    let (status, _, answer) = send(&ingest, post(&body, Some(&token))).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    // The events were handled as usual.
    assert_eq!(answer["events"].as_array().unwrap().len(), 4, "{answer}");
    assert_eq!(seen.events.lock().unwrap().len(), 4);
    let rejected: Vec<&str> = answer["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        rejected,
        ["directive_results[3].status", "directive_results[4].id"]
    );
    let results = seen.results.lock().unwrap().clone();
    assert_eq!(results.len(), 3);
    assert!(results.iter().all(|(a, _)| *a == agent));
    assert_eq!(results[0].1.id, pop);

    let letters = h.dead.letters();
    assert_eq!(letters.len(), 2, "{letters:?}");
    let failed = serde_json::to_value(&letters[0]).unwrap();
    assert_eq!(failed["reason"], "directive-failed");
    assert_eq!(failed["code"], "directive-failed");
    assert_eq!(failed["message"], "InvalidStateException: contact is gone");
    assert_eq!(failed["event_id"], "streams/5d2c/77aa");
    assert_eq!(failed["plugin"], "screen-pop");
    assert_eq!(failed["index"], 1);
    assert_eq!(failed["agent_arn"], json!(agent));
    assert_eq!(failed["directive_id"], "streams/5d2c/77aa#screen-pop#1");
    assert_eq!(letters[1].code, "directive-refused");

    // A result that cannot be recorded makes the forwarder send the batch again.
    h.dead.fail_with(Some("bus unreachable"));
    let mut again = json!({"format": "streamhooks.streams.v1", "agent_arn": agent, "events": []});
    again["directive_results"] =
        json!([{"id": "streams/5d2c/77ad#screen-pop#0", "status": "failed"}]);
    let (status, headers, answer) = send(&ingest, post(&again, Some(&token))).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{answer}");
    assert_eq!(code(&answer), "retry");
    assert_eq!(headers["retry-after"], "1");

    // Not an array, or too many: the batch is refused.
    again["directive_results"] = json!({"id": "x"});
    let (status, _, answer) = send(&ingest, post(&again, Some(&token))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert_eq!(
        answer["error"]["message"],
        "directive_results: expected an array"
    );
    again["directive_results"] = Value::Array(vec![json!({"id": "x", "status": "done"}); 101]);
    let (status, _, answer) = send(&ingest, post(&again, Some(&token))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert_eq!(
        answer["error"]["message"],
        "directive_results is too large: 101 > 100"
    );
}
