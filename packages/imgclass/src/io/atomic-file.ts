import { constants } from 'node:fs';
import { copyFile, FileHandle, open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { withFileContext } from './fs-errors';

/**
 * Replaces `file` so that a reader (or a resume after kill -9 or a power cut)
 * sees the old content or the new, never a torn write: write a temporary
 * file in the same folder, fsync it, rename it over the target, fsync the
 * folder so the rename itself is durable. Takes chunks so a large checkpoint
 * is never concatenated in memory. A file-system error (a full disk) names
 * `file`, since Node's error for a write names none.
 */
export async function writeFileAtomic(file: string, chunks: string | Uint8Array | readonly Uint8Array[]): Promise<void> {
  const parts = typeof chunks === 'string' ? [Buffer.from(chunks)] : chunks instanceof Uint8Array ? [chunks] : chunks;
  const temp = temporaryName(file);
  await withFileContext(file, 'write', async () => {
    const handle = await open(temp, 'w');
    try {
      for (const part of parts) await writeAll(handle, part);
      await handle.sync();
    } catch (err) {
      await handle.close().catch(() => undefined);
      await unlink(temp).catch(() => undefined);
      throw err;
    }
    await handle.close();
    await rename(temp, file);
  });
  await syncDirectory(path.dirname(file));
}

/**
 * Makes `file` an independent copy of the complete file `existing`, atomically
 * (temporary copy, fsync, rename). The copy is a reflink where the file system
 * has them (btrfs, XFS, APFS: instant, no extra space until either changes) and
 * a plain copy elsewhere; either way damage to one file leaves the other whole,
 * which a hard link (one inode, two names) did not.
 */
export async function copyFileAtomic(existing: string, file: string): Promise<void> {
  const temp = temporaryName(file);
  await withFileContext(file, 'write', async () => {
    try {
      await copyFile(existing, temp, constants.COPYFILE_FICLONE);
      const handle = await open(temp, 'r+');
      await handle.sync().finally(() => handle.close());
      await rename(temp, file);
    } catch (err) {
      await unlink(temp).catch(() => undefined);
      throw err;
    }
  });
  await syncDirectory(path.dirname(file));
}

/**
 * FileHandle.write may write only part of a buffer (a nearly full disk takes
 * what fits and says nothing); keep writing the rest, so the full disk then
 * answers ENOSPC instead of leaving a silently truncated file.
 */
async function writeAll(handle: FileHandle, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.byteLength) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.byteLength - offset);
    if (bytesWritten === 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write' });
    offset += bytesWritten;
  }
}

/** Temporary files of writeFileAtomic/copyFileAtomic: `.<name>.tmp-<pid>-<random>`. */
const TEMPORARY_NAME = /^\..+\.tmp-\d+-[a-z0-9]+$/;

/** True for a name this module gives its temporary files (left behind only by a killed process). */
export function isTemporaryName(name: string): boolean {
  return TEMPORARY_NAME.test(name);
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
