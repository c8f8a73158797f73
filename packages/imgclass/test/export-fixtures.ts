// Shared by the export tests: real pictures, a briefly trained LeNet-5, seeded untrained models.
import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolvePreprocessing } from '../src/data/config';
import { mapConcurrent } from '../src/data/concurrency';
import { imageToTensor } from '../src/data/image-to-tensor';
import { createRng } from '../src/math/rng';
import { buildModel } from '../src/models/registry';
import type { Classifier } from '../src/trained-network/load-classifier';
import { loadClassifier } from '../src/trained-network/load-classifier';
import { train } from '../src/train/train';
import '../src/backend';

/** The shared cats-vs-dogs pictures (read-only); IMGCLASS_CATS_DOGS overrides the location. */
export const CATS_DOGS = process.env.IMGCLASS_CATS_DOGS ?? path.resolve(__dirname, '..', '..', '..', '..', 'shared', 'datasets', 'cats-vs-dogs');
export const HAVE_PICTURES = existsSync(path.join(CATS_DOGS, 'test', 'cat')) && existsSync(path.join(CATS_DOGS, 'test', 'dog'));
export const NO_PICTURES_REASON = `the cats-vs-dogs pictures are not at ${CATS_DOGS} (set IMGCLASS_CATS_DOGS)`;

const tempDirs: string[] = [];
process.on('exit', () => tempDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A temporary folder removed when the test process exits. */
export function tempDir(prefix = 'imgclass-export-test-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/** The first n/2 cats and n/2 dogs of a split, in a fixed order. */
export function pictures(split: 'train' | 'test', n: number): string[] {
  const pick = (cls: string) =>
    readdirSync(path.join(CATS_DOGS, split, cls)).sort().slice(0, n / 2).map((f) => path.join(CATS_DOGS, split, cls, f));
  return [...pick('cat'), ...pick('dog')];
}

/** The pictures as imgclass prepares them for `c`: one NHWC float32 batch. */
export async function preprocessedBatch(files: string[], c: Classifier): Promise<{ data: Float32Array; shape: [number, number, number, number] }> {
  const { width, height } = c.preprocessing;
  const size = width * height * 3;
  const data = new Float32Array(files.length * size);
  await mapConcurrent(files.map((f, i) => ({ f, i })), 4, async ({ f, i }) => {
    const t = await imageToTensor(f, c.preprocessing);
    data.set(await t.data(), i * size);
    t.dispose();
  });
  return { data, shape: [files.length, height, width, 3] };
}

/**
 * LeNet-5 at 32×32 trained for 40 steps on 80 cats-vs-dogs pictures: real,
 * trained weights in seconds. Returns the run folder.
 */
export async function trainLenet5(dir = tempDir()): Promise<string> {
  const data = path.join(dir, 'train');
  for (const file of pictures('train', 80)) {
    const cls = path.basename(path.dirname(file));
    mkdirSync(path.join(data, cls), { recursive: true });
    symlinkSync(file, path.join(data, cls, path.basename(file)));
  }
  const out = path.join(dir, 'run');
  await train({ train: data, model: 'lenet5', size: 32, steps: 40, batchSize: 16, seed: 3, logEvery: 1000, out }, { cacheDir: path.join(dir, 'cache') });
  return out;
}

export async function trainedLenet5(): Promise<Classifier> {
  return loadClassifier(await trainLenet5());
}

/**
 * An untrained built-in model with seeded weights. BatchNorm statistics are
 * randomized too (fresh ones are the identity), so the export of BatchNorm is
 * actually exercised.
 */
export function seededClassifier(name: string, size: number, options: { lrn?: boolean } = {}): Classifier {
  const model = buildModel(name, { size, classes: 2, seed: 5, lrn: options.lrn });
  const rng = createRng(9);
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    const values = layer.weights.map((w) => {
      const n = w.shape.reduce((a, b) => a * (b ?? 1), 1);
      const kind = w.originalName.split('/').pop();
      const draw = kind === 'moving_variance' || kind === 'gamma' ? () => 0.5 + rng() : () => (rng() - 0.5) * 0.2;
      return tf.tensor(Float32Array.from({ length: n }, draw), w.shape as number[]);
    });
    layer.setWeights(values);
    tf.dispose(values);
  }
  return {
    model,
    classes: ['cat', 'dog'],
    preprocessing: resolvePreprocessing({ size }),
    modelName: name,
    source: `seeded ${name}`,
  };
}

/** Every built-in model, small: trained LeNet-5 plus seeded untrained others at (near) their smallest sizes. */
export const SEEDED_MODELS: { name: string; size: number; lrn?: boolean }[] = [
  { name: 'lenet5', size: 32, lrn: true },
  { name: 'alexnet', size: 67 },
  { name: 'vgg16', size: 32 },
  { name: 'resnet18', size: 32 },
  { name: 'mobilenet', size: 32 },
];
