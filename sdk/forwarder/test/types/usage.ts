// Compiled by `npm run typecheck` only (never run): the public types fit real use.
/// <reference types="amazon-connect-streams" />
import {
  startForwarding,
  VERSION,
  EVENT_NAMES,
  DIRECTIVE_NAMES,
  ForwarderError,
  type Answer,
  type Batch,
  type Directive,
  type DirectiveResult,
  type Entry,
  type Forwarder,
  type ForwarderOptions,
  type ForwarderStats,
  type ScreenPop,
  type StreamhooksGlobal,
} from '../../src/index.js';

const options: ForwarderOptions = {
  endpoint: new URL('https://abc.lambda-url.us-west-2.on.aws/'),
  getToken: async ({ forceRefresh }) => (forceRefresh ? 'fresh' : 'cached'),
  events: ['agent::state_change', 'contact::connected', 'contact::participant_hold'],
  directives: ['accept', 'screen-pop', 'set-state'],
  batchDelayMs: 20,
  maxBatchEvents: 50,
  maxBatchBytes: 100_000,
  maxQueueEvents: 500,
  retry: { baseDelayMs: 250, maxDelayMs: 10_000, maxAttempts: Infinity },
  pollIntervalMs: 15_000,
  stopTimeoutMs: 2000,
  onScreenPop(value: ScreenPop, directive: Directive) {
    const rows: Array<[string, string]> = value.data;
    console.log(value.url ?? '', value.title ?? '', rows.length, directive.plugin);
  },
  onDirective(directive, result: DirectiveResult) {
    if (result.status !== 'done') console.warn(directive.id, result.message);
  },
  onEvent(entry: Entry) {
    if (entry.event === 'agent::state_change') {
      const next: string = entry.data.newState;
      console.log(next);
    }
    if (entry.event === 'contact::connected') {
      const id: string = entry.contact_id;
      console.log(id, entry.contact?.state?.type);
    }
    if (entry.event === 'agent::mute_toggle') {
      const muted: boolean = entry.data.muted;
      console.log(muted);
    }
  },
  onResponse(answer: Answer) {
    for (const d of answer.directives) {
      if (d.directive === 'send-digits') {
        const digits: string = d.value;
        console.log(digits);
      }
    }
  },
  onError(error) {
    if (error instanceof ForwarderError && !error.retryable) console.error(error.code, error.status, error.dropped);
  },
};

// The real Streams global is accepted as is.
const forwarder: Forwarder = startForwarding(connect, options);
forwarder.flush().then(() => undefined);
const s: ForwarderStats = forwarder.stats();
console.log(VERSION, EVENT_NAMES.length, DIRECTIVE_NAMES[0], s.acknowledged, s.queued, s.directivesRun, forwarder.agentArn);
forwarder.stop().then((final) => console.log(final.dropped));

// Minimal options: endpoint only.
startForwarding(connect, { endpoint: 'https://example.com/ingest' });

const batch: Batch = {
  format: 'streamhooks.streams.v1',
  agent_arn: 'arn:aws:connect:us-west-2:111122223333:instance/i/agent/a',
  sent_at: new Date().toISOString(),
  client: { forwarder: VERSION, streams: '2.28.2' },
  events: [],
  directive_results: [{ id: 'x#p#0', status: 'refused', message: 'not allowed' }],
};
console.log(batch.events.length);

declare const g: StreamhooksGlobal;
g.startForwarding(connect, { endpoint: 'https://example.com' });

// @ts-expect-error unknown event names are refused
startForwarding(connect, { endpoint: 'x', events: ['agent::nope'] });
// @ts-expect-error unknown directive names are refused
startForwarding(connect, { endpoint: 'x', directives: ['transfer'] });
// @ts-expect-error the endpoint is required
startForwarding(connect, {});
