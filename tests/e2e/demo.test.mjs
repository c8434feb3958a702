// End-to-end: the demo page (www/index.html) in Debian's chromium through playwright-core,
// served by the range server exactly as `npm run demo` serves it. Asserts the bytes the
// page shows (hex, against the sample pattern computed here), the match badges, the
// request counter and the server's log, and that the console stayed clean. Saves a
// screenshot to test-results/demo.png.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, startSiteServer, watchedPage } from './browser.mjs';
import { SAMPLE_SIZE, sampleBytes } from '../../www/sample-pattern.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const MIB = 1024 * 1024;

let server, browser;

before(async () => {
  execFileSync(process.execPath, [path.join(repo, 'scripts/gen-demo-data.mjs')], { stdio: 'inherit' });
  server = await startSiteServer();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const hex = (bytes, offset) => {
  const lines = [];
  for (let i = 0; i < bytes.length; i += 16) {
    const row = Array.from(bytes.subarray(i, i + 16), (b) => b.toString(16).padStart(2, '0'));
    lines.push((offset + i).toString(16).padStart(8, '0') + '  ' + row.join(' '));
  }
  return lines.join('\n');
};

test('the demo page reads and shows the right bytes with the expected requests', async () => {
  const { page, problems } = await watchedPage(browser, {
    viewport: { width: 1100, height: 820 },
    consoleProblem: (m) => m.type() === 'error' || m.type() === 'warning',
  });
  page.on('requestfailed', (r) => {
    // Chromium reports a fetch as net::ERR_ABORTED when its Response is released before
    // the loader's completion notice arrives, even after every byte was read (always for
    // HEAD, sometimes for ranges): not a failure. The bytes are checked below.
    if (r.failure()?.errorText === 'net::ERR_ABORTED' && r.url().endsWith('/data/sample.bin')) return;
    problems.push(`requestfailed: ${r.method()} ${r.url()} ${r.headers().range} ${r.failure()?.errorText}`);
  });

  await page.goto(server.pageUrl);
  await page.evaluate(() => window.rangetileDemo.ready);
  const errors = await page.evaluate(() => window.rangetileDemo.errors);
  assert.deepEqual(errors, []);

  // The reads the page made, with the bytes it shows.
  const reads = await page.$$eval('.read', (els) =>
    els.map((el) => ({
      start: Number(el.dataset.start),
      end: Number(el.dataset.end),
      match: el.dataset.match,
      hex: el.querySelector('.hex').textContent,
      badge: el.querySelector('.badge').textContent,
      cost: el.querySelector('.cost')?.textContent,
    })),
  );
  const mid = 3 * MIB + 5;
  assert.deepEqual(
    reads.map((r) => [r.start, r.end]),
    [
      [0, 32],
      [4096, 4128],
      [mid, mid + 32],
      [SAMPLE_SIZE - 16, SAMPLE_SIZE],
      [0, 32],
    ],
  );
  for (const r of reads) {
    assert.equal(r.hex, hex(sampleBytes(r.start, r.end), r.start), `bytes ${r.start}..${r.end}`);
    assert.equal(r.match, 'true');
    assert.equal(r.badge, 'matches pattern');
  }
  assert.deepEqual(
    reads.map((r) => r.cost),
    ['1 request', 'same request', '1 request', '1 request', 'no request (cache)'],
  );
  // A value spot check, written out: the second word of the file is 0x9e3779b1.
  assert.ok(reads[0].hex.startsWith('00000000  00 00 00 00 b1 79 37 9e'));
  assert.equal(await page.textContent('#size'), SAMPLE_SIZE.toLocaleString('en-US'));

  // HEAD for the size, one request for the two nearby ranges, one each for 3 MiB and the
  // tail; the repeated header read is a cache hit.
  const log = (await (await fetch(`${server.url}/__log`)).json()).filter(
    (e) => e.method !== 'OPTIONS' && e.path.endsWith('/data/sample.bin'),
  );
  assert.deepEqual(
    log.map((e) => [e.method, e.range]),
    [
      ['HEAD', null],
      ['GET', 'bytes=0-4127'],
      ['GET', `bytes=${mid}-${mid + 31}`],
      ['GET', `bytes=${SAMPLE_SIZE - 16}-${SAMPLE_SIZE - 1}`],
    ],
  );
  const counters = await page.evaluate(() => ({
    requests: document.getElementById('requests').textContent,
    cacheHits: document.getElementById('cache-hits').textContent,
    bytes: document.getElementById('bytes').textContent,
  }));
  assert.equal(counters.requests, String(log.length));
  assert.equal(counters.cacheHits, '1');
  assert.equal(counters.bytes, (4128 + 32 + 16).toLocaleString('en-US'));
  assert.equal(await page.textContent('#status'), 'all reads match the pattern');

  // The form reads a range the user picks.
  await page.fill('#c-start', '2000000');
  await page.fill('#c-len', '20');
  await page.click('#custom button');
  await page.waitForSelector('.read[data-start="2000000"]');
  const custom = await page.$eval('.read[data-start="2000000"] .hex', (el) => el.textContent);
  assert.equal(custom, hex(sampleBytes(2_000_000, 2_000_020), 2_000_000));

  await mkdir(path.join(repo, 'test-results'), { recursive: true });
  await page.screenshot({ path: path.join(repo, 'test-results/demo.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});

test('npm run demo (scripts/demo.sh) serves the page and ranges of the sample on 127.0.0.1, printing the URL', async () => {
  const port = await new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port: p } = s.address();
      s.close(() => resolve(p));
    });
  });
  const child = spawn('bash', ['scripts/demo.sh'], {
    cwd: repo,
    env: { ...process.env, PORT: String(port), RANGETILE_SKIP_SETUP: '1', RANGETILE_SKIP_BUILD: '1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    let out = '';
    const pageUrl = await new Promise((resolve, reject) => {
      child.stdout.on('data', (d) => {
        out += d;
        const m = /rangetile demo: (\S+)/.exec(out);
        if (m) resolve(m[1]);
      });
      child.on('exit', (code) => reject(new Error(`demo.sh exited (${code}) before printing its URL:\n${out}`)));
    });
    assert.equal(pageUrl, `http://127.0.0.1:${port}/www/index.html`);
    const page = await fetch(pageUrl);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type'), /^text\/html/);
    assert.match(await page.text(), /window\.rangetileDemo/);
    const wasm = await fetch(new URL('../pkg/rangetile_bg.wasm', pageUrl));
    assert.equal(wasm.headers.get('content-type'), 'application/wasm');
    await wasm.arrayBuffer();
    const part = await fetch(new URL('data/sample.bin', pageUrl), { headers: { Range: 'bytes=1000-1015' } });
    assert.equal(part.status, 206);
    assert.deepEqual(new Uint8Array(await part.arrayBuffer()), sampleBytes(1000, 1016));
    // Only the site is served, not the rest of the checkout.
    assert.equal((await fetch(`http://127.0.0.1:${port}/package.json`)).status, 404);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
  }
});
