//! SDK errors, classified by error code and HTTP status (never by message text).

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::CancellationReason;

/// A request failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Failure {
    /// Trying again may succeed.
    Unavailable(String),
    /// It will not.
    Refused(String),
}

/// Error codes of failures that may pass: throttling, DynamoDB's internal errors, and
/// conflicts with concurrent transactions.
const TRANSIENT_CODES: &[&str] = &[
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "Throttling",
    "RequestLimitExceeded",
    "InternalServerError",
    "InternalFailure",
    "ServiceUnavailable",
    "ServiceUnavailableException",
    "TransactionConflictException",
    "TransactionInProgressException",
    "ReplicatedWriteConflictException",
];

/// Cancellation reason codes of a `TransactionCanceledException` that may pass.
const TRANSIENT_CANCELLATIONS: &[&str] = &[
    "TransactionConflict",
    "ThrottlingError",
    "ProvisionedThroughputExceeded",
    "RequestLimitExceeded",
    "ReplicatedWriteConflict",
];

/// Classifies `err`, from `operation` on `table`.
pub(crate) fn classify<E>(table: &str, operation: &str, err: &SdkError<E>) -> Failure
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let context = |what: String| format!("DynamoDB {operation} on table {table}: {what}");
    match err {
        SdkError::ServiceError(service) => {
            let e = service.err();
            let status = service.raw().status().as_u16();
            let code = e.code().unwrap_or("unknown error");
            let message = e.message().unwrap_or("");
            let what = context(format!("{code} (HTTP {status}): {message}"));
            if e.code().is_some_and(|c| TRANSIENT_CODES.contains(&c))
                || status == 429
                || status >= 500
            {
                Failure::Unavailable(what)
            } else {
                Failure::Refused(what)
            }
        }
        SdkError::TimeoutError(_) => Failure::Unavailable(context("timed out".to_owned())),
        SdkError::DispatchFailure(_) => Failure::Unavailable(context(format!(
            "request failed in transit: {}",
            aws_sdk_dynamodb::error::DisplayErrorContext(err)
        ))),
        SdkError::ResponseError(_) => Failure::Unavailable(context(format!(
            "unreadable response: {}",
            aws_sdk_dynamodb::error::DisplayErrorContext(err)
        ))),
        SdkError::ConstructionFailure(_) => Failure::Refused(context(format!(
            "request not built: {}",
            aws_sdk_dynamodb::error::DisplayErrorContext(err)
        ))),
        _ => Failure::Unavailable(context(format!(
            "{}",
            aws_sdk_dynamodb::error::DisplayErrorContext(err)
        ))),
    }
}

/// Classifies a cancelled transaction by its cancellation reasons: unavailable if one of them
/// may pass (and none is a validation error), refused otherwise. `describe(i)` names the
/// transaction's item `i`.
pub(crate) fn classify_cancellation(
    table: &str,
    reasons: &[CancellationReason],
    describe: impl Fn(usize) -> String,
) -> Failure {
    let failed: Vec<String> = reasons
        .iter()
        .enumerate()
        .filter(|(_, r)| r.code().is_some_and(|c| c != "None"))
        .map(|(i, r)| {
            format!(
                "{}: {}{}",
                describe(i),
                r.code().unwrap_or_default(),
                r.message().map(|m| format!(" ({m})")).unwrap_or_default()
            )
        })
        .collect();
    let what = format!(
        "DynamoDB TransactWriteItems on table {table}: transaction cancelled, nothing written: {}",
        if failed.is_empty() {
            "no reason given".to_owned()
        } else {
            failed.join("; ")
        }
    );
    let transient = reasons.iter().any(|r| {
        r.code()
            .is_some_and(|c| TRANSIENT_CANCELLATIONS.contains(&c))
    });
    let invalid = reasons
        .iter()
        .any(|r| r.code().is_some_and(|c| c == "ValidationError"));
    if transient && !invalid {
        Failure::Unavailable(what)
    } else {
        Failure::Refused(what)
    }
}
