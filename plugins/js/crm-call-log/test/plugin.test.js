// The decisions of crm-call-log, ported from the Rust plugin's unit tests (plugins/crm-call-log),
// and the whole handler against the SDK's test host with this folder's plugin.toml.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { CrmUpdate } from '@streamhooks/plugin-sdk';
import { TestHost, exampleEvent } from '@streamhooks/plugin-sdk/testing';

import plugin, { RECENT_LOGGED, callLogFields, handledByAgent, sentItem } from '../src/plugin.js';

const MANIFEST = new URL('../plugin.toml', import.meta.url);
const AGENT_ARN = 'arn:aws:connect:us-west-2:111122223333:instance/instance-1/agent/agent-1';

/** @param {string} kind @param {Array<[string, string]>} [attributes] */
function eventOf(kind, attributes = []) {
  const event = exampleEvent(kind);
  event.contact.attributes = attributes;
  return event;
}

/** The upsert the plugin writes for contact-1 with these fields. @param {string} fields */
const upsert = (fields) => CrmUpdate.upsert('salesforce', 'Task', 'ContactId', 'contact-1', fields).toAction();

test('fields of a completed contact', () => {
  const event = exampleEvent('contact-completed');
  event.occurredAt += 120_000;
  event.contact.disconnectedAt = event.contact.connectedToAgentAt + 95_000;
  const fields = callLogFields(event, 'contact-1', 'Resolved', 'Call');
  assert.equal(
    fields,
    '{"Subject":"Call","ContactId":"contact-1","InitialContactId":"contact-1",' +
      '"Agent":"agent1","AgentArn":"arn:aws:connect:us-west-2:111122223333:instance/instance-1/agent/agent-1",' +
      '"Queue":"Support","Channel":"VOICE","InitiationMethod":"INBOUND",' +
      '"StartTime":"2026-11-20T08:59:00Z","ConnectedTime":"2026-11-20T09:00:00Z",' +
      '"EndTime":"2026-11-20T09:01:35Z","AcwEndTime":"2026-11-20T09:02:00Z",' +
      '"DurationSeconds":155,"Disposition":"Resolved"}',
  );
});

test('an ended contact ends when the event happened', () => {
  const fields = callLogFields(exampleEvent('contact-ended'), 'contact-1', undefined, 'Call');
  assert.ok(fields.includes('"EndTime":"2026-11-20T09:00:00Z"'), fields);
  assert.ok(fields.includes('"DurationSeconds":60'), fields);
  assert.ok(!fields.includes('AcwEndTime') && !fields.includes('Disposition'), fields);
});

test('sent items are single lines', () => {
  assert.equal(sentItem('c-1', 'Resolved'), 'c-1=Resolved');
  assert.equal(sentItem('c-1', 'Call\nback'), 'c-1=Call back');
  assert.equal(sentItem('c-1', 'a\r\nb'), 'c-1=a  b');
});

test('contacts without an agent are not logged', () => {
  const event = exampleEvent('contact-completed');
  event.agentArn = undefined;
  event.agent = undefined;
  event.contact.connectedToAgentAt = undefined;
  assert.equal(handledByAgent(event), false);
  const host = TestHost.fromManifest(MANIFEST);
  assert.deepEqual(host.run(plugin, event), {
    ok: true,
    actions: [],
    logs: [{ level: 'debug', message: 'contact contact-1 never reached an agent: no call log' }],
    droppedLogs: 0,
  });
  assert.equal(host.stateString('logged'), undefined);
});

test('logs a completed contact once, with the disposition remembered from contact-acw', () => {
  const host = TestHost.fromManifest(MANIFEST);
  assert.deepEqual(host.handle(plugin, eventOf('contact-acw', [['Disposition', 'Resolved']])), []);
  assert.equal(host.stateString('disposition/contact-1'), 'Resolved');

  const completed = eventOf('contact-completed');
  const fields = callLogFields(completed, 'contact-1', 'Resolved', 'Amazon Connect contact');
  assert.ok(fields.endsWith(',"Disposition":"Resolved"}'), fields);
  assert.deepEqual(host.handle(plugin, completed), [upsert(fields)]);
  assert.equal(host.stateString('logged'), 'contact-1');
  assert.equal(host.stateString('dispositions-sent'), 'contact-1=Resolved');
  assert.equal(host.state.has('disposition/contact-1'), false);
  // Once per contact.
  assert.deepEqual(host.handle(plugin, completed), []);
  // The same disposition again changes nothing.
  assert.deepEqual(host.handle(plugin, eventOf('contact-refresh', [['Disposition', 'Resolved']])), []);
});

