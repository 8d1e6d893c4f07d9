//! A signed JSON webhook: the CRM update, as is, POSTed to the operator's endpoint.
//!
//! # What a receiver gets
//!
//! `POST <url>` with `Content-Type: application/json` and the body
//!
//! ```json
//! {"event_id": "...", "plugin": "...", "index": 0, "client_token": "...",
//!  "connector": "orders", "object": "Task", "operation": "upsert",
//!  "id_field": "CallId__c", "id": "c-1", "fields": {"Subject": "Call"}}
//! ```
//!
//! and the headers
//!
//! - `Idempotency-Key: <client_token>`: the same on every retry and redelivery of the action;
//!   a receiver that has seen it should answer as it did the first time.
//! - `X-Streamhooks-Timestamp: <unix seconds>`: when the request was signed.
//! - `X-Streamhooks-Signature: sha256=<hex>`: lowercase hex HMAC-SHA256, keyed with the shared
//!   secret, of the timestamp, a `.`, and the exact body bytes (`"<timestamp>.<body>"`).
//!
//! To verify, recompute the HMAC over the raw body as received (before any JSON parsing),
//! compare in constant time ([`verify_signature`] does both), and reject timestamps far from
//! now (five minutes is usual) so a captured request cannot be replayed later.
//!
//! # Answers
//!
//! Any 2xx is success; a JSON body with a string `id` is returned as the record id. 429 is
//! throttled (honouring `Retry-After`), 5xx transient, anything else permanent (`http-<status>`)
//! with the body's `message` (or `error`) as the reason. Redirects are not followed.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use reqwest::Url;
use reqwest::header::CONTENT_TYPE;
use serde_json::json;
use sha2::Sha256;
use streamhooks_actions::CrmUpdate;
use streamhooks_executor::{BoxFuture, CallContext, CallError, CrmConnector};

use crate::ConfigError;
use crate::http;

/// The header holding the signing time, in Unix seconds.
pub const TIMESTAMP_HEADER: &str = "X-Streamhooks-Timestamp";
/// The header holding `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`.
pub const SIGNATURE_HEADER: &str = "X-Streamhooks-Signature";
/// The header holding the action's client token.
pub const IDEMPOTENCY_HEADER: &str = "Idempotency-Key";
/// The timeout of one request when none is configured.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// How to reach a webhook receiver. `Debug` does not show the secret.
#[derive(Clone)]
pub struct WebhookConfig {
    /// The endpoint: HTTPS, or HTTP to 127.0.0.1/localhost only.
    pub url: String,
    /// The shared HMAC key.
    pub secret: String,
    /// The longest one request may take (less when the event's deadline is nearer).
    pub timeout: Duration,
}

impl WebhookConfig {
    /// A configuration with the default timeout.
    pub fn new(url: impl Into<String>, secret: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            secret: secret.into(),
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// Reads `<prefix>_URL`, `<prefix>_SECRET` and optionally `<prefix>_TIMEOUT_MS` from the
    /// environment, e.g. `STREAMHOOKS_CRM_ORDERS_URL` for the prefix `STREAMHOOKS_CRM_ORDERS`.
    pub fn from_env(prefix: &str) -> Result<Self, ConfigError> {
        Self::from_vars(prefix, |name| std::env::var(name).ok())
    }

    /// [`from_env`](Self::from_env) with the variables looked up by `var`.
    pub fn from_vars(
        prefix: &str,
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let vars = crate::Vars { prefix, var: &var };
        Ok(Self {
            url: vars.required("URL")?,
            secret: vars.required("SECRET")?,
            timeout: vars.timeout()?.unwrap_or(DEFAULT_TIMEOUT),
        })
    }
}

impl std::fmt::Debug for WebhookConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookConfig")
            .field("url", &self.url)
            .field("secret", &"<redacted>")
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// Sends each CRM update as one signed POST. See the [module docs](self) for the format.
pub struct WebhookConnector {
    url: Url,
    secret: Vec<u8>,
    timeout: Duration,
    client: reqwest::Client,
}

impl std::fmt::Debug for WebhookConnector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookConnector")
            .field("url", &self.url.as_str())
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl WebhookConnector {
    /// Checks the configuration (HTTPS or a local URL, a non-empty secret) and builds the client.
    pub fn new(config: WebhookConfig) -> Result<Self, ConfigError> {
        let url = http::checked_url("webhook url", &config.url)?;
        if config.secret.is_empty() {
            return Err(ConfigError::Invalid {
                name: "webhook secret".into(),
                reason: "is empty".into(),
            });
        }
        let client = http::client("webhook", http::is_loopback(&url))?;
        Ok(Self {
            url,
            secret: config.secret.into_bytes(),
            timeout: config.timeout,
            client,
        })
    }

    /// [`WebhookConfig::from_env`], then [`new`](Self::new).
    pub fn from_env(prefix: &str) -> Result<Self, ConfigError> {
        Self::new(WebhookConfig::from_env(prefix)?)
    }

    async fn send(
        &self,
        update: &CrmUpdate,
        cx: &CallContext,
    ) -> Result<Option<String>, CallError> {
        let timeout = http::request_timeout(self.timeout, cx.deadline)?;
        let body = json!({
            "event_id": cx.event_id,
            "plugin": cx.plugin,
            "index": cx.index,
            "client_token": cx.client_token,
            "connector": update.connector,
            "object": update.object,
            "operation": update.operation,
            "id_field": update.id_field,
            "id": update.id,
            "fields": update.fields,
        });
        let body = serde_json::to_vec(&body).map_err(|e| CallError::Permanent {
            code: "invalid-crm-fields".into(),
            message: format!("cannot encode the update: {e}"),
        })?;
        let timestamp = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let signature = signature(&self.secret, timestamp, &body);
        let response = self
            .client
            .post(self.url.clone())
            .timeout(timeout)
            .header(CONTENT_TYPE, "application/json")
            .header(IDEMPOTENCY_HEADER, &cx.client_token)
            .header(TIMESTAMP_HEADER, timestamp.to_string())
            .header(SIGNATURE_HEADER, signature)
            .body(body)
            .send()
            .await
            .map_err(http::send_error)?;
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.map_err(http::send_error)?;
        if status.is_success() {
            let id = serde_json::from_slice::<serde_json::Value>(&bytes)
                .ok()
                .and_then(|v| v.get("id").and_then(|id| id.as_str().map(str::to_owned)));
            return Ok(id);
        }
        Err(http::status_error(
            status,
            &headers,
            http::body_message(&bytes),
        ))
    }
}

impl CrmConnector for WebhookConnector {
    fn write<'a>(
        &'a self,
        update: &'a CrmUpdate,
        cx: &'a CallContext,
    ) -> BoxFuture<'a, Result<Option<String>, CallError>> {
        Box::pin(self.send(update, cx))
    }
}

