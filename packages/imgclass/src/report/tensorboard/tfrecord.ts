import { crc32c, maskCrc } from './crc32c';

/**
 * One TFRecord: uint64 length, masked CRC-32C of those 8 bytes, the data,
 * masked CRC-32C of the data; all little-endian.
 */
export function tfRecord(data: Uint8Array): Buffer {
  const out = Buffer.alloc(8 + 4 + data.length + 4);
  out.writeBigUInt64LE(BigInt(data.length), 0);
  out.writeUInt32LE(maskCrc(crc32c(out.subarray(0, 8))), 8);
  out.set(data, 12);
  out.writeUInt32LE(maskCrc(crc32c(data)), 12 + data.length);
  return out;
}
