// Mixed precision's activations. In bf16 mode the kernels PyTorch's autocast runs in bf16 —
// convolutions, and the BatchNorm, ReLU, residual add and pooling between them, forward and
// backward — hand each other their outputs as bf16: a Uint16Array behind a float32 tensor. That
// halves the memory those memory-bound kernels move and saves converting each convolution's input.
// Anything else that reads such a tensor (a CPU kernel, a kernel without a bf16 form, dataSync)
// gets float32 values, widened once, exactly (bf16 is the top half of a float32).
import {DataId, TensorInfo, util} from '@tensorflow/tfjs-core';
import {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';
import {noteWrapped, takeBf16Buffer, takeBuffer} from './buffer_pool';
import {native} from './native';

let mixedPrecision = false;

/** Mirrors the native bf16 mode (index.ts's setPrecision sets both). */
export function setMixedPrecision(on: boolean): void {
  mixedPrecision = on;
}

export function isMixedPrecision(): boolean {
  return mixedPrecision;
}

/**
 * The backend's record of a float32 tensor held as bf16. A float32 reader gets the values widened
 * (once; both copies are kept, so kernels with a bf16 form keep reading the bf16 one, and both
 * arrays return to the buffer pool when the tensor is freed).
 */
export class Bf16Data {
  readonly dtype = 'float32';
  refCount = 1;
  private widened: Float32Array|null = null;

  constructor(readonly bf16: Uint16Array) {}

  /** The float32 values every CPU kernel reads (tensors never change, so the copy stays right). */
  get values(): Float32Array {
    if (this.widened == null) {
      this.widened = takeBuffer(this.bf16.length);
      noteWrapped(this.widened);
      native.bf16ToFloat32(this.bf16, this.widened);
    }
    return this.widened;
  }

  /** The arrays it holds, for the buffer pool when it is freed. */
  get stored(): Array<Float32Array|Uint16Array> {
    return this.widened == null ? [this.bf16] : [this.bf16, this.widened];
  }
}

type Record = {values?: unknown};

function record(backend: MathBackendCPU, dataId: DataId): Record {
  return backend.data.get(dataId) as Record;
}

/** Whether t is held as bf16 (without widening it). */
export function holdsBf16(backend: MathBackendCPU, t: TensorInfo): boolean {
  return record(backend, t.dataId) instanceof Bf16Data;
}

/**
 * What a native kernel with a bf16 form reads for t: its bf16 values when it holds them and bf16
 * mode is on, else float32 (widened if need be; float32 kernels never see bf16).
 */
export function activation(backend: MathBackendCPU, t: TensorInfo): Float32Array|Uint16Array {
  const r = record(backend, t.dataId);
  if (r instanceof Bf16Data && mixedPrecision) return r.bf16;
  return r.values as Float32Array;
}

/** An output's storage: bf16 when asked for and bf16 mode is on, else float32; from the buffer pool. */
export function allocateActivation(shape: number[], bf16: boolean): Float32Array|Uint16Array {
  const size = util.sizeFromShape(shape);
  return bf16 && mixedPrecision ? takeBf16Buffer(size) : takeBuffer(size);
}

/** A float32 tensor on values allocateActivation gave. */
export function makeActivation(
    backend: MathBackendCPU, shape: number[], values: Float32Array|Uint16Array): TensorInfo {
  if (values instanceof Float32Array) return backend.makeTensorInfo(shape, 'float32', values);
  const dataId = {id: (backend as unknown as {nextDataId(): number}).nextDataId()};
  backend.data.set(dataId, new Bf16Data(values) as never);
  noteWrapped(values);
  return {dataId, shape, dtype: 'float32'};
}

/** The arrays a record holds, without widening (for the buffer pool). */
export function storedValues(r: Record): unknown[] {
  return r instanceof Bf16Data ? r.stored : [r.values];
}
