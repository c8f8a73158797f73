import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { compareNames, IMAGE_EXTENSIONS } from '../data/scan';
import { ImgclassError } from '../errors';

const GLOB_CHARS = /[*?[]/;

/**
 * Files to predict from what the user typed: image files as given, folders
 * searched recursively for image extensions, and quoted glob patterns
 * (`*`, `?`, `[...]`, `**`) for shells that did not expand them.
 */
export async function expandInputs(inputs: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const input of inputs) {
    const info = await stat(input).catch(() => undefined);
    if (info?.isFile()) files.push(input);
    else if (info?.isDirectory()) files.push(...(await imagesUnder(input)));
    else if (GLOB_CHARS.test(input)) files.push(...(await matchGlob(input)));
    else throw new ImgclassError('NO_IMAGES', `'${input}' does not exist.`);
  }
  if (files.length === 0) {
    throw new ImgclassError('NO_IMAGES', `No images were found in ${inputs.map((i) => `'${i}'`).join(', ')}.`);
  }
  return [...new Set(files)];
}

function isImageName(name: string): boolean {
  return IMAGE_EXTENSIONS.has(path.extname(name).toLowerCase()) && !name.startsWith('.');
}

async function imagesUnder(dir: string, depth = 0): Promise<string[]> {
  if (depth > 16) return [];
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => compareNames(a.name, b.name));
  const found: string[] = [];
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory() && !e.name.startsWith('.')) found.push(...(await imagesUnder(full, depth + 1)));
    else if (e.isFile() && isImageName(e.name)) found.push(full);
  }
  return found;
}

async function matchGlob(pattern: string): Promise<string[]> {
  const parts = pattern.split(/[\\/]/);
  const firstGlob = parts.findIndex((p) => GLOB_CHARS.test(p));
  const base = parts.slice(0, firstGlob).join('/') || (pattern.startsWith('/') ? '/' : '.');
  const regex = globToRegExp(parts.slice(firstGlob).join('/'));
  const candidates = await allFilesUnder(base);
  return candidates.filter((f) => regex.test(path.relative(base, f).split(path.sep).join('/')) && isImageName(path.basename(f)));
}

async function allFilesUnder(dir: string, depth = 0): Promise<string[]> {
  if (depth > 16) return [];
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const out: string[] = [];
  for (const e of entries.sort((a, b) => compareNames(a.name, b.name))) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await allFilesUnder(full, depth + 1)));
    else if (e.isFile()) out.push(full);
  }
  return out;
}

/** `**` spans folders, `*` and `?` stay within one name, `[...]` is a character class. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      re += glob[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += glob[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        re += `[${glob.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}
