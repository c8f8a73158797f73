import { createRng, deriveSeed, shuffleInPlace } from '../math/rng';

/**
 * Seeded, stratified split: each class gives the same fraction of its items
 * to validation (at least one when it has two or more), so a rare class is
 * never missing from either side. Returns indices into `labels`, ascending.
 */
export function stratifiedSplit(
  labels: readonly number[],
  validationFraction: number,
  seed: number,
): { train: number[]; validation: number[] } {
  const byClass = new Map<number, number[]>();
  labels.forEach((label, i) => {
    const list = byClass.get(label) ?? [];
    list.push(i);
    byClass.set(label, list);
  });
  const train: number[] = [];
  const validation: number[] = [];
  for (const [label, indices] of byClass) {
    shuffleInPlace(indices, createRng(deriveSeed(seed, label, 0x5e11)));
    let take = Math.round(indices.length * validationFraction);
    if (validationFraction > 0 && indices.length >= 2) take = Math.min(indices.length - 1, Math.max(1, take));
    validation.push(...indices.slice(0, take));
    train.push(...indices.slice(take));
  }
  const ascending = (a: number, b: number) => a - b;
  return { train: train.sort(ascending), validation: validation.sort(ascending) };
}
