import { randomBytes } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { link, open, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ImgclassError } from '../errors';
import { fileSystemError, isFileSystemError } from './fs-errors';

/** The lock file inside a run folder; it exists while a process trains in the folder. */
export const RUN_LOCK = 'run.lock';

/** What a lock file holds: enough to tell whether its owner still runs. */
interface LockOwner {
  pid: number;
  host: string;
  /** Linux boot id: a lock written before a reboot is stale whatever its PID. */
  bootId?: string;
  /** The owner's start time in clock ticks since boot (Linux), so a recycled PID is not mistaken for the owner. */
  startTicks?: number;
  since: string;
  command: string;
  /** Tells this lock from another with the same PID (a takeover, a second lock in one process). */
  nonce: string;
}

export interface RunLock {
  readonly file: string;
  /** Removes the lock file (if it is still ours). Also done on process exit, for paths that skip `finally`. */
  release(): Promise<void>;
}

/** Locks held by this process, removed synchronously if it exits without releasing them (process.exit, a second Ctrl-C). */
const held = new Map<string, string>();
let exitHookInstalled = false;

/**
 * Makes this process the only owner of `runDir`: creates `run.lock`
 * atomically (a complete temporary file hard-linked to the name, which fails
 * if the name exists; `wx` where hard links are refused). A lock whose owner
 * is gone (same host, PID dead or recycled, or written before a reboot) is
 * taken over, and `onTakeover` hears about it; a live owner, or one on another
 * host, makes this fail with one sentence naming it (code RUN_IN_USE).
 */
export async function lockRunFolder(runDir: string, onTakeover: (message: string) => void = () => undefined): Promise<RunLock> {
  const file = path.join(runDir, RUN_LOCK);
  const me = currentOwner();
  const text = JSON.stringify(me) + '\n';
  // A few rounds: each either wins, fails on a live owner, or removes a stale lock and tries again.
  for (let round = 0; round < 5; round++) {
    if (await createExclusive(file, text)) {
      installExitHook();
      held.set(file, me.nonce);
      return { file, release: () => releaseLock(file, me.nonce) };
    }
    const found = await readOwner(file);
    if (found === 'vanished') continue; // its owner released it meanwhile
    if (found === 'fresh-unreadable') {
      await sleep(50); // being written by a process that falls back to `wx`: read it again
      continue;
    }
    const owner = found.owner;
    if (owner && ownerMayBeAlive(owner)) throw inUse(runDir, file, owner);
    if (await removeStaleLock(file, found.text)) {
      onTakeover(
        owner
          ? `The run folder '${runDir}' was locked by process ${owner.pid} on ${owner.host}, which no longer runs; taking it over.`
          : `The run folder '${runDir}' had an unreadable lock file older than a minute; taking it over.`,
      );
    }
  }
  throw new ImgclassError(
    'RUN_IN_USE',
    `Cannot lock the run folder '${runDir}': its lock file keeps changing hands or cannot be read; if no imgclass process uses the folder, delete ${file}.`,
  );
}

function inUse(runDir: string, file: string, owner: LockOwner): ImgclassError {
  const elsewhere = owner.host !== os.hostname() ? `; if that process is gone, delete ${file}` : '';
  return new ImgclassError(
    'RUN_IN_USE',
    `The run folder '${runDir}' is in use by process ${owner.pid} on ${owner.host} (since ${owner.since}: ${owner.command})${elsewhere}.`,
  );
}

