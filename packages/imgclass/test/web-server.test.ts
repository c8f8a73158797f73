import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import '../src/backend';
import { resolvePreprocessing } from '../src/data/config';
import { ImgclassError } from '../src/errors';
import { lockRunFolder, RUN_LOCK } from '../src/io/run-lock';
import { saveModelFiles } from '../src/trained-network/model-files';
import { buildModel } from '../src/models/registry';
import { MetricsLog, MetricsRecord } from '../src/train/metrics-log';
import { resolveRunConfig } from '../src/trained-network/run-config';
import { createRunFolder, MODEL_DIR } from '../src/trained-network/run-folder';
import { RunningServer, startServer } from '../src/web/server';
import { tempDir, tinyPictureSet } from './imgclass-fixtures';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request on its own connection (no keep-alive), so open sockets can be counted afterwards. */
function request(base: string, pathname: string, options: { method?: string; headers?: Record<string, string | number>; body?: Buffer | string } = {}): Promise<Reply> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path: pathname, method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Reads server-sent events until `until` accepts one; resolves with it and closes the stream. */
function waitForEvent(base: string, pathname: string, until: (event: string, data: string) => boolean, trigger?: () => Promise<void>): Promise<string> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.get({ host: url.hostname, port: url.port, path: pathname, agent: false }, (res) => {
      assert.equal(res.headers['content-type'], 'text/event-stream; charset=utf-8');
      let buffer = '';
      let triggered = false;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
          const data = /^data: (.*)$/m.exec(block)?.[1] ?? '';
          if (triggered && until(event, data)) {
            req.destroy();
            return resolve(data);
          }
          if (!triggered && event === 'status') {
            // The page has its first state; now change the run.
            triggered = true;
            void trigger?.().catch(reject);
          }
        }
      });
    });
    req.on('error', (err) => (req.destroyed ? undefined : reject(err)));
  });
}

const record = (step: number, loss: number): MetricsRecord => ({ split: 'train', step, epoch: 1, loss, accuracy: 0.5, lr: 1e-3, imagesPerSecond: 100, seconds: step });

