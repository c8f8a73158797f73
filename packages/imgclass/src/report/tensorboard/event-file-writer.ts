import { closeSync, openSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileSystemError, isFileSystemError } from '../../io/fs-errors';
import { makeDirSync } from '../../io/make-dir';
import { encodeEvent, EventContent } from './event';
import { tfRecord } from './tfrecord';

/**
 * Appends events to `dir/events.out.tfevents.<seconds>.<host>`, the name
 * TensorBoard looks for. Each event is written synchronously as one record,
 * so TensorBoard (which tails the file) never sees half of one and nothing is
 * lost if the process is killed.
 */
export class EventFileWriter {
  readonly file: string;
  private fd: number | null;

  constructor(dir: string, now = Date.now()) {
    makeDirSync(dir);
    this.file = path.join(dir, `events.out.tfevents.${Math.floor(now / 1000)}.${os.hostname().replace(/[^\w.-]/g, '_')}`);
    // 'a': two writers started within the same second share a file instead of truncating it.
    this.fd = openSync(this.file, 'a');
    this.write(0, { kind: 'file-version' }, now);
  }

  write(step: number, content: EventContent, wallTimeMs = Date.now()): void {
    if (this.fd === null) throw new Error(`The event file ${this.file} is closed.`);
    const record = tfRecord(encodeEvent(wallTimeMs / 1000, step, content));
    try {
      writeSync(this.fd, record);
    } catch (err) {
      // Node's error for a write to a descriptor names no file (ENOSPC: "no space left on device, write").
      throw isFileSystemError(err) ? fileSystemError(err, this.file, 'write') : err;
    }
  }

  scalars(step: number, values: Record<string, number>, wallTimeMs?: number): void {
    const finite = Object.fromEntries(Object.entries(values).filter(([, v]) => Number.isFinite(v)));
    if (Object.keys(finite).length > 0) this.write(step, { kind: 'scalars', values: finite }, wallTimeMs);
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
