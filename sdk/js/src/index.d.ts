// Types of @streamhooks/plugin-sdk. The records are the WIT types of sdk/wit/streamhooks.wit
// (package streamhooks:plugin@0.1.0) exactly as componentize-js 0.23 maps them to JavaScript:
//
// - record fields and variant/enum cases: kebab-case WIT names become camelCase fields
//   (`contact-id` -> `contactId`, `%from` -> `from`); cases stay kebab-case strings;
// - `option<T>`: `T | undefined` in what the host passes (every field present); `null` or
//   `undefined` (or a missing field) in what a plugin returns;
// - `s64` (timestamp): `bigint` on the wire; the SDK hands hooks numbers (`Event`), and accepts
//   numbers or bigints in actions;
// - `u32`: number; `bool`: boolean; `list<u8>`: Uint8Array; `list<T>`: T[];
//   `tuple<string, string>`: `[string, string]`;
// - `enum`: its case as a string (`'streams'`, `'call'`); `variant`: `{ tag, val }` (no `val`
//   for cases without a payload);
// - `result<list<action>, plugin-error>` of the `handle` export: returning an array is `ok`;
//   throwing a value with an own `payload` property (a PluginError) is `err` with that payload;
//   throwing anything else traps;
// - `result<_, state-error>` of the `state-set` import: returns on `ok`, throws an error whose
//   `payload` is the state-error variant on `err`.

/** Milliseconds since the Unix epoch, UTC (the WIT `timestamp`, an `s64`). */
export type Timestamp = number;

/** Where an event was received from. */
export type Source = 'streams' | 'eventbridge' | 'agent-stream';

/** Something with an ARN and/or a name: a queue, a routing profile. */
export interface Named {
  arn: string | undefined;
  name: string | undefined;
}

/** An agent state (status). `T` is the timestamp type: number in the SDK, bigint on the wire. */
export interface AgentState<T extends number | bigint = Timestamp> {
  /** `Available`, `Lunch`, `AfterCallWork` ... */
  name: string;
  /** Routing type: `routable`, `not_routable`, `offline`, `system`, `error`, `init`. */
  stateType: string;
  arn: string | undefined;
  /** When the agent entered it (a next state: when it was enqueued). */
  since: T | undefined;
}

/** The agent as the source saw it when the event happened. */
export interface AgentSnapshot<T extends number | bigint = Timestamp> {
  arn: string | undefined;
  username: string | undefined;
  name: string | undefined;
  state: AgentState<T> | undefined;
  nextState: AgentState<T> | undefined;
  routingProfile: Named | undefined;
  contactIds: string[];
}

/** The contact as the source saw it when the event happened. */
export interface ContactSnapshot<T extends number | bigint = Timestamp> {
  contactId: string;
  initialContactId: string | undefined;
  previousContactId: string | undefined;
  relatedContactId: string | undefined;
  /** `VOICE`, `CHAT`, `TASK`, `EMAIL` (or a newer channel, as given). */
  channel: string | undefined;
  /** `INBOUND`, `OUTBOUND`, `TRANSFER`, `CALLBACK`, `API` ... */
  initiationMethod: string | undefined;
  /** `incoming`, `pending`, `connecting`, `connected`, `missed`, `error`, `ended` ... */
  state: string | undefined;
  stateSince: T | undefined;
  onHold: boolean;
  queue: Named | undefined;
  initiatedAt: T | undefined;
  queuedAt: T | undefined;
  connectedToAgentAt: T | undefined;
  disconnectedAt: T | undefined;
  /** User-defined contact attributes, where the source carries them. */
  attributes: Array<[string, string]>;
}

/** A transition: the value before and after (WIT `%from` is `from`). */
export interface Change {
  from: string | undefined;
  to: string | undefined;
}

/** A Contact Lens or metrics rule that matched. */
export interface RuleMatch {
  name: string | undefined;
  action: string | undefined;
  queueArn: string | undefined;
}

