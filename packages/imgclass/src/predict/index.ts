export { predict } from './predict';
export type { ClassProbability, Prediction, PredictOptions } from './predict';
export { loadClassifier } from '../trained-network/load-classifier';
export type { Classifier } from '../trained-network/load-classifier';
export { expandInputs, globToRegExp } from './expand-inputs';
export { formatPredictionCsv, formatPredictionTable, formatSingle } from './format';
export { predictBatchProbabilities, TTA_DESCRIPTION } from './test-time-augmentation';
export type { BatchProbabilities } from './test-time-augmentation';
