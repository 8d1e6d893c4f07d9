// The real amazon-connect-streams (2.28.2), driven by the simulated CCP (sim/ccp.html), fires
// its agent and contact events. Each test opens a fresh jsdom page (test/support/streams-page.js).
//
// Every event of docs/wire-format.md fires here. Streams events the simulator does not make fire:
// - agent::pending, agent::contact_pending, contact::invalid_state_transition: declared in
//   Streams' enums but never triggered by Streams 2.28.2 itself.
// - contact::view, task::created, email::created: broadcasts of the CCP's own UI (viewContact,
//   create-task/email views); the sim echoes broadcasts, so connect.core.viewContact() works,
//   but it has no UI that originates them (sim.emit(event, data) can send any of them).
// - agent::local_media_stream_created and the configuration::* device events
//   (speaker/microphone/ringer/camera changed): raised by the CCP's softphone manager and media
//   settings, which the sim does not have (sim.emit can fake them; they are plain conduit events).
// - Voice SDK events other than participant hold/resume (self hold, voice enhancement mode,
//   can-resume changes) and voice SDK requests: the sim answers the SDK's MessagePort
//   handshake and publishes participant hold/resume only; requests get an error response.
// - ack_timeout / auth_fail / terminated flows: they make Streams re-authenticate and reload the
//   CCP iframe (a login popup with loginPopup on), i.e. a new sim; not exercised here.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openStreamsPage, startStaticServer, waitFor } from './support/streams-page.js';
import { launchChromium } from './support/browser.js';

const DEFAULT_AGENT_ARN =
  'arn:aws:connect:us-west-2:111122223333:instance/8a1f2b3c-0000-4000-8000-000000000001/agent/5d2c7e40-0000-4000-8000-0000000000a1';

const AGENT_EVENTS = {
  'agent::state_change': 'onStateChange',
  'agent::routable': 'onRoutable',
  'agent::not_routable': 'onNotRoutable',
  'agent::offline': 'onOffline',
  'agent::error': 'onError',
  'agent::softphone_error': 'onSoftphoneError',
  'agent::acw': 'onAfterCallWork',
  'agent::enqueued_next_state': 'onEnqueuedNextState',
  'agent::cleared_next_state': 'onClearedNextState',
  'agent::mute_toggle': 'onMuteToggle',
  'agent::websocket_connection_lost': 'onWebSocketConnectionLost',
  'agent::websocket_connection_gained': 'onWebSocketConnectionGained',
  'agent::refresh': 'onRefresh'
};

const CONTACT_EVENTS = {
  'contact::incoming': 'onIncoming',
  'contact::pending': 'onPending',
  'contact::connecting': 'onConnecting',
  'contact::accepted': 'onAccepted',
  'contact::connected': 'onConnected',
  'contact::missed': 'onMissed',
  'contact::ended': 'onEnded',
  'contact::acw': 'onACW',
  'contact::destroyed': 'onDestroy',
  'contact::error': 'onError',
  'contact::refresh': 'onRefresh'
};

// Subscribe to every agent and contact event through the public API, from initCCP on.
function recorder() {
  const log = [];
  const afterInitCCP = (window, connect) => {
    connect.agent((agent) => {
      log.push({ event: 'agent::init', state: agent.getState().name });
      for (const [event, method] of Object.entries(AGENT_EVENTS)) {
        agent[method]((data) => log.push({ event, data, state: new connect.Agent().getState().name }));
      }
    });
    connect.contact((contact) => {
      const contactId = contact.getContactId();
      log.push({ event: 'contact::init', contactId });
      for (const [event, method] of Object.entries(CONTACT_EVENTS)) {
        contact[method]((data) => log.push({ event, contactId, data }));
      }
    });
  };
  return { log, afterInitCCP };
}

// Page objects live in jsdom's realm (other prototypes): compare their JSON forms.
const json = (value) => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));
const eq = (actual, expected, message) => assert.deepStrictEqual(json(actual), json(expected), message);

const withoutRefresh = (entry) => !entry.event.endsWith('::refresh');
const names = (log, filter = withoutRefresh) => log.filter(filter).map((e) => e.event);
const has = (log, event, contactId) => log.some((e) => e.event === event && (!contactId || e.contactId === contactId));
const stateChanges = (log) => log.filter((e) => e.event === 'agent::state_change').map((e) => [e.data.oldState, e.data.newState]);

