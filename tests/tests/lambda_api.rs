//! The local Lambda Runtime API (`streamhooks_tests::lambda_api`) against a real function
//! process: `echo-function`, built on the real `lambda_runtime`, started with Lambda's
//! environment. Each test has its own API server and its own process.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};
use streamhooks_tests::lambda_api::{
    FunctionProcess, HarnessError, InvokeOptions, MAX_RESPONSE_BYTES, Outcome, RuntimeApi,
    binary_path, try_binary_path,
};

const ECHO: &str = env!("CARGO_BIN_EXE_echo-function");

/// Generous: these tests check outcomes, never timings.
const LONG: Duration = Duration::from_secs(60);

fn options(timeout: Duration) -> InvokeOptions {
    InvokeOptions {
        timeout,
        queue_timeout: LONG,
        ..InvokeOptions::default()
    }
}

fn epoch_millis() -> u64 {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("the clock is after 1970");
    u64::try_from(since.as_millis()).expect("milliseconds fit in u64")
}

/// One HTTP/1.1 request on its own connection: (status, body).
fn raw_request(address: &str, method: &str, path: &str, body: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(address).expect("connects to the Runtime API");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("sends the request");
    let mut answer = String::new();
    stream
        .read_to_string(&mut answer)
        .expect("reads the answer");
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|status| status.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {answer:?}"));
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default();
    (status, body)
}

