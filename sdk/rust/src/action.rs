//! Constructors and builders for the generated action records.
//!
//! Every action is an [`Action`] case holding a record. Simple actions have a one-call
//! constructor on [`Action`]; records with optional parts have a builder (`new` plus `with_*`
//! methods) and convert into an [`Action`] with `.into()`.

use crate::{
    Action, ClientAction, ClientDirective, ContactRecording, CrmOperation, CrmUpdate,
    DismissUserContact, MonitorContact, PublishEvent, PutUserStatus, RecordingType, ScreenPop,
    StartOutboundVoiceContact, StartTaskContact, StopContact, TagContact, TaskReference, Timestamp,
    TransferContact, UpdateContact, UpdateContactAttributes,
};

fn pairs<K: Into<String>, V: Into<String>>(
    items: impl IntoIterator<Item = (K, V)>,
) -> Vec<(String, String)> {
    items
        .into_iter()
        .map(|(k, v)| (k.into(), v.into()))
        .collect()
}

impl Action {
    /// Sets an agent's status (PutUserStatus); while the agent handles a contact, this sets the
    /// next status. Grant: `put_user_status.statuses`.
    ///
    /// ```
    /// use streamhooks_sdk::Action;
    /// let action = Action::put_user_status("arn:...:agent/a1", "status-available");
    /// ```
    pub fn put_user_status(user_id: impl Into<String>, agent_status_id: impl Into<String>) -> Self {
        Action::PutUserStatus(PutUserStatus {
            user_id: user_id.into(),
            agent_status_id: agent_status_id.into(),
        })
    }

    /// Creates or updates contact attributes (UpdateContactAttributes). Grant:
    /// `update_contact_attributes.keys`.
    ///
    /// ```
    /// use streamhooks_sdk::Action;
    /// let action = Action::update_contact_attributes("contact-1", [("Disposition", "Resolved")]);
    /// ```
    pub fn update_contact_attributes<K: Into<String>, V: Into<String>>(
        initial_contact_id: impl Into<String>,
        attributes: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        Action::UpdateContactAttributes(UpdateContactAttributes {
            initial_contact_id: initial_contact_id.into(),
            attributes: pairs(attributes),
        })
    }

    /// Ends a contact (StopContact), with no custom reason. Grant: `stop_contact`.
    ///
    /// ```
    /// use streamhooks_sdk::{Action, StopContact};
    /// let plain = Action::stop_contact("contact-1");
    /// let with_reason: Action = StopContact::new("contact-1").with_reason("spam").into();
    /// ```
    pub fn stop_contact(contact_id: impl Into<String>) -> Self {
        StopContact::new(contact_id).into()
    }

    /// Creates a task routed by a flow (StartTaskContact); use [`StartTaskContact::new`] for
    /// links, attributes, references or a schedule. Grant: `start_task_contact.contact_flows`.
    ///
    /// ```
    /// use streamhooks_sdk::Action;
    /// let action = Action::start_task("Call the customer back", "flow-callback");
    /// ```
    pub fn start_task(name: impl Into<String>, contact_flow_id: impl Into<String>) -> Self {
        StartTaskContact::new(name)
            .with_contact_flow(contact_flow_id)
            .into()
    }

    /// Clears a missed, ended or errored contact from an agent (DismissUserContact). Grant:
    /// `dismiss_user_contact`.
    ///
    /// ```
    /// use streamhooks_sdk::Action;
    /// let action = Action::dismiss_user_contact("agent-1", "contact-1");
    /// ```
    pub fn dismiss_user_contact(user_id: impl Into<String>, contact_id: impl Into<String>) -> Self {
        Action::DismissUserContact(DismissUserContact {
            user_id: user_id.into(),
            contact_id: contact_id.into(),
        })
    }

    /// Suspends a contact's call recording (SuspendContactRecording). Grant:
    /// `suspend_contact_recording`.
    ///
    /// ```
    /// use streamhooks_sdk::Action;
    /// let action = Action::suspend_call_recording("contact-2", "contact-1");
    /// ```
    pub fn suspend_call_recording(
        contact_id: impl Into<String>,
        initial_contact_id: impl Into<String>,
    ) -> Self {
        Action::SuspendContactRecording(ContactRecording::new(
            contact_id,
            initial_contact_id,
            RecordingType::Call,
        ))
    }

