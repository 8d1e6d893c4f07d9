// Helpers on the event record, the same as the Rust SDK's `Event` methods, as functions of the
// event; and the conversion of the event componentize-js hands over (timestamps as bigint) into
// the SDK's event (timestamps as numbers).

import { PluginError } from './error.js';

/**
 * @typedef {import('./index.js').Event} Event
 * @typedef {import('./index.js').WireEvent} WireEvent
 * @typedef {import('./index.js').Named} Named
 * @typedef {import('./index.js').AgentState} AgentState
 */

/** @param {unknown} value */
const some = (value) => value !== undefined && value !== null;

/**
 * A user-defined contact attribute of the event's contact snapshot (case-sensitive key), if the
 * event has a contact and the source carried its attributes.
 * @param {Event} event
 * @param {string} key
 * @returns {string | undefined}
 */
export function attribute(event, key) {
  const pair = event.contact?.attributes.find(([k]) => k === key);
  return pair === undefined ? undefined : pair[1];
}

/**
 * The contact's attributes as `[key, value]` pairs (empty if the event has no contact).
 * @param {Event} event
 * @returns {Array<[string, string]>}
 */
export function attributes(event) {
  return event.contact?.attributes ?? [];
}

/**
 * @param {Event} event
 * @param {string} what
 */
function missing(event, what) {
  return new PluginError('missing-data', `${event.kind} event ${event.id} has no ${what}`);
}

/**
 * The event's contact id (else its contact snapshot's), or throws a `missing-data`
 * PluginError naming the event.
 * @param {Event} event
 * @returns {string}
 */
export function requireContactId(event) {
  if (some(event.contactId)) return /** @type {string} */ (event.contactId);
  if (some(event.contact)) return /** @type {any} */ (event.contact).contactId;
  throw missing(event, 'contact id');
}

/**
 * The event's agent ARN (else its agent snapshot's), or throws a `missing-data` PluginError.
 * @param {Event} event
 * @returns {string}
 */
export function requireAgentArn(event) {
  if (some(event.agentArn)) return /** @type {string} */ (event.agentArn);
  if (some(event.agent?.arn)) return /** @type {string} */ (event.agent?.arn);
  throw missing(event, 'agent ARN');
}

/**
 * The agent's id: the last segment of its ARN (`.../agent/<id>`), short enough for state keys.
 * Or throws a `missing-data` PluginError.
 * @param {Event} event
 * @returns {string}
 */
export function requireAgentId(event) {
  const arn = requireAgentArn(event);
  return arn.slice(arn.lastIndexOf('/') + 1);
}

/**
 * The contact's initial contact id if the snapshot has one, else the event's contact id (a
 * contact that was never transferred is its own initial contact).
 * @param {Event} event
 * @returns {string | undefined}
 */
export function initialContactId(event) {
  const initial = event.contact?.initialContactId;
  if (some(initial)) return /** @type {string} */ (initial);
  return some(event.contactId) ? /** @type {string} */ (event.contactId) : undefined;
}

/**
 * The contact's channel (`VOICE`, `CHAT`, `TASK`, `EMAIL` ...), as given.
 * @param {Event} event
 * @returns {string | undefined}
 */
export function channel(event) {
  return event.contact?.channel ?? undefined;
}

/**
 * The contact's initiation method (`INBOUND`, `OUTBOUND`, `TRANSFER`, `CALLBACK` ...).
 * @param {Event} event
 * @returns {string | undefined}
 */
export function initiationMethod(event) {
  return event.contact?.initiationMethod ?? undefined;
}

/** ASCII-only case folding, as Rust's `eq_ignore_ascii_case`. */
const asciiLower = (/** @type {string} */ s) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

/**
 * Whether the contact's channel is `name`, ignoring (ASCII) case: sources disagree on case.
 * @param {Event} event
 * @param {string} name
 */
export function isChannel(event, name) {
  const c = channel(event);
  return c !== undefined && asciiLower(c) === asciiLower(name);
}

/**
 * The contact's queue, if known.
 * @param {Event} event
 * @returns {Named | undefined}
 */
export function queue(event) {
  return event.contact?.queue ?? undefined;
}

/**
 * A queue's or routing profile's name if known, else its ARN.
 * @param {Named | null | undefined} named
 * @returns {string | undefined}
 */