describe('imgclass serve (HTTP)', () => {
  const root = tempDir();
  const runs = path.join(root, 'runs');
  const runDir = path.join(runs, 'shapes');
  let app: RunningServer;
  let picture: Buffer;

  before(async () => {
    await createRunFolder(runDir, resolveRunConfig({ train: path.join(root, 'data'), size: 32, seed: 1 }), ['circle', 'square']);
    const log = new MetricsLog(runDir);
    await log.create();
    for (let s = 1; s <= 5; s++) await log.append(record(s, 1 / s));
    // An untrained network is enough to exercise the page; browser tests use a trained one.
    const model = buildModel('lenet5', { size: 32, classes: 2, seed: 1 });
    await saveModelFiles(model, path.join(runDir, MODEL_DIR), { model: 'lenet5', classes: ['circle', 'square'], preprocessing: resolvePreprocessing({ size: 32 }) });
    model.dispose();
    await writeFile(path.join(root, 'secret.txt'), 'TOP-SECRET');
    await mkdir(path.join(runDir, 'plots'), { recursive: true });
    await symlink(path.join(root, 'secret.txt'), path.join(runDir, 'plots', 'leak.svg'));
    picture = await sharp({ create: { width: 200, height: 120, channels: 3, background: '#c03030' } }).jpeg().toBuffer();
    app = await startServer({ runs, port: 0, data: path.join(root, 'data') });
  });

  after(() => app.close());

  it('listens on loopback only by default', () => {
    assert.equal((app.server.address() as AddressInfo).address, '127.0.0.1');
    assert.match(app.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('lists the runs with status, best accuracy and duration', async () => {
    const page = await request(app.url, '/');
    assert.equal(page.status, 200);
    assert.match(page.headers['content-security-policy'] ?? '', /default-src 'self'/);
    assert.match(page.body, /<tr data-run="shapes">[\s\S]*<span class="badge done">done<\/span>[\s\S]*<td class="num">—<\/td>\s*<td class="num">0:05<\/td>/);
    const api = JSON.parse((await request(app.url, '/api/runs')).body);
    assert.equal(api.runs[0].name, 'shapes');
    assert.equal(api.runs[0].status, 'done');
    assert.equal(api.runs[0].steps, 5);
  });

  it('classifies an upload and returns the resized input the network saw', async () => {
    const reply = await request(app.url, '/api/predict?run=shapes', { method: 'POST', body: picture, headers: { 'Content-Type': 'application/octet-stream' } });
    assert.equal(reply.status, 200, reply.body);
    const result = JSON.parse(reply.body);
    assert.deepEqual(result.top.map((c: { className: string }) => c.className).sort(), ['circle', 'square']);
    assert.ok(Math.abs(result.top[0].probability + result.top[1].probability - 1) < 1e-5);
    assert.equal(result.source, path.join('model', 'model.json'));
    const input = await sharp(Buffer.from(result.input.replace('data:image/png;base64,', ''), 'base64')).metadata();
    assert.deepEqual([input.format, input.width, input.height], ['png', 32, 32]);
  });

  it('answers a file that is not a picture with a sentence, not a crash', async () => {
    const reply = await request(app.url, '/api/predict?run=shapes', { method: 'POST', body: 'just text' });
    assert.equal(reply.status, 422);
    assert.equal(JSON.parse(reply.body).error, 'That file is not a picture imgclass can read (not an image in a supported format).');
  });

  it('refuses an upload over 20 MB with 413 before reading it', async () => {
    const url = new URL(app.url);
    const reply = await new Promise<Reply>((resolve, reject) => {
      const req = http.request(
        { host: url.hostname, port: url.port, path: '/api/predict?run=shapes', method: 'POST', headers: { 'Content-Length': 21 * 1024 * 1024 }, agent: false },
        (res) => {
          let body = '';
          res.on('data', (d) => (body += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        },
      );
      req.on('error', reject);
      req.write(Buffer.alloc(64 * 1024)); // a first chunk only; the server must answer without waiting for the rest
    });
    assert.equal(reply.status, 413);
    assert.equal(reply.headers.connection, 'close');
    assert.match(JSON.parse(reply.body).error, /larger than 20 MB/);
  });

  it('refuses a streamed upload as soon as it passes the limit', async () => {
    const small = await startServer({ runs, port: 0, maxUploadBytes: 100_000 });
    try {
      const body = Buffer.alloc(300_000);
      const reply = await request(small.url, '/api/predict?run=shapes', { method: 'POST', body, headers: { 'Transfer-Encoding': 'chunked' } });
      assert.equal(reply.status, 413);
    } finally {
      await small.close();
    }
  });

  it('keeps every path from a request inside the runs folder', async () => {
    const attempts = [
      '/runs/..%2F..%2Fsecret.txt',
      '/runs/%2e%2e/files/secret.txt',
      '/runs/..%2F',
      '/runs/.hidden',
      '/runs/shapes/files/..%2F..%2F..%2Fsecret.txt',
      '/runs/shapes/files/plots%5C..%5C..%5C..%5Csecret.txt',
      '/runs/shapes/files/%2F' + encodeURIComponent(path.join(root, 'secret.txt').slice(1)),
      '/runs/shapes/files/../../../secret.txt',
      '/runs/shapes/files/plots/leak.svg',
      '/runs/shapes/files/config.json%00.png',
      '/runs/shapes/files/.',
      '/runs/shapes/files/%E0%A4%A',
      '/runs/shapes/files/checkpoints/best.ckpt',
    ];
    for (const attempt of attempts) {
      const reply = await request(app.url, attempt);
      assert.equal(reply.status, 404, attempt);
      assert.doesNotMatch(reply.body, /TOP-SECRET/, attempt);
      assert.ok(!reply.body.includes(root), `${attempt} must not show the server's folders: ${reply.body}`);
    }
    // URL normalization turns %2e%2e into '..' (here: /runs/secret.txt, no such run); the answer names what was asked.
    const dotted = '/runs/shapes/files/%2e%2e/%2e%2e/secret.txt';
    for (const accept of ['application/json', 'text/html']) {
      const reply = await request(app.url, dotted, { headers: { Accept: accept } });
      assert.equal(reply.status, 404);
      assert.ok(reply.body.includes(`There is nothing at ${dotted}.`), reply.body);
      assert.ok(!reply.body.includes(root), reply.body);
    }
    for (const run of ['..', '../runs/shapes', '%2e%2e', 'shapes/../..', '']) {
      const reply = await request(app.url, `/api/predict?run=${encodeURIComponent(run)}`, { method: 'POST', body: picture });
      assert.equal(reply.status, 404, `predict run=${run}`);
    }
    for (const folder of ['..', '../..', root, '/etc', 'a/../../secret.txt']) {
      const reply = await request(app.url, '/api/train', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'x', train: folder }) });
      assert.equal(reply.status, 400, `train folder ${folder}`);
      assert.match(JSON.parse(reply.body).error, /inside the data folder/);
    }
    const named = await request(app.url, '/api/train', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name: '../escape', train: 'x' }) });
    assert.equal(named.status, 400);
    // The legitimate file is served.
    const ok = await request(app.url, '/runs/shapes/files/config.json');
    assert.equal(ok.status, 200);
    assert.match(ok.body, /"model": "lenet5"/);
  });

  it('reports a training run that fails in its child process on the run page', async () => {
    // One class only: the data loader refuses it inside the child; the server must say so and stay up.
    await mkdir(path.join(root, 'data', 'one-class', 'only'), { recursive: true });
    await writeFile(path.join(root, 'data', 'one-class', 'only', 'a.jpg'), picture);
    const started = await request(app.url, '/api/train', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'one-class', train: 'one-class', size: '32', epochs: 1 }),
    });
    assert.equal(started.status, 202, started.body);
    assert.deepEqual(JSON.parse(started.body), { run: 'one-class' });
    const status = await waitForEvent(app.url, '/runs/one-class/events', (event, d) => event === 'status' && JSON.parse(d).status === 'failed', async () => undefined);
    assert.match(JSON.parse(status).facts, /Training failed: .*class/);
    const page = await request(app.url, '/runs/one-class');
    assert.equal(page.status, 200);
    assert.match(page.body, /<span class="badge failed" id="status">failed<\/span>/);
    const again = await request(app.url, '/api/train', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'shapes', train: 'one-class' }) });
    assert.equal(again.status, 409, 'an existing run is never overwritten');
  });

  it('answers only to loopback host names (DNS rebinding)', async () => {
    const reply = await request(app.url, '/', { headers: { Host: 'attacker.example:80' } });
    assert.equal(reply.status, 421);
  });

  it('streams new points of the curves to a run page as they are logged', async () => {
    const data = await waitForEvent(
      app.url,
      '/runs/shapes/events',
      (event, d) => event === 'curves' && JSON.parse(d).records === 6,
      () => new MetricsLog(runDir).append(record(6, 0.1)),
    );
    const html = JSON.parse(data).html as string;
    const line = /data-series="training" d="([^"]+)"/.exec(html)?.[1] ?? '';
    assert.equal(line.split('L').length, 6, 'six training points in the loss curve');
  });

  it('survives clients that disconnect mid-stream and mid-upload', async () => {
    const url = new URL(app.url);
    const streams = Array.from(
      { length: 10 },
      () =>
        new Promise<void>((resolve) => {
          const req = http.get({ host: url.hostname, port: url.port, path: '/runs/shapes/events', agent: false }, (res) => {
            res.once('data', () => {
              req.destroy();
              resolve();
            });
          });
          req.on('error', () => resolve());
        }),
    );
    await Promise.all(streams);
    await new Promise<void>((resolve) => {
      const req = http.request({ host: url.hostname, port: url.port, path: '/api/predict?run=shapes', method: 'POST', headers: { 'Content-Length': 1_000_000 }, agent: false });
      req.on('error', () => resolve());
      req.write(Buffer.alloc(100_000), () => {
        req.destroy();
        resolve();
      });
    });
    await new Promise((r) => setTimeout(r, 300));
    const page = await request(app.url, '/');
    assert.equal(page.status, 200);
    const open = await new Promise<number>((resolve) => app.server.getConnections((_e, n) => resolve(n)));
    assert.equal(open, 0, 'no connection left behind');
  });
  it('a run started from the page owns its folder: the lock names the child process, and stopping the server releases it', async () => {
    const set = await tinyPictureSet(path.join(root, 'data', 'two-classes'));
    const started = await request(app.url, '/api/train', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'locked', train: path.relative(path.join(root, 'data'), set.train), size: 16, epochs: 100000 }),
    });
    assert.equal(started.status, 202, started.body);
    const folder = path.join(runs, 'locked');
    const lockFile = path.join(folder, RUN_LOCK);
    for (let i = 0; i < 600 && !existsSync(lockFile); i++) await new Promise((r) => setTimeout(r, 100));
    await assert.rejects(lockRunFolder(folder), (err: unknown) => {
      const owner = Number(/in use by process (\d+)/.exec((err as Error).message)?.[1]);
      return err instanceof ImgclassError && err.code === 'RUN_IN_USE' && owner > 0 && owner !== process.pid;
    });
    await app.close(); // SIGTERM to the child: it saves a checkpoint and gives the folder up
    assert.ok(!existsSync(lockFile), 'released');
    app = await startServer({ runs, port: 0, data: path.join(root, 'data') });
  });
});
