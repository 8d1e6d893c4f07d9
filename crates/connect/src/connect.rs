//! [`ConnectAdapter`]: one Amazon Connect API call per server action.

use std::collections::HashMap;

use aws_sdk_connect::Client;
use aws_sdk_connect::config::Builder as ConfigBuilder;
use aws_sdk_connect::config::retry::RetryConfig;
use aws_sdk_connect::primitives::DateTime;
use aws_sdk_connect::types::{
    ContactRecordingType, DisconnectReason, MonitorCapability, Reference, ReferenceType,
};
use streamhooks_actions::{Action, RecordingType};
use streamhooks_executor::ports::{BoxFuture, CallContext, CallError, Connect};

use crate::classify::{classify, timeout_until};

/// The Amazon Connect API a server action calls (`"StartTaskContact"` ...), `None` for client,
/// CRM and publish actions: the executor's mapping, which also keys its token buckets.
pub use streamhooks_executor::connect_operation as operation;

/// Runs server actions against one Amazon Connect instance.
#[derive(Debug, Clone)]
pub struct ConnectAdapter {
    client: Client,
    instance_id: String,
}

impl ConnectAdapter {
    /// An adapter over `client` for the instance `instance` (its id or its ARN). The client
    /// should be configured with [`ConnectAdapter::configure`].
    pub fn new(client: Client, instance: &str) -> Self {
        Self {
            client,
            instance_id: resource_id(instance).to_owned(),
        }
    }

    /// An adapter with a client built from `sdk` (region and credentials, see
    /// [`crate::load_aws_config`]) and [`ConnectAdapter::configure`].
    pub fn from_sdk_config(sdk: &aws_config::SdkConfig, instance: &str) -> Self {
        let config = Self::configure(ConfigBuilder::from(sdk)).build();
        Self::new(Client::from_conf(config), instance)
    }

    /// The client settings the adapter relies on: no SDK retries, because the executor's
    /// retry policy (with its shared token buckets) must be the only one.
    pub fn configure(builder: ConfigBuilder) -> ConfigBuilder {
        builder.retry_config(RetryConfig::disabled())
    }

    /// The instance id the adapter calls.
    pub fn instance_id(&self) -> &str {
        &self.instance_id
    }