    /// Resumes a contact's call recording (ResumeContactRecording). Grant:
    /// `resume_contact_recording`.
    ///
    /// ```
    /// use streamhooks_sdk::Action;
    /// let action = Action::resume_call_recording("contact-2", "contact-1");
    /// ```
    pub fn resume_call_recording(
        contact_id: impl Into<String>,
        initial_contact_id: impl Into<String>,
    ) -> Self {
        Action::ResumeContactRecording(ContactRecording::new(
            contact_id,
            initial_contact_id,
            RecordingType::Call,
        ))
    }

    /// A supervisor monitors a contact (MonitorContact), with capabilities such as
    /// `SILENT_MONITOR` or `BARGE`. Grant: `monitor_contact`.
    ///
    /// ```
    /// use streamhooks_sdk::Action;
    /// let action = Action::monitor_contact("contact-1", "supervisor-1", ["SILENT_MONITOR"]);
    /// ```
    pub fn monitor_contact<C: Into<String>>(
        contact_id: impl Into<String>,
        user_id: impl Into<String>,
        capabilities: impl IntoIterator<Item = C>,
    ) -> Self {
        Action::MonitorContact(MonitorContact {
            contact_id: contact_id.into(),
            user_id: user_id.into(),
            capabilities: capabilities.into_iter().map(Into::into).collect(),
        })
    }

    /// Tags a contact (TagContact). Grant: `tag_contact.keys`.
    ///
    /// ```
    /// use streamhooks_sdk::Action;
    /// let action = Action::tag_contact("contact-1", [("team", "billing")]);
    /// ```
    pub fn tag_contact<K: Into<String>, V: Into<String>>(
        contact_id: impl Into<String>,
        tags: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        Action::TagContact(TagContact {
            contact_id: contact_id.into(),
            tags: pairs(tags),
        })
    }

    /// A client directive for one agent's browser (run by the forwarder through Streams).
    /// Grant: `client` lists the directive names.
    ///
    /// ```
    /// use streamhooks_sdk::{Action, ClientDirective};
    /// let action = Action::client("arn:...:agent/a1", Some("contact-1"), ClientDirective::Mute);
    /// ```
    pub fn client(
        agent_arn: impl Into<String>,
        contact_id: Option<&str>,
        directive: ClientDirective,
    ) -> Self {
        Action::Client(ClientAction {
            agent_arn: agent_arn.into(),
            contact_id: contact_id.map(str::to_owned),
            directive,
        })
    }

    /// Shows a record or data on an agent's screen (a `screen-pop` client directive). Grant:
    /// `client = ["screen-pop"]`.
    ///
    /// ```
    /// use streamhooks_sdk::{Action, ScreenPop};
    /// let pop = ScreenPop::url("https://crm.example.com/customers/42").with_title("Customer");
    /// let action = Action::client_screen_pop("arn:...:agent/a1", Some("contact-1"), pop);
    /// ```
    pub fn client_screen_pop(
        agent_arn: impl Into<String>,
        contact_id: Option<&str>,
        screen_pop: ScreenPop,
    ) -> Self {
        Self::client(
            agent_arn,
            contact_id,
            ClientDirective::ScreenPop(screen_pop),
        )
    }

    /// Publishes an event to EventBridge for other systems (the host sets the source). Grant:
    /// `publish.detail_types`.
    ///
    /// ```
    /// use streamhooks_sdk::{Action, json::JsonObject};
    /// let detail = JsonObject::new().string("contactId", "contact-1").build();
    /// let action = Action::publish("CallLogged", detail);
    /// ```
    pub fn publish(detail_type: impl Into<String>, detail_json: impl Into<String>) -> Self {
        Action::Publish(PublishEvent {
            detail_type: detail_type.into(),
            detail_json: detail_json.into(),
        })
    }

