//! The connectors against a local server that plays the CRM (127.0.0.1 only).

mod salesforce;
mod server;
mod webhook;

use std::time::{Duration, Instant};

use serde_json::json;
use streamhooks_actions::{CrmOperation, CrmUpdate};
use streamhooks_crm::CallContext;

/// A context with `deadline` from now.
fn cx(deadline: Duration) -> CallContext {
    CallContext {
        event_id: "evt-1".into(),
        plugin: "crm-sync".into(),
        index: 2,
        client_token: "tok-abc".into(),
        attempt: 1,
        deadline: Instant::now() + deadline,
    }
}

fn upsert() -> CrmUpdate {
    CrmUpdate {
        connector: "crm".into(),
        object: "Task".into(),
        operation: CrmOperation::Upsert,
        id_field: Some("CallId__c".into()),
        id: Some("c-1".into()),
        fields: json!({"Subject": "Call", "Duration__c": 42}),
    }
}
