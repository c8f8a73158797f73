import { mkdirSync, statSync, Stats } from 'node:fs';
import path from 'node:path';
import { ImgclassError } from '../errors';
import { fileSystemReason } from './fs-errors';

/**
 * Creates `dir` and its missing parents; every folder imgclass creates goes
 * through here. It walks the path itself instead of `mkdir(…, {recursive:
 * true})`, which Node retries forever where a parent exists but refuses new
 * entries with ENOENT (/proc/foo/run: the new folder is ENOENT, its parent
 * EEXIST), spinning a core and ignoring Ctrl-C. Here each folder is tried once,
 * so any failure ends at once with one sentence naming the folder and why.
 * Returns true when `dir` itself was created (false: it existed).
 *
 * Synchronous: a handful of stat/mkdir calls, and the TensorBoard writer
 * (synchronous by design) needs the same checks.
 */
export function makeDirSync(dir: string): boolean {
  const target = path.resolve(dir);
  const fail = (why: string) => new ImgclassError('FILE_SYSTEM', `Cannot create the folder '${target}': ${why}.`);
  // Walk up to the nearest folder that exists, remembering the missing ones.
  const missing: string[] = [];
  let current = target;
  for (;;) {
    let info: Stats;
    try {
      info = statSync(current);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // ENOTDIR: an ancestor is a file; walking on up finds it and says so below.
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw fail(`'${current}': ${fileSystemReason(code)}`);
      const parent = path.dirname(current);
      if (parent === current) throw fail(`its root '${current}' does not exist`);
      missing.push(current);
      current = parent;
      continue;
    }
    if (!info.isDirectory()) {
      throw fail(current === target ? 'a file of that name is in the way' : `'${current}' is a file, not a folder`);
    }
    break;
  }
  // Create them top-down, each with a single attempt.
  for (const folder of missing.reverse()) {
    try {
      mkdirSync(folder);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' && isDirectory(folder)) continue; // another process made it meanwhile
      if (code === 'EEXIST') throw fail(`'${folder}' is a file, not a folder`);
      if (code === 'ENOENT') {
        // The parent exists (we just saw or made it), yet refuses the entry: /proc, /sys and similar.
        throw fail(`'${path.dirname(folder)}' does not accept new folders (a virtual file system such as /proc or /sys)`);
      }
      if (code === 'EPERM' && /^\/(proc|sys)(\/|$)/.test(folder)) {
        throw fail(`'${path.dirname(folder)}' does not accept new folders (a virtual file system such as /proc or /sys)`);
      }
      throw fail(fileSystemReason(code));
    }
  }
  return missing.length > 0;
}

/** `makeDirSync` for async callers (same checks; its few system calls do not block for long). */
export async function makeDir(dir: string): Promise<boolean> {
  return makeDirSync(dir);
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
