//! The DynamoDB adapter of streamhooks' state: [`DynamoStore`] implements both the state store
//! port [`streamhooks_store::Store`] (idempotency records, ordering marks, agent mailboxes) and
//! the engine's per-plugin [`streamhooks_engine::StateStore`], on one table.
//!
//! # The table
//!
//! `template.yaml` defines it: `pk` (S) hash key, `sk` (S) range key, TTL on `expires_at`.
//! [`DynamoStore::check`] verifies the key schema at start-up.
//!
//! DynamoDB's TTL takes epoch **seconds** and deletes lazily (often days late), so every item
//! that expires also carries its precise expiry, `expires_at_ms` (epoch milliseconds), and
//! every read and condition treats an item whose `expires_at_ms <= now` as absent. TTL is only
//! the garbage collector: `expires_at` is `expires_at_ms` rounded **up** to a second, so TTL
//! never deletes an item before its time.
//!
//! # Item layouts
//!
//! | item | `pk` | `sk` | attributes |
//! | --- | --- | --- | --- |
//! | idempotency record | `event#<event id>` | `event` | `status` (S: `in_progress`, `released`, `completed`), `lease_until` (N, ms; while in progress), `done` (SS; the executed actions, each `<plugin>#<index>`; absent when none), `result` (S; when completed with one), `expires_at_ms` (N), `expires_at` (N, s) |
//! | ordering mark | `order#<entity>` | `mark` | `applied` (N, ms: the newest `occurred_at` applied), `expires_at_ms` (N), `expires_at` (N, s) |
//! | plugin state | `state#<plugin>` | `key#<key>` | `value` (B) |
//! | mailbox parcel | `mailbox#<agent>` | `parcel#<parcel id>` | `body` (S), `posted_at` (N, ms), `expires_at_ms` (N), `expires_at` (N, s) |
//!
//! State keys get the `key#` prefix because a plugin may use the empty key and DynamoDB
//! refuses an empty sort key; parcel ids get `parcel#` likewise. State items do not expire. An
//! in-progress record is kept until `lease_until + IN_PROGRESS_RETENTION_MS` at least (see
//! [`streamhooks_store::IN_PROGRESS_RETENTION_MS`]).
//!
//! # Atomicity
//!
//! Every change to a record or a mark is one conditional write (`ConditionExpression`) that
//! states what the caller saw: a claim creates the record only if it is absent or expired,
//! takes it over only if it is still exactly as read (lease expired or released), and
//! `record_done`, `complete` and `release` apply only while the record is in progress under
//! the caller's `lease_until`. When a condition fails, the item as it was comes back with the
//! error (`ReturnValuesOnConditionCheckFailure=ALL_OLD`; a consistent read if it does not) and
//! decides the answer (`InProgress`, `Completed`, `Stale`, `LeaseLost`) or another attempt.
//! [`StateStore::apply`](streamhooks_engine::StateStore::apply) writes all or nothing: one
//! `PutItem`/`DeleteItem` for one write, one `TransactWriteItems` for up to
//! [`MAX_TRANSACTION_WRITES`]; more, or more than [`MAX_TRANSACTION_BYTES`], are refused before
//! anything is written.
//!
//! # Mailboxes
//!
//! An agent's mailbox is the items of its partition key, one per parcel.
//! [`Store::post`](streamhooks_store::Store::post) writes each parcel with a `PutItem`
//! (replacing a waiting parcel of the same id; of one id repeated in a call, the last), up to
//! [`MAILBOX_CONCURRENCY`] at once. [`Store::collect`](streamhooks_store::Store::collect) reads
//! the mailbox with a consistent `Query` (every page; keys, `posted_at` and `expires_at_ms`
//! only), sorts the live parcels oldest first (ties by id), and **claims** them in that order,
//! up to [`MAILBOX_CONCURRENCY`] at once, until `max` are delivered: a claim is a `DeleteItem`
//! with `ConditionExpression attribute_exists(pk)` and `ReturnValues=ALL_OLD`, and only a
//! claim that deleted the item delivers it, with the body it returned. Of concurrent collects,
//! exactly one deletes each parcel, so each parcel is delivered once; a claim that finds it
//! gone moves on to the next parcel. After the claims, the expired parcels seen
//! (`expires_at_ms <= now`) are deleted, each on condition that it is still expired (a parcel
//! re-posted meanwhile lives on); that is best effort (skipped when a claim failed), TTL
//! deletes what it misses. If a request fails after some parcels were claimed, `collect`
//! returns those (an error would lose them) and leaves the rest for the next collect; it fails
//! only when it claimed nothing.
//!
//! Limits of the handoff: a claim whose `DeleteItem` landed but whose answer was lost
//! (a timeout) loses that parcel, retried or not (the retry finds it gone); a post retried
//! after its parcel was collected posts it again. A parcel is an item, so its body and id
//! share DynamoDB's 400 KB item limit (a larger one is [`StoreError::Refused`]). Every collect
//! reads the whole mailbox, so parcels should expire in minutes, not days.
//!
//! # IAM
//!
//! The store needs `dynamodb:GetItem`, `PutItem`, `UpdateItem`, `DeleteItem`, `Query` and
//! `DescribeTable` ([`DynamoStore::check`]) on the table. Its `TransactWriteItems` (plugin
//! state) is authorized per item, as the `PutItem` and `DeleteItem` it holds. No
//! `BatchWriteItem`, `Scan` or index.
//!
//! # Errors
//!
//! SDK errors are classified by their error code and HTTP status, never by their text:
//! throttling, 5xx, `TransactionConflict`, timeouts, connection and response failures are
//! [`StoreError::Unavailable`] (retryable); everything else (validation, a missing table,
//! access denied ...) is [`StoreError::Refused`]. A [`StateStoreError`]'s reason says which.
//!
//! # SDK client: timeouts and retries
//!
//! [`DynamoStore::from_sdk_config`] sets a connect timeout of [`CONNECT_TIMEOUT`], a timeout
//! per attempt of [`ATTEMPT_TIMEOUT`] and per operation of [`OPERATION_TIMEOUT`], and the
//! SDK's standard retries, [`MAX_ATTEMPTS`] attempts, for requests that can be repeated
//! safely: reads, `advance`, `record_done`, plugin state writes, and the requests of `post`
//! and `collect` (a put is idempotent; see "Mailboxes" for a claim). The claims and ends of a
//! record (`begin`, `complete`, `release`) are never retried by the SDK, whatever the client's
//! configuration (also with [`DynamoStore::new`]): if a first attempt landed but its answer was
//! lost, its retry would meet the caller's own write and report it as another invocation's
//! (`InProgress`, `LeaseLost`). They report [`StoreError::Unavailable`] instead, and the
//! caller retries the whole event.
//!
//! # The synchronous `StateStore` and tokio
//!
//! The engine calls [`StateStore`](streamhooks_engine::StateStore) synchronously, from inside
//! a plugin call. [`DynamoStore`] runs each request on the tokio runtime it was created in (it
//! keeps a [`Handle`]), blocking the calling thread until it is done. So **run the engine on a
//! blocking thread** (`tokio::task::spawn_blocking`) of a multi-thread runtime, or on a thread
//! outside any runtime. Called from a multi-thread runtime's worker (an async task), it
//! moves the worker's other tasks away first (`tokio::task::block_in_place`); called from a
//! current-thread runtime (where blocking would stall or deadlock the runtime it needs), it
//! returns a [`StateStoreError`] saying so. It never panics.

