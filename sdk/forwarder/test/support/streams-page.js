// Test harness: a jsdom page running the real amazon-connect-streams, with the simulated CCP
// (sim/ccp.html) as its CCP iframe, everything served from 127.0.0.1.
//
//   const page = await openStreamsPage({
//     afterInitCCP: (window, connect) => connect.agent(...),  // to see the agent's first events
//   });
//   page.connect.agent(...);            // the real Streams in the page (agent initialized already)
//   const contactId = page.sim.ring();  // the simulated CCP (window.ccpSim in the iframe); see sim/README.md
//   await waitFor(() => ...);
//   await page.close();
//
// Objects from the page (and from the sim) belong to jsdom's realm: assert.deepStrictEqual
// against them fails on prototypes; compare JSON copies. startStaticServer() serves the same
// files for a real browser (sim/host.html?init=1 embeds the sim; see test/support/browser.js).

import http from 'node:http';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { JSDOM, VirtualConsole } from 'jsdom';

const FORWARDER_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

// URL path prefixes served from sdk/forwarder/.
const SERVED_PREFIXES = ['/sim/', '/src/', '/dist/', '/node_modules/amazon-connect-streams/release/'];

const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8'
};

/**
 * Poll `predicate` (may be async) until it returns a truthy value, which is returned.
 * Rejects after `timeout` ms, naming the predicate.
 */
export async function waitFor(predicate, { timeout = 5000, interval = 10, message } = {}) {
  const deadline = Date.now() + timeout;
  let lastError;
  for (;;) {
    try {
      const value = await predicate();
      if (value) return value;
      lastError = undefined;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() >= deadline) {
      const what = message || predicate.toString();
      const error = new Error(`waitFor timed out after ${timeout} ms: ${what}` +
        (lastError ? ` (last error: ${lastError.message})` : ''));
      if (lastError) error.cause = lastError;
      throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}

/** Start an http server on 127.0.0.1 (port 0) serving sdk/forwarder/ files. */
export async function startStaticServer({ onRequest } = {}) {
  const server = http.createServer(async (req, res) => {
    try {
      if (onRequest && (await onRequest(req, res))) return;
      const url = new URL(req.url, 'http://127.0.0.1');
      const urlPath = decodeURIComponent(url.pathname);
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405).end();
        return;
      }
      if (!SERVED_PREFIXES.some((prefix) => urlPath.startsWith(prefix))) {
        res.writeHead(404).end('not served');
        return;
      }
      const file = path.resolve(FORWARDER_ROOT, '.' + urlPath);
      if (!file.startsWith(FORWARDER_ROOT + path.sep)) {
        res.writeHead(403).end();
        return;
      }
      const body = await fs.readFile(file);
      res.writeHead(200, {
        'content-type': CONTENT_TYPES[path.extname(file)] || 'application/octet-stream',
        'cache-control': 'no-store'
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (e) {
      if (!res.headersSent) res.writeHead(e.code === 'ENOENT' ? 404 : 500);
      res.end();
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  return {
    server,
    baseUrl: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    })
  };
}

/**
 * Open a jsdom page with the real amazon-connect-streams and the simulated CCP.
 *
 * Options:
 *   agentArn, name, username   the simulated agent (ccp.html ?agent=&name=&username=)
 *   query                      more ccp.html query parameters (object or string), e.g. {state: 'Offline'}
 *   initCCP                    extra connect.core.initCCP params (merged over the defaults)
 *   beforeInit(window, connect) called (and awaited) once Streams is loaded, before initCCP:
 *                              install globals the code under test needs (fetch ...)
 *   afterInitCCP(window, connect) called synchronously right after initCCP, before the CCP
 *                              has sent anything: subscribe here (connect.agent, connect.contact)
 *                              to see the events fired while the agent initializes
 *   onRequest(req, res)        serve extra routes on the same origin; return true when handled
 *   timeout                    ms to wait for the agent to initialize (default 10000)
 *
 * Resolves to {window, document, connect, sim, iframe, baseUrl, ccpUrl, dom, console, errors, close()}:
 * `console` collects the page's console output ({type, args}), `errors` jsdom errors.
 */
export async function openStreamsPage({
  agentArn,
  name,
  username,
  query,
  initCCP = {},
  beforeInit,
  afterInitCCP,
  onRequest,
  timeout = 10000
} = {}) {
  const served = await startStaticServer({ onRequest });
  const { baseUrl } = served;
  const consoleMessages = [];
  const errors = [];
  const virtualConsole = new VirtualConsole();
  for (const type of ['log', 'info', 'warn', 'error', 'debug', 'trace']) {
    virtualConsole.on(type, (...args) => consoleMessages.push({ type, args }));
  }
  virtualConsole.on('jsdomError', (error) => errors.push(error));

  let dom;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    if (dom) {
      for (const frame of dom.window.document.querySelectorAll('iframe')) {
        try {
          frame.contentWindow?.close();
        } catch {
          // already gone
        }
      }
      dom.window.close();
    }
    await served.close();
  };

  try {
    dom = await JSDOM.fromURL(`${baseUrl}/sim/host.html`, {
      runScripts: 'dangerously',
      resources: 'usable',
      pretendToBeVisual: true,
      virtualConsole
    });
    const { window } = dom;
    await waitFor(() => window.connect && window.connect.core && typeof window.connect.core.initCCP === 'function', {
      timeout,
      message: 'connect-streams.js to load in the page'
    });
    const { connect } = window;
    if (beforeInit) await beforeInit(window, connect);

    const ccpQuery = new URLSearchParams(typeof query === 'string' ? query : undefined);
    if (query && typeof query === 'object') {
      for (const [key, value] of Object.entries(query)) ccpQuery.set(key, String(value));
    }
    if (agentArn) ccpQuery.set('agent', agentArn);
    if (name) ccpQuery.set('name', name);
    if (username) ccpQuery.set('username', username);
    // Streams' logger formats the ccpUrl into a message with sprintf, and initCCP throws when
    // the url holds a percent-escape ("%3A"): keep ':', '/' and '@' literal (legal in a query).
    const qs = ccpQuery.toString().replace(/%3A/gi, ':').replace(/%2F/gi, '/').replace(/%40/g, '@');
    if (qs.includes('%')) {
      throw new Error(`openStreamsPage: the ccpUrl query would hold a percent-escape, which makes Streams' initCCP throw: ${qs}`);
    }
    const ccpUrl = `${baseUrl}/sim/ccp.html${qs ? '?' + qs : ''}`;

    let agentInitialized;
    const agentReady = new Promise((resolve) => {
      agentInitialized = resolve;
    });
    const container = window.document.getElementById('ccp-container');
    connect.core.initCCP(container, {
      ccpUrl,
      loginPopup: false,
      softphone: { allowFramedSoftphone: false, disableRingtone: true },
      ...initCCP
    });
    // connect.agent needs the event bus that initCCP creates.
    if (afterInitCCP) afterInitCCP(window, connect);
    connect.agent(() => agentInitialized());
    let timer;
    await Promise.race([
      agentReady,
      new Promise((resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`the agent did not initialize within ${timeout} ms`)), timeout);
      })
    ]).finally(() => clearTimeout(timer));
    const iframe = container.querySelector('iframe');
    const sim = iframe.contentWindow.ccpSim;
    return {
      dom,
      window,
      document: window.document,
      connect,
      sim,
      iframe,
      baseUrl,
      ccpUrl,
      console: consoleMessages,
      errors,
      close
    };
  } catch (e) {
    await close();
    throw e;
  }
}
