// Constructors and builders for actions, the same as the Rust SDK's. Every action is a WIT
// variant `{tag, val}`. Simple actions have a one-call constructor on `Action`; records with
// optional parts have a builder class (`new StartTaskContact(name).withContactFlow(id)`) that a
// hook may return as is, or turn into an action with `.toAction()`. Everything built here is
// already in the exact form the component hands to the host (see wire.js).

import { actionToWire } from './wire.js';

/**
 * @typedef {import('./index.js').Action} ActionT
 * @typedef {import('./index.js').Pairs} Pairs
 */

/**
 * Key/value pairs from an array of `[key, value]`, a Map or a plain object.
 * @param {Pairs} items
 * @returns {Array<[string, string]>}
 */
export function pairs(items) {
  if (items === undefined || items === null) return [];
  if (typeof (/** @type {any} */ (items)[Symbol.iterator]) === 'function') {
    return Array.from(/** @type {Iterable<[string, string]>} */ (items), (pair) => [pair[0], pair[1]]);
  }
  return Object.entries(items);
}

/**
 * @param {string} tag
 * @param {object} val
 * @returns {ActionT}
 */
const make = (tag, val) => actionToWire({ tag, val });

/** Client directives for `Action.client` (the WIT `client-directive` variant). */
export const ClientDirective = Object.freeze({
  /** `contact.accept()`. */
  accept: () => ({ tag: 'accept' }),
  /** `contact.reject()`. */
  reject: () => ({ tag: 'reject' }),
  /** `connection.hold()` on the customer connection. */
  hold: () => ({ tag: 'hold' }),
  /** `connection.resume()` on the customer connection. */
  resume: () => ({ tag: 'resume' }),
  /** `connection.sendDigits(digits)`. @param {string} digits */
  sendDigits: (digits) => ({ tag: 'send-digits', val: digits }),
  /** `contact.conferenceConnections()`. */
  conference: () => ({ tag: 'conference' }),
  /** `agent.mute()`. */
  mute: () => ({ tag: 'mute' }),
  /** `agent.unmute()`. */
  unmute: () => ({ tag: 'unmute' }),
  /** `agent.setState(state)`, by state name. @param {string} state */
  setState: (state) => ({ tag: 'set-state', val: state }),
  /** Shows a record or data to the agent. @param {ScreenPop | import('./index.js').ScreenPopRecord} pop */
  screenPop: (pop) => ({ tag: 'screen-pop', val: pop instanceof ScreenPop ? pop.toRecord() : pop }),
});

/** The manifest grant of each action type. */
const GRANTS = {
  'put-user-status': 'put_user_status',
  'update-contact-attributes': 'update_contact_attributes',
  'update-contact': 'update_contact',
  'stop-contact': 'stop_contact',
  'transfer-contact': 'transfer_contact',
  'start-task-contact': 'start_task_contact',
  'start-outbound-voice-contact': 'start_outbound_voice_contact',
  'dismiss-user-contact': 'dismiss_user_contact',
  'suspend-contact-recording': 'suspend_contact_recording',
  'resume-contact-recording': 'resume_contact_recording',
  'monitor-contact': 'monitor_contact',
  'tag-contact': 'tag_contact',
  client: 'client',
  crm: 'crm',
  publish: 'publish',
};

/**
 * The action's type as its manifest grant names it (`put_user_status`, `client` ...).
 * @param {ActionT} action
 * @returns {string}
 */
export function grantName(action) {
  const name = /** @type {Record<string, string>} */ (GRANTS)[action.tag];
  if (name === undefined) throw new TypeError(`not an action: ${action?.tag}`);
  return name;
}

