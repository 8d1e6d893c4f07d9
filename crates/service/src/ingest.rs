//! The HTTP handler for Streams clients (the `ingest-http` function and `streamhooks dev`).
//!
//! `POST` a batch in the `streamhooks.streams.v1` wire format with `Authorization: Bearer
//! <token>`; the answer holds the client directives for the authenticated agent. In order:
//! CORS (preflight and origin check), method, content type, body size, authentication, the
//! batch's `agent_arn` bound to the identity (and to the configured instance), the per-agent
//! request rate, decoding, then the pipeline. Every refusal is a JSON error with a stable
//! `code`: 400, 401, 403, 405, 413, 415, 429; 503 when the batch should be sent again.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use http::{HeaderMap, HeaderValue, Method, Request, Response, StatusCode, header};
use serde::Serialize;
use serde_json::{Value, json};
use streamhooks_auth::Authenticator;
use streamhooks_events::{Limits, instance_arn_of, streams};
use tokio::time::Instant;

use crate::dead_letter::{DeadLetter, DeadLetterReason};
use crate::pipeline::{Delivery, Directive, Service, Status};

/// The format of a successful answer.
pub const RESPONSE_FORMAT: &str = "streamhooks.directives.v1";

/// The ingest endpoint's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct IngestConfig {
    /// Origins allowed to call from a browser (`https://example.my.connect.aws`); `*` allows
    /// any. Requests without an `Origin` header (not from a browser) are not CORS-checked.
    pub allowed_origins: Vec<String>,
    /// The largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Batches per second each agent may send, on average.
    pub agent_rate: f64,
    /// Batches an agent may send at once.
    pub agent_burst: f64,
    /// The Amazon Connect instance the agents must belong to (`None`: any).
    pub instance_arn: Option<String>,
    /// The decoder's caps (batch length, ids ...).
    pub limits: Limits,
}

impl Default for IngestConfig {
    fn default() -> IngestConfig {
        IngestConfig {
            allowed_origins: Vec::new(),
            max_body_bytes: 256 * 1024,
            agent_rate: 10.0,
            agent_burst: 20.0,
            instance_arn: None,
            limits: Limits::default(),
        }
    }
}

/// Mailbox directives returned with one answer at most; the rest wait for the next request.
pub const MAX_MAILBOX_DIRECTIVES: usize = 50;

/// Directive results one batch may carry.
pub const MAX_DIRECTIVE_RESULTS: usize = 100;

/// The longest directive id or result message read; longer messages are cut.
const MAX_RESULT_ID_BYTES: usize = 1024;
const MAX_RESULT_MESSAGE_BYTES: usize = 2048;

/// What the browser did with a directive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DirectiveStatus {
    /// Ran, and Streams reported success.
    Done,
    /// Ran, and Streams reported failure (or it threw).
    Failed,
    /// Not run: not in the page's allowlist, for another agent, the contact gone, unknown.
    Refused,
}

/// One entry of a batch's `directive_results`: the forwarder's report on a directive it was
/// given earlier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DirectiveResult {
    /// The directive's id (`<event id>#<plugin>#<index>`).
    pub id: String,
    /// What became of it.
    pub status: DirectiveStatus,
    /// Why, when it was not done.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl DirectiveResult {
    /// The event, plugin and index the id names, when it has the usual shape.
    pub fn origin(&self) -> Option<(&str, &str, usize)> {
        crate::pipeline::directive_origin(&self.id)
    }
}

