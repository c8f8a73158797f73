import type { ImageDataset } from '../data/image-dataset';
import { loadEvaluationSet, loadImageFolder } from '../data/load-image-folder';
import { ClassMetrics, classMetrics } from '../evaluate/evaluate';
import { argMax, lossAndAccuracy, predictDataset } from '../evaluate/predict-dataset';
import { loadClassifier } from '../trained-network/load-classifier';
import type { SavedRunConfig } from '../trained-network/run-folder';

export interface SamplePrediction {
  path: string;
  trueClass: string;
  predictedClass: string;
  /** Probability of the predicted class. */
  probability: number;
  correct: boolean;
}

export interface RunEvaluation {
  /** Where the pictures came from: the run's test folders or its held-out split. */
  source: 'test folders' | 'validation split';
  images: number;
  accuracy: number;
  loss: number;
  /** confusion[true][predicted] = count. */
  confusion: number[][];
  perClass: ClassMetrics[];
  /** The most confident mistakes first, then correct answers spread over the classes. */
  samples: SamplePrediction[];
  /** The gallery of mistakes: the most confident first. */
  mistakes: SamplePrediction[];
  /** All mistakes, of which `mistakes` shows the most confident. */
  mistakeCount: number;
}

export interface RunEvaluationOptions {
  cacheDir?: string;
  /** Pictures in the sample grid. Default 12. */
  samples?: number;
  /** Pictures in the mistakes gallery. Default 16. */
  mistakes?: number;
  batchSize?: number;
}

/**
 * Scores the run's final model (or best checkpoint) on the pictures its
 * validation used: the test folders, or the same seeded split of the training
 * folders. Returns null for a run without validation pictures.
 */
export async function evaluateRun(
  runDir: string,
  config: SavedRunConfig,
  options: RunEvaluationOptions = {},
): Promise<RunEvaluation | null> {
  if (config.test.length === 0 && !(config.validationSplit > 0)) return null;
  const classifier = await loadClassifier(runDir, { inference: true });
  try {
    const data =
      config.test.length > 0
        ? await loadEvaluationSet({
            roots: config.test,
            classes: classifier.classes,
            preprocessing: classifier.preprocessing,
            cacheDir: options.cacheDir,
            onWarning: () => undefined,
          })
        : await loadImageFolder({
            roots: config.train,
            validationSplit: config.validationSplit,
            layout: config.layout,
            preprocessing: classifier.preprocessing,
            seed: config.seed,
            cacheDir: options.cacheDir,
            onWarning: () => undefined,
          });
    try {
      const dataset: ImageDataset | undefined = 'dataset' in data ? data.dataset : data.validation;
      if (!dataset || dataset.size === 0) return null;
      const predictions = await predictDataset(classifier.model, dataset, options.batchSize ?? config.batchSize);
      const classes = classifier.classes;
      const k = classes.length;
      const confusion = classes.map(() => new Array<number>(k).fill(0));
      const all: SamplePrediction[] = [];
      predictions.labels.forEach((label, i) => {
        const row = predictions.probs.subarray(i * k, (i + 1) * k);
        const guess = argMax(row);
        confusion[label][guess]++;
        all.push({
          path: predictions.paths[i],
          trueClass: classes[label],
          predictedClass: classes[guess],
          probability: row[guess],
          correct: guess === label,
        });
      });
      const { loss, accuracy } = lossAndAccuracy(predictions);
      return {
        source: config.test.length > 0 ? 'test folders' : 'validation split',
        images: predictions.labels.length,
        accuracy,
        loss,
        confusion,
        perClass: classMetrics(classes, confusion),
        samples: pickSamples(all, classes, options.samples ?? 12),
        mistakes: mostConfidentMistakes(all).slice(0, options.mistakes ?? 16),
        mistakeCount: all.filter((s) => !s.correct).length,
      };
    } finally {
      await data.close();
    }
  } finally {
    classifier.model.dispose();
  }
}

/**
 * Half the grid (or fewer) for the most confident mistakes, which say most
 * about what the network gets wrong; the rest correct answers taken round-robin
 * over the classes so every class appears.
 */
export function pickSamples(all: readonly SamplePrediction[], classes: readonly string[], count: number): SamplePrediction[] {
  const mistakes = mostConfidentMistakes(all);
  const chosen = mistakes.slice(0, Math.ceil(count / 2));
  const rightByClass = classes.map((c) => all.filter((s) => s.correct && s.trueClass === c));
  for (let round = 0; chosen.length < count; round++) {
    const before = chosen.length;
    for (const list of rightByClass) if (list[round] && chosen.length < count) chosen.push(list[round]);
    if (chosen.length === before) break;
  }
  // Fill with further mistakes when there are too few correct answers.
  for (const m of mistakes.slice(chosen.filter((s) => !s.correct).length)) if (chosen.length < count) chosen.push(m);
  return chosen;
}

function mostConfidentMistakes(all: readonly SamplePrediction[]): SamplePrediction[] {
  return all.filter((s) => !s.correct).sort((a, b) => b.probability - a.probability);
}
