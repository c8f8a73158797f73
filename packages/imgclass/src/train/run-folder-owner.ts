import { readdir, rm, rmdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import { ImgclassError } from '../errors';
import { isTemporaryName } from '../io/atomic-file';
import { withFileContext } from '../io/fs-errors';
import { makeDir } from '../io/make-dir';
import { lockRunFolder, RUN_LOCK, RunLock } from '../io/run-lock';
import { CHECKPOINT_DIR } from '../trained-network/checkpoint';
import { CLASSES_JSON, CONFIG_JSON, isRunFolder, MODEL_DIR } from '../trained-network/run-folder';

/*
 * Taking ownership of a run folder before training in it: the lock (one
 * process per folder, see io/run-lock.ts), then the checks and clean-up only
 * the owner may do. Kept apart from run-folder.ts, which only reads and writes
 * the folder's files.
 */

export interface OwnedRunFolder {
  /** Gives the folder up: removes the lock (and the folder itself if this call created it and nothing was written). */
  release(): Promise<void>;
}

/** The lock file and the temporary names of its creation, which are no part of the run. */
function isLockFile(name: string): boolean {
  return name === RUN_LOCK || name.startsWith(`${RUN_LOCK}.`);
}

/**
 * A new run: creates `runDir` (and its parents), locks it, and refuses it unless
 * it is empty. Under the lock the check cannot race another `train --out` of the
 * same folder. `overwrite` empties an existing run folder instead (never a
 * folder that is not a run, so a mistyped --out cannot wipe a home folder).
 */
export async function claimNewRunFolder(runDir: string, overwrite: boolean, onWarning: (m: string) => void): Promise<OwnedRunFolder> {
  const created = await makeDir(runDir);
  const lock = await lockRunFolder(runDir, onWarning);
  try {
    const entries = (await withFileContext(runDir, 'list the folder', () => readdir(runDir))).filter((n) => !isLockFile(n));
    if (entries.length > 0) {
      if (!overwrite) {
        throw new ImgclassError(
          'INVALID_OPTION',
          `The run folder '${runDir}' already exists and is not empty; continue it with --resume ${runDir}, replace it with --overwrite, or choose another --out.`,
        );
      }
      if (!(await isRunFolder(runDir))) {
        throw new ImgclassError('INVALID_OPTION', `--overwrite replaces only run folders, and '${runDir}' has no ${CONFIG_JSON}; choose another --out.`);
      }
      onWarning(`--overwrite: deleting the previous run in '${runDir}'.`);
      for (const name of entries) await withFileContext(path.join(runDir, name), 'delete', () => rm(path.join(runDir, name), { recursive: true, force: true }));
    }
  } catch (err) {
    await lock.release();
    throw err;
  }
  return { release: () => releaseNew(lock, runDir, created) };
}

async function releaseNew(lock: RunLock, runDir: string, created: boolean): Promise<void> {
  await lock.release();
  // Failed before writing anything (e.g. no pictures): leave no empty folder behind. rmdir refuses a non-empty one.
  if (created) await rmdir(runDir).catch(() => undefined);
}

/**
 * An existing run (resume): locks it and deletes the temporary files of
 * writes a killed process never finished (a checkpoint's worth each).
 */
export async function claimExistingRunFolder(runDir: string, onWarning: (m: string) => void): Promise<OwnedRunFolder> {
  const lock = await lockRunFolder(runDir, onWarning);
  try {
    const removed = await removeLeftoverTempFiles(runDir);
    if (removed.length > 0) onWarning(`Deleted ${removed.length} unfinished temporary file(s) left by an interrupted write: ${removed.join(', ')}.`);
  } catch (err) {
    await lock.release();
    throw err;
  }
  return { release: () => lock.release() };
}

/** Removes `.<name>.tmp-<pid>-<random>` files in the run folder, checkpoints/ and model/; returns their paths relative to the run. */
export async function removeLeftoverTempFiles(runDir: string): Promise<string[]> {
  const removed: string[] = [];
  for (const sub of ['.', CHECKPOINT_DIR, MODEL_DIR]) {
    const dir = path.join(runDir, sub);
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names.filter(isTemporaryName)) {
      await withFileContext(path.join(dir, name), 'delete', () => unlink(path.join(dir, name)));
      removed.push(path.join(sub, name));
    }
  }
  return removed;
}

/** `--resume RUN --overwrite`: keeps the run's settings (config.json, classes.json) and deletes its progress. */
export async function clearRunProgress(runDir: string): Promise<void> {
  const keep = new Set([CONFIG_JSON, CLASSES_JSON]);
  for (const name of await readdir(runDir)) {
    if (keep.has(name) || isLockFile(name)) continue;
    await withFileContext(path.join(runDir, name), 'delete', () => rm(path.join(runDir, name), { recursive: true, force: true }));
  }
  await makeDir(path.join(runDir, CHECKPOINT_DIR));
}