/** An error a source reported (softphone errors, agent error states). */
export interface ErrorInfo {
  errorType: string;
  message: string | undefined;
  endpoint: string | undefined;
}

/**
 * One agent or contact event (docs/events.md). `Event` is what hooks receive (timestamps as
 * numbers); `WireEvent` is what componentize-js passes to `handle` (timestamps as bigints).
 */
export interface Event<T extends number | bigint = Timestamp> {
  /** Version of the canonical event shape. */
  version: number;
  /** Stable de-duplication id. */
  id: string;
  source: Source;
  /** The kind in kebab-case: `contact-connected`, `agent-state-change` ... */
  kind: string;
  /** The source's own name for the event (`CONNECTED_TO_AGENT`, `STATE_CHANGE` ...). */
  sourceType: string;
  occurredAt: T;
  instanceArn: string | undefined;
  agentArn: string | undefined;
  contactId: string | undefined;
  agent: AgentSnapshot<T> | undefined;
  contact: ContactSnapshot<T> | undefined;
  change: Change | undefined;
  rule: RuleMatch | undefined;
  error: ErrorInfo | undefined;
  muted: boolean | undefined;
  /** The original payload as JSON, for anything the records above do not model. */
  rawJson: string;
}

/** The event exactly as componentize-js passes it to `handle`. */
export type WireEvent = Event<bigint>;

/** An optional value in what a plugin returns. */
type Opt<T> = T | null | undefined;
/** A timestamp in what a plugin returns: bigint (what the SDK builds) or an integer number. */
type OutTimestamp = bigint | number;

/** Sets an agent's status (PutUserStatus). */
export interface PutUserStatus {
  /** The agent: its ARN or user id. */
  userId: string;
  /** The agent status: its ARN or id. */
  agentStatusId: string;
}

/** Creates or updates user-defined contact attributes (UpdateContactAttributes). */
export interface UpdateContactAttributes {
  initialContactId: string;
  attributes: Array<[string, string]>;
}

/** Updates a contact's name and description (UpdateContact). */
export interface UpdateContactRecord {
  contactId: string;
  name?: Opt<string>;
  description?: Opt<string>;
}

/** Ends a contact (StopContact). */
export interface StopContactRecord {
  contactId: string;
  disconnectReason?: Opt<string>;
}

/** Transfers a task or email contact to a queue or an agent (TransferContact). */
export interface TransferContactRecord {
  contactId: string;
  contactFlowId: string;
  queueId?: Opt<string>;
  userId?: Opt<string>;
}

/** A reference attached to a task. `referenceType`: `URL`, `STRING`, `NUMBER`, `DATE`, `EMAIL`. */
export interface TaskReference {
  name: string;
  referenceType: string;
  value: string;
}

/** Creates a task (StartTaskContact). */
export interface StartTaskContactRecord {
  name: string;
  description?: Opt<string>;
  contactFlowId?: Opt<string>;
  taskTemplateId?: Opt<string>;
  quickConnectId?: Opt<string>;
  previousContactId?: Opt<string>;
  relatedContactId?: Opt<string>;
  attributes: Array<[string, string]>;
  references: TaskReference[];
  /** Schedule the task for later (at most 6 days ahead). */
  scheduledTime?: Opt<OutTimestamp>;
}

/** Places an outbound call that runs a flow (StartOutboundVoiceContact). */
export interface StartOutboundVoiceContactRecord {
  destinationPhoneNumber: string;
  contactFlowId: string;
  queueId?: Opt<string>;
  sourcePhoneNumber?: Opt<string>;
  relatedContactId?: Opt<string>;
  attributes: Array<[string, string]>;
}

/** Clears a missed, ended, rejected or errored contact from an agent (DismissUserContact). */
export interface DismissUserContact {
  userId: string;
  contactId: string;
}

/** Which recording to suspend or resume: `call` (`AGENT` in the API) or `screen`. */
export type RecordingType = 'call' | 'screen';

/** Suspends or resumes a contact's recording. */
export interface ContactRecordingRecord {
  contactId: string;
  initialContactId: string;
  recordingType: RecordingType;
}

