// crm-call-log: when a contact handled by an agent is complete (EventBridge `contact-completed`,
// After Contact Work included) or, if so configured, has ended (`contact-ended`), writes a call
// log to the CRM: an upsert of a `Task` keyed by the contact id, with the agent, queue, channel,
// times, duration and disposition. Once per contact. A port of plugins/crm-call-log (Rust): the
// same decisions, state keys and formats, and byte-identical fields JSON. See README.md.

import {
  CrmUpdate,
  JsonObject,
  PluginError,
  RecentSet,
  StateError,
  attribute,
  channel,
  config,
  configOr,
  debugString,
  definePlugin,
  initialContactId,
  initiationMethod,
  log,
  queueName,
  requireConfig,
  requireContactId,
  rfc3339,
  secondsBetween,
  state,
  trimWhitespace,
} from '@streamhooks/plugin-sdk';

/** How many recently logged contacts are remembered (one state value, ~37 bytes each). */
export const RECENT_LOGGED = 200;
export const LOGGED_KEY = 'logged';
/**
 * The last disposition written to the CRM per recent contact, as `contact-id=disposition` lines
 * (one state value).
 */
export const SENT_KEY = 'dispositions-sent';

export default definePlugin({
  onContactCompleted: (event) => logOrRemember(event, 'completed'),
  onContactEnded: (event) => logOrRemember(event, 'ended'),
  onContactAcw: rememberDisposition,
  onContactDestroyed: rememberDisposition,
  onContactDataUpdated: rememberDisposition,
  onContactRefresh: rememberDisposition,
});

/**
 * Which event writes the log: `completed` (EventBridge `contact-completed`: after After
 * Contact Work, final disposition) or `ended` (`contact-ended`, for deployments without
 * EventBridge).
 * @returns {'completed' | 'ended'}
 */
export function logOn() {
  const value = config('log_on');
  const trimmed = value === undefined ? undefined : trimWhitespace(value);
  if (trimmed === undefined || trimmed === 'completed') return 'completed';
  if (trimmed === 'ended') return 'ended';
  throw PluginError.badConfig('log_on', `${debugString(trimmed)} is neither "completed" nor "ended"`);
}

function dispositionAttribute() {
  return configOr('disposition_attribute', 'Disposition');
}

/** @param {string} contactId */
export function dispositionKey(contactId) {
  return `disposition/${contactId}`;
}

/**
 * @param {import('@streamhooks/plugin-sdk').Event} event
 * @param {'completed' | 'ended'} trigger
 */
function logOrRemember(event, trigger) {
  if (logOn() !== trigger) return rememberDisposition(event);
  const contactId = requireContactId(event);
  const connector = requireConfig('connector');
  const logged = RecentSet.load(LOGGED_KEY, RECENT_LOGGED);
  if (logged.contains(contactId)) return [];
  if (!handledByAgent(event)) {
    log.debug(`contact ${contactId} never reached an agent: no call log`);
    return [];
  }
  const key = dispositionKey(contactId);
  const disposition = attribute(event, dispositionAttribute()) ?? state.getString(key);
  const subject = configOr('subject', 'Amazon Connect contact');
  const fields = callLogFields(event, contactId, disposition, subject);

  logged.insert(contactId);
  try {
    logged.save();
  } catch (e) {
    if (!(e instanceof StateError)) throw e;
    // The upsert is keyed by the contact id: writing it twice is harmless, losing it is not.
    log.warn(`contact ${contactId}: cannot remember the call log: ${e}`);
  }
  if (disposition !== undefined) markSent(contactId, disposition);
  state.delete(key);
  const update = CrmUpdate.upsert(
    connector,
    configOr('object', 'Task'),
    configOr('id_field', 'ContactId'),
    contactId,
    fields,
  );
  return [update];
}

/**
 * Keeps the contact's disposition, when this event carries it, for the event that logs. A
 * disposition that arrives after the log was written (the agent set it late, or the forwarder's
 * batch came after EventBridge's `COMPLETED`) updates the logged record: an upsert of that one
 * field under the same contact id, unless it is the disposition the record already has.
 * @param {import('@streamhooks/plugin-sdk').Event} event
 */
