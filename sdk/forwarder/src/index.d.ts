// Types of @streamhooks/forwarder (hand-written; the implementation is src/index.js).

/** The forwarder's version, sent as `client.forwarder`. */
export declare const VERSION: string;
/** `"streamhooks.streams.v1"`: the batch format written. */
export declare const FORMAT: 'streamhooks.streams.v1';
/** `"streamhooks.directives.v1"`: the answer format of ingest-http. */
export declare const ANSWER_FORMAT: 'streamhooks.directives.v1';
/** Every wire event name, in the order of docs/wire-format.md. */
export declare const EVENT_NAMES: readonly EventName[];
/** Every client directive name. */
export declare const DIRECTIVE_NAMES: readonly DirectiveName[];

// -------------------------------------------------------------------------------------------
// Wire format `streamhooks.streams.v1`

export type AgentEventName =
  | 'agent::state_change'
  | 'agent::routable'
  | 'agent::not_routable'
  | 'agent::offline'
  | 'agent::error'
  | 'agent::softphone_error'
  | 'agent::acw'
  | 'agent::enqueued_next_state'
  | 'agent::cleared_next_state'
  | 'agent::mute_toggle'
  | 'agent::websocket_connection_lost'
  | 'agent::websocket_connection_gained'
  | 'agent::refresh';

export type ContactEventName =
  | 'contact::incoming'
  | 'contact::pending'
  | 'contact::connecting'
  | 'contact::accepted'
  | 'contact::connected'
  | 'contact::missed'
  | 'contact::ended'
  | 'contact::acw'
  | 'contact::destroyed'
  | 'contact::error'
  | 'contact::refresh'
  | 'contact::participant_hold'
  | 'contact::participant_resume'
  | 'contact::screen_sharing_started'
  | 'contact::screen_sharing_stopped'
  | 'contact::screen_sharing_error';

export type EventName = AgentEventName | ContactEventName;

/** The agent data as Streams holds it (`agent.toSnapshot().agentData`). */
export interface AgentData {
  snapshot: {
    state?: { name: string; type: string; agentStateARN?: string | null; startTimestamp?: string };
    nextState?: { name: string; type: string; agentStateARN?: string | null } | null;
    contacts?: ContactData[];
    [key: string]: unknown;
  };
  configuration: {
    agentARN: string;
    name?: string;
    username?: string;
    routingProfile?: { name?: string; routingProfileARN?: string; [key: string]: unknown };
    agentStates?: Array<{ name: string; type: string; agentStateARN?: string | null }>;
    [key: string]: unknown;
  };
}

/** The contact data as Streams holds it (an element of `snapshot.contacts`). */
export interface ContactData {
  contactId: string;
  initialContactId?: string | null;
  type?: string;
  state?: { type: string; timestamp?: string };
  initiationMethod?: string;
  queue?: { name?: string; queueARN?: string } | null;
  queueTimestamp?: string | null;
  attributes?: Record<string, { name: string; value: string }>;
  connections?: Array<Record<string, unknown>>;
  [key: string]: unknown;
}

/** The `data` of each event (only those that have one). */
export interface EventDataMap {
  'agent::state_change': { oldState: string; newState: string };
  'agent::softphone_error': { errorType: string; errorMessage?: string; endPointUrl?: string };
  'agent::mute_toggle': { muted: boolean };
  'contact::participant_hold': { connectionId?: string };
  'contact::participant_resume': { connectionId?: string };
  'contact::screen_sharing_error': { errorType?: string; errorMessage?: string };
}

interface EntryBase<E extends EventName> {
  /** `crypto.randomUUID()`, kept when the batch is retried. */
  id: string;
  event: E;
  /** When Streams fired the event (ISO 8601). */
  occurred_at: string;
  agent?: AgentData;
}

export type AgentEntry<E extends AgentEventName = AgentEventName> = EntryBase<E> &
  (E extends keyof EventDataMap ? { data: EventDataMap[E] } : { data?: undefined });

export type ContactEntry<E extends ContactEventName = ContactEventName> = EntryBase<E> & {
  contact_id: string;
  contact?: ContactData;
} & (E extends keyof EventDataMap ? { data?: EventDataMap[E] } : { data?: undefined });

/** One event of a batch. */
export type Entry = { [E in AgentEventName]: AgentEntry<E> }[AgentEventName] | { [E in ContactEventName]: ContactEntry<E> }[ContactEventName];

/** What the forwarder POSTs. */
export interface Batch {
  format: 'streamhooks.streams.v1';
  agent_arn: string;
  sent_at: string;
  client: { forwarder: string; streams: string };
  /** 0 to 100; empty for a poll or a results-only batch. */
  events: Entry[];
  /** At most 100; present only when there are results to report. */
  directive_results?: DirectiveResult[];
}

