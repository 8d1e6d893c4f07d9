// config / log / state / RecentSet against the test host: the Rust SDK's behaviour, messages and
// stored formats.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  PluginError,
  RecentSet,
  StateError,
  config,
  configOr,
  configParse,
  log,
  requireConfig,
  state,
} from '../src/index.js';
import { TestHost } from '../src/testing.js';

test('without a bound host, host functions say how to get one', () => {
  assert.throws(() => config('x'), /no host is bound.*TestHost/s);
});

test('config, configOr and requireConfig', () => {
  const host = new TestHost({ config: { record_url: 'https://x', empty: '', retries: 3, on: true } });
  host.with(() => {
    assert.equal(config('record_url'), 'https://x');
    assert.equal(config('missing'), undefined);
    assert.equal(config('retries'), '3');
    assert.equal(config('on'), 'true');
    assert.equal(configOr('missing', 'fallback'), 'fallback');
    assert.equal(configOr('empty', 'fallback'), '');
    assert.equal(requireConfig('record_url'), 'https://x');
    for (const key of ['missing', 'empty']) {
      assert.throws(() => requireConfig(key), (e) => {
        assert.ok(e instanceof PluginError);
        assert.deepEqual(e.payload, { code: 'missing-config', message: `the plugin's [config] has no \`${key}\``, retryable: false });
        return true;
      });
    }
  });
});

test('configParse parses as Rust and reports bad-config with Rust messages', () => {
  const host = new TestHost({
    config: { seconds: ' 180 ', negative: '-5', flag: 'true', ratio: '0.5', word: 'soon', big: '99999999999999999999' },
  });
  host.with(() => {
    assert.equal(configParse('seconds', 'u64'), 180);
    assert.equal(configParse('missing', 'u64'), undefined);
    assert.equal(configParse('negative', 'i32'), -5);
    assert.equal(configParse('flag', 'bool'), true);
    assert.equal(configParse('ratio', 'f64'), 0.5);
    assert.equal(configParse('word', (t) => t.toUpperCase()), 'SOON');
    const bad = (/** @type {string} */ key, /** @type {any} */ type) => {
      try {
        configParse(key, type);
      } catch (e) {
        return /** @type {PluginError} */ (e).payload;
      }
      return undefined;
    };
    assert.deepEqual(bad('negative', 'u64'), {
      code: 'bad-config',
      message: 'config `negative`: "-5": invalid digit found in string',
      retryable: false,
    });
    assert.equal(bad('word', 'bool')?.message, 'config `word`: "soon": provided string was not `true` or `false`');
    assert.equal(bad('big', 'u64')?.message, 'config `big`: "99999999999999999999": number too large to fit in target type');
    assert.equal(bad('seconds', 'bool')?.message, 'config `seconds`: " 180 ": provided string was not `true` or `false`');
    assert.equal(
      bad('word', () => {
        throw new Error('not a duration');
      })?.message,
      'config `word`: "soon": not a duration',
    );
  });
});

test('log writes through the host at each level', () => {
  const host = new TestHost();
  host.with(() => {
    log.trace('t');
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e');
    log.log('info', 'x');
    assert.throws(() => log.log(/** @type {any} */ ('loud'), 'x'), TypeError);
  });
  assert.deepEqual(host.logs.map((l) => `${l.level}:${l.message}`), ['trace:t', 'debug:d', 'info:i', 'warn:w', 'error:e', 'info:x']);
});

test('state get/getString/set/delete/contains/mark', () => {
  const host = new TestHost({ state: { bytes: Uint8Array.of(0xff, 0xfe), text: 'hello' } });
  host.with(() => {
    assert.deepEqual(state.get('bytes'), Uint8Array.of(0xff, 0xfe));
    assert.equal(state.getString('bytes'), undefined, 'not UTF-8');
    assert.equal(state.getString('text'), 'hello');
    assert.equal(state.get('missing'), undefined);
    state.set('a', 'é');
    assert.deepEqual(state.get('a'), Uint8Array.of(0xc3, 0xa9));
    state.set('b', [1, 2, 3]);
    assert.equal(state.contains('b'), true);
    state.delete('b');
    assert.equal(state.contains('b'), false);
    assert.equal(state.mark('done'), true);
    assert.equal(state.mark('done'), false);
  });
  assert.deepEqual(host.state.get('done'), Uint8Array.of(1));
  assert.equal(host.stateString('a'), 'é');
});

test('refused writes throw StateError with the Rust SDK text, and become state PluginErrors', () => {
  const host = new TestHost({ limits: { maxStateKeys: 1, maxStateValueBytes: 4 } });
  const refused = (/** @type {() => void} */ f) => {
    try {
      host.with(f);
    } catch (e) {
      assert.ok(e instanceof StateError);
      return [String(e), PluginError.fromStateError(e).payload];
    }
    assert.fail('not refused');
  };
  assert.deepEqual(refused(() => state.set('k'.repeat(257), 'v')), [
    'StateError::KeyTooLong(256)',
    { code: 'state', message: 'state key longer than 256 bytes', retryable: false },
  ]);
  assert.deepEqual(refused(() => state.set('k', 'too long')), [
    'StateError::ValueTooLarge(4)',
    { code: 'state', message: 'state value larger than 4 bytes', retryable: false },
  ]);
  assert.deepEqual(refused(() => { state.set('a', '1'); state.set('b', '2'); }), [
    'StateError::TooManyKeys(1)',
    { code: 'state', message: 'state already holds 1 keys', retryable: false },
  ]);
  host.refuseStateWrites({ tag: 'unavailable', val: 'table "x" gone' });
  assert.deepEqual(refused(() => state.set('a', '1')), [
    'StateError::Unavailable("table \\"x\\" gone")',
    { code: 'state', message: 'state store unavailable: table "x" gone', retryable: true },
  ]);
});

test('RecentSet stores items as the Rust SDK does', () => {
  const host = new TestHost();
  host.with(() => {
    const set = RecentSet.load('recent', 3);
    assert.deepEqual(set.items(), []);
    assert.equal(set.insert('a'), true);
    assert.equal(set.insert('a'), false);
    set.insert('b\nc');
    set.insert('d');
    set.insert('e');
    assert.deepEqual(set.items(), ['b c', 'd', 'e'], 'oldest dropped, newline replaced');
    assert.equal(set.contains('a'), false);
    set.save();
  });
  assert.equal(host.stateString('recent'), 'b c\nd\ne');
  host.with(() => {
    const set = RecentSet.load('recent', 2);
    assert.deepEqual(set.items(), ['d', 'e'], 'a smaller capacity keeps the newest');
    assert.equal(set.remove('d'), true);
    assert.equal(set.remove('d'), false);
    set.remove('e');
    set.save();
  });
  assert.equal(host.state.has('recent'), false, 'an empty set deletes its key');
});

test('RecentSet reads what a Rust plugin stored (CRLF, trailing newline)', () => {
  const host = new TestHost({ state: { recent: 'a\r\nb\nc\n' } });
  host.with(() => assert.deepEqual(RecentSet.load('recent', 10).items(), ['a', 'b', 'c']));
  const set = RecentSet.fromItems('k', 2, ['a', 'b', 'c']);
  assert.equal(set.contains('a'), false);
  assert.equal(set.contains('c'), true);
});
