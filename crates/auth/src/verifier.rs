//! Verification of Cognito user-pool JWTs.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::Algorithm;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::config::{checked_url, is_loopback};
use crate::jwks::{JwksCache, Timing};
use crate::{AuthError, Authenticator, BoxFuture, CognitoConfig, ConfigError, Identity, TokenUse};

/// Tokens (and `Authorization` values) longer than this are refused before any parsing.
/// Cognito ID tokens carrying a few custom attributes are 1 to 2 KiB.
pub const MAX_TOKEN_BYTES: usize = 16 * 1024;

/// Verifies Cognito user-pool JWTs (RS256 only) against the pool's JWKS, which it fetches and
/// caches. Build one per process and share it (it is `Send + Sync`).
///
/// The key cache, with every time taken from the `now` passed to [`verify`](Self::verify):
/// - keys younger than [`jwks_ttl`](CognitoConfig::jwks_ttl) are used as they are;
/// - a `kid` not among them refetches the JWKS, at most once per
///   [`refresh_floor`](CognitoConfig::refresh_floor) whatever the outcome: a rotation is picked
///   up, and tokens with made-up kids cannot flood the endpoint (they get `unknown-key`);
/// - older keys are refetched; if that fails they stay in use until twice `jwks_ttl` old;
/// - after a failed fetch with no usable keys, requests get `jwks-unavailable` (503) for
///   [`retry_backoff`](CognitoConfig::retry_backoff), then the next one tries again;
/// - one fetch at a time: requests needing one while another is under way wait for it and
///   share its outcome.
///
/// The JOSE header's `jku`, `x5u` and `jwk` are ignored: keys come only from the configured URL.
#[derive(Debug)]
pub struct CognitoVerifier {
    issuer: String,
    client_ids: Vec<String>,
    token_use: TokenUse,
    agent_claim: String,
    leeway: Duration,
    jwks: JwksCache,
}

/// The JOSE header, as far as it matters here. `jku`, `x5u`, `jwk` and the like are ignored:
/// keys come only from the configured JWKS URL.
#[derive(Deserialize)]
struct JoseHeader {
    alg: Option<Value>,
    kid: Option<Value>,
    crit: Option<Value>,
}

impl CognitoVerifier {
    /// Validates `config` and builds the verifier with its own HTTP client (redirects are not
    /// followed; proxies are skipped for a loopback JWKS URL). Nothing is fetched yet.
    pub fn new(config: CognitoConfig) -> Result<Self, ConfigError> {
        config.validate()?;
        let url = checked_url("jwks_url", &config.jwks_endpoint())?;
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(config.http_timeout)
            .connect_timeout(config.http_timeout)
            .user_agent(concat!("streamhooks-auth/", env!("CARGO_PKG_VERSION")));
        if is_loopback(&url) {
            builder = builder.no_proxy();
        }
        let client = builder.build().map_err(|e| ConfigError::Invalid {
            name: "http_client".to_owned(),
            reason: format!("cannot build the HTTP client: {e}"),
        })?;
        Self::with_http_client(config, client)
    }

    /// [`new`](Self::new) with a caller-built HTTP client (its timeouts, proxies and redirect
    /// policy apply; [`CognitoConfig::http_timeout`] does not).
    pub fn with_http_client(
        config: CognitoConfig,
        client: reqwest::Client,
    ) -> Result<Self, ConfigError> {
        config.validate()?;
        let url = checked_url("jwks_url", &config.jwks_endpoint())?;
        let timing = Timing {
            ttl: config.jwks_ttl,
            refresh_floor: config.refresh_floor,
            retry_backoff: config.retry_backoff,
        };
        Ok(Self {
            issuer: config.expected_issuer(),
            client_ids: config.client_ids,
            token_use: config.token_use,
            agent_claim: config.agent_claim,
            leeway: config.leeway,
            jwks: JwksCache::new(url, client, timing),
        })
    }