#[test]
fn response_round_trip_reflects_the_invocation_headers() {
    let api = RuntimeApi::start();
    let function = FunctionProcess::spawn(ECHO, &api, &[("AWS_LAMBDA_LOG_FORMAT", "JSON")]);
    let trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
    let before = epoch_millis();
    let invocation = api
        .invoke_with(
            json!({"hello": "world"}).to_string(),
            InvokeOptions {
                trace_id: Some(trace.to_owned()),
                client_context: Some(r#"{"custom":{"tenant":"acme"},"environment":{}}"#.into()),
                cognito_identity: Some(
                    r#"{"cognitoIdentityId":"id-1","cognitoIdentityPoolId":"pool-1"}"#.into(),
                ),
                ..options(LONG)
            },
        )
        .unwrap_or_else(|error| panic!("{error}\n{}", function.output_text()));
    let body = invocation.json().unwrap();

    assert_eq!(body["payload"], json!({"hello": "world"}));
    assert_eq!(body["request_id"], invocation.request_id.as_str());
    assert_eq!(body["deadline_ms"], invocation.deadline_ms);
    // The deadline is the time of delivery plus the function timeout, in epoch milliseconds.
    assert!(invocation.deadline_ms > before);
    assert!(invocation.deadline_ms <= epoch_millis() + 60_000);
    assert_eq!(body["invoked_function_arn"], api.config().function_arn());
    assert_eq!(body["xray_trace_id"], trace);
    assert_eq!(body["client_context"]["custom"]["tenant"], "acme");
    assert_eq!(body["cognito_identity"]["identityId"], "id-1");
    assert_eq!(body["cognito_identity"]["identityPoolId"], "pool-1");
    // lambda_runtime 1.5 echoes the per-attempt invocation id.
    assert!(invocation.invocation_id_echoed);
    assert_eq!(invocation.response_mode, None);

    // The configuration lambda_runtime read from Lambda's environment.
    assert_eq!(body["function_name"], "streamhooks-test");
    assert_eq!(body["memory_mb"], 128);
    assert_eq!(body["version"], "$LATEST");
    assert_eq!(body["log_group"], "/aws/lambda/streamhooks-test");
    assert!(body["log_stream"].as_str().unwrap().contains("/[$LATEST]"));
    let env = &body["env"];
    assert_eq!(env["AWS_LAMBDA_RUNTIME_API"], api.address());
    assert_eq!(env["AWS_LAMBDA_INITIALIZATION_TYPE"], "on-demand");
    assert_eq!(env["AWS_REGION"], "us-east-1");
    assert_eq!(env["AWS_DEFAULT_REGION"], "us-east-1");
    assert_eq!(env["_HANDLER"], "bootstrap");
    assert_eq!(env["AWS_ACCESS_KEY_ID"], "AKIAIOSFODNN7EXAMPLE");
    assert_eq!(env["AWS_SECRET_ACCESS_KEY"], "<set>");
    assert_eq!(env["_X_AMZN_TRACE_ID"], trace);
    assert_eq!(
        env["LAMBDA_TASK_ROOT"],
        PathBuf::from(ECHO).parent().unwrap().to_str().unwrap()
    );
    // A clean environment otherwise.
    assert!(env.get("HOME").is_none(), "{env}");
    assert!(env.get("CARGO").is_none(), "{env}");

    // The function's structured logs, captured from its output.
    let log = function
        .wait_for_line(LONG, |line| {
            line.json()
                .is_some_and(|log| log["fields"]["message"] == "echo")
        })
        .unwrap_or_else(|| panic!("no echo log line:\n{}", function.output_text()));
    assert_eq!(
        log.json().unwrap()["fields"]["request_id"],
        invocation.request_id.as_str()
    );
    assert!(!function.json_logs().is_empty());
    assert!(!function.has_exited());
}

#[test]
fn handler_error_is_reported_with_its_type_and_message() {
    let api = RuntimeApi::start();
    let _function = FunctionProcess::spawn(ECHO, &api, &[]);
    let invocation = api
        .invoke(&json!({"fail": "no such contact"}), LONG)
        .unwrap();

    let error = invocation.error().expect("an error outcome");
    assert_eq!(error.error_type, "EchoError");
    assert_eq!(error.error_message, "no such contact");
    // lambda_runtime marks every handler error "unhandled" in the header.
    assert_eq!(error.function_error_type.as_deref(), Some("unhandled"));
    let body: Value = serde_json::from_slice(&error.body).unwrap();
    assert_eq!(body["errorType"], "EchoError");
    assert!(matches!(
        invocation.json(),
        Err(HarnessError::FunctionError(report)) if report.error_type == "EchoError"
    ));
    assert!(invocation.response().is_none());
}

#[test]
fn panic_is_reported_as_an_error_and_the_runtime_goes_on() {
    let api = RuntimeApi::start();
    let function = FunctionProcess::spawn(ECHO, &api, &[]);
    let invocation = api.invoke(&json!({"panic": true}), LONG).unwrap();

    // lambda_runtime catches the panic and posts it to /error.
    let error = invocation.error().expect("an error outcome");
    assert!(
        error.error_message.starts_with("Lambda panicked: "),
        "{error:?}"
    );
    assert!(
        error
            .error_message
            .contains("echo-function was asked to panic")
    );
    assert!(!error.error_type.is_empty());
    assert_eq!(error.function_error_type.as_deref(), Some("unhandled"));

    let after = api.invoke(&json!({"after": "panic"}), LONG).unwrap();
    assert_eq!(after.json().unwrap()["payload"]["after"], "panic");
    assert!(!function.has_exited());
}

#[test]
fn process_exit_mid_invocation_fails_the_invocation_promptly() {
    let api = RuntimeApi::start();
    let function = FunctionProcess::spawn(ECHO, &api, &[]);
    // A long deadline: only the exit can end this wait before the test times out.
    let outcome = api.invoke(&json!({"exit": 3}), Duration::from_secs(600));
    match outcome {
        Err(HarnessError::ProcessExited { status, .. }) => {
            assert!(status.contains('3'), "{status}")
        }
        other => panic!("expected ProcessExited, got {other:?}"),
    }
    let status = function.wait_exit(LONG).expect("the process exited");
    assert_eq!(status.code(), Some(3));
    assert!(function.has_exited());

    // With no process left, further invocations fail at once too.
    assert!(matches!(
        api.invoke(&json!({}), Duration::from_secs(600)),
        Err(HarnessError::ProcessExited { .. })
    ));
}

#[test]
fn init_error_is_recorded_and_fails_the_waiting_invocation() {
    let api = RuntimeApi::start();
    // Queued before the process starts, as Lambda queues the invocation that triggers a cold start.
    let pending = api.submit(b"{}".to_vec(), options(LONG)).unwrap();
    let function = FunctionProcess::spawn(ECHO, &api, &[("ECHO_FAIL_INIT", "no configuration")]);

    let report = api
        .wait_init_error(LONG)
        .unwrap_or_else(|| panic!("no init error:\n{}", function.output_text()));
    assert_eq!(report.error_type, "EchoInitError");
    assert_eq!(report.error_message, "no configuration");
    assert_eq!(
        report.function_error_type.as_deref(),
        Some("Runtime.InitError")
    );
    match pending.wait() {
        Err(HarnessError::InitFailed(failed)) => assert_eq!(failed, report),
        other => panic!("expected InitFailed, got {other:?}"),
    }

    let status = function.wait_exit(LONG).expect("the process exited");
    assert!(!status.success());
    assert_eq!(api.time_of_first_next_request(), None);
    assert!(matches!(
        api.invoke(&json!({}), LONG),
        Err(HarnessError::InitFailed(_))
    ));
}

#[test]
fn sequential_invocations_share_one_process() {
    let api = RuntimeApi::start();
    let function = FunctionProcess::spawn(ECHO, &api, &[]);
    let mut request_ids = Vec::new();
    for n in 0..5 {
        let invocation = api.invoke(&json!({"n": n}), LONG).unwrap();
        let body = invocation.json().unwrap();
        assert_eq!(body["payload"]["n"], n);
        assert_eq!(body["request_id"], invocation.request_id.as_str());
        request_ids.push(invocation.request_id);
    }
    let mut unique = request_ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 5);

    let requests = api.requests();
    let delivered: Vec<_> = requests
        .iter()
        .filter(|r| r.path.ends_with("/invocation/next") && r.status == 200)
        .filter_map(|r| r.request_id.clone())
        .collect();
    assert_eq!(delivered, request_ids);
    let answered = requests
        .iter()
        .filter(|r| r.path.ends_with("/response") && r.status == 202)
        .count();
    assert_eq!(answered, 5);
    assert!(!function.has_exited());
}

