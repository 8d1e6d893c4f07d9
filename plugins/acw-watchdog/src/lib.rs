//! acw-watchdog: remembers when each of an agent's contacts entered After Contact Work; on a
//! later event for that agent (heartbeat, refresh, state change ...) that happened more than
//! `max_acw_seconds` after, while the contact is still in ACW, creates a follow-up task linked
//! to the contact and/or sets the agent's (next) status to Available. Once per ACW. See
//! README.md.

use streamhooks_sdk::{
    Action, Event, EventKind, Handler, HandlerResult, PluginError, Source, StartTaskContact,
    Timestamp, config, config_or, config_parse, export_plugin, log, require_config, state,
};

const DEFAULT_MAX_ACW_SECONDS: u64 = 180;

struct AcwWatchdog;

impl Handler for AcwWatchdog {
    fn on_event(event: &Event) -> HandlerResult {
        // Every subscribed event names an agent; an event that does not is not ours to judge.
        let (Ok(agent_id), Ok(agent_arn)) = (event.require_agent_id(), event.require_agent_arn())
        else {
            return Ok(Vec::new());
        };
        let key = format!("acw/{agent_id}");
        let stored = state::get_string(&key).unwrap_or_default();
        let mut acw = AcwContacts::parse(&stored);
        let contact_id = event.contact_id.as_deref();
        match (event.kind(), contact_id) {
            (EventKind::ContactAcw, Some(contact)) => acw.enter(contact, acw_since(event)),
            (EventKind::AgentAfterCallWork, Some(contact)) => acw.enter(contact, acw_since(event)),
            (EventKind::AgentAfterCallWork, None) => {
                // Agent-level ACW with no contact id: only unambiguous with one contact.
                if let Some([contact]) = event.agent.as_ref().map(|a| a.contact_ids.as_slice()) {
                    acw.enter(contact, acw_since(event));
                }
            }
            (EventKind::ContactDestroyed, Some(contact)) => acw.clear(contact),
            (EventKind::AgentLogout, _) => acw = AcwContacts::default(),
            _ => {}
        }
        // ACW can end before its `contact-destroyed` arrives (the browser reports the agent
        // routable first, in the same batch): do not act on a contact that is already cleared.
        match event.source {
            // The agent event stream's snapshots list every contact the agent still has.
            Source::AgentStream => {
                if let Some(agent) = &event.agent {
                    acw.retain(&agent.contact_ids);
                }
            }
            // Forwarded snapshots may omit the contacts, but while an agent has any contact
            // Streams reports a `system` state (`Busy`, `AfterCallWork` ...) or an `error` one;
            // the agent's own status (routable, not routable, offline) means no contact is left.
            Source::Streams => {
                let own_status = event.agent_state().is_some_and(|s| {
                    matches!(
                        s.state_type.as_str(),
                        "routable" | "not_routable" | "offline"
                    )
                });
                if own_status {
                    acw = AcwContacts::default();
                }
            }
            Source::Eventbridge => {}
        }

        let max_ms = max_acw_ms()?;
        let due = acw.take_due(event.occurred_at, max_ms);
        let actions = if due.is_empty() {
            Vec::new()
        } else {
            let plan = Plan::from_config()?;
            due.iter()
                .flat_map(|contact| plan.actions(agent_arn, contact, max_ms / 1000))
                .collect()
        };

        let updated = acw.to_string();
        if updated != stored {
            if updated.is_empty() {
                state::delete(&key);
            } else {
                state::set(&key, &updated)?;
            }
        }
        if !due.is_empty() {
            log::info!(
                "agent {agent_id}: {} contact(s) past the ACW limit",
                due.len()
            );
        }
        Ok(actions)
    }
}

export_plugin!(AcwWatchdog);

/// When ACW started: when the contact entered its `ended` state (the snapshot's
/// `state_since`), else the event's time. Not the agent state's `since`: the agent's status
/// (`Available` ...) does not change when a contact enters ACW.
fn acw_since(event: &Event) -> Timestamp {
    event
        .contact
        .as_ref()
        .and_then(|c| c.state_since)
        .unwrap_or(event.occurred_at)
}

fn max_acw_ms() -> Result<i64, PluginError> {
    let secs: u64 = config_parse("max_acw_seconds")?.unwrap_or(DEFAULT_MAX_ACW_SECONDS);
    i64::try_from(secs.saturating_mul(1000))
        .map_err(|_| PluginError::bad_config("max_acw_seconds", "too large"))
}

/// What to do for a contact past the limit, from the plugin's config.
#[derive(Debug)]
struct Plan {
    task_flow: Option<String>,
    task_name: String,
    available_status: Option<String>,
}

impl Plan {
    fn from_config() -> Result<Self, PluginError> {
        let set_available: bool = config_parse("set_available")?.unwrap_or(false);
        let plan = Plan {
            task_flow: config("contact_flow_id").filter(|f| !f.is_empty()),
            task_name: config_or("task_name", "Follow up: long After Contact Work"),
            available_status: if set_available {
                Some(require_config("available_status_id")?)
            } else {
                None
            },
        };
        if plan.task_flow.is_none() && plan.available_status.is_none() {
            return Err(PluginError::new(
                "missing-config",
                "set `contact_flow_id` (follow-up task) and/or `set_available = \"true\"` \
                 with `available_status_id`",
            ));
        }
        Ok(plan)
    }

