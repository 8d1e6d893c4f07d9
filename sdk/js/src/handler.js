// definePlugin: one hook per event kind, like the Rust SDK's `Handler` trait.

import { PluginError, StateError } from './error.js';
import { eventFromWire } from './event.js';
import { actionsToWire } from './wire.js';

/**
 * The kebab-case names of every event kind this SDK knows, in docs/events.md order (the Rust
 * SDK's `EventKind::KNOWN`).
 */
export const KINDS = Object.freeze([
  'agent-state-change',
  'agent-routable',
  'agent-not-routable',
  'agent-offline',
  'agent-error',
  'agent-softphone-error',
  'agent-after-call-work',
  'agent-enqueued-next-state',
  'agent-cleared-next-state',
  'agent-mute-toggle',
  'agent-websocket-connection-lost',
  'agent-websocket-connection-gained',
  'agent-refresh',
  'agent-configuration-change',
  'agent-login',
  'agent-logout',
  'agent-heartbeat',
  'contact-incoming',
  'contact-pending',
  'contact-connecting',
  'contact-accepted',
  'contact-connected',
  'contact-missed',
  'contact-ended',
  'contact-acw',
  'contact-destroyed',
  'contact-error',
  'contact-refresh',
  'contact-participant-hold',
  'contact-participant-resume',
  'contact-paused',
  'contact-resumed',
  'contact-screen-sharing-started',
  'contact-screen-sharing-stopped',
  'contact-screen-sharing-error',
  'contact-initiated',
  'contact-connected-to-system',
  'contact-data-updated',
  'contact-queued',
  'contact-connected-to-agent',
  'contact-disconnected',
  'contact-completed',
  'contact-amd-disabled',
  'contact-other',
  'contact-lens-rule-matched',
  'metrics-rule-matched',
  'connect-other',
]);

/**
 * The hook of a kind: `on` and the kind in PascalCase (`contact-connected` ->
 * `onContactConnected`).
 * @param {string} kind
 * @returns {string}
 */
export function hookName(kind) {
  return 'on' + kind.split('-').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
}

/** Hook name -> kind, for the kinds this SDK knows. */
const HOOKS = new Map(KINDS.map((kind) => [hookName(kind), kind]));

/**
 * Whether `kind` is an agent event (`agent-*`).
 * @param {string} kind
 */
export function isAgentKind(kind) {
  return kind.startsWith('agent-');
}

/**
 * Whether `kind` is a contact event (`contact-*`): such events carry a contact id.
 * @param {string} kind
 */
export function isContactKind(kind) {
  return kind.startsWith('contact-');
}

/**
 * Defines a plugin from its hooks: one per event kind it handles (`onContactConnected(event)`
 * ...), each returning the actions to take (an array of actions or action builders; nothing
 * means none) or throwing a PluginError. A kind without a hook, or one this SDK does not know,
 * gets no actions (or `onOther(event)` if given); `onEvent(event)` instead handles every kind.
 * Export the result as the module's default export: the build makes it the component's
 * `handler`, and the test host calls it.
 *
 * A hook name that is not a known kind's is an error here (a typo would never be called).
 *
 * @param {import('./index.js').Hooks} hooks
 * @returns {import('./index.js').Plugin}
 */
export function definePlugin(hooks) {
  if (hooks === null || typeof hooks !== 'object') {
    throw new TypeError('definePlugin: expected an object of hooks ({ onContactConnected(event) { ... } })');
  }
  for (const [name, hook] of Object.entries(hooks)) {
    if (name !== 'onEvent' && name !== 'onOther' && !HOOKS.has(name)) {
      throw new TypeError(
        `definePlugin: ${name} is not a hook: hooks are onEvent, onOther and on<Kind> for the kinds ` +
          `of docs/events.md (${KINDS.map(hookName).join(', ')})`,
      );
    }
    if (typeof hook !== 'function') throw new TypeError(`definePlugin: ${name} must be a function`);
  }
  const table = /** @type {Record<string, (event: import('./index.js').Event) => unknown>} */ (
    /** @type {unknown} */ (hooks)
  );

  /** @param {import('./index.js').Event} event */
  const dispatch = (event) => {
    if (table.onEvent) return table.onEvent(event);
    const name = hookName(event.kind);
    if (HOOKS.has(name)) return table[name] ? table[name](event) : [];
    return table.onOther ? table.onOther(event) : [];
  };

  return Object.freeze({
    hooks,
    /**
     * Handles one event: the actions to take, in the exact form the host receives them. Throws
     * a PluginError for the `err` case (a state write refused and not caught becomes a `state`
     * PluginError, as `?` does in Rust); any other exception is a bug (a trap in the component).
     * @param {import('./index.js').Event | import('./index.js').WireEvent} event
     */
    handle(event) {
      let result;
      try {
        result = dispatch(eventFromWire(event));
      } catch (e) {
        if (e instanceof StateError) throw PluginError.fromStateError(e);
        throw e;
      }
      return actionsToWire(result);
    },
  });
}
