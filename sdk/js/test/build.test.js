// streamhooks-js-build: manifest errors, bundling, and real componentize-js builds (about 15 s
// each) whose components import only the host and export the handler.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { BuildError, HOST_IMPORT, build, bundle, componentInterface, readManifest, witDir } from '../src/build.js';

const BIN = fileURLToPath(new URL('../bin/streamhooks-js-build.js', import.meta.url));
const SDK = fileURLToPath(new URL('../src/index.js', import.meta.url));

/** A plugin folder with these files. @param {Record<string, string>} files */
function pluginDir(files) {
  const dir = mkdtempSync(join(tmpdir(), 'streamhooks-js-build-test-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const MANIFEST = 'name = "tiny"\nversion = "0.1.0"\ncomponent = "tiny.wasm"\nsubscribe = ["contact-connected"]\n';
const PLUGIN = `import { definePlugin, Action, requireAgentArn, log } from ${JSON.stringify(SDK)};
export default definePlugin({
  onContactConnected(event) {
    log.info('connected');
    return [Action.putUserStatus(requireAgentArn(event), 'status-1')];
  },
});
`;

/** @param {Promise<unknown>} promise */
async function buildError(promise) {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof BuildError, String(e));
    return e.message;
  }
  assert.fail('built');
}

test('the WIT is sdk/wit in a checkout', () => {
  assert.ok(existsSync(join(witDir(), 'streamhooks.wit')));
});

test('manifest errors say what is missing', async () => {
  const empty = pluginDir({});
  assert.equal(await buildError(readManifest(empty)), `${empty}: no plugin.toml: not a plugin folder`);
  const noComponent = pluginDir({ 'plugin.toml': 'name = "my-plugin"\nversion = "0.1.0"\n' });
  assert.match(await buildError(readManifest(noComponent)), /plugin\.toml: no `component` key: .*component = "my_plugin\.wasm"/);
  const escaping = pluginDir({ 'plugin.toml': 'name = "x"\ncomponent = "../x.wasm"\n' });
  assert.match(await buildError(readManifest(escaping)), /must be a path inside the plugin folder/);
  const broken = pluginDir({ 'plugin.toml': 'name = "x\n' });
  assert.match(await buildError(readManifest(broken)), /plugin\.toml: line 1: unterminated string/);
  const noModule = pluginDir({ 'plugin.toml': MANIFEST });
  assert.match(await buildError(build({ dir: noModule, out: join(noModule, 'dist') })), /the plugin module src\/plugin\.js \(the default\) does not exist/);
});

test('bundles the plugin and the SDK into one module importing only the host', async () => {
  const dir = pluginDir({ 'src/plugin.js': PLUGIN, 'src/util.js': 'export const x = 1;' });
  const code = await bundle(join(dir, 'src/plugin.js'));
  const imports = [...code.matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]);
  assert.deepEqual(imports, [HOST_IMPORT]);
  assert.match(code, /export \{.*handler.*\}/s);
  assert.match(code, /componentHandler/);

  const nodey = pluginDir({ 'src/plugin.js': `import { readFileSync } from 'node:fs';\nexport default { handle() { return [readFileSync]; } };\n` });
  assert.match(await buildError(bundle(join(nodey, 'src/plugin.js'))), /imports node:fs: a component can load only pure JavaScript/);
});

test('reads the component interface of a Rust plugin', { skip: !existsSync(new URL('../../../target/plugins/examples/screen-pop/screen_pop.wasm', import.meta.url)) }, () => {
  const wasm = readFileSync(new URL('../../../target/plugins/examples/screen-pop/screen_pop.wasm', import.meta.url));
  assert.deepEqual(componentInterface(wasm), {
    imports: ['streamhooks:plugin/host@0.1.0', 'streamhooks:plugin/types@0.1.0'],
    exports: ['streamhooks:plugin/handler@0.1.0'],
  });
  assert.throws(() => componentInterface(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])), /not a WebAssembly component/);
});

test('builds a component that imports only the host, and writes plugin.toml beside it', async () => {
  const dir = pluginDir({ 'plugin.toml': MANIFEST, 'src/plugin.js': PLUGIN });
  const out = join(dir, 'out');
  const { stdout } = await promisify(execFile)(process.execPath, [BIN, dir, '--out', out]);
  assert.match(stdout, /^built tiny: .*tiny\.wasm \(\d+\.\d MiB\) in \d+\.\d s\n$/);
  const wasm = readFileSync(join(out, 'tiny.wasm'));
  assert.deepEqual(componentInterface(wasm), {
    imports: ['streamhooks:plugin/host@0.1.0', 'streamhooks:plugin/types@0.1.0'],
    exports: ['streamhooks:plugin/handler@0.1.0'],
  });
  assert.equal(readFileSync(join(out, 'plugin.toml'), 'utf8'), MANIFEST);
});

test('a componentize-js failure is reported with its message', async () => {
  const dir = pluginDir({
    'plugin.toml': MANIFEST,
    'package.json': '{ "main": "lib/main.js" }',
    // Host functions work during a call, not while the module loads (at build time).
    'lib/main.js': `import { config, definePlugin } from ${JSON.stringify(SDK)};\nconst url = config('url');\nexport default definePlugin({ onContactConnected: () => [url] });\n`,
  });
  const failed = await promisify(execFile)(process.execPath, [BIN, '--out', join(dir, 'out')], { cwd: dir }).then(
    () => assert.fail('built'),
    (e) => e,
  );
  assert.equal(failed.code, 1);
  assert.match(failed.stderr, /^streamhooks-js-build: componentize-js failed for lib\/main\.js:\n/);
  assert.match(failed.stderr, /no host is bound.*not at module top level/s);
});

test('usage errors exit 2', async () => {
  const failed = await promisify(execFile)(process.execPath, [BIN, 'a', 'b']).then(() => assert.fail('ran'), (e) => e);
  assert.equal(failed.code, 2);
  assert.match(failed.stderr, /one plugin folder at a time/);
});
