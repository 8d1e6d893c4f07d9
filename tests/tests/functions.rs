//! The three Lambda functions as Lambda runs them: each binary is started against a local Lambda
//! Runtime API (`streamhooks_tests::lambda_api`) with the five example plugins, talking to a
//! real DynamoDB-compatible server (moto, on 127.0.0.1) for idempotency, ordering and plugin
//! state, to a local Amazon Connect stand-in through aws-sdk-connect's own request path, and
//! to moto's EventBridge for dead letters, which a rule delivers to an SQS queue read back here.
//!
//! The function binaries must be built (`cargo build -p streamhooks-ingest-http
//! -p streamhooks-contact-events -p streamhooks-agent-events`, or `cargo test --workspace`,
//! which builds them) and the plugins too (`scripts/build-plugins.sh`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../crates/dynamodb/tests/support/moto.rs"]
mod moto;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use streamhooks_tests::connect_standin::{ConnectStandIn, StandInConfig, internal, throttled};
use streamhooks_tests::inputs::{
    cognito_id_token, fixture, function_url_request, kinesis_event, repo, serve_static, test_jwks,
};
use streamhooks_tests::lambda_api::{
    ApiConfig, FunctionProcess, Invocation, InvokeOptions, RuntimeApi, binary_path,
};

const INSTANCE_ID: &str = "7c1e3f5a-92b4-4d1e-8f6a-3b5c9d2e4a17";
const INSTANCE: &str =
    "arn:aws:connect:us-west-2:111122223333:instance/7c1e3f5a-92b4-4d1e-8f6a-3b5c9d2e4a17";
const AGENT: &str = "arn:aws:connect:us-west-2:111122223333:instance/7c1e3f5a-92b4-4d1e-8f6a-3b5c9d2e4a17/agent/5d2c7e40-8b1a-4c9e-a3f6-0e7d2b9c4a11";
const INVOKE: Duration = Duration::from_secs(20);
/// How long an invocation may wait for a runtime to take it (a cold start on a busy machine).
const QUEUE: Duration = Duration::from_secs(120);

