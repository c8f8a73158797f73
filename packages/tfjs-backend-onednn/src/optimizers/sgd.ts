// Native fused SGD behind the stock tf.train.sgd / model.compile({optimizer: 'sgd'}).
import {SGDOptimizer} from '@tensorflow/tfjs-core';
import {native} from '../native';
import {canFuse, readValues, VariableGradients, variablesAndGradients, writableValues} from './slots';

export function installFusedSgd(): void {
  const stock = SGDOptimizer.prototype.applyGradients;
  SGDOptimizer.prototype.applyGradients = function(this: SGDOptimizer, variableGradients: VariableGradients) {
    const pairs = variablesAndGradients(variableGradients);
    // MomentumOptimizer extends SGDOptimizer with its own applyGradients; only plain SGD lands here.
    if (!canFuse(pairs)) return stock.call(this, variableGradients as never);
    const lr = (this as unknown as {learningRate: number}).learningRate;
    for (const [variable, gradient] of pairs) {
      if (gradient != null) native.sgd(writableValues(variable), readValues(gradient), lr);
    }
    (this as unknown as {incrementIterations(): void}).incrementIterations();
  };
}
