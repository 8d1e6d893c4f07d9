//! [`Service`]: one event through idempotency, the ordering guard, the plugins and the
//! executor, to exactly one [`EventReport`].

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use streamhooks_actions::{Action, ClientAction};
use streamhooks_engine::{Dispatch, Plugins};
use streamhooks_events::Event;
use streamhooks_executor::{ActionOutcome, Executor, Outcome, Planned};
use streamhooks_store::{ActionKey, Begin, EpochMillis, Order, Parcel, Store, StoreError};
use tokio::time::Instant;

use crate::dead_letter::{DeadLetter, DeadLetterReason, DeadLetters};

/// How long past the invocation's deadline a lease on an event lasts: if the function is
/// stopped at its timeout, a redelivery may take the event over this long after.
pub const LEASE_MARGIN: Duration = Duration::from_secs(2);

/// What to do with a stale event: one older than what was already applied for its contact (or,
/// for agent events, its agent), from the same source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StalePolicy {
    /// Acknowledge it without running plugins; it is logged and reported as `stale`.
    #[default]
    Skip,
    /// Run plugins on it anyway (for plugins that only count or log).
    Deliver,
}

impl std::str::FromStr for StalePolicy {
    type Err = String;
    fn from_str(s: &str) -> Result<StalePolicy, String> {
        match s {
            "skip" => Ok(StalePolicy::Skip),
            "deliver" => Ok(StalePolicy::Deliver),
            other => Err(format!("`{other}` is not a stale policy (skip, deliver)")),
        }
    }
}

/// The pipeline's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceConfig {
    /// What happens to stale events.
    pub stale_policy: StalePolicy,
    /// How long a processed event's id is remembered (redeliveries within it execute nothing).
    pub idempotency_ttl: Duration,
    /// How long an ordering mark is kept after its last event.
    pub order_ttl: Duration,
    /// The function's name, written into dead letters.
    pub function: String,
    /// How long a directive waits in an agent's mailbox for the browser to collect it (a
    /// screen pop is of no use an hour later).
    pub directive_ttl: Duration,
    /// Whether to print CloudWatch Embedded Metric Format lines (actions per plugin, type
    /// and outcome) to stdout after each event, as Lambda functions do.
    pub emit_metrics: bool,
}

impl Default for ServiceConfig {
    fn default() -> ServiceConfig {
        ServiceConfig {
            stale_policy: StalePolicy::Skip,
            idempotency_ttl: Duration::from_secs(24 * 3600),
            order_ttl: Duration::from_secs(7 * 24 * 3600),
            function: "streamhooks".into(),
            directive_ttl: Duration::from_secs(300),
            emit_metrics: false,
        }
    }
}

/// Who can receive the client directives decided on an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// The authenticated agent whose browser forwarded the event: directives for this agent
    /// go back in the response.
    Agent(String),
    /// No browser is waiting (EventBridge, Kinesis): directives go to their agents' mailboxes.
    None,
}

/// A client directive to return to the agent's browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Directive {
    /// Unique and stable across redeliveries: `<event id>#<plugin>#<index>`. The browser
    /// reports the directive's result under it.
    pub id: String,
    /// The event it was decided on.
    pub event_id: String,
    /// The plugin that decided it.
    pub plugin: String,
    /// Its index in the plugin's result.
    pub index: usize,
    /// What to do, for which agent and contact.
    #[serde(flatten)]
    pub action: ClientAction,
}

/// The result stored with a completed event, returned again on redelivery.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
struct StoredResult {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    directives: Vec<Directive>,
}

/// What became of one event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum Status {
    /// Processed now.
    Processed,
    /// Processed before (a redelivery): nothing executed.
    Duplicate,
    /// Older than an event already applied for its entity, and skipped by policy.
    Stale {
        /// The newest time applied for the entity (epoch ms).
        applied: EpochMillis,
    },
    /// Another invocation is processing it now: deliver it again later.
    InProgress {
        /// When that invocation's lease expires (epoch ms).
        lease_until: EpochMillis,
    },
    /// Not processed (or not completely): deliver it again. Actions already executed are
    /// remembered and will not be executed again.
    Failed {
        /// A stable type (`StateStoreUnavailable`, `PluginFailed`, `ActionsFailed`,
        /// `DeadLetterFailed`, `DeadlineExceeded`, `Internal`).
        error_type: String,
        /// What went wrong.
        message: String,
    },
}

