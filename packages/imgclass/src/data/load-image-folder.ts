import path from 'node:path';
import { DatasetSample } from './batch-iterator';
import { PreprocessingConfig, PreprocessingOptions, resolvePreprocessing } from './config';
import { CollectedImages, collectImages, UsableImage } from './collect-images';
import { DatasetError } from './errors';
import { ImageDataset } from './image-dataset';
import { DEFAULT_CACHE_DIR, PixelCache } from './pixel-cache';
import { countPerClass, DatasetReport, imbalance, sizeStats, skippedSummary } from './report';
import { compareNames, FolderLayout } from './scan';
import { stratifiedSplit } from './split';

export interface LoadOptions {
  /** Folder(s) of images; several roots are merged and must have the same classes. */
  roots: string | readonly string[];
  /** Default 'class-folders'; 'filename-prefix' reads Kaggle-style `cat.12.jpg` from one folder. */
  layout?: FolderLayout;
  /** Size, resize mode, normalization; or the config saved with a model. Default 150x150, stretch, standardize. */
  preprocessing?: PreprocessingOptions | PreprocessingConfig;
  /** Seed for the validation split and for shuffling/augmentation. Default 42. */
  seed?: number;
  /** Where decoded pixels are kept between runs. Default `.imgclass-cache` in the working directory. */
  cacheDir?: string;
  /** Images declaring more pixels are skipped as decompression bombs. Default 100 million. */
  maxInputPixels?: number;
  /** Images decoded at once. Default 8 (sharp runs them on libuv's thread pool). */
  concurrency?: number;
  /** Called during the first (decoding) pass. */
  onProgress?: (progress: { done: number; total: number }) => void;
  /** Each skipped file and dataset-level warning as it is found. Default: console.warn. */
  onWarning?: (message: string) => void;
}

export interface TrainingLoadOptions extends LoadOptions {
  /** Test folder(s); their classes must equal the training classes. */
  validationRoots?: string | readonly string[];
  /** Without validationRoots: fraction (0 <= f < 1) held out per class, seeded. Default 0. */
  validationSplit?: number;
}

export interface EvaluationLoadOptions extends LoadOptions {
  /** The model's class list: labels index into it; folders must be a subset. Default: the sorted folder classes. */
  classes?: readonly string[];
}

export interface ImageFolderData {
  classes: string[];
  preprocessing: PreprocessingConfig;
  report: DatasetReport;
  train: ImageDataset;
  validation?: ImageDataset;
  /** Closes cache file handles; the datasets cannot be iterated afterwards. */
  close(): Promise<void>;
}

export interface EvaluationData {
  classes: string[];
  preprocessing: PreprocessingConfig;
  report: DatasetReport;
  dataset: ImageDataset;
  close(): Promise<void>;
}

const DEFAULT_SEED = 42;

