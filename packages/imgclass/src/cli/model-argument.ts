import { foreignModelOptions } from './foreign-model-flags';
import { loadForeignModel } from '../trained-network/foreign-model';
import type { Classifier } from '../trained-network/load-classifier';
import type { OptionValues } from './command';

/**
 * The <run-or-model> argument of predict and evaluate: imgclass's own run or model as a path,
 * or — when preprocessing flags describe it — a TensorFlow.js layers model imgclass did not make.
 */
export async function withClassifier<T>(
  model: string,
  values: OptionValues,
  use: (classifier: Classifier | string) => Promise<T>,
): Promise<T> {
  const foreign = foreignModelOptions(values);
  if (!foreign) return use(model);
  const classifier = await loadForeignModel(model, foreign);
  try {
    return await use(classifier);
  } finally {
    classifier.model.dispose();
  }
}
