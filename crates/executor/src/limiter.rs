//! Token buckets per API: Amazon Connect's quotas are per account and Region (many operations at
//! 2 requests/s, burst 5), so every action in the process draws from one shared bucket per API.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// A rate quota: sustained requests per second and burst size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quota {
    /// Requests per second, sustained.
    pub per_second: f64,
    /// Requests allowed at once after a quiet period.
    pub burst: f64,
}

impl Quota {
    /// `per_second` sustained with a burst of `burst`.
    pub fn new(per_second: f64, burst: f64) -> Quota {
        Quota { per_second, burst }
    }
}

/// Default quotas of the Amazon Connect operations the executor calls, from the Service Quotas
/// defaults (shared/reference/connect-actions.md): "all other operations 2 rps / burst 5".
/// Where only a rate is known, the burst is taken equal to it (conservative). Override them
/// with the account's real quotas.
pub const CONNECT_DEFAULT_QUOTAS: &[(&str, f64, f64)] = &[
    ("PutUserStatus", 2.0, 5.0),
    ("UpdateContactAttributes", 10.0, 10.0),
    ("UpdateContact", 10.0, 10.0),
    ("StopContact", 10.0, 10.0),
    ("TransferContact", 2.0, 5.0),
    ("StartTaskContact", 2.0, 5.0),
    ("StartOutboundVoiceContact", 2.0, 5.0),
    ("DismissUserContact", 2.0, 5.0),
    ("SuspendContactRecording", 2.0, 5.0),
    ("ResumeContactRecording", 2.0, 5.0),
    ("MonitorContact", 2.0, 5.0),
    ("TagContact", 20.0, 20.0),
];

/// Buckets refill at this share of each quota's rate. The service's bucket and ours start at
/// different instants, so a call released exactly at our refill can reach the service a
/// fraction of a millisecond before its own refill and be throttled (measured: one 429 in
/// every run of 25 actions at exactly 2 requests/s). Refilling 2% slower keeps every call just
/// behind the service's refill; the burst is taken in full.
pub const RATE_HEADROOM: f64 = 0.98;

#[derive(Debug)]
struct Bucket {
    quota: Quota,
    /// May go negative: each waiter reserves its token, so waiters are served in order.
    tokens: f64,
    updated: Instant,
}

/// Waiting for a token would pass the deadline; no token was taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the rate limit would delay the call past the deadline (by {wait:?})")]
pub struct WouldPassDeadline {
    /// How long the call would have had to wait.
    pub wait: Duration,
}

/// Shared token buckets, one per key (an API operation name).
#[derive(Debug, Default)]
pub struct RateLimiter {
    quotas: HashMap<String, Quota>,
    buckets: Mutex<HashMap<String, Bucket>>,
}

impl RateLimiter {
    /// No limits: every acquire succeeds at once (dry runs, tests of other things).
    pub fn unlimited() -> RateLimiter {
        RateLimiter::default()
    }

    /// Limits for the given keys; keys without a quota are not limited.
    pub fn new(quotas: impl IntoIterator<Item = (String, Quota)>) -> RateLimiter {
        RateLimiter {
            quotas: quotas.into_iter().collect(),
            buckets: Mutex::default(),
        }
    }

    /// The Amazon Connect defaults ([`CONNECT_DEFAULT_QUOTAS`]).
    pub fn connect_defaults() -> RateLimiter {
        RateLimiter::new(
            CONNECT_DEFAULT_QUOTAS
                .iter()
                .map(|(op, rate, burst)| ((*op).to_owned(), Quota::new(*rate, *burst))),
        )
    }

    /// The quota of `key`, if it is limited.
    pub fn quota(&self, key: &str) -> Option<Quota> {
        self.quotas.get(key).copied()
    }

