// Shared by the fused optimizers: slot variables as the stock optimizers create them, and
// in-place access to a variable's values that never changes a tensor someone else holds.
import {engine, getBackend, NamedTensorMap, Optimizer, Tensor, tensor, tidy, Variable, zerosLike} from '@tensorflow/tfjs-core';
import {Backend} from '../kernels/kernel_util';
import {forgetWeights} from '../weight_tokens';

export interface Slot {
  originalName: string;
  variable: Variable;
}

/** What Optimizer.applyGradients takes. */
export type VariableGradients = Parameters<Optimizer['applyGradients']>[0];

/** (variable, gradient) pairs in the order the stock optimizers index their slots. */
export function variablesAndGradients(variableGradients: VariableGradients): Array<[Variable, Tensor|undefined]> {
  const names = Array.isArray(variableGradients) ? variableGradients.map(v => v.name) : Object.keys(variableGradients);
  return names.map((name, i) => [
    engine().registeredVariables[name],
    Array.isArray(variableGradients) ? variableGradients[i].tensor : (variableGradients as NamedTensorMap)[name],
  ]);
}

/**
 * True when the fused path applies: the onednn backend, float32 everywhere, and every slot made
 * so far the size of the variable now at its index. The stock optimizers index slots by position,
 * so an optimizer given another variable list (trainOnBatch's, then minimize()'s over all
 * trainable variables) pairs a variable with another's slot: tfjs's own arithmetic then throws or
 * broadcasts, while a native pass would write past the slot's end. That case takes tfjs's path.
 */
export function canFuse(pairs: Array<[Variable, Tensor|undefined]>, ...slotLists: Slot[][]): boolean {
  if (getBackend() !== 'onednn') return false;
  return pairs.every(([v, g], i) => v != null && v.dtype === 'float32' &&
                     (g == null || (g.dtype === 'float32' && g.size === v.size)) &&
                     slotLists.every(slots => slots[i] == null || slots[i].variable.size === v.size));
}

/** The slot at `index`, created as the stock optimizers do (zeros, not trainable). */
export function slot(slots: Slot[], index: number, variable: Variable, suffix: string): Variable {
  if (slots[index] == null) {
    slots[index] = {originalName: `${variable.name}/${suffix}`, variable: tidy(() => zerosLike(variable).variable(false))};
  }
  return slots[index].variable;
}

type EngineState = {state: {tensorInfo: WeakMap<object, {refCount: number}>}};

/**
 * A variable's values to update in place. If another tensor shares its buffer (a clone, the
 * tensor it was created from), the variable first gets a copy of its own, so that tensor
 * keeps its values — exactly what the stock optimizers' assign() guarantees.
 */
export function writableValues(variable: Variable): Float32Array {
  const backend = engine().backend as Backend;
  const data = backend.data.get(variable.dataId);
  const engineRefs = (engine() as unknown as EngineState).state.tensorInfo.get(variable.dataId)?.refCount ?? 1;
  if (data.refCount === 1 && engineRefs === 1) {
    forgetWeights(variable.dataId);  // about to change in place
    return data.values as Float32Array;
  }
  const copy = (data.values as Float32Array).slice();
  tidy(() => variable.assign(tensor(copy, variable.shape, 'float32')));
  return backend.data.get(variable.dataId).values as Float32Array;
}

/** A gradient's values, read in place. */
export function readValues(t: Tensor): Float32Array {
  return (engine().backend as Backend).data.get(t.dataId).values as Float32Array;
}
