export { predict } from './predict';
export type { ClassProbability, Prediction, PredictOptions } from './predict';
export { expandInputs, globToRegExp } from './expand-inputs';
export { formatPredictionCsv, formatPredictionTable, formatSingle } from './format';
export { predictBatchProbabilities, TTA_CROP_FRACTION, TTA_DESCRIPTION, TTA_VIEWS, ttaViews } from './test-time-augmentation';
export type { TtaMode } from './test-time-augmentation';
export type { BatchProbabilities } from './test-time-augmentation';