    /// Fetches the JWKS now (for instance during a Lambda's init phase, which has more CPU and
    /// is not billed against a request); returns how many RS256 keys it holds. Verification
    /// fetches on demand anyway.
    pub async fn prefetch(&self, now: SystemTime) -> Result<usize, AuthError> {
        self.jwks.refresh(now).await
    }

    /// Verifies `authorization` — an `Authorization` header value (`Bearer <jwt>`, the scheme
    /// in any case) or a bare JWT — at time `now`, and returns who it speaks for.
    ///
    /// In order: size cap ([`MAX_TOKEN_BYTES`]), structure, `alg` (RS256 only: `none`, HMAC and
    /// every other algorithm are refused before any key is looked up), `kid` (from the cached
    /// JWKS; see the type docs for refetches), signature, then the claims: `iss` exactly,
    /// `exp` (required), `nbf` and `iat` (when present) within the leeway, `token_use`, and the
    /// app client (ID token `aud`, access token `client_id`). `sub` is required.
    ///
    /// `now` also drives the key cache's TTL, refetch floor and backoff; pass
    /// [`SystemTime::now()`].
    pub async fn verify(
        &self,
        authorization: &str,
        now: SystemTime,
    ) -> Result<Identity, AuthError> {
        let token = bearer_token(authorization)?;
        let parts = split_token(token)?;
        let header: JoseHeader = decode_json(parts.header, "header")?;
        let alg = match &header.alg {
            Some(Value::String(alg)) => alg.as_str(),
            Some(_) => return Err(AuthError::malformed("the header's alg is not a string")),
            None => return Err(AuthError::malformed("the header has no alg")),
        };
        if alg != "RS256" {
            return Err(AuthError::UnsupportedAlgorithm {
                alg: printable_alg(alg),
            });
        }
        if header.crit.is_some() {
            return Err(AuthError::malformed(
                "the header lists critical extensions (crit), which are not supported",
            ));
        }
        let kid = match &header.kid {
            Some(Value::String(kid)) if !kid.is_empty() => kid.as_str(),
            Some(Value::String(_)) => {
                return Err(AuthError::malformed("the header's kid is empty"));
            }
            Some(_) => return Err(AuthError::malformed("the header's kid is not a string")),
            None => return Err(AuthError::malformed("the header has no kid")),
        };
        // Parsed before any key is fetched, so garbage never reaches the JWKS endpoint; the
        // claims are trusted only once the signature verifies.
        let claims: Map<String, Value> = decode_json(parts.payload, "payload")?;
        let signature = URL_SAFE_NO_PAD
            .decode(parts.signature)
            .map_err(|_| AuthError::malformed("the signature is not base64url"))?;
        if signature.is_empty() {
            return Err(AuthError::malformed("the signature is empty"));
        }

        let key = self.jwks.key(kid, now).await?;
        let verified = jsonwebtoken::crypto::verify(
            parts.signature,
            parts.signed.as_bytes(),
            &key,
            Algorithm::RS256,
        )
        .map_err(|_| AuthError::BadSignature)?;
        if !verified {
            return Err(AuthError::BadSignature);
        }
        self.check_claims(&claims, now)
    }

