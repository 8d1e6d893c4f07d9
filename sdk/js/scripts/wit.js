// `node scripts/wit.js copy`: copies ../wit (sdk/wit, the one WIT of the repository) into wit/
// before `npm pack` / `npm publish` (prepack), so that the package carries it;
// `node scripts/wit.js clean` removes that copy again (postpack), so that a checkout never holds
// a second, stale WIT (the build reads ../wit when wit/ is absent).

import { cpSync, existsSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const source = fileURLToPath(new URL('../../wit', import.meta.url));
const copy = fileURLToPath(new URL('../wit', import.meta.url));

switch (process.argv[2]) {
  case 'copy':
    if (!existsSync(`${source}/streamhooks.wit`)) {
      console.error(`scripts/wit.js: ${source}/streamhooks.wit not found: pack the SDK from a streamhooks checkout`);
      process.exit(1);
    }
    rmSync(copy, { recursive: true, force: true });
    cpSync(source, copy, { recursive: true });
    break;
  case 'clean':
    rmSync(copy, { recursive: true, force: true });
    break;
  default:
    console.error('usage: node scripts/wit.js copy|clean');
    process.exit(2);
}
