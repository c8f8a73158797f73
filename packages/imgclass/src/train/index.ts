export { resumeTraining, train } from './train';
export type { TrainHooks, TrainResult } from './train';
export { DEFAULT_EPOCHS, DEFAULT_WARMUP_STEPS, resolveRunConfig } from '../trained-network/run-config';
export type { OptimizerName, RunConfig, ScheduleName, TrainOptions } from '../trained-network/run-config';
export type { TrainEvent } from './events';
export { learningRateAt } from './lr-schedule';
export type { MetricsRecord } from './metrics-log';
export { exponentialLr, lrFind, suggestLr } from './lr-find';
export type { LrFindOptions, LrFindResult } from './lr-find';