#[test]
fn cold_start_instrumentation_orders_start_init_and_first_response() {
    let api = RuntimeApi::start();
    let pending = api
        .submit(b"{\"cold\":true}".to_vec(), options(LONG))
        .unwrap();
    let function = FunctionProcess::spawn(ECHO, &api, &[("ECHO_INIT_SLEEP_MS", "20")]);
    let first_next = api.wait_first_next_request(LONG).expect("init finished");
    let invocation = pending.wait().unwrap();
    assert_eq!(invocation.json().unwrap()["payload"]["cold"], true);
    let first_response = api.time_of_first_response().expect("answered");

    assert!(function.started_at() <= first_next);
    assert!(first_next <= first_response);
    assert!(invocation.queued <= invocation.latency);
    let _ = invocation.handler_time();
}

#[test]
fn oversized_response_is_rejected_as_lambda_does() {
    let api = RuntimeApi::start();
    let function = FunctionProcess::spawn(ECHO, &api, &[]);

    // {"big": n} answers a JSON string: n bytes and two quotes. Exactly at the limit passes.
    let at_limit = api
        .invoke(&json!({"big": MAX_RESPONSE_BYTES - 2}), LONG)
        .unwrap();
    assert_eq!(
        at_limit.response().map(<[u8]>::len),
        Some(MAX_RESPONSE_BYTES)
    );

    let over = api
        .invoke(&json!({"big": MAX_RESPONSE_BYTES - 1}), LONG)
        .unwrap();
    let error = over.error().expect("an error outcome");
    assert_eq!(error.error_type, "Function.ResponseSizeTooLarge");
    assert_eq!(
        error.error_message,
        "Response payload size (6291557 bytes) exceeded maximum allowed payload size \
         (6291556 bytes)."
    );
    assert_eq!(error.function_error_type, None);
    let body: Value = serde_json::from_slice(&error.body).unwrap();
    assert_eq!(body["errorType"], "Function.ResponseSizeTooLarge");

    // The runtime was told 413, and it carried on.
    let rejected = api
        .requests()
        .into_iter()
        .find(|r| r.request_id.as_deref() == Some(over.request_id.as_str()) && r.method == "POST")
        .expect("the response post was recorded");
    assert_eq!(rejected.status, 413);
    let after = api.invoke(&json!({"after": "big"}), LONG).unwrap();
    assert_eq!(after.json().unwrap()["payload"]["after"], "big");
    assert!(!function.has_exited());
}

