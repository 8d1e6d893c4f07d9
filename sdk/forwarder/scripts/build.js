// Writes dist/streamhooks-forwarder.js: src/index.js as a classic script that sets
// globalThis.streamhooks = { startForwarding, VERSION, ... } (for <script src> pages).
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = readFileSync(join(root, 'src/index.js'), 'utf8');

if (/^\s*import\s/m.test(src) || /\bimport\(/.test(src)) {
  throw new Error('src/index.js must not import anything (it is served to browsers as is)');
}
const exported = [];
const body = src.replace(/^export (const|function|class|async function) ([A-Za-z_$][\w$]*)/gm, (_, kind, name) => {
  exported.push(name);
  return `${kind} ${name}`;
});
if (/^export\s/m.test(body)) throw new Error('src/index.js has an export form scripts/build.js does not handle');

const version = /export const VERSION = '([^']+)'/.exec(src)[1];
const out = `/*! @streamhooks/forwarder ${version} | Apache-2.0 | classic-script build of src/index.js: sets globalThis.streamhooks */
(function () {
'use strict';
${body}
globalThis.streamhooks = Object.freeze({ ${exported.join(', ')} });
})();
`;

// Check that it runs as a classic script and exposes the API.
const sandbox = { TextEncoder, setTimeout, clearTimeout, crypto: globalThis.crypto };
sandbox.globalThis = sandbox;
vm.runInNewContext(out, sandbox, { filename: 'streamhooks-forwarder.js' });
for (const name of ['startForwarding', 'VERSION']) {
  if (!sandbox.streamhooks || !(name in sandbox.streamhooks)) throw new Error(`build: globalThis.streamhooks.${name} missing`);
}

mkdirSync(join(root, 'dist'), { recursive: true });
writeFileSync(join(root, 'dist/streamhooks-forwarder.js'), out);
console.log(`dist/streamhooks-forwarder.js (${out.length} bytes): globalThis.streamhooks = { ${exported.join(', ')} }`);
