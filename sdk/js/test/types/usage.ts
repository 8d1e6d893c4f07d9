// Compiled by `npm run typecheck` (tsc --noEmit): the public types accept what the README shows
// and reject what the WIT does not allow.

import {
  Action,
  ClientDirective,
  CrmUpdate,
  JsonObject,
  PluginError,
  RecentSet,
  ScreenPop,
  StartTaskContact,
  StateError,
  attribute,
  config,
  configOr,
  configParse,
  definePlugin,
  exampleEvent,
  log,
  queueName,
  requireAgentArn,
  requireConfig,
  requireContactId,
  rfc3339,
  secondsBetween,
  state,
  type Event,
  type Plugin,
  type WireEvent,
} from '@streamhooks/plugin-sdk';
import { TestHost } from '@streamhooks/plugin-sdk/testing';
import { build } from '@streamhooks/plugin-sdk/build';

const plugin: Plugin = definePlugin({
  onContactConnected(event: Event) {
    const agentArn = requireAgentArn(event);
    const contactId = requireContactId(event);
    if (!state.mark(`popped/${contactId}`)) return [];
    const customer = attribute(event, 'CustomerId');
    if (customer === undefined) {
      log.info(`contact ${contactId} has no CustomerId`);
      return;
    }
    const pop = ScreenPop.url(requireConfig('record_url').replace('{CustomerId}', customer))
      .withTitle('Customer')
      .withData('Queue', queueName(event) ?? 'unknown');
    return [Action.clientScreenPop(agentArn, contactId, pop)];
  },
  onContactMissed(event) {
    const minutes = configParse('callback_minutes', 'u32') ?? 15;
    const when = event.occurredAt + Number(minutes) * 60_000;
    const task = new StartTaskContact('Call back')
      .withContactFlow(configOr('flow', 'flow-1'))
      .withRelatedContact(requireContactId(event))
      .scheduledAt(when);
    return [task, Action.client(requireAgentArn(event), null, ClientDirective.mute())];
  },
  onContactCompleted(event) {
    const seen = RecentSet.load('logged', 200);
    if (!seen.insert(requireContactId(event))) return [];
    try {
      seen.save();
    } catch (e) {
      if (e instanceof StateError) log.warn(`cannot remember: ${e}`);
      else throw e;
    }
    const start = event.contact?.initiatedAt;
    const fields = new JsonObject()
      .string('At', rfc3339(event.occurredAt))
      .optInt('Seconds', start === undefined ? undefined : secondsBetween(start, event.occurredAt))
      .build();
    return [CrmUpdate.upsert('salesforce', 'Task', 'ContactId', requireContactId(event), fields)];
  },
  onOther() {
    throw new PluginError('unknown-kind', 'not handled', { retryable: true });
  },
});

const wire: WireEvent = { ...exampleEvent('contact-connected'), occurredAt: 1_795_165_200_000n, agent: undefined, contact: undefined };
const actions: Action[] = plugin.handle(wire);
const first = actions[0];
if (first?.tag === 'client' && first.val.directive.tag === 'screen-pop') {
  const url: string | null | undefined = first.val.directive.val.url;
  void url;
}

const host = new TestHost({ config: { record_url: 'https://crm/{CustomerId}', retries: 3 } });
const run = host.run(plugin, exampleEvent('contact-connected'));
if (!run.ok) {
  const code: string = run.error.code;
  void code;
}
const text: string | undefined = config('x');
void text;
void build({ out: 'dist' });

// @ts-expect-error: an action's tag must be a WIT case
const wrong: Action = { tag: 'put-user-state', val: { userId: 'a', agentStatusId: 'b' } };
// @ts-expect-error: timestamps of the SDK event are numbers, not bigints
const ts: bigint = exampleEvent('contact-connected').occurredAt;
// @ts-expect-error: a hook name must be a kind's
definePlugin({ onContactConected() {} });
// @ts-expect-error: config values are text
const n: number = requireConfig('n');
void wrong;
void ts;
void n;
