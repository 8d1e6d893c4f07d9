//! Handlers for the server-side sources: EventBridge (contact events, Contact Lens rules) and
//! the Kinesis agent event stream.

use serde::Serialize;
use serde_json::Value;
use streamhooks_events::{Limits, agent_stream, eventbridge};
use tokio::time::Instant;

use crate::dead_letter::{DeadLetter, DeadLetterReason};
use crate::pipeline::{Delivery, EventReport, Service};

/// A failed invocation, for the Lambda runtime to report (`errorType`, `errorMessage`): the
/// source delivers the input again (EventBridge async invocations are retried, then sent to
/// the function's failure destination).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{error_type}: {message}")]
pub struct InvocationError {
    /// A stable type: `InvalidEvent`, `DeadLetterFailed`, or the type of the first failed
    /// event (`StateStoreUnavailable`, `PluginFailed`, `ActionsFailed`, `InProgress` ...).
    pub error_type: String,
    /// What went wrong.
    pub message: String,
}

fn undecodable(service: &Service, error: &str, input: &Value) -> DeadLetter {
    DeadLetter::new(
        DeadLetterReason::Undecodable,
        &service.config().function,
        "undecodable",
        error,
    )
    .with_input(input)
}

/// What an EventBridge invocation came to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventBridgeSummary {
    /// One report per decoded event.
    pub events: Vec<EventReport>,
    /// Whether the input was undecodable and sent to the dead letters instead.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub dead_lettered: bool,
}

/// Handles one EventBridge event (contact event or Contact Lens rule match).
///
/// Undecodable input is sent to the dead letters and acknowledged (retrying cannot fix it);
/// an event that should be retried fails the invocation so that Lambda retries it.
pub async fn handle_eventbridge(
    service: &Service,
    input: &Value,
    limits: &Limits,
    deadline: Instant,
) -> Result<EventBridgeSummary, InvocationError> {
    let events = match eventbridge::decode(input, limits) {
        Ok(events) => events,
        Err(e) => {
            tracing::warn!(error = %e, "undecodable EventBridge event");
            let letter = undecodable(service, &e.to_string(), input);
            service
                .dead_letters()
                .send(std::slice::from_ref(&letter), deadline.into_std())
                .await
                .map_err(|dl| InvocationError {
                    error_type: "DeadLetterFailed".into(),
                    message: format!("undecodable event ({e}) could not be dead-lettered: {dl}"),
                })?;
            return Ok(EventBridgeSummary {
                events: Vec::new(),
                dead_lettered: true,
            });
        }
    };
    let mut reports = Vec::with_capacity(events.len());
    for event in &events {
        let report = service.process(event, &Delivery::None, deadline).await;
        if report.should_retry() {
            return Err(invocation_error(&report));
        }
        reports.push(report);
    }
    Ok(EventBridgeSummary {
        events: reports,
        dead_lettered: false,
    })
}

fn invocation_error(report: &EventReport) -> InvocationError {
    match &report.status {
        crate::Status::Failed {
            error_type,
            message,
        } => InvocationError {
            error_type: error_type.clone(),
            message: format!("event {}: {message}", report.event_id),
        },
        crate::Status::InProgress { lease_until } => InvocationError {
            error_type: "InProgress".into(),
            message: format!(
                "event {} is being processed by another invocation (lease until {lease_until})",
                report.event_id
            ),
        },
        _ => InvocationError {
            error_type: "Internal".into(),
            message: format!("event {} was not completed", report.event_id),
        },
    }
}

/// The Lambda partial batch response for Kinesis (`ReportBatchItemFailures`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BatchResponse {
    /// The records to deliver again, by sequence number.
    #[serde(rename = "batchItemFailures")]
    pub batch_item_failures: Vec<BatchItemFailure>,
}

/// One record to deliver again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BatchItemFailure {
    /// The record's `kinesis.sequenceNumber`.
    #[serde(rename = "itemIdentifier")]
    pub item_identifier: String,
}

/// Handles a Lambda Kinesis event from the agent event stream, record by record, in order.
///
/// - An undecodable record is dead-lettered and acknowledged: it never blocks its shard.
/// - At the first record that should be retried (or when the deadline is near), that record
///   and every later one are reported as failures without being processed, so that Lambda
///   delivers them again in order (it resumes from the lowest failed sequence number).
/// - `Err` only when the input is not a Kinesis event at all.
pub async fn handle_kinesis(
    service: &Service,
    input: &Value,
    limits: &Limits,
    deadline: Instant,
) -> Result<BatchResponse, InvocationError> {
    let records = input
        .get("Records")
        .and_then(Value::as_array)
        .ok_or_else(|| InvocationError {
            error_type: "InvalidEvent".into(),
            message: "not a Kinesis event: `Records` (an array) is missing".into(),
        })?;
    let mut response = BatchResponse::default();
    let mut failing = false;
    for (i, record) in records.iter().enumerate() {
        let sequence = record
            .pointer("/kinesis/sequenceNumber")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let Some(sequence) = sequence else {
            // Without a sequence number the record cannot be reported; failing the whole
            // batch is the only way not to lose it.
            return Err(InvocationError {
                error_type: "InvalidEvent".into(),
                message: format!("Records[{i}].kinesis.sequenceNumber is missing"),
            });
        };
        if failing {
            response.batch_item_failures.push(BatchItemFailure {
                item_identifier: sequence,
            });
            continue;
        }
        if deadline.saturating_duration_since(Instant::now())
            < std::time::Duration::from_millis(200)
        {
            tracing::warn!(
                record = i,
                "deadline near: the rest of the batch is left for redelivery"
            );
            failing = true;
            response.batch_item_failures.push(BatchItemFailure {
                item_identifier: sequence,
            });
            continue;
        }
        let ok = match agent_stream::decode_kinesis_record(record, limits) {
            Err(e) => {
                let e = format!("Records[{i}]: {e}");
                tracing::warn!(record = i, sequence = %sequence, error = %e, "undecodable agent event");
                let letter = undecodable(service, &e, record);
                match service
                    .dead_letters()
                    .send(std::slice::from_ref(&letter), deadline.into_std())
                    .await
                {
                    Ok(()) => true,
                    Err(dl) => {
                        tracing::warn!(record = i, "could not dead-letter: {dl}");
                        false
                    }
                }
            }
            Ok(events) => {
                let mut ok = true;
                for event in &events {
                    if service
                        .process(event, &Delivery::None, deadline)
                        .await
                        .should_retry()
                    {
                        ok = false;
                        break;
                    }
                }
                ok
            }
        };
        if !ok {
            failing = true;
            response.batch_item_failures.push(BatchItemFailure {
                item_identifier: sequence,
            });
        }
    }
    Ok(response)
}
