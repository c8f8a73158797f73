import assert from 'node:assert/strict';
import { chmod, mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import zlib from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { DatasetError, formatReport, ImageFolderData, loadImageFolder } from '../src/data';
import { fromRaw, makeClassFolders, rawImage, tempDir, warningSink, writeBytes, writeSolid } from './data-helpers';

const isRoot = process.getuid?.() === 0;

/** A PNG whose header declares 60000 x 60000 pixels: a decompression bomb as far as any decoder can tell. */
function pngWithHugeHeader(): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(60000, 0);
  ihdr.writeUInt32BE(60000, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const idat = zlib.deflateSync(Buffer.alloc(1000));
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);
}

describe('a deliberately broken folder', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let data: ImageFolderData;
  const sink = warningSink();
  const root = () => path.join(dir, 'train');
  const expectedSkips: Record<string, RegExp> = {};

  before(async () => {
    ({ dir, cleanup } = await tempDir());
    await makeClassFolders(root(), { cat: 3, dog: 2 });
    const cat = path.join(root(), 'cat');
    const jpeg = await fromRaw(rawImage(64, 64, (x, y) => [x * 4, y * 4, 50]), 64, 64).jpeg().toBuffer();
    const png = await fromRaw(rawImage(32, 32, (x) => [x * 8, 0, 0]), 32, 32).png().toBuffer();
    const corruptPng = Buffer.from(png);
    for (let i = 60; i < corruptPng.length - 20; i += 7) corruptPng[i] ^= 0x5a; // scramble IDAT, CRCs no longer match

    const bad: [string, Uint8Array | string, RegExp][] = [
      ['truncated.jpg', jpeg.subarray(0, jpeg.length >> 1), /truncated or corrupt/],
      ['corrupt.png', corruptPng, /truncated or corrupt|could not be decoded/],
      ['zero-bytes.jpg', new Uint8Array(0), /empty file/],
      ['text.jpg', 'this is not a picture\n', /not an image/],
      ['bomb.png', pngWithHugeHeader(), /pixel limit/],
      ['notes.txt', 'hello', /unsupported file type '\.txt'/],
      ['drawing.bmp', 'BM....', /unsupported file type '\.bmp'/],
    ];
    for (const [name, bytes, reason] of bad) {
      await writeBytes(path.join(cat, name), bytes);
      expectedSkips[path.join(cat, name)] = reason;
    }
    // Hidden and OS bookkeeping files: passed over silently.
    await writeSolid(path.join(cat, '.hidden.png'), [1, 2, 3]);
    await writeBytes(path.join(cat, '.DS_Store'), 'Bud1');
    await writeBytes(path.join(cat, 'Thumbs.db'), 'x');
    await writeBytes(path.join(root(), '.DS_Store'), 'Bud1');
    // Nested folders belong to their class.
    await writeSolid(path.join(cat, 'more', 'deeper', 'nested.png'), [9, 9, 9]);
    // Symlink loops and dangling links.
    await symlink(root(), path.join(cat, 'loop'));
    await symlink(path.join(cat, 'self.jpg'), path.join(cat, 'self.jpg'));
    await symlink(path.join(dir, 'missing.jpg'), path.join(cat, 'dangling.jpg'));
    expectedSkips[path.join(cat, 'loop')] = /symbolic link loop/;
    expectedSkips[path.join(cat, 'self.jpg')] = /symbolic link loop/;
    expectedSkips[path.join(cat, 'dangling.jpg')] = /broken symbolic link/;
    // An empty class folder and a picture outside any class folder.
    await mkdir(path.join(root(), 'bird'));
    await writeSolid(path.join(root(), 'stray.png'), [5, 5, 5]);
    expectedSkips[path.join(root(), 'stray.png')] = /not inside a class folder/;
    if (!isRoot) {
      await writeSolid(path.join(cat, 'locked.png'), [7, 7, 7]);
      await chmod(path.join(cat, 'locked.png'), 0o000);
      expectedSkips[path.join(cat, 'locked.png')] = /permission denied/;
    }
    data = await loadImageFolder({ roots: root(), cacheDir: path.join(dir, 'cache'), preprocessing: { size: 16 }, onWarning: sink.onWarning });
  });
  after(async () => {
    await data?.close();
    await cleanup();
  });

  test('loads the good images and ignores the empty class', () => {
    assert.deepEqual(data.classes, ['cat', 'dog']);
    assert.deepEqual(data.report.splits.train.perClass, { cat: 4, dog: 2 });
    assert.ok(data.train.samples.some((s) => s.path.endsWith(path.join('more', 'deeper', 'nested.png'))));
  });

  test('every bad file is skipped with its reason, and named in a warning', () => {
    const skipped = new Map(data.report.skipped.map((s) => [s.path, s.reason]));
    for (const [file, reason] of Object.entries(expectedSkips)) {
      assert.match(skipped.get(file) ?? '(not skipped)', reason, file);
      assert.ok(sink.messages.some((m) => m.includes(file)), `no warning names ${file}`);
    }
    assert.equal(data.report.skipped.length, Object.keys(expectedSkips).length);
  });

  test('permission errors are reported (needs a non-root user)', (t) => {
    if (isRoot) {
      t.skip('running as root: file permissions are not enforced');
      return;
    }
    assert.ok(data.report.skipped.some((s) => /permission denied/.test(s.reason)));
  });

  test('hidden and system files are counted, not warned about', () => {
    assert.equal(data.report.ignored, 4);
    assert.ok(!sink.messages.some((m) => /DS_Store|Thumbs\.db|\.hidden/.test(m)));
  });

  test('a summary line counts the skipped files; the empty class is warned about', () => {
    const n = Object.keys(expectedSkips).length;
    assert.match(data.report.summary, new RegExp(`^Skipped ${n} files of ${n + 6}: `));
    assert.ok(sink.messages.includes(data.report.summary));
    assert.ok(sink.messages.some((m) => /Class folder 'bird'.*no usable images/.test(m)));
    assert.match(formatReport(data.report), /Skipped \d+ files/);
  });

  test('the good images are all there to iterate', async () => {
    let n = 0;
    for await (const batch of data.train.batches({ batchSize: 4 })) {
      n += batch.labels.length;
      assert.equal(batch.xs.shape[1], 16);
      batch.xs.dispose();
      batch.ys.dispose();
    }
    assert.equal(n, 6);
  });
});