/** A supervisor monitors a contact (MonitorContact). */
export interface MonitorContact {
  contactId: string;
  /** The supervisor: ARN or user id. */
  userId: string;
  /** `SILENT_MONITOR`, `BARGE`. */
  capabilities: string[];
}

/** Tags a contact (TagContact). */
export interface TagContact {
  contactId: string;
  tags: Array<[string, string]>;
}

/** Shows a record or page to the agent. */
export interface ScreenPopRecord {
  url?: Opt<string>;
  title?: Opt<string>;
  data: Array<[string, string]>;
}

/** Something only the agent's browser can do (the WIT `client-directive` variant). */
export type ClientDirective =
  | { tag: 'accept' }
  | { tag: 'reject' }
  | { tag: 'hold' }
  | { tag: 'resume' }
  | { tag: 'send-digits'; val: string }
  | { tag: 'conference' }
  | { tag: 'mute' }
  | { tag: 'unmute' }
  | { tag: 'set-state'; val: string }
  | { tag: 'screen-pop'; val: ScreenPopRecord };

/** A client directive for one agent. */
export interface ClientAction {
  /** The agent whose browser runs it (ARN). */
  agentArn: string;
  /** The contact it concerns, if any. */
  contactId?: Opt<string>;
  directive: ClientDirective;
}

/** How a CRM record is written. */
export type CrmOperation = 'create' | 'upsert' | 'update';

/** A CRM write, through a connector the operator configured. */
export interface CrmUpdateRecord {
  connector: string;
  object: string;
  operation: CrmOperation;
  idField?: Opt<string>;
  id?: Opt<string>;
  /** The record's fields as a JSON object. */
  fieldsJson: string;
}

/** Publishes an event to Amazon EventBridge (the host sets the source). */
export interface PublishEvent {
  detailType: string;
  /** The `detail` as a JSON object. */
  detailJson: string;
}

/** What a plugin decides (the WIT `action` variant). Every action must be granted. */
export type Action =
  | { tag: 'put-user-status'; val: PutUserStatus }
  | { tag: 'update-contact-attributes'; val: UpdateContactAttributes }
  | { tag: 'update-contact'; val: UpdateContactRecord }
  | { tag: 'stop-contact'; val: StopContactRecord }
  | { tag: 'transfer-contact'; val: TransferContactRecord }
  | { tag: 'start-task-contact'; val: StartTaskContactRecord }
  | { tag: 'start-outbound-voice-contact'; val: StartOutboundVoiceContactRecord }
  | { tag: 'dismiss-user-contact'; val: DismissUserContact }
  | { tag: 'suspend-contact-recording'; val: ContactRecordingRecord }
  | { tag: 'resume-contact-recording'; val: ContactRecordingRecord }
  | { tag: 'monitor-contact'; val: MonitorContact }
  | { tag: 'tag-contact'; val: TagContact }
  | { tag: 'client'; val: ClientAction }
  | { tag: 'crm'; val: CrmUpdateRecord }
  | { tag: 'publish'; val: PublishEvent };

/** The WIT `plugin-error` record: the `err` of `handle`. */
export interface PluginErrorRecord {
  /** A short stable code (`missing-config`, `bad-attribute` ...). */
  code: string;
  message: string;
  /** Whether handling the same event again may succeed. */
  retryable: boolean;
}

/** Why a state write was refused (the WIT `state-error` variant). */
export type StateErrorVariant =
  | { tag: 'key-too-long'; val: number }
  | { tag: 'value-too-large'; val: number }
  | { tag: 'too-many-keys'; val: number }
  | { tag: 'unavailable'; val: string };

/** Log levels (the WIT `level` enum). */
export type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error';

/**
 * The WIT import `streamhooks:plugin/host@0.1.0` as componentize-js maps it: what the component
 * entry binds into the SDK, and what the test host implements. `stateSet` throws an error whose
 * `payload` is a StateErrorVariant when it refuses.
 */