/// Reads a batch's optional `directive_results`: the results, and an error (`path`, message)
/// for each entry that is not one. Refuses the batch when the field is not a short array.
fn directive_results(batch: &Value) -> Result<(Vec<DirectiveResult>, Vec<Value>), String> {
    let Some(field) = batch.get("directive_results") else {
        return Ok((Vec::new(), Vec::new()));
    };
    let Some(items) = field.as_array() else {
        return Err("directive_results: expected an array".into());
    };
    if items.len() > MAX_DIRECTIVE_RESULTS {
        return Err(format!(
            "directive_results is too large: {} > {MAX_DIRECTIVE_RESULTS}",
            items.len()
        ));
    }
    let mut results = Vec::with_capacity(items.len());
    let mut rejected = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let path = format!("directive_results[{i}]");
        let reject = |field: &str, message: &str| json!({"path": format!("{path}.{field}"), "message": format!("{path}.{field}: {message}")});
        let id = match item.get("id").and_then(Value::as_str) {
            Some(id) if !id.is_empty() && id.len() <= MAX_RESULT_ID_BYTES => id,
            Some(_) => {
                rejected.push(reject("id", &format!("1 to {MAX_RESULT_ID_BYTES} bytes")));
                continue;
            }
            None => {
                rejected.push(reject("id", "required field is missing (a string)"));
                continue;
            }
        };
        let status = match item.get("status").and_then(Value::as_str) {
            Some("done") => DirectiveStatus::Done,
            Some("failed") => DirectiveStatus::Failed,
            Some("refused") => DirectiveStatus::Refused,
            Some(other) => {
                rejected.push(reject(
                    "status",
                    &format!("`{other}` is not a status (done, failed, refused)"),
                ));
                continue;
            }
            None => {
                rejected.push(reject("status", "required field is missing (a string)"));
                continue;
            }
        };
        let message = item.get("message").and_then(Value::as_str).map(|m| {
            let mut cut = m.len().min(MAX_RESULT_MESSAGE_BYTES);
            while !m.is_char_boundary(cut) {
                cut -= 1;
            }
            m[..cut].to_owned()
        });
        results.push(DirectiveResult {
            id: id.to_owned(),
            status,
            message,
        });
    }
    Ok((results, rejected))
}

/// Agents tracked by the rate limiter at most; past it, idle agents are forgotten.
const MAX_TRACKED_AGENTS: usize = 10_000;

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// The ingest handler: built once, shared by every request.
pub struct Ingest {
    service: Arc<Service>,
    auth: Arc<dyn Authenticator>,
    config: IngestConfig,
    buckets: Mutex<HashMap<String, Bucket>>,
}

impl std::fmt::Debug for Ingest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ingest")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// A refusal: status, stable code, message, extra headers.
struct Refusal {
    status: StatusCode,
    code: &'static str,
    message: String,
    details: Option<Value>,
    retry_after: Option<u64>,
    www_authenticate: Option<String>,
}

impl Refusal {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Refusal {
        Refusal {
            status,
            code,
            message: message.into(),
            details: None,
            retry_after: None,
            www_authenticate: None,
        }
    }
}

#[derive(Serialize)]
struct EventStatus<'a> {
    id: &'a str,
    kind: &'a str,
    #[serde(flatten)]
    status: &'a Status,
}

