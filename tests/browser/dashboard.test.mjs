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
import { gzipSync } from 'node:zlib';

import { assertControlsNamed, assertFits, downloadOf, dropFile, focused, tabTo } from './page_checks.mjs';
import { startForeignSite, w2vdState } from './foreign_site.mjs';
import { plantedCorpus, topicWord } from './planted_corpus.mjs';
import { startW2vd } from './w2vd_process.mjs';

const SKIP = 77;
const binary = process.env.W2VD_BINARY;
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const shots = path.resolve(process.env.SCREENSHOT_DIR || 'screenshots');
const STEP_TIMEOUT = 120000;
const JOB_TIMEOUT = 300000;
// How long the main job should train, as predicted from the cancelled job's speed (on a
// busy machine the prediction is often twice the real time; ten points need five seconds).
const TRAINING_SECONDS = 14;

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
const plantedSentences = 30000;
const plantedWords = 12 * plantedSentences;
writeFileSync(corpusFile, plantedCorpus({ sentences: plantedSentences }));
// A smaller one, gzipped, for the drag-and-drop upload.
const gzipFile = path.join(work, 'dropped.txt.gz');
const droppedSentences = 2000;
writeFileSync(gzipFile, gzipSync(plantedCorpus({ sentences: droppedSentences })));
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

// A screenshot in the middle of a step, numbered with it: of the page, or of one element.
async function shot(page, name, element = null) {
  const file = path.join(shots, `${String(stepNumber).padStart(2, '0')}-${name}.png`);
  if (element) await element.screenshot({ path: file });
  else await page.screenshot({ path: file, fullPage: true });
}

// Accepts the confirm() dialog the next click opens.
function acceptNextDialog(page, message) {
  page.once('dialog', (d) => {
    assert.match(d.message(), message);
    d.accept();
  });
}

