//! [`Store`] on DynamoDB: idempotency records and ordering marks (mailboxes: `mailbox.rs`).

use std::collections::BTreeSet;

use aws_sdk_dynamodb::config::retry::RetryConfig;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::delete_item::DeleteItemError;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue, ReturnValuesOnConditionCheckFailure};
use streamhooks_store::{
    ActionKey, Begin, BoxFuture, EpochMillis, IN_PROGRESS_RETENTION_MS, Order, Parcel, Store,
    StoreError,
};

use crate::DynamoStore;
use crate::error::Failure;
use crate::item::{
    self, APPLIED, COMPLETED, DONE, EVENT_SK, EXPIRES_AT, EXPIRES_AT_MS, IN_PROGRESS, Item,
    LEASE_UNTIL, MARK_SK, PK, RELEASED, RESULT, Record, SK, STATUS, Status, n, s, ttl_seconds,
};

/// How many conditional writes one `begin` or `advance` tries before giving up: each failed
/// one means that another invocation changed the item in between.
const MAX_ROUNDS: usize = 8;

/// A conditional write's error that is its condition failing, with the item as it was when
/// DynamoDB returns it.
pub(crate) trait ConditionFailed {
    fn condition_failed(&self) -> Option<Option<Item>>;
}

impl ConditionFailed for PutItemError {
    fn condition_failed(&self) -> Option<Option<Item>> {
        match self {
            PutItemError::ConditionalCheckFailedException(e) => Some(e.item().cloned()),
            _ => None,
        }
    }
}

impl ConditionFailed for DeleteItemError {
    fn condition_failed(&self) -> Option<Option<Item>> {
        match self {
            DeleteItemError::ConditionalCheckFailedException(e) => Some(e.item().cloned()),
            _ => None,
        }
    }
}

impl ConditionFailed for UpdateItemError {
    fn condition_failed(&self) -> Option<Option<Item>> {
        match self {
            UpdateItemError::ConditionalCheckFailedException(e) => Some(e.item().cloned()),
            _ => None,
        }
    }
}

/// The SDK does not retry this request (see the crate docs).
fn once() -> aws_sdk_dynamodb::config::Builder {
    aws_sdk_dynamodb::config::Builder::default().retry_config(RetryConfig::disabled())
}

fn lease_lost(event_id: &str) -> StoreError {
    StoreError::LeaseLost {
        event_id: event_id.to_owned(),
    }
}

fn encode_done(done: &[ActionKey]) -> AttributeValue {
    let set: BTreeSet<String> = done.iter().map(item::encode_action).collect();
    AttributeValue::Ss(set.into_iter().collect())
}

