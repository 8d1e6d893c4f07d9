//! What the streamhooks Lambda functions share, so that each function binary is a few lines of
//! wiring: configuration from the environment ([`Config`]), building the service once at init
//! ([`build_service`]), the runtime loops ([`run_eventbridge`], [`run_kinesis`], [`run_http`]),
//! JSON logs ([`init_tracing`]) and init-error reporting ([`report_init_error`]).
//!
//! Errors map to stable `errorType`s: an invocation's (`StateStoreUnavailable`, `PluginFailed`,
//! `ActionsFailed`, `InProgress`, `DeadLetterFailed`, `InvalidEvent` ...) and init's
//! (`ConfigError`, `PluginLoadError`, `StateStoreError`, `AuthConfigError`).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use lambda_runtime::{Diagnostic, LambdaEvent, service_fn};
use serde_json::Value;
use streamhooks_engine::{Engine, StateStore};
use streamhooks_events::Limits;
use streamhooks_executor::{CONNECT_DEFAULT_QUOTAS, Executor, Quota, RateLimiter, Recorder};
use streamhooks_service::ingest::{Ingest, IngestConfig};
use streamhooks_service::sources::{InvocationError, handle_eventbridge, handle_kinesis};
use streamhooks_service::{
    DeadLetters, MemoryDeadLetters, PublisherDeadLetters, Service, ServiceConfig, StalePolicy,
};
use streamhooks_store::Store;

/// Where plugins are when they come from the plugins layer.
pub const DEFAULT_PLUGINS_DIR: &str = "/opt/streamhooks/plugins";

/// Time kept back from the invocation's deadline for answering and logging.
pub const RESPONSE_MARGIN: Duration = Duration::from_millis(300);

/// A setting that is missing or wrong, named by its environment variable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{variable}: {reason}")]
pub struct ConfigError {
    /// The environment variable.
    pub variable: String,
    /// What is wrong with it.
    pub reason: String,
}

fn config_error(variable: &str, reason: impl Into<String>) -> ConfigError {
    ConfigError {
        variable: variable.to_owned(),
        reason: reason.into(),
    }
}

/// The settings every function reads at init. See docs/deploy.md for each variable.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// `AWS_LAMBDA_FUNCTION_NAME`.
    pub function: String,
    /// `STREAMHOOKS_PLUGINS_DIR` (default [`DEFAULT_PLUGINS_DIR`]).
    pub plugins_dir: PathBuf,
    /// `STREAMHOOKS_CONNECT_INSTANCE_ARN`: required unless dry-running.
    pub instance_arn: Option<String>,
    /// `STREAMHOOKS_STATE_TABLE`: the DynamoDB table. Unset: an in-memory store, which only
    /// de-duplicates within one process (local runs).
    pub state_table: Option<String>,
    /// `STREAMHOOKS_EVENT_BUS` (default `default`): `publish` actions and dead letters.
    pub event_bus: String,
    /// `STREAMHOOKS_DRY_RUN` (`true`/`false`, default false): record actions, execute none.
    pub dry_run: bool,
    /// `STREAMHOOKS_STALE_POLICY` (`skip` or `deliver`, default skip).
    pub stale_policy: StalePolicy,
    /// `STREAMHOOKS_IDEMPOTENCY_TTL_SECONDS` (default 86400).
    pub idempotency_ttl: Duration,
    /// `STREAMHOOKS_CONNECT_QUOTAS`: `Operation=rate[/burst],...` overriding the defaults.
    pub quota_overrides: Vec<(String, Quota)>,
    /// `STREAMHOOKS_DIRECTIVE_TTL_SECONDS` (default 300): how long a directive decided on a
    /// server-side event waits for its agent's browser.
    pub directive_ttl: Duration,
}

fn parse_bool(variable: &str, value: &str) -> Result<bool, ConfigError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" | "" => Ok(false),
        other => Err(config_error(
            variable,
            format!("`{other}` is not true or false"),
        )),
    }
}

