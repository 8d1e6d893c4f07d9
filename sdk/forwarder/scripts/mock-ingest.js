// A local stand-in for streamhooks' ingest-http, for tests and for trying the forwarder by hand.
//
//   node scripts/mock-ingest.js [--port 8787]   # logs each batch, checks it against the wire format
//
// As a module: startMockIngest({respond}) records every request and answers like ingest-http
// (`streamhooks.directives.v1`); validateBatch(batch) lists the ways a batch departs from
// docs/wire-format.md (an empty list when it conforms).
import http from 'node:http';
import { fileURLToPath } from 'node:url';

export const EVENT_NAMES = [
  'agent::state_change',
  'agent::routable',
  'agent::not_routable',
  'agent::offline',
  'agent::error',
  'agent::softphone_error',
  'agent::acw',
  'agent::enqueued_next_state',
  'agent::cleared_next_state',
  'agent::mute_toggle',
  'agent::websocket_connection_lost',
  'agent::websocket_connection_gained',
  'agent::refresh',
  'contact::incoming',
  'contact::pending',
  'contact::connecting',
  'contact::accepted',
  'contact::connected',
  'contact::missed',
  'contact::ended',
  'contact::acw',
  'contact::destroyed',
  'contact::error',
  'contact::refresh',
  'contact::participant_hold',
  'contact::participant_resume',
  'contact::screen_sharing_started',
  'contact::screen_sharing_stopped',
  'contact::screen_sharing_error',
];

const AGENT_ARN = /^arn:[^:]+:connect:[^:]+:[^:]+:instance\/[^/]+\/agent\/[^/]+$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Checks a batch against docs/wire-format.md (`streamhooks.streams.v1`), with the forwarder's
 * own promises on top (ids are UUIDs, every entry carries the agent snapshot). Returns the
 * problems as strings naming their path; [] when the batch conforms.
 */
export function validateBatch(batch, { maxEvents = 100 } = {}) {
  const problems = [];
  const bad = (path, message) => problems.push(`${path}: ${message}`);
  if (!batch || typeof batch !== 'object' || Array.isArray(batch)) return ['batch: not an object'];
  if (batch.format !== 'streamhooks.streams.v1') bad('format', `is ${JSON.stringify(batch.format)}`);
  if (typeof batch.agent_arn !== 'string' || !AGENT_ARN.test(batch.agent_arn)) bad('agent_arn', 'not an agent ARN');
  if (batch.sent_at !== undefined && !(typeof batch.sent_at === 'string' && RFC3339.test(batch.sent_at))) {
    bad('sent_at', 'not RFC 3339');
  }
  if (batch.client !== undefined) {
    if (!batch.client || typeof batch.client !== 'object') bad('client', 'not an object');
    else for (const [k, v] of Object.entries(batch.client)) if (typeof v !== 'string') bad(`client.${k}`, 'not a string');
  }
  if (!Array.isArray(batch.events)) {
    bad('events', 'missing or not an array');
  } else {
    if (batch.events.length > maxEvents) bad('events', `${batch.events.length} entries (at most ${maxEvents})`);
    const ids = new Set();
    batch.events.forEach((e, i) => {
      const p = `events[${i}]`;
      if (!e || typeof e !== 'object') return bad(p, 'not an object');
      if (typeof e.id !== 'string' || e.id.length < 1 || e.id.length > 256 || !/^[\x20-\x7e]+$/.test(e.id)) {
        bad(`${p}.id`, 'not 1 to 256 printable ASCII characters');
      } else if (ids.has(e.id)) bad(`${p}.id`, 'repeated in the batch');
      else ids.add(e.id);
      if (!EVENT_NAMES.includes(e.event)) bad(`${p}.event`, `unknown event ${JSON.stringify(e.event)}`);
      if (!(typeof e.occurred_at === 'string' && RFC3339.test(e.occurred_at)) && typeof e.occurred_at !== 'number') {
        bad(`${p}.occurred_at`, 'not RFC 3339 or epoch milliseconds');
      }
      const isContact = typeof e.event === 'string' && e.event.startsWith('contact::');
      if (isContact) {
        if (typeof e.contact_id !== 'string' || !e.contact_id) bad(`${p}.contact_id`, 'required field is missing');
        if (e.contact !== undefined) {
          if (!e.contact || typeof e.contact !== 'object') bad(`${p}.contact`, 'not an object');
          else if (e.contact.contactId !== undefined && e.contact.contactId !== e.contact_id) {
            bad(`${p}.contact.contactId`, 'differs from contact_id');
          }
        }
      }
      if (e.agent !== undefined) {
        if (!e.agent || typeof e.agent !== 'object' || !e.agent.snapshot || !e.agent.configuration) {
          bad(`${p}.agent`, 'not {snapshot, configuration}');
        } else if (e.agent.configuration.agentARN !== undefined && e.agent.configuration.agentARN !== batch.agent_arn) {
          bad(`${p}.agent.configuration.agentARN`, 'names another agent');
        }
      }
      const d = e.data;
      switch (e.event) {
        case 'agent::state_change':
          if (!d || typeof d.oldState !== 'string' || typeof d.newState !== 'string') bad(`${p}.data`, 'needs oldState and newState');
          break;
        case 'agent::softphone_error':
          if (!d || typeof d.errorType !== 'string') bad(`${p}.data.errorType`, 'required field is missing');
          break;
        case 'agent::mute_toggle':
          if (!d || typeof d.muted !== 'boolean') bad(`${p}.data.muted`, 'required field is missing');
          break;
        case 'contact::participant_hold':
        case 'contact::participant_resume':
          if (d !== undefined && (!d || (d.connectionId !== undefined && typeof d.connectionId !== 'string'))) {
            bad(`${p}.data`, 'not {connectionId}');
          }
          break;
        default:
          break;
      }
    });
  }
  if (batch.directive_results !== undefined) {
    const rs = batch.directive_results;
    if (!Array.isArray(rs)) bad('directive_results', 'not an array');
    else {
      if (rs.length > 100) bad('directive_results', `${rs.length} results (at most 100)`);
      rs.forEach((r, i) => {
        const p = `directive_results[${i}]`;
        if (!r || typeof r.id !== 'string' || !r.id) bad(`${p}.id`, 'missing');
        if (!r || !['done', 'failed', 'refused'].includes(r.status)) bad(`${p}.status`, 'not done, failed or refused');
        else if (r.status !== 'done' && typeof r.message !== 'string') bad(`${p}.message`, 'missing for a result not done');
      });
    }
  }
  return problems;
}