export interface Host {
  log(level: Level, message: string): void;
  config(key: string): string | undefined;
  stateGet(key: string): Uint8Array | undefined;
  stateSet(key: string, value: Uint8Array): void;
  stateDelete(key: string): void;
}

// ---- errors -------------------------------------------------------------------------------

/**
 * A failure the plugin reports itself: throw it from a hook; the host records it with the event
 * (`plugin-error`). Its `payload` is the WIT record componentize-js returns as `err`.
 */
export class PluginError extends Error {
  constructor(code: string, message: string, options?: { retryable?: boolean });
  code: string;
  retryable: boolean;
  readonly payload: PluginErrorRecord;
  /** Marks the error retryable: handling the same event again may succeed. */
  markRetryable(): this;
  /** `missing-config`: "the plugin's [config] has no `key`". */
  static missingConfig(key: string): PluginError;
  /** `bad-config`: "config `key`: reason". */
  static badConfig(key: string, reason: unknown): PluginError;
  /** The `state` error a refused write becomes when a hook lets it through. */
  static fromStateError(error: StateError): PluginError;
}

/**
 * Why the host refused a state write, thrown by `state.set`, `state.mark` and
 * `RecentSet#save`. `String(error)` is the Rust SDK's text (`StateError::TooManyKeys(64)`).
 */
export class StateError extends Error {
  constructor(variant: StateErrorVariant);
  readonly tag: StateErrorVariant['tag'];
  readonly val: number | string;
  toString(): string;
}

// ---- handler ------------------------------------------------------------------------------

/** What a hook may return: actions or action builders; nothing means no actions. */
export type HookResult = ReadonlyArray<Action | ActionBuilder> | void | undefined | null;

/** A hook: handles one event. */
export type Hook = (event: Event) => HookResult;

/** Anything with `toAction()`: the builders below. */
export interface ActionBuilder {
  toAction(): Action;
}

/** The hooks of a plugin: one per event kind (docs/events.md), all optional. */
export interface Hooks {
  /** Handles every kind (instead of the per-kind hooks). */
  onEvent?: Hook;
  /** Handles the kinds this SDK does not know. */
  onOther?: Hook;
  onAgentStateChange?: Hook;
  onAgentRoutable?: Hook;
  onAgentNotRoutable?: Hook;
  onAgentOffline?: Hook;
  onAgentError?: Hook;
  onAgentSoftphoneError?: Hook;
  onAgentAfterCallWork?: Hook;
  onAgentEnqueuedNextState?: Hook;
  onAgentClearedNextState?: Hook;
  onAgentMuteToggle?: Hook;
  onAgentWebsocketConnectionLost?: Hook;
  onAgentWebsocketConnectionGained?: Hook;
  onAgentRefresh?: Hook;
  onAgentConfigurationChange?: Hook;
  onAgentLogin?: Hook;
  onAgentLogout?: Hook;
  onAgentHeartbeat?: Hook;
  onContactIncoming?: Hook;
  onContactPending?: Hook;
  onContactConnecting?: Hook;
  onContactAccepted?: Hook;
  onContactConnected?: Hook;
  onContactMissed?: Hook;
  onContactEnded?: Hook;
  onContactAcw?: Hook;
  onContactDestroyed?: Hook;
  onContactError?: Hook;
  onContactRefresh?: Hook;
  onContactParticipantHold?: Hook;
  onContactParticipantResume?: Hook;
  onContactPaused?: Hook;
  onContactResumed?: Hook;
  onContactScreenSharingStarted?: Hook;
  onContactScreenSharingStopped?: Hook;
  onContactScreenSharingError?: Hook;
  onContactInitiated?: Hook;
  onContactConnectedToSystem?: Hook;
  onContactDataUpdated?: Hook;
  onContactQueued?: Hook;
  onContactConnectedToAgent?: Hook;
  onContactDisconnected?: Hook;
  onContactCompleted?: Hook;
  onContactAmdDisabled?: Hook;
  onContactOther?: Hook;
  onContactLensRuleMatched?: Hook;
  onMetricsRuleMatched?: Hook;
  onConnectOther?: Hook;
}