fn parse_quotas(variable: &str, value: &str) -> Result<Vec<(String, Quota)>, ConfigError> {
    let mut quotas = Vec::new();
    for entry in value.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let (op, rate) = entry.split_once('=').ok_or_else(|| {
            config_error(
                variable,
                format!("`{entry}`: expected Operation=rate[/burst]"),
            )
        })?;
        let op = op.trim();
        if !CONNECT_DEFAULT_QUOTAS
            .iter()
            .any(|(known, _, _)| *known == op)
        {
            let known: Vec<&str> = CONNECT_DEFAULT_QUOTAS.iter().map(|(k, _, _)| *k).collect();
            return Err(config_error(
                variable,
                format!(
                    "`{op}` is not an operation streamhooks calls ({})",
                    known.join(", ")
                ),
            ));
        }
        let (rate, burst) = parse_rate(variable, rate, |rate| rate.max(1.0))
            .map_err(|e| config_error(variable, format!("`{entry}`: {}", e.reason)))?;
        quotas.push((op.to_owned(), Quota::new(rate, burst)));
    }
    Ok(quotas)
}

impl Config {
    /// Reads the settings from the process environment.
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_vars(|name| std::env::var(name).ok())
    }

    /// Reads the settings through `var`.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let get = |name: &str| var(name).filter(|v| !v.trim().is_empty());
        let dry_run = get("STREAMHOOKS_DRY_RUN")
            .map(|v| parse_bool("STREAMHOOKS_DRY_RUN", &v))
            .transpose()?
            .unwrap_or(false);
        let instance_arn = get("STREAMHOOKS_CONNECT_INSTANCE_ARN");
        if let Some(arn) = &instance_arn
            && streamhooks_events::instance_arn_of(arn).as_deref() != Some(arn.as_str())
        {
            return Err(config_error(
                "STREAMHOOKS_CONNECT_INSTANCE_ARN",
                format!(
                    "`{arn}` is not an Amazon Connect instance ARN (arn:aws:connect:<region>:<account>:instance/<id>)"
                ),
            ));
        }
        if instance_arn.is_none() && !dry_run {
            return Err(config_error(
                "STREAMHOOKS_CONNECT_INSTANCE_ARN",
                "required (or set STREAMHOOKS_DRY_RUN=true to execute nothing)",
            ));
        }
        let stale_policy = get("STREAMHOOKS_STALE_POLICY")
            .map(|v| v.trim().parse::<StalePolicy>())
            .transpose()
            .map_err(|e| config_error("STREAMHOOKS_STALE_POLICY", e))?
            .unwrap_or_default();
        let idempotency_ttl = match get("STREAMHOOKS_IDEMPOTENCY_TTL_SECONDS") {
            None => Duration::from_secs(86_400),
            Some(v) => Duration::from_secs(
                v.trim()
                    .parse::<u64>()
                    .ok()
                    .filter(|n| (60..=366 * 86_400).contains(n))
                    .ok_or_else(|| {
                        config_error(
                            "STREAMHOOKS_IDEMPOTENCY_TTL_SECONDS",
                            format!("`{v}` is not a number of seconds from 60 to 31622400"),
                        )
                    })?,
            ),
        };
        let directive_ttl = match get("STREAMHOOKS_DIRECTIVE_TTL_SECONDS") {
            None => Duration::from_secs(300),
            Some(v) => Duration::from_secs(
                v.trim()
                    .parse::<u64>()
                    .ok()
                    .filter(|n| (1..=86_400).contains(n))
                    .ok_or_else(|| {
                        config_error(
                            "STREAMHOOKS_DIRECTIVE_TTL_SECONDS",
                            format!("`{v}` is not a number of seconds from 1 to 86400"),
                        )
                    })?,
            ),
        };
        let quota_overrides = match get("STREAMHOOKS_CONNECT_QUOTAS") {
            None => Vec::new(),
            Some(v) => parse_quotas("STREAMHOOKS_CONNECT_QUOTAS", &v)?,
        };
        Ok(Config {
            function: get("AWS_LAMBDA_FUNCTION_NAME").unwrap_or_else(|| "streamhooks".into()),
            plugins_dir: get("STREAMHOOKS_PLUGINS_DIR")
                .map_or_else(|| PathBuf::from(DEFAULT_PLUGINS_DIR), PathBuf::from),
            instance_arn,
            state_table: get("STREAMHOOKS_STATE_TABLE"),
            event_bus: get("STREAMHOOKS_EVENT_BUS").unwrap_or_else(|| "default".into()),
            dry_run,
            stale_policy,
            idempotency_ttl,
            quota_overrides,
            directive_ttl,
        })
    }

    /// The rate limiter: the Amazon Connect defaults with the overrides applied.
    pub fn rate_limiter(&self) -> RateLimiter {
        let mut quotas: Vec<(String, Quota)> = CONNECT_DEFAULT_QUOTAS
            .iter()
            .map(|(op, rate, burst)| ((*op).to_owned(), Quota::new(*rate, *burst)))
            .collect();
        for (op, quota) in &self.quota_overrides {
            quotas.retain(|(o, _)| o != op);
            quotas.push((op.clone(), *quota));
        }
        RateLimiter::new(quotas)
    }
}

