//! `streamhooks dev`: the whole loop on one machine, with no AWS account.
//!
//! One HTTP/1.1 server on 127.0.0.1 serves:
//! - `POST /ingest`: the ingest-http handler itself ([`Ingest`]), with the insecure dev
//!   authenticator (`Authorization: Bearer dev:<agent id or ARN>`);
//! - `POST /events`: Amazon Connect events as EventBridge delivers them to a rule target (one
//!   event, or an array of them), through the contact-events handler;
//! - `GET /feed`: what happens, live, as server-sent events (events handled, actions decided,
//!   directive results, dead letters), the latest [`HISTORY`] replayed to each new client;
//! - `GET /`: a demo agent desktop: amazon-connect-streams with a simulated CCP, the forwarder,
//!   and the feed.
//!
//! Behind them: the plugins of `--plugins`, the in-memory state store, and a dry-run executor
//! whose ports write what they would call to the feed.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http_body_util::{BodyExt, Full, Limited, combinators::BoxBody};
use hyper::body::{Body, Bytes, Frame, Incoming};
use hyper::header::{self, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde::Serialize;
use serde_json::{Value, json};
use streamhooks_actions::{Action, CrmUpdate};
use streamhooks_engine::{Engine, Plugins};
use streamhooks_events::{Event, Limits};
use streamhooks_executor::ports::{
    BoxFuture, CallContext, CallError, Connect, CrmConnector, EventPublisher, PublishEntry,
};
use streamhooks_executor::{Executor, RateLimiter};
use streamhooks_service::ingest::{DirectiveResult, Ingest, IngestConfig};
use streamhooks_service::{
    DeadLetter, DeadLetters, EventReport, Observer, Service, ServiceConfig, sources,
};
use tokio::sync::mpsc;

/// Feed items replayed to a client that connects late.
pub const HISTORY: usize = 500;
/// Feed items queued for one slow client before it is dropped (it reconnects and replays).
const CLIENT_QUEUE: usize = 1024;
/// The largest `/events` body read.
const MAX_EVENTS_BODY: usize = 1024 * 1024;
/// How long one request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

const DEMO_HTML: &str = include_str!("../../../sdk/forwarder/demo/index.html");
const DEMO_JS: &str = include_str!("../../../sdk/forwarder/demo/demo.js");
const DEMO_CSS: &str = include_str!("../../../sdk/forwarder/demo/demo.css");
const FORWARDER_JS: &str = include_str!("../../../sdk/forwarder/src/index.js");
const CCP_HTML: &str = include_str!("../../../sdk/forwarder/sim/ccp.html");
const CCP_JS: &str = include_str!("../../../sdk/forwarder/sim/ccp-sim.js");

/// Where `streamhooks dev` finds amazon-connect-streams when `--streams-js` is not given:
/// the forwarder's dev dependency, relative to the working directory or to the repository
/// the binary was built in.
pub const STREAMS_JS: &str =
    "sdk/forwarder/node_modules/amazon-connect-streams/release/connect-streams.js";

/// The dev server's settings.
#[derive(Debug, Clone)]
pub struct DevOptions {
    /// Where to listen (port 0: any free port).
    pub addr: SocketAddr,
    /// The plugin folder.
    pub plugins: PathBuf,
    /// amazon-connect-streams' `connect-streams.js`, if found.
    pub streams_js: Option<PathBuf>,
    /// Origins besides the server's own that may call `/ingest` from a browser.
    pub allow_origins: Vec<String>,
}

/// Finds `connect-streams.js`: `explicit`, else [`STREAMS_JS`] under the working directory or
/// the repository this binary was built from.
pub fn find_streams_js(explicit: Option<&Path>) -> Option<PathBuf> {
    if let Some(path) = explicit {
        return Some(path.to_owned());
    }
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    [PathBuf::from(STREAMS_JS), repo.join(STREAMS_JS)]
        .into_iter()
        .find(|p| p.is_file())
}

/// The live feed: a bounded history and the connected clients.
#[derive(Default)]
pub struct Feed {
    inner: Mutex<FeedInner>,
}

#[derive(Default)]
struct FeedInner {
    seq: u64,
    history: VecDeque<Bytes>,
    clients: Vec<mpsc::Sender<Bytes>>,
}

fn now_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

impl Feed {
    /// Sends `item` (an object; `seq` and `at` are added) to every client.
    pub fn push(&self, mut item: Value) {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        inner.seq += 1;
        if let Some(map) = item.as_object_mut() {
            map.insert("seq".into(), json!(inner.seq));
            map.insert("at".into(), json!(now_millis()));
        }
        let frame = Bytes::from(format!("id: {}\ndata: {item}\n\n", inner.seq));
        if inner.history.len() == HISTORY {
            inner.history.pop_front();
        }
        inner.history.push_back(frame.clone());
        // A client that is gone, or too slow to keep up, is dropped; a browser's EventSource
        // reconnects by itself and gets the history again.
        inner
            .clients
            .retain(|client| client.try_send(frame.clone()).is_ok());
    }

    fn subscribe(&self) -> mpsc::Receiver<Bytes> {
        let (tx, rx) = mpsc::channel(CLIENT_QUEUE + HISTORY);
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        for frame in &inner.history {
            let _ = tx.try_send(frame.clone());
        }
        inner.clients.push(tx);
        rx
    }

    fn keep_alive(&self) {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let frame = Bytes::from_static(b": keep-alive\n\n");
        inner
            .clients
            .retain(|client| client.try_send(frame.clone()).is_ok());
    }
}

#[derive(Serialize)]
struct EventItem<'a> {
    #[serde(rename = "type")]
    kind_of_item: &'static str,
    source: &'a str,
    agent_arn: Option<&'a str>,
    contact_id: Option<&'a str>,
    occurred_at: String,
    #[serde(flatten)]
    report: &'a EventReport,
}

