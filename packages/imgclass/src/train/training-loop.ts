import * as tf from '@tensorflow/tfjs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Batch } from '../data/batch-iterator';
import type { ImageFolderData } from '../data/load-image-folder';
import type { DataParallel } from '../distributed/data-parallel';
import { ImgclassError } from '../errors';
import { copyFileAtomic } from '../io/atomic-file';
import { lossAndAccuracy, predictDataset } from '../evaluate/predict-dataset';
import {
  BEST_CHECKPOINT,
  CHECKPOINT_DIR,
  listStepCheckpoints,
  pruneCheckpoints,
  saveCheckpoint,
  stepCheckpointName,
  TrainingState,
} from '../trained-network/checkpoint';
import type { TrainEvent } from './events';
import { logitsView, LogitsView } from './logits';
import { learningRateAt } from './lr-schedule';
import { MetricsLog, MetricsRecord } from './metrics-log';
import type { RunConfig } from '../trained-network/run-config';
import { StepTotals, trainStep } from './train-step';
import { microBatchStep, partSeed } from './micro-batch-step';
import { mixBatch, MixingSettings, mixingEnabled, TrainingBatch } from './batch-mixing';
import { createRng, deriveSeed } from '../math/rng';
import type { WeightAverage } from './weight-average';

/** Mixing draws from its own generator per (seed, step). */
const MIXING_SALT = 0x3c;

export interface LoopParts {
  runDir: string;
  config: RunConfig;
  data: ImageFolderData;
  model: tf.LayersModel;
  optimizer: tf.Optimizer;
  metrics: MetricsLog;
  state: TrainingState;
  emit: (event: TrainEvent) => void;
  signal?: AbortSignal;
  /** Data-parallel training (mpirun): this rank's part of each batch, gradients averaged over all ranks. */
  dataParallel?: DataParallel;
  /** `--ema`: the moving average of the weights, updated after every step; validation and checkpoints use it. */
  average?: WeightAverage;
}

export interface LoopOutcome {
  stopReason: 'completed' | 'early-stopped' | 'interrupted';
  validationAccuracy: number | null;
  trainLoss: number;
  trainAccuracy: number;
}

/** Running sums over a window of steps. */
class Window {
  loss = 0;
  correct = 0;
  images = 0;
  steps = 0;
  seconds = 0;
  /** Of `seconds`, the time spent waiting for batches. */
  waitSeconds = 0;

  add(loss: number, correct: number, images: number, seconds: number, waitSeconds: number): void {
    this.loss += loss;
    this.correct += correct;
    this.images += images;
    this.steps++;
    this.seconds += seconds;
    this.waitSeconds += waitSeconds;
  }

  /** Mean milliseconds per step spent waiting for the batch. */
  get dataWaitMs(): number {
    return this.steps > 0 ? (1000 * this.waitSeconds) / this.steps : 0;
  }

  /** Share of the step time spent waiting for batches, in percent. */
  get dataWaitPercent(): number {
    return this.seconds > 0 ? (100 * this.waitSeconds) / this.seconds : 0;
  }

  get meanLoss(): number {
    return this.steps > 0 ? this.loss / this.steps : NaN;
  }

  get accuracy(): number {
    return this.images > 0 ? this.correct / this.images : NaN;
  }

  get imagesPerSecond(): number {
    return this.seconds > 0 ? this.images / this.seconds : 0;
  }
}

/**
 * The hand-written training loop (rather than model.fit) so that it can
 * checkpoint and resume mid-epoch, change the learning rate every step,
 * stop cleanly on a signal and notice a NaN loss at the step it happens.
 * Batch order and augmentation come from (seed, epoch), dropout masks from
 * (seed, step): a resumed run sees exactly the batches the straight run would.
 */
export class TrainingLoop {
  readonly stepsPerEpoch: number;
  readonly totalSteps: number;
  readonly epochs: number;
  readonly state: TrainingState;
  private readonly dropRemainder: boolean;
  private lastSavedStep = -1;
  /** Validation just reached a new best: best.ckpt becomes the next step checkpoint. */
  private bestPending = false;
  private lastTrain = { loss: NaN, accuracy: NaN };
  private readonly logits: LogitsView | null;

