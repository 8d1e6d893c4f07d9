import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Action } from '@streamhooks/plugin-sdk';
import { TestHost, exampleEvent } from '@streamhooks/plugin-sdk/testing';

import plugin, { decide } from '../src/plugin.js';

// The host of the tests: this plugin's plugin.toml ([config], [limits]), in memory.
const host = () => TestHost.fromManifest(new URL('../plugin.toml', import.meta.url));

test('marks a voice contact with its agent', () => {
  const actions = host().handle(plugin, exampleEvent('contact-connected'));
  assert.deepEqual(actions, [Action.updateContactAttributes('contact-1', [['AnsweredBy', 'agent-1']])]);
});

test('leaves other channels alone', () => {
  const event = exampleEvent('contact-connected');
  if (event.contact) event.contact.channel = 'CHAT';
  const run = host().run(plugin, event);
  assert.deepEqual(run, {
    ok: true,
    actions: [],
    logs: [{ level: 'debug', message: 'not a voice contact: nothing to do' }],
    droppedLogs: 0,
  });
});

test('needs an agent', () => {
  const event = exampleEvent('contact-connected');
  event.agentArn = undefined;
  event.agent = undefined;
  assert.throws(() => decide(event, 'AnsweredBy'), { code: 'missing-data' });
  const run = host().run(plugin, event);
  assert.equal(run.ok ? 'ok' : run.error.code, 'missing-data');
});