use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::retry::RetryConfig;
use aws_sdk_dynamodb::config::timeout::TimeoutConfig;
use aws_sdk_dynamodb::types::{KeyType, ScalarAttributeType};
use streamhooks_engine::StateStoreError;
use streamhooks_store::StoreError;
use tokio::runtime::Handle;

mod error;
mod item;
mod mailbox;
mod records;
mod state;

pub use mailbox::MAILBOX_CONCURRENCY;
pub use state::{MAX_TRANSACTION_BYTES, MAX_TRANSACTION_WRITES};

use error::Failure;

/// How long [`DynamoStore::from_sdk_config`]'s client waits to connect.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
/// How long one attempt of a request may take.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(2);
/// How long a request may take, retries included.
pub const OPERATION_TIMEOUT: Duration = Duration::from_secs(5);
/// Attempts of a request that can be repeated safely (see the crate docs).
pub const MAX_ATTEMPTS: u32 = 3;

/// Idempotency records, ordering marks and plugin state in one DynamoDB table.
///
/// Cheap to clone (the SDK client is shared).
#[derive(Debug, Clone)]
pub struct DynamoStore {
    client: Client,
    table: String,
    handle: Option<Handle>,
}

impl DynamoStore {
    /// A store on `table`, through `client` as configured (see the crate docs on retries).
    ///
    /// Keeps the current tokio runtime's handle for the synchronous
    /// [`StateStore`](streamhooks_engine::StateStore) methods; outside a runtime, call
    /// [`DynamoStore::with_runtime`] too, or those methods return an error.
    pub fn new(client: Client, table: impl Into<String>) -> DynamoStore {
        DynamoStore {
            client,
            table: table.into(),
            handle: Handle::try_current().ok(),
        }
    }