  constructor(private readonly p: LoopParts) {
    const { config, data } = p;
    // Dropping a last partial batch keeps every step's batch statistics (BatchNorm) comparable.
    this.dropRemainder = data.train.size >= config.batchSize;
    this.stepsPerEpoch = this.dropRemainder ? Math.floor(data.train.size / config.batchSize) : 1;
    this.totalSteps = config.steps ?? (config.epochs as number) * this.stepsPerEpoch;
    if (!Number.isSafeInteger(this.totalSteps)) {
      throw new ImgclassError('INVALID_OPTION', `${config.epochs} epochs of ${this.stepsPerEpoch} steps are more steps than can be counted exactly; ask for fewer.`);
    }
    this.epochs = Math.ceil(this.totalSteps / this.stepsPerEpoch);
    this.state = { ...p.state };
    this.logits = logitsView(p.model);
    this.lastSavedStep = p.state.step;
  }

  async run(): Promise<LoopOutcome> {
    const s = this.state;
    let validationAccuracy: number | null = null;
    while (s.step < this.totalSteps) {
      const interrupted = await this.runEpoch();
      if (interrupted) return this.outcome('interrupted', validationAccuracy);
      if (s.stepInEpoch < this.stepsPerEpoch) break; // the step budget ended mid-epoch
      const epochNumber = s.epoch + 1;
      s.epoch++;
      s.stepInEpoch = 0;
      const validation = await this.validate(epochNumber);
      validationAccuracy = validation?.accuracy ?? validationAccuracy;
      await this.checkpoint('epoch');
      const stopEarly = validation !== null && this.shouldStopEarly(epochNumber);
      // Only rank 0 validates; the others follow its decision.
      if (this.p.dataParallel ? this.p.dataParallel.fromRoot(stopEarly) : stopEarly) return this.outcome('early-stopped', validationAccuracy);
    }
    if (s.stepInEpoch > 0) {
      // Ended mid-epoch (a --steps budget): validate what we have and keep a resumable checkpoint.
      const validation = await this.validate(s.epoch + 1);
      validationAccuracy = validation?.accuracy ?? validationAccuracy;
      await this.checkpoint('final');
    }
    return this.outcome('completed', validationAccuracy);
  }

