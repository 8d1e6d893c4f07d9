// Timestamps are milliseconds since the Unix epoch, UTC. A plugin has no clock: "now" is the
// event's `occurredAt`. (`Date.now()` inside a component returns the time the component was
// built, frozen.) These functions give exactly what the Rust SDK's `time` module gives.

/**
 * @param {number | bigint} ms
 * @param {string} name
 * @returns {bigint}
 */
function integer(ms, name) {
  if (typeof ms === 'bigint') return ms;
  if (typeof ms === 'number' && Number.isInteger(ms)) return BigInt(ms);
  throw new TypeError(`${name}: a timestamp must be an integer number of milliseconds, got ${String(ms)}`);
}

/** Euclidean division and remainder (the remainder is never negative), like Rust's div_euclid. */
function divEuclid(/** @type {bigint} */ a, /** @type {bigint} */ b) {
  let q = a / b;
  if (a % b < 0n) q -= 1n;
  return [q, a - q * b];
}

/** @param {bigint} n @param {number} width */
function pad(n, width) {
  // Rust's `{:0width}`: the sign counts in the width and comes before the zeros.
  const digits = (n < 0n ? -n : n).toString();
  const sign = n < 0n ? '-' : '';
  return sign + digits.padStart(width - sign.length, '0');
}

/**
 * `ms` as an RFC 3339 UTC timestamp with second precision (`2026-11-20T09:00:00Z`), or with
 * milliseconds when they are not zero (`2026-11-20T09:00:00.250Z`).
 * @param {number | bigint} ms
 * @returns {string}
 */
export function rfc3339(ms) {
  const [secs, millis] = divEuclid(integer(ms, 'rfc3339'), 1000n);
  const [days, rem] = divEuclid(secs, 86400n);
  const [year, month, day] = civilFromDays(days);
  const h = rem / 3600n;
  const m = (rem % 3600n) / 60n;
  const s = rem % 60n;
  const date = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
  const time = `${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}`;
  return millis === 0n ? `${date}T${time}Z` : `${date}T${time}.${pad(millis, 3)}Z`;
}

/**
 * Whole seconds from `start` to `end` (rounded down; negative if `end` is earlier).
 * @param {number | bigint} start
 * @param {number | bigint} end
 * @returns {number}
 */
export function secondsBetween(start, end) {
  const [q] = divEuclid(integer(end, 'secondsBetween') - integer(start, 'secondsBetween'), 1000n);
  return Number(q);
}

/** Year, month, day of the day `days` after 1970-01-01 (Howard Hinnant's algorithm). */
function civilFromDays(/** @type {bigint} */ days) {
  const z = days + 719468n;
  const [era, doe] = divEuclid(z, 146097n);
  const yoe = (doe - doe / 1460n + doe / 36524n - doe / 146096n) / 365n;
  const doy = doe - (365n * yoe + yoe / 4n - yoe / 100n);
  const mp = (5n * doy + 2n) / 153n;
  const day = doy - (153n * mp + 2n) / 5n + 1n;
  const month = mp < 10n ? mp + 3n : mp - 9n;
  const year = yoe + era * 400n + (month <= 2n ? 1n : 0n);
  return [year, month, day];
}