impl DynamoStore {
    /// `Ok(Ok(output))`, `Ok(Err(item as it was))` when the condition failed, or the failure.
    pub(crate) fn conditional<T, E>(
        &self,
        operation: &str,
        result: Result<T, SdkError<E>>,
    ) -> Result<Result<T, Option<Item>>, Failure>
    where
        E: ConditionFailed + ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        match result {
            Ok(out) => Ok(Ok(out)),
            Err(e) => match e
                .as_service_error()
                .and_then(ConditionFailed::condition_failed)
            {
                Some(item) => Ok(Err(item)),
                None => Err(self.failure(operation, e)),
            },
        }
    }

    /// The item at (`pk`, `sk`), read consistently.
    pub(crate) async fn get_item(&self, pk: String, sk: String) -> Result<Option<Item>, Failure> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(PK, s(pk))
            .key(SK, s(sk))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| self.failure("GetItem", e))?;
        Ok(out.item)
    }

    /// The item a failed condition saw: returned with the error, or read back.
    async fn seen(&self, item: Option<Item>, pk: &str, sk: &str) -> Result<Option<Item>, Failure> {
        match item {
            Some(item) => Ok(Some(item)),
            None => self.get_item(pk.to_owned(), sk.to_owned()).await,
        }
    }

    async fn begin_record(
        &self,
        event_id: &str,
        now: EpochMillis,
        lease_until: EpochMillis,
    ) -> Result<Begin, Failure> {
        let pk = item::event_pk(event_id);
        let keep_until = lease_until.saturating_add(IN_PROGRESS_RETENTION_MS);
        // The record as last seen; `None`: absent, or not read yet.
        let mut known: Option<Record> = None;
        for _ in 0..MAX_ROUNDS {
            let old = match known.take() {
                Some(record) if record.expires_at_ms > now => record,
                _ => {
                    // Absent or expired: create a fresh record.
                    let put = self
                        .client
                        .put_item()
                        .table_name(&self.table)
                        .item(PK, s(&pk))
                        .item(SK, s(EVENT_SK))
                        .item(STATUS, s(IN_PROGRESS))
                        .item(LEASE_UNTIL, n(lease_until))
                        .item(EXPIRES_AT_MS, n(keep_until))
                        .item(EXPIRES_AT, n(ttl_seconds(keep_until)))
                        .condition_expression("attribute_not_exists(#pk) OR #exp <= :now")
                        .expression_attribute_names("#pk", PK)
                        .expression_attribute_names("#exp", EXPIRES_AT_MS)
                        .expression_attribute_values(":now", n(now))
                        .return_values_on_condition_check_failure(
                            ReturnValuesOnConditionCheckFailure::AllOld,
                        )
                        .customize()
                        .config_override(once())
                        .send()
                        .await;
                    match self.conditional("PutItem", put)? {
                        Ok(_) => {
                            return Ok(Begin::Started {
                                done: BTreeSet::new(),
                            });
                        }
                        Err(item) => {
                            known = match self.seen(item, &pk, EVENT_SK).await? {
                                Some(item) => Some(item::parse_record(&item)?),
                                None => None,
                            };
                            continue;
                        }
                    }
                }
            };
            let (old_status, old_lease) = match old.status {
                Status::Completed { result } => return Ok(Begin::Completed { result }),
                Status::InProgress { lease_until: l } if l > now => {
                    return Ok(Begin::InProgress { lease_until: l });
                }
                Status::InProgress { lease_until: l } => (IN_PROGRESS, Some(l)),
                Status::Released => (RELEASED, None),
            };
            // Take it over, if it is still as read.
            tracing::debug!(event_id, status = old_status, "taking over an event record");
            let expires_at_ms = old.expires_at_ms.max(keep_until);
            let mut condition = "#st = :old_st AND #exp = :old_exp".to_owned();
            let mut update = self
                .client
                .update_item()
                .table_name(&self.table)
                .key(PK, s(&pk))
                .key(SK, s(EVENT_SK))
                .update_expression("SET #st = :st, #lease = :lease, #exp = :exp, #ttl = :ttl")
                .expression_attribute_names("#st", STATUS)
                .expression_attribute_names("#lease", LEASE_UNTIL)
                .expression_attribute_names("#exp", EXPIRES_AT_MS)
                .expression_attribute_names("#ttl", EXPIRES_AT)
                .expression_attribute_values(":st", s(IN_PROGRESS))
                .expression_attribute_values(":lease", n(lease_until))
                .expression_attribute_values(":exp", n(expires_at_ms))
                .expression_attribute_values(":ttl", n(ttl_seconds(expires_at_ms)))
                .expression_attribute_values(":old_st", s(old_status))
                .expression_attribute_values(":old_exp", n(old.expires_at_ms));
            if let Some(l) = old_lease {
                condition.push_str(" AND #lease = :old_lease");
                update = update.expression_attribute_values(":old_lease", n(l));
            }
            let update = update
                .condition_expression(condition)
                .return_values(ReturnValue::AllNew)
                .return_values_on_condition_check_failure(
                    ReturnValuesOnConditionCheckFailure::AllOld,
                )
                .customize()
                .config_override(once())
                .send()
                .await;
            match self.conditional("UpdateItem", update)? {
                Ok(out) => {
                    let done = match out.attributes() {
                        Some(item) => item::parse_record(item)?.done,
                        // No attributes returned: the record as we read it, with our claim.
                        None => old.done,
                    };
                    return Ok(Begin::Started { done });
                }
                Err(item) => {
                    known = match self.seen(item, &pk, EVENT_SK).await? {
                        Some(item) => Some(item::parse_record(&item)?),
                        None => None,
                    };
                }
            }
        }
        Err(Failure::Unavailable(format!(
            "DynamoDB table {}: event {event_id:?} changed under {MAX_ROUNDS} claims in a row",
            self.table
        )))
    }

    async fn record_done_(
        &self,
        event_id: &str,
        lease_until: EpochMillis,
        done: &[ActionKey],
    ) -> Result<(), StoreError> {
        let pk = item::event_pk(event_id);
        if done.is_empty() {
            // Nothing to add: only whether the caller holds the lease.
            let item = self
                .get_item(pk, EVENT_SK.to_owned())
                .await
                .map_err(Failure::into_store)?;
            let held = match item {
                Some(item) => {
                    item::parse_record(&item)
                        .map_err(Failure::into_store)?
                        .status
                        == Status::InProgress { lease_until }
                }
                None => false,
            };
            return if held {
                Ok(())
            } else {
                Err(lease_lost(event_id))
            };
        }
        // Adding to a set is idempotent: the SDK may retry it.
        let update = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(PK, s(pk))
            .key(SK, s(EVENT_SK))
            .update_expression("ADD #done :done")
            .condition_expression("#st = :ip AND #lease = :lease")
            .expression_attribute_names("#done", DONE)
            .expression_attribute_names("#st", STATUS)
            .expression_attribute_names("#lease", LEASE_UNTIL)
            .expression_attribute_values(":done", encode_done(done))
            .expression_attribute_values(":ip", s(IN_PROGRESS))
            .expression_attribute_values(":lease", n(lease_until))
            .send()
            .await;
        match self
            .conditional("UpdateItem", update)
            .map_err(Failure::into_store)?
        {
            Ok(_) => Ok(()),
            Err(_) => Err(lease_lost(event_id)),
        }
    }

    /// Ends the caller's lease on `event_id`: completed with `result`, or released.
    async fn end(
        &self,
        event_id: &str,
        lease_until: EpochMillis,
        completed: Option<Option<&str>>,
        expires_at: EpochMillis,
    ) -> Result<(), StoreError> {
        let mut set = "SET #st = :st, #exp = :exp, #ttl = :ttl".to_owned();
        let mut remove = "REMOVE #lease".to_owned();
        let mut update = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(PK, s(item::event_pk(event_id)))
            .key(SK, s(EVENT_SK))
            .condition_expression("#st = :ip AND #lease = :lease")
            .expression_attribute_names("#st", STATUS)
            .expression_attribute_names("#lease", LEASE_UNTIL)
            .expression_attribute_names("#exp", EXPIRES_AT_MS)
            .expression_attribute_names("#ttl", EXPIRES_AT)
            .expression_attribute_values(":ip", s(IN_PROGRESS))
            .expression_attribute_values(":lease", n(lease_until))
            .expression_attribute_values(":exp", n(expires_at))
            .expression_attribute_values(":ttl", n(ttl_seconds(expires_at)));
        match completed {
            Some(result) => {
                update = update
                    .expression_attribute_values(":st", s(COMPLETED))
                    .expression_attribute_names("#done", DONE)
                    .expression_attribute_names("#res", RESULT);
                // A completed record answers with its result only: the done actions go.
                remove.push_str(", #done");
                match result {
                    Some(r) => {
                        set.push_str(", #res = :res");
                        update = update.expression_attribute_values(":res", s(r));
                    }
                    None => remove.push_str(", #res"),
                }
            }
            None => update = update.expression_attribute_values(":st", s(RELEASED)),
        }
        let update = update
            .update_expression(format!("{set} {remove}"))
            .customize()
            .config_override(once())
            .send()
            .await;
        match self
            .conditional("UpdateItem", update)
            .map_err(Failure::into_store)?
        {
            Ok(_) => Ok(()),
            Err(_) => Err(lease_lost(event_id)),
        }
    }

    async fn advance_mark(
        &self,
        entity: &str,
        occurred_at: EpochMillis,
        now: EpochMillis,
        expires_at: EpochMillis,
    ) -> Result<Order, Failure> {
        let pk = item::order_pk(entity);
        // Whether the mark, as last seen, outlives `expires_at`: then only its time moves.
        let mut keep_expiry = false;
        for _ in 0..MAX_ROUNDS {
            let request = self
                .client
                .update_item()
                .table_name(&self.table)
                .key(PK, s(&pk))
                .key(SK, s(MARK_SK))
                .expression_attribute_names("#applied", APPLIED)
                .expression_attribute_names("#exp", EXPIRES_AT_MS)
                .expression_attribute_values(":occ", n(occurred_at))
                .expression_attribute_values(":now", n(now))
                .return_values_on_condition_check_failure(
                    ReturnValuesOnConditionCheckFailure::AllOld,
                );
            let request = if keep_expiry {
                request
                    .update_expression("SET #applied = :occ")
                    .condition_expression("#exp > :now AND #applied <= :occ")
            } else {
                // Absent, expired, or older and shorter-lived than this event's mark.
                request
                    .update_expression("SET #applied = :occ, #exp = :exp, #ttl = :ttl")
                    .condition_expression(
                        "attribute_not_exists(#pk) OR #exp <= :now \
                         OR (#applied <= :occ AND #exp <= :exp)",
                    )
                    .expression_attribute_names("#pk", PK)
                    .expression_attribute_names("#ttl", EXPIRES_AT)
                    .expression_attribute_values(":exp", n(expires_at))
                    .expression_attribute_values(":ttl", n(ttl_seconds(expires_at)))
            };
            let item = match self.conditional("UpdateItem", request.send().await)? {
                Ok(_) => return Ok(Order::Fresh),
                Err(item) => self.seen(item, &pk, MARK_SK).await?,
            };
            keep_expiry = match item {
                // Gone in between: set it.
                None => false,
                Some(item) => {
                    let mark = item::parse_mark(&item)?;
                    if mark.expires_at_ms <= now {
                        false
                    } else if mark.applied > occurred_at {
                        return Ok(Order::Stale {
                            applied: mark.applied,
                        });
                    } else {
                        mark.expires_at_ms > expires_at
                    }
                }
            };
        }
        Err(Failure::Unavailable(format!(
            "DynamoDB table {}: the ordering mark of {entity:?} changed under {MAX_ROUNDS} \
             writes in a row",
            self.table
        )))
    }
}

