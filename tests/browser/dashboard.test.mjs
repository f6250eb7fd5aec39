// The dashboard in a real browser: Debian's chromium, headless, driven by playwright-core,
// against a real w2vd on a loopback ephemeral port with a planted corpus. Each step saves a
// screenshot to SCREENSHOT_DIR; any console error or page error fails the test (except the
// HTTP error statuses a step provokes on purpose, which the browser logs as errors).
//
// Environment: W2VD_BINARY (required), CHROMIUM (default /usr/bin/chromium), SCREENSHOT_DIR
// (default ./screenshots), WORK_DIR (default a new temporary directory).
// Exit status: 0 passed, 1 failed, 77 skipped (no chromium or playwright-core).

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { plantedCorpus, topicWord } from './planted_corpus.mjs';
import { startW2vd } from './w2vd_process.mjs';

const SKIP = 77;
const binary = process.env.W2VD_BINARY;
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const shots = path.resolve(process.env.SCREENSHOT_DIR || 'screenshots');
const STEP_TIMEOUT = 120000;
const JOB_TIMEOUT = 300000;

let chromium;
try {
  ({ chromium } = await import('playwright-core'));
} catch {
  console.log('SKIP: playwright-core is not installed (run `npm ci` in tests/browser)');
  process.exit(SKIP);
}
if (!existsSync(chromiumPath)) {
  console.log(`SKIP: no chromium at ${chromiumPath} (scripts/bootstrap installs it)`);
  process.exit(SKIP);
}
assert.ok(binary && existsSync(binary), 'W2VD_BINARY must name the w2vd binary');
mkdirSync(shots, { recursive: true });
const work = process.env.WORK_DIR || mkdtempSync(path.join(tmpdir(), 'w2vd-browser-'));

// ---- the planted corpus and an evaluation file of its word pairs ----
const corpusFile = path.join(work, 'planted.txt');
writeFileSync(corpusFile, plantedCorpus());
const pairsFile = path.join(work, 'planted-pairs.txt');
const pairs = [];
for (let t = 0; t < 4; t++) {
  for (let i = 1; i < 5; i++) pairs.push(`${topicWord(t, 0)} ${topicWord(t, i)} 9`);
  for (let u = t + 1; u < 5; u++) pairs.push(`${topicWord(t, 0)} ${topicWord(u, 0)} 1`);
}
writeFileSync(pairsFile, `${pairs.join('\n')}\n`);

// ---- console watch ----
const consoleErrors = [];
let allowedHttpErrors = null;  // e.g. /status of 401/ during a step that provokes it
function watch(page) {
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const text = msg.text();
    if (allowedHttpErrors && /^Failed to load resource: the server responded with a status of/.test(text)
        && allowedHttpErrors.test(text)) return;
    consoleErrors.push(text);
  });
  page.on('pageerror', (err) => consoleErrors.push(`page error: ${err.message}`));
}
async function expectingHttpErrors(pattern, f) {
  allowedHttpErrors = pattern;
  try {
    return await f();
  } finally {
    allowedHttpErrors = null;
  }
}

let stepNumber = 0;
async function step(page, name, f) {
  stepNumber++;
  const started = Date.now();
  try {
    await f();
  } finally {
    const file = path.join(shots, `${String(stepNumber).padStart(2, '0')}-${name}.png`);
    await page.screenshot({ path: file, fullPage: true }).catch(() => {});
  }
  assert.deepEqual(consoleErrors, [], `console errors during step ${name}`);
  console.log(`ok ${stepNumber} - ${name} (${Date.now() - started} ms)`);
}

const launchOptions = { executablePath: chromiumPath, headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] };
const viewport = { width: 1280, height: 900 };
let server = null;
let browser = null;
let failed = false;

