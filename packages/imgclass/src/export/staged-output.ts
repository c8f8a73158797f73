import { randomBytes } from 'node:crypto';
import { readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../io/atomic-file';
import { makeDir } from '../io/make-dir';
import { ExportError } from './export-error';

/** Refuses to replace something that exists unless `force`; a folder is never replaced by a file. */
async function checkTarget(target: string, kind: 'file' | 'folder', force: boolean): Promise<boolean> {
  const info = await stat(target).catch(() => undefined);
  if (!info) return false;
  if (kind === 'file' && info.isDirectory()) {
    throw new ExportError('OUTPUT_EXISTS', `'${target}' is a folder; give the path of the .onnx file to write.`);
  }
  if (kind === 'folder' && !info.isDirectory()) {
    throw new ExportError('OUTPUT_EXISTS', `'${target}' exists and is not a folder; choose another --out.`);
  }
  const empty = info.isDirectory() && (await readdir(target)).length === 0;
  if (!empty && !force) {
    throw new ExportError('OUTPUT_EXISTS', `'${target}' already exists; choose another --out or pass --force to replace it.`);
  }
  return true;
}

/** Checks early (before any slow conversion) that the output may be written. */
export async function assertWritable(target: string, kind: 'file' | 'folder', force: boolean): Promise<void> {
  await checkTarget(path.resolve(target), kind, force);
}

/** Writes a file whole or not at all (temporary file + rename). */
export async function writeOutputFile(target: string, bytes: Uint8Array, force: boolean): Promise<void> {
  const file = path.resolve(target);
  await checkTarget(file, 'file', force);
  await makeDir(path.dirname(file));
  await writeFileAtomic(file, bytes);
}

/**
 * Fills a temporary sibling folder and renames it into place, so a failure
 * half-way (unsupported layer, full disk) leaves no partial export behind and
 * a replaced export (--force) is swapped, not mixed with the new one.
 */
export async function writeOutputFolder(target: string, force: boolean, fill: (dir: string) => Promise<void>): Promise<void> {
  const dir = path.resolve(target);
  const exists = await checkTarget(dir, 'folder', force);
  await makeDir(path.dirname(dir));
  const suffix = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const staging = path.join(path.dirname(dir), `.${path.basename(dir)}.tmp-${suffix}`);
  await makeDir(staging);
  try {
    await fill(staging);
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw err;
  }
  if (!exists) {
    await rename(staging, dir);
    return;
  }
  const old = path.join(path.dirname(dir), `.${path.basename(dir)}.old-${suffix}`);
  await rename(dir, old);
  await rename(staging, dir);
  await rm(old, { recursive: true, force: true });
}