    /// The action's type as its manifest grant names it (`put_user_status`, `client` ...).
    ///
    /// ```
    /// use streamhooks_sdk::Action;
    /// assert_eq!(Action::stop_contact("c").grant_name(), "stop_contact");
    /// ```
    pub fn grant_name(&self) -> &'static str {
        match self {
            Action::PutUserStatus(_) => "put_user_status",
            Action::UpdateContactAttributes(_) => "update_contact_attributes",
            Action::UpdateContact(_) => "update_contact",
            Action::StopContact(_) => "stop_contact",
            Action::TransferContact(_) => "transfer_contact",
            Action::StartTaskContact(_) => "start_task_contact",
            Action::StartOutboundVoiceContact(_) => "start_outbound_voice_contact",
            Action::DismissUserContact(_) => "dismiss_user_contact",
            Action::SuspendContactRecording(_) => "suspend_contact_recording",
            Action::ResumeContactRecording(_) => "resume_contact_recording",
            Action::MonitorContact(_) => "monitor_contact",
            Action::TagContact(_) => "tag_contact",
            Action::Client(_) => "client",
            Action::Crm(_) => "crm",
            Action::Publish(_) => "publish",
        }
    }
}

macro_rules! into_action {
    ($($record:ident => $case:ident),* $(,)?) => {
        $(
            impl From<$record> for Action {
                fn from(record: $record) -> Self {
                    Action::$case(record)
                }
            }
        )*
    };
}

into_action! {
    PutUserStatus => PutUserStatus,
    UpdateContactAttributes => UpdateContactAttributes,
    UpdateContact => UpdateContact,
    StopContact => StopContact,
    TransferContact => TransferContact,
    StartTaskContact => StartTaskContact,
    StartOutboundVoiceContact => StartOutboundVoiceContact,
    DismissUserContact => DismissUserContact,
    MonitorContact => MonitorContact,
    TagContact => TagContact,
    ClientAction => Client,
    CrmUpdate => Crm,
    PublishEvent => Publish,
}

impl UpdateContact {
    /// An update of the contact's name and/or description (UpdateContact). Grant:
    /// `update_contact`.
    ///
    /// ```
    /// use streamhooks_sdk::{Action, UpdateContact};
    /// let action: Action = UpdateContact::new("contact-1").with_description("VIP").into();
    /// ```
    pub fn new(contact_id: impl Into<String>) -> Self {
        UpdateContact {
            contact_id: contact_id.into(),
            name: None,
            description: None,
        }
    }

    /// Sets the contact's name.
    ///
    /// ```
    /// let update = streamhooks_sdk::UpdateContact::new("contact-1").with_name("Refund");
    /// ```
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Sets the contact's description.
    ///
    /// ```
    /// let update = streamhooks_sdk::UpdateContact::new("contact-1").with_description("VIP");
    /// ```
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }
}

impl StopContact {
    /// Ends a contact (StopContact). Grant: `stop_contact`.
    ///
    /// ```
    /// use streamhooks_sdk::{Action, StopContact};
    /// let action: Action = StopContact::new("contact-1").into();
    /// ```
    pub fn new(contact_id: impl Into<String>) -> Self {
        StopContact {
            contact_id: contact_id.into(),
            disconnect_reason: None,
        }
    }

    /// Sets a custom disconnect reason, where the channel allows one.
    ///
    /// ```
    /// let stop = streamhooks_sdk::StopContact::new("contact-1").with_reason("duplicate");
    /// ```
    pub fn with_reason(mut self, reason: impl Into<String>) -> Self {
        self.disconnect_reason = Some(reason.into());
        self
    }
}

impl TransferContact {
    /// Transfers a task or email contact through a flow (TransferContact); add a queue or an
    /// agent. Grant: `transfer_contact.queues` / `.users`.
    ///
    /// ```
    /// use streamhooks_sdk::{Action, TransferContact};
    /// let action: Action = TransferContact::new("contact-1", "flow-1").to_queue("queue-1").into();
    /// ```
    pub fn new(contact_id: impl Into<String>, contact_flow_id: impl Into<String>) -> Self {
        TransferContact {
            contact_id: contact_id.into(),
            contact_flow_id: contact_flow_id.into(),
            queue_id: None,
            user_id: None,
        }
    }

