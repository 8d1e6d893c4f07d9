// The decisions of screen-pop, ported from the Rust plugin's unit tests (plugins/screen-pop),
// and the whole handler against the SDK's test host with this folder's plugin.toml.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Action, ScreenPop } from '@streamhooks/plugin-sdk';
import { TestHost, exampleEvent } from '@streamhooks/plugin-sdk/testing';

import plugin, { RECENT_PER_AGENT, percentEncode, screenPop } from '../src/plugin.js';

const MANIFEST = new URL('../plugin.toml', import.meta.url);
const AGENT_ARN = 'arn:aws:connect:us-west-2:111122223333:instance/instance-1/agent/agent-1';

/** @param {Array<[string, string]>} attributes */
function eventWith(attributes, kind = 'contact-connecting') {
  const event = exampleEvent(kind);
  event.contact.attributes = attributes;
  return event;
}

test('fills the record url from attributes', () => {
  const event = eventWith([['CustomerId', '42/x y']]);
  const pop = screenPop(event, 'https://crm.example.com/customers/{CustomerId}?c={ContactId}', undefined, 'Customer');
  assert.ok(pop);
  assert.equal(pop.url, 'https://crm.example.com/customers/42%2Fx%20y?c=contact-1');
  assert.equal(pop.title, 'Customer');
  assert.deepEqual(pop.data, [['Queue', 'Support'], ['Channel', 'VOICE']]);
});

test('falls back to the search url then to nothing', () => {
  const event = eventWith([]);
  const record = 'https://crm.example.com/customers/{CustomerId}';
  const search = 'https://crm.example.com/search?contact={ContactId}';
  assert.equal(screenPop(event, record, search, 't')?.url, 'https://crm.example.com/search?contact=contact-1');
  assert.equal(screenPop(event, record, undefined, 't'), undefined);
  assert.equal(screenPop(event, 'https://x/{Unclosed', undefined, 't'), undefined);
});

test('an empty attribute does not fall back to the contact id', () => {
  const event = eventWith([['ContactId', '']]);
  assert.equal(screenPop(event, 'https://x/{ContactId}', undefined, 't'), undefined);
  const named = eventWith([['ContactId', 'from-attribute']]);
  assert.equal(screenPop(named, 'https://x/{ContactId}', undefined, 't')?.url, 'https://x/from-attribute');
});

test('percent-encodes UTF-8 bytes, keeping only unreserved characters', () => {
  assert.equal(percentEncode("aZ09-._~ !*'()/?#&=é€"), "aZ09-._~%20%21%2A%27%28%29%2F%3F%23%26%3D%C3%A9%E2%82%AC");
});

test('pops once per contact and agent, remembering it in popped/<agent id>', () => {
  const host = TestHost.fromManifest(MANIFEST);
  const offered = eventWith([['CustomerId', '42']], 'contact-connecting');
  const expected = Action.clientScreenPop(
    AGENT_ARN,
    'contact-1',
    ScreenPop.url('https://crm.example.com/customers/42')
      .withTitle('Customer record')
      .withData('Queue', 'Support')
      .withData('Channel', 'VOICE'),
  );
  assert.deepEqual(host.handle(plugin, offered), [expected]);
  assert.equal(host.stateString('popped/agent-1'), 'contact-1');
  // The same contact accepted, or connected from another source: no second pop.
  assert.deepEqual(host.handle(plugin, eventWith([['CustomerId', '42']], 'contact-accepted')), []);
  assert.deepEqual(host.handle(plugin, eventWith([['CustomerId', '42']], 'contact-connected')), []);
  // Other kinds are not handled.
  assert.deepEqual(host.handle(plugin, eventWith([['CustomerId', '42']], 'contact-ended')), []);
});

test('keeps the 20 latest contacts per agent, oldest first', () => {
  const host = TestHost.fromManifest(MANIFEST);
  for (let i = 0; i <= RECENT_PER_AGENT; i++) {
    const event = eventWith([['CustomerId', `${i}`]]);
    event.contactId = `c-${i}`;
    assert.equal(host.handle(plugin, event).length, 1, `contact c-${i}`);
  }
  const stored = host.stateString('popped/agent-1')?.split('\n');
  assert.equal(stored?.length, RECENT_PER_AGENT);
  assert.equal(stored?.[0], 'c-1');
  assert.equal(stored?.at(-1), `c-${RECENT_PER_AGENT}`);
  // c-0 was forgotten: it pops again.
  const again = eventWith([['CustomerId', '0']]);
  again.contactId = 'c-0';
  assert.equal(host.handle(plugin, again).length, 1);
});

test('uses the search url without the attribute, and pops nothing without either', () => {
  const host = TestHost.fromManifest(MANIFEST);
  const [action] = host.handle(plugin, eventWith([]));
  assert.equal(action?.tag === 'client' && action.val.directive.tag === 'screen-pop' && action.val.directive.val.url,
    'https://crm.example.com/search?contact=contact-1');

  const bare = TestHost.fromManifest(MANIFEST, { config: { search_url: '' } });
  const run = bare.run(plugin, eventWith([]));
  assert.deepEqual(run, {
    ok: true,
    actions: [],
    logs: [{ level: 'info', message: 'contact contact-1: no attribute for record_url and no search_url; no pop' }],
    droppedLogs: 0,
  });
  assert.equal(bare.stateString('popped/agent-1'), undefined);
});

test('pops anyway when the state cannot be written, with a warning', () => {
  const host = TestHost.fromManifest(MANIFEST).refuseStateWrites({ tag: 'unavailable', val: 'store down' });
  const run = host.run(plugin, eventWith([['CustomerId', '42']]));
  assert.equal(run.ok && run.actions.length, 1);
  assert.deepEqual(run.logs, [
    { level: 'warn', message: 'contact contact-1: cannot remember the pop: StateError::Unavailable("store down")' },
  ]);
});

test('missing data and missing config are plugin errors', () => {
  const noAgent = eventWith([['CustomerId', '42']]);
  noAgent.agentArn = undefined;
  noAgent.agent = undefined;
  assert.deepEqual(TestHost.fromManifest(MANIFEST).run(plugin, noAgent), {
    ok: false,
    error: { code: 'missing-data', message: 'contact-connecting event example/contact-connecting has no agent ARN', retryable: false },
    logs: [],
    droppedLogs: 0,
  });

  const noContact = exampleEvent('contact-connecting');
  noContact.contactId = undefined;
  noContact.contact = undefined;
  assert.throws(() => TestHost.fromManifest(MANIFEST).handle(plugin, noContact), {
    code: 'missing-data',
    message: 'contact-connecting event example/contact-connecting has no contact id',
  });

  const unconfigured = TestHost.fromManifest(MANIFEST, { config: { record_url: undefined } });
  assert.throws(() => unconfigured.handle(plugin, eventWith([['CustomerId', '42']])), {
    code: 'missing-config',
    message: "the plugin's [config] has no `record_url`",
  });
});

test('percent-encodes a lone surrogate as the UTF-8 of U+FFFD', () => {
  assert.equal(percentEncode('a\ud800b'), 'a%EF%BF%BDb');
});
