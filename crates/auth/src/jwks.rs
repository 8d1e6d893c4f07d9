//! The user pool's signing keys: fetched from the JWKS URL, cached, refetched single-flight.
//!
//! Policy, with every time taken from the caller's `now`:
//! - keys younger than `jwks_ttl` are used as they are;
//! - an unknown `kid` refetches, at most once per `refresh_floor` (whatever the outcome), so key
//!   rotation is picked up and made-up kids cannot flood the endpoint;
//! - older keys are refetched; if that fails, they stay in use until twice `jwks_ttl` old, and
//!   the next attempt waits `retry_backoff`;
//! - with no usable keys, a failed fetch answers [`AuthError::JwksUnavailable`] (503) for
//!   `retry_backoff`, then the next request tries again;
//! - one fetch at a time: requests that need one while another is under way wait for it and use
//!   its outcome.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use jsonwebtoken::DecodingKey;
use reqwest::Url;
use serde::Deserialize;

use crate::AuthError;

/// A JWKS document larger than this is refused (Cognito's is about 1 KiB).
pub(crate) const MAX_JWKS_BYTES: usize = 256 * 1024;
/// At most this many keys are read from a document.
const MAX_KEYS: usize = 64;
/// A caller's `now` this far behind a recorded time is taken as a clock step backwards (every
/// recorded time is then treated as long past); less than that is request interleaving.
const CLOCK_STEP: Duration = Duration::from_secs(300);

/// RS256 keys by `kid`.
struct KeySet {
    keys: HashMap<String, Arc<DecodingKey>>,
    fetched_at: SystemTime,
}

#[derive(Default)]
struct State {
    keys: Option<Arc<KeySet>>,
    /// When the last fetch was attempted, and its error if it failed.
    last_attempt: Option<(SystemTime, Option<String>)>,
}

/// How a lookup ends without fetching, or that it needs a fetch.
enum Decision {
    Done(Result<Arc<DecodingKey>, AuthError>),
    Fetch,
}

/// Timing knobs, copied from the configuration.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Timing {
    pub(crate) ttl: Duration,
    pub(crate) refresh_floor: Duration,
    pub(crate) retry_backoff: Duration,
}

pub(crate) struct JwksCache {
    url: Url,
    client: reqwest::Client,
    timing: Timing,
    state: Mutex<State>,
    /// Held for the duration of a fetch: the single flight.
    flight: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for JwksCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        f.debug_struct("JwksCache")
            .field("url", &self.url.as_str())
            .field("timing", &self.timing)
            .field("keys", &state.keys.as_ref().map(|k| k.keys.len()))
            .finish()
    }
}

/// `now - then`, with small negative differences (requests interleaving) as zero and large
/// ones (the clock stepped back) as "long ago".
fn elapsed(now: SystemTime, then: SystemTime) -> Duration {
    match now.duration_since(then) {
        Ok(d) => d,
        Err(e) if e.duration() <= CLOCK_STEP => Duration::ZERO,
        Err(_) => Duration::MAX,
    }
}

impl JwksCache {
    pub(crate) fn new(url: Url, client: reqwest::Client, timing: Timing) -> Self {
        Self {
            url,
            client,
            timing,
            state: Mutex::new(State::default()),
            flight: tokio::sync::Mutex::new(()),
        }
    }

    /// The key `kid` names, fetching the key set if the policy (module docs) says so.
    pub(crate) async fn key(
        &self,
        kid: &str,
        now: SystemTime,
    ) -> Result<Arc<DecodingKey>, AuthError> {
        if let Decision::Done(result) = self.decide(kid, now) {
            return result;
        }
        let _flight = self.flight.lock().await;
        // Whoever held the flight may have fetched what this request needs (or failed to, in
        // which case the floor or backoff now applies).
        if let Decision::Done(result) = self.decide(kid, now) {
            return result;
        }
        self.refresh_locked(now).await;
        self.after_fetch(kid, now)
    }

