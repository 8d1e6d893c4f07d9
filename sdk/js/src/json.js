// A tiny JSON object writer for action payloads (`crm` fields, `publish` details) that writes
// exactly what the Rust SDK's `json::JsonObject` writes: members in insertion order, no spaces,
// and the same string escapes (`\"`, `\\`, `\n`, `\r`, `\t`, other control characters as
// `\u00XX`, everything else as is). `JSON.stringify` differs (`\b`, `\f`, lone surrogates).

// What needs an escape: quotes, backslashes, control characters, and lone surrogates (a lone
// surrogate cannot cross to the host, where strings are UTF-8: it becomes U+FFFD, as the
// component's string encoding would make it). A regular expression, not a loop over the
// characters: the component's JavaScript engine interprets, and values can be large.
const ESCAPE = /["\\\u0000-\u001f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** @param {string} c */
function escape(c) {
  switch (c) {
    case '"': return '\\"';
    case '\\': return '\\\\';
    case '\n': return '\\n';
    case '\r': return '\\r';
    case '\t': return '\\t';
    default: {
      const code = c.charCodeAt(0);
      return code < 0x20 ? '\\u' + code.toString(16).padStart(4, '0') : '\uFFFD';
    }
  }
}

/**
 * `value` as a JSON string literal, quotes included.
 * @param {string} value
 * @returns {string}
 */
export function jsonString(value) {
  if (typeof value !== 'string') throw new TypeError(`jsonString: not a string: ${String(value)}`);
  return '"' + value.replace(ESCAPE, escape) + '"';
}

/**
 * Builds one JSON object, member by member, in insertion order:
 * `new JsonObject().string('Subject', 'Call').int('DurationSeconds', 95).build()`.
 */
export class JsonObject {
  constructor() {
    /** @private */
    this.buf = '{';
  }

  /** @private @param {string} key */
  key(key) {
    if (this.buf.length > 1) this.buf += ',';
    this.buf += jsonString(key) + ':';
    return this;
  }

  /**
   * Adds a string member.
   * @param {string} key
   * @param {string} value
   */
  string(key, value) {
    const text = jsonString(value);
    this.key(key).buf += text;
    return this;
  }

  /**
   * Adds a string member when `value` is not null/undefined; nothing otherwise.
   * @param {string} key
   * @param {string | null | undefined} value
   */
  optString(key, value) {
    return value === undefined || value === null ? this : this.string(key, value);
  }

  /**
   * Adds an integer member (a 64-bit integer in Rust: a safe integer number or a bigint).
   * @param {string} key
   * @param {number | bigint} value
   */
  int(key, value) {
    let text;
    if (typeof value === 'bigint') {
      text = BigInt.asIntN(64, value).toString();
    } else if (typeof value === 'number' && Number.isInteger(value)) {
      text = BigInt(value).toString();
    } else {
      throw new TypeError(`JsonObject.int: ${key}: not an integer: ${String(value)}`);
    }
    this.key(key).buf += text;
    return this;
  }

  /**
   * Adds an integer member when `value` is not null/undefined; nothing otherwise.
   * @param {string} key
   * @param {number | bigint | null | undefined} value
   */
  optInt(key, value) {
    return value === undefined || value === null ? this : this.int(key, value);
  }

  /**
   * Adds a boolean member.
   * @param {string} key
   * @param {boolean} value
   */
  bool(key, value) {
    this.key(key).buf += value ? 'true' : 'false';
    return this;
  }

  /**
   * Adds a `null` member.
   * @param {string} key
   */
  null(key) {
    this.key(key).buf += 'null';
    return this;
  }

  /**
   * Adds a member whose value is already JSON (another JsonObject's output, an array ...). The
   * caller vouches that `json` is valid.
   * @param {string} key
   * @param {string} json
   */
  raw(key, json) {
    this.key(key).buf += json;
    return this;
  }

  /**
   * The finished object.
   * @returns {string}
   */
  build() {
    return this.buf + '}';
  }
}