/** Loads training data (and validation data from test folders or a split), decoding into the cache once. */
export async function loadImageFolder(options: TrainingLoadOptions | string): Promise<ImageFolderData> {
  const opts: TrainingLoadOptions = typeof options === 'string' ? { roots: options } : options;
  const validationRoots = toList(opts.validationRoots ?? []);
  const split = opts.validationSplit ?? 0;
  if (!(split >= 0 && split < 1)) {
    throw new DatasetError('INVALID_OPTION', `The validation split must be at least 0 and below 1, got ${split}.`);
  }
  if (split > 0 && validationRoots.length > 0) {
    throw new DatasetError('INVALID_OPTION', 'Give either test folders or a validation split, not both.');
  }
  const ctx = await openContext(opts);
  try {
    const trainSet = await collectImages(toList(opts.roots), ctx.collect);
    const classes = classesOf(trainSet, opts.roots, ctx.warn);
    if (classes.length < 2) {
      throw new DatasetError(
        'SINGLE_CLASS',
        `Training needs at least two classes, but only '${classes[0]}' has usable images in ${describeRoots(opts.roots)}.`,
      );
    }
    let trainSamples = toSamples(trainSet.images, classes);
    let validationSamples: DatasetSample[] | undefined;
    let validationSet: CollectedImages | undefined;
    if (validationRoots.length > 0) {
      validationSet = await collectImages(validationRoots, ctx.collect);
      const testClasses = classesOf(validationSet, validationRoots, ctx.warn);
      if (testClasses.join('\n') !== classes.join('\n')) {
        throw new DatasetError(
          'CLASS_MISMATCH',
          `The training classes (${classes.join(', ')}) and the test classes (${testClasses.join(', ')}) differ.`,
        );
      }
      validationSamples = toSamples(validationSet.images, classes);
    } else if (split > 0) {
      const parts = stratifiedSplit(trainSamples.map((s) => s.label), split, ctx.seed);
      validationSamples = parts.validation.map((i) => trainSamples[i]);
      trainSamples = parts.train.map((i) => trainSamples[i]);
    }

    const sets = validationSet ? [trainSet, validationSet] : [trainSet];
    const report = buildReport(classes, sets, ctx, {
      train: { samples: trainSamples, source: toList(opts.roots) },
      validation: validationSamples && {
        samples: validationSamples,
        source: validationSet ? validationRoots : [`${Math.round(split * 100)}% split of the training data`],
      },
    });
    const make = (name: 'train' | 'validation', samples: DatasetSample[]) =>
      new ImageDataset(name, classes, samples, ctx.preprocessing, ctx.cache, ctx.seed);
    return {
      classes,
      preprocessing: ctx.preprocessing,
      report,
      train: make('train', trainSamples),
      validation: validationSamples && make('validation', validationSamples),
      close: () => ctx.cache.close(),
    };
  } catch (err) {
    await ctx.cache.close();
    throw err;
  }
}

/** Loads a labelled folder for evaluation: one class is fine, and labels can follow a saved model's class list. */
export async function loadEvaluationSet(options: EvaluationLoadOptions | string): Promise<EvaluationData> {
  const opts: EvaluationLoadOptions = typeof options === 'string' ? { roots: options } : options;
  const ctx = await openContext(opts);
  try {
    const set = await collectImages(toList(opts.roots), ctx.collect);
    const found = classesOf(set, opts.roots, ctx.warn);
    const classes = opts.classes ? [...opts.classes] : found;
    const unknown = found.filter((c) => !classes.includes(c));
    if (unknown.length > 0) {
      throw new DatasetError(
        'CLASS_MISMATCH',
        `The folder classes ${unknown.map((c) => `'${c}'`).join(', ')} are not among the model's classes (${classes.join(', ')}).`,
      );
    }
    const samples = toSamples(set.images, classes);
    const report = buildReport(classes, [set], ctx, { train: { samples, source: toList(opts.roots) } });
    return {
      classes,
      preprocessing: ctx.preprocessing,
      report,
      dataset: new ImageDataset('evaluation', classes, samples, ctx.preprocessing, ctx.cache, ctx.seed),
      close: () => ctx.cache.close(),
    };
  } catch (err) {
    await ctx.cache.close();
    throw err;
  }
}

interface LoadContext {
  preprocessing: PreprocessingConfig;
  cache: PixelCache;
  seed: number;
  warnings: string[];
  warn: (message: string) => void;
  collect: Parameters<typeof collectImages>[1];
}

async function openContext(opts: LoadOptions): Promise<LoadContext> {
  const preprocessing = resolvePreprocessing(opts.preprocessing);
  const cache = await PixelCache.open(opts.cacheDir ?? path.resolve(DEFAULT_CACHE_DIR), preprocessing);
  const warnings: string[] = [];
  const sink = opts.onWarning ?? ((m: string) => console.warn(`warning: ${m}`));
  const warn = (message: string) => {
    warnings.push(message);
    sink(message);
  };
  return {
    preprocessing,
    cache,
    seed: opts.seed ?? DEFAULT_SEED,
    warnings,
    warn,
    collect: {
      layout: opts.layout ?? 'class-folders',
      preprocessing,
      cache,
      maxInputPixels: opts.maxInputPixels,
      concurrency: Math.max(1, opts.concurrency ?? 8),
      onProgress: opts.onProgress,
    },
  };
}

