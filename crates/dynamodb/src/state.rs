//! [`StateStore`] on DynamoDB: per-plugin state, synchronously, on the runtime the store was
//! created in.

use std::collections::HashSet;
use std::future::Future;

use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::{AttributeValue, Delete, Put, Select, TransactWriteItem};
use streamhooks_engine::{StateStore, StateStoreError, StateWrite};
use tokio::runtime::{Handle, RuntimeFlavor};

use crate::DynamoStore;
use crate::error::{self, Failure};
use crate::item::{self, Item, PK, SK, VALUE, s};

/// The most writes one [`StateStore::apply`] can make: DynamoDB's limit on the items of one
/// `TransactWriteItems`. The engine passes one write per key a plugin set or deleted in a
/// call, so a plugin that touches more keys in one call gets a `state-store` failure.
pub const MAX_TRANSACTION_WRITES: usize = 100;

/// The most bytes (keys, attribute names and values, as DynamoDB counts item sizes) one
/// [`StateStore::apply`] can write: DynamoDB's 4 MB limit on one transaction.
pub const MAX_TRANSACTION_BYTES: usize = 4 * 1024 * 1024;

/// The size DynamoDB counts for a state item: attribute names and values.
fn item_size(pk: &str, sk: &str, value: Option<&[u8]>) -> usize {
    PK.len() + pk.len() + SK.len() + sk.len() + value.map_or(0, |v| VALUE.len() + v.len())
}

impl DynamoStore {
    /// Runs `future` to completion on the store's runtime, blocking this thread (see the crate
    /// docs); an error instead of a panic or a deadlock where that is not possible.
    fn block_on<F: Future>(&self, what: &str, future: F) -> Result<F::Output, StateStoreError> {
        let refuse = |why: &str| {
            StateStoreError::refused(format!(
                "DynamoDB table {}: cannot {what}: {why}; run the engine on a blocking thread \
                 (tokio::task::spawn_blocking) of a multi-thread tokio runtime",
                self.table
            ))
        };
        let Some(handle) = &self.handle else {
            return Err(refuse(
                "the store was created outside a tokio runtime and given none (with_runtime)",
            ));
        };
        match Handle::try_current() {
            // A thread outside any runtime (a plain thread, or a blocking thread of a runtime
            // that entered none).
            Err(_) => Ok(handle.block_on(future)),
            Ok(current) => match current.runtime_flavor() {
                // On a worker: hand its other tasks to other workers first. On a blocking
                // thread this only runs the closure.
                RuntimeFlavor::MultiThread => {
                    Ok(tokio::task::block_in_place(|| handle.block_on(future)))
                }
                _ => Err(refuse(
                    "called from inside a current-thread tokio runtime, which blocking would \
                     stall",
                )),
            },
        }
    }

    async fn get_value(&self, plugin: &str, key: &str) -> Result<Option<Vec<u8>>, Failure> {
        let item = self
            .get_item(item::state_pk(plugin), item::state_sk(key))
            .await?;
        match item {
            None => Ok(None),
            Some(item) => match item.get(VALUE) {
                Some(AttributeValue::B(blob)) => Ok(Some(blob.clone().into_inner())),
                other => Err(Failure::Refused(format!(
                    "DynamoDB table {}: malformed state item of plugin {plugin:?}, key {key:?}: \
                     value is {other:?}, not binary",
                    self.table
                ))),
            },
        }
    }