// -------------------------------------------------------------------------------------------
// Answers `streamhooks.directives.v1` and directives

export type DirectiveName =
  | 'accept'
  | 'reject'
  | 'hold'
  | 'resume'
  | 'send-digits'
  | 'conference'
  | 'mute'
  | 'unmute'
  | 'set-state'
  | 'screen-pop';

/** `screen-pop`'s value. */
export interface ScreenPop {
  url: string | null;
  title: string | null;
  /** Key/value pairs to show. */
  data: Array<[string, string]>;
}

interface DirectiveBase {
  /** Stable across redeliveries: `<event id>#<plugin>#<index>`. */
  id: string;
  event_id: string;
  plugin: string;
  index: number;
  agent_arn: string;
  contact_id?: string | null;
}

export type Directive = DirectiveBase &
  (
    | { directive: 'accept' | 'reject' | 'hold' | 'resume' | 'conference' | 'mute' | 'unmute'; value?: undefined | null }
    | { directive: 'send-digits'; value: string }
    | { directive: 'set-state'; value: string }
    | { directive: 'screen-pop'; value: Partial<ScreenPop> }
  );

export type DirectiveStatus = 'done' | 'failed' | 'refused';

/** How a directive went; sent back in the next batch's `directive_results`. */
export interface DirectiveResult {
  id: string;
  status: DirectiveStatus;
  /** Why, when not done. */
  message?: string;
}

/** ingest-http's 2xx answer. */
export interface Answer {
  format: 'streamhooks.directives.v1';
  directives: Directive[];
  events?: Array<{ id: string; kind?: string; status: string; [key: string]: unknown }>;
  rejected?: Array<{ path: string; message: string }>;
  [key: string]: unknown;
}

/** ingest-http's refusals. */
export interface ErrorAnswer {
  error: { code: string; message: string; [key: string]: unknown };
  errors?: Array<{ path: string; message: string }>;
}

// -------------------------------------------------------------------------------------------
// Errors

export type ForwarderErrorCode =
  /** A request failed (network); retried. */
  | 'network-error'
  /** 408, 429 or 5xx (503 `retry` ...); retried, honouring Retry-After. */
  | 'retry'
  /** 401; the token is refreshed and the batch retried. */
  | 'unauthorized'
  /** getToken threw or rejected; retried. */
  | 'token-failed'
  /** 400, 403, 405, 415 or another 4xx: the batch was dropped. */
  | 'refused'
  /** A single event larger than maxBatchBytes, or refused with 413 on its own: dropped. */
  | 'event-too-large'
  /** maxAttempts reached: the batch was dropped. */
  | 'retries-exhausted'
  /** The queue overflowed: the oldest unsent events were dropped. */
  | 'queue-overflow'
  /** Too many directive results waiting: the oldest were dropped. */
  | 'results-overflow'
  /** The answer listed `rejected` entries. */
  | 'rejected'
  /** A 2xx answer that is not a `streamhooks.directives.v1` document. */
  | 'bad-answer'
  /** A directive without an id. */
  | 'bad-directive'
  /** stop() timed out with events still unsent: dropped. */
  | 'stopped'
  /** An event fired before Streams knew the agent's ARN: dropped. */
  | 'no-agent'
  /** A Streams subscription method threw. */
  | 'subscribe-failed'
  /** Building an entry failed. */
  | 'capture-failed'
  /** A page callback (or a handler) threw. */
  | 'callback-failed'
  | 'internal';

export declare class ForwarderError extends Error {
  name: 'ForwarderError';
  code: ForwarderErrorCode;
  /** True when the forwarder keeps trying (the batch is not lost). */
  retryable: boolean;
  /** HTTP status, for errors from an answer. */
  status?: number;
  /** The server's `error.code`. */
  serverCode?: string;
  /** The server's `error` object. */
  serverError?: { code: string; message?: string; [key: string]: unknown };
  /** The server's `errors` (a malformed batch). */
  errors?: Array<{ path: string; message: string }>;
  /** The answer's `rejected` entries. */
  rejected?: Array<{ path: string; message: string }>;
  /** How many events were dropped. */
  dropped?: number;
  /** The ids of the events (or results) concerned. */
  ids?: string[];
  /** How many directive results were dropped with the batch. */
  results?: number;
  /** Retryable errors: the attempt that failed, and the wait before the next one. */
  attempt?: number;
  retryInMs?: number;
  cause?: unknown;
}

// -------------------------------------------------------------------------------------------
// startForwarding

/** The part of the amazon-connect-streams `connect` global the forwarder uses. */
export interface StreamsConnect {
  // Streams types `unsubscribe` as Function.
  agent(callback: (agent: any) => void): { unsubscribe: Function };
  contact(callback: (contact: any) => void): { unsubscribe: Function };
  version?: string;
}

