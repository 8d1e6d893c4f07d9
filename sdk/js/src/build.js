// Builds a JavaScript plugin folder into a component: bundles the plugin module and the SDK into
// one ES module (rolldown) behind a generated entry that binds the WIT host import into the SDK,
// turns it into a component with componentize-js with every WASI feature disabled, checks that
// the component imports only `streamhooks:plugin/host` and exports the handler, and writes it
// with plugin.toml into the output folder.

import { existsSync, statSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, normalize, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

import { TomlError, parseToml } from './toml.js';

/** The WIT package version this SDK builds against. */
export const WIT_VERSION = '0.1.0';
/** The host interface, as a module specifier in the bundle. */
export const HOST_IMPORT = `streamhooks:plugin/host@${WIT_VERSION}`;
/** What the component may import: the host, and the type-only types interface. */
export const ALLOWED_IMPORTS = [HOST_IMPORT, `streamhooks:plugin/types@${WIT_VERSION}`];
/** What it must export. */
export const HANDLER_EXPORT = `streamhooks:plugin/handler@${WIT_VERSION}`;
/** Every WASI feature componentize-js 0.23 knows: all disabled, so the component imports no WASI. */
export const DISABLED_FEATURES = ['stdio', 'random', 'clocks', 'http', 'fetch-event'];

const ENTRY = '\0streamhooks-entry.js';
const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/[\\/]$/, '');

/** A build failure with a message meant for the plugin author. */
export class BuildError extends Error {}

/**
 * Imports one of the SDK's build dependencies, or says how to install them: npm links a
 * `file:` dependency (the SDK of a streamhooks checkout) without installing its dependencies.
 * @param {'rolldown' | '@bytecodealliance/componentize-js'} name
 */
async function tool(name) {
  try {
    return name === 'rolldown' ? await import('rolldown') : await import('@bytecodealliance/componentize-js');
  } catch (e) {
    if (/** @type {any} */ (e)?.code !== 'ERR_MODULE_NOT_FOUND') throw e;
    const install = `npm install --prefix ${PACKAGE_ROOT}`;
    const missing = /Cannot find (?:package|module) '([^']+)'/.exec(/** @type {Error} */ (e).message)?.[1];
    if (missing === undefined || missing === name || missing.startsWith(`${name}/`)) {
      throw new BuildError(
        `cannot load ${name}, which the SDK builds with: the SDK in ${PACKAGE_ROOT} has no dependencies ` +
          `installed. Run \`${install}\` once (npm does not install the dependencies of a file: ` +
          "dependency such as a streamhooks checkout's sdk/js)",
      );
    }
    throw new BuildError(
      `cannot load ${name}: ${/** @type {Error} */ (e).message}: the SDK's dependencies are incomplete; run \`${install}\``,
    );
  }
}

/**
 * The WIT folder: `wit/` in the package (a packed or published SDK; `npm pack` copies it there),
 * else `../wit` (sdk/wit in the streamhooks repository, the one source of truth).
 * @returns {string}
 */
export function witDir() {
  for (const dir of [join(PACKAGE_ROOT, 'wit'), join(PACKAGE_ROOT, '..', 'wit')]) {
    if (existsSync(join(dir, 'streamhooks.wit'))) return normalize(dir);
  }
  throw new BuildError(
    `cannot find the WIT: neither ${join(PACKAGE_ROOT, 'wit')} nor ${normalize(join(PACKAGE_ROOT, '..', 'wit'))} ` +
      'holds streamhooks.wit (a packed SDK carries wit/; a checkout has sdk/wit)',
  );
}

/**
 * The plugin's manifest fields the build needs.
 * @param {string} dir
 * @returns {Promise<{ name: string, component: string, file: string }>}
 */
export async function readManifest(dir) {
  const file = join(dir, 'plugin.toml');
  if (!existsSync(file)) throw new BuildError(`${dir}: no plugin.toml: not a plugin folder`);
  let manifest;
  try {
    manifest = parseToml(await readFile(file, 'utf8'));
  } catch (e) {
    if (e instanceof TomlError) throw new BuildError(`${file}: ${e.message}`);
    throw e;
  }
  const { name, component } = manifest;
  if (typeof name !== 'string' || name === '') {
    throw new BuildError(`${file}: no \`name\` (e.g. name = "my-plugin")`);
  }
  if (typeof component !== 'string' || component === '') {
    throw new BuildError(
      `${file}: no \`component\` key: the component's file name, relative to plugin.toml ` +
        `(e.g. component = "${name.replaceAll('-', '_')}.wasm")`,
    );
  }
  const parts = component.split(/[\\/]/);
  if (isAbsolute(component) || parts.includes('..')) {
    throw new BuildError(`${file}: component: ${JSON.stringify(component)} must be a path inside the plugin folder`);
  }
  return { name, component, file };
}