/// The five example plugins with artifacts precompiled for this machine, as the plugins layer
/// ships them (for arm64 or x86_64): a function's init then loads them instead of compiling
/// them, so the tests' many cold starts stay short on a small machine. Made once per run.
fn plugins() -> String {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    let dir = DIR.get_or_init(|| {
        let from = repo().join("target/plugins/examples");
        assert!(
            from.join("screen-pop/plugin.toml").is_file(),
            "{} is missing: run `bash scripts/build-plugins.sh` first",
            from.display()
        );
        let to = std::env::temp_dir().join(format!("streamhooks-functions-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&to);
        let engine = streamhooks_engine::Engine::new().unwrap();
        for plugin in std::fs::read_dir(&from).unwrap() {
            let plugin = plugin.unwrap().path();
            let dest = to.join(plugin.file_name().unwrap());
            std::fs::create_dir_all(&dest).unwrap();
            for file in std::fs::read_dir(&plugin).unwrap() {
                let file = file.unwrap().path();
                let target = dest.join(file.file_name().unwrap());
                std::fs::copy(&file, &target).unwrap();
                if target.extension().is_some_and(|e| e == "wasm") {
                    engine
                        .write_artifact(&target, streamhooks_engine::Target::host().unwrap())
                        .unwrap();
                }
            }
        }
        to
    });
    dir.display().to_string()
}

/// Invokes with the function timeout [`INVOKE`], waiting as long as a loaded machine may need
/// for the runtime to ask for it (its init included).
fn invoke(api: &RuntimeApi, payload: &Value) -> Invocation {
    api.invoke_with(
        payload.to_string().into_bytes(),
        InvokeOptions {
            timeout: INVOKE,
            queue_timeout: QUEUE,
            ..InvokeOptions::default()
        },
    )
    .unwrap()
}

/// A unique name for each function process's resources in the shared moto server.
fn unique(prefix: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// One AWS JSON-protocol call to moto (`X-Amz-Target`), unsigned: moto does not check
/// signatures. Used to set up the dead-letter rule and to read the queue back.
fn aws_json(endpoint: &str, target: &str, content_type: &str, body: &Value) -> Value {
    // moto routes by the service in the credential scope.
    let service = match target.split('.').next().unwrap_or_default() {
        "AWSEvents" => "events",
        "AmazonSQS" => "sqs",
        _ => "dynamodb",
    };
    let host = endpoint.trim_start_matches("http://");
    let body = body.to_string();
    let mut stream = TcpStream::connect(host).unwrap();
    write!(
        stream,
        "POST / HTTP/1.1\r\nHost: {host}\r\nX-Amz-Target: {target}\r\nContent-Type: {content_type}\r\n\
         Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261121/us-east-1/{service}/aws4_request, SignedHeaders=host, Signature=0\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    // Read by Content-Length: moto's server may keep the connection open.
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut raw = Vec::new();
    let mut buf = [0u8; 8192];
    let (head, body_start) = loop {
        let n = stream.read(&mut buf).unwrap();
        assert!(n > 0, "{target}: connection closed before the headers");
        raw.extend_from_slice(&buf[..n]);
        if let Some(i) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break (String::from_utf8_lossy(&raw[..i]).into_owned(), i + 4);
        }
    };
    let length: usize = head
        .lines()
        .find_map(|l| {
            l.split_once(':')
                .filter(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        })
        .map_or(0, |(_, v)| v.trim().parse().unwrap());
    while raw.len() < body_start + length {
        let n = stream.read(&mut buf).unwrap();
        assert!(n > 0, "{target}: connection closed in the body");
        raw.extend_from_slice(&buf[..n]);
    }
    let payload = String::from_utf8_lossy(&raw[body_start..body_start + length]).into_owned();
    assert!(
        head.starts_with("HTTP/1.1 200") || head.starts_with("HTTP/1.0 200"),
        "{target}: {head}\n{payload}"
    );
    serde_json::from_str(payload.trim()).unwrap_or(Value::Null)
}

/// An event bus with a rule sending streamhooks dead letters to an SQS queue, as the SAM
/// template sets it up; returns the bus name and the queue URL.
fn dead_letter_route(endpoint: &str) -> (String, String) {
    let bus = unique("bus");
    let queue = unique("dlq");
    let events = "application/x-amz-json-1.1";
    aws_json(
        endpoint,
        "AWSEvents.CreateEventBus",
        events,
        &json!({"Name": bus}),
    );
    let created = aws_json(
        endpoint,
        "AmazonSQS.CreateQueue",
        "application/x-amz-json-1.0",
        &json!({"QueueName": queue}),
    );
    let url = created["QueueUrl"].as_str().unwrap().to_owned();
    let attrs = aws_json(
        endpoint,
        "AmazonSQS.GetQueueAttributes",
        "application/x-amz-json-1.0",
        &json!({"QueueUrl": url, "AttributeNames": ["QueueArn"]}),
    );
    let arn = attrs["Attributes"]["QueueArn"].as_str().unwrap().to_owned();
    aws_json(
        endpoint,
        "AWSEvents.PutRule",
        events,
        &json!({"Name": "dead-letters", "EventBusName": bus, "EventPattern": json!({"source": ["streamhooks"], "detail-type": ["Streamhooks Dead Letter"]}).to_string()}),
    );
    aws_json(
        endpoint,
        "AWSEvents.PutTargets",
        events,
        &json!({"Rule": "dead-letters", "EventBusName": bus, "Targets": [{"Id": "dlq", "Arn": arn}]}),
    );
    (bus, url)
}

/// The dead letters in the queue (each message is the EventBridge event; its detail is the
/// letter).
fn dead_letters(endpoint: &str, queue_url: &str) -> Vec<Value> {
    let mut letters = Vec::new();
    let until = Instant::now() + Duration::from_secs(5);
    while Instant::now() < until {
        let got = aws_json(
            endpoint,
            "AmazonSQS.ReceiveMessage",
            "application/x-amz-json-1.0",
            &json!({"QueueUrl": queue_url, "MaxNumberOfMessages": 10, "WaitTimeSeconds": 0}),
        );
        let messages = got["Messages"].as_array().cloned().unwrap_or_default();
        if messages.is_empty() && !letters.is_empty() {
            break;
        }
        for m in messages {
            let event: Value = serde_json::from_str(m["Body"].as_str().unwrap()).unwrap();
            assert_eq!(event["source"], "streamhooks");
            assert_eq!(event["detail-type"], "Streamhooks Dead Letter");
            letters.push(event["detail"].clone());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    letters
}

struct Aws {
    moto: &'static moto::Moto,
    standin: ConnectStandIn,
    bus: String,
    queue_url: String,
    table: String,
}

/// A state table of its own (the template's schema), so tests sharing the moto server do not
/// see each other's events.
fn create_table(endpoint: &str) -> String {
    let table = unique("state");
    let schema = json!({
        "TableName": table,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]
    });
    aws_json(
        endpoint,
        "DynamoDB_20120810.CreateTable",
        "application/x-amz-json-1.0",
        &schema,
    );
    aws_json(
        endpoint,
        "DynamoDB_20120810.UpdateTimeToLive",
        "application/x-amz-json-1.0",
        &json!({"TableName": table, "TimeToLiveSpecification": {"AttributeName": "expires_at", "Enabled": true}}),
    );
    table
}

impl Aws {
    fn new(quota: Option<(f64, f64)>) -> Aws {
        let moto = moto::Moto::shared();
        let (bus, queue_url) = dead_letter_route(&moto.endpoint());
        let standin = ConnectStandIn::start(StandInConfig {
            instance_id: INSTANCE_ID.into(),
            quota,
        })
        .unwrap();
        let table = create_table(&moto.endpoint());
        Aws {
            moto,
            standin,
            bus,
            queue_url,
            table,
        }
    }

    fn env(&self) -> Vec<(String, String)> {
        let endpoint = self.moto.endpoint();
        vec![
            ("AWS_REGION".into(), "us-east-1".into()),
            ("AWS_DEFAULT_REGION".into(), "us-east-1".into()),
            ("AWS_ENDPOINT_URL_DYNAMODB".into(), endpoint.clone()),
            ("AWS_ENDPOINT_URL_EVENTBRIDGE".into(), endpoint.clone()),
            ("AWS_ENDPOINT_URL_CONNECT".into(), self.standin.endpoint()),
            ("STREAMHOOKS_STATE_TABLE".into(), self.table.clone()),
            ("STREAMHOOKS_EVENT_BUS".into(), self.bus.clone()),
            ("STREAMHOOKS_CONNECT_INSTANCE_ARN".into(), INSTANCE.into()),
            ("STREAMHOOKS_PLUGINS_DIR".into(), plugins()),
        ]
    }

    fn letters(&self) -> Vec<Value> {
        dead_letters(&self.moto.endpoint(), &self.queue_url)
    }
}

fn spawn(binary: &str, api: &RuntimeApi, env: &[(String, String)]) -> FunctionProcess {
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    FunctionProcess::spawn(binary_path(binary), api, &env)
}

fn api(name: &str) -> RuntimeApi {
    RuntimeApi::try_start(ApiConfig {
        function_name: name.into(),
        ..ApiConfig::default()
    })
    .unwrap()
}

/// Every line the function wrote to stdout is JSON (Lambda's JSON log format).
fn assert_json_logs(process: &FunctionProcess) {
    let lines = process.stdout_lines();
    assert!(!lines.is_empty());
    for line in lines {
        assert!(
            serde_json::from_str::<Value>(&line).is_ok(),
            "not JSON: {line}"
        );
    }
}

#[test]
fn contact_events_in_dry_run_needs_no_aws_and_deduplicates() {
    let api = api("contact-events");
    let process = spawn(
        "contact-events",
        &api,
        &[
            ("STREAMHOOKS_DRY_RUN".into(), "true".into()),
            ("STREAMHOOKS_PLUGINS_DIR".into(), plugins()),
        ],
    );
    let completed = fixture("eventbridge/completed.json");
    let first = invoke(&api, &completed).json().unwrap();
    assert_eq!(first["events"][0]["status"], "processed", "{first}");
    assert_eq!(first["events"][0]["kind"], "contact-completed");
    let again = invoke(&api, &completed).json().unwrap();
    assert_eq!(again["events"][0]["status"], "duplicate");
    // Undecodable input is acknowledged and dead-lettered (in dry run: logged).
    let bad = json!({"detail-type": "Amazon Connect Contact Event", "source": "aws.connect", "detail": {}});
    let answer = invoke(&api, &bad).json().unwrap();
    assert_eq!(answer["dead_lettered"], true);
    // The log line is read from the process's stdout by another thread: wait for it.
    let logged = process.wait_for_line(QUEUE, |line| line.text.contains("dead letter"));
    let logged = logged
        .expect("the dead letter is logged")
        .json()
        .expect("as JSON");
    assert_eq!(logged["level"], "WARN", "{logged}");
    assert_eq!(logged["code"], "undecodable", "{logged}");
    assert_json_logs(&process);
}

/// `function` started with `env` fails at init: the Runtime API gets `error_type` with a
/// message that mentions `mentions`, and the process exits with a failure.
fn assert_init_fails(function: &str, env: &[(String, String)], error_type: &str, mentions: &str) {
    let api = api(function);
    let process = spawn(function, &api, env);
    let report = api.wait_init_error(QUEUE).expect("an init error");
    assert_eq!(report.error_type, error_type, "{function}: {report:?}");
    assert!(
        report.error_message.contains(mentions),
        "{function}: {}",
        report.error_message
    );
    let status = process.wait_exit(QUEUE).expect("the process exits");
    assert!(!status.success(), "{function}: {status:?}");
}

#[test]
fn init_failures_are_reported_to_the_runtime_api_with_stable_types() {
    let dry_run = ("STREAMHOOKS_DRY_RUN".to_owned(), "true".to_owned());
    let plugins = ("STREAMHOOKS_PLUGINS_DIR".to_owned(), plugins());
    assert_init_fails(
        "agent-events",
        std::slice::from_ref(&plugins),
        "ConfigError",
        "STREAMHOOKS_CONNECT_INSTANCE_ARN",
    );
    assert_init_fails(
        "contact-events",
        &[
            dry_run.clone(),
            (
                "STREAMHOOKS_PLUGINS_DIR".into(),
                "/nonexistent/plugins".into(),
            ),
        ],
        "PluginLoadError",
        "/nonexistent/plugins",
    );
    assert_init_fails(
        "ingest-http",
        &[dry_run, plugins],
        "AuthConfigError",
        "STREAMHOOKS_COGNITO_USER_POOL_ID",
    );
}

#[test]
fn agent_events_partial_batches_dead_letters_and_no_double_execution_across_processes() {
    let aws = Aws::new(None);
    let connected = fixture("agent-stream/contact-connected.json");
    let hold = fixture("agent-stream/contact-hold.json");
    let unhold = fixture("agent-stream/contact-unhold.json");
    let batch = kinesis_event(&[
        ("100", connected.clone()),
        ("101", Value::String("%%% not base64".into())),
        ("102", hold.clone()),
    ]);

    let api1 = api("agent-events");
    let first = spawn("agent-events", &api1, &aws.env());
    let answer = invoke(&api1, &batch).json().unwrap();
    assert_eq!(
        answer,
        json!({"batchItemFailures": []}),
        "the bad record does not block the shard"
    );
    assert_eq!(aws.standin.accepted("SuspendContactRecording").len(), 1);
    let suspend = &aws.standin.accepted("SuspendContactRecording")[0].body;
    assert_eq!(suspend["InstanceId"], INSTANCE_ID);
    // The screen pop decided on the connected contact waits in the agent's mailbox (not a dead
    // letter); the bad record is the only dead letter.
    let letters = aws.letters();
    assert_eq!(letters.len(), 1, "{letters:?}");
    assert_eq!(letters[0]["reason"], "undecodable");
    assert_eq!(letters[0]["function"], "agent-events");
    assert!(
        letters[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("Records[1]")
    );
    assert_eq!(letters[0]["input"]["kinesis"]["sequenceNumber"], "101");
    assert_json_logs(&first);
    drop(first);

    // A second process (a new cold start, as after a redelivery to another instance) gets the
    // same batch: DynamoDB remembers, nothing is executed again.
    let api2 = api("agent-events");
    let _second = spawn("agent-events", &api2, &aws.env());
    let answer = invoke(&api2, &batch).json().unwrap();
    assert_eq!(answer, json!({"batchItemFailures": []}));
    assert_eq!(aws.standin.accepted("SuspendContactRecording").len(), 1);

    // Connect fails the resume for longer than the retries last: that record and the ones
    // after it are reported for redelivery.
    aws.standin.fail_next((0..5).map(|_| internal()));
    let later = kinesis_event(&[("103", unhold.clone()), ("104", connected.clone())]);
    let answer = invoke(&api2, &later).json().unwrap();
    assert_eq!(
        answer,
        json!({"batchItemFailures": [{"itemIdentifier": "103"}, {"itemIdentifier": "104"}]})
    );
    assert!(aws.standin.accepted("ResumeContactRecording").is_empty());
    // Lambda delivers them again: the resume goes through once.
    let answer = invoke(&api2, &later).json().unwrap();
    assert_eq!(answer, json!({"batchItemFailures": []}));
    assert_eq!(aws.standin.accepted("ResumeContactRecording").len(), 1);
}

#[test]
fn throttled_connect_calls_are_retried_through_the_sdk() {
    let aws = Aws::new(Some((2.0, 1.0)));
    aws.standin.fail_next([throttled(), throttled()]);
    let api = api("agent-events");
    let _process = spawn("agent-events", &api, &aws.env());
    let batch = kinesis_event(&[("1", fixture("agent-stream/contact-hold.json"))]);
    let answer = invoke(&api, &batch).json().unwrap();
    assert_eq!(answer, json!({"batchItemFailures": []}));
    let calls: Vec<u16> = aws.standin.calls().iter().map(|c| c.status).collect();
    assert_eq!(calls, [429, 429, 200]);
}

#[test]
fn contact_events_reports_invocation_errors_with_stable_types() {
    let aws = Aws::new(None);
    // The test's table is deleted after init: the state store then refuses every request.
    let endpoint = aws.moto.endpoint();
    let env = aws.env();
    let api = api("contact-events");
    let _process = spawn("contact-events", &api, &env);
    api.wait_first_next_request(QUEUE).expect("init finishes");
    aws_json(
        &endpoint,
        "DynamoDB_20120810.DeleteTable",
        "application/x-amz-json-1.0",
        &json!({"TableName": aws.table}),
    );
    let invocation = invoke(&api, &fixture("eventbridge/completed.json"));
    let error = invocation
        .error()
        .expect("the invocation fails, for Lambda to retry it");
    assert!(error.error_type.starts_with("StateStore"), "{error:?}");
    assert!(error.error_message.contains("event "), "{error:?}");
}

// --- ingest-http, with Cognito tokens verified against a local JWKS -------------------------

fn token(der: &str, kid: &str, issuer: &str, agent: &str) -> String {
    cognito_id_token(der, kid, issuer, "test-client", agent)
}

#[test]
fn ingest_http_authenticates_binds_the_agent_and_returns_directives() {
    let jwks = serve_static(test_jwks());
    let issuer = format!("{jwks}/us-west-2_TestPool");
    let api = api("ingest-http");
    let _process = spawn(
        "ingest-http",
        &api,
        &[
            ("STREAMHOOKS_DRY_RUN".into(), "true".into()),
            ("STREAMHOOKS_PLUGINS_DIR".into(), plugins()),
            ("STREAMHOOKS_CONNECT_INSTANCE_ARN".into(), INSTANCE.into()),
            (
                "STREAMHOOKS_COGNITO_USER_POOL_ID".into(),
                "us-west-2_TestPool".into(),
            ),
            (
                "STREAMHOOKS_COGNITO_CLIENT_IDS".into(),
                "test-client".into(),
            ),
            (
                "STREAMHOOKS_COGNITO_JWKS_URL".into(),
                format!("{jwks}/jwks.json"),
            ),
            ("STREAMHOOKS_COGNITO_ISSUER".into(), issuer.clone()),
            (
                "STREAMHOOKS_ALLOWED_ORIGINS".into(),
                "https://example.my.connect.aws".into(),
            ),
        ],
    );
    let batch = fixture("streams/incoming-call.json").to_string();
    let post = |authorization: Option<String>| {
        let mut headers =
            json!({"content-type": "application/json", "origin": "https://example.my.connect.aws"});
        if let Some(a) = authorization {
            headers["authorization"] = json!(a);
        }
        function_url_request("POST", headers, Some(batch.clone()))
    };

    let good = token("key1.der", "test-key1", &issuer, AGENT);
    let answer = invoke(&api, &post(Some(format!("Bearer {good}"))))
        .json()
        .unwrap();
    assert_eq!(answer["statusCode"], 200, "{answer}");
    assert_eq!(
        answer["headers"]["access-control-allow-origin"],
        "https://example.my.connect.aws"
    );
    let body: Value = serde_json::from_str(answer["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["directives"].as_array().unwrap().len(), 1, "{body}");
    assert_eq!(body["directives"][0]["directive"], "screen-pop");

    // Signed by a key the pool does not publish.
    let forged = token("key2.der", "test-key1", &issuer, AGENT);
    let answer = invoke(&api, &post(Some(format!("Bearer {forged}"))))
        .json()
        .unwrap();
    assert_eq!(answer["statusCode"], 401, "{answer}");
    let body: Value = serde_json::from_str(answer["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["error"]["code"], "bad-signature");

    // A valid token of another agent.
    let other = AGENT.replace(
        "5d2c7e40-8b1a-4c9e-a3f6-0e7d2b9c4a11",
        "00000000-0000-4000-8000-000000000000",
    );
    let theirs = token("key1.der", "test-key1", &issuer, &other);
    let answer = invoke(&api, &post(Some(format!("Bearer {theirs}"))))
        .json()
        .unwrap();
    assert_eq!(answer["statusCode"], 403, "{answer}");

    let answer = invoke(&api, &post(None)).json().unwrap();
    assert_eq!(answer["statusCode"], 401);

    let preflight = function_url_request(
        "OPTIONS",
        json!({"origin": "https://example.my.connect.aws", "access-control-request-method": "POST"}),
        None,
    );
    let answer = invoke(&api, &preflight).json().unwrap();
    assert_eq!(answer["statusCode"], 204, "{answer}");
}

#[test]
fn a_screen_pop_decided_on_the_agent_event_stream_reaches_the_agents_browser() {
    // Amazon Connect's agent event stream reports the contact connected before the browser
    // forwards anything: agent-events decides the screen pop, with no browser to answer, so it
    // waits in the agent's mailbox in DynamoDB; ingest-http (another function, another process)
    // hands it to the agent's browser with its next answer, once.
    let aws = Aws::new(None);
    let jwks = serve_static(test_jwks());
    let issuer = format!("{jwks}/us-west-2_TestPool");

    let agent_api = api("agent-events");
    let _agent_events = spawn("agent-events", &agent_api, &aws.env());
    let connected = kinesis_event(&[("1", fixture("agent-stream/contact-connected.json"))]);
    let answer = invoke(&agent_api, &connected).json().unwrap();
    assert_eq!(answer, json!({"batchItemFailures": []}));

    let ingest_api = api("ingest-http");
    let mut env = aws.env();
    env.extend([
        (
            "STREAMHOOKS_COGNITO_USER_POOL_ID".to_owned(),
            "us-west-2_TestPool".to_owned(),
        ),
        (
            "STREAMHOOKS_COGNITO_CLIENT_IDS".to_owned(),
            "test-client".to_owned(),
        ),
        (
            "STREAMHOOKS_COGNITO_JWKS_URL".to_owned(),
            format!("{jwks}/jwks.json"),
        ),
        ("STREAMHOOKS_COGNITO_ISSUER".to_owned(), issuer.clone()),
    ]);
    let _ingest = spawn("ingest-http", &ingest_api, &env);
    let authorization = format!("Bearer {}", token("key1.der", "test-key1", &issuer, AGENT));
    let request = |batch: &Value| {
        function_url_request(
            "POST",
            json!({"content-type": "application/json", "authorization": authorization}),
            Some(batch.to_string()),
        )
    };
    // Agent events only (no contact events that would decide pops of their own), as this agent.
    let mut batch = fixture("streams/agent-events.json");
    batch["agent_arn"] = json!(AGENT);
    for entry in batch["events"].as_array_mut().unwrap() {
        if let Some(configuration) = entry
            .pointer_mut("/agent/configuration")
            .and_then(Value::as_object_mut)
        {
            configuration.insert("agentARN".into(), json!(AGENT));
        }
    }
    let answer = invoke(&ingest_api, &request(&batch)).json().unwrap();
    assert_eq!(answer["statusCode"], 200, "{answer}");
    let body: Value = serde_json::from_str(answer["body"].as_str().unwrap()).unwrap();
    let directives = body["directives"].as_array().unwrap();
    assert_eq!(directives.len(), 1, "{body}");
    assert_eq!(directives[0]["directive"], "screen-pop");
    assert!(
        directives[0]["event_id"]
            .as_str()
            .unwrap()
            .contains("/contact-connected/"),
        "{body}"
    );
    assert_eq!(directives[0]["agent_arn"], AGENT);

    // Handed out once: a later batch gets nothing more.
    let mut later = batch.clone();
    for entry in later["events"].as_array_mut().unwrap() {
        entry["id"] = json!(format!("later-{}", entry["id"].as_str().unwrap()));
    }
    let answer = invoke(&ingest_api, &request(&later)).json().unwrap();
    let body: Value = serde_json::from_str(answer["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["directives"], json!([]), "{body}");
}
