import { randomBytes } from 'node:crypto';
import { FileHandle, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../io/atomic-file';
import { fileSystemReason, isFileSystemError } from '../io/fs-errors';
import { makeDir } from '../io/make-dir';
import { PreprocessingConfig } from './config';
import { DecodedImage } from './decode';
import { DatasetError } from './errors';
import { pixelSums } from './normalize';

/**
 * Bumped whenever decoding or resizing changes (3: bilinear resampling; 4: plain JPEGs decoded
 * natively with a triangle-filter resize), so pixels an older version cached are decoded again
 * instead of silently reused.
 */
const CACHE_VERSION = 4;

/**
 * On-disk cache of decoded, resized uint8 pixels.
 *
 * Layout: `<cacheDir>/<W>x<H>-<resizeMode>/` holds `index.json` and shard
 * files of fixed-size records (W*H*3 bytes each, no header), so any image is
 * one positional read and a dataset larger than RAM streams batch by batch.
 * The index maps an absolute source path to (shard, slot) together with the
 * file size and mtime it was decoded from; a changed file no longer matches
 * and is decoded again. Shards are written under a temporary name, fsynced
 * and renamed before the index (itself written atomically) refers to them,
 * so a crash never leaves an index pointing at missing or partial pixels.
 */
export interface CacheEntry {
  fileSize: number;
  mtimeMs: number;
  shard: string;
  slot: number;
  sourceWidth: number;
  sourceHeight: number;
  format: string;
  /** Sum and sum of squares of the cached bytes, so standardization needs no extra pass per epoch. */
  sum: number;
  sumSq: number;
}

interface CacheIndex {
  version: typeof CACHE_VERSION;
  width: number;
  height: number;
  resizeMode: string;
  entries: Record<string, CacheEntry>;
}

export const DEFAULT_CACHE_DIR = '.imgclass-cache';
/** 1024 records of 150x150x3 is ~69 MB: large enough for few files, small enough to finish often. */
const DEFAULT_SHARD_CAPACITY = 1024;

export class PixelCache {
  readonly dir: string;
  readonly recordBytes: number;
  private index: CacheIndex;
  private readonly handles = new Map<string, Promise<FileHandle>>();

  private constructor(dir: string, index: CacheIndex, recordBytes: number) {
    this.dir = dir;
    this.index = index;
    this.recordBytes = recordBytes;
  }

  /** Opens (creating if needed) the cache for one target size and resize mode. */
  static async open(cacheRoot: string, config: PreprocessingConfig): Promise<PixelCache> {
    const dir = path.resolve(cacheRoot, `${config.width}x${config.height}-${config.resizeMode}`);
    await makeDir(dir);
    const empty: CacheIndex = { version: CACHE_VERSION, width: config.width, height: config.height, resizeMode: config.resizeMode, entries: {} };
    const cache = new PixelCache(dir, empty, config.width * config.height * 3);
    cache.index = await cache.readIndexFromDisk();
    await cache.removeAbandonedTempFiles();
    return cache;
  }

  private get indexPath(): string {
    return path.join(this.dir, 'index.json');
  }

  /** The entry for `file` if it was decoded from exactly this version of the file. */
  lookup(file: string, fileSize: number, mtimeMs: number): CacheEntry | undefined {
    const entry = this.index.entries[file];
    return entry && entry.fileSize === fileSize && entry.mtimeMs === mtimeMs ? entry : undefined;
  }

  /** Starts a batch of additions; call `commit()` on it when done (or let it roll shards as it fills). */
  createWriter(shardCapacity = DEFAULT_SHARD_CAPACITY): CacheWriter {
    return new CacheWriter(this, shardCapacity);
  }

  /** Where a shard's records are (the batch worker reads them itself). */
  shardPath(shard: string): string {
    return path.join(this.dir, shard);
  }

  /** Reads one record into `target` at `offset` (bytes). */
  async read(entry: CacheEntry, target: Uint8Array, offset: number): Promise<void> {
    const handle = await this.handle(entry.shard);
    const { bytesRead } = await handle.read(target, offset, this.recordBytes, entry.slot * this.recordBytes);
    if (bytesRead !== this.recordBytes) {
      throw new DatasetError('CACHE_ERROR', `The cache shard '${entry.shard}' in '${this.dir}' is truncated; delete the cache folder and run again.`);
    }
  }

  async close(): Promise<void> {
    const handles = [...this.handles.values()];
    this.handles.clear();
    await Promise.all(handles.map((h) => h.then((fh) => fh.close()).catch(() => undefined)));
  }

  private handle(shard: string): Promise<FileHandle> {
    let handle = this.handles.get(shard);
    if (!handle) {
      handle = open(path.join(this.dir, shard), 'r').catch((err: NodeJS.ErrnoException) => {
        this.handles.delete(shard);
        throw new DatasetError('CACHE_ERROR', `The cache shard '${shard}' in '${this.dir}' cannot be opened (${err.code}).`);
      });
      this.handles.set(shard, handle);
    }
    return handle;
  }

  /** Called by a writer once its shard file is durable under its final name. */
  async addEntries(entries: Record<string, CacheEntry>): Promise<void> {
    // Merge with what another process may have written meanwhile, then replace atomically.
    const onDisk = await this.readIndexFromDisk();
    const before = new Set(Object.values(onDisk.entries).map((e) => e.shard));
    const merged = { ...onDisk.entries, ...this.index.entries, ...entries };
    this.index = { ...this.index, entries: merged };
    await writeFileAtomic(this.indexPath, JSON.stringify(this.index));
    // Shards whose every record was superseded hold nothing reachable any more.
    const live = new Set(Object.values(merged).map((e) => e.shard));
    for (const shard of before) {
      if (!live.has(shard)) {
        const handle = this.handles.get(shard);
        this.handles.delete(shard);
        await handle?.then((fh) => fh.close()).catch(() => undefined);
        await unlink(path.join(this.dir, shard)).catch(() => undefined);
      }
    }
  }

  /** Reads the index, dropping entries whose shard is missing or too short (e.g. deleted by hand). */
  private async readIndexFromDisk(): Promise<CacheIndex> {
    const empty: CacheIndex = { ...this.index, entries: {} };
    let parsed: CacheIndex;
    try {
      parsed = JSON.parse(await readFile(this.indexPath, 'utf8')) as CacheIndex;
    } catch {
      return empty; // absent or unreadable: start over, the pixels are re-derivable
    }
    if (parsed.version !== CACHE_VERSION || parsed.width !== this.index.width || parsed.height !== this.index.height || typeof parsed.entries !== 'object') {
      return empty;
    }
    const shardSizes = new Map<string, number>();
    for (const e of Object.values(parsed.entries)) {
      if (!shardSizes.has(e.shard)) {
        shardSizes.set(e.shard, (await stat(path.join(this.dir, e.shard)).catch(() => undefined))?.size ?? -1);
      }
    }
    const entries: Record<string, CacheEntry> = {};
    for (const [file, e] of Object.entries(parsed.entries)) {
      if ((e.slot + 1) * this.recordBytes <= (shardSizes.get(e.shard) ?? -1)) entries[file] = e;
    }
    return { ...parsed, entries };
  }

  /** Temp files left by a process that died mid-write (its pid no longer runs). */
  private async removeAbandonedTempFiles(): Promise<void> {
    for (const name of await readdir(this.dir).catch(() => [] as string[])) {
      const match = /\.tmp-(\d+)/.exec(name);
      if (match && !isProcessAlive(Number(match[1]))) await unlink(path.join(this.dir, name)).catch(() => undefined);
    }
  }
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Streams decoded images into shard files; memory use is one record per pending write. */
/** One decoded picture waiting for its cache record. */
export interface PendingRecord {
  file: string;
  fileSize: number;
  mtimeMs: number;
  image: Pick<DecodedImage, 'data' | 'sourceWidth' | 'sourceHeight' | 'format'>;
  sums: { sum: number; sumSq: number };
}

interface OpenShard {
  name: string;
  temp: string;
  handle: Promise<FileHandle>;
  /** Records assigned so far (slots 0..slots-1). */
  slots: number;
  writes: Promise<unknown>[];
  entries: Record<string, CacheEntry>;
}

export class CacheWriter {
  private current: OpenShard | undefined;
  private rolling: Promise<void> = Promise.resolve();

  constructor(
    private readonly cache: PixelCache,
    private readonly shardCapacity: number,
  ) {}

  /** Queues `image` for `file` and returns its entry (readable once the writer commits that shard). */
  async add(file: string, fileSize: number, mtimeMs: number, image: DecodedImage, sums = pixelSums(image.data)): Promise<CacheEntry> {
    const [entry] = await this.addMany([{ file, fileSize, mtimeMs, image, sums }]);
    return entry;
  }

  /**
   * Queues several images; records adjacent in memory (one native decode batch) and in the shard
   * go to disk as one write, which keeps the main thread's per-picture work small on the first pass.
   */
  async addMany(items: readonly PendingRecord[]): Promise<CacheEntry[]> {
    const record = this.cache.recordBytes;
    const entries: CacheEntry[] = [];
    let run: { shard: OpenShard; slot: number; data: Uint8Array; count: number } | undefined;
    let rolled = false;
    const flush = () => {
      if (!run) return;
      const { shard, slot, data, count } = run;
      const bytes = new Uint8Array(data.buffer, data.byteOffset, count * record);
      const write = shard.handle
        .then((fh) => fh.write(bytes, 0, bytes.length, slot * record))
        .then(({ bytesWritten }) => {
          // A short write is how a nearly full disk answers; the records would be torn.
          if (bytesWritten !== bytes.length) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write' });
        });
      write.catch(() => undefined); // observed in finishShard; avoids an unhandled rejection meanwhile
      shard.writes.push(write);
      run = undefined;
    };
    for (const { file, fileSize, mtimeMs, image, sums } of items) {
      if (image.data.length !== record) {
        throw new DatasetError('CACHE_ERROR', `Decoded image size does not match the cache record size for '${file}'.`);
      }
      if (!this.current) this.current = this.startShard();
      const shard = this.current;
      const slot = shard.slots++;
      const entry: CacheEntry = {
        fileSize, mtimeMs, shard: shard.name, slot,
        sourceWidth: image.sourceWidth, sourceHeight: image.sourceHeight, format: image.format,
        sum: sums.sum, sumSq: sums.sumSq,
      };
      shard.entries[file] = entry;
      entries.push(entry);
      const adjacent = run && run.shard === shard && run.slot + run.count === slot && run.data.buffer === image.data.buffer &&
        run.data.byteOffset + run.count * record === image.data.byteOffset;
      if (run && adjacent) run.count++;
      else {
        flush();
        run = { shard, slot, data: image.data, count: 1 };
      }
      if (shard.slots >= this.shardCapacity) {
        flush();
        this.current = undefined;
        this.rolling = this.rolling.then(() => this.finishShard(shard));
        rolled = true;
      }
    }
    flush();
    // Whoever fills a shard waits for it to be durable: that bounds the records held in memory.
    if (rolled) await this.rolling;
    return entries;
  }

  /** Makes everything added so far durable and visible in the index. */
  async commit(): Promise<void> {
    const shard = this.current;
    this.current = undefined;
    if (shard) this.rolling = this.rolling.then(() => this.finishShard(shard));
    await this.rolling;
  }

  private startShard(): OpenShard {
    const name = `shard-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}.u8`;
    const temp = path.join(this.cache.dir, `${name}.tmp-${process.pid}`);
    const handle = open(temp, 'w');
    handle.catch(() => undefined);
    return { name, temp, handle, slots: 0, writes: [], entries: {} };
  }

  private async finishShard(shard: OpenShard): Promise<void> {
    try {
      const fh = await shard.handle;
      await Promise.all(shard.writes);
      await fh.sync();
      await fh.close();
      await rename(shard.temp, path.join(this.cache.dir, shard.name));
    } catch (err) {
      await unlink(shard.temp).catch(() => undefined);
      const why = isFileSystemError(err) ? fileSystemReason(err.code) : String(err);
      throw new DatasetError('CACHE_ERROR', `Cannot write the image cache file '${shard.temp}': ${why}.`);
    }
    await this.cache.addEntries(shard.entries);
  }
}
