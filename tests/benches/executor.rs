//! The executor at Amazon Connect's quota: StartTaskContact actions (2 requests/s, burst 5 by
//! default) from several concurrent events, through the real request path
//! (`streamhooks-connect` over `aws-sdk-connect`) to the local Connect stand-in
//! (`streamhooks_tests::connect_standin`), which enforces the same quota and answers 429
//! `ThrottlingException` past it. Measures the sustained actions/s after the burst, the calls
//! the stand-in throttled, and that every action created exactly one contact.
//!
//! ```sh
//! cargo bench -p streamhooks-tests --bench executor
//! ```
//!
//! `EXECUTOR_ACTIONS` (default 25) actions, `EXECUTOR_EVENTS_IN_FLIGHT` (default 5) events
//! handled at once, one action each; about (actions - 5) / 2 seconds.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, Region};
use aws_sdk_dynamodb::config::Credentials;
use streamhooks_actions::action::{Action, StartTaskContact};
use streamhooks_connect::ConnectAdapter;
use streamhooks_executor::{Executor, Outcome, Planned, RateLimiter};
use streamhooks_tests::connect_standin::{ConnectStandIn, StandInConfig};

const INSTANCE: &str =
    "arn:aws:connect:us-west-2:111122223333:instance/7c1e3f5a-92b4-4d1e-8f6a-3b5c9d2e4a17";
const INSTANCE_ID: &str = "7c1e3f5a-92b4-4d1e-8f6a-3b5c9d2e4a17";

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn planned(i: usize) -> Planned {
    Planned {
        event_id: format!("bench-event-{i}"),
        plugin: "bench".into(),
        index: 0,
        action: Action::StartTaskContact(StartTaskContact {
            name: format!("Callback {i}"),
            description: None,
            contact_flow_id: Some("flow-1".into()),
            task_template_id: None,
            quick_connect_id: None,
            previous_contact_id: None,
            related_contact_id: None,
            attributes: Vec::new(),
            references: Vec::new(),
            scheduled_time: None,
        }),
        denied: None,
        resources: Vec::new(),
    }
}

fn main() {
    let actions = env_usize("EXECUTOR_ACTIONS", 25);
    let in_flight = env_usize("EXECUTOR_EVENTS_IN_FLIGHT", 5).max(1);
    let (rate, burst) = (2.0, 5.0);
    let standin = ConnectStandIn::start(StandInConfig {
        instance_id: INSTANCE_ID.into(),
        quota: Some((rate, burst)),
    })
    .unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let endpoint = standin.endpoint();
    let (outcomes, started, elapsed) = runtime.block_on(async move {
        let sdk = aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new("us-west-2"))
            .credentials_provider(Credentials::new("testing", "testing", None, None, "bench"))
            .endpoint_url(endpoint)
            .load()
            .await;
        let executor = Executor::new(Arc::new(RateLimiter::connect_defaults()))
            .with_connect(Arc::new(ConnectAdapter::from_sdk_config(&sdk, INSTANCE)));
        let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let started = Instant::now();
        let workers: Vec<_> = (0..in_flight)
            .map(|_| {
                let executor = executor.clone();
                let next = next.clone();
                tokio::spawn(async move {
                    let mut outcomes = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        if i >= actions {
                            return outcomes;
                        }
                        // A generous deadline: the limiter waits for tokens instead of failing.
                        let deadline = Instant::now() + Duration::from_secs(120);
                        let execution = executor.execute(&[planned(i)], deadline.into()).await;
                        outcomes.extend(execution.outcomes.into_iter().map(|o| o.outcome));
                    }
                })
            })
            .collect();
        let mut outcomes = Vec::new();
        for worker in workers {
            outcomes.extend(worker.await.unwrap());
        }
        (outcomes, started, started.elapsed())
    });

    let calls = standin.calls();
    let accepted: Vec<Instant> = calls
        .iter()
        .filter(|c| c.operation == "StartTaskContact" && c.status == 200)
        .map(|c| c.at)
        .collect();
    let throttled = calls.iter().filter(|c| c.status == 429).count();
    let done = outcomes
        .iter()
        .filter(|o| matches!(o, Outcome::Done { .. }))
        .count();
    let retried: u32 = outcomes
        .iter()
        .map(|o| match o {
            Outcome::Done { attempts, .. } | Outcome::Failed { attempts, .. } => {
                attempts.saturating_sub(1)
            }
            _ => 0,
        })
        .sum();
    // After the burst the bucket refills at `rate`: the sustained rate is measured from the
    // last call of the burst to the last call.
    let b = burst as usize;
    let sustained = if accepted.len() > b {
        (accepted.len() - b) as f64
            / accepted[accepted.len() - 1]
                .duration_since(accepted[b - 1])
                .as_secs_f64()
    } else {
        f64::NAN
    };
    println!(
        "executor at quota: {actions} StartTaskContact actions, {in_flight} events in flight, \
         quota {rate}/s burst {burst} (limiter and stand-in)\n"
    );
    println!(
        "| actions | done | lost | throttled calls (429) | retries | sustained actions/s after the burst | quota | first call | total |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    println!(
        "| {actions} | {done} | {} | {throttled} | {retried} | {sustained:.3} | {rate} | {:.0} ms | {:.2} s |",
        actions - done,
        accepted
            .first()
            .map_or(f64::NAN, |t| t.duration_since(started).as_secs_f64()
                * 1000.0),
        elapsed.as_secs_f64()
    );
    // Where the throttled calls fall: their place among all calls and their time after the
    // first call, to tell the burst edge from steady-state misses.
    if let Some(first) = calls.first().map(|c| c.at) {
        for (i, c) in calls.iter().enumerate().filter(|(_, c)| c.status == 429) {
            println!(
                "throttled: call {} of {}, {:.1} ms after the first call",
                i + 1,
                calls.len(),
                c.at.duration_since(first).as_secs_f64() * 1000.0
            );
        }
    }
    assert_eq!(
        accepted.len(),
        actions,
        "every action creates exactly one contact"
    );
}
