import { loadEvaluationSet } from '../data/load-image-folder';
import type { DatasetReport } from '../data/report';
import { Classifier, loadClassifier } from '../predict/load-classifier';
import { argMax, lossAndAccuracy, predictDataset } from './predict-dataset';

export interface ClassMetrics {
  className: string;
  precision: number;
  recall: number;
  f1: number;
  /** Test pictures of this class. */
  support: number;
}

export interface ConfidentMistake {
  path: string;
  trueClass: string;
  predictedClass: string;
  /** The probability given to the wrong class. */
  probability: number;
}

export interface EvaluationResult {
  classes: string[];
  images: number;
  accuracy: number;
  loss: number;
  perClass: ClassMetrics[];
  /** confusion[true][predicted] = count. */
  confusion: number[][];
  /** Wrong answers, most confident first. */
  mostConfidentlyWrong: ConfidentMistake[];
  report: DatasetReport;
}

export interface EvaluateOptions {
  /** Default 32. */
  batchSize?: number;
  /** Confident mistakes listed. Default 10. */
  worst?: number;
  /** Where decoded pixels are cached. Default `.imgclass-cache` in the working directory. */
  cacheDir?: string;
  onProgress?: (progress: { done: number; total: number }) => void;
  onWarning?: (message: string) => void;
}

/**
 * Scores a classifier on labelled folders (one sub-folder per class, named
 * as in the model's classes; a subset of the classes is fine).
 */
export async function evaluate(
  classifier: Classifier | string,
  roots: string | readonly string[],
  options: EvaluateOptions = {},
): Promise<EvaluationResult> {
  const own = typeof classifier === 'string';
  const c = own ? await loadClassifier(classifier) : classifier;
  try {
    const data = await loadEvaluationSet({
      roots,
      classes: c.classes,
      preprocessing: c.preprocessing,
      cacheDir: options.cacheDir,
      onProgress: options.onProgress,
      onWarning: options.onWarning,
    });
    try {
      const predictions = await predictDataset(c.model, data.dataset, options.batchSize ?? 32);
      const k = c.classes.length;
      const confusion = c.classes.map(() => new Array<number>(k).fill(0));
      const mistakes: ConfidentMistake[] = [];
      predictions.labels.forEach((label, i) => {
        const row = predictions.probs.subarray(i * k, (i + 1) * k);
        const guess = argMax(row);
        confusion[label][guess]++;
        if (guess !== label) {
          mistakes.push({
            path: predictions.paths[i],
            trueClass: c.classes[label],
            predictedClass: c.classes[guess],
            probability: row[guess],
          });
        }
      });
      mistakes.sort((a, b) => b.probability - a.probability);
      const { loss, accuracy } = lossAndAccuracy(predictions);
      return {
        classes: c.classes,
        images: predictions.labels.length,
        accuracy,
        loss,
        perClass: classMetrics(c.classes, confusion),
        confusion,
        mostConfidentlyWrong: mistakes.slice(0, options.worst ?? 10),
        report: data.report,
      };
    } finally {
      await data.close();
    }
  } finally {
    if (own) c.model.dispose();
  }
}

/** Precision, recall and F1 per class from the confusion matrix; 0 where undefined (no predictions / no pictures). */
export function classMetrics(classes: readonly string[], confusion: number[][]): ClassMetrics[] {
  return classes.map((className, i) => {
    const tp = confusion[i][i];
    const support = confusion[i].reduce((a, b) => a + b, 0);
    const predicted = confusion.reduce((n, row) => n + row[i], 0);
    const precision = predicted > 0 ? tp / predicted : 0;
    const recall = support > 0 ? tp / support : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    return { className, precision, recall, f1, support };
  });
}
