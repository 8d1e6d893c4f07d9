//! [`EventBridgePublisher`]: EventBridge PutEvents, with one result per entry.

use std::time::Instant;

use aws_sdk_eventbridge::Client;
use aws_sdk_eventbridge::config::Builder as ConfigBuilder;
use aws_sdk_eventbridge::config::retry::RetryConfig;
use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use streamhooks_executor::ports::{BoxFuture, CallError, EventPublisher, PublishEntry};

use crate::classify::{classify, from_code, timeout_until};

/// EventBridge takes at most 10 entries per PutEvents call.
const MAX_ENTRIES: usize = 10;

/// Publishes to one EventBridge event bus.
#[derive(Debug, Clone)]
pub struct EventBridgePublisher {
    client: Client,
    bus: String,
}

impl EventBridgePublisher {
    /// A publisher over `client` to the event bus `bus` (its name or ARN). The client should be
    /// configured with [`EventBridgePublisher::configure`].
    pub fn new(client: Client, bus: impl Into<String>) -> Self {
        Self {
            client,
            bus: bus.into(),
        }
    }

    /// A publisher with a client built from `sdk` (region and credentials, see
    /// [`crate::load_aws_config`]) and [`EventBridgePublisher::configure`].
    pub fn from_sdk_config(sdk: &aws_config::SdkConfig, bus: impl Into<String>) -> Self {
        let config = Self::configure(ConfigBuilder::from(sdk)).build();
        Self::new(Client::from_conf(config), bus)
    }

    /// The client settings the publisher relies on: no SDK retries (the executor retries).
    pub fn configure(builder: ConfigBuilder) -> ConfigBuilder {
        builder.retry_config(RetryConfig::disabled())
    }

    async fn publish(
        &self,
        entries: &[PublishEntry],
        deadline: Instant,
    ) -> Result<Vec<Result<String, CallError>>, CallError> {
        if entries.is_empty() {
            return Ok(Vec::new());
        }
        if entries.len() > MAX_ENTRIES {
            return Err(CallError::Permanent {
                code: "too-many-entries".to_owned(),
                message: format!(
                    "{} entries in one PutEvents call, at most {MAX_ENTRIES}",
                    entries.len()
                ),
            });
        }
        let timeouts = timeout_until(self.client.config().timeout_config(), deadline)?;
        let request_entries = entries
            .iter()
            .map(|e| {
                PutEventsRequestEntry::builder()
                    .source(&e.source)
                    .detail_type(&e.detail_type)
                    .detail(&e.detail)
                    .set_resources((!e.resources.is_empty()).then(|| e.resources.clone()))
                    .event_bus_name(&self.bus)
                    .build()
            })
            .collect();
        let out = self
            .client
            .put_events()
            .set_entries(Some(request_entries))
            .customize()
            .config_override(ConfigBuilder::default().timeout_config(timeouts))
            .send()
            .await
            .map_err(classify)?;
        // The response's entries are in the order of the request's.
        let results = out.entries();
        Ok((0..entries.len())
            .map(|i| match results.get(i) {
                Some(r) if r.error_code().is_none() && r.event_id().is_some() => {
                    Ok(r.event_id().unwrap_or_default().to_owned())
                }
                Some(r) => Err(entry_error(r.error_code(), r.error_message())),
                None => Err(CallError::Transient {
                    message: "PutEvents returned no result for this entry".to_owned(),
                }),
            })
            .collect())
    }
}

/// A failed entry: EventBridge reports `ThrottlingException` and `InternalException` (or
/// `InternalFailure`) per entry; anything else (`MalformedDetail`, `InvalidArgument`, an
/// access or KMS error) will fail again.
fn entry_error(code: Option<&str>, message: Option<&str>) -> CallError {
    match from_code(code, message, None, None) {
        CallError::Permanent { code, message } if code == "unknown" => CallError::Transient {
            message: format!("PutEvents failed the entry without a code: {message}"),
        },
        other => other,
    }
}

