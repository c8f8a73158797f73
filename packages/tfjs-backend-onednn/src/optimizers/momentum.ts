// Native fused momentum SGD behind the stock tf.train.momentum.
import {MomentumOptimizer} from '@tensorflow/tfjs-core';
import {native} from '../native';
import {canFuse, readValues, Slot, slot, VariableGradients, variablesAndGradients, writableValues} from './slots';

type MomentumState = {
  learningRate: number, momentum: number, useNesterov: boolean, accumulations: Slot[], incrementIterations(): void,
};

export function installFusedMomentum(): void {
  const stock = MomentumOptimizer.prototype.applyGradients;
  MomentumOptimizer.prototype.applyGradients = function(this: MomentumOptimizer, variableGradients: VariableGradients) {
    const self = this as unknown as MomentumState;
    const pairs = variablesAndGradients(variableGradients);
    if (!canFuse(pairs, self.accumulations)) return stock.call(this, variableGradients as never);
    pairs.forEach(([variable, gradient], i) => {
      const accumulation = slot(self.accumulations, i, variable, 'momentum');
      if (gradient == null) return;
      native.momentum(writableValues(variable), writableValues(accumulation), readValues(gradient), self.learningRate,
                      self.momentum, self.useNesterov);
    });
    self.incrementIterations();
  };
}