    async fn count_keys(&self, plugin: &str) -> Result<usize, Failure> {
        let mut count = 0usize;
        let mut start: Option<Item> = None;
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("#pk = :pk")
                .expression_attribute_names("#pk", PK)
                .expression_attribute_values(":pk", s(item::state_pk(plugin)))
                .select(Select::Count)
                .consistent_read(true)
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|e| self.failure("Query", e))?;
            count += usize::try_from(out.count()).unwrap_or(0);
            match out.last_evaluated_key {
                Some(key) if !key.is_empty() => start = Some(key),
                _ => return Ok(count),
            }
        }
    }

    async fn apply_writes(&self, plugin: &str, writes: &[StateWrite]) -> Result<(), Failure> {
        // The last write per key decides (applying in order gives the same result), and
        // DynamoDB refuses two writes to one item in a transaction.
        let mut seen = HashSet::new();
        let mut last: Vec<&StateWrite> = writes
            .iter()
            .rev()
            .filter(|w| {
                seen.insert(match w {
                    StateWrite::Set { key, .. } | StateWrite::Delete { key } => key.as_str(),
                })
            })
            .collect();
        last.reverse();
        let pk = item::state_pk(plugin);
        let keys: Vec<String> = last
            .iter()
            .map(|w| match w {
                StateWrite::Set { key, .. } | StateWrite::Delete { key } => item::state_sk(key),
            })
            .collect();
        if last.len() > MAX_TRANSACTION_WRITES {
            return Err(Failure::Refused(format!(
                "DynamoDB table {}: plugin {plugin:?} wrote {} state keys in one call; one \
                 transaction holds at most {MAX_TRANSACTION_WRITES}",
                self.table,
                last.len()
            )));
        }
        let bytes: usize = last
            .iter()
            .zip(&keys)
            .map(|(w, sk)| match w {
                StateWrite::Set { value, .. } => item_size(&pk, sk, Some(value)),
                StateWrite::Delete { .. } => item_size(&pk, sk, None),
            })
            .sum();
        if bytes > MAX_TRANSACTION_BYTES {
            return Err(Failure::Refused(format!(
                "DynamoDB table {}: plugin {plugin:?} wrote {bytes} bytes of state in one call; \
                 one transaction holds at most {MAX_TRANSACTION_BYTES}",
                self.table
            )));
        }
        match last.as_slice() {
            [] => Ok(()),
            // One write is atomic by itself, at half a transaction's cost.
            [StateWrite::Set { value, .. }] => {
                self.client
                    .put_item()
                    .table_name(&self.table)
                    .item(PK, s(&pk))
                    .item(SK, s(&keys[0]))
                    .item(VALUE, AttributeValue::B(Blob::new(value.clone())))
                    .send()
                    .await
                    .map_err(|e| self.failure("PutItem", e))?;
                Ok(())
            }
            [StateWrite::Delete { .. }] => {
                self.client
                    .delete_item()
                    .table_name(&self.table)
                    .key(PK, s(&pk))
                    .key(SK, s(&keys[0]))
                    .send()
                    .await
                    .map_err(|e| self.failure("DeleteItem", e))?;
                Ok(())
            }
            _ => self.transact(plugin, &pk, &last, &keys).await,
        }
    }

    async fn transact(
        &self,
        plugin: &str,
        pk: &str,
        writes: &[&StateWrite],
        keys: &[String],
    ) -> Result<(), Failure> {
        let build = |e: aws_sdk_dynamodb::error::BuildError| {
            Failure::Refused(format!(
                "DynamoDB table {}: transaction not built: {e}",
                self.table
            ))
        };
        let mut items = Vec::with_capacity(writes.len());
        for (write, sk) in writes.iter().zip(keys) {
            let item = match write {
                StateWrite::Set { value, .. } => TransactWriteItem::builder()
                    .put(
                        Put::builder()
                            .table_name(&self.table)
                            .item(PK, s(pk))
                            .item(SK, s(sk))
                            .item(VALUE, AttributeValue::B(Blob::new(value.clone())))
                            .build()
                            .map_err(build)?,
                    )
                    .build(),
                StateWrite::Delete { .. } => TransactWriteItem::builder()
                    .delete(
                        Delete::builder()
                            .table_name(&self.table)
                            .key(PK, s(pk))
                            .key(SK, s(sk))
                            .build()
                            .map_err(build)?,
                    )
                    .build(),
            };
            items.push(item);
        }
        // The SDK sets a client request token, so its retries are idempotent.
        let result = self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(e) => match e.as_service_error() {
                Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) => {
                    Err(error::classify_cancellation(
                        &self.table,
                        cancelled.cancellation_reasons(),
                        |i| match writes.get(i) {
                            Some(StateWrite::Set { key, .. }) => {
                                format!("set of {plugin:?} key {key:?}")
                            }
                            Some(StateWrite::Delete { key }) => {
                                format!("delete of {plugin:?} key {key:?}")
                            }
                            None => format!("item {i}"),
                        },
                    ))
                }
                _ => Err(self.failure("TransactWriteItems", e)),
            },
        }
    }
}

impl StateStore for DynamoStore {
    fn get(&self, plugin: &str, key: &str) -> Result<Option<Vec<u8>>, StateStoreError> {
        self.block_on("read plugin state", self.get_value(plugin, key))?
            .map_err(Failure::into_state)
    }

    fn key_count(&self, plugin: &str) -> Result<usize, StateStoreError> {
        self.block_on("count plugin state keys", self.count_keys(plugin))?
            .map_err(Failure::into_state)
    }

    fn apply(&self, plugin: &str, writes: &[StateWrite]) -> Result<(), StateStoreError> {
        if writes.is_empty() {
            return Ok(());
        }
        self.block_on("write plugin state", self.apply_writes(plugin, writes))?
            .map_err(Failure::into_state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_size_counts_names_and_values() {
        assert_eq!(
            item_size("state#p", "key#k", Some(b"abc")),
            2 + 7 + 2 + 5 + 5 + 3
        );
        assert_eq!(item_size("state#p", "key#k", None), 2 + 7 + 2 + 5);
    }
}