test('a disposition that arrives after the log updates the record, unless it has it already', () => {
  const host = TestHost.fromManifest(MANIFEST);
  assert.equal(host.handle(plugin, eventOf('contact-completed')).length, 1);
  const late = (/** @type {string} */ d) => host.handle(plugin, eventOf('contact-data-updated', [['Disposition', d]]));
  assert.deepEqual(late('Sale'), [upsert('{"ContactId":"contact-1","Disposition":"Sale"}')]);
  assert.deepEqual(late('Sale'), []);
  assert.deepEqual(late('Callback requested'), [upsert('{"ContactId":"contact-1","Disposition":"Callback requested"}')]);
  assert.deepEqual(late('Sale'), [upsert('{"ContactId":"contact-1","Disposition":"Sale"}')]);
  assert.equal(host.stateString('dispositions-sent'), 'contact-1=Sale');
});

test('with log_on = "ended" the log is written on contact-ended, and contact-completed only remembers', () => {
  const host = TestHost.fromManifest(MANIFEST, { config: { log_on: ' ended ' } });
  assert.deepEqual(host.handle(plugin, eventOf('contact-completed', [['Disposition', 'Sale']])), []);
  assert.equal(host.stateString('disposition/contact-1'), 'Sale');
  const ended = eventOf('contact-ended');
  assert.deepEqual(host.handle(plugin, ended), [upsert(callLogFields(ended, 'contact-1', 'Sale', 'Amazon Connect contact'))]);
});

test('keeps the 200 latest logged contacts', () => {
  const host = TestHost.fromManifest(MANIFEST);
  for (let i = 0; i <= RECENT_LOGGED; i++) {
    const event = eventOf('contact-completed');
    event.contactId = `c-${i}`;
    assert.equal(host.handle(plugin, event).length, 1);
  }
  const logged = host.stateString('logged')?.split('\n');
  assert.equal(logged?.length, RECENT_LOGGED);
  assert.equal(logged?.[0], 'c-1');
});

test('logs anyway when the state cannot be written, with warnings', () => {
  const host = TestHost.fromManifest(MANIFEST).refuseStateWrites({ tag: 'too-many-keys', val: 10000 });
  const run = host.run(plugin, eventOf('contact-completed', [['Disposition', 'Sale']]));
  assert.equal(run.ok && run.actions.length, 1);
  assert.deepEqual(run.logs.map((l) => `${l.level} ${l.message}`), [
    'warn contact contact-1: cannot remember the call log: StateError::TooManyKeys(10000)',
    'warn contact contact-1: cannot remember the disposition sent: StateError::TooManyKeys(10000)',
  ]);
  const remember = host.run(plugin, eventOf('contact-acw', [['Disposition', 'Sale']]));
  assert.deepEqual(remember.logs, [
    { level: 'warn', message: 'contact contact-1: cannot remember the disposition: StateError::TooManyKeys(10000)' },
  ]);
});

test('errors: bad log_on, no connector, no contact id', () => {
  const bad = TestHost.fromManifest(MANIFEST, { config: { log_on: 'sometimes' } });
  assert.deepEqual(bad.run(plugin, eventOf('contact-completed')).error, {
    code: 'bad-config',
    message: 'config `log_on`: "sometimes" is neither "completed" nor "ended"',
    retryable: false,
  });
  const unconfigured = TestHost.fromManifest(MANIFEST, { config: { connector: undefined } });
  assert.throws(() => unconfigured.handle(plugin, eventOf('contact-completed')), {
    code: 'missing-config',
    message: "the plugin's [config] has no `connector`",
  });
  const anonymous = eventOf('contact-acw', [['Disposition', 'Sale']]);
  anonymous.contactId = undefined;
  anonymous.contact = undefined;
  assert.throws(() => TestHost.fromManifest(MANIFEST).handle(plugin, anonymous), {
    code: 'missing-data',
    message: 'contact-acw event example/contact-acw has no contact id',
  });
});

test('a failed call keeps none of its state writes', () => {
  const host = TestHost.fromManifest(MANIFEST);
  assert.equal(host.handle(plugin, eventOf('contact-completed')).length, 1);
  // The late disposition is marked sent, then the connector is missing: err, nothing kept.
  host.config.delete('connector');
  assert.equal(host.run(plugin, eventOf('contact-refresh', [['Disposition', 'Sale']])).ok, false);
  assert.equal(host.state.has('dispositions-sent'), false);
});

test('agent name falls back to the name, then the ARN', () => {
  const event = exampleEvent('contact-completed');
  event.agent.username = undefined;
  assert.ok(callLogFields(event, 'contact-1', undefined, 's').includes('"Agent":"Agent One"'));
  event.agent = undefined;
  assert.ok(callLogFields(event, 'contact-1', undefined, 's').includes(`"Agent":"${AGENT_ARN}"`));
});
