// The forwarder against the REAL amazon-connect-streams (in jsdom, with the simulated CCP) and a
// local stand-in for ingest-http: what reaches the endpoint, in which order and format, and how
// failures of the endpoint are handled.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openStreamsPage, waitFor } from './support/streams-page.js';
import { startMockIngest, validateBatch, directivesAnswer, errorAnswer } from '../scripts/mock-ingest.js';
import { startForwarding, VERSION, EVENT_NAMES } from '../src/index.js';

const WAIT = { timeout: 10000 };

/**
 * A page with Streams, the simulated CCP, a mock ingest and a forwarder started as soon as
 * initCCP has created Streams' event bus (so it sees the agent's initialisation).
 * `oracle` records, straight from Streams' event bus, every event the forwarder should send.
 */
async function setup(t, { options = {}, respond, early = true } = {}) {
  const ingest = await startMockIngest({ respond });
  const ctx = { ingest, events: [], errors: [], oracle: [], fw: null };
  const start = (connect) => {
    ctx.fw = startForwarding(connect, {
      endpoint: ingest.url,
      fetch,
      retry: { baseDelayMs: 20, maxDelayMs: 200 },
      ...options,
      onEvent: (e) => {
        ctx.events.push(e);
        if (options.onEvent) options.onEvent(e);
      },
      onError: (e) => {
        ctx.errors.push(e);
        if (options.onError) options.onError(e);
      },
    });
  };
  const page = await openStreamsPage({
    // Right after initCCP, before the CCP has sent anything.
    afterInitCCP: (window, connect) => {
      if (!early) return;
      recordOracle(connect, ctx.oracle);
      start(connect);
    },
  });
  if (!early) start(page.connect);
  Object.assign(ctx, { page, sim: page.sim, connect: page.connect });
  t.after(async () => {
    if (ctx.fw) await ctx.fw.stop();
    await page.close();
    await ingest.close();
  });
  await waitFor(() => ctx.fw && ctx.fw.stats().subscribed, WAIT);
  return ctx;
}

/** Every wire event as Streams' own event bus fires it (participant hold/resume are not on it). */
function recordOracle(connect, out) {
  connect.core.getEventBus().subscribeAll((data, name) => {
    if (name.startsWith('agent::') && EVENT_NAMES.includes(name)) {
      out.push({ event: name, data: name === 'agent::state_change' ? { oldState: data.oldState, newState: data.newState } : undefined });
      return;
    }
    const perContact = /^(contact::[a-z_]+)::(.+)$/.exec(name);
    if (perContact && EVENT_NAMES.includes(perContact[1]) && !perContact[1].startsWith('contact::screen_sharing')) {
      out.push({ event: perContact[1], contact_id: perContact[2] });
      return;
    }
    if (name.startsWith('contact::screen_sharing') && data && data.contactId) out.push({ event: name, contact_id: data.contactId });
  });
}

function seen(ctx, event, pred = () => true, count = 1) {
  return waitFor(() => ctx.events.filter((e) => e.event === event && pred(e)).length >= count, {
    ...WAIT,
    message: `${event} (x${count}) captured`,
  });
}

function assertConforms(ctx) {
  for (const r of ctx.ingest.requests) {
    assert.deepEqual(validateBatch(r.batch), [], `request ${r.index} conforms to the wire format`);
    assert.equal(r.headers['content-type'], 'application/json');
    assert.equal(r.batch.agent_arn, ctx.sim.agentArn);
    assert.deepEqual(r.batch.client, { forwarder: VERSION, streams: ctx.connect.version });
    assert.ok(r.bytes <= 200000);
  }
}

const ids = (list) => list.map((e) => e.id);