/// Why a function could not start.
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    /// A setting is missing or wrong.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The plugins could not be loaded.
    #[error("plugins in {dir}: {reason}")]
    Plugins {
        /// The plugins directory.
        dir: PathBuf,
        /// Why.
        reason: String,
    },
    /// The state table is missing or not as expected.
    #[error("state table: {0}")]
    StateStore(String),
    /// The authentication settings are wrong.
    #[error("authentication: {0}")]
    Auth(String),
    /// A CRM connector's settings are wrong.
    #[error("CRM connectors: {0}")]
    Crm(String),
}

impl InitError {
    /// The stable `errorType` reported to Lambda.
    pub fn error_type(&self) -> &'static str {
        match self {
            InitError::Config(_) => "ConfigError",
            InitError::Plugins { .. } => "PluginLoadError",
            InitError::StateStore(_) => "StateStoreError",
            InitError::Auth(_) => "AuthConfigError",
            InitError::Crm(_) => "CrmConfigError",
        }
    }
}

/// JSON logs on stdout (Lambda's JSON log format), filtered by `RUST_LOG` (default `info`).
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_current_span(false)
        .with_span_list(false)
        .with_target(false)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init();
}

/// Builds everything an invocation needs, once: the AWS clients (only those used), the state
/// store, the engine with every plugin compiled or loaded precompiled, the executor.
pub async fn build_service(config: &Config) -> Result<Arc<Service>, InitError> {
    let needs_aws = config.state_table.is_some() || !config.dry_run;
    let sdk = if needs_aws {
        Some(streamhooks_connect::load_aws_config().await)
    } else {
        None
    };
    let (store, state): (Arc<dyn Store>, Arc<dyn StateStore>) = match (&config.state_table, &sdk) {
        (Some(table), Some(sdk)) => {
            let dynamo = Arc::new(streamhooks_dynamodb::DynamoStore::from_sdk_config(
                sdk, table,
            ));
            dynamo
                .check()
                .await
                .map_err(|e| InitError::StateStore(e.to_string()))?;
            (dynamo.clone(), dynamo)
        }
        _ => {
            tracing::warn!(
                "STREAMHOOKS_STATE_TABLE is not set: idempotency, ordering and plugin state \
                     live in this process only"
            );
            (
                Arc::new(streamhooks_store::MemoryStore::new()),
                Arc::new(streamhooks_engine::MemoryStore::new()),
            )
        }
    };
    let plugins_dir = config.plugins_dir.clone();
    // Compiling (or loading precompiled) plugins is CPU work: off the async threads.
    let plugins = tokio::task::spawn_blocking(move || {
        let engine = Engine::new().map_err(|e| e.to_string())?;
        engine
            .load_dir(&plugins_dir, state)
            .map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| InitError::Plugins {
        dir: config.plugins_dir.clone(),
        reason: e.to_string(),
    })?
    .map_err(|reason| InitError::Plugins {
        dir: config.plugins_dir.clone(),
        reason,
    })?;
    tracing::info!(
        plugins = plugins.len(),
        names = %plugins.iter().map(|p| p.name().to_owned()).collect::<Vec<_>>().join(","),
        dry_run = config.dry_run,
        "plugins loaded"
    );

    let limiter = Arc::new(config.rate_limiter());
    let (executor, dead_letters): (Executor, Arc<dyn DeadLetters>) = match (&sdk, config.dry_run) {
        (Some(sdk), false) => {
            let instance = config.instance_arn.as_deref().unwrap_or_default();
            let connect = Arc::new(streamhooks_connect::ConnectAdapter::from_sdk_config(
                sdk, instance,
            ));
            let publisher = Arc::new(streamhooks_connect::EventBridgePublisher::from_sdk_config(
                sdk,
                config.event_bus.clone(),
            ));
            let mut executor = Executor::new(limiter)
                .with_connect(connect)
                .with_publisher(publisher.clone());
            let connectors = streamhooks_crm::connectors_from_env()
                .map_err(|e| InitError::Crm(e.to_string()))?;
            for (name, connector) in connectors {
                executor = executor.with_crm(name, connector);
            }
            (executor, Arc::new(PublisherDeadLetters::new(publisher)))
        }
        _ => {
            let recorder = Arc::new(Recorder::new());
            let executor = Executor::new(limiter)
                .with_connect(recorder.clone())
                .with_any_crm(recorder.clone())
                .with_publisher(recorder);
            (executor, Arc::new(MemoryDeadLetters::new()))
        }
    };
    let service = Service::new(
        Arc::new(plugins),
        Arc::new(executor),
        store,
        dead_letters,
        ServiceConfig {
            stale_policy: config.stale_policy,
            idempotency_ttl: config.idempotency_ttl,
            directive_ttl: config.directive_ttl,
            function: config.function.clone(),
            emit_metrics: true,
            ..ServiceConfig::default()
        },
    );
    Ok(Arc::new(service))
}

/// The invocation's deadline as a tokio instant, less [`RESPONSE_MARGIN`].
pub fn deadline_of(context: &lambda_runtime::Context) -> tokio::time::Instant {
    let remaining = context
        .deadline()
        .duration_since(SystemTime::now())
        .unwrap_or_default()
        .saturating_sub(RESPONSE_MARGIN);
    tokio::time::Instant::now() + remaining
}

/// An invocation error with its stable `errorType`.
#[derive(Debug)]
pub struct FunctionError(pub InvocationError);

impl From<FunctionError> for Diagnostic {
    fn from(e: FunctionError) -> Diagnostic {
        Diagnostic {
            error_type: e.0.error_type,
            error_message: e.0.message,
        }
    }
}

/// The JSON event sources.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    EventBridge,
    Kinesis,
}

