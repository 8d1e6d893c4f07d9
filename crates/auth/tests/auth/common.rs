//! Test keys, token minting and a JWKS server on 127.0.0.1.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey};
use serde_json::{Value, json};
use streamhooks_auth::{CognitoConfig, CognitoVerifier};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

pub(crate) const REGION: &str = "us-west-2";
pub(crate) const POOL: &str = "us-west-2_TestPool1";
pub(crate) const ISSUER: &str = "https://cognito-idp.us-west-2.amazonaws.com/us-west-2_TestPool1";
pub(crate) const CLIENT: &str = "client-a";
pub(crate) const OTHER_CLIENT: &str = "client-b";
pub(crate) const AGENT_ARN: &str = "arn:aws:connect:us-west-2:111122223333:instance/8a1f2b3c-0000-4000-8000-000000000001/agent/5d2c7e40-0000-4000-8000-0000000000a1";
pub(crate) const AGENT_ID: &str = "5d2c7e40-0000-4000-8000-0000000000a1";

/// The test clock: every test runs at fixed times around this.
pub(crate) fn t0() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(T0)
}
pub(crate) const T0: u64 = 1_800_000_000;

pub(crate) fn at(offset_secs: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(T0.checked_add_signed(offset_secs).unwrap())
}

pub(crate) struct Key {
    pub(crate) kid: String,
    pub(crate) encoding: EncodingKey,
    pub(crate) jwk: Value,
    pub(crate) public_pem: Vec<u8>,
}