test('every event the real Streams fires reaches the endpoint once, in order, in the wire format', async (t) => {
  const ctx = await setup(t);
  const { sim } = ctx;

  // Agent initialisation, then a call with everything that can happen during it.
  await seen(ctx, 'agent::state_change');
  const c1 = sim.ring({ attributes: { CustomerId: 'C-1' } });
  await seen(ctx, 'contact::connecting', (e) => e.contact_id === c1);
  sim.accept(c1);
  await seen(ctx, 'contact::connected', (e) => e.contact_id === c1);
  // voiceConnection.onParticipantHold/Resume subscribe through the CCP's SDK channel: wait for it.
  await waitFor(() => sim.received.filter((m) => m.event === 'sdk:subscribe').length >= 2, { ...WAIT, message: 'SDK subscriptions' });
  sim.hold(c1);
  await seen(ctx, 'contact::participant_hold');
  sim.resume(c1);
  await seen(ctx, 'contact::participant_resume');
  sim.mute(true);
  sim.softphoneError('microphone_not_shared', 'no microphone', 'https://example.com/media');
  for (const kind of ['started', 'stopped', 'error']) sim.screenSharing(c1, kind);
  await seen(ctx, 'contact::screen_sharing_error');
  sim.enqueueNextState('Lunch');
  await seen(ctx, 'agent::enqueued_next_state');
  sim.customerHangUp(c1);
  await seen(ctx, 'contact::acw', (e) => e.contact_id === c1);
  sim.clear(c1); // After Call Work ends: the enqueued Lunch applies
  await seen(ctx, 'contact::destroyed', (e) => e.contact_id === c1);
  await seen(ctx, 'agent::cleared_next_state');
  await seen(ctx, 'agent::not_routable');
  sim.setAgentState('Available');
  await seen(ctx, 'agent::state_change', (e) => e.data.oldState === 'Lunch' && e.data.newState === 'Available');

  // A queued callback the agent misses (MissedCallAgent is an error state).
  const c2 = sim.ring({ state: 'incoming', type: 'queue_callback' });
  await seen(ctx, 'contact::incoming', (e) => e.contact_id === c2);
  sim.miss(c2);
  await seen(ctx, 'contact::missed', (e) => e.contact_id === c2);
  await seen(ctx, 'agent::error');
  sim.setAgentState('Available');
  await seen(ctx, 'contact::destroyed', (e) => e.contact_id === c2);

  // A pending contact that fails.
  const c3 = sim.ring({ state: 'pending' });
  await seen(ctx, 'contact::pending', (e) => e.contact_id === c3);
  sim.contactError(c3);
  await seen(ctx, 'contact::error', (e) => e.contact_id === c3);
  sim.setAgentState('Available');
  await seen(ctx, 'contact::destroyed', (e) => e.contact_id === c3);

  sim.webSocketLost();
  sim.webSocketGained();
  sim.offline();
  await seen(ctx, 'agent::offline');
  await ctx.fw.flush();

  const sent = ctx.ingest.acceptedEvents();
  // Nothing lost, nothing twice, in the order the forwarder captured them.
  assert.deepEqual(ids(sent), ids(ctx.events));
  assert.equal(new Set(ids(sent)).size, sent.length);
  // ... which is the order Streams fired them in.
  const comparable = sent
    .filter((e) => !e.event.startsWith('contact::participant_'))
    .map((e) => ({ event: e.event, ...(e.contact_id ? { contact_id: e.contact_id } : {}), ...(e.event === 'agent::state_change' ? { data: e.data } : {}) }));
  const oracle = ctx.oracle.map((o) => ({ event: o.event, ...(o.contact_id ? { contact_id: o.contact_id } : {}), ...(o.data ? { data: o.data } : {}) }));
  assert.deepEqual(comparable, oracle);
  // Every event name of the wire format was produced by the real library.
  assert.deepEqual(new Set(sent.map((e) => e.event)), new Set(EVENT_NAMES));
  assertConforms(ctx);
  assert.equal(ctx.errors.length, 0, ctx.errors.map((e) => e.message).join('\n'));

  // Snapshots are the ones of the moment each event fired.
  for (const e of sent) {
    assert.equal(e.agent.configuration.agentARN, sim.agentArn);
    if (e.event === 'agent::state_change') assert.equal(e.agent.snapshot.state.name, e.data.newState);
    if (e.contact_id) assert.equal(e.contact.contactId, e.contact_id, `${e.event} carries its contact`);
  }
  const first = (name, id) => sent.find((e) => e.event === name && e.contact_id === id);
  assert.equal(first('contact::connecting', c1).contact.state.type, 'connecting');
  assert.equal(first('contact::connected', c1).contact.state.type, 'connected');
  assert.equal(first('contact::acw', c1).contact.state.type, 'ended');
  assert.equal(first('contact::destroyed', c1).contact.state.type, 'ended');
  assert.equal(first('contact::connecting', c1).contact.attributes.CustomerId.value, 'C-1');
  assert.equal(first('contact::incoming', c2).contact.type, 'queue_callback');
  const hold = sent.find((e) => e.event === 'contact::participant_hold');
  const customer = hold.contact.connections.find((c) => c.type !== 'agent');
  assert.deepEqual(hold.data, { connectionId: customer.connectionId });
  assert.deepEqual(sent.find((e) => e.event === 'agent::mute_toggle').data, { muted: true });
  assert.deepEqual(sent.find((e) => e.event === 'agent::softphone_error').data, {
    errorType: 'microphone_not_shared',
    errorMessage: 'no microphone',
    endPointUrl: 'https://example.com/media',
  });
  assert.ok(ctx.fw.stats().acknowledged === sent.length && ctx.fw.stats().queued === 0);
});

