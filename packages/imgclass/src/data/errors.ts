/**
 * Fatal dataset problems. The CLI prints `message` (one sentence) and exits
 * non-zero; `code` lets callers branch without parsing text.
 */
export type DatasetErrorCode =
  /** The package's own native addon (JPEG decoding, batch resampling) is missing or cannot load. */
  | 'NATIVE_ADDON'
  | 'PATH_NOT_FOUND'
  | 'NOT_A_DIRECTORY'
  | 'NO_USABLE_IMAGES'
  | 'SINGLE_CLASS'
  | 'CLASS_MISMATCH'
  | 'INVALID_OPTION'
  | 'IMAGE_UNREADABLE'
  | 'CACHE_ERROR';

export class DatasetError extends Error {
  readonly code: DatasetErrorCode;

  constructor(code: DatasetErrorCode, message: string) {
    super(message);
    this.name = 'DatasetError';
    this.code = code;
  }
}

/** One image that cannot be used; loaders catch it and skip the file, single-image prediction lets it through. */
export class ImageDecodeError extends DatasetError {
  readonly reason: string;
  readonly file: string | undefined;

  constructor(reason: string, file?: string) {
    super('IMAGE_UNREADABLE', file ? `Cannot use image '${file}': ${reason}.` : `Cannot use image: ${reason}.`);
    this.name = 'ImageDecodeError';
    this.reason = reason;
    this.file = file;
  }
}
