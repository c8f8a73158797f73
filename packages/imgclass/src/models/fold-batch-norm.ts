import * as tf from '@tensorflow/tfjs';

/**
 * The network for inference: every convolution followed only by a BatchNormalization gets the
 * normalization folded into its weights and bias (y = γ(conv(x) + b − μ)/√(σ² + ε) + β is again a
 * convolution), and a ReLU/ReLU6 right after it becomes the convolution's activation, so that each
 * conv → BN → ReLU runs as one fused kernel instead of three passes over the activation. Outputs
 * equal the original's in inference mode up to float rounding. Layers keep their names; the model
 * returned has its own weights (the original is left as it is). Models with shared layers are
 * returned unchanged.
 */
export function foldBatchNorm(model: tf.LayersModel): tf.LayersModel {
  const layers = model.layers;
  if (layers.some((l) => l.inboundNodes.length > 1)) return model;
  const consumers = new Map<number, tf.layers.Layer[]>();
  for (const layer of layers) {
    for (const t of inputTensors(layer)) consumers.set(t.id, [...(consumers.get(t.id) ?? []), layer]);
  }
  const outputIds = new Set(model.outputs.map((t) => t.id));
  /** The one layer that reads `layer`'s output, when nothing else (nor the model's output) does. */
  const soleConsumer = (layer: tf.layers.Layer): tf.layers.Layer | undefined => {
    const out = outputTensor(layer);
    const readers = consumers.get(out.id) ?? [];
    return readers.length === 1 && !outputIds.has(out.id) ? readers[0] : undefined;
  };

  const mapped = new Map<number, tf.SymbolicTensor>();
  const inputs = model.inputs.map((t, i) => {
    const input = tf.input({ shape: t.shape.slice(1), dtype: t.dtype, name: model.inputLayers[i].name });
    mapped.set(t.id, input);
    return input;
  });
  const absorbed = new Set<tf.layers.Layer>();
  const weightsFrom: Array<{ layer: tf.layers.Layer; weights: () => tf.Tensor[] }> = [];
  for (const layer of layers) {
    if (layer.getClassName() === 'InputLayer' || absorbed.has(layer)) continue;
    const ins = inputTensors(layer).map((t) => mapped.get(t.id)!);
    const bn = foldableConvolution(layer) ? soleConsumer(layer) : undefined;
    if (bn && bn.getClassName() === 'BatchNormalization' && lastAxis(bn)) {
      const relu = soleConsumer(bn);
      const activation = relu && reluName(relu);
      const config = { ...layer.getConfig(), useBias: true, biasInitializer: 'zeros', activation: activation ?? 'linear' };
      const folded = fusedFromConfig(layer, config);
      const out = folded.apply(ins[0]) as tf.SymbolicTensor;
      absorbed.add(bn);
      if (activation) absorbed.add(relu!);
      mapped.set(outputTensor(activation ? relu! : bn).id, out);
      weightsFrom.push({ layer: folded, weights: () => foldedWeights(layer, bn) });
      continue;
    }
    const copy = fromConfig(layer, layer.getConfig());
    const out = copy.apply(ins.length === 1 ? ins[0] : ins) as tf.SymbolicTensor;
    mapped.set(outputTensor(layer).id, out);
    weightsFrom.push({ layer: copy, weights: () => layer.getWeights() });
  }
  if (absorbed.size === 0) {
    for (const { layer } of weightsFrom) layer.dispose();
    return model;
  }
  const result = tf.model({ inputs, outputs: model.outputs.map((t) => mapped.get(t.id)!), name: model.name });
  for (const { layer, weights } of weightsFrom) {
    // Clones: getWeights() hands out the variables themselves.
    const values = tf.tidy(() => weights().map((w) => w.clone()));
    layer.setWeights(values);
    tf.dispose(values);
  }
  return result;
}

function inputTensors(layer: tf.layers.Layer): tf.SymbolicTensor[] {
  return layer.inboundNodes.length === 0 ? [] : layer.inboundNodes[0].inputTensors;
}

function outputTensor(layer: tf.layers.Layer): tf.SymbolicTensor {
  return layer.inboundNodes[0].outputTensors[0];
}

function fromConfig(layer: tf.layers.Layer, config: tf.serialization.ConfigDict): tf.layers.Layer {
  const cls = layer.constructor as tf.serialization.SerializableConstructor<tf.layers.Layer>;
  return cls.fromConfig(cls, config);
}