function call(fn) {
  return new Promise((resolve, reject) => fn({ success: resolve, failure: (err, data) => reject(Object.assign(new Error('failure'), { err, data })) }));
}

async function open(options = {}) {
  const rec = recorder();
  const page = await openStreamsPage({ ...options, afterInitCCP: rec.afterInitCCP });
  return { page, log: rec.log, connect: page.connect, sim: page.sim };
}

function agentOf(connect) {
  return new connect.Agent();
}

function contactOf(connect, contactId) {
  return agentOf(connect).getContacts().find((c) => c.getContactId() === contactId);
}

async function ringAndAccept({ connect, sim, log }, ringOptions) {
  const contactId = sim.ring(ringOptions);
  await waitFor(() => has(log, 'contact::connecting', contactId));
  await call((cb) => contactOf(connect, contactId).accept(cb));
  await waitFor(() => has(log, 'contact::connected', contactId));
  return contactId;
}

test('the agent initializes from the simulated CCP: Available, with its configuration', async (t) => {
  const { page, log, connect, sim } = await open();
  t.after(() => page.close());
  const agent = agentOf(connect);
  assert.equal(agent.getAgentARN(), DEFAULT_AGENT_ARN);
  assert.equal(sim.agentArn, DEFAULT_AGENT_ARN);
  assert.equal(agent.getState().name, 'Available');
  assert.equal(agent.getState().type, 'routable');
  assert.ok(agent.getState().startTimestamp.getTime() > 0, 'timestamps are Dates');
  eq(agent.getAgentStates().map((s) => [s.name, s.type]), [
    ['Available', 'routable'],
    ['Offline', 'offline'],
    ['Lunch', 'not_routable']
  ]);
  assert.equal(agent.getRoutingProfile().name, 'Basic Routing Profile');
  assert.ok(agent.getAllQueueARNs().length >= 1);
  assert.equal(connect.core.getAgentDataProvider().getInstanceId(), '8a1f2b3c-0000-4000-8000-000000000001');
  assert.equal(connect.core.getAgentDataProvider().getAWSAccountId(), '111122223333');
  const toSnapshot = agent.toSnapshot().agentData;
  assert.equal(toSnapshot.configuration.agentARN, DEFAULT_AGENT_ARN);
  eq(toSnapshot.snapshot.contacts, []);
  // Init -> Available: init, refresh, routable, state_change, in Streams' order.
  eq(names(log, () => true).slice(0, 4), ['agent::init', 'agent::refresh', 'agent::routable', 'agent::state_change']);
  eq(stateChanges(log), [['Init', 'Available']]);
  eq(page.errors, []);
});

test('the agent comes from the query: ARN, name, username, starting Offline', async (t) => {
  const agentArn = 'arn:aws:connect:eu-west-2:444455556666:instance/11111111-2222-4333-8444-555555555555/agent/99999999-8888-4777-8666-555555555555';
  const { page, log, connect } = await open({ agentArn, name: 'Ada Lovelace', username: 'ada', query: { state: 'Offline' } });
  t.after(() => page.close());
  const agent = agentOf(connect);
  assert.equal(agent.getAgentARN(), agentArn);
  assert.equal(agent.getName(), 'Ada Lovelace');
  assert.equal(agent.getConfiguration().username, 'ada');
  assert.equal(agent.getState().name, 'Offline');
  assert.ok(has(log, 'agent::offline'));
  assert.ok(agent.getAgentStates()[0].agentStateARN.startsWith('arn:aws:connect:eu-west-2:444455556666:instance/11111111-2222-4333-8444-555555555555/agent-state/'));
});

test('agent state changes: setState through Streams and the agent picking states in the CCP', async (t) => {
  const { page, log, connect, sim } = await open();
  t.after(() => page.close());
  const agent = agentOf(connect);
  const lunch = agent.getAgentStates().find((s) => s.name === 'Lunch');

  await call((cb) => agent.setState(lunch, cb));
  await waitFor(() => has(log, 'agent::not_routable'));
  // agent.setState without options sends enqueueNextState: undefined
  eq(sim.calls.at(-1), { method: 'putAgentState', params: { state: lunch } });

  sim.offline();
  await waitFor(() => has(log, 'agent::offline'));
  sim.setAgentState('Available');
  await waitFor(() => log.filter((e) => e.event === 'agent::routable').length === 2);

  eq(stateChanges(log), [['Init', 'Available'], ['Available', 'Lunch'], ['Lunch', 'Offline'], ['Offline', 'Available']]);
  const change = log.find((e) => e.event === 'agent::state_change' && e.data.newState === 'Lunch');
  assert.equal(typeof change.data.agent.getState, 'function', 'onStateChange gets {agent, oldState, newState}');
  assert.equal(change.state, 'Lunch', 'the agent is in the new state when it fires');
  eq(names(log).filter((n) => n !== 'agent::state_change'),
    ['agent::init', 'agent::routable', 'agent::not_routable', 'agent::offline', 'agent::routable']);
});

