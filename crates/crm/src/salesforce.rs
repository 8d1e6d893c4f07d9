//! Salesforce through its REST API, signed in with the OAuth 2.0 client-credentials flow.
//!
//! - Token: `POST {instance_url}/services/oauth2/token` with `grant_type=client_credentials`,
//!   `client_id` and `client_secret`; the answer's `access_token` and `instance_url` are kept in
//!   memory, shared by every call, and fetched again once when a call answers 401.
//! - `upsert`: `PATCH /services/data/v60.0/sobjects/{object}/{id_field}/{id}` (201 created,
//!   200/204 updated).
//! - `create`: `POST /services/data/v60.0/sobjects/{object}` (201 with the new `id`).
//! - `update`: `PATCH /services/data/v60.0/sobjects/{object}/{id}` (204).
//!
//! Errors: Salesforce answers `[{"message", "errorCode"}]`; the `errorCode` becomes the
//! permanent code, except `REQUEST_LIMIT_EXCEEDED` (403, the org's API quota), which is throttled.
//! Object and field names must match `[A-Za-z0-9_]+` and ids be URL-safe (`[A-Za-z0-9._~-]+`),
//! checked before any request: `invalid-crm-object` otherwise.

use std::time::{Duration, Instant};

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE};
use reqwest::{Method, StatusCode, Url};
use serde::Deserialize;
use streamhooks_actions::{CrmOperation, CrmUpdate};
use streamhooks_executor::{BoxFuture, CallContext, CallError, CrmConnector};
use tokio::sync::Mutex;

use crate::ConfigError;
use crate::http;

/// The REST API version in request paths when none is configured.
pub const DEFAULT_API_VERSION: &str = "v60.0";
/// The timeout of one request when none is configured.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// How to reach a Salesforce org. `Debug` does not show the secret.
#[derive(Clone)]
pub struct SalesforceConfig {
    /// Where to ask for tokens, e.g. `https://acme.my.salesforce.com`: HTTPS, or HTTP to
    /// 127.0.0.1/localhost only. Data calls go to the `instance_url` the token answer names.
    pub instance_url: String,
    /// The connected app's consumer key.
    pub client_id: String,
    /// The connected app's consumer secret.
    pub client_secret: String,
    /// The REST API version, `v60.0` by default.
    pub api_version: String,
    /// The longest one request may take (less when the event's deadline is nearer).
    pub timeout: Duration,
}

impl SalesforceConfig {
    /// A configuration with the default API version and timeout.
    pub fn new(
        instance_url: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        Self {
            instance_url: instance_url.into(),
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            api_version: DEFAULT_API_VERSION.into(),
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// Reads `<prefix>_INSTANCE_URL`, `<prefix>_CLIENT_ID`, `<prefix>_CLIENT_SECRET` and
    /// optionally `<prefix>_API_VERSION` and `<prefix>_TIMEOUT_MS` from the environment, e.g.
    /// `STREAMHOOKS_CRM_SALESFORCE_CLIENT_ID` for the prefix `STREAMHOOKS_CRM_SALESFORCE`.
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
            instance_url: vars.required("INSTANCE_URL")?,
            client_id: vars.required("CLIENT_ID")?,
            client_secret: vars.required("CLIENT_SECRET")?,
            api_version: vars
                .optional("API_VERSION")
                .unwrap_or_else(|| DEFAULT_API_VERSION.into()),
            timeout: vars.timeout()?.unwrap_or(DEFAULT_TIMEOUT),
        })
    }
}

