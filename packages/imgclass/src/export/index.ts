/**
 * Taking models elsewhere: TensorFlow.js layers format, a static web demo,
 * ONNX (checked with onnxruntime before it is written). Bringing in
 * TensorFlow.js models imgclass did not make is in ../trained-network.
 */
export { exportModel, EXPORT_FORMATS } from './export-model';
export type { ExportFormat, ExportOptions, ExportResult } from './export-model';
export { exportTfjs, writeTfjsModel, METADATA_JSON } from './tfjs-export';
export type { TfjsExportOptions, TfjsExportResult } from './tfjs-export';
export { exportWeb } from './web-export';
export type { WebExportOptions, WebExportResult } from './web-export';
export { exportOnnx } from './onnx-export';
export type { OnnxExportOptions, OnnxExportResult } from './onnx-export';
export { tfjsToOnnxGraph, ONNX_LAYER_CONVERTERS, ONNX_INPUT, ONNX_LOGITS, ONNX_PROBABILITIES } from './onnx-convert';
export { encodeOnnxModel, ONNX_OPSET } from './onnx-encode';
export type { RoundTripCheck } from './onnx-verify';
export { describePreprocessing } from './export-metadata';
export type { ExportMetadata } from './export-metadata';
export { ExportError } from './export-error';
export type { ExportFailure } from './export-error';
export { classifierOutputs } from './classifier-outputs';
export type { ClassifierOutputs } from './classifier-outputs';