/// Serves JSON invocations from `source`, each through its handler.
async fn run_source(service: Arc<Service>, source: Source) -> Result<(), lambda_runtime::Error> {
    let limits = Limits::default();
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| {
        let service = Arc::clone(&service);
        let limits = limits.clone();
        async move {
            let deadline = deadline_of(&event.context);
            let answer = match source {
                Source::EventBridge => {
                    handle_eventbridge(&service, &event.payload, &limits, deadline)
                        .await
                        .map(serde_json::to_value)
                }
                Source::Kinesis => handle_kinesis(&service, &event.payload, &limits, deadline)
                    .await
                    .map(serde_json::to_value),
            }
            .map_err(FunctionError)?;
            Ok::<Value, FunctionError>(answer.unwrap_or(Value::Null))
        }
    }))
    .await
}

/// Serves EventBridge invocations (the `contact-events` function).
pub async fn run_eventbridge(service: Arc<Service>) -> Result<(), lambda_runtime::Error> {
    run_source(service, Source::EventBridge).await
}

/// Serves Kinesis invocations with partial batch responses (the `agent-events` function).
pub async fn run_kinesis(service: Arc<Service>) -> Result<(), lambda_runtime::Error> {
    run_source(service, Source::Kinesis).await
}

/// Serves Function URL requests (the `ingest-http` function).
pub async fn run_http(ingest: Arc<Ingest>) -> Result<(), lambda_runtime::Error> {
    use lambda_http::RequestExt;
    lambda_http::run(lambda_http::service_fn(
        move |request: lambda_http::Request| {
            let ingest = Arc::clone(&ingest);
            async move {
                let deadline = deadline_of(&request.lambda_context());
                let (parts, body) = request.into_parts();
                let bytes = match body {
                    lambda_http::Body::Empty => Vec::new(),
                    lambda_http::Body::Text(text) => text.into_bytes(),
                    lambda_http::Body::Binary(bytes) => bytes,
                    // A body variant this version does not know: refuse rather than guess.
                    _ => Vec::new(),
                };
                let response = ingest
                    .handle(http::Request::from_parts(parts, bytes), deadline)
                    .await;
                let (parts, text) = response.into_parts();
                Ok::<_, std::convert::Infallible>(http::Response::from_parts(
                    parts,
                    lambda_http::Body::Text(text),
                ))
            }
        },
    ))
    .await
}

