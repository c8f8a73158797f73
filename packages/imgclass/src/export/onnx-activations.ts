import { float, int } from './onnx-graph';
import { LayerContext } from './onnx-layer-context';
import type { OnnxValue } from './onnx-graph';

/** tf.layers activation names (as serialized in model.json) that map onto ONNX operators. */
export const SUPPORTED_ACTIVATIONS = [
  'linear', 'relu', 'relu6', 'sigmoid', 'tanh', 'softmax', 'elu', 'selu', 'softplus', 'softsign', 'hardSigmoid', 'swish',
] as const;

/** Applies a tf.layers activation to `x`; 'linear' adds nothing. */
export function applyActivation(ctx: LayerContext, x: OnnxValue, activation: unknown): OnnxValue {
  const name = activation === undefined || activation === null ? 'linear' : String(activation);
  const g = ctx.graph;
  const base = `${ctx.layer.name}_${name}`;
  const out = (n: string): OnnxValue => ({ name: n, shape: x.shape, layout: x.layout });
  switch (name) {
    case 'linear':
      return x;
    case 'relu':
      return out(g.add('Relu', [x.name], base));
    case 'relu6':
      return out(clip(ctx, x.name, 0, 6, base));
    case 'sigmoid':
      return out(g.add('Sigmoid', [x.name], base));
    case 'tanh':
      return out(g.add('Tanh', [x.name], base));
    case 'elu':
      return out(g.add('Elu', [x.name], base, { alpha: float(1) }));
    case 'selu':
      // ONNX's default alpha and gamma are TF's constants rounded to float32.
      return out(g.add('Selu', [x.name], base));
    case 'softplus':
      return out(g.add('Softplus', [x.name], base));
    case 'softsign':
      return out(g.add('Softsign', [x.name], base));
    case 'hardSigmoid':
      // tfjs: clip(0.2 x + 0.5, 0, 1), ONNX's HardSigmoid with its defaults.
      return out(g.add('HardSigmoid', [x.name], base, { alpha: float(0.2), beta: float(0.5) }));
    case 'swish': {
      const s = g.add('Sigmoid', [x.name], `${base}_sigmoid`);
      return out(g.add('Mul', [x.name, s], base));
    }
    case 'softmax': {
      // tfjs takes softmax over the last axis; for an NCHW-held 4-D tensor that is channels, axis 1.
      const axis = x.layout === 'nchw' ? 1 : -1;
      const result = out(g.add('Softmax', [x.name], base, { axis: int(axis) }));
      return x.layout === 'plain' ? { ...result, softmaxOf: x.name } : result;
    }
    default:
      throw ctx.unsupported(`uses the activation '${name}' (supported: ${SUPPORTED_ACTIVATIONS.join(', ')})`);
  }
}

/** Clip(x, min, max) in opset 13 form: the bounds are scalar inputs. */
export function clip(ctx: LayerContext, x: string, min: number, max: number, base: string): string {
  const lo = ctx.graph.constant(`${base}_min`, [], Float32Array.of(min));
  const hi = ctx.graph.constant(`${base}_max`, [], Float32Array.of(max));
  return ctx.graph.add('Clip', [x, lo, hi], base);
}