    /// Transfers to a queue.
    ///
    /// ```
    /// let t = streamhooks_sdk::TransferContact::new("c", "f").to_queue("queue-1");
    /// ```
    pub fn to_queue(mut self, queue_id: impl Into<String>) -> Self {
        self.queue_id = Some(queue_id.into());
        self
    }

    /// Transfers to an agent.
    ///
    /// ```
    /// let t = streamhooks_sdk::TransferContact::new("c", "f").to_user("agent-1");
    /// ```
    pub fn to_user(mut self, user_id: impl Into<String>) -> Self {
        self.user_id = Some(user_id.into());
        self
    }
}

impl StartTaskContact {
    /// A task with this name and nothing else yet: add a flow, template or quick connect (one
    /// is needed to route it). Grant: `start_task_contact`.
    ///
    /// ```
    /// use streamhooks_sdk::{Action, StartTaskContact};
    /// let action: Action = StartTaskContact::new("Follow up")
    ///     .with_contact_flow("flow-1")
    ///     .with_related_contact("contact-1")
    ///     .with_description("Customer asked for a call back")
    ///     .with_attribute("Reason", "callback")
    ///     .with_reference("Recording", "URL", "https://example.com/r/1")
    ///     .into();
    /// ```
    pub fn new(name: impl Into<String>) -> Self {
        StartTaskContact {
            name: name.into(),
            description: None,
            contact_flow_id: None,
            task_template_id: None,
            quick_connect_id: None,
            previous_contact_id: None,
            related_contact_id: None,
            attributes: Vec::new(),
            references: Vec::new(),
            scheduled_time: None,
        }
    }

    /// Sets the description shown to the agent.
    ///
    /// ```
    /// let t = streamhooks_sdk::StartTaskContact::new("t").with_description("why");
    /// ```
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Routes the task through this flow.
    ///
    /// ```
    /// let t = streamhooks_sdk::StartTaskContact::new("t").with_contact_flow("flow-1");
    /// ```
    pub fn with_contact_flow(mut self, contact_flow_id: impl Into<String>) -> Self {
        self.contact_flow_id = Some(contact_flow_id.into());
        self
    }

    /// Creates the task from this task template.
    ///
    /// ```
    /// let t = streamhooks_sdk::StartTaskContact::new("t").with_template("template-1");
    /// ```
    pub fn with_template(mut self, task_template_id: impl Into<String>) -> Self {
        self.task_template_id = Some(task_template_id.into());
        self
    }

    /// Routes the task through this quick connect.
    ///
    /// ```
    /// let t = streamhooks_sdk::StartTaskContact::new("t").with_quick_connect("qc-1");
    /// ```
    pub fn with_quick_connect(mut self, quick_connect_id: impl Into<String>) -> Self {
        self.quick_connect_id = Some(quick_connect_id.into());
        self
    }

    /// Links the task to a previous contact (it continues that contact).
    ///
    /// ```
    /// let t = streamhooks_sdk::StartTaskContact::new("t").with_previous_contact("contact-1");
    /// ```
    pub fn with_previous_contact(mut self, contact_id: impl Into<String>) -> Self {
        self.previous_contact_id = Some(contact_id.into());
        self
    }

    /// Links the task to a related contact (it is about that contact).
    ///
    /// ```
    /// let t = streamhooks_sdk::StartTaskContact::new("t").with_related_contact("contact-1");
    /// ```
    pub fn with_related_contact(mut self, contact_id: impl Into<String>) -> Self {
        self.related_contact_id = Some(contact_id.into());
        self
    }

    /// Adds a contact attribute to the task.
    ///
    /// ```
    /// let t = streamhooks_sdk::StartTaskContact::new("t").with_attribute("Reason", "missed");
    /// ```
    pub fn with_attribute(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.attributes.push((key.into(), value.into()));
        self
    }

    /// Adds a reference shown with the task; `reference_type` is `URL`, `STRING`, `NUMBER`,
    /// `DATE` or `EMAIL`.
    ///
    /// ```
    /// let t = streamhooks_sdk::StartTaskContact::new("t")
    ///     .with_reference("Customer number", "STRING", "+15550100");
    /// ```
    pub fn with_reference(
        mut self,
        name: impl Into<String>,
        reference_type: impl Into<String>,
        value: impl Into<String>,
    ) -> Self {
        self.references.push(TaskReference {
            name: name.into(),
            reference_type: reference_type.into(),
            value: value.into(),
        });
        self
    }

