import { writeFile } from 'node:fs/promises';
import { makeDir } from '../io/make-dir';
import path from 'node:path';
import sharp from 'sharp';
import { mapConcurrent } from '../data/concurrency';
import { createRng, deriveSeed, Rng } from '../math/rng';

export const DEMO_CLASSES = ['dots', 'stripes'] as const;

export interface DemoSetOptions {
  /** Parent folder; `train/` and `test/` (each with a folder per class) are created inside. */
  dir: string;
  /** Training pictures per class. Default 150. */
  trainPerClass?: number;
  /** Test pictures per class. Default 50. */
  testPerClass?: number;
  /** Picture side in pixels. Default 96. */
  size?: number;
  /** Default 7. */
  seed?: number;
}

export interface DemoSet {
  train: string;
  test: string;
  classes: string[];
  images: number;
}

/**
 * A small two-class picture set that needs no download: polka dots and
 * stripes, each at a random angle, period and pair of colours, rendered from
 * SVG by sharp and saved as JPEG. Textures rather than single shapes because
 * LeNet-5 (no global pooling) learns a texture from a few hundred pictures in
 * seconds, while "circle vs square" at random places needs far more data;
 * random colours and angles keep an untrained network at 50%.
 */
export async function generateDemoSet(options: DemoSetOptions): Promise<DemoSet> {
  const size = options.size ?? 96;
  const seed = options.seed ?? 7;
  const splits = [
    { name: 'train', count: options.trainPerClass ?? 150 },
    { name: 'test', count: options.testPerClass ?? 50 },
  ];
  const jobs: { file: string; kind: (typeof DEMO_CLASSES)[number]; rng: Rng }[] = [];
  splits.forEach((split, s) => {
    DEMO_CLASSES.forEach((kind, c) => {
      for (let i = 0; i < split.count; i++) {
        const file = path.join(options.dir, split.name, kind, `${kind}-${String(i).padStart(4, '0')}.jpg`);
        jobs.push({ file, kind, rng: createRng(deriveSeed(seed, s, c, i)) });
      }
    });
  });
  for (const split of splits) {
    for (const kind of DEMO_CLASSES) await makeDir(path.join(options.dir, split.name, kind));
  }
  await mapConcurrent(jobs, 8, async (job) => {
    const jpeg = await sharp(Buffer.from(drawSvg(job.kind, size, job.rng))).jpeg({ quality: 90 }).toBuffer();
    await writeFile(job.file, jpeg);
  });
  return {
    train: path.join(options.dir, 'train'),
    test: path.join(options.dir, 'test'),
    classes: [...DEMO_CLASSES],
    images: jobs.length,
  };
}

function drawSvg(kind: (typeof DEMO_CLASSES)[number], size: number, rng: Rng): string {
  const between = (lo: number, hi: number) => lo + rng() * (hi - lo);
  const hue = Math.floor(rng() * 360);
  // Background and pattern differ in hue and lightness, so the pattern survives per-image standardization.
  const back = `hsl(${hue},${Math.floor(between(30, 80))}%,${Math.floor(between(15, 45))}%)`;
  const ink = `hsl(${(hue + 90 + Math.floor(rng() * 180)) % 360},${Math.floor(between(40, 90))}%,${Math.floor(between(55, 85))}%)`;
  const period = between(0.14, 0.26) * size;
  const angle = between(0, 180).toFixed(1);
  const centre = (size / 2).toFixed(1);
  let pattern = '';
  if (kind === 'stripes') {
    const width = (period * between(0.35, 0.6)).toFixed(1);
    for (let x = -size; x < 2 * size; x += period) {
      pattern += `<rect x="${x.toFixed(1)}" y="${-size}" width="${width}" height="${3 * size}"/>`;
    }
  } else {
    const r = (period * between(0.2, 0.32)).toFixed(1);
    const jitter = () => (between(-0.12, 0.12) * period).toFixed(1);
    for (let y = -size; y < 2 * size; y += period) {
      for (let x = -size; x < 2 * size; x += period) {
        pattern += `<circle cx="${(x + +jitter()).toFixed(1)}" cy="${(y + +jitter()).toFixed(1)}" r="${r}"/>`;
      }
    }
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}">
<rect width="${size}" height="${size}" fill="${back}"/>
<g fill="${ink}" transform="rotate(${angle} ${centre} ${centre})">${pattern}</g></svg>`;
}
