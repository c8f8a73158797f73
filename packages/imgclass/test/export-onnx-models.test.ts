import * as ort from 'onnxruntime-node';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { classifierOutputs, maxAbsDifference } from '../src/export/classifier-outputs';
import { exportOnnx } from '../src/export/onnx-export';
import { modelProtoType } from '../src/export/onnx-schema';
import type { Classifier } from '../src/trained-network/load-classifier';
import { HAVE_PICTURES, NO_PICTURES_REASON, pictures, preprocessedBatch, SEEDED_MODELS, seededClassifier, tempDir, trainedLenet5 } from './export-fixtures';

const TOLERANCE = 1e-4;

/** Exports `c` to ONNX, runs onnxruntime on 100 real pictures and compares with imgclass. */
async function roundTrip(c: Classifier, label: string) {
  const file = path.join(tempDir(), `${label}.onnx`);
  const result = await exportOnnx(c, { out: file });
  assert.ok(result.check?.passed, 'the export checked itself');
  const batch = await preprocessedBatch(pictures('test', 100), c);
  const input = tf.tensor4d(batch.data, batch.shape);
  const reference = await classifierOutputs(c.model, input);
  input.dispose();
  const session = await ort.InferenceSession.create(file);
  const out = await session.run({ input: new ort.Tensor('float32', batch.data, batch.shape) });
  await session.release();
  assert.ok(reference.logits, 'the built-in models end in softmax, so logits are compared');
  const logitDiff = maxAbsDifference(reference.logits, out.logits.data as Float32Array);
  const probabilityDiff = maxAbsDifference(reference.probabilities, out.probabilities.data as Float32Array);
  const scale = reference.logits.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  console.log(`${label}: 100 pictures, max |Δ logit| ${logitDiff.toExponential(2)} (|logits| up to ${scale.toFixed(2)}), max |Δ p| ${probabilityDiff.toExponential(2)}`);
  assert.ok(logitDiff < TOLERANCE, `${label}: logits differ by ${logitDiff}`);
  assert.ok(probabilityDiff < TOLERANCE, `${label}: probabilities differ by ${probabilityDiff}`);
  return file;
}

describe('ONNX export of every built-in model, checked with onnxruntime-node on 100 real pictures', { skip: HAVE_PICTURES ? false : NO_PICTURES_REASON }, () => {
  test('lenet5, briefly trained', async () => {
    const c = await trainedLenet5();
    const file = await roundTrip(c, 'lenet5-trained');
    // The preprocessing travels in metadata_props.
    const decoded = modelProtoType().toObject(modelProtoType().decode(await readFile(file))) as {
      metadata_props: { key: string; value: string }[];
      opset_import: { version: number }[];
    };
    const props = Object.fromEntries(decoded.metadata_props.map((p) => [p.key, p.value]));
    assert.deepEqual(JSON.parse(props['preprocessing.config']), c.preprocessing);
    assert.deepEqual(JSON.parse(props.classes), ['cat', 'dog']);
    assert.equal(props['preprocessing.resize_mode'], 'stretch');
    assert.match(props.preprocessing, /per_image_standardization/);
    assert.equal(Number(decoded.opset_import[0].version), 13);
    c.model.dispose();
  });

  for (const spec of SEEDED_MODELS) {
    test(`${spec.name}${spec.lrn ? ' with LRN' : ''} at ${spec.size}×${spec.size}, seeded untrained weights`, async () => {
      const c = seededClassifier(spec.name, spec.size, { lrn: spec.lrn });
      await roundTrip(c, `${spec.name}${spec.lrn ? '-lrn' : ''}-${spec.size}`);
      c.model.dispose();
    });
  }
});
