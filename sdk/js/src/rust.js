// Text helpers that behave exactly like the Rust standard library functions the Rust SDK and
// plugins use, so that a JavaScript plugin produces the same strings: `str::trim`,
// `str::lines`, `{:?}` of a string (`<str as Debug>`), and integer / float / bool parsing with
// Rust's error messages.

import { DEBUG_ESCAPES } from './debug-escapes.js';

// Unicode White_Space (what `char::is_whitespace` and `str::trim` use). Unlike
// `String.prototype.trim`, it holds U+0085 and not U+FEFF.
const WHITE_SPACE =
  '\\u0009-\\u000D\\u0020\\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000';
const TRIM = new RegExp(`^[${WHITE_SPACE}]+|[${WHITE_SPACE}]+$`, 'g');

/**
 * `text` without leading and trailing Unicode White_Space, like Rust's `str::trim`.
 * @param {string} text
 * @returns {string}
 */
export function trimWhitespace(text) {
  return text.replace(TRIM, '');
}

/**
 * The lines of `text` like Rust's `str::lines`: split at `\n` or `\r\n`; a final line ending
 * adds no empty line; an empty string has no lines.
 * @param {string} text
 * @returns {string[]}
 */
export function lines(text) {
  if (text === '') return [];
  const parts = text.split('\n');
  if (parts[parts.length - 1] === '') parts.pop();
  // Every part but the last one was followed by `\n`: a `\r` before it belongs to the ending.
  const last = text.endsWith('\n') ? parts.length : parts.length - 1;
  for (let i = 0; i < last; i++) {
    if (parts[i].endsWith('\r')) parts[i] = parts[i].slice(0, -1);
  }
  return parts;
}

// What `char::escape_debug` writes as `\u{..}` (characters that are not printable, and grapheme
// extenders), from Rust's own tables: the component's JavaScript engine has no Unicode property
// escapes (no ICU), and Rust's Unicode version is the one that counts.
/** @type {number[] | null} starts and ends, alternating, sorted */
let escapes = null;

function escapeRanges() {
  if (escapes === null) {
    escapes = [];
    let end = 0;
    for (const range of DEBUG_ESCAPES.split(' ')) {
      const [start, length] = range.split('.').map((n) => parseInt(n, 36));
      const first = end + /** @type {number} */ (start);
      end = first + /** @type {number} */ (length);
      escapes.push(first, end);
    }
  }
  return escapes;
}

/** @param {number} code */
function escaped(code) {
  if (code >= 0xd800 && code <= 0xdfff) return true; // a lone surrogate: no char in Rust
  const table = escapeRanges();
  let lo = 0;
  let hi = table.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (code < /** @type {number} */ (table[2 * mid])) hi = mid - 1;
    else if (code > /** @type {number} */ (table[2 * mid + 1])) lo = mid + 1;
    else return true;
  }
  return false;
}

/**
 * `text` as Rust's `format!("{:?}", text)` writes it: in double quotes, with `\"`, `\\`,
 * `\n`, `\r`, `\t`, `\0` and `\u{hex}` for characters that are not printable.
 * @param {string} text
 * @returns {string}
 */
export function debugString(text) {
  let out = '"';
  for (const c of text) {
    switch (c) {
      case '"': out += '\\"'; break;
      case '\\': out += '\\\\'; break;
      case '\n': out += '\\n'; break;
      case '\r': out += '\\r'; break;
      case '\t': out += '\\t'; break;
      case '\0': out += '\\0'; break;
      default:
        const code = /** @type {number} */ (c.codePointAt(0));
        if (escaped(code)) {
          out += `\\u{${code.toString(16)}}`;
        } else {
          out += c;
        }
    }
  }
  return out + '"';
}

/** Integer types `configParse` knows, with their ranges. */
export const INTEGER_TYPES = {
  u8: [0n, 255n],
  u16: [0n, 65535n],
  u32: [0n, 4294967295n],
  u64: [0n, 18446744073709551615n],
  i8: [-128n, 127n],
  i16: [-32768n, 32767n],
  i32: [-2147483648n, 2147483647n],
  i64: [-9223372036854775808n, 9223372036854775807n],
};

/** A parse failure carrying Rust's message for it. */
export class ParseError extends Error {}

/**
 * Parses `text` (not trimmed) as Rust's `str::parse::<T>()` does for an integer type `T`,
 * throwing a {@link ParseError} with Rust's message when it does not parse. Returns a number
 * (a bigint when the value is beyond `Number.MAX_SAFE_INTEGER`).
 * @param {string} text
 * @param {keyof typeof INTEGER_TYPES} type
 * @returns {number | bigint}
 */
export function parseInteger(text, type) {
  const [min, max] = INTEGER_TYPES[type];
  if (text === '') throw new ParseError('cannot parse integer from empty string');
  let digits = text;
  let negative = false;
  if (digits[0] === '+' || digits[0] === '-') {
    negative = digits[0] === '-';
    digits = digits.slice(1);
    // A lone sign, or a minus sign for an unsigned type, is an invalid digit.
    if (digits === '' || (negative && min === 0n)) {
      throw new ParseError('invalid digit found in string');
    }
  }
  if (!/^[0-9]+$/.test(digits)) throw new ParseError('invalid digit found in string');
  const value = negative ? -BigInt(digits) : BigInt(digits);
  if (value > max) throw new ParseError('number too large to fit in target type');
  if (value < min) throw new ParseError('number too small to fit in target type');
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(value)
    : value;
}

const FLOAT = /^[+-]?(?:inf|infinity|nan|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)$/i;

/**
 * Parses `text` as Rust's `str::parse::<f64>()` does.
 * @param {string} text
 * @returns {number}
 */
export function parseFloat64(text) {
  if (text === '') throw new ParseError('cannot parse float from empty string');
  if (!FLOAT.test(text)) throw new ParseError('invalid float literal');
  const body = text.replace(/^[+-]/, '').toLowerCase();
  const sign = text[0] === '-' ? -1 : 1;
  if (body === 'inf' || body === 'infinity') return sign * Infinity;
  if (body === 'nan') return NaN;
  return sign * Number(body);
}

/**
 * Parses `text` as Rust's `str::parse::<bool>()` does: exactly `true` or `false`.
 * @param {string} text
 * @returns {boolean}
 */
export function parseBool(text) {
  if (text === 'true') return true;
  if (text === 'false') return false;
  throw new ParseError('provided string was not `true` or `false`');
}