/// One event's handling.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventReport {
    /// The event's id.
    pub event_id: String,
    /// Its kind.
    pub kind: String,
    /// What became of it.
    #[serde(flatten)]
    pub status: Status,
    /// The outcome of every action decided in this attempt.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub outcomes: Vec<ActionOutcome>,
    /// Client directives for the delivery agent (also on a duplicate: the stored ones).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub directives: Vec<Directive>,
    /// Plugins that failed on the event (`plugin: kind: message`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub plugin_failures: Vec<String>,
}

impl EventReport {
    /// Whether the source should deliver the event again.
    pub fn should_retry(&self) -> bool {
        matches!(
            self.status,
            Status::InProgress { .. } | Status::Failed { .. }
        )
    }

    fn new(event: &Event, status: Status) -> EventReport {
        EventReport {
            event_id: event.id.clone(),
            kind: event.kind.as_str().to_owned(),
            status,
            outcomes: Vec::new(),
            directives: Vec::new(),
            plugin_failures: Vec::new(),
        }
    }
}

/// A source of the current time in epoch milliseconds (replaceable in tests).
pub type Clock = Arc<dyn Fn() -> EpochMillis + Send + Sync>;

/// The system clock.
pub fn system_clock() -> Clock {
    Arc::new(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
    })
}

/// The event pipeline: built once per process, shared by every invocation.
pub struct Service {
    plugins: Arc<Plugins>,
    executor: Arc<Executor>,
    store: Arc<dyn Store>,
    dead_letters: Arc<dyn DeadLetters>,
    config: ServiceConfig,
    clock: Clock,
    observer: Option<Arc<dyn Observer>>,
}

/// Watches what the service does, as it does it (`streamhooks dev` shows it live). Called on
/// the task that handled the event: keep it quick and never block.
pub trait Observer: Send + Sync {
    /// `event` was handled, with `report`.
    fn event(&self, event: &Event, report: &EventReport);
    /// A browser reported running (or not) a directive.
    fn directive_result(&self, _agent_arn: &str, _result: &crate::ingest::DirectiveResult) {}
}

impl std::fmt::Debug for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Service")
            .field("plugins", &self.plugins.len())
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

