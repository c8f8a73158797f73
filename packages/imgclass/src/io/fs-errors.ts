import { ImgclassError } from '../errors';

/** Why a system call on a file failed, in words a user can act on. */
const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'the operation is not permitted there',
  ENOTDIR: 'a part of that path is a file, not a folder',
  EISDIR: 'it is a folder, not a file',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exceeded',
  EFBIG: 'the file is too large for the file system',
  EEXIST: 'it already exists',
  ENOENT: 'it does not exist',
  ENOTEMPTY: 'the folder is not empty',
  ENAMETOOLONG: 'the name is too long',
  ELOOP: 'it has too many levels of symbolic links',
  EMFILE: 'too many files are open',
  ENFILE: 'too many files are open on the system',
  EIO: 'an input/output error (a failing disk or a lost network share?)',
  EBUSY: 'it is busy',
  EXDEV: 'it is on another file system',
  ESTALE: 'the network file handle is stale',
};

/** The verb for a system call, as in "Cannot <verb> 'path'". */
const ACTIONS: Record<string, string> = {
  mkdir: 'create the folder',
  open: 'open',
  write: 'write',
  read: 'read',
  rename: 'rename',
  unlink: 'delete',
  rmdir: 'delete the folder',
  rm: 'delete',
  scandir: 'list the folder',
  stat: 'read',
  lstat: 'read',
  fsync: 'save',
  copyfile: 'copy',
  link: 'link',
  mkdtemp: 'create a temporary folder in',
  realpath: 'find',
  access: 'access',
  close: 'close',
};

/** A Node.js file-system error (it has an errno code and a system call), as opposed to a bug. */
export function isFileSystemError(err: unknown): err is NodeJS.ErrnoException {
  const e = err as NodeJS.ErrnoException | undefined;
  return e instanceof Error && typeof e.code === 'string' && e.code in REASONS && typeof e.syscall === 'string';
}

export function fileSystemReason(code: string | undefined): string {
  return (code && REASONS[code]) ?? `the system said ${code ?? 'no'}`;
}

/**
 * One sentence naming the file and the reason. `file` is needed where Node's
 * error has no path (a `write` to an open file: ENOSPC names nothing).
 */
export function fileSystemError(err: NodeJS.ErrnoException, file?: string, action?: string): ImgclassError {
  const target = file ?? err.path ?? (err as { dest?: string }).dest;
  const verb = action ?? ACTIONS[err.syscall ?? ''] ?? err.syscall ?? 'use';
  const where = target ? ` '${target}'` : '';
  return new ImgclassError('FILE_SYSTEM', `Cannot ${verb}${where}: ${fileSystemReason(err.code)}.`);
}

/** Runs `work` and turns a file-system error into one naming `file` (so "no space left" says where). */
export async function withFileContext<T>(file: string, action: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (isFileSystemError(err)) throw fileSystemError(err, file, action);
    throw err;
  }
}