    fn actions(&self, agent_arn: &str, contact_id: &str, max_seconds: i64) -> Vec<Action> {
        let mut actions = Vec::new();
        if let Some(flow) = &self.task_flow {
            let task = StartTaskContact::new(&self.task_name)
                .with_contact_flow(flow)
                .with_related_contact(contact_id)
                .with_description(format!(
                    "The agent stayed in After Contact Work for more than {max_seconds} s \
                     on this contact."
                ))
                .with_attribute("AgentArn", agent_arn);
            actions.push(task.into());
        }
        if let Some(status) = &self.available_status {
            actions.push(Action::put_user_status(agent_arn, status));
        }
        actions
    }
}

/// An agent's contacts in ACW: `contact \t since-ms \t fired` lines in one state value.
#[derive(Debug, Default, PartialEq, Eq)]
struct AcwContacts {
    entries: Vec<AcwEntry>,
}

#[derive(Debug, PartialEq, Eq)]
struct AcwEntry {
    contact_id: String,
    since: Timestamp,
    fired: bool,
}

impl AcwContacts {
    fn parse(stored: &str) -> Self {
        let entries = stored
            .lines()
            .filter_map(|line| {
                let mut parts = line.split('\t');
                let contact_id = parts.next()?.to_owned();
                let since = parts.next()?.parse().ok()?;
                let fired = parts.next()? == "1";
                Some(AcwEntry {
                    contact_id,
                    since,
                    fired,
                })
            })
            .collect();
        AcwContacts { entries }
    }

    /// Records that `contact` is in ACW since `since` (keeps the earliest time: the same
    /// transition arrives from several sources).
    fn enter(&mut self, contact: &str, since: Timestamp) {
        match self.entries.iter_mut().find(|e| e.contact_id == contact) {
            Some(entry) => entry.since = entry.since.min(since),
            None => self.entries.push(AcwEntry {
                contact_id: contact.to_owned(),
                since,
                fired: false,
            }),
        }
    }

    fn clear(&mut self, contact: &str) {
        self.entries.retain(|e| e.contact_id != contact);
    }

    /// Keeps only the contacts in `contact_ids`.
    fn retain(&mut self, contact_ids: &[String]) {
        self.entries.retain(|e| contact_ids.contains(&e.contact_id));
    }

    /// The contacts in ACW for more than `max_ms` at `now`, not yet acted on; marks them.
    fn take_due(&mut self, now: Timestamp, max_ms: i64) -> Vec<String> {
        let mut due = Vec::new();
        for entry in &mut self.entries {
            if !entry.fired && now - entry.since > max_ms {
                entry.fired = true;
                due.push(entry.contact_id.clone());
            }
        }
        due
    }
}

impl std::fmt::Display for AcwContacts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, e) in self.entries.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{}\t{}\t{}", e.contact_id, e.since, u8::from(e.fired))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fires_once_past_the_limit_and_forgets_on_destroy() {
        let mut acw = AcwContacts::default();
        acw.enter("c1", 1_000);
        acw.enter("c1", 5_000); // a second source, later: keeps the earliest
        assert!(acw.take_due(181_000, 180_000).is_empty());
        assert_eq!(acw.take_due(181_001, 180_000), vec!["c1".to_owned()]);
        assert!(acw.take_due(999_999, 180_000).is_empty());

        let round_trip = AcwContacts::parse(&acw.to_string());
        assert_eq!(round_trip, acw);

        acw.enter("c2", 1_000);
        acw.retain(&["c2".to_owned()]);
        assert_eq!(acw.to_string(), "c2\t1000\t0");
        acw.clear("c2");
        assert_eq!(acw.to_string(), "");
    }

    #[test]
    fn plans_a_linked_task_and_a_status() {
        let plan = Plan {
            task_flow: Some("flow-1".into()),
            task_name: "Follow up".into(),
            available_status: Some("available".into()),
        };
        let actions = plan.actions("arn:agent", "c1", 180);
        assert_eq!(actions.len(), 2);
        let Action::StartTaskContact(task) = &actions[0] else {
            panic!("not a task: {:?}", actions[0]);
        };
        assert_eq!(task.related_contact_id.as_deref(), Some("c1"));
        assert_eq!(task.contact_flow_id.as_deref(), Some("flow-1"));
        assert_eq!(
            actions[1],
            Action::put_user_status("arn:agent", "available")
        );
    }

    #[test]
    fn acw_starts_when_the_contact_state_changed() {
        let mut event = Event::example("contact-acw");
        event.occurred_at += 10_000;
        assert_eq!(
            acw_since(&event),
            event
                .contact
                .as_ref()
                .and_then(|c| c.state_since)
                .unwrap_or(0)
        );
    }
}
