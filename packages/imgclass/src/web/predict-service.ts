import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { decodeImage } from '../data/decode';
import { ImageDecodeError } from '../data/errors';
import { MODEL_JSON } from '../trained-network/model-files';
import { Classifier, loadClassifier } from '../trained-network/load-classifier';
import { ClassProbability, predict } from '../predict/predict';
import { MODEL_DIR } from '../trained-network/run-folder';
import { HttpError } from './http-utils';

export interface PagePrediction {
  run: string;
  top: ClassProbability[];
  /** The resized picture the network was given, as a PNG data URI (before normalization, which is not viewable). */
  input: string;
  width: number;
  height: number;
  /** The weights used: the final model or a checkpoint. */
  source: string;
}

interface Loaded {
  classifier: Classifier;
  mtimeMs: number;
}

/**
 * Predictions for the predict page through the library's own loadClassifier
 * and predict (same preprocessing as the CLI); keeps recently used models
 * loaded, and reloads one whose weights changed (a run that finished).
 */
export class PredictService {
  private readonly cache = new Map<string, Promise<Loaded>>();

  constructor(private readonly maxLoaded = 4) {}

  async predict(runName: string, runDir: string, bytes: Buffer): Promise<PagePrediction> {
    if (bytes.length === 0) throw new HttpError(400, 'The upload is empty; choose a picture.');
    const { classifier } = await this.load(runName, runDir);
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'imgclass-upload-'));
    try {
      const file = path.join(tmp, 'upload');
      await writeFile(file, bytes);
      const [prediction] = await predict(classifier, file, { top: Math.min(5, classifier.classes.length) });
      const seen = await decodeImage(bytes, classifier.preprocessing);
      const png = await sharp(seen.data, { raw: { width: seen.width, height: seen.height, channels: 3 } }).png().toBuffer();
      return {
        run: runName,
        top: prediction.top,
        input: `data:image/png;base64,${png.toString('base64')}`,
        width: seen.width,
        height: seen.height,
        source: path.relative(runDir, classifier.source),
      };
    } catch (err) {
      if (err instanceof ImageDecodeError) throw new HttpError(422, `That file is not a picture imgclass can read (${err.reason}).`);
      throw err;
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }

  private async load(runName: string, runDir: string): Promise<Loaded> {
    const cached = this.cache.get(runName);
    if (cached) {
      const loaded = await cached.catch(() => undefined);
      if (loaded && (await this.stillCurrent(loaded, runDir))) {
        // Map order is recency order: move to the end.
        this.cache.delete(runName);
        this.cache.set(runName, cached);
        return loaded;
      }
      this.cache.delete(runName);
      loaded?.classifier.model.dispose();
    }
    const loading = loadClassifier(runDir, { inference: true }).then(async (classifier) => ({ classifier, mtimeMs: (await stat(classifier.source)).mtimeMs }));
    this.cache.set(runName, loading);
    loading.catch(() => this.cache.delete(runName));
    while (this.cache.size > this.maxLoaded) {
      const [oldest, entry] = this.cache.entries().next().value as [string, Promise<Loaded>];
      this.cache.delete(oldest);
      void entry.then((l) => l.classifier.model.dispose(), () => undefined);
    }
    return loading;
  }

  /** False once the run has a final model that was not loaded, or the loaded file changed. */
  private async stillCurrent(loaded: Loaded, runDir: string): Promise<boolean> {
    const finalModel = path.join(runDir, MODEL_DIR, MODEL_JSON);
    if (path.resolve(loaded.classifier.source) !== path.resolve(finalModel) && (await stat(finalModel).catch(() => undefined))) return false;
    const now = await stat(loaded.classifier.source).catch(() => undefined);
    return now?.mtimeMs === loaded.mtimeMs;
  }

  async close(): Promise<void> {
    const all = [...this.cache.values()];
    this.cache.clear();
    for (const entry of all) await entry.then((l) => l.classifier.model.dispose(), () => undefined);
  }
}
