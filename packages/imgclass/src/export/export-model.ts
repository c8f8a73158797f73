import { ImgclassError } from '../errors';
import { Classifier, loadClassifier } from '../trained-network/load-classifier';
import { exportOnnx, OnnxExportResult } from './onnx-export';
import { assertWritable } from './staged-output';
import { exportTfjs, TfjsExportResult } from './tfjs-export';
import { exportWeb, WebExportResult } from './web-export';

export type ExportFormat = 'tfjs' | 'web' | 'onnx';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['tfjs', 'web', 'onnx'];

export interface ExportOptions {
  format: ExportFormat;
  /** Folder (tfjs, web) or .onnx file. */
  out: string;
  /** Replace an existing output. */
  force?: boolean;
  /** onnx: skip the onnxruntime comparison (for machines without onnxruntime-node). */
  skipCheck?: boolean;
}

export type ExportResult =
  | ({ format: 'tfjs' } & TfjsExportResult)
  | ({ format: 'web' } & WebExportResult)
  | ({ format: 'onnx' } & OnnxExportResult);

/**
 * Exports a run folder, model folder, model.json or loaded classifier:
 *   await exportModel('runs/cats', { format: 'onnx', out: 'cats.onnx' })
 */
export async function exportModel(source: Classifier | string, options: ExportOptions): Promise<ExportResult> {
  if (!EXPORT_FORMATS.includes(options.format)) {
    throw new ImgclassError('INVALID_OPTION', `Unknown export format '${options.format}'; choose ${EXPORT_FORMATS.join(', ')}.`);
  }
  // Checked before the (possibly slow) model load: an existing output is the most common mistake.
  await assertWritable(options.out, options.format === 'onnx' ? 'file' : 'folder', options.force ?? false);
  const own = typeof source === 'string';
  const c = own ? await loadClassifier(source) : source;
  try {
    const common = { out: options.out, force: options.force };
    switch (options.format) {
      case 'tfjs':
        return { format: 'tfjs', ...(await exportTfjs(c, common)) };
      case 'web':
        return { format: 'web', ...(await exportWeb(c, common)) };
      case 'onnx':
        return { format: 'onnx', ...(await exportOnnx(c, { ...common, check: !options.skipCheck })) };
      default:
        throw new ImgclassError('INVALID_OPTION', `Unknown export format '${String(options.format)}'.`);
    }
  } finally {
    if (own) c.model.dispose();
  }
}
