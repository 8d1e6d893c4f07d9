//! Running planned actions to outcomes: routing, rate limits, retries within the deadline,
//! client directives, EventBridge batching.

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use sha2::{Digest, Sha256};
use streamhooks_actions::{Action, ClientAction};
use tokio::time::Instant;

use crate::limiter::RateLimiter;
use crate::ports::{CallContext, CallError, Connect, CrmConnector, EventPublisher, PublishEntry};

/// One action to execute: what a plugin decided on an event, and whether its manifest grants it.
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    /// The event it was decided on.
    pub event_id: String,
    /// The plugin that decided it.
    pub plugin: String,
    /// Its index in the plugin's result.
    pub index: usize,
    /// The action.
    pub action: Action,
    /// Why it is denied, if it is (denied actions are reported, never executed).
    pub denied: Option<String>,
    /// Resources for an EventBridge entry (the contact ARN ...), for `publish` actions.
    pub resources: Vec<String>,
}

/// What became of one action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum Outcome {
    /// Executed.
    Done {
        /// A detail the service returned (a new contact id, a record id, an event id).
        detail: Option<String>,
        /// Calls it took.
        attempts: u32,
    },
    /// Not executed, finally. The event should be reported (dead-letter) and may be retried.
    Failed {
        /// A stable code (`ThrottlingException`, `http-400`, `deadline`, `not-configured` ...).
        code: String,
        /// Why.
        reason: String,
        /// Whether handling the event again may succeed.
        retryable: bool,
        /// Calls made.
        attempts: u32,
    },
    /// Not granted by the plugin's manifest.
    Denied {
        /// What the manifest lacks.
        reason: String,
    },
    /// A client directive: returned to the agent's browser, not executed here.
    DeferredToClient,
}

impl Outcome {
    /// `done`, `failed`, `denied` or `deferred-to-client`.
    pub fn kind(&self) -> &'static str {
        match self {
            Outcome::Done { .. } => "done",
            Outcome::Failed { .. } => "failed",
            Outcome::Denied { .. } => "denied",
            Outcome::DeferredToClient => "deferred-to-client",
        }
    }
}

/// The outcome of one planned action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionOutcome {
    /// The event.
    pub event_id: String,
    /// The plugin.
    pub plugin: String,
    /// The action's index in the plugin's result.
    pub index: usize,
    /// The action's type (`start-task-contact` ...).
    pub action: &'static str,
    /// What became of it.
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// What executing a set of planned actions came to: one outcome per action, in plan order,
/// and the client directives to return, per agent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Execution {
    /// One per planned action, in the order planned.
    pub outcomes: Vec<ActionOutcome>,
    /// Client directives by agent ARN, in plan order.
    pub directives: BTreeMap<String, Vec<ClientAction>>,
}

impl Execution {
    /// The actions that finally failed.
    pub fn failed(&self) -> impl Iterator<Item = &ActionOutcome> {
        self.outcomes
            .iter()
            .filter(|o| matches!(o.outcome, Outcome::Failed { .. }))
    }

    /// Whether an action failed in a way that handling the event again may fix.
    pub fn should_retry(&self) -> bool {
        self.outcomes.iter().any(|o| {
            matches!(
                o.outcome,
                Outcome::Failed {
                    retryable: true,
                    ..
                }
            )
        })
    }

    /// CloudWatch Embedded Metric Format lines: the count of actions per plugin, action type
    /// and outcome (no customer data), for the function to print to its log.
    pub fn emf_lines(&self, timestamp_ms: i64) -> Vec<String> {
        let mut counts: BTreeMap<(&str, &str, &str), u64> = BTreeMap::new();
        for o in &self.outcomes {
            *counts
                .entry((o.plugin.as_str(), o.action, o.outcome.kind()))
                .or_default() += 1;
        }
        counts
            .into_iter()
            .map(|((plugin, action, outcome), n)| {
                serde_json::json!({
                    "_aws": {
                        "Timestamp": timestamp_ms,
                        "CloudWatchMetrics": [{
                            "Namespace": "streamhooks",
                            "Dimensions": [["Plugin", "Action", "Outcome"]],
                            "Metrics": [{"Name": "Actions", "Unit": "Count"}],
                        }],
                    },
                    "Plugin": plugin,
                    "Action": action,
                    "Outcome": outcome,
                    "Actions": n,
                })
                .to_string()
            })
            .collect()
    }
}