/** A defined plugin: export it as the module's default export. */
export interface Plugin {
  readonly hooks: Hooks;
  /**
   * Handles one event: the actions in their exact wire form. Throws a PluginError for `err`.
   */
  handle(event: Event | WireEvent): Action[];
}

/** Defines a plugin from its hooks (like the Rust SDK's `Handler`). */
export function definePlugin(hooks: Hooks): Plugin;
/** Every event kind this SDK knows, in docs/events.md order. */
export const KINDS: readonly string[];
/** The hook of a kind: `contact-connected` -> `onContactConnected`. */
export function hookName(kind: string): string;
export function isAgentKind(kind: string): boolean;
export function isContactKind(kind: string): boolean;

// ---- host ---------------------------------------------------------------------------------

/** A value from the plugin's `[config]`, if set. */
export function config(key: string): string | undefined;
/** A config value, or `fallback` when it is not set. */
export function configOr(key: string, fallback: string): string;
/** A config value that must be set and not empty: throws `missing-config` otherwise. */
export function requireConfig(key: string): string;

/** The Rust types `configParse` parses like. */
export type IntegerType = 'u8' | 'u16' | 'u32' | 'u64' | 'i8' | 'i16' | 'i32' | 'i64';
/**
 * A config value (trimmed) parsed as a Rust type would be: undefined when not set, a
 * `bad-config` PluginError when it does not parse.
 */
export function configParse(key: string, type: IntegerType): number | bigint | undefined;
export function configParse(key: string, type: 'f64' | 'f32'): number | undefined;
export function configParse(key: string, type: 'bool'): boolean | undefined;
export function configParse<T>(key: string, parse: (text: string) => T): T | undefined;

/** Logging, attributed by the host to the plugin and the event (capped per event). */
export const log: {
  readonly log: (level: Level, message: string) => void;
  readonly trace: (message: string) => void;
  readonly debug: (message: string) => void;
  readonly info: (message: string) => void;
  readonly warn: (message: string) => void;
  readonly error: (message: string) => void;
};

/** The plugin's own small key/value state (writes kept only when the call returns actions). */
export const state: {
  readonly get: (key: string) => Uint8Array | undefined;
  readonly getString: (key: string) => string | undefined;
  /** Throws a StateError when the host refuses the write. */
  readonly set: (key: string, value: string | Uint8Array | ArrayLike<number>) => void;
  readonly delete: (key: string) => void;
  readonly contains: (key: string) => boolean;
  /** True the first time `key` is marked. Throws a StateError when refused. */
  readonly mark: (key: string) => boolean;
};

/**
 * A bounded set of recent items in ONE state value (oldest first, joined by `\n`; an empty set
 * deletes the key): the Rust SDK's `state::RecentSet` format.
 */
export class RecentSet {
  static load(key: string, capacity: number): RecentSet;
  static fromItems(key: string, capacity: number, items: Iterable<string>): RecentSet;
  private constructor();
  readonly key: string;
  readonly capacity: number;
  contains(item: string): boolean;
  /** True if it was not there; past the capacity the oldest item goes. */
  insert(item: string): boolean;
  remove(item: string): boolean;
  /** The items, oldest first (a copy). */
  items(): string[];
  /** Stores the set (deletes the key when empty). Throws a StateError when refused. */
  save(): void;
}

// ---- actions ------------------------------------------------------------------------------

/** Key/value pairs: `[[key, value]]`, a Map or a plain object. */
export type Pairs = Iterable<readonly [string, string]> | Record<string, string>;

export function pairs(items: Pairs | null | undefined): Array<[string, string]>;

