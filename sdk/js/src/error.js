// PluginError (the WIT `plugin-error` a handler returns) and StateError (a refused
// `host.state-set`), with the codes and messages of the Rust SDK.

import { debugString } from './rust.js';

/**
 * A failure the plugin reports itself: the `err` of `handle`. Throw it from a hook (or let an
 * SDK helper throw it); the host records it with the event (`plugin-error`). Any other
 * exception is a bug: the component traps (`trap`).
 *
 * componentize-js turns a thrown value with an own `payload` property into the `err` case of
 * the export's `result`, so a PluginError carries its WIT record as `payload`.
 */
export class PluginError extends Error {
  /**
   * @param {string} code a short stable code (`missing-config`, `bad-attribute` ...)
   * @param {string} message
   * @param {{ retryable?: boolean }} [options] whether handling the same event again may
   *   succeed (default false)
   */
  constructor(code, message, options = {}) {
    super(message);
    this.name = 'PluginError';
    /** @type {string} */
    this.code = String(code);
    /** @type {boolean} */
    this.retryable = Boolean(options.retryable);
    // An own accessor: componentize-js checks `hasOwnProperty(e, 'payload')`.
    Object.defineProperty(this, 'payload', {
      get: () => ({ code: this.code, message: this.message, retryable: this.retryable }),
      enumerable: false,
    });
  }

  /**
   * Marks the error retryable: handling the same event again may succeed.
   * @returns {this}
   */
  markRetryable() {
    this.retryable = true;
    return this;
  }

  /**
   * A `missing-config` error naming the configuration key.
   * @param {string} key
   */
  static missingConfig(key) {
    return new PluginError('missing-config', `the plugin's [config] has no \`${key}\``);
  }

  /**
   * A `bad-config` error: the configuration value of `key` is unusable.
   * @param {string} key
   * @param {unknown} reason
   */
  static badConfig(key, reason) {
    return new PluginError('bad-config', `config \`${key}\`: ${reason}`);
  }

  /**
   * The `state` error a refused state write becomes when a hook lets it through (what Rust's
   * `state::set(..)?` does): retryable when the store was unavailable.
   * @param {StateError} error
   */
  static fromStateError(error) {
    let message;
    switch (error.tag) {
      case 'key-too-long': message = `state key longer than ${error.val} bytes`; break;
      case 'value-too-large': message = `state value larger than ${error.val} bytes`; break;
      case 'too-many-keys': message = `state already holds ${error.val} keys`; break;
      default: message = `state store unavailable: ${error.val}`;
    }
    return new PluginError('state', message, { retryable: error.tag === 'unavailable' });
  }
}

const STATE_CASES = {
  'key-too-long': 'KeyTooLong',
  'value-too-large': 'ValueTooLarge',
  'too-many-keys': 'TooManyKeys',
  unavailable: 'Unavailable',
};

/**
 * Why the host refused a state write (the WIT `state-error`, `{tag, val}`), thrown by
 * `state.set`, `state.mark` and `RecentSet#save`. Catch it to go on without the write; a hook
 * that lets it through fails with a `state` {@link PluginError}.
 *
 * `String(error)` is what the Rust SDK prints for the same error (`StateError::TooManyKeys(64)`),
 * so log lines match the Rust plugins'.
 */
export class StateError extends Error {
  /**
   * @param {{ tag: 'key-too-long' | 'value-too-large' | 'too-many-keys', val: number }
   *   | { tag: 'unavailable', val: string }} variant
   */
  constructor(variant) {
    const name = STATE_CASES[variant?.tag];
    if (!name) throw new TypeError(`not a state-error: ${JSON.stringify(variant)}`);
    const shown = variant.tag === 'unavailable' ? debugString(String(variant.val)) : String(variant.val);
    super(`StateError::${name}(${shown})`);
    this.name = 'StateError';
    /** @type {'key-too-long' | 'value-too-large' | 'too-many-keys' | 'unavailable'} */
    this.tag = variant.tag;
    /** @type {number | string} */
    this.val = variant.val;
  }

  toString() {
    return this.message;
  }
}
