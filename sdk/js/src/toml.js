// A small TOML reader for plugin manifests (plugin.toml): tables, dotted keys, strings (basic,
// literal, multi-line), integers, floats, booleans, arrays and inline tables. Dates and arrays
// of tables are not used by manifests and are reported as unsupported. The host reads the
// manifest with a full TOML parser; this one serves the build tool and the test host.

export class TomlError extends Error {}

/**
 * Parses TOML text into plain objects (integers as numbers, or bigints beyond
 * Number.MAX_SAFE_INTEGER).
 * @param {string} text
 * @returns {Record<string, any>}
 */
export function parseToml(text) {
  let i = 0;
  let line = 1;
  /** @type {Record<string, any>} */
  const root = {};
  let current = root;

  const err = (/** @type {string} */ message) => new TomlError(`line ${line}: ${message}`);
  const peek = (n = 0) => text[i + n];
  const startsWith = (/** @type {string} */ s) => text.startsWith(s, i);

  function skipSpace() {
    while (peek() === ' ' || peek() === '\t') i++;
  }
  function skipComment() {
    if (peek() === '#') while (i < text.length && peek() !== '\n') i++;
  }
  function newline() {
    if (peek() === '\r' && peek(1) === '\n') i++;
    if (peek() === '\n') {
      i++;
      line++;
      return true;
    }
    return false;
  }
  /** Spaces, comments and newlines (inside arrays). */
  function skipAll() {
    for (;;) {
      skipSpace();
      skipComment();
      if (!newline()) return;
    }
  }
  function endOfLine() {
    skipSpace();
    skipComment();
    if (i < text.length && !newline()) throw err(`unexpected ${JSON.stringify(peek())}`);
  }

  function key() {
    /** @type {string[]} */
    const parts = [];
    for (;;) {
      skipSpace();
      if (peek() === '"') parts.push(basicString());
      else if (peek() === "'") parts.push(literalString());
      else {
        const start = i;
        while (i < text.length && /[A-Za-z0-9_-]/.test(/** @type {string} */ (peek()))) i++;
        if (i === start) throw err(`expected a key, found ${JSON.stringify(peek() ?? 'end of file')}`);
        parts.push(text.slice(start, i));
      }
      skipSpace();
      if (peek() !== '.') return parts;
      i++;
    }
  }

  function basicString() {
    if (startsWith('"""')) return multiline('"""', true);
    i++;
    let out = '';
    for (;;) {
      const c = peek();
      if (c === undefined || c === '\n') throw err('unterminated string');
      i++;
      if (c === '"') return out;
      out += c === '\\' ? escape() : c;
    }
  }
  function literalString() {
    if (startsWith("'''")) return multiline("'''", false);
    const end = text.indexOf("'", i + 1);
    const nl = text.indexOf('\n', i + 1);
    if (end < 0 || (nl >= 0 && nl < end)) throw err('unterminated string');
    const out = text.slice(i + 1, end);
    i = end + 1;
    return out;
  }
  /**
   * @param {string} quote
   * @param {boolean} escapes
   */
  function multiline(quote, escapes) {
    i += 3;
    newline(); // a newline right after the opening quotes is trimmed
    let out = '';
    for (;;) {
      if (i >= text.length) throw err('unterminated string');
      if (startsWith(quote) && !(text[i + 3] === quote[0])) {
        i += 3;
        return out;
      }
      const c = /** @type {string} */ (peek());
      if (c === '\n') line++;
      i++;
      if (escapes && c === '\\') {
        if (/[ \t]*\r?\n/y.test(text.slice(i, i + 64))) {
          // Line-ending backslash: trims the newline and the whitespace that follows.
          while (/[ \t\r\n]/.test(peek() ?? '')) {
            if (peek() === '\n') line++;
            i++;
          }
        } else {
          out += escape();
        }
      } else {
        out += c;
      }
    }
  }
  function escape() {
    const c = peek();
    i++;
    switch (c) {
      case 'b': return '\b';
      case 't': return '\t';
      case 'n': return '\n';
      case 'f': return '\f';
      case 'r': return '\r';
      case 'e': return '\x1b';
      case '"': return '"';
      case '\\': return '\\';
      case 'u':
      case 'U': {
        const n = c === 'u' ? 4 : 8;
        const hex = text.slice(i, i + n);
        if (!/^[0-9A-Fa-f]+$/.test(hex) || hex.length !== n) throw err(`bad escape \\${c}${hex}`);
        i += n;
        return String.fromCodePoint(parseInt(hex, 16));
      }
      default:
        throw err(`bad escape \\${c}`);
    }
  }

  function value() {
    skipSpace();
    const c = peek();
    if (c === '"') return basicString();
    if (c === "'") return literalString();
    if (c === '[') return array();
    if (c === '{') return inlineTable();
    const m = /^[^\s,\]}#]+/.exec(text.slice(i));
    if (!m) throw err(`expected a value, found ${JSON.stringify(c ?? 'end of file')}`);
    i += m[0].length;
    return scalar(m[0]);
  }
  /** @param {string} token */
  function scalar(token) {
    if (token === 'true') return true;
    if (token === 'false') return false;
    if (/^\d{4}-\d{2}-\d{2}|^\d{2}:\d{2}/.test(token)) throw err(`dates are not supported (${token})`);
    if (/^[+-]?(inf|nan)$/.test(token)) {
      return new TomlFloat(token.endsWith('nan') ? NaN : token.startsWith('-') ? -Infinity : Infinity);
    }
    const plain = token.replace(/_/g, '');
    if (/^0x[0-9A-Fa-f]+$|^0o[0-7]+$|^0b[01]+$/.test(plain)) return integer(BigInt(plain));
    if (/^[+-]?(0|[1-9][0-9]*)$/.test(plain)) return integer(BigInt(plain));
    if (/^[+-]?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/.test(plain)) return new TomlFloat(Number(plain));
    throw err(`not a TOML value: ${token}`);
  }
  /** @param {bigint} n */
  function integer(n) {
    return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
  }
  function array() {
    i++;
    const out = [];
    for (;;) {
      skipAll();
      if (peek() === ']') {
        i++;
        return out;
      }
      out.push(value());
      skipAll();
      if (peek() === ',') i++;
      else if (peek() !== ']') throw err(`expected , or ] in an array, found ${JSON.stringify(peek() ?? 'end of file')}`);
    }
  }
  function inlineTable() {
    i++;
    /** @type {Record<string, any>} */
    const out = {};
    skipSpace();
    if (peek() === '}') {
      i++;
      return out;
    }
    for (;;) {
      const path = key();
      if (peek() !== '=') throw err('expected = after a key');
      i++;
      assign(out, path, value());
      skipSpace();
      if (peek() === '}') {
        i++;
        return out;
      }
      if (peek() !== ',') throw err('expected , or } in an inline table');
      i++;
    }
  }
  /**
   * @param {Record<string, any>} table
   * @param {string[]} path
   * @param {unknown} v
   */
  function assign(table, path, v) {
    let t = table;
    for (const part of path.slice(0, -1)) {
      if (!Object.hasOwn(t, part)) t[part] = {};
      t = t[part];
      if (t === null || typeof t !== 'object' || Array.isArray(t)) throw err(`${path.join('.')}: not a table`);
    }
    const last = /** @type {string} */ (path[path.length - 1]);
    if (Object.hasOwn(t, last)) throw err(`duplicate key ${path.join('.')}`);
    t[last] = v;
  }

  while (i < text.length) {
    skipAll();
    if (i >= text.length) break;
    if (peek() === '[') {
      if (peek(1) === '[') throw err('arrays of tables are not supported');
      i++;
      const path = key();
      if (peek() !== ']') throw err('expected ] after a table name');
      i++;
      current = root;
      for (const part of path) {
        if (!Object.hasOwn(current, part)) current[part] = {};
        current = current[part];
        if (current === null || typeof current !== 'object' || Array.isArray(current)) {
          throw err(`${path.join('.')}: not a table`);
        }
      }
      endOfLine();
      continue;
    }
    const path = key();
    if (peek() !== '=') throw err(`expected = after the key ${path.join('.')}`);
    i++;
    assign(current, path, value());
    endOfLine();
  }
  return root;
}

/** A TOML float, kept apart from integers (Rust writes the config value `1.0` as `1`). */
export class TomlFloat {
  /** @param {number} value */
  constructor(value) {
    this.value = value;
  }
  valueOf() {
    return this.value;
  }
}

/**
 * A config value as the host hands it to the plugin: strings as they are, integers and
 * booleans as text, floats as Rust's `f64::to_string` writes them (no exponent).
 * @param {unknown} value
 * @returns {string}
 */
export function configText(value) {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (typeof value === 'number' && Number.isInteger(value)) return String(value);
  const f = value instanceof TomlFloat ? value.value : value;
  if (typeof f === 'number') return rustFloat(f);
  throw new TypeError(`expected a string, number or boolean, found ${Array.isArray(value) ? 'array' : typeof value}`);
}

/** @param {number} f */
function rustFloat(f) {
  if (Number.isNaN(f)) return 'NaN';
  if (!Number.isFinite(f)) return f > 0 ? 'inf' : '-inf';
  if (Object.is(f, -0)) return '-0';
  const text = String(f);
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!m) return text;
  const [, sign, lead, frac = '', exp] = m;
  const digits = lead + frac;
  const point = 1 + Number(exp);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return sign + digits + '0'.repeat(point - digits.length);
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}