/// Retries of throttled and transient failures: exponential backoff with full jitter, bounded
/// by attempts and by the event's deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Calls at most, the first included.
    pub max_attempts: u32,
    /// The backoff ceiling before the first retry; it doubles with each retry.
    pub base: Duration,
    /// The largest backoff.
    pub cap: Duration,
}

impl Default for RetryPolicy {
    fn default() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 5,
            base: Duration::from_millis(100),
            cap: Duration::from_secs(5),
        }
    }
}

impl RetryPolicy {
    /// The wait before call `attempt + 1`: uniform in `[0, min(cap, base * 2^(attempt-1))]`
    /// ("full jitter"), drawn from a hash of the action's token and the attempt, so concurrent
    /// actions spread out and a given action's schedule is reproducible.
    pub fn backoff(&self, token: &str, attempt: u32) -> Duration {
        let ceiling = self
            .base
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(20))
            .min(self.cap);
        let mut hasher = std::hash::DefaultHasher::new();
        (token, attempt).hash(&mut hasher);
        let unit = (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64;
        ceiling.mul_f64(unit)
    }
}

/// The idempotency token of an action: a UUID-shaped digest of (event id, plugin, index), the
/// same on every retry and every redelivery of the event.
pub fn client_token(event_id: &str, plugin: &str, index: usize) -> String {
    let digest = Sha256::digest(format!("{event_id}\u{0}{plugin}\u{0}{index}"));
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// The Amazon Connect API a server action calls (the key of its token bucket).
pub fn connect_operation(action: &Action) -> Option<&'static str> {
    Some(match action {
        Action::PutUserStatus(_) => "PutUserStatus",
        Action::UpdateContactAttributes(_) => "UpdateContactAttributes",
        Action::UpdateContact(_) => "UpdateContact",
        Action::StopContact(_) => "StopContact",
        Action::TransferContact(_) => "TransferContact",
        Action::StartTaskContact(_) => "StartTaskContact",
        Action::StartOutboundVoiceContact(_) => "StartOutboundVoiceContact",
        Action::DismissUserContact(_) => "DismissUserContact",
        Action::SuspendContactRecording(_) => "SuspendContactRecording",
        Action::ResumeContactRecording(_) => "ResumeContactRecording",
        Action::MonitorContact(_) => "MonitorContact",
        Action::TagContact(_) => "TagContact",
        Action::Client(_) | Action::Crm(_) | Action::Publish(_) => return None,
    })
}

/// EventBridge takes at most 10 entries per PutEvents call.
pub const MAX_ENTRIES_PER_PUT: usize = 10;
/// EventBridge takes at most 256 KB per PutEvents call.
pub const MAX_BYTES_PER_PUT: usize = 256 * 1024;

/// Executes planned actions through the configured ports.
#[derive(Clone)]
pub struct Executor {
    connect: Option<Arc<dyn Connect>>,
    crm: BTreeMap<String, Arc<dyn CrmConnector>>,
    crm_fallback: Option<Arc<dyn CrmConnector>>,
    publisher: Option<Arc<dyn EventPublisher>>,
    limiter: Arc<RateLimiter>,
    retry: RetryPolicy,
}

