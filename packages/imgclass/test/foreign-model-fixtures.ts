// Shared by the tests of models imgclass did not make (import, predict, train --init-from).
import * as tf from '@tensorflow/tfjs';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from './imgclass-fixtures';

/**
 * A small Keras-style network saved the way tfjs-converter saves one: a
 * plain layers-model model.json (no imgclass metadata) with two weight
 * shards, ending in raw scores (no softmax).
 */
export async function saveForeignModel(classes = 2): Promise<string> {
  const model = tf.sequential({
    name: 'keras_net',
    layers: [
      tf.layers.conv2d({ inputShape: [24, 24, 3], filters: 4, kernelSize: 3, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 16, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
      tf.layers.dense({ units: classes, name: 'scores', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
    ],
  });
  const dir = tempDir();
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const data = Buffer.from(artifacts.weightData as ArrayBuffer);
      const half = Math.floor(data.length / 2);
      writeFileSync(path.join(dir, 'group1-shard1of2.bin'), data.subarray(0, half));
      writeFileSync(path.join(dir, 'group1-shard2of2.bin'), data.subarray(half));
      const json = {
        format: 'layers-model',
        generatedBy: 'keras v2.15.0',
        convertedBy: 'TensorFlow.js Converter v4.22.0',
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'], weights: artifacts.weightSpecs }],
      };
      writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  model.dispose();
  return dir;
}