    /// A store on `table` with a client made from `config` (region, credentials, endpoint),
    /// with this crate's timeouts and retries (see the crate docs), which replace `config`'s.
    pub fn from_sdk_config(
        config: &aws_config::SdkConfig,
        table: impl Into<String>,
    ) -> DynamoStore {
        let timeouts = TimeoutConfig::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .operation_attempt_timeout(ATTEMPT_TIMEOUT)
            .operation_timeout(OPERATION_TIMEOUT)
            .build();
        let conf = aws_sdk_dynamodb::config::Builder::from(config)
            .timeout_config(timeouts)
            .retry_config(RetryConfig::standard().with_max_attempts(MAX_ATTEMPTS))
            .build();
        DynamoStore::new(Client::from_conf(conf), table)
    }

    /// Runs the synchronous [`StateStore`](streamhooks_engine::StateStore) methods' requests
    /// on `handle`'s runtime instead of the one current at construction.
    pub fn with_runtime(mut self, handle: Handle) -> DynamoStore {
        self.handle = Some(handle);
        self
    }

    /// The table's name.
    pub fn table(&self) -> &str {
        &self.table
    }

    /// The SDK client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Verifies that the table exists and has the expected key schema (`pk` S hash key, `sk` S
    /// range key), with one `DescribeTable` (IAM: `dynamodb:DescribeTable`): call it at start-up
    /// to fail fast, with a message naming the table, on a misconfigured deployment.
    pub async fn check(&self) -> Result<(), StoreError> {
        let out = self
            .client
            .describe_table()
            .table_name(&self.table)
            .send()
            .await
            .map_err(|e| self.failure("DescribeTable", e).into_store())?;
        let Some(table) = out.table() else {
            return Err(StoreError::Refused(format!(
                "DynamoDB table {}: DescribeTable returned no description",
                self.table
            )));
        };
        let schema: Vec<(String, KeyType)> = table
            .key_schema()
            .iter()
            .map(|k| (k.attribute_name().to_owned(), k.key_type().clone()))
            .collect();
        let type_of = |name: &str| {
            table
                .attribute_definitions()
                .iter()
                .find(|d| d.attribute_name() == name)
                .map(|d| d.attribute_type().clone())
        };
        let expected = [
            (item::PK.to_owned(), KeyType::Hash),
            (item::SK.to_owned(), KeyType::Range),
        ];
        let typed = type_of(item::PK) == Some(ScalarAttributeType::S)
            && type_of(item::SK) == Some(ScalarAttributeType::S);
        if schema.as_slice() != expected.as_slice() || !typed {
            let found: Vec<String> = schema
                .iter()
                .map(|(name, kind)| {
                    let ty = type_of(name).map_or("?".to_owned(), |t| t.as_str().to_owned());
                    format!("{name} ({ty}, {})", kind.as_str())
                })
                .collect();
            return Err(StoreError::Refused(format!(
                "DynamoDB table {}: key schema is [{}]; streamhooks needs [pk (S, HASH), sk (S, RANGE)] \
                 (see template.yaml)",
                self.table,
                found.join(", ")
            )));
        }
        Ok(())
    }

    fn failure<E>(&self, operation: &str, err: aws_sdk_dynamodb::error::SdkError<E>) -> Failure
    where
        E: aws_sdk_dynamodb::error::ProvideErrorMetadata
            + std::error::Error
            + Send
            + Sync
            + 'static,
    {
        error::classify(&self.table, operation, &err)
    }
}

impl Failure {
    fn into_store(self) -> StoreError {
        match self {
            Failure::Unavailable(m) => StoreError::Unavailable(m),
            Failure::Refused(m) => StoreError::Refused(m),
        }
    }

    fn into_state(self) -> StateStoreError {
        match self {
            Failure::Unavailable(m) => StateStoreError::unavailable(m),
            Failure::Refused(m) => StateStoreError::refused(m),
        }
    }
}
