/**
 * Problems the user can fix (a wrong name, a bad path, a conflicting flag).
 * The CLI prints `message` as one sentence and exits non-zero without a
 * stack trace; `code` lets library callers branch without parsing text.
 */
export type ImgclassErrorCode =
  | 'UNKNOWN_MODEL'
  | 'SIZE_TOO_SMALL'
  | 'INVALID_OPTION'
  | 'NOT_A_RUN'
  | 'MODEL_FILE'
  | 'CHECKPOINT'
  | 'RESUME_CONFLICT'
  | 'NO_IMAGES'
  | 'NAN_LOSS'
  /** A file or folder could not be read, written or created (permission, full disk, read-only...). */
  | 'FILE_SYSTEM'
  /** Another process owns the run folder (its run.lock). */
  | 'RUN_IN_USE'
  /** An MPI job could not start or a rank failed (--distributed). */
  | 'DISTRIBUTED';

export class ImgclassError extends Error {
  readonly code: ImgclassErrorCode;

  constructor(code: ImgclassErrorCode, message: string) {
    super(message);
    this.name = 'ImgclassError';
    this.code = code;
  }
}
