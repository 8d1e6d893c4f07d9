// Client directives: answers of the (mock) ingest endpoint carry directives; the forwarder runs
// them through the REAL amazon-connect-streams (the simulated CCP records the API calls Streams
// makes) and reports each result in a later batch's `directive_results`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openStreamsPage, waitFor } from './support/streams-page.js';
import { startMockIngest, validateBatch, directivesAnswer } from '../scripts/mock-ingest.js';
import { startForwarding, DIRECTIVE_NAMES } from '../src/index.js';

const WAIT = { timeout: 10000 };

/** A page with Streams and the simulated CCP, a mock ingest answering `plan(batch, ctx)`'s directives, a forwarder. */
async function setup(t, { options = {}, plan = () => [] } = {}) {
  const ctx = { events: [], errors: [], directives: [], pops: [], fw: null };
  ctx.ingest = await startMockIngest({ respond: (batch) => directivesAnswer(batch, plan(batch, ctx) || []) });
  ctx.page = await openStreamsPage();
  ctx.sim = ctx.page.sim;
  ctx.connect = ctx.page.connect;
  ctx.fw = startForwarding(ctx.connect, {
    endpoint: ctx.ingest.url,
    fetch,
    batchDelayMs: 10,
    directives: DIRECTIVE_NAMES,
    onScreenPop: (value, directive) => ctx.pops.push({ value, directive }),
    onEvent: (e) => ctx.events.push(e),
    onError: (e) => ctx.errors.push(e),
    onDirective: (d, r) => ctx.directives.push({ d, r }),
    ...options,
  });
  t.after(async () => {
    await ctx.fw.stop();
    await ctx.page.close();
    await ctx.ingest.close();
  });
  await waitFor(() => ctx.fw.stats().subscribed, WAIT);
  return ctx;
}

let serial = 0;
/** A directive as ingest-http hands it out. */
function directive(ctx, name, { contactId, value, agentArn, eventId = `streams/test/${++serial}` } = {}) {
  const d = {
    id: `${eventId}#test-plugin#0`,
    event_id: eventId,
    plugin: 'test-plugin',
    index: 0,
    agent_arn: agentArn || ctx.sim.agentArn,
    contact_id: contactId ?? null,
    directive: name,
  };
  if (value !== undefined) d.value = value;
  return d;
}

const has = (batch, event, contactId) => batch.events.some((e) => e.event === event && (!contactId || e.contact_id === contactId));

/** Every directive result the endpoint received, in order. */
const results = (ctx) => ctx.ingest.requests.filter((r) => r.status === 200).flatMap((r) => r.batch.directive_results || []);
const resultOf = (ctx, d) => results(ctx).filter((r) => r.id === d.id);
/** Data from the page's realm (jsdom) as plain node values, for deepEqual. */
const plain = (x) => JSON.parse(JSON.stringify(x));
const calls = (ctx, method) => plain(ctx.sim.calls.filter((c) => c.method === method));

function assertConforms(ctx) {
  for (const r of ctx.ingest.requests) assert.deepEqual(validateBatch(r.batch), [], `request ${r.index}`);
}

