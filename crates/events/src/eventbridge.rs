//! Amazon EventBridge events from Amazon Connect.
//!
//! - `detail-type: "Amazon Connect Contact Event"`: one event per contact lifecycle step. Every
//!   documented `eventType` has its own kind; an `eventType` added after this version decodes as
//!   `contact-other` with `source_type` naming it, as AWS asks consumers to do ("continue
//!   functioning when new event types are introduced").
//! - Contact Lens rule events (`Contact Lens ... Rules Matched`, `Rule for Contact Lens ...`):
//!   `contact-lens-rule-matched`; `Metrics Rules Matched`: `metrics-rule-matched`.
//! - Any other `aws.connect` detail-type: `connect-other`.
//!
//! AWS's samples mix camelCase and PascalCase keys and spell channels `VOICE` and `Voice`; both
//! decode. The envelope `id` is required (it is the de-duplication key: EventBridge redelivers
//! with the same id).

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::json::Node;
use crate::model::{
    Channel, ContactSnapshot, Event, EventKind, Named, RuleMatch, Source, arn_resource_id,
    instance_arn_of,
};
use crate::{DecodeError, Limits, check_id};

/// The `detail-type` of contact lifecycle events.
pub const CONTACT_EVENT: &str = "Amazon Connect Contact Event";

/// The canonical kind of a contact event `eventType` (`CONNECTED_TO_AGENT` ...).
pub fn contact_event_kind(event_type: &str) -> EventKind {
    match event_type.to_ascii_uppercase().as_str() {
        "INITIATED" => EventKind::ContactInitiated,
        "CONNECTED_TO_SYSTEM" => EventKind::ContactConnectedToSystem,
        "CONTACT_DATA_UPDATED" => EventKind::ContactDataUpdated,
        "QUEUED" => EventKind::ContactQueued,
        "CONNECTED_TO_AGENT" => EventKind::ContactConnectedToAgent,
        "DISCONNECTED" => EventKind::ContactDisconnected,
        "COMPLETED" => EventKind::ContactCompleted,
        "PAUSED" => EventKind::ContactPaused,
        "RESUMED" => EventKind::ContactResumed,
        "AMD_DISABLED" => EventKind::ContactAmdDisabled,
        _ => EventKind::ContactOther,
    }
}

fn rule_kind(detail_type: &str) -> Option<EventKind> {
    if detail_type.eq_ignore_ascii_case("Metrics Rules Matched") {
        return Some(EventKind::MetricsRuleMatched);
    }
    let lower = detail_type.to_ascii_lowercase();
    let contact_lens = lower.starts_with("contact lens ") && lower.ends_with(" rules matched");
    (contact_lens || lower.starts_with("rule for contact lens "))
        .then_some(EventKind::ContactLensRuleMatched)
}

/// Decodes one EventBridge event from Amazon Connect into one canonical event.
pub fn decode(value: &Value, limits: &Limits) -> Result<Vec<Event>, DecodeError> {
    let root = Node::root(value, "");
    root.expect_object()?;
    let detail_type_node = root
        .get_any(&["detail-type", "detailType"])
        .ok_or_else(|| root.missing("detail-type"))?;
    let detail_type = detail_type_node.as_nonempty_str()?;
    let source = root.req_str("source")?;
    if source != "aws.connect" {
        return Err(root.req("source")?.invalid(format!(
            "`{source}` is not an Amazon Connect event source (expected `aws.connect`)"
        )));
    }
    let id_node = root.req("id")?;
    let id = id_node.as_nonempty_str()?;
    check_id(&id_node, id, limits.max_id_bytes)?;
    let time = root.req("time")?.as_timestamp()?;
    let detail = root.req("detail")?;
    detail.expect_object()?;

    let event = if detail_type.eq_ignore_ascii_case(CONTACT_EVENT) {
        contact_event(value, id, time, &detail)?
    } else if let Some(kind) = rule_kind(detail_type) {
        rule_event(value, id, time, detail_type, kind, &detail)?
    } else {
        let mut event = Event::new(
            id,
            Source::Eventbridge,
            EventKind::ConnectOther,
            detail_type,
            time,
            value.clone(),
        );
        fill_common_arns(&mut event, &detail)?;
        event
    };
    Ok(vec![event])
}

