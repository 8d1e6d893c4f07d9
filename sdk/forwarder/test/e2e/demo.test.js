// End to end, in Debian's headless Chromium: the demo page of `streamhooks dev` (the real
// amazon-connect-streams, the simulated CCP, the forwarder) against the real dev server (the
// ingest handler, the example plugins, the dry-run executor). An incoming call goes through,
// the screen-pop plugin's directive comes back and shows, the browser reports it done.
//
//   STREAMHOOKS_BIN   the streamhooks binary (default: target/debug/streamhooks)
//   CHROMIUM          the browser (default: /usr/bin/chromium)
//
// Run: node --test sdk/forwarder/test/e2e/   (after `cargo build -p streamhooks-cli` and
// scripts/build-plugins.sh)
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { chromium } from 'playwright-core';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const bin = process.env.STREAMHOOKS_BIN || path.join(repo, 'target/debug/streamhooks');
const browserPath = process.env.CHROMIUM || '/usr/bin/chromium';
const TIMEOUT = 20000;

let server;
let baseUrl;
let browser;
const serverLog = [];

before(async () => {
  assert.ok(existsSync(bin), `${bin} is missing: cargo build -p streamhooks-cli`);
  assert.ok(existsSync(browserPath), `${browserPath} is missing: apt-get install chromium`);
  server = spawn(bin, ['dev', '--addr', '127.0.0.1:0', '--plugins', path.join(repo, 'target/plugins/examples')], {
    cwd: repo,
    env: { ...process.env, RUST_LOG: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  createInterface({ input: server.stderr }).on('line', (line) => serverLog.push(line));
  const lines = createInterface({ input: server.stdout });
  baseUrl = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`streamhooks dev did not start:\n${serverLog.join('\n')}`)), TIMEOUT);
    server.once('exit', (code) => reject(new Error(`streamhooks dev exited (${code}):\n${serverLog.join('\n')}`)));
    lines.on('line', (line) => {
      const match = /^streamhooks dev: listening on (http:\/\/\S+?)\/?$/.exec(line);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
  });
  browser = await chromium.launch({
    executablePath: browserPath,
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
});

after(async () => {
  await browser?.close();
  if (server && server.exitCode === null) {
    server.kill();
    await once(server, 'exit');
  }
});

test('an incoming call is forwarded, the screen pop comes back and shows, and the call goes through', async (t) => {
  const page = await browser.newPage();
  const pageLog = [];
  page.on('console', (message) => pageLog.push(`${message.type()}: ${message.text()}`));
  page.on('pageerror', (error) => pageLog.push(`pageerror: ${error.message}`));
  t.after(async () => {
    mkdirSync(path.join(repo, 'target/e2e'), { recursive: true });
    await page.screenshot({ path: path.join(repo, 'target/e2e/demo.png'), fullPage: true }).catch(() => {});
    await page.close();
  });
  const explain = () => `\npage console:\n${pageLog.join('\n')}\nserver:\n${serverLog.slice(-40).join('\n')}`;

  try {
    await page.goto(`${baseUrl}/`);
    // Streams initialises the agent through the simulated CCP.
    await page.locator('#agent-state', { hasText: 'Available' }).waitFor({ timeout: TIMEOUT });
    const agentName = await page.locator('#agent-name').textContent();
    assert.ok(agentName && agentName.length > 0);

    // The customer calls: ring the simulated CCP, inside its iframe.
    const ccp = page.frameLocator('#ccp iframe');
    await ccp.locator('#ring').click();

    // The forwarder sent contact::connecting; screen-pop decided a directive; it came back
    // in the answer and the page showed it.
    const pop = page.locator('#screen-pop.popped');
    await pop.waitFor({ timeout: TIMEOUT });
    assert.equal(await pop.locator('a.url').textContent(), 'https://crm.example.com/customers/C-1001');
    assert.equal(await pop.locator('a.url').getAttribute('href'), 'https://crm.example.com/customers/C-1001');

    // The agent accepts through Streams (contact.accept → the CCP's acceptContact).
    await page.locator('#contact[data-state="connecting"]').waitFor({ timeout: TIMEOUT });
    await page.locator('#accept').click();
    await page.locator('#contact[data-state="connected"]').waitFor({ timeout: TIMEOUT });

    // The live feed shows what the server handled: the Streams events, the plugin's
    // directive, and the browser's report that it ran it.
    const feed = page.locator('#feed');
    for (const kind of ['contact-connecting', 'contact-accepted', 'contact-connected']) {
      await feed.locator(`li.feed-event[data-source="streams"][data-kind="${kind}"][data-status="processed"]`)
        .first().waitFor({ timeout: TIMEOUT });
    }
    await feed.locator('li.feed-directive-result[data-status="done"]').first().waitFor({ timeout: TIMEOUT });
    const connecting = await feed.locator('li.feed-event[data-kind="contact-connecting"]').first().textContent();
    assert.match(connecting, /screen-pop → directive screen-pop for the browser/);

    // The customer hangs up: Streams fires ended and ACW, and the forwarder sends them.
    await ccp.locator('#hangup').click();
    await page.locator('#contact[data-state="ended"]').waitFor({ timeout: TIMEOUT });
    await feed.locator('li.feed-event[data-kind="contact-acw"][data-source="streams"]').first().waitFor({ timeout: TIMEOUT });

    // Amazon Connect's COMPLETED contact event arrives as EventBridge delivers it: the
    // crm-call-log plugin writes the call log (dry run).
    await page.locator('#send-eventbridge').click();
    await feed.locator('li.feed-event[data-source="eventbridge"][data-kind="contact-completed"]').first().waitFor({ timeout: TIMEOUT });
    await feed.locator('li.feed-action[data-plugin="crm-call-log"][data-action="crm"]').first().waitFor({ timeout: TIMEOUT });

    // Nothing failed on the page's side: every entry decoded on the server (a rejected entry
    // is reported as an error), no batch was dropped.
    const errors = await page.evaluate(() => window.streamhooksErrors);
    assert.deepEqual(errors.filter((e) => !e.retryable), []);
    const stats = await page.evaluate(() => window.streamhooksForwarder.stats());
    assert.equal(stats.dropped, 0, JSON.stringify(stats));
    assert.ok(stats.acknowledged >= 5, JSON.stringify(stats));
    assert.deepEqual(pageLog.filter((line) => line.startsWith('pageerror')), []);
  } catch (error) {
    error.message += explain();
    throw error;
  }
});
