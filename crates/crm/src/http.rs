//! What both connectors share: the client, URL checks, deadlines and how an HTTP answer becomes a
//! [`CallError`].

use std::time::{Duration, Instant, SystemTime};

use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::{StatusCode, Url};
use streamhooks_executor::CallError;

use crate::ConfigError;

/// Error messages are cut to this many bytes: enough to act on, too short to carry a record.
pub(crate) const MAX_MESSAGE: usize = 500;

/// Parses `url` and refuses anything but HTTPS, except plain HTTP to this machine (tests and
/// local runs): secrets and customer data must not cross a network in the clear.
pub(crate) fn checked_url(name: &str, url: &str) -> Result<Url, ConfigError> {
    let invalid = |reason: String| ConfigError::Invalid {
        name: name.to_owned(),
        reason,
    };
    let parsed = Url::parse(url).map_err(|e| invalid(format!("`{url}` is not a URL: {e}")))?;
    match parsed.scheme() {
        "https" => {}
        "http" if is_loopback(&parsed) => {}
        "http" => {
            return Err(invalid(format!(
                "`{url}` is plain HTTP; use HTTPS (HTTP is allowed only for 127.0.0.1 and localhost)"
            )));
        }
        other => return Err(invalid(format!("`{url}` has scheme `{other}`; use HTTPS"))),
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(invalid(format!("`{url}` has no host")));
    }
    Ok(parsed)
}

/// Whether `url` points at this machine.
pub(crate) fn is_loopback(url: &Url) -> bool {
    matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"))
}

/// One client per connector. Redirects are not followed: a signed request or a bearer token must
/// not be replayed to wherever a 3xx points. Proxies are skipped for this machine only.
pub(crate) fn client(name: &str, loopback: bool) -> Result<reqwest::Client, ConfigError> {
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("streamhooks-crm/", env!("CARGO_PKG_VERSION")));
    if loopback {
        builder = builder.no_proxy();
    }
    builder.build().map_err(|e| ConfigError::Invalid {
        name: name.to_owned(),
        reason: format!("cannot build the HTTP client: {e}"),
    })
}

/// The timeout for the next request: the configured one, or the time left before the deadline
/// if that is shorter. No time left is a transient failure: the executor decides what follows.
pub(crate) fn request_timeout(
    configured: Duration,
    deadline: Instant,
) -> Result<Duration, CallError> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return Err(CallError::Transient {
            message: "deadline reached before the request".into(),
        });
    }
    Ok(configured.min(left))
}

/// A request that got no complete answer: timeouts and connection failures may pass.
pub(crate) fn send_error(e: reqwest::Error) -> CallError {
    // The URL can hold a record id; keep it out of messages that end up in logs.
    let e = e.without_url();
    let message = if e.is_timeout() {
        "timed out".to_owned()
    } else if e.is_connect() {
        format!("connection failed: {}", source_chain(&e))
    } else {
        format!("request failed: {}", source_chain(&e))
    };
    CallError::Transient { message }
}

fn source_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut next = e.source();
    while let Some(cause) = next {
        out.push_str(": ");
        out.push_str(&cause.to_string());
        next = cause.source();
    }
    out
}

/// A non-success status: 429 is throttled, 5xx transient, the rest permanent (`http-<status>`).
pub(crate) fn status_error(status: StatusCode, headers: &HeaderMap, message: String) -> CallError {
    let message = truncate(message);
    if status == StatusCode::TOO_MANY_REQUESTS {
        CallError::Throttled {
            retry_after: retry_after(headers),
            message,
        }
    } else if status.is_server_error() {
        CallError::Transient {
            message: format!("http-{}: {message}", status.as_u16()),
        }
    } else {
        CallError::Permanent {
            code: format!("http-{}", status.as_u16()),
            message,
        }
    }
}

/// `Retry-After` as delay-seconds or an HTTP-date.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(
        at.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// What a generic error body says: a JSON `message`, `error_description` or `error` (or the
