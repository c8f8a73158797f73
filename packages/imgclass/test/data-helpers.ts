/** Shared fixtures for the data-*.test.ts files: generated images in temp folders, never committed. */
import '@tensorflow/tfjs-backend-cpu';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';

export type Rgb = [number, number, number];

/** Repository root (…/work/main), from packages/imgclass/test. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const SHARED_DATASETS = path.resolve(REPO_ROOT, '../shared/datasets');

export async function tempDir(prefix = 'imgclass-data-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Raw RGB pixels where `colour(x, y)` gives each pixel. */
export function rawImage(width: number, height: number, colour: (x: number, y: number) => Rgb): Buffer {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data.set(colour(x, y), (y * width + x) * 3);
  }
  return data;
}

export function fromRaw(data: Buffer, width: number, height: number, channels: 1 | 2 | 3 | 4 = 3): sharp.Sharp {
  return sharp(data, { raw: { width, height, channels } });
}

/** Writes a lossless PNG of `colour(x, y)`, creating parent folders. */
export async function writePng(file: string, width: number, height: number, colour: (x: number, y: number) => Rgb): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await fromRaw(rawImage(width, height, colour), width, height).png().toFile(file);
}

export async function writeSolid(file: string, rgb: Rgb, size = 8): Promise<void> {
  await writePng(file, size, size, () => rgb);
}

export async function writeBytes(file: string, bytes: Uint8Array | string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, bytes);
}

/** Pixel (x, y) of an HWC RGB buffer. */
export function pixelAt(data: Uint8Array, width: number, x: number, y: number): Rgb {
  const o = (y * width + x) * 3;
  return [data[o], data[o + 1], data[o + 2]];
}

export function near(actual: Rgb, expected: Rgb, tolerance: number): boolean {
  return actual.every((v, i) => Math.abs(v - expected[i]) <= tolerance);
}

/** Collects warnings instead of printing them. */
export function warningSink(): { messages: string[]; onWarning: (m: string) => void } {
  const messages: string[] = [];
  return { messages, onWarning: (m) => messages.push(m) };
}

/**
 * Writes `root/<class>/<class>-<i>.png` for each class, `size` x `size`, each
 * image a distinct solid-ish colour (a gradient so standardization is not degenerate).
 */
export async function makeClassFolders(root: string, counts: Record<string, number>, size = 8): Promise<string[]> {
  const files: string[] = [];
  let k = 0;
  for (const [name, n] of Object.entries(counts)) {
    for (let i = 0; i < n; i++, k++) {
      const file = path.join(root, name, `${name}-${String(i).padStart(3, '0')}.png`);
      const base = (k * 37) % 200;
      await writePng(file, size, size, (x, y) => [base + x, base + y, (base * 3) % 256]);
      files.push(file);
    }
  }
  return files;
}