  /** One (possibly partial) epoch; true when stopped by the signal. */
  private async runEpoch(): Promise<boolean> {
    const { config, data, model, optimizer, emit, signal } = this.p;
    const s = this.state;
    const iterator = data.train.batches({
      batchSize: config.batchSize,
      epoch: s.epoch,
      shuffle: true,
      augment: config.augment,
      labelFormat: 'index',
      dropRemainder: this.dropRemainder,
      shard: this.p.dataParallel?.shard,
    });
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const epochWindow = new Window();
    const logWindow = new Window();
    try {
      // Resuming mid-epoch: the iterator replays this epoch's order; skip what was already trained on.
      for (let i = 0; i < s.stepInEpoch; i++) {
        const skipped = await iterator.next();
        if (!skipped.done) tf.dispose([skipped.value.xs, skipped.value.ys]);
      }
      while (s.step < this.totalSteps && s.stepInEpoch < this.stepsPerEpoch) {
        // Ranks stop together at the step after any of them was asked to: each must reach every allreduce.
        if (this.p.dataParallel ? this.p.dataParallel.stopAgreed : signal?.aborted) {
          const file = await this.checkpoint('interrupt');
          emit({ type: 'interrupted', step: s.step, file });
          return true;
        }
        // Waiting for the batch counts: images/s and the ETA are what the user's clock sees, data preparation included.
        const started = performance.now();
        const next = await iterator.next();
        const waitSeconds = (performance.now() - started) / 1000;
        if (next.done) break;
        const lr = learningRateAt(s.step, this.totalSteps, config);
        const { loss, correct, images } = this.trainStep(next.value, variables, lr);
        // Part of the step's time: images/s count it.
        if (Number.isFinite(loss)) this.p.average?.update(s.step + 1);
        const seconds = (performance.now() - started) / 1000;
        if (!Number.isFinite(loss)) throw await this.nanError(loss);
        s.step++;
        s.stepInEpoch++;
        s.images += images;
        s.seconds += seconds;
        epochWindow.add(loss, correct, images, seconds, waitSeconds);
        logWindow.add(loss, correct, images, seconds, waitSeconds);
        this.lastTrain = { loss: epochWindow.meanLoss, accuracy: epochWindow.accuracy };
        const remaining = this.totalSteps - s.step;
        emit({
          type: 'step',
          step: s.step,
          totalSteps: this.totalSteps,
          epoch: s.epoch + 1,
          epochs: this.epochs,
          stepInEpoch: s.stepInEpoch,
          stepsPerEpoch: this.stepsPerEpoch,
          loss: epochWindow.meanLoss,
          accuracy: epochWindow.accuracy,
          imagesPerSecond: epochWindow.imagesPerSecond,
          etaSeconds: (remaining * config.batchSize) / Math.max(1e-9, epochWindow.imagesPerSecond),
          lr,
          dataWaitPercent: epochWindow.dataWaitPercent,
        });
        if (s.step % config.logEvery === 0) {
          await this.record('train', logWindow, lr);
          Object.assign(logWindow, new Window());
        }
        if (s.step % config.saveEvery === 0 && !signal?.aborted) await this.checkpoint('interval');
      }
    } finally {
      await iterator.return();
    }
    if (epochWindow.steps > 0 && s.stepInEpoch === this.stepsPerEpoch) {
      emit({
        type: 'epoch-end', epoch: s.epoch + 1, train: this.lastTrain, seconds: epochWindow.seconds,
        dataWaitMs: epochWindow.dataWaitMs, dataWaitPercent: epochWindow.dataWaitPercent,
      });
    }
    return false;
  }

  private trainStep(batch: Batch, variables: tf.Variable[], lr: number): StepTotals {
    const { config, data, model, optimizer, dataParallel, signal } = this.p;
    const parts = { model, logits: this.logits, optimizer, variables };
    const settings = {
      lr,
      labelSmoothing: config.labelSmoothing,
      weightDecay: config.weightDecay,
      // Each rank's pictures get their own dropout masks (and mixing partners).
      seed: partSeed(config.seed, dataParallel?.rank ?? 0),
      step: this.state.step,
      exchange: dataParallel?.exchange(signal?.aborted ?? false),
    };
    const mixing: MixingSettings = { mixup: config.mixup ?? 0, cutmix: config.cutmix ?? 0 };
    // Drawn from (seed, step): a resumed run mixes each batch as the straight run did.
    const trainingBatch: TrainingBatch = mixingEnabled(mixing)
      ? mixBatch(batch, data.classes.length, mixing, createRng(deriveSeed(settings.seed, settings.step, MIXING_SALT))).batch
      : batch;
    const microBatches = config.microBatches ?? 1;
    return microBatches > 1 ? microBatchStep(parts, trainingBatch, settings, microBatches) : trainStep(parts, trainingBatch, settings);
  }

  private async validate(epoch: number): Promise<{ accuracy: number } | null> {
    const { data, model, emit, config, dataParallel } = this.p;
    if (!data.validation || data.validation.size === 0 || (dataParallel && !dataParallel.isRoot)) return null;
    const predict = () => predictDataset(model, data.validation as NonNullable<typeof data.validation>, config.batchSize);
    const predictions = this.p.average ? await this.p.average.withAverageIn(predict) : await predict();
    const { loss, accuracy } = lossAndAccuracy(predictions);
    const s = this.state;
    const best = s.bestValAccuracy === null || accuracy > s.bestValAccuracy + config.minDelta;
    if (best) {
      s.bestValAccuracy = accuracy;
      s.bestStep = s.step;
      s.epochsWithoutImprovement = 0;
    } else {
      s.epochsWithoutImprovement++;
    }
    const record: MetricsRecord = {
      split: 'validation',
      step: s.step,
      epoch,
      loss,
      accuracy,
      lr: learningRateAt(Math.max(0, s.step - 1), this.totalSteps, config),
      imagesPerSecond: null,
      seconds: s.seconds,
      dataWaitMs: null,
      dataWaitPercent: null,
    };
    await this.p.metrics.append(record);
    emit({ type: 'validation', record, best });
    // Saved with the step checkpoint that follows every validation (see checkpoint()).
    if (best) this.bestPending = true;
    return { accuracy };
  }