try {
  server = await startW2vd(binary, path.join(work, 'data'), ['--eval-pairs', pairsFile]);
  browser = await chromium.launch(launchOptions);
  const page = await browser.newPage({ viewport });
  page.setDefaultTimeout(STEP_TIMEOUT);
  watch(page);

  await step(page, 'jobs-empty', async () => {
    await page.goto(`${server.url}/`);
    assert.match(page.url(), /\/ui\/$/, 'the root redirects to /ui/');
    await page.getByText('No jobs yet').waitFor();
  });

  await step(page, 'corpus-uploaded', async () => {
    await page.getByRole('link', { name: 'Corpora', exact: true }).click();
    await page.locator('#corpus-name').fill('planted');
    await page.locator('#corpus-file').setInputFiles(corpusFile);
    await page.locator('#corpora-table tbody tr', { hasText: 'planted' }).waitFor();
    await page.getByText('Uploaded “planted”').waitFor();
    assert.equal(await page.locator('#upload-progress').evaluate((e) => e.value), 100);
  });

  const fill = async (key, value) => page.locator(`#param-${key}`).fill(String(value));
  await step(page, 'new-job-validation-error', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'New job' }).click();
    await page.locator('#new-job-form').waitFor();
    assert.equal(await page.locator('#param-dim').inputValue(), '100', 'defaults are shown');
    await fill('dim', 0);
    await expectingHttpErrors(/status of 400/, async () => {
      await page.getByRole('button', { name: 'Start training' }).click();
      await page.locator('#param-dim-error', { hasText: 'params.dim' }).waitFor();
    });
    assert.equal(await page.locator('#param-dim').getAttribute('aria-invalid'), 'true');
  });

  let jobUrl = '';
  const progressSeen = new Set();
  await step(page, 'job-running', async () => {
    // Costly parameters so that two epochs last several seconds even on a fast machine.
    for (const [k, v] of [['dim', 300], ['window', 15], ['negative', 25], ['min_count', 1],
      ['sample', 0], ['epochs', 2], ['threads', 1]]) await fill(k, v);
    await page.locator('#job-name').fill('planted-2-epochs');
    await page.getByRole('button', { name: 'Start training' }).click();
    await page.waitForURL(/#\/jobs\/j_/);
    jobUrl = page.url();
    const bar = page.locator('#job-summary progress');
    // Seen moving: a value strictly between 0 and 100 while it runs.
    await page.waitForFunction(() => {
      const p = document.querySelector('#job-summary progress');
      return p && p.value > 0 && p.value < 100;
    });
    progressSeen.add(await bar.evaluate((e) => e.value));
    await page.waitForFunction(() => Number(document.querySelector('#loss-chart').dataset.points) >= 3);
  });

  await step(page, 'job-done', async () => {
    const started = Date.now();
    let halfway = false;
    while (!(await page.locator('#main h2 .status.succeeded').count())) {
      assert.ok(Date.now() - started < JOB_TIMEOUT, 'the job finishes in time');
      assert.equal(await page.locator('#main h2 .status.failed').count(), 0, 'the job must not fail');
      const value = await page.locator('#job-summary progress').evaluate((e) => e.value);
      progressSeen.add(value);
      if (value >= 50 && !halfway) {
        halfway = true;
        await page.screenshot({ path: path.join(shots, '05-job-halfway.png'), fullPage: true });
      }
      await page.waitForTimeout(250);
    }
    assert.ok(progressSeen.size >= 2, `the progress bar moved (values seen: ${[...progressSeen]})`);
    await page.waitForFunction(() => document.querySelector('#job-summary progress').value === 100);
    const points = Number(await page.locator('#loss-chart').getAttribute('data-points'));
    assert.ok(points >= 10, `the loss curve holds ${points} points, want at least 10`);
    await page.locator('#job-evaluation', { hasText: 'Spearman' }).waitFor();
  });

  await step(page, 'job-after-reload', async () => {
    await page.reload();
    await page.locator('#main h2 .status.succeeded').waitFor();
    const points = Number(await page.locator('#loss-chart').getAttribute('data-points'));
    assert.ok(points >= 10, `after a reload the stored history gives ${points} points`);
  });

  await step(page, 'jobs-list', async () => {
    await page.getByRole('link', { name: 'Jobs', exact: true }).click();
    await page.locator('#jobs-table tr[data-status="succeeded"]').waitFor();
  });

  await step(page, 'jobs-live-and-cancel', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'New job' }).click();
    await page.locator('#new-job-form').waitFor();
    for (const [k, v] of [['dim', 300], ['window', 15], ['negative', 25], ['min_count', 1],
      ['sample', 0], ['epochs', 3], ['threads', 1]]) await fill(k, v);
    await page.locator('#job-name').fill('to-cancel');
    await page.getByRole('button', { name: 'Start training' }).click();
    await page.waitForURL(/#\/jobs\/j_/);
    await page.getByRole('link', { name: 'Jobs', exact: true }).click();
    const row = page.locator('#jobs-table tr', { hasText: 'to-cancel' });
    // Live from the event stream: a moving bar, words/s and an ETA.
    await row.locator('td', { hasText: 'words/s' }).waitFor();
    await page.waitForFunction(() => {
      const p = [...document.querySelectorAll('#jobs-table tr')]
        .find((tr) => tr.textContent.includes('to-cancel'))?.querySelector('progress');
      return p && p.value >= 3;
    });
    await page.screenshot({ path: path.join(shots, `${String(stepNumber).padStart(2, '0')}-jobs-live.png`),
      fullPage: true });
    await row.getByRole('button', { name: /Cancel job/ }).click();
    await page.locator('#jobs-table tr[data-status="cancelled"]', { hasText: 'to-cancel' }).waitFor();
  });

  await step(page, 'models', async () => {
    await page.getByRole('link', { name: 'Models', exact: true }).click();
    await page.locator('#models-table tbody tr', { hasText: 'planted-2-epochs' }).waitFor();
  });

  const planted = topicWord(0, 0);
  const group = new Set(Array.from({ length: 20 }, (_, i) => topicWord(0, i)));
  await step(page, 'explore-neighbours', async () => {
    await page.locator('#models-table a', { hasText: 'Explore' }).first().click();
    await page.locator('#explore-word').fill(planted.slice(0, 3));
    await page.locator('#explore-word').fill(planted);
    await page.getByRole('button', { name: 'Neighbours' }).click();
    const words = await page.locator('#neighbours td.word').allTextContents();
    assert.equal(words.length, 10);
    for (const w of words.slice(0, 5)) assert.ok(group.has(w), `${w} is a planted neighbour of ${planted}`);
  });

  await step(page, 'explore-map', async () => {
    await page.getByRole('button', { name: 'Draw map' }).click();
    await page.waitForFunction(() => Number(document.querySelector('#word-map').dataset.words) > 100);
    await page.locator('#map-find').fill(planted);
    await page.locator('#map-find-button').click();
    await page.getByText(`“${planted}” is at the centre of the map`).waitFor();
    // The planted word's point is at the centre: hovering there names it, clicking shows and
    // highlights its neighbours.
    await page.locator('#word-map').scrollIntoViewIfNeeded();
    const box = await page.locator('#word-map').boundingBox();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.locator('#map-tip', { hasText: planted }).waitFor();
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await page.getByText(`Highlighted “${planted}”`).waitFor();
    await page.locator('#neighbours', { hasText: `Closest to “${planted}”` }).waitFor();
  });

  await step(page, 'narrow-900px', async () => {
    await page.setViewportSize({ width: 900, height: 900 });
    for (const view of ['#/jobs', jobUrl.replace(/^.*#/, '#'), '#/new', '#/corpora', '#/models']) {
      await page.evaluate((hash) => { location.hash = hash; }, view);
      await page.locator('#main h2').first().waitFor();
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 900, `${view} fits in 900 px (it is ${width} px wide)`);
    }
  });

  await browser.close();
  browser = null;
  await server.stop();

  // ---- with a token: a wrong one is refused in words, the right one works ----
  server = await startW2vd(binary, path.join(work, 'data'), ['--token', 's3cret-token']);
  browser = await chromium.launch(launchOptions);
  const tokenPage = await browser.newPage({ viewport });
  tokenPage.setDefaultTimeout(STEP_TIMEOUT);
  watch(tokenPage);
  await step(tokenPage, 'token-wrong', async () => {
    await expectingHttpErrors(/status of 401/, async () => {
      await tokenPage.goto(`${server.url}/ui/`);
      await tokenPage.locator('#token-dialog[open]').waitFor();
      await tokenPage.locator('#token-input').fill('not-the-token');
      await tokenPage.getByRole('button', { name: 'Use this token' }).click();
      await tokenPage.locator('#token-error', { hasText: 'Wrong token' }).waitFor();
    });
  });
  await step(tokenPage, 'token-right', async () => {
    await tokenPage.locator('#token-input').fill('s3cret-token');
    await tokenPage.getByRole('button', { name: 'Use this token' }).click();
    await tokenPage.locator('#token-dialog').waitFor({ state: 'hidden' });
    await tokenPage.locator('#jobs-table tr[data-status="succeeded"]').waitFor();
    assert.ok(!tokenPage.url().includes('s3cret'), 'the token is never in the URL');
    // The static files needed no token; the data did.
    const html = await tokenPage.evaluate(async () => (await fetch('/ui/app.js')).status);
    assert.equal(html, 200);
  });
  await step(tokenPage, 'job-page-with-token', async () => {
    await tokenPage.goto(jobUrl.replace(/^http:\/\/[^/]+/, server.url));
    await tokenPage.locator('#main h2 .status.succeeded').waitFor();
    const points = Number(await tokenPage.locator('#loss-chart').getAttribute('data-points'));
    assert.ok(points >= 10, `after a restart the history gives ${points} points`);
  });
} catch (e) {
  failed = true;
  console.error(`not ok - ${e.stack || e.message}`);
  if (consoleErrors.length) console.error(`console errors:\n${consoleErrors.join('\n')}`);
  if (server) console.error(`w2vd log (tail):\n${server.log().slice(-4000)}`);
} finally {
  if (browser) await browser.close().catch(() => {});
  if (server) await server.stop().catch(() => {});
  if (!process.env.WORK_DIR) rmSync(work, { recursive: true, force: true });
}
console.log(failed ? '0 passed, 1 failed' : `${stepNumber} passed, 0 failed`);
process.exit(failed ? 1 : 0);
