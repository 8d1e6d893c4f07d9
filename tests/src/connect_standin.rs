//! A local stand-in for the Amazon Connect API, on 127.0.0.1, for tests and benchmarks that run
//! the real `aws-sdk-connect` request path (point the SDK at it with `AWS_ENDPOINT_URL_CONNECT`).
//!
//! Amazon Connect has no local implementation, so this double behaves like the service where
//! streamhooks depends on it:
//! - the REST routes of the twelve operations streamhooks calls (method and path as the SDK
//!   sends them), each answered with the shape the SDK expects;
//! - a per-operation request quota (token bucket, like Connect's per-account quotas): past
//!   it, `429` with `x-amzn-ErrorType: ThrottlingException`;
//! - validation: the instance must be the configured one (`ResourceNotFoundException`, 404),
//!   required ids must be present (`InvalidParameterException`, 400);
//! - `ClientToken` idempotency for StartTaskContact / StartOutboundVoiceContact: a repeated
//!   token returns the contact the first call created, and creates nothing;
//! - scripted failures ([`ConnectStandIn::fail_next`]) for error paths.
//!
//! Every request is recorded ([`ConnectStandIn::calls`]).

use std::collections::{HashMap, VecDeque};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response};
use serde_json::{Value, json};

/// One request the stand-in received.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// The operation (`SuspendContactRecording` ...), or `unknown`.
    pub operation: String,
    /// The request path.
    pub path: String,
    /// The JSON body (`null` if none or not JSON).
    pub body: Value,
    /// The status answered.
    pub status: u16,
    /// When it arrived.
    pub at: Instant,
}

/// A failure to answer with, once.
#[derive(Debug, Clone)]
pub struct Scripted {
    /// HTTP status.
    pub status: u16,
    /// `x-amzn-ErrorType`.
    pub error_type: String,
    /// Message.
    pub message: String,
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

#[derive(Debug, Default)]
struct State {
    calls: Vec<Call>,
    script: VecDeque<Scripted>,
    buckets: HashMap<String, Bucket>,
    tokens: HashMap<String, String>,
    created: u64,
}

/// The stand-in server. Stops when dropped.
pub struct ConnectStandIn {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// How the stand-in is set up.
#[derive(Debug, Clone)]
pub struct StandInConfig {
    /// The instance id requests must name.
    pub instance_id: String,
    /// Requests per second per operation, and burst; `None`: no quota.
    pub quota: Option<(f64, f64)>,
}

struct Shared {
    config: StandInConfig,
    state: Arc<Mutex<State>>,
}

fn route(method: &str, path: &str) -> Option<(&'static str, Option<String>)> {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    Some(match (method, segments.as_slice()) {
        ("PUT", ["users", instance, _, "status"]) => {
            ("PutUserStatus", Some((*instance).to_owned()))
        }
        ("POST", ["users", instance, _, "contact"]) => {
            ("DismissUserContact", Some((*instance).to_owned()))
        }
        ("POST", ["contact", "attributes"]) => ("UpdateContactAttributes", None),
        ("POST", ["contacts", instance, _]) => ("UpdateContact", Some((*instance).to_owned())),
        ("POST", ["contact", "stop"]) => ("StopContact", None),
        ("POST", ["contact", "transfer"]) => ("TransferContact", None),
        ("PUT", ["contact", "task"]) => ("StartTaskContact", None),
        ("PUT", ["contact", "outbound-voice"]) => ("StartOutboundVoiceContact", None),
        ("POST", ["contact", "suspend-recording"]) => ("SuspendContactRecording", None),
        ("POST", ["contact", "resume-recording"]) => ("ResumeContactRecording", None),
        ("POST", ["contact", "monitor"]) => ("MonitorContact", None),
        ("POST", ["contact", "tags"]) => ("TagContact", None),
        _ => return None,
    })
}

fn error(status: u16, error_type: &str, message: &str) -> (u16, Value, Option<String>) {
    (
        status,
        json!({ "message": message }),
        Some(error_type.to_owned()),
    )
}

