//! The actions a plugin can decide on: the host-side mirror of the WIT `action` variant.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What a plugin decided. Serialized with a `type` tag in kebab-case
/// (`{"type": "start-task-contact", "name": ...}`), which is also what `streamhooks replay`
/// prints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Action {
    /// Amazon Connect PutUserStatus.
    PutUserStatus(PutUserStatus),
    /// Amazon Connect UpdateContactAttributes.
    UpdateContactAttributes(UpdateContactAttributes),
    /// Amazon Connect UpdateContact.
    UpdateContact(UpdateContact),
    /// Amazon Connect StopContact.
    StopContact(StopContact),
    /// Amazon Connect TransferContact.
    TransferContact(TransferContact),
    /// Amazon Connect StartTaskContact.
    StartTaskContact(StartTaskContact),
    /// Amazon Connect StartOutboundVoiceContact.
    StartOutboundVoiceContact(StartOutboundVoiceContact),
    /// Amazon Connect DismissUserContact.
    DismissUserContact(DismissUserContact),
    /// Amazon Connect SuspendContactRecording.
    SuspendContactRecording(ContactRecording),
    /// Amazon Connect ResumeContactRecording.
    ResumeContactRecording(ContactRecording),
    /// Amazon Connect MonitorContact.
    MonitorContact(MonitorContact),
    /// Amazon Connect TagContact.
    TagContact(TagContact),
    /// A directive for the agent's browser, run by the forwarder through Streams.
    Client(ClientAction),
    /// A CRM write through a configured connector.
    Crm(CrmUpdate),
    /// An event published to Amazon EventBridge.
    Publish(PublishEvent),
}

impl Action {
    /// The kebab-case type name (`start-task-contact`, `client`, `crm` ...).
    pub fn type_name(&self) -> &'static str {
        match self {
            Action::PutUserStatus(_) => "put-user-status",
            Action::UpdateContactAttributes(_) => "update-contact-attributes",
            Action::UpdateContact(_) => "update-contact",
            Action::StopContact(_) => "stop-contact",
            Action::TransferContact(_) => "transfer-contact",
            Action::StartTaskContact(_) => "start-task-contact",
            Action::StartOutboundVoiceContact(_) => "start-outbound-voice-contact",
            Action::DismissUserContact(_) => "dismiss-user-contact",
            Action::SuspendContactRecording(_) => "suspend-contact-recording",
            Action::ResumeContactRecording(_) => "resume-contact-recording",
            Action::MonitorContact(_) => "monitor-contact",
            Action::TagContact(_) => "tag-contact",
            Action::Client(_) => "client",
            Action::Crm(_) => "crm",
            Action::Publish(_) => "publish",
        }
    }

    /// Whether the action runs in the agent's browser rather than on the server.
    pub fn is_client(&self) -> bool {
        matches!(self, Action::Client(_))
    }
}

/// Sets an agent's status (or next status, while the agent handles a contact).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PutUserStatus {
    /// The agent: ARN or user id.
    pub user_id: String,
    /// The agent status: ARN or id.
    pub agent_status_id: String,
}

/// Creates or updates user-defined contact attributes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateContactAttributes {
    /// The initial contact id of the contact.
    pub initial_contact_id: String,
    /// Keys and values to set.
    pub attributes: Vec<(String, String)>,
}

/// Updates a contact's name and description.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateContact {
    /// The contact.
    pub contact_id: String,
    /// New name.
    pub name: Option<String>,
    /// New description.
    pub description: Option<String>,
}

/// Ends a contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StopContact {
    /// The contact.
    pub contact_id: String,
    /// A custom disconnect reason.
    pub disconnect_reason: Option<String>,
}

/// Transfers a task or email contact to a queue or an agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferContact {
    /// The contact.
    pub contact_id: String,
    /// The flow that handles the transfer.
    pub contact_flow_id: String,
    /// The target queue.
    pub queue_id: Option<String>,
    /// The target agent.
    pub user_id: Option<String>,
}

/// A reference attached to a task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskReference {
    /// The reference's name.
    pub name: String,
    /// `URL`, `STRING`, `NUMBER`, `DATE`, `EMAIL`.
    pub reference_type: String,
    /// Its value.
    pub value: String,
}

/// Creates a task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartTaskContact {
    /// Task name.
    pub name: String,
    /// Task description.
    pub description: Option<String>,
    /// The flow that routes the task.
    pub contact_flow_id: Option<String>,
    /// Or a task template.
    pub task_template_id: Option<String>,
    /// Or a quick connect.
    pub quick_connect_id: Option<String>,
    /// The contact this task follows.
    pub previous_contact_id: Option<String>,
    /// A related contact.
    pub related_contact_id: Option<String>,
    /// Contact attributes for the task.
    pub attributes: Vec<(String, String)>,
    /// References shown with the task.
    pub references: Vec<TaskReference>,
    /// When to schedule the task, epoch milliseconds.
    pub scheduled_time: Option<i64>,
}

/// Places an outbound call that runs a flow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartOutboundVoiceContact {
    /// The number to call (E.164).
    pub destination_phone_number: String,
    /// The flow to run.
    pub contact_flow_id: String,
    /// The queue for the call.
    pub queue_id: Option<String>,
    /// The caller id (E.164).
    pub source_phone_number: Option<String>,
    /// A related contact.
    pub related_contact_id: Option<String>,
    /// Contact attributes.
    pub attributes: Vec<(String, String)>,
}

/// Clears a finished contact from an agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DismissUserContact {
    /// The agent.
    pub user_id: String,
    /// The contact.
    pub contact_id: String,
}

/// Which recording to suspend or resume.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RecordingType {
    /// The call between agent and customer (`AGENT` in the Amazon Connect API).
    Call,
    /// The screen recording.
    Screen,
}