  private shouldStopEarly(epoch: number): boolean {
    const { config, emit } = this.p;
    const s = this.state;
    if (config.patience === null || s.epochsWithoutImprovement < config.patience) return false;
    emit({ type: 'early-stop', epoch, patience: config.patience, bestValAccuracy: s.bestValAccuracy ?? NaN });
    return true;
  }

  private async record(split: 'train', window: Window, lr: number): Promise<void> {
    if (this.p.dataParallel && !this.p.dataParallel.isRoot) return;
    const s = this.state;
    const record: MetricsRecord = {
      split,
      step: s.step,
      epoch: s.epoch + 1,
      loss: window.meanLoss,
      accuracy: window.accuracy,
      lr,
      imagesPerSecond: window.imagesPerSecond,
      seconds: s.seconds,
      dataWaitMs: window.dataWaitMs,
      dataWaitPercent: window.dataWaitPercent,
    };
    await this.p.metrics.append(record);
    this.p.emit({ type: 'log', record });
  }

  private async checkpoint(reason: 'interval' | 'epoch' | 'final' | 'interrupt'): Promise<string> {
    const { runDir, model, optimizer, config, emit, dataParallel } = this.p;
    const s = this.state;
    const dir = path.join(runDir, CHECKPOINT_DIR);
    // Rank 0 alone writes the run folder; the other ranks hold the same weights and optimizer state.
    if (dataParallel && !dataParallel.isRoot) return path.join(dir, stepCheckpointName(s.step));
    const file = path.join(dir, stepCheckpointName(s.step));
    // A checkpoint of this step written before the validation lacks its new best score: write it again.
    const upToDate = s.step === this.lastSavedStep && !this.bestPending && (await exists(file));
    if (!upToDate) {
      await saveCheckpoint(file, model, optimizer, s, this.p.average);
      this.lastSavedStep = s.step;
      emit({ type: 'checkpoint', file, step: s.step, reason });
    }
    if (this.bestPending) {
      // The best weights are this step's: a copy (a reflink where the file system has them) of the file
      // just written, so rotation or damage of either file leaves the other intact.
      const best = path.join(dir, BEST_CHECKPOINT);
      await copyFileAtomic(file, best);
      this.bestPending = false;
      emit({ type: 'checkpoint', file: best, step: s.step, reason: 'best' });
    }
    if (!upToDate) await pruneCheckpoints(runDir, config.keepCheckpoints);
    return file;
  }

  private async nanError(loss: number): Promise<ImgclassError> {
    const { runDir, config } = this.p;
    const step = this.state.step + 1;
    const last = (await listStepCheckpoints(runDir))[0];
    const kept = last ? `the last good checkpoint (step ${last.step}) is kept` : 'no checkpoint had been written yet';
    const lower = (config.lr / 10).toExponential(0).replace('e+', 'e');
    return new ImgclassError(
      'NAN_LOSS',
      `The loss became ${loss} at step ${step} (epoch ${this.state.epoch + 1}), so training stopped; ${kept}; start a new run with a lower learning rate, for example --lr ${lower}.`,
    );
  }

  private outcome(stopReason: LoopOutcome['stopReason'], validationAccuracy: number | null): LoopOutcome {
    return { stopReason, validationAccuracy, trainLoss: this.lastTrain.loss, trainAccuracy: this.lastTrain.accuracy };
  }
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(() => true, () => false);
}