impl Observer for Feed {
    fn event(&self, event: &Event, report: &EventReport) {
        let item = EventItem {
            kind_of_item: "event",
            source: event.source.as_str(),
            agent_arn: event.agent_arn.as_deref(),
            contact_id: event.contact_id.as_deref(),
            occurred_at: event.occurred_at.to_rfc3339(),
            report,
        };
        match serde_json::to_value(&item) {
            Ok(value) => self.push(value),
            Err(e) => tracing::warn!("feed item not written: {e}"),
        }
    }

    fn directive_result(&self, agent_arn: &str, result: &DirectiveResult) {
        self.push(json!({
            "type": "directive-result",
            "agent_arn": agent_arn,
            "id": result.id,
            "status": result.status,
            "message": result.message,
        }));
    }
}

impl Feed {
    /// Shows a call the dry-run executor would make, and answers it as done.
    fn dry_run<'a>(
        &self,
        port: &str,
        cx: &CallContext,
        action: Value,
    ) -> BoxFuture<'a, Result<Option<String>, CallError>> {
        self.push(json!({
            "type": "action",
            "port": port,
            "event_id": cx.event_id,
            "plugin": cx.plugin,
            "action": action,
        }));
        Box::pin(async { Ok(Some("dry-run".to_owned())) })
    }
}

impl Connect for Feed {
    fn call<'a>(
        &'a self,
        action: &'a Action,
        cx: &'a CallContext,
    ) -> BoxFuture<'a, Result<Option<String>, CallError>> {
        self.dry_run("connect", cx, json!(action))
    }
}

impl CrmConnector for Feed {
    fn write<'a>(
        &'a self,
        update: &'a CrmUpdate,
        cx: &'a CallContext,
    ) -> BoxFuture<'a, Result<Option<String>, CallError>> {
        self.dry_run("crm", cx, json!({"type": "crm", "parameters": update}))
    }
}

impl EventPublisher for Feed {
    fn put_events<'a>(
        &'a self,
        entries: &'a [PublishEntry],
        _deadline: std::time::Instant,
    ) -> BoxFuture<'a, Result<Vec<Result<String, CallError>>, CallError>> {
        for entry in entries {
            self.push(json!({
                "type": "action",
                "port": "eventbridge",
                "action": {"type": "publish", "parameters": {
                    "source": entry.source,
                    "detail_type": entry.detail_type,
                    "detail": entry.detail,
                }},
            }));
        }
        let n = entries.len();
        Box::pin(async move { Ok(vec![Ok("dry-run".to_owned()); n]) })
    }
}