impl std::fmt::Debug for SalesforceConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SalesforceConfig")
            .field("instance_url", &self.instance_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("api_version", &self.api_version)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// Writes CRM updates to Salesforce sObjects. See the [module docs](self).
pub struct SalesforceConnector {
    token_url: Url,
    client_id: String,
    client_secret: String,
    api_version: String,
    timeout: Duration,
    client: reqwest::Client,
    token: Mutex<Option<Token>>,
}

impl std::fmt::Debug for SalesforceConnector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SalesforceConnector")
            .field("token_url", &self.token_url.as_str())
            .field("client_id", &self.client_id)
            .field("api_version", &self.api_version)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// A cached access token and where to use it.
#[derive(Clone)]
struct Token {
    access_token: String,
    instance_url: Url,
    /// Counts fetches, so a 401 replaces only the token it was answered to.
    generation: u64,
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    instance_url: String,
}

#[derive(Deserialize)]
struct OAuthError {
    error: String,
    #[serde(default)]
    error_description: String,
}

#[derive(Deserialize)]
struct SalesforceError {
    #[serde(default)]
    message: String,
    #[serde(rename = "errorCode")]
    error_code: String,
}

impl SalesforceConnector {
    /// Checks the configuration and builds the client. No request is made until the first write.
    pub fn new(config: SalesforceConfig) -> Result<Self, ConfigError> {
        let base = http::checked_url("salesforce instance_url", &config.instance_url)?;
        let token_url = base
            .join("/services/oauth2/token")
            .map_err(|e| ConfigError::Invalid {
                name: "salesforce instance_url".into(),
                reason: e.to_string(),
            })?;
        for (name, value) in [
            ("salesforce client_id", &config.client_id),
            ("salesforce client_secret", &config.client_secret),
        ] {
            if value.is_empty() {
                return Err(ConfigError::Invalid {
                    name: name.into(),
                    reason: "is empty".into(),
                });
            }
        }
        let version_ok = config
            .api_version
            .strip_prefix('v')
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit() || b == b'.'));
        if !version_ok {
            return Err(ConfigError::Invalid {
                name: "salesforce api_version".into(),
                reason: format!("`{}` is not like `v60.0`", config.api_version),
            });
        }
        let client = http::client("salesforce", http::is_loopback(&token_url))?;
        Ok(Self {
            token_url,
            client_id: config.client_id,
            client_secret: config.client_secret,
            api_version: config.api_version,
            timeout: config.timeout,
            client,
            token: Mutex::new(None),
        })
    }

    /// [`SalesforceConfig::from_env`], then [`new`](Self::new).
    pub fn from_env(prefix: &str) -> Result<Self, ConfigError> {
        Self::new(SalesforceConfig::from_env(prefix)?)
    }

    /// The cached token, or a new one. Holding the lock while fetching makes concurrent writes
    /// wait for one token request instead of each making their own. `stale` is the generation
    /// a 401 was answered to: that token is dropped, a newer one kept.
    async fn token(&self, deadline: Instant, stale: Option<u64>) -> Result<Token, CallError> {
        // Another write may be fetching a token: wait for it, but not past this call's deadline.
        let lock = self.token.lock();
        let Ok(mut cached) =
            tokio::time::timeout_at(tokio::time::Instant::from_std(deadline), lock).await
        else {
            return Err(CallError::Transient {
                message: "deadline reached waiting for a token".into(),
            });
        };
        if let Some(token) = cached.as_ref()
            && stale != Some(token.generation)
        {
            return Ok(token.clone());
        }
        let generation = cached.as_ref().map_or(0, |t| t.generation + 1);
        let token = self.fetch_token(deadline, generation).await?;
        *cached = Some(token.clone());
        Ok(token)
    }

    async fn fetch_token(&self, deadline: Instant, generation: u64) -> Result<Token, CallError> {
        let timeout = http::request_timeout(self.timeout, deadline)?;
        let form = format!(
            "grant_type=client_credentials&client_id={}&client_secret={}",
            form_encode(&self.client_id),
            form_encode(&self.client_secret)
        );
        let response = self
            .client
            .post(self.token_url.clone())
            .timeout(timeout)
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(form)
            .send()
            .await
            .map_err(http::send_error)?;
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.map_err(http::send_error)?;
        if !status.is_success() {
            if status.is_client_error()
                && status != StatusCode::TOO_MANY_REQUESTS
                && let Ok(e) = serde_json::from_slice::<OAuthError>(&bytes)
            {
                return Err(CallError::Permanent {
                    code: e.error,
                    message: http::truncate(format!("token request: {}", e.error_description)),
                });
            }
            let message = format!("token request: {}", http::body_message(&bytes));
            return Err(http::status_error(status, &headers, message));
        }
        let answer: TokenAnswer =
            serde_json::from_slice(&bytes).map_err(|e| CallError::Transient {
                message: format!("token answer unreadable: {e}"),
            })?;
        let instance_url = http::checked_url("token answer instance_url", &answer.instance_url)
            .map_err(|e| CallError::Permanent {
                code: "invalid-token-answer".into(),
                message: e.to_string(),
            })?;
        Ok(Token {
            access_token: answer.access_token,
            instance_url,
            generation,
        })
    }

    async fn send(
        &self,
        update: &CrmUpdate,
        cx: &CallContext,
    ) -> Result<Option<String>, CallError> {
        let request = Request::new(update)?;
        let token = self.token(cx.deadline, None).await?;
        match self.call(&request, &token, cx.deadline).await? {
            Answer::Done(id) => Ok(id),
            Answer::Unauthorized => {
                let token = self.token(cx.deadline, Some(token.generation)).await?;
                match self.call(&request, &token, cx.deadline).await? {
                    Answer::Done(id) => Ok(id),
                    Answer::Unauthorized => Err(CallError::Permanent {
                        code: "http-401".into(),
                        message: "unauthorized with a fresh token".into(),
                    }),
                }
            }
        }
    }

    async fn call(
        &self,
        request: &Request<'_>,
        token: &Token,
        deadline: Instant,
    ) -> Result<Answer, CallError> {
        let timeout = http::request_timeout(self.timeout, deadline)?;
        let mut url = token.instance_url.clone();
        url.set_query(None);
        url.set_fragment(None);
        {
            let mut segments = url.path_segments_mut().map_err(|()| CallError::Permanent {
                code: "invalid-token-answer".into(),
                message: "instance_url cannot have a path".into(),
            })?;
            segments.pop_if_empty();
            segments.extend(["services", "data", &self.api_version, "sobjects"]);
            segments.extend(request.path.iter().copied());
        }
        let response = self
            .client
            .request(request.method.clone(), url)
            .timeout(timeout)
            .header(AUTHORIZATION, format!("Bearer {}", token.access_token))
            .header(CONTENT_TYPE, "application/json")
            .body(request.body.clone())
            .send()
            .await
            .map_err(http::send_error)?;
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.map_err(http::send_error)?;
        if status.is_success() {
            let id = serde_json::from_slice::<serde_json::Value>(&bytes)
                .ok()
                .and_then(|v| v.get("id").and_then(|id| id.as_str().map(str::to_owned)))
                .or_else(|| request.record_id.map(str::to_owned));
            return Ok(Answer::Done(id));
        }
        if status == StatusCode::UNAUTHORIZED {
            return Ok(Answer::Unauthorized);
        }
        let errors: Vec<SalesforceError> = serde_json::from_slice(&bytes).unwrap_or_default();
        if let Some(first) = errors.first() {
            let message = http::truncate(first.message.clone());
            if first.error_code == "REQUEST_LIMIT_EXCEEDED" {
                return Err(CallError::Throttled {
                    retry_after: http::retry_after(&headers),
                    message,
                });
            }
            if status.is_client_error() && status != StatusCode::TOO_MANY_REQUESTS {
                return Err(CallError::Permanent {
                    code: first.error_code.clone(),
                    message,
                });
            }
        }
        Err(http::status_error(
            status,
            &headers,
            http::body_message(&bytes),
        ))
    }
}

