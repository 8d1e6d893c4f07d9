//! The executor against scripted ports, in tokio's paused time: retries, deadlines, rate
//! limits, routing, batching, directives, and that every action gets exactly one outcome.

// Test doubles outside #[test] functions: a poisoned lock is a failed test.
#![allow(clippy::unwrap_used)]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;
use streamhooks_actions::{
    Action, ClientAction, ClientDirective, CrmOperation, CrmUpdate, PublishEvent, StartTaskContact,
    StopContact,
};
use streamhooks_executor::{
    BoxFuture, CallContext, CallError, Connect, CrmConnector, EventPublisher, Executor, Outcome,
    Planned, PublishEntry, Quota, RateLimiter, Recorded, Recorder, RetryPolicy, client_token,
};
use tokio::time::Instant;

/// Answers calls from a script; records each call's attempt, token and time.
#[derive(Default)]
struct Scripted {
    answers: Mutex<VecDeque<Result<Option<String>, CallError>>>,
    calls: Mutex<Vec<(String, u32, String, Duration)>>,
    start: Mutex<Option<Instant>>,
}

impl Scripted {
    fn new(answers: Vec<Result<Option<String>, CallError>>) -> Arc<Scripted> {
        Arc::new(Scripted {
            answers: Mutex::new(answers.into()),
            calls: Mutex::default(),
            start: Mutex::new(Some(Instant::now())),
        })
    }

    fn answer(&self, what: &str, cx: &CallContext) -> Result<Option<String>, CallError> {
        let start = self.start.lock().unwrap().expect("start");
        self.calls.lock().unwrap().push((
            what.to_owned(),
            cx.attempt,
            cx.client_token.clone(),
            Instant::now() - start,
        ));
        self.answers
            .lock()
            .unwrap()
            .pop_front()
            .unwrap_or(Ok(Some("ok".into())))
    }

    fn calls(&self) -> Vec<(String, u32, String, Duration)> {
        self.calls.lock().unwrap().clone()
    }
}

impl Connect for Scripted {
    fn call<'a>(
        &'a self,
        action: &'a Action,
        cx: &'a CallContext,
    ) -> BoxFuture<'a, Result<Option<String>, CallError>> {
        let answer = self.answer(action.type_name(), cx);
        Box::pin(async move { answer })
    }
}

impl CrmConnector for Scripted {
    fn write<'a>(
        &'a self,
        update: &'a CrmUpdate,
        cx: &'a CallContext,
    ) -> BoxFuture<'a, Result<Option<String>, CallError>> {
        let answer = self.answer(&format!("crm:{}", update.object), cx);
        Box::pin(async move { answer })
    }
}

fn throttled() -> CallError {
    CallError::Throttled {
        retry_after: None,
        message: "Rate exceeded".into(),
    }
}

fn plan(index: usize, action: Action) -> Planned {
    Planned {
        event_id: "e-1".into(),
        plugin: "p".into(),
        index,
        action,
        denied: None,
        resources: vec![],
    }
}

fn stop(contact: &str) -> Action {
    Action::StopContact(StopContact {
        contact_id: contact.into(),
        disconnect_reason: None,
    })
}

fn task(name: &str) -> Action {
    Action::StartTaskContact(StartTaskContact {
        name: name.into(),
        description: None,
        contact_flow_id: Some("flow-1".into()),
        task_template_id: None,
        quick_connect_id: None,
        previous_contact_id: None,
        related_contact_id: None,
        attributes: vec![],
        references: vec![],
        scheduled_time: None,
    })
}

fn publish(detail_type: &str, bytes: usize) -> Action {
    Action::Publish(PublishEvent {
        detail_type: detail_type.into(),
        detail: json!({ "pad": "x".repeat(bytes) }),
    })
}

fn deadline(secs: u64) -> Instant {
    Instant::now() + Duration::from_secs(secs)
}

