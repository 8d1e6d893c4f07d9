// The Rust-compatible text helpers, against what Rust 1.95 prints for the same inputs
// (`format!("{:?}")`, `str::lines`, `str::trim`, `str::parse`).

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { debugString, lines, parseBool, parseFloat64, parseInteger, trimWhitespace } from '../src/rust.js';

test("debugString writes Rust's {:?} of a string", () => {
  const cases = [
    ['a"b\\c\n\r\t\0', '"a\\"b\\\\c\\n\\r\\t\\0"'],
    ['é\u0007\u007f\u0080\u00ad\u200b\u2028\ufeff\u0301x\u0301', '"é\\u{7}\\u{7f}\\u{80}\\u{ad}\\u{200b}\\u{2028}\\u{feff}\\u{301}x\\u{301}"'],
    ['\ue000\u{10ffff}\u0378', '"\\u{e000}\\u{10ffff}\\u{378}"'],
    [' sp\u00a0ace\u3000', '" sp\\u{a0}ace\\u{3000}"'],
    ["'quote'", `"'quote'"`],
    ['日本語 🎉', '"日本語 🎉"'],
  ];
  for (const [text, rust] of cases) assert.equal(debugString(text), rust, JSON.stringify(text));
});

test("lines splits like Rust's str::lines", () => {
  const cases = [
    ['a\nb', ['a', 'b']],
    ['a\nb\n', ['a', 'b']],
    ['', []],
    ['\n', ['']],
    ['a\r\nb\r', ['a', 'b\r']],
    ['a\r', ['a\r']],
    ['\r\n', ['']],
    ['a\n\nb', ['a', '', 'b']],
    ['x\r\ny\r\n', ['x', 'y']],
  ];
  for (const [text, rust] of cases) assert.deepEqual(lines(/** @type {string} */ (text)), rust, JSON.stringify(text));
});

test("trimWhitespace trims like Rust's str::trim (White_Space, not U+FEFF)", () => {
  assert.equal(trimWhitespace('  x  '), 'x');
  assert.equal(trimWhitespace('\u0085x\u0085'), 'x');
  assert.equal(trimWhitespace('\ufeffx'), '\ufeffx');
  assert.equal(trimWhitespace('\u00a0x\u3000'), 'x');
  assert.equal(trimWhitespace('\t\r\n a b \n'), 'a b');
});

test('parses integers, floats and booleans with Rust results and messages', () => {
  /** @param {() => unknown} f */
  const message = (f) => {
    try {
      return { ok: f() };
    } catch (e) {
      return { err: /** @type {Error} */ (e).message };
    }
  };
  const invalid = { err: 'invalid digit found in string' };
  const table = [
    ['12', { ok: 12 }, { ok: 12 }, { ok: 12 }],
    ['+5', { ok: 5 }, { ok: 5 }, { ok: 5 }],
    ['-1', invalid, { ok: -1 }, { ok: -1 }],
    ['', { err: 'cannot parse integer from empty string' }, { err: 'cannot parse integer from empty string' }, { err: 'cannot parse float from empty string' }],
    ['1.5', invalid, invalid, { ok: 1.5 }],
    ['99999999999999999999', { err: 'number too large to fit in target type' }, { err: 'number too large to fit in target type' }, { ok: 1e20 }],
    ['abc', invalid, invalid, { err: 'invalid float literal' }],
    ['+', invalid, invalid, { err: 'invalid float literal' }],
  ];
  for (const [text, u64, i64, f64] of table) {
    const t = /** @type {string} */ (text);
    assert.deepEqual(message(() => parseInteger(t, 'u64')), u64, `u64 ${t}`);
    assert.deepEqual(message(() => parseInteger(t, 'i64')), i64, `i64 ${t}`);
    assert.deepEqual(message(() => parseFloat64(t)), f64, `f64 ${t}`);
    assert.deepEqual(message(() => parseBool(t)), { err: 'provided string was not `true` or `false`' }, `bool ${t}`);
  }
  assert.deepEqual(message(() => parseInteger('-99999999999999999999', 'i64')), { err: 'number too small to fit in target type' });
  assert.deepEqual(message(() => parseInteger('256', 'u8')), { err: 'number too large to fit in target type' });
  assert.equal(parseInteger('18446744073709551615', 'u64'), 18446744073709551615n);
  assert.equal(parseFloat64('-inf'), -Infinity);
  assert.equal(parseFloat64('1e3'), 1000);
  assert.equal(parseBool('true'), true);
  assert.equal(parseBool('false'), false);
});
