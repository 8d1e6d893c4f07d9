/*
 * ccp-sim.js: a simulated Amazon Connect CCP for amazon-connect-streams.
 *
 * Load sim/ccp.html as the CCP iframe (point connect.core.initCCP's ccpUrl at it). The page
 * answers the iframe-conduit protocol the real CCP speaks (the CCP page relays its shared
 * worker's messages to the embedding page; see README.md):
 *
 *   CCP -> page:  acknowledge {id} on load and after every synchronize (keep-alive);
 *                 agent::update {snapshot, configuration} whenever the agent data changes;
 *                 api_response {requestId, data, err} for every api_request;
 *                 master_response for every master_request;
 *                 the echo {event, data} of every broadcast (this is how contact::accepted,
 *                 agent::mute_toggle, screen sharing ... reach every Streams instance);
 *                 agent::softphone_error, agent::mute_toggle, agent::websocket_connection_*
 *                 when the simulated CCP itself raises them; terminated after terminate.
 *
 * Plain ES5-ish browser JavaScript, no dependencies, no build step. Works in real browsers
 * (postMessage) and in jsdom (whose postMessage neither sets event.source, which Streams'
 * WindowIOStream requires, nor structured-clones; there the sim dispatches the MessageEvent on
 * the parent itself, with source set and the data cloned into the parent's realm).
 */
