/**
 * Data pipeline benchmark (issue 4). Prints one JSON line per measurement.
 *
 *   node --import tsx bench/data.ts            # cats-vs-dogs/train (2648 full-resolution JPEGs)
 *   node --import tsx bench/data.ts --large    # also cats-vs-dogs-200/train (12000 images): memory stays bounded
 *
 * Each dataset runs in a child process with a fresh cache folder, so peak RSS
 * belongs to that dataset alone and the first pass really decodes.
 */
import '@tensorflow/tfjs-backend-cpu';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadImageFolder } from '../packages/imgclass/src/data';

const DATASETS = path.resolve(__dirname, '..', '..', 'shared', 'datasets');

interface Scenario {
  name: string;
  root: string;
}

const SCENARIOS: Scenario[] = [
  { name: 'cats-vs-dogs/train', root: path.join(DATASETS, 'cats-vs-dogs', 'train') },
  { name: 'cats-vs-dogs-200/train', root: path.join(DATASETS, 'cats-vs-dogs-200', 'train') },
];

function emit(record: Record<string, unknown>): void {
  console.log(JSON.stringify(record));
}

const rssMB = () => Math.round(process.memoryUsage.rss() / 2 ** 20);
const peakRssMB = () => Math.round(process.resourceUsage().maxRSS / 1024);

async function runScenario(scenario: Scenario): Promise<void> {
  const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'imgclass-bench-'));
  try {
    const baselineMB = rssMB();
    let sampledPeak = baselineMB;
    const sampler = setInterval(() => (sampledPeak = Math.max(sampledPeak, rssMB())), 50);
    let t = performance.now();
    const data = await loadImageFolder({ roots: scenario.root, cacheDir, onWarning: () => undefined });
    const firstSeconds = (performance.now() - t) / 1000;
    clearInterval(sampler);
    const images = data.train.size + data.report.skipped.length;
    emit({
      bench: 'first-pass', dataset: scenario.name, images: data.train.size, skipped: data.report.skipped.length,
      seconds: +firstSeconds.toFixed(2), imagesPerSecond: Math.round(images / firstSeconds),
      rssBeforeMB: baselineMB, peakRssMB: peakRssMB(), sampledPeakRssMB: sampledPeak,
    });
    await data.close();

    t = performance.now();
    const again = await loadImageFolder({ roots: scenario.root, cacheDir, onWarning: () => undefined });
    emit({ bench: 'reload-from-cache', dataset: scenario.name, seconds: +((performance.now() - t) / 1000).toFixed(2), decoded: again.report.cache.decoded });

    // none, the default flips, and the LeNet-5 accuracy recipe's shifts and scale crops (README "Accuracy").
    const pipelines = [
      { name: 'none', augment: false as const },
      { name: 'flip', augment: { flip: true } },
      { name: 'flip,pad-crop=8,scale-crop=0.9', augment: { flip: true, padCrop: 8, scaleCrop: 0.9 } },
    ];
    for (const { name, augment } of pipelines) {
      for (let epoch = 0; epoch < 2; epoch++) {
        const iterator = again.train.batches({ batchSize: 32, shuffle: true, augment });
        t = performance.now();
        let count = 0;
        for await (const batch of iterator) {
          count += batch.labels.length;
          batch.xs.dispose();
          batch.ys.dispose();
        }
        const seconds = (performance.now() - t) / 1000;
        emit({
          bench: 'cached-epoch', dataset: scenario.name, augment: name, epoch, batchSize: 32,
          images: count, seconds: +seconds.toFixed(2), imagesPerSecond: Math.round(count / seconds),
          waitMs: Math.round(iterator.stats.waitMs), peakRssMB: peakRssMB(),
        });
      }
    }
    await again.close();
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const only = args.indexOf('--scenario');
  if (only >= 0) {
    await runScenario(SCENARIOS[Number(args[only + 1])]);
    return;
  }
  const chosen = args.includes('--large') ? [0, 1] : [0];
  for (const i of chosen) {
    if (!existsSync(SCENARIOS[i].root)) {
      emit({ bench: 'skipped', dataset: SCENARIOS[i].name, reason: `${SCENARIOS[i].root} not found` });
      continue;
    }
    const child = spawnSync(process.execPath, [...process.execArgv, __filename, '--scenario', String(i)], { stdio: 'inherit' });
    if (child.status !== 0) process.exitCode = 1;
  }
  emit({ bench: 'machine', cpus: os.cpus().length, uvThreadpool: process.env.UV_THREADPOOL_SIZE ?? '4 (default)', node: process.version });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