/// first array element's), else the text itself. Never more than [`MAX_MESSAGE`] bytes.
pub(crate) fn body_message(body: &[u8]) -> String {
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) {
        let first = match &value {
            serde_json::Value::Array(items) => items.first().unwrap_or(&value),
            _ => &value,
        };
        for key in ["message", "error_description", "error"] {
            if let Some(text) = first.get(key).and_then(serde_json::Value::as_str) {
                return truncate(text.to_owned());
            }
        }
    }
    truncate(String::from_utf8_lossy(body).trim().to_owned())
}

/// Cuts `s` to at most [`MAX_MESSAGE`] bytes on a character boundary.
pub(crate) fn truncate(mut s: String) -> String {
    if s.len() > MAX_MESSAGE {
        let mut end = MAX_MESSAGE;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn urls_must_be_https_unless_local() {
        assert!(checked_url("w", "https://crm.example.com/hook").is_ok());
        assert!(checked_url("w", "http://127.0.0.1:8080/hook").is_ok());
        assert!(checked_url("w", "http://localhost/hook").is_ok());
        let err = checked_url("w", "http://crm.example.com/hook").unwrap_err();
        assert!(err.to_string().contains("plain HTTP"), "{err}");
        assert!(checked_url("w", "ftp://crm.example.com").is_err());
        assert!(checked_url("w", "not a url").is_err());
    }

    #[test]
    fn retry_after_takes_seconds_and_dates() {
        let mut headers = HeaderMap::new();
        assert_eq!(retry_after(&headers), None);
        headers.insert(RETRY_AFTER, HeaderValue::from_static("2"));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(2)));
        headers.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Sun, 06 Nov 1994 08:49:37 GMT"),
        );
        assert_eq!(retry_after(&headers), Some(Duration::ZERO));
        let later = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(120));
        headers.insert(RETRY_AFTER, HeaderValue::from_str(&later).unwrap());
        let d = retry_after(&headers).unwrap();
        assert!(
            d > Duration::from_secs(100) && d <= Duration::from_secs(120),
            "{d:?}"
        );
        headers.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&headers), None);
    }

    #[test]
    fn statuses_are_classified() {
        let h = HeaderMap::new();
        assert!(matches!(
            status_error(StatusCode::TOO_MANY_REQUESTS, &h, "slow".into()),
            CallError::Throttled {
                retry_after: None,
                ..
            }
        ));
        assert!(matches!(
            status_error(StatusCode::BAD_GATEWAY, &h, "x".into()),
            CallError::Transient { .. }
        ));
        assert_eq!(
            status_error(StatusCode::NOT_FOUND, &h, "gone".into()),
            CallError::Permanent {
                code: "http-404".into(),
                message: "gone".into()
            }
        );
    }

    #[test]
    fn messages_are_read_and_truncated() {
        assert_eq!(body_message(br#"{"message":"bad"}"#), "bad");
        assert_eq!(
            body_message(br#"[{"message":"first"},{"message":"second"}]"#),
            "first"
        );
        assert_eq!(
            body_message(br#"{"error":"invalid_client","error_description":"no"}"#),
            "no"
        );
        assert_eq!(body_message(b" plain text \n"), "plain text");
        let long = "é".repeat(400);
        let cut = truncate(long);
        assert!(cut.len() <= MAX_MESSAGE && cut.len() >= MAX_MESSAGE - 1);
    }

    #[test]
    fn no_time_left_is_transient() {
        let past = Instant::now() - Duration::from_millis(1);
        assert!(matches!(
            request_timeout(Duration::from_secs(5), past),
            Err(CallError::Transient { .. })
        ));
        let soon = Instant::now() + Duration::from_secs(1);
        assert!(request_timeout(Duration::from_secs(5), soon).unwrap() <= Duration::from_secs(1));
        let later = Instant::now() + Duration::from_secs(60);
        assert_eq!(
            request_timeout(Duration::from_secs(5), later).unwrap(),
            Duration::from_secs(5)
        );
    }
}
