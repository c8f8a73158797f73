export { classMetrics, evaluate } from './evaluate';
export type { AugmentedScores, ClassMetrics, ConfidentMistake, EvaluateOptions, EvaluationResult } from './evaluate';
export { formatEvaluation } from './format';
export { lossAndAccuracy, predictDataset } from './predict-dataset';
export type { DatasetPredictions } from './predict-dataset';
