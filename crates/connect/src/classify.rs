//! How an AWS SDK error becomes a [`CallError`]: by its structure (the error's code, the HTTP
//! status, the kind of failure), never by its message text.

use std::time::{Duration, Instant};

use aws_sdk_connect::config::http::HttpResponse;
use aws_sdk_connect::config::timeout::TimeoutConfig;
use aws_sdk_connect::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use streamhooks_executor::ports::CallError;

/// Error codes that mean "slow down". Connect answers `ThrottlingException` (HTTP 429); some
/// AWS services say `TooManyRequestsException` or `Throttling`.
const THROTTLING_CODES: &[&str] = &[
    "ThrottlingException",
    "TooManyRequestsException",
    "Throttling",
    "ThrottledException",
    "RequestLimitExceeded",
];

/// Error codes for a failure on the service's side that may pass.
const TRANSIENT_CODES: &[&str] = &[
    "InternalServiceException",
    "InternalException",
    "InternalFailure",
    "InternalServerException",
    "ServiceUnavailable",
    "ServiceUnavailableException",
];

/// Classifies a service's answer from its error code and HTTP status.
pub(crate) fn from_code(
    code: Option<&str>,
    message: Option<&str>,
    status: Option<u16>,
    retry_after: Option<Duration>,
) -> CallError {
    let message = message.or(code).unwrap_or("no message").to_owned();
    if code.is_some_and(|c| THROTTLING_CODES.contains(&c)) || status == Some(429) {
        return CallError::Throttled {
            retry_after,
            message,
        };
    }
    if code.is_some_and(|c| TRANSIENT_CODES.contains(&c)) || status.is_some_and(|s| s >= 500) {
        return CallError::Transient { message };
    }
    let code = match (code, status) {
        (Some(code), _) => code.to_owned(),
        (None, Some(status)) => format!("http-{status}"),
        (None, None) => "unknown".to_owned(),
    };
    CallError::Permanent { code, message }
}

/// Classifies a failed SDK call.
pub(crate) fn classify<E>(err: SdkError<E, HttpResponse>) -> CallError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    match &err {
        SdkError::ServiceError(ctx) => {
            let raw = ctx.raw();
            let service_err = ctx.err();
            from_code(
                service_err.code(),
                service_err.message(),
                Some(raw.status().as_u16()),
                retry_after(raw),
            )
        }
        // The response could not be read (a truncated body, a proxy's page): judge by the status.
        SdkError::ResponseError(ctx) => {
            let raw = ctx.raw();
            let message = DisplayErrorContext(&err).to_string();
            from_code(
                None,
                Some(&message),
                Some(raw.status().as_u16()),
                retry_after(raw),
            )
        }
        SdkError::TimeoutError(_) => CallError::Transient {
            message: DisplayErrorContext(&err).to_string(),
        },
        SdkError::DispatchFailure(failure) if failure.is_user() => CallError::Permanent {
            code: "dispatch-failure".to_owned(),
            message: DisplayErrorContext(&err).to_string(),
        },
        // Connection refused or reset, DNS, TLS, a connect timeout: the request may not have
        // reached the service; client tokens make trying again safe.
        SdkError::DispatchFailure(_) => CallError::Transient {
            message: DisplayErrorContext(&err).to_string(),
        },
        // The request could not be built (a missing required parameter): trying again builds
        // the same request.
        SdkError::ConstructionFailure(_) => CallError::Permanent {
            code: "invalid-request".to_owned(),
            message: DisplayErrorContext(&err).to_string(),
        },
        _ => CallError::Transient {
            message: DisplayErrorContext(&err).to_string(),
        },
    }
}

/// The `Retry-After` header, in seconds, when the service sent one.
fn retry_after(raw: &HttpResponse) -> Option<Duration> {
    raw.headers()
        .get("retry-after")
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
}

/// The operation timeout for a call that must be finished by `deadline`, keeping the client's
/// other timeouts; `Err` when there is no time left to start one.
pub(crate) fn timeout_until(
    base: Option<&TimeoutConfig>,
    deadline: Instant,
) -> Result<TimeoutConfig, CallError> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return Err(CallError::Transient {
            message: "the deadline passed before the call was made".to_owned(),
        });
    }
    let mut builder = base.map(TimeoutConfig::to_builder).unwrap_or_default();
    builder.set_operation_timeout(Some(left));
    Ok(builder.build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_statuses_classify() {
        let throttled = from_code(
            Some("ThrottlingException"),
            Some("Rate exceeded"),
            Some(429),
            None,
        );
        assert!(
            matches!(throttled, CallError::Throttled { ref message, .. } if message == "Rate exceeded")
        );
        assert!(matches!(
            from_code(Some("TooManyRequestsException"), None, Some(400), None),
            CallError::Throttled { .. }
        ));
        assert!(
            matches!(from_code(None, None, Some(429), Some(Duration::from_secs(2))),
            CallError::Throttled { retry_after: Some(d), .. } if d == Duration::from_secs(2))
        );
        assert!(matches!(
            from_code(Some("InternalServiceException"), None, Some(500), None),
            CallError::Transient { .. }
        ));
        assert!(matches!(
            from_code(None, None, Some(503), None),
            CallError::Transient { .. }
        ));
        assert_eq!(
            from_code(
                Some("ServiceQuotaExceededException"),
                Some("quota"),
                Some(402),
                None
            ),
            CallError::Permanent {
                code: "ServiceQuotaExceededException".into(),
                message: "quota".into()
            }
        );
        assert_eq!(
            from_code(None, None, Some(409), None),
            CallError::Permanent {
                code: "http-409".into(),
                message: "no message".into()
            }
        );
    }

    #[test]
    fn failures_without_an_answer_classify_by_kind() {
        use aws_sdk_connect::error::ConnectorError;
        use aws_sdk_connect::operation::put_user_status::PutUserStatusError;
        type Err = SdkError<PutUserStatusError, HttpResponse>;
        let timeout: Err = SdkError::timeout_error("operation timed out");
        assert!(matches!(classify(timeout), CallError::Transient { .. }));
        let reset: Err = SdkError::dispatch_failure(ConnectorError::io("connection reset".into()));
        assert!(matches!(classify(reset), CallError::Transient { .. }));
        let refused: Err =
            SdkError::dispatch_failure(ConnectorError::timeout("connect timeout".into()));
        assert!(matches!(classify(refused), CallError::Transient { .. }));
        let user: Err = SdkError::dispatch_failure(ConnectorError::user("bad endpoint".into()));
        assert!(matches!(
            classify(user),
            CallError::Permanent { code, .. } if code == "dispatch-failure"
        ));
        let build: Err = SdkError::construction_failure("missing UserId");
        assert!(matches!(
            classify(build),
            CallError::Permanent { code, .. } if code == "invalid-request"
        ));
    }

    #[test]
    fn no_time_left_means_no_call() {
        let past = Instant::now() - Duration::from_millis(1);
        assert!(matches!(
            timeout_until(None, past),
            Err(CallError::Transient { .. })
        ));
        let base = TimeoutConfig::builder()
            .connect_timeout(Duration::from_secs(3))
            .build();
        let t = timeout_until(Some(&base), Instant::now() + Duration::from_secs(5))
            .expect("time is left");
        assert_eq!(t.connect_timeout(), Some(Duration::from_secs(3)));
        assert!(
            t.operation_timeout()
                .is_some_and(|d| d <= Duration::from_secs(5))
        );
    }
}
