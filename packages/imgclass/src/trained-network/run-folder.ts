import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { ImgclassError } from '../errors';
import { writeFileAtomic } from '../io/atomic-file';
import { makeDir } from '../io/make-dir';
import { RUN_LOCK } from '../io/run-lock';
import { IMGCLASS_VERSION } from '../version';
import { CHECKPOINT_DIR } from './checkpoint';
import type { RunConfig } from './run-config';

export const CONFIG_JSON = 'config.json';
export const CLASSES_JSON = 'classes.json';
/** The final model (model.json + weights.bin) inside a run folder. */
export const MODEL_DIR = 'model';

export interface SavedRunConfig extends RunConfig {
  imgclassVersion: string;
  createdAt: string;
}

/**
 * Creates a run folder; refuses a non-empty one so a finished run is never overwritten by accident.
 * Its lock (run.lock, taken before: see run-folder-owner.ts) does not count.
 */
export async function createRunFolder(runDir: string, config: RunConfig, classes: string[]): Promise<void> {
  const existing = (await readdir(runDir).catch(() => [] as string[])).filter((n) => !n.startsWith(RUN_LOCK));
  if (existing.length > 0) {
    throw new ImgclassError(
      'INVALID_OPTION',
      `The run folder '${runDir}' already exists and is not empty; continue it with --resume ${runDir} or choose another --out.`,
    );
  }
  await makeDir(path.join(runDir, CHECKPOINT_DIR));
  const saved: SavedRunConfig = { imgclassVersion: IMGCLASS_VERSION, createdAt: new Date().toISOString(), ...config };
  await writeFileAtomic(path.join(runDir, CONFIG_JSON), JSON.stringify(saved, null, 2) + '\n');
  await writeFileAtomic(path.join(runDir, CLASSES_JSON), JSON.stringify(classes, null, 2) + '\n');
}

export interface ExistingRun {
  config: SavedRunConfig;
  classes: string[];
}

/** Reads config.json and classes.json, or says plainly that the folder is not a run. */
export async function readRunFolder(runDir: string): Promise<ExistingRun> {
  const notARun = (why: string) =>
    new ImgclassError('NOT_A_RUN', `'${runDir}' is not an imgclass run folder: ${why}.`);
  const info = await stat(runDir).catch(() => undefined);
  if (!info) throw notARun('it does not exist');
  if (!info.isDirectory()) throw notARun('it is not a folder');
  const readJson = async <T>(name: string): Promise<T> => {
    let text: string;
    try {
      text = await readFile(path.join(runDir, name), 'utf8');
    } catch {
      throw notARun(`it has no ${name}`);
    }
    try {
      return JSON.parse(text) as T;
    } catch {
      throw notARun(`its ${name} is not valid JSON`);
    }
  };
  const config = await readJson<SavedRunConfig>(CONFIG_JSON);
  const classes = await readJson<string[]>(CLASSES_JSON);
  if (typeof config.model !== 'string' || !Array.isArray(classes)) throw notARun(`its ${CONFIG_JSON} or ${CLASSES_JSON} is incomplete`);
  return { config, classes };
}

export async function isRunFolder(dir: string): Promise<boolean> {
  return stat(path.join(dir, CONFIG_JSON)).then((s) => s.isFile(), () => false);
}