    fn check_claims(
        &self,
        claims: &Map<String, Value>,
        now: SystemTime,
    ) -> Result<Identity, AuthError> {
        let now_secs = i64::try_from(
            now.duration_since(UNIX_EPOCH)
                .unwrap_or(Duration::ZERO)
                .as_secs(),
        )
        .unwrap_or(i64::MAX);
        let leeway = i64::try_from(self.leeway.as_secs()).unwrap_or(i64::MAX);

        if claims.get("iss").and_then(Value::as_str) != Some(self.issuer.as_str()) {
            return Err(AuthError::WrongIssuer);
        }
        let exp = numeric_date(claims, "exp")?
            .ok_or_else(|| AuthError::malformed("the token has no exp claim"))?;
        // Valid while now < exp (RFC 7519 4.1.4), give or take the leeway.
        if now_secs >= exp.saturating_add(leeway) {
            return Err(AuthError::Expired);
        }
        for claim in ["nbf", "iat"] {
            if let Some(at) = numeric_date(claims, claim)?
                && at > now_secs.saturating_add(leeway)
            {
                return Err(AuthError::NotYetValid { claim });
            }
        }

        let token_use = match claims.get("token_use").and_then(Value::as_str) {
            Some("id") if self.token_use != TokenUse::Access => TokenUse::Id,
            Some("access") if self.token_use != TokenUse::Id => TokenUse::Access,
            _ => {
                return Err(AuthError::WrongTokenUse {
                    expected: self.token_use,
                });
            }
        };
        let client_id = match token_use {
            TokenUse::Access => claims
                .get("client_id")
                .and_then(Value::as_str)
                .filter(|c| self.allows(c))
                .ok_or(AuthError::WrongAudience { claim: "client_id" })?,
            _ => match claims.get("aud") {
                Some(Value::String(aud)) => Some(aud.as_str()),
                // RFC 7519 allows a list; Cognito sends a string.
                Some(Value::Array(auds)) => auds
                    .iter()
                    .filter_map(Value::as_str)
                    .find(|a| self.allows(a)),
                _ => None,
            }
            .filter(|c| self.allows(c))
            .ok_or(AuthError::WrongAudience { claim: "aud" })?,
        };

        let subject = claims
            .get("sub")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| AuthError::malformed("the token has no sub claim"))?;
        let username_claim = match token_use {
            TokenUse::Access => "username",
            _ => "cognito:username",
        };
        let username = claims
            .get(username_claim)
            .and_then(Value::as_str)
            .map(str::to_owned);
        let agent = match claims.get(&self.agent_claim) {
            Some(Value::String(agent)) if !agent.is_empty() => Some(agent.clone()),
            None | Some(Value::String(_)) => None,
            Some(_) => {
                tracing::warn!(claim = %self.agent_claim, "the agent claim is not a string; ignored");
                None
            }
        };
        Ok(Identity {
            subject: subject.to_owned(),
            username,
            agent,
            token_use,
            client_id: client_id.to_owned(),
            expires_at: UNIX_EPOCH + Duration::from_secs(u64::try_from(exp).unwrap_or(0)),
            agent_claim: self.agent_claim.clone(),
        })
    }

    fn allows(&self, client_id: &str) -> bool {
        self.client_ids.iter().any(|c| c == client_id)
    }
}

impl Authenticator for CognitoVerifier {
    fn authenticate<'a>(
        &'a self,
        authorization: Option<&'a str>,
    ) -> BoxFuture<'a, Result<Identity, AuthError>> {
        Box::pin(async move {
            match authorization {
                Some(authorization) => self.verify(authorization, SystemTime::now()).await,
                None => Err(AuthError::MissingToken {
                    reason: "no Authorization header",
                }),
            }
        })
    }
}

/// The token in an `Authorization` value: after `Bearer ` (any case), or the whole value when
/// it has no scheme.
pub(crate) fn bearer_token(authorization: &str) -> Result<&str, AuthError> {
    if authorization.len() > MAX_TOKEN_BYTES + 64 {
        return Err(AuthError::malformed(format!(
            "the token is longer than {MAX_TOKEN_BYTES} bytes"
        )));
    }
    let value = authorization.trim();
    if value.is_empty() {
        return Err(AuthError::MissingToken {
            reason: "the Authorization header is empty",
        });
    }
    let token = match value.split_once(|c: char| c.is_ascii_whitespace()) {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("bearer") => rest.trim_start(),
        Some(_) => {
            return Err(AuthError::MissingToken {
                reason: "the Authorization header does not use the Bearer scheme",
            });
        }
        None if value.eq_ignore_ascii_case("bearer") => "",
        None => value,
    };
    if token.is_empty() {
        return Err(AuthError::MissingToken {
            reason: "the Bearer scheme has no token",
        });
    }
    if token.len() > MAX_TOKEN_BYTES {
        return Err(AuthError::malformed(format!(
            "the token is longer than {MAX_TOKEN_BYTES} bytes"
        )));
    }
    Ok(token)
}

