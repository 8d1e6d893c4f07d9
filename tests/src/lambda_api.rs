//! A local implementation of the AWS Lambda Runtime API (version `2018-06-01`), to run a function
//! binary exactly as Lambda runs it: as its own process, with the environment Lambda sets, asking
//! `http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation/next` for work.
//!
//! Everything here is synchronous and usable from plain `#[test]` functions: the HTTP server runs
//! on its own thread with its own (single-threaded) tokio runtime.
//!
//! ```no_run
//! use std::time::Duration;
//! use streamhooks_tests::lambda_api::{FunctionProcess, RuntimeApi, binary_path};
//!
//! let api = RuntimeApi::start();
//! let function = FunctionProcess::spawn(binary_path("ingest-http"), &api, &[]);
//! let invocation = api
//!     .invoke(&serde_json::json!({"hello": "world"}), Duration::from_secs(5))
//!     .expect("the function answers");
//! let body = invocation.json().expect("a JSON response");
//! # drop((function, body));
//! ```
//!
//! # Protocol, as Lambda implements it
//!
//! The behaviour follows Lambda's documentation ("Using the Lambda runtime API for custom
//! runtimes") and, where the documentation is silent, the Runtime API server of the AWS Lambda
//! Runtime Interface Emulator (RAPID, `aws/aws-lambda-runtime-interface-emulator`):
//!
//! - `GET /runtime/invocation/next` long-polls until an invocation is queued, then answers `200`
//!   with the payload (`Content-Type: application/json`) and the headers
//!   `Lambda-Runtime-Aws-Request-Id`, `Lambda-Runtime-Deadline-Ms` (epoch milliseconds),
//!   `Lambda-Runtime-Invoked-Function-Arn`, `Lambda-Runtime-Trace-Id`, and
//!   `Lambda-Runtime-Client-Context` / `Lambda-Runtime-Cognito-Identity` only when set. It also
//!   sends `Lambda-Runtime-Invocation-Id`, the per-attempt nonce current Lambda sends and current
//!   runtime clients (`lambda_runtime` 1.5 included) echo on `/response` and `/error`.
//! - `POST /runtime/invocation/{id}/response` answers `202 {"status":"OK"}`. A body larger than
//!   [`MAX_RESPONSE_BYTES`] (6 MiB + 100 bytes) is answered `413 {"errorMessage":"Exceeded
//!   maximum allowed payload size (6291556 bytes).","errorType":"RequestEntityTooLarge"}` and the
//!   invocation fails with `Function.ResponseSizeTooLarge`, which is what the caller of `Invoke`
//!   sees. An id that is not in flight (unknown, or already answered) is answered
//!   `400 {"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"}`; an answer for an
//!   invocation that timed out is answered `410 {"errorMessage":"Invoke timeout","errorType":
//!   "InvokeTimeout"}`.
//! - `POST /runtime/invocation/{id}/error` takes `{errorMessage, errorType, stackTrace?}` and the
//!   `Lambda-Runtime-Function-Error-Type` header, and answers `202` (same id rules).
//! - `POST /runtime/init/error` records the initialization failure (`202`); invocations waiting
//!   for this function then fail with [`HarnessError::InitFailed`].
//! - Anything else is answered `404`.
//!
//! Bodies are always read to the end (only the first [`MAX_RESPONSE_BYTES`] + 1 bytes are kept),
//! so the keep-alive connection the runtime client pools stays usable after a rejection.
//!
//! What is not modelled: Lambda resets the execution environment after a timeout or a crash; here
//! the process keeps running (or stays dead) and it is up to the test to spawn a new one.
//! Response streaming (`Lambda-Runtime-Function-Response-Mode: streaming`) is accepted as raw
//! bytes without the size limit, and an error trailer turns it into an error outcome.

mod process;
mod server;

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::hash::{BuildHasher, Hasher};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use hyper::body::Bytes;
use hyper::header::HeaderValue;
use serde_json::Value;

pub use process::{FunctionProcess, OutputLine, OutputStream, binary_path, try_binary_path};

/// The largest buffered response Lambda accepts from a runtime: 6 MiB + 100 bytes (RAPID's
/// `interop.MaxPayloadSize`, 6291556 bytes).
pub const MAX_RESPONSE_BYTES: usize = 6 * 1024 * 1024 + 100;

