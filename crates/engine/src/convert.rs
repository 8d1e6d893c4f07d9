//! Conversions between the crate's own types and the WIT types: the canonical event into the
//! WIT `event` record, WIT actions into [`streamhooks_actions::Action`].

use chrono::{DateTime, Utc};
use serde_json::Value;
use streamhooks_actions::action as a;
use streamhooks_events as ev;

use crate::bindings::types as wit;

fn millis(t: &DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

fn named(n: &ev::Named) -> wit::Named {
    wit::Named {
        arn: n.arn.clone(),
        name: n.name.clone(),
    }
}

fn agent_state(s: &ev::AgentState) -> wit::AgentState {
    wit::AgentState {
        name: s.name.clone(),
        state_type: s.state_type.as_str().to_owned(),
        arn: s.arn.clone(),
        since: s.since.as_ref().map(millis),
    }
}

/// The WIT `event` record a plugin receives for `event`.
pub(crate) fn event_to_wit(event: &ev::Event) -> wit::Event {
    wit::Event {
        version: event.version,
        id: event.id.clone(),
        source: match event.source {
            ev::Source::Streams => wit::Source::Streams,
            ev::Source::Eventbridge => wit::Source::Eventbridge,
            ev::Source::AgentStream => wit::Source::AgentStream,
        },
        kind: event.kind.as_str().to_owned(),
        source_type: event.source_type.clone(),
        occurred_at: millis(&event.occurred_at),
        instance_arn: event.instance_arn.clone(),
        agent_arn: event.agent_arn.clone(),
        contact_id: event.contact_id.clone(),
        agent: event.agent.as_ref().map(|g| wit::AgentSnapshot {
            arn: g.arn.clone(),
            username: g.username.clone(),
            name: g.name.clone(),
            state: g.state.as_ref().map(agent_state),
            next_state: g.next_state.as_ref().map(agent_state),
            routing_profile: g.routing_profile.as_ref().map(named),
            contact_ids: g.contact_ids.clone(),
        }),
        contact: event.contact.as_ref().map(|c| wit::ContactSnapshot {
            contact_id: c.contact_id.clone(),
            initial_contact_id: c.initial_contact_id.clone(),
            previous_contact_id: c.previous_contact_id.clone(),
            related_contact_id: c.related_contact_id.clone(),
            channel: c.channel.as_ref().map(|ch| ch.as_str().to_owned()),
            initiation_method: c.initiation_method.clone(),
            state: c.state.as_ref().map(|s| s.as_str().to_owned()),
            state_since: c.state_since.as_ref().map(millis),
            on_hold: c.on_hold,
            queue: c.queue.as_ref().map(named),
            initiated_at: c.initiated_at.as_ref().map(millis),
            queued_at: c.queued_at.as_ref().map(millis),
            connected_to_agent_at: c.connected_to_agent_at.as_ref().map(millis),
            disconnected_at: c.disconnected_at.as_ref().map(millis),
            attributes: c
                .attributes
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        }),
        change: event.change.as_ref().map(|c| wit::Change {
            from: c.from.clone(),
            to: c.to.clone(),
        }),
        rule: event.rule.as_ref().map(|r| wit::RuleMatch {
            name: r.name.clone(),
            action: r.action.clone(),
            queue_arn: r.queue_arn.clone(),
        }),
        error: event.error.as_ref().map(|e| wit::ErrorInfo {
            error_type: e.error_type.clone(),
            message: e.message.clone(),
            endpoint: e.endpoint.clone(),
        }),
        muted: event.muted,
        // A `Value` always serializes; `null` (raw dropped on purpose) stays `null`.
        raw_json: serde_json::to_string(&event.raw).unwrap_or_else(|_| "null".to_owned()),
    }
}

/// Parses a `fields-json` / `detail-json` string: it must be a JSON object.
fn json_object(field: &str, text: &str) -> Result<Value, String> {
    match serde_json::from_str::<Value>(text) {
        Ok(value @ Value::Object(_)) => Ok(value),
        Ok(_) => Err(format!("{field} is not a JSON object")),
        Err(e) => Err(format!("{field} is not valid JSON: {e}")),
    }
}

/// The host-side action for a WIT action; `Err` says why it cannot be read.
pub(crate) fn action_from_wit(action: wit::Action) -> Result<a::Action, String> {
    Ok(match action {
        wit::Action::PutUserStatus(x) => a::Action::PutUserStatus(a::PutUserStatus {
            user_id: x.user_id,
            agent_status_id: x.agent_status_id,
        }),
        wit::Action::UpdateContactAttributes(x) => {
            a::Action::UpdateContactAttributes(a::UpdateContactAttributes {
                initial_contact_id: x.initial_contact_id,
                attributes: x.attributes,
            })
        }
        wit::Action::UpdateContact(x) => a::Action::UpdateContact(a::UpdateContact {
            contact_id: x.contact_id,
            name: x.name,
            description: x.description,
        }),
        wit::Action::StopContact(x) => a::Action::StopContact(a::StopContact {
            contact_id: x.contact_id,
            disconnect_reason: x.disconnect_reason,
        }),
        wit::Action::TransferContact(x) => a::Action::TransferContact(a::TransferContact {
            contact_id: x.contact_id,
            contact_flow_id: x.contact_flow_id,
            queue_id: x.queue_id,
            user_id: x.user_id,
        }),
        wit::Action::StartTaskContact(x) => a::Action::StartTaskContact(a::StartTaskContact {
            name: x.name,
            description: x.description,
            contact_flow_id: x.contact_flow_id,
            task_template_id: x.task_template_id,
            quick_connect_id: x.quick_connect_id,
            previous_contact_id: x.previous_contact_id,
            related_contact_id: x.related_contact_id,
            attributes: x.attributes,
            references: x
                .references
                .into_iter()
                .map(|r| a::TaskReference {
                    name: r.name,
                    reference_type: r.reference_type,
                    value: r.value,
                })
                .collect(),
            scheduled_time: x.scheduled_time,
        }),
        wit::Action::StartOutboundVoiceContact(x) => {
            a::Action::StartOutboundVoiceContact(a::StartOutboundVoiceContact {
                destination_phone_number: x.destination_phone_number,
                contact_flow_id: x.contact_flow_id,
                queue_id: x.queue_id,
                source_phone_number: x.source_phone_number,
                related_contact_id: x.related_contact_id,
                attributes: x.attributes,
            })
        }
        wit::Action::DismissUserContact(x) => {
            a::Action::DismissUserContact(a::DismissUserContact {
                user_id: x.user_id,
                contact_id: x.contact_id,
            })
        }
        wit::Action::SuspendContactRecording(x) => a::Action::SuspendContactRecording(recording(x)),
        wit::Action::ResumeContactRecording(x) => a::Action::ResumeContactRecording(recording(x)),
        wit::Action::MonitorContact(x) => a::Action::MonitorContact(a::MonitorContact {
            contact_id: x.contact_id,
            user_id: x.user_id,
            capabilities: x.capabilities,
        }),
        wit::Action::TagContact(x) => a::Action::TagContact(a::TagContact {
            contact_id: x.contact_id,
            tags: x.tags,
        }),
        wit::Action::Client(x) => a::Action::Client(a::ClientAction {
            agent_arn: x.agent_arn,
            contact_id: x.contact_id,
            directive: match x.directive {
                wit::ClientDirective::Accept => a::ClientDirective::Accept,
                wit::ClientDirective::Reject => a::ClientDirective::Reject,
                wit::ClientDirective::Hold => a::ClientDirective::Hold,
                wit::ClientDirective::Resume => a::ClientDirective::Resume,
                wit::ClientDirective::SendDigits(d) => a::ClientDirective::SendDigits(d),
                wit::ClientDirective::Conference => a::ClientDirective::Conference,
                wit::ClientDirective::Mute => a::ClientDirective::Mute,
                wit::ClientDirective::Unmute => a::ClientDirective::Unmute,
                wit::ClientDirective::SetState(s) => a::ClientDirective::SetState(s),
                wit::ClientDirective::ScreenPop(p) => a::ClientDirective::ScreenPop(a::ScreenPop {
                    url: p.url,
                    title: p.title,
                    data: p.data,
                }),
            },
        }),
        wit::Action::Crm(x) => a::Action::Crm(a::CrmUpdate {
            fields: json_object("fields-json", &x.fields_json)?,
            connector: x.connector,
            object: x.object,
            operation: match x.operation {
                wit::CrmOperation::Create => a::CrmOperation::Create,
                wit::CrmOperation::Upsert => a::CrmOperation::Upsert,
                wit::CrmOperation::Update => a::CrmOperation::Update,
            },
            id_field: x.id_field,
            id: x.id,
        }),
        wit::Action::Publish(x) => a::Action::Publish(a::PublishEvent {
            detail: json_object("detail-json", &x.detail_json)?,
            detail_type: x.detail_type,
        }),
    })
}

fn recording(x: wit::ContactRecording) -> a::ContactRecording {
    a::ContactRecording {
        contact_id: x.contact_id,
        initial_contact_id: x.initial_contact_id,
        recording_type: match x.recording_type {
            wit::RecordingType::Call => a::RecordingType::Call,
            wit::RecordingType::Screen => a::RecordingType::Screen,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use serde_json::json;

    fn sample_event() -> ev::Event {
        let at = Utc.with_ymd_and_hms(2026, 11, 20, 9, 14, 9).unwrap();
        let mut event = ev::Event::new(
            "id-1",
            ev::Source::AgentStream,
            ev::EventKind::ContactConnected,
            "STATE_CHANGE",
            at,
            json!({"EventType": "STATE_CHANGE"}),
        );
        event.contact_id = Some("c-1".into());
        let mut contact = ev::ContactSnapshot::new("c-1");
        contact.channel = Some(ev::Channel::Voice);
        contact.state = Some(ev::ContactState::Connected);
        contact.state_since = Some(at);
        contact.attributes.insert("CustomerId".into(), "42".into());
        event.contact = Some(contact);
        event.agent = Some(ev::AgentSnapshot {
            state: Some(ev::AgentState {
                name: "Available".into(),
                state_type: ev::AgentStateType::Routable,
                arn: None,
                since: Some(at),
            }),
            contact_ids: vec!["c-1".into()],
            ..Default::default()
        });
        event
    }

    #[test]
    fn event_fields_and_timestamps_in_epoch_ms() {
        let event = sample_event();
        let w = event_to_wit(&event);
        assert_eq!(w.kind, "contact-connected");
        assert_eq!(w.source, wit::Source::AgentStream);
        assert_eq!(w.occurred_at, 1_795_166_049_000);
        let contact = w.contact.unwrap();
        assert_eq!(contact.channel.as_deref(), Some("VOICE"));
        assert_eq!(contact.state.as_deref(), Some("connected"));
        assert_eq!(contact.state_since, Some(1_795_166_049_000));
        assert_eq!(contact.attributes, vec![("CustomerId".into(), "42".into())]);
        let agent = w.agent.unwrap();
        assert_eq!(agent.state.unwrap().state_type, "routable");
        assert_eq!(
            serde_json::from_str::<Value>(&w.raw_json).unwrap(),
            event.raw
        );
    }

    #[test]
    fn json_strings_must_be_objects() {
        let publish = |detail: &str| {
            action_from_wit(wit::Action::Publish(wit::PublishEvent {
                detail_type: "CallLogged".into(),
                detail_json: detail.into(),
            }))
        };
        assert_eq!(
            publish(r#"{"a": 1}"#).unwrap(),
            a::Action::Publish(a::PublishEvent {
                detail_type: "CallLogged".into(),
                detail: json!({"a": 1}),
            })
        );
        assert_eq!(
            publish("[1]").unwrap_err(),
            "detail-json is not a JSON object"
        );
        assert!(
            publish("{")
                .unwrap_err()
                .starts_with("detail-json is not valid JSON")
        );
    }

    #[test]
    fn every_case_keeps_its_type() {
        let cases = [
            (
                wit::Action::SuspendContactRecording(wit::ContactRecording {
                    contact_id: "c".into(),
                    initial_contact_id: "i".into(),
                    recording_type: wit::RecordingType::Screen,
                }),
                "suspend-contact-recording",
            ),
            (
                wit::Action::Client(wit::ClientAction {
                    agent_arn: "arn".into(),
                    contact_id: None,
                    directive: wit::ClientDirective::SendDigits("12".into()),
                }),
                "client",
            ),
            (
                wit::Action::Crm(wit::CrmUpdate {
                    connector: "salesforce".into(),
                    object: "Task".into(),
                    operation: wit::CrmOperation::Upsert,
                    id_field: Some("CallId__c".into()),
                    id: Some("c".into()),
                    fields_json: "{}".into(),
                }),
                "crm",
            ),
        ];
        for (wit_action, name) in cases {
            assert_eq!(action_from_wit(wit_action).unwrap().type_name(), name);
        }
    }
}