enum Answer {
    Done(Option<String>),
    Unauthorized,
}

/// A checked update: method, path below `sobjects/`, JSON body.
struct Request<'a> {
    method: Method,
    path: Vec<&'a str>,
    body: Vec<u8>,
    /// The record id an update names, returned when the answer has none.
    record_id: Option<&'a str>,
}

impl<'a> Request<'a> {
    fn new(update: &'a CrmUpdate) -> Result<Self, CallError> {
        let invalid = |message: String| CallError::Permanent {
            code: "invalid-crm-object".into(),
            message,
        };
        if !is_name(&update.object) {
            return Err(invalid(format!(
                "object `{}` is not a Salesforce name",
                update.object
            )));
        }
        let Some(fields) = update.fields.as_object() else {
            return Err(invalid("fields must be a JSON object".into()));
        };
        if let Some(field) = fields.keys().find(|k| !is_name(k)) {
            return Err(invalid(format!("field `{field}` is not a Salesforce name")));
        }
        let id = || match update.id.as_deref() {
            Some(id) if is_url_safe(id) => Ok(id),
            Some(_) => Err(invalid("id is not URL-safe ([A-Za-z0-9._~-])".into())),
            None => Err(invalid(format!("{:?} needs an id", update.operation))),
        };
        let (method, path, record_id) = match update.operation {
            CrmOperation::Create => (Method::POST, vec![update.object.as_str()], None),
            CrmOperation::Update => {
                let id = id()?;
                (Method::PATCH, vec![update.object.as_str(), id], Some(id))
            }
            CrmOperation::Upsert => {
                let field = match update.id_field.as_deref() {
                    Some(f) if is_name(f) => f,
                    Some(f) => {
                        return Err(invalid(format!("id field `{f}` is not a Salesforce name")));
                    }
                    None => return Err(invalid("upsert needs an id_field".into())),
                };
                (
                    Method::PATCH,
                    vec![update.object.as_str(), field, id()?],
                    None,
                )
            }
        };
        let body = serde_json::to_vec(&update.fields)
            .map_err(|e| invalid(format!("fields cannot be encoded: {e}")))?;
        Ok(Self {
            method,
            path,
            body,
            record_id,
        })
    }
}

