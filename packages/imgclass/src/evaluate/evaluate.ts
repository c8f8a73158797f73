import { loadEvaluationSet } from '../data/load-image-folder';
import type { DataParallel } from '../distributed/data-parallel';
import { predictDatasetSharded } from './sharded-inference';
import type { DatasetReport } from '../data/report';
import { Classifier, loadClassifier } from '../trained-network/load-classifier';
import { TTA_VIEWS, ttaMode, TtaMode } from '../predict/test-time-augmentation';
import { argMax, DatasetPredictions, lossAndAccuracy, predictDataset } from './predict-dataset';

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
  /** With the `tta` option: the same pictures scored by the mean of the probabilities over the views of each picture. */
  testTimeAugmentation?: AugmentedScores;
}

/** Scores under test-time augmentation, reported beside (not instead of) the plain ones. */
export interface AugmentedScores {
  /** What is averaged over: 'flip' = the picture and its horizontal mirror image; see TTA_VIEWS. */
  augmentation: string;
  accuracy: number;
  loss: number;
  perClass: ClassMetrics[];
}

export interface EvaluateOptions {
  /** Default 32. */
  batchSize?: number;
  /** Confident mistakes listed. Default 10. */
  worst?: number;
  /** Where decoded pixels are cached. Default `.imgclass-cache` in the working directory. */
  cacheDir?: string;
  /**
   * Also score with test-time augmentation: true or 'flip', the mean over the picture and its mirror
   * image; 'crops', over the picture and its four corner crops, each also mirrored. Default false.
   */
  tta?: boolean | TtaMode;
  onProgress?: (progress: { done: number; total: number }) => void;
  onWarning?: (message: string) => void;
  /** One rank of an MPI job: batches spread over the ranks, the same result on every rank. */
  dataParallel?: DataParallel;
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
  const c = own ? await loadClassifier(classifier, { inference: true }) : classifier;
  try {
    const dp = options.dataParallel;
    const load = () => loadEvaluationSet({
      roots,
      classes: c.classes,
      preprocessing: c.preprocessing,
      cacheDir: options.cacheDir,
      onProgress: options.onProgress,
      onWarning: options.onWarning,
    });
    // The first rank on each host decodes into the host's pixel cache; the others read it.
    const data = dp ? await dp.loadInTurn(load) : await load();
    try {
      const batchSize = options.batchSize ?? 32;
      const predictions = dp
        ? await predictDatasetSharded(dp, c.model, data.dataset, batchSize, { tta: options.tta })
        : await predictDataset(c.model, data.dataset, batchSize, { tta: options.tta });
      const k = c.classes.length;
      const confusion = confusionMatrix(predictions, predictions.probs);
      const mistakes: ConfidentMistake[] = [];
      predictions.labels.forEach((label, i) => {
        const row = predictions.probs.subarray(i * k, (i + 1) * k);
        const guess = argMax(row);
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
      const augmented = predictions.augmentedProbs;
      return {
        classes: c.classes,
        images: predictions.labels.length,
        accuracy,
        loss,
        perClass: classMetrics(c.classes, confusion),
        confusion,
        mostConfidentlyWrong: mistakes.slice(0, options.worst ?? 10),
        report: data.report,
        ...(augmented ? { testTimeAugmentation: augmentedScores(c.classes, predictions, augmented, ttaMode(options.tta) ?? 'flip') } : {}),
      };
    } finally {
      await data.close();
    }
  } finally {
    if (own) c.model.dispose();
  }
}

/** confusion[true][predicted] from one set of probabilities for the predictions' pictures. */
function confusionMatrix(p: DatasetPredictions, probs: Float32Array): number[][] {
  const confusion = Array.from({ length: p.classes }, () => new Array<number>(p.classes).fill(0));
  p.labels.forEach((label, i) => confusion[label][argMax(probs.subarray(i * p.classes, (i + 1) * p.classes))]++);
  return confusion;
}

function augmentedScores(classes: string[], p: DatasetPredictions, probs: Float32Array, mode: TtaMode): AugmentedScores {
  const { loss, accuracy } = lossAndAccuracy({ ...p, probs });
  return { augmentation: TTA_VIEWS[mode], accuracy, loss, perClass: classMetrics(classes, confusionMatrix(p, probs)) };
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
