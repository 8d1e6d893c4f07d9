//! Grants: what a plugin's manifest allows it to do. Everything not granted is denied.

use std::collections::BTreeMap;

use crate::action::{Action, ClientDirective};

/// A scope value pattern: an exact string, or a prefix followed by `*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern(String);

impl Pattern {
    /// A pattern from its text.
    pub fn new(text: impl Into<String>) -> Pattern {
        Pattern(text.into())
    }

    /// Whether `value` matches.
    pub fn matches(&self, value: &str) -> bool {
        match self.0.strip_suffix('*') {
            Some(prefix) => value.starts_with(prefix),
            None => self.0 == value,
        }
    }

    /// The pattern's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// How one action type is granted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grant {
    /// Granted with no scope check (`key = true`).
    Any,
    /// Granted within scopes (`key = { scope = [patterns] }`); a scope not listed allows
    /// nothing.
    Scoped(BTreeMap<String, Vec<Pattern>>),
}

/// The grant keys of the manifest's `[grants]` table, with the scopes each accepts.
/// `client` is special: a list of directive names.
pub const GRANT_KEYS: &[(&str, &[&str])] = &[
    ("put_user_status", &["statuses"]),
    ("update_contact_attributes", &["keys"]),
    ("update_contact", &[]),
    ("stop_contact", &[]),
    ("transfer_contact", &["queues", "users"]),
    (
        "start_task_contact",
        &["contact_flows", "templates", "quick_connects"],
    ),
    (
        "start_outbound_voice_contact",
        &["contact_flows", "destinations"],
    ),
    ("dismiss_user_contact", &[]),
    ("suspend_contact_recording", &[]),
    ("resume_contact_recording", &[]),
    ("monitor_contact", &[]),
    ("tag_contact", &["keys"]),
    ("crm", &["connectors", "objects"]),
    ("publish", &["detail_types"]),
];

/// Why an action was denied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{action_type} denied: {reason}")]
pub struct Denial {
    /// The action's type name.
    pub action_type: &'static str,
    /// What the manifest lacks.
    pub reason: String,
}

/// What a plugin may do, from its manifest's `[grants]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Grants {
    /// Granted action types by grant key (`start_task_contact` ...).
    pub actions: BTreeMap<String, Grant>,
    /// Client directive names granted (`screen-pop` ...).
    pub client: Vec<String>,
}