/**
 * Sorted classes that have usable images; reports skipped files and empty
 * classes, and checks that merged roots agree. Fatal when nothing is usable.
 */
function classesOf(set: CollectedImages, roots: string | readonly string[], warn: (m: string) => void): string[] {
  for (const s of set.skipped) warn(`Skipped '${s.path}': ${s.reason}.`);
  const perRoot = set.scans.map(({ root, scan }) => {
    const abs = path.resolve(root);
    const used = new Set(set.images.filter((i) => i.root === abs).map((i) => i.className));
    for (const folder of scan.classFolders) {
      if (!used.has(folder)) warn(`Class folder '${folder}' in '${root}' has no usable images and is ignored.`);
    }
    return { root, classes: [...used].sort(compareNames) };
  });
  if (set.images.length === 0) {
    const noFolders = set.scans.some((s) => s.scan.classFolders.length === 0 && s.scan.skipped.length > 0);
    const hint = noFolders ? " (the images must be in one sub-folder per class, or use the 'filename-prefix' layout)" : '';
    throw new DatasetError('NO_USABLE_IMAGES', `No usable images were found in ${describeRoots(roots)}${hint}.`);
  }
  const withImages = perRoot.filter((r) => r.classes.length > 0);
  const first = withImages[0];
  for (const other of withImages.slice(1)) {
    if (other.classes.join('\n') !== first.classes.join('\n')) {
      throw new DatasetError(
        'CLASS_MISMATCH',
        `The folders '${first.root}' (${first.classes.join(', ')}) and '${other.root}' (${other.classes.join(', ')}) have different classes.`,
      );
    }
  }
  return first.classes;
}

function toSamples(images: readonly UsableImage[], classes: readonly string[]): DatasetSample[] {
  const label = new Map(classes.map((c, i) => [c, i]));
  return images
    .map((img) => ({ path: img.path, label: label.get(img.className) as number, entry: img.entry }))
    .sort((a, b) => a.label - b.label || compareNames(a.path, b.path));
}

function buildReport(
  classes: string[],
  sets: CollectedImages[],
  ctx: LoadContext,
  splits: { train: { samples: DatasetSample[]; source: string[] }; validation?: { samples: DatasetSample[]; source: string[] } },
): DatasetReport {
  const splitReport = (s: { samples: DatasetSample[]; source: string[] }) => ({
    images: s.samples.length,
    perClass: countPerClass(classes, s.samples.map((x) => x.label)),
    source: s.source,
  });
  const train = splitReport(splits.train);
  const used = [...splits.train.samples, ...(splits.validation?.samples ?? [])];
  const formats: Record<string, number> = {};
  for (const s of used) formats[s.entry.format] = (formats[s.entry.format] ?? 0) + 1;
  const balance = imbalance(train.perClass);
  if (balance.warning) ctx.warn(balance.warning);
  const skipped = sets.flatMap((s) => s.skipped);
  const summary = skippedSummary(skipped, used.length);
  if (skipped.length > 0) ctx.warn(summary);
  return {
    classes,
    splits: splits.validation ? { train, validation: splitReport(splits.validation) } : { train },
    imageSize: sizeStats(used.map((s) => ({ width: s.entry.sourceWidth, height: s.entry.sourceHeight }))),
    formats,
    skipped,
    ignored: sets.reduce((n, s) => n + s.ignored, 0),
    imbalanceRatio: balance.ratio,
    warnings: ctx.warnings,
    summary,
    cache: {
      dir: ctx.cache.dir,
      reused: sets.reduce((n, s) => n + s.reused, 0),
      decoded: sets.reduce((n, s) => n + s.decoded, 0),
      decodeSeconds: sets.reduce((n, s) => n + s.decodeSeconds, 0),
    },
  };
}

function toList(roots: string | readonly string[]): string[] {
  return typeof roots === 'string' ? [roots] : [...roots];
}

function describeRoots(roots: string | readonly string[]): string {
  return toList(roots).map((r) => `'${r}'`).join(', ');
}