test('options.events forwards only the events named', async (t) => {
  const ctx = await setup(t, { options: { events: ['contact::connected', 'agent::state_change'] } });
  const c = ctx.sim.ring();
  await seen(ctx, 'agent::state_change', (e) => e.data.newState === 'PendingBusy');
  ctx.sim.accept(c);
  await seen(ctx, 'contact::connected');
  await ctx.fw.flush();
  const names = new Set(ctx.ingest.acceptedEvents().map((e) => e.event));
  assert.deepEqual(names, new Set(['contact::connected', 'agent::state_change']));
});

test('started before initCCP, and after a contact already exists: still forwards', async (t) => {
  // Before initCCP: Streams has no event bus yet; the forwarder keeps trying.
  const ingest = await startMockIngest();
  let early;
  const page = await openStreamsPage({
    beforeInit: (window, connect) => {
      early = startForwarding(connect, { endpoint: ingest.url, fetch });
      assert.equal(early.stats().subscribed, false);
    },
  });
  t.after(async () => {
    await early.stop();
    await late.stop();
    await page.close();
    await ingest.close();
  });
  await waitFor(() => early.stats().subscribed, WAIT);
  const c = page.sim.ring();
  await waitFor(() => ingest.acceptedEvents().some((e) => e.event === 'contact::connecting' && e.contact_id === c), WAIT);

  // Started while the contact rings: it is watched all the same.
  const late = startForwarding(page.connect, { endpoint: ingest.url, fetch, events: ['contact::connected'] });
  await waitFor(() => late.stats().contacts === 1, WAIT);
  page.sim.accept(c);
  await waitFor(() => ingest.acceptedEvents().filter((e) => e.event === 'contact::connected').length === 2, WAIT);
});

test('retries: 503 with Retry-After, then a closed port, then OK; same ids, nothing lost, order kept', async (t) => {
  let ctx;
  let phase = 'fail';
  const respond = async (batch, req) => {
    if (phase === 'fail' && batch.events.length) {
      phase = 'closing';
      return errorAnswer(503, 'retry', 'an event must be retried', { 'Retry-After': '1' });
    }
    return undefined;
  };
  ctx = await setup(t, { respond, options: { batchDelayMs: 10 } });
  const { ingest, sim } = ctx;
  ingest.respond = async (batch, req) => {
    const answer = await respond(batch, req);
    if (phase === 'closing') {
      phase = 'closed';
      // After this answer the port is closed: the retry meets a connection refused.
      setImmediate(() => ingest.pause());
    }
    return answer;
  };
  // Reopen once the forwarder reported the network error.
  const reopened = waitFor(() => ctx.errors.some((e) => e.code === 'network-error'), WAIT).then(() => ingest.resume());

  await seen(ctx, 'agent::state_change');
  const c = sim.ring();
  await seen(ctx, 'contact::connecting', (e) => e.contact_id === c);
  sim.accept(c); // more events while the first batch is being retried
  await seen(ctx, 'contact::connected');
  await reopened;
  sim.customerHangUp(c);
  await seen(ctx, 'contact::acw');
  await ctx.fw.flush();

  const failed = ingest.requests[0];
  assert.equal(failed.status, 503);
  const retried = ingest.requests[1];
  assert.equal(retried.status, 200);
  assert.deepEqual(ids(retried.batch.events), ids(failed.batch.events), 'the same batch, the same ids');
  // Retry-After: 1 was honoured (a lower bound only).
  const at = (r) => Date.parse(r.batch.sent_at);
  assert.ok(at(retried) - at(failed) >= 900, `retried ${at(retried) - at(failed)} ms later`);

  const sent = ingest.acceptedEvents();
  assert.deepEqual(ids(sent), ids(ctx.events), 'every event once, in order');
  assertConforms(ctx);
  const codes = ctx.errors.map((e) => e.code);
  assert.equal(codes[0], 'retry');
  assert.ok(codes.includes('network-error'));
  assert.ok(ctx.errors.every((e) => e.retryable), 'only retryable errors');
  assert.equal(ctx.errors[0].status, 503);
  assert.equal(ctx.errors[0].serverCode, 'retry');
  const s = ctx.fw.stats();
  assert.equal(s.dropped, 0);
  assert.ok(s.retried >= 2);
});

