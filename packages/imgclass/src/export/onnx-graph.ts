/**
 * An ONNX graph under construction, independent of protobuf: nodes,
 * float initializers and the layout of every value. Values that come from
 * 4-D tf.layers tensors are kept NCHW inside the graph (what ONNX's Conv,
 * pooling, BatchNormalization and LRN expect); `shape` always records the
 * tf.layers (NHWC) shape without the batch axis, so converters can reason
 * in tfjs terms.
 */

/** An attribute with its ONNX type spelled out: ORT rejects an INT where a FLOAT is expected. */
export type AttributeValue =
  | { type: 'int'; value: number }
  | { type: 'ints'; value: number[] }
  | { type: 'float'; value: number }
  | { type: 'string'; value: string };

export const int = (value: number): AttributeValue => ({ type: 'int', value });
export const ints = (value: number[]): AttributeValue => ({ type: 'ints', value });
export const float = (value: number): AttributeValue => ({ type: 'float', value });

export interface OnnxNode {
  opType: string;
  name: string;
  inputs: string[];
  outputs: string[];
  attributes: Record<string, AttributeValue>;
}

export interface OnnxInitializer {
  name: string;
  dims: number[];
  /** float32 weights; int64 for shape-like operands (Pad's pads). */
  data: Float32Array | BigInt64Array;
}

export interface OnnxValue {
  name: string;
  /** tf.layers shape without the batch axis, e.g. [38, 38, 6] or [84]. */
  shape: number[];
  /** 'nchw': a 4-D tensor stored channels-first in the graph; 'plain': stored as tfjs stores it. */
  layout: 'nchw' | 'plain';
  /** When this value is softmax(x): x's name, so the graph can also expose the logits. */
  softmaxOf?: string;
}

export class OnnxGraph {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxInitializer[] = [];
  private readonly used = new Set<string>();

  /** A value name not used yet, derived from a tfjs name ('conv1/kernel' -> 'conv1_kernel'). */
  uniqueName(base: string): string {
    const clean = base.replace(/[^A-Za-z0-9_.-]/g, '_') || 'value';
    let name = clean;
    for (let i = 1; this.used.has(name); i++) name = `${clean}_${i}`;
    this.used.add(name);
    return name;
  }

  /** Adds a node and returns the name of its (first) output. */
  add(opType: string, inputs: string[], outputBase: string, attributes: Record<string, AttributeValue> = {}): string {
    const output = this.uniqueName(outputBase);
    this.nodes.push({ opType, name: output, inputs, outputs: [output], attributes });
    return output;
  }

  /** Adds a node whose output has a name reserved earlier (a graph output such as 'probabilities'). */
  addNamed(opType: string, inputs: string[], output: string, attributes: Record<string, AttributeValue> = {}): string {
    this.nodes.push({ opType, name: output, inputs, outputs: [output], attributes });
    return output;
  }

  /** Adds a constant (float32, or int64 for shape operands) and returns its name. */
  constant(base: string, dims: number[], data: Float32Array | BigInt64Array): string {
    const expected = dims.reduce((a, b) => a * b, 1);
    if (data.length !== expected) throw new Error(`Initializer '${base}' has ${data.length} values for dims [${dims}]`);
    const name = this.uniqueName(base);
    this.initializers.push({ name, dims, data });
    return name;
  }
}