impl DeadLetters for Feed {
    fn send<'a>(
        &'a self,
        letters: &'a [DeadLetter],
        _deadline: std::time::Instant,
    ) -> BoxFuture<'a, Result<(), streamhooks_service::dead_letter::DeadLetterError>> {
        for letter in letters {
            tracing::warn!(reason = ?letter.reason, code = %letter.code, "dead letter: {}", letter.message);
            self.push(json!({"type": "dead-letter", "letter": letter}));
        }
        Box::pin(async { Ok(()) })
    }
}

/// The server's shared parts.
pub struct Dev {
    ingest: Ingest,
    service: Arc<Service>,
    feed: Arc<Feed>,
    streams_js: Option<PathBuf>,
    limits: Limits,
    plugins: Vec<Value>,
}

impl Dev {
    /// Builds the service over `plugins` (loaded by the caller), answering for `origin`.
    pub fn new(plugins: Plugins, options: &DevOptions, own_origins: Vec<String>) -> Dev {
        let feed = Arc::new(Feed::default());
        let described = plugins
            .iter()
            .map(|p| json!({"name": p.name(), "subscribe": p.manifest().subscribe.iter().map(|k| k.as_str()).collect::<Vec<_>>()}))
            .collect();
        let executor = Executor::new(Arc::new(RateLimiter::unlimited()))
            .with_connect(feed.clone())
            .with_any_crm(feed.clone())
            .with_publisher(feed.clone());
        let service = Arc::new(
            Service::new(
                Arc::new(plugins),
                Arc::new(executor),
                Arc::new(streamhooks_store::MemoryStore::new()),
                feed.clone(),
                ServiceConfig {
                    function: "streamhooks-dev".into(),
                    ..ServiceConfig::default()
                },
            )
            .with_observer(feed.clone()),
        );
        let mut allowed_origins = own_origins;
        allowed_origins.extend(options.allow_origins.iter().cloned());
        let ingest = Ingest::new(
            Arc::clone(&service),
            Arc::new(streamhooks_auth::DevAuthenticator::insecure_new()),
            IngestConfig {
                allowed_origins,
                ..IngestConfig::default()
            },
        );
        Dev {
            ingest,
            service,
            feed,
            streams_js: options.streams_js.clone(),
            limits: Limits::default(),
            plugins: described,
        }
    }

    /// The live feed.
    pub fn feed(&self) -> &Feed {
        &self.feed
    }

    async fn handle(&self, request: Request<Incoming>) -> Response<BoxBody<Bytes, Infallible>> {
        let path = request.uri().path().to_owned();
        let method = request.method().clone();
        let response = match (method.clone(), path.as_str()) {
            (_, "/ingest") => self.ingest(request).await,
            (Method::POST, "/events") => self.events(request).await,
            (Method::GET, "/feed") => self.subscribe(),
            (Method::GET, "/") | (Method::GET, "/index.html") => {
                text(StatusCode::OK, "text/html; charset=utf-8", DEMO_HTML)
            }
            (Method::GET, "/demo/demo.js") => text(StatusCode::OK, JS, DEMO_JS),
            (Method::GET, "/demo/demo.css") => {
                text(StatusCode::OK, "text/css; charset=utf-8", DEMO_CSS)
            }
            (Method::GET, "/forwarder/index.js") => text(StatusCode::OK, JS, FORWARDER_JS),
            (Method::GET, "/ccp/ccp.html") => {
                text(StatusCode::OK, "text/html; charset=utf-8", CCP_HTML)
            }
            (Method::GET, "/ccp/ccp-sim.js") => text(StatusCode::OK, JS, CCP_JS),
            (Method::GET, "/streams/connect-streams.js") => self.streams_js().await,
            (Method::GET, "/dev/config.json") => json_response(
                StatusCode::OK,
                &json!({
                    "plugins": self.plugins,
                    "streams": self.streams_js.is_some(),
                }),
            ),
            (Method::GET, "/healthz") => text(StatusCode::OK, "text/plain", "ok\n"),
            (_, "/events") | (_, "/feed") => error(
                StatusCode::METHOD_NOT_ALLOWED,
                "method-not-allowed",
                &format!("{method} is not allowed on {path}"),
            ),
            _ => error(
                StatusCode::NOT_FOUND,
                "not-found",
                &format!("nothing at {path}: try / (the demo), /ingest, /events or /feed"),
            ),
        };
        tracing::debug!(%method, %path, status = response.status().as_u16(), "request");
        response
    }