/// How long [`RuntimeApi::invoke`] waits, by default, for the runtime to pick an invocation up
/// (Lambda's limit on the init phase of an on-demand function is 10 seconds).
pub const DEFAULT_QUEUE_TIMEOUT: Duration = Duration::from_secs(10);

/// What can go wrong driving a function through the harness.
#[derive(Debug, Clone, thiserror::Error)]
pub enum HarnessError {
    /// The invocation got no answer in time: either the runtime never asked for it
    /// (`delivered: false`, the queue timeout passed) or it did not answer before its deadline.
    #[error(
        "invocation {request_id} timed out after {waited:?} (delivered to the runtime: {delivered})"
    )]
    Timeout {
        /// The invocation's request id.
        request_id: String,
        /// Whether the runtime had received the invocation.
        delivered: bool,
        /// How long the harness waited in all.
        waited: Duration,
    },
    /// The function process exited while the invocation was queued or in flight.
    #[error("the function process exited ({status}) while invocation {request_id} was outstanding")]
    ProcessExited {
        /// The invocation's request id.
        request_id: String,
        /// The exit status, as text.
        status: String,
    },
    /// The runtime reported an initialization error (`/runtime/init/error`).
    #[error("the function failed to initialize: {0}")]
    InitFailed(ErrorReport),
    /// The invocation ended with an error where a response was expected.
    #[error("the invocation failed: {0}")]
    FunctionError(ErrorReport),
    /// The response is not JSON.
    #[error("the response is not JSON: {0}")]
    NotJson(String),
    /// A request id given in [`InvokeOptions`] is already queued or in flight.
    #[error("request id {0} is already queued or in flight")]
    DuplicateRequestId(String),
    /// A value given in [`InvokeOptions`] cannot be sent as an HTTP header.
    #[error("{0} cannot be sent as an HTTP header value")]
    InvalidHeader(&'static str),
    /// The Runtime API server is not running.
    #[error("the Runtime API server stopped")]
    ServerStopped,
    /// A function binary is not built.
    #[error("`{name}` is not built: {path} does not exist")]
    BinaryNotFound {
        /// The binary's name.
        name: String,
        /// Where it was looked for.
        path: String,
    },
    /// An I/O error (binding the server, spawning a process).
    #[error("{context}: {message}")]
    Io {
        /// What was being done.
        context: String,
        /// The error.
        message: String,
    },
}

impl HarnessError {
    fn io(context: impl Into<String>, error: &std::io::Error) -> Self {
        Self::Io {
            context: context.into(),
            message: error.to_string(),
        }
    }
}

/// An error a runtime reported: an invocation error, an init error, or one Lambda itself produced
/// (`Function.ResponseSizeTooLarge`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorReport {
    /// `errorType` from the body; when the body has none, the
    /// `Lambda-Runtime-Function-Error-Type` header; else `"Unknown"`.
    pub error_type: String,
    /// `errorMessage` from the body (empty when absent).
    pub error_message: String,
    /// `stackTrace` from the body (empty when absent).
    pub stack_trace: Vec<String>,
    /// The `Lambda-Runtime-Function-Error-Type` header, when sent (`lambda_runtime` sends
    /// `unhandled` for invocation errors and `Runtime.InitError` for init errors).
    pub function_error_type: Option<String>,
    /// The body as sent (what `Invoke` returns as the payload).
    pub body: Vec<u8>,
}