test('accept, screen-pop, send-digits, hold, resume, mute, set-state run through Streams; results come back', async (t) => {
  const sent = {};
  let contactId;
  const ctx = await setup(t, {
    plan(batch, ctx) {
      if (!sent.accept && has(batch, 'contact::connecting', contactId)) {
        sent.accept = directive(ctx, 'accept', { contactId });
        sent.pop = directive(ctx, 'screen-pop', {
          contactId,
          value: { url: 'https://crm.example.com/customers/C-1', title: 'Customer record', data: [['Tier', 'Gold']] },
        });
        return [sent.accept, sent.pop];
      }
      if (!sent.digits && has(batch, 'contact::connected', contactId)) {
        sent.digits = directive(ctx, 'send-digits', { contactId, value: '123#' });
        sent.hold = directive(ctx, 'hold', { contactId });
        return [sent.digits, sent.hold];
      }
      if (!sent.resume && (batch.directive_results || []).some((r) => r.id === sent.hold.id)) {
        sent.resume = directive(ctx, 'resume', { contactId });
        sent.mute = directive(ctx, 'mute');
        sent.state = directive(ctx, 'set-state', { value: 'Lunch' });
        return [sent.resume, sent.mute, sent.state];
      }
      return [];
    },
  });
  const { sim } = ctx;
  contactId = sim.ring({ attributes: { CustomerId: 'C-1' } });
  await waitFor(() => sent.state && resultOf(ctx, sent.state).length === 1, { ...WAIT, message: 'the set-state result reached the endpoint' });
  await ctx.fw.flush();

  // Each ran through the real Streams API: the CCP saw the calls, in order.
  const methods = plain(sim.calls).map((c) => c.method).filter((m) => ['acceptContact', 'sendDigits', 'holdConnection', 'resumeConnection', 'putAgentState'].includes(m));
  assert.deepEqual(methods, ['acceptContact', 'sendDigits', 'holdConnection', 'resumeConnection', 'putAgentState']);
  assert.equal(calls(ctx, 'acceptContact')[0].params.contactId, contactId);
  const customer = plain(sim.snapshot()).snapshot.contacts[0].connections.find((c) => c.type !== 'agent');
  assert.deepEqual(calls(ctx, 'sendDigits')[0].params, { contactId, connectionId: customer.connectionId, digits: '123#' });
  assert.deepEqual(calls(ctx, 'holdConnection')[0].params, { contactId, connectionId: customer.connectionId });
  assert.deepEqual(calls(ctx, 'resumeConnection')[0].params, { contactId, connectionId: customer.connectionId });
  assert.equal(calls(ctx, 'putAgentState')[0].params.state.name, 'Lunch');
  // mute has no API call: Streams broadcasts it, and the CCP answers with agent::mute_toggle.
  assert.ok(sim.received.some((m) => m.event === 'broadcast' && m.data.event === 'mute' && m.data.data.mute === true));
  await waitFor(() => ctx.ingest.acceptedEvents().some((e) => e.event === 'agent::mute_toggle' && e.data.muted === true), WAIT);
  // The page showed the screen pop.
  assert.deepEqual(ctx.pops.map((p) => p.value), [{ url: 'https://crm.example.com/customers/C-1', title: 'Customer record', data: [['Tier', 'Gold']] }]);
  assert.equal(ctx.pops[0].directive.id, sent.pop.id);

  // Every result reached the endpoint once, done, in the order they ran.
  const order = ['accept', 'pop', 'digits', 'hold', 'resume', 'mute', 'state'].map((k) => sent[k].id);
  assert.deepEqual(results(ctx).map((r) => r.id), order);
  assert.ok(results(ctx).every((r) => r.status === 'done' && r.message === undefined), JSON.stringify(results(ctx)));
  assert.deepEqual(ctx.directives.map((x) => x.r.status), order.map(() => 'done'));
  const s = ctx.fw.stats();
  assert.equal(s.directivesRun, 7);
  assert.equal(s.resultsSent, 7);
  assertConforms(ctx);
  assert.deepEqual(ctx.errors, []);
});

test('reject and conference run through Streams too', async (t) => {
  const sent = {};
  let first;
  let second;
  const ctx = await setup(t);
  const { sim, connect } = ctx;
  // conference: the agent adds a third party (the customer goes on hold), who answers.
  first = sim.ring();
  sim.accept(first);
  await waitFor(() => ctx.events.some((e) => e.event === 'contact::connected' && e.contact_id === first), WAIT);
  const contact = () => new connect.Agent().getContacts().find((c) => c.getContactId() === first);
  await new Promise((resolve, reject) => contact().addConnection(connect.Endpoint.byPhoneNumber('+15555550142'), { success: resolve, failure: reject }));
  sim.thirdPartyAnswers(first);
  await waitFor(() => contact().getThirdPartyConnections().some((c) => c.isConnected()), WAIT);
  const conference = directive(ctx, 'conference', { contactId: first });
  ctx.ingest.respond = (batch) => directivesAnswer(batch, sent.conference ? [] : [(sent.conference = conference)]);
  sim.refresh();
  await waitFor(() => resultOf(ctx, conference).length === 1, WAIT);
  assert.deepEqual(resultOf(ctx, conference), [{ id: conference.id, status: 'done' }]);
  assert.deepEqual(calls(ctx, 'conferenceConnections').map((c) => c.params), [{ contactId: first }]);
  assert.ok(contact().getConnections().every((c) => !c.isOnHold()));

  // reject: a second contact offered while the first is live.
  second = sim.ring({ force: true });
  ctx.ingest.respond = (batch) =>
    directivesAnswer(batch, !sent.reject && has(batch, 'contact::connecting', second) ? [(sent.reject = directive(ctx, 'reject', { contactId: second }))] : []);
  await waitFor(() => sent.reject && resultOf(ctx, sent.reject).length === 1, WAIT);
  assert.equal(resultOf(ctx, sent.reject)[0].status, 'done', JSON.stringify(resultOf(ctx, sent.reject)));
  assert.deepEqual(calls(ctx, 'rejectContact').map((c) => c.params), [{ contactId: second }]);
  assert.deepEqual(ctx.errors, []);
});