/** One-call constructors of actions. */
export const Action = Object.freeze({
  /**
   * Sets an agent's status (PutUserStatus); while the agent handles a contact, this sets the
   * next status. Grant: `put_user_status.statuses`.
   * @param {string} userId the agent: its ARN or user id
   * @param {string} agentStatusId the status: its ARN or id
   */
  putUserStatus: (userId, agentStatusId) => make('put-user-status', { userId, agentStatusId }),

  /**
   * Creates or updates contact attributes (UpdateContactAttributes). Grant:
   * `update_contact_attributes.keys`.
   * @param {string} initialContactId
   * @param {Pairs} attributes `[[key, value]]`, a Map or an object
   */
  updateContactAttributes: (initialContactId, attributes) =>
    make('update-contact-attributes', { initialContactId, attributes: pairs(attributes) }),

  /**
   * Ends a contact (StopContact), with no custom reason. Grant: `stop_contact`.
   * @param {string} contactId
   */
  stopContact: (contactId) => new StopContact(contactId).toAction(),

  /**
   * Creates a task routed by a flow (StartTaskContact); use `StartTaskContact` for links,
   * attributes, references or a schedule. Grant: `start_task_contact.contact_flows`.
   * @param {string} name
   * @param {string} contactFlowId
   */
  startTask: (name, contactFlowId) => new StartTaskContact(name).withContactFlow(contactFlowId).toAction(),

  /**
   * Clears a missed, ended or errored contact from an agent (DismissUserContact). Grant:
   * `dismiss_user_contact`.
   * @param {string} userId
   * @param {string} contactId
   */
  dismissUserContact: (userId, contactId) => make('dismiss-user-contact', { userId, contactId }),

  /**
   * Suspends a contact's call recording. Grant: `suspend_contact_recording`.
   * @param {string} contactId
   * @param {string} initialContactId
   */
  suspendCallRecording: (contactId, initialContactId) =>
    make('suspend-contact-recording', new ContactRecording(contactId, initialContactId, 'call')),

  /**
   * Resumes a contact's call recording. Grant: `resume_contact_recording`.
   * @param {string} contactId
   * @param {string} initialContactId
   */
  resumeCallRecording: (contactId, initialContactId) =>
    make('resume-contact-recording', new ContactRecording(contactId, initialContactId, 'call')),

  /**
   * Suspends a recording (call or screen). Grant: `suspend_contact_recording`.
   * @param {ContactRecording | import('./index.js').ContactRecordingRecord} recording
   */
  suspendContactRecording: (recording) => make('suspend-contact-recording', { ...recording }),

  /**
   * Resumes a recording (call or screen). Grant: `resume_contact_recording`.
   * @param {ContactRecording | import('./index.js').ContactRecordingRecord} recording
   */
  resumeContactRecording: (recording) => make('resume-contact-recording', { ...recording }),

  /**
   * A supervisor monitors a contact (MonitorContact), with capabilities such as
   * `SILENT_MONITOR` or `BARGE`. Grant: `monitor_contact`.
   * @param {string} contactId
   * @param {string} userId
   * @param {Iterable<string>} capabilities
   */
  monitorContact: (contactId, userId, capabilities) =>
    make('monitor-contact', { contactId, userId, capabilities: [...capabilities] }),

  /**
   * Tags a contact (TagContact). Grant: `tag_contact.keys`.
   * @param {string} contactId
   * @param {Pairs} tags
   */
  tagContact: (contactId, tags) => make('tag-contact', { contactId, tags: pairs(tags) }),

  /**
   * A client directive for one agent's browser (run by the forwarder through Streams). Grant:
   * `client` lists the directive names.
   * @param {string} agentArn
   * @param {string | null | undefined} contactId
   * @param {import('./index.js').ClientDirective} directive e.g. `ClientDirective.mute()`
   */
  client: (agentArn, contactId, directive) => make('client', { agentArn, contactId, directive }),

  /**
   * Shows a record or data on an agent's screen (a `screen-pop` client directive). Grant:
   * `client = ["screen-pop"]`.
   * @param {string} agentArn
   * @param {string | null | undefined} contactId
   * @param {ScreenPop | import('./index.js').ScreenPopRecord} screenPop
   */
  clientScreenPop: (agentArn, contactId, screenPop) =>
    Action.client(agentArn, contactId, ClientDirective.screenPop(screenPop)),

  /**
   * Publishes an event to EventBridge for other systems (the host sets the source). Grant:
   * `publish.detail_types`.
   * @param {string} detailType
   * @param {string} detailJson a JSON object (see JsonObject)
   */
  publish: (detailType, detailJson) => make('publish', { detailType, detailJson }),
});

/** Updates a contact's name and/or description (UpdateContact). Grant: `update_contact`. */
export class UpdateContact {
  /** @param {string} contactId */
  constructor(contactId) {
    this.contactId = contactId;
    /** @type {string | undefined} */
    this.name = undefined;
    /** @type {string | undefined} */
    this.description = undefined;
  }

  /** Sets the contact's name. @param {string} name */
  withName(name) {
    this.name = name;
    return this;
  }

  /** Sets the contact's description. @param {string} description */
  withDescription(description) {
    this.description = description;
    return this;
  }

  /** @returns {ActionT} */
  toAction() {
    return make('update-contact', this);
  }
}

/** Ends a contact (StopContact). Grant: `stop_contact`. */
export class StopContact {
  /** @param {string} contactId */
  constructor(contactId) {
    this.contactId = contactId;
    /** @type {string | undefined} */
    this.disconnectReason = undefined;
  }

