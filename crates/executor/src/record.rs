//! The dry-run executor's ports: they record each call instead of making it, and succeed.

use std::sync::{Mutex, PoisonError};
use std::time::Instant;

use serde::Serialize;
use streamhooks_actions::{Action, CrmUpdate};

use crate::ports::{
    BoxFuture, CallContext, CallError, Connect, CrmConnector, EventPublisher, PublishEntry,
};

/// One call a [`Recorder`] stood in for.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "port", rename_all = "kebab-case")]
pub enum Recorded {
    /// An Amazon Connect call.
    Connect {
        /// The event.
        event_id: String,
        /// The plugin.
        plugin: String,
        /// The idempotency token the call would carry.
        client_token: String,
        /// The action.
        action: Action,
    },
    /// A CRM write.
    Crm {
        /// The event.
        event_id: String,
        /// The plugin.
        plugin: String,
        /// The update.
        update: CrmUpdate,
    },
    /// An EventBridge PutEvents call.
    Publish {
        /// `(source, detail-type, detail)` of each entry.
        entries: Vec<(String, String, String)>,
    },
}

/// Stands in for Amazon Connect, every CRM connector and EventBridge: records what would be
/// called, and answers success (`dry-run`). `streamhooks replay` and local runs use it.
#[derive(Debug, Default)]
pub struct Recorder {
    calls: Mutex<Vec<Recorded>>,
}

impl Recorder {
    /// An empty recorder.
    pub fn new() -> Recorder {
        Recorder::default()
    }

    /// The calls recorded so far, in order.
    pub fn calls(&self) -> Vec<Recorded> {
        self.calls
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn push(&self, call: Recorded) {
        self.calls
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(call);
    }
}

impl Connect for Recorder {
    fn call<'a>(
        &'a self,
        action: &'a Action,
        cx: &'a CallContext,
    ) -> BoxFuture<'a, Result<Option<String>, CallError>> {
        self.push(Recorded::Connect {
            event_id: cx.event_id.clone(),
            plugin: cx.plugin.clone(),
            client_token: cx.client_token.clone(),
            action: action.clone(),
        });
        Box::pin(async { Ok(Some("dry-run".to_owned())) })
    }
}

impl CrmConnector for Recorder {
    fn write<'a>(
        &'a self,
        update: &'a CrmUpdate,
        cx: &'a CallContext,
    ) -> BoxFuture<'a, Result<Option<String>, CallError>> {
        self.push(Recorded::Crm {
            event_id: cx.event_id.clone(),
            plugin: cx.plugin.clone(),
            update: update.clone(),
        });
        Box::pin(async { Ok(Some("dry-run".to_owned())) })
    }
}

impl EventPublisher for Recorder {
    fn put_events<'a>(
        &'a self,
        entries: &'a [PublishEntry],
        _deadline: Instant,
    ) -> BoxFuture<'a, Result<Vec<Result<String, CallError>>, CallError>> {
        self.push(Recorded::Publish {
            entries: entries
                .iter()
                .map(|e| (e.source.clone(), e.detail_type.clone(), e.detail.clone()))
                .collect(),
        });
        let n = entries.len();
        Box::pin(async move { Ok(vec![Ok("dry-run".to_owned()); n]) })
    }
}
