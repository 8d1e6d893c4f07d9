//! Inputs the function tests and benchmarks share: the decoder's fixtures, Lambda event
//! envelopes (Kinesis, Function URL), Cognito-style tokens signed with the auth crate's
//! test-only keys, and a static HTTP server for a JWKS.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use serde_json::{Value, json};
use streamhooks_events::{Event, Limits, decode_slice};

/// Every event of the bundled sample day (`examples/sample-day.jsonl`, the file `streamhooks
/// decode --sample` reads), decoded line by line, in order. Panics naming the line if any part
/// of it does not decode: the sample day is part of the repository.
pub fn sample_day() -> Vec<Event> {
    let path = repo().join("examples/sample-day.jsonl");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut events = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let decoded = decode_slice(line.as_bytes(), &Limits::default());
        assert!(
            decoded.errors.is_empty(),
            "sample-day.jsonl:{}: {:?}",
            i + 1,
            decoded.errors
        );
        events.extend(decoded.events);
    }
    events
}

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A decoder fixture (`crates/events/tests/fixtures/<path>`) as JSON. Panics if it is missing
/// or not JSON: fixtures are part of the repository.
pub fn fixture(path: &str) -> Value {
    let file = repo().join("crates/events/tests/fixtures").join(path);
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

/// A Lambda Kinesis event of `(sequence number, data)` records; data that is a JSON string is
/// used as the base64 text as it is (to send undecodable records), anything else is encoded.
pub fn kinesis_event(records: &[(&str, Value)]) -> Value {
    let records: Vec<Value> = records
        .iter()
        .map(|(seq, data)| {
            let data = match data {
                Value::String(raw) => raw.clone(),
                other => base64::engine::general_purpose::STANDARD.encode(other.to_string()),
            };
            json!({
                "eventSource": "aws:kinesis",
                "eventSourceARN": "arn:aws:kinesis:us-east-1:111122223333:stream/connect-agent-events",
                "eventID": format!("shardId-000000000000:{seq}"),
                "awsRegion": "us-east-1",
                "kinesis": {"kinesisSchemaVersion": "1.0", "partitionKey": "agent", "sequenceNumber": seq,
                            "data": data, "approximateArrivalTimestamp": 1_763_568_000.0}
            })
        })
        .collect();
    json!({ "Records": records })
}

/// A Lambda Function URL request (payload format 2.0).
pub fn function_url_request(method: &str, headers: Value, body: Option<String>) -> Value {
    json!({
        "version": "2.0", "routeKey": "$default", "rawPath": "/", "rawQueryString": "",
        "headers": headers,
        "requestContext": {
            "accountId": "anonymous", "apiId": "abcdefghij", "domainName": "abcdefghij.lambda-url.us-west-2.on.aws",
            "domainPrefix": "abcdefghij", "requestId": "req-1", "routeKey": "$default", "stage": "$default",
            "time": "21/Nov/2026:23:00:00 +0000", "timeEpoch": 1_763_766_000_000_u64,
            "http": {"method": method, "path": "/", "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "test"}
        },
        "body": body, "isBase64Encoded": false
    })
}

/// A test-only key file of the auth crate (`crates/auth/tests/data/<name>`).
pub fn auth_test_data(name: &str) -> Vec<u8> {
    let file = repo().join("crates/auth/tests/data").join(name);
    std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

/// An RS256 Cognito-style ID token, valid for 10 minutes, for the app client `audience`,
/// whose `custom:connect_agent_arn` is `agent`, signed with the test key `der` under `kid`.
pub fn cognito_id_token(der: &str, kid: &str, issuer: &str, audience: &str, agent: &str) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    header.kid = Some(kid.into());
    let claims = json!({
        "sub": "0f6c5b2a-0000-4000-8000-000000000001", "iss": issuer, "aud": audience,
        "token_use": "id", "iat": now, "exp": now + 600, "cognito:username": "msantos",
        "custom:connect_agent_arn": agent
    });
    jsonwebtoken::encode(
        &header,
        &claims,
        &jsonwebtoken::EncodingKey::from_rsa_der(&auth_test_data(der)),
    )
    .unwrap_or_else(|e| panic!("signing a test token: {e}"))
}

/// The JWKS publishing the auth crate's first test key (`test-key1`).
pub fn test_jwks() -> String {
    let jwk: Value = serde_json::from_slice(&auth_test_data("key1.jwk.json"))
        .unwrap_or_else(|e| panic!("key1.jwk.json: {e}"));
    json!({ "keys": [jwk] }).to_string()
}

/// Serves `body` as JSON to every request on 127.0.0.1, for the life of the process; returns
/// `http://127.0.0.1:<port>`.
pub fn serve_static(body: String) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap_or_else(|e| panic!("binding 127.0.0.1: {e}"));
    let addr = listener
        .local_addr()
        .unwrap_or_else(|e| panic!("local address: {e}"));
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    format!("http://{addr}")
}