test('inbound call: ring, accept, customer hangs up, clear', async (t) => {
  const { page, log, connect, sim } = await open();
  t.after(() => page.close());

  const contactId = sim.ring({ attributes: { CustomerId: 'C-1001' }, phoneNumber: '+15555550123' });
  await waitFor(() => has(log, 'contact::connecting', contactId));
  const contact = contactOf(connect, contactId);
  assert.equal(contact.getContactId(), contactId);
  assert.equal(contact.getType(), 'voice');
  assert.equal(contact.getStatus().type, 'connecting');
  assert.equal(contact.getQueue().name, 'BasicQueue');
  eq(contact.getAttributes(), { CustomerId: { name: 'CustomerId', value: 'C-1001' } });
  assert.equal(contact.isInbound(), true);
  assert.equal(contact.getInitialConnection().getEndpoint().phoneNumber, '+15555550123');
  assert.equal(contact.isSoftphoneCall(), true);
  assert.equal(agentOf(connect).getState().name, 'PendingBusy');

  await call((cb) => contact.accept(cb));
  eq(sim.calls.filter((c) => c.method === 'acceptContact'), [{ method: 'acceptContact', params: { contactId } }]);
  await waitFor(() => has(log, 'contact::connected', contactId));
  assert.equal(contactOf(connect, contactId).getAgentConnection().getStatus().type, 'connected');

  sim.customerHangUp(contactId);
  await waitFor(() => has(log, 'contact::ended', contactId));
  assert.equal(contactOf(connect, contactId).getStatus().type, 'ended');
  assert.equal(agentOf(connect).getState().name, 'AfterCallWork');

  await call((cb) => contactOf(connect, contactId).clear(cb));
  await waitFor(() => has(log, 'contact::destroyed', contactId));
  eq(sim.calls.map((c) => c.method), ['acceptContact', 'clearContact']);

  const contactEvents = names(log, (e) => e.event.startsWith('contact::') && e.event !== 'contact::refresh');
  eq(contactEvents, [
    'contact::init',
    'contact::connecting',
    'contact::accepted',
    'contact::connected',
    'contact::acw',
    'contact::ended',
    'contact::destroyed'
  ]);
  assert.ok(log.filter((e) => e.event === 'contact::refresh').length >= 3);
  eq(stateChanges(log), [
    ['Init', 'Available'],
    ['Available', 'PendingBusy'],
    ['PendingBusy', 'Busy'],
    ['Busy', 'AfterCallWork'],
    ['AfterCallWork', 'Available']
  ]);
  assert.ok(has(log, 'agent::acw'));
  // after the call the agent is routable again
  assert.equal(log.filter((e) => e.event === 'agent::routable').length, 2);
  const destroyed = log.find((e) => e.event === 'contact::destroyed');
  assert.equal(destroyed.data.getContactId(), contactId, 'onDestroy gets a ContactSnapshot');
  eq(page.errors, []);
});

test('a failed accept calls the failure callback and fires no accepted', async (t) => {
  const { page, log, connect, sim } = await open();
  t.after(() => page.close());
  const contactId = sim.ring();
  await waitFor(() => has(log, 'contact::connecting', contactId));

  sim.failNext('acceptContact', { type: 'InvalidStateException', message: 'Contact is not offered' });
  const failure = await call((cb) => contactOf(connect, contactId).accept(cb)).then(
    () => assert.fail('accept should fail'),
    (e) => e
  );
  assert.equal(failure.err, 'error', 'contact.accept reports connect.ContactStateType.ERROR');
  assert.equal(sim.calls.at(-1).method, 'acceptContact');
  assert.equal(contactOf(connect, contactId).getStatus().type, 'connecting');

  // other calls get the service error itself, JSON encoded as the CCP's shared worker sends it
  sim.failNext('putAgentState', { type: 'InvalidStateException', message: 'nope' });
  const lunch = agentOf(connect).getAgentStates().find((s) => s.name === 'Lunch');
  const stateFailure = await call((cb) => agentOf(connect).setState(lunch, cb)).then(() => assert.fail('should fail'), (e) => e);
  eq(JSON.parse(stateFailure.err), { type: 'InvalidStateException', message: 'nope', stack: [], retryStatus: 'none', statusCode: 400 });

  // the next accept succeeds
  await call((cb) => contactOf(connect, contactId).accept(cb));
  await waitFor(() => has(log, 'contact::connected', contactId));
  assert.equal(log.filter((e) => e.event === 'contact::accepted').length, 1);
});

