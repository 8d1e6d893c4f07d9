// @streamhooks/plugin-sdk/testing: run a plugin under `node --test` against an in-memory host
// that behaves like the real one: config from a map (or the manifest), state that keeps a
// call's writes only when the call returns actions, state limits (key length, value size, key
// count) refused with the same state-error variants, and the log cap.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { PluginError } from './error.js';
import { exampleEvent } from './event.js';
import { bindHost } from './host.js';
import { configText, parseToml } from './toml.js';

export { exampleEvent };

/** The host's longest state key, in bytes (crates/engine MAX_STATE_KEY_BYTES). */
export const MAX_STATE_KEY_BYTES = 256;

/** The manifest's default limits (docs/plugins.md). */
export const DEFAULT_LIMITS = Object.freeze({
  maxStateKeys: 64,
  maxStateValueBytes: 4096,
  maxLogKib: 16,
});

const ENCODER = new TextEncoder();
const DECODER = new TextDecoder();

/** @param {string | Uint8Array | ArrayLike<number>} value */
function toBytes(value) {
  if (typeof value === 'string') return ENCODER.encode(value);
  return Uint8Array.from(/** @type {ArrayLike<number>} */ (value));
}

/** A refusal the way a WIT import reports its `err`: an exception with an own `payload`. */
class HostRefusal extends Error {
  /** @param {unknown} payload */
  constructor(payload) {
    super(`host refused: ${JSON.stringify(payload)}`);
    Object.defineProperty(this, 'payload', { value: payload, enumerable: true });
  }
}

/**
 * An in-memory streamhooks host for tests.
 *
 *   const host = new TestHost({ config: { record_url: 'https://crm/{CustomerId}' } });
 *   const result = host.run(plugin, exampleEvent('contact-connected'));
 *   // { ok: true, actions: [...], logs: [...] } or { ok: false, error: {code, message, retryable}, logs }
 */
export class TestHost {
  /**
   * The config and limits of a plugin.toml, e.g.
   * `TestHost.fromManifest(new URL('../plugin.toml', import.meta.url))`; `overrides` replace
   * or add config values (a value `undefined` removes one) and state.
   * @param {string | URL} path
   * @param {{ config?: Record<string, unknown>, state?: Record<string, string | Uint8Array> }} [overrides]
   */
  static fromManifest(path, overrides = {}) {
    const file = path instanceof URL ? fileURLToPath(path) : path;
    const manifest = parseToml(readFileSync(file, 'utf8'));
    const limits = manifest.limits ?? {};
    /** @type {Record<string, unknown>} */
    const config = { ...(manifest.config ?? {}), ...(overrides.config ?? {}) };
    return new TestHost({
      config,
      state: overrides.state,
      limits: {
        maxStateKeys: limits.max_state_keys ?? DEFAULT_LIMITS.maxStateKeys,
        maxStateValueBytes: limits.max_state_value_bytes ?? DEFAULT_LIMITS.maxStateValueBytes,
        maxLogKib: limits.max_log_kib ?? DEFAULT_LIMITS.maxLogKib,
      },
    });
  }

  /**
   * @param {{
   *   config?: Record<string, unknown>,
   *   state?: Record<string, string | Uint8Array>,
   *   limits?: Partial<typeof DEFAULT_LIMITS>,
   * }} [options] config values (strings; numbers and booleans are written as TOML has them;
   *   `undefined` means unset), the state before the first call, and limits
   */
  constructor(options = {}) {
    /** The plugin's config. @type {Map<string, string>} */
    this.config = new Map();
    for (const [key, value] of Object.entries(options.config ?? {})) {
      if (value !== undefined) this.config.set(key, configText(value));
    }
    /** The committed state. @type {Map<string, Uint8Array>} */
    this.state = new Map();
    for (const [key, value] of Object.entries(options.state ?? {})) this.state.set(key, toBytes(value));
    this.limits = { ...DEFAULT_LIMITS, ...(options.limits ?? {}) };
    /** Every line logged, by every call. @type {Array<{ level: string, message: string }>} */
    this.logs = [];
    /** @type {import('./index.js').StateErrorVariant | null} */
    this.refusal = null;
  }

  /**
   * Refuses every state write from now on with this state-error (e.g.
   * `{ tag: 'unavailable', val: 'store down' }`); `null` accepts writes again.
   * @param {import('./index.js').StateErrorVariant | null} variant
   */
  refuseStateWrites(variant) {
    this.refusal = variant;
    return this;
  }

