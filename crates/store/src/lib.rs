//! The state store port of streamhooks: what the functions need to make at-least-once,
//! unordered delivery safe.
//!
//! - **Idempotency** ([`Store::begin`], [`Store::record_done`], [`Store::complete`],
//!   [`Store::release`]): an event id is processed once. A record is *in progress* while one
//!   invocation holds its lease, and *completed* afterwards until it expires; a redelivery of a
//!   completed event gets the stored result back and executes nothing. Actions executed by an
//!   attempt that later failed are remembered, so the retry does not execute them again.
//! - **Ordering** ([`Store::advance`]): one mark per entity (a contact or an agent, per source),
//!   the newest `occurred_at` applied; an older event is reported stale.
//! - **Mailboxes** ([`Store::post`], [`Store::collect`]): client directives decided where no
//!   browser is waiting (on EventBridge and Kinesis events), kept per agent until the agent's
//!   browser collects them with its next request, or they expire. Handed out at most once.
//!
//! Per-plugin state is the engine's `StateStore` port; durable adapters implement both.
//!
//! Implementations: [`MemoryStore`] here (local runs and tests), `streamhooks-dynamodb`
//! (DynamoDB) for Lambda. Every implementation passes the same conformance tests.

use std::collections::BTreeSet;
use std::future::Future;
use std::pin::Pin;

#[cfg(feature = "conformance")]
pub mod conformance;
mod memory;

pub use memory::MemoryStore;

/// A boxed future, so [`Store`] can be used as a trait object.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Milliseconds since the Unix epoch (UTC). Expiries and marks are in these units.
pub type EpochMillis = i64;

/// How long an in-progress record outlives its lease when its holder neither completes nor
/// releases it (the invocation crashed or timed out): 24 hours, the longest time AWS redelivers
/// an event through EventBridge. Within that time, the redelivery that takes the event over
/// gets the actions the dead attempt executed; after it, the record is expired and a
/// redelivery starts afresh.
pub const IN_PROGRESS_RETENTION_MS: EpochMillis = 24 * 60 * 60 * 1000;

/// An action an attempt executed: the plugin that decided it and its index in the result.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ActionKey {
    /// The plugin's name.
    pub plugin: String,
    /// The action's index in the plugin's result.
    pub index: usize,
}

impl ActionKey {
    /// The key for `plugin`'s action number `index`.
    pub fn new(plugin: impl Into<String>, index: usize) -> ActionKey {
        ActionKey {
            plugin: plugin.into(),
            index,
        }
    }
}

/// What [`Store::begin`] found for an event id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Begin {
    /// The caller now holds the event's lease and should process it. `done` holds the actions
    /// an earlier attempt executed before it failed (empty the first time): do not execute them
    /// again.
    Started {
        /// Actions already executed for this event.
        done: BTreeSet<ActionKey>,
    },
    /// The event was processed already; `result` is what [`Store::complete`] stored.
    Completed {
        /// The stored result (the function decides its format).
        result: Option<String>,
    },
    /// Another invocation holds the lease until `lease_until`: try again later.
    InProgress {
        /// When that lease expires.
        lease_until: EpochMillis,
    },
}

/// A client directive waiting in an agent's mailbox for the agent's browser to collect it
/// ([`Store::post`], [`Store::collect`]). The store keeps its body opaque.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parcel {
    /// Unique and stable (the directive's id): posting the same id again replaces it.
    pub id: String,
    /// The directive, serialized by the caller.
    pub body: String,
    /// When it was posted; parcels are collected oldest first.
    pub posted_at: EpochMillis,
}

/// What [`Store::advance`] decided for an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// The event is not older than anything applied for its entity; the mark now holds its
    /// time (or a newer one).
    Fresh,
    /// An event newer than this one was applied already for its entity.
    Stale {
        /// The newest `occurred_at` applied.
        applied: EpochMillis,
    },
}

/// The store could not serve a request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// Throttled or unreachable, or a timeout: trying again may succeed.
    #[error("state store unavailable: {0}")]
    Unavailable(String),
    /// The caller does not hold the lease it tried to use (it expired and another invocation
    /// took the event over).
    #[error("lease on event {event_id} was lost")]
    LeaseLost {
        /// The event.
        event_id: String,
    },
    /// A request the store refuses (a value too large, a misconfigured table ...).
    #[error("state store refused the request: {0}")]
    Refused(String),
}

