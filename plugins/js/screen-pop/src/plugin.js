// screen-pop: when a contact is offered to an agent (Streams `contact-connecting` /
// `contact-accepted`) or connected (agent event stream `contact-connected`), tells the agent's
// browser to open the customer's CRM record, with the URL built from the `record_url` template
// filled from contact attributes. Once per contact per agent. A port of plugins/screen-pop (Rust):
// the same decisions, state and actions. See README.md.

import {
  Action,
  RecentSet,
  ScreenPop,
  StateError,
  attribute,
  channel,
  config,
  configOr,
  definePlugin,
  log,
  queueName,
  requireAgentArn,
  requireAgentId,
  requireConfig,
  requireContactId,
} from '@streamhooks/plugin-sdk';

/** How many recent contacts each agent's "already popped" set remembers. */
export const RECENT_PER_AGENT = 20;

export default definePlugin({
  onContactConnecting: popOnce,
  onContactAccepted: popOnce,
  onContactConnected: popOnce,
});

/** @param {import('@streamhooks/plugin-sdk').Event} event */
function popOnce(event) {
  const agentArn = requireAgentArn(event);
  const agentId = requireAgentId(event);
  const contactId = requireContactId(event);
  const recordUrl = requireConfig('record_url');
  const searchUrl = config('search_url') || undefined;

  const popped = RecentSet.load(`popped/${agentId}`, RECENT_PER_AGENT);
  if (popped.contains(contactId)) return [];
  const pop = screenPop(event, recordUrl, searchUrl, title());
  if (pop === undefined) {
    log.info(`contact ${contactId}: no attribute for record_url and no search_url; no pop`);
    return [];
  }
  popped.insert(contactId);
  try {
    popped.save();
  } catch (e) {
    if (!(e instanceof StateError)) throw e;
    // Popping twice is better than not popping: go on without the memory.
    log.warn(`contact ${contactId}: cannot remember the pop: ${e}`);
  }
  return [Action.clientScreenPop(agentArn, contactId, pop)];
}

function title() {
  return configOr('title', 'Customer record');
}

/**
 * The screen pop for `event`: the record URL if every placeholder of `recordUrl` can be filled,
 * else the search URL if it can, else none. Data: the queue and the channel.
 * @param {import('@streamhooks/plugin-sdk').Event} event
 * @param {string} recordUrl
 * @param {string | undefined} searchUrl
 * @param {string} title
 * @returns {ScreenPop | undefined}
 */
export function screenPop(event, recordUrl, searchUrl, title) {
  const url = fill(recordUrl, event) ?? (searchUrl === undefined ? undefined : fill(searchUrl, event));
  if (url === undefined) return undefined;
  const pop = ScreenPop.url(url).withTitle(title);
  const queue = queueName(event);
  if (queue !== undefined) pop.withData('Queue', queue);
  const ch = channel(event);
  if (ch !== undefined) pop.withData('Channel', ch);
  return pop;
}

/**
 * Fills each `{Name}` of `template` with the contact attribute `Name`, percent-encoded
 * (`{ContactId}` is the contact id unless an attribute has that name). `undefined` when an
 * attribute is missing or empty, or a brace is unclosed.
 * @param {string} template
 * @param {import('@streamhooks/plugin-sdk').Event} event
 * @returns {string | undefined}
 */
export function fill(template, event) {
  let out = '';
  let rest = template;
  for (let open = rest.indexOf('{'); open >= 0; open = rest.indexOf('{')) {
    out += rest.slice(0, open);
    const after = rest.slice(open + 1);
    const close = after.indexOf('}');
    if (close < 0) return undefined;
    const name = after.slice(0, close);
    const builtin = name === 'ContactId' ? event.contactId ?? undefined : undefined;
    const value = attribute(event, name) ?? builtin;
    if (value === undefined || value === '') return undefined;
    out += percentEncode(value);
    rest = after.slice(close + 1);
  }
  return out + rest;
}

const UTF8 = new TextEncoder();
const HEX = '0123456789ABCDEF';

/**
 * RFC 3986 percent-encoding of everything but unreserved characters (of the UTF-8 bytes):
 * attribute values are untrusted and must not change the URL's structure.
 * @param {string} value
 */
export function percentEncode(value) {
  try {
    // encodeURIComponent leaves !'()* as they are; RFC 3986 unreserved characters are only
    // A-Z a-z 0-9 - . _ ~. (Native code: the component's JavaScript engine interprets.)
    return encodeURIComponent(value).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
  } catch {
    // A lone surrogate (URIError): the UTF-8 the host would see has U+FFFD there.
    let out = '';
    for (const b of UTF8.encode(value)) {
      const c = String.fromCharCode(b);
      out += /[A-Za-z0-9\-._~]/.test(c) ? c : '%' + HEX[b >> 4] + HEX[b & 0xf];
    }
    return out;
  }
}
