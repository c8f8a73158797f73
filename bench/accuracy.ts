/**
 * Accuracy benchmark (issue 5): trains the seed's LeNet-5 (or any registered model) on
 * ../shared/datasets/cats-vs-dogs/train, evaluates the final model on .../cats-vs-dogs/test, and prints
 * one JSON line: configuration, wall time, training images/s and test accuracy.
 *
 *   npm run bench:accuracy                                   # LeNet-5, 150×150, batch 32, Adam 1e-4, 10 epochs
 *   npm run bench:accuracy -- --with-200                     # also train on cats-vs-dogs-200/train (12,000 more)
 *   npm run bench:accuracy -- --model mobilenet --size 128 --lr 1e-3 --schedule cosine --epochs 20
 *   npm run bench:accuracy -- --epochs 2                     # a short run
 *
 * The test set is also the per-epoch validation set (as the seed reads its test accuracy), but the
 * reported accuracy is that of the final weights, not of the best epoch, so nothing is selected on it.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { backendInfo, evaluate, train, TrainOptions } from '../packages/imgclass/src';

const DATASETS = path.resolve(__dirname, '..', '..', 'shared', 'datasets');

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string', default: 'lenet5' },
      size: { type: 'string', default: '150' },
      batch: { type: 'string', default: '32' },
      epochs: { type: 'string' },
      steps: { type: 'string' },
      lr: { type: 'string' },
      optimizer: { type: 'string', default: 'adam' },
      schedule: { type: 'string', default: 'constant' },
      warmup: { type: 'string' },
      augment: { type: 'string', default: 'flip' },
      seed: { type: 'string', default: '1' },
      init: { type: 'string', default: 'default' },
      lrn: { type: 'boolean', default: false },
      'with-200': { type: 'boolean', default: false },
      out: { type: 'string' },
      progress: { type: 'boolean', default: false },
    },
  });
  const trainRoots = [path.join(DATASETS, 'cats-vs-dogs', 'train')];
  if (values['with-200']) trainRoots.push(path.join(DATASETS, 'cats-vs-dogs-200', 'train'));
  const testRoot = path.join(DATASETS, 'cats-vs-dogs', 'test');
  const out = values.out ?? mkdtempSync(path.join(os.tmpdir(), 'imgclass-bench-'));
  const options: TrainOptions & { out: string } = {
    train: trainRoots,
    test: testRoot,
    model: values.model,
    size: Number(values.size),
    batchSize: Number(values.batch),
    epochs: values.steps ? undefined : Number(values.epochs ?? 10),
    steps: values.steps ? Number(values.steps) : undefined,
    lr: values.lr ? Number(values.lr) : undefined,
    optimizer: values.optimizer as TrainOptions['optimizer'],
    schedule: values.schedule as TrainOptions['schedule'],
    warmupSteps: values.warmup === undefined ? undefined : Number(values.warmup),
    augment: values.augment === 'none' ? false : true,
    seed: Number(values.seed),
    init: values.init as TrainOptions['init'],
    lrn: values.lrn,
    out,
  };
  const started = performance.now();
  const training = await train(options, {
    onEvent: (e) => {
      if (values.progress && (e.type === 'log' || e.type === 'validation')) console.error(JSON.stringify(e.record));
    },
  });
  const evaluation = await evaluate(training.runDir, testRoot);
  const backend = await backendInfo();
  console.log(
    JSON.stringify({
      benchmark: 'accuracy',
      model: values.model,
      size: options.size,
      batch: options.batchSize,
      optimizer: options.optimizer,
      lr: options.lr ?? 'model default',
      schedule: options.schedule,
      warmupSteps: options.warmupSteps ?? 'default (100)',
      augment: values.augment,
      seed: options.seed,
      init: options.init,
      lrn: options.lrn,
      trainRoots: trainRoots.map((r) => path.relative(DATASETS, r)),
      trainImages: training.trainImages,
      steps: training.steps,
      epochs: training.epochs,
      wallSeconds: +((performance.now() - started) / 1000).toFixed(1),
      trainSeconds: +training.seconds.toFixed(1),
      trainImagesPerSecond: +training.imagesPerSecond.toFixed(1),
      testImages: evaluation.images,
      testAccuracy: +evaluation.accuracy.toFixed(4),
      testLoss: +evaluation.loss.toFixed(4),
      bestEpochTestAccuracy: training.bestValidationAccuracy,
      backend: backend.name,
      isa: backend.isa,
      threads: backend.threads,
      runDir: training.runDir,
    }),
  );
}

main().catch((err) => {
  console.error(`bench:accuracy failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
