//! Executes what plugins decide, reliably: every planned action ends in exactly one outcome
//! (done, failed with its reason, denied, deferred to the client), never silently dropped.
//!
//! - Server actions go to Amazon Connect through the [`Connect`] port, each API drawing from a
//!   shared token bucket ([`RateLimiter`], quotas are per account and Region), with an
//!   idempotency token derived from (event id, plugin, action index) ([`client_token`]).
//! - Throttled and transient failures are retried with exponential backoff and full jitter
//!   ([`RetryPolicy`]), honouring `Retry-After`, within the event's deadline; permanent ones
//!   (validation, access denied, not found, quota exceeded) are not.
//! - `crm` actions go to the named [`CrmConnector`]; `publish` actions are batched into
//!   EventBridge PutEvents calls of at most 10 entries and 256 KB, failed entries retried one by
//!   one ([`EventPublisher`]).
//! - Client directives are collected per agent and returned, never executed here.
//! - [`Execution::emf_lines`] gives CloudWatch Embedded Metric Format lines; every outcome is
//!   logged through `tracing` with structured fields and no customer data.
//! - [`Recorder`] stands in for every port in dry runs.
//!
//! The adapters live elsewhere (`streamhooks-connect`, `streamhooks-crm`); this crate knows no
//! AWS SDK and no HTTP client.
//!
//! ```
//! use std::sync::Arc;
//! use std::time::Duration;
//! use streamhooks_actions::{Action, StopContact};
//! use streamhooks_executor::{Executor, Outcome, Planned, RateLimiter, Recorder};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let recorder = Arc::new(Recorder::new());
//! let executor = Executor::new(Arc::new(RateLimiter::connect_defaults()))
//!     .with_connect(recorder.clone());
//! let planned = vec![Planned {
//!     event_id: "e-1".into(), plugin: "hang-up".into(), index: 0,
//!     action: Action::StopContact(StopContact { contact_id: "c-1".into(), disconnect_reason: None }),
//!     denied: None, resources: vec![],
//! }];
//! let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
//! let execution = executor.execute(&planned, deadline).await;
//! assert!(matches!(execution.outcomes[0].outcome, Outcome::Done { attempts: 1, .. }));
//! assert_eq!(recorder.calls().len(), 1);
//! # }
//! ```

mod execute;
pub mod limiter;
pub mod ports;
mod record;

pub use execute::{
    ActionOutcome, Execution, Executor, MAX_BYTES_PER_PUT, MAX_ENTRIES_PER_PUT, Outcome, Planned,
    RetryPolicy, client_token, connect_operation,
};
pub use limiter::{CONNECT_DEFAULT_QUOTAS, Quota, RATE_HEADROOM, RateLimiter, WouldPassDeadline};
pub use ports::{
    BoxFuture, CallContext, CallError, Connect, CrmConnector, EventPublisher, PublishEntry,
};
pub use record::{Recorded, Recorder};
