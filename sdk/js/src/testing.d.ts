// Types of @streamhooks/plugin-sdk/testing.

import type {
  Action,
  Event,
  Host,
  Plugin,
  PluginErrorRecord,
  StateErrorVariant,
  WireEvent,
} from './index.js';

export { exampleEvent } from './index.js';

/** The host's longest state key, in bytes. */
export const MAX_STATE_KEY_BYTES: number;

export interface TestLimits {
  /** max_state_keys (default 64). */
  maxStateKeys: number;
  /** max_state_value_bytes (default 4096). */
  maxStateValueBytes: number;
  /** max_log_kib (default 16). */
  maxLogKib: number;
}

export const DEFAULT_LIMITS: Readonly<TestLimits>;

export interface LogLine {
  level: string;
  message: string;
}

/** What one call returned: its actions (state kept) or its error (state discarded). */
export type TestRun =
  | { ok: true; actions: Action[]; logs: LogLine[]; droppedLogs: number }
  | { ok: false; error: PluginErrorRecord; logs: LogLine[]; droppedLogs: number };

export interface TestHostOptions {
  /** Config values: strings; numbers and booleans are written as TOML has them; undefined unsets. */
  config?: Record<string, string | number | boolean | bigint | undefined>;
  /** State before the first call (text is stored as UTF-8). */
  state?: Record<string, string | Uint8Array>;
  limits?: Partial<TestLimits>;
}

/** An in-memory streamhooks host that behaves like the real one. */
export class TestHost {
  /** The config and limits of a plugin.toml (a path or a file: URL), with overrides. */
  static fromManifest(
    path: string | { readonly href: string },
    overrides?: { config?: TestHostOptions['config']; state?: TestHostOptions['state'] },
  ): TestHost;
  constructor(options?: TestHostOptions);
  /** The plugin's config. */
  config: Map<string, string>;
  /** The committed state. */
  state: Map<string, Uint8Array>;
  limits: TestLimits;
  /** Every line logged by every call. */
  logs: LogLine[];
  /** Refuses every state write with `variant` from now on (null accepts them again). */
  refuseStateWrites(variant: StateErrorVariant | null): this;
  /** A committed state value as text. */
  stateString(key: string): string | undefined;
  /** Runs `fn` with this host bound (its state writes kept when it returns). */
  with<T>(fn: () => T): T;
  /** Handles `event` as the host would. A non-PluginError exception (a trap) is thrown. */
  run(plugin: Plugin, event: Event | WireEvent): TestRun;
  /** The actions; throws a PluginError for an `err` result. */
  handle(plugin: Plugin, event: Event | WireEvent): Action[];
}

export type { Host };
