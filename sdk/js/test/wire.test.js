// The action schema of wire.js against the WIT itself, and what actionsToWire makes of
// plugin output.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { witDir } from '../src/build.js';
import { ACTION_CASES, DIRECTIVE_CASES, ENUMS, RECORDS, actionToWire, actionsToWire } from '../src/wire.js';

/** Splits at the commas outside `<...>` and `(...)`. @param {string} text */
function splitTopLevel(text) {
  const out = [''];
  let depth = 0;
  for (const c of text) {
    if (c === '<' || c === '(') depth++;
    if (c === '>' || c === ')') depth--;
    if (c === ',' && depth === 0) out.push('');
    else out[out.length - 1] += c;
  }
  return out;
}

/** The `types` interface of the WIT: records, variants and enums by name. */
function witTypes() {
  const text = readFileSync(join(witDir(), 'streamhooks.wit'), 'utf8').replace(/\/\/.*$/gm, '');
  const types = text.slice(text.indexOf('interface types'), text.indexOf('interface host'));
  /** @type {Record<string, Array<[string, string]>>} */
  const records = {};
  /** @type {Record<string, Array<[string, string | null]>>} */
  const variants = {};
  /** @type {Record<string, string[]>} */
  const enums = {};
  for (const [, kind, name, body] of types.matchAll(/(record|variant|enum)\s+([a-z-]+)\s*\{([^}]*)\}/g)) {
    const items = splitTopLevel(body).map((s) => s.trim()).filter(Boolean);
    if (kind === 'record') {
      records[name] = items.map((item) => {
        const [field, type] = item.split(':').map((s) => s.trim());
        return [field.replace(/^%/, ''), type];
      });
    } else if (kind === 'variant') {
      variants[name] = items.map((item) => {
        const m = /^([a-z-]+)(?:\((.+)\))?$/.exec(item);
        assert.ok(m, item);
        return [m[1], m[2] ?? null];
      });
    } else {
      enums[name] = items;
    }
  }
  return { records, variants, enums };
}

const camel = (/** @type {string} */ s) => s.replace(/-([a-z])/g, (_, c) => c.toUpperCase());

/** The schema kind wire.js uses for a WIT type. */
const KIND = {
  string: 'string',
  'option<string>': 'string?',
  'list<tuple<string, string>>': 'pairs',
  'list<string>': 'strings',
  'option<timestamp>': 'timestamp?',
  'list<task-reference>': 'references',
  'recording-type': 'recording-type',
  'crm-operation': 'crm-operation',
  'client-directive': 'directive',
};

test('the schema is the WIT: every action case, record field (in order), directive and enum', () => {
  const wit = witTypes();
  assert.deepEqual(Object.entries(ACTION_CASES), wit.variants.action, 'action cases and their records');
  assert.deepEqual(
    Object.entries(DIRECTIVE_CASES),
    wit.variants['client-directive'].map(([c, t]) => [c, t]),
    'client-directive cases',
  );
  assert.deepEqual(ENUMS, { 'recording-type': wit.enums['recording-type'], 'crm-operation': wit.enums['crm-operation'] });
  for (const [name, fields] of Object.entries(RECORDS)) {
    const expected = wit.records[name].map(([field, type]) => [camel(field), /** @type {Record<string, string>} */ (KIND)[type] ?? `unmapped ${type}`]);
    assert.deepEqual(fields, expected, `record ${name}`);
  }
  const used = new Set([...Object.values(ACTION_CASES), 'task-reference', 'screen-pop']);
  assert.deepEqual(new Set(Object.keys(RECORDS)), used);
});

test('puts actions in canonical form: all fields, WIT order, none as undefined, timestamps as bigint', () => {
  const action = actionToWire({
    tag: 'start-task-contact',
    val: { references: [], attributes: [['a', 'b']], name: 'n', contactFlowId: 'f', description: null, scheduledTime: 5 },
  });
  assert.deepEqual(Object.keys(action.val), RECORDS['start-task-contact'].map(([k]) => k));
  assert.deepEqual(action, {
    tag: 'start-task-contact',
    val: {
      name: 'n',
      description: undefined,
      contactFlowId: 'f',
      taskTemplateId: undefined,
      quickConnectId: undefined,
      previousContactId: undefined,
      relatedContactId: undefined,
      attributes: [['a', 'b']],
      references: [],
      scheduledTime: 5n,
    },
  });
  assert.deepEqual(actionToWire({ tag: 'client', val: { agentArn: 'a', directive: { tag: 'mute', val: 'ignored' } } }), {
    tag: 'client',
    val: { agentArn: 'a', contactId: undefined, directive: { tag: 'mute' } },
  });
});

test('names the action and field of a mistake', () => {
  /** @param {unknown} result */
  const message = (result) => {
    try {
      actionsToWire(result);
    } catch (e) {
      assert.ok(e instanceof TypeError);
      return e.message;
    }
    return 'accepted';
  };
  assert.equal(message([{ tag: 'put-user-state', val: {} }]).startsWith('action 0 must be an action {tag, val}'), true);
  assert.equal(message([{ tag: 'crm', val: { connector: 'c', object: 'o', operation: 'merge', fieldsJson: '{}' } }]),
    'action 0 (crm).operation must be one of create, upsert, update, got: "merge"');
  assert.equal(message([{ tag: 'tag-contact', val: { contactId: 'c', tags: [['k']] } }]),
    'action 0 (tag-contact).tags[0] must be a [key, value] pair of strings, got: ["k"]');
  assert.equal(message([{ tag: 'start-task-contact', val: { name: 'n', attributes: [], references: [], scheduledTime: 1.5 } }]),
    'action 0 (start-task-contact).scheduledTime must be an integer number of epoch milliseconds, got: 1.5');
  assert.equal(message([{ tag: 'client', val: { agentArn: 'a', directive: { tag: 'send-digits' } } }]),
    'action 0 (client).directive.val must be a string, got: undefined');
  assert.equal(message({}), 'a hook must return an array of actions (or nothing), got: {}');
  assert.deepEqual(actionsToWire(undefined), []);
  assert.deepEqual(actionsToWire(null), []);
});
