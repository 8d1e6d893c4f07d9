// @streamhooks/forwarder: forwards Amazon Connect Streams agent and contact events to a
// streamhooks ingest endpoint (wire format `streamhooks.streams.v1`) and runs the client
// directives its answers carry (`streamhooks.directives.v1`).
//
// One file, no imports, no runtime dependencies: a browser can load it as a module
// (`import {startForwarding} from '/forwarder/index.js'`), and scripts/build.js turns it into
// a classic script that sets `globalThis.streamhooks`.
//
// It only touches the public Streams API (`connect.agent`, `connect.contact`, the Agent,
// Contact and Connection objects they hand out), `crypto.randomUUID`, timers and `fetch`.

export const VERSION = '0.1.0';

/** The batch format this forwarder writes. */
export const FORMAT = 'streamhooks.streams.v1';

/** The answer format of ingest-http. */
export const ANSWER_FORMAT = 'streamhooks.directives.v1';

// ---------------------------------------------------------------------------------------------
// Event tables (docs/wire-format.md)

function softphoneErrorData(e) {
  if (!e || typeof e !== 'object') return { errorType: 'other' };
  const pick = (getter, field) => {
    try {
      if (typeof e[getter] === 'function') return e[getter]();
    } catch (_) {
      /* fall back to the field */
    }
    return e[field];
  };
  const data = { errorType: String(pick('getErrorType', 'errorType') ?? 'other') };
  const message = pick('getErrorMessage', 'errorMessage');
  if (message !== undefined && message !== null) data.errorMessage = String(message);
  const url = pick('getEndPointUrl', 'endPointUrl');
  if (url !== undefined && url !== null) data.endPointUrl = String(url);
  return data;
}

function screenSharingErrorData(e) {
  if (!e || typeof e !== 'object') return undefined;
  const data = {};
  if (e.errorType !== undefined && e.errorType !== null) data.errorType = String(e.errorType);
  if (e.errorMessage !== undefined && e.errorMessage !== null) data.errorMessage = String(e.errorMessage);
  return Object.keys(data).length ? data : undefined;
}

/** [wire name, Agent method, data from the callback's argument] */
const AGENT_EVENTS = [
  ['agent::state_change', 'onStateChange', (a) => ({ oldState: a && a.oldState, newState: a && a.newState })],
  ['agent::routable', 'onRoutable'],
  ['agent::not_routable', 'onNotRoutable'],
  ['agent::offline', 'onOffline'],
  ['agent::error', 'onError'],
  ['agent::softphone_error', 'onSoftphoneError', softphoneErrorData],
  ['agent::acw', 'onAfterCallWork'],
  ['agent::enqueued_next_state', 'onEnqueuedNextState'],
  ['agent::cleared_next_state', 'onClearedNextState'],
  ['agent::mute_toggle', 'onMuteToggle', (a) => ({ muted: !!(a && a.muted) })],
  ['agent::websocket_connection_lost', 'onWebSocketConnectionLost'],
  ['agent::websocket_connection_gained', 'onWebSocketConnectionGained'],
  ['agent::refresh', 'onRefresh'],
];

/** [wire name, Contact method, data from the callback's argument, scope] */
const CONTACT_EVENTS = [
  ['contact::incoming', 'onIncoming'],
  ['contact::pending', 'onPending'],
  ['contact::connecting', 'onConnecting'],
  ['contact::accepted', 'onAccepted'],
  ['contact::connected', 'onConnected'],
  ['contact::missed', 'onMissed'],
  ['contact::ended', 'onEnded'],
  ['contact::acw', 'onACW'],
  ['contact::destroyed', 'onDestroy'],
  ['contact::error', 'onError'],
  ['contact::refresh', 'onRefresh'],
  // Streams fires screen-sharing events on the bus for every contact: filtered by contactId.
  ['contact::screen_sharing_started', 'onScreenSharingStarted', undefined, 'screen'],
  ['contact::screen_sharing_stopped', 'onScreenSharingStopped', undefined, 'screen'],
  ['contact::screen_sharing_error', 'onScreenSharingError', screenSharingErrorData, 'screen'],
];

/** [wire name, VoiceConnection method] */
const CONNECTION_EVENTS = [
  ['contact::participant_hold', 'onParticipantHold'],
  ['contact::participant_resume', 'onParticipantResume'],
];

/** Every event name of `streamhooks.streams.v1`, in the order of the wire-format table. */
export const EVENT_NAMES = Object.freeze(
  [...AGENT_EVENTS, ...CONTACT_EVENTS.slice(0, 11), ...CONNECTION_EVENTS, ...CONTACT_EVENTS.slice(11)].map(
    (e) => e[0],
  ),
);

/** Every client directive a streamhooks answer may carry. */
export const DIRECTIVE_NAMES = Object.freeze([
  'accept',
  'reject',
  'hold',
  'resume',
  'send-digits',
  'conference',
  'mute',
  'unmute',
  'set-state',
  'screen-pop',
]);

const CONTACT_DIRECTIVES = new Set(['accept', 'reject', 'hold', 'resume', 'send-digits', 'conference']);

const MAX_EVENTS_PER_BATCH = 100;
const MAX_RESULTS_PER_BATCH = 100;
const MAX_RESULT_MESSAGE = 1000;
const MAX_PENDING_RESULTS = 1000;
const SEEN_DIRECTIVES = 2000;
const ATTACH_RETRY_MS = 50;

// ---------------------------------------------------------------------------------------------
// Errors

