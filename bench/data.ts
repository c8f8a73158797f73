/**
 * Data pipeline benchmark (issues 4 and 16). Prints one JSON line per measurement, then the ratios.
 *
 *   node --import tsx bench/data.ts            # cats-vs-dogs/train (2648 full-resolution JPEGs)
 *   node --import tsx bench/data.ts --large    # also cats-vs-dogs-200/train (12000 images): memory stays bounded
 *
 * Absolute images/s drift with the machine's load, so every figure that matters has a peer in the
 * same run, alternated with it:
 * - first pass (decode + resize + cache write, fresh cache each time, in a child process so peak
 *   RSS is its own) against Pillow with 2 processes on the same files (bench/pillow_first_pass.py:
 *   open, convert RGB, bilinear resize, what a torchvision ImageFolder DataLoader with 2 workers
 *   does per picture), when a Python with PIL is installed;
 * - cached epochs with README row 2's augmentation against cached epochs without augmentation.
 */
import '@tensorflow/tfjs-backend-cpu';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AugmentationOptions, ImageDataset, loadImageFolder } from '../packages/imgclass/src/data';

const DATASETS = path.resolve(__dirname, '..', '..', 'shared', 'datasets');
const FIRST_PASS_ROUNDS = 3;
const EPOCH_ROUNDS = 5;
const PILLOW_SCRIPT = path.join(__dirname, 'pillow_first_pass.py');
const ROW2: AugmentationOptions = { flip: true, padCrop: 8, scaleCrop: 0.9 };

const SCENARIOS = [
  { name: 'cats-vs-dogs/train', root: path.join(DATASETS, 'cats-vs-dogs', 'train') },
  { name: 'cats-vs-dogs-200/train', root: path.join(DATASETS, 'cats-vs-dogs-200', 'train') },
];

function emit(record: Record<string, unknown>): void {
  console.log(JSON.stringify(record));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const peakRssMB = () => Math.round(process.resourceUsage().maxRSS / 1024);

/** Child mode: one first pass into a fresh cache; prints its JSON line. */
async function firstPass(name: string, root: string): Promise<void> {
  const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'imgclass-bench-'));
  try {
    const rssBeforeMB = Math.round(process.memoryUsage.rss() / 2 ** 20);
    const cpu = process.cpuUsage();
    const t = performance.now();
    const data = await loadImageFolder({ roots: root, cacheDir, onWarning: () => undefined });
    const seconds = (performance.now() - t) / 1000;
    const used = process.cpuUsage(cpu);
    const images = data.train.size + data.report.skipped.length;
    emit({
      bench: 'first-pass', dataset: name, images: data.train.size, skipped: data.report.skipped.length,
      seconds: +seconds.toFixed(2), imagesPerSecond: Math.round(images / seconds),
      cpuMsPerImage: +((used.user + used.system) / 1000 / images).toFixed(2), rssBeforeMB, peakRssMB: peakRssMB(),
    });
    await data.close();
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

/** A Python that can import PIL: Debian's first (python3-pil), then whatever is on PATH. */
function findPillowPython(): string | undefined {
  for (const candidate of ['/usr/bin/python3', 'python3', 'python']) {
    const probe = spawnSync(candidate, ['-c', 'import PIL'], { stdio: 'ignore' });
    if (probe.status === 0) return candidate;
  }
  return undefined;
}

/** The files the first pass decodes: every regular file under the class folders. */
function listFiles(root: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) files.push(path.join(entry.parentPath, entry.name));
  }
  return files.sort();
}

