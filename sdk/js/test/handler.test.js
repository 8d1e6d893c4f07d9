// definePlugin: dispatch by kind like the Rust SDK's Handler, errors, and the kinds list.

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';

import { Action, KINDS, PluginError, definePlugin, exampleEvent, hookName, state } from '../src/index.js';
import { TestHost } from '../src/testing.js';

test('hook names are on + the kind in PascalCase', () => {
  assert.equal(hookName('contact-connected'), 'onContactConnected');
  assert.equal(hookName('agent-websocket-connection-lost'), 'onAgentWebsocketConnectionLost');
  assert.equal(hookName('contact-acw'), 'onContactAcw');
});

test('dispatches each kind to its hook; other kinds get no actions', () => {
  const plugin = definePlugin({
    onContactConnected: (event) => [Action.stopContact(/** @type {string} */ (event.contactId))],
    onAgentHeartbeat: () => undefined,
  });
  assert.deepEqual(plugin.handle(exampleEvent('contact-connected')), [
    { tag: 'stop-contact', val: { contactId: 'contact-1', disconnectReason: undefined } },
  ]);
  assert.deepEqual(plugin.handle(exampleEvent('agent-heartbeat')), []);
  assert.deepEqual(plugin.handle(exampleEvent('contact-missed')), []);
  assert.deepEqual(plugin.handle(exampleEvent('contact-teleported')), []);
});

test('onOther gets unknown kinds, onEvent gets every kind', () => {
  const seen = /** @type {string[]} */ ([]);
  const other = definePlugin({
    onOther: (event) => {
      seen.push(event.kind);
      return [];
    },
  });
  other.handle(exampleEvent('contact-teleported'));
  other.handle(exampleEvent('contact-connected'));
  assert.deepEqual(seen, ['contact-teleported']);
  const every = definePlugin({ onEvent: (event) => [Action.publish('Seen', `{"kind":"${event.kind}"}`)] });
  assert.equal(every.handle(exampleEvent('agent-login')).length, 1);
});

test('a hook name that is no kind, or a hook that is no function, is refused', () => {
  assert.throws(() => definePlugin(/** @type {any} */ ({ onContactConected() {} })), /onContactConected is not a hook/);
  assert.throws(() => definePlugin(/** @type {any} */ ({ onContactConnected: 5 })), /must be a function/);
  assert.throws(() => definePlugin(/** @type {any} */ (null)), TypeError);
});

test('hooks see numbers for timestamps even when the wire carries bigints', () => {
  const plugin = definePlugin({
    onContactConnected(event) {
      assert.equal(typeof event.occurredAt, 'number');
      assert.equal(typeof event.contact?.initiatedAt, 'number');
      assert.equal(typeof event.agent?.state?.since, 'number');
      return [];
    },
  });
  const event = exampleEvent('contact-connected');
  const wire = {
    ...event,
    occurredAt: BigInt(event.occurredAt),
    contact: { ...event.contact, initiatedAt: 1n, stateSince: 2n },
    agent: { ...event.agent, state: { ...event.agent?.state, since: 3n } },
  };
  assert.deepEqual(plugin.handle(/** @type {any} */ (wire)), []);
});

test('a PluginError is the err result; a StateError let through becomes a state error; other exceptions propagate', () => {
  const plugin = definePlugin({
    onContactConnected() {
      throw new PluginError('bad-attribute', 'CustomerId is not a number').markRetryable();
    },
    onContactMissed() {
      state.set('k'.repeat(300), 'v');
      return [];
    },
    onContactEnded() {
      /** @type {any} */ (undefined).boom();
    },
  });
  const host = new TestHost();
  assert.deepEqual(host.run(plugin, exampleEvent('contact-connected')).error, {
    code: 'bad-attribute',
    message: 'CustomerId is not a number',
    retryable: true,
  });
  assert.deepEqual(host.run(plugin, exampleEvent('contact-missed')).error, {
    code: 'state',
    message: 'state key longer than 256 bytes',
    retryable: false,
  });
  assert.throws(() => host.run(plugin, exampleEvent('contact-ended')), TypeError);
});

test('a PluginError carries its record as an own payload (what componentize-js returns as err)', () => {
  const error = new PluginError('missing-data', 'no contact id');
  assert.ok(Object.hasOwn(error, 'payload'));
  assert.deepEqual(error.payload, { code: 'missing-data', message: 'no contact id', retryable: false });
  assert.deepEqual(PluginError.missingConfig('record_url').payload.message, "the plugin's [config] has no `record_url`");
  assert.deepEqual(PluginError.badConfig('max', 'not a number').payload, {
    code: 'bad-config',
    message: 'config `max`: not a number',
    retryable: false,
  });
});

test('hook results must be arrays of actions, synchronously', () => {
  const plugin = definePlugin({
    onContactConnected: () => /** @type {any} */ (Promise.resolve([])),
    onContactMissed: () => /** @type {any} */ ('stop'),
    onContactEnded: () => /** @type {any} */ ([{ tag: 'stop-contact', val: { contactId: 5 } }]),
  });
  assert.throws(() => plugin.handle(exampleEvent('contact-connected')), /synchronous/);
  assert.throws(() => plugin.handle(exampleEvent('contact-missed')), /must return an array/);
  assert.throws(() => plugin.handle(exampleEvent('contact-ended')), /action 0 \(stop-contact\)\.contactId must be a string, got: 5/);
});

test('KINDS is the Rust SDK list and the documented list', () => {
  assert.equal(KINDS.length, 47);
  const rust = new URL('../../rust/src/handler.rs', import.meta.url);
  const docs = new URL('../../../docs/events.md', import.meta.url);
  if (!existsSync(rust) || !existsSync(docs)) {
    assert.ok(KINDS.every((k) => /^[a-z]+(-[a-z]+)+$/.test(k)));
    return; // a packed SDK has neither
  }
  const rustKinds = [...readFileSync(rust, 'utf8').matchAll(/^\s+[A-Za-z]+ = "([a-z-]+)" => on_[a-z_]+;$/gm)].map((m) => m[1]);
  assert.deepEqual(KINDS, rustKinds);
  const documented = readFileSync(docs, 'utf8')
    .split('\n')
    .map((l) => /^\| `([^`]+)`/.exec(l)?.[1])
    .filter((k) => k !== undefined && k.includes('-') && !k.includes('_'));
  assert.deepEqual(KINDS, documented);
});
