import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { evaluate, EvaluationResult } from '../evaluate/evaluate';
import { loadClassifier } from '../trained-network/load-classifier';
import { predict, Prediction } from '../predict/predict';
import type { TrainEvent } from '../train/events';
import { train, TrainResult } from '../train/train';
import { DemoSet, generateDemoSet } from './generate-demo-set';

export interface DemoOptions {
  /** Folder for the pictures and the run; default a temporary folder, removed afterwards. */
  dir?: string;
  /** Keep a temporary folder instead of removing it. */
  keep?: boolean;
  /** Input side. Default 64: the seed's 150 would take ~5× longer for the same result on these textures. */
  size?: number;
  /** Default 10. */
  epochs?: number;
  /** Default 7. */
  seed?: number;
  onEvent?: (event: TrainEvent) => void;
  onStage?: (stage: string) => void;
}

export interface DemoResult {
  dir: string;
  kept: boolean;
  set: DemoSet;
  training: TrainResult;
  evaluation: EvaluationResult;
  /** One test picture and its prediction, as the seed's test script. */
  prediction: Prediction;
  seconds: number;
}

/**
 * The whole pipeline on generated data: 800 training and 200 test pictures
 * of dots and stripes, LeNet-5 trained with Adam (lr 1e-3 with warm-up and
 * cosine decay, which suits this small set better than the seed's 1e-4),
 * evaluated on the test pictures, then one picture classified.
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const started = performance.now();
  const temporary = options.dir === undefined;
  const dir = options.dir ?? (await mkdtemp(path.join(os.tmpdir(), 'imgclass-demo-')));
  const stage = options.onStage ?? (() => undefined);
  try {
    stage(`Generating 1000 pictures of dots and stripes in ${dir}`);
    const set = await generateDemoSet({ dir, trainPerClass: 400, testPerClass: 100, seed: options.seed ?? 7 });
    const runDir = path.join(dir, 'run');
    await rm(runDir, { recursive: true, force: true });
    stage('Training LeNet-5');
    const training = await train(
      {
        train: set.train,
        test: set.test,
        model: 'lenet5',
        size: options.size ?? 64,
        epochs: options.epochs ?? 10,
        lr: 1e-3,
        warmupSteps: 20,
        schedule: 'cosine',
        seed: options.seed ?? 7,
        logEvery: 25,
        out: runDir,
        cacheDir: path.join(dir, '.cache'),
      },
      { onEvent: options.onEvent },
    );
    const classifier = await loadClassifier(runDir, { inference: true });
    try {
      stage('Evaluating on the test pictures');
      const evaluation = await evaluate(classifier, set.test, { cacheDir: path.join(dir, '.cache'), worst: 3 });
      const stripes = path.join(set.test, 'stripes');
      const picture = path.join(stripes, (await readdir(stripes)).sort()[0]);
      const [prediction] = await predict(classifier, picture);
      return { dir, kept: !temporary || options.keep === true, set, training, evaluation, prediction, seconds: (performance.now() - started) / 1000 };
    } finally {
      classifier.model.dispose();
    }
  } finally {
    if (temporary && !options.keep) await rm(dir, { recursive: true, force: true });
  }
}
