import {KernelConfig, KernelFunc, Tile, TileAttrs, TileInputs} from '@tensorflow/tfjs-core';
import {native} from '../native';
import {allocate, Backend, f32, fallback, Inputs, nativeCompatible} from './kernel_util';

function tile(args: {inputs: Inputs<TileInputs>, backend: Backend, attrs: TileAttrs}) {
  const {inputs: {x}, backend, attrs: {reps}} = args;
  if (!nativeCompatible(backend, x) || x.shape.length === 0 || reps.some(r => r < 1)) return fallback(Tile, args);
  const outShape = x.shape.map((d, i) => d * reps[i]);
  const out = allocate(outShape);
  native.tile(f32(backend, x), out, Int32Array.from(x.shape), Int32Array.from(reps), 1);
  return backend.makeTensorInfo(outShape, 'float32', out);
}

export const tileConfig: KernelConfig = {
  kernelName: Tile,
  backendName: 'onednn',
  kernelFunc: tile as unknown as KernelFunc,
};
