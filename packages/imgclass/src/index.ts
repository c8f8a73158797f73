/**
 * imgclass: the seed's image-classification pipeline as a library.
 *
 *   import { loadImageFolder, lenet5, train, evaluate, predict } from 'imgclass';
 *   const result = await train({ train: 'data/train', test: 'data/test', model: 'lenet5', epochs: 10, out: 'runs/cats' });
 *   const report = await evaluate(result.runDir, 'data/test');
 *   const [p] = await predict(result.runDir, 'cat.jpg'); // p.top[0] = { className: 'cat', probability: 0.97 }
 *
 * Importing it registers the oneDNN TensorFlow.js backend (falling back to tfjs' CPU backend if the native addon is missing).
 */
import './backend';

export * from './data';
export * from './models';
export * from './train';
export * from './evaluate';
export * from './predict';
export * from './report';
export * from './web';
export * from './export';
export * from './trained-network';
export { generateDemoSet, DEMO_CLASSES } from './demo/generate-demo-set';
export type { DemoSet, DemoSetOptions } from './demo/generate-demo-set';
export { runDemo } from './demo/run-demo';
export type { DemoOptions, DemoResult } from './demo/run-demo';
export { ImgclassError } from './errors';
export type { ImgclassErrorCode } from './errors';
export { backendInfo } from './backend';
export type { BackendInfo } from './backend';
export { formatSystemInfo, systemInfo } from './system-info';
export type { SystemInfo } from './system-info';
export { runCli } from './cli/main';
export { IMGCLASS_VERSION } from './version';
// Data-parallel training and sharded inference as ranks of an MPI job (see README "Scaling out"):
//   await train(options, { dataParallel: startDataParallel() })
export { startDataParallel } from './distributed/start';
export { DataParallel } from './distributed/data-parallel';
export { predictSharded, predictDatasetSharded } from './evaluate/sharded-inference';
