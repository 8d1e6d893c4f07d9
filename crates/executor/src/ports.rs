//! The outside systems the executor calls, as ports. Each adapter crate implements one:
//! `streamhooks-connect` ([`Connect`], aws-sdk-connect), `streamhooks-crm` ([`CrmConnector`]),
//! `streamhooks-connect`'s EventBridge publisher ([`EventPublisher`]). The executor owns rate
//! limiting, retries, deadlines and outcomes; an adapter makes one call and says how it failed.

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};

use streamhooks_actions::{Action, CrmUpdate};

/// A boxed future, so the ports can be used as trait objects.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// How one call failed: what the executor needs to decide whether to try again.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    /// Throttled (HTTP 429, `ThrottlingException`, `TooManyRequestsException`): try again after
    /// backoff, or after `retry_after` when the service said.
    #[error("throttled: {message}")]
    Throttled {
        /// How long the service asked to wait (`Retry-After`), if it did.
        retry_after: Option<Duration>,
        /// What the service said.
        message: String,
    },
    /// A transient failure (5xx, `InternalServiceException`, timeout, connection reset): try
    /// again after backoff.
    #[error("transient: {message}")]
    Transient {
        /// What went wrong.
        message: String,
    },
    /// Will not succeed if tried again: validation, access denied, not found, a service quota
    /// exceeded (`ServiceQuotaExceededException`), missing configuration.
    #[error("{code}: {message}")]
    Permanent {
        /// A stable code (`InvalidParameterException`, `ResourceNotFoundException`, `http-400`,
        /// `not-configured` ...).
        code: String,
        /// What the service said.
        message: String,
    },
}

impl CallError {
    /// Whether trying again may succeed.
    pub fn is_retryable(&self) -> bool {
        !matches!(self, CallError::Permanent { .. })
    }
}

/// What an adapter knows about the call it is making.
#[derive(Debug, Clone)]
pub struct CallContext {
    /// The event the action was decided on.
    pub event_id: String,
    /// The plugin that decided it.
    pub plugin: String,
    /// Its index in the plugin's result.
    pub index: usize,
    /// An idempotency token derived from (event id, plugin, index): the same on every retry
    /// and every redelivery of the event. Pass it where the API takes one (`ClientToken`).
    pub client_token: String,
    /// The attempt, from 1.
    pub attempt: u32,
    /// When the event's handling must be finished; an adapter should not start a call it
    /// cannot finish by then (set its own timeout below it).
    pub deadline: Instant,
}

/// Amazon Connect: one server action, one API call, with the instance from configuration.
pub trait Connect: Send + Sync {
    /// Makes the API call for `action` (a server action: not `client`, `crm` or `publish`).
    /// Returns a short detail on success (the new contact id of StartTaskContact ...).
    fn call<'a>(
        &'a self,
        action: &'a Action,
        cx: &'a CallContext,
    ) -> BoxFuture<'a, Result<Option<String>, CallError>>;
}

/// A CRM connector (`webhook`, `salesforce` ...), configured by the operator with its secrets.
pub trait CrmConnector: Send + Sync {
    /// Writes one CRM update. Returns the record id where the CRM gives one.
    fn write<'a>(
        &'a self,
        update: &'a CrmUpdate,
        cx: &'a CallContext,
    ) -> BoxFuture<'a, Result<Option<String>, CallError>>;
}

/// One EventBridge entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishEntry {
    /// `streamhooks.<plugin>`.
    pub source: String,
    /// The plugin's detail-type.
    pub detail_type: String,
    /// The detail, as a JSON object.
    pub detail: String,
    /// Resources the event concerns (the contact ARN ...), may be empty.
    pub resources: Vec<String>,
}

impl PublishEntry {
    /// The entry's size as EventBridge counts it against the 256 KB request limit: source,
    /// detail-type, detail and resources in UTF-8, plus 14 bytes for the time field.
    pub fn size(&self) -> usize {
        14 + self.source.len()
            + self.detail_type.len()
            + self.detail.len()
            + self.resources.iter().map(String::len).sum::<usize>()
    }
}

/// Amazon EventBridge PutEvents.
pub trait EventPublisher: Send + Sync {
    /// Sends at most 10 entries (256 KB in all) in one PutEvents call. `Ok` holds one result per
    /// entry, in order (the event id, or how that entry failed: PutEvents fails entries one by
    /// one, `FailedEntryCount`); `Err` means the call as a whole failed.
    fn put_events<'a>(
        &'a self,
        entries: &'a [PublishEntry],
        deadline: Instant,
    ) -> BoxFuture<'a, Result<Vec<Result<String, CallError>>, CallError>>;
}
