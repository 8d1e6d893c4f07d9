// The demo agent desktop of `streamhooks dev`: the real amazon-connect-streams (loaded by
// index.html as `connect`), a simulated CCP in its iframe, the streamhooks forwarder, and the
// dev server's live feed. This is also how a real agent desktop wires the forwarder: only the
// ccpUrl, the endpoint and getToken differ.
import { startForwarding } from '/forwarder/index.js';

const $ = (id) => document.getElementById(id);
const origin = window.location.origin;

let agentArn = null;
// What the forwarder reported (retryable problems included), for a look from the console.
const errors = [];
window.streamhooksErrors = errors;
let current = null; // the newest contact Streams reported

function setText(id, text) {
  $(id).textContent = text;
}

// ---------------------------------------------------------------- Streams

if (typeof connect === 'undefined' || !connect.core) {
  setText('agent-name', 'amazon-connect-streams did not load (see the dev server\'s output)');
} else {
  start();
}

function start() {
  connect.core.initCCP($('ccp'), {
    ccpUrl: `${origin}/ccp/ccp.html`,
    loginPopup: false,
    softphone: { allowFramedSoftphone: false, disableRingtone: true },
  });

  connect.agent((agent) => {
    agentArn = agent.getConfiguration().agentARN;
    setText('agent-name', agent.getName());
    const showState = () => setText('agent-state', agent.getState().name);
    showState();
    agent.onRefresh(showState);
  });

  connect.contact((contact) => {
    current = contact;
    const show = () => showContact(contact);
    show();
    contact.onRefresh(show);
    contact.onDestroy(() => {
      if (current === contact) current = null;
      showContact(null);
    });
  });

  const forwarder = startForwarding(connect, {
    endpoint: `${origin}/ingest`,
    // `streamhooks dev` authenticates with `Bearer dev:<agent>`; a deployment passes the
    // agent's Cognito ID token here.
    getToken: () => `dev:${agentArn}`,
    directives: ['screen-pop', 'accept', 'reject', 'hold', 'resume', 'send-digits', 'conference', 'mute', 'unmute', 'set-state'],
    onScreenPop: showScreenPop,
    onDirective: (directive, result) => {
      console.info('directive', directive.directive, directive.id, result);
    },
    onError: (error) => {
      errors.push({ code: error.code, message: error.message, retryable: !!error.retryable });
      console.warn('forwarder:', error);
      setText('forwarder-status', `error: ${error.message || error}`);
    },
    onResponse: () => setText('forwarder-status', 'connected'),
    pollIntervalMs: 2000,
  });
  window.streamhooksForwarder = forwarder;

  $('accept').addEventListener('click', () => current && current.accept({
    failure: (e) => console.warn('accept failed', e),
  }));
  $('hold').addEventListener('click', () => customer()?.hold());
  $('resume').addEventListener('click', () => customer()?.resume());
  $('end').addEventListener('click', () => current?.getAgentConnection()?.destroy());
  $('clear').addEventListener('click', () => current?.clear({}));
  $('send-eventbridge').addEventListener('click', sendCompleted);
}

function customer() {
  return current ? current.getInitialConnection() : null;
}

function showContact(contact) {
  const box = $('contact');
  const buttons = ['accept', 'hold', 'resume', 'end', 'clear', 'send-eventbridge'];
  if (!contact) {
    box.textContent = 'No contact.';
    box.classList.add('empty');
    buttons.forEach((id) => { $(id).disabled = true; });
    return;
  }
  const state = contact.getStatus().type;
  const attributes = contact.getAttributes();
  box.classList.remove('empty');
  box.replaceChildren();
  const line = document.createElement('div');
  line.innerHTML = '<strong></strong> <span class="meta"></span>';
  line.querySelector('strong').textContent = `${contact.getType()} contact, ${state}`;
  line.querySelector('.meta').textContent = contact.getContactId();
  box.append(line);
  for (const [key, attribute] of Object.entries(attributes)) {
    const row = document.createElement('div');
    row.className = 'meta';
    row.textContent = `${key}: ${attribute.value}`;
    box.append(row);
  }
  box.dataset.state = state;
  $('accept').disabled = state !== 'connecting' && state !== 'incoming';
  $('hold').disabled = state !== 'connected';
  $('resume').disabled = state !== 'connected';
  $('end').disabled = state !== 'connected';
  $('clear').disabled = state !== 'ended';
  $('send-eventbridge').disabled = false;
}

