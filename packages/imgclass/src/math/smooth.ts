/**
 * Exponential moving average with TensorBoard's debiasing (the first values
 * are not dragged towards 0), weight in [0, 1): 0 = raw values.
 */
export function smooth(values: number[], weight: number): number[] {
  let last = 0;
  let debias = 0;
  return values.map((v) => {
    if (!Number.isFinite(v)) return v;
    last = last * weight + (1 - weight) * v;
    debias = debias * weight + (1 - weight);
    return last / debias;
  });
}