struct Parts<'a> {
    header: &'a str,
    payload: &'a str,
    signature: &'a str,
    /// `header.payload`, what the signature covers.
    signed: &'a str,
}

/// Three base64url parts, by dots (JWS compact serialization; JWE's five parts are refused).
fn split_token(token: &str) -> Result<Parts<'_>, AuthError> {
    if !token
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    {
        return Err(AuthError::malformed(
            "the token has characters outside base64url and dots",
        ));
    }
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(AuthError::malformed("a JWT has three dot-separated parts"));
    };
    Ok(Parts {
        header,
        payload,
        signature,
        signed: &token[..header.len() + 1 + payload.len()],
    })
}

fn decode_json<T: serde::de::DeserializeOwned>(
    part: &str,
    what: &'static str,
) -> Result<T, AuthError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| AuthError::malformed(format!("the {what} is not base64url")))?;
    serde_json::from_slice(&bytes)
        .map_err(|_| AuthError::malformed(format!("the {what} is not a JSON object")))
}

/// A NumericDate claim as whole seconds (fractions are dropped), `None` when absent.
fn numeric_date(
    claims: &Map<String, Value>,
    claim: &'static str,
) -> Result<Option<i64>, AuthError> {
    let Some(value) = claims.get(claim) else {
        return Ok(None);
    };
    let seconds = match value {
        Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.is_finite())
                // Saturating conversion: huge values clamp, which is what a comparison needs.
                .map(|f| f.floor() as i64)
        }),
        _ => None,
    };
    seconds
        .map(Some)
        .ok_or_else(|| AuthError::malformed(format!("the {claim} claim is not a number")))
}

/// The header's `alg` for an error message: short names as they are, anything else elided.
fn printable_alg(alg: &str) -> String {
    if !alg.is_empty() && alg.len() <= 16 && alg.bytes().all(|b| b.is_ascii_alphanumeric()) {
        format!("`{alg}`")
    } else {
        "(unprintable)".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_values() {
        assert_eq!(bearer_token("Bearer a.b.c"), Ok("a.b.c"));
        assert_eq!(bearer_token("bearer   a.b.c  "), Ok("a.b.c"));
        assert_eq!(bearer_token("BEARER\ta.b.c"), Ok("a.b.c"));
        assert_eq!(bearer_token("a.b.c"), Ok("a.b.c"));
        for missing in ["", "   ", "Bearer", "Bearer   ", "Basic dXNlcjpwYXNz"] {
            assert_eq!(
                bearer_token(missing).map_err(|e| e.code()),
                Err("missing-token"),
                "{missing:?}"
            );
        }
        let huge = format!("Bearer {}", "a".repeat(MAX_TOKEN_BYTES + 1));
        assert_eq!(
            bearer_token(&huge).map_err(|e| e.code()),
            Err("malformed-token")
        );
    }

    #[test]
    fn token_structure() {
        assert!(split_token("a.b.c").is_ok());
        for bad in ["a.b", "a.b.c.d", "a.b.c.d.e", "a b.c.d", "a.b.c=", "é.b.c"] {
            assert!(split_token(bad).is_err(), "{bad}");
        }
        let parts = split_token("hh.pp.ss").expect("three parts");
        assert_eq!(parts.signed, "hh.pp");
    }

    #[test]
    fn algorithm_names_in_messages() {
        assert_eq!(printable_alg("HS256"), "`HS256`");
        assert_eq!(printable_alg("none"), "`none`");
        assert_eq!(printable_alg("<script>"), "(unprintable)");
        assert_eq!(printable_alg(&"A".repeat(40)), "(unprintable)");
    }
}
