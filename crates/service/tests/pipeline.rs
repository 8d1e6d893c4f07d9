//! The pipeline over the real engine and example plugins: a redelivered or concurrent event
//! executes nothing twice, a retry executes only what failed (and plugins decide the same
//! actions again), stale events follow the policy, failures are dead-lettered, directives reach
//! only the forwarding agent, and the EventBridge and Kinesis handlers report what to retry.
#![allow(clippy::unwrap_used)]

mod support;

use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use serde_json::{Value, json};
use streamhooks_events::Limits;
use streamhooks_executor::Outcome;
use streamhooks_service::sources::{handle_eventbridge, handle_kinesis};
use streamhooks_service::{DeadLetterReason, Delivery, ServiceConfig, StalePolicy, Status};
use support::*;

const HOLD: &str = "agent-stream/contact-hold";

fn error_type(status: &Status) -> &str {
    match status {
        Status::Failed { error_type, .. } => error_type,
        other => panic!("expected a failure, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redelivered_event_executes_nothing_twice() {
    let h = harness(&["hold-recording"], ServiceConfig::default());
    let hold = event(HOLD, "contact-participant-hold");
    let first = h.service.process(&hold, &Delivery::None, deadline()).await;
    assert_eq!(first.status, Status::Processed);
    assert_eq!(first.outcomes.len(), 1);
    assert_eq!(h.connect.calls().len(), 1);
    assert_eq!(h.connect.calls()[0].0, "SuspendContactRecording");
    for _ in 0..3 {
        let again = h.service.process(&hold, &Delivery::None, deadline()).await;
        assert_eq!(again.status, Status::Duplicate);
        assert!(again.outcomes.is_empty());
    }
    assert_eq!(
        h.connect.calls().len(),
        1,
        "the redeliveries executed nothing"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_deliveries_of_one_event_execute_it_once() {
    let h = harness(&["hold-recording"], ServiceConfig::default());
    *h.connect.delay.lock().unwrap() = Duration::from_millis(100);
    let hold = event(HOLD, "contact-participant-hold");
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let service = Arc::clone(&h.service);
            let hold = hold.clone();
            tokio::spawn(async move { service.process(&hold, &Delivery::None, deadline()).await })
        })
        .collect();
    let mut processed = 0;
    for task in tasks {
        let report = task.await.unwrap();
        match report.status {
            Status::Processed => processed += 1,
            Status::InProgress { .. } | Status::Duplicate => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(processed, 1);
    assert_eq!(h.connect.calls().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_executes_only_what_failed_and_plugins_decide_the_same_again() {
    // Two plugins act on the same hold; the first call fails (transient, one attempt allowed),
    // so the event is to be retried while the other action is done.
    let h = harness(
        &["hold-recording", "hold-recording=hold-recording-2"],
        ServiceConfig::default(),
    );
    let hold = event(HOLD, "contact-participant-hold");
    h.connect.fail_next([transient()]);
    let attempt = h.service.process(&hold, &Delivery::None, deadline()).await;
    assert_eq!(error_type(&attempt.status), "ActionsFailed");
    let done: Vec<&str> = attempt.outcomes.iter().map(|o| o.outcome.kind()).collect();
    assert_eq!(done, ["failed", "done"]);
    assert_eq!(h.connect.calls().len(), 1);
    let done_token = h.connect.calls()[0].1.clone();

    // The retry: the plugins run again on the same state and decide the same two actions; only
    // the one that failed is executed.
    let retry = h.service.process(&hold, &Delivery::None, deadline()).await;
    assert_eq!(retry.status, Status::Processed);
    assert_eq!(
        retry.outcomes.len(),
        1,
        "only the failed action is planned again"
    );
    assert_eq!(retry.outcomes[0].plugin, attempt.outcomes[0].plugin);
    let calls = h.connect.calls();
    assert_eq!(calls.len(), 2);
    assert_ne!(
        calls[1].1, done_token,
        "the retried action is the other one"
    );

    // And then it is complete.
    let again = h.service.process(&hold, &Delivery::None, deadline()).await;
    assert_eq!(again.status, Status::Duplicate);
    assert_eq!(h.connect.calls().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plugin_state_is_kept_only_when_the_event_completes() {
    // hold-recording remembers which contacts it suspended; if that state were kept although
    // the suspension failed, the retry would decide nothing and the action would be lost.
    let h = harness(&["hold-recording"], ServiceConfig::default());
    let hold = event(HOLD, "contact-participant-hold");
    h.connect.fail_next([transient()]);
    let attempt = h.service.process(&hold, &Delivery::None, deadline()).await;
    assert_eq!(error_type(&attempt.status), "ActionsFailed");
    assert!(h.connect.calls().is_empty());
    let retry = h.service.process(&hold, &Delivery::None, deadline()).await;
    assert_eq!(retry.status, Status::Processed);
    assert_eq!(
        h.connect.calls().len(),
        1,
        "the retry decided and executed the suspension"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plugin_state_the_store_cannot_keep_now_retries_the_event_and_refused_state_is_reported() {
    use streamhooks_engine::{StateStore, StateStoreError};
    let state = Arc::new(FlakyState::default());
    let h = harness_with_state(&["hold-recording"], ServiceConfig::default(), state.clone());
    let hold = event(HOLD, "contact-participant-hold");

    // Unavailable: the event is retried; its executed action is not executed again.
    *state.failing.lock().unwrap() = Some(StateStoreError::unavailable("throttled"));
    let attempt = h.service.process(&hold, &Delivery::None, deadline()).await;
    assert_eq!(error_type(&attempt.status), "StateStoreUnavailable");
    assert_eq!(h.connect.calls().len(), 1);
    *state.failing.lock().unwrap() = None;
    let retry = h.service.process(&hold, &Delivery::None, deadline()).await;
    assert_eq!(retry.status, Status::Processed);
    assert!(
        retry.outcomes.is_empty(),
        "the suspension was done by the first attempt"
    );
    assert_eq!(h.connect.calls().len(), 1);
    assert_eq!(
        state.inner.key_count("hold-recording").unwrap(),
        1,
        "and now its state is kept"
    );

    // Refused for good: retrying cannot help, so the event completes and the loss is reported.
    let h = harness_with_state(&["hold-recording"], ServiceConfig::default(), state.clone());
    let mut other = hold.clone();
    other.id = format!("{}-other-contact", hold.id);
    other.contact_id = Some("11111111-2222-4333-8444-555555555555".into());
    if let Some(contact) = other.contact.as_mut() {
        contact.contact_id = "11111111-2222-4333-8444-555555555555".into();
    }
    *state.failing.lock().unwrap() = Some(StateStoreError::refused("item too large"));
    let report = h.service.process(&other, &Delivery::None, deadline()).await;
    assert_eq!(report.status, Status::Processed);
    assert_eq!(h.connect.calls().len(), 1);
    assert_eq!(report.plugin_failures.len(), 1, "{report:?}");
    let letters = h.dead.letters();
    assert_eq!(letters.len(), 1);
    assert_eq!(letters[0].reason, DeadLetterReason::StateRefused);
    assert_eq!(letters[0].plugin.as_deref(), Some("hold-recording"));
    assert!(
        letters[0].message.contains("item too large"),
        "{}",
        letters[0].message
    );
    assert_eq!(
        h.service
            .process(&other, &Delivery::None, deadline())
            .await
            .status,
        Status::Duplicate
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_event_is_skipped_or_delivered_by_policy() {
    let hold = event(HOLD, "contact-participant-hold");
    let mut older = hold.clone();
    older.id = format!("{}-older", hold.id);
    older.occurred_at = hold.occurred_at - chrono::Duration::seconds(30);

    let h = harness(&["hold-recording"], ServiceConfig::default());
    assert_eq!(
        h.service
            .process(&hold, &Delivery::None, deadline())
            .await
            .status,
        Status::Processed
    );
    let stale = h.service.process(&older, &Delivery::None, deadline()).await;
    assert_eq!(
        stale.status,
        Status::Stale {
            applied: hold.occurred_at.timestamp_millis()
        }
    );
    assert!(stale.outcomes.is_empty());
    assert_eq!(h.connect.calls().len(), 1);
    // A stale event is acknowledged: its redelivery is a duplicate.
    let again = h.service.process(&older, &Delivery::None, deadline()).await;
    assert_eq!(again.status, Status::Duplicate);

    // An event at the same time is not stale.
    let mut same = hold.clone();
    same.id = format!("{}-same", hold.id);
    assert_eq!(
        h.service
            .process(&same, &Delivery::None, deadline())
            .await
            .status,
        Status::Processed
    );

    let deliver = ServiceConfig {
        stale_policy: StalePolicy::Deliver,
        ..ServiceConfig::default()
    };
    let h = harness(&["hold-recording"], deliver);
    h.service.process(&hold, &Delivery::None, deadline()).await;
    let delivered = h.service.process(&older, &Delivery::None, deadline()).await;
    assert_eq!(delivered.status, Status::Processed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_permanent_failure_is_dead_lettered_and_the_event_completed() {
    let h = harness(&["hold-recording"], ServiceConfig::default());
    let hold = event(HOLD, "contact-participant-hold");
    h.connect.fail_next([permanent()]);
    let report = h.service.process(&hold, &Delivery::None, deadline()).await;
    assert_eq!(report.status, Status::Processed);
    assert!(
        matches!(&report.outcomes[0].outcome, Outcome::Failed { code, retryable: false, .. } if code == "InvalidParameterException")
    );
    let letters = h.dead.letters();
    assert_eq!(letters.len(), 1);
    assert_eq!(letters[0].reason, DeadLetterReason::ActionFailed);
    assert_eq!(letters[0].event_id.as_deref(), Some(hold.id.as_str()));
    assert_eq!(letters[0].plugin.as_deref(), Some("hold-recording"));
    assert_eq!(letters[0].code, "InvalidParameterException");
    assert_eq!(
        letters[0].action.as_ref().unwrap()["type"],
        "suspend-contact-recording"
    );
    assert_eq!(
        h.service
            .process(&hold, &Delivery::None, deadline())
            .await
            .status,
        Status::Duplicate
    );
    assert_eq!(h.dead.letters().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_dead_letters_cannot_be_sent_the_event_is_retried() {
    let h = harness(&["hold-recording"], ServiceConfig::default());
    let hold = event(HOLD, "contact-participant-hold");
    h.dead.fail_with(Some("EventBridge is down"));
    h.connect.fail_next([permanent()]);
    let report = h.service.process(&hold, &Delivery::None, deadline()).await;
    assert_eq!(error_type(&report.status), "DeadLetterFailed");
    h.dead.fail_with(None);
    h.connect.fail_next([permanent()]);
    let retry = h.service.process(&hold, &Delivery::None, deadline()).await;
    assert_eq!(retry.status, Status::Processed);
    assert_eq!(h.dead.letters().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn directives_reach_only_the_forwarding_agent() {
    let h = harness(&["screen-pop"], ServiceConfig::default());
    let connected = event("streams/incoming-call", "contact-connected");
    let agent = connected.agent_arn.clone().unwrap();
    let report = h
        .service
        .process(&connected, &Delivery::Agent(agent.clone()), deadline())
        .await;
    assert_eq!(report.status, Status::Processed);
    assert_eq!(report.directives.len(), 1);
    let directive = &report.directives[0];
    assert_eq!(directive.action.agent_arn, agent);
    assert_eq!(directive.id, format!("{}#screen-pop#0", connected.id));
    // A redelivery (the browser retrying a batch whose answer it lost) gets the same
    // directives back, from the store.
    let delivered = report.directives.clone();
    let again = h
        .service
        .process(&connected, &Delivery::Agent(agent.clone()), deadline())
        .await;
    assert_eq!(again.status, Status::Duplicate);
    assert_eq!(again.directives, report.directives);

    // Decided on a server-side event, nobody is waiting for it: it waits in the agent's
    // mailbox for the browser's next request, and is handed out once.
    let h = harness(&["screen-pop"], ServiceConfig::default());
    let report = h
        .service
        .process(&connected, &Delivery::None, deadline())
        .await;
    assert_eq!(report.status, Status::Processed);
    assert!(report.directives.is_empty());
    assert_eq!(report.outcomes[0].outcome, Outcome::DeferredToClient);
    assert!(h.dead.letters().is_empty());
    let other = agent.replace("5d2c7e40", "00000000");
    assert!(
        h.service
            .collect_directives(&other, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let waiting = h.service.collect_directives(&agent, 10).await.unwrap();
    assert_eq!(
        waiting, delivered,
        "the same directive as when the browser was waiting"
    );
    assert!(
        h.service
            .collect_directives(&agent, 10)
            .await
            .unwrap()
            .is_empty(),
        "handed out once"
    );
}

fn kinesis(records: &[(&str, Value)]) -> Value {
    let records: Vec<Value> = records
        .iter()
        .map(|(seq, data)| {
            let data = match data {
                Value::String(raw) => raw.clone(),
                other => base64::engine::general_purpose::STANDARD.encode(other.to_string()),
            };
            json!({"eventSource": "aws:kinesis", "kinesis": {"sequenceNumber": seq, "partitionKey": "agent", "data": data}})
        })
        .collect();
    json!({ "Records": records })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_kinesis_record_is_dead_lettered_and_never_blocks_the_shard() {
    let h = harness(&["hold-recording"], ServiceConfig::default());
    let input = kinesis(&[
        ("1", fixture("agent-stream/contact-connected.json")),
        ("2", Value::String("not base64 !!".into())),
        ("3", fixture("agent-stream/contact-hold.json")),
    ]);
    let response = handle_kinesis(&h.service, &input, &Limits::default(), deadline())
        .await
        .unwrap();
    assert!(response.batch_item_failures.is_empty(), "{response:?}");
    let letters = h.dead.letters();
    assert_eq!(letters.len(), 1);
    assert_eq!(letters[0].reason, DeadLetterReason::Undecodable);
    assert!(
        letters[0].message.starts_with("Records[1]"),
        "{}",
        letters[0].message
    );
    assert_eq!(
        letters[0].input.as_ref().unwrap()["kinesis"]["sequenceNumber"],
        "2"
    );
    assert_eq!(
        h.connect.calls().len(),
        1,
        "the record after the bad one was processed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kinesis_record_to_retry_is_reported_with_every_later_record() {
    let h = harness(&["hold-recording"], ServiceConfig::default());
    h.connect.fail_next([transient()]);
    let input = kinesis(&[
        ("10", fixture("agent-stream/contact-connected.json")),
        ("11", fixture("agent-stream/contact-hold.json")),
        ("12", fixture("agent-stream/contact-unhold.json")),
    ]);
    let response = handle_kinesis(&h.service, &input, &Limits::default(), deadline())
        .await
        .unwrap();
    let failed: Vec<&str> = response
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.as_str())
        .collect();
    assert_eq!(failed, ["11", "12"]);
    assert!(
        h.connect.calls().is_empty(),
        "nothing after the failed record was executed"
    );
    assert_eq!(
        serde_json::to_value(&response).unwrap(),
        json!({"batchItemFailures": [{"itemIdentifier": "11"}, {"itemIdentifier": "12"}]})
    );
    // Lambda delivers 11 and 12 again: now both go through, in order, once.
    let input = kinesis(&[
        ("11", fixture("agent-stream/contact-hold.json")),
        ("12", fixture("agent-stream/contact-unhold.json")),
    ]);
    let response = handle_kinesis(&h.service, &input, &Limits::default(), deadline())
        .await
        .unwrap();
    assert!(response.batch_item_failures.is_empty());
    let ops: Vec<String> = h.connect.calls().into_iter().map(|c| c.0).collect();
    assert_eq!(ops, ["SuspendContactRecording", "ResumeContactRecording"]);
    // The whole batch once more (a bisected retry): nothing is executed again.
    handle_kinesis(&h.service, &input, &Limits::default(), deadline())
        .await
        .unwrap();
    assert_eq!(h.connect.calls().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kinesis_input_without_records_fails_the_invocation() {
    let h = harness(&["hold-recording"], ServiceConfig::default());
    let err = handle_kinesis(
        &h.service,
        &json!({"foo": 1}),
        &Limits::default(),
        deadline(),
    )
    .await
    .unwrap_err();
    assert_eq!(err.error_type, "InvalidEvent");
    let err = handle_kinesis(
        &h.service,
        &json!({"Records": [{"kinesis": {"data": ""}}]}),
        &Limits::default(),
        deadline(),
    )
    .await
    .unwrap_err();
    assert!(
        err.message.contains("Records[0].kinesis.sequenceNumber"),
        "{}",
        err.message
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eventbridge_undecodable_input_is_dead_lettered_and_failures_fail_the_invocation() {
    let h = harness(&["missed-call-callback"], ServiceConfig::default());
    let bad = json!({"detail-type": "Amazon Connect Contact Event", "source": "aws.connect", "detail": {"eventType": "INITIATED"}});
    let summary = handle_eventbridge(&h.service, &bad, &Limits::default(), deadline())
        .await
        .unwrap();
    assert!(summary.dead_lettered);
    assert_eq!(h.dead.letters()[0].reason, DeadLetterReason::Undecodable);
    assert_eq!(h.dead.letters()[0].input.as_ref().unwrap(), &bad);

    h.dead.fail_with(Some("no bus"));
    let err = handle_eventbridge(&h.service, &bad, &Limits::default(), deadline())
        .await
        .unwrap_err();
    assert_eq!(err.error_type, "DeadLetterFailed");
    h.dead.fail_with(None);

    let good = fixture("eventbridge/completed.json");
    let summary = handle_eventbridge(&h.service, &good, &Limits::default(), deadline())
        .await
        .unwrap();
    assert!(!summary.dead_lettered);
    assert_eq!(summary.events.len(), 1);
    assert_eq!(summary.events[0].status, Status::Processed);
    let again = handle_eventbridge(&h.service, &good, &Limits::default(), deadline())
        .await
        .unwrap();
    assert_eq!(again.events[0].status, Status::Duplicate);
}