function showScreenPop(value, directive) {
  const box = $('screen-pop');
  box.replaceChildren();
  box.classList.remove('empty');
  box.classList.add('popped');
  box.dataset.directive = directive.id;
  const title = document.createElement('strong');
  title.textContent = value.title || 'Screen pop';
  box.append(title);
  if (value.url) {
    const link = document.createElement('a');
    link.href = value.url;
    link.target = '_blank';
    link.rel = 'noopener';
    link.textContent = value.url;
    link.className = 'url';
    box.append(document.createElement('br'), link);
  }
  if (value.data && value.data.length) {
    const list = document.createElement('dl');
    for (const [key, val] of value.data) {
      const dt = document.createElement('dt');
      dt.textContent = key;
      const dd = document.createElement('dd');
      dd.textContent = val;
      list.append(dt, dd);
    }
    box.append(list);
  }
}

// An Amazon Connect Contact Event as EventBridge delivers it to a rule target: the contact's
// COMPLETED event, which the crm-call-log plugin turns into a CRM write.
async function sendCompleted() {
  if (!current || !agentArn) return;
  const instanceArn = agentArn.split('/agent/')[0];
  const contactId = current.getContactId();
  const now = new Date().toISOString();
  const event = {
    version: '0',
    id: crypto.randomUUID(),
    'detail-type': 'Amazon Connect Contact Event',
    source: 'aws.connect',
    account: instanceArn.split(':')[4],
    time: now,
    region: instanceArn.split(':')[3],
    resources: [`${instanceArn}/contact/${contactId}`, instanceArn],
    detail: {
      eventType: 'COMPLETED',
      contactId,
      initialContactId: contactId,
      channel: 'VOICE',
      instanceArn,
      initiationMethod: 'INBOUND',
      disconnectTimestamp: now,
      agentInfo: { agentArn, connectedToAgentTimestamp: now },
      disconnectReason: 'CUSTOMER_DISCONNECT',
    },
  };
  const response = await fetch(`${origin}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(event),
  });
  if (!response.ok) console.warn('/events answered', response.status, await response.text());
}

// ---------------------------------------------------------------- the live feed

const feed = new EventSource(`${origin}/feed`);
feed.onmessage = (message) => {
  let item;
  try {
    item = JSON.parse(message.data);
  } catch {
    return;
  }
  const li = document.createElement('li');
  li.className = `feed-${item.type}`;
  const head = document.createElement('div');
  const meta = document.createElement('div');
  meta.className = 'meta';
  const detail = document.createElement('pre');
  switch (item.type) {
    case 'event':
      li.dataset.kind = item.kind;
      li.dataset.source = item.source;
      li.dataset.status = item.status;
      head.textContent = `${item.source} event ${item.kind}: ${item.status}`;
      meta.textContent = `${item.event_id}${item.contact_id ? ` · contact ${item.contact_id}` : ''}`;
      detail.textContent = [
        ...(item.outcomes || []).map((o) => `${o.plugin} → ${o.action}: ${o.outcome}`),
        ...(item.directives || []).map((d) => `${d.plugin} → directive ${d.directive} for the browser`),
        ...(item.plugin_failures || []).map((f) => `plugin failed: ${f}`),
      ].join('\n');
      break;
    case 'action':
      li.dataset.plugin = item.plugin || '';
      li.dataset.action = item.action?.type || '';
      head.textContent = `${item.plugin || 'streamhooks'} decided ${item.action?.type} (dry run: recorded, not executed)`;
      meta.textContent = item.event_id || '';
      detail.textContent = JSON.stringify(item.action?.parameters ?? item.action, null, 1);
      break;
    case 'directive-result':
      li.classList.add(item.status);
      li.dataset.status = item.status;
      head.textContent = `browser ran directive: ${item.status}`;
      meta.textContent = item.id;
      detail.textContent = item.message || '';
      break;
    case 'dead-letter':
      head.textContent = `dead letter: ${item.letter?.reason} (${item.letter?.code})`;
      detail.textContent = item.letter?.message || '';
      break;
    default:
      head.textContent = item.type;
  }
  li.append(head, meta);
  if (detail.textContent) li.append(detail);
  $('feed').prepend(li);
};