impl Ingest {
    /// A handler over `service`, authenticating with `auth`.
    pub fn new(
        service: Arc<Service>,
        auth: Arc<dyn Authenticator>,
        config: IngestConfig,
    ) -> Ingest {
        Ingest {
            service,
            auth,
            config,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// The settings.
    pub fn config(&self) -> &IngestConfig {
        &self.config
    }

    /// Handles one request by `deadline`. Never panics; every answer is JSON.
    pub async fn handle(&self, request: Request<Vec<u8>>, deadline: Instant) -> Response<String> {
        let origin = request
            .headers()
            .get(header::ORIGIN)
            .and_then(|o| o.to_str().ok())
            .map(str::to_owned);
        let allowed = match &origin {
            None => true,
            Some(o) => self.origin_allowed(o),
        };
        let mut response = if request.method() == Method::OPTIONS {
            self.preflight(origin.as_deref(), allowed)
        } else if !allowed {
            refuse(Refusal::new(
                StatusCode::FORBIDDEN,
                "origin-not-allowed",
                format!(
                    "origin {} is not in STREAMHOOKS_ALLOWED_ORIGINS",
                    origin.as_deref().unwrap_or_default()
                ),
            ))
        } else {
            match self.batch(request, deadline).await {
                Ok(response) => response,
                Err(refusal) => {
                    tracing::info!(
                        status = refusal.status.as_u16(),
                        code = refusal.code,
                        "request refused: {}",
                        refusal.message
                    );
                    refuse(refusal)
                }
            }
        };
        if let (Some(origin), true) = (origin, allowed) {
            cors_headers(response.headers_mut(), &origin);
        }
        response
    }

    fn origin_allowed(&self, origin: &str) -> bool {
        self.config
            .allowed_origins
            .iter()
            .any(|o| o == "*" || o.eq_ignore_ascii_case(origin))
    }

    fn preflight(&self, origin: Option<&str>, allowed: bool) -> Response<String> {
        if origin.is_none() || !allowed {
            return refuse(Refusal::new(
                StatusCode::FORBIDDEN,
                "origin-not-allowed",
                "CORS preflight from an origin not in STREAMHOOKS_ALLOWED_ORIGINS",
            ));
        }
        let mut response = Response::new(String::new());
        *response.status_mut() = StatusCode::NO_CONTENT;
        let headers = response.headers_mut();
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("POST, OPTIONS"),
        );
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("authorization, content-type"),
        );
        headers.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("600"),
        );
        response
    }

    async fn batch(
        &self,
        request: Request<Vec<u8>>,
        deadline: Instant,
    ) -> Result<Response<String>, Refusal> {
        if request.method() != Method::POST {
            let mut refusal = Refusal::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method-not-allowed",
                format!("{} is not allowed: POST a batch", request.method()),
            );
            refusal.details = Some(json!({"allow": "POST, OPTIONS"}));
            return Err(refusal);
        }
        let content_type = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let essence = content_type.split(';').next().unwrap_or("").trim();
        if !essence.eq_ignore_ascii_case("application/json") {
            return Err(Refusal::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                format!("content-type must be application/json, not `{content_type}`"),
            ));
        }
        let body = request.body();
        if body.len() > self.config.max_body_bytes {
            return Err(Refusal::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body-too-large",
                format!(
                    "the body is {} bytes; at most {} are accepted (send smaller batches)",
                    body.len(),
                    self.config.max_body_bytes
                ),
            ));
        }
        let authorization = request
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        let identity = self.auth.authenticate(authorization).await.map_err(|e| {
            let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::UNAUTHORIZED);
            let mut refusal = Refusal::new(status, e.code(), e.to_string());
            refusal.www_authenticate = e.www_authenticate();
            if status == StatusCode::SERVICE_UNAVAILABLE {
                refusal.retry_after = Some(1);
            }
            refusal
        })?;
        let value: Value = serde_json::from_slice(body).map_err(|e| {
            Refusal::new(
                StatusCode::BAD_REQUEST,
                "malformed-json",
                format!(
                    "the body is not JSON: line {}, column {}: {e}",
                    e.line(),
                    e.column()
                ),
            )
        })?;
        let agent_arn = value
            .get("agent_arn")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                Refusal::new(
                    StatusCode::BAD_REQUEST,
                    "malformed-batch",
                    "agent_arn: required field is missing (a string)",
                )
            })?
            .to_owned();
        if !streams::is_agent_arn(&agent_arn) {
            return Err(Refusal::new(
                StatusCode::BAD_REQUEST,
                "malformed-batch",
                format!("agent_arn: `{agent_arn}` is not an Amazon Connect agent ARN"),
            ));
        }
        identity.bind(&agent_arn).map_err(|e| {
            let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::FORBIDDEN);
            Refusal::new(status, e.code(), e.to_string())
        })?;
        if let Some(instance) = &self.config.instance_arn
            && instance_arn_of(&agent_arn).as_deref() != Some(instance.as_str())
        {
            return Err(Refusal::new(
                StatusCode::FORBIDDEN,
                "wrong-instance",
                format!("agent_arn is not an agent of the instance {instance}"),
            ));
        }
        if let Err(wait) = self.take_token(&agent_arn) {
            let mut refusal = Refusal::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate-limited",
                format!(
                    "this agent sends more than {} batches per second; retry after {} s",
                    self.config.agent_rate,
                    wait.as_secs().max(1)
                ),
            );
            refusal.retry_after = Some(wait.as_secs().max(1));
            return Err(refusal);
        }

        let decoded = streams::decode_batch(&value, &self.config.limits);
        let mut rejected: Vec<Value> = decoded
            .errors
            .iter()
            .map(|e| json!({"path": e.path(), "message": e.to_string()}))
            .collect();
        if decoded.events.is_empty() && !rejected.is_empty() {
            let mut refusal = Refusal::new(
                StatusCode::BAD_REQUEST,
                "malformed-batch",
                decoded.errors[0].to_string(),
            );
            refusal.details = Some(json!({ "errors": rejected }));
            return Err(refusal);
        }
        for e in &decoded.errors {
            tracing::warn!(agent = %agent_arn, error = %e, "batch entry rejected");
        }
        let (results, bad_results) = directive_results(&value)
            .map_err(|message| Refusal::new(StatusCode::BAD_REQUEST, "malformed-batch", message))?;
        for bad in &bad_results {
            tracing::warn!(agent = %agent_arn, error = %bad["message"], "directive result rejected");
        }
        rejected.extend(bad_results);
        // Results are about directives handed out before this batch: record them first. A
        // directive the browser could not run is a dead letter, like an action that failed;
        // if that letter cannot be sent, the whole batch is sent again.
        self.record_results(&agent_arn, &results, deadline).await?;

        let delivery = Delivery::Agent(agent_arn.clone());
        let agent = agent_arn.as_str();
        let mut reports = Vec::with_capacity(decoded.events.len());
        for event in &decoded.events {
            reports.push(self.service.process(event, &delivery, deadline).await);
        }
        let retry = reports.iter().any(|r| r.should_retry());
        let events: Vec<EventStatus<'_>> = reports
            .iter()
            .map(|r| EventStatus {
                id: &r.event_id,
                kind: &r.kind,
                status: &r.status,
            })
            .collect();
        if retry {
            // Nothing is delivered with a failed batch: the forwarder sends the whole batch
            // again, events already completed answer with their stored directives, and actions
            // already executed are not executed again.
            let mut refusal = Refusal::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "retry",
                "some events could not be completed now; send the batch again",
            );
            refusal.details = Some(json!({ "events": events }));
            refusal.retry_after = Some(1);
            return Err(refusal);
        }
        // Directives waiting in this agent's mailbox (decided on server-side events) first:
        // they are older than this batch's.
        let waiting = match self
            .service
            .collect_directives(agent, MAX_MAILBOX_DIRECTIVES)
            .await
        {
            Ok(waiting) => waiting,
            Err(e) => {
                tracing::warn!(agent = %agent, "mailbox not collected this time: {e}");
                Vec::new()
            }
        };
        let directives: Vec<&Directive> = waiting
            .iter()
            .chain(reports.iter().flat_map(|r| &r.directives))
            .collect();
        let body = json!({
            "format": RESPONSE_FORMAT,
            "directives": directives,
            "events": events,
            "rejected": rejected,
        });
        Ok(json_response(StatusCode::OK, body.to_string()))
    }

    async fn record_results(
        &self,
        agent_arn: &str,
        results: &[DirectiveResult],
        deadline: Instant,
    ) -> Result<(), Refusal> {
        let mut letters = Vec::new();
        for result in results {
            match result.status {
                DirectiveStatus::Done => {
                    tracing::info!(agent = %agent_arn, directive = %result.id, "directive done")
                }
                status => tracing::warn!(
                    agent = %agent_arn,
                    directive = %result.id,
                    status = ?status,
                    "directive not done: {}",
                    result.message.as_deref().unwrap_or("no reason given")
                ),
            }
            if let Some(observer) = self.service.observer() {
                observer.directive_result(agent_arn, result);
            }
            let code = match result.status {
                DirectiveStatus::Done => continue,
                DirectiveStatus::Failed => "directive-failed",
                DirectiveStatus::Refused => "directive-refused",
            };
            let mut letter = DeadLetter::new(
                DeadLetterReason::DirectiveFailed,
                &self.service.config().function,
                code,
                result
                    .message
                    .clone()
                    .unwrap_or_else(|| "the browser gave no reason".into()),
            );
            if let Some((event, plugin, index)) = result.origin() {
                letter.event_id = Some(event.to_owned());
                letter.plugin = Some(plugin.to_owned());
                letter.index = Some(index);
            }
            letter.agent_arn = Some(agent_arn.to_owned());
            letter.directive_id = Some(result.id.clone());
            letters.push(letter);
        }
        if letters.is_empty() {
            return Ok(());
        }
        let std_deadline = deadline.into_std();
        self.service
            .dead_letters()
            .send(&letters, std_deadline)
            .await
            .map_err(|e| {
                tracing::warn!(agent = %agent_arn, "directive results not recorded: {e}");
                let mut refusal = Refusal::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "retry",
                    "directive results could not be recorded now; send the batch again",
                );
                refusal.retry_after = Some(1);
                refusal
            })
    }

    /// Takes one token from the agent's bucket, or says how long to wait.
    fn take_token(&self, agent: &str) -> Result<(), Duration> {
        let now = Instant::now();
        let rate = self.config.agent_rate.max(f64::MIN_POSITIVE);
        let burst = self.config.agent_burst.max(1.0);
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        if buckets.len() >= MAX_TRACKED_AGENTS && !buckets.contains_key(agent) {
            // Forget agents whose buckets are full again: they lose nothing.
            buckets.retain(|_, b| {
                b.tokens + now.saturating_duration_since(b.at).as_secs_f64() * rate < burst
            });
            if buckets.len() >= MAX_TRACKED_AGENTS {
                buckets.clear();
            }
        }
        let bucket = buckets.entry(agent.to_owned()).or_insert(Bucket {
            tokens: burst,
            at: now,
        });
        bucket.tokens = (bucket.tokens
            + now.saturating_duration_since(bucket.at).as_secs_f64() * rate)
            .min(burst);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / rate))
        }
    }
}

