// Native fused RMSProp (non-centered) behind the stock tf.train.rmsprop; the centered form
// keeps the stock path.
import {RMSPropOptimizer} from '@tensorflow/tfjs-core';
import {native} from '../native';
import {canFuse, readValues, Slot, slot, VariableGradients, variablesAndGradients, writableValues} from './slots';

type RmsPropState = {
  learningRate: number, decay: number, momentum: number, epsilon: number, centered: boolean,
  accumulatedMeanSquares: Slot[], accumulatedMoments: Slot[], incrementIterations(): void,
};

export function installFusedRmsProp(): void {
  const stock = RMSPropOptimizer.prototype.applyGradients;
  RMSPropOptimizer.prototype.applyGradients = function(this: RMSPropOptimizer, variableGradients: VariableGradients) {
    const self = this as unknown as RmsPropState;
    const pairs = variablesAndGradients(variableGradients);
    if (self.centered || !canFuse(pairs, self.accumulatedMeanSquares, self.accumulatedMoments)) return stock.call(this, variableGradients as never);
    pairs.forEach(([variable, gradient], i) => {
      const meanSquare = slot(self.accumulatedMeanSquares, i, variable, 'rms');
      const moment = slot(self.accumulatedMoments, i, variable, 'momentum');
      if (gradient == null) return;
      native.rmsprop(writableValues(variable), writableValues(meanSquare), writableValues(moment), readValues(gradient),
                     self.learningRate, self.decay, self.momentum, self.epsilon);
    });
    self.incrementIterations();
  };
}