impl ErrorReport {
    /// Builds a report from an error body and the `Lambda-Runtime-Function-Error-Type` header.
    fn parse(body: Vec<u8>, function_error_type: Option<String>) -> Self {
        let json: Option<Value> = serde_json::from_slice(&body).ok();
        let field = |name: &str| {
            json.as_ref()
                .and_then(|json| json.get(name))
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        let stack_trace = match json.as_ref().and_then(|json| json.get("stackTrace")) {
            Some(Value::Array(lines)) => lines
                .iter()
                .map(|line| match line {
                    Value::String(line) => line.clone(),
                    other => other.to_string(),
                })
                .collect(),
            Some(Value::String(trace)) => trace.lines().map(str::to_owned).collect(),
            _ => Vec::new(),
        };
        let error_type = field("errorType")
            .filter(|kind| !kind.is_empty())
            .or_else(|| function_error_type.clone())
            .unwrap_or_else(|| "Unknown".to_owned());
        Self {
            error_type,
            error_message: field("errorMessage").unwrap_or_default(),
            stack_trace,
            function_error_type,
            body,
        }
    }

    /// The error Lambda reports to the caller when a response exceeds the limit.
    fn response_too_large(size: usize, limit: usize) -> Self {
        let error_type = "Function.ResponseSizeTooLarge".to_owned();
        let error_message = format!(
            "Response payload size ({size} bytes) exceeded maximum allowed payload size \
             ({limit} bytes)."
        );
        let body = serde_json::json!({"errorMessage": error_message, "errorType": error_type});
        Self {
            error_type,
            error_message,
            stack_trace: Vec::new(),
            function_error_type: None,
            body: body.to_string().into_bytes(),
        }
    }
}

impl fmt::Display for ErrorReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.error_type, self.error_message)
    }
}

/// How an invocation ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The runtime posted `/response` with this body.
    Response(Vec<u8>),
    /// The runtime posted `/error`, or Lambda turned the answer into an error.
    Error(ErrorReport),
}

/// A finished invocation.
#[derive(Debug, Clone)]
pub struct Invocation {
    /// `Lambda-Runtime-Aws-Request-Id`.
    pub request_id: String,
    /// The response or the error.
    pub outcome: Outcome,
    /// `Lambda-Runtime-Deadline-Ms` as sent (epoch milliseconds).
    pub deadline_ms: u64,
    /// From queuing the invocation to its answer reaching the server.
    pub latency: Duration,
    /// From queuing the invocation to the runtime receiving it from `/next`.
    pub queued: Duration,
    /// Whether the runtime echoed `Lambda-Runtime-Invocation-Id` with its answer.
    pub invocation_id_echoed: bool,
    /// `Lambda-Runtime-Function-Response-Mode` of the answer, when sent (`streaming`).
    pub response_mode: Option<String>,
}

impl Invocation {
    /// The response body, or `None` for an error.
    pub fn response(&self) -> Option<&[u8]> {
        match &self.outcome {
            Outcome::Response(body) => Some(body),
            Outcome::Error(_) => None,
        }
    }

    /// The error, or `None` for a response.
    pub fn error(&self) -> Option<&ErrorReport> {
        match &self.outcome {
            Outcome::Response(_) => None,
            Outcome::Error(report) => Some(report),
        }
    }

    /// The response parsed as JSON; an error outcome or a body that is not JSON is an error.
    pub fn json(&self) -> Result<Value, HarnessError> {
        match &self.outcome {
            Outcome::Response(body) => serde_json::from_slice(body).map_err(|error| {
                HarnessError::NotJson(format!(
                    "{error}: {}",
                    String::from_utf8_lossy(&body[..body.len().min(200)])
                ))
            }),
            Outcome::Error(report) => Err(HarnessError::FunctionError(report.clone())),
        }
    }

    /// The time the function took from receiving the invocation to answering it.
    pub fn handler_time(&self) -> Duration {
        self.latency.saturating_sub(self.queued)
    }
}

/// Options of one invocation; `InvokeOptions::default()` is what [`RuntimeApi::invoke`] uses
/// (with its timeout).
#[derive(Debug, Clone)]
pub struct InvokeOptions {
    /// The function timeout: the deadline sent is the time of delivery plus this.
    pub timeout: Duration,
    /// How long to wait for the runtime to ask for the invocation.
    pub queue_timeout: Duration,
    /// The request id; a fresh UUID-like id when `None`.
    pub request_id: Option<String>,
    /// `Lambda-Runtime-Trace-Id`; a fresh X-Ray trace header when `None`.
    pub trace_id: Option<String>,
    /// `Lambda-Runtime-Client-Context` (a JSON document), sent only when set.
    pub client_context: Option<String>,
    /// `Lambda-Runtime-Cognito-Identity` (a JSON document), sent only when set.
    pub cognito_identity: Option<String>,
    /// `Lambda-Runtime-Invoked-Function-Arn`; the function's ARN when `None`.
    pub invoked_function_arn: Option<String>,
}

