// The actions a plugin returns, checked against the WIT and put in the exact form componentize-js
// lowers: a variant is `{tag, val}`, a record an object with camelCase fields, an option
// `undefined` when none, a tuple an array, an enum a string, an `s64` (timestamp) a bigint.
// A mistake (a missing field, a number for a string ...) throws a TypeError naming the action and
// the field: in a test it fails the test, in the component it traps (as it would have in the
// bindings, but with a message the host logs). The test `wire.test.js` checks this table
// against sdk/wit/streamhooks.wit.

/**
 * Field kinds: `string`, `string?` (option<string>), `pairs` (list<tuple<string, string>>),
 * `strings` (list<string>), `timestamp?` (option<s64>), `references` (list<task-reference>),
 * `recording-type`, `crm-operation` (enums) and `directive` (client-directive).
 * @type {Record<string, Array<[string, string]>>}
 */
export const RECORDS = {
  'put-user-status': [['userId', 'string'], ['agentStatusId', 'string']],
  'update-contact-attributes': [['initialContactId', 'string'], ['attributes', 'pairs']],
  'update-contact': [['contactId', 'string'], ['name', 'string?'], ['description', 'string?']],
  'stop-contact': [['contactId', 'string'], ['disconnectReason', 'string?']],
  'transfer-contact': [
    ['contactId', 'string'],
    ['contactFlowId', 'string'],
    ['queueId', 'string?'],
    ['userId', 'string?'],
  ],
  'task-reference': [['name', 'string'], ['referenceType', 'string'], ['value', 'string']],
  'start-task-contact': [
    ['name', 'string'],
    ['description', 'string?'],
    ['contactFlowId', 'string?'],
    ['taskTemplateId', 'string?'],
    ['quickConnectId', 'string?'],
    ['previousContactId', 'string?'],
    ['relatedContactId', 'string?'],
    ['attributes', 'pairs'],
    ['references', 'references'],
    ['scheduledTime', 'timestamp?'],
  ],
  'start-outbound-voice-contact': [
    ['destinationPhoneNumber', 'string'],
    ['contactFlowId', 'string'],
    ['queueId', 'string?'],
    ['sourcePhoneNumber', 'string?'],
    ['relatedContactId', 'string?'],
    ['attributes', 'pairs'],
  ],
  'dismiss-user-contact': [['userId', 'string'], ['contactId', 'string']],
  'contact-recording': [
    ['contactId', 'string'],
    ['initialContactId', 'string'],
    ['recordingType', 'recording-type'],
  ],
  'monitor-contact': [['contactId', 'string'], ['userId', 'string'], ['capabilities', 'strings']],
  'tag-contact': [['contactId', 'string'], ['tags', 'pairs']],
  'screen-pop': [['url', 'string?'], ['title', 'string?'], ['data', 'pairs']],
  'client-action': [['agentArn', 'string'], ['contactId', 'string?'], ['directive', 'directive']],
  'crm-update': [
    ['connector', 'string'],
    ['object', 'string'],
    ['operation', 'crm-operation'],
    ['idField', 'string?'],
    ['id', 'string?'],
    ['fieldsJson', 'string'],
  ],
  'publish-event': [['detailType', 'string'], ['detailJson', 'string']],
};

/** The action variant: case -> the record it holds. */
export const ACTION_CASES = {
  'put-user-status': 'put-user-status',
  'update-contact-attributes': 'update-contact-attributes',
  'update-contact': 'update-contact',
  'stop-contact': 'stop-contact',
  'transfer-contact': 'transfer-contact',
  'start-task-contact': 'start-task-contact',
  'start-outbound-voice-contact': 'start-outbound-voice-contact',
  'dismiss-user-contact': 'dismiss-user-contact',
  'suspend-contact-recording': 'contact-recording',
  'resume-contact-recording': 'contact-recording',
  'monitor-contact': 'monitor-contact',
  'tag-contact': 'tag-contact',
  client: 'client-action',
  crm: 'crm-update',
  publish: 'publish-event',
};

/** The client-directive variant: case -> its payload (null: none). */
export const DIRECTIVE_CASES = {
  accept: null,
  reject: null,
  hold: null,
  resume: null,
  'send-digits': 'string',
  conference: null,
  mute: null,
  unmute: null,
  'set-state': 'string',
  'screen-pop': 'screen-pop',
};

export const ENUMS = {
  'recording-type': ['call', 'screen'],
  'crm-operation': ['create', 'upsert', 'update'],
};

const MIN_S64 = -(2n ** 63n);
const MAX_S64 = 2n ** 63n - 1n;

/**
 * @param {unknown} value
 * @param {string} what
 * @returns {never}
 */