fn ms(d: Duration) -> EpochMillis {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// The ordering entity of an event: its contact, else its agent, per source.
pub fn order_entity(event: &Event) -> Option<String> {
    let source = event.source.as_str();
    if let Some(contact) = &event.contact_id {
        Some(format!("{source}/contact/{contact}"))
    } else {
        event
            .agent_arn
            .as_ref()
            .map(|agent| format!("{source}/agent/{agent}"))
    }
}

/// The id of a directive.
pub fn directive_id(event_id: &str, plugin: &str, index: usize) -> String {
    format!("{event_id}#{plugin}#{index}")
}

/// The event, plugin and index a [`directive_id`] was made of (`None` for another shape).
pub fn directive_origin(id: &str) -> Option<(&str, &str, usize)> {
    let (rest, index) = id.rsplit_once('#')?;
    let (event, plugin) = rest.rsplit_once('#')?;
    Some((event, plugin, index.parse().ok()?))
}

impl Service {
    /// A pipeline over loaded plugins, an executor (real or dry-run), a store and a
    /// dead-letter sink.
    pub fn new(
        plugins: Arc<Plugins>,
        executor: Arc<Executor>,
        store: Arc<dyn Store>,
        dead_letters: Arc<dyn DeadLetters>,
        config: ServiceConfig,
    ) -> Service {
        Service {
            plugins,
            executor,
            store,
            dead_letters,
            config,
            clock: system_clock(),
            observer: None,
        }
    }

    /// Tells `observer` about every event handled and every directive result reported.
    pub fn with_observer(mut self, observer: Arc<dyn Observer>) -> Service {
        self.observer = Some(observer);
        self
    }

    /// The observer, if one was set.
    pub fn observer(&self) -> Option<&dyn Observer> {
        self.observer.as_deref()
    }

    /// Replaces the clock (tests).
    pub fn with_clock(mut self, clock: Clock) -> Service {
        self.clock = clock;
        self
    }

    /// The loaded plugins.
    pub fn plugins(&self) -> &Plugins {
        &self.plugins
    }

    /// The settings.
    pub fn config(&self) -> &ServiceConfig {
        &self.config
    }

    /// The dead-letter sink.
    pub fn dead_letters(&self) -> &dyn DeadLetters {
        &*self.dead_letters
    }

    /// Now, in epoch milliseconds.
    pub fn now(&self) -> EpochMillis {
        (self.clock)()
    }

    /// Takes up to `max` directives waiting in `agent`'s mailbox (decided on events from other
    /// sources, or for this agent on another agent's event), oldest first. Each is handed out
    /// once: a directive in a response that is then lost is not delivered again.
    pub async fn collect_directives(
        &self,
        agent: &str,
        max: usize,
    ) -> Result<Vec<Directive>, StoreError> {
        let parcels = self.store.collect(agent, self.now(), max).await?;
        Ok(parcels
            .into_iter()
            .filter_map(|p| match serde_json::from_str::<Directive>(&p.body) {
                Ok(d) => Some(d),
                Err(e) => {
                    tracing::warn!(agent, id = %p.id, "a mailbox directive could not be read, dropped: {e}");
                    None
                }
            })
            .collect())
    }

    /// Handles one event by `deadline`: exactly one report, never a panic.
    ///
    /// Plugins' state writes are applied only when the event completes (see
    /// [`Plugins::dispatch_deferred`]).
    pub async fn process(
        &self,
        event: &Event,
        delivery: &Delivery,
        deadline: Instant,
    ) -> EventReport {
        let report = self.process_inner(event, delivery, deadline).await;
        match &report.status {
            Status::Failed {
                error_type,
                message,
            } => tracing::warn!(
                event_id = %event.id,
                kind = event.kind.as_str(),
                error_type = %error_type,
                "event failed: {message}"
            ),
            status => tracing::info!(
                event_id = %event.id,
                kind = event.kind.as_str(),
                status = ?status,
                actions = report.outcomes.len(),
                directives = report.directives.len(),
                "event handled"
            ),
        }
        if let Some(observer) = &self.observer {
            observer.event(event, &report);
        }
        report
    }

    async fn process_inner(
        &self,
        event: &Event,
        delivery: &Delivery,
        deadline: Instant,
    ) -> EventReport {
        let now = self.now();
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return EventReport::new(event, failed("DeadlineExceeded", "no time left to start"));
        }
        let lease_until = now + ms(remaining) + ms(LEASE_MARGIN);
        let done = match self.store.begin(&event.id, now, lease_until).await {
            Err(e) => return EventReport::new(event, store_failed(&e)),
            Ok(Begin::InProgress { lease_until }) => {
                return EventReport::new(event, Status::InProgress { lease_until });
            }
            Ok(Begin::Completed { result }) => {
                let mut report = EventReport::new(event, Status::Duplicate);
                let stored: StoredResult = result
                    .as_deref()
                    .and_then(|r| serde_json::from_str(r).ok())
                    .unwrap_or_default();
                report.directives = deliverable(stored.directives, delivery);
                return report;
            }
            Ok(Begin::Started { done }) => done,
        };
        let mut lease = Lease {
            service: self,
            event_id: &event.id,
            lease_until,
            now,
        };

        if let Some(entity) = order_entity(event) {
            let at = event.occurred_at.timestamp_millis();
            let expires = now + ms(self.config.order_ttl);
            match self.store.advance(&entity, at, now, expires).await {
                Err(e) => {
                    return lease
                        .release(EventReport::new(event, store_failed(&e)))
                        .await;
                }
                Ok(Order::Stale { applied }) if self.config.stale_policy == StalePolicy::Skip => {
                    tracing::info!(event_id = %event.id, entity, applied, "stale event skipped");
                    let report = EventReport::new(event, Status::Stale { applied });
                    return lease.complete(report, &StoredResult::default()).await;
                }
                Ok(_) => {}
            }
        }

        // Plugins are CPU-bound and their state store may block: off the async threads.
        let plugins = Arc::clone(&self.plugins);
        let owned = event.clone();
        let dispatch =
            match tokio::task::spawn_blocking(move || plugins.dispatch_deferred(&owned)).await {
                Ok(dispatch) => dispatch,
                Err(e) => {
                    let report = EventReport::new(
                        event,
                        failed("Internal", &format!("plugin dispatch did not finish: {e}")),
                    );
                    return lease.release(report).await;
                }
            };
        let mut report = EventReport::new(event, Status::Processed);
        let planned = plan(event, &dispatch, &done, &mut report);
        let execution = self.executor.execute(&planned, deadline).await;
        if self.config.emit_metrics {
            for line in execution.emf_lines(self.now()) {
                println!("{line}");
            }
        }

        // Client directives: in the answer to the forwarding agent; for any other agent (and
        // for every directive decided on an EventBridge or Kinesis event), into that agent's
        // mailbox, which its browser's next request collects.
        let mut outcomes = execution.outcomes;
        let mut mail: BTreeMap<&str, Vec<Parcel>> = BTreeMap::new();
        let mut mailed = Vec::new();
        for (plan, outcome) in planned.iter().zip(outcomes.iter_mut()) {
            let (Action::Client(client), Outcome::DeferredToClient) =
                (&plan.action, &outcome.outcome)
            else {
                continue;
            };
            let directive = Directive {
                id: directive_id(&event.id, &plan.plugin, plan.index),
                event_id: event.id.clone(),
                plugin: plan.plugin.clone(),
                index: plan.index,
                action: client.clone(),
            };
            if matches!(delivery, Delivery::Agent(agent) if *agent == client.agent_arn) {
                report.directives.push(directive);
            } else {
                let body = serde_json::to_string(&directive).unwrap_or_default();
                mail.entry(client.agent_arn.as_str())
                    .or_default()
                    .push(Parcel {
                        id: directive.id,
                        body,
                        posted_at: now,
                    });
                mailed.push(ActionKey::new(plan.plugin.clone(), plan.index));
            }
        }
        let mut letters = Vec::new();
        let mut executed = Vec::new();
        let mut retry_actions = false;
        for (plan, outcome) in planned.iter().zip(&outcomes) {
            match &outcome.outcome {
                Outcome::Done { .. } => {
                    executed.push(ActionKey::new(plan.plugin.clone(), plan.index))
                }
                Outcome::Failed {
                    retryable: true, ..
                } => retry_actions = true,
                Outcome::Failed {
                    code,
                    reason,
                    retryable: false,
                    ..
                } => {
                    letters.push(letter(
                        &self.config,
                        event,
                        plan,
                        DeadLetterReason::ActionFailed,
                        code,
                        reason,
                    ));
                }
                _ => {}
            }
        }
        report.outcomes = outcomes;

        let expires = now + ms(self.config.directive_ttl);
        for (agent, parcels) in &mail {
            if let Err(e) = self.store.post(agent, parcels, expires).await {
                report.status = store_failed(&e);
                return lease.release(report).await;
            }
            tracing::info!(event_id = %event.id, agent, directives = parcels.len(), "directives queued for the agent's browser");
        }
        executed.extend(mailed);
        if !executed.is_empty()
            && let Err(e) = self
                .store
                .record_done(&event.id, lease_until, &executed)
                .await
        {
            // The actions ran; if the record is lost a redelivery may run them again, which
            // client tokens make harmless for Connect calls that take one.
            report.status = store_failed(&e);
            return lease.release(report).await;
        }
        if !letters.is_empty()
            && let Err(e) = self.dead_letters.send(&letters, deadline.into_std()).await
        {
            report.status = failed("DeadLetterFailed", &e.to_string());
            return lease.release(report).await;
        }
        if dispatch.failed_event() {
            let failing: Vec<&str> = dispatch
                .runs
                .iter()
                .filter(|r| r.fails_event())
                .map(|r| r.plugin.as_str())
                .collect();
            report.status = failed(
                "PluginFailed",
                &format!(
                    "plugin(s) with failure = \"fail-event\" failed: {}",
                    failing.join(", ")
                ),
            );
            return lease.release(report).await;
        }
        if retry_actions {
            report.status = failed(
                "ActionsFailed",
                "an action failed in a way a retry may fix (throttled, transient, deadline)",
            );
            return lease.release(report).await;
        }
        // Plugin state is kept only now that the event is complete: a retried event meets the
        // state its first attempt met, so its plugins decide the same actions.
        let plugins = Arc::clone(&self.plugins);
        let committed = tokio::task::spawn_blocking(move || plugins.commit_state(&dispatch)).await;
        match committed {
            Ok(Ok(())) => {}
            // Unreachable or throttled: the event is retried (its done actions are not).
            Ok(Err((plugin, e))) if e.retryable => {
                report.status = failed("StateStoreUnavailable", &format!("plugin {plugin}: {e}"));
                return lease.release(report).await;
            }
            // Refused for good (a write the store cannot take): retrying would fail the same
            // way forever. The event completes and the lost state is reported.
            Ok(Err((plugin, e))) => {
                tracing::error!(event_id = %event.id, plugin = %plugin, "plugin state not kept: {e}");
                report
                    .plugin_failures
                    .push(format!("{plugin}: state-store: {e}"));
                let letter = DeadLetter::new(
                    DeadLetterReason::StateRefused,
                    &self.config.function,
                    "state-refused",
                    e.to_string(),
                )
                .with_event(event)
                .with_plugin(plugin);
                if let Err(e) = self
                    .dead_letters
                    .send(std::slice::from_ref(&letter), deadline.into_std())
                    .await
                {
                    report.status = failed("DeadLetterFailed", &e.to_string());
                    return lease.release(report).await;
                }
            }
            Err(e) => {
                report.status = failed("Internal", &format!("state commit did not finish: {e}"));
                return lease.release(report).await;
            }
        }
        let stored = StoredResult {
            directives: report.directives.clone(),
        };
        lease.now = self.now();
        lease.complete(report, &stored).await
    }
}