/// Reads the ingest settings (`STREAMHOOKS_ALLOWED_ORIGINS`, `STREAMHOOKS_MAX_BODY_BYTES`,
/// `STREAMHOOKS_AGENT_RATE`) through `var`.
pub fn ingest_config(
    config: &Config,
    var: impl Fn(&str) -> Option<String>,
) -> Result<IngestConfig, ConfigError> {
    let mut ingest = IngestConfig {
        instance_arn: config.instance_arn.clone(),
        ..IngestConfig::default()
    };
    if let Some(origins) = var("STREAMHOOKS_ALLOWED_ORIGINS") {
        ingest.allowed_origins = origins
            .split(',')
            .map(|o| o.trim().trim_end_matches('/').to_owned())
            .filter(|o| !o.is_empty())
            .collect();
        for origin in &ingest.allowed_origins {
            if origin != "*" && !(origin.starts_with("https://") || origin.starts_with("http://")) {
                return Err(config_error(
                    "STREAMHOOKS_ALLOWED_ORIGINS",
                    format!("`{origin}` is not an origin (https://host[:port]) or *"),
                ));
            }
        }
    }
    if let Some(v) = var("STREAMHOOKS_MAX_BODY_BYTES").filter(|v| !v.trim().is_empty()) {
        ingest.max_body_bytes = v
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|n| (1024..=6 * 1024 * 1024).contains(n))
            .ok_or_else(|| {
                config_error(
                    "STREAMHOOKS_MAX_BODY_BYTES",
                    format!("`{v}` is not a byte count from 1024 to 6291456 (Lambda's limit)"),
                )
            })?;
    }
    if let Some(v) = var("STREAMHOOKS_AGENT_RATE").filter(|v| !v.trim().is_empty()) {
        let quotas = parse_rate("STREAMHOOKS_AGENT_RATE", &v, |rate| (rate * 2.0).max(1.0))?;
        ingest.agent_rate = quotas.0;
        ingest.agent_burst = quotas.1;
    }
    Ok(ingest)
}

/// `rate[/burst]`, both positive numbers; without a burst, `default_burst(rate)`.
fn parse_rate(
    variable: &str,
    value: &str,
    default_burst: impl Fn(f64) -> f64,
) -> Result<(f64, f64), ConfigError> {
    let (rate, burst) = match value.split_once('/') {
        Some((r, b)) => (r, Some(b)),
        None => (value, None),
    };
    let number = |s: &str| {
        s.trim()
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite() && *n > 0.0)
            .ok_or_else(|| {
                config_error(
                    variable,
                    format!("`{s}` is not a positive number (rate[/burst])"),
                )
            })
    };
    let rate = number(rate)?;
    let burst = burst
        .map(number)
        .transpose()?
        .unwrap_or(default_burst(rate));
    Ok((rate, burst))
}