  /** Sets a custom disconnect reason, where the channel allows one. @param {string} reason */
  withReason(reason) {
    this.disconnectReason = reason;
    return this;
  }

  /** @returns {ActionT} */
  toAction() {
    return make('stop-contact', this);
  }
}

/**
 * Transfers a task or email contact through a flow (TransferContact); add a queue or an agent.
 * Grant: `transfer_contact.queues` / `.users`.
 */
export class TransferContact {
  /**
   * @param {string} contactId
   * @param {string} contactFlowId
   */
  constructor(contactId, contactFlowId) {
    this.contactId = contactId;
    this.contactFlowId = contactFlowId;
    /** @type {string | undefined} */
    this.queueId = undefined;
    /** @type {string | undefined} */
    this.userId = undefined;
  }

  /** Transfers to a queue. @param {string} queueId */
  toQueue(queueId) {
    this.queueId = queueId;
    return this;
  }

  /** Transfers to an agent. @param {string} userId */
  toUser(userId) {
    this.userId = userId;
    return this;
  }

  /** @returns {ActionT} */
  toAction() {
    return make('transfer-contact', this);
  }
}

/**
 * Creates a task (StartTaskContact): add a flow, template or quick connect (one is needed to
 * route it). Grant: `start_task_contact`.
 */
export class StartTaskContact {
  /** @param {string} name the task name, shown to the agent */
  constructor(name) {
    this.name = name;
    /** @type {string | undefined} */
    this.description = undefined;
    /** @type {string | undefined} */
    this.contactFlowId = undefined;
    /** @type {string | undefined} */
    this.taskTemplateId = undefined;
    /** @type {string | undefined} */
    this.quickConnectId = undefined;
    /** @type {string | undefined} */
    this.previousContactId = undefined;
    /** @type {string | undefined} */
    this.relatedContactId = undefined;
    /** @type {Array<[string, string]>} */
    this.attributes = [];
    /** @type {import('./index.js').TaskReference[]} */
    this.references = [];
    /** @type {bigint | undefined} */
    this.scheduledTime = undefined;
  }

  /** Sets the description shown to the agent. @param {string} description */
  withDescription(description) {
    this.description = description;
    return this;
  }

  /** Routes the task through this flow. @param {string} contactFlowId */
  withContactFlow(contactFlowId) {
    this.contactFlowId = contactFlowId;
    return this;
  }

  /** Creates the task from this task template. @param {string} taskTemplateId */
  withTemplate(taskTemplateId) {
    this.taskTemplateId = taskTemplateId;
    return this;
  }

  /** Routes the task through this quick connect. @param {string} quickConnectId */
  withQuickConnect(quickConnectId) {
    this.quickConnectId = quickConnectId;
    return this;
  }

  /** Links the task to a previous contact (it continues that contact). @param {string} contactId */
  withPreviousContact(contactId) {
    this.previousContactId = contactId;
    return this;
  }

  /** Links the task to a related contact (it is about that contact). @param {string} contactId */
  withRelatedContact(contactId) {
    this.relatedContactId = contactId;
    return this;
  }

  /**
   * Adds a contact attribute to the task.
   * @param {string} key
   * @param {string} value
   */
  withAttribute(key, value) {
    this.attributes.push([key, value]);
    return this;
  }

  /**
   * Adds a reference shown with the task; `referenceType` is `URL`, `STRING`, `NUMBER`, `DATE`
   * or `EMAIL`.
   * @param {string} name
   * @param {string} referenceType
   * @param {string} value
   */
  withReference(name, referenceType, value) {
    this.references.push({ name, referenceType, value });
    return this;
  }

  /**
   * Schedules the task for later (epoch milliseconds, a number or a bigint; at most 6 days
   * ahead): e.g. `event.occurredAt + 3_600_000`.
   * @param {number | bigint} time
   */
  scheduledAt(time) {
    if (typeof time === 'number' && Number.isInteger(time)) time = BigInt(time);
    if (typeof time !== 'bigint') {
      throw new TypeError(`scheduledAt: an integer number of epoch milliseconds, got ${String(time)}`);
    }
    this.scheduledTime = time;
    return this;
  }

  /** @returns {ActionT} */
  toAction() {
    return make('start-task-contact', this);
  }
}

/**
 * Places an outbound call to `destinationPhoneNumber` (E.164) that runs a flow
 * (StartOutboundVoiceContact). Grant: `start_outbound_voice_contact.contact_flows` /
 * `.destinations`.
 */