/** One-call constructors of actions. */
export const Action: {
  readonly putUserStatus: (userId: string, agentStatusId: string) => Action;
  readonly updateContactAttributes: (initialContactId: string, attributes: Pairs) => Action;
  readonly stopContact: (contactId: string) => Action;
  readonly startTask: (name: string, contactFlowId: string) => Action;
  readonly dismissUserContact: (userId: string, contactId: string) => Action;
  readonly suspendCallRecording: (contactId: string, initialContactId: string) => Action;
  readonly resumeCallRecording: (contactId: string, initialContactId: string) => Action;
  readonly suspendContactRecording: (recording: ContactRecordingRecord) => Action;
  readonly resumeContactRecording: (recording: ContactRecordingRecord) => Action;
  readonly monitorContact: (contactId: string, userId: string, capabilities: Iterable<string>) => Action;
  readonly tagContact: (contactId: string, tags: Pairs) => Action;
  readonly client: (agentArn: string, contactId: string | null | undefined, directive: ClientDirective) => Action;
  readonly clientScreenPop: (
    agentArn: string,
    contactId: string | null | undefined,
    screenPop: ScreenPop | ScreenPopRecord,
  ) => Action;
  readonly publish: (detailType: string, detailJson: string) => Action;
};

/** Client directives (the `client-directive` variant). */
export const ClientDirective: {
  readonly accept: () => ClientDirective;
  readonly reject: () => ClientDirective;
  readonly hold: () => ClientDirective;
  readonly resume: () => ClientDirective;
  readonly sendDigits: (digits: string) => ClientDirective;
  readonly conference: () => ClientDirective;
  readonly mute: () => ClientDirective;
  readonly unmute: () => ClientDirective;
  readonly setState: (state: string) => ClientDirective;
  readonly screenPop: (pop: ScreenPop | ScreenPopRecord) => ClientDirective;
};

/** The action's manifest grant name (`put_user_status`, `client` ...). */
export function grantName(action: Action): string;

export class UpdateContact implements ActionBuilder {
  constructor(contactId: string);
  contactId: string;
  name: string | undefined;
  description: string | undefined;
  withName(name: string): this;
  withDescription(description: string): this;
  toAction(): Action;
}

export class StopContact implements ActionBuilder {
  constructor(contactId: string);
  contactId: string;
  disconnectReason: string | undefined;
  withReason(reason: string): this;
  toAction(): Action;
}

export class TransferContact implements ActionBuilder {
  constructor(contactId: string, contactFlowId: string);
  contactId: string;
  contactFlowId: string;
  queueId: string | undefined;
  userId: string | undefined;
  toQueue(queueId: string): this;
  toUser(userId: string): this;
  toAction(): Action;
}

export class StartTaskContact implements ActionBuilder {
  constructor(name: string);
  name: string;
  description: string | undefined;
  contactFlowId: string | undefined;
  taskTemplateId: string | undefined;
  quickConnectId: string | undefined;
  previousContactId: string | undefined;
  relatedContactId: string | undefined;
  attributes: Array<[string, string]>;
  references: TaskReference[];
  scheduledTime: bigint | undefined;
  withDescription(description: string): this;
  withContactFlow(contactFlowId: string): this;
  withTemplate(taskTemplateId: string): this;
  withQuickConnect(quickConnectId: string): this;
  withPreviousContact(contactId: string): this;
  withRelatedContact(contactId: string): this;
  withAttribute(key: string, value: string): this;
  withReference(name: string, referenceType: string, value: string): this;
  /** Epoch milliseconds (number or bigint), at most 6 days ahead. */
  scheduledAt(time: number | bigint): this;
  toAction(): Action;
}

export class StartOutboundVoiceContact implements ActionBuilder {
  constructor(destinationPhoneNumber: string, contactFlowId: string);
  destinationPhoneNumber: string;
  contactFlowId: string;
  queueId: string | undefined;
  sourcePhoneNumber: string | undefined;
  relatedContactId: string | undefined;
  attributes: Array<[string, string]>;
  withQueue(queueId: string): this;
  withSourceNumber(number: string): this;
  withRelatedContact(contactId: string): this;
  withAttribute(key: string, value: string): this;
  toAction(): Action;
}

export class ContactRecording implements ContactRecordingRecord {
  constructor(contactId: string, initialContactId: string, recordingType: RecordingType);
  contactId: string;
  initialContactId: string;
  recordingType: RecordingType;
}