export interface RetryOptions {
  /** First backoff cap (full jitter: a random wait in [0, cap]). Default 500. */
  baseDelayMs?: number;
  /** Largest backoff cap. Default 30000. */
  maxDelayMs?: number;
  /** Attempts per batch before it is dropped and reported. Default Infinity. */
  maxAttempts?: number;
}

export interface ForwarderOptions {
  /** The ingest-http URL. */
  endpoint: string | URL;
  /** Called before each request; the token goes in `Authorization: Bearer`. `forceRefresh` after a 401. */
  getToken?: (request: { forceRefresh: boolean }) => string | Promise<string>;
  /** Default `globalThis.fetch`. */
  fetch?: (input: string, init: { method: string; headers: Record<string, string>; body: string; signal?: AbortSignal }) => Promise<{
    status: number;
    statusText?: string;
    headers: { get(name: string): string | null };
    text(): Promise<string>;
  }>;
  /** Wire event names to forward. Default: all of EVENT_NAMES. */
  events?: readonly EventName[];
  /** Directive names this page runs. Default `[]`: none (each is reported `refused`). */
  directives?: readonly DirectiveName[];
  /** Wait this long after an event before sending, to batch. Default 50. */
  batchDelayMs?: number;
  /** Events per batch, at most 100 (the default). */
  maxBatchEvents?: number;
  /** Largest request body in bytes (batches are split to fit). Default 200000. */
  maxBatchBytes?: number;
  /** Unsent events kept; beyond it the oldest are dropped and reported. Default 1000. */
  maxQueueEvents?: number;
  retry?: RetryOptions;
  /** When > 0, send an empty batch after this long without a request, to collect mailbox directives. Default 0 (off). */
  pollIntervalMs?: number;
  /** How long stop() waits for the queue to drain. Default 5000. */
  stopTimeoutMs?: number;
  /** How long a directive waits for Streams' success/failure callback. Default 10000. */
  directiveTimeoutMs?: number;
  /** Shows a `screen-pop` directive; may return a promise. Required to run screen-pop. */
  onScreenPop?: (value: ScreenPop, directive: Directive) => void | Promise<void>;
  /** After each directive was run, failed or refused. */
  onDirective?: (directive: Directive, result: DirectiveResult) => void;
  /** Each event as captured (a copy of its entry). */
  onEvent?: (entry: Entry) => void;
  /** Each 2xx answer. */
  onResponse?: (answer: Answer) => void;
  /** Every problem; `error.retryable` says whether the forwarder keeps trying. */
  onError?: (error: ForwarderError) => void;
}

export interface ForwarderStats {
  /** Events captured from Streams. */
  captured: number;
  /** Requests sent (each attempt counts). */
  sent: number;
  /** Events the endpoint accepted (2xx). */
  acknowledged: number;
  /** Entries the endpoint listed in `rejected`. */
  rejected: number;
  /** Retries scheduled. */
  retried: number;
  /** Events dropped (overflow, refused, too large, retries exhausted, stop timeout). */
  dropped: number;
  /** Events not yet accepted (waiting or in flight). */
  queued: number;
  /** A batch is being sent or waits for its retry. */
  inFlight: boolean;
  directivesReceived: number;
  /** Directives run successfully. */
  directivesRun: number;
  directivesFailed: number;
  directivesRefused: number;
  /** Directives received again (a retried batch) and not run again. */
  directivesDuplicate: number;
  /** Directives waiting to run or running. */
  directivesPending: number;
  /** Results accepted by the endpoint. */
  resultsSent: number;
  /** Results not yet accepted. */
  resultsPending: number;
  /** Contacts being watched. */
  contacts: number;
  /** The agent's events are subscribed. */
  subscribed: boolean;
  /** stop() was called. */
  stopped: boolean;
}

export interface Forwarder {
  /** Unsubscribes from Streams, sends what is queued (at most stopTimeoutMs), resolves with the final stats. */
  stop(): Promise<ForwarderStats>;
  /** Sends what is queued now; resolves when nothing is left to send (may wait through retries). */
  flush(): Promise<void>;
  stats(): ForwarderStats;
  /** The agent ARN batches are sent for, once Streams knows it. */
  readonly agentArn: string | null;
}

/** Subscribes to Streams' agent and contact events and forwards them to `options.endpoint`. */
export declare function startForwarding(connect: StreamsConnect, options: ForwarderOptions): Forwarder;

/** What `dist/streamhooks-forwarder.js` sets on `globalThis`. */
export interface StreamhooksGlobal {
  startForwarding: typeof startForwarding;
  VERSION: string;
  EVENT_NAMES: typeof EVENT_NAMES;
  DIRECTIVE_NAMES: typeof DIRECTIVE_NAMES;
  ForwarderError: typeof ForwarderError;
}
