import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { HttpError } from './http-utils';

/** Run folder names the server accepts: no separators, no leading dot, so never '..' or hidden. */
const RUN_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

export function isRunName(name: string): boolean {
  return RUN_NAME.test(name);
}

/** `<root>/<name>` for a valid run name; anything else is 404, as if no such run existed. */
export function runDirFor(runsRoot: string, name: string): string {
  if (!isRunName(name)) throw new HttpError(404, ''); // the server says which path was not found
  return path.join(runsRoot, name);
}

/**
 * A path given in a request, resolved inside `root`: relative, no '..' or
 * hidden segments, and after following symbolic links still inside `root`.
 * Throws 404 otherwise (and when it does not exist), so probing tells nothing.
 */
export async function resolveInside(root: string, relative: string): Promise<string> {
  const notFound = new HttpError(404, ''); // the server says which path was not found
  if (relative.includes('\0') || path.isAbsolute(relative) || /^[a-zA-Z]:/.test(relative)) throw notFound;
  const segments = relative.split(/[\\/]+/).filter((s) => s !== '');
  if (segments.length === 0 || segments.some((s) => s.startsWith('.'))) throw notFound;
  try {
    const realRoot = await realpath(root);
    const real = await realpath(path.join(realRoot, ...segments));
    if (real !== realRoot && !real.startsWith(realRoot + path.sep)) throw notFound;
    return real;
  } catch {
    throw notFound;
  }
}