/// The planned actions of a dispatch: granted and denied ones (denied are reported), minus
/// those an earlier attempt executed. Plugin failures go into the report.
fn plan(
    event: &Event,
    dispatch: &Dispatch,
    done: &BTreeSet<ActionKey>,
    report: &mut EventReport,
) -> Vec<Planned> {
    let resources: Vec<String> = match (&event.instance_arn, &event.contact_id) {
        (Some(instance), Some(contact)) => vec![format!("{instance}/contact/{contact}")],
        _ => Vec::new(),
    };
    let mut planned = Vec::new();
    for run in &dispatch.runs {
        let decisions = match &run.result {
            Ok(decisions) => decisions,
            Err(failure) => {
                tracing::warn!(event_id = %event.id, plugin = %run.plugin, failure = failure.kind(), "plugin failed: {failure}");
                report.plugin_failures.push(format!(
                    "{}: {}: {failure}",
                    run.plugin,
                    failure.kind()
                ));
                continue;
            }
        };
        for decision in decisions {
            if done.contains(&ActionKey::new(run.plugin.clone(), decision.index)) {
                tracing::info!(event_id = %event.id, plugin = %run.plugin, index = decision.index, "action executed by an earlier attempt; not again");
                continue;
            }
            planned.push(Planned {
                event_id: event.id.clone(),
                plugin: run.plugin.clone(),
                index: decision.index,
                action: decision.action.clone(),
                denied: decision.verdict.as_ref().err().map(ToString::to_string),
                resources: resources.clone(),
            });
        }
    }
    planned
}

