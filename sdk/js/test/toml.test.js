// The manifest reader: the repository's manifests, TOML syntax they may use, and errors.

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';

import { TomlError, TomlFloat, configText, parseToml } from '../src/toml.js';

test('reads the example manifests of the repository', () => {
  const file = new URL('../../../plugins/crm-call-log/plugin.toml', import.meta.url);
  if (!existsSync(file)) return; // a packed SDK
  const manifest = parseToml(readFileSync(file, 'utf8'));
  assert.equal(manifest.name, 'crm-call-log');
  assert.equal(manifest.component, 'crm_call_log.wasm');
  assert.deepEqual(manifest.subscribe, [
    'contact-completed', 'contact-ended', 'contact-acw', 'contact-destroyed', 'contact-data-updated', 'contact-refresh',
  ]);
  assert.deepEqual(manifest.limits, { max_state_keys: 10000, max_state_value_bytes: 16384 });
  assert.deepEqual(manifest.grants, { crm: { connectors: ['salesforce'], objects: ['Task'] } });
  assert.equal(manifest.config.disposition_attribute, 'Disposition');
});

test('strings, numbers, tables and inline tables', () => {
  const doc = parseToml(`
# comment
a = "tab\\t \\"q\\" \\u00e9"
b = 'C:\\raw'
c = """
two
lines"""
d = 1_000
e = 0x10
f = [1, [2, 3], { x = "y" },]
g.h = true
"quoted key" = 1.5
[t.u]
v = false
[t]
w = +inf
`);
  assert.equal(doc.a, 'tab\t "q" é');
  assert.equal(doc.b, 'C:\\raw');
  assert.equal(doc.c, 'two\nlines');
  assert.equal(doc.d, 1000);
  assert.equal(doc.e, 16);
  assert.deepEqual(doc.f, [1, [2, 3], { x: 'y' }]);
  assert.deepEqual(doc.g, { h: true });
  assert.ok(doc['quoted key'] instanceof TomlFloat);
  assert.equal(configText(doc['quoted key']), '1.5');
  assert.deepEqual(doc.t.u, { v: false });
  assert.equal(configText(doc.t.w), 'inf');
});

test('errors name the line', () => {
  const message = (/** @type {string} */ text) => {
    try {
      parseToml(text);
    } catch (e) {
      assert.ok(e instanceof TomlError);
      return e.message;
    }
    return 'parsed';
  };
  assert.equal(message('a = 1\na = 2'), 'line 2: duplicate key a');
  assert.equal(message('name = "x'), 'line 1: unterminated string');
  assert.equal(message('x = 2026-11-20'), 'line 1: dates are not supported (2026-11-20)');
  assert.equal(message('[[plugins]]'), 'line 1: arrays of tables are not supported');
  assert.equal(message('a = 1 b = 2'), 'line 1: unexpected "b"');
  assert.equal(message('a = [1 2]'), 'line 1: expected , or ] in an array, found "2"');
});

test('config values are text as the host writes them', () => {
  assert.equal(configText('s'), 's');
  assert.equal(configText(180), '180');
  assert.equal(configText(true), 'true');
  assert.equal(configText(new TomlFloat(1e-7)), '0.0000001');
  assert.equal(configText(new TomlFloat(0.1 + 0.2)), '0.30000000000000004');
  assert.equal(configText(new TomlFloat(-2.5e25)), '-25000000000000000000000000');
  assert.throws(() => configText([1]), /found array/);
});