test('the service refuses what it would refuse: unknown methods, bad states, wrong contacts', async (t) => {
  const { page, connect, sim } = await open();
  t.after(() => page.close());
  const client = connect.core.getClient();

  const unknown = await call((cb) => client.call('noSuchMethod', { a: 1 }, cb)).then(() => assert.fail('should fail'), (e) => e);
  assert.equal(unknown.data.message, 'No such method exists on AWS client: noSuchMethod');
  const notSimulated = await call((cb) => client.call('createTransport', { transportType: 'web_socket' }, cb)).then(() => assert.fail('should fail'), (e) => e);
  assert.match(notSimulated.data.message, /createTransport/);

  const noContact = await call((cb) => client.call('acceptContact', { contactId: 'nope' }, cb)).then(() => assert.fail('should fail'), (e) => e);
  assert.equal(JSON.parse(noContact.err).type, 'InvalidStateException');
  const badState = await call((cb) => agentOf(connect).setState({ agentStateARN: 'arn:nope', name: 'Nope' }, cb)).then(() => assert.fail('should fail'), (e) => e);
  assert.equal(JSON.parse(badState.err).type, 'InvalidStateException');
  eq(sim.calls.map((c) => c.method), ['noSuchMethod', 'createTransport', 'acceptContact', 'putAgentState']);
  eq(sim.calls[0].params, { a: 1 });

  assert.throws(() => { sim.setAgentState('Lunch'); sim.ring(); }, /not routable/);
});

test('missed call: contact missed, agent error (MissedCallAgent), then Available again', async (t) => {
  const { page, log, connect, sim } = await open();
  t.after(() => page.close());
  const contactId = sim.ring();
  await waitFor(() => has(log, 'contact::connecting', contactId));
  sim.miss(contactId);
  await waitFor(() => has(log, 'contact::missed', contactId) && has(log, 'agent::error'));
  assert.equal(agentOf(connect).getState().name, 'MissedCallAgent');
  assert.equal(agentOf(connect).getState().type, 'error');
  eq(stateChanges(log).at(-1), ['PendingBusy', 'MissedCallAgent']);

  const available = agentOf(connect).getAgentStates().find((s) => s.name === 'Available');
  await call((cb) => agentOf(connect).setState(available, cb));
  await waitFor(() => has(log, 'contact::destroyed', contactId));
  eq(names(log, (e) => e.contactId === contactId && e.event !== 'contact::refresh'),
    ['contact::init', 'contact::connecting', 'contact::ended', 'contact::missed', 'contact::destroyed']);
  assert.equal(agentOf(connect).getState().name, 'Available');
});

test('reject: contact.reject() sends rejectContact and fires missed; clear destroys it', async (t) => {
  const { page, log, connect, sim } = await open();
  t.after(() => page.close());
  const contactId = sim.ring();
  await waitFor(() => has(log, 'contact::connecting', contactId));
  await call((cb) => contactOf(connect, contactId).reject(cb));
  await waitFor(() => has(log, 'contact::missed', contactId));
  assert.equal(contactOf(connect, contactId).getStatus().type, 'rejected');
  await call((cb) => contactOf(connect, contactId).clear(cb));
  await waitFor(() => has(log, 'contact::destroyed', contactId));
  eq(sim.calls.map((c) => c.method), ['rejectContact', 'clearContact']);
  assert.equal(agentOf(connect).getState().name, 'Available');
});

test('incoming and pending contacts (callbacks), then accepted and connected', async (t) => {
  const { page, log, connect, sim } = await open();
  t.after(() => page.close());
  const contactId = sim.ring({ type: 'queue_callback', state: 'incoming' });
  await waitFor(() => has(log, 'contact::incoming', contactId));
  sim.setContactState(contactId, 'pending');
  await waitFor(() => has(log, 'contact::pending', contactId));
  sim.setContactState(contactId, 'connecting');
  await waitFor(() => has(log, 'contact::connecting', contactId));
  await call((cb) => contactOf(connect, contactId).accept(cb));
  await waitFor(() => has(log, 'contact::connected', contactId));
  assert.equal(contactOf(connect, contactId).getType(), 'queue_callback');
  eq(names(log, (e) => e.contactId === contactId && e.event !== 'contact::refresh'),
    ['contact::init', 'contact::incoming', 'contact::pending', 'contact::connecting', 'contact::accepted', 'contact::connected']);
});

