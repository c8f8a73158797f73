// The web app in a real browser: headless Debian Chromium driven by playwright-core (no browser download).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';
import sharp from 'sharp';
import { RunningServer, startServer } from '../src/web/server';
import { tempDir } from './imgclass-fixtures';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.resolve(__dirname, '..', 'test-artifacts');
// Without Chromium a developer's run skips these; CI installs it, and there a missing browser is a failure.
const skip = !existsSync(CHROMIUM) && !process.env.CI ? `${CHROMIUM} is not installed (apt-get install chromium)` : false;

/**
 * Red circles and blue squares at random places and sizes: a two-class set
 * LeNet-5 learns in a couple of dozen steps at 32×32, so the predict page's
 * answer can be checked, not just its presence.
 */
async function colourPictures(dir: string, perClass: number, offset: number): Promise<void> {
  for (const name of ['red', 'blue']) {
    await mkdir(path.join(dir, name), { recursive: true });
    for (let i = 0; i < perClass; i++) {
      const k = i + offset;
      const r = 5 + (k % 6);
      const x = 2 + ((k * 7) % (28 - 2 * r));
      const y = 2 + ((k * 5) % (28 - 2 * r));
      const shape =
        name === 'red'
          ? `<circle cx="${x + r}" cy="${y + r}" r="${r}" fill="#d03030"/>`
          : `<rect x="${x}" y="${y}" width="${2 * r}" height="${2 * r}" fill="#3050d0"/>`;
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32"><rect width="32" height="32" fill="#eeeeee"/>${shape}</svg>`;
      await writeFile(path.join(dir, name, `${name}-${k}.png`), await sharp(Buffer.from(svg)).png().toBuffer());
    }
  }
}

/** Points in the main training line of a chart on the page. */
async function trainingPoints(page: Page, chart: string): Promise<number> {
  return page.evaluate((id) => {
    const line = document.querySelector(`#${id} path.series-line`);
    return line ? (line.getAttribute('d') ?? '').split('L').length : 0;
  }, chart);
}

