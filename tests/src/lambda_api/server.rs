//! The HTTP side of the Runtime API: hyper (HTTP/1.1, keep-alive) on a single-threaded tokio
//! runtime, over the state in [`Shared`].

use std::convert::Infallible;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};

use super::{
    ErrorReport, Event, HarnessError, InFlight, Invocation, Outcome, RecordedRequest, Shared,
    State, epoch_millis,
};

const PREFIX: &str = "/2018-06-01/runtime/";
const FUNCTION_ERROR_TYPE: &str = "lambda-runtime-function-error-type";
const INVOCATION_ID: &str = "lambda-runtime-invocation-id";
const RESPONSE_MODE: &str = "lambda-runtime-function-response-mode";

type HttpResponse = Response<Full<Bytes>>;

/// What a handler leaves to do under the same lock as recording its request, so that whoever it
/// wakes finds the request recorded.
type Finish = Box<dyn FnOnce(&mut State) + Send>;

/// Accepts connections until `stop` resolves (or its sender is dropped).
pub(super) async fn serve(
    listener: std::net::TcpListener,
    shared: Arc<Shared>,
    mut stop: tokio::sync::oneshot::Receiver<()>,
) {
    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
        return;
    };
    loop {
        tokio::select! {
            _ = &mut stop => break,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else {
                    // Out of file descriptors or the like: retry shortly.
                    tokio::time::sleep(Duration::from_millis(5)).await;
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let Ok((stream, probe)) = with_probe(stream) else {
                    continue;
                };
                let shared = Arc::clone(&shared);
                let probe = Arc::new(probe);
                tokio::spawn(async move {
                    let service = service_fn(move |request| {
                        handle(Arc::clone(&shared), Arc::clone(&probe), request)
                    });
                    // Lambda's server (Go) writes canonical header names; so does this one.
                    let _ = http1::Builder::new()
                        .keep_alive(true)
                        .title_case_headers(true)
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        }
    }
}

/// The connection, plus a second handle on its socket to check that the peer is still there.
///
/// When a process dies while its `/next` long-polls, hyper drops the handler once it reads the
/// EOF, but it reads only when the reactor has reported it: a `/next` woken by a new invocation
/// in between would hand the invocation to a dead connection. Peeking the socket right before
/// handing over asks the kernel instead.
fn with_probe(
    stream: tokio::net::TcpStream,
) -> std::io::Result<(tokio::net::TcpStream, std::net::TcpStream)> {
    let stream = stream.into_std()?;
    let probe = stream.try_clone()?;
    Ok((tokio::net::TcpStream::from_std(stream)?, probe))
}

/// Whether the peer of a connection is still there (its socket is non-blocking).
fn peer_alive(probe: &std::net::TcpStream) -> bool {
    match probe.peek(&mut [0; 1]) {
        Ok(read) => read > 0,
        Err(error) => error.kind() == std::io::ErrorKind::WouldBlock,
    }
}

enum Answer {
    Response,
    Error,
}

async fn handle(
    shared: Arc<Shared>,
    probe: Arc<std::net::TcpStream>,
    request: Request<Incoming>,
) -> Result<HttpResponse, Infallible> {
    let received_at = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let route = path.strip_prefix(PREFIX);
    let ((response, finish), request_id) = match (&method, route) {
        (&Method::GET, Some("invocation/next")) => {
            let (response, request_id) = next(&shared, &probe, received_at).await;
            ((response, None), request_id)
        }
        (&Method::POST, Some("init/error")) => (init_error(&shared, request).await, None),
        (&Method::POST, Some(route)) => {
            match route
                .strip_prefix("invocation/")
                .and_then(|rest| rest.split_once('/'))
            {
                Some((id, "response")) if !id.is_empty() => {
                    let answer = answer(&shared, id, Answer::Response, request).await;
                    (answer, Some(id.to_owned()))
                }
                Some((id, "error")) if !id.is_empty() => {
                    let answer = answer(&shared, id, Answer::Error, request).await;
                    (answer, Some(id.to_owned()))
                }
                _ => ((not_found(request).await, None), None),
            }
        }
        _ => ((not_found(request).await, None), None),
    };
    let mut state = shared.lock();
    state.requests.push(RecordedRequest {
        received_at,
        method: method.to_string(),
        path,
        status: response.status().as_u16(),
        request_id,
    });
    if let Some(finish) = finish {
        finish(&mut state);
    }
    drop(state);
    shared.changed.notify_all();
    Ok(response)
}

/// `GET /runtime/invocation/next`: waits for an invocation and hands it over.
async fn next(
    shared: &Shared,
    probe: &std::net::TcpStream,
    received_at: Instant,
) -> (HttpResponse, Option<String>) {
    /// Counts the long poll while it waits, including when hyper drops it (peer gone).
    struct Polling<'a>(&'a Shared);
    impl Drop for Polling<'_> {
        fn drop(&mut self) {
            let mut state = self.0.lock();
            state.polling = state.polling.saturating_sub(1);
            drop(state);
            self.0.changed.notify_all();
        }
    }

    {
        let mut state = shared.lock();
        state.first_next_at.get_or_insert(received_at);
        state.polling += 1;
    }
    shared.changed.notify_all();
    let _polling = Polling(shared);
    loop {
        // Registered before looking at the queue, so a submit in between is not missed.
        let mut notified = std::pin::pin!(shared.wake_next.notified());
        notified.as_mut().enable();
        if !peer_alive(probe) {
            // Nobody will read this; 499 ("client closed request") marks it in `requests()`.
            let gone = StatusCode::from_u16(499).unwrap_or(StatusCode::BAD_REQUEST);
            let mut response = Response::new(Full::new(Bytes::new()));
            *response.status_mut() = gone;
            return (response, None);
        }
        if let Some(delivered) = deliver(shared) {
            return delivered;
        }
        notified.await;
    }
}

