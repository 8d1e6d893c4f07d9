//! A tiny Lambda function on the real `lambda_runtime`, to test the local Runtime API harness
//! (`streamhooks_tests::lambda_api`) with a real runtime client.
//!
//! It answers with its payload and the invocation context. The payload steers it:
//! `{"fail": "message"}` returns an error (type `EchoError`), `{"panic": true}` panics in the
//! handler, `{"exit": N}` ends the process with status N, `{"sleep_ms": N}` sleeps before
//! answering, and `{"big": N}` answers with a JSON string of N `x`s.
//!
//! At start, `ECHO_INIT_SLEEP_MS` delays the init phase, and `ECHO_FAIL_INIT=<message>` fails it:
//! `lambda_runtime` 1.5 only posts to `/runtime/init/error` for SnapStart hook failures (an error
//! before `run` just ends the process, which Lambda reports as `Runtime.ExitError`), so this
//! function reports its init error itself, as the managed runtimes do, and then exits.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use lambda_runtime::{Diagnostic, Error, LambdaEvent, service_fn, tracing};
use serde_json::{Map, Value, json};

/// The error the handler returns when asked to fail.
#[derive(Debug)]
struct EchoError(String);

impl From<EchoError> for Diagnostic {
    fn from(error: EchoError) -> Self {
        Self {
            error_type: "EchoError".to_owned(),
            error_message: error.0,
        }
    }
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    tracing::init_default_subscriber();
    if let Some(millis) = env_number("ECHO_INIT_SLEEP_MS") {
        tokio::time::sleep(Duration::from_millis(millis)).await;
    }
    if let Ok(message) = std::env::var("ECHO_FAIL_INIT") {
        tracing::error!(error = %message, "init failed");
        report_init_error("EchoInitError", &message)?;
        return Err(message.into());
    }
    tracing::info!("init done");
    lambda_runtime::run(service_fn(echo)).await
}

async fn echo(event: LambdaEvent<Value>) -> Result<Value, EchoError> {
    let (payload, context) = event.into_parts();
    tracing::info!(request_id = %context.request_id, "echo");
    if let Some(millis) = payload.get("sleep_ms").and_then(Value::as_u64) {
        tokio::time::sleep(Duration::from_millis(millis)).await;
    }
    if let Some(code) = payload.get("exit").and_then(Value::as_i64) {
        std::process::exit(i32::try_from(code).unwrap_or(1));
    }
    if payload.get("panic") == Some(&Value::Bool(true)) {
        panic!("echo-function was asked to panic");
    }
    if let Some(message) = payload.get("fail").and_then(Value::as_str) {
        return Err(EchoError(message.to_owned()));
    }
    if let Some(size) = payload.get("big").and_then(Value::as_u64) {
        return Ok(Value::String(
            "x".repeat(usize::try_from(size).unwrap_or(0)),
        ));
    }
    let env: Map<String, Value> = std::env::vars()
        .map(|(name, value)| {
            let value = if name == "AWS_SECRET_ACCESS_KEY" || name == "AWS_SESSION_TOKEN" {
                "<set>".to_owned()
            } else {
                value
            };
            (name, Value::String(value))
        })
        .collect();
    Ok(json!({
        "payload": payload,
        "request_id": context.request_id,
        "deadline_ms": context.deadline,
        "invoked_function_arn": context.invoked_function_arn,
        "xray_trace_id": context.xray_trace_id,
        "client_context": context.client_context,
        "cognito_identity": context.identity,
        "function_name": context.env_config.function_name,
        "memory_mb": context.env_config.memory,
        "version": context.env_config.version,
        "log_group": context.env_config.log_group,
        "log_stream": context.env_config.log_stream,
        "env": env,
    }))
}

fn env_number(name: &str) -> Option<u64> {
    std::env::var(name).ok()?.parse().ok()
}

/// Posts `/runtime/init/error` over a plain HTTP/1.1 connection.
fn report_init_error(error_type: &str, message: &str) -> Result<(), Error> {
    let api = std::env::var("AWS_LAMBDA_RUNTIME_API")?;
    let body =
        json!({"errorType": error_type, "errorMessage": message, "stackTrace": []}).to_string();
    let mut stream = TcpStream::connect(&api)?;
    write!(
        stream,
        "POST /2018-06-01/runtime/init/error HTTP/1.1\r\nHost: {api}\r\n\
         Lambda-Runtime-Function-Error-Type: Runtime.InitError\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    let status = answer.split(' ').nth(1).unwrap_or_default();
    if status == "202" {
        Ok(())
    } else {
        Err(format!("the Runtime API answered the init error with: {answer}").into())
    }
}