export function label(named) {
  if (!some(named)) return undefined;
  return named?.name ?? named?.arn ?? undefined;
}

/**
 * The contact's queue name, else its ARN.
 * @param {Event} event
 * @returns {string | undefined}
 */
export function queueName(event) {
  return label(queue(event));
}

/**
 * The agent's current state, if the event carries an agent snapshot.
 * @param {Event} event
 * @returns {AgentState | undefined}
 */
export function agentState(event) {
  return event.agent?.state ?? undefined;
}

/**
 * The name of the agent's current state (`Available`, `AfterCallWork` ...).
 * @param {Event} event
 * @returns {string | undefined}
 */
export function agentStateName(event) {
  return agentState(event)?.name;
}

/** Converts a timestamp as componentize-js gives it (bigint) into a number of milliseconds. */
function ms(/** @type {unknown} */ value) {
  if (typeof value === 'bigint') return Number(value);
  return value;
}

/** @param {any} state */
function agentStateOf(state) {
  return some(state) ? { ...state, since: ms(state.since) } : state;
}

/**
 * The SDK's event from the event componentize-js hands to `handle`: the same record with every
 * timestamp (`s64`, a bigint there) as a number of milliseconds. Any millisecond time between
 * the years -285,000 and 289,000 is exact as a number. Takes an SDK event unchanged.
 * @param {WireEvent | Event} wire
 * @returns {Event}
 */
export function eventFromWire(wire) {
  const e = /** @type {any} */ (wire);
  const agent = some(e.agent)
    ? { ...e.agent, state: agentStateOf(e.agent.state), nextState: agentStateOf(e.agent.nextState) }
    : e.agent;
  const contact = some(e.contact)
    ? {
        ...e.contact,
        stateSince: ms(e.contact.stateSince),
        initiatedAt: ms(e.contact.initiatedAt),
        queuedAt: ms(e.contact.queuedAt),
        connectedToAgentAt: ms(e.contact.connectedToAgentAt),
        disconnectedAt: ms(e.contact.disconnectedAt),
      }
    : e.contact;
  return { ...e, occurredAt: ms(e.occurredAt), agent, contact };
}

/** The instance of example events. */
const INSTANCE = 'arn:aws:connect:us-west-2:111122223333:instance/instance-1';
/** 2026-11-20T09:00:00Z. */
export const EXAMPLE_TIME = 1_795_165_200_000;

/**
 * A small event of the given kind for examples and tests, the same as the Rust SDK's
 * `Event::example`: agent `agent-1`, and for contact kinds an inbound voice contact `contact-1`
 * in the queue `Support`, occurred at 2026-11-20T09:00:00Z (epoch ms 1_795_165_200_000). Every
 * field of the record is present (undefined when none), as componentize-js passes events.
 * @param {string} kind
 * @returns {Event}
 */
export function exampleEvent(kind) {
  const agentArn = `${INSTANCE}/agent/agent-1`;
  const isContact = kind.startsWith('contact-');
  const contact = isContact
    ? {
        contactId: 'contact-1',
        initialContactId: undefined,
        previousContactId: undefined,
        relatedContactId: undefined,
        channel: 'VOICE',
        initiationMethod: 'INBOUND',
        state: 'connected',
        stateSince: EXAMPLE_TIME,
        onHold: false,
        queue: { arn: `${INSTANCE}/queue/queue-1`, name: 'Support' },
        initiatedAt: EXAMPLE_TIME - 60_000,
        queuedAt: EXAMPLE_TIME - 50_000,
        connectedToAgentAt: EXAMPLE_TIME,
        disconnectedAt: undefined,
        attributes: [],
      }
    : undefined;
  return {
    version: 1,
    id: `example/${kind}`,
    source: 'streams',
    kind,
    sourceType: kind,
    occurredAt: EXAMPLE_TIME,
    instanceArn: INSTANCE,
    agentArn,
    contactId: isContact ? 'contact-1' : undefined,
    agent: {
      arn: agentArn,
      username: 'agent1',
      name: 'Agent One',
      state: { name: 'Available', stateType: 'routable', arn: undefined, since: EXAMPLE_TIME - 600_000 },
      nextState: undefined,
      routingProfile: undefined,
      contactIds: isContact ? ['contact-1'] : [],
    },
    contact,
    change: undefined,
    rule: undefined,
    error: undefined,
    muted: undefined,
    rawJson: '{}',
  };
}