test('401: getToken({forceRefresh: true}) and the same batch again with the new token', async (t) => {
  const tokens = [];
  let n = 0;
  const getToken = async ({ forceRefresh }) => {
    tokens.push(forceRefresh);
    if (forceRefresh) n++;
    return `token-${n}`;
  };
  const ctx = await setup(t, {
    options: { getToken },
    respond: (batch, req) =>
      req.headers.authorization === 'Bearer token-0' ? errorAnswer(401, 'expired', 'the token has expired', { 'WWW-Authenticate': 'Bearer error="invalid_token"' }) : undefined,
  });
  await seen(ctx, 'agent::state_change');
  await ctx.fw.flush();
  const [first, second] = ctx.ingest.requests;
  assert.equal(first.status, 401);
  assert.equal(first.headers.authorization, 'Bearer token-0');
  assert.equal(second.status, 200);
  assert.equal(second.headers.authorization, 'Bearer token-1');
  assert.deepEqual(ids(second.batch.events), ids(first.batch.events));
  assert.deepEqual(tokens.slice(0, 2), [false, true]);
  assert.equal(ctx.errors[0].code, 'unauthorized');
  assert.equal(ctx.errors[0].retryable, true);
  assert.deepEqual(ids(ctx.ingest.acceptedEvents()), ids(ctx.events));
});

test('retry.maxAttempts: a batch that keeps failing is dropped and reported; getToken failures are retried', async (t) => {
  let tokenCalls = 0;
  const ctx = await setup(t, {
    options: {
      retry: { baseDelayMs: 10, maxDelayMs: 20, maxAttempts: 3 },
      getToken: () => {
        tokenCalls++;
        if (tokenCalls === 1) throw new Error('no session yet');
        return 'token';
      },
    },
    respond: () => errorAnswer(500, 'internal', 'broken'),
  });
  await seen(ctx, 'agent::state_change');
  await waitFor(() => ctx.errors.some((e) => e.code === 'retries-exhausted'), WAIT);
  const [tokenFailed] = ctx.errors;
  assert.equal(tokenFailed.code, 'token-failed');
  assert.equal(tokenFailed.retryable, true);
  assert.match(tokenFailed.message, /no session yet/);
  const exhausted = ctx.errors.find((e) => e.code === 'retries-exhausted');
  assert.equal(exhausted.retryable, false);
  const first = ctx.ingest.requests[0].batch;
  assert.deepEqual(exhausted.ids, ids(first.events));
  // Three attempts: the one whose token failed (no request) and two that got a 500.
  const tries = ctx.ingest.requests.filter((r) => ids(r.batch.events).join() === ids(first.events).join());
  assert.equal(tries.length, 2);
  assert.ok(tries.every((r) => r.headers.authorization === 'Bearer token'));
  assert.equal(ctx.fw.stats().dropped >= first.events.length, true);
});