fn is_name(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

fn is_url_safe(s: &str) -> bool {
    !s.is_empty()
        && s != "."
        && s != ".."
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'~' | b'-'))
}

/// `application/x-www-form-urlencoded` for one value.
fn form_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => {
                out.push(char::from(b));
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

impl CrmConnector for SalesforceConnector {
    fn write<'a>(
        &'a self,
        update: &'a CrmUpdate,
        cx: &'a CallContext,
    ) -> BoxFuture<'a, Result<Option<String>, CallError>> {
        Box::pin(self.send(update, cx))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn update(
        operation: CrmOperation,
        object: &str,
        id_field: Option<&str>,
        id: Option<&str>,
    ) -> CrmUpdate {
        CrmUpdate {
            connector: "salesforce".into(),
            object: object.into(),
            operation,
            id_field: id_field.map(Into::into),
            id: id.map(Into::into),
            fields: json!({"Subject": "Call"}),
        }
    }

    fn code(r: Result<Request<'_>, CallError>) -> String {
        match r {
            Err(CallError::Permanent { code, .. }) => code,
            Err(e) => panic!("{e}"),
            Ok(_) => panic!("accepted"),
        }
    }

    #[test]
    fn requests_are_built_and_checked() {
        let u = update(CrmOperation::Upsert, "Task", Some("CallId__c"), Some("c-1"));
        let r = Request::new(&u).unwrap();
        assert_eq!(
            (r.method, r.path),
            (Method::PATCH, vec!["Task", "CallId__c", "c-1"])
        );
        let u = update(CrmOperation::Create, "Task", None, None);
        assert_eq!(Request::new(&u).unwrap().path, vec!["Task"]);
        let u = update(CrmOperation::Update, "Task", None, Some("00T1"));
        assert_eq!(Request::new(&u).unwrap().record_id, Some("00T1"));

        for u in [
            update(CrmOperation::Create, "Task/../User", None, None),
            update(CrmOperation::Create, "", None, None),
            update(CrmOperation::Update, "Task", None, Some("a/b")),
            update(CrmOperation::Update, "Task", None, Some("..")),
            update(CrmOperation::Update, "Task", None, None),
            update(CrmOperation::Upsert, "Task", None, Some("c-1")),
            update(CrmOperation::Upsert, "Task", Some("Id?x"), Some("c-1")),
        ] {
            assert_eq!(code(Request::new(&u)), "invalid-crm-object", "{u:?}");
        }
        let mut u = update(CrmOperation::Create, "Task", None, None);
        u.fields = json!({"Bad Field": 1});
        assert_eq!(code(Request::new(&u)), "invalid-crm-object");
        u.fields = json!([1]);
        assert_eq!(code(Request::new(&u)), "invalid-crm-object");
    }

    #[test]
    fn form_values_are_encoded() {
        assert_eq!(form_encode("a b&c=d+é"), "a+b%26c%3Dd%2B%C3%A9");
    }

    #[test]
    fn config_is_checked_and_redacted() {
        let ok = SalesforceConfig::new("https://acme.my.salesforce.com", "id", "shh");
        assert!(!format!("{ok:?}").contains("shh"));
        assert!(SalesforceConnector::new(ok.clone()).is_ok());
        let mut bad = ok.clone();
        bad.instance_url = "http://acme.my.salesforce.com".into();
        assert!(SalesforceConnector::new(bad).is_err());
        let mut bad = ok.clone();
        bad.client_secret.clear();
        assert!(SalesforceConnector::new(bad).is_err());
        let mut bad = ok;
        bad.api_version = "../v1".into();
        assert!(SalesforceConnector::new(bad).is_err());
    }
}