fn deliver(shared: &Shared) -> Option<(HttpResponse, Option<String>)> {
    let mut state = shared.lock();
    let queued = state.queue.pop_front()?;
    let delivered_at = Instant::now();
    let deadline = delivered_at + queued.timeout;
    let deadline_ms = epoch_millis(SystemTime::now() + queued.timeout);

    let mut response = Response::new(Full::new(queued.payload));
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    if let Ok(value) = HeaderValue::from_str(&queued.request_id) {
        headers.insert("lambda-runtime-aws-request-id", value);
    }
    headers.insert("lambda-runtime-deadline-ms", HeaderValue::from(deadline_ms));
    headers.insert(
        "lambda-runtime-invoked-function-arn",
        queued.invoked_function_arn,
    );
    headers.insert("lambda-runtime-trace-id", queued.trace_id);
    if let Some(value) = queued.client_context {
        headers.insert("lambda-runtime-client-context", value);
    }
    if let Some(value) = queued.cognito_identity {
        headers.insert("lambda-runtime-cognito-identity", value);
    }
    if shared.config.send_invocation_id
        && let Ok(value) = HeaderValue::from_str(&queued.invocation_id)
    {
        headers.insert(INVOCATION_ID, value);
    }

    let _ = queued.events.send(Event::Delivered { deadline });
    state.in_flight.insert(
        queued.request_id.clone(),
        InFlight {
            invocation_id: queued.invocation_id,
            deadline,
            deadline_ms,
            submitted: queued.submitted,
            delivered_at,
            events: queued.events,
        },
    );
    Some((response, Some(queued.request_id)))
}

/// `POST /runtime/invocation/{id}/response` and `/error`.
async fn answer(
    shared: &Shared,
    request_id: &str,
    kind: Answer,
    request: Request<Incoming>,
) -> (HttpResponse, Option<Finish>) {
    let (parts, body) = request.into_parts();
    let limit = shared.config.max_response_bytes;
    let response_mode = header(&parts.headers, RESPONSE_MODE);
    let streaming = response_mode
        .as_deref()
        .is_some_and(|mode| mode.eq_ignore_ascii_case("streaming"));
    // Read to the end whatever the verdict, so the runtime's keep-alive connection stays usable.
    let keep = if streaming { usize::MAX } else { limit };
    let Ok(body) = read_body(body, keep).await else {
        return (unreadable_body(), None);
    };
    let echoed = header(&parts.headers, INVOCATION_ID);
    let now = Instant::now();

    let mut state = shared.lock();
    let Some(in_flight) = state.in_flight.get(request_id) else {
        // Not in flight: too late for one that timed out, else unknown or already answered.
        let reply = if state.timed_out.remove(request_id).is_some() {
            invoke_timeout()
        } else {
            invalid_request_id()
        };
        return (reply, None);
    };
    if let Some(echoed) = &echoed
        && *echoed != in_flight.invocation_id
    {
        // The same request id, but another attempt's answer.
        let reply = if state.timed_out.get(request_id) == Some(echoed) {
            state.timed_out.remove(request_id);
            invoke_timeout()
        } else {
            invalid_request_id()
        };
        return (reply, None);
    }
    let Some(in_flight) = state.in_flight.remove(request_id) else {
        return (invalid_request_id(), None);
    };
    drop(state);
    if in_flight.deadline < now {
        let timeout = HarnessError::Timeout {
            request_id: request_id.to_owned(),
            delivered: true,
            waited: now - in_flight.submitted,
        };
        let finish: Finish = Box::new(move |_| {
            let _ = in_flight.events.send(Event::Done(Err(timeout)));
        });
        return (invoke_timeout(), Some(finish));
    }

    let (outcome, reply) = match kind {
        Answer::Response if !streaming && body.total > limit => (
            Outcome::Error(ErrorReport::response_too_large(body.total, limit)),
            error_json(
                StatusCode::PAYLOAD_TOO_LARGE,
                "RequestEntityTooLarge",
                &format!("Exceeded maximum allowed payload size ({limit} bytes)."),
            ),
        ),
        Answer::Response => {
            let trailer_error = body
                .trailers
                .as_ref()
                .and_then(|trailers| header(trailers, FUNCTION_ERROR_TYPE));
            let outcome = match trailer_error {
                // A streamed response that failed midway reports the error in trailers.
                Some(error_type) => Outcome::Error(ErrorReport {
                    error_type,
                    error_message: String::new(),
                    stack_trace: Vec::new(),
                    function_error_type: None,
                    body: body
                        .trailers
                        .as_ref()
                        .and_then(|trailers| header(trailers, "lambda-runtime-function-error-body"))
                        .unwrap_or_default()
                        .into_bytes(),
                }),
                None => Outcome::Response(body.bytes),
            };
            (outcome, accepted())
        }
        Answer::Error => (
            Outcome::Error(ErrorReport::parse(
                body.bytes,
                header(&parts.headers, FUNCTION_ERROR_TYPE),
            )),
            accepted(),
        ),
    };
    let invocation = Invocation {
        request_id: request_id.to_owned(),
        outcome,
        deadline_ms: in_flight.deadline_ms,
        latency: now - in_flight.submitted,
        queued: in_flight.delivered_at - in_flight.submitted,
        invocation_id_echoed: echoed.is_some(),
        response_mode,
    };
    let finish: Finish = Box::new(move |state| {
        state.first_answer_at.get_or_insert(now);
        let _ = in_flight.events.send(Event::Done(Ok(invocation)));
    });
    (reply, Some(finish))
}

