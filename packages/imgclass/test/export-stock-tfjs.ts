// Runs an exported TensorFlow.js model in a child Node process that loads nothing but stock
// @tensorflow/tfjs (CPU backend) and the export's own files, served over HTTP as a browser would get them.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from './export-fixtures';

const CHILD = String.raw`
const tf = require('@tensorflow/tfjs');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const [dir, inputFile, shapeJson] = process.argv.slice(1);
(async () => {
  await tf.setBackend('cpu');
  const server = http.createServer((req, res) => {
    const file = path.join(dir, decodeURIComponent(new URL(req.url, 'http://localhost').pathname));
    fs.readFile(file, (err, data) => { res.statusCode = err ? 404 : 200; res.end(err ? '' : data); });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const meta = JSON.parse(fs.readFileSync(path.join(dir, 'metadata.json'), 'utf8'));
  for (const script of meta.customLayerScripts) require(path.join(dir, script))(tf);
  const model = await tf.loadLayersModel('http://127.0.0.1:' + server.address().port + '/model.json');
  server.close();
  const bytes = fs.readFileSync(inputFile);
  const x = tf.tensor4d(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4), JSON.parse(shapeJson));
  const probabilities = Array.from(model.predict(x).dataSync());
  const last = model.layers[model.layers.length - 1];
  const features = tf.model({ inputs: model.inputs, outputs: last.input });
  const [kernel, bias] = last.getWeights();
  const logits = Array.from(tf.add(tf.matMul(features.predict(x), kernel), bias).dataSync());
  process.stdout.write(JSON.stringify({ backend: tf.getBackend(), tfjs: tf.version.tfjs, probabilities, logits }));
})().catch((err) => { process.stderr.write(String(err && err.stack || err)); process.exit(1); });
`;

export interface StockTfjsOutputs {
  backend: string;
  tfjs: string;
  probabilities: number[];
  logits: number[];
}

/** Predicts `data` (NHWC float32) with the export in `dir`, in a process that has never loaded imgclass. */
export async function predictWithStockTfjs(dir: string, data: Float32Array, shape: number[]): Promise<StockTfjsOutputs> {
  const inputFile = path.join(tempDir(), 'input.f32');
  writeFileSync(inputFile, data);
  const packageDir = path.resolve(__dirname, '..');
  const child = spawn(process.execPath, ['-e', CHILD, dir, inputFile, JSON.stringify(shape)], { cwd: packageDir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`stock tfjs failed (exit ${code}): ${stderr}`);
  return JSON.parse(stdout) as StockTfjsOutputs;
}