    /// Schedules the task for later (epoch ms; at most 6 days ahead).
    ///
    /// ```
    /// # let event = streamhooks_sdk::Event::example("contact-missed");
    /// let in_one_hour = event.occurred_at + 3_600_000;
    /// let t = streamhooks_sdk::StartTaskContact::new("t").scheduled_at(in_one_hour);
    /// ```
    pub fn scheduled_at(mut self, time: Timestamp) -> Self {
        self.scheduled_time = Some(time);
        self
    }
}

impl StartOutboundVoiceContact {
    /// An outbound call to `destination` (E.164) that runs a flow (StartOutboundVoiceContact).
    /// Grant: `start_outbound_voice_contact.contact_flows` / `.destinations`.
    ///
    /// ```
    /// use streamhooks_sdk::{Action, StartOutboundVoiceContact};
    /// let action: Action = StartOutboundVoiceContact::new("+15550100", "flow-1")
    ///     .with_queue("queue-1")
    ///     .with_related_contact("contact-1")
    ///     .into();
    /// ```
    pub fn new(
        destination_phone_number: impl Into<String>,
        contact_flow_id: impl Into<String>,
    ) -> Self {
        StartOutboundVoiceContact {
            destination_phone_number: destination_phone_number.into(),
            contact_flow_id: contact_flow_id.into(),
            queue_id: None,
            source_phone_number: None,
            related_contact_id: None,
            attributes: Vec::new(),
        }
    }

    /// Places the call through this queue (its outbound caller id).
    ///
    /// ```
    /// let c = streamhooks_sdk::StartOutboundVoiceContact::new("+15550100", "f").with_queue("q");
    /// ```
    pub fn with_queue(mut self, queue_id: impl Into<String>) -> Self {
        self.queue_id = Some(queue_id.into());
        self
    }

    /// Calls from this number.
    ///
    /// ```
    /// let c = streamhooks_sdk::StartOutboundVoiceContact::new("+15550100", "f")
    ///     .with_source_number("+15550199");
    /// ```
    pub fn with_source_number(mut self, number: impl Into<String>) -> Self {
        self.source_phone_number = Some(number.into());
        self
    }

    /// Links the call to a related contact.
    ///
    /// ```
    /// let c = streamhooks_sdk::StartOutboundVoiceContact::new("+15550100", "f")
    ///     .with_related_contact("contact-1");
    /// ```
    pub fn with_related_contact(mut self, contact_id: impl Into<String>) -> Self {
        self.related_contact_id = Some(contact_id.into());
        self
    }

    /// Adds a contact attribute to the call.
    ///
    /// ```
    /// let c = streamhooks_sdk::StartOutboundVoiceContact::new("+15550100", "f")
    ///     .with_attribute("Reason", "callback");
    /// ```
    pub fn with_attribute(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.attributes.push((key.into(), value.into()));
        self
    }
}

impl ContactRecording {
    /// Which recording of which contact; use with [`Action::SuspendContactRecording`] or
    /// [`Action::ResumeContactRecording`] (or [`Action::suspend_call_recording`] for calls).
    ///
    /// ```
    /// use streamhooks_sdk::{Action, ContactRecording, RecordingType};
    /// let action = Action::SuspendContactRecording(ContactRecording::new(
    ///     "contact-1",
    ///     "contact-1",
    ///     RecordingType::Screen,
    /// ));
    /// ```
    pub fn new(
        contact_id: impl Into<String>,
        initial_contact_id: impl Into<String>,
        recording_type: RecordingType,
    ) -> Self {
        ContactRecording {
            contact_id: contact_id.into(),
            initial_contact_id: initial_contact_id.into(),
            recording_type,
        }
    }
}

impl ScreenPop {
    /// An empty screen pop: add a URL, a title or data.
    ///
    /// ```
    /// let pop = streamhooks_sdk::ScreenPop::new().with_data("Queue", "Support");
    /// ```
    pub fn new() -> Self {
        ScreenPop {
            url: None,
            title: None,
            data: Vec::new(),
        }
    }