/// Reports an init failure to the Lambda Runtime API (`/runtime/init/error`), as Lambda expects
/// of a runtime that cannot start, and logs it. Best effort: the process exits afterwards.
pub fn report_init_error(error_type: &str, message: &str) {
    tracing::error!(error_type, "init failed: {message}");
    let Ok(api) = std::env::var("AWS_LAMBDA_RUNTIME_API") else {
        return;
    };
    let body = serde_json::json!({"errorType": error_type, "errorMessage": message}).to_string();
    let request = format!(
        "POST /2018-06-01/runtime/init/error HTTP/1.1\r\nHost: {api}\r\n\
         Lambda-Runtime-Function-Error-Type: {error_type}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    if let Ok(mut stream) = TcpStream::connect(&api) {
        let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
        let _ = stream.write_all(request.as_bytes());
        let mut answer = [0u8; 256];
        let _ = stream.read(&mut answer);
    }
}

/// The three functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Function {
    /// `ingest-http`: the Function URL for Streams clients.
    IngestHttp,
    /// `contact-events`: the EventBridge rule target.
    ContactEvents,
    /// `agent-events`: the Kinesis agent event stream consumer.
    AgentEvents,
}

async fn init(function: Function) -> Result<Served, InitError> {
    let config = Config::from_env()?;
    let service = build_service(&config).await?;
    Ok(match function {
        Function::ContactEvents => Served::EventBridge(service),
        Function::AgentEvents => Served::Kinesis(service),
        Function::IngestHttp => {
            let var = |name: &str| std::env::var(name).ok();
            let ingest = ingest_config(&config, var)?;
            let auth = streamhooks_auth::CognitoConfig::from_env(var)
                .and_then(streamhooks_auth::CognitoVerifier::new)
                .map_err(|e| InitError::Auth(e.to_string()))?;
            Served::Http(Arc::new(Ingest::new(service, Arc::new(auth), ingest)))
        }
    })
}

enum Served {
    EventBridge(Arc<Service>),
    Kinesis(Arc<Service>),
    Http(Arc<Ingest>),
}

