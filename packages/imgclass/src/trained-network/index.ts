/**
 * A trained network on disk: run folders (config.json, classes.json,
 * checkpoints/, model/), checkpoints, model files, TensorFlow.js models
 * imgclass did not make (with the preprocessing given for them), and a
 * classifier head replaced for another class count. Training, prediction,
 * evaluation, export and the web app all open networks through here, so none
 * of them has to reach into another for it.
 */
export { loadClassifier } from './load-classifier';
export type { LoadClassifierOptions } from './load-classifier';
export type { Classifier } from './load-classifier';
export { loadForeignModel, endsInSoftmax } from './foreign-model';
export type { ForeignClassifier, ForeignModelOptions } from './foreign-model';
export { withClassifierHead } from './fine-tune-head';
export { BEST_CHECKPOINT, CHECKPOINT_DIR, listStepCheckpoints } from './checkpoint';
export type { TrainingState } from './checkpoint';
export { CLASSES_JSON, CONFIG_JSON, isRunFolder, MODEL_DIR, readRunFolder } from './run-folder';
export { loadModelFiles, saveModelFiles } from './model-files';
export type { LoadedModel, ModelMetadata } from './model-files';