test('400: that batch is dropped and reported with the server code and message; later ones go on', async (t) => {
  let refuse = true;
  const ctx = await setup(t, {
    respond: (batch) => {
      if (refuse && batch.events.length) {
        refuse = false;
        return errorAnswer(400, 'malformed-batch', 'no entry decodes', {}, { errors: [{ path: 'events[0].id', message: 'bad' }] });
      }
      return undefined;
    },
  });
  await seen(ctx, 'agent::state_change');
  await ctx.fw.flush();
  const refused = ctx.ingest.requests[0];
  assert.equal(refused.status, 400);
  const err = ctx.errors.find((e) => e.code === 'refused');
  assert.ok(err, 'reported');
  assert.equal(err.retryable, false);
  assert.equal(err.status, 400);
  assert.equal(err.serverCode, 'malformed-batch');
  assert.match(err.message, /malformed-batch: no entry decodes/);
  assert.deepEqual(err.errors, [{ path: 'events[0].id', message: 'bad' }]);
  assert.deepEqual(err.ids, ids(refused.batch.events));
  assert.equal(err.dropped, refused.batch.events.length);
  assert.equal(ctx.ingest.requests.filter((r) => r.index > 0 && ids(r.batch.events).some((id) => err.ids.includes(id))).length, 0, 'never resent');

  ctx.sim.ring();
  await seen(ctx, 'contact::connecting');
  await ctx.fw.flush();
  assert.ok(ctx.ingest.acceptedEvents().some((e) => e.event === 'contact::connecting'));
  assert.equal(ctx.fw.stats().dropped, refused.batch.events.length);
});

test('403, 405 and 415 are permanent too; an answer\'s rejected entries are reported', async (t) => {
  const statuses = [
    [403, 'agent-mismatch'],
    [405, 'method-not-allowed'],
    [415, 'unsupported-media-type'],
  ];
  const ctx = await setup(t, {
    options: { batchDelayMs: 0 },
    respond: (batch) => {
      if (!batch.events.length) return undefined;
      const next = statuses.shift();
      if (next) return errorAnswer(next[0], next[1], 'no');
      const answer = directivesAnswer(batch);
      answer.body.rejected = [{ path: 'events[0].occurred_at', message: 'malformed timestamp' }];
      return answer;
    },
  });
  for (let i = 0; i < 4; i++) {
    ctx.sim.refresh();
    await waitFor(() => ctx.ingest.requests.length > i, WAIT);
    await ctx.fw.flush();
  }
  const refused = ctx.errors.filter((e) => e.code === 'refused');
  assert.deepEqual(refused.map((e) => [e.status, e.serverCode]), [
    [403, 'agent-mismatch'],
    [405, 'method-not-allowed'],
    [415, 'unsupported-media-type'],
  ]);
  assert.equal(ctx.ingest.requests.length, 4, 'none of them retried');
  const rejected = ctx.errors.find((e) => e.code === 'rejected');
  assert.deepEqual(rejected.rejected, [{ path: 'events[0].occurred_at', message: 'malformed timestamp' }]);
  assert.match(rejected.message, /events\[0\]\.occurred_at: malformed timestamp/);
});

test('413: the batch is split in halves until it fits; a single event too large is reported and dropped', async (t) => {
  const ctx = await setup(t, {
    options: { batchDelayMs: 200 },
    // The endpoint takes at most 2 events per request, and no entry whose contact has a Huge attribute.
    respond: (batch) => {
      if (batch.events.length > 2) return errorAnswer(413, 'body-too-large', 'the body is too large');
      if (batch.events.some((e) => e.contact && e.contact.attributes && e.contact.attributes.Huge)) {
        return errorAnswer(413, 'body-too-large', 'the body is too large');
      }
      return undefined;
    },
  });
  await seen(ctx, 'agent::state_change');
  await ctx.fw.flush();
  const c = ctx.sim.ring();
  await seen(ctx, 'contact::connecting');
  await ctx.fw.flush();
  const sent = ctx.ingest.acceptedEvents();
  assert.deepEqual(ids(sent), ids(ctx.events), 'all of them, in order');
  assert.ok(ctx.ingest.accepted().every((b) => b.events.length <= 2));
  assert.ok(ctx.ingest.requests.some((r) => r.status === 413));
  assert.equal(ctx.errors.length, 0);

  // A contact whose events the endpoint refuses even alone.
  ctx.sim.miss(c);
  ctx.sim.setAgentState('Available');
  await seen(ctx, 'contact::destroyed', (e) => e.contact_id === c);
  await ctx.fw.flush();
  const before = ctx.events.length;
  const big = ctx.sim.ring({ attributes: { Huge: 'x' } });
  await seen(ctx, 'contact::connecting', (e) => e.contact_id === big);
  await ctx.fw.flush();
  const tooLarge = ctx.errors.filter((e) => e.code === 'event-too-large');
  const bigEvents = ctx.events.slice(before).filter((e) => e.contact_id === big);
  assert.deepEqual(tooLarge.flatMap((e) => e.ids), ids(bigEvents));
  assert.ok(tooLarge.every((e) => e.status === 413 && !e.retryable && e.dropped === 1));
  const delivered = new Set(ids(ctx.ingest.acceptedEvents()));
  for (const e of ctx.events) assert.equal(delivered.has(e.id), !bigEvents.includes(e), e.event);
});