/// `POST /runtime/init/error`.
async fn init_error(shared: &Shared, request: Request<Incoming>) -> (HttpResponse, Option<Finish>) {
    let (parts, body) = request.into_parts();
    let Ok(body) = read_body(body, shared.config.max_response_bytes).await else {
        return (unreadable_body(), None);
    };
    let report = ErrorReport::parse(body.bytes, header(&parts.headers, FUNCTION_ERROR_TYPE));
    let finish: Finish = Box::new(move |state| {
        state.fail_outstanding(true, |_| HarnessError::InitFailed(report.clone()));
        state.init_error = Some(report);
    });
    (accepted(), Some(finish))
}

/// Anything else: what Lambda's router answers (after reading the body).
async fn not_found(request: Request<Incoming>) -> HttpResponse {
    let _ = read_body(request.into_body(), 0).await;
    let mut response = Response::new(Full::new(Bytes::from_static(b"404 page not found\n")));
    *response.status_mut() = StatusCode::NOT_FOUND;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

struct Body {
    /// The first bytes of the body (as many as were asked to be kept).
    bytes: Vec<u8>,
    /// The size of the whole body.
    total: usize,
    trailers: Option<HeaderMap>,
}

/// Reads a body to its end, keeping its first `keep` bytes.
async fn read_body(mut body: Incoming, keep: usize) -> Result<Body, hyper::Error> {
    let mut read = Body {
        bytes: Vec::new(),
        total: 0,
        trailers: None,
    };
    while let Some(frame) = body.frame().await {
        match frame?.into_data() {
            Ok(data) => {
                read.total += data.len();
                let room = keep.saturating_sub(read.bytes.len());
                read.bytes.extend_from_slice(&data[..data.len().min(room)]);
            }
            Err(frame) => {
                if let Ok(trailers) = frame.into_trailers() {
                    read.trailers = Some(trailers);
                }
            }
        }
    }
    Ok(read)
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
}

fn json_response(status: StatusCode, body: &Value) -> HttpResponse {
    // Go's JSON encoder, which Lambda's server uses, ends the document with a newline.
    let mut response = Response::new(Full::new(Bytes::from(format!("{body}\n"))));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

fn error_json(status: StatusCode, error_type: &str, error_message: &str) -> HttpResponse {
    json_response(
        status,
        &json!({"errorMessage": error_message, "errorType": error_type}),
    )
}

fn accepted() -> HttpResponse {
    json_response(StatusCode::ACCEPTED, &json!({"status": "OK"}))
}

fn unreadable_body() -> HttpResponse {
    error_json(
        StatusCode::BAD_REQUEST,
        "InvalidRequestBody",
        "The request body could not be read",
    )
}

fn invalid_request_id() -> HttpResponse {
    error_json(
        StatusCode::BAD_REQUEST,
        "InvalidRequestID",
        "Invalid request ID",
    )
}

fn invoke_timeout() -> HttpResponse {
    error_json(StatusCode::GONE, "InvokeTimeout", "Invoke timeout")
}
