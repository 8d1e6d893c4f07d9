#!/usr/bin/env node
// streamhooks-js-build [DIR] [--out OUT] [--entry FILE]: builds the JavaScript plugin in DIR (the
// current folder by default) into OUT (default dist): OUT/<component> and OUT/plugin.toml.

import { relative } from 'node:path';
import { parseArgs } from 'node:util';

import { BuildError, build } from '../src/build.js';

const USAGE = `Usage: streamhooks-js-build [DIR] [--out OUT] [--entry FILE]

Builds the streamhooks plugin in DIR (default: the current folder) into a WebAssembly component
with componentize-js (every WASI feature disabled: it imports only streamhooks:plugin/host), and
writes OUT/<component> (the file name plugin.toml's \`component\` gives) and OUT/plugin.toml.

  --out OUT      the output folder (default: dist)
  --entry FILE   the plugin module (default: package.json "main", else src/plugin.js); it must
                 \`export default definePlugin({ ... })\`
  -h, --help     this help

In a plugin's package.json: "build": "streamhooks-js-build", run as \`npm run build -- --out DIR\`.`;

let args;
try {
  args = parseArgs({
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      entry: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
} catch (e) {
  console.error(`streamhooks-js-build: ${e instanceof Error ? e.message : e}\n\n${USAGE}`);
  process.exit(2);
}
if (args.values.help) {
  console.log(USAGE);
  process.exit(0);
}
if (args.positionals.length > 1) {
  console.error(`streamhooks-js-build: one plugin folder at a time (got ${args.positionals.join(', ')})\n\n${USAGE}`);
  process.exit(2);
}

try {
  const result = await build({
    dir: args.positionals[0] ?? process.cwd(),
    out: args.values.out ?? 'dist',
    entry: args.values.entry,
  });
  const rel = relative(process.cwd(), result.component);
  const shown = rel === '' || rel.startsWith('..') ? result.component : rel;
  const mib = (result.bytes / 1024 / 1024).toFixed(1);
  console.log(`built ${result.name}: ${shown} (${mib} MiB) in ${result.seconds.toFixed(1)} s`);
} catch (e) {
  if (e instanceof BuildError) {
    console.error(`streamhooks-js-build: ${e.message}`);
    process.exit(1);
  }
  throw e;
}