test('maxBatchBytes and maxBatchEvents: no body above the caps, nothing lost; an event that cannot fit is reported', async (t) => {
  // With a 3000-character attribute an agent entry is about 8 KB and a contact entry 13.5 KB.
  const ctx = await setup(t, { options: { maxBatchBytes: 25000, maxBatchEvents: 3, batchDelayMs: 300 } });
  await seen(ctx, 'agent::state_change');
  const c = ctx.sim.ring({ attributes: { Notes: 'n'.repeat(3000) } });
  await seen(ctx, 'contact::connecting', (e) => e.contact_id === c);
  ctx.sim.accept(c);
  await seen(ctx, 'contact::connected');
  await ctx.fw.flush();
  const sizes = ctx.ingest.requests.map((r) => `${r.batch.events.length}/${r.bytes}`).join(' ');
  assert.ok(ctx.ingest.requests.every((r) => r.bytes <= 25000), sizes);
  assert.ok(ctx.ingest.requests.every((r) => r.batch.events.length <= 3), sizes);
  assert.ok(ctx.ingest.requests.some((r) => r.bytes > 12500), `some batches hold more than one large event: ${sizes}`);
  assert.deepEqual(ids(ctx.ingest.acceptedEvents()), ids(ctx.events));
  assert.equal(ctx.errors.length, 0);

  // A contact whose entries cannot fit at all (nor can the agent's, which list it): reported, never sent.
  const before = ctx.events.length;
  const huge = ctx.sim.ring({ force: true, attributes: { Notes: 'n'.repeat(20000) } });
  await seen(ctx, 'contact::connecting', (e) => e.contact_id === huge);
  await ctx.fw.flush();
  const tooLarge = ctx.errors.filter((e) => e.code === 'event-too-large');
  const later = ctx.events.slice(before);
  const big = later.filter((e) => JSON.stringify(e).length > 25000);
  assert.ok(big.some((e) => e.contact_id === huge));
  assert.deepEqual(tooLarge.flatMap((e) => e.ids), ids(big));
  assert.ok(tooLarge.every((e) => !e.retryable && e.dropped === 1));
  assert.ok(ctx.ingest.requests.every((r) => r.bytes <= 25000));
  assert.deepEqual(ids(ctx.ingest.acceptedEvents()), ids(ctx.events.filter((e) => !big.includes(e))), 'all the others, in order');
});

test('bounded queue: on overflow the oldest events are dropped and reported with their number', async (t) => {
  let release;
  const stalled = new Promise((resolve) => {
    release = resolve;
  });
  let first = true;
  const ctx = await setup(t, {
    early: false,
    options: { maxQueueEvents: 5, batchDelayMs: 0 },
    respond: async (batch) => {
      if (first) {
        first = false;
        await stalled; // the first request hangs: everything else waits in the queue
      }
      return undefined;
    },
  });
  ctx.sim.refresh();
  await waitFor(() => ctx.ingest.requests.length === 1, WAIT);
  const inFlight = ids(ctx.ingest.requests[0].batch.events);
  for (let i = 0; i < 6; i++) ctx.sim.refresh(); // 6 agent::refresh, queue holds 5
  const c = ctx.sim.ring(); // agent::refresh, state_change, contact::connecting, contact::refresh ...
  await seen(ctx, 'contact::refresh', (e) => e.contact_id === c);
  await waitFor(() => ctx.errors.some((e) => e.code === 'queue-overflow'), WAIT);
  release();
  await ctx.fw.flush();

  const waiting = ctx.events.filter((e) => !inFlight.includes(e.id));
  const overflow = ctx.errors.filter((e) => e.code === 'queue-overflow');
  const dropped = overflow.reduce((n, e) => n + e.dropped, 0);
  assert.equal(dropped, waiting.length - 5);
  assert.match(overflow[0].message, /dropped the \d+ oldest unsent events?/);
  assert.deepEqual(
    overflow.flatMap((e) => e.ids),
    ids(waiting.slice(0, dropped)),
    'the oldest ones',
  );
  assert.deepEqual(ids(ctx.ingest.acceptedEvents()), [...inFlight, ...ids(waiting.slice(dropped))], 'the newest 5 were sent, in order');
  assert.equal(ctx.fw.stats().dropped, dropped);
});