function rememberDisposition(event) {
  const contactId = requireContactId(event);
  const disposition = attribute(event, dispositionAttribute());
  if (disposition === undefined) return [];
  if (!RecentSet.load(LOGGED_KEY, RECENT_LOGGED).contains(contactId)) {
    try {
      state.set(dispositionKey(contactId), disposition);
    } catch (e) {
      if (!(e instanceof StateError)) throw e;
      log.warn(`contact ${contactId}: cannot remember the disposition: ${e}`);
    }
    return [];
  }
  if (!markSent(contactId, disposition)) return [];
  const fields = new JsonObject().string('ContactId', contactId).string('Disposition', disposition).build();
  const update = CrmUpdate.upsert(
    requireConfig('connector'),
    configOr('object', 'Task'),
    configOr('id_field', 'ContactId'),
    contactId,
    fields,
  );
  return [update];
}

/**
 * Records `disposition` as the one the CRM record of `contactId` has: false if it has it
 * already. Only the last written value counts, so a disposition changed back (Sale, then
 * Callback requested, then Sale) is written again.
 * @param {string} contactId
 * @param {string} disposition
 */
function markSent(contactId, disposition) {
  const item = sentItem(contactId, disposition);
  const sent = RecentSet.load(SENT_KEY, RECENT_LOGGED);
  const prefix = `${contactId}=`;
  const last = sent.items().reverse().find((i) => i.startsWith(prefix));
  if (last === item) return false;
  if (last !== undefined) sent.remove(last);
  sent.insert(item);
  try {
    sent.save();
  } catch (e) {
    if (!(e instanceof StateError)) throw e;
    // Writing the same disposition again is harmless (keyed upsert); skipping one is not.
    log.warn(`contact ${contactId}: cannot remember the disposition sent: ${e}`);
  }
  return true;
}

/**
 * One line of the `dispositions-sent` set (items are lines: newlines become spaces).
 * @param {string} contactId
 * @param {string} disposition
 */
export function sentItem(contactId, disposition) {
  return `${contactId}=${disposition.replace(/[\n\r]/g, ' ')}`;
}

/** @param {unknown} value */
const some = (value) => value !== undefined && value !== null;

/** @param {import('@streamhooks/plugin-sdk').Event} event */
export function handledByAgent(event) {
  return some(event.agentArn) || some(event.contact?.connectedToAgentAt);
}

/**
 * The call log's fields as a JSON object. Times are RFC 3339 UTC; absent values are left out.
 * @param {import('@streamhooks/plugin-sdk').Event} event
 * @param {string} contactId
 * @param {string | undefined} disposition
 * @param {string} subject
 * @returns {string}
 */
export function callLogFields(event, contactId, disposition, subject) {
  const contact = event.contact ?? undefined;
  const agent = event.agent?.username ?? event.agent?.name ?? event.agentArn ?? undefined;
  const start = contact?.initiatedAt ?? undefined;
  const connected = contact?.connectedToAgentAt ?? undefined;
  // contact-ended: the contact left the active states when the event happened.
  const end = contact?.disconnectedAt ?? (event.kind === 'contact-ended' ? event.occurredAt : undefined);
  const acwEnd = event.kind === 'contact-completed' ? event.occurredAt : undefined;
  const duration = start !== undefined && end !== undefined ? secondsBetween(start, end) : undefined;
  const time = (/** @type {number | undefined} */ t) => (t === undefined ? undefined : rfc3339(t));
  return new JsonObject()
    .string('Subject', subject)
    .string('ContactId', contactId)
    .optString('InitialContactId', initialContactId(event))
    .optString('Agent', agent)
    .optString('AgentArn', event.agentArn)
    .optString('Queue', queueName(event))
    .optString('Channel', channel(event))
    .optString('InitiationMethod', initiationMethod(event))
    .optString('StartTime', time(start))
    .optString('ConnectedTime', time(connected))
    .optString('EndTime', time(end))
    .optString('AcwEndTime', time(acwEnd))
    .optInt('DurationSeconds', duration)
    .optString('Disposition', disposition)
    .build();
}
