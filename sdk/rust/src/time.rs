//! Timestamps are milliseconds since the Unix epoch, UTC ([`Timestamp`]); a plugin has no
//! clock, so "now" is the event's [`occurred_at`](crate::Event::occurred_at).
//!
//! ```
//! use streamhooks_sdk::time;
//!
//! assert_eq!(time::rfc3339(1_795_165_200_000), "2026-11-20T09:00:00Z");
//! assert_eq!(time::seconds_between(1_000, 62_500), 61);
//! ```

use crate::Timestamp;

/// `ms` as an RFC 3339 UTC timestamp with second precision (`2026-11-20T09:00:00Z`), or with
/// milliseconds when they are not zero (`2026-11-20T09:00:00.250Z`).
///
/// ```
/// assert_eq!(streamhooks_sdk::time::rfc3339(250), "1970-01-01T00:00:00.250Z");
/// ```
pub fn rfc3339(ms: Timestamp) -> String {
    let secs = ms.div_euclid(1000);
    let millis = ms.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    let (h, m, s) = (rem / 3600, rem % 3600 / 60, rem % 60);
    if millis == 0 {
        format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}Z")
    } else {
        format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}.{millis:03}Z")
    }
}

/// Whole seconds from `start` to `end` (rounded down; negative if `end` is earlier).
///
/// ```
/// assert_eq!(streamhooks_sdk::time::seconds_between(0, 1_999), 1);
/// ```
pub fn seconds_between(start: Timestamp, end: Timestamp) -> i64 {
    (end - start).div_euclid(1000)
}

/// Year, month, day of the day `days` after 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400_000), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(4_102_444_799_999), "2099-12-31T23:59:59.999Z");
        assert_eq!(rfc3339(-1_000), "1969-12-31T23:59:59Z");
    }
}
