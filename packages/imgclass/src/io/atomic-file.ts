import { copyFile, link, open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';

/**
 * Replaces `file` so that a reader (or a resume after kill -9 or a power cut)
 * sees the old content or the new, never a torn write: write a temporary
 * file in the same folder, fsync it, rename it over the target, fsync the
 * folder so the rename itself is durable. Takes chunks so a large checkpoint
 * is never concatenated in memory.
 */
export async function writeFileAtomic(file: string, chunks: string | Uint8Array | readonly Uint8Array[]): Promise<void> {
  const parts = typeof chunks === 'string' ? [Buffer.from(chunks)] : chunks instanceof Uint8Array ? [chunks] : chunks;
  const temp = temporaryName(file);
  const handle = await open(temp, 'w');
  try {
    for (const part of parts) await handle.write(part);
    await handle.sync();
  } catch (err) {
    await handle.close();
    await unlink(temp).catch(() => undefined);
    throw err;
  }
  await handle.close();
  await rename(temp, file);
  await syncDirectory(path.dirname(file));
}

/**
 * Makes `file` a second name of the complete file `existing` (same folder), atomically: a hard link
 * under a temporary name renamed over `file`. Where hard links are refused, a copy takes its place.
 */
export async function linkFileAtomic(existing: string, file: string): Promise<void> {
  const temp = temporaryName(file);
  try {
    await link(existing, temp);
  } catch {
    await copyFile(existing, temp);
    const handle = await open(temp, 'r+');
    await handle.sync().finally(() => handle.close());
  }
  await rename(temp, file);
  await syncDirectory(path.dirname(file));
}

/** Unique per call: two writers of the same file in one process (e.g. the pixel cache) must not share a temp file. */
function temporaryName(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`);
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch {
    // Some file systems refuse fsync on directories; the rename is still atomic there.
  } finally {
    await handle.close();
  }
}
