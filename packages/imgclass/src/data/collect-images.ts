import os from 'node:os';
import { PreprocessingConfig } from './config';
import { decodeImage, DEFAULT_MAX_INPUT_PIXELS } from './decode';
import { mapConcurrent } from './concurrency';
import { ImageDecodeError } from './errors';
import { decodeJpegs, fastPathApplies } from './native-jpeg';
import { CacheEntry, PendingRecord, PixelCache } from './pixel-cache';
import { FolderLayout, ScanResult, scanRoot, SkippedFile } from './scan';

/** Files per native decode call: enough to make the hand-offs negligible, few enough to bound memory (~1 MB at 150x150). */
const FAST_BATCH = 16;

/** One native batch per core, within libuv's pool (4 threads unless UV_THREADPOOL_SIZE says otherwise). */
function fastBatchesInFlight(): number {
  const pool = Number(process.env.UV_THREADPOOL_SIZE) || 4;
  return Math.max(1, Math.min(os.availableParallelism(), pool));
}

/** An image that decoded successfully and whose pixels are in the cache. */
export interface UsableImage {
  path: string;
  className: string;
  root: string;
  entry: CacheEntry;
}

export interface CollectedImages {
  images: UsableImage[];
  skipped: SkippedFile[];
  ignored: number;
  scans: { root: string; scan: ScanResult }[];
  reused: number;
  decoded: number;
  decodeSeconds: number;
}

export interface CollectOptions {
  layout: FolderLayout;
  preprocessing: PreprocessingConfig;
  cache: PixelCache;
  maxInputPixels?: number;
  concurrency: number;
  onProgress?: (progress: { done: number; total: number }) => void;
}

/**
 * Scans the roots and makes sure every usable image is in the pixel cache:
 * cache hits cost nothing, misses are decoded (several in flight, each on
 * sharp's thread pool) and streamed into a new shard. Undecodable files are
 * returned as skipped, never thrown.
 */
export async function collectImages(roots: readonly string[], options: CollectOptions): Promise<CollectedImages> {
  const scans: CollectedImages['scans'] = [];
  for (const root of roots) scans.push({ root, scan: await scanRoot(root, options.layout) });

  const skipped = scans.flatMap((s) => s.scan.skipped);
  const seen = new Set<string>();
  const candidates = scans.flatMap((s) => s.scan.candidates).filter((c) => !seen.has(c.path) && seen.add(c.path));

  const images: UsableImage[] = [];
  const misses: typeof candidates = [];
  for (const c of candidates) {
    const entry = options.cache.lookup(c.path, c.fileSize, c.mtimeMs);
    if (entry) images.push({ path: c.path, className: c.className, root: c.root, entry });
    else misses.push(c);
  }

  const started = performance.now();
  let done = 0;
  let decoded = 0;
  const writer = options.cache.createWriter();
  const progress = () => options.onProgress?.({ done: ++done, total: misses.length });
  const maxInputPixels = options.maxInputPixels ?? DEFAULT_MAX_INPUT_PIXELS;

  // Plain JPEGs: native batches, one per core in flight; what they leave goes to sharp below.
  const forSharp: typeof misses = [];
  if (fastPathApplies(options.preprocessing)) {
    const batches: (typeof misses)[] = [];
    for (let i = 0; i < misses.length; i += FAST_BATCH) batches.push(misses.slice(i, i + FAST_BATCH));
    await mapConcurrent(batches, fastBatchesInFlight(), async (batch) => {
      const results = await decodeJpegs(batch.map((c) => c.path), options.preprocessing, maxInputPixels);
      const pending: PendingRecord[] = [];
      const owners: typeof misses = [];
      batch.forEach((c, i) => {
        const fast = results[i];
        if (!fast) return void forSharp.push(c);
        pending.push({ file: c.path, fileSize: c.fileSize, mtimeMs: c.mtimeMs, image: { ...fast, format: 'jpeg' }, sums: fast });
        owners.push(c);
      });
      const entries = await writer.addMany(pending);
      owners.forEach((c, i) => {
        images.push({ path: c.path, className: c.className, root: c.root, entry: entries[i] });
        decoded++;
        progress();
      });
    });
  } else {
    forSharp.push(...misses);
  }

  await mapConcurrent(forSharp, options.concurrency, async (c) => {
    try {
      const image = await decodeImage(c.path, options.preprocessing, { maxInputPixels: options.maxInputPixels });
      const entry = await writer.add(c.path, c.fileSize, c.mtimeMs, image);
      images.push({ path: c.path, className: c.className, root: c.root, entry });
      decoded++;
    } catch (err) {
      if (!(err instanceof ImageDecodeError)) throw err;
      skipped.push({ path: c.path, reason: err.reason });
    }
    progress();
  });
  await writer.commit();

  return {
    images,
    skipped,
    ignored: scans.reduce((n, s) => n + s.scan.ignored, 0),
    scans,
    reused: candidates.length - misses.length,
    decoded,
    decodeSeconds: (performance.now() - started) / 1000,
  };
}