    async fn ingest(&self, request: Request<Incoming>) -> Response<BoxBody<Bytes, Infallible>> {
        let max = self.ingest.config().max_body_bytes;
        let (parts, body) = request.into_parts();
        // Read one byte past the cap, so that the handler itself refuses an oversized body
        // with its 413 answer.
        let body = match Limited::new(body, max + 1).collect().await {
            Ok(body) => body.to_bytes().to_vec(),
            Err(_) => {
                return error(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "body-too-large",
                    &format!("at most {max} bytes are accepted"),
                );
            }
        };
        let deadline = tokio::time::Instant::now() + REQUEST_TIMEOUT;
        let answer = self
            .ingest
            .handle(Request::from_parts(parts, body), deadline)
            .await;
        answer.map(|body| Full::new(Bytes::from(body)).boxed())
    }

    async fn events(&self, request: Request<Incoming>) -> Response<BoxBody<Bytes, Infallible>> {
        let body = match Limited::new(request.into_body(), MAX_EVENTS_BODY)
            .collect()
            .await
        {
            Ok(body) => body.to_bytes(),
            Err(_) => {
                return error(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "body-too-large",
                    &format!("at most {MAX_EVENTS_BODY} bytes are accepted"),
                );
            }
        };
        let value: Value = match serde_json::from_slice(&body) {
            Ok(value) => value,
            Err(e) => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "malformed-json",
                    &format!(
                        "the body is not JSON: line {}, column {}: {e}",
                        e.line(),
                        e.column()
                    ),
                );
            }
        };
        let inputs = match value {
            Value::Array(items) => items,
            one => vec![one],
        };
        let deadline = tokio::time::Instant::now() + REQUEST_TIMEOUT;
        let mut results = Vec::with_capacity(inputs.len());
        let mut retry = false;
        for input in &inputs {
            match sources::handle_eventbridge(&self.service, input, &self.limits, deadline).await {
                Ok(summary) => results.push(json!(summary)),
                Err(e) => {
                    // Lambda would retry this event; here the caller sends it again.
                    retry = true;
                    results.push(json!({"error": {"type": e.error_type, "message": e.message}}));
                }
            }
        }
        let status = if retry {
            StatusCode::SERVICE_UNAVAILABLE
        } else {
            StatusCode::OK
        };
        json_response(status, &json!({ "results": results }))
    }

    fn subscribe(&self) -> Response<BoxBody<Bytes, Infallible>> {
        let body = FeedBody {
            rx: self.feed.subscribe(),
        };
        let mut response = Response::new(body.boxed());
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/event-stream"),
        );
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response
    }

    async fn streams_js(&self) -> Response<BoxBody<Bytes, Infallible>> {
        let Some(path) = &self.streams_js else {
            return text(
                StatusCode::NOT_FOUND,
                JS,
                "console.error('streamhooks dev: amazon-connect-streams was not found: run \
                 `npm ci --prefix sdk/forwarder` in the repository, or pass --streams-js \
                 PATH/connect-streams.js');",
            );
        };
        match tokio::fs::read(path).await {
            Ok(bytes) => {
                let mut response = Response::new(Full::new(Bytes::from(bytes)).boxed());
                response
                    .headers_mut()
                    .insert(header::CONTENT_TYPE, HeaderValue::from_static(JS));
                response
            }
            Err(e) => error(
                StatusCode::NOT_FOUND,
                "streams-not-found",
                &format!("{}: {e}", path.display()),
            ),
        }
    }
}