impl StoreError {
    /// Whether trying again may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, StoreError::Unavailable(_))
    }
}

/// Idempotency records and ordering marks. Safe to share between tasks.
///
/// All times are passed in by the caller (`now`), so implementations hold no clock and tests
/// control time.
pub trait Store: Send + Sync {
    /// Claims `event_id` for processing until `lease_until`.
    ///
    /// - no record, or an expired one (`expires_at <= now`): creates an in-progress record and
    ///   returns `Started` with no done actions;
    /// - an in-progress record whose lease has expired (`lease_until <= now`), or a released
    ///   one: takes it over and returns `Started` with its done actions;
    /// - an in-progress record with a live lease: `InProgress`;
    /// - a completed record: `Completed` with its result.
    ///
    /// The in-progress record created or taken over is kept at least until
    /// `lease_until + IN_PROGRESS_RETENTION_MS` (see [`IN_PROGRESS_RETENTION_MS`]), so that
    /// the retry of an attempt that died without [`release`](Store::release) still finds the
    /// actions it executed.
    ///
    /// Claiming is atomic: of two concurrent callers, exactly one gets `Started`.
    fn begin<'a>(
        &'a self,
        event_id: &'a str,
        now: EpochMillis,
        lease_until: EpochMillis,
    ) -> BoxFuture<'a, Result<Begin, StoreError>>;

    /// Adds `done` to the actions recorded as executed for `event_id`, which the caller holds
    /// (claimed with `lease_until`). `LeaseLost` if it does not.
    fn record_done<'a>(
        &'a self,
        event_id: &'a str,
        lease_until: EpochMillis,
        done: &'a [ActionKey],
    ) -> BoxFuture<'a, Result<(), StoreError>>;

    /// Marks `event_id` completed, with `result`, until `expires_at`. `LeaseLost` if the
    /// caller (claimed with `lease_until`) no longer holds it.
    fn complete<'a>(
        &'a self,
        event_id: &'a str,
        lease_until: EpochMillis,
        result: Option<&'a str>,
        expires_at: EpochMillis,
    ) -> BoxFuture<'a, Result<(), StoreError>>;

    /// Gives the lease on `event_id` up after a failed attempt, keeping its done actions, so
    /// that a redelivery can process it at once. The record expires at `expires_at`.
    fn release<'a>(
        &'a self,
        event_id: &'a str,
        lease_until: EpochMillis,
        expires_at: EpochMillis,
    ) -> BoxFuture<'a, Result<(), StoreError>>;

    /// Moves the ordering mark of `entity` to `occurred_at` unless a newer one is set, and
    /// keeps the mark until `expires_at`. Equal times are `Fresh` (several events derived from
    /// one record share a time; a retried event meets its own mark). A mark that expired
    /// (`expires_at <= now`) is treated as absent.
    fn advance<'a>(
        &'a self,
        entity: &'a str,
        occurred_at: EpochMillis,
        now: EpochMillis,
        expires_at: EpochMillis,
    ) -> BoxFuture<'a, Result<Order, StoreError>>;

    /// Puts `parcels` into `agent`'s mailbox until `expires_at`. Idempotent: a parcel whose id
    /// is already there replaces it (a retried event does not queue a directive twice).
    fn post<'a>(
        &'a self,
        agent: &'a str,
        parcels: &'a [Parcel],
        expires_at: EpochMillis,
    ) -> BoxFuture<'a, Result<(), StoreError>>;

    /// Removes and returns up to `max` of `agent`'s parcels that have not expired
    /// (`expires_at > now`), oldest first (ties by id); expired ones are dropped. Each parcel
    /// is returned to exactly one caller, however many collect at once. If the store fails part
    /// way, the parcels already removed are returned (an error would lose them); an error means
    /// none was removed.
    fn collect<'a>(
        &'a self,
        agent: &'a str,
        now: EpochMillis,
        max: usize,
    ) -> BoxFuture<'a, Result<Vec<Parcel>, StoreError>>;
}