/**
 * The plugin module: `entry` if given, else package.json's `main`, else `src/plugin.js`.
 * @param {string} dir
 * @param {string} [entry]
 */
async function pluginModule(dir, entry) {
  let main = entry;
  let from = '--entry';
  if (main === undefined) {
    main = 'src/plugin.js';
    from = 'the default';
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      const json = JSON.parse(await readFile(pkg, 'utf8'));
      if (typeof json.main === 'string') {
        main = json.main;
        from = 'package.json "main"';
      }
    }
  }
  const path = resolve(dir, main);
  if (!existsSync(path) || !statSync(path).isFile()) {
    throw new BuildError(`${dir}: the plugin module ${main} (${from}) does not exist`);
  }
  return path;
}

/**
 * Bundles the plugin module, the SDK and everything they import into one ES module whose only
 * import is the host.
 * @param {string} main the plugin module (absolute)
 * @param {string} [name] how to name it in errors
 * @returns {Promise<string>}
 */
export async function bundle(main, name = main) {
  const { rolldown } = await tool('rolldown');
  const ownComponent = fileURLToPath(new URL('./component.js', import.meta.url));
  const entry = [
    `import * as host from ${JSON.stringify(HOST_IMPORT)};`,
    `import { componentHandler } from '@streamhooks/plugin-sdk/component';`,
    `import * as main from ${JSON.stringify(main)};`,
    `export const handler = componentHandler(main, host, ${JSON.stringify(name)});`,
  ].join('\n');
  /** @type {string[]} */
  const warnings = [];
  const build = await rolldown({
    input: ENTRY,
    cwd: dirname(main),
    platform: 'neutral',
    treeshake: true,
    external: [HOST_IMPORT],
    onLog(level, log) {
      if (level === 'warn') warnings.push(log.message);
    },
    plugins: [
      {
        name: 'streamhooks-entry',
        async resolveId(source, importer) {
          if (source === ENTRY) return ENTRY;
          if (importer === ENTRY && source === '@streamhooks/plugin-sdk/component') {
            // The plugin's own SDK, so that the host is bound into the SDK the plugin uses;
            // this SDK's when the plugin does not depend on one.
            const own = await this.resolve(source, main, { skipSelf: true });
            return own && !own.external ? own : ownComponent;
          }
          return null;
        },
        load(id) {
          return id === ENTRY ? entry : null;
        },
      },
    ],
  });
  try {
    const { output } = await build.generate({ format: 'esm', codeSplitting: false });
    const [chunk] = output;
    if (output.length !== 1 || chunk.type !== 'chunk') {
      throw new BuildError(`bundling ${main} gave ${output.length} files, expected one module`);
    }
    const foreign = chunk.imports.filter((i) => i !== HOST_IMPORT);
    if (foreign.length > 0) {
      throw new BuildError(
        `${main} imports ${foreign.join(', ')}: a component can load only pure JavaScript that is ` +
          `bundled into it (no Node.js modules, no I/O) and ${HOST_IMPORT}` +
          (warnings.length ? `\n${warnings.join('\n')}` : ''),
      );
    }
    return chunk.code;
  } finally {
    await build.close();
  }
}

/**
 * Reads an unsigned LEB128 u32.
 * @param {Uint8Array} b
 * @param {{ i: number }} at
 */
function u32(b, at) {
  let result = 0;
  let shift = 0;
  for (;;) {
    const byte = b[at.i++];
    if (byte === undefined) throw new BuildError('the component is truncated');
    result += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return result;
    shift += 7;
  }
}

/**
 * @param {Uint8Array} b
 * @param {{ i: number }} at
 */
function name(b, at) {
  const len = u32(b, at);
  const text = new TextDecoder().decode(b.subarray(at.i, at.i + len));
  at.i += len;
  return text;
}