/** Runs this script in a child process; its JSON lines (echoed), or undefined when it failed. */
function runChild(args: string[]): Record<string, unknown>[] | undefined {
  const child = spawnSync(process.execPath, [...process.execArgv, __filename, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = child.stdout.trim().split('\n').filter((l) => l.startsWith('{'));
  if (child.status !== 0 || lines.length === 0) return undefined;
  process.stdout.write(child.stdout);
  return lines.map((l) => JSON.parse(l) as Record<string, unknown>);
}

type Ratio = { ratio: string; median: number; target: number; [key: string]: unknown };

function compareFirstPass(name: string, root: string): Ratio | undefined {
  const python = findPillowPython();
  if (!python) emit({ bench: 'pillow', skipped: 'no Python with PIL (apt-get install python3-pil) - first pass printed without its peer' });
  const fileList = listFiles(root).join('\n');
  const ratios: number[] = [];
  for (let round = 0; round < FIRST_PASS_ROUNDS; round++) {
    const ours = runChild(['--first-pass', name, root])?.pop();
    if (!ours) {
      process.exitCode = 1;
      return undefined;
    }
    if (!python) continue;
    const pillow = spawnSync(python, [PILLOW_SCRIPT, '2', '150'], { input: fileList, encoding: 'utf8' });
    if (pillow.status !== 0) {
      emit({ bench: 'pillow', error: pillow.stderr.trim().split('\n').pop() });
      continue;
    }
    const result = JSON.parse(pillow.stdout) as { imagesPerSecond: number };
    emit({ bench: 'pillow-first-pass', dataset: name, python, ...result });
    ratios.push((ours.imagesPerSecond as number) / result.imagesPerSecond);
  }
  if (ratios.length === 0) return undefined;
  const ratio: Ratio = { ratio: 'first pass / Pillow (2 processes)', dataset: name, median: +median(ratios).toFixed(2), rounds: ratios.map((r) => +r.toFixed(2)), target: 1.25 };
  emit(ratio);
  return ratio;
}

/** One epoch of batches of 32; images/s and the time next() kept the loop waiting. */
async function epoch(dataset: ImageDataset, augment: false | AugmentationOptions, prepareInWorker: boolean) {
  const iterator = dataset.batches({ batchSize: 32, shuffle: true, augment, prepareInWorker });
  const cpu = process.cpuUsage();
  const t = performance.now();
  let count = 0;
  for await (const batch of iterator) {
    count += batch.labels.length;
    batch.xs.dispose();
    batch.ys.dispose();
  }
  const seconds = (performance.now() - t) / 1000;
  const used = process.cpuUsage(cpu); // the whole process: main thread and batch worker
  return {
    images: count, seconds: +seconds.toFixed(2), imagesPerSecond: Math.round(count / seconds),
    cpuMsPerImage: +((used.user + used.system) / 1000 / count).toFixed(3), waitMs: Math.round(iterator.stats.waitMs),
  };
}

/** Child mode: cached epochs, alternating without and with row 2's augmentation. */
async function cachedEpochs(name: string, root: string): Promise<void> {
  const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'imgclass-bench-'));
  try {
    const data = await loadImageFolder({ roots: root, cacheDir, onWarning: () => undefined });
    await data.close();
    let t = performance.now();
    const again = await loadImageFolder({ roots: root, cacheDir, onWarning: () => undefined });
    emit({ bench: 'reload-from-cache', dataset: name, seconds: +((performance.now() - t) / 1000).toFixed(2), decoded: again.report.cache.decoded });
    const pipelines = [
      { augment: 'none', options: false as const, worker: true },
      { augment: 'flip,pad-crop=8,scale-crop=0.9', options: ROW2, worker: true },
      { augment: 'flip', options: { flip: true }, worker: true },
      { augment: 'flip,pad-crop=8,scale-crop=0.9', options: ROW2, worker: false },
    ];
    await epoch(again.train, ROW2, true); // warms up the worker and the JIT
    const perSecond = new Map<string, number[]>();
    const cpuPerImage = new Map<string, number[]>();
    for (let round = 0; round < EPOCH_ROUNDS; round++) {
      for (const { augment, options, worker } of pipelines) {
        const result = await epoch(again.train, options, worker);
        const where = worker ? 'worker' : 'main thread';
        emit({ bench: 'cached-epoch', dataset: name, augment, preparedOn: where, round, batchSize: 32, ...result, peakRssMB: peakRssMB() });
        const key = `${augment} (${where})`;
        perSecond.set(key, [...(perSecond.get(key) ?? []), result.imagesPerSecond]);
        cpuPerImage.set(key, [...(cpuPerImage.get(key) ?? []), result.cpuMsPerImage]);
      }
    }
    const none = perSecond.get('none (worker)') as number[];
    const noneCpu = cpuPerImage.get('none (worker)') as number[];
    for (const key of ['flip,pad-crop=8,scale-crop=0.9 (worker)', 'flip,pad-crop=8,scale-crop=0.9 (main thread)']) {
      const ratios = (perSecond.get(key) as number[]).map((v, i) => v / none[i]);
      // The same comparison in CPU time (the whole process: main thread, batch worker, GC), which
      // the machine's other load disturbs less than wall time: none's CPU per image / this one's.
      const cpuRatios = (cpuPerImage.get(key) as number[]).map((v, i) => noneCpu[i] / v);
      emit({
        ratio: `cached epochs ${key} / none`, dataset: name, median: +median(ratios).toFixed(2), rounds: ratios.map((r) => +r.toFixed(2)), target: 0.8,
        cpuRatioMedian: +median(cpuRatios).toFixed(2), cpuRatioRounds: cpuRatios.map((r) => +r.toFixed(2)),
      });
    }
    await again.close();
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  for (const mode of ['--first-pass', '--cached-epochs']) {
    const at = args.indexOf(mode);
    if (at >= 0) return mode === '--first-pass' ? firstPass(args[at + 1], args[at + 2]) : cachedEpochs(args[at + 1], args[at + 2]);
  }
  const chosen = args.includes('--large') ? SCENARIOS : SCENARIOS.slice(0, 1);
  for (const { name, root } of chosen) {
    if (!existsSync(root)) {
      emit({ bench: 'skipped', dataset: name, reason: `${root} not found` });
      continue;
    }
    const firstPass = compareFirstPass(name, root);
    const epochs = runChild(['--cached-epochs', name, root]);
    if (!epochs) process.exitCode = 1;
    const augmented = epochs?.find((r) => r.ratio === 'cached epochs flip,pad-crop=8,scale-crop=0.9 (worker) / none') as Ratio | undefined;
    // The two targets, last and together, so a quick look finds them.
    for (const ratio of [firstPass, augmented]) {
      if (ratio) emit({ target: ratio.ratio, dataset: name, median: ratio.median, atLeast: ratio.target, met: ratio.median >= ratio.target });
    }
  }
  emit({ bench: 'machine', cpus: os.cpus().length, loadAverage: os.loadavg().map((l) => +l.toFixed(1)), uvThreadpool: process.env.UV_THREADPOOL_SIZE ?? '4 (default)', node: process.version });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