describe('fatal dataset problems throw a DatasetError with one sentence', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  before(async () => ({ dir, cleanup } = await tempDir()));
  after(() => cleanup());

  async function fails(options: Parameters<typeof loadImageFolder>[0], code: string, message: RegExp): Promise<void> {
    const opts = typeof options === 'string' ? { roots: options } : options;
    const err = await loadImageFolder({ cacheDir: path.join(dir, 'cache'), onWarning: () => undefined, ...opts }).then(
      () => assert.fail('expected a DatasetError'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof DatasetError, String(err));
    assert.equal(err.code, code);
    assert.match(err.message, message);
    assert.match(err.message, /^[^\n]+\.$/, 'one sentence, one line');
  }

  test('a path that does not exist', () => fails(path.join(dir, 'nope'), 'PATH_NOT_FOUND', /does not exist/));

  test('a file instead of a folder', async () => {
    await writeSolid(path.join(dir, 'file.png'), [1, 1, 1]);
    await fails(path.join(dir, 'file.png'), 'NOT_A_DIRECTORY', /not a folder/);
  });

  test('a single class', async () => {
    await makeClassFolders(path.join(dir, 'single'), { cat: 2 });
    await fails(path.join(dir, 'single'), 'SINGLE_CLASS', /at least two classes.*'cat'/);
  });

  test('nothing usable', async () => {
    await writeBytes(path.join(dir, 'broken', 'cat', 'a.jpg'), 'nope');
    await writeBytes(path.join(dir, 'broken', 'dog', 'b.png'), new Uint8Array(0));
    await fails(path.join(dir, 'broken'), 'NO_USABLE_IMAGES', /No usable images/);
  });

  test('a flat folder read as class folders gets a hint', async () => {
    await writeSolid(path.join(dir, 'flat', 'cat.1.png'), [1, 1, 1]);
    await fails(path.join(dir, 'flat'), 'NO_USABLE_IMAGES', /filename-prefix/);
  });

  test('train and test classes differ', async () => {
    await makeClassFolders(path.join(dir, 'tr'), { cat: 1, dog: 1 });
    await makeClassFolders(path.join(dir, 'te'), { cat: 1, bird: 1 });
    await fails({ roots: path.join(dir, 'tr'), validationRoots: path.join(dir, 'te') }, 'CLASS_MISMATCH', /training classes \(cat, dog\).*test classes \(bird, cat\)/);
  });

  test('merged roots with different classes', async () => {
    await fails({ roots: [path.join(dir, 'tr'), path.join(dir, 'te')] }, 'CLASS_MISMATCH', /different classes/);
  });

  test('contradictory options', async () => {
    await fails({ roots: path.join(dir, 'tr'), validationRoots: path.join(dir, 'tr'), validationSplit: 0.2 }, 'INVALID_OPTION', /either/);
    await fails({ roots: path.join(dir, 'tr'), validationSplit: 1 }, 'INVALID_OPTION', /below 1/);
  });
});

test('a real decompression bomb is refused by the header check before decoding', async () => {
  const meta = await sharp(pngWithHugeHeader(), { limitInputPixels: false }).metadata();
  assert.equal(meta.width, 60000);
  const { dir, cleanup } = await tempDir();
  try {
    await writeFile(path.join(dir, 'bomb.png'), pngWithHugeHeader());
    const started = performance.now();
    const { decodeImage } = await import('../src/data');
    await assert.rejects(decodeImage(path.join(dir, 'bomb.png')), /pixel limit/);
    assert.ok(performance.now() - started < 2000);
  } finally {
    await cleanup();
  }
});
