// @streamhooks/plugin-sdk: write streamhooks handler plugins in JavaScript. See README.md.

export { definePlugin, KINDS, hookName, isAgentKind, isContactKind } from './handler.js';
export { PluginError, StateError } from './error.js';
export { config, configOr, requireConfig, configParse, log, state, RecentSet } from './host.js';
export {
  Action,
  ClientDirective,
  ContactRecording,
  CrmUpdate,
  ScreenPop,
  StartOutboundVoiceContact,
  StartTaskContact,
  StopContact,
  TransferContact,
  UpdateContact,
  grantName,
  pairs,
} from './action.js';
export {
  agentState,
  agentStateName,
  attribute,
  attributes,
  channel,
  eventFromWire,
  exampleEvent,
  initialContactId,
  initiationMethod,
  isChannel,
  label,
  queue,
  queueName,
  requireAgentArn,
  requireAgentId,
  requireContactId,
  EXAMPLE_TIME,
} from './event.js';
export { actionToWire, actionsToWire } from './wire.js';
export { rfc3339, secondsBetween } from './time.js';
export { JsonObject, jsonString } from './json.js';
export { debugString, lines, trimWhitespace } from './rust.js';