describe('imgclass serve in Chromium', { skip, timeout: 150_000 }, () => {
  const root = tempDir();
  const data = path.join(root, 'data');
  let app: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const externalRequests: string[] = [];

  before(async () => {
    await colourPictures(path.join(data, 'train'), 24, 0);
    await colourPictures(path.join(data, 'test'), 8, 100);
    await mkdir(ARTIFACTS, { recursive: true });
    app = await startServer({ runs: path.join(root, 'runs'), port: 0, data, cacheDir: path.join(root, 'cache') });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    // Nothing may leave this machine: any request beyond the server (or file/data URLs) is refused and noted.
    await context.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.protocol === 'data:' || url.protocol === 'file:' || url.hostname === '127.0.0.1') return route.continue();
      externalRequests.push(url.href);
      return route.abort();
    });
    page = await context.newPage();
  });

  after(async () => {
    await browser?.close();
    await app?.close();
  });

  it('starts a run from the page and shows its curves live, without reloading', async () => {
    await page.goto(app.url);
    assert.equal(await page.locator('#runs-empty').count(), 1);
    await page.fill('input[name=name]', 'colours');
    await page.fill('input[name=train]', 'train');
    await page.fill('input[name=test]', 'test');
    await page.fill('input[name=size]', '32');
    await page.fill('input[name=epochs]', '4');
    await page.click('summary'); // more options
    await page.fill('input[name=batchSize]', '8');
    await page.fill('input[name=lr]', '0.001');
    await page.fill('input[name=warmupSteps]', '0');
    await page.fill('input[name=logEvery]', '1');
    await Promise.all([page.waitForURL(/\/runs\/colours$/), page.click('button[type=submit]')]);
    await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));

    // Updates arrive over server-sent events while the status still says training.
    await page.waitForFunction(() => Number(document.body.dataset.updates ?? 0) >= 2 && document.querySelector('#chart-loss path.series-line') !== null, null, { timeout: 60_000 });
    const early = await trainingPoints(page, 'chart-loss');
    assert.equal(await page.textContent('#status'), 'training');
    await page.waitForFunction((n) => (document.querySelector('#chart-loss path.series-line')?.getAttribute('d') ?? '').split('L').length > n, early, { timeout: 60_000 });
    assert.ok(await page.locator('#progress-box').isVisible(), 'step progress is shown');

    await page.waitForFunction(() => document.querySelector('#status')?.textContent === 'done', null, { timeout: 90_000 });
    await page.waitForSelector('#confusion svg');
    assert.equal(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument), true, 'no reload happened');

    // The final curves hold every logged step; the confusion matrix covers the 16 test pictures.
    assert.equal(await trainingPoints(page, 'chart-loss'), 24);
    assert.equal(await trainingPoints(page, 'chart-accuracy'), 24);
    assert.equal(await page.locator('#chart-loss g.series-dots circle').count(), 4, 'one validation dot per epoch');
    const counts = await page.$$eval('#confusion rect.cell', (cells) => cells.map((c) => Number(c.getAttribute('data-count'))));
    assert.equal(counts.length, 4);
    assert.equal(counts.reduce((a, b) => a + b, 0), 16);
    assert.equal(await page.locator('#samples svg g.sample').count(), 12);
    await page.screenshot({ path: path.join(ARTIFACTS, 'web-run.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: path.join(ARTIFACTS, 'web-run-phone.png'), fullPage: true });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the run page fits a phone's width (overflow ${overflow}px)`);
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('lists the run with its status, accuracy and duration', async () => {
    await page.goto(app.url);
    const row = page.locator('tr[data-run="colours"]');
    assert.equal(await row.locator('.badge').textContent(), 'done');
    const cells = await row.locator('td.num').allTextContents();
    assert.match(cells[0], /^\d+\.\d%$/, 'best accuracy');
    assert.match(cells[1], /^\d+:\d\d$/, 'duration');
    await page.screenshot({ path: path.join(ARTIFACTS, 'web-runs.png'), fullPage: true });
  });

  it('predicts the right class for an uploaded picture and shows what the network saw', async () => {
    await page.goto(`${app.url}/predict?run=colours`);
    for (const [file, label] of [
      [path.join(data, 'test', 'red', 'red-101.png'), 'red'],
      [path.join(data, 'test', 'blue', 'blue-103.png'), 'blue'],
    ]) {
      await page.setInputFiles('#file', file);
      await page.waitForFunction(() => document.body.dataset.state === 'done');
      assert.equal(await page.textContent('#predict-error'), '');
      assert.equal(await page.locator('#top .class-name').first().textContent(), label, file);
    }
    assert.equal(await page.locator('#top li').count(), 2);
    const seen = await page.$eval('#input', (img) => [(img as HTMLImageElement).naturalWidth, (img as HTMLImageElement).naturalHeight]);
    assert.deepEqual(seen, [32, 32]);
    await page.screenshot({ path: path.join(ARTIFACTS, 'web-predict.png'), fullPage: true });

    const notAPicture = path.join(root, 'notes.txt');
    await writeFile(notAPicture, 'not a picture');
    await page.setInputFiles('#file', notAPicture);
    await page.waitForFunction(() => (document.querySelector('#predict-error')?.textContent ?? '') !== '');
    assert.match((await page.textContent('#predict-error')) ?? '', /not a picture imgclass can read/);
    assert.equal(await page.locator('#result').isHidden(), true);
    await page.screenshot({ path: path.join(ARTIFACTS, 'web-predict-error.png') });
  });

  it('opens report.html offline with every chart drawn', async () => {
    const report = path.join(root, 'runs', 'colours', 'report.html');
    await page.goto(`file://${report}`);
    assert.equal(await page.locator('svg.chart').count(), 5);
    const drawn = await page.$$eval('svg.chart', (svgs) => svgs.map((s) => s.getBoundingClientRect().width));
    assert.ok(drawn.every((w) => w > 100), `chart widths ${drawn}`);
    const thumbnails = await page.$$eval('svg image', (images) => images.length);
    assert.equal(thumbnails, 12);
    await page.screenshot({ path: path.join(ARTIFACTS, 'report.png'), fullPage: true });
    assert.deepEqual(externalRequests, [], 'no page asked for anything beyond this machine');
    assert.match(await readFile(report, 'utf8'), /<style>/);
  });
});