fn json_response(status: StatusCode, body: String) -> Response<String> {
    let mut response = Response::new(body);
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn refuse(refusal: Refusal) -> Response<String> {
    let mut error = json!({"code": refusal.code, "message": refusal.message});
    if let (Some(details), Some(map)) = (refusal.details, error.as_object_mut())
        && let Some(extra) = details.as_object()
    {
        for (k, v) in extra {
            map.insert(k.clone(), v.clone());
        }
    }
    let mut response = json_response(refusal.status, json!({ "error": error }).to_string());
    let headers = response.headers_mut();
    if let Some(secs) = refusal.retry_after
        && let Ok(v) = HeaderValue::from_str(&secs.to_string())
    {
        headers.insert(header::RETRY_AFTER, v);
    }
    if refusal.status == StatusCode::UNAUTHORIZED {
        let challenge = refusal
            .www_authenticate
            .as_deref()
            .and_then(|v| HeaderValue::from_str(v).ok())
            .unwrap_or_else(|| HeaderValue::from_static(r#"Bearer realm="streamhooks""#));
        headers.insert(header::WWW_AUTHENTICATE, challenge);
    }
    if refusal.status == StatusCode::METHOD_NOT_ALLOWED {
        headers.insert(header::ALLOW, HeaderValue::from_static("POST, OPTIONS"));
    }
    response
}

fn cors_headers(headers: &mut HeaderMap, origin: &str) {
    if let Ok(v) = HeaderValue::from_str(origin) {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
    }
    headers.insert(header::VARY, HeaderValue::from_static("Origin"));
    headers.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static("retry-after"),
    );
}