impl std::fmt::Debug for Executor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Executor")
            .field("connect", &self.connect.is_some())
            .field("crm", &self.crm.keys().collect::<Vec<_>>())
            .field("publisher", &self.publisher.is_some())
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl Executor {
    /// An executor with no outside system configured: every server action fails as
    /// `not-configured`, client directives are still collected. Add ports with the `with_*`
    /// methods.
    pub fn new(limiter: Arc<RateLimiter>) -> Executor {
        Executor {
            connect: None,
            crm: BTreeMap::new(),
            crm_fallback: None,
            publisher: None,
            limiter,
            retry: RetryPolicy::default(),
        }
    }

    /// Amazon Connect.
    pub fn with_connect(mut self, connect: Arc<dyn Connect>) -> Executor {
        self.connect = Some(connect);
        self
    }

    /// A CRM connector, under the name plugins use in `crm` actions.
    pub fn with_crm(
        mut self,
        name: impl Into<String>,
        connector: Arc<dyn CrmConnector>,
    ) -> Executor {
        self.crm.insert(name.into(), connector);
        self
    }

    /// The connector for `crm` actions naming a connector not registered with
    /// [`Executor::with_crm`]: for dry runs, where a [`crate::Recorder`] stands in for every
    /// connector a plugin may name. Without it such actions fail as `unknown-connector`.
    pub fn with_any_crm(mut self, connector: Arc<dyn CrmConnector>) -> Executor {
        self.crm_fallback = Some(connector);
        self
    }

    /// EventBridge.
    pub fn with_publisher(mut self, publisher: Arc<dyn EventPublisher>) -> Executor {
        self.publisher = Some(publisher);
        self
    }

    /// The retry policy.
    pub fn with_retry(mut self, retry: RetryPolicy) -> Executor {
        self.retry = retry;
        self
    }

    /// Executes `planned` by `deadline`: every action gets exactly one outcome, in plan order.
    /// Server actions run one after another in plan order; `publish` actions are batched into
    /// PutEvents calls at the end.
    pub async fn execute(&self, planned: &[Planned], deadline: Instant) -> Execution {
        let mut outcomes: Vec<Option<Outcome>> = vec![None; planned.len()];
        let mut directives: BTreeMap<String, Vec<ClientAction>> = BTreeMap::new();
        let mut publishes = Vec::new();
        for (i, p) in planned.iter().enumerate() {
            if let Some(reason) = &p.denied {
                outcomes[i] = Some(Outcome::Denied {
                    reason: reason.clone(),
                });
                continue;
            }
            outcomes[i] = match &p.action {
                Action::Client(client) => {
                    directives
                        .entry(client.agent_arn.clone())
                        .or_default()
                        .push(client.clone());
                    Some(Outcome::DeferredToClient)
                }
                Action::Publish(_) => {
                    publishes.push(i);
                    None
                }
                _ => Some(self.run_one(p, deadline).await),
            };
        }
        for (i, outcome) in self.publish(planned, &publishes, deadline).await {
            outcomes[i] = Some(outcome);
        }
        let outcomes = planned
            .iter()
            .zip(outcomes)
            .map(|(p, outcome)| {
                let outcome = outcome.unwrap_or_else(|| Outcome::Failed {
                    code: "not-executed".into(),
                    reason: "no outcome was recorded (a bug in the executor)".into(),
                    retryable: true,
                    attempts: 0,
                });
                let o = ActionOutcome {
                    event_id: p.event_id.clone(),
                    plugin: p.plugin.clone(),
                    index: p.index,
                    action: p.action.type_name(),
                    outcome,
                };
                log_outcome(&o);
                o
            })
            .collect();
        Execution {
            outcomes,
            directives,
        }
    }

    /// One server or CRM action, with its token bucket and retries.
    async fn run_one(&self, p: &Planned, deadline: Instant) -> Outcome {
        let token = client_token(&p.event_id, &p.plugin, p.index);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let cx = CallContext {
                event_id: p.event_id.clone(),
                plugin: p.plugin.clone(),
                index: p.index,
                client_token: token.clone(),
                attempt,
                deadline: deadline.into_std(),
            };
            let result = match &p.action {
                Action::Crm(update) => match self
                    .crm
                    .get(&update.connector)
                    .or(self.crm_fallback.as_ref())
                {
                    Some(connector) => connector.write(update, &cx).await,
                    None => Err(CallError::Permanent {
                        code: "unknown-connector".into(),
                        message: format!(
                            "no CRM connector named `{}` is configured",
                            update.connector
                        ),
                    }),
                },
                action => match (&self.connect, connect_operation(action)) {
                    (Some(connect), Some(operation)) => {
                        if let Err(e) = self.limiter.acquire(operation, deadline).await {
                            return Outcome::Failed {
                                code: "deadline".into(),
                                reason: format!("{operation}: {e}"),
                                retryable: true,
                                attempts: attempt - 1,
                            };
                        }
                        connect.call(action, &cx).await
                    }
                    (None, _) => Err(CallError::Permanent {
                        code: "not-configured".into(),
                        message: "Amazon Connect is not configured for this executor".into(),
                    }),
                    (_, None) => Err(CallError::Permanent {
                        code: "not-a-connect-action".into(),
                        message: format!("{} is not an Amazon Connect action", action.type_name()),
                    }),
                },
            };
            let error = match result {
                Ok(detail) => {
                    return Outcome::Done {
                        detail,
                        attempts: attempt,
                    };
                }
                Err(error) => error,
            };
            if let Some(outcome) = self.give_up(&error, attempt, &token, deadline).await {
                return outcome;
            }
        }
    }

    /// After a failed call: the final outcome, or `None` once the backoff has been waited and
    /// the call should be made again.
    async fn give_up(
        &self,
        error: &CallError,
        attempt: u32,
        token: &str,
        deadline: Instant,
    ) -> Option<Outcome> {
        let failed = |code: String, reason: String, retryable: bool| Outcome::Failed {
            code,
            reason,
            retryable,
            attempts: attempt,
        };
        let code = match error {
            CallError::Permanent { code, message } => {
                return Some(failed(code.clone(), message.clone(), false));
            }
            CallError::Throttled { .. } => "throttled",
            CallError::Transient { .. } => "transient",
        };
        if attempt >= self.retry.max_attempts {
            return Some(failed(
                code.into(),
                format!("gave up after {attempt} attempts: {error}"),
                true,
            ));
        }
        let mut wait = self.retry.backoff(token, attempt);
        if let CallError::Throttled {
            retry_after: Some(after),
            ..
        } = error
        {
            wait = wait.max(*after);
        }
        if Instant::now() + wait >= deadline {
            return Some(failed(
                "deadline".into(),
                format!("no time left to retry after {attempt} attempts: {error}"),
                true,
            ));
        }
        tokio::time::sleep(wait).await;
        None
    }

    /// Publishes the `publish` actions at `indexes` in batches, retrying failed entries.
    async fn publish(
        &self,
        planned: &[Planned],
        indexes: &[usize],
        deadline: Instant,
    ) -> Vec<(usize, Outcome)> {
        if indexes.is_empty() {
            return Vec::new();
        }
        let Some(publisher) = &self.publisher else {
            return indexes
                .iter()
                .map(|i| {
                    (
                        *i,
                        Outcome::Failed {
                            code: "not-configured".into(),
                            reason: "EventBridge is not configured for this executor".into(),
                            retryable: false,
                            attempts: 0,
                        },
                    )
                })
                .collect();
        };
        let mut done = Vec::new();
        // (plan index, entry, attempts so far, last error)
        let mut pending: Vec<(usize, PublishEntry, u32)> = Vec::new();
        for i in indexes {
            let p = &planned[*i];
            let Action::Publish(event) = &p.action else {
                continue;
            };
            let entry = PublishEntry {
                source: format!("streamhooks.{}", p.plugin),
                detail_type: event.detail_type.clone(),
                detail: event.detail.to_string(),
                resources: p.resources.clone(),
            };
            if entry.size() > MAX_BYTES_PER_PUT {
                done.push((
                    *i,
                    Outcome::Failed {
                        code: "entry-too-large".into(),
                        reason: format!(
                            "{} bytes; EventBridge takes at most {MAX_BYTES_PER_PUT} per entry",
                            entry.size()
                        ),
                        retryable: false,
                        attempts: 0,
                    },
                ));
                continue;
            }
            pending.push((*i, entry, 0));
        }
        while !pending.is_empty() {
            let mut retry_later = Vec::new();
            let mut longest_wait = Duration::ZERO;
            for batch in batches(&pending) {
                let entries: Vec<PublishEntry> =
                    batch.iter().map(|k| pending[*k].1.clone()).collect();
                let results = match publisher.put_events(&entries, deadline.into_std()).await {
                    Ok(results) if results.len() == entries.len() => results,
                    Ok(results) => vec![
                        Err(CallError::Transient {
                            message: format!(
                                "PutEvents answered {} results for {} entries",
                                results.len(),
                                entries.len()
                            ),
                        });
                        entries.len()
                    ],
                    Err(e) => vec![Err(e); entries.len()],
                };
                for (k, result) in batch.iter().zip(results) {
                    let (plan_index, entry, attempts) = &pending[*k];
                    let attempts = attempts + 1;
                    match result {
                        Ok(event_id) => done.push((
                            *plan_index,
                            Outcome::Done {
                                detail: Some(event_id),
                                attempts,
                            },
                        )),
                        Err(error) => {
                            let token = client_token(
                                &planned[*plan_index].event_id,
                                "publish",
                                *plan_index,
                            );
                            let final_outcome = match &error {
                                CallError::Permanent { code, message } => Some(Outcome::Failed {
                                    code: code.clone(),
                                    reason: message.clone(),
                                    retryable: false,
                                    attempts,
                                }),
                                _ if attempts >= self.retry.max_attempts => Some(Outcome::Failed {
                                    code: "gave-up".into(),
                                    reason: format!("gave up after {attempts} attempts: {error}"),
                                    retryable: true,
                                    attempts,
                                }),
                                _ => None,
                            };
                            match final_outcome {
                                Some(outcome) => done.push((*plan_index, outcome)),
                                None => {
                                    let mut wait = self.retry.backoff(&token, attempts);
                                    if let CallError::Throttled {
                                        retry_after: Some(after),
                                        ..
                                    } = &error
                                    {
                                        wait = wait.max(*after);
                                    }
                                    longest_wait = longest_wait.max(wait);
                                    retry_later.push((*plan_index, entry.clone(), attempts, error));
                                }
                            }
                        }
                    }
                }
            }
            if retry_later.is_empty() {
                break;
            }
            if Instant::now() + longest_wait >= deadline {
                for (plan_index, _, attempts, error) in retry_later {
                    done.push((
                        plan_index,
                        Outcome::Failed {
                            code: "deadline".into(),
                            reason: format!(
                                "no time left to retry after {attempts} attempts: {error}"
                            ),
                            retryable: true,
                            attempts,
                        },
                    ));
                }
                break;
            }
            tokio::time::sleep(longest_wait).await;
            pending = retry_later
                .into_iter()
                .map(|(i, entry, attempts, _)| (i, entry, attempts))
                .collect();
        }
        done
    }
}