impl Default for InvokeOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(3),
            queue_timeout: DEFAULT_QUEUE_TIMEOUT,
            request_id: None,
            trace_id: None,
            client_context: None,
            cognito_identity: None,
            invoked_function_arn: None,
        }
    }
}

/// The function the Runtime API serves, as Lambda would describe it.
#[derive(Debug, Clone)]
pub struct ApiConfig {
    /// `AWS_LAMBDA_FUNCTION_NAME`.
    pub function_name: String,
    /// `AWS_LAMBDA_FUNCTION_VERSION`.
    pub function_version: String,
    /// `AWS_LAMBDA_FUNCTION_MEMORY_SIZE`, in MB.
    pub memory_size_mb: u32,
    /// `AWS_REGION` and `AWS_DEFAULT_REGION`.
    pub region: String,
    /// The account in the function's ARN.
    pub account_id: String,
    /// The response size limit ([`MAX_RESPONSE_BYTES`]).
    pub max_response_bytes: usize,
    /// Whether `/next` sends `Lambda-Runtime-Invocation-Id`.
    pub send_invocation_id: bool,
}

impl Default for ApiConfig {
    fn default() -> Self {
        Self {
            function_name: "streamhooks-test".to_owned(),
            function_version: "$LATEST".to_owned(),
            memory_size_mb: 128,
            region: "us-east-1".to_owned(),
            account_id: "123456789012".to_owned(),
            max_response_bytes: MAX_RESPONSE_BYTES,
            send_invocation_id: true,
        }
    }
}

impl ApiConfig {
    /// `arn:aws:lambda:<region>:<account>:function:<name>`.
    pub fn function_arn(&self) -> String {
        format!(
            "arn:aws:lambda:{}:{}:function:{}",
            self.region, self.account_id, self.function_name
        )
    }
}

/// One request the server answered.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    /// When it arrived.
    pub received_at: Instant,
    /// `GET` or `POST` (or whatever was sent).
    pub method: String,
    /// The path, e.g. `/2018-06-01/runtime/invocation/next`.
    pub path: String,
    /// The status answered.
    pub status: u16,
    /// The request id concerned (`/next` answers and `/response`, `/error` posts).
    pub request_id: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Shared state
// ---------------------------------------------------------------------------------------------

/// What the server tells the waiting caller about its invocation.
enum Event {
    /// The runtime received it from `/next`.
    Delivered { deadline: Instant },
    /// It ended.
    Done(Result<Invocation, HarnessError>),
}

struct Queued {
    request_id: String,
    invocation_id: String,
    payload: Bytes,
    timeout: Duration,
    trace_id: HeaderValue,
    client_context: Option<HeaderValue>,
    cognito_identity: Option<HeaderValue>,
    invoked_function_arn: HeaderValue,
    submitted: Instant,
    events: Sender<Event>,
}

struct InFlight {
    invocation_id: String,
    deadline: Instant,
    deadline_ms: u64,
    submitted: Instant,
    delivered_at: Instant,
    events: Sender<Event>,
}

#[derive(Default)]
struct State {
    queue: VecDeque<Queued>,
    in_flight: HashMap<String, InFlight>,
    /// Request ids (with their invocation ids) whose deadline passed without an answer.
    timed_out: HashMap<String, String>,
    init_error: Option<ErrorReport>,
    first_next_at: Option<Instant>,
    /// `GET /next` requests waiting for an invocation.
    polling: usize,
    first_answer_at: Option<Instant>,
    requests: Vec<RecordedRequest>,
    /// Function processes spawned against this API and still running.
    processes: usize,
    /// How the last process ended, when it ended on its own.
    last_exit: Option<String>,
    stopped: bool,
}

impl State {
    /// Ends every queued (when `queued` is set) and in-flight invocation with `error`.
    fn fail_outstanding(&mut self, queued: bool, error: impl Fn(&str) -> HarnessError) {
        for (request_id, in_flight) in self.in_flight.drain() {
            let _ = in_flight.events.send(Event::Done(Err(error(&request_id))));
        }
        if queued {
            for queued in self.queue.drain(..) {
                let _ = queued
                    .events
                    .send(Event::Done(Err(error(&queued.request_id))));
            }
        }
    }
}