test('stop() unsubscribes everything and flushes what is queued', async (t) => {
  const ctx = await setup(t, { options: { batchDelayMs: 60000 } });
  const c = ctx.sim.ring();
  await seen(ctx, 'contact::connecting', (e) => e.contact_id === c);
  const queued = ctx.events.length;
  assert.equal(ctx.ingest.requests.length, 0, 'held back by the long batch delay');
  const final = await ctx.fw.stop();
  assert.deepEqual(ids(ctx.ingest.acceptedEvents()), ids(ctx.events), 'flushed without waiting for the delay');
  assert.equal(final.queued, 0);
  assert.equal(final.acknowledged, queued);

  // Every Streams subscription is gone: the contact ends, the agent changes, nothing is sent.
  const requests = ctx.ingest.requests.length;
  ctx.sim.accept(c);
  ctx.sim.customerHangUp(c);
  ctx.sim.clear(c);
  ctx.sim.setAgentState('Lunch');
  ctx.sim.mute(true);
  // Another listener sees Streams fire; the forwarder does not.
  const after = [];
  ctx.connect.agent((a) => a.onStateChange((e) => after.push(e.newState)));
  ctx.sim.setAgentState('Available');
  await waitFor(() => after.includes('Available'), WAIT);
  assert.equal(ctx.events.length, queued);
  assert.equal(ctx.ingest.requests.length, requests);
  assert.equal(ctx.fw.stats().contacts, 0);
  assert.strictEqual(await ctx.fw.stop(), await ctx.fw.stop(), 'stop() is idempotent');
});

test('stop() waits at most stopTimeoutMs when the endpoint is down, and reports what it dropped', async (t) => {
  const ctx = await setup(t, { options: { stopTimeoutMs: 300 }, respond: () => errorAnswer(503, 'retry', 'down', { 'Retry-After': '60' }) });
  await seen(ctx, 'agent::state_change');
  await waitFor(() => ctx.ingest.requests.length >= 1, WAIT);
  const final = await ctx.fw.stop();
  const stopped = ctx.errors.find((e) => e.code === 'stopped');
  assert.ok(stopped, 'reported');
  assert.equal(stopped.dropped, ctx.events.length);
  assert.deepEqual(stopped.ids, ids(ctx.events));
  assert.equal(final.dropped, ctx.events.length);
  assert.equal(final.queued, 0);
});

test('the classic-script build sets globalThis.streamhooks and forwards from inside the page', async (t) => {
  const { execFileSync } = await import('node:child_process');
  const { readFileSync } = await import('node:fs');
  const root = new URL('..', import.meta.url);
  execFileSync(process.execPath, ['scripts/build.js'], { cwd: root, stdio: 'pipe' });
  const code = readFileSync(new URL('dist/streamhooks-forwarder.js', root), 'utf8');
  const ingest = await startMockIngest();
  const page = await openStreamsPage();
  t.after(async () => {
    await page.close();
    await ingest.close();
  });
  const { window } = page;
  window.eval(code);
  assert.equal(window.streamhooks.VERSION, VERSION);
  // jsdom has no fetch: hand it node's.
  const fw = window.streamhooks.startForwarding(window.connect, { endpoint: ingest.url, fetch });
  t.after(() => fw.stop());
  const c = page.sim.ring();
  await waitFor(() => ingest.acceptedEvents().some((e) => e.event === 'contact::connecting' && e.contact_id === c), WAIT);
  for (const b of ingest.accepted()) assert.deepEqual(validateBatch(b), []);
});