fn contact_event(
    raw: &Value,
    id: &str,
    time: DateTime<Utc>,
    detail: &Node<'_>,
) -> Result<Event, DecodeError> {
    let event_type = detail.req_str("eventType")?;
    let kind = contact_event_kind(event_type);
    let contact_id = detail.req_str("contactId")?;

    let mut contact = ContactSnapshot::new(contact_id);
    contact.initial_contact_id = detail.opt_string("initialContactId")?;
    contact.previous_contact_id = detail.opt_string("previousContactId")?;
    contact.related_contact_id = detail.opt_string("relatedContactId")?;
    contact.channel = detail.opt_str("channel")?.map(Channel::parse_lenient);
    contact.initiation_method = detail
        .opt_str("initiationMethod")?
        .map(str::to_ascii_uppercase);
    contact.initiated_at = detail.opt_timestamp("initiationTimestamp")?;
    contact.disconnected_at = detail.opt_timestamp("disconnectTimestamp")?;

    let agent_info = detail.get("agentInfo");
    let mut agent_arn = None;
    if let Some(agent) = &agent_info {
        agent.expect_object()?;
        agent_arn = agent.opt_string("agentArn")?;
        contact.connected_to_agent_at = agent.opt_timestamp("connectedToAgentTimestamp")?;
    }
    if let Some(queue) = detail.get("queueInfo") {
        queue.expect_object()?;
        contact.queue = Some(Named {
            arn: queue.opt_string("queueArn")?,
            name: queue.opt_string("queueName")?,
        });
        contact.queued_at = queue.opt_timestamp("enqueueTimestamp")?;
    }
    // Top-level timestamps appear in newer payloads; keep whichever the event carries.
    if contact.queued_at.is_none() {
        contact.queued_at = detail.opt_timestamp("enqueueTimestamp")?;
    }
    if contact.connected_to_agent_at.is_none() {
        contact.connected_to_agent_at = detail.opt_timestamp("connectedToAgentTimestamp")?;
    }

    // The envelope `time` has second precision; the lifecycle timestamp of the step itself,
    // where the payload has it, orders events of one contact more finely.
    let step_time = match kind {
        EventKind::ContactInitiated => contact.initiated_at,
        EventKind::ContactConnectedToSystem => {
            detail.opt_timestamp("connectedToSystemTimestamp")?
        }
        EventKind::ContactQueued => contact.queued_at,
        EventKind::ContactConnectedToAgent => contact.connected_to_agent_at,
        EventKind::ContactDisconnected => contact.disconnected_at,
        EventKind::ContactCompleted => match &agent_info {
            Some(agent) => agent.opt_timestamp("afterContactWorkEndTimestamp")?,
            None => None,
        },
        _ => None,
    };

    let mut event = Event::new(
        id,
        Source::Eventbridge,
        kind,
        event_type,
        step_time.unwrap_or(time),
        raw.clone(),
    );
    event.instance_arn = match detail.opt_string("instanceArn")? {
        Some(arn) => Some(arn),
        None => agent_arn.as_deref().and_then(instance_arn_of),
    };
    event.agent_arn = agent_arn;
    event.contact_id = Some(contact_id.to_owned());
    event.contact = Some(contact);
    Ok(event)
}

fn rule_event(
    raw: &Value,
    id: &str,
    time: DateTime<Utc>,
    detail_type: &str,
    kind: EventKind,
    detail: &Node<'_>,
) -> Result<Event, DecodeError> {
    let mut event = Event::new(
        id,
        Source::Eventbridge,
        kind,
        detail_type,
        time,
        raw.clone(),
    );
    fill_common_arns(&mut event, detail)?;
    event.rule = Some(RuleMatch {
        name: detail.opt_string("ruleName")?,
        action: detail.opt_string("actionName")?,
        queue_arn: detail.opt_string("queueArn")?,
    });
    if kind == EventKind::ContactLensRuleMatched && event.contact_id.is_none() {
        return Err(detail.missing("contactArn"));
    }
    Ok(event)
}

