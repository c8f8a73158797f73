/** A linear map from data values to pixels, with round-numbered ticks. */
export interface LinearScale {
  (value: number): number;
  domain: [number, number];
  ticks: number[];
}

export function linearScale(domain: [number, number], range: [number, number], tickCount = 5): LinearScale {
  let [d0, d1] = domain;
  if (!(d1 > d0)) {
    // A flat series (a constant learning rate) still needs an axis around its value.
    const pad = d0 === 0 ? 1 : Math.abs(d0) * 0.1;
    [d0, d1] = [d0 - pad, d1 + pad];
  }
  // Widen to whole tick steps so the data never touches the frame and the last tick is labelled.
  const step = tickStep(d0, d1, tickCount);
  [d0, d1] = [Math.floor(d0 / step + 1e-9) * step, Math.ceil(d1 / step - 1e-9) * step];
  const ticks = niceTicks(d0, d1, tickCount);
  const [r0, r1] = range;
  const scale = ((v: number) => r0 + ((v - d0) / (d1 - d0)) * (r1 - r0)) as LinearScale;
  scale.domain = [d0, d1];
  scale.ticks = ticks;
  return scale;
}

/** Ticks at 1, 2 or 5 × 10^k inside [lo, hi]. */
export function niceTicks(lo: number, hi: number, count: number): number[] {
  const step = tickStep(lo, hi, count);
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step) {
    ticks.push(Number(t.toPrecision(12)));
  }
  return ticks;
}

function tickStep(lo: number, hi: number, count: number): number {
  const rough = (hi - lo) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(rough));
  return [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough * (1 - 1e-9)) ?? 10 * power;
}

/** Domain of the values, optionally widened to include fixed bounds (accuracy: 0..1). */
export function extent(values: number[], include: number[] = []): [number, number] {
  const finite = [...values, ...include].filter(Number.isFinite);
  if (finite.length === 0) return [0, 1];
  return [Math.min(...finite), Math.max(...finite)];
}

/** Tick label: short and unambiguous (1e-4, 0.25, 1,500); small steps (learning rates) in exponent form throughout. */
export function tickLabel(v: number, step: number): string {
  if (v === 0) return '0';
  const abs = Math.abs(v);
  if (step < 1e-3 || abs >= 1e6) return Number(v.toPrecision(10)).toExponential().replace('e+', 'e');
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  const s = v.toFixed(decimals);
  return abs >= 1000 ? s.replace(/\B(?=(\d{3})+(?!\d))/g, ',') : s;
}