test('contact error fires error (and missed when it was being offered)', async (t) => {
  const { page, log, sim } = await open();
  t.after(() => page.close());
  const contactId = sim.ring();
  await waitFor(() => has(log, 'contact::connecting', contactId));
  sim.contactError(contactId);
  await waitFor(() => has(log, 'contact::error', contactId));
  assert.ok(has(log, 'contact::missed', contactId));
  assert.ok(has(log, 'agent::error'), 'the agent shows an error state too');
});

test('hold, resume, digits, participant hold events and the agent hanging up', async (t) => {
  const { page, log, connect, sim } = await open();
  t.after(() => page.close());
  const contactId = await ringAndAccept({ connect, sim, log });
  const customer = contactOf(connect, contactId).getInitialConnection();
  const connectionId = customer.getConnectionId();
  const participant = [];
  customer.onParticipantHold((e) => participant.push(['hold', e]));
  customer.onParticipantResume((e) => participant.push(['resume', e]));

  await call((cb) => customer.hold(cb));
  await waitFor(() => contactOf(connect, contactId).getInitialConnection().getStatus().type === 'hold');
  await waitFor(() => participant.length === 1);
  eq(participant[0], ['hold', { participantId: connectionId, contactId, isOnHold: true }]);

  await call((cb) => customer.resume(cb));
  await waitFor(() => participant.length === 2);
  eq(participant[1], ['resume', { participantId: connectionId, contactId, isOnHold: false }]);
  assert.equal(contactOf(connect, contactId).getInitialConnection().getStatus().type, 'connected');

  // holding what is not connected is refused
  const refused = await call((cb) => customer.resume(cb)).then(() => assert.fail('should fail'), (e) => e);
  assert.equal(JSON.parse(refused.err).type, 'InvalidStateException');

  await call((cb) => customer.sendDigits('12#', cb));
  await call((cb) => contactOf(connect, contactId).getAgentConnection().destroy(cb));
  await waitFor(() => has(log, 'contact::acw', contactId));
  assert.equal(agentOf(connect).getState().name, 'AfterCallWork');
  eq(sim.calls.map((c) => c.method),
    ['acceptContact', 'holdConnection', 'resumeConnection', 'resumeConnection', 'sendDigits', 'destroyConnection']);
  eq(sim.calls[1].params, { contactId, connectionId });
  eq(sim.calls[4].params, { contactId, connectionId, digits: '12#' });
});

test('quick connects: getEndpoints, addConnection, the third party answers, conference, toggle', async (t) => {
  const { page, log, connect, sim } = await open();
  t.after(() => page.close());
  const contactId = await ringAndAccept({ connect, sim, log });
  const agent = agentOf(connect);
  const { endpoints } = await new Promise((resolve, reject) => agent.getEndpoints(agent.getAllQueueARNs(), { success: resolve, failure: reject }));
  const supervisor = endpoints.find((e) => e.name === 'Supervisor desk');
  assert.equal(supervisor.phoneNumber, '+15555550142');

  await call((cb) => contactOf(connect, contactId).addConnection(supervisor, cb));
  await waitFor(() => contactOf(connect, contactId).getThirdPartyConnections().length === 1);
  assert.equal(contactOf(connect, contactId).getInitialConnection().getStatus().type, 'hold');
  sim.thirdPartyAnswers(contactId);
  await waitFor(() => contactOf(connect, contactId).getThirdPartyConnections()[0].getStatus().type === 'connected');

  await call((cb) => contactOf(connect, contactId).toggleActiveConnections(cb));
  await waitFor(() => contactOf(connect, contactId).getInitialConnection().getStatus().type === 'connected');
  assert.equal(contactOf(connect, contactId).getThirdPartyConnections()[0].getStatus().type, 'hold');

  await call((cb) => contactOf(connect, contactId).conferenceConnections(cb));
  await waitFor(() => contactOf(connect, contactId).getActiveConnections().length === 3);
  eq(sim.calls.map((c) => c.method),
    ['acceptContact', 'getEndpoints', 'createAdditionalConnection', 'toggleActiveConnections', 'conferenceConnections']);
});