type Convolution = tf.serialization.SerializableConstructor<tf.layers.Layer>;
const fusedClasses = new Map<Convolution, Convolution>();

/**
 * The layer rebuilt from `config` as a subclass of its own class whose call is one tf.fused.conv2d
 * or tf.fused.depthwiseConv2d with bias and activation: tf.layers fuses only Conv2D with
 * relu/linear/elu, and runs DepthwiseConv2D, its bias and a ReLU6 as three kernels. Class name and
 * config are the original's.
 */
function fusedFromConfig(layer: tf.layers.Layer, config: tf.serialization.ConfigDict): tf.layers.Layer {
  const base = layer.constructor as Convolution;
  let fused = fusedClasses.get(base);
  if (!fused) {
    const depthwise = layer.getClassName() === 'DepthwiseConv2D';
    const Base = base as unknown as new (args: tf.serialization.ConfigDict) => tf.layers.Layer;
    class FusedConvolution extends Base {
      // Read once from the config it is built from (a layer's getConfig() rebuilds the whole dict).
      private readonly geometry: {
        strides: [number, number];
        pad: 'same' | 'valid';
        dilations: [number, number];
        activation: 'linear' | 'relu' | 'relu6';
      };
      constructor(args: tf.serialization.ConfigDict) {
        super(args);
        const c = this.getConfig();
        this.geometry = {
          strides: c.strides as [number, number],
          pad: c.padding as 'same' | 'valid',
          dilations: c.dilationRate as [number, number],
          activation: c.activation as 'linear' | 'relu' | 'relu6',
        };
      }
      call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
        return tf.tidy(() => {
          const [kernel, bias] = this.trainableWeights.map((w) => w.read());
          const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
          const args = { x, filter: kernel as tf.Tensor4D, bias, ...this.geometry };
          return depthwise ? tf.fused.depthwiseConv2d(args) : tf.fused.conv2d(args);
        });
      }
    }
    fused = FusedConvolution as unknown as Convolution;
    fusedClasses.set(base, fused);
  }
  return fused.fromConfig(fused, config);
}

/** A channels-last Conv2D or DepthwiseConv2D without an activation of its own. */
function foldableConvolution(layer: tf.layers.Layer): boolean {
  const name = layer.getClassName();
  if (name !== 'Conv2D' && name !== 'DepthwiseConv2D') return false;
  const config = layer.getConfig();
  return config.activation === 'linear' && (config.dataFormat ?? 'channelsLast') === 'channelsLast';
}

function lastAxis(bn: tf.layers.Layer): boolean {
  const axis = bn.getConfig().axis as number;
  return axis === -1 || axis === bn.inboundNodes[0].inputTensors[0].shape.length - 1;
}

/** 'relu' or 'relu6' for a layer that is exactly one of them, else undefined. */
function reluName(layer: tf.layers.Layer): 'relu' | 'relu6' | undefined {
  const config = layer.getConfig();
  if (layer.getClassName() === 'Activation') {
    return config.activation === 'relu' || config.activation === 'relu6' ? config.activation : undefined;
  }
  if (layer.getClassName() === 'ReLU') {
    if (config.maxValue == null) return 'relu';
    if (config.maxValue === 6) return 'relu6';
  }
  return undefined;
}

/** [kernel·s, β + (b − μ)·s] with s = γ/√(σ² + ε), per output channel. */
function foldedWeights(conv: tf.layers.Layer, bn: tf.layers.Layer): tf.Tensor[] {
  const bnConfig = bn.getConfig();
  const values = bn.getWeights();
  let i = 0;
  const gamma = bnConfig.scale ? values[i++] : undefined;
  const beta = bnConfig.center ? values[i++] : undefined;
  const [mean, variance] = [values[i], values[i + 1]];
  const scale = tf.div(gamma ?? tf.onesLike(mean), tf.sqrt(tf.add(variance, bnConfig.epsilon as number)));
  const [kernel, bias] = conv.getWeights();
  // Conv2D kernels are [h, w, in, out]; depthwise ones [h, w, in, multiplier] with output channel in·multiplier + m.
  const scaledKernel = tf.mul(kernel, tf.reshape(scale, kernel.shape.slice(conv.getClassName() === 'Conv2D' ? 3 : 2)));
  const shift = tf.mul(tf.sub(bias ?? tf.zerosLike(mean), mean), scale);
  return [scaledKernel, beta ? tf.add(beta, shift) : shift];
}
