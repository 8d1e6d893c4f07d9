// JsonObject writes exactly what the Rust SDK's json::JsonObject writes.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { JsonObject, jsonString } from '../src/index.js';

test('the Rust SDK examples', () => {
  const fields = new JsonObject()
    .string('Subject', 'Call with "Ann"')
    .int('DurationSeconds', 95)
    .bool('Inbound', true)
    .optString('Disposition', undefined)
    .build();
  assert.equal(fields, '{"Subject":"Call with \\"Ann\\"","DurationSeconds":95,"Inbound":true}');
  assert.equal(new JsonObject().build(), '{}');
  assert.equal(new JsonObject().string('k', 'line\n').build(), '{"k":"line\\n"}');
  assert.equal(new JsonObject().int('n', -3).build(), '{"n":-3}');
  assert.equal(new JsonObject().optInt('n', 1).optInt('m', null).build(), '{"n":1}');
  assert.equal(new JsonObject().bool('b', false).null('x').build(), '{"b":false,"x":null}');
  const inner = new JsonObject().int('a', 1).build();
  assert.equal(new JsonObject().raw('inner', inner).build(), '{"inner":{"a":1}}');
  assert.equal(jsonString('a"b\u0001'), '"a\\"b\\u0001"');
});

test('escapes control characters and keeps unicode, unlike JSON.stringify', () => {
  assert.equal(new JsonObject().string('k"', 'é\u0007\\').build(), '{"k\\"":"é\\u0007\\\\"}');
  // JSON.stringify writes \b and \f; Rust writes \u0008 and \u000c.
  assert.equal(jsonString('\b\f\t\r'), '"\\u0008\\u000c\\t\\r"');
  assert.equal(jsonString('\u2028 \u007f 🎉'), '"\u2028 \u007f 🎉"');
  // A lone surrogate cannot reach the host: U+FFFD as the wire makes it.
  assert.equal(jsonString('a\ud800b'), '"a\ufffdb"');
});

test('integers are 64-bit and exact', () => {
  assert.equal(new JsonObject().int('n', 9_007_199_254_740_993n).build(), '{"n":9007199254740993}');
  assert.equal(new JsonObject().int('n', 1e21).build(), '{"n":1000000000000000000000}');
  assert.throws(() => new JsonObject().int('n', 1.5), TypeError);
});