const JS: &str = "text/javascript; charset=utf-8";

struct FeedBody {
    rx: mpsc::Receiver<Bytes>,
}

impl Body for FeedBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        self.rx
            .poll_recv(cx)
            .map(|frame| frame.map(|bytes| Ok(Frame::data(bytes))))
    }
}

fn text(
    status: StatusCode,
    content_type: &'static str,
    body: &'static str,
) -> Response<BoxBody<Bytes, Infallible>> {
    let mut response = Response::new(Full::new(Bytes::from_static(body.as_bytes())).boxed());
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn json_response(status: StatusCode, value: &Value) -> Response<BoxBody<Bytes, Infallible>> {
    let mut response = Response::new(Full::new(Bytes::from(value.to_string())).boxed());
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

fn error(status: StatusCode, code: &str, message: &str) -> Response<BoxBody<Bytes, Infallible>> {
    json_response(
        status,
        &json!({"error": {"code": code, "message": message}}),
    )
}

/// Loads the plugins and serves until interrupted (Ctrl-C). Writes the address it listens on
/// to `out` as `streamhooks dev: listening on http://ADDR/`, then one line per request
/// refused or failed on stderr (through tracing).
pub fn serve(options: &DevOptions, out: &mut dyn Write) -> Result<(), String> {
    let engine = Engine::new().map_err(|e| format!("cannot start the plugin engine: {e}"))?;
    let plugins = engine
        .load_dir(
            &options.plugins,
            Arc::new(streamhooks_engine::MemoryStore::new()),
        )
        .map_err(|e| e.to_string())?;
    if plugins.is_empty() {
        return Err(format!(
            "no plugin in {} (expected */plugin.toml; build the examples with scripts/build-plugins.sh)",
            options.plugins.display()
        ));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start a runtime: {e}"))?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(options.addr)
            .await
            .map_err(|e| format!("cannot listen on {}: {e}", options.addr))?;
        let addr = listener
            .local_addr()
            .map_err(|e| format!("cannot read the address listened on: {e}"))?;
        let origins = vec![
            format!("http://{addr}"),
            format!("http://localhost:{}", addr.port()),
        ];
        let names: Vec<String> = plugins.iter().map(|p| p.name().to_owned()).collect();
        let dev = Arc::new(Dev::new(plugins, options, origins));
        writeln!(
            out,
            "streamhooks dev: {} plugins ({}); demo page, /ingest, /events and /feed",
            names.len(),
            names.join(", ")
        )
        .and_then(|()| {
            if dev.streams_js.is_none() {
                writeln!(
                    out,
                    "streamhooks dev: amazon-connect-streams not found (run `npm ci --prefix sdk/forwarder`, or pass --streams-js): the demo page will not start"
                )?;
            }
            writeln!(out, "streamhooks dev: listening on http://{addr}/")
        })
        .and_then(|()| out.flush())
        .map_err(|e| format!("cannot write to stdout: {e}"))?;

        let ticker = Arc::clone(&dev);
        tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_secs(15));
            loop {
                every.tick().await;
                ticker.feed().keep_alive();
            }
        });
        let interrupted = tokio::signal::ctrl_c();
        tokio::pin!(interrupted);
        loop {
            tokio::select! {
                _ = &mut interrupted => return Ok(()),
                accepted = listener.accept() => {
                    let (stream, _) = match accepted {
                        Ok(accepted) => accepted,
                        Err(e) => {
                            tracing::warn!("accept failed: {e}");
                            continue;
                        }
                    };
                    let dev = Arc::clone(&dev);
                    tokio::spawn(async move {
                        let service = service_fn(move |request| {
                            let dev = Arc::clone(&dev);
                            async move { Ok::<_, Infallible>(dev.handle(request).await) }
                        });
                        if let Err(e) = http1::Builder::new()
                            .serve_connection(TokioIo::new(stream), service)
                            .await
                        {
                            tracing::debug!("connection ended: {e}");
                        }
                    });
                }
            }
        }
    })
}
