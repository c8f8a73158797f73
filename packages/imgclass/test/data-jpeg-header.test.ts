// The JPEG header reader agrees with sharp (libvips) on size and EXIF orientation, and
// declines anything else so that sharp is asked instead.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { readJpegHeader } from '../src/data/jpeg-header';

async function jpeg(width: number, height: number, orientation?: number): Promise<Buffer> {
  const image = sharp({ create: { width, height, channels: 3, background: { r: 200, g: 10, b: 10 } } }).jpeg();
  return orientation ? image.withMetadata({ orientation }).toBuffer() : image.toBuffer();
}

test('size and EXIF orientation match sharp for every orientation, progressive too', async () => {
  for (let orientation = 1; orientation <= 8; orientation++) {
    const bytes = await jpeg(37, 21, orientation);
    const meta = await sharp(bytes).metadata();
    assert.deepEqual(readJpegHeader(bytes), { width: meta.autoOrient.width, height: meta.autoOrient.height }, `orientation ${orientation}`);
  }
  const progressive = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#123' } }).jpeg({ progressive: true }).toBuffer();
  assert.deepEqual(readJpegHeader(progressive), { width: 64, height: 48 });
});

test('non-JPEG and damaged bytes are declined', async () => {
  const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } }).png().toBuffer();
  assert.equal(readJpegHeader(png), undefined);
  assert.equal(readJpegHeader(new Uint8Array([0xff, 0xd8, 0xff])), undefined);
  const good = await jpeg(10, 10);
  assert.equal(readJpegHeader(good.subarray(0, 20)), undefined, 'truncated before the frame header');
  assert.equal(readJpegHeader(Buffer.from('not a jpeg at all')), undefined);
});
