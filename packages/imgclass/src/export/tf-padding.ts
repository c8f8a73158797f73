/**
 * TensorFlow's SAME padding along one axis: the output is ceil(in / stride)
 * and the padding that needs is split with the odd pixel at the end
 * (bottom/right). ONNX's explicit `pads` can say that; auto_pad could not
 * be trusted to agree for every stride/size combination.
 */
export function samePadding(inSize: number, kernel: number, stride: number, dilation = 1): [before: number, after: number] {
  const effectiveKernel = (kernel - 1) * dilation + 1;
  const out = Math.ceil(inSize / stride);
  const total = Math.max(0, (out - 1) * stride + effectiveKernel - inSize);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

/** ONNX 2-D `pads` ([top, left, bottom, right]) for a tf.layers padding mode. */
export function onnxPads(
  padding: string,
  inputHW: [number, number],
  kernel: [number, number],
  strides: [number, number],
  dilations: [number, number] = [1, 1],
): number[] {
  if (padding === 'valid') return [0, 0, 0, 0];
  const [top, bottom] = samePadding(inputHW[0], kernel[0], strides[0], dilations[0]);
  const [left, right] = samePadding(inputHW[1], kernel[1], strides[1], dilations[1]);
  return [top, left, bottom, right];
}
