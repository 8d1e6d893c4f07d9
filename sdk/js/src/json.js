// A tiny JSON object writer for action payloads (`crm` fields, `publish` details) that writes
// exactly what the Rust SDK's `json::JsonObject` writes: members in insertion order, no spaces,
// and the same string escapes (`\"`, `\\`, `\n`, `\r`, `\t`, other control characters as
// `\u00XX`, everything else as is). `JSON.stringify` differs (`\b`, `\f`, lone surrogates).

/**
 * `value` as a JSON string literal, quotes included.
 * @param {string} value
 * @returns {string}
 */
export function jsonString(value) {
  if (typeof value !== 'string') throw new TypeError(`jsonString: not a string: ${String(value)}`);
  let out = '"';
  for (const c of value) {
    switch (c) {
      case '"': out += '\\"'; break;
      case '\\': out += '\\\\'; break;
      case '\n': out += '\\n'; break;
      case '\r': out += '\\r'; break;
      case '\t': out += '\\t'; break;
      default: {
        const code = /** @type {number} */ (c.codePointAt(0));
        if (code < 0x20) {
          out += '\\u' + code.toString(16).padStart(4, '0');
        } else if (code >= 0xd800 && code <= 0xdfff) {
          // A lone surrogate cannot cross to the host (strings are UTF-8 there): U+FFFD, as the
          // component's string encoding would make it.
          out += '\uFFFD';
        } else {
          out += c;
        }
      }
    }
  }
  return out + '"';
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