(function () {
  'use strict';

  var DEFAULT_INSTANCE_ARN = 'arn:aws:connect:us-west-2:111122223333:instance/8a1f2b3c-0000-4000-8000-000000000001';
  var DEFAULT_AGENT_ID = '5d2c7e40-0000-4000-8000-0000000000a1';

  var query = new URLSearchParams(window.location.search);
  var agentArn = query.get('agent') || DEFAULT_INSTANCE_ARN + '/agent/' + DEFAULT_AGENT_ID;
  var arnMatch = /^(arn:[^:]+:connect:[^:]+:[^:]+:instance\/[^/]+)\/agent\/([^/]+)$/.exec(agentArn);
  var instanceArn = arnMatch ? arnMatch[1] : DEFAULT_INSTANCE_ARN;
  var agentId = arnMatch ? arnMatch[2] : DEFAULT_AGENT_ID;
  var agentName = query.get('name') || 'Sam Simulated';
  var username = query.get('username') || 'sam.simulated';
  var initialStateName = query.get('state') || 'Available';

  // ---------------------------------------------------------------- helpers

  var idCounter = 0;
  function uuid() {
    if (window.crypto && typeof window.crypto.randomUUID === 'function') {
      return window.crypto.randomUUID();
    }
    idCounter += 1;
    var hex = (Date.now().toString(16) + idCounter.toString(16) + Math.random().toString(16).slice(2)).replace(/[^0-9a-f]/g, '');
    while (hex.length < 32) hex += '0';
    return hex.slice(0, 8) + '-' + hex.slice(8, 12) + '-4' + hex.slice(13, 16) + '-8' + hex.slice(17, 20) + '-' + hex.slice(20, 32);
  }

  function now() {
    return new Date();
  }

  // Deep copy of JSON-like data that keeps Dates, built with the JSON and Date of `realm`
  // (a window): objects cloned into the parent's realm behave there like structured clones.
  function cloneInto(realm, value) {
    if (value === undefined) return undefined;
    var RealmDate = realm.Date;
    var text = JSON.stringify(value, function (key, v) {
      var original = this[key];
      if (original instanceof Date || Object.prototype.toString.call(original) === '[object Date]') {
        return { __ccpSimDate: original.getTime() };
      }
      return v;
    });
    return realm.JSON.parse(text, function (key, v) {
      if (v && typeof v === 'object' && typeof v.__ccpSimDate === 'number') {
        return new RealmDate(v.__ccpSimDate);
      }
      return v;
    });
  }

  function clone(value) {
    return cloneInto(window, value);
  }

  // ---------------------------------------------------------------- agent configuration

  var stateArnPrefix = instanceArn + '/agent-state/';
  var agentStates = [
    { agentStateARN: stateArnPrefix + '0a6f1b11-0000-4000-8000-00000000a001', type: 'routable', name: 'Available' },
    { agentStateARN: stateArnPrefix + '0a6f1b11-0000-4000-8000-00000000a002', type: 'offline', name: 'Offline' },
    { agentStateARN: stateArnPrefix + '0a6f1b11-0000-4000-8000-00000000a003', type: 'not_routable', name: 'Lunch' }
  ];
  var basicQueue = {
    name: 'BasicQueue',
    queueARN: instanceArn + '/queue/7c1e5a90-0000-4000-8000-00000000b001'
  };
  var agentQueue = {
    name: null,
    queueARN: instanceArn + '/queue/agent/' + agentId
  };
  var routingProfileArn = instanceArn + '/routing-profile/3f0d9e20-0000-4000-8000-00000000c001';
  var quickConnects = [
    {
      endpointARN: instanceArn + '/transfer-destination/2b7c4d10-0000-4000-8000-00000000d001',
      endpointId: instanceArn + '/transfer-destination/2b7c4d10-0000-4000-8000-00000000d001',
      type: 'phone_number',
      name: 'Supervisor desk',
      phoneNumber: '+15555550142',
      agentLogin: null,
      queue: null
    },
    {
      endpointARN: basicQueue.queueARN,
      endpointId: basicQueue.queueARN,
      type: 'queue',
      name: 'BasicQueue',
      phoneNumber: null,
      agentLogin: null,
      queue: basicQueue.queueARN
    }
  ];

  var configuration = {
    agentStates: agentStates,
    agentPreferences: { LANGUAGE: 'en_US', locale: 'en_US' },
    dialableCountries: ['us', 'ca', 'gb'],
    extension: '',
    name: agentName,
    permissions: ['outboundCall', 'voiceId', 'audioDeviceSettings'],
    routingProfile: {
      channelConcurrencyMap: { VOICE: 1, CHAT: 3, TASK: 1, EMAIL: 1 },
      defaultOutboundQueue: { name: basicQueue.name, queueARN: basicQueue.queueARN, queueId: basicQueue.queueARN },
      name: 'Basic Routing Profile',
      queues: [
        { name: basicQueue.name, queueARN: basicQueue.queueARN, queueId: basicQueue.queueARN },
        { name: agentQueue.name, queueARN: agentQueue.queueARN, queueId: agentQueue.queueARN }
      ],
      routingProfileARN: routingProfileArn,
      routingProfileId: routingProfileArn
    },
    softphoneAutoAccept: false,
    softphoneEnabled: true,
    username: username,
    agentARN: agentArn
  };

  function findState(spec) {
    if (!spec) return null;
    var arn = typeof spec === 'object' ? spec.agentStateARN : null;
    var name = typeof spec === 'object' ? spec.name : spec;
    for (var i = 0; i < agentStates.length; i++) {
      if (arn && agentStates[i].agentStateARN === arn) return agentStates[i];
    }
    for (var j = 0; j < agentStates.length; j++) {
      if (name && agentStates[j].name === name) return agentStates[j];
    }
    return null;
  }

  // ---------------------------------------------------------------- agent snapshot state

  var startState = findState(initialStateName) || agentStates[0];
  // The state the agent picked (Available, Offline, Lunch). During a contact the snapshot
  // shows a system state (PendingBusy, Busy, AfterCallWork, CallingCustomer) or an error
  // state (MissedCallAgent) instead, and the agent returns to the picked state (or to the
  // enqueued next state) once the last contact is cleared.
  var selected = startState;
  var agentState = { agentStateARN: startState.agentStateARN, name: startState.name, type: startState.type, startTimestamp: now() };
  var availability = { state: startState.name, timeStamp: now() };
  var nextState = null;
  var contacts = [];

  function setAgentStateRaw(name, type, arn) {
    if (agentState.name === name && agentState.type === type) return;
    agentState = { agentStateARN: arn || null, name: name, type: type, startTimestamp: now() };
  }

  function applySelected() {
    setAgentStateRaw(selected.name, selected.type, selected.agentStateARN);
    availability = { state: selected.name, timeStamp: now() };
  }

  function agentData() {
    var snapshotTimestamp = now();
    var snapshot = {
      state: agentState,
      agentAvailabilityState: availability,
      nextState: nextState,
      snapshotTimestamp: snapshotTimestamp,
      contacts: contacts,
      localTimestamp: Date.now(),
      skew: 0
    };
    var data = clone({ snapshot: snapshot, configuration: configuration });
    // Aliases the CCP's shared worker adds before publishing (ClientEngine.updateAgent).
    data.snapshot.contacts.forEach(function (contact) {
      contact.status = contact.state;
      if (contact.queue) contact.queue.queueId = contact.queue.queueARN;
      contact.connections.forEach(function (connection) {
        connection.address = connection.endpoint;
      });
    });
    return data;
  }

  function findContact(contactId) {
    for (var i = 0; i < contacts.length; i++) {
      if (contacts[i].contactId === contactId) return contacts[i];
    }
    return null;
  }

  function newestContact() {
    return contacts.length ? contacts[contacts.length - 1] : null;
  }

  function agentConnection(contact) {
    for (var i = 0; i < contact.connections.length; i++) {
      if (contact.connections[i].type === 'agent') return contact.connections[i];
    }
    return null;
  }

  function customerConnection(contact) {
    for (var i = 0; i < contact.connections.length; i++) {
      if (contact.connections[i].initial) return contact.connections[i];
    }
    return null;
  }

  function findConnection(contact, connectionId) {
    for (var i = 0; i < contact.connections.length; i++) {
      if (contact.connections[i].connectionId === connectionId) return contact.connections[i];
    }
    return null;
  }

  function setContactStateRaw(contact, type) {
    if (contact.state.type === type) return;
    contact.state = { type: type, timestamp: now() };
  }

  // Connections put on hold or resumed since the last published snapshot; the SDK hold/resume
  // events for them are published right after that snapshot.
  var pendingHoldChanges = [];
  function setConnectionState(connection, type) {
    if (!connection || connection.state.type === type) return;
    var wasHeld = connection.state.type === 'hold';
    connection.state = { type: type, timestamp: now() };
    if ((!wasHeld && type === 'hold') || (wasHeld && type === 'connected')) {
      pendingHoldChanges.push(connection);
    }
  }

  var ACTIVE_CONTACT_STATES = ['incoming', 'pending', 'connecting', 'connected', 'paused'];
  var LIVE_CONNECTION_STATES = ['connecting', 'connected', 'hold', 'silent_monitor', 'barge'];

  function isActive(contact) {
    return ACTIVE_CONTACT_STATES.indexOf(contact.state.type) >= 0;
  }

  // The system state the agent shows while handling contacts, from the busiest contact.
  function refreshAgentActivity() {
    if (contacts.length === 0) {
      if (nextState) {
        var next = findState(nextState) || selected;
        nextState = null;
        selected = next;
      }
      applySelected();
      return;
    }
    var has = function (types) {
      return contacts.some(function (c) { return types.indexOf(c.state.type) >= 0; });
    };
    if (has(['connected', 'paused'])) {
      setAgentStateRaw('Busy', 'system');
    } else if (contacts.some(function (c) { return c.state.type === 'connecting' && c.initiationMethod === 'outbound'; })) {
      setAgentStateRaw('CallingCustomer', 'system');
    } else if (has(['incoming', 'pending', 'connecting'])) {
      setAgentStateRaw('PendingBusy', 'system');
    } else if (has(['ended'])) {
      setAgentStateRaw('AfterCallWork', 'system');
    } else if (has(['missed'])) {
      setAgentStateRaw('MissedCallAgent', 'error');
    } else if (has(['error'])) {
      setAgentStateRaw('Error', 'error');
    } else {
      // only rejected contacts left: the agent is back to what they picked
      applySelected();
    }
  }

  // ---------------------------------------------------------------- transport

  var framed = window.parent && window.parent !== window;
  var useDispatch = query.get('transport') === 'dispatch' ||
    (query.get('transport') !== 'postMessage' && /jsdom/i.test(window.navigator.userAgent || ''));
  var portId = uuid();
  var listeners = [];
  var received = [];

  function notify(change) {
    listeners.slice().forEach(function (listener) {
      try {
        listener(change);
      } catch (e) {
        if (window.console) window.console.error('ccpSim listener failed', e);
      }
    });
  }

  function post(event, data) {
    if (!framed) return;
    var parentWindow = window.parent;
    if (useDispatch) {
      var message = cloneInto(parentWindow, { event: event, data: data });
      var source = window;
      var origin = window.location.origin;
      setTimeout(function () {
        var MessageEventCtor = parentWindow.MessageEvent;
        parentWindow.dispatchEvent(new MessageEventCtor('message', { data: message, source: source, origin: origin }));
      }, 0);
    } else {
      parentWindow.postMessage({ event: event, data: data }, '*');
    }
  }

  function pushAgentUpdate() {
    var data = agentData();
    post('agent::update', data);
    notify({ type: 'update', agent: clone(data) });
    var holdChanges = pendingHoldChanges;
    pendingHoldChanges = [];
    holdChanges.forEach(function (connection) {
      contacts.forEach(function (contact) {
        if (contact.connections.indexOf(connection) >= 0) publishHoldChange(contact, connection);
      });
    });
    render();
  }

  // Every change publishes its own snapshot (so ring() then miss() in one go shows Streams
  // connecting and then missed). Changes made while answering an API request are published
  // right after the api_response, as the real CCP's long poll returns after the call.
  var answering = 0;
  var pushAfterAnswer = false;
  function changed() {
    if (answering > 0) {
      pushAfterAnswer = true;
      return;
    }
    pushAgentUpdate();
  }

  function emit(event, data) {
    post(event, data);
    notify({ type: 'event', event: event, data: clone(data) });
  }

  // ---------------------------------------------------------------- service errors

  function serviceError(type, message) {
    var error = new Error(message || type);
    error.serviceType = type;
    return error;
  }

  var STATUS_CODES = { UnauthorizedException: 401, AccessDeniedException: 403 };

  // What the CCP's shared worker sends for a failed AWS call: the formatted error, JSON
  // encoded (ClientEngine.handleAPIRequest / AWSClient._formatCallError).
  function formatError(type, message) {
    return JSON.stringify({
      type: type,
      message: message || type,
      stack: [],
      retryStatus: 'none',
      statusCode: STATUS_CODES[type] || 400
    });
  }

  // ---------------------------------------------------------------- contacts

  function makeAgentConnection(stateType) {
    return {
      connectionId: uuid(),
      endpoint: { endpointARN: null, endpointId: null, type: 'agent', name: null, phoneNumber: null, agentLogin: null, queue: null },
      initial: false,
      state: { type: stateType, timestamp: now() },
      type: 'agent',
      mute: false,
      forcedMute: false,
      softphoneMediaInfo: {
        callType: 'audio_only',
        autoAccept: false,
        mediaLegContextToken: 'sim-media-leg-' + uuid(),
        callContextToken: 'sim-call-context-' + uuid(),
        callConfigJson: '{}'
      },
      monitoringInfo: null,
      quickConnectName: null,
      capabilities: null
    };
  }

  function makeCustomerConnection(type, phoneNumber, stateType) {
    return {
      connectionId: uuid(),
      endpoint: { endpointARN: null, endpointId: null, type: 'phone_number', name: null, phoneNumber: phoneNumber, agentLogin: null, queue: null },
      initial: true,
      state: { type: stateType, timestamp: now() },
      type: type,
      mute: false,
      forcedMute: false,
      monitoringInfo: null,
      quickConnectName: null,
      capabilities: null
    };
  }

  function toAttributes(attributes) {
    var out = {};
    Object.keys(attributes || {}).forEach(function (key) {
      var value = attributes[key];
      if (value && typeof value === 'object' && 'value' in value) {
        out[key] = { name: key, value: value.value };
      } else {
        out[key] = { name: key, value: value == null ? null : String(value) };
      }
    });
    return out;
  }

  function findQueue(name) {
    if (!name || name === basicQueue.name) return { name: basicQueue.name, queueARN: basicQueue.queueARN };
    return { name: name, queueARN: instanceArn + '/queue/' + name };
  }

  function makeContact(options) {
    var contactId = options.contactId || uuid();
    var timestamp = now();
    var contactState = options.state || 'connecting';
    var type = options.type || 'voice';
    var agentConn = makeAgentConnection(options.agentConnectionState || 'connecting');
    if (type !== 'voice' && type !== 'queue_callback') {
      delete agentConn.softphoneMediaInfo;
    }
    var customer = makeCustomerConnection(options.initiationMethod === 'outbound' ? 'outbound' : 'inbound',
      options.phoneNumber || '+15555550100', options.customerConnectionState || 'connected');
    return {
      contactId: contactId,
      initialContactId: options.initialContactId || contactId,
      relatedContactId: options.relatedContactId || null,
      contactAssociationId: null,
      type: type,
      state: { type: contactState, timestamp: timestamp },
      initiationMethod: options.initiationMethod || 'inbound',
      queue: findQueue(options.queueName),
      queueTimestamp: timestamp,
      attributes: toAttributes(options.attributes),
      connections: [agentConn, customer],
      contactDuration: '0',
      name: options.name || null,
      description: null,
      references: {},
      contactFeatures: {
        attachmentsEnabled: false,
        messagingMarkdownEnabled: false,
        multiPartyConferenceEnabled: false,
        screenRecordingEnabled: false
      },
      channelContext: {},
      segmentAttributes: {}
    };
  }

  function requireContact(contactId) {
    var contact = findContact(contactId);
    if (!contact) throw serviceError('InvalidStateException', 'Contact ' + contactId + ' does not exist for this agent');
    return contact;
  }

  function acceptImpl(contact) {
    if (['incoming', 'pending', 'connecting'].indexOf(contact.state.type) < 0) {
      throw serviceError('InvalidStateException', 'Contact ' + contact.contactId + ' is ' + contact.state.type + ', not offered');
    }
    setConnectionState(agentConnection(contact), 'connected');
    setConnectionState(customerConnection(contact), 'connected');
    setContactStateRaw(contact, 'connected');
    refreshAgentActivity();
  }

  function endContact(contact) {
    contact.connections.forEach(function (connection) {
      setConnectionState(connection, 'disconnected');
    });
    setContactStateRaw(contact, 'ended');
    refreshAgentActivity();
  }

  function removeContact(contact) {
    contacts = contacts.filter(function (c) { return c !== contact; });
    refreshAgentActivity();
  }

  function clearImpl(contact) {
    if (isActive(contact)) {
      throw serviceError('InvalidStateException', 'Contact ' + contact.contactId + ' is still ' + contact.state.type);
    }
    removeContact(contact);
  }

  // The agent picks a state (the CCP's status menu, or agent.setState through Streams).
  function putStateImpl(stateSpec, enqueue) {
    var state = findState(stateSpec);
    if (!state) {
      throw serviceError('InvalidStateException', 'Unknown agent state ' + JSON.stringify(stateSpec));
    }
    if (enqueue && contacts.length > 0) {
      nextState = { agentStateARN: state.agentStateARN, name: state.name, type: state.type };
      return;
    }
    nextState = null;
    selected = state;
    // Picking a state closes missed and rejected contacts, as the CCP does.
    contacts = contacts.filter(function (c) { return ['missed', 'rejected', 'error'].indexOf(c.state.type) < 0; });
    if (contacts.length === 0) {
      applySelected();
    } else {
      availability = { state: state.name, timeStamp: now() };
      refreshAgentActivity();
    }
  }

  // ---------------------------------------------------------------- API requests

  var calls = [];
  var failures = {};

  function page(list) {
    return list.slice();
  }

  var api = {
    getAgentSnapshot: function () {
      var data = agentData();
      return { snapshot: data.snapshot, nextToken: 'sim-' + uuid() };
    },
    getAgentConfiguration: function () {
      return { configuration: clone(configuration) };
    },
    getAgentStates: function () {
      return { states: page(agentStates), nextToken: null };
    },
    getAgentPermissions: function () {
      return { permissions: page(configuration.permissions), nextToken: null };
    },
    getDialableCountryCodes: function () {
      return { countryCodes: page(configuration.dialableCountries), nextToken: null };
    },
    getRoutingProfileQueues: function () {
      return { queues: page(configuration.routingProfile.queues), nextToken: null };
    },
    getEndpoints: function () {
      return { endpoints: page(quickConnects), nextToken: null };
    },
    updateAgentConfiguration: function (params) {
      var c = params.configuration || {};
      ['agentPreferences', 'extension', 'softphoneAutoAccept', 'softphoneEnabled'].forEach(function (key) {
        if (key in c) configuration[key] = clone(c[key]);
      });
      changed();
      return {};
    },
    putAgentState: function (params) {
      putStateImpl(params.state, params.enqueueNextState);
      changed();
      return {};
    },
    acceptContact: function (params) {
      var contact = requireContact(params.contactId);
      acceptImpl(contact);
      // Streams broadcasts contact::accepted after this call succeeds; the snapshot that shows
      // the contact connected is published after that echo (as the real long poll returns
      // later than the accept call), or after a moment when no broadcast follows.
      deferUntilAccepted(contact.contactId);
      return {};
    },
    rejectContact: function (params) {
      var contact = requireContact(params.contactId);
      if (['incoming', 'pending', 'connecting'].indexOf(contact.state.type) < 0) {
        throw serviceError('InvalidStateException', 'Contact ' + contact.contactId + ' is ' + contact.state.type + ', not offered');
      }
      contact.connections.forEach(function (connection) {
        setConnectionState(connection, 'disconnected');
      });
      setContactStateRaw(contact, 'rejected');
      refreshAgentActivity();
      changed();
      return {};
    },
    clearContact: function (params) {
      clearImpl(requireContact(params.contactId));
      changed();
      return {};
    },
    completeContact: function (params) {
      clearImpl(requireContact(params.contactId));
      changed();
      return {};
    },
    destroyContact: function (params) {
      var contact = requireContact(params.contactId);
      endContact(contact);
      changed();
      return {};
    },
    destroyConnection: function (params) {
      var contact = requireContact(params.contactId);
      var connection = findConnection(contact, params.connectionId);
      if (!connection || LIVE_CONNECTION_STATES.indexOf(connection.state.type) < 0) {
        throw serviceError('InvalidStateException', 'Connection ' + params.connectionId + ' is not active');
      }
      if (connection.type === 'agent' || connection.initial) {
        if (contact.state.type === 'connecting' || contact.state.type === 'incoming' || contact.state.type === 'pending') {
          contact.connections.forEach(function (c) { setConnectionState(c, 'disconnected'); });
          setContactStateRaw(contact, 'rejected');
          refreshAgentActivity();
        } else {
          endContact(contact);
        }
      } else {
        setConnectionState(connection, 'disconnected');
        // with the third party gone the customer is back with the agent
        var customer = customerConnection(contact);
        if (customer && customer.state.type === 'hold') setConnectionState(customer, 'connected');
      }
      changed();
      return {};
    },
    holdConnection: function (params) {
      var contact = requireContact(params.contactId);
      var connection = findConnection(contact, params.connectionId);
      if (!connection || connection.state.type !== 'connected') {
        throw serviceError('InvalidStateException', 'Connection ' + params.connectionId + ' is not connected');
      }
      setConnectionState(connection, 'hold');
      changed();
      return {};
    },
    resumeConnection: function (params) {
      var contact = requireContact(params.contactId);
      var connection = findConnection(contact, params.connectionId);
      if (!connection || connection.state.type !== 'hold') {
        throw serviceError('InvalidStateException', 'Connection ' + params.connectionId + ' is not on hold');
      }
      setConnectionState(connection, 'connected');
      changed();
      return {};
    },
    toggleActiveConnections: function (params) {
      var contact = requireContact(params.contactId);
      var others = contact.connections.filter(function (c) {
        return c.type !== 'agent' && (c.state.type === 'connected' || c.state.type === 'hold');
      });
      if (others.length < 2) {
        throw serviceError('InvalidStateException', 'Contact ' + contact.contactId + ' has no connections to swap');
      }
      others.forEach(function (c) {
        setConnectionState(c, c.state.type === 'hold' ? 'connected' : 'hold');
      });
      changed();
      return {};
    },
    conferenceConnections: function (params) {
      var contact = requireContact(params.contactId);
      var held = contact.connections.filter(function (c) { return c.type !== 'agent' && c.state.type === 'hold'; });
      if (held.length === 0) {
        throw serviceError('InvalidStateException', 'Contact ' + contact.contactId + ' has no held connection to join');
      }
      held.forEach(function (c) { setConnectionState(c, 'connected'); });
      changed();
      return {};
    },
    createAdditionalConnection: function (params) {
      var contact = requireContact(params.contactId);
      if (contact.state.type !== 'connected') {
        throw serviceError('InvalidStateException', 'Contact ' + contact.contactId + ' is not connected');
      }
      var endpoint = params.endpoint || {};
      contact.connections.forEach(function (c) {
        if (c.type !== 'agent' && c.state.type === 'connected') setConnectionState(c, 'hold');
      });
      var third = makeCustomerConnection('outbound', endpoint.phoneNumber || null, 'connecting');
      third.initial = false;
      third.endpoint = {
        endpointARN: endpoint.endpointARN || null,
        endpointId: endpoint.endpointARN || null,
        type: endpoint.type || 'phone_number',
        name: endpoint.name || null,
        phoneNumber: endpoint.phoneNumber || null,
        agentLogin: endpoint.agentLogin || null,
        queue: endpoint.queue || null
      };
      third.quickConnectName = endpoint.name || null;
      contact.connections.push(third);
      changed();
      return {};
    },
    createOutboundContact: function (params) {
      if (contacts.some(isActive)) {
        throw serviceError('InvalidStateException', 'Agent is already handling a contact');
      }
      var endpoint = params.endpoint || {};
      var contact = makeContact({
        initiationMethod: 'outbound',
        state: 'connecting',
        agentConnectionState: 'connected',
        customerConnectionState: 'connecting',
        phoneNumber: endpoint.phoneNumber || null,
        queueName: basicQueue.name,
        relatedContactId: params.relatedContactId
      });
      contacts.push(contact);
      refreshAgentActivity();
      changed();
      return {};
    },
    sendDigits: function (params) {
      var contact = requireContact(params.contactId);
      var connection = findConnection(contact, params.connectionId);
      if (!connection || LIVE_CONNECTION_STATES.indexOf(connection.state.type) < 0) {
        throw serviceError('InvalidStateException', 'Connection ' + params.connectionId + ' is not active');
      }
      if (!/^[0-9*#,]+$/.test(String(params.digits || ''))) {
        throw serviceError('InvalidStateException', 'Invalid digits');
      }
      return {};
    },
    muteParticipant: function (params) {
      var contact = requireContact(params.contactId);
      var connection = findConnection(contact, params.connectionId);
      if (!connection) throw serviceError('InvalidStateException', 'No connection ' + params.connectionId);
      connection.mute = true;
      changed();
      return {};
    },
    unmuteParticipant: function (params) {
      var contact = requireContact(params.contactId);
      var connection = findConnection(contact, params.connectionId);
      if (!connection) throw serviceError('InvalidStateException', 'No connection ' + params.connectionId);
      connection.mute = false;
      changed();
      return {};
    },
    updateContactAttributes: function (params) {
      var contact = requireContact(params.contactId);
      var attrs = toAttributes(params.attributes);
      Object.keys(attrs).forEach(function (key) { contact.attributes[key] = attrs[key]; });
      changed();
      return {};
    },
    notifyContactIssue: function (params) {
      requireContact(params.contactId);
      return {};
    },
    sendClientLogs: function () { return {}; },
    sendSoftphoneCallReport: function () { return {}; },
    sendSoftphoneCallMetrics: function () { return {}; }
  };

  var acceptTimers = {};
  function deferUntilAccepted(contactId) {
    acceptTimers[contactId] = setTimeout(function () {
      delete acceptTimers[contactId];
      changed();
    }, 50);
  }
  function acceptedEchoed(contactId) {
    if (acceptTimers[contactId] !== undefined) {
      clearTimeout(acceptTimers[contactId]);
      delete acceptTimers[contactId];
      changed();
    }
  }

  function handleApiRequest(request) {
    var method = request.method;
    var params = clone(request.params) || {};
    calls.push({ method: method, params: params });
    notify({ type: 'request', method: method, params: clone(params) });
    var response = { event: 'api_response', requestId: request.requestId, data: null, err: null };
    var queued = failures[method];
    if (queued && queued.length) {
      var failure = queued.shift();
      response.err = formatError(failure.type || 'InvalidStateException', failure.message);
    } else if (!Object.prototype.hasOwnProperty.call(api, method)) {
      // What the shared worker answers for a method its AWS client does not have.
      var message = 'No such method exists on AWS client: ' + method;
      response.err = JSON.stringify(new Error(message));
      response.data = { message: message };
    } else {
      answering += 1;
      try {
        response.data = api[method](params);
      } catch (e) {
        if (!e.serviceType) throw e;
        response.err = formatError(e.serviceType, e.message);
      } finally {
        answering -= 1;
      }
    }
    post('api_response', response);
    notify({ type: 'response', method: method, data: clone(response.data), err: response.err });
    if (pushAfterAnswer && answering === 0) {
      pushAfterAnswer = false;
      pushAgentUpdate();
    }
  }

  var masters = {};
  function handleMasterRequest(request) {
    var topic = request.params && request.params.topic;
    var data;
    if (request.method === 'becomeMaster') {
      masters[topic] = portId;
      data = { masterId: portId, takeOver: false, topic: topic };
    } else if (request.method === 'checkMaster') {
      if (!masters[topic] && !(request.params && request.params.shouldNotBecomeMasterIfNone)) {
        masters[topic] = portId;
      }
      data = { masterId: masters[topic] || null, isMaster: masters[topic] === portId, topic: topic };
    } else {
      return;
    }
    post('master_response', { event: 'master_response', requestId: request.requestId, data: data, err: null });
  }

  function hasLiveVoiceCall() {
    return contacts.some(function (c) {
      return (c.type === 'voice' || c.type === 'queue_callback') && (c.state.type === 'connected' || c.state.type === 'paused');
    });
  }

  function handleBroadcast(payload) {
    if (!payload || typeof payload.event !== 'string') return;
    if (payload.event === 'mute') {
      // agent.mute()/unmute(): the CCP's softphone manager toggles the local microphone of the
      // live call and tells everyone; with no live softphone call it does nothing.
      if (hasLiveVoiceCall()) {
        emit('agent::mute_toggle', { muted: !!(payload.data && payload.data.mute) });
      }
      return;
    }
    post(payload.event, payload.data);
    var accepted = /^contact::accepted::(.+)$/.exec(payload.event);
    if (accepted) acceptedEchoed(accepted[1]);
  }

  var loggedOut = false;

  function onMessage(evt) {
    if (!framed) return;
    if (evt.source && evt.source !== window.parent) return;
    var message = evt.data;
    if (!message || typeof message.event !== 'string') return;
    var event = message.event;
    var data = message.data;
    if (event !== 'synchronize' && event !== 'log' && event !== 'server_bound_internal_log') {
      received.push({ event: event, data: clone(data) });
      if (received.length > 500) received.shift();
    }
    switch (event) {
      case 'synchronize':
        if (!loggedOut) post('acknowledge');
        break;
      case 'api_request':
        handleApiRequest(data);
        break;
      case 'master_request':
        handleMasterRequest(data);
        break;
      case 'broadcast':
        handleBroadcast(data);
        break;
      case 'reload_agent_configuration':
        changed();
        break;
      case 'terminate':
        post('terminated');
        break;
      default:
        // configure, outer_context_info, iframe_style, tab_id, logs, metrics: nothing to answer
        break;
    }
  }

  window.addEventListener('message', onMessage);

  // ---------------------------------------------------------------- Amazon Connect SDK channel
  //
  // Streams 2.x also embeds the Amazon Connect SDK (@amazon-connect/site-streams): the page's
  // StreamsSiteProxy waits for a window message {type: 'cross-domain-adapter-init'} from the
  // CCP iframe carrying a MessagePort, answers 'cross-domain-site-ready' on the port, and
  // expects {type: 'acknowledge', connectionId, healthCheckInterval}. After that it sends
  // subscribe/unsubscribe/request/healthCheck messages and receives publish/response messages.
  // voiceConnection.onParticipantHold/onParticipantResume subscribe to
  // {namespace: 'aws.connect.voice', key: 'voice/participantHold' | 'voice/participantResume',
  // parameter: connectionId} this way; the sim publishes those when a connection is held or
  // resumed. Requests (voice client commands) are answered with an error response.

  var sdkPort = null;
  var sdkSubscriptions = [];
  var sdkHealthCounter = 0;

  function sdkSend(message) {
    if (!sdkPort) return;
    if (sdkPort.simDeliver) {
      sdkPort.simDeliver(message);
    } else {
      sdkPort.postMessage(message);
    }
  }

  function sameTopic(a, b) {
    return a.namespace === b.namespace && a.key === b.key && (a.parameter || null) === (b.parameter || null);
  }

  function sdkOnMessage(message) {
    if (!message || typeof message.type !== 'string') return;
    if (message.type !== 'log' && message.type !== 'metric' && message.type !== 'healthCheck') {
      received.push({ event: 'sdk:' + message.type, data: message });
      if (received.length > 500) received.shift();
    }
    switch (message.type) {
      case 'cross-domain-site-ready':
        sdkSend({ type: 'acknowledge', connectionId: uuid(), status: 'ready', healthCheckInterval: 0 });
        break;
      case 'subscribe':
        sdkSubscriptions.push({ topic: message.topic, handlerId: message.handlerId });
        break;
      case 'unsubscribe':
        sdkSubscriptions = sdkSubscriptions.filter(function (s) { return !sameTopic(s.topic, message.topic); });
        break;
      case 'healthCheck':
        sdkHealthCounter += 1;
        sdkSend({ type: 'healthCheckResponse', time: Date.now(), counter: sdkHealthCounter });
        break;
      case 'request':
        sdkSend({
          type: 'response',
          requestId: message.requestId,
          namespace: message.namespace,
          isError: true,
          errorKey: 'notSupportedBySimulator',
          reason: 'The simulated CCP does not implement ' + message.namespace + ' ' + message.command,
          details: { command: message.command }
        });
        break;
      default:
        // log, metric: nothing to answer
        break;
    }
  }

  function sdkPublish(namespace, key, parameter, data) {
    sdkSubscriptions.forEach(function (s) {
      if (s.topic.namespace !== namespace || s.topic.key !== key) return;
      if (s.topic.parameter && s.topic.parameter !== parameter) return;
      sdkSend({ type: 'publish', topic: s.topic, data: data, handlerId: s.handlerId });
    });
    notify({ type: 'event', event: namespace + ' ' + key, data: clone(data) });
  }

  function publishHoldChange(contact, connection) {
    var onHold = connection.state.type === 'hold';
    sdkPublish('aws.connect.voice', onHold ? 'voice/participantHold' : 'voice/participantResume', connection.connectionId, {
      participantId: connection.connectionId,
      contactId: contact.contactId,
      isOnHold: onHold
    });
  }

  function sdkConnect() {
    if (!framed) return;
    var parentWindow = window.parent;
    if (useDispatch) {
      // jsdom has no MessageChannel and no transfer: a port-like object that the page's proxy
      // drives through onmessage/postMessage, delivering asynchronously and cloned per realm.
      var port = {
        onmessage: null,
        postMessage: function (message) {
          var copy = clone(message);
          setTimeout(function () { sdkOnMessage(copy); }, 0);
        },
        start: function () {},
        close: function () { sdkPort = null; },
        simDeliver: function (message) {
          var copy = cloneInto(parentWindow, message);
          var self = this;
          setTimeout(function () {
            if (typeof self.onmessage === 'function') self.onmessage({ data: copy });
          }, 0);
        }
      };
      sdkPort = port;
      var init = cloneInto(parentWindow, { type: 'cross-domain-adapter-init' });
      var source = window;
      var origin = window.location.origin;
      setTimeout(function () {
        var evt = new parentWindow.MessageEvent('message', { data: init, source: source, origin: origin });
        Object.defineProperty(evt, 'ports', { value: [port] });
        parentWindow.dispatchEvent(evt);
      }, 0);
    } else if (typeof window.MessageChannel === 'function') {
      var channel = new window.MessageChannel();
      sdkPort = channel.port1;
      channel.port1.onmessage = function (evt) { sdkOnMessage(evt.data); };
      parentWindow.postMessage({ type: 'cross-domain-adapter-init' }, '*', [channel.port2]);
    }
  }

  // ---------------------------------------------------------------- driver API

  function contactFor(contactId) {
    var contact = contactId ? findContact(contactId) : newestContact();
    if (!contact) throw new Error('ccpSim: no contact ' + (contactId || '(none yet)'));
    return contact;
  }

  function act(fn) {
    try {
      fn();
    } catch (e) {
      if (e.serviceType) throw new Error('ccpSim: ' + e.message);
      throw e;
    }
    changed();
  }

  var sim = {
    agentArn: agentArn,
    instanceArn: instanceArn,
    agentStates: clone(agentStates),
    queue: clone(basicQueue),
    calls: calls,
    received: received,

    /** Offer an inbound contact to the agent; returns its contactId. */
    ring: function (options) {
      var opts = options || {};
      if (!opts.force) {
        if (agentState.type !== 'routable') {
          throw new Error('ccpSim.ring: the agent is ' + agentState.name + ', not routable (pass force: true to offer anyway)');
        }
      }
      if (opts.contactId && findContact(opts.contactId)) {
        throw new Error('ccpSim.ring: contact ' + opts.contactId + ' exists already');
      }
      var contact = makeContact({
        contactId: opts.contactId,
        type: opts.type || 'voice',
        queueName: opts.queueName || 'BasicQueue',
        attributes: opts.attributes || {},
        phoneNumber: opts.phoneNumber || '+15555550100',
        state: opts.state || 'connecting',
        name: opts.name
      });
      contacts.push(contact);
      refreshAgentActivity();
      changed();
      return contact.contactId;
    },

    /** The agent accepts in the CCP's own UI (Streams in the page then fires accepted). */
    accept: function (contactId) {
      var contact = contactFor(contactId);
      try {
        acceptImpl(contact);
      } catch (e) {
        throw new Error('ccpSim: ' + e.message);
      }
      // The CCP's contact.accept() broadcasts accepted when acceptContact succeeds; the snapshot
      // showing the contact connected comes after that.
      emit('contact::accepted', { contactId: contact.contactId });
      emit('contact::accepted::' + contact.contactId, { contactId: contact.contactId });
      changed();
      return contact.contactId;
    },

    /** The customer hangs up: a live contact ends (agent in AfterCallWork); a ringing one disappears. */
    customerHangUp: function (contactId) {
      var contact = contactFor(contactId);
      act(function () {
        if (contact.state.type === 'connected' || contact.state.type === 'paused') {
          endContact(contact);
        } else if (isActive(contact)) {
          removeContact(contact);
        } else {
          throw new Error('ccpSim.customerHangUp: contact ' + contact.contactId + ' is ' + contact.state.type);
        }
      });
      return contact.contactId;
    },

    /** The offer times out: the contact is missed and the agent goes to MissedCallAgent. */
    miss: function (contactId) {
      var contact = contactFor(contactId);
      act(function () {
        if (['incoming', 'pending', 'connecting'].indexOf(contact.state.type) < 0) {
          throw new Error('ccpSim.miss: contact ' + contact.contactId + ' is ' + contact.state.type + ', not offered');
        }
        contact.connections.forEach(function (c) { setConnectionState(c, 'disconnected'); });
        setContactStateRaw(contact, 'missed');
        refreshAgentActivity();
      });
      return contact.contactId;
    },

    /** The outbound call's customer answers (after agent.connect()). */
    customerAnswers: function (contactId) {
      var contact = contactFor(contactId);
      act(function () {
        setConnectionState(customerConnection(contact), 'connected');
        setConnectionState(agentConnection(contact), 'connected');
        setContactStateRaw(contact, 'connected');
        refreshAgentActivity();
      });
      return contact.contactId;
    },

    /** A third party added with contact.addConnection() answers. */
    thirdPartyAnswers: function (contactId) {
      var contact = contactFor(contactId);
      act(function () {
        contact.connections.forEach(function (c) {
          if (!c.initial && c.type !== 'agent' && c.state.type === 'connecting') setConnectionState(c, 'connected');
        });
      });
      return contact.contactId;
    },

    /** The agent clears the contact in the CCP (ends After Call Work). */
    clear: function (contactId) {
      var contact = contactFor(contactId);
      act(function () { clearImpl(contact); });
      return contact.contactId;
    },

    /** The agent holds / resumes the customer from the CCP's UI. */
    hold: function (contactId) {
      var contact = contactFor(contactId);
      act(function () {
        var customer = customerConnection(contact);
        if (!customer || customer.state.type !== 'connected') throw new Error('ccpSim.hold: customer is not connected');
        setConnectionState(customer, 'hold');
      });
    },
    resume: function (contactId) {
      var contact = contactFor(contactId);
      act(function () {
        var customer = customerConnection(contact);
        if (!customer || customer.state.type !== 'hold') throw new Error('ccpSim.resume: customer is not on hold');
        setConnectionState(customer, 'connected');
      });
    },

    /** Escape hatch: set a contact's state type (incoming, pending, connecting, connected, error ...). */
    setContactState: function (contactId, type) {
      var contact = contactFor(contactId);
      act(function () {
        setContactStateRaw(contact, type);
        refreshAgentActivity();
      });
    },

    /** The contact fails (state error): Streams fires contact error (and missed if it was offered). */
    contactError: function (contactId) {
      return sim.setContactState(contactId, 'error');
    },

    /** The agent picks a state in the CCP's status menu (by name or {agentStateARN}). */
    setAgentState: function (state) {
      act(function () { putStateImpl(state, false); });
    },

    /** The agent picks a next state during a contact (enqueued until the contacts are cleared). */
    enqueueNextState: function (state) {
      act(function () { putStateImpl(state, true); });
    },

    offline: function () {
      sim.setAgentState('Offline');
    },

    /** A softphone error raised by the CCP's softphone manager. */
    softphoneError: function (errorType, errorMessage, endPointUrl) {
      emit('agent::softphone_error', {
        errorType: errorType || 'microphone_not_shared',
        errorMessage: errorMessage || 'Your microphone is not enabled in your browser. ',
        endPointUrl: endPointUrl || ''
      });
    },

    /** The agent toggles mute in the CCP. */
    mute: function (muted) {
      emit('agent::mute_toggle', { muted: muted === undefined ? true : !!muted });
    },

    webSocketLost: function () {
      emit('agent::websocket_connection_lost', { reason: 'simulated' });
    },
    webSocketGained: function () {
      emit('agent::websocket_connection_gained');
    },

    /** Screen sharing events for a contact: kind is 'started', 'stopped' or 'error'. */
    screenSharing: function (contactId, kind) {
      var contact = contactFor(contactId);
      var event = { started: 'contact::screen_sharing_started', stopped: 'contact::screen_sharing_stopped', error: 'contact::screen_sharing_error' }[kind || 'started'];
      if (!event) throw new Error('ccpSim.screenSharing: kind is started, stopped or error');
      emit(event, { contactId: contact.contactId });
    },

    /** Escape hatch: send any conduit event ({event, data}) to the page as the CCP would. */
    emit: function (event, data) {
      emit(event, data);
    },

    /** Publish the agent data again without a change (Streams fires refresh events). */
    refresh: function () {
      pushAgentUpdate();
    },

    /** Make the next `method` API request fail with {type, message} (queued, one per call). */
    failNext: function (method, error) {
      var err = error || {};
      (failures[method] = failures[method] || []).push({ type: err.type || 'InvalidStateException', message: err.message });
    },

    /** The current agent data ({snapshot, configuration}), as Streams will see it. */
    snapshot: function () {
      return agentData();
    },

    /** listener({type: 'update'|'request'|'response'|'event', ...}); returns an unsubscribe function. */
    on: function (listener) {
      listeners.push(listener);
      return function () {
        listeners = listeners.filter(function (l) { return l !== listener; });
      };
    },

    /** Simulate a CCP logout: the keep-alive stops being acknowledged. */
    logout: function () {
      loggedOut = true;
    }
  };

  window.ccpSim = sim;

  // ---------------------------------------------------------------- UI

  function text(el, value) {
    if (el) el.textContent = value;
  }

  function render() {
    var doc = window.document;
    if (!doc || !doc.getElementById('agent-state')) return;
    text(doc.getElementById('agent-name'), agentName + ' (' + username + ')');
    var stateEl = doc.getElementById('agent-state');
    text(stateEl, agentState.name + (nextState ? ' \u2192 ' + nextState.name : ''));
    stateEl.setAttribute('data-state', agentState.name);
    stateEl.setAttribute('data-type', agentState.type);
    var list = doc.getElementById('contacts');
    while (list.firstChild) list.removeChild(list.firstChild);
    contacts.forEach(function (contact) {
      var li = doc.createElement('li');
      li.setAttribute('data-contact-id', contact.contactId);
      li.setAttribute('data-state', contact.state.type);
      var customer = customerConnection(contact);
      li.textContent = contact.type + ' ' + contact.contactId + ' ' + contact.state.type +
        (customer ? ' (customer ' + customer.state.type + ')' : '');
      list.appendChild(li);
    });
  }

  function button(id, fn) {
    var el = window.document.getElementById(id);
    if (!el) return;
    el.addEventListener('click', function () {
      try {
        fn();
      } catch (e) {
        text(window.document.getElementById('sim-error'), e.message);
        return;
      }
      text(window.document.getElementById('sim-error'), '');
    });
  }

  function wireUi() {
    button('ring', function () { sim.ring({ attributes: { CustomerId: 'C-1001' } }); });
    button('accept', function () { sim.accept(); });
    button('hangup', function () { sim.customerHangUp(); });
    button('clear', function () { sim.clear(); });
    button('available', function () { sim.setAgentState('Available'); });
    button('lunch', function () { sim.setAgentState('Lunch'); });
    button('offline', function () { sim.offline(); });
    render();
  }

  if (window.document.readyState === 'loading') {
    window.document.addEventListener('DOMContentLoaded', wireUi);
  } else {
    wireUi();
  }

  // The shared worker acknowledges a new port at once; Streams in the page waits for this
  // first acknowledge (with the port id) before it sends anything, then gets the agent data.
  post('acknowledge', { id: portId });
  pushAgentUpdate();
  sdkConnect();
})();
