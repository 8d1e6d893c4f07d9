// rfc3339 and secondsBetween give what the Rust SDK's time module gives.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { rfc3339, secondsBetween } from '../src/index.js';

test('formats known dates as the Rust SDK does', () => {
  assert.equal(rfc3339(1_795_165_200_000), '2026-11-20T09:00:00Z');
  assert.equal(rfc3339(250), '1970-01-01T00:00:00.250Z');
  assert.equal(rfc3339(0), '1970-01-01T00:00:00Z');
  assert.equal(rfc3339(951_782_400_000), '2000-02-29T00:00:00Z');
  assert.equal(rfc3339(4_102_444_799_999), '2099-12-31T23:59:59.999Z');
  assert.equal(rfc3339(-1_000), '1969-12-31T23:59:59Z');
  assert.equal(rfc3339(-1), '1969-12-31T23:59:59.999Z');
  assert.equal(rfc3339(1_795_165_200_007n), '2026-11-20T09:00:00.007Z');
});

test('pads years as Rust {:04} does, sign included', () => {
  // Rust: rfc3339(-62_198_755_200_000) is year -1 (1 BC): "-001-..."
  assert.equal(rfc3339(-62_198_755_200_000), '-001-01-01T00:00:00Z');
  assert.equal(rfc3339(253_402_300_800_000), '10000-01-01T00:00:00Z');
  assert.equal(rfc3339(-9_223_372_036_854_775_808n), '-292275055-05-16T16:47:04.192Z');
});

test('agrees with Date for ordinary times', () => {
  for (const ms of [1_000_000_000_123, 1_700_000_000_000, 1_795_165_200_999, 32_503_680_000_000]) {
    const expected = new Date(ms).toISOString().replace('.000Z', 'Z');
    assert.equal(rfc3339(ms), expected);
  }
});

test('secondsBetween rounds down, negative when end is earlier', () => {
  assert.equal(secondsBetween(1_000, 62_500), 61);
  assert.equal(secondsBetween(0, 1_999), 1);
  assert.equal(secondsBetween(1_999, 0), -2);
  assert.equal(secondsBetween(10n, 1_010n), 1);
});

test('rejects timestamps that are not integers', () => {
  assert.throws(() => rfc3339(1.5), TypeError);
  assert.throws(() => secondsBetween(0, Number.NaN), TypeError);
});