function fail(value, what) {
  let shown;
  try {
    shown = typeof value === 'bigint' ? `${value}n` : JSON.stringify(value);
  } catch {
    shown = String(value);
  }
  throw new TypeError(`${what}: ${shown === undefined ? 'undefined' : shown}`);
}

/**
 * @param {unknown} value
 * @param {string} kind
 * @param {string} path
 * @returns {unknown}
 */
function field(value, kind, path) {
  switch (kind) {
    case 'string':
      if (typeof value !== 'string') fail(value, `${path} must be a string, got`);
      return value;
    case 'string?':
      if (value === undefined || value === null) return undefined;
      return field(value, 'string', path);
    case 'strings':
      if (!Array.isArray(value)) fail(value, `${path} must be an array of strings, got`);
      return value.map((v, i) => field(v, 'string', `${path}[${i}]`));
    case 'pairs':
      if (!Array.isArray(value)) fail(value, `${path} must be an array of [key, value] pairs, got`);
      return value.map((pair, i) => {
        if (!Array.isArray(pair) || pair.length !== 2) {
          fail(pair, `${path}[${i}] must be a [key, value] pair of strings, got`);
        }
        return [field(pair[0], 'string', `${path}[${i}][0]`), field(pair[1], 'string', `${path}[${i}][1]`)];
      });
    case 'timestamp?':
      if (value === undefined || value === null) return undefined;
      if (typeof value === 'number' && Number.isInteger(value)) value = BigInt(value);
      if (typeof value !== 'bigint' || value < MIN_S64 || value > MAX_S64) {
        fail(value, `${path} must be an integer number of epoch milliseconds, got`);
      }
      return value;
    case 'references':
      if (!Array.isArray(value)) fail(value, `${path} must be an array of task references, got`);
      return value.map((r, i) => record(r, 'task-reference', `${path}[${i}]`));
    case 'directive':
      return directive(value, path);
    default: {
      const cases = /** @type {Record<string, string[]>} */ (ENUMS)[kind];
      if (!cases.includes(/** @type {string} */ (value))) {
        fail(value, `${path} must be one of ${cases.join(', ')}, got`);
      }
      return value;
    }
  }
}

/**
 * @param {unknown} value
 * @param {string} name
 * @param {string} path
 */
function record(value, name, path) {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(value, `${path} must be a ${name} record, got`);
  }
  /** @type {Record<string, unknown>} */
  const out = {};
  for (const [key, kind] of RECORDS[name]) {
    out[key] = field(/** @type {any} */ (value)[key], kind, `${path}.${key}`);
  }
  return out;
}

/**
 * @param {unknown} value
 * @param {string} path
 */
function directive(value, path) {
  const tag = /** @type {any} */ (value)?.tag;
  if (typeof tag !== 'string' || !Object.hasOwn(DIRECTIVE_CASES, tag)) {
    fail(value, `${path} must be a client directive {tag, val} (tag ${Object.keys(DIRECTIVE_CASES).join(', ')}), got`);
  }
  const payload = /** @type {Record<string, string | null>} */ (DIRECTIVE_CASES)[tag];
  if (payload === null) return { tag };
  const val = /** @type {any} */ (value).val;
  return {
    tag,
    val: payload === 'string' ? field(val, 'string', `${path}.val`) : record(val, payload, `${path}.val`),
  };
}

/**
 * One action, checked and in its canonical form (every record field present, in WIT order).
 * @param {unknown} action
 * @param {string} path where it is, for messages (`action 0`)
 * @returns {import('./index.js').Action}
 */
export function actionToWire(action, path = 'action') {
  const a = /** @type {any} */ (action);
  if (a !== null && typeof a === 'object' && typeof a.toAction === 'function') {
    return actionToWire(a.toAction(), path);
  }
  const tag = a?.tag;
  if (typeof tag !== 'string' || !Object.hasOwn(ACTION_CASES, tag)) {
    fail(action, `${path} must be an action {tag, val} (tag ${Object.keys(ACTION_CASES).join(', ')}) or an action builder, got`);
  }
  const name = /** @type {Record<string, string>} */ (ACTION_CASES)[tag];
  return /** @type {any} */ ({ tag, val: record(a.val, name, `${path} (${tag})`) });
}

/**
 * What a hook returned, as the list of actions `handle` returns: an array of actions or action
 * builders (or nothing: no actions).
 * @param {unknown} result
 * @returns {import('./index.js').Action[]}
 */
export function actionsToWire(result) {
  if (result === undefined || result === null) return [];
  if (typeof (/** @type {any} */ (result)?.then) === 'function') {
    throw new TypeError('a hook returned a Promise: hooks are synchronous (a plugin performs no I/O)');
  }
  if (!Array.isArray(result)) {
    fail(result, 'a hook must return an array of actions (or nothing), got');
  }
  return result.map((action, i) => actionToWire(action, `action ${i}`));
}
