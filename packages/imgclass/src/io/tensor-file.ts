import * as tf from '@tensorflow/tfjs';
import { readFile } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { ImgclassError } from '../errors';
import { writeFileAtomic } from './atomic-file';

/**
 * A small self-checking container for named tensors plus a JSON header, used
 * for checkpoints:
 *   "IMGCKPT1" | u32 header bytes | header JSON (space-padded to 4 bytes) | tensor data | u32 CRC-32 of all before
 * Truncation and bit rot are detected on load; writes are atomic.
 */
const MAGIC = Buffer.from('IMGCKPT1', 'ascii');

export interface TensorEntry {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
}

interface Header<M> {
  meta: M;
  groups: Record<string, TensorEntry[]>;
}

export type TensorGroups = Record<string, { name: string; tensor: tf.Tensor }[]>;

export async function writeTensorFile<M>(file: string, meta: M, groups: TensorGroups): Promise<void> {
  const entries: Record<string, TensorEntry[]> = {};
  const data: Uint8Array[] = [];
  for (const [group, tensors] of Object.entries(groups)) {
    entries[group] = [];
    for (const { name, tensor } of tensors) {
      const dtype = tensor.dtype === 'int32' ? 'int32' : 'float32';
      const values = tensor.dtype === dtype ? await tensor.data() : await tensor.cast(dtype).data();
      const typed = dtype === 'int32' ? Int32Array.from(values) : Float32Array.from(values);
      entries[group].push({ name, shape: tensor.shape, dtype });
      data.push(new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength));
    }
  }
  let headerText = JSON.stringify({ meta, groups: entries } satisfies Header<M>);
  headerText += ' '.repeat((4 - (Buffer.byteLength(headerText) % 4)) % 4); // keeps tensor data 4-byte aligned
  const header = Buffer.from(headerText, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(header.length);
  const chunks = [MAGIC, length, header, ...data];
  const checksum = Buffer.alloc(4);
  checksum.writeUInt32LE(chunks.reduce((crc, c) => crc32(c, crc), 0));
  await writeFileAtomic(file, [...chunks, checksum]);
}

export interface TensorFileContents<M> {
  meta: M;
  /** Tensors by group, in the order written. The caller disposes them. */
  groups: Record<string, { name: string; tensor: tf.Tensor }[]>;
}

export async function readTensorFile<M>(file: string): Promise<TensorFileContents<M>> {
  const fail = (why: string) => new ImgclassError('CHECKPOINT', `The checkpoint '${file}' ${why}.`);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch {
    throw fail('cannot be read');
  }
  if (bytes.length < MAGIC.length + 8 || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw fail('is not an imgclass checkpoint');
  }
  const stored = bytes.readUInt32LE(bytes.length - 4);
  if (crc32(bytes.subarray(0, bytes.length - 4)) !== stored) throw fail('is truncated or corrupt (checksum mismatch)');
  const headerLength = bytes.readUInt32LE(MAGIC.length);
  const headerStart = MAGIC.length + 4;
  const header = JSON.parse(bytes.toString('utf8', headerStart, headerStart + headerLength)) as Header<M>;
  let offset = headerStart + headerLength;
  const groups: TensorFileContents<M>['groups'] = {};
  for (const [group, entries] of Object.entries(header.groups)) {
    groups[group] = entries.map((e) => {
      const count = e.shape.reduce((a, b) => a * b, 1);
      const slice = bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + offset + count * 4);
      offset += count * 4;
      const values = e.dtype === 'int32' ? new Int32Array(slice) : new Float32Array(slice);
      return { name: e.name, tensor: tf.tensor(values, e.shape, e.dtype) };
    });
  }
  if (offset !== bytes.length - 4) throw fail('has a header that does not match its data');
  return { meta: header.meta, groups };
}