test('outbound call: agent.connect, the customer answers', async (t) => {
  const { page, log, connect, sim } = await open();
  t.after(() => page.close());
  await new Promise((resolve, reject) => agentOf(connect).connect(connect.Endpoint.byPhoneNumber('+15555550177'), { success: resolve, failure: reject }));
  await waitFor(() => has(log, 'contact::connecting'));
  const contact = agentOf(connect).getContacts()[0];
  assert.equal(contact.isInbound(), false);
  assert.equal(agentOf(connect).getState().name, 'CallingCustomer');
  assert.equal(sim.calls[0].method, 'createOutboundContact');
  sim.customerAnswers(contact.getContactId());
  await waitFor(() => has(log, 'contact::connected', contact.getContactId()));
  assert.equal(agentOf(connect).getState().name, 'Busy');
});

test('enqueued next state: set during a call, applied after it; cleared when the agent changes their mind', async (t) => {
  const { page, log, connect, sim } = await open();
  t.after(() => page.close());
  const contactId = await ringAndAccept({ connect, sim, log });
  const lunch = agentOf(connect).getAgentStates().find((s) => s.name === 'Lunch');
  await call((cb) => agentOf(connect).setState(lunch, cb, { enqueueNextState: true }));
  await waitFor(() => has(log, 'agent::enqueued_next_state'));
  assert.equal(agentOf(connect).getNextState().name, 'Lunch');
  assert.equal(agentOf(connect).getState().name, 'Busy');
  eq(sim.calls.at(-1).params, { state: lunch, enqueueNextState: true });

  sim.customerHangUp(contactId);
  await waitFor(() => has(log, 'agent::acw'));
  await call((cb) => contactOf(connect, contactId).clear(cb));
  await waitFor(() => has(log, 'agent::not_routable'));
  assert.equal(agentOf(connect).getState().name, 'Lunch');
  assert.equal(agentOf(connect).getNextState(), null);
  assert.ok(has(log, 'agent::cleared_next_state'));

  // enqueue, then pick a state outright: the next state is cleared
  sim.setAgentState('Available');
  const second = await ringAndAccept({ connect, sim, log });
  sim.enqueueNextState('Offline');
  await waitFor(() => log.filter((e) => e.event === 'agent::enqueued_next_state').length === 2);
  sim.setAgentState('Available');
  await waitFor(() => log.filter((e) => e.event === 'agent::cleared_next_state').length === 2);
  assert.equal(agentOf(connect).getNextState(), null);
  assert.equal(contactOf(connect, second).getStatus().type, 'connected');
});

test('CCP-side events: softphone error, mute toggle, websocket, screen sharing, refresh', async (t) => {
  const { page, log, connect, sim } = await open();
  t.after(() => page.close());
  sim.softphoneError('microphone_not_shared', 'no mic', 'wss://example.invalid');
  await waitFor(() => has(log, 'agent::softphone_error'));
  const softphone = log.find((e) => e.event === 'agent::softphone_error').data;
  eq({ ...softphone }, { errorType: 'microphone_not_shared', errorMessage: 'no mic', endPointUrl: 'wss://example.invalid' });

  sim.webSocketLost();
  sim.webSocketGained();
  await waitFor(() => has(log, 'agent::websocket_connection_lost') && has(log, 'agent::websocket_connection_gained'));

  const contactId = await ringAndAccept({ connect, sim, log });
  agentOf(connect).mute();
  await waitFor(() => has(log, 'agent::mute_toggle'));
  eq(log.find((e) => e.event === 'agent::mute_toggle').data, { muted: true });
  agentOf(connect).unmute();
  await waitFor(() => log.filter((e) => e.event === 'agent::mute_toggle').length === 2);
  eq(log.filter((e) => e.event === 'agent::mute_toggle')[1].data, { muted: false });
  sim.mute(true);
  await waitFor(() => log.filter((e) => e.event === 'agent::mute_toggle').length === 3);

  const sharing = [];
  const contact = contactOf(connect, contactId);
  contact.onScreenSharingStarted((d) => sharing.push(['started', d.contactId]));
  contact.onScreenSharingStopped((d) => sharing.push(['stopped', d.contactId]));
  contact.onScreenSharingError((d) => sharing.push(['error', d.contactId]));
  sim.screenSharing(contactId, 'started');
  sim.screenSharing(contactId, 'stopped');
  sim.screenSharing(contactId, 'error');
  await waitFor(() => sharing.length === 3);
  eq(sharing, [['started', contactId], ['stopped', contactId], ['error', contactId]]);

  const agentRefreshes = log.filter((e) => e.event === 'agent::refresh').length;
  const contactRefreshes = log.filter((e) => e.event === 'contact::refresh').length;
  sim.refresh();
  await waitFor(() => log.filter((e) => e.event === 'agent::refresh').length === agentRefreshes + 1);
  await waitFor(() => log.filter((e) => e.event === 'contact::refresh').length === contactRefreshes + 1);
  eq(page.errors, []);
});