fn data(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

pub(crate) fn key(n: u8) -> Key {
    let jwk: Value = serde_json::from_slice(&data(&format!("key{n}.jwk.json"))).unwrap();
    Key {
        kid: jwk["kid"].as_str().unwrap().to_owned(),
        encoding: EncodingKey::from_rsa_der(&data(&format!("key{n}.der"))),
        jwk,
        public_pem: data(&format!("key{n}.pub.pem")),
    }
}

pub(crate) fn jwks(keys: &[&Key]) -> String {
    json!({ "keys": keys.iter().map(|k| k.jwk.clone()).collect::<Vec<_>>() }).to_string()
}

pub(crate) fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A token with exactly this header and these claims, signed with `alg` by `key` (for HMAC,
/// `key` is the secret).
pub(crate) fn sign_raw(
    header: &Value,
    claims: &Value,
    alg: Algorithm,
    key: &EncodingKey,
) -> String {
    let message = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let signature = jsonwebtoken::crypto::sign(message.as_bytes(), key, alg).unwrap();
    format!("{message}.{signature}")
}

/// An RS256 token with `key`'s kid.
pub(crate) fn sign(key: &Key, claims: &Value) -> String {
    sign_raw(
        &json!({"alg": "RS256", "kid": key.kid, "typ": "JWT"}),
        claims,
        Algorithm::RS256,
        &key.encoding,
    )
}

/// An RS256 token signed by `key` but naming `kid`.
pub(crate) fn sign_with_kid(key: &Key, kid: &str, claims: &Value) -> String {
    sign_raw(
        &json!({"alg": "RS256", "kid": kid}),
        claims,
        Algorithm::RS256,
        &key.encoding,
    )
}

/// What Cognito puts in an ID token (with the agent attribute), valid from T0-10 s for an hour.
pub(crate) fn id_claims() -> Value {
    json!({
        "sub": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
        "aud": CLIENT,
        "email_verified": true,
        "token_use": "id",
        "auth_time": T0 - 10,
        "iss": ISSUER,
        "cognito:username": "jdoe",
        "custom:connect_agent_arn": AGENT_ARN,
        "exp": T0 + 3600,
        "iat": T0 - 10,
        "jti": "11111111-2222-3333-4444-555555555555",
        "email": "jdoe@example.com"
    })
}

/// What Cognito puts in an access token.
pub(crate) fn access_claims() -> Value {
    json!({
        "sub": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
        "iss": ISSUER,
        "client_id": CLIENT,
        "origin_jti": "66666666-7777-8888-9999-000000000000",
        "event_id": "abcdefab-0000-0000-0000-000000000000",
        "token_use": "access",
        "scope": "aws.cognito.signin.user.admin",
        "auth_time": T0 - 10,
        "exp": T0 + 3600,
        "iat": T0 - 10,
        "jti": "11111111-2222-3333-4444-555555555555",
        "username": "jdoe"
    })
}

/// `claims` with `changes` merged in (`null` removes a claim).
pub(crate) fn with(mut claims: Value, changes: Value) -> Value {
    for (name, value) in changes.as_object().unwrap() {
        if value.is_null() {
            claims.as_object_mut().unwrap().remove(name);
        } else {
            claims[name] = value.clone();
        }
    }
    claims
}

pub(crate) fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

/// What the server answers.
#[derive(Clone)]
struct Behavior {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
    delay: Duration,
}

/// A JWKS endpoint on 127.0.0.1 that counts requests and can be rotated, slowed or broken.
#[derive(Clone)]
pub(crate) struct JwksServer {
    pub(crate) url: String,
    hits: Arc<AtomicUsize>,
    behavior: Arc<Mutex<Behavior>>,
}

impl JwksServer {
    pub(crate) async fn start(keys: &[&Key]) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/jwks.json", listener.local_addr().unwrap());
        let server = Self {
            url,
            hits: Arc::new(AtomicUsize::new(0)),
            behavior: Arc::new(Mutex::new(Behavior {
                status: 200,
                headers: Vec::new(),
                body: jwks(keys),
                delay: Duration::ZERO,
            })),
        };
        let (hits, behavior) = (server.hits.clone(), server.behavior.clone());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (hits, behavior) = (hits.clone(), behavior.clone());
                tokio::spawn(async move {
                    let _ = serve(stream, &hits, &behavior).await;
                });
            }
        });
        server
    }

    /// Requests served so far.
    pub(crate) fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }

    /// Publishes these keys (a rotation).
    pub(crate) fn publish(&self, keys: &[&Key]) {
        self.answer(200, &jwks(keys));
    }

    pub(crate) fn answer(&self, status: u16, body: &str) {
        let mut behavior = self.behavior.lock().unwrap();
        behavior.status = status;
        behavior.body = body.to_owned();
        behavior.headers.clear();
    }

    pub(crate) fn header(&self, name: &str, value: &str) {
        let mut behavior = self.behavior.lock().unwrap();
        behavior.headers.push((name.to_owned(), value.to_owned()));
    }

    pub(crate) fn delay(&self, delay: Duration) {
        self.behavior.lock().unwrap().delay = delay;
    }

    /// A verifier of this server's keys, with `tweak` applied to the configuration.
    pub(crate) fn verifier(&self, tweak: impl FnOnce(&mut CognitoConfig)) -> CognitoVerifier {
        CognitoVerifier::new(self.config(tweak)).unwrap()
    }

    pub(crate) fn config(&self, tweak: impl FnOnce(&mut CognitoConfig)) -> CognitoConfig {
        let mut config = CognitoConfig::new(REGION, POOL, [CLIENT, "client-c"]);
        config.jwks_url = Some(self.url.clone());
        config.http_timeout = Duration::from_secs(5);
        tweak(&mut config);
        config
    }
}

async fn serve(
    mut stream: TcpStream,
    hits: &AtomicUsize,
    behavior: &Mutex<Behavior>,
) -> std::io::Result<()> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    hits.fetch_add(1, Ordering::SeqCst);
    let behavior = behavior.lock().unwrap().clone();
    if !behavior.delay.is_zero() {
        tokio::time::sleep(behavior.delay).await;
    }
    let mut out = format!(
        "HTTP/1.1 {} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
        behavior.status,
        behavior.body.len()
    );
    for (name, value) in &behavior.headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str("\r\n");
    out.push_str(&behavior.body);
    stream.write_all(out.as_bytes()).await?;
    stream.shutdown().await
}

/// A URL nothing listens on.
pub(crate) async fn closed_port_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/jwks.json", listener.local_addr().unwrap());
    drop(listener);
    url
}