fn letter(
    config: &ServiceConfig,
    event: &Event,
    plan: &Planned,
    reason: DeadLetterReason,
    code: &str,
    message: &str,
) -> DeadLetter {
    let mut letter = DeadLetter::new(reason, &config.function, code, message)
        .with_event(event)
        .with_plugin(plan.plugin.clone());
    letter.index = Some(plan.index);
    letter.action = serde_json::to_value(&plan.action).ok();
    letter
}

fn deliverable(directives: Vec<Directive>, delivery: &Delivery) -> Vec<Directive> {
    match delivery {
        Delivery::Agent(agent) => directives
            .into_iter()
            .filter(|d| d.action.agent_arn == *agent)
            .collect(),
        Delivery::None => Vec::new(),
    }
}

fn failed(error_type: &str, message: &str) -> Status {
    Status::Failed {
        error_type: error_type.to_owned(),
        message: message.to_owned(),
    }
}

fn store_failed(e: &StoreError) -> Status {
    let error_type = match e {
        StoreError::Unavailable(_) => "StateStoreUnavailable",
        StoreError::LeaseLost { .. } => "LeaseLost",
        StoreError::Refused(_) => "StateStoreRefused",
    };
    failed(error_type, &e.to_string())
}

/// The lease an attempt holds on its event: ends in `complete` or `release`.
struct Lease<'a> {
    service: &'a Service,
    event_id: &'a str,
    lease_until: EpochMillis,
    now: EpochMillis,
}

impl Lease<'_> {
    fn expires(&self) -> EpochMillis {
        self.now + ms(self.service.config.idempotency_ttl)
    }

    async fn complete(&self, mut report: EventReport, result: &StoredResult) -> EventReport {
        let text = serde_json::to_string(result).ok();
        if let Err(e) = self
            .service
            .store
            .complete(
                self.event_id,
                self.lease_until,
                text.as_deref(),
                self.expires(),
            )
            .await
        {
            report.status = store_failed(&e);
            return self.release(report).await;
        }
        report
    }

    async fn release(&self, mut report: EventReport) -> EventReport {
        // Directives are only delivered with a completed event, so a retry returns them once.
        report.directives.clear();
        if let Err(e) = self
            .service
            .store
            .release(self.event_id, self.lease_until, self.expires())
            .await
        {
            // The lease then expires on its own (LEASE_MARGIN after the deadline).
            tracing::warn!(event_id = %self.event_id, "could not release the event's lease: {e}");
        }
        report
    }
}