/** The 200 answer ingest-http gives a batch (every event processed), with `directives`. */
export function directivesAnswer(batch, directives = []) {
  return {
    status: 200,
    body: {
      format: 'streamhooks.directives.v1',
      directives,
      events: (batch.events || []).map((e) => ({ id: `streams/mock/${e.id}`, status: 'processed' })),
      rejected: [],
    },
  };
}

/** An ingest-http refusal: `{"error": {"code", "message"}}`. */
export function errorAnswer(status, code, message, headers = {}, extra = {}) {
  return { status, headers, body: { error: { code, message }, ...extra } };
}

/**
 * Starts the stand-in on 127.0.0.1.
 *
 * respond(batch, request, index) -> {status, headers, body} | 'hangup' | undefined (a 200 answer),
 * may be async. Every request is recorded in `requests` as {index, headers, body, batch, bytes,
 * status}. `pause()` stops listening (requests then fail to connect: a closed port) and
 * `resume()` listens on the same port again.
 */
export async function startMockIngest({ respond, port = 0, host = '127.0.0.1' } = {}) {
  const requests = [];
  const state = { respond: respond || null };
  const sockets = new Set();
  const cors = { 'access-control-allow-origin': '*' };
  const server = http.createServer(async (req, res) => {
    if (req.method === 'OPTIONS') {
      // CORS preflight, as ingest-http answers it (any origin here).
      res.writeHead(204, { ...cors, 'access-control-allow-methods': 'POST', 'access-control-allow-headers': 'authorization, content-type' });
      res.end();
      return;
    }
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks).toString('utf8');
    const record = { index: requests.length, method: req.method, headers: req.headers, body, bytes: Buffer.byteLength(body), batch: null };
    requests.push(record);
    try {
      record.batch = JSON.parse(body);
    } catch (_) {
      record.status = 400;
      res.writeHead(400, { ...cors, 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'malformed-json', message: 'not JSON' } }));
      return;
    }
    let answer;
    try {
      answer = state.respond ? await state.respond(record.batch, record, record.index) : undefined;
    } catch (e) {
      answer = errorAnswer(500, 'internal', String(e && e.message));
    }
    if (answer === 'hangup') {
      record.status = 'hangup';
      req.socket.destroy();
      return;
    }
    answer = answer || directivesAnswer(record.batch);
    record.status = answer.status ?? 200;
    res.writeHead(record.status, { ...cors, 'content-type': 'application/json', ...(answer.headers || {}) });
    res.end(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body ?? {}));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const listen = (p) =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(p, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  await listen(port);
  const actualPort = server.address().port;
  const closeServer = () =>
    new Promise((resolve) => {
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    });
  return {
    url: `http://${host}:${actualPort}/ingest`,
    port: actualPort,
    requests,
    set respond(f) {
      state.respond = f;
    },
    get respond() {
      return state.respond;
    },
    /** The batches answered 2xx, in the order they arrived. */
    accepted() {
      return requests.filter((r) => typeof r.status === 'number' && r.status >= 200 && r.status < 300).map((r) => r.batch);
    },
    /** The entries of the batches answered 2xx, in order. */
    acceptedEvents() {
      return this.accepted().flatMap((b) => b.events);
    },
    pause: closeServer,
    resume: () => listen(actualPort),
    close: async () => {
      if (server.listening) await closeServer();
    },
  };
}

// CLI
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const i = process.argv.indexOf('--port');
  const port = i > 0 ? Number(process.argv[i + 1]) : 8787;
  const ingest = await startMockIngest({
    port,
    respond(batch, req) {
      const problems = validateBatch(batch);
      const names = (batch.events || []).map((e) => e.event).join(', ') || '(poll)';
      console.log(`${new Date().toISOString()} ${req.bytes} bytes, ${(batch.events || []).length} events: ${names}`);
      if (batch.directive_results) console.log(`  directive_results: ${JSON.stringify(batch.directive_results)}`);
      for (const p of problems) console.log(`  PROBLEM ${p}`);
      return problems.length && !(batch.events || []).length ? errorAnswer(400, 'malformed-batch', problems.join('; ')) : undefined;
    },
  });
  console.log(`mock ingest-http listening on ${ingest.url}`);
}
