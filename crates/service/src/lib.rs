//! The streamhooks event pipeline behind the Lambda functions, with no AWS dependency of its
//! own: adapters (Amazon Connect, EventBridge, DynamoDB, CRM) are passed in as ports.
//!
//! - [`Service`]: one event through idempotency and the ordering guard (the
//!   [`streamhooks_store::Store`] port), the plugins (in a blocking thread), the executor, dead
//!   letters, to one [`EventReport`]. A redelivered event executes no action twice.
//! - [`sources`]: the EventBridge and Kinesis handlers (batch item failures).
//! - [`ingest`]: the HTTP handler for Streams clients (authentication, agent binding, CORS,
//!   caps, directives back).

pub mod dead_letter;
pub mod ingest;
mod pipeline;
pub mod sources;

pub use dead_letter::{
    DeadLetter, DeadLetterReason, DeadLetters, MemoryDeadLetters, PublisherDeadLetters,
};
pub use pipeline::{
    Clock, Delivery, Directive, EventReport, LEASE_MARGIN, Observer, Service, ServiceConfig,
    StalePolicy, Status, directive_id, directive_origin, order_entity, system_clock,
};
