import { readFileSync } from 'node:fs';
import path from 'node:path';

function packageVersion(file: string): string {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** From package.json at run time: the same path works from src/ (tsx) and dist/ (compiled). */
export const IMGCLASS_VERSION = packageVersion(path.join(__dirname, '..', 'package.json'));

/** Version of an installed package, looked up the way Node resolves it from here. */
export function dependencyVersion(name: string): string {
  try {
    return packageVersion(require.resolve(`${name}/package.json`));
  } catch {
    return 'not installed';
  }
}