    async fn run(&self, action: &Action, cx: &CallContext) -> Result<Option<String>, CallError> {
        if operation(action).is_none() {
            return Err(not_a_connect_action(action));
        }
        let timeouts = timeout_until(self.client.config().timeout_config(), cx.deadline)?;
        let over = || ConfigBuilder::default().timeout_config(timeouts.clone());
        // Every call: one attempt, with timeouts ending at the event's deadline, and its error
        // classified for the executor.
        macro_rules! send {
            ($request:expr) => {
                $request
                    .customize()
                    .config_override(over())
                    .send()
                    .await
                    .map_err(classify)?
            };
        }
        let c = &self.client;
        let instance = self.instance_id.as_str();
        let token = cx.client_token.as_str();
        match action {
            Action::PutUserStatus(a) => {
                send!(
                    c.put_user_status()
                        .instance_id(instance)
                        .user_id(resource_id(&a.user_id))
                        .agent_status_id(resource_id(&a.agent_status_id))
                );
                Ok(None)
            }
            Action::UpdateContactAttributes(a) => {
                send!(
                    c.update_contact_attributes()
                        .instance_id(instance)
                        .initial_contact_id(&a.initial_contact_id)
                        .set_attributes(Some(map(&a.attributes)))
                );
                Ok(None)
            }
            Action::UpdateContact(a) => {
                send!(
                    c.update_contact()
                        .instance_id(instance)
                        .contact_id(&a.contact_id)
                        .set_name(a.name.clone())
                        .set_description(a.description.clone())
                );
                Ok(None)
            }
            Action::StopContact(a) => {
                send!(
                    c.stop_contact()
                        .instance_id(instance)
                        .contact_id(&a.contact_id)
                        .set_disconnect_reason(
                            a.disconnect_reason
                                .as_ref()
                                .map(|code| DisconnectReason::builder().code(code).build()),
                        )
                );
                Ok(None)
            }
            Action::TransferContact(a) => {
                send!(
                    c.transfer_contact()
                        .instance_id(instance)
                        .contact_id(&a.contact_id)
                        .contact_flow_id(resource_id(&a.contact_flow_id))
                        .set_queue_id(a.queue_id.as_deref().map(|q| resource_id(q).to_owned()))
                        .set_user_id(a.user_id.as_deref().map(|u| resource_id(u).to_owned()))
                        .client_token(token)
                );
                Ok(None)
            }
            Action::StartTaskContact(a) => {
                let references = a
                    .references
                    .iter()
                    .map(|r| {
                        Reference::builder()
                            .r#type(ReferenceType::from(r.reference_type.as_str()))
                            .value(&r.value)
                            .build()
                            .map(|reference| (r.name.clone(), reference))
                    })
                    .collect::<Result<HashMap<_, _>, _>>()
                    .map_err(|e| CallError::Permanent {
                        code: "invalid-request".to_owned(),
                        message: e.to_string(),
                    })?;
                let out = send!(
                    c.start_task_contact()
                        .instance_id(instance)
                        .name(&a.name)
                        .set_description(a.description.clone())
                        .set_contact_flow_id(opt_id(&a.contact_flow_id))
                        .set_task_template_id(opt_id(&a.task_template_id))
                        .set_quick_connect_id(opt_id(&a.quick_connect_id))
                        .set_previous_contact_id(a.previous_contact_id.clone())
                        .set_related_contact_id(a.related_contact_id.clone())
                        .set_attributes(non_empty(map(&a.attributes)))
                        .set_references((!references.is_empty()).then_some(references))
                        .set_scheduled_time(a.scheduled_time.map(DateTime::from_millis))
                        .client_token(token)
                );
                Ok(out.contact_id().map(str::to_owned))
            }
            Action::StartOutboundVoiceContact(a) => {
                let out = send!(
                    c.start_outbound_voice_contact()
                        .instance_id(instance)
                        .destination_phone_number(&a.destination_phone_number)
                        .contact_flow_id(resource_id(&a.contact_flow_id))
                        .set_queue_id(opt_id(&a.queue_id))
                        .set_source_phone_number(a.source_phone_number.clone())
                        .set_related_contact_id(a.related_contact_id.clone())
                        .set_attributes(non_empty(map(&a.attributes)))
                        .client_token(token)
                );
                Ok(out.contact_id().map(str::to_owned))
            }
            Action::DismissUserContact(a) => {
                send!(
                    c.dismiss_user_contact()
                        .instance_id(instance)
                        .user_id(resource_id(&a.user_id))
                        .contact_id(&a.contact_id)
                );
                Ok(None)
            }
            Action::SuspendContactRecording(a) => {
                send!(
                    c.suspend_contact_recording()
                        .instance_id(instance)
                        .contact_id(&a.contact_id)
                        .initial_contact_id(&a.initial_contact_id)
                        .contact_recording_type(recording_type(a.recording_type))
                );
                Ok(None)
            }
            Action::ResumeContactRecording(a) => {
                send!(
                    c.resume_contact_recording()
                        .instance_id(instance)
                        .contact_id(&a.contact_id)
                        .initial_contact_id(&a.initial_contact_id)
                        .contact_recording_type(recording_type(a.recording_type))
                );
                Ok(None)
            }
            Action::MonitorContact(a) => {
                send!(
                    c.monitor_contact()
                        .instance_id(instance)
                        .contact_id(&a.contact_id)
                        .user_id(resource_id(&a.user_id))
                        .set_allowed_monitor_capabilities((!a.capabilities.is_empty()).then(|| {
                            a.capabilities
                                .iter()
                                .map(|c| MonitorCapability::from(c.as_str()))
                                .collect()
                        }))
                        .client_token(token)
                );
                Ok(None)
            }
            Action::TagContact(a) => {
                send!(
                    c.tag_contact()
                        .instance_id(instance)
                        .contact_id(&a.contact_id)
                        .set_tags(Some(map(&a.tags)))
                );
                Ok(None)
            }
            Action::Client(_) | Action::Crm(_) | Action::Publish(_) => {
                Err(not_a_connect_action(action))
            }
        }
    }
}

impl Connect for ConnectAdapter {
    fn call<'a>(
        &'a self,
        action: &'a Action,
        cx: &'a CallContext,
    ) -> BoxFuture<'a, Result<Option<String>, CallError>> {
        Box::pin(self.run(action, cx))
    }
}