// rebind.test: a name an attacker's DNS points at 127.0.0.1 (DNS rebinding), mapped here.
const launchOptions = { executablePath: chromiumPath, headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
    '--host-resolver-rules=MAP rebind.test 127.0.0.1'] };
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

  await step(page, 'corpus-dropped-gzip', async () => {
    // Record what the progress line says while the upload goes, to see the bar follow it.
    await page.evaluate(() => {
      window.uploadStatusSeen = [];
      new MutationObserver(() => window.uploadStatusSeen.push(
        [document.getElementById('upload-progress').value,
          document.getElementById('upload-status').textContent]))
        .observe(document.getElementById('upload-status'), { childList: true, characterData: true, subtree: true });
    });
    // A slow link (about 2 s for this file), to see the bar part-way.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0,
      downloadThroughput: -1, uploadThroughput: 64 * 1024 });
    await dropFile(page, '#corpus-drop', gzipFile, 'dropped.txt.gz', 'application/gzip');
    const row = page.locator('#corpora-table tbody tr', { hasText: 'dropped' });
    await row.waitFor();
    await page.getByText('Uploaded “dropped”').waitFor();
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0,
      downloadThroughput: -1, uploadThroughput: -1 });
    await cdp.detach();
    // The gzip file was sent as it is and counted by the server: 12 words a sentence.
    assert.equal((await row.locator('td.num').nth(1).textContent()).trim(),
      (12 * droppedSentences).toLocaleString('en-US'));
    const seen = await page.evaluate(() => window.uploadStatusSeen);
    console.log(`# upload progress seen: ${seen.map(([value]) => Math.round(value)).join(' ')}`);
    assert.ok(seen.some(([value, text]) => value > 0 && value < 100 && /KB of .*KB$/.test(text)),
      `the bar was seen part-way (seen: ${JSON.stringify(seen)})`);
    assert.ok(seen.some(([value, text]) => value === 100 && /of .* counting words/.test(text)),
      `the bar followed the upload's progress events (seen: ${JSON.stringify(seen)})`);
    assert.equal(await page.locator('#upload-progress').evaluate((e) => e.value), 100);
    await shot(page, 'corpus-dropped');
    acceptNextDialog(page, /Delete corpus “dropped”/);
    await row.getByRole('button', { name: 'Delete corpus dropped' }).click();
    await page.getByText('Deleted corpus “dropped”.').waitFor();
    await row.waitFor({ state: 'detached' });
  });

  const fill = async (key, value) => page.locator(`#param-${key}`).fill(String(value));
  await step(page, 'new-job-validation-error', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'New job' }).click();
    await page.locator('#new-job-form').waitFor();
    assert.equal(await page.locator('#param-dim').inputValue(), '100', 'defaults are shown');
    // The form is the server's table of parameters (GET /v1/params): a field each, in its
    // order, showing its default.
    const { params } = await (await fetch(`${server.url}/v1/params`)).json();
    assert.ok(params.length >= 13, `the table lists ${params.length} parameters`);
    const ids = await page.locator('#new-job-form .form-grid .field :is(input, select)')
      .evaluateAll((controls) => controls.map((c) => [c.id, c.value]));
    assert.deepEqual(ids, params.map((p) => [`param-${p.name}`, String(p.default)]));
    await fill('dim', 0);
    await expectingHttpErrors(/status of 400/, async () => {
      await page.getByRole('button', { name: 'Start training' }).click();
      await page.locator('#param-dim-error', { hasText: 'params.dim' }).waitFor();
    });
    assert.equal(await page.locator('#param-dim').getAttribute('aria-invalid'), 'true');
  });

  let wordsPerSecAt300 = 0;
  await step(page, 'jobs-live', async () => {
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
    await shot(page, 'jobs-live');
    // A running job's row (speed, ETA, Cancel) fits 900 px too.
    await page.setViewportSize({ width: 900, height: 900 });
    await assertFits(page, 'the jobs view with a running job at 900 px');
    await shot(page, 'jobs-live-900px');
    await page.setViewportSize(viewport);
  });

  await step(page, 'corpus-in-use', async () => {
    // The running job uses the corpus: deleting it is refused with a sentence, not a code.
    await page.getByRole('link', { name: 'Corpora', exact: true }).click();
    const row = page.locator('#corpora-table tbody tr', { hasText: 'planted' });
    acceptNextDialog(page, /Delete corpus “planted”/);
    await expectingHttpErrors(/status of 409/, async () => {
      await row.getByRole('button', { name: 'Delete corpus planted' }).click();
      await page.locator('.notice.error[role="alert"]', {
        hasText: 'Corpus “planted” cannot be deleted while a queued or running job uses it' }).waitFor();
    });
    await row.waitFor();
  });

  await step(page, 'job-cancelled', async () => {
    await page.getByRole('link', { name: 'Jobs', exact: true }).click();
    const row = page.locator('#jobs-table tr', { hasText: 'to-cancel' });
    const jobId = await row.getAttribute('data-job');
    await row.getByRole('button', { name: /Cancel job/ }).click();
    await page.locator('#jobs-table tr[data-status="cancelled"]', { hasText: 'to-cancel' }).waitFor();
    // How fast this machine trains with these parameters, to size the next job.
    const history = await (await fetch(`${server.url}/v1/jobs/${jobId}/history`)).json();
    const last = history.latest || history.samples.at(-1);
    assert.ok(last && last.words_done > 0 && last.seconds > 0, 'the cancelled job trained for a while');
    wordsPerSecAt300 = last.words_done / last.seconds;
  });

  let jobUrl = '';
  const progressSeen = new Set();
  let dim = 300;
  await step(page, 'job-running', async () => {
    // Parameters that make the job last about TRAINING_SECONDS on this machine: long enough
    // for ten half-second progress reports, short enough for a quick test. The cancelled job
    // measured the speed at dim 300 and 25 negatives; an example costs about as much as
    // (dim + 90) × (negative + 1) (measured: the fixed part is large). A machine too fast for
    // two epochs at dim 300 gets more negatives, then more epochs.
    const seconds = (2 * plantedWords) / wordsPerSecAt300;
    const scale = TRAINING_SECONDS / seconds;
    let negative = 25;
    let epochs = 2;
    if (scale > 1) {
      negative = Math.min(64, Math.round(26 * scale) - 1);
      epochs = Math.max(2, Math.ceil((2 * 26 * scale) / (negative + 1)));
    } else if (scale >= 190 / 390) {
      dim = Math.min(300, 10 * Math.round((390 * scale - 90) / 10));
    } else {
      dim = 100;
      negative = Math.max(2, Math.round((26 * 390 * scale) / 190) - 1);
    }
    console.log(`# 2 epochs at dim 300 and 25 negatives would take ${seconds.toFixed(1)} s here: ` +
      `training ${epochs} epochs at dim ${dim} with ${negative} negatives`);
    await page.getByRole('navigation').getByRole('link', { name: 'New job' }).click();
    await page.locator('#new-job-form').waitFor();
    for (const [k, v] of [['dim', dim], ['window', 15], ['negative', negative], ['min_count', 1],
      ['sample', 0], ['epochs', epochs], ['threads', 1]]) await fill(k, v);
    await page.locator('#job-name').fill('planted-main');
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
        await shot(page, 'job-halfway');
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

  // ---- the keyboard alone: the navigation, the new-job form, the explorer ----
  const navLink = (name) => (f) => f.tag === 'a' && f.text === name;
  const byId = (id) => (f) => f.id === id;
  await step(page, 'keyboard-new-job', async () => {
    // A fresh load: the focus starts at the top of the page.
    await page.goto(`${server.url}/ui/#/jobs`);
    await page.reload();
    await page.locator('#jobs-table').waitFor();
    await page.keyboard.press('Tab');
    const skip = await focused(page);
    assert.equal(skip.text, 'Skip to content', 'the first Tab reaches the skip link');
    assert.ok(skip.ring, 'the skip link shows its focus ring');
    // Each view opened from the navigation takes the focus to its content: the navigation is
    // then behind it (Shift+Tab), the view's controls ahead (Tab).
    for (const [name, ready, key] of [['Corpora', '#corpora-table', 'Tab'],
      ['Models', '#models-table', 'Shift+Tab'], ['Explore', '#explore-word', 'Shift+Tab'],
      ['New job', '#new-job-form', 'Shift+Tab']]) {
      await tabTo(page, navLink(name), { key });
      await page.keyboard.press('Enter');
      await page.locator(ready).waitFor();
      assert.equal((await focused(page)).id, 'main', `the ${name} view has the focus`);
    }
    await tabTo(page, byId('job-name'));
    await page.keyboard.type('keyboard-job');
    for (const [key, value] of [['dim', '20'], ['epochs', '1']]) {
      await tabTo(page, byId(`param-${key}`));
      await page.keyboard.press('Control+A');
      await page.keyboard.type(value);
    }
    await shot(page, 'keyboard-form');
    await tabTo(page, (f) => f.tag === 'button' && f.text === 'Start training');
    await page.keyboard.press('Space');
    await page.waitForURL(/#\/jobs\/j_/);
    await page.locator('#main h2 .status.succeeded').waitFor({ timeout: JOB_TIMEOUT });
  });

  const planted = topicWord(0, 0);
  const group = new Set(Array.from({ length: 20 }, (_, i) => topicWord(0, i)));
  await step(page, 'keyboard-explore', async () => {
    await tabTo(page, navLink('Explore'), { key: 'Shift+Tab' });
    await page.keyboard.press('Enter');
    // The focus moves to <main> on the hashchange event, which can come after the key press
    // returns (it did in CI); a Tab pressed before it would be undone by it.
    await page.locator('#explore-word').waitFor();
    await page.waitForFunction(() => document.activeElement?.id === 'main');
    await tabTo(page, byId('explore-word'));
    await page.keyboard.type(planted);
    await page.keyboard.press('Enter');
    await page.locator('#neighbours', { hasText: `Closest to “${planted}”` }).waitFor();
    assert.equal(await page.locator('#neighbours td.word').count(), 10);
  });

  await step(page, 'models', async () => {
    await page.getByRole('link', { name: 'Models', exact: true }).click();
    await page.locator('#models-table tbody tr', { hasText: 'planted-main' }).waitFor();
    await page.locator('#models-table tbody tr', { hasText: 'keyboard-job' }).waitFor();
  });

  await step(page, 'models-export', async () => {
    const row = page.locator('#models-table tbody tr', { hasText: 'planted-main' });
    const vocab = (await row.locator('td.num').first().textContent()).trim().replace(/,/g, '');
    for (const [format, suffix] of [['binary', 'bin'], ['text', 'txt']]) {
      const { name, bytes } = await downloadOf(page,
        row.getByRole('button', { name: `Export planted-main in word2vec ${format} format` }));
      assert.match(name, new RegExp(`^m_[^.]+\\.${suffix}$`));
      // word2vec's header: "<words> <dimension>\n", then one word and its vector per entry.
      const header = bytes.subarray(0, bytes.indexOf(0x0a)).toString('latin1');
      assert.equal(header, `${vocab} ${dim}`, `the ${format} export starts with word2vec's header`);
      if (format === 'text') {
        const lines = bytes.toString('utf8').trimEnd().split('\n');
        assert.equal(lines.length, Number(vocab) + 1);
        assert.equal(lines[1].trim().split(' ').length, dim + 1);
      } else {
        assert.ok(bytes.length > Number(vocab) * dim * 4, `the binary export holds ${vocab} vectors`);
      }
    }
  });

  await step(page, 'models-rename-search-delete', async () => {
    const id = await page.locator('#models-table tbody tr', { hasText: 'keyboard-job' }).getAttribute('data-model');
    const row = page.locator(`#models-table tbody tr[data-model="${id}"]`);
    await row.getByRole('button', { name: 'Rename model keyboard-job' }).click();
    const input = row.getByRole('textbox', { name: /New name for model/ });
    await input.fill('renamed-by-keyboard');
    await input.press('Enter');
    await page.getByText(/Renamed model m_.* to “renamed-by-keyboard”/).waitFor();
    const renamed = page.locator('#models-table tbody tr', { hasText: 'renamed-by-keyboard' });
    await renamed.waitFor();
    const back = await focused(page);
    assert.equal(back.text, 'Rename', 'the focus goes back to the Rename button');
    // Escape leaves the name as it is.
    await page.keyboard.press('Enter');
    await page.keyboard.type('-not-kept');
    await page.keyboard.press('Escape');
    await renamed.getByRole('button', { name: 'Rename model renamed-by-keyboard' }).waitFor();
    assert.equal((await focused(page)).text, 'Rename');

    const search = page.getByRole('combobox', { name: 'Default search of model planted-main' });
    await search.selectOption('approximate');
    await page.getByText('Model “planted-main” now answers /similar with approximate search.').waitFor();
    // The index builds in the background; its cell follows it until it is ready.
    await page.locator('#models-table tbody tr', { hasText: 'planted-main' })
      .locator('.index-state', { hasText: 'index ready' }).waitFor();
    await shot(page, 'models-renamed');

    acceptNextDialog(page, /Delete model “renamed-by-keyboard”/);
    await renamed.getByRole('button', { name: 'Delete model renamed-by-keyboard' }).click();
    await page.getByText('Deleted model “renamed-by-keyboard”.').waitFor();
    await renamed.waitFor({ state: 'detached' });
    // Each change was made on the server: a reload shows it.
    await page.reload();
    await page.locator('#models-table tbody tr', { hasText: 'planted-main' }).waitFor();
    assert.equal(await page.locator('#models-table tbody tr', { hasText: 'renamed-by-keyboard' }).count(), 0);
    assert.equal(await page.getByRole('combobox', { name: 'Default search of model planted-main' })
      .inputValue(), 'approximate');
  });

  await step(page, 'explore-neighbours', async () => {
    await page.locator('#models-table a', { hasText: 'Explore' }).first().click();
    // Completion: the words of the model that start with what is typed.
    await page.locator('#explore-word').fill('t3w1');
    await page.waitForFunction(() => document.querySelectorAll('#explore-word-words option').length === 11);
    const completions = await page.locator('#explore-word-words option').evaluateAll(
      (options) => options.map((o) => o.value));
    assert.deepEqual(completions.slice().sort(),
      ['t3w1', ...Array.from({ length: 10 }, (_, i) => `t3w1${i}`)].sort());
    await page.locator('#explore-word').fill(planted);
    await page.getByRole('button', { name: 'Neighbours' }).click();
    await page.locator('#neighbours', { hasText: `Closest to “${planted}” (approximate search)` }).waitFor();
    const words = await page.locator('#neighbours td.word').allTextContents();
    assert.equal(words.length, 10);
    for (const w of words.slice(0, 5)) assert.ok(group.has(w), `${w} is a planted neighbour of ${planted}`);
  });

  await step(page, 'explore-analogy-similarity', async () => {
    // t0w0 : t1w0 :: t0w1 : ? — b − a + c lands in b's group, topic 1.
    await page.getByLabel('a', { exact: true }).fill(topicWord(0, 0));
    await page.getByLabel('b', { exact: true }).fill(topicWord(1, 0));
    await page.getByLabel('c', { exact: true }).fill(topicWord(0, 1));
    await page.getByRole('button', { name: 'Solve' }).click();
    await page.locator('#analogy-results td.word').first().waitFor();
    const answers = await page.locator('#analogy-results td.word').allTextContents();
    assert.equal(answers.length, 5);
    for (const w of answers.slice(0, 3)) assert.match(w, /^t1w/, `${w} answers t0w0 : t1w0 :: t0w1 : ?`);

    const cosine = async (x, y) => {
      await page.getByLabel('First word').fill(x);
      await page.getByLabel('Second word').fill(y);
      await page.getByRole('button', { name: 'Compare' }).click();
      const text = `cosine(“${x}”, “${y}”) = `;
      const out = page.locator('#similarity-form .notice', { hasText: text });
      await out.waitFor();
      return Number((await out.textContent()).slice(text.length));
    };
    const same = await cosine(topicWord(2, 3), topicWord(2, 7));
    const other = await cosine(topicWord(2, 3), topicWord(5, 7));
    assert.ok(same > 0.5 && other < same - 0.3,
      `words of one topic are similar (${same}), of two topics much less (${other})`);
    await shot(page, 'explore-analogy', page.locator('#main > .grid2'));
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

  // Every view at 900 px: nothing sticks out, every control has a name in the accessibility
  // tree; a screenshot of each.
  await step(page, 'narrow-900px', async () => {
    await page.setViewportSize({ width: 900, height: 900 });
    const views = [['jobs', '#/jobs', '#jobs-table tbody tr'],
      ['job', jobUrl.replace(/^.*#/, '#'), '#job-evaluation'],
      ['new-job', '#/new', '#new-job-form'], ['corpora', '#/corpora', '#corpora-table tbody tr'],
      ['models', '#/models', '#models-table tbody tr'], ['explore', '#/explore', '#explore-word']];
    for (const [name, hash, ready] of views) {
      await page.evaluate((h) => { location.hash = h; }, hash);
      await page.locator(ready).first().waitFor();
      if (name === 'job') await page.locator('#main h2 .status.succeeded').waitFor();
      if (name === 'explore') {
        await page.locator('#explore-word').fill(planted);
        await page.getByRole('button', { name: 'Neighbours' }).click();
        await page.locator('#neighbours td.word').first().waitFor();
        for (const [label, word] of [['a', topicWord(0, 0)], ['b', topicWord(1, 0)],
          ['c', topicWord(0, 1)], ['First word', topicWord(2, 3)], ['Second word', topicWord(2, 7)]]) {
          await page.getByLabel(label, { exact: true }).fill(word);
        }
        await page.getByRole('button', { name: 'Solve' }).click();
        await page.locator('#analogy-results td.word').first().waitFor();
        await page.getByRole('button', { name: 'Compare' }).click();
        await page.locator('#similarity-form .notice', { hasText: 'cosine' }).waitFor();
        await page.getByRole('button', { name: 'Draw map' }).click();
        await page.waitForFunction(() => Number(document.querySelector('#word-map').dataset.words) > 100);
      }
      await shot(page, `900px-${name}`);
      await assertFits(page, `the ${name} view at 900 px`);
      const named = await assertControlsNamed(page, `the ${name} view`);
      console.log(`# the ${name} view: ${named.length} named controls`);
      if (name === 'new-job') assert.ok(named.includes('textbox: Dimension'), named.join(', '));
      if (name === 'explore') assert.ok(named.includes('combobox: Word'), named.join(', '));
    }
  });

  // ---- another origin: a page on another port of this machine, and a rebound name ----
  await step(page, 'foreign-origin', async () => {
    const ids = {
      corpus: (await (await fetch(`${server.url}/v1/corpora`)).json()).corpora[0].id,
      job: (await (await fetch(`${server.url}/v1/jobs`)).json()).jobs[0].id,
      model: (await (await fetch(`${server.url}/v1/models`)).json()).models[0].id,
    };
    const before = await w2vdState(server.url);
    const site = await startForeignSite(server.url, ids);
    try {
      const foreign = await browser.newPage();  // not watched: its blocked calls log errors
      await foreign.goto(site.url);
      await foreign.waitForFunction(() => window.results && window.results.done, null,
        { timeout: STEP_TIMEOUT });
      const results = await foreign.evaluate(() => window.results);
      console.log(`# the foreign page's attempts: ${JSON.stringify(results)}`);
      for (const [name, outcome] of Object.entries(results)) {
        if (name !== 'done') assert.equal(outcome, 'blocked', `the foreign page's ${name}`);
      }
      await foreign.close();
    } finally {
      await site.close();
    }
    assert.equal(await w2vdState(server.url), before, 'the foreign page changed nothing');
    // Each write reached w2vd, which refused it before reading its body.
    const log = server.log();
    for (const target of ['/v1/corpora?name=planted-by-foreign', '/v1/corpora?name=planted-by-foreign-2',
      '/v1/models?name=planted-by-foreign&format=text', `/v1/jobs/${ids.job}/cancel`,
      `/v1/models/${ids.model}/similar`, `/v1/models/${ids.model}/evaluate?kind=pairs`]) {
      assert.ok(log.includes(`method=POST target=${target} status=403`), `w2vd refused POST ${target}`);
    }
    const jobPosts = log.split('\n').filter((l) => l.includes('method=POST target=/v1/jobs status=403'));
    assert.ok(jobPosts.length >= 2, 'the blind job post and the form were refused');
    assert.ok(log.includes('method=OPTIONS target=/v1/jobs status=403'), 'the preflight was refused');

    // DNS rebinding: the browser takes rebind.test:PORT for the attacker's own origin.
    const rebound = await browser.newPage();
    const port = new URL(server.url).port;
    const answer = await rebound.goto(`http://rebind.test:${port}/ui/`);
    assert.equal(answer.status(), 421, 'the dashboard is not served under a rebound name');
    assert.match(await answer.text(), /Host header.*--allowed-hosts/);
    const fromRebound = await rebound.evaluate(async () => [
      (await fetch('/v1/models')).status,
      (await fetch('/v1/corpora?name=rebound', { method: 'POST', body: 'a b c\n' })).status,
      (await fetch('/metrics')).status]);
    assert.deepEqual(fromRebound, [421, 421, 421]);
    await rebound.close();
    assert.equal(await w2vdState(server.url), before, 'the rebound page changed nothing');
    // The dashboard on its own origin still works after all this.
    await page.goto(`${server.url}/ui/#/models`);
    await page.locator('#models-table tbody tr', { hasText: 'planted-main' }).waitFor();
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
      await assertControlsNamed(tokenPage, 'the token dialog');
      assert.equal((await focused(tokenPage)).id, 'token-input', 'the dialog puts the focus in its box');
      await tokenPage.locator('#token-input').fill('not-the-token');
      await tokenPage.getByRole('button', { name: 'Use this token' }).click();
      await tokenPage.locator('#token-error', { hasText: 'Wrong token' }).waitFor();
    });
  });
  await step(tokenPage, 'token-right', async () => {
    await tokenPage.locator('#token-input').fill('s3cret-token');
    await tokenPage.getByRole('button', { name: 'Use this token' }).click();
    await tokenPage.locator('#token-dialog').waitFor({ state: 'hidden' });
    await tokenPage.locator('#jobs-table tr[data-status="succeeded"]').first().waitFor();
    assert.ok(!tokenPage.url().includes('s3cret'), 'the token is never in the URL');
    // The static files needed no token; the data did.
    const html = await tokenPage.evaluate(async () => (await fetch('/ui/app.js')).status);
    assert.equal(html, 200);
  });
  await step(tokenPage, 'token-in-link-fragment', async () => {
    // The link w2vd logs when it made its own token: the token in the fragment, kept as if typed.
    const linked = await browser.newPage({ viewport });
    watch(linked);
    await linked.goto(`${server.url}/ui/#token=s3cret-token`);
    await linked.locator('#jobs-table tr[data-status="succeeded"]').first().waitFor();
    assert.ok(!linked.url().includes('s3cret'), `the token left the address bar (${linked.url()})`);
    assert.equal(await linked.locator('#token-dialog[open]').count(), 0);
    await linked.close();
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
