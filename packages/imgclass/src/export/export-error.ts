import { ImgclassError } from '../errors';

/** Why an export was refused; `reason` lets library callers branch without parsing the message. */
export type ExportFailure = 'UNSUPPORTED_LAYER' | 'CHECK_FAILED' | 'CHECK_UNAVAILABLE' | 'OUTPUT_EXISTS';

/**
 * An export problem the user can act on. It is an ImgclassError (code
 * 'MODEL_FILE', or 'INVALID_OPTION' for an existing output) so the CLI prints
 * it as one sentence instead of as a bug.
 */
export class ExportError extends ImgclassError {
  readonly reason: ExportFailure;

  constructor(reason: ExportFailure, message: string) {
    super(reason === 'OUTPUT_EXISTS' ? 'INVALID_OPTION' : 'MODEL_FILE', message);
    this.name = 'ExportError';
    this.reason = reason;
  }
}

/** The error for a layer a format cannot express: names the layer, its class and what is supported. */
export function unsupportedLayer(format: string, layerName: string, className: string, detail: string): ExportError {
  return new ExportError('UNSUPPORTED_LAYER', `Cannot export to ${format}: layer '${layerName}' (${className}) ${detail}.`);
}
