// The action builders: the records the Rust SDK's constructors fill, in wire form.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
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
  actionsToWire,
  grantName,
} from '../src/index.js';

test('builders fill the records', () => {
  const action = new StartTaskContact('Call back')
    .withContactFlow('flow')
    .withRelatedContact('c1')
    .withReference('Number', 'STRING', '+1555')
    .toAction();
  assert.equal(action.tag, 'start-task-contact');
  const task = /** @type {import('../src/index.js').StartTaskContactRecord} */ (action.val);
  assert.equal(task.contactFlowId, 'flow');
  assert.equal(task.relatedContactId, 'c1');
  assert.deepEqual(task.references, [{ name: 'Number', referenceType: 'STRING', value: '+1555' }]);
  assert.equal(grantName(Action.startTask('t', 'f')), 'start_task_contact');
  assert.deepEqual(Action.startTask('t', 'f'), new StartTaskContact('t').withContactFlow('f').toAction());
});

test('a screen pop is a client directive', () => {
  const action = Action.clientScreenPop('a', undefined, ScreenPop.url('u').withTitle('T').withData('k', 'v'));
  assert.deepEqual(action, {
    tag: 'client',
    val: { agentArn: 'a', contactId: undefined, directive: { tag: 'screen-pop', val: { url: 'u', title: 'T', data: [['k', 'v']] } } },
  });
  assert.deepEqual(new ScreenPop().withData('Queue', 'Support').toRecord(), { url: undefined, title: undefined, data: [['Queue', 'Support']] });
});

test('every constructor makes the WIT case it names', () => {
  const actions = [
    Action.putUserStatus('agent', 'status'),
    Action.updateContactAttributes('c', { Disposition: 'Resolved' }),
    new UpdateContact('c').withName('Refund').withDescription('VIP').toAction(),
    new StopContact('c').withReason('spam').toAction(),
    new TransferContact('c', 'flow').toQueue('q').toUser('u').toAction(),
    new StartTaskContact('t').withTemplate('tpl').withQuickConnect('qc').withPreviousContact('p').withDescription('d')
      .withAttribute('k', 'v').scheduledAt(1_795_165_200_000).toAction(),
    new StartOutboundVoiceContact('+15550100', 'flow').withQueue('q').withSourceNumber('+15550199')
      .withRelatedContact('c').withAttribute('Reason', 'callback').toAction(),
    Action.dismissUserContact('agent', 'c'),
    Action.suspendCallRecording('c2', 'c1'),
    Action.resumeCallRecording('c2', 'c1'),
    Action.monitorContact('c', 'sup', ['SILENT_MONITOR']),
    Action.tagContact('c', new Map([['team', 'billing']])),
    Action.client('a', 'c', ClientDirective.sendDigits('123')),
    CrmUpdate.upsert('salesforce', 'Task', 'ContactId__c', 'c', '{}').toAction(),
    Action.publish('CallLogged', '{"contactId":"c"}'),
  ];
  assert.deepEqual(actions.map(grantName), [
    'put_user_status', 'update_contact_attributes', 'update_contact', 'stop_contact', 'transfer_contact',
    'start_task_contact', 'start_outbound_voice_contact', 'dismiss_user_contact', 'suspend_contact_recording',
    'resume_contact_recording', 'monitor_contact', 'tag_contact', 'client', 'crm', 'publish',
  ]);
  assert.deepEqual(actions[1]?.val, { initialContactId: 'c', attributes: [['Disposition', 'Resolved']] });
  assert.deepEqual(actions[4]?.val, { contactId: 'c', contactFlowId: 'flow', queueId: 'q', userId: 'u' });
  assert.equal(/** @type {any} */ (actions[5]?.val).scheduledTime, 1_795_165_200_000n);
  assert.deepEqual(actions[8]?.val, { contactId: 'c2', initialContactId: 'c1', recordingType: 'call' });
  assert.deepEqual(Action.suspendContactRecording(new ContactRecording('c', 'c', 'screen')).val.recordingType, 'screen');
  assert.deepEqual(CrmUpdate.create('webhook', 'Note', '{}').toAction().val, {
    connector: 'webhook', object: 'Note', operation: 'create', idField: undefined, id: undefined, fieldsJson: '{}',
  });
  assert.deepEqual(CrmUpdate.update('salesforce', 'Case', '500xx', '{}').toAction().val.id, '500xx');
  // What a hook returns may mix actions and builders; handle sees the same list.
  assert.deepEqual(actionsToWire([new StopContact('c'), Action.stopContact('c')]), [Action.stopContact('c'), Action.stopContact('c')]);
});

test('directives without payload have no val', () => {
  for (const name of /** @type {const} */ (['accept', 'reject', 'hold', 'resume', 'conference', 'mute', 'unmute'])) {
    const action = Action.client('a', null, ClientDirective[name]());
    assert.deepEqual(action.tag === 'client' && action.val.directive, { tag: name });
  }
  assert.deepEqual(ClientDirective.setState('Available'), { tag: 'set-state', val: 'Available' });
});

test('builders refuse what the WIT does not allow', () => {
  assert.throws(() => Action.putUserStatus(/** @type {any} */ (undefined), 's'), /userId must be a string/);
  assert.throws(() => new StartTaskContact('t').scheduledAt(/** @type {any} */ ('soon')), TypeError);
});
