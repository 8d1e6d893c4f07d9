// The event helpers, the example event (the Rust SDK's Event::example) and the wire conversion.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  EXAMPLE_TIME,
  agentState,
  agentStateName,
  attribute,
  attributes,
  channel,
  eventFromWire,
  exampleEvent,
  initialContactId,
  initiationMethod,
  isChannel,
  label,
  queue,
  queueName,
  requireAgentArn,
  requireAgentId,
  requireContactId,
  rfc3339,
} from '../src/index.js';

const AGENT_ARN = 'arn:aws:connect:us-west-2:111122223333:instance/instance-1/agent/agent-1';

test('the example event is the Rust SDK one', () => {
  const event = exampleEvent('contact-connected');
  assert.equal(rfc3339(EXAMPLE_TIME), '2026-11-20T09:00:00Z');
  assert.equal(event.contactId, 'contact-1');
  assert.equal(event.id, 'example/contact-connected');
  assert.equal(requireAgentArn(event), AGENT_ARN);
  assert.equal(event.contact?.initiatedAt, EXAMPLE_TIME - 60_000);
  assert.deepEqual(event.agent?.contactIds, ['contact-1']);
  const agentEvent = exampleEvent('agent-heartbeat');
  assert.equal(agentEvent.contact, undefined);
  assert.equal(agentEvent.contactId, undefined);
  assert.deepEqual(agentEvent.agent?.contactIds, []);
  // Every WIT field is present, as componentize-js passes events.
  assert.deepEqual(Object.keys(event), [
    'version', 'id', 'source', 'kind', 'sourceType', 'occurredAt', 'instanceArn', 'agentArn', 'contactId',
    'agent', 'contact', 'change', 'rule', 'error', 'muted', 'rawJson',
  ]);
});

test('helpers read the event like the Rust SDK methods', () => {
  const event = exampleEvent('contact-connected');
  assert.equal(attribute(event, 'CustomerId'), undefined);
  event.contact?.attributes.push(['CustomerId', '42']);
  assert.equal(attribute(event, 'CustomerId'), '42');
  assert.equal(attribute(event, 'customerid'), undefined);
  assert.deepEqual(attributes(event), [['CustomerId', '42']]);
  assert.deepEqual(attributes(exampleEvent('agent-heartbeat')), []);
  assert.equal(requireContactId(event), 'contact-1');
  assert.equal(requireAgentId(event), 'agent-1');
  assert.equal(initialContactId(event), 'contact-1');
  assert.equal(channel(event), 'VOICE');
  assert.equal(initiationMethod(event), 'INBOUND');
  assert.equal(isChannel(event, 'voice'), true);
  assert.equal(isChannel(event, 'chat'), false);
  assert.equal(queue(event)?.name, 'Support');
  assert.equal(queueName(event), 'Support');
  assert.equal(label({ arn: 'arn:...:queue/q', name: undefined }), 'arn:...:queue/q');
  assert.equal(agentState(exampleEvent('agent-heartbeat'))?.name, 'Available');
  assert.equal(agentStateName(exampleEvent('agent-heartbeat')), 'Available');
});

test('fallbacks: the snapshot contact id, the agent snapshot ARN, the initial contact', () => {
  const event = exampleEvent('contact-connected');
  event.contactId = undefined;
  assert.equal(requireContactId(event), 'contact-1');
  assert.equal(initialContactId(event), undefined, 'the Rust SDK falls back to the event contact id only');
  event.agentArn = undefined;
  assert.equal(requireAgentArn(event), AGENT_ARN);
  const transferred = exampleEvent('contact-connected');
  if (transferred.contact) transferred.contact.initialContactId = 'contact-0';
  assert.equal(initialContactId(transferred), 'contact-0');
  const noSlash = exampleEvent('agent-login');
  noSlash.agentArn = 'agent-7';
  assert.equal(requireAgentId(noSlash), 'agent-7');
});

test('missing data is a missing-data PluginError naming the event', () => {
  const event = exampleEvent('agent-login');
  event.agentArn = undefined;
  event.agent = undefined;
  assert.throws(() => requireAgentArn(event), { code: 'missing-data', message: 'agent-login event example/agent-login has no agent ARN' });
  assert.throws(() => requireAgentId(event), { code: 'missing-data' });
  assert.throws(() => requireContactId(event), { code: 'missing-data', message: 'agent-login event example/agent-login has no contact id' });
});

test('eventFromWire turns bigint timestamps into numbers and leaves the rest', () => {
  const event = exampleEvent('contact-connected');
  const wire = /** @type {any} */ ({
    ...event,
    occurredAt: 1_795_165_200_123n,
    agent: { ...event.agent, state: { ...event.agent?.state, since: 5n }, nextState: { name: 'Lunch', stateType: 'not_routable', arn: undefined, since: 6n } },
    contact: { ...event.contact, stateSince: 1n, initiatedAt: 2n, queuedAt: 3n, connectedToAgentAt: 4n, disconnectedAt: undefined },
  });
  const converted = eventFromWire(wire);
  assert.equal(converted.occurredAt, 1_795_165_200_123);
  assert.deepEqual(
    [converted.contact?.stateSince, converted.contact?.initiatedAt, converted.contact?.queuedAt, converted.contact?.connectedToAgentAt, converted.contact?.disconnectedAt],
    [1, 2, 3, 4, undefined],
  );
  assert.equal(converted.agent?.state?.since, 5);
  assert.equal(converted.agent?.nextState?.since, 6);
  assert.equal(wire.occurredAt, 1_795_165_200_123n, 'the wire event is not changed');
  assert.deepEqual(eventFromWire(event), event);
});