impl Shared {
    fn answer(
        &self,
        operation: &str,
        path_instance: Option<String>,
        body: &Value,
    ) -> (u16, Value, Option<String>) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(s) = state.script.pop_front() {
            return error(s.status, &s.error_type, &s.message);
        }
        if let Some((rate, burst)) = self.config.quota {
            let now = Instant::now();
            let bucket = state.buckets.entry(operation.to_owned()).or_insert(Bucket {
                tokens: burst,
                at: now,
            });
            bucket.tokens =
                (bucket.tokens + now.duration_since(bucket.at).as_secs_f64() * rate).min(burst);
            bucket.at = now;
            if bucket.tokens < 1.0 {
                return error(429, "ThrottlingException", "Rate exceeded");
            }
            bucket.tokens -= 1.0;
        }
        let instance = path_instance.or_else(|| {
            body.get("InstanceId")
                .and_then(Value::as_str)
                .map(str::to_owned)
        });
        if instance.as_deref() != Some(self.config.instance_id.as_str()) {
            return error(404, "ResourceNotFoundException", "Instance not found");
        }
        let needs_contact = !matches!(
            operation,
            "PutUserStatus" | "StartTaskContact" | "StartOutboundVoiceContact"
        );
        let has_contact = body
            .get("ContactId")
            .and_then(Value::as_str)
            .is_some_and(|c| !c.is_empty());
        if needs_contact && !has_contact && operation != "UpdateContact" {
            return error(400, "InvalidParameterException", "ContactId is required");
        }
        match operation {
            "StartTaskContact" | "StartOutboundVoiceContact" => {
                let token = body
                    .get("ClientToken")
                    .and_then(Value::as_str)
                    .map(str::to_owned);
                if let Some(existing) = token.as_ref().and_then(|t| state.tokens.get(t)) {
                    return (200, json!({ "ContactId": existing }), None);
                }
                state.created += 1;
                let id = format!("00000000-0000-4000-8000-{:012}", state.created);
                if let Some(token) = token {
                    state.tokens.insert(token, id.clone());
                }
                (200, json!({ "ContactId": id }), None)
            }
            _ => (200, json!({}), None),
        }
    }

    async fn serve(
        self: Arc<Self>,
        request: Request<Incoming>,
    ) -> Result<Response<Full<Bytes>>, Infallible> {
        let method = request.method().as_str().to_owned();
        let path = request.uri().path().to_owned();
        let bytes = request
            .into_body()
            .collect()
            .await
            .map(|b| b.to_bytes())
            .unwrap_or_default();
        let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        let (operation, (status, answer, error_type)) = match route(&method, &path) {
            Some((operation, instance)) => (operation, self.answer(operation, instance, &body)),
            None => (
                "unknown",
                error(404, "UnknownOperationException", "no such route"),
            ),
        };
        self.state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .calls
            .push(Call {
                operation: operation.to_owned(),
                path,
                body,
                status,
                at: Instant::now(),
            });
        let mut response = Response::builder()
            .status(status)
            .header("content-type", "application/json")
            .header("x-amzn-requestid", "00000000-0000-0000-0000-000000000000");
        if let Some(error_type) = error_type {
            response = response.header("x-amzn-errortype", error_type);
        }
        Ok(response
            .body(Full::new(Bytes::from(answer.to_string())))
            .unwrap_or_else(|_| Response::new(Full::new(Bytes::new()))))
    }
}

impl ConnectStandIn {
    /// Starts the stand-in on 127.0.0.1 (a free port), on its own thread and runtime.
    pub fn start(config: StandInConfig) -> std::io::Result<ConnectStandIn> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let state = Arc::new(Mutex::new(State::default()));
        let shared = Arc::new(Shared {
            config,
            state: Arc::clone(&state),
        });
        let (shutdown, mut stop) = tokio::sync::oneshot::channel::<()>();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let thread = std::thread::spawn(move || {
            runtime.block_on(async move {
                let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                    return;
                };
                loop {
                    tokio::select! {
                        _ = &mut stop => break,
                        accepted = listener.accept() => {
                            let Ok((stream, _)) = accepted else { continue };
                            let shared = Arc::clone(&shared);
                            tokio::spawn(async move {
                                let service = hyper::service::service_fn(move |r| Arc::clone(&shared).serve(r));
                                let _ = hyper::server::conn::http1::Builder::new()
                                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                                    .await;
                            });
                        }
                    }
                }
            });
        });
        Ok(ConnectStandIn {
            addr,
            state,
            shutdown: Some(shutdown),
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:<port>`, for `AWS_ENDPOINT_URL_CONNECT`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Answers the next requests with these failures, in order.
    pub fn fail_next(&self, failures: impl IntoIterator<Item = Scripted>) {
        self.lock().script.extend(failures);
    }

    /// Every request so far.
    pub fn calls(&self) -> Vec<Call> {
        self.lock().calls.clone()
    }

    /// The requests of `operation` answered 200.
    pub fn accepted(&self, operation: &str) -> Vec<Call> {
        self.calls()
            .into_iter()
            .filter(|c| c.operation == operation && c.status == 200)
            .collect()
    }

    /// Waits until `count` requests have been received or `timeout` passes.
    pub fn wait_for_calls(&self, count: usize, timeout: Duration) -> bool {
        let until = Instant::now() + timeout;
        while Instant::now() < until {
            if self.lock().calls.len() >= count {
                return true;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        false
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for ConnectStandIn {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A throttling answer, as Connect gives it.
pub fn throttled() -> Scripted {
    Scripted {
        status: 429,
        error_type: "ThrottlingException".into(),
        message: "Rate exceeded".into(),
    }
}

/// An internal error, as Connect gives it.
pub fn internal() -> Scripted {
    Scripted {
        status: 500,
        error_type: "InternalServiceException".into(),
        message: "Internal error".into(),
    }
}