test('every agent and contact event of the wire format fired at least once across one session', async (t) => {
  const { page, log, connect, sim } = await open();
  t.after(() => page.close());
  const seen = new Set();
  const participant = [];
  const sharing = [];
  // 1. call: hold/resume, mute, hang up, next state
  const first = await ringAndAccept({ connect, sim, log });
  const customer = contactOf(connect, first).getInitialConnection();
  customer.onParticipantHold(() => participant.push('contact::participant_hold'));
  customer.onParticipantResume(() => participant.push('contact::participant_resume'));
  const c1 = contactOf(connect, first);
  c1.onScreenSharingStarted(() => sharing.push('contact::screen_sharing_started'));
  c1.onScreenSharingStopped(() => sharing.push('contact::screen_sharing_stopped'));
  c1.onScreenSharingError(() => sharing.push('contact::screen_sharing_error'));
  await call((cb) => customer.hold(cb));
  await call((cb) => customer.resume(cb));
  sim.screenSharing(first, 'started');
  sim.screenSharing(first, 'stopped');
  sim.screenSharing(first, 'error');
  agentOf(connect).mute();
  // the CCP mutes only a live call, so let the mute arrive before the customer hangs up
  await waitFor(() => has(log, 'agent::mute_toggle'));
  sim.enqueueNextState('Lunch');
  sim.customerHangUp(first);
  await waitFor(() => has(log, 'agent::acw'));
  sim.clear(first);
  await waitFor(() => has(log, 'contact::destroyed', first));
  // 2. missed call, error contact, callback states
  sim.setAgentState('Available');
  const missed = sim.ring();
  sim.miss(missed);
  await waitFor(() => has(log, 'contact::missed', missed));
  sim.setAgentState('Available');
  const callback = sim.ring({ state: 'incoming', type: 'queue_callback' });
  await waitFor(() => has(log, 'contact::incoming', callback));
  sim.setContactState(callback, 'pending');
  await waitFor(() => has(log, 'contact::pending', callback));
  sim.contactError(callback);
  await waitFor(() => has(log, 'contact::error', callback));
  sim.setAgentState('Offline');
  sim.softphoneError();
  sim.webSocketLost();
  sim.webSocketGained();
  await waitFor(() => has(log, 'agent::websocket_connection_gained') && participant.length === 2 && sharing.length === 3);

  for (const e of log) seen.add(e.event);
  for (const e of [...participant, ...sharing]) seen.add(e);
  const expected = [...Object.keys(AGENT_EVENTS), ...Object.keys(CONTACT_EVENTS),
    'contact::participant_hold', 'contact::participant_resume',
    'contact::screen_sharing_started', 'contact::screen_sharing_stopped', 'contact::screen_sharing_error'];
  eq(expected.filter((e) => !seen.has(e)), []);
});

test('the visible UI: #ring, #hangup, #available, #offline drive the same flows', async (t) => {
  const { page, log, connect, sim } = await open();
  t.after(() => page.close());
  const doc = page.iframe.contentDocument;
  assert.equal(doc.getElementById('agent-state').getAttribute('data-state'), 'Available');

  doc.getElementById('ring').click();
  await waitFor(() => has(log, 'contact::connecting'));
  const contact = agentOf(connect).getContacts()[0];
  assert.equal(contact.getAttributes().CustomerId.value, 'C-1001');
  await waitFor(() => doc.querySelectorAll('#contacts li').length === 1);
  assert.equal(doc.querySelector('#contacts li').getAttribute('data-contact-id'), contact.getContactId());

  doc.getElementById('accept').click();
  await waitFor(() => has(log, 'contact::connected'));
  eq(names(log, (e) => e.event.startsWith('contact::') && e.event !== 'contact::refresh'),
    ['contact::init', 'contact::connecting', 'contact::accepted', 'contact::connected']);
  doc.getElementById('hangup').click();
  await waitFor(() => has(log, 'contact::ended'));
  await waitFor(() => doc.getElementById('agent-state').getAttribute('data-state') === 'AfterCallWork');
  doc.getElementById('clear').click();
  await waitFor(() => has(log, 'contact::destroyed'));

  doc.getElementById('offline').click();
  await waitFor(() => has(log, 'agent::offline'));
  doc.getElementById('available').click();
  await waitFor(() => agentOf(connect).getState().name === 'Available');
  assert.equal(sim.snapshot().snapshot.state.name, 'Available');
  eq(sim.calls, [], "the CCP's own buttons send no API requests through Streams");
  assert.equal(doc.getElementById('agent-state').textContent, 'Available');
});