fn grant_key(action: &Action) -> &'static str {
    match action {
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

/// The scoped values an action presents: (scope, value) pairs, each of which must match.
fn scoped_values(action: &Action) -> Vec<(&'static str, &str)> {
    let mut out = Vec::new();
    match action {
        Action::PutUserStatus(a) => out.push(("statuses", a.agent_status_id.as_str())),
        Action::UpdateContactAttributes(a) => {
            out.extend(a.attributes.iter().map(|(k, _)| ("keys", k.as_str())));
        }
        Action::TransferContact(a) => {
            out.extend(a.queue_id.as_deref().map(|q| ("queues", q)));
            out.extend(a.user_id.as_deref().map(|u| ("users", u)));
        }
        Action::StartTaskContact(a) => {
            out.extend(a.contact_flow_id.as_deref().map(|f| ("contact_flows", f)));
            out.extend(a.task_template_id.as_deref().map(|t| ("templates", t)));
            out.extend(a.quick_connect_id.as_deref().map(|q| ("quick_connects", q)));
        }
        Action::StartOutboundVoiceContact(a) => {
            out.push(("contact_flows", a.contact_flow_id.as_str()));
            out.push(("destinations", a.destination_phone_number.as_str()));
        }
        Action::TagContact(a) => out.extend(a.tags.iter().map(|(k, _)| ("keys", k.as_str()))),
        Action::Crm(a) => {
            out.push(("connectors", a.connector.as_str()));
            out.push(("objects", a.object.as_str()));
        }
        Action::Publish(a) => out.push(("detail_types", a.detail_type.as_str())),
        Action::UpdateContact(_)
        | Action::StopContact(_)
        | Action::DismissUserContact(_)
        | Action::SuspendContactRecording(_)
        | Action::ResumeContactRecording(_)
        | Action::MonitorContact(_)
        | Action::Client(_) => {}
    }
    out
}

impl Grants {
    /// Checks one action against the grants: `Ok` if granted, the reason otherwise.
    pub fn authorize(&self, action: &Action) -> Result<(), Denial> {
        let action_type = action.type_name();
        let deny = |reason: String| {
            Err(Denial {
                action_type,
                reason,
            })
        };
        if let Action::Client(client) = action {
            let name = client.directive.name();
            return if self.client.iter().any(|n| n == name) {
                Ok(())
            } else {
                deny(format!(
                    "client directive `{name}` is not granted (add it to `[grants] client`)"
                ))
            };
        }
        let key = grant_key(action);
        match self.actions.get(key) {
            None => deny(format!("not granted (add `{key}` to `[grants]`)")),
            Some(Grant::Any) => Ok(()),
            Some(Grant::Scoped(scopes)) => {
                for (scope, value) in scoped_values(action) {
                    let allowed = scopes
                        .get(scope)
                        .is_some_and(|patterns| patterns.iter().any(|p| p.matches(value)));
                    if !allowed {
                        return deny(format!("`{value}` is not in `[grants] {key}.{scope}`"));
                    }
                }
                Ok(())
            }
        }
    }

    /// Whether a directive name is known (for manifest validation).
    pub fn is_directive(name: &str) -> bool {
        ClientDirective::NAMES.contains(&name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::action::*;

    fn scoped(pairs: &[(&str, &[&str])]) -> Grant {
        Grant::Scoped(
            pairs
                .iter()
                .map(|(k, v)| {
                    (
                        (*k).to_owned(),
                        v.iter().map(|p| Pattern::new(*p)).collect(),
                    )
                })
                .collect(),
        )
    }

    fn task(flow: Option<&str>, template: Option<&str>) -> Action {
        Action::StartTaskContact(StartTaskContact {
            name: "Follow up".into(),
            description: None,
            contact_flow_id: flow.map(Into::into),
            task_template_id: template.map(Into::into),
            quick_connect_id: None,
            previous_contact_id: None,
            related_contact_id: None,
            attributes: vec![],
            references: vec![],
            scheduled_time: None,
        })
    }

    #[test]
    fn patterns() {
        assert!(Pattern::new("*").matches("anything"));
        assert!(Pattern::new("Crm*").matches("CrmId"));
        assert!(!Pattern::new("Crm*").matches("crmId"));
        assert!(Pattern::new("exact").matches("exact"));
        assert!(!Pattern::new("exact").matches("exactly"));
    }

    #[test]
    fn nothing_is_granted_by_default() {
        let grants = Grants::default();
        let denial = grants.authorize(&task(Some("f"), None)).unwrap_err();
        assert_eq!(
            denial.to_string(),
            "start-task-contact denied: not granted (add `start_task_contact` to `[grants]`)"
        );
    }

    #[test]
    fn scopes_must_match_every_value_given() {
        let mut grants = Grants::default();
        grants.actions.insert(
            "start_task_contact".into(),
            scoped(&[("contact_flows", &["flow-*"])]),
        );
        assert!(grants.authorize(&task(Some("flow-1"), None)).is_ok());
        assert!(
            grants.authorize(&task(None, None)).is_ok(),
            "nothing scoped given"
        );
        assert_eq!(
            grants
                .authorize(&task(Some("other"), None))
                .unwrap_err()
                .reason,
            "`other` is not in `[grants] start_task_contact.contact_flows`"
        );
        assert_eq!(
            grants
                .authorize(&task(Some("flow-1"), Some("tpl")))
                .unwrap_err()
                .reason,
            "`tpl` is not in `[grants] start_task_contact.templates`"
        );
        grants
            .actions
            .insert("start_task_contact".into(), Grant::Any);
        assert!(grants.authorize(&task(Some("x"), Some("y"))).is_ok());
    }

    #[test]
    fn attribute_keys_and_client_directives() {
        let mut grants = Grants::default();
        grants.actions.insert(
            "update_contact_attributes".into(),
            scoped(&[("keys", &["Disposition", "Crm*"])]),
        );
        let update = |keys: &[&str]| {
            Action::UpdateContactAttributes(UpdateContactAttributes {
                initial_contact_id: "c".into(),
                attributes: keys.iter().map(|k| ((*k).into(), "v".into())).collect(),
            })
        };
        assert!(grants.authorize(&update(&["Disposition", "CrmId"])).is_ok());
        assert!(
            grants
                .authorize(&update(&["Disposition", "Secret"]))
                .is_err()
        );

        grants.client = vec!["screen-pop".into()];
        let client = |directive| {
            Action::Client(ClientAction {
                agent_arn: "a".into(),
                contact_id: None,
                directive,
            })
        };
        assert!(
            grants
                .authorize(&client(ClientDirective::ScreenPop(ScreenPop {
                    url: None,
                    title: None,
                    data: vec![]
                })))
                .is_ok()
        );
        assert_eq!(
            grants
                .authorize(&client(ClientDirective::Accept))
                .unwrap_err()
                .reason,
            "client directive `accept` is not granted (add it to `[grants] client`)"
        );
    }

    #[test]
    fn every_action_has_a_known_grant_key() {
        let keys: Vec<&str> = GRANT_KEYS.iter().map(|(k, _)| *k).collect();
        for action in [
            task(None, None),
            Action::StopContact(StopContact {
                contact_id: "c".into(),
                disconnect_reason: None,
            }),
        ] {
            assert!(keys.contains(&grant_key(&action)));
            for (scope, _) in scoped_values(&action) {
                let scopes = GRANT_KEYS
                    .iter()
                    .find(|(k, _)| *k == grant_key(&action))
                    .unwrap()
                    .1;
                assert!(scopes.contains(&scope));
            }
        }
    }
}