/**
 * @param {Uint8Array} b
 * @param {{ i: number }} at
 */
function externName(b, at) {
  const kind = b[at.i++];
  if (kind !== 0x00 && kind !== 0x01) throw new BuildError(`unknown import/export name kind ${kind}`);
  return name(b, at);
}

/**
 * Skips an externdesc.
 * @param {Uint8Array} b
 * @param {{ i: number }} at
 */
function skipExternDesc(b, at) {
  const kind = b[at.i++];
  if (kind === 0x00) {
    at.i++; // 0x11: core module
    u32(b, at);
  } else if (kind === 0x02 || kind === 0x03) {
    const bound = b[at.i++];
    if (bound === 0x00 || kind === 0x02) u32(b, at);
  } else {
    u32(b, at);
  }
}

/**
 * The top-level imports and exports of a component binary, by name.
 * @param {Uint8Array} wasm
 * @returns {{ imports: string[], exports: string[] }}
 */
export function componentInterface(wasm) {
  const magic = [0x00, 0x61, 0x73, 0x6d];
  if (!magic.every((m, k) => wasm[k] === m) || wasm[6] !== 0x01 || wasm[7] !== 0x00) {
    throw new BuildError('the output is not a WebAssembly component');
  }
  /** @type {string[]} */
  const imports = [];
  /** @type {string[]} */
  const exports = [];
  const at = { i: 8 };
  while (at.i < wasm.length) {
    const id = wasm[at.i++];
    const size = u32(wasm, at);
    const end = at.i + size;
    if (id === 10 || id === 11) {
      const count = u32(wasm, at);
      for (let k = 0; k < count; k++) {
        const n = externName(wasm, at);
        if (id === 10) {
          imports.push(n);
          skipExternDesc(wasm, at);
        } else {
          exports.push(n);
          if (wasm[at.i++] === 0x00) at.i++; // sort (core sort)
          u32(wasm, at); // index
          if (wasm[at.i++] === 0x01) skipExternDesc(wasm, at);
        }
      }
    }
    at.i = end;
  }
  return { imports, exports };
}

/**
 * Builds the plugin in `dir` into `out`: `out/<component>` and `out/plugin.toml`.
 * @param {{ dir?: string, out: string, entry?: string }} options
 * @returns {Promise<{ name: string, component: string, bytes: number, seconds: number }>}
 */
export async function build({ dir = process.cwd(), out, entry }) {
  const started = performance.now();
  dir = resolve(dir);
  out = resolve(out);
  const manifest = await readManifest(dir);
  const main = await pluginModule(dir, entry);
  const wit = witDir();
  const shown = relative(dir, main) || main;
  const code = await bundle(main, shown);

  const { componentize } = await tool('@bytecodealliance/componentize-js');
  const work = await mkdtemp(join(tmpdir(), 'streamhooks-js-build-'));
  let component;
  try {
    const sourcePath = join(work, `${manifest.name}.bundle.js`);
    await writeFile(sourcePath, code);
    try {
      ({ component } = await componentize({
        sourcePath,
        witPath: wit,
        worldName: 'plugin',
        disableFeatures: DISABLED_FEATURES,
      }));
    } catch (e) {
      throw new BuildError(`componentize-js failed for ${shown}:\n${e instanceof Error ? e.message : String(e)}`);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }

  const { imports, exports } = componentInterface(component);
  const extra = imports.filter((i) => !ALLOWED_IMPORTS.includes(i));
  if (extra.length > 0) {
    throw new BuildError(`the component imports ${extra.join(', ')}: only ${HOST_IMPORT} is allowed`);
  }
  if (!exports.includes(HANDLER_EXPORT)) {
    throw new BuildError(`the component does not export ${HANDLER_EXPORT} (exports: ${exports.join(', ') || 'none'})`);
  }

  const target = join(out, ...manifest.component.split(/[\\/]/));
  if (!target.startsWith(out + sep)) throw new BuildError(`component path escapes ${out}`);
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, component);
  if (resolve(manifest.file) !== join(out, 'plugin.toml')) {
    await copyFile(manifest.file, join(out, 'plugin.toml'));
  }
  return {
    name: manifest.name,
    component: target,
    bytes: component.length,
    seconds: (performance.now() - started) / 1000,
  };
}