/// A function's whole life: JSON logs, init (reported to the Runtime API if it fails), then
/// the runtime loop. Each function binary's `main` is this one call.
pub async fn main(function: Function) -> std::process::ExitCode {
    init_tracing();
    let served = match init(function).await {
        Ok(served) => served,
        Err(e) => {
            report_init_error(e.error_type(), &e.to_string());
            return std::process::ExitCode::FAILURE;
        }
    };
    let result = match served {
        Served::EventBridge(service) => run_eventbridge(service).await,
        Served::Kinesis(service) => run_kinesis(service).await,
        Served::Http(ingest) => run_http(ingest).await,
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("runtime stopped: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let map: std::collections::HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| map.get(name).cloned()
    }

    const INSTANCE: &str =
        "arn:aws:connect:us-west-2:111122223333:instance/7c1e3f5a-92b4-4d1e-8f6a-3b5c9d2e4a17";

    #[test]
    fn defaults_and_overrides() {
        let config = Config::from_vars(vars(&[("STREAMHOOKS_CONNECT_INSTANCE_ARN", INSTANCE)]))
            .expect("valid");
        assert_eq!(config.plugins_dir, PathBuf::from(DEFAULT_PLUGINS_DIR));
        assert_eq!(config.event_bus, "default");
        assert!(!config.dry_run);
        assert_eq!(config.stale_policy, StalePolicy::Skip);
        assert_eq!(config.idempotency_ttl, Duration::from_secs(86_400));
        assert_eq!(config.directive_ttl, Duration::from_secs(300));
        assert_eq!(
            config.rate_limiter().quota("PutUserStatus"),
            CONNECT_DEFAULT_QUOTAS
                .iter()
                .find(|(op, _, _)| *op == "PutUserStatus")
                .map(|(_, r, b)| Quota::new(*r, *b))
        );

        let config = Config::from_vars(vars(&[
            ("STREAMHOOKS_DRY_RUN", "true"),
            ("STREAMHOOKS_STALE_POLICY", "deliver"),
            (
                "STREAMHOOKS_CONNECT_QUOTAS",
                "PutUserStatus=5/10, StopContact=1",
            ),
        ]))
        .expect("dry run needs no instance");
        assert!(config.dry_run);
        assert_eq!(config.stale_policy, StalePolicy::Deliver);
        let limiter = config.rate_limiter();
        assert_eq!(limiter.quota("PutUserStatus"), Some(Quota::new(5.0, 10.0)));
        assert_eq!(limiter.quota("StopContact"), Some(Quota::new(1.0, 1.0)));
    }

    #[test]
    fn errors_name_the_variable_and_the_problem() {
        type Case<'a> = (&'a [(&'a str, &'a str)], &'a str, &'a str);
        let cases: &[Case<'_>] = &[
            (&[], "STREAMHOOKS_CONNECT_INSTANCE_ARN", "required"),
            (
                &[("STREAMHOOKS_CONNECT_INSTANCE_ARN", "arn:aws:s3:::bucket")],
                "STREAMHOOKS_CONNECT_INSTANCE_ARN",
                "not an Amazon Connect instance ARN",
            ),
            (
                &[("STREAMHOOKS_DRY_RUN", "maybe")],
                "STREAMHOOKS_DRY_RUN",
                "`maybe` is not true or false",
            ),
            (
                &[
                    ("STREAMHOOKS_DRY_RUN", "1"),
                    ("STREAMHOOKS_STALE_POLICY", "drop"),
                ],
                "STREAMHOOKS_STALE_POLICY",
                "`drop` is not a stale policy",
            ),
            (
                &[
                    ("STREAMHOOKS_DRY_RUN", "1"),
                    ("STREAMHOOKS_IDEMPOTENCY_TTL_SECONDS", "5"),
                ],
                "STREAMHOOKS_IDEMPOTENCY_TTL_SECONDS",
                "from 60",
            ),
            (
                &[
                    ("STREAMHOOKS_DRY_RUN", "1"),
                    ("STREAMHOOKS_CONNECT_QUOTAS", "Teleport=1"),
                ],
                "STREAMHOOKS_CONNECT_QUOTAS",
                "`Teleport` is not an operation",
            ),
            (
                &[
                    ("STREAMHOOKS_DRY_RUN", "1"),
                    ("STREAMHOOKS_CONNECT_QUOTAS", "StopContact=-1"),
                ],
                "STREAMHOOKS_CONNECT_QUOTAS",
                "not a positive number",
            ),
        ];
        for (pairs, variable, reason) in cases {
            let error = Config::from_vars(vars(pairs)).expect_err("invalid");
            assert_eq!(error.variable, *variable, "{pairs:?}");
            assert!(error.reason.contains(reason), "{pairs:?}: {}", error.reason);
        }
    }

    #[test]
    fn ingest_settings() {
        let config = Config::from_vars(vars(&[("STREAMHOOKS_CONNECT_INSTANCE_ARN", INSTANCE)]))
            .expect("valid");
        let ingest = ingest_config(
            &config,
            vars(&[
                (
                    "STREAMHOOKS_ALLOWED_ORIGINS",
                    "https://a.my.connect.aws/, https://b.example",
                ),
                ("STREAMHOOKS_MAX_BODY_BYTES", "65536"),
                ("STREAMHOOKS_AGENT_RATE", "4/8"),
            ]),
        )
        .expect("valid");
        assert_eq!(
            ingest.allowed_origins,
            ["https://a.my.connect.aws", "https://b.example"]
        );
        assert_eq!(ingest.max_body_bytes, 65_536);
        assert_eq!((ingest.agent_rate, ingest.agent_burst), (4.0, 8.0));
        assert_eq!(ingest.instance_arn.as_deref(), Some(INSTANCE));
        let error = ingest_config(
            &config,
            vars(&[("STREAMHOOKS_ALLOWED_ORIGINS", "example.com")]),
        )
        .expect_err("not an origin");
        assert_eq!(error.variable, "STREAMHOOKS_ALLOWED_ORIGINS");
        let error = ingest_config(&config, vars(&[("STREAMHOOKS_MAX_BODY_BYTES", "99999999")]))
            .expect_err("over Lambda's limit");
        assert_eq!(error.variable, "STREAMHOOKS_MAX_BODY_BYTES");
    }
}
