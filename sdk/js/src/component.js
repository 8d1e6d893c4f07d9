// The glue of a component, used by the entry module streamhooks-js-build generates:
//
//   import * as host from 'streamhooks:plugin/host@0.1.0';
//   import { componentHandler } from '@streamhooks/plugin-sdk/component';
//   import * as main from './src/plugin.js';
//   export const handler = componentHandler(main, host);
//
// It binds the WIT host import into the SDK and exports the plugin's `handle`. Plugins never
// import this module.

import { PluginError } from './error.js';
import { bindHost } from './host.js';

/**
 * The plugin a module defines: its default export (`export default definePlugin(...)`), or a
 * `handler` export with a `handle` function (componentize-js's own convention).
 * @param {Record<string, any>} main
 * @param {string} [name] the module's name, for the error
 * @returns {{ handle(event: unknown): unknown }}
 */
export function pluginOf(main, name = 'the plugin module') {
  for (const candidate of [main?.default, main?.handler]) {
    if (candidate && typeof candidate.handle === 'function') return candidate;
  }
  throw new Error(
    `${name} does not export a plugin: it must \`export default definePlugin({ ... })\` ` +
      '(or export `handler` with a `handle(event)` function)',
  );
}

/**
 * @param {unknown} e
 * @returns {string}
 */
function describe(e) {
  if (e instanceof Error) return e.stack ? `${e.name}: ${e.message}\n${e.stack}` : `${e.name}: ${e.message}`;
  try {
    return JSON.stringify(e) ?? String(e);
  } catch {
    return String(e);
  }
}

/**
 * The component's `handler` export for the plugin module `main`, with `host` (the WIT import)
 * bound into the SDK. An exception other than a PluginError is logged at `error` level before
 * the component traps with it, so that `streamhooks replay --logs` shows the bug.
 * @param {Record<string, any>} main
 * @param {import('./index.js').Host} host
 * @param {string} [name] the module's name, for errors
 */
export function componentHandler(main, host, name = 'the plugin module') {
  bindHost(host);
  const plugin = pluginOf(main, name);
  return {
    /** @param {unknown} event */
    handle(event) {
      try {
        return plugin.handle(event);
      } catch (e) {
        const reported = e instanceof PluginError || (e !== null && typeof e === 'object' && Object.hasOwn(e, 'payload'));
        if (!reported) {
          try {
            host.log('error', `uncaught exception (the plugin traps): ${describe(e)}`);
          } catch {
            // Logging is best effort here.
          }
        }
        throw e;
      }
    },
  };
}
