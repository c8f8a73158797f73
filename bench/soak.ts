/**
 * Soak test of `imgclass serve` (issue 17): the built CLI serves on 127.0.0.1 only, under a bounded
 * load (a fixed number of clients, each sending its next request when the last one is answered) of
 * predictions, page loads and API reads, while one training run started from the page trains in
 * its child process. Prints what it measured and exits 1 if any request failed or the server did not
 * stop cleanly.
 *
 *   npm run soak                                  # 180 s, 4 clients
 *   npm run soak -- --seconds 60 --clients 8
 *
 * Reports requests served, errors (must be 0), p50/p95 latency per kind of request, and the server's
 * resident memory (RSS, from /proc) at the start, its peak and at the end: it must level off, not grow
 * with the number of requests.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { generateDemoSet } from '../packages/imgclass/src/demo/generate-demo-set';

const CLI = path.resolve(__dirname, '..', 'packages', 'imgclass', 'dist', 'cli.js');
const HOST = '127.0.0.1'; // loopback only: the soak opens nothing to the network

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '180' },
    clients: { type: 'string', default: '4' },
    keep: { type: 'boolean', default: false },
  },
});
const seconds = Number(values.seconds);
const clients = Number(values.clients);
if (!(seconds > 0) || !Number.isInteger(clients) || clients < 1 || clients > 64) {
  console.error('error: --seconds must be positive and --clients a whole number from 1 to 64.');
  process.exit(2);
}
if (!existsSync(CLI)) {
  console.error(`error: ${CLI} is missing; run 'npm run build' first (npm run soak does).`);
  process.exit(1);
}

type Kind = 'predict' | 'runs page' | 'run page' | 'api/runs' | 'predict page' | 'training run page';

interface Sample {
  kind: Kind;
  ms: number;
  ok: boolean;
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) / 1024;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function startServer(work: string): Promise<{ child: ChildProcess; url: string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [CLI, 'serve', '--runs', 'runs', '--port', '0', '--host', HOST, '--data', '.', '--cache-dir', 'cache'], {
    cwd: work,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /imgclass serve: (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    void exited.then((code) => reject(new Error(`serve exited (${code}) before listening: ${stderr}`)));
  });
  return { child, url, exited };
}

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'imgclass-soak-'));
  console.log(`Soak: ${seconds} s, ${clients} clients, working folder ${work}`);
  const set = await generateDemoSet({ dir: path.join(work, 'data'), trainPerClass: 60, testPerClass: 20, size: 64, seed: 5 });
  const pictures = ['dots', 'stripes'].flatMap((c) => readdirSync(path.join(set.test, c)).map((f) => readFileSync(path.join(set.test, c, f))));

  // A finished run for the predict requests, trained by the CLI before the server starts.
  const trained = spawnSync(
    process.execPath,
    [CLI, 'train', 'data/train', '--test', 'data/test', '--size', '32', '--batch', '16', '--epochs', '2', '--out', 'runs/ready', '--cache-dir', 'cache', '--no-report'],
    { cwd: work, encoding: 'utf8' },
  );
  if (trained.status !== 0) throw new Error(`training the run to predict with failed: ${trained.stderr}`);

  const server = await startServer(work);
  const pid = server.child.pid as number;
  console.log(`Server ${server.url} (pid ${pid})`);

  // The one training run started from the page, as its form does; about as long as the soak on an idle 2-core machine.
  const epochs = Math.max(3, Math.round(seconds / 4));
  const started = await fetch(`${server.url}/api/train`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'from-page', train: 'data/train', test: 'data/test', size: 32, epochs, batchSize: 16, logEvery: 5 }),
  });
  if (started.status !== 202) throw new Error(`starting a training run from the page: ${started.status} ${await started.text()}`);

  const requests: [Kind, () => Promise<Response>][] = [
    ['predict', () => fetch(`${server.url}/api/predict?run=ready`, { method: 'POST', headers: { 'Content-Type': 'application/octet-stream' }, body: pictures[Math.floor(Math.random() * pictures.length)] })],
    ['predict', () => fetch(`${server.url}/api/predict?run=ready`, { method: 'POST', headers: { 'Content-Type': 'application/octet-stream' }, body: pictures[Math.floor(Math.random() * pictures.length)] })],
    ['runs page', () => fetch(`${server.url}/`, { headers: { Accept: 'text/html' } })],
    ['run page', () => fetch(`${server.url}/runs/ready`, { headers: { Accept: 'text/html' } })],
    ['training run page', () => fetch(`${server.url}/runs/from-page`, { headers: { Accept: 'text/html' } })],
    ['api/runs', () => fetch(`${server.url}/api/runs`)],
    ['predict page', () => fetch(`${server.url}/predict?run=ready`, { headers: { Accept: 'text/html' } })],
  ];

  const samples: Sample[] = [];
  const failures: string[] = [];
  // Warm-up: the first prediction loads the model; RSS is measured from after it.
  await (await requests[0][1]()).arrayBuffer();
  const rss = { start: rssMiB(pid), peak: 0, end: 0, trace: [] as number[] };
  const begin = Date.now();
  const deadline = begin + seconds * 1000;
  const sampler = setInterval(() => {
    const now = rssMiB(pid);
    rss.peak = Math.max(rss.peak, now);
    rss.trace.push(Math.round(now));
  }, Math.max(1000, (seconds * 1000) / 12));

  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      for (let i = client; Date.now() < deadline; i++) {
        const [kind, send] = requests[i % requests.length];
        const t0 = performance.now();
        let ok = false;
        try {
          const response = await send();
          await response.arrayBuffer();
          ok = response.status === 200;
          if (!ok && failures.length < 10) failures.push(`${kind}: HTTP ${response.status}`);
        } catch (err) {
          if (failures.length < 10) failures.push(`${kind}: ${(err as Error).message}`);
        }
        samples.push({ kind, ms: performance.now() - t0, ok });
      }
    }),
  );
  clearInterval(sampler);
  rss.end = rssMiB(pid);
  rss.peak = Math.max(rss.peak, rss.end);
  const elapsed = (Date.now() - begin) / 1000;

  const runs = (await (await fetch(`${server.url}/api/runs`)).json()) as { runs: { name: string; status: string; lastStep?: number }[] };
  const fromPage = runs.runs.find((r) => r.name === 'from-page');
  server.child.kill('SIGTERM');
  const serverExit = await server.exited;
  const lockLeft = existsSync(path.join(work, 'runs', 'from-page', 'run.lock'));

  const errors = samples.filter((s) => !s.ok).length;
  const line = (label: string, list: Sample[]) => {
    const ms = list.map((s) => s.ms).sort((a, b) => a - b);
    return `${label.padEnd(18)} ${String(list.length).padStart(7)} ${String(list.filter((s) => !s.ok).length).padStart(7)} ${percentile(ms, 50).toFixed(1).padStart(9)} ${percentile(ms, 95).toFixed(1).padStart(9)}`;
  };
  console.log('');
  console.log(`${'request'.padEnd(18)} ${'served'.padStart(7)} ${'errors'.padStart(7)} ${'p50 ms'.padStart(9)} ${'p95 ms'.padStart(9)}`);
  for (const kind of [...new Set(requests.map(([k]) => k))]) console.log(line(kind, samples.filter((s) => s.kind === kind)));
  console.log(line('all', samples));
  console.log('');
  console.log(`${samples.length} requests in ${elapsed.toFixed(0)} s (${(samples.length / elapsed).toFixed(1)}/s), ${errors} errors`);
  console.log(`server RSS: ${rss.start.toFixed(0)} MiB at the start, ${rss.peak.toFixed(0)} MiB peak, ${rss.end.toFixed(0)} MiB at the end (samples: ${rss.trace.join(', ')})`);
  console.log(`training started from the page: ${fromPage?.status ?? 'not listed'}; server exit code ${serverExit} after SIGTERM; lock left behind: ${lockLeft ? 'yes' : 'no'}`);
  for (const f of failures) console.log(`failure: ${f}`);
  const all = samples.map((s) => s.ms).sort((a, b) => a - b);
  console.log(
    JSON.stringify({ seconds: Math.round(elapsed), clients, requests: samples.length, errors, p50Ms: Math.round(percentile(all, 50)), p95Ms: Math.round(percentile(all, 95)), rssStartMiB: Math.round(rss.start), rssPeakMiB: Math.round(rss.peak), rssEndMiB: Math.round(rss.end), training: fromPage?.status ?? null, serverExit }),
  );
  if (!values.keep) rmSync(work, { recursive: true, force: true });
  if (errors > 0 || serverExit !== 0 || lockLeft) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