  /**
   * The committed state value of `key` as text.
   * @param {string} key
   * @returns {string | undefined}
   */
  stateString(key) {
    const value = this.state.get(key);
    return value === undefined ? undefined : DECODER.decode(value);
  }

  /**
   * Runs `fn` with this host bound (one call's view of state, committed when `fn` returns
   * normally), for testing functions that call config/log/state directly.
   * @template T
   * @param {() => T} fn
   * @returns {T}
   */
  with(fn) {
    const call = this.call();
    const previous = bindHost(call.host);
    try {
      const result = fn();
      call.commit();
      return result;
    } finally {
      bindHost(previous);
    }
  }

  /**
   * Handles `event` with `plugin` as the host would: a fresh call, its state writes kept only
   * if it returns actions. A PluginError is the `err` result; any other exception (a trap in
   * the component) is thrown.
   * @param {import('./index.js').Plugin} plugin
   * @param {import('./index.js').Event | import('./index.js').WireEvent} event
   * @returns {import('./index.js').TestRun}
   */
  run(plugin, event) {
    const call = this.call();
    const previous = bindHost(call.host);
    try {
      const actions = plugin.handle(event);
      call.commit();
      return { ok: true, actions, logs: call.logs, droppedLogs: call.dropped };
    } catch (e) {
      if (e instanceof PluginError) {
        return { ok: false, error: e.payload, logs: call.logs, droppedLogs: call.dropped };
      }
      throw e;
    } finally {
      bindHost(previous);
    }
  }

  /**
   * Like `run`, but returns the actions and throws the PluginError of an `err` result (for
   * `assert.throws(() => host.handle(plugin, event), { code: 'missing-data' })`).
   * @param {import('./index.js').Plugin} plugin
   * @param {import('./index.js').Event | import('./index.js').WireEvent} event
   */
  handle(plugin, event) {
    const result = this.run(plugin, event);
    if (!result.ok) {
      throw new PluginError(result.error.code, result.error.message, { retryable: result.error.retryable });
    }
    return result.actions;
  }

  /** One call's host: buffered state writes, capped logs. @private */
  call() {
    /** @type {Map<string, Uint8Array | null>} */
    const overlay = new Map();
    /** @type {Array<{ level: string, message: string }>} */
    const logs = [];
    const cap = this.limits.maxLogKib * 1024;
    let used = 0;
    const self = this;
    const read = (/** @type {string} */ key) => (overlay.has(key) ? overlay.get(key) ?? undefined : self.state.get(key));
    const count = () => {
      let n = self.state.size;
      for (const [key, value] of overlay) {
        const stored = self.state.has(key);
        if (value !== null && !stored) n++;
        if (value === null && stored) n--;
      }
      return n;
    };
    const run = {
      logs,
      dropped: 0,
      /** @type {import('./index.js').Host} */
      host: {
        log(level, message) {
          const size = ENCODER.encode(message).length;
          if (used + size > cap) {
            run.dropped++;
            return;
          }
          used += size;
          const line = { level, message };
          logs.push(line);
          self.logs.push(line);
        },
        config(key) {
          return self.config.get(key);
        },
        stateGet(key) {
          const value = read(key);
          return value === undefined ? undefined : Uint8Array.from(value);
        },
        stateSet(key, value) {
          const bytes = Uint8Array.from(value);
          if (self.refusal) throw new HostRefusal(self.refusal);
          if (ENCODER.encode(key).length > MAX_STATE_KEY_BYTES) {
            throw new HostRefusal({ tag: 'key-too-long', val: MAX_STATE_KEY_BYTES });
          }
          if (bytes.length > self.limits.maxStateValueBytes) {
            throw new HostRefusal({ tag: 'value-too-large', val: self.limits.maxStateValueBytes });
          }
          if (read(key) === undefined && count() + 1 > self.limits.maxStateKeys) {
            throw new HostRefusal({ tag: 'too-many-keys', val: self.limits.maxStateKeys });
          }
          overlay.set(key, bytes);
        },
        stateDelete(key) {
          overlay.set(key, null);
        },
      },
      commit() {
        for (const [key, value] of overlay) {
          if (value === null) self.state.delete(key);
          else self.state.set(key, value);
        }
      },
    };
    return run;
  }
}