/** Every error the forwarder reports through `onError`. */
export class ForwarderError extends Error {
  constructor(code, message, details) {
    super(message);
    this.name = 'ForwarderError';
    /** @type {string} */
    this.code = code;
    /** @type {boolean} */
    this.retryable = false;
    if (details) Object.assign(this, details);
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers

const encoder = typeof TextEncoder === 'function' ? new TextEncoder() : null;

function utf8Length(s) {
  if (encoder) return encoder.encode(s).length;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

function randomUUID() {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === 'function') return c.randomUUID();
  const b = new Uint8Array(16);
  if (c && typeof c.getRandomValues === 'function') c.getRandomValues(b);
  else for (let i = 0; i < 16; i++) b[i] = Math.floor(Math.random() * 256);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function describe(err) {
  if (err === undefined || err === null) return 'no details';
  if (typeof err === 'string') {
    // Streams hands some failures over as the JSON of {type, message, ...}.
    if (/^\s*\{/.test(err)) {
      try {
        const parsed = JSON.parse(err);
        if (parsed && typeof parsed === 'object' && (parsed.type || parsed.message)) return describe(parsed);
      } catch (_) {
        /* not JSON after all */
      }
    }
    return err;
  }
  if (err instanceof Error) return err.message || String(err);
  if (typeof err === 'object') {
    const type = err.type || err.errorType || err.code;
    const message = err.message || err.errorMessage;
    if (type && message) return `${type}: ${message}`;
    if (type || message) return String(type || message);
    try {
      return JSON.stringify(err);
    } catch (_) {
      return String(err);
    }
  }
  return String(err);
}

function truncate(s, n) {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

/** Retry-After: delay-seconds or an HTTP date. Returns milliseconds, or undefined. */
function parseRetryAfter(value) {
  if (value === null || value === undefined || value === '') return undefined;
  const s = String(value).trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Math.round(Number(s) * 1000);
  const t = Date.parse(s);
  if (Number.isNaN(t)) return undefined;
  return Math.max(0, t - Date.now());
}

function number(value, name, dflt, { min = 0, max = Infinity, integer = false } = {}) {
  if (value === undefined || value === null) return dflt;
  if (typeof value !== 'number' || Number.isNaN(value) || value < min) {
    throw new TypeError(`startForwarding: options.${name} must be a number >= ${min}`);
  }
  if (integer && Number.isFinite(value) && !Number.isInteger(value)) {
    throw new TypeError(`startForwarding: options.${name} must be an integer`);
  }
  return Math.min(value, max);
}

function normalizeOptions(o) {
  if (!o || typeof o !== 'object') throw new TypeError('startForwarding: options must be an object');
  if (typeof o.endpoint !== 'string' && !(o.endpoint && typeof o.endpoint.href === 'string')) {
    throw new TypeError('startForwarding: options.endpoint (the ingest URL) is required');
  }
  const fetchFn = o.fetch ?? globalThis.fetch;
  if (typeof fetchFn !== 'function') {
    throw new TypeError('startForwarding: no fetch: pass options.fetch (globalThis.fetch is not defined)');
  }
  for (const name of ['getToken', 'onScreenPop', 'onDirective', 'onEvent', 'onResponse', 'onError']) {
    if (o[name] !== undefined && o[name] !== null && typeof o[name] !== 'function') {
      throw new TypeError(`startForwarding: options.${name} must be a function`);
    }
  }
  let events = EVENT_NAMES;
  if (o.events !== undefined && o.events !== null) {
    if (!Array.isArray(o.events)) throw new TypeError('startForwarding: options.events must be an array of event names');
    for (const e of o.events) {
      if (!EVENT_NAMES.includes(e)) throw new TypeError(`startForwarding: options.events: unknown event "${e}"`);
    }
    events = o.events;
  }
  const directives = o.directives ?? [];
  if (!Array.isArray(directives)) throw new TypeError('startForwarding: options.directives must be an array of directive names');
  for (const d of directives) {
    if (!DIRECTIVE_NAMES.includes(d)) throw new TypeError(`startForwarding: options.directives: unknown directive "${d}"`);
  }
  const retry = o.retry ?? {};
  if (typeof retry !== 'object') throw new TypeError('startForwarding: options.retry must be an object');
  const baseDelayMs = number(retry.baseDelayMs, 'retry.baseDelayMs', 500);
  const maxDelayMs = number(retry.maxDelayMs, 'retry.maxDelayMs', 30000);
  return {
    endpoint: String(o.endpoint.href ?? o.endpoint),
    fetch: (url, init) => fetchFn(url, init),
    getToken: o.getToken || null,
    batchDelayMs: number(o.batchDelayMs, 'batchDelayMs', 50),
    maxBatchEvents: number(o.maxBatchEvents, 'maxBatchEvents', MAX_EVENTS_PER_BATCH, {
      min: 1,
      max: MAX_EVENTS_PER_BATCH,
      integer: true,
    }),
    maxBatchBytes: number(o.maxBatchBytes, 'maxBatchBytes', 200000, { min: 1024 }),
    maxQueueEvents: number(o.maxQueueEvents, 'maxQueueEvents', 1000, { min: 1, integer: true }),
    retry: {
      baseDelayMs,
      maxDelayMs: Math.max(maxDelayMs, baseDelayMs),
      maxAttempts: number(retry.maxAttempts, 'retry.maxAttempts', Infinity, { min: 1, integer: true }),
    },
    events: new Set(events),
    directives: new Set(directives),
    pollIntervalMs: number(o.pollIntervalMs, 'pollIntervalMs', 0),
    stopTimeoutMs: number(o.stopTimeoutMs, 'stopTimeoutMs', 5000),
    directiveTimeoutMs: number(o.directiveTimeoutMs, 'directiveTimeoutMs', 10000, { min: 1 }),
    onScreenPop: o.onScreenPop || null,
    onDirective: o.onDirective || null,
    onEvent: o.onEvent || null,
    onResponse: o.onResponse || null,
    onError: o.onError || null,
  };
}

// ---------------------------------------------------------------------------------------------
// The forwarder

/**
 * Start forwarding the Streams events of this page to `options.endpoint`.
 * @param {any} connect the amazon-connect-streams global (`connect`)
 * @param {object} options see index.d.ts
 */
export function startForwarding(connect, options) {
  if (!connect || typeof connect.agent !== 'function' || typeof connect.contact !== 'function') {
    throw new TypeError('startForwarding: the first argument must be the amazon-connect-streams `connect` object');
  }
  const opts = normalizeOptions(options);
  const clientJson = JSON.stringify({
    forwarder: VERSION,
    streams: typeof connect.version === 'string' ? connect.version : 'unknown',
  });

  // -- state --------------------------------------------------------------------------------
  const stats = {
    captured: 0,
    sent: 0,
    acknowledged: 0,
    rejected: 0,
    retried: 0,
    dropped: 0,
    directivesReceived: 0,
    directivesRun: 0,
    directivesFailed: 0,
    directivesRefused: 0,
    directivesDuplicate: 0,
    resultsSent: 0,
  };
  /** Events waiting to be sent: {id, event, json, bytes, agentArn}. */
  let queue = [];
  /** Prepared batches that go before the queue (halves of a split batch, polls). */
  const outbox = [];
  /** The batch being sent or waiting to be retried. */
  let current = null;
  /** Directive results waiting to be sent. */
  let results = [];
  const directiveQueue = [];
  let directiveRunning = false;
  const seenDirectives = new Set();

  const subscriptions = [];
  /** contactId -> {subs: [], connections: Set, lastData} */
  const contacts = new Map();
  let agent = null;
  let agentSubscribed = false;
  let agentAttached = false;
  let contactAttached = false;
  let attachTimer = null;
  let lastAgentArn = null;

  let batchTimer = null;
  let retryTimer = null;
  let pollTimer = null;
  let abortController = null;
  let sending = false;
  let lastSendAt = Date.now();
  let overflowPending = 0;
  let overflowIds = [];
  let stopping = false;
  let stopped = false;
  let stopPromise = null;
  let idleWaiters = [];

  // -- reporting ----------------------------------------------------------------------------
  function report(error) {
    if (!opts.onError) return;
    try {
      opts.onError(error);
    } catch (_) {
      /* the page's onError must not break the forwarder */
    }
  }

  function callPage(name, ...args) {
    const f = opts[name];
    if (!f) return undefined;
    try {
      return f(...args);
    } catch (e) {
      report(new ForwarderError('callback-failed', `options.${name} threw: ${describe(e)}`, { cause: e }));
      return undefined;
    }
  }

  // -- capture ------------------------------------------------------------------------------
  function agentData(a) {
    const src = a && typeof a.toSnapshot === 'function' ? a : agent;
    if (!src) return null;
    try {
      const d = src.toSnapshot().agentData;
      if (d && typeof d === 'object') return { snapshot: d.snapshot, configuration: d.configuration };
    } catch (_) {
      /* Streams has no agent data (yet) */
    }
    return null;
  }

  function arnOf(data) {
    const arn = data && data.configuration && data.configuration.agentARN;
    return typeof arn === 'string' && arn ? arn : null;
  }

  function currentAgentArn() {
    const arn = arnOf(agentData(agent));
    if (arn) lastAgentArn = arn;
    return arn || lastAgentArn;
  }

  function contactData(contactId, contact, arg) {
    const state = contacts.get(contactId);
    const candidates = [];
    if (arg && typeof arg === 'object' && typeof arg.toSnapshot === 'function' && arg.contactId === contactId) {
      candidates.push(arg);
    }
    if (contact) candidates.push(contact);
    for (const c of candidates) {
      try {
        const d = c.toSnapshot().contactData;
        if (d && typeof d === 'object') {
          if (state) state.lastData = d;
          return d;
        }
      } catch (_) {
        /* the contact is gone from the snapshot */
      }
    }
    return state ? state.lastData : undefined;
  }

  function capture(event, build) {
    if (stopping || !opts.events.has(event)) return;
    try {
      const occurredAt = new Date().toISOString();
      const { agent: a, contactId, contact, data } = build();
      const ad = agentData(a);
      const arn = arnOf(ad) || lastAgentArn;
      if (arnOf(ad)) lastAgentArn = arnOf(ad);
      const entry = { id: randomUUID(), event, occurred_at: occurredAt };
      if (contactId !== undefined) entry.contact_id = contactId;
      if (ad) entry.agent = ad;
      if (contact !== undefined) entry.contact = contact;
      if (data !== undefined) entry.data = data;
      const json = JSON.stringify(entry);
      stats.captured++;
      if (!arn) {
        stats.dropped++;
        report(
          new ForwarderError('no-agent', `${event} dropped: Streams has no agent ARN to send it for`, {
            dropped: 1,
            ids: [entry.id],
          }),
        );
        return;
      }
      enqueue({ id: entry.id, event, json, bytes: utf8Length(json), agentArn: arn });
      if (opts.onEvent) callPage('onEvent', JSON.parse(json));
    } catch (e) {
      report(new ForwarderError('capture-failed', `could not capture ${event}: ${describe(e)}`, { cause: e }));
    }
  }

  function enqueue(item) {
    queue.push(item);
    if (queue.length > opts.maxQueueEvents) {
      const n = queue.length - opts.maxQueueEvents;
      const gone = queue.splice(0, n);
      stats.dropped += n;
      overflowPending += n;
      for (const g of gone) overflowIds.push(g.id);
      if (overflowPending === n) {
        // One report per burst, after the Streams callback that overflowed has returned.
        Promise.resolve().then(reportOverflow);
      }
    }
    scheduleBatch();
  }

  function reportOverflow() {
    const n = overflowPending;
    const ids = overflowIds;
    overflowPending = 0;
    overflowIds = [];
    if (n > 0) {
      report(
        new ForwarderError(
          'queue-overflow',
          `queue full (maxQueueEvents ${opts.maxQueueEvents}): dropped the ${n} oldest unsent event${n === 1 ? '' : 's'}`,
          { dropped: n, ids },
        ),
      );
    }
  }

  // -- Streams subscriptions ----------------------------------------------------------------
  function guard(name, f) {
    return function streamsCallback(...args) {
      try {
        f(...args);
      } catch (e) {
        report(new ForwarderError('callback-failed', `${name} handler failed: ${describe(e)}`, { cause: e }));
      }
    };
  }

  function keep(sub, list = subscriptions) {
    if (sub && typeof sub.unsubscribe === 'function') list.push(sub);
  }

  function attach() {
    attachTimer = null;
    if (stopping) return;
    if (!agentAttached) {
      try {
        keep(connect.agent(guard('connect.agent', onAgent)));
        agentAttached = true;
      } catch (_) {
        /* Streams not initialised yet (no event bus): try again */
      }
    }
    if (agentAttached && !contactAttached) {
      try {
        keep(connect.contact(guard('connect.contact', onContact)));
        contactAttached = true;
      } catch (_) {
        /* try again */
      }
    }
    if (!agentAttached || !contactAttached) attachTimer = setTimeout(attach, ATTACH_RETRY_MS);
  }

  function onAgent(a) {
    if (stopping || !a) return;
    agent = a;
    currentAgentArn();
    if (agentSubscribed) return;
    agentSubscribed = true;
    for (const [event, method, dataOf] of AGENT_EVENTS) {
      if (!opts.events.has(event) || typeof a[method] !== 'function') continue;
      try {
        keep(
          a[method](
            guard(event, (arg) =>
              capture(event, () => ({
                agent: arg && arg.agent && typeof arg.agent.toSnapshot === 'function' ? arg.agent : a,
                data: dataOf ? dataOf(arg) : undefined,
              })),
            ),
          ),
        );
      } catch (e) {
        report(new ForwarderError('subscribe-failed', `agent.${method} failed: ${describe(e)}`, { cause: e }));
      }
    }
    // Contacts Streams already had before we subscribed (connect.contact only reports new ones).
    let existing = [];
    try {
      existing = typeof a.getContacts === 'function' ? a.getContacts() : [];
    } catch (_) {
      existing = [];
    }
    for (const c of existing) onContact(c);
  }

  function onContact(contact) {
    if (stopping || !contact || typeof contact.getContactId !== 'function') return;
    const contactId = contact.getContactId();
    if (contacts.has(contactId)) return;
    const state = { subs: [], connections: new Set(), lastData: undefined };
    contacts.set(contactId, state);
    contactData(contactId, contact);

    const wantConnections = CONNECTION_EVENTS.some(([e]) => opts.events.has(e));
    for (const [event, method, dataOf, scope] of CONTACT_EVENTS) {
      const forward = opts.events.has(event);
      const internal = (method === 'onDestroy' || method === 'onRefresh') && (wantConnections || method === 'onDestroy');
      if (!forward && !internal) continue;
      if (typeof contact[method] !== 'function') continue;
      const handler = guard(event, (arg) => {
        if (scope === 'screen' && !(arg && arg.contactId === contactId)) return;
        if (forward) {
          capture(event, () => ({
            contactId,
            contact: contactData(contactId, contact, arg),
            data: dataOf ? dataOf(arg) : undefined,
          }));
        }
        if (method === 'onRefresh' && wantConnections) watchConnections(contactId, contact);
        if (method === 'onDestroy') forgetContact(contactId);
      });
      try {
        keep(contact[method](handler), state.subs);
      } catch (e) {
        report(new ForwarderError('subscribe-failed', `contact.${method} failed: ${describe(e)}`, { cause: e }));
      }
    }
    if (wantConnections) watchConnections(contactId, contact);
  }

  /** Per-connection hold/resume, where Streams offers it (VoiceConnection). */
  function watchConnections(contactId, contact) {
    const state = contacts.get(contactId);
    if (!state || stopping) return;
    let connections;
    try {
      connections = contact.getConnections();
    } catch (_) {
      return;
    }
    for (const conn of connections) {
      let connectionId;
      try {
        connectionId = conn.getConnectionId();
        if (state.connections.has(connectionId)) continue;
        state.connections.add(connectionId);
        if (conn.getType() === 'agent') continue;
      } catch (_) {
        continue;
      }
      for (const [event, method] of CONNECTION_EVENTS) {
        if (!opts.events.has(event) || typeof conn[method] !== 'function') continue;
        try {
          keep(
            conn[method](
              guard(event, (arg) => {
                // Streams' unsubscribe for these may not reach the SDK client: ignore strays.
                if (contacts.get(contactId) !== state) return;
                capture(event, () => ({
                  contactId,
                  contact: contactData(contactId, contact),
                  data: { connectionId: String((arg && arg.connectionId) || connectionId) },
                }));
              }),
            ),
            state.subs,
          );
        } catch (_) {
          /* not reachable in this environment (no voice SDK client): no hold/resume events */
        }
      }
    }
  }

  function forgetContact(contactId) {
    const state = contacts.get(contactId);
    if (!state) return;
    contacts.delete(contactId);
    for (const sub of state.subs) {
      try {
        sub.unsubscribe();
      } catch (_) {
        /* already gone */
      }
    }
  }

  function unsubscribeAll() {
    if (attachTimer) clearTimeout(attachTimer);
    attachTimer = null;
    for (const id of [...contacts.keys()]) forgetContact(id);
    for (const sub of subscriptions.splice(0)) {
      try {
        sub.unsubscribe();
      } catch (_) {
        /* already gone */
      }
    }
  }

  // -- batching -----------------------------------------------------------------------------
  function idle() {
    return (
      queue.length === 0 &&
      outbox.length === 0 &&
      current === null &&
      results.length === 0 &&
      directiveQueue.length === 0 &&
      !directiveRunning
    );
  }

  function checkIdle() {
    if (!idle() || idleWaiters.length === 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const w of waiters) w();
  }

  function whenIdle() {
    if (idle()) return Promise.resolve();
    return new Promise((resolve) => idleWaiters.push(resolve));
  }

  function scheduleBatch(delay = opts.batchDelayMs) {
    if (stopped || sending || current || batchTimer) return;
    if (queue.length === 0 && outbox.length === 0 && results.length === 0) return;
    batchTimer = setTimeout(() => {
      batchTimer = null;
      pump();
    }, delay);
  }

  function envelope(agentArn) {
    // sent_at is always 24 characters (toISOString), so the size computed here holds.
    return (
      `{"format":"${FORMAT}","agent_arn":${JSON.stringify(agentArn)},` +
      `"sent_at":"0000-00-00T00:00:00.000Z","client":${clientJson},"events":[]}`
    );
  }

  function resultsJson(list) {
    return `,"directive_results":${JSON.stringify(list)}`;
  }

  /** Takes the next batch from the queue (and the pending results), within the caps. */
  function nextBatch() {
    if (outbox.length) return outbox.shift();
    if (queue.length === 0 && results.length === 0) return null;
    const agentArn = queue.length ? queue[0].agentArn : currentAgentArn();
    if (!agentArn) return null;
    const base = utf8Length(envelope(agentArn));
    let take = results.slice(0, MAX_RESULTS_PER_BATCH);
    let resultsBytes = take.length ? utf8Length(resultsJson(take)) : 0;
    while (take.length > 1 && base + resultsBytes > opts.maxBatchBytes) {
      take = take.slice(0, Math.ceil(take.length / 2));
      resultsBytes = utf8Length(resultsJson(take));
    }
    if (take.length && base + resultsBytes > opts.maxBatchBytes) {
      // One result too large to send at all (cannot happen with truncated messages).
      results.shift();
      take = [];
      resultsBytes = 0;
    }
    results = results.slice(take.length);
    const entries = [];
    let size = base + resultsBytes;
    while (queue.length && entries.length < opts.maxBatchEvents && queue[0].agentArn === agentArn) {
      const item = queue[0];
      const add = item.bytes + (entries.length ? 1 : 0);
      if (size + add > opts.maxBatchBytes) {
        if (entries.length) break;
        queue.shift();
        if (utf8Length(envelope(agentArn)) + item.bytes > opts.maxBatchBytes) {
          dropEvents([item], 'event-too-large', `${item.event} ${item.id} dropped: ${item.bytes} bytes do not fit in maxBatchBytes ${opts.maxBatchBytes}`);
          continue;
        }
        // It fits alone: leave the results for the next batch.
        results = take.concat(results);
        take = [];
        size = base;
        entries.push(item);
        size += item.bytes;
        break;
      }
      queue.shift();
      entries.push(item);
      size += add;
    }
    if (entries.length === 0 && take.length === 0) return null;
    return makeBatch(agentArn, entries, take);
  }

  function makeBatch(agentArn, entries, resultList, poll = false) {
    return { agentArn, entries, results: resultList, poll, attempts: 0, authFailures: 0, forceRefresh: false };
  }

  function body(batch) {
    let s =
      `{"format":"${FORMAT}","agent_arn":${JSON.stringify(batch.agentArn)},` +
      `"sent_at":"${new Date().toISOString()}","client":${clientJson},` +
      `"events":[${batch.entries.map((e) => e.json).join(',')}]`;
    if (batch.results.length) s += resultsJson(batch.results);
    return `${s}}`;
  }

  function dropEvents(items, code, message, extra) {
    stats.dropped += items.length;
    report(
      new ForwarderError(code, message, {
        dropped: items.length,
        ids: items.map((i) => i.id),
        ...extra,
      }),
    );
  }

  function pump() {
    if (stopped || sending || current) return;
    if (batchTimer) {
      clearTimeout(batchTimer);
      batchTimer = null;
    }
    current = nextBatch();
    if (!current) {
      checkIdle();
      return;
    }
    send(current);
  }

  function finishBatch() {
    current = null;
    lastSendAt = Date.now();
    schedulePoll();
    if (queue.length || outbox.length) pump();
    else scheduleBatch();
    checkIdle();
  }

  function backoff(batch) {
    const cap = Math.min(opts.retry.maxDelayMs, opts.retry.baseDelayMs * 2 ** Math.min(batch.attempts - 1, 30));
    return Math.random() * cap;
  }

  function retryLater(batch, delayMs, error) {
    if (batch.attempts >= opts.retry.maxAttempts) {
      const n = batch.entries.length;
      dropEvents(
        batch.entries,
        'retries-exhausted',
        `batch of ${n} event${n === 1 ? '' : 's'} dropped after ${batch.attempts} attempts: ${error.message}`,
        { cause: error, results: batch.results.length },
      );
      finishBatch();
      return;
    }
    stats.retried++;
    error.retryable = true;
    error.attempt = batch.attempts;
    error.retryInMs = Math.round(delayMs);
    report(error);
    retryTimer = setTimeout(() => {
      retryTimer = null;
      if (!stopped) send(batch);
    }, delayMs);
  }

  async function send(batch) {
    sending = true;
    batch.attempts++;
    try {
      await attempt(batch);
    } catch (e) {
      // Defensive: attempt() handles its own failures.
      report(new ForwarderError('internal', `send failed: ${describe(e)}`, { cause: e }));
      if (current === batch) finishBatch();
    } finally {
      sending = false;
      if (!current && !stopped) pump();
      checkIdle();
    }
  }

  async function attempt(batch) {
    const headers = { 'Content-Type': 'application/json' };
    if (opts.getToken) {
      let token;
      try {
        token = await opts.getToken({ forceRefresh: batch.forceRefresh });
      } catch (e) {
        if (stopped) return;
        retryLater(batch, backoff(batch), new ForwarderError('token-failed', `getToken failed: ${describe(e)}`, { cause: e }));
        return;
      }
      if (stopped) return;
      batch.forceRefresh = false;
      if (typeof token === 'string' && token) headers.Authorization = `Bearer ${token}`;
    }
    const payload = body(batch);
    abortController = typeof AbortController === 'function' ? new AbortController() : null;
    let res;
    let text = '';
    stats.sent++;
    try {
      res = await opts.fetch(opts.endpoint, {
        method: 'POST',
        headers,
        body: payload,
        ...(abortController ? { signal: abortController.signal } : {}),
      });
      text = await res.text();
    } catch (e) {
      if (stopped) return;
      retryLater(batch, backoff(batch), new ForwarderError('network-error', `request failed: ${describe(e)}`, { cause: e }));
      return;
    } finally {
      abortController = null;
    }
    if (stopped) return;
    let answer = null;
    try {
      answer = text ? JSON.parse(text) : null;
    } catch (_) {
      answer = null;
    }
    const status = res.status;
    const serverError = answer && typeof answer.error === 'object' && answer.error ? answer.error : null;
    const serverText = serverError
      ? `${serverError.code || 'error'}${serverError.message ? `: ${serverError.message}` : ''}`
      : truncate(text.trim(), 200) || res.statusText || 'no body';
    const httpDetails = { status, serverCode: serverError ? serverError.code : undefined, serverError: serverError || undefined };

    if (status >= 200 && status < 300) {
      accepted(batch, answer);
      return;
    }
    if (status === 401) {
      batch.authFailures++;
      batch.forceRefresh = true;
      const err = new ForwarderError('unauthorized', `401 ${serverText}: refreshing the token`, httpDetails);
      // The first 401 retries at once with a fresh token; later ones back off.
      retryLater(batch, batch.authFailures === 1 ? 0 : backoff(batch), err);
      return;
    }
    if (status === 413) {
      split(batch, serverText, httpDetails);
      return;
    }
    if (status === 408 || status === 429 || (status >= 500 && status <= 599) || status < 200 || (status >= 300 && status < 400)) {
      const after = parseRetryAfter(res.headers && typeof res.headers.get === 'function' ? res.headers.get('retry-after') : undefined);
      const delay = after !== undefined ? after : backoff(batch);
      retryLater(batch, delay, new ForwarderError('retry', `${status} ${serverText}`, httpDetails));
      return;
    }
    // 400, 403, 405, 415 and any other 4xx: the server will never take this batch.
    const n = batch.entries.length;
    dropEvents(
      batch.entries,
      'refused',
      `${status} ${serverText}: batch of ${n} event${n === 1 ? '' : 's'}${batch.results.length ? ` and ${batch.results.length} directive results` : ''} dropped`,
      { ...httpDetails, errors: answer && Array.isArray(answer.errors) ? answer.errors : undefined, results: batch.results.length },
    );
    finishBatch();
  }

  function split(batch, serverText, httpDetails) {
    const { entries, results: rs, agentArn } = batch;
    let halves;
    if (entries.length > 1) {
      const mid = Math.ceil(entries.length / 2);
      halves = [makeBatch(agentArn, entries.slice(0, mid), rs), makeBatch(agentArn, entries.slice(mid), [])];
    } else if (entries.length === 1 && rs.length > 0) {
      halves = [makeBatch(agentArn, entries, []), makeBatch(agentArn, [], rs)];
    } else if (entries.length === 0 && rs.length > 1) {
      const mid = Math.ceil(rs.length / 2);
      halves = [makeBatch(agentArn, [], rs.slice(0, mid)), makeBatch(agentArn, [], rs.slice(mid))];
    }
    if (halves) {
      outbox.unshift(...halves);
      finishBatch();
      return;
    }
    if (entries.length === 1) {
      dropEvents(entries, 'event-too-large', `413 ${serverText}: ${entries[0].event} ${entries[0].id} is too large for the endpoint and was dropped`, httpDetails);
    } else if (rs.length) {
      report(new ForwarderError('refused', `413 ${serverText}: a directive result was dropped`, httpDetails));
    }
    finishBatch();
  }

  function accepted(batch, answer) {
    stats.acknowledged += batch.entries.length;
    stats.resultsSent += batch.results.length;
    try {
      handleAnswer(batch, answer);
    } finally {
      // After the directives are queued, so that flush() waits for their results.
      finishBatch();
    }
  }

  function handleAnswer(batch, answer) {
    if (answer === null || typeof answer !== 'object') {
      if (batch.entries.length || batch.results.length) {
        report(new ForwarderError('bad-answer', 'the endpoint accepted the batch but its answer is not JSON'));
      }
      return;
    }
    callPage('onResponse', answer);
    if (answer.format !== undefined && answer.format !== ANSWER_FORMAT) {
      report(new ForwarderError('bad-answer', `unexpected answer format "${answer.format}"`));
    }
    if (Array.isArray(answer.rejected) && answer.rejected.length) {
      stats.rejected += answer.rejected.length;
      const n = answer.rejected.length;
      const paths = answer.rejected.map((r) => `${r && r.path}: ${r && r.message}`).join('; ');
      report(
        new ForwarderError('rejected', `the endpoint rejected ${n} entr${n === 1 ? 'y' : 'ies'}: ${truncate(paths, 1000)}`, {
          rejected: answer.rejected,
        }),
      );
    }
    if (Array.isArray(answer.directives) && answer.directives.length) receiveDirectives(answer.directives);
  }

  // -- polling ------------------------------------------------------------------------------
  function schedulePoll(minWait = 0) {
    if (!(opts.pollIntervalMs > 0) || stopping) return;
    if (pollTimer) clearTimeout(pollTimer);
    const wait = Math.max(minWait, lastSendAt + opts.pollIntervalMs - Date.now());
    pollTimer = setTimeout(() => {
      pollTimer = null;
      if (stopping) return;
      const arn = currentAgentArn();
      if (!idle() || sending || batchTimer || !arn) {
        // Busy (the batch in flight re-arms the poll when it ends), or no agent yet.
        schedulePoll(opts.pollIntervalMs);
      } else if (Date.now() - lastSendAt < opts.pollIntervalMs) {
        schedulePoll(1);
      } else {
        outbox.push(makeBatch(arn, [], [], true));
        pump();
      }
    }, wait);
  }

  // -- directives ---------------------------------------------------------------------------
  function receiveDirectives(list) {
    for (const d of list) {
      if (!d || typeof d !== 'object' || typeof d.id !== 'string' || !d.id) {
        report(new ForwarderError('bad-directive', `a directive without an id was ignored: ${truncate(describe(d), 200)}`));
        continue;
      }
      stats.directivesReceived++;
      if (seenDirectives.has(d.id)) {
        stats.directivesDuplicate++;
        continue;
      }
      seenDirectives.add(d.id);
      if (seenDirectives.size > SEEN_DIRECTIVES) seenDirectives.delete(seenDirectives.values().next().value);
      if (stopping) {
        // Not run and not reported: no request goes out for it any more.
        stats.directivesRefused++;
        callPage('onDirective', d, { id: d.id, status: 'refused', message: 'the forwarder is stopping' });
        continue;
      }
      directiveQueue.push(d);
    }
    runDirectives();
  }

  async function runDirectives() {
    if (directiveRunning) return;
    directiveRunning = true;
    try {
      while (directiveQueue.length && !stopped) {
        const d = directiveQueue.shift();
        let result;
        try {
          result = await runDirective(d);
        } catch (e) {
          result = { status: 'failed', message: describe(e) };
        }
        result = { id: d.id, status: result.status, ...(result.message ? { message: truncate(String(result.message), MAX_RESULT_MESSAGE) } : {}) };
        if (result.status === 'done') stats.directivesRun++;
        else if (result.status === 'failed') stats.directivesFailed++;
        else stats.directivesRefused++;
        results.push(result);
        if (results.length > MAX_PENDING_RESULTS) {
          const gone = results.splice(0, results.length - MAX_PENDING_RESULTS);
          report(new ForwarderError('results-overflow', `dropped ${gone.length} unsent directive results`, { ids: gone.map((r) => r.id) }));
        }
        callPage('onDirective', d, result);
        scheduleBatch();
      }
    } finally {
      directiveRunning = false;
      checkIdle();
    }
  }

  function refused(message) {
    return { status: 'refused', message };
  }

  function failed(message) {
    return { status: 'failed', message };
  }

  /** Calls a Streams action with {success, failure} callbacks and waits for one of them. */
  function callStreams(what, invoke) {
    return new Promise((resolve) => {
      let settled = false;
      const settle = (r) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(r);
      };
      const timer = setTimeout(
        () => settle(failed(`${what}: Streams did not answer within ${opts.directiveTimeoutMs} ms`)),
        opts.directiveTimeoutMs,
      );
      try {
        invoke({
          success: () => settle({ status: 'done' }),
          failure: (err, data) => settle(failed(`${what} failed: ${describe(err ?? data)}`)),
        });
      } catch (e) {
        settle(failed(`${what} failed: ${describe(e)}`));
      }
    });
  }

  function customerConnections(contact) {
    const list = [];
    const initial = contact.getInitialConnection();
    if (initial) list.push(initial);
    for (const c of contact.getThirdPartyConnections()) if (!list.includes(c)) list.push(c);
    return list.filter((c) => {
      const t = c.getType();
      return t !== 'agent' && t !== 'monitoring';
    });
  }

  async function runDirective(d) {
    const name = d.directive;
    if (!DIRECTIVE_NAMES.includes(name)) return refused(`unknown directive "${name}"`);
    if (!opts.directives.has(name)) return refused(`"${name}" is not in this page's directives option`);
    if (!agent) return refused('Streams has no agent yet');
    const arn = currentAgentArn();
    if (d.agent_arn !== arn) return refused(`for another agent (${d.agent_arn}), this page is ${arn}`);

    let contact = null;
    if (CONTACT_DIRECTIVES.has(name)) {
      if (typeof d.contact_id !== 'string' || !d.contact_id) return refused(`"${name}" needs a contact_id`);
      try {
        contact = agent.getContacts().find((c) => c.getContactId() === d.contact_id) || null;
      } catch (_) {
        contact = null;
      }
      if (!contact) return refused(`contact ${d.contact_id} is no longer present`);
    }

    switch (name) {
      case 'accept':
        return callStreams('contact.accept', (cb) => contact.accept(cb));
      case 'reject':
        return callStreams('contact.reject', (cb) => contact.reject(cb));
      case 'conference':
        return callStreams('contact.conferenceConnections', (cb) => contact.conferenceConnections(cb));
      case 'hold': {
        const conn = customerConnections(contact).find((c) => c.isActive() && !c.isOnHold());
        if (!conn) return failed(`contact ${d.contact_id} has no active customer connection to hold`);
        return callStreams('connection.hold', (cb) => conn.hold(cb));
      }
      case 'resume': {
        const conn = customerConnections(contact).find((c) => c.isOnHold());
        if (!conn) return failed(`contact ${d.contact_id} has no customer connection on hold`);
        return callStreams('connection.resume', (cb) => conn.resume(cb));
      }
      case 'send-digits': {
        if (typeof d.value !== 'string' || !d.value) return failed('send-digits needs the digits as a string value');
        const conns = customerConnections(contact);
        const conn = conns.find((c) => c.isConnected()) || conns.find((c) => c.isActive());
        if (!conn) return failed(`contact ${d.contact_id} has no connected customer connection to send digits on`);
        return callStreams('connection.sendDigits', (cb) => conn.sendDigits(d.value, cb));
      }
      case 'mute':
      case 'unmute':
        // Streams gives no callback: the change shows as agent::mute_toggle.
        if (name === 'mute') agent.mute();
        else agent.unmute();
        return { status: 'done' };
      case 'set-state': {
        const wanted = typeof d.value === 'string' ? d.value : d.value && d.value.name;
        if (typeof wanted !== 'string' || !wanted) return failed('set-state needs a state name as its value');
        const state = (agent.getAgentStates() || []).find((s) => s && s.name === wanted);
        if (!state) return failed(`the agent has no state named "${wanted}"`);
        return callStreams('agent.setState', (cb) => agent.setState(state, cb));
      }
      case 'screen-pop': {
        if (!opts.onScreenPop) return refused('no onScreenPop option to show it');
        const v = d.value && typeof d.value === 'object' ? d.value : {};
        const value = { url: v.url ?? null, title: v.title ?? null, data: Array.isArray(v.data) ? v.data : [] };
        try {
          await opts.onScreenPop(value, d);
          return { status: 'done' };
        } catch (e) {
          return failed(`onScreenPop failed: ${describe(e)}`);
        }
      }
      default:
        return refused(`unknown directive "${name}"`);
    }
  }

  // -- public API ---------------------------------------------------------------------------
  function flush() {
    if (stopped) return Promise.resolve();
    if (batchTimer) {
      clearTimeout(batchTimer);
      batchTimer = null;
    }
    pump();
    return whenIdle();
  }

  function stop() {
    if (stopPromise) return stopPromise;
    stopping = true;
    unsubscribeAll();
    if (pollTimer) clearTimeout(pollTimer);
    pollTimer = null;
    stopPromise = new Promise((resolve) => {
      let timer = null;
      const finish = (timedOut) => {
        if (stopped) return;
        clearTimeout(timer);
        stopped = true;
        for (const t of [batchTimer, retryTimer]) if (t) clearTimeout(t);
        batchTimer = null;
        retryTimer = null;
        if (abortController) abortController.abort();
        if (timedOut) {
          const left = queue.concat(...outbox.map((b) => b.entries), current ? current.entries : []);
          if (left.length) {
            dropEvents(left, 'stopped', `stop(): ${left.length} event${left.length === 1 ? '' : 's'} not delivered within stopTimeoutMs ${opts.stopTimeoutMs}`);
          }
        }
        queue = [];
        outbox.length = 0;
        current = null;
        results = [];
        directiveQueue.length = 0;
        const waiters = idleWaiters;
        idleWaiters = [];
        for (const w of waiters) w();
        resolve(snapshotStats());
      };
      timer = setTimeout(() => finish(true), opts.stopTimeoutMs);
      flush().then(() => finish(false));
    });
    return stopPromise;
  }

  function snapshotStats() {
    return {
      ...stats,
      queued: queue.length + outbox.reduce((n, b) => n + b.entries.length, 0) + (current ? current.entries.length : 0),
      inFlight: current !== null,
      resultsPending:
        results.length + outbox.reduce((n, b) => n + b.results.length, 0) + (current ? current.results.length : 0),
      directivesPending: directiveQueue.length + (directiveRunning ? 1 : 0),
      contacts: contacts.size,
      subscribed: agentSubscribed,
      stopped: stopping,
    };
  }

  attach();
  schedulePoll();

  return Object.freeze({
    stop,
    flush,
    stats: snapshotStats,
    get agentArn() {
      return lastAgentArn;
    },
  });
}