export class ScreenPop {
  /** A screen pop that opens `url`. */
  static url(url: string): ScreenPop;
  constructor();
  url: string | undefined;
  title: string | undefined;
  data: Array<[string, string]>;
  withTitle(title: string): this;
  withData(key: string, value: string): this;
  toRecord(): ScreenPopRecord;
}

export class CrmUpdate implements ActionBuilder {
  static upsert(connector: string, object: string, idField: string, id: string, fieldsJson: string): CrmUpdate;
  static create(connector: string, object: string, fieldsJson: string): CrmUpdate;
  static update(connector: string, object: string, id: string, fieldsJson: string): CrmUpdate;
  constructor(
    connector: string,
    object: string,
    operation: CrmOperation,
    idField: string | undefined,
    id: string | undefined,
    fieldsJson: string,
  );
  connector: string;
  object: string;
  operation: CrmOperation;
  idField: string | undefined;
  id: string | undefined;
  fieldsJson: string;
  toAction(): Action;
}

/** One action checked against the WIT, in its canonical wire form (throws a TypeError). */
export function actionToWire(action: Action | ActionBuilder, path?: string): Action;
/** A hook's result as the list of actions `handle` returns. */
export function actionsToWire(result: HookResult): Action[];

// ---- events -------------------------------------------------------------------------------

/** A contact attribute (case-sensitive key), if the event has a contact with it. */
export function attribute(event: Event, key: string): string | undefined;
/** The contact's attributes (empty without a contact). */
export function attributes(event: Event): Array<[string, string]>;
/** The contact id, or throws `missing-data`. */
export function requireContactId(event: Event): string;
/** The agent ARN, or throws `missing-data`. */
export function requireAgentArn(event: Event): string;
/** The last segment of the agent ARN, or throws `missing-data`. */
export function requireAgentId(event: Event): string;
/** The initial contact id, else the contact id. */
export function initialContactId(event: Event): string | undefined;
export function channel(event: Event): string | undefined;
export function initiationMethod(event: Event): string | undefined;
/** Whether the channel is `name`, ignoring ASCII case. */
export function isChannel(event: Event, name: string): boolean;
export function queue(event: Event): Named | undefined;
/** A name if known, else the ARN. */
export function label(named: Named | null | undefined): string | undefined;
/** The queue's name, else its ARN. */
export function queueName(event: Event): string | undefined;
export function agentState(event: Event): AgentState | undefined;
export function agentStateName(event: Event): string | undefined;
/** The SDK event from the wire event (bigint timestamps become numbers). */
export function eventFromWire(event: WireEvent | Event): Event;
/** A small example event of `kind` (the Rust SDK's `Event::example`). */
export function exampleEvent(kind: string): Event;
/** 2026-11-20T09:00:00Z, the time of example events. */
export const EXAMPLE_TIME: number;

// ---- time, JSON, text ---------------------------------------------------------------------

/** RFC 3339 UTC, seconds precision, milliseconds when not zero (as the Rust SDK). */
export function rfc3339(ms: number | bigint): string;
/** Whole seconds from `start` to `end`, rounded down. */
export function secondsBetween(start: number | bigint, end: number | bigint): number;

/** A JSON object writer with the Rust SDK's exact output. */
export class JsonObject {
  constructor();
  string(key: string, value: string): this;
  optString(key: string, value: string | null | undefined): this;
  int(key: string, value: number | bigint): this;
  optInt(key: string, value: number | bigint | null | undefined): this;
  bool(key: string, value: boolean): this;
  null(key: string): this;
  raw(key: string, json: string): this;
  build(): string;
}
/** A JSON string literal (the Rust SDK's `json::string`). */
export function jsonString(value: string): string;

/** Rust's `{:?}` of a string. */
export function debugString(text: string): string;
/** Rust's `str::lines`. */
export function lines(text: string): string[];
/** Rust's `str::trim` (Unicode White_Space). */
export function trimWhitespace(text: string): string;