test('sim.on reports requests, responses, updates and events', async (t) => {
  const { page, connect, sim } = await open();
  t.after(() => page.close());
  const changes = [];
  const off = sim.on((change) => changes.push(change));
  const lunch = agentOf(connect).getAgentStates().find((s) => s.name === 'Lunch');
  await call((cb) => agentOf(connect).setState(lunch, cb));
  await waitFor(() => changes.some((c) => c.type === 'update' && c.agent.snapshot.state.name === 'Lunch'));
  eq(changes.filter((c) => c.type !== 'update').map((c) => [c.type, c.method]),
    [['request', 'putAgentState'], ['response', 'putAgentState']]);
  sim.softphoneError('x');
  await waitFor(() => changes.some((c) => c.type === 'event' && c.event === 'agent::softphone_error'));
  off();
  const count = changes.length;
  sim.refresh();
  assert.equal(changes.length, count);
});

test('in real Chromium: postMessage conduit, #ring in the CCP iframe, accept, SDK participant hold, #hangup, #clear', async (t) => {
  const browser = await launchChromium();
  if (!browser) {
    t.skip('no Chromium installed (apt-get install chromium-headless-shell, or set CHROMIUM_PATH)');
    return;
  }
  const served = await startStaticServer();
  t.after(async () => {
    await browser.close();
    await served.close();
  });
  const page = await browser.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`${served.baseUrl}/sim/host.html?init=1&name=Ada&username=ada`);
  await page.evaluate(() => window.agentReady.then(() => true));
  await page.evaluate(() => {
    window.log = [];
    connect.contact((contact) => {
      for (const method of ['onConnecting', 'onAccepted', 'onConnected', 'onACW', 'onEnded', 'onDestroy']) {
        contact[method](() => window.log.push(method));
      }
    });
    new connect.Agent().onStateChange((e) => window.log.push(`${e.oldState}->${e.newState}`));
  });
  assert.equal(await page.evaluate(() => new connect.Agent().getName()), 'Ada');
  const frame = page.frames().find((f) => f.url().includes('/sim/ccp.html'));
  await frame.click('#ring');
  await page.waitForFunction(() => window.log.includes('onConnecting'));
  eq(await page.evaluate(() => new connect.Agent().getContacts()[0].getAttributes()), { CustomerId: { name: 'CustomerId', value: 'C-1001' } });
  await page.evaluate(() => new Promise((resolve, reject) => new connect.Agent().getContacts()[0].accept({ success: resolve, failure: reject })));
  await page.waitForFunction(() => window.log.includes('onConnected'));
  await page.evaluate(() => {
    const customer = new connect.Agent().getContacts()[0].getInitialConnection();
    customer.onParticipantHold((e) => window.log.push(`hold:${e.isOnHold}`));
    return new Promise((resolve, reject) => customer.hold({ success: resolve, failure: reject }));
  });
  await page.waitForFunction(() => window.log.includes('hold:true'));
  await frame.click('#hangup');
  await page.waitForFunction(() => window.log.includes('onACW'));
  await frame.click('#clear');
  await page.waitForFunction(() => window.log.includes('onDestroy'));
  eq(await page.evaluate(() => window.log), [
    'Available->PendingBusy', 'onConnecting', 'onAccepted', 'PendingBusy->Busy', 'onConnected', 'hold:true',
    'Busy->AfterCallWork', 'onACW', 'onEnded', 'AfterCallWork->Available', 'onDestroy'
  ]);
  eq(await frame.evaluate(() => window.ccpSim.calls.map((c) => c.method)), ['acceptContact', 'holdConnection']);
  eq(pageErrors, []);
});
