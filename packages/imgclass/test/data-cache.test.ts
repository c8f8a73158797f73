import assert from 'node:assert/strict';
import { readdir, readFile, rm, stat, utimes } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { decodeImage, loadImageFolder, resolvePreprocessing } from '../src/data';
import { PixelCache } from '../src/data/pixel-cache';
import { makeClassFolders, tempDir, writeSolid } from './data-helpers';

let dir: string;
let cleanup: () => Promise<void>;
before(async () => ({ dir, cleanup } = await tempDir()));
after(() => cleanup());

const quiet = { onWarning: () => undefined };

async function firstPixel(data: Awaited<ReturnType<typeof loadImageFolder>>, file: string): Promise<number[]> {
  for await (const b of data.train.batches({ batchSize: 64, shuffle: false })) {
    const i = b.paths.indexOf(file);
    const values = i >= 0 ? Array.from(b.xs.dataSync().subarray(i * 4 * 4 * 3, i * 4 * 4 * 3 + 3)) : undefined;
    tf.dispose([b.xs, b.ys]);
    if (values) return values.map((v) => Math.round(v * 255));
  }
  throw new Error(`${file} not in dataset`);
}

describe('on-disk pixel cache', () => {
  test('reused across runs, invalidated when a file changes, keyed by size and resize mode', async () => {
    const root = path.join(dir, 'a');
    const files = await makeClassFolders(root, { cat: 3, dog: 3 });
    const options = { roots: root, cacheDir: path.join(dir, 'cache-a'), preprocessing: { size: 4, normalization: 'unit' as const }, ...quiet };
    const first = await loadImageFolder(options);
    assert.deepEqual([first.report.cache.decoded, first.report.cache.reused], [6, 0]);
    await first.close();

    const second = await loadImageFolder(options);
    assert.deepEqual([second.report.cache.decoded, second.report.cache.reused], [0, 6]);
    await second.close();

    // Rewrite one file with another colour and a new mtime: only it is decoded again.
    await writeSolid(files[0], [200, 100, 50]);
    const later = new Date(Date.now() + 5000);
    await utimes(files[0], later, later);
    const third = await loadImageFolder(options);
    assert.deepEqual([third.report.cache.decoded, third.report.cache.reused], [1, 5]);
    assert.deepEqual(await firstPixel(third, files[0]), [200, 100, 50]);
    await third.close();

    const otherMode = await loadImageFolder({ ...options, preprocessing: { size: 4, resizeMode: 'cover' } });
    assert.equal(otherMode.report.cache.decoded, 6, 'a different resize mode has its own cache');
    await otherMode.close();
  });

  test('written atomically: no temp files left, index and shards consistent', async () => {
    const cacheDir = path.join(dir, 'cache-a');
    for (const sub of await readdir(cacheDir)) {
      const names = await readdir(path.join(cacheDir, sub));
      assert.ok(!names.some((n) => n.includes('.tmp-')), `temp files left in ${sub}: ${names}`);
      const index = JSON.parse(await readFile(path.join(cacheDir, sub, 'index.json'), 'utf8'));
      for (const entry of Object.values<{ shard: string; slot: number }>(index.entries)) {
        const size = (await stat(path.join(cacheDir, sub, entry.shard))).size;
        assert.ok((entry.slot + 1) * 4 * 4 * 3 <= size);
      }
      // The superseded shard of the rewritten file was removed only if nothing else lived in it.
      const shards = names.filter((n) => n.endsWith('.u8'));
      const referenced = new Set(Object.values<{ shard: string }>(index.entries).map((e) => e.shard));
      assert.deepEqual(shards.sort(), [...referenced].sort());
    }
  });

  test('epochs read the cache, not the images: deleting the sources does not matter', async () => {
    const root = path.join(dir, 'gone');
    await makeClassFolders(root, { cat: 2, dog: 2 });
    const data = await loadImageFolder({ roots: root, cacheDir: path.join(dir, 'cache-b'), preprocessing: { size: 4 }, ...quiet });
    await rm(root, { recursive: true });
    let n = 0;
    for await (const b of data.train.batches({ batchSize: 3 })) {
      n += b.labels.length;
      tf.dispose([b.xs, b.ys]);
    }
    assert.equal(n, 4);
    await data.close();
  });

  test('a shard deleted by hand is noticed and its images decoded again', async () => {
    const root = path.join(dir, 'c');
    await makeClassFolders(root, { cat: 2, dog: 2 });
    const options = { roots: root, cacheDir: path.join(dir, 'cache-c'), preprocessing: { size: 4 }, ...quiet };
    await (await loadImageFolder(options)).close();
    const sub = path.join(dir, 'cache-c', '4x4-stretch');
    for (const n of await readdir(sub)) if (n.endsWith('.u8')) await rm(path.join(sub, n));
    const again = await loadImageFolder(options);
    assert.equal(again.report.cache.decoded, 4);
    await again.close();
  });

  test('a writer rolls over to new shards and every record reads back exactly', async () => {
    const config = resolvePreprocessing({ size: 4, resizeMode: 'crop-or-pad' });
    const cache = await PixelCache.open(path.join(dir, 'cache-d'), config);
    const writer = cache.createWriter(2);
    const images = [];
    for (let i = 0; i < 5; i++) {
      const file = path.join(dir, 'd', `img${i}.png`);
      await writeSolid(file, [i * 40, 255 - i * 40, 7], 4);
      const image = await decodeImage(file, config);
      images.push(image);
      await writer.add(file, 1, i, image);
    }
    await writer.commit();
    const shards = (await readdir(cache.dir)).filter((n) => n.endsWith('.u8'));
    assert.equal(shards.length, 3);
    for (let i = 0; i < 5; i++) {
      const entry = cache.lookup(path.join(dir, 'd', `img${i}.png`), 1, i);
      assert.ok(entry);
      const buffer = new Uint8Array(cache.recordBytes);
      await cache.read(entry, buffer, 0);
      assert.deepEqual(buffer, new Uint8Array(images[i].data));
    }
    assert.equal(cache.lookup(path.join(dir, 'd', 'img0.png'), 1, 999), undefined, 'a different mtime misses');
    await cache.close();
  });
});