/// Splits pending entries into PutEvents batches of at most 10 entries and 256 KB, in order.
fn batches(pending: &[(usize, PublishEntry, u32)]) -> Vec<Vec<usize>> {
    let mut out: Vec<Vec<usize>> = Vec::new();
    let mut bytes = 0;
    for (k, (_, entry, _)) in pending.iter().enumerate() {
        let size = entry.size();
        let full = out
            .last()
            .is_none_or(|b| b.len() >= MAX_ENTRIES_PER_PUT || bytes + size > MAX_BYTES_PER_PUT);
        if full {
            out.push(Vec::new());
            bytes = 0;
        }
        if let Some(batch) = out.last_mut() {
            batch.push(k);
        }
        bytes += size;
    }
    out
}

fn log_outcome(o: &ActionOutcome) {
    match &o.outcome {
        Outcome::Failed {
            code,
            reason,
            retryable,
            attempts,
        } => tracing::warn!(
            event_id = %o.event_id, plugin = %o.plugin, index = o.index, action = o.action,
            outcome = "failed", code = %code, retryable, attempts, %reason, "action failed"
        ),
        Outcome::Done { attempts, .. } => tracing::info!(
            event_id = %o.event_id, plugin = %o.plugin, index = o.index, action = o.action,
            outcome = "done", attempts, "action done"
        ),
        other => tracing::info!(
            event_id = %o.event_id, plugin = %o.plugin, index = o.index, action = o.action,
            outcome = other.kind(), "action not executed here"
        ),
    }
}