type HmacSha256 = Hmac<Sha256>;

fn mac(secret: &[u8], timestamp: u64, body: &[u8]) -> HmacSha256 {
    // HMAC takes keys of any length; `new_from_slice` cannot fail for it.
    let mut mac = match HmacSha256::new_from_slice(secret) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC accepts any key length"),
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The `X-Streamhooks-Signature` value for `body` sent at `timestamp` (Unix seconds):
/// `sha256=` and the lowercase hex HMAC-SHA256 of `"<timestamp>.<body>"` keyed with `secret`.
pub fn signature(secret: &[u8], timestamp: u64, body: &[u8]) -> String {
    let tag = mac(secret, timestamp, body).finalize().into_bytes();
    let mut out = String::with_capacity(7 + 2 * tag.len());
    out.push_str("sha256=");
    for byte in tag {
        out.push(char::from(HEX[usize::from(byte >> 4)]));
        out.push(char::from(HEX[usize::from(byte & 0xf)]));
    }
    out
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Checks a received request, for receivers written in Rust: the `X-Streamhooks-Timestamp` and
/// `X-Streamhooks-Signature` header values against the raw body, in constant time. It does not
/// judge the timestamp's age: reject old ones yourself.
pub fn verify_signature(secret: &[u8], timestamp: &str, body: &[u8], signature: &str) -> bool {
    let Ok(timestamp) = timestamp.trim().parse::<u64>() else {
        return false;
    };
    let Some(hex) = signature.trim().strip_prefix("sha256=") else {
        return false;
    };
    let Some(tag) = decode_hex(hex) else {
        return false;
    };
    mac(secret, timestamp, body).verify_slice(&tag).is_ok()
}

fn decode_hex(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    let digit = |c: u8| {
        char::from(c)
            .to_digit(16)
            .and_then(|d| u8::try_from(d).ok())
    };
    hex.as_bytes()
        .chunks(2)
        .map(|pair| Some(digit(pair[0])? << 4 | digit(pair[1])?))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_matches_a_known_vector() {
        // printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac secret
        let sig = signature(b"secret", 1_700_000_000, br#"{"a":1}"#);
        assert_eq!(
            sig,
            "sha256=49f24e537407743fa4a0242bb63b94b9a47ee99cbbe071ccd8a22550ae411686"
        );
        assert!(verify_signature(
            b"secret",
            "1700000000",
            br#"{"a":1}"#,
            &sig
        ));
        assert!(!verify_signature(
            b"secret",
            "1700000001",
            br#"{"a":1}"#,
            &sig
        ));
        assert!(!verify_signature(
            b"other",
            "1700000000",
            br#"{"a":1}"#,
            &sig
        ));
        assert!(!verify_signature(
            b"secret",
            "1700000000",
            br#"{"a":2}"#,
            &sig
        ));
        assert!(!verify_signature(
            b"secret",
            "1700000000",
            br#"{"a":1}"#,
            "sha256=zz"
        ));
    }

    #[test]
    fn config_refuses_plain_http_and_empty_secrets() {
        let err =
            WebhookConnector::new(WebhookConfig::new("http://crm.example.com/h", "s")).unwrap_err();
        assert!(err.to_string().contains("HTTPS"), "{err}");
        assert!(
            WebhookConnector::new(WebhookConfig::new("https://crm.example.com/h", "")).is_err()
        );
        assert!(
            WebhookConnector::new(WebhookConfig::new("https://crm.example.com/h", "s")).is_ok()
        );
    }

    #[test]
    fn debug_hides_the_secret() {
        let config = WebhookConfig::new("https://crm.example.com/h", "hunter2");
        assert!(!format!("{config:?}").contains("hunter2"));
    }
}
