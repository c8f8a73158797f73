import { formatShape } from '../models/net-builder';
import type { Classifier } from '../trained-network/load-classifier';
import { ExportError } from './export-error';
import { describePreprocessing, onnxMetadataProps } from './export-metadata';
import { tfjsToOnnxGraph } from './onnx-convert';
import { encodeOnnxModel } from './onnx-encode';
import { compareWithOnnx, loadOnnxRuntime, probeBatch, RoundTripCheck } from './onnx-verify';
import { assertWritable, writeOutputFile } from './staged-output';

export interface OnnxExportOptions {
  /** The .onnx file to write. */
  out: string;
  /** Replace an existing file. */
  force?: boolean;
  /** Run the model with onnxruntime-node and compare with imgclass before writing. Default true. */
  check?: boolean;
  /** Seeded random pictures the check runs. Default 4. */
  checkPictures?: number;
}

export interface OnnxExportResult {
  file: string;
  bytes: number;
  nodes: number;
  /** null when the check was skipped. */
  check: RoundTripCheck | null;
}

/**
 * Writes the classifier as an ONNX model (opset 13, NHWC float32 input named
 * 'input', outputs 'probabilities' and 'logits'), with the preprocessing in
 * metadata_props. The model is first run with onnxruntime and compared with
 * imgclass; one that disagrees is not written.
 */
export async function exportOnnx(c: Classifier, options: OnnxExportOptions): Promise<OnnxExportResult> {
  await assertWritable(options.out, 'file', options.force ?? false);
  const converted = tfjsToOnnxGraph(c.model);
  const onnx = encodeOnnxModel(converted, {
    graphName: c.modelName,
    docString: `imgclass ${c.modelName} classifier (${c.classes.join(', ')}). ${describePreprocessing(c.preprocessing)}`,
    metadata: onnxMetadataProps(c),
  });
  let check: RoundTripCheck | null = null;
  if (options.check !== false) {
    const { ort, version } = await loadOnnxRuntime();
    const count = options.checkPictures ?? 4;
    const { width, height } = c.preprocessing;
    const shape: [number, number, number, number] = [count, height, width, 3];
    check = await compareWithOnnx(ort, `onnxruntime-node ${version}`, c.model, onnx, probeBatch(c.preprocessing, count), shape);
    if (!check.passed) {
      throw new ExportError(
        'CHECK_FAILED',
        `The ONNX conversion of ${c.modelName} (${formatShape([null, height, width, 3])}) disagrees with imgclass on ${count} test pictures ` +
          `(max probability difference ${check.maxProbabilityDifference.toExponential(2)}, max logit difference ${check.maxLogitDifference?.toExponential(2) ?? 'n/a'}); '${options.out}' was not written.`,
      );
    }
  }
  await writeOutputFile(options.out, onnx, options.force ?? false);
  return { file: options.out, bytes: onnx.length, nodes: converted.graph.nodes.length, check };
}
