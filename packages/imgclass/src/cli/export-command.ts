import { exportModel, EXPORT_FORMATS, ExportResult } from '../export/export-model';
import { loadForeignModel } from '../trained-network/foreign-model';
import { FOREIGN_MODEL_OPTIONS, foreignModelOptions } from './foreign-model-flags';
import { humanCount } from '../format/numbers';
import { choiceOpt, CommandSpec, stringOpt, UsageError } from './command';

export const exportCommand: CommandSpec = {
  name: 'export',
  summary: 'Write a model for other runtimes: TensorFlow.js, a static web page, or ONNX',
  usage: ['export <run-or-model> --format tfjs|web|onnx --out <path> [--force]'],
  description:
    'tfjs: a folder with model.json, weight shards and metadata.json (classes, input size, preprocessing) that stock\n' +
    '      TensorFlow.js loads with tf.loadLayersModel; imgclass-layers.js is added for models with LRN layers.\n' +
    'web:  a static folder (index.html, the model, tf.min.js; no CDN) that classifies a dropped picture in the browser.\n' +
    "onnx: one .onnx file (opset 13; input 'input' NHWC float32, outputs 'probabilities' and 'logits'), preprocessing\n" +
    '      in its metadata_props. It is run with onnxruntime-node and compared with imgclass first; a model that\n' +
    '      disagrees is not written.\n' +
    'Nothing is left half-written: a failed export leaves no output. A model imgclass did not make can be exported\n' +
    'too when its preprocessing is given (--normalization ...).',
  options: {
    format: { type: 'string', value: 'F', description: `${EXPORT_FORMATS.join(', ')}.` },
    out: { type: 'string', value: 'PATH', description: 'Folder to write (tfjs, web) or .onnx file (onnx).' },
    force: { type: 'boolean', description: 'Replace the output if it exists.' },
    'skip-check': { type: 'boolean', description: 'onnx: do not compare with onnxruntime-node (when it is not installed).' },
    ...FOREIGN_MODEL_OPTIONS,
  },
  examples: [
    'imgclass export runs/cats --format web --out cats-web/',
    'imgclass export runs/cats --format tfjs --out cats-tfjs/',
    'imgclass export runs/cats --format onnx --out cats.onnx',
  ],
  positionals: { min: 1, max: 1 },
  async run({ positionals: [source], values, out }) {
    const format = choiceOpt(values, 'format', EXPORT_FORMATS);
    const target = stringOpt(values, 'out');
    if (!format) throw new UsageError(`Give --format (${EXPORT_FORMATS.join(', ')}).`);
    if (!target) throw new UsageError(`Give --out, the ${format === 'onnx' ? '.onnx file' : 'folder'} to write.`);
    const foreign = foreignModelOptions(values);
    const classifier = foreign ? await loadForeignModel(source, foreign) : source;
    if (foreign && typeof classifier !== 'string' && 'appendedSoftmax' in classifier && classifier.appendedSoftmax) {
      out.err('note: the network outputs raw scores; the export appends a softmax so it outputs probabilities.');
    }
    try {
      const result = await exportModel(classifier, {
        format,
        out: target,
        force: Boolean(values.force),
        skipCheck: Boolean(values['skip-check']),
      });
      out.out(describeResult(result));
    } finally {
      if (typeof classifier !== 'string') classifier.model.dispose();
    }
    return 0;
  },
};

function describeResult(r: ExportResult): string {
  switch (r.format) {
    case 'tfjs':
      return [
        `Wrote a TensorFlow.js layers model to ${r.dir}/ (${r.files.join(', ')}; ${`${humanCount(r.weightBytes)}B`} of weights).`,
        r.customLayerScripts.length > 0
          ? `Load ${r.customLayerScripts.join(', ')} after TensorFlow.js, then tf.loadLayersModel('.../model.json').`
          : "Load it with tf.loadLayersModel('.../model.json'); metadata.json has the classes and preprocessing.",
      ].join('\n');
    case 'web':
      return [
        `Wrote the web demo to ${r.dir}/ (TensorFlow.js ${r.tfjsVersion} included).`,
        `Serve that folder over HTTP (e.g. 'python3 -m http.server' in it) and open it; drop a picture on the page.`,
      ].join('\n');
    case 'onnx': {
      const check = r.check
        ? `Checked with ${r.check.runtime} on ${r.check.pictures} test pictures: max difference ${r.check.maxLogitDifference?.toExponential(1) ?? 'n/a'} in logits, ${r.check.maxProbabilityDifference.toExponential(1)} in probabilities.`
        : 'Not checked with onnxruntime (--skip-check).';
      return `Wrote ${r.file} (${`${humanCount(r.bytes)}B`}, ${r.nodes} nodes, opset 13; preprocessing in metadata_props).\n${check}`;
    }
  }
}
