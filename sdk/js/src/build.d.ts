// Types of @streamhooks/plugin-sdk/build (what bin/streamhooks-js-build.js runs).

export const WIT_VERSION: string;
export const HOST_IMPORT: string;
export const ALLOWED_IMPORTS: string[];
export const HANDLER_EXPORT: string;
export const DISABLED_FEATURES: string[];

/** A build failure with a message meant for the plugin author. */
export class BuildError extends Error {}

/** The WIT folder the SDK builds against. */
export function witDir(): string;
/** The manifest fields the build needs. */
export function readManifest(dir: string): Promise<{ name: string; component: string; file: string }>;
/** The plugin module and everything it imports, as one ES module importing only the host. */
export function bundle(main: string, name?: string): Promise<string>;
/** The top-level import and export names of a component binary. */
export function componentInterface(wasm: Uint8Array): { imports: string[]; exports: string[] };
/** Builds the plugin in `dir` into `out/<component>` and `out/plugin.toml`. */
export function build(options: {
  dir?: string;
  out: string;
  entry?: string;
}): Promise<{ name: string; component: string; bytes: number; seconds: number }>;