impl Store for DynamoStore {
    fn begin<'a>(
        &'a self,
        event_id: &'a str,
        now: EpochMillis,
        lease_until: EpochMillis,
    ) -> BoxFuture<'a, Result<Begin, StoreError>> {
        Box::pin(async move {
            self.begin_record(event_id, now, lease_until)
                .await
                .map_err(Failure::into_store)
        })
    }

    fn record_done<'a>(
        &'a self,
        event_id: &'a str,
        lease_until: EpochMillis,
        done: &'a [ActionKey],
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(self.record_done_(event_id, lease_until, done))
    }

    fn complete<'a>(
        &'a self,
        event_id: &'a str,
        lease_until: EpochMillis,
        result: Option<&'a str>,
        expires_at: EpochMillis,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(self.end(event_id, lease_until, Some(result), expires_at))
    }

    fn release<'a>(
        &'a self,
        event_id: &'a str,
        lease_until: EpochMillis,
        expires_at: EpochMillis,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(self.end(event_id, lease_until, None, expires_at))
    }

    fn advance<'a>(
        &'a self,
        entity: &'a str,
        occurred_at: EpochMillis,
        now: EpochMillis,
        expires_at: EpochMillis,
    ) -> BoxFuture<'a, Result<Order, StoreError>> {
        Box::pin(async move {
            self.advance_mark(entity, occurred_at, now, expires_at)
                .await
                .map_err(Failure::into_store)
        })
    }

    fn post<'a>(
        &'a self,
        agent: &'a str,
        parcels: &'a [Parcel],
        expires_at: EpochMillis,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            self.post_parcels(agent, parcels, expires_at)
                .await
                .map_err(Failure::into_store)
        })
    }

    fn collect<'a>(
        &'a self,
        agent: &'a str,
        now: EpochMillis,
        max: usize,
    ) -> BoxFuture<'a, Result<Vec<Parcel>, StoreError>> {
        Box::pin(async move {
            self.collect_parcels(agent, now, max)
                .await
                .map_err(Failure::into_store)
        })
    }
}