fn unlimited() -> Arc<RateLimiter> {
    Arc::new(RateLimiter::unlimited())
}

#[tokio::test(start_paused = true)]
async fn throttles_are_retried_with_backoff_and_the_same_token() {
    let connect = Scripted::new(vec![Err(throttled()), Err(throttled())]);
    let executor = Executor::new(unlimited()).with_connect(connect.clone());
    let execution = executor
        .execute(&[plan(0, stop("c-1"))], deadline(30))
        .await;
    assert_eq!(
        execution.outcomes[0].outcome,
        Outcome::Done {
            detail: Some("ok".into()),
            attempts: 3
        }
    );
    let calls = connect.calls();
    assert_eq!(calls.len(), 3);
    assert!(calls.iter().all(|c| c.2 == client_token("e-1", "p", 0)));
    assert_eq!(calls.iter().map(|c| c.1).collect::<Vec<_>>(), [1, 2, 3]);
    // Full jitter: each wait within [0, base * 2^(n-1)].
    let policy = RetryPolicy::default();
    assert!(calls[1].3 - calls[0].3 <= policy.base);
    assert!(calls[2].3 - calls[1].3 <= policy.base * 2);
    // The wait is this action's backoff, rounded up to tokio's 1 ms timer resolution.
    let gap = calls[1].3 - calls[0].3;
    let backoff = policy.backoff(&calls[0].2, 1);
    assert!(
        gap >= backoff && gap < backoff + Duration::from_millis(1),
        "{gap:?} vs {backoff:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn retry_after_is_honoured() {
    let connect = Scripted::new(vec![Err(CallError::Throttled {
        retry_after: Some(Duration::from_secs(2)),
        message: "slow down".into(),
    })]);
    let executor = Executor::new(unlimited()).with_connect(connect.clone());
    let execution = executor
        .execute(&[plan(0, stop("c-1"))], deadline(30))
        .await;
    assert!(matches!(
        execution.outcomes[0].outcome,
        Outcome::Done { attempts: 2, .. }
    ));
    let calls = connect.calls();
    assert!(calls[1].3 - calls[0].3 >= Duration::from_secs(2));
}

#[tokio::test(start_paused = true)]
async fn permanent_errors_are_not_retried() {
    let connect = Scripted::new(vec![Err(CallError::Permanent {
        code: "InvalidParameterException".into(),
        message: "ContactFlowId is not valid".into(),
    })]);
    let executor = Executor::new(unlimited()).with_connect(connect.clone());
    let execution = executor.execute(&[plan(0, task("t"))], deadline(30)).await;
    assert_eq!(
        execution.outcomes[0].outcome,
        Outcome::Failed {
            code: "InvalidParameterException".into(),
            reason: "ContactFlowId is not valid".into(),
            retryable: false,
            attempts: 1
        }
    );
    assert_eq!(connect.calls().len(), 1);
    assert!(!execution.should_retry());
    assert_eq!(execution.failed().count(), 1);
}

#[tokio::test(start_paused = true)]
async fn retries_stop_at_the_attempt_limit_and_at_the_deadline() {
    let always = || {
        (0..20)
            .map(|_| {
                Err(CallError::Transient {
                    message: "503".into(),
                })
            })
            .collect()
    };
    let connect = Scripted::new(always());
    let executor = Executor::new(unlimited()).with_connect(connect.clone());
    let execution = executor
        .execute(&[plan(0, stop("c-1"))], deadline(600))
        .await;
    match &execution.outcomes[0].outcome {
        Outcome::Failed {
            code,
            retryable,
            attempts,
            ..
        } => {
            assert_eq!(
                (code.as_str(), *retryable, *attempts),
                ("transient", true, 5)
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(execution.should_retry());

    // With a deadline shorter than the backoff, it gives up before the deadline passes.
    let connect = Scripted::new(always());
    let policy = RetryPolicy {
        max_attempts: 100,
        base: Duration::from_secs(1),
        cap: Duration::from_secs(4),
    };
    let executor = Executor::new(unlimited())
        .with_connect(connect.clone())
        .with_retry(policy);
    let end = deadline(10);
    let execution = executor.execute(&[plan(0, stop("c-1"))], end).await;
    assert!(Instant::now() < end, "returned by the deadline");
    match &execution.outcomes[0].outcome {
        Outcome::Failed {
            code,
            retryable,
            attempts,
            ..
        } => {
            assert_eq!(code, "deadline");
            assert!(*retryable);
            assert!(*attempts >= 2 && *attempts < 100, "{attempts}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn the_token_bucket_paces_a_burst_and_refuses_past_the_deadline() {
    let connect = Scripted::new(vec![]);
    let limiter = Arc::new(RateLimiter::new([(
        "StartTaskContact".to_owned(),
        Quota::new(2.0, 5.0),
    )]));
    let executor = Executor::new(limiter).with_connect(connect.clone());
    let planned: Vec<Planned> = (0..9).map(|i| plan(i, task(&format!("t{i}")))).collect();
    let execution = executor.execute(&planned, deadline(60)).await;
    assert!(
        execution
            .outcomes
            .iter()
            .all(|o| matches!(o.outcome, Outcome::Done { .. }))
    );
    let times: Vec<Duration> = connect.calls().iter().map(|c| c.3).collect();
    assert_eq!(times[4], Duration::ZERO, "the burst of 5 goes at once");
    // Then 2 per second, less the limiter's headroom (2% slower than the quota).
    let expected = Duration::from_secs_f64(4.0 / (2.0 * streamhooks_executor::RATE_HEADROOM));
    assert!(
        times[8].abs_diff(expected) <= Duration::from_millis(1),
        "then 2 per second: {:?}",
        times[8]
    );

    // A bucket that cannot give a token before the deadline fails the action, retryable.
    let limiter = Arc::new(RateLimiter::new([(
        "StopContact".to_owned(),
        Quota::new(0.1, 1.0),
    )]));
    let executor = Executor::new(limiter).with_connect(Scripted::new(vec![]));
    let execution = executor
        .execute(&[plan(0, stop("a")), plan(1, stop("b"))], deadline(5))
        .await;
    assert!(matches!(
        execution.outcomes[0].outcome,
        Outcome::Done { .. }
    ));
    match &execution.outcomes[1].outcome {
        Outcome::Failed {
            code,
            retryable: true,
            attempts: 0,
            ..
        } => assert_eq!(code, "deadline"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn every_action_gets_one_outcome_in_plan_order() {
    let connect = Scripted::new(vec![]);
    let crm = Scripted::new(vec![]);
    let executor = Executor::new(unlimited())
        .with_connect(connect.clone())
        .with_crm("salesforce", crm.clone());
    let client = |agent: &str| {
        Action::Client(ClientAction {
            agent_arn: agent.into(),
            contact_id: Some("c-1".into()),
            directive: ClientDirective::Hold,
        })
    };
    let crm_update = |connector: &str| {
        Action::Crm(CrmUpdate {
            connector: connector.into(),
            object: "Task".into(),
            operation: CrmOperation::Upsert,
            id_field: Some("ContactId".into()),
            id: Some("c-1".into()),
            fields: json!({"Subject": "Call"}),
        })
    };
    let mut denied = plan(4, stop("c-9"));
    denied.denied = Some("stop-contact denied: not granted".into());
    let planned = vec![
        plan(0, client("agent-a")),
        plan(1, crm_update("salesforce")),
        plan(2, crm_update("hubspot")),
        plan(3, client("agent-b")),
        denied,
        plan(5, client("agent-a")),
        plan(6, stop("c-1")),
    ];
    let execution = Executor::new(unlimited())
        .execute(&planned, deadline(30))
        .await;
    // Nothing configured: server and CRM actions fail, never vanish.
    assert_eq!(execution.outcomes.len(), planned.len());
    assert_eq!(execution.failed().count(), 3);

    let execution = executor.execute(&planned, deadline(30)).await;
    let kinds: Vec<&str> = execution
        .outcomes
        .iter()
        .map(|o| o.outcome.kind())
        .collect();
    assert_eq!(
        kinds,
        [
            "deferred-to-client",
            "done",
            "failed",
            "deferred-to-client",
            "denied",
            "deferred-to-client",
            "done"
        ]
    );
    let indexes: Vec<usize> = execution.outcomes.iter().map(|o| o.index).collect();
    assert_eq!(indexes, [0, 1, 2, 3, 4, 5, 6]);
    assert_eq!(execution.directives["agent-a"].len(), 2);
    assert_eq!(execution.directives["agent-b"].len(), 1);
    match &execution.outcomes[2].outcome {
        Outcome::Failed {
            code,
            retryable: false,
            ..
        } => assert_eq!(code, "unknown-connector"),
        other => panic!("{other:?}"),
    }
    assert_eq!(crm.calls().len(), 1);
    assert_eq!(connect.calls().len(), 1, "the denied stop was not executed");

    // A catch-all connector (dry runs) takes names nobody registered.
    let any = Scripted::new(vec![]);
    let execution = Executor::new(unlimited())
        .with_crm("salesforce", crm.clone())
        .with_any_crm(any.clone())
        .execute(&planned[1..3], deadline(30))
        .await;
    assert!(
        execution
            .outcomes
            .iter()
            .all(|o| o.outcome.kind() == "done")
    );
    assert_eq!((crm.calls().len(), any.calls().len()), (2, 1));
}

/// A publisher that fails the entries whose detail-type is in `fail_once` on their first try.
#[derive(Default)]
struct Bus {
    calls: Mutex<Vec<Vec<String>>>,
    failed: Mutex<Vec<String>>,
    fail_once: Vec<String>,
    reject: Vec<String>,
}

impl EventPublisher for Bus {
    fn put_events<'a>(
        &'a self,
        entries: &'a [PublishEntry],
        _deadline: std::time::Instant,
    ) -> BoxFuture<'a, Result<Vec<Result<String, CallError>>, CallError>> {
        assert!(entries.len() <= 10);
        assert!(entries.iter().map(PublishEntry::size).sum::<usize>() <= 256 * 1024);
        self.calls
            .lock()
            .unwrap()
            .push(entries.iter().map(|e| e.detail_type.clone()).collect());
        let results = entries
            .iter()
            .map(|e| {
                let mut failed = self.failed.lock().unwrap();
                if self.reject.contains(&e.detail_type) {
                    Err(CallError::Permanent {
                        code: "MalformedDetail".into(),
                        message: "Detail is malformed".into(),
                    })
                } else if self.fail_once.contains(&e.detail_type)
                    && !failed.contains(&e.detail_type)
                {
                    failed.push(e.detail_type.clone());
                    Err(CallError::Throttled {
                        retry_after: None,
                        message: "ThrottlingException".into(),
                    })
                } else {
                    Ok(format!("id-{}", e.detail_type))
                }
            })
            .collect();
        Box::pin(async move { Ok(results) })
    }
}

#[tokio::test(start_paused = true)]
async fn publishes_are_batched_and_failed_entries_retried_alone() {
    let bus = Arc::new(Bus {
        fail_once: vec!["e3".into(), "e14".into()],
        reject: vec!["e7".into()],
        ..Bus::default()
    });
    let executor = Executor::new(unlimited()).with_publisher(bus.clone());
    let mut planned: Vec<Planned> = (0..23)
        .map(|i| plan(i, publish(&format!("e{i}"), 10)))
        .collect();
    // Two large entries that cannot share a 256 KB request.
    planned.push(plan(23, publish("big1", 150 * 1024)));
    planned.push(plan(24, publish("big2", 150 * 1024)));
    planned.push(plan(25, publish("huge", 300 * 1024)));
    let execution = executor.execute(&planned, deadline(30)).await;

    let calls = bus.calls.lock().unwrap().clone();
    let sizes: Vec<usize> = calls.iter().map(Vec::len).collect();
    assert_eq!(
        sizes,
        [10, 10, 4, 1, 2],
        "10, 10, 3 + big1, big2 alone, then the two retried"
    );
    assert_eq!(calls[4], ["e3", "e14"]);
    for (i, o) in execution.outcomes.iter().enumerate() {
        match (i, &o.outcome) {
            (
                7,
                Outcome::Failed {
                    code,
                    retryable: false,
                    attempts: 1,
                    ..
                },
            ) => {
                assert_eq!(code, "MalformedDetail");
            }
            (
                25,
                Outcome::Failed {
                    code, attempts: 0, ..
                },
            ) => assert_eq!(code, "entry-too-large"),
            (3 | 14, Outcome::Done { attempts: 2, .. }) => {}
            (
                _,
                Outcome::Done {
                    attempts: 1,
                    detail,
                },
            ) => {
                assert!(detail.as_deref().is_some_and(|d| d.starts_with("id-")));
            }
            other => panic!("{other:?}"),
        }
    }
}

#[tokio::test(start_paused = true)]
async fn dry_runs_record_every_call_with_its_token() {
    let recorder = Arc::new(Recorder::new());
    let executor = Executor::new(unlimited())
        .with_connect(recorder.clone())
        .with_crm("salesforce", recorder.clone())
        .with_publisher(recorder.clone());
    let planned = vec![plan(0, task("t")), plan(1, publish("Logged", 5))];
    let execution = executor.execute(&planned, deadline(5)).await;
    assert!(
        execution
            .outcomes
            .iter()
            .all(|o| matches!(o.outcome, Outcome::Done { .. }))
    );
    let calls = recorder.calls();
    assert!(
        matches!(&calls[0], Recorded::Connect { client_token: token, .. } if *token == client_token("e-1", "p", 0))
    );
    assert!(matches!(&calls[1], Recorded::Publish { entries } if entries[0].0 == "streamhooks.p"));
}

#[test]
fn client_tokens_are_stable_and_distinct() {
    let a = client_token("e-1", "p", 0);
    assert_eq!(a, client_token("e-1", "p", 0));
    assert_eq!(a.len(), 36);
    assert_ne!(a, client_token("e-1", "p", 1));
    assert_ne!(a, client_token("e-1", "q", 0));
    assert_ne!(client_token("e-1", "p1", 0), client_token("e-1p", "1", 0));
}

#[tokio::test(start_paused = true)]
async fn metrics_count_outcomes_per_plugin_action_and_outcome() {
    let executor = Executor::new(unlimited()).with_connect(Scripted::new(vec![]));
    let planned = vec![plan(0, stop("a")), plan(1, stop("b")), plan(2, task("t"))];
    let execution = executor.execute(&planned, deadline(5)).await;
    let lines = execution.emf_lines(1_763_629_200_000);
    assert_eq!(lines.len(), 2);
    let first: serde_json::Value = serde_json::from_str(&lines[0]).unwrap();
    assert_eq!(first["_aws"]["Timestamp"], 1_763_629_200_000_i64);
    assert_eq!(
        first["_aws"]["CloudWatchMetrics"][0]["Namespace"],
        "streamhooks"
    );
    assert_eq!(first["Action"], "start-task-contact");
    assert_eq!(first["Outcome"], "done");
    assert_eq!(first["Actions"], 1);
    let second: serde_json::Value = serde_json::from_str(&lines[1]).unwrap();
    assert_eq!(
        (second["Action"].as_str(), second["Actions"].as_u64()),
        (Some("stop-contact"), Some(2))
    );
}