export class StartOutboundVoiceContact {
  /**
   * @param {string} destinationPhoneNumber
   * @param {string} contactFlowId
   */
  constructor(destinationPhoneNumber, contactFlowId) {
    this.destinationPhoneNumber = destinationPhoneNumber;
    this.contactFlowId = contactFlowId;
    /** @type {string | undefined} */
    this.queueId = undefined;
    /** @type {string | undefined} */
    this.sourcePhoneNumber = undefined;
    /** @type {string | undefined} */
    this.relatedContactId = undefined;
    /** @type {Array<[string, string]>} */
    this.attributes = [];
  }

  /** Places the call through this queue (its outbound caller id). @param {string} queueId */
  withQueue(queueId) {
    this.queueId = queueId;
    return this;
  }

  /** Calls from this number. @param {string} number */
  withSourceNumber(number) {
    this.sourcePhoneNumber = number;
    return this;
  }

  /** Links the call to a related contact. @param {string} contactId */
  withRelatedContact(contactId) {
    this.relatedContactId = contactId;
    return this;
  }

  /**
   * Adds a contact attribute to the call.
   * @param {string} key
   * @param {string} value
   */
  withAttribute(key, value) {
    this.attributes.push([key, value]);
    return this;
  }

  /** @returns {ActionT} */
  toAction() {
    return make('start-outbound-voice-contact', this);
  }
}

/**
 * Which recording of which contact: for `Action.suspendContactRecording` /
 * `Action.resumeContactRecording` (or `Action.suspendCallRecording` for calls).
 */
export class ContactRecording {
  /**
   * @param {string} contactId
   * @param {string} initialContactId
   * @param {'call' | 'screen'} recordingType
   */
  constructor(contactId, initialContactId, recordingType) {
    this.contactId = contactId;
    this.initialContactId = initialContactId;
    this.recordingType = recordingType;
  }
}

/** Shows a record or data to the agent (the `screen-pop` client directive). */
export class ScreenPop {
  /**
   * A screen pop that opens `url`.
   * @param {string} url
   */
  static url(url) {
    const pop = new ScreenPop();
    pop.url = url;
    return pop;
  }

  /** An empty screen pop: add a URL, a title or data. */
  constructor() {
    /** @type {string | undefined} */
    this.url = undefined;
    /** @type {string | undefined} */
    this.title = undefined;
    /** @type {Array<[string, string]>} */
    this.data = [];
  }

  /** Sets the title of what is shown. @param {string} title */
  withTitle(title) {
    this.title = title;
    return this;
  }

  /**
   * Adds a key/value pair shown alongside.
   * @param {string} key
   * @param {string} value
   */
  withData(key, value) {
    this.data.push([key, value]);
    return this;
  }

  /** The WIT record. @returns {import('./index.js').ScreenPopRecord} */
  toRecord() {
    return { url: this.url, title: this.title, data: this.data.map(([k, v]) => [k, v]) };
  }
}

/**
 * A CRM write through a connector the operator configured (the plugin never sees its
 * secrets). Grant: `crm.connectors` / `.objects`.
 */
export class CrmUpdate {
  /**
   * Creates or updates the `object` record whose `idField` is `id` (an upsert by external id).
   * @param {string} connector
   * @param {string} object
   * @param {string} idField
   * @param {string} id
   * @param {string} fieldsJson a JSON object (see JsonObject)
   */
  static upsert(connector, object, idField, id, fieldsJson) {
    return new CrmUpdate(connector, object, 'upsert', idField, id, fieldsJson);
  }

  /**
   * Creates a new `object` record.
   * @param {string} connector
   * @param {string} object
   * @param {string} fieldsJson
   */
  static create(connector, object, fieldsJson) {
    return new CrmUpdate(connector, object, 'create', undefined, undefined, fieldsJson);
  }

  /**
   * Updates the `object` record with the CRM id `id`.
   * @param {string} connector
   * @param {string} object
   * @param {string} id
   * @param {string} fieldsJson
   */
  static update(connector, object, id, fieldsJson) {
    return new CrmUpdate(connector, object, 'update', undefined, id, fieldsJson);
  }

  /**
   * @param {string} connector
   * @param {string} object
   * @param {'create' | 'upsert' | 'update'} operation
   * @param {string | undefined} idField
   * @param {string | undefined} id
   * @param {string} fieldsJson
   */
  constructor(connector, object, operation, idField, id, fieldsJson) {
    this.connector = connector;
    this.object = object;
    this.operation = operation;
    this.idField = idField;
    this.id = id;
    this.fieldsJson = fieldsJson;
  }

  /** @returns {ActionT} */
  toAction() {
    return make('crm', this);
  }
}