    /// Fetches the key set now, whatever the cache holds (a cold-start warm-up); returns how
    /// many keys it has.
    pub(crate) async fn refresh(&self, now: SystemTime) -> Result<usize, AuthError> {
        let _flight = self.flight.lock().await;
        self.refresh_locked(now).await;
        let state = self.lock();
        match &state.last_attempt {
            Some((_, Some(error))) => Err(AuthError::jwks(error.clone())),
            _ => Ok(state.keys.as_ref().map_or(0, |k| k.keys.len())),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn decide(&self, kid: &str, now: SystemTime) -> Decision {
        let state = self.lock();
        let Timing {
            ttl,
            refresh_floor,
            retry_backoff,
        } = self.timing;
        let age = state.keys.as_ref().map(|k| elapsed(now, k.fetched_at));
        let since_attempt = state.last_attempt.as_ref().map(|(at, _)| elapsed(now, *at));
        let last_error = state.last_attempt.as_ref().and_then(|(_, e)| e.as_deref());
        if let (Some(keys), Some(age)) = (&state.keys, age)
            && age < ttl
        {
            if let Some(key) = keys.keys.get(kid) {
                return Decision::Done(Ok(key.clone()));
            }
            if since_attempt.is_some_and(|s| s < refresh_floor) {
                return Decision::Done(Err(match last_error {
                    // The refetch this kid may have needed failed: cannot tell.
                    Some(error) => AuthError::jwks(error),
                    None => AuthError::UnknownKey,
                }));
            }
            return Decision::Fetch;
        }
        // No keys, or old ones: fetch, unless the last attempt failed just now.
        if let (Some(error), Some(since)) = (last_error, since_attempt)
            && since < retry_backoff
        {
            return Decision::Done(self.stale_or(&state, kid, now, error));
        }
        Decision::Fetch
    }

    /// After a fetch (under the flight).
    fn after_fetch(&self, kid: &str, now: SystemTime) -> Result<Arc<DecodingKey>, AuthError> {
        let state = self.lock();
        match &state.last_attempt {
            Some((_, Some(error))) => self.stale_or(&state, kid, now, error),
            _ => state
                .keys
                .as_ref()
                .and_then(|k| k.keys.get(kid).cloned())
                .ok_or(AuthError::UnknownKey),
        }
    }

    /// The fetch failed with `error`: old keys younger than twice the TTL still verify.
    fn stale_or(
        &self,
        state: &State,
        kid: &str,
        now: SystemTime,
        error: &str,
    ) -> Result<Arc<DecodingKey>, AuthError> {
        state
            .keys
            .as_ref()
            .filter(|k| elapsed(now, k.fetched_at) < self.timing.ttl.saturating_mul(2))
            .and_then(|k| k.keys.get(kid).cloned())
            .ok_or_else(|| AuthError::jwks(error))
    }

    /// Fetches and records the outcome. The caller holds the flight.
    async fn refresh_locked(&self, now: SystemTime) {
        let outcome = self.fetch().await;
        let mut state = self.lock();
        match outcome {
            Ok(keys) => {
                tracing::info!(url = %self.url, keys = keys.len(), "fetched the user pool's JWKS");
                state.keys = Some(Arc::new(KeySet {
                    keys,
                    fetched_at: now,
                }));
                state.last_attempt = Some((now, None));
            }
            Err(error) => {
                tracing::warn!(url = %self.url, %error, "cannot fetch the user pool's JWKS");
                state.last_attempt = Some((now, Some(error)));
            }
        }
    }

    async fn fetch(&self) -> Result<HashMap<String, Arc<DecodingKey>>, String> {
        let mut response = self
            .client
            .get(self.url.clone())
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| {
                if e.is_timeout() {
                    "the JWKS request timed out".to_owned()
                } else if e.is_connect() {
                    "cannot connect to the JWKS endpoint".to_owned()
                } else {
                    format!("the JWKS request failed: {e}")
                }
            })?;
        let status = response.status();
        if !status.is_success() {
            return Err(format!("the JWKS endpoint answered {status}"));
        }
        if response
            .content_length()
            .is_some_and(|n| n > MAX_JWKS_BYTES as u64)
        {
            return Err(format!("the JWKS is larger than {MAX_JWKS_BYTES} bytes"));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| {
            if e.is_timeout() {
                "the JWKS request timed out".to_owned()
            } else {
                format!("cannot read the JWKS: {e}")
            }
        })? {
            body.extend_from_slice(&chunk);
            if body.len() > MAX_JWKS_BYTES {
                return Err(format!("the JWKS is larger than {MAX_JWKS_BYTES} bytes"));
            }
        }
        parse_jwks(&body)
    }
}

#[derive(Deserialize)]
struct JwksDocument {
    keys: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
struct RsaJwk {
    kty: String,
    kid: Option<String>,
    alg: Option<String>,
    #[serde(rename = "use")]
    use_: Option<String>,
    n: Option<String>,
    e: Option<String>,
}

/// The RS256 signing keys of a JWKS document; other keys (other types, algorithms, uses, no
/// kid) are skipped. A document without any is an error.
pub(crate) fn parse_jwks(body: &[u8]) -> Result<HashMap<String, Arc<DecodingKey>>, String> {
    let document: JwksDocument =
        serde_json::from_slice(body).map_err(|e| format!("the JWKS is not a JSON key set: {e}"))?;
    let mut keys = HashMap::new();
    for value in document.keys.into_iter().take(MAX_KEYS) {
        let Ok(jwk) = serde_json::from_value::<RsaJwk>(value) else {
            continue;
        };
        let usable = jwk.kty == "RSA"
            && jwk.alg.as_deref().is_none_or(|a| a == "RS256")
            && jwk.use_.as_deref().is_none_or(|u| u == "sig");
        let (true, Some(kid), Some(n), Some(e)) = (usable, jwk.kid, jwk.n, jwk.e) else {
            continue;
        };
        match DecodingKey::from_rsa_components(&n, &e) {
            Ok(key) => {
                keys.insert(kid, Arc::new(key));
            }
            Err(error) => tracing::warn!(%kid, %error, "skipping a JWKS key that does not decode"),
        }
    }
    if keys.is_empty() {
        return Err("the JWKS has no RS256 signing key".to_owned());
    }
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elapsed_tolerates_interleaving_and_clock_steps() {
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        assert_eq!(
            elapsed(t + Duration::from_secs(5), t),
            Duration::from_secs(5)
        );
        assert_eq!(elapsed(t - Duration::from_secs(1), t), Duration::ZERO);
        assert_eq!(elapsed(t - Duration::from_secs(3600), t), Duration::MAX);
    }

    #[test]
    fn jwks_documents() {
        assert!(parse_jwks(b"").is_err());
        assert!(parse_jwks(b"{}").is_err());
        assert!(parse_jwks(br#"{"keys": []}"#).is_err());
        // Not RSA, not RS256, not for signatures, no kid, bad components: all skipped.
        let skipped = br#"{"keys": [
            {"kty": "EC", "kid": "a", "crv": "P-256", "x": "AA", "y": "AA"},
            {"kty": "RSA", "kid": "b", "alg": "RS512", "n": "AQAB", "e": "AQAB"},
            {"kty": "RSA", "kid": "c", "use": "enc", "n": "AQAB", "e": "AQAB"},
            {"kty": "RSA", "n": "AQAB", "e": "AQAB"},
            {"kty": "RSA", "kid": "d", "n": "!!", "e": "AQAB"},
            "not an object"
        ]}"#;
        assert!(parse_jwks(skipped).is_err());
        let keys =
            parse_jwks(br#"{"keys": [{"kty": "RSA", "kid": "k", "n": "AQAB", "e": "AQAB"}]}"#)
                .expect("one key");
        assert!(keys.contains_key("k"));
    }
}