/// Instance, agent and contact from the ARNs rule events and other Connect events carry.
fn fill_common_arns(event: &mut Event, detail: &Node<'_>) -> Result<(), DecodeError> {
    event.agent_arn = detail.opt_string("agentArn")?;
    let contact_arn = detail.opt_string("contactArn")?;
    event.contact_id = match (&contact_arn, detail.opt_string("contactId")?) {
        (_, Some(id)) => Some(id),
        (Some(arn), None) => arn_resource_id(arn).map(str::to_owned),
        (None, None) => None,
    };
    event.instance_arn = match detail.opt_string("instanceArn")? {
        Some(arn) => Some(arn),
        None => [&event.agent_arn, &contact_arn]
            .into_iter()
            .flatten()
            .find_map(|arn| instance_arn_of(arn)),
    };
    if let Some(contact_id) = &event.contact_id {
        event.contact = Some(ContactSnapshot::new(contact_id.clone()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn envelope(detail_type: &str, detail: Value) -> Value {
        json!({
            "version": "0", "id": "0d1c-1", "detail-type": detail_type, "source": "aws.connect",
            "account": "111122223333", "time": "2026-11-20T09:00:05Z", "region": "us-west-2",
            "resources": [], "detail": detail
        })
    }

    const INSTANCE: &str = "arn:aws:connect:us-west-2:111122223333:instance/i-1";

    #[test]
    fn every_documented_event_type_has_its_kind() {
        for (event_type, kind) in [
            ("INITIATED", "contact-initiated"),
            ("CONNECTED_TO_SYSTEM", "contact-connected-to-system"),
            ("CONTACT_DATA_UPDATED", "contact-data-updated"),
            ("QUEUED", "contact-queued"),
            ("CONNECTED_TO_AGENT", "contact-connected-to-agent"),
            ("DISCONNECTED", "contact-disconnected"),
            ("COMPLETED", "contact-completed"),
            ("PAUSED", "contact-paused"),
            ("RESUMED", "contact-resumed"),
            ("AMD_DISABLED", "contact-amd-disabled"),
            ("SOMETHING_NEW", "contact-other"),
        ] {
            let v = envelope(
                CONTACT_EVENT,
                json!({"eventType": event_type, "contactId": "c-1", "instanceArn": INSTANCE}),
            );
            let events = decode(&v, &Limits::default()).unwrap();
            assert_eq!(events.len(), 1);
            assert_eq!(events[0].kind.as_str(), kind, "{event_type}");
            assert_eq!(events[0].source_type, event_type);
            assert_eq!(events[0].contact_id.as_deref(), Some("c-1"));
            assert_eq!(events[0].instance_arn.as_deref(), Some(INSTANCE));
        }
    }

    #[test]
    fn pascal_case_and_lenient_channel() {
        let agent = format!("{INSTANCE}/agent/a-1");
        let v = envelope(
            CONTACT_EVENT,
            json!({"EventType": "DISCONNECTED", "ContactId": "c-2", "Channel": "Voice",
                   "AgentInfo": {"AgentArn": agent}, "disconnectTimestamp": "2026-11-20T09:00:04.250Z"}),
        );
        let e = &decode(&v, &Limits::default()).unwrap()[0];
        assert_eq!(e.kind, EventKind::ContactDisconnected);
        assert_eq!(e.agent_arn.as_deref(), Some(agent.as_str()));
        assert_eq!(
            e.instance_arn.as_deref(),
            Some(INSTANCE),
            "derived from the agent ARN"
        );
        let contact = e.contact.as_ref().unwrap();
        assert_eq!(contact.channel, Some(Channel::Voice));
        assert_eq!(e.occurred_at.to_rfc3339(), "2026-11-20T09:00:04.250+00:00");
    }

    #[test]
    fn contact_lens_rule() {
        let v = envelope(
            "Contact Lens Realtime Rules Matched",
            json!({"version": "1.0", "ruleName": "ACCOUNT_CANCELLATION",
                   "actionName": "NOTIFY_CUSTOMER_RETENTION", "instanceArn": INSTANCE,
                   "contactArn": format!("{INSTANCE}/contact/c-9"),
                   "agentArn": format!("{INSTANCE}/agent/a-1"), "queueArn": format!("{INSTANCE}/queue/q-1")}),
        );
        let e = &decode(&v, &Limits::default()).unwrap()[0];
        assert_eq!(e.kind, EventKind::ContactLensRuleMatched);
        assert_eq!(e.contact_id.as_deref(), Some("c-9"));
        let rule = e.rule.as_ref().unwrap();
        assert_eq!(rule.name.as_deref(), Some("ACCOUNT_CANCELLATION"));
        assert_eq!(rule.action.as_deref(), Some("NOTIFY_CUSTOMER_RETENTION"));
    }

    #[test]
    fn other_detail_types_and_sources() {
        let v = envelope(
            "Contact Lens Analysis State Change",
            json!({"instanceArn": INSTANCE}),
        );
        assert_eq!(
            decode(&v, &Limits::default()).unwrap()[0].kind,
            EventKind::ConnectOther
        );
        let v = envelope("Metrics Rules Matched", json!({"ruleName": "SLA"}));
        assert_eq!(
            decode(&v, &Limits::default()).unwrap()[0].kind,
            EventKind::MetricsRuleMatched
        );
        let mut v = envelope(
            CONTACT_EVENT,
            json!({"eventType": "QUEUED", "contactId": "c"}),
        );
        v["source"] = json!("aws.ec2");
        assert_eq!(
            decode(&v, &Limits::default()).unwrap_err().to_string(),
            "source: `aws.ec2` is not an Amazon Connect event source (expected `aws.connect`)"
        );
    }

    #[test]
    fn errors_name_the_field() {
        let v = envelope(CONTACT_EVENT, json!({"eventType": "QUEUED"}));
        assert_eq!(
            decode(&v, &Limits::default()).unwrap_err().to_string(),
            "detail.contactId: required field is missing"
        );
        let mut v = envelope(
            CONTACT_EVENT,
            json!({"eventType": "QUEUED", "contactId": "c"}),
        );
        v.as_object_mut().unwrap().remove("id");
        assert_eq!(
            decode(&v, &Limits::default()).unwrap_err().to_string(),
            "id: required field is missing"
        );
        let v = envelope(
            CONTACT_EVENT,
            json!({"eventType": "QUEUED", "contactId": "c", "queueInfo": {"enqueueTimestamp": 3.5}}),
        );
        assert_eq!(
            decode(&v, &Limits::default()).unwrap_err().to_string(),
            "detail.queueInfo.enqueueTimestamp: 3.5 is not a time in epoch milliseconds"
        );
    }
}