#[test]
fn unknown_and_finished_request_ids_are_rejected() {
    let api = RuntimeApi::start();
    let _function = FunctionProcess::spawn(ECHO, &api, &[]);
    let first = api.invoke(&json!({"n": 1}), LONG).unwrap();
    let address = api.address();
    let invocation = |id: &str, kind: &str| format!("/2018-06-01/runtime/invocation/{id}/{kind}");

    // Already answered.
    let (status, body) = raw_request(
        &address,
        "POST",
        &invocation(&first.request_id, "response"),
        "{}",
    );
    assert_eq!(status, 400);
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        body,
        json!({"errorMessage": "Invalid request ID", "errorType": "InvalidRequestID"})
    );
    // Never issued.
    let (status, _) = raw_request(
        &address,
        "POST",
        &invocation("no-such-request", "error"),
        r#"{"errorMessage":"x","errorType":"y"}"#,
    );
    assert_eq!(status, 400);
    // Not part of the API.
    for (method, path) in [
        ("GET", invocation(&first.request_id, "response")),
        ("POST", "/2018-06-01/runtime/invocation/next".to_owned()),
        ("GET", "/2018-06-01/runtime/init/error".to_owned()),
        ("GET", "/2018-06-01/runtime/restore/next".to_owned()),
        ("GET", "/2020-01-01/extension/event/next".to_owned()),
    ] {
        assert_eq!(
            raw_request(&address, method, &path, "").0,
            404,
            "{method} {path}"
        );
    }

    let second = api.invoke(&json!({"n": 2}), LONG).unwrap();
    assert_eq!(second.json().unwrap()["payload"]["n"], 2);
}

#[test]
fn a_late_answer_after_the_deadline_is_gone() {
    let api = RuntimeApi::start();
    let _function = FunctionProcess::spawn(ECHO, &api, &[]);
    let late = api.invoke_with(
        json!({"sleep_ms": 1500}).to_string(),
        options(Duration::from_millis(200)),
    );
    let request_id = match late {
        Err(HarnessError::Timeout {
            request_id,
            delivered: true,
            ..
        }) => request_id,
        other => panic!("expected a timeout after delivery, got {other:?}"),
    };
    // The runtime answers late (410), then asks for the next invocation.
    let next = api.invoke(&json!({"n": 2}), LONG).unwrap();
    assert_eq!(next.json().unwrap()["payload"]["n"], 2);
    let answer = api
        .wait_for_request(LONG, |r| {
            r.request_id.as_deref() == Some(request_id.as_str()) && r.method == "POST"
        })
        .expect("the late answer was recorded");
    assert_eq!(answer.status, 410);
}

#[test]
fn an_invocation_nobody_takes_times_out_undelivered() {
    let api = RuntimeApi::start();
    let outcome = api.invoke_with(
        b"{}".to_vec(),
        InvokeOptions {
            queue_timeout: Duration::from_millis(50),
            ..InvokeOptions::default()
        },
    );
    assert!(matches!(
        outcome,
        Err(HarnessError::Timeout {
            delivered: false,
            ..
        })
    ));
    assert!(api.requests().is_empty());
}

#[test]
fn a_new_process_takes_over_after_the_first_is_dropped() {
    let api = RuntimeApi::start();
    let first = FunctionProcess::spawn(ECHO, &api, &[]);
    let one = api.invoke(&json!({"n": 1}), LONG).unwrap();
    assert!(one.response().is_some());
    // Dropped while its next `/next` is waiting: that long poll must not take the next invocation.
    assert!(api.wait_polling_runtimes(1, LONG));
    drop(first);

    let second = FunctionProcess::spawn(ECHO, &api, &[]);
    let two = api
        .invoke(&json!({"n": 2}), LONG)
        .unwrap_or_else(|e| panic!("{e}\n{:#?}\n{}", api.requests(), second.output_text()));
    assert_eq!(two.json().unwrap()["payload"]["n"], 2);
    assert!(api.time_of_first_next_request().unwrap() >= second.started_at());
    assert!(matches!(two.outcome, Outcome::Response(_)));
}

#[test]
fn binary_path_finds_the_binaries_cargo_built() {
    assert_eq!(binary_path("echo-function"), PathBuf::from(ECHO));
    assert!(matches!(
        try_binary_path("no-such-function"),
        Err(HarnessError::BinaryNotFound { .. })
    ));
}