fn not_a_connect_action(action: &Action) -> CallError {
    CallError::Permanent {
        code: "not-a-connect-action".to_owned(),
        message: format!(
            "a {} action is not an Amazon Connect call",
            action.type_name()
        ),
    }
}

/// A resource's id from its id or its ARN: Connect ARNs end with `/<id>`
/// (`arn:aws:connect:<region>:<account>:instance/<instance-id>/agent/<user-id>`), and most
/// operations (PutUserStatus, DismissUserContact, MonitorContact ...) take the id only.
fn resource_id(id_or_arn: &str) -> &str {
    if id_or_arn.starts_with("arn:") {
        id_or_arn.rsplit('/').next().unwrap_or(id_or_arn)
    } else {
        id_or_arn
    }
}

fn opt_id(id: &Option<String>) -> Option<String> {
    id.as_deref().map(|id| resource_id(id).to_owned())
}

fn map(pairs: &[(String, String)]) -> HashMap<String, String> {
    pairs.iter().cloned().collect()
}

fn non_empty(map: HashMap<String, String>) -> Option<HashMap<String, String>> {
    (!map.is_empty()).then_some(map)
}

/// Connect names the call recording after its participant: `AGENT` (the agent's call; `IVR` is
/// the part before an agent joins), `SCREEN` the agent's screen.
fn recording_type(t: RecordingType) -> ContactRecordingType {
    match t {
        RecordingType::Call => ContactRecordingType::Agent,
        RecordingType::Screen => ContactRecordingType::Screen,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};

    use aws_sdk_connect::config::http::HttpResponse;
    use aws_sdk_connect::config::{BehaviorVersion, Credentials, Region};
    use aws_sdk_connect::operation::{
        dismiss_user_contact::*, monitor_contact::*, put_user_status::*,
        resume_contact_recording::*, start_outbound_voice_contact::*, start_task_contact::*,
        stop_contact::*, suspend_contact_recording::*, tag_contact::*, transfer_contact::*,
        update_contact::*, update_contact_attributes::*,
    };
    use aws_smithy_mocks::{
        MockResponseInterceptor, Rule, RuleMode, create_mock_http_client, mock,
    };
    use streamhooks_actions as act;

    use super::*;

    const INSTANCE_ARN: &str = "arn:aws:connect:eu-west-2:111122223333:instance/inst-1";
    const USER_ARN: &str = "arn:aws:connect:eu-west-2:111122223333:instance/inst-1/agent/user-1";
    const TOKEN: &str = "token-e1-p-0";

    /// A client whose requests go through the SDK's whole request path (serialization,
    /// signing, deserialization of the canned responses) and never reach a network.
    fn adapter(rules: &[&Rule]) -> ConnectAdapter {
        let mut interceptor = MockResponseInterceptor::new().rule_mode(RuleMode::MatchAny);
        for rule in rules {
            interceptor = interceptor.with_rule(rule);
        }
        let config = ConnectAdapter::configure(
            aws_sdk_connect::Config::builder()
                .behavior_version(BehaviorVersion::latest())
                .region(Region::new("eu-west-2"))
                .credentials_provider(Credentials::new("AKID", "SECRET", None, None, "test"))
                .http_client(create_mock_http_client())
                .interceptor(interceptor),
        )
        .build();
        ConnectAdapter::new(Client::from_conf(config), INSTANCE_ARN)
    }

    fn cx() -> CallContext {
        CallContext {
            event_id: "e1".into(),
            plugin: "p".into(),
            index: 0,
            client_token: TOKEN.into(),
            attempt: 1,
            deadline: Instant::now() + Duration::from_secs(30),
        }
    }

    /// A rule answering `$op` with `$output`, and the inputs it received.
    macro_rules! capture {
        ($op:path, $output:expr) => {{
            let seen = Arc::new(Mutex::new(Vec::new()));
            let sink = Arc::clone(&seen);
            let rule = mock!($op).then_compute_output(move |input| {
                sink.lock().unwrap().push(input.clone());
                $output
            });
            (rule, seen)
        }};
    }

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn hash(p: &[(&str, &str)]) -> HashMap<String, String> {
        pairs(p).into_iter().collect()
    }

    async fn call(rules: &[&Rule], action: Action) -> Result<Option<String>, CallError> {
        adapter(rules).call(&action, &cx()).await
    }

    #[tokio::test]
    async fn put_user_status_sends_ids_not_arns() {
        let (rule, seen) = capture!(
            Client::put_user_status,
            PutUserStatusOutput::builder().build()
        );
        let action = Action::PutUserStatus(act::PutUserStatus {
            user_id: USER_ARN.into(),
            agent_status_id: "arn:aws:connect:eu-west-2:1:instance/inst-1/agent-state/st-9".into(),
        });
        assert_eq!(call(&[&rule], action).await, Ok(None));
        let expected = PutUserStatusInput::builder()
            .instance_id("inst-1")
            .user_id("user-1")
            .agent_status_id("st-9")
            .build()
            .unwrap();
        assert_eq!(*seen.lock().unwrap(), vec![expected]);
    }

    #[tokio::test]
    async fn update_contact_attributes() {
        let (rule, seen) = capture!(
            Client::update_contact_attributes,
            UpdateContactAttributesOutput::builder().build()
        );
        let action = Action::UpdateContactAttributes(act::UpdateContactAttributes {
            initial_contact_id: "c-1".into(),
            attributes: pairs(&[("Tier", "gold"), ("Crm", "42")]),
        });
        assert_eq!(call(&[&rule], action).await, Ok(None));
        let expected = UpdateContactAttributesInput::builder()
            .instance_id("inst-1")
            .initial_contact_id("c-1")
            .set_attributes(Some(hash(&[("Tier", "gold"), ("Crm", "42")])))
            .build()
            .unwrap();
        assert_eq!(*seen.lock().unwrap(), vec![expected]);
    }

    #[tokio::test]
    async fn update_contact() {
        let (rule, seen) = capture!(
            Client::update_contact,
            UpdateContactOutput::builder().build()
        );
        let action = Action::UpdateContact(act::UpdateContact {
            contact_id: "c-1".into(),
            name: Some("Refund".into()),
            description: None,
        });
        assert_eq!(call(&[&rule], action).await, Ok(None));
        let expected = UpdateContactInput::builder()
            .instance_id("inst-1")
            .contact_id("c-1")
            .name("Refund")
            .build()
            .unwrap();
        assert_eq!(*seen.lock().unwrap(), vec![expected]);
    }

    #[tokio::test]
    async fn stop_contact_with_and_without_reason() {
        let (rule, seen) = capture!(Client::stop_contact, StopContactOutput::builder().build());
        for reason in [Some("fraud"), None] {
            let action = Action::StopContact(act::StopContact {
                contact_id: "c-1".into(),
                disconnect_reason: reason.map(Into::into),
            });
            assert_eq!(call(&[&rule], action).await, Ok(None));
        }
        let expected = |reason: Option<&str>| {
            StopContactInput::builder()
                .instance_id("inst-1")
                .contact_id("c-1")
                .set_disconnect_reason(reason.map(|r| DisconnectReason::builder().code(r).build()))
                .build()
                .unwrap()
        };
        assert_eq!(
            *seen.lock().unwrap(),
            vec![expected(Some("fraud")), expected(None)]
        );
    }

    #[tokio::test]
    async fn transfer_contact_passes_the_client_token() {
        let (rule, seen) = capture!(
            Client::transfer_contact,
            TransferContactOutput::builder().build()
        );
        let action = Action::TransferContact(act::TransferContact {
            contact_id: "c-1".into(),
            contact_flow_id: "flow-1".into(),
            queue_id: Some("q-1".into()),
            user_id: None,
        });
        assert_eq!(call(&[&rule], action).await, Ok(None));
        let expected = TransferContactInput::builder()
            .instance_id("inst-1")
            .contact_id("c-1")
            .contact_flow_id("flow-1")
            .queue_id("q-1")
            .client_token(TOKEN)
            .build()
            .unwrap();
        assert_eq!(*seen.lock().unwrap(), vec![expected]);
    }

    #[tokio::test]
    async fn start_task_contact_returns_the_new_contact_id() {
        let (rule, seen) = capture!(
            Client::start_task_contact,
            StartTaskContactOutput::builder()
                .contact_id("task-7")
                .build()
        );
        let action = Action::StartTaskContact(act::StartTaskContact {
            name: "Call back".into(),
            description: Some("Customer asked for a call back".into()),
            contact_flow_id: Some("flow-1".into()),
            task_template_id: None,
            quick_connect_id: None,
            previous_contact_id: Some("c-1".into()),
            related_contact_id: None,
            attributes: pairs(&[("Reason", "callback")]),
            references: vec![act::TaskReference {
                name: "Ticket".into(),
                reference_type: "URL".into(),
                value: "https://crm/1".into(),
            }],
            scheduled_time: Some(1_700_000_000_000),
        });
        assert_eq!(call(&[&rule], action).await, Ok(Some("task-7".into())));
        let expected = StartTaskContactInput::builder()
            .instance_id("inst-1")
            .name("Call back")
            .description("Customer asked for a call back")
            .contact_flow_id("flow-1")
            .previous_contact_id("c-1")
            .attributes("Reason", "callback")
            .references(
                "Ticket",
                Reference::builder()
                    .r#type(ReferenceType::Url)
                    .value("https://crm/1")
                    .build()
                    .unwrap(),
            )
            .scheduled_time(DateTime::from_secs(1_700_000_000))
            .client_token(TOKEN)
            .build()
            .unwrap();
        assert_eq!(*seen.lock().unwrap(), vec![expected]);
    }

    #[tokio::test]
    async fn start_outbound_voice_contact_returns_the_new_contact_id() {
        let (rule, seen) = capture!(
            Client::start_outbound_voice_contact,
            StartOutboundVoiceContactOutput::builder()
                .contact_id("out-1")
                .build()
        );
        let action = Action::StartOutboundVoiceContact(act::StartOutboundVoiceContact {
            destination_phone_number: "+447700900123".into(),
            contact_flow_id: "flow-2".into(),
            queue_id: Some("q-1".into()),
            source_phone_number: None,
            related_contact_id: Some("c-1".into()),
            attributes: pairs(&[("Campaign", "renewal")]),
        });
        assert_eq!(call(&[&rule], action).await, Ok(Some("out-1".into())));
        let expected = StartOutboundVoiceContactInput::builder()
            .instance_id("inst-1")
            .destination_phone_number("+447700900123")
            .contact_flow_id("flow-2")
            .queue_id("q-1")
            .related_contact_id("c-1")
            .attributes("Campaign", "renewal")
            .client_token(TOKEN)
            .build()
            .unwrap();
        assert_eq!(*seen.lock().unwrap(), vec![expected]);
    }

    #[tokio::test]
    async fn dismiss_user_contact() {
        let (rule, seen) = capture!(
            Client::dismiss_user_contact,
            DismissUserContactOutput::builder().build()
        );
        let action = Action::DismissUserContact(act::DismissUserContact {
            user_id: USER_ARN.into(),
            contact_id: "c-1".into(),
        });
        assert_eq!(call(&[&rule], action).await, Ok(None));
        let expected = DismissUserContactInput::builder()
            .instance_id("inst-1")
            .user_id("user-1")
            .contact_id("c-1")
            .build()
            .unwrap();
        assert_eq!(*seen.lock().unwrap(), vec![expected]);
    }

    #[tokio::test]
    async fn suspend_and_resume_recording() {
        let (suspend, suspended) = capture!(
            Client::suspend_contact_recording,
            SuspendContactRecordingOutput::builder().build()
        );
        let (resume, resumed) = capture!(
            Client::resume_contact_recording,
            ResumeContactRecordingOutput::builder().build()
        );
        let recording = |recording_type| act::ContactRecording {
            contact_id: "c-2".into(),
            initial_contact_id: "c-1".into(),
            recording_type,
        };
        let rules = [&suspend, &resume];
        let action = Action::SuspendContactRecording(recording(RecordingType::Call));
        assert_eq!(call(&rules, action).await, Ok(None));
        let action = Action::ResumeContactRecording(recording(RecordingType::Screen));
        assert_eq!(call(&rules, action).await, Ok(None));
        let expected = SuspendContactRecordingInput::builder()
            .instance_id("inst-1")
            .contact_id("c-2")
            .initial_contact_id("c-1")
            .contact_recording_type(ContactRecordingType::Agent)
            .build()
            .unwrap();
        assert_eq!(*suspended.lock().unwrap(), vec![expected]);
        let expected = ResumeContactRecordingInput::builder()
            .instance_id("inst-1")
            .contact_id("c-2")
            .initial_contact_id("c-1")
            .contact_recording_type(ContactRecordingType::Screen)
            .build()
            .unwrap();
        assert_eq!(*resumed.lock().unwrap(), vec![expected]);
    }

    #[tokio::test]
    async fn monitor_contact() {
        let (rule, seen) = capture!(
            Client::monitor_contact,
            MonitorContactOutput::builder().contact_id("m-1").build()
        );
        let action = Action::MonitorContact(act::MonitorContact {
            contact_id: "c-1".into(),
            user_id: USER_ARN.into(),
            capabilities: vec!["SILENT_MONITOR".into(), "BARGE".into()],
        });
        assert_eq!(call(&[&rule], action).await, Ok(None));
        let expected = MonitorContactInput::builder()
            .instance_id("inst-1")
            .contact_id("c-1")
            .user_id("user-1")
            .allowed_monitor_capabilities(MonitorCapability::SilentMonitor)
            .allowed_monitor_capabilities(MonitorCapability::Barge)
            .client_token(TOKEN)
            .build()
            .unwrap();
        assert_eq!(*seen.lock().unwrap(), vec![expected]);
    }

    #[tokio::test]
    async fn tag_contact() {
        let (rule, seen) = capture!(Client::tag_contact, TagContactOutput::builder().build());
        let action = Action::TagContact(act::TagContact {
            contact_id: "c-1".into(),
            tags: pairs(&[("team", "billing")]),
        });
        assert_eq!(call(&[&rule], action).await, Ok(None));
        let expected = TagContactInput::builder()
            .instance_id("inst-1")
            .contact_id("c-1")
            .tags("team", "billing")
            .build()
            .unwrap();
        assert_eq!(*seen.lock().unwrap(), vec![expected]);
    }

    fn put_user_status() -> Action {
        Action::PutUserStatus(act::PutUserStatus {
            user_id: "user-1".into(),
            agent_status_id: "st-1".into(),
        })
    }

    /// PutUserStatus answered with an HTTP error, deserialized by the SDK as from the service.
    async fn answered(status: u16, body: Option<&str>) -> Result<Option<String>, CallError> {
        let rule = mock!(Client::put_user_status)
            .sequence()
            .http_status(status, body.map(str::to_owned))
            .build();
        call(&[&rule], put_user_status()).await
    }

    #[tokio::test]
    async fn throttling_is_throttled() {
        let body = r#"{"__type":"ThrottlingException","Message":"Rate exceeded"}"#;
        assert!(matches!(
            answered(429, Some(body)).await,
            Err(CallError::Throttled {
                retry_after: None,
                ..
            })
        ));
        let body = r#"{"__type":"TooManyRequestsException","message":"slow down"}"#;
        assert!(matches!(
            answered(400, Some(body)).await,
            Err(CallError::Throttled { .. })
        ));
        assert!(matches!(
            answered(429, None).await,
            Err(CallError::Throttled { .. })
        ));
    }

    #[tokio::test]
    async fn server_errors_are_transient() {
        let body = r#"{"__type":"InternalServiceException","Message":"oops"}"#;
        assert!(matches!(
            answered(500, Some(body)).await,
            Err(CallError::Transient { .. })
        ));
        assert!(matches!(
            answered(503, None).await,
            Err(CallError::Transient { .. })
        ));
    }

    #[tokio::test]
    async fn retry_after_is_passed_on() {
        let rule = mock!(Client::put_user_status)
            .sequence()
            .http_response(|| {
                let body = r#"{"__type":"ThrottlingException","Message":"Rate exceeded"}"#;
                let mut response = HttpResponse::new(
                    429.try_into().expect("a status"),
                    aws_smithy_types::body::SdkBody::from(body),
                );
                response.headers_mut().insert("Retry-After", "3");
                response
            })
            .build();
        assert_eq!(
            call(&[&rule], put_user_status()).await,
            Err(CallError::Throttled {
                retry_after: Some(Duration::from_secs(3)),
                message: "Rate exceeded".into()
            })
        );
    }

    /// The executor over this adapter: the SDK answers 429, 429, then 200; the executor retries
    /// (the SDK itself does not) and the action is done on the third call, with the same token.
    #[tokio::test]
    async fn the_executor_retries_throttles_through_the_sdk() {
        use streamhooks_executor::{Executor, Outcome, Planned, RateLimiter, RetryPolicy};
        let throttled = r#"{"__type":"ThrottlingException","Message":"Rate exceeded"}"#;
        let rule = mock!(Client::put_user_status)
            .sequence()
            .http_status(429, Some(throttled.to_owned()))
            .http_status(429, Some(throttled.to_owned()))
            .output(|| PutUserStatusOutput::builder().build())
            .build();
        let fast = RetryPolicy {
            max_attempts: 5,
            base: Duration::from_millis(10),
            cap: Duration::from_millis(40),
        };
        let executor = Executor::new(Arc::new(RateLimiter::connect_defaults()))
            .with_connect(Arc::new(adapter(&[&rule])))
            .with_retry(fast);
        let planned = |action| Planned {
            event_id: "e1".into(),
            plugin: "p".into(),
            index: 0,
            action,
            denied: None,
            resources: vec![],
        };
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        let execution = executor
            .execute(&[planned(put_user_status())], deadline)
            .await;
        assert_eq!(
            execution.outcomes[0].outcome,
            Outcome::Done {
                detail: None,
                attempts: 3
            }
        );
        assert_eq!(rule.num_calls(), 3);

        // A permanent error is not retried: one call, a failed outcome with the service's code.
        let denied = r#"{"__type":"AccessDeniedException","Message":"not allowed"}"#;
        let rule = mock!(Client::put_user_status)
            .sequence()
            .http_status(403, Some(denied.to_owned()))
            .build();
        let executor = Executor::new(Arc::new(RateLimiter::connect_defaults()))
            .with_connect(Arc::new(adapter(&[&rule])))
            .with_retry(fast);
        let execution = executor
            .execute(&[planned(put_user_status())], deadline)
            .await;
        match &execution.outcomes[0].outcome {
            Outcome::Failed {
                code,
                retryable: false,
                attempts: 1,
                ..
            } => assert_eq!(code, "AccessDeniedException"),
            other => panic!("{other:?}"),
        }
        assert_eq!(rule.num_calls(), 1);
    }

    #[tokio::test]
    async fn the_sdk_does_not_retry() {
        // A 500 then a success: with SDK retries on, the call would succeed on its second try.
        let rule = mock!(Client::put_user_status)
            .sequence()
            .http_status(500, None)
            .output(|| PutUserStatusOutput::builder().build())
            .build();
        assert!(matches!(
            call(&[&rule], put_user_status()).await,
            Err(CallError::Transient { .. })
        ));
        assert_eq!(rule.num_calls(), 1);
    }

    #[tokio::test]
    async fn client_errors_are_permanent_with_their_code() {
        for (status, code) in [
            (400, "InvalidParameterException"),
            (400, "InvalidRequestException"),
            (404, "ResourceNotFoundException"),
            (403, "AccessDeniedException"),
            (402, "ServiceQuotaExceededException"),
        ] {
            let body = format!(r#"{{"__type":"{code}","Message":"no"}}"#);
            match answered(status, Some(&body)).await {
                Err(CallError::Permanent { code: got, .. }) => assert_eq!(got, code),
                other => panic!("{code}: {other:?}"),
            }
        }
        assert!(matches!(
            answered(409, None).await,
            Err(CallError::Permanent { code, .. }) if code == "http-409"
        ));
    }

    #[tokio::test]
    async fn non_connect_actions_and_late_calls_make_no_request() {
        let (rule, seen) = capture!(
            Client::put_user_status,
            PutUserStatusOutput::builder().build()
        );
        let adapter = adapter(&[&rule]);
        let client = Action::Client(act::ClientAction {
            agent_arn: USER_ARN.into(),
            contact_id: None,
            directive: act::ClientDirective::Hold,
        });
        assert!(matches!(
            adapter.call(&client, &cx()).await,
            Err(CallError::Permanent { code, .. }) if code == "not-a-connect-action"
        ));
        let late = CallContext {
            deadline: Instant::now(),
            ..cx()
        };
        assert!(matches!(
            adapter.call(&put_user_status(), &late).await,
            Err(CallError::Transient { .. })
        ));
        assert!(seen.lock().unwrap().is_empty());
        assert_eq!(rule.num_calls(), 0);
    }

    #[test]
    fn operation_names_are_the_api_names() {
        assert_eq!(operation(&put_user_status()), Some("PutUserStatus"));
        let crm = Action::Publish(act::PublishEvent {
            detail_type: "x".into(),
            detail: serde_json::json!({}),
        });
        assert_eq!(operation(&crm), None);
        assert_eq!(resource_id(INSTANCE_ARN), "inst-1");
        assert_eq!(resource_id("user-1"), "user-1");
    }
}