/** True when this process now owns `file`; false when the name already exists. */
async function createExclusive(file: string, text: string): Promise<boolean> {
  const temp = `${file}.${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await writeFile(temp, text, { flag: 'wx' });
    try {
      await link(temp, file);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      if (!isFileSystemError(err) || !['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS'].includes(err.code as string)) throw err;
    }
    // No hard links here (some FUSE and SMB mounts): O_EXCL create, then write. A reader may see it empty for a moment.
    const handle = await open(file, 'wx').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'EEXIST') return null;
      throw err;
    });
    if (!handle) return false;
    await handle.writeFile(text).finally(() => handle.close());
    return true;
  } catch (err) {
    if (isFileSystemError(err)) throw fileSystemError(err, file, 'create the lock file');
    throw err;
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

/** A lock file's content: its owner, or null when it is torn or foreign and old enough to be stale. */
type FoundLock = { owner: LockOwner | null; text: string } | 'vanished' | 'fresh-unreadable';

async function readOwner(file: string): Promise<FoundLock> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'vanished';
    throw isFileSystemError(err) ? fileSystemError(err, file, 'read the lock file') : err;
  }
  try {
    const owner = JSON.parse(text) as LockOwner;
    if (Number.isInteger(owner.pid) && typeof owner.host === 'string') return { owner, text };
  } catch {
    // fall through: torn or foreign content
  }
  const age = await stat(file).then((s) => Date.now() - s.mtimeMs, () => 0);
  return age > 60_000 ? { owner: null, text } : 'fresh-unreadable';
}

/** Alive, or not provably dead: another host's process cannot be checked from here. */
function ownerMayBeAlive(owner: LockOwner): boolean {
  if (owner.host !== os.hostname()) return true;
  const bootId = readBootId();
  if (owner.bootId && bootId && owner.bootId !== bootId) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false; // ESRCH: no such process
  }
  if (isZombie(owner.pid)) return false; // exited, not yet reaped (an orphan where PID 1 does not reap)
  const startTicks = processStartTicks(owner.pid);
  return owner.startTicks === undefined || startTicks === undefined || startTicks === owner.startTicks;
}

/**
 * Deletes a stale lock, unless another process replaced it meanwhile. Two
 * processes may find the same stale lock; a second lock file (`run.lock.takeover`,
 * created exclusively) lets only one of them delete, after checking that the
 * lock still holds what it read. True when this call removed it.
 */
async function removeStaleLock(file: string, staleText: string): Promise<boolean> {
  const breaker = `${file}.takeover`;
  const me = currentOwner();
  if (!(await createExclusive(breaker, JSON.stringify(me) + '\n'))) {
    const other = await readOwner(breaker);
    if (typeof other === 'object' && (other.owner === null || !ownerMayBeAlive(other.owner))) {
      await unlink(breaker).catch(() => undefined); // its taker died mid-takeover
    } else {
      await sleep(50);
    }
    return false;
  }
  try {
    const now = await readFile(file, 'utf8').catch(() => null);
    if (now !== staleText) return false;
    await unlink(file);
    return true;
  } finally {
    await unlink(breaker).catch(() => undefined);
  }
}

async function releaseLock(file: string, nonce: string): Promise<void> {
  if (held.get(file) !== nonce) return;
  held.delete(file);
  const text = await readFile(file, 'utf8').catch(() => '');
  if (text.includes(`"nonce":"${nonce}"`)) await unlink(file).catch(() => undefined);
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const [file, nonce] of held) {
      try {
        if (readFileSync(file, 'utf8').includes(`"nonce":"${nonce}"`)) unlinkSync(file);
      } catch {
        // already gone
      }
    }
  });
}

function currentOwner(): LockOwner {
  return {
    pid: process.pid,
    host: os.hostname(),
    bootId: readBootId(),
    startTicks: processStartTicks(process.pid),
    since: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    command: ['imgclass', ...process.argv.slice(2)].join(' ').slice(0, 300),
    nonce: randomBytes(8).toString('hex'),
  };
}

function readBootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Field 22 of /proc/PID/stat (start time); the fields after the command name, which may hold spaces, start at 3. */
function processStartTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[22 - 3]);
    return Number.isFinite(ticks) ? ticks : undefined;
  } catch {
    return undefined;
  }
}

/** Field 3 of /proc/PID/stat is the state; Z: the process has exited. */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