/// Suspends or resumes a contact's recording.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactRecording {
    /// The contact.
    pub contact_id: String,
    /// Its initial contact.
    pub initial_contact_id: String,
    /// Which recording.
    pub recording_type: RecordingType,
}

/// A supervisor monitors a contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonitorContact {
    /// The contact.
    pub contact_id: String,
    /// The supervisor.
    pub user_id: String,
    /// `SILENT_MONITOR`, `BARGE`.
    pub capabilities: Vec<String>,
}

/// Tags a contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagContact {
    /// The contact.
    pub contact_id: String,
    /// Tags to set.
    pub tags: Vec<(String, String)>,
}

/// Shows a record or page to the agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScreenPop {
    /// The URL to open.
    pub url: Option<String>,
    /// A title.
    pub title: Option<String>,
    /// Data to show.
    pub data: Vec<(String, String)>,
}

/// Something only the agent's browser can do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "directive", content = "value", rename_all = "kebab-case")]
pub enum ClientDirective {
    /// Accept the contact.
    Accept,
    /// Reject the contact.
    Reject,
    /// Put the customer on hold.
    Hold,
    /// Take the customer off hold.
    Resume,
    /// Send DTMF digits.
    SendDigits(String),
    /// Conference the connections.
    Conference,
    /// Mute the agent.
    Mute,
    /// Unmute the agent.
    Unmute,
    /// Set the agent's state by name.
    SetState(String),
    /// Show a record or page.
    ScreenPop(ScreenPop),
}

impl ClientDirective {
    /// The kebab-case name used in grants (`screen-pop`, `send-digits` ...).
    pub fn name(&self) -> &'static str {
        match self {
            ClientDirective::Accept => "accept",
            ClientDirective::Reject => "reject",
            ClientDirective::Hold => "hold",
            ClientDirective::Resume => "resume",
            ClientDirective::SendDigits(_) => "send-digits",
            ClientDirective::Conference => "conference",
            ClientDirective::Mute => "mute",
            ClientDirective::Unmute => "unmute",
            ClientDirective::SetState(_) => "set-state",
            ClientDirective::ScreenPop(_) => "screen-pop",
        }
    }

    /// Every directive name.
    pub const NAMES: &'static [&'static str] = &[
        "accept",
        "reject",
        "hold",
        "resume",
        "send-digits",
        "conference",
        "mute",
        "unmute",
        "set-state",
        "screen-pop",
    ];
}

/// A directive for one agent's browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientAction {
    /// The agent whose browser runs it.
    pub agent_arn: String,
    /// The contact it concerns.
    pub contact_id: Option<String>,
    /// What to do.
    #[serde(flatten)]
    pub directive: ClientDirective,
}

/// How a CRM record is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CrmOperation {
    /// Create a record.
    Create,
    /// Create or update by external id.
    Upsert,
    /// Update by record id.
    Update,
}

/// A CRM write through a configured connector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrmUpdate {
    /// The connector's configured name.
    pub connector: String,
    /// The object type.
    pub object: String,
    /// How to write.
    pub operation: CrmOperation,
    /// For upsert: the external-id field.
    pub id_field: Option<String>,
    /// For upsert the external id; for update the record id.
    pub id: Option<String>,
    /// The record's fields (a JSON object).
    pub fields: Value,
}

/// An event to publish to Amazon EventBridge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublishEvent {
    /// The event's detail-type.
    pub detail_type: String,
    /// The event's detail (a JSON object).
    pub detail: Value,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_form_is_tagged_and_round_trips() {
        let actions = vec![
            Action::Client(ClientAction {
                agent_arn: "arn:agent".into(),
                contact_id: Some("c-1".into()),
                directive: ClientDirective::ScreenPop(ScreenPop {
                    url: Some("https://crm/1".into()),
                    title: None,
                    data: vec![("Queue".into(), "Support".into())],
                }),
            }),
            Action::SuspendContactRecording(ContactRecording {
                contact_id: "c-1".into(),
                initial_contact_id: "c-1".into(),
                recording_type: RecordingType::Call,
            }),
            Action::Crm(CrmUpdate {
                connector: "salesforce".into(),
                object: "Task".into(),
                operation: CrmOperation::Upsert,
                id_field: Some("CallId__c".into()),
                id: Some("c-1".into()),
                fields: json!({"Subject": "Call"}),
            }),
        ];
        let v = serde_json::to_value(&actions).unwrap();
        assert_eq!(v[0]["type"], "client");
        assert_eq!(v[0]["directive"], "screen-pop");
        assert_eq!(v[0]["value"]["url"], "https://crm/1");
        assert_eq!(v[1]["type"], "suspend-contact-recording");
        assert_eq!(v[1]["recording_type"], "call");
        assert_eq!(v[2]["operation"], "upsert");
        let back: Vec<Action> = serde_json::from_value(v).unwrap();
        assert_eq!(back, actions);
        for a in &actions {
            let tagged = serde_json::to_value(a).unwrap();
            assert_eq!(tagged["type"], a.type_name());
        }
    }

    #[test]
    fn directive_names_are_complete() {
        let all = [
            ClientDirective::Accept,
            ClientDirective::Reject,
            ClientDirective::Hold,
            ClientDirective::Resume,
            ClientDirective::SendDigits("1".into()),
            ClientDirective::Conference,
            ClientDirective::Mute,
            ClientDirective::Unmute,
            ClientDirective::SetState("Available".into()),
            ClientDirective::ScreenPop(ScreenPop {
                url: None,
                title: None,
                data: vec![],
            }),
        ];
        let names: Vec<&str> = all.iter().map(ClientDirective::name).collect();
        assert_eq!(names, ClientDirective::NAMES);
    }
}
