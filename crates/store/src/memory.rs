//! [`MemoryStore`]: the embedded [`Store`], in process memory, for local runs and tests.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Mutex, PoisonError};

use crate::{
    ActionKey, Begin, BoxFuture, EpochMillis, IN_PROGRESS_RETENTION_MS, Order, Parcel, Store,
    StoreError,
};

#[derive(Debug, Clone)]
enum Status {
    InProgress { lease_until: EpochMillis },
    Released,
    Completed { result: Option<String> },
}

#[derive(Debug, Clone)]
struct Record {
    status: Status,
    done: BTreeSet<ActionKey>,
    expires_at: EpochMillis,
}

#[derive(Debug, Clone, Copy)]
struct Mark {
    applied: EpochMillis,
    expires_at: EpochMillis,
}

#[derive(Debug, Default)]
struct Inner {
    records: HashMap<String, Record>,
    marks: HashMap<String, Mark>,
    mailboxes: HashMap<String, HashMap<String, (Parcel, EpochMillis)>>,
}

/// A [`Store`] in process memory. Lost when the process ends; expired entries are treated as
/// absent, and dropped when they are next touched.
#[derive(Debug, Default)]
pub struct MemoryStore {
    inner: Mutex<Inner>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    fn with<T>(&self, f: impl FnOnce(&mut Inner) -> T) -> T {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut inner)
    }
}

fn held<'r>(
    records: &'r mut HashMap<String, Record>,
    event_id: &str,
    lease_until: EpochMillis,
) -> Result<&'r mut Record, StoreError> {
    match records.get_mut(event_id) {
        Some(record) if matches!(record.status, Status::InProgress { lease_until: l } if l == lease_until) => {
            Ok(record)
        }
        _ => Err(StoreError::LeaseLost {
            event_id: event_id.to_owned(),
        }),
    }
}

impl Store for MemoryStore {
    fn begin<'a>(
        &'a self,
        event_id: &'a str,
        now: EpochMillis,
        lease_until: EpochMillis,
    ) -> BoxFuture<'a, Result<Begin, StoreError>> {
        let begin = self.with(|inner| {
            let in_progress = Status::InProgress { lease_until };
            // The record outlives the lease, so that a takeover after the lease expired still
            // finds the actions done.
            let keep_until = lease_until.saturating_add(IN_PROGRESS_RETENTION_MS);
            match inner.records.get_mut(event_id) {
                Some(record) if record.expires_at > now => match &record.status {
                    Status::Completed { result } => Begin::Completed {
                        result: result.clone(),
                    },
                    Status::InProgress { lease_until: l } if *l > now => {
                        Begin::InProgress { lease_until: *l }
                    }
                    Status::InProgress { .. } | Status::Released => {
                        record.status = in_progress;
                        record.expires_at = record.expires_at.max(keep_until);
                        Begin::Started {
                            done: record.done.clone(),
                        }
                    }
                },
                _ => {
                    inner.records.insert(
                        event_id.to_owned(),
                        Record {
                            status: in_progress,
                            done: BTreeSet::new(),
                            expires_at: keep_until,
                        },
                    );
                    Begin::Started {
                        done: BTreeSet::new(),
                    }
                }
            }
        });
        Box::pin(async move { Ok(begin) })
    }

    fn record_done<'a>(
        &'a self,
        event_id: &'a str,
        lease_until: EpochMillis,
        done: &'a [ActionKey],
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        let result = self.with(|inner| {
            let record = held(&mut inner.records, event_id, lease_until)?;
            record.done.extend(done.iter().cloned());
            Ok(())
        });
        Box::pin(async move { result })
    }

    fn complete<'a>(
        &'a self,
        event_id: &'a str,
        lease_until: EpochMillis,
        result: Option<&'a str>,
        expires_at: EpochMillis,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        let outcome = self.with(|inner| {
            let record = held(&mut inner.records, event_id, lease_until)?;
            record.status = Status::Completed {
                result: result.map(str::to_owned),
            };
            record.expires_at = expires_at;
            Ok(())
        });
        Box::pin(async move { outcome })
    }

    fn release<'a>(
        &'a self,
        event_id: &'a str,
        lease_until: EpochMillis,
        expires_at: EpochMillis,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        let outcome = self.with(|inner| {
            let record = held(&mut inner.records, event_id, lease_until)?;
            record.status = Status::Released;
            record.expires_at = expires_at;
            Ok(())
        });
        Box::pin(async move { outcome })
    }

    fn advance<'a>(
        &'a self,
        entity: &'a str,
        occurred_at: EpochMillis,
        now: EpochMillis,
        expires_at: EpochMillis,
    ) -> BoxFuture<'a, Result<Order, StoreError>> {
        let order = self.with(|inner| match inner.marks.get_mut(entity) {
            // An expired mark is treated as absent.
            Some(mark) if mark.expires_at > now && mark.applied > occurred_at => Order::Stale {
                applied: mark.applied,
            },
            Some(mark) if mark.expires_at > now => {
                mark.applied = occurred_at;
                mark.expires_at = mark.expires_at.max(expires_at);
                Order::Fresh
            }
            _ => {
                inner.marks.insert(
                    entity.to_owned(),
                    Mark {
                        applied: occurred_at,
                        expires_at,
                    },
                );
                Order::Fresh
            }
        });
        Box::pin(async move { Ok(order) })
    }

    fn post<'a>(
        &'a self,
        agent: &'a str,
        parcels: &'a [Parcel],
        expires_at: EpochMillis,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        self.with(|inner| {
            let mailbox = inner.mailboxes.entry(agent.to_owned()).or_default();
            for parcel in parcels {
                mailbox.insert(parcel.id.clone(), (parcel.clone(), expires_at));
            }
        });
        Box::pin(async { Ok(()) })
    }

    fn collect<'a>(
        &'a self,
        agent: &'a str,
        now: EpochMillis,
        max: usize,
    ) -> BoxFuture<'a, Result<Vec<Parcel>, StoreError>> {
        let parcels = self.with(|inner| {
            let Some(mailbox) = inner.mailboxes.get_mut(agent) else {
                return Vec::new();
            };
            mailbox.retain(|_, (_, expires_at)| *expires_at > now);
            let mut waiting: Vec<Parcel> = mailbox.values().map(|(p, _)| p.clone()).collect();
            waiting.sort_by(|a, b| (a.posted_at, &a.id).cmp(&(b.posted_at, &b.id)));
            waiting.truncate(max);
            for parcel in &waiting {
                mailbox.remove(&parcel.id);
            }
            if mailbox.is_empty() {
                inner.mailboxes.remove(agent);
            }
            waiting
        });
        Box::pin(async move { Ok(parcels) })
    }
}