struct Shared {
    config: ApiConfig,
    state: Mutex<State>,
    /// Signalled on every state change sync callers wait for.
    changed: Condvar,
    /// Wakes `/next` long-polls when an invocation is queued.
    wake_next: tokio::sync::Notify,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits until `ready` returns something, or the timeout passes.
    fn wait_for<T>(
        &self,
        timeout: Duration,
        mut ready: impl FnMut(&State) -> Option<T>,
    ) -> Option<T> {
        let until = Instant::now() + timeout;
        let mut state = self.lock();
        loop {
            if let Some(found) = ready(&state) {
                return Some(found);
            }
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return None;
            }
            state = self
                .changed
                .wait_timeout(state, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// A function process was spawned against this API: a fresh init.
    fn process_started(&self) {
        let mut state = self.lock();
        state.processes += 1;
        state.init_error = None;
        state.last_exit = None;
        state.first_next_at = None;
        state.first_answer_at = None;
    }

    /// A function process ended: what it had in flight fails now, and so does what is queued when
    /// no other process is left to take it.
    fn process_exited(&self, status: &str, expected: bool) {
        let mut state = self.lock();
        state.processes = state.processes.saturating_sub(1);
        if !expected {
            state.last_exit = Some(status.to_owned());
        }
        let none_left = state.processes == 0;
        let init_error = state.init_error.clone();
        state.fail_outstanding(none_left, |request_id| match &init_error {
            Some(report) => HarnessError::InitFailed(report.clone()),
            None => HarnessError::ProcessExited {
                request_id: request_id.to_owned(),
                status: status.to_owned(),
            },
        });
        drop(state);
        self.changed.notify_all();
    }

    /// Ends the invocation `request_id` if it is still queued, or in flight past its deadline;
    /// `false` when it has moved on (an event is on its way).
    fn expire(&self, request_id: &str, now: Instant) -> bool {
        let mut state = self.lock();
        if let Some(index) = state.queue.iter().position(|q| q.request_id == request_id) {
            state.queue.remove(index);
            return true;
        }
        let expired = state
            .in_flight
            .get(request_id)
            .is_some_and(|in_flight| in_flight.deadline <= now);
        if expired && let Some(in_flight) = state.in_flight.remove(request_id) {
            state
                .timed_out
                .insert(request_id.to_owned(), in_flight.invocation_id);
            return true;
        }
        false
    }
}

// ---------------------------------------------------------------------------------------------
// The API
// ---------------------------------------------------------------------------------------------

/// A local Lambda Runtime API on `127.0.0.1` (a free port), serving invocations queued with
/// [`RuntimeApi::invoke`] / [`RuntimeApi::submit`] to the function processes pointed at it.
pub struct RuntimeApi {
    address: SocketAddr,
    shared: Arc<Shared>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl RuntimeApi {
    /// Starts the server with [`ApiConfig::default`]; panics if it cannot (a test helper).
    pub fn start() -> Self {
        Self::try_start(ApiConfig::default())
            .unwrap_or_else(|error| panic!("cannot start the local Lambda Runtime API: {error}"))
    }

    /// Starts the server for the function `config` describes.
    pub fn try_start(config: ApiConfig) -> Result<Self, HarnessError> {
        let listener = std::net::TcpListener::bind(("127.0.0.1", 0))
            .map_err(|error| HarnessError::io("binding 127.0.0.1:0", &error))?;
        listener
            .set_nonblocking(true)
            .map_err(|error| HarnessError::io("configuring the listener", &error))?;
        let address = listener
            .local_addr()
            .map_err(|error| HarnessError::io("reading the listener's address", &error))?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|error| HarnessError::io("building the server's tokio runtime", &error))?;
        let shared = Arc::new(Shared {
            config,
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
            wake_next: tokio::sync::Notify::new(),
        });
        let (shutdown, stop) = tokio::sync::oneshot::channel();
        let thread = std::thread::Builder::new()
            .name(format!("lambda-runtime-api-{}", address.port()))
            .spawn({
                let shared = Arc::clone(&shared);
                move || runtime.block_on(server::serve(listener, shared, stop))
            })
            .map_err(|error| HarnessError::io("spawning the server thread", &error))?;
        Ok(Self {
            address,
            shared,
            shutdown: Some(shutdown),
            thread: Some(thread),
        })
    }

    /// `127.0.0.1:PORT`, the value of `AWS_LAMBDA_RUNTIME_API`.
    pub fn address(&self) -> String {
        self.address.to_string()
    }

    /// The function this API serves.
    pub fn config(&self) -> &ApiConfig {
        &self.shared.config
    }

    /// Queues `payload` (JSON) with the function timeout `timeout` and waits for the answer.
    pub fn invoke(&self, payload: &Value, timeout: Duration) -> Result<Invocation, HarnessError> {
        self.invoke_with(
            payload.to_string(),
            InvokeOptions {
                timeout,
                ..InvokeOptions::default()
            },
        )
    }

    /// Queues a raw payload with `options` and waits for the answer.
    pub fn invoke_with(
        &self,
        payload: impl Into<Vec<u8>>,
        options: InvokeOptions,
    ) -> Result<Invocation, HarnessError> {
        self.submit(payload, options)?.wait()
    }

    /// Queues a raw payload without waiting (e.g. before spawning the function, to measure a cold
    /// start up to the first answer).
    pub fn submit(
        &self,
        payload: impl Into<Vec<u8>>,
        options: InvokeOptions,
    ) -> Result<PendingInvocation, HarnessError> {
        fn header(value: String, what: &'static str) -> Result<HeaderValue, HarnessError> {
            HeaderValue::from_str(&value).map_err(|_| HarnessError::InvalidHeader(what))
        }
        let request_id = options.request_id.unwrap_or_else(new_request_id);
        header(request_id.clone(), "request_id")?;
        let (events, receiver) = mpsc::channel();
        let queued = Queued {
            request_id: request_id.clone(),
            invocation_id: new_request_id(),
            payload: Bytes::from(payload.into()),
            timeout: options.timeout,
            trace_id: header(options.trace_id.unwrap_or_else(new_trace_id), "trace_id")?,
            client_context: options
                .client_context
                .map(|value| header(value, "client_context"))
                .transpose()?,
            cognito_identity: options
                .cognito_identity
                .map(|value| header(value, "cognito_identity"))
                .transpose()?,
            invoked_function_arn: header(
                options
                    .invoked_function_arn
                    .unwrap_or_else(|| self.shared.config.function_arn()),
                "invoked_function_arn",
            )?,
            submitted: Instant::now(),
            events,
        };
        let submitted = queued.submitted;
        {
            let mut state = self.shared.lock();
            if state.stopped {
                return Err(HarnessError::ServerStopped);
            }
            if state.processes == 0 {
                if let Some(report) = &state.init_error {
                    return Err(HarnessError::InitFailed(report.clone()));
                }
                if let Some(status) = &state.last_exit {
                    return Err(HarnessError::ProcessExited {
                        request_id,
                        status: status.clone(),
                    });
                }
            }
            if state.in_flight.contains_key(&request_id)
                || state.queue.iter().any(|q| q.request_id == request_id)
            {
                return Err(HarnessError::DuplicateRequestId(request_id));
            }
            state.queue.push_back(queued);
        }
        self.shared.wake_next.notify_waiters();
        Ok(PendingInvocation {
            shared: Arc::clone(&self.shared),
            request_id,
            submitted,
            queue_timeout: options.queue_timeout,
            events: receiver,
        })
    }

    /// Waits for the runtime to report an init error (`/runtime/init/error`).
    pub fn wait_init_error(&self, timeout: Duration) -> Option<ErrorReport> {
        self.shared
            .wait_for(timeout, |state| state.init_error.clone())
    }

    /// The init error reported, if any.
    pub fn init_error(&self) -> Option<ErrorReport> {
        self.shared.lock().init_error.clone()
    }

    /// When the first `GET /next` of the current process arrived: the end of its init phase.
    pub fn time_of_first_next_request(&self) -> Option<Instant> {
        self.shared.lock().first_next_at
    }

    /// Waits for the first `GET /next` of the current process.
    pub fn wait_first_next_request(&self, timeout: Duration) -> Option<Instant> {
        self.shared.wait_for(timeout, |state| state.first_next_at)
    }

    /// How many `GET /next` long polls are waiting for an invocation (runtimes idle).
    pub fn polling_runtimes(&self) -> usize {
        self.shared.lock().polling
    }

    /// Waits until at least `count` runtimes are long-polling `/next` (idle and ready).
    pub fn wait_polling_runtimes(&self, count: usize, timeout: Duration) -> bool {
        self.shared
            .wait_for(timeout, |state| (state.polling >= count).then_some(()))
            .is_some()
    }

    /// When the current process first answered an invocation (`/response` or `/error`).
    pub fn time_of_first_response(&self) -> Option<Instant> {
        self.shared.lock().first_answer_at
    }

    /// Every request answered so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.lock().requests.clone()
    }

    /// Waits until a request `matches` has been answered.
    pub fn wait_for_request(
        &self,
        timeout: Duration,
        matches: impl Fn(&RecordedRequest) -> bool,
    ) -> Option<RecordedRequest> {
        self.shared.wait_for(timeout, |state| {
            state.requests.iter().find(|r| matches(r)).cloned()
        })
    }
}

impl Drop for RuntimeApi {
    fn drop(&mut self) {
        {
            let mut state = self.shared.lock();
            state.stopped = true;
            state.fail_outstanding(true, |_| HarnessError::ServerStopped);
        }
        self.shared.changed.notify_all();
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// An invocation queued with [`RuntimeApi::submit`].
pub struct PendingInvocation {
    shared: Arc<Shared>,
    request_id: String,
    submitted: Instant,
    queue_timeout: Duration,
    events: Receiver<Event>,
}

impl PendingInvocation {
    /// Its request id.
    pub fn request_id(&self) -> &str {
        &self.request_id
    }

    /// Waits for the answer: until the queue timeout for the runtime to take it, then until its
    /// deadline for the answer. A process exit or an init error ends the wait at once.
    pub fn wait(self) -> Result<Invocation, HarnessError> {
        let mut until = self.submitted + self.queue_timeout;
        let mut delivered = false;
        loop {
            let left = until.saturating_duration_since(Instant::now());
            match self.events.recv_timeout(left) {
                Ok(Event::Delivered { deadline }) => {
                    delivered = true;
                    until = deadline;
                }
                Ok(Event::Done(result)) => return result,
                Err(RecvTimeoutError::Timeout) => {
                    let now = Instant::now();
                    if self.shared.expire(&self.request_id, now) {
                        return Err(HarnessError::Timeout {
                            request_id: self.request_id,
                            delivered,
                            waited: now - self.submitted,
                        });
                    }
                    // It moved on meanwhile: the event saying so is queued; look again shortly.
                    until = now + Duration::from_millis(5);
                }
                Err(RecvTimeoutError::Disconnected) => return Err(HarnessError::ServerStopped),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Ids
// ---------------------------------------------------------------------------------------------

fn random_u64() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    hasher.write_u128(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| since.as_nanos()),
    );
    hasher.finish()
}

/// A UUID-shaped (version 4) request id, like Lambda's.
fn new_request_id() -> String {
    let (high, low) = (random_u64(), random_u64());
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        high >> 32,
        (high >> 16) & 0xffff,
        high & 0x0fff,
        (low >> 48) & 0x3fff | 0x8000,
        low & 0xffff_ffff_ffff
    )
}

/// An X-Ray trace header, the form Lambda sends in `Lambda-Runtime-Trace-Id`.
fn new_trace_id() -> String {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs());
    format!(
        "Root=1-{seconds:08x}-{:016x}{:08x};Parent={:016x};Sampled=0",
        random_u64(),
        random_u64() >> 32,
        random_u64(),
    )
}

fn epoch_millis(at: SystemTime) -> u64 {
    at.duration_since(UNIX_EPOCH).map_or(0, |since| {
        u64::try_from(since.as_millis()).unwrap_or(u64::MAX)
    })
}

/// Resident memory (`VmRSS`) and its peak (`VmHWM`) of a process (`None`: this one), in KiB,
/// from `/proc/<pid>/status`; zeros where there is no such file.
pub fn resident_kib(pid: Option<u32>) -> (u64, u64) {
    let path = pid.map_or_else(
        || "/proc/self/status".to_owned(),
        |p| format!("/proc/{p}/status"),
    );
    let status = std::fs::read_to_string(path).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}