    /// Takes a token for `key`, waiting for one if the bucket is empty; refuses (taking
    /// nothing) if the wait would end after `deadline`.
    pub async fn acquire(&self, key: &str, deadline: Instant) -> Result<(), WouldPassDeadline> {
        let Some(quota) = self.quota(key) else {
            return Ok(());
        };
        let wait = {
            let mut buckets = self
                .buckets
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let now = Instant::now();
            let bucket = buckets.entry(key.to_owned()).or_insert(Bucket {
                quota,
                tokens: quota.burst,
                updated: now,
            });
            let rate = bucket.quota.per_second * RATE_HEADROOM;
            let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
            bucket.tokens = (bucket.tokens + elapsed * rate).min(bucket.quota.burst);
            bucket.updated = now;
            bucket.tokens -= 1.0;
            if bucket.tokens >= 0.0 {
                Duration::ZERO
            } else {
                let wait = Duration::from_secs_f64(-bucket.tokens / rate);
                if now + wait > deadline {
                    bucket.tokens += 1.0;
                    return Err(WouldPassDeadline { wait });
                }
                wait
            }
        };
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    /// Equal to the millisecond (the waits are computed in floating point; tokio's paused
    /// clock moves in whole milliseconds).
    fn close(a: Duration, b: Duration) -> bool {
        a.abs_diff(b) <= Duration::from_millis(1)
    }

    #[tokio::test(start_paused = true)]
    async fn a_burst_is_held_to_the_quota() {
        let limiter = Arc::new(RateLimiter::new([(
            "StartTaskContact".to_owned(),
            Quota::new(2.0, 5.0),
        )]));
        let start = Instant::now();
        let deadline = start + Duration::from_secs(60);
        let mut tasks = Vec::new();
        for _ in 0..20 {
            let limiter = limiter.clone();
            tasks.push(tokio::spawn(async move {
                limiter.acquire("StartTaskContact", deadline).await.unwrap();
                Instant::now().duration_since(start)
            }));
        }
        let mut done = Vec::new();
        for t in tasks {
            done.push(t.await.unwrap());
        }
        done.sort();
        // The burst of 5 goes at once; then one every 500 ms, plus the headroom.
        let interval = 1.0 / (2.0 * RATE_HEADROOM);
        for (i, at) in done.iter().enumerate() {
            let expected = Duration::from_secs_f64(interval * i.saturating_sub(4) as f64);
            assert!(close(*at, expected), "call {i}: {at:?}, not {expected:?}");
        }
        // Over any second after the burst, at most 2 calls start (+1 at the window's edge).
        for w in done.windows(3).skip(5) {
            assert!(w[2] - w[0] >= Duration::from_millis(1000));
        }
    }

    #[tokio::test(start_paused = true)]
    async fn every_api_is_held_to_its_own_quota() {
        let limiter = Arc::new(RateLimiter::connect_defaults());
        let start = Instant::now();
        let deadline = start + Duration::from_secs(60);
        let mut tasks = Vec::new();
        for op in ["PutUserStatus", "StartTaskContact", "StopContact"] {
            for _ in 0..25 {
                let limiter = limiter.clone();
                tasks.push(tokio::spawn(async move {
                    limiter.acquire(op, deadline).await.unwrap();
                    (op, Instant::now().duration_since(start))
                }));
            }
        }
        let mut last = std::collections::HashMap::new();
        for t in tasks {
            let (op, at) = t.await.unwrap();
            let entry = last.entry(op).or_insert(Duration::ZERO);
            *entry = (*entry).max(at);
        }
        // 25 calls: burst 5 then 2/s is 10 s; burst 10 then 10/s is 1.5 s (each stretched by
        // the headroom). Neither API's calls slow the other's.
        let two_per_second = Duration::from_secs_f64(20.0 / (2.0 * RATE_HEADROOM));
        assert!(close(last["PutUserStatus"], two_per_second));
        assert!(close(last["StartTaskContact"], two_per_second));
        assert!(close(
            last["StopContact"],
            Duration::from_secs_f64(15.0 / (10.0 * RATE_HEADROOM))
        ));
    }

    #[tokio::test(start_paused = true)]
    async fn a_wait_past_the_deadline_is_refused_without_taking_a_token() {
        let limiter = RateLimiter::new([("Op".to_owned(), Quota::new(1.0, 1.0))]);
        let now = Instant::now();
        limiter
            .acquire("Op", now + Duration::from_secs(10))
            .await
            .unwrap();
        let refused = limiter
            .acquire("Op", now + Duration::from_millis(500))
            .await
            .unwrap_err();
        let one = Duration::from_secs_f64(1.0 / RATE_HEADROOM);
        assert!(close(refused.wait, one), "{:?}", refused.wait);
        // The refused call took nothing: the next one waits one interval, not two.
        let before = Instant::now();
        limiter
            .acquire("Op", now + Duration::from_secs(10))
            .await
            .unwrap();
        assert!(close(Instant::now() - before, one));
    }

    #[tokio::test(start_paused = true)]
    async fn keys_without_a_quota_and_the_unlimited_limiter_never_wait() {
        let limiter = RateLimiter::connect_defaults();
        let now = Instant::now();
        for _ in 0..100 {
            limiter.acquire("NotAnOperation", now).await.unwrap();
        }
        let unlimited = RateLimiter::unlimited();
        for _ in 0..100 {
            unlimited.acquire("PutUserStatus", now).await.unwrap();
        }
        assert_eq!(Instant::now(), now);
        assert_eq!(limiter.quota("PutUserStatus"), Some(Quota::new(2.0, 5.0)));
    }
}