impl EventPublisher for EventBridgePublisher {
    fn put_events<'a>(
        &'a self,
        entries: &'a [PublishEntry],
        deadline: Instant,
    ) -> BoxFuture<'a, Result<Vec<Result<String, CallError>>, CallError>> {
        Box::pin(self.publish(entries, deadline))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use aws_sdk_eventbridge::config::{BehaviorVersion, Credentials, Region};
    use aws_sdk_eventbridge::operation::put_events::{PutEventsInput, PutEventsOutput};
    use aws_sdk_eventbridge::types::PutEventsResultEntry;
    use aws_smithy_mocks::{
        MockResponseInterceptor, Rule, RuleMode, create_mock_http_client, mock,
    };

    use super::*;

    fn publisher(rule: &Rule) -> EventBridgePublisher {
        let interceptor = MockResponseInterceptor::new()
            .rule_mode(RuleMode::MatchAny)
            .with_rule(rule);
        let config = EventBridgePublisher::configure(
            aws_sdk_eventbridge::Config::builder()
                .behavior_version(BehaviorVersion::latest())
                .region(Region::new("eu-west-2"))
                .credentials_provider(Credentials::new("AKID", "SECRET", None, None, "test"))
                .http_client(create_mock_http_client())
                .interceptor(interceptor),
        )
        .build();
        EventBridgePublisher::new(Client::from_conf(config), "streamhooks")
    }

    fn entry(n: usize) -> PublishEntry {
        PublishEntry {
            source: "streamhooks.sentiment".into(),
            detail_type: "ContactScored".into(),
            detail: format!(r#"{{"n":{n}}}"#),
            resources: if n == 0 {
                vec!["arn:aws:connect:eu-west-2:1:instance/i/contact/c-1".into()]
            } else {
                Vec::new()
            },
        }
    }

    fn deadline() -> Instant {
        Instant::now() + Duration::from_secs(30)
    }

    fn ok(id: &str) -> PutEventsResultEntry {
        PutEventsResultEntry::builder().event_id(id).build()
    }

    fn failed(code: &str) -> PutEventsResultEntry {
        PutEventsResultEntry::builder()
            .error_code(code)
            .error_message("failed")
            .build()
    }

    #[tokio::test]
    async fn one_failed_entry_of_three_is_reported_in_place() {
        let seen = Arc::new(Mutex::new(Vec::<PutEventsInput>::new()));
        let sink = Arc::clone(&seen);
        let rule = mock!(Client::put_events).then_compute_output(move |input| {
            sink.lock().unwrap().push(input.clone());
            PutEventsOutput::builder()
                .failed_entry_count(1)
                .entries(ok("ev-0"))
                .entries(failed("ThrottlingException"))
                .entries(ok("ev-2"))
                .build()
        });
        let entries = [entry(0), entry(1), entry(2)];
        let results = publisher(&rule)
            .put_events(&entries, deadline())
            .await
            .unwrap();
        assert_eq!(results.len(), 3);
        assert_eq!(results[0], Ok("ev-0".to_owned()));
        assert!(matches!(results[1], Err(CallError::Throttled { .. })));
        assert_eq!(results[2], Ok("ev-2".to_owned()));

        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 1, "one PutEvents call");
        let sent = seen[0].entries();
        assert_eq!(sent.len(), 3);
        for (i, e) in sent.iter().enumerate() {
            assert_eq!(e.source(), Some("streamhooks.sentiment"));
            assert_eq!(e.detail_type(), Some("ContactScored"));
            assert_eq!(e.detail(), Some(format!(r#"{{"n":{i}}}"#).as_str()));
            assert_eq!(e.event_bus_name(), Some("streamhooks"));
        }
        assert_eq!(
            sent[0].resources(),
            ["arn:aws:connect:eu-west-2:1:instance/i/contact/c-1".to_owned()]
        );
        assert!(sent[1].resources().is_empty());
    }

    #[tokio::test]
    async fn entry_failures_are_classified_by_code() {
        let rule = mock!(Client::put_events).then_output(|| {
            PutEventsOutput::builder()
                .failed_entry_count(3)
                .entries(failed("InternalFailure"))
                .entries(failed("InternalException"))
                .entries(failed("MalformedDetail"))
                .build()
        });
        let entries = [entry(0), entry(1), entry(2)];
        let results = publisher(&rule)
            .put_events(&entries, deadline())
            .await
            .unwrap();
        assert!(matches!(results[0], Err(CallError::Transient { .. })));
        assert!(matches!(results[1], Err(CallError::Transient { .. })));
        assert!(matches!(
            &results[2],
            Err(CallError::Permanent { code, .. }) if code == "MalformedDetail"
        ));
    }

    #[tokio::test]
    async fn whole_call_failures_are_classified() {
        type Expect = fn(&CallError) -> bool;
        let cases: [(u16, Option<&str>, Expect); 3] = [
            (
                400,
                Some(r#"{"__type":"ThrottlingException","message":"slow"}"#),
                |e| matches!(e, CallError::Throttled { .. }),
            ),
            (
                500,
                Some(r#"{"__type":"InternalException","message":"oops"}"#),
                |e| matches!(e, CallError::Transient { .. }),
            ),
            (
                400,
                Some(r#"{"__type":"ResourceNotFoundException","message":"no bus"}"#),
                |e| matches!(e, CallError::Permanent { code, .. } if code == "ResourceNotFoundException"),
            ),
        ];
        for (status, body, expected) in cases {
            let rule = mock!(Client::put_events)
                .sequence()
                .http_status(status, body.map(str::to_owned))
                .build();
            let err = publisher(&rule)
                .put_events(&[entry(0)], deadline())
                .await
                .unwrap_err();
            assert!(expected(&err), "{status} {body:?}: {err:?}");
        }
    }

    #[tokio::test]
    async fn empty_and_oversized_batches_make_no_call() {
        let rule = mock!(Client::put_events).then_output(|| PutEventsOutput::builder().build());
        let publisher = publisher(&rule);
        assert_eq!(publisher.put_events(&[], deadline()).await, Ok(Vec::new()));
        let eleven: Vec<_> = (0..11).map(entry).collect();
        assert!(matches!(
            publisher.put_events(&eleven, deadline()).await,
            Err(CallError::Permanent { code, .. }) if code == "too-many-entries"
        ));
        assert_eq!(rule.num_calls(), 0);
    }
}
