// Every runtime export of the public modules is declared in their hand-written .d.ts files.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

/** @param {string} file */
function declared(file) {
  const text = readFileSync(new URL(`../src/${file}`, import.meta.url), 'utf8');
  const names = new Set();
  for (const m of text.matchAll(/^export (?:declare )?(?:function|const|class|let) ([A-Za-z_$][\w$]*)/gm)) names.add(m[1]);
  for (const m of text.matchAll(/^export \{([^}]+)\}/gm)) {
    for (const part of m[1].split(',')) names.add(part.trim().split(/\s+as\s+/).pop());
  }
  return names;
}

for (const [module, types] of [['index.js', 'index.d.ts'], ['testing.js', 'testing.d.ts'], ['build.js', 'build.d.ts']]) {
  test(`${module}: every export is typed in ${types}`, async () => {
    const runtime = Object.keys(await import(`../src/${module}`)).sort();
    const typed = declared(types);
    assert.deepEqual(runtime.filter((name) => !typed.has(name)), []);
    assert.ok(runtime.length > 0);
  });
}
