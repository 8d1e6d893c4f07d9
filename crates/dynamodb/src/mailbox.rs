//! Agent mailboxes on DynamoDB: [`Store::post`](streamhooks_store::Store::post) and
//! [`Store::collect`](streamhooks_store::Store::collect) (see the crate docs, "Mailboxes").

use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::task::Poll;

use aws_sdk_dynamodb::types::ReturnValue;
use streamhooks_store::{EpochMillis, Parcel};

use crate::DynamoStore;
use crate::error::Failure;
use crate::item::{
    self, BODY, EXPIRES_AT, EXPIRES_AT_MS, Item, Listed, PK, POSTED_AT, SK, n, s, ttl_seconds,
};

/// How many requests one `post` or `collect` has in flight at once (one per parcel).
pub const MAILBOX_CONCURRENCY: usize = 16;

/// A future of [`join_all`] and its output, once it is ready.
type Slot<F> = (Pin<Box<F>>, Option<<F as Future>::Output>);

/// Runs `futures` concurrently in the calling task; their outputs, in order.
async fn join_all<F: Future>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output> {
    let mut slots: Vec<Slot<F>> = futures.into_iter().map(|f| (Box::pin(f), None)).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (future, output) in &mut slots {
            if output.is_none() {
                match future.as_mut().poll(cx) {
                    Poll::Ready(v) => *output = Some(v),
                    Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    })
    .await;
    slots.into_iter().filter_map(|(_, output)| output).collect()
}

impl DynamoStore {
    /// One `PutItem` per parcel (the last of an id, when `parcels` repeats one), up to
    /// [`MAILBOX_CONCURRENCY`] at once. A put is idempotent, so the SDK may retry it.
    pub(crate) async fn post_parcels(
        &self,
        agent: &str,
        parcels: &[Parcel],
        expires_at: EpochMillis,
    ) -> Result<(), Failure> {
        let mut seen = HashSet::new();
        let mut last: Vec<&Parcel> = parcels
            .iter()
            .rev()
            .filter(|p| seen.insert(p.id.as_str()))
            .collect();
        last.reverse();
        let pk = item::mailbox_pk(agent);
        for chunk in last.chunks(MAILBOX_CONCURRENCY) {
            let puts = chunk
                .iter()
                .map(|parcel| self.put_parcel(&pk, parcel, expires_at));
            for outcome in join_all(puts).await {
                outcome?;
            }
        }
        Ok(())
    }

    async fn put_parcel(
        &self,
        pk: &str,
        parcel: &Parcel,
        expires_at: EpochMillis,
    ) -> Result<(), Failure> {
        self.client
            .put_item()
            .table_name(&self.table)
            .item(PK, s(pk))
            .item(SK, s(item::parcel_sk(&parcel.id)))
            .item(BODY, s(&parcel.body))
            .item(POSTED_AT, n(parcel.posted_at))
            .item(EXPIRES_AT_MS, n(expires_at))
            .item(EXPIRES_AT, n(ttl_seconds(expires_at)))
            .send()
            .await
            .map_err(|e| self.failure("PutItem", e))?;
        Ok(())
    }

    /// Every parcel of the mailbox `pk` (keys, `posted_at` and expiry; no bodies): a
    /// consistent `Query`, page after page.
    async fn list_parcels(&self, pk: &str) -> Result<Vec<Listed>, Failure> {
        let mut listed = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("#pk = :pk")
                .projection_expression("#pk, #sk, #posted, #exp")
                .expression_attribute_names("#pk", PK)
                .expression_attribute_names("#sk", SK)
                .expression_attribute_names("#posted", POSTED_AT)
                .expression_attribute_names("#exp", EXPIRES_AT_MS)
                .expression_attribute_values(":pk", s(pk))
                .consistent_read(true)
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|e| self.failure("Query", e))?;
            for item in out.items() {
                listed.push(item::parse_listed(item)?);
            }
            match out.last_evaluated_key {
                Some(key) if !key.is_empty() => start = Some(key),
                _ => return Ok(listed),
            }
        }
    }

    /// Lists the mailbox, then claims its live parcels oldest first, [`MAILBOX_CONCURRENCY`]
    /// at most at once, until `max` are delivered or none is left; then drops the expired
    /// ones. If a request fails after some parcels were claimed, returns those (they are out
    /// of the table: an error would lose them); the others stay for the next collect.
    pub(crate) async fn collect_parcels(
        &self,
        agent: &str,
        now: EpochMillis,
        max: usize,
    ) -> Result<Vec<Parcel>, Failure> {
        if max == 0 {
            return Ok(Vec::new());
        }
        let pk = item::mailbox_pk(agent);
        let (mut live, expired): (Vec<Listed>, Vec<Listed>) = self
            .list_parcels(&pk)
            .await?
            .into_iter()
            .partition(|p| p.expires_at_ms > now);
        live.sort_by(|a, b| (a.posted_at, &a.id).cmp(&(b.posted_at, &b.id)));

        let mut delivered: Vec<Parcel> = Vec::new();
        let mut failure: Option<Failure> = None;
        let mut candidates = live.iter();
        while delivered.len() < max && failure.is_none() {
            let window: Vec<&Listed> = candidates
                .by_ref()
                .take((max - delivered.len()).min(MAILBOX_CONCURRENCY))
                .collect();
            if window.is_empty() {
                break;
            }
            let claims = window.iter().map(|p| self.claim(&pk, &p.id, now));
            for outcome in join_all(claims).await {
                match outcome {
                    Ok(Some(parcel)) => delivered.push(parcel),
                    Ok(None) => {}
                    Err(f) => {
                        failure.get_or_insert(f);
                    }
                }
            }
        }
        // In the order of the items deleted (a parcel re-posted in between has its new time).
        delivered.sort_by(|a, b| (a.posted_at, &a.id).cmp(&(b.posted_at, &b.id)));
        match failure {
            None => {
                self.drop_expired(&pk, &expired, now).await;
                Ok(delivered)
            }
            Some(failure) if delivered.is_empty() => Err(failure),
            Some(failure) => {
                tracing::warn!(
                    agent,
                    delivered = delivered.len(),
                    error = ?failure,
                    "collect: a claim failed; returning the parcels it claimed"
                );
                Ok(delivered)
            }
        }
    }

    /// Deletes the parcel `id` of the mailbox `pk` if it is there, returning it as it was:
    /// the one delete of many concurrent ones that finds it delivers it. `None`: another
    /// collect took it, or (re-posted in between) it expired.
    async fn claim(&self, pk: &str, id: &str, now: EpochMillis) -> Result<Option<Parcel>, Failure> {
        let delete = self
            .client
            .delete_item()
            .table_name(&self.table)
            .key(PK, s(pk))
            .key(SK, s(item::parcel_sk(id)))
            .condition_expression("attribute_exists(#pk)")
            .expression_attribute_names("#pk", PK)
            .return_values(ReturnValue::AllOld)
            .send()
            .await;
        let out = match self.conditional("DeleteItem", delete)? {
            Ok(out) => out,
            Err(_) => return Ok(None),
        };
        match out.attributes() {
            Some(old) if !old.is_empty() => {
                let (parcel, expires_at_ms) = item::parse_parcel(old)?;
                Ok((expires_at_ms > now).then_some(parcel))
            }
            _ => Err(Failure::Refused(format!(
                "DynamoDB DeleteItem on table {}: parcel {id:?} of {pk:?} was deleted but \
                 its old item did not come back (ReturnValues=ALL_OLD)",
                self.table
            ))),
        }
    }

    /// Deletes the `expired` parcels of the mailbox `pk` that are still expired (a parcel
    /// re-posted in between lives on). Best effort: TTL deletes what this does not.
    async fn drop_expired(&self, pk: &str, expired: &[Listed], now: EpochMillis) {
        for chunk in expired.chunks(MAILBOX_CONCURRENCY) {
            let deletes = chunk.iter().map(|p| self.drop_parcel(pk, &p.id, now));
            for outcome in join_all(deletes).await {
                if let Err(failure) = outcome {
                    tracing::warn!(
                        mailbox = pk,
                        error = ?failure,
                        "collect: could not drop expired parcels; TTL will"
                    );
                    return;
                }
            }
        }
    }

    async fn drop_parcel(&self, pk: &str, id: &str, now: EpochMillis) -> Result<(), Failure> {
        let delete = self
            .client
            .delete_item()
            .table_name(&self.table)
            .key(PK, s(pk))
            .key(SK, s(item::parcel_sk(id)))
            .condition_expression("#exp <= :now")
            .expression_attribute_names("#exp", EXPIRES_AT_MS)
            .expression_attribute_values(":now", n(now))
            .send()
            .await;
        // A failed condition: gone already, or re-posted.
        let _ = self.conditional("DeleteItem", delete)?;
        Ok(())
    }
}