test('refused: not in the allowlist, another agent, a contact no longer present, unknown, no onScreenPop', async (t) => {
  let contactId;
  const sent = {};
  const ctx = await setup(t, {
    options: { directives: ['accept', 'screen-pop'], onScreenPop: undefined },
    plan(batch, ctx) {
      if (sent.ok || !has(batch, 'contact::connecting', contactId)) return [];
      const other = ctx.sim.agentArn.replace(/agent\/[^/]+$/, 'agent/00000000-0000-4000-8000-000000000bad');
      sent.notAllowed = directive(ctx, 'hold', { contactId });
      sent.otherAgent = directive(ctx, 'accept', { contactId, agentArn: other });
      sent.gone = directive(ctx, 'accept', { contactId: 'a5c3e2d1-0000-4000-8000-00000000dead' });
      sent.unknown = directive(ctx, 'transfer', { contactId });
      sent.noPop = directive(ctx, 'screen-pop', { value: { url: 'https://crm.example.com', title: null, data: [] } });
      sent.ok = directive(ctx, 'accept', { contactId });
      return [sent.notAllowed, sent.otherAgent, sent.gone, sent.unknown, sent.noPop, sent.ok];
    },
  });
  contactId = ctx.sim.ring();
  await waitFor(() => sent.ok && resultOf(ctx, sent.ok).length === 1, WAIT);
  const got = Object.fromEntries(Object.entries(sent).map(([k, d]) => [k, resultOf(ctx, d)]));
  for (const [k, rs] of Object.entries(got)) assert.equal(rs.length, 1, `${k} reported once`);
  assert.deepEqual(got.ok[0], { id: sent.ok.id, status: 'done' });
  for (const k of ['notAllowed', 'otherAgent', 'gone', 'unknown', 'noPop']) assert.equal(got[k][0].status, 'refused', k);
  assert.match(got.notAllowed[0].message, /"hold" is not in this page's directives option/);
  assert.match(got.otherAgent[0].message, /for another agent/);
  assert.match(got.gone[0].message, /contact a5c3e2d1-0000-4000-8000-00000000dead is no longer present/);
  assert.match(got.unknown[0].message, /unknown directive "transfer"/);
  assert.match(got.noPop[0].message, /no onScreenPop/);
  // Only the allowed one reached Streams.
  assert.deepEqual(calls(ctx, 'acceptContact').map((c) => c.params), [{ contactId }]);
  assert.equal(calls(ctx, 'holdConnection').length, 0);
  assert.equal(ctx.fw.stats().directivesRefused, 5);
  assertConforms(ctx);
});

test('failed: Streams reports the failure, the result says why', async (t) => {
  let contactId;
  const sent = {};
  const ctx = await setup(t, {
    plan(batch, ctx) {
      if (!sent.hold && has(batch, 'contact::connected', contactId)) {
        sent.hold = directive(ctx, 'hold', { contactId });
        sent.state = directive(ctx, 'set-state', { value: 'Nap' });
        return [sent.hold, sent.state];
      }
      return [];
    },
  });
  ctx.sim.failNext('holdConnection', { type: 'InvalidStateException', message: 'the line is busy' });
  contactId = ctx.sim.ring();
  ctx.sim.accept(contactId);
  await waitFor(() => sent.state && resultOf(ctx, sent.state).length === 1, WAIT);
  const [hold] = resultOf(ctx, sent.hold);
  assert.equal(hold.status, 'failed');
  assert.match(hold.message, /connection\.hold failed: InvalidStateException: the line is busy/);
  const [state] = resultOf(ctx, sent.state);
  assert.equal(state.status, 'failed');
  assert.match(state.message, /no state named "Nap"/);
  assert.equal(calls(ctx, 'holdConnection').length, 1);
  assert.equal(calls(ctx, 'putAgentState').length, 0);
  assert.equal(ctx.fw.stats().directivesFailed, 2);
});

test('a directive delivered twice (and again after a retried batch) runs once', async (t) => {
  let contactId;
  let accept;
  let answered = 0;
  let failedOnce = false;
  const ctx = await setup(t, {
    plan(batch, ctx) {
      if (!accept && has(batch, 'contact::connecting', contactId)) accept = directive(ctx, 'accept', { contactId });
      if (accept && answered < 3) {
        answered++;
        return [accept, accept]; // twice in one answer, and in the next answers too
      }
      return [];
    },
  });
  const respond = ctx.ingest.respond;
  ctx.ingest.respond = (batch, req, i) => {
    // The batch after the first directive answer fails once: it is resent as is.
    if (accept && !failedOnce) {
      failedOnce = true;
      return { status: 503, headers: { 'Retry-After': '0' }, body: { error: { code: 'retry', message: 'again' } } };
    }
    return respond(batch, req, i);
  };
  contactId = ctx.sim.ring();
  await waitFor(() => accept && resultOf(ctx, accept).length >= 1, WAIT);
  while (answered < 3) {
    const n = ctx.ingest.requests.length;
    ctx.sim.refresh(); // more batches, more answers repeating the directive
    await waitFor(() => ctx.ingest.requests.length > n, WAIT);
    await ctx.fw.flush();
  }
  ctx.sim.refresh();
  await waitFor(() => ctx.ingest.requests.at(-1).batch.events.length > 0 && ctx.fw.stats().queued === 0, WAIT);
  await ctx.fw.flush();
  assert.equal(calls(ctx, 'acceptContact').length, 1);
  assert.deepEqual(resultOf(ctx, accept), [{ id: accept.id, status: 'done' }]);
  assert.equal(ctx.fw.stats().directivesRun, 1);
  assert.equal(ctx.fw.stats().directivesDuplicate, 5);
  assert.equal(ctx.directives.length, 1);
});

test('results with no events to carry them go in a results-only batch; at most 100 per batch', async (t) => {
  let pops;
  const ctx = await setup(t, {
    options: { events: ['contact::connecting'] },
    plan(batch, ctx) {
      if (pops || !has(batch, 'contact::connecting')) return [];
      pops = Array.from({ length: 150 }, (_, i) => directive(ctx, 'screen-pop', { eventId: `streams/test/pop-${i}`, value: { url: `https://crm.example.com/${i}`, title: null, data: [] } }));
      return pops;
    },
  });
  ctx.sim.ring();
  await waitFor(() => pops && results(ctx).length === 150, WAIT);
  const carriers = ctx.ingest.requests.filter((r) => r.batch.directive_results);
  assert.ok(carriers.every((r) => r.batch.events.length === 0), 'results-only batches');
  assert.ok(carriers.every((r) => r.batch.directive_results.length <= 100));
  assert.ok(carriers.length >= 2);
  assert.deepEqual(results(ctx).map((r) => r.id), pops.map((d) => d.id), 'each once, in order');
  assert.equal(ctx.pops.length, 150);
  assertConforms(ctx);
});

test('pollIntervalMs: empty batches collect mailbox directives when nothing else is sent', async (t) => {
  let mailbox;
  let polls = 0;
  const ctx = await setup(t, {
    options: { events: [], pollIntervalMs: 50 },
    plan(batch, ctx) {
      if (batch.events.length !== 0) return [];
      polls++;
      if (polls === 2) return [(mailbox = directive(ctx, 'set-state', { value: 'Lunch' }))];
      return [];
    },
  });
  await waitFor(() => mailbox && resultOf(ctx, mailbox).length === 1 && polls >= 4, WAIT);
  assert.deepEqual(resultOf(ctx, mailbox), [{ id: mailbox.id, status: 'done' }]);
  assert.equal(calls(ctx, 'putAgentState')[0].params.state.name, 'Lunch');
  assert.ok(ctx.ingest.requests.every((r) => r.batch.events.length === 0));
  assertConforms(ctx);
  const n = ctx.ingest.requests.length;
  await ctx.fw.stop();
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(ctx.ingest.requests.length, n, 'no polls after stop()');
});
