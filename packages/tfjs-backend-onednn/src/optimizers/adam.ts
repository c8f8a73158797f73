// Native fused Adam behind the stock tf.train.adam / model.compile({optimizer: 'adam'}).
import {AdamOptimizer, mul, tidy, Variable} from '@tensorflow/tfjs-core';
import {native} from '../native';
import {canFuse, readValues, Slot, slot, VariableGradients, variablesAndGradients, writableValues} from './slots';

type AdamState = {
  learningRate: number, beta1: number, beta2: number, epsilon: number, accBeta1: Variable, accBeta2: Variable,
  accumulatedFirstMoment: Slot[], accumulatedSecondMoment: Slot[], incrementIterations(): void,
};

export function installFusedAdam(): void {
  const stock = AdamOptimizer.prototype.applyGradients;
  AdamOptimizer.prototype.applyGradients = function(this: AdamOptimizer, variableGradients: VariableGradients) {
    const self = this as unknown as AdamState;
    const pairs = variablesAndGradients(variableGradients);
    if (!canFuse(pairs, self.accumulatedFirstMoment, self.accumulatedSecondMoment)) return stock.call(this, variableGradients as never);
    const acc1 = self.accBeta1.dataSync()[0], acc2 = self.accBeta2.dataSync()[0];
    pairs.forEach(([variable, gradient], i) => {
      const m = slot(self.accumulatedFirstMoment, i, variable, 'm');
      const v = slot(self.accumulatedSecondMoment, i, variable, 'v');
      if (gradient == null) return;
      native.adam(writableValues(variable), writableValues(m), writableValues(v), readValues(gradient),
                  self.learningRate, self.beta1, self.beta2, self.epsilon, Math.fround(1 - acc1),
                  Math.fround(1 - acc2));
    });
    tidy(() => {
      self.accBeta1.assign(mul(self.accBeta1, self.beta1));
      self.accBeta2.assign(mul(self.accBeta2, self.beta2));
    });
    self.incrementIterations();
  };
}