    /// A screen pop that opens `url`.
    ///
    /// ```
    /// let pop = streamhooks_sdk::ScreenPop::url("https://crm.example.com/customers/42");
    /// ```
    pub fn url(url: impl Into<String>) -> Self {
        ScreenPop {
            url: Some(url.into()),
            ..Self::new()
        }
    }

    /// Sets the title of what is shown.
    ///
    /// ```
    /// let pop = streamhooks_sdk::ScreenPop::new().with_title("Customer");
    /// ```
    pub fn with_title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// Adds a key/value pair shown alongside.
    ///
    /// ```
    /// let pop = streamhooks_sdk::ScreenPop::new().with_data("Channel", "VOICE");
    /// ```
    pub fn with_data(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.data.push((key.into(), value.into()));
        self
    }
}

impl Default for ScreenPop {
    fn default() -> Self {
        Self::new()
    }
}

impl CrmUpdate {
    /// Creates or updates the `object` record whose `id_field` is `id` (an upsert by external
    /// id). `fields_json` is a JSON object (see [`JsonObject`](crate::json::JsonObject)). Grant:
    /// `crm.connectors` / `.objects`.
    ///
    /// ```
    /// use streamhooks_sdk::{Action, CrmUpdate, json::JsonObject};
    /// let fields = JsonObject::new().string("Subject", "Call").int("DurationSeconds", 42).build();
    /// let action: Action =
    ///     CrmUpdate::upsert("salesforce", "Task", "ContactId__c", "contact-1", fields).into();
    /// ```
    pub fn upsert(
        connector: impl Into<String>,
        object: impl Into<String>,
        id_field: impl Into<String>,
        id: impl Into<String>,
        fields_json: impl Into<String>,
    ) -> Self {
        CrmUpdate {
            connector: connector.into(),
            object: object.into(),
            operation: CrmOperation::Upsert,
            id_field: Some(id_field.into()),
            id: Some(id.into()),
            fields_json: fields_json.into(),
        }
    }

    /// Creates a new `object` record.
    ///
    /// ```
    /// let create = streamhooks_sdk::CrmUpdate::create("webhook", "Note", r#"{"text":"hi"}"#);
    /// ```
    pub fn create(
        connector: impl Into<String>,
        object: impl Into<String>,
        fields_json: impl Into<String>,
    ) -> Self {
        CrmUpdate {
            connector: connector.into(),
            object: object.into(),
            operation: CrmOperation::Create,
            id_field: None,
            id: None,
            fields_json: fields_json.into(),
        }
    }

    /// Updates the `object` record with the CRM id `id`.
    ///
    /// ```
    /// let update = streamhooks_sdk::CrmUpdate::update("salesforce", "Case", "500xx", "{}");
    /// ```
    pub fn update(
        connector: impl Into<String>,
        object: impl Into<String>,
        id: impl Into<String>,
        fields_json: impl Into<String>,
    ) -> Self {
        CrmUpdate {
            connector: connector.into(),
            object: object.into(),
            operation: CrmOperation::Update,
            id_field: None,
            id: Some(id.into()),
            fields_json: fields_json.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builders_fill_the_records() {
        let action: Action = StartTaskContact::new("Call back")
            .with_contact_flow("flow")
            .with_related_contact("c1")
            .with_reference("Number", "STRING", "+1555")
            .into();
        let Action::StartTaskContact(task) = action else {
            panic!("not a task");
        };
        assert_eq!(task.contact_flow_id.as_deref(), Some("flow"));
        assert_eq!(task.related_contact_id.as_deref(), Some("c1"));
        assert_eq!(task.references[0].value, "+1555");
        assert_eq!(
            Action::start_task("t", "f").grant_name(),
            "start_task_contact"
        );
    }

    #[test]
    fn screen_pop_is_a_client_directive() {
        let action = Action::client_screen_pop("a", None, ScreenPop::url("u"));
        let Action::Client(ClientAction {
            directive: ClientDirective::ScreenPop(pop),
            ..
        }) = action
        else {
            panic!("not a screen pop");
        };
        assert_eq!(pop.url.as_deref(), Some("u"));
    }
}
