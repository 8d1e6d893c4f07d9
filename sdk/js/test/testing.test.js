// The test host behaves like the real host: a call's state writes are kept only when it returns
// actions, limits refuse writes with the WIT variants, logs are capped.

import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { Action, PluginError, definePlugin, log, state } from '../src/index.js';
import { DEFAULT_LIMITS, TestHost, exampleEvent } from '../src/testing.js';

const writer = definePlugin({
  onContactConnected() {
    state.set('written', 'yes');
    return [Action.stopContact('contact-1')];
  },
  onContactMissed() {
    state.set('written', 'no');
    state.delete('kept');
    throw new PluginError('nope', 'refused');
  },
  onContactEnded() {
    state.set('a', '1');
    state.delete('a');
    state.set('b', '2');
    return [];
  },
});

test('keeps the state writes of a call that returns actions, drops those of an err', () => {
  const host = new TestHost({ state: { kept: 'x' } });
  assert.equal(host.run(writer, exampleEvent('contact-missed')).ok, false);
  assert.equal(host.state.has('written'), false);
  assert.equal(host.stateString('kept'), 'x');
  assert.deepEqual(host.handle(writer, exampleEvent('contact-connected')), [Action.stopContact('contact-1')]);
  assert.equal(host.stateString('written'), 'yes');
  host.handle(writer, exampleEvent('contact-ended'));
  assert.deepEqual([...host.state.keys()].sort(), ['b', 'kept', 'written']);
  assert.throws(() => host.handle(writer, exampleEvent('contact-missed')), (e) => e instanceof PluginError && e.code === 'nope');
});

test('counts keys across the call: a deleted key frees room, a rewritten one takes none', () => {
  const host = new TestHost({ state: { a: '1' }, limits: { maxStateKeys: 2 } });
  host.with(() => {
    state.set('a', 'again');
    state.set('b', '2');
    assert.throws(() => state.set('c', '3'), { tag: 'too-many-keys', val: 2 });
    state.delete('a');
    state.set('c', '3');
  });
  assert.deepEqual([...host.state.keys()].sort(), ['b', 'c']);
});

test('caps the logs of a call at max_log_kib, counting what it drops', () => {
  const chatty = definePlugin({
    onContactConnected() {
      for (let i = 0; i < 3; i++) log.info('x'.repeat(600));
      return [];
    },
  });
  const run = new TestHost({ limits: { maxLogKib: 1 } }).run(chatty, exampleEvent('contact-connected'));
  assert.equal(run.logs.length, 1);
  assert.equal(run.droppedLogs, 2);
  assert.deepEqual(DEFAULT_LIMITS, { maxStateKeys: 64, maxStateValueBytes: 4096, maxLogKib: 16 });
});

test('fromManifest takes [config] as text and [limits]', () => {
  const dir = mkdtempSync(join(tmpdir(), 'streamhooks-sdk-test-'));
  const file = join(dir, 'plugin.toml');
  writeFileSync(
    file,
    `name = "x"
version = "0.1.0"
component = "x.wasm"
subscribe = ["contact-connected"]

[limits]
max_state_keys = 3
max_log_kib = 2

[config]
url = "https://x/{Id}"  # a comment
seconds = 180
ratio = 0.5
big = 1e21
whole = 1.0
on = true
`,
  );
  const host = TestHost.fromManifest(file, { config: { seconds: undefined, extra: 'e' } });
  assert.deepEqual(Object.fromEntries(host.config), {
    url: 'https://x/{Id}',
    ratio: '0.5',
    big: '1000000000000000000000',
    whole: '1',
    on: 'true',
    extra: 'e',
  });
  assert.deepEqual(host.limits, { maxStateKeys: 3, maxStateValueBytes: 4096, maxLogKib: 2 });
});
