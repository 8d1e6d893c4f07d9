// {{name}}: when a voice contact connects to an agent, sets a contact attribute (config
// `attribute`, default `AnsweredBy`) to the agent's id.

import {
  Action,
  configOr,
  definePlugin,
  initialContactId,
  isChannel,
  log,
  requireAgentId,
  requireContactId,
} from '@streamhooks/plugin-sdk';

export default definePlugin({
  onContactConnected(event) {
    const attribute = configOr('attribute', 'AnsweredBy');
    const actions = decide(event, attribute);
    if (actions.length === 0) log.debug('not a voice contact: nothing to do');
    return actions;
  },
});

/**
 * The decision, as a plain function of the event: test it without a host.
 * @param {import('@streamhooks/plugin-sdk').Event} event
 * @param {string} attribute
 */
export function decide(event, attribute) {
  if (!isChannel(event, 'voice')) return [];
  const agentId = requireAgentId(event);
  const contactId = requireContactId(event);
  // Attributes belong to the initial contact of a chain of transfers.
  const initial = initialContactId(event) ?? contactId;
  return [Action.updateContactAttributes(initial, [[attribute, agentId]])];
}
