// Frees memory as the backward pass goes, as PyTorch's autograd does.
//
// tfjs-core's backprop (tape.ts, backpropagateGradients) keeps the gradient of every intermediate
// tensor, and every tensor a node saved for its gradient, until the whole backward pass is over:
// a training step's peak holds all activations plus all their gradients. Once a node's gradient
// has run, its output gradients (dy) and its saved tensors have no reader left: each tensor is
// produced by exactly one node, and saved tensors are that node's own clones. So when the next
// node's gradient starts, the previous node's are disposed (data shared with a live tensor, e.g.
// a reshape of dy, stays: tfjs counts references).
//
// Only on this backend, and only for first-order gradients (while an outer tape records, the tape
// is kept for the higher-order gradient, as tfjs does). Never released: the caller's `dy`, and any
// tensor a gradient function returned as it is (it becomes another node's dy).
import {engine, getBackend, Tensor} from '@tensorflow/tfjs-core';
import {gradientDepth} from './native_gradient';

type GradientClosures = {[input: string]: () => Tensor};
interface TapeNode {
  gradient?: (dys: Tensor[]) => GradientClosures;
  saved?: Tensor[];
}
interface EngineInternals {
  addTapeNode(...args: unknown[]): void;
  gradients(...args: unknown[]): unknown;
  state: {activeTape: TapeNode[]};
}

const installed = Symbol('onednn.releaseDuringBackprop');

/** What the node whose gradient ran last leaves behind. */
let previous: {tensors: Tensor[], returned: Set<Tensor>}|null = null;
/** The `dy` the caller of the running backward pass passed in (theirs to dispose). */
let callerDy: unknown;

function releasePrevious(): void {
  if (previous == null) return;
  for (const t of previous.tensors) {
    if (!previous.returned.has(t) && t !== callerDy) t.dispose();
  }
  previous = null;
}

export function installReleaseDuringBackprop(): void {
  const e = engine() as unknown as EngineInternals & {[installed]?: true};
  if (e[installed]) return;
  e[installed] = true;
  const addTapeNode = e.addTapeNode.bind(e);
  e.addTapeNode = (...args: unknown[]) => {
    addTapeNode(...args);
    const tape = e.state.activeTape;
    const node = tape[tape.length - 1];
    const gradient = node.gradient;
    if (gradient == null) return;
    node.gradient = (dys: Tensor[]) => {
      releasePrevious();
      const closures = gradient(dys);
      if (gradientDepth() !== 0 || getBackend() !== 'onednn') return closures;
      const returned = new Set<Tensor>();
      previous = {tensors: [...(node.saved ?? []), ...dys.filter(dy => dy != null)], returned};
      const recorded: GradientClosures = {};
      for (const [input, closure] of Object.entries(closures)) {
        recorded[input] = () => {
          const dx = closure();
          returned.add(dx);
          return dx;
        };
      }
      return recorded;
    };
  };
  const gradients = e.gradients.bind(e);
  e.gradients = (...args: unknown[]) => {
    const outer = {previous, callerDy};
    previous = null;
    callerDy = args[2];
    try {
      return gradients(...args);
    } finally {
      ({previous, callerDy} = outer);
    }
  };
}
