// Data-parallel training over MPI, as Horovod and PyTorch DDP do it: every rank
// holds the whole network, trains on its own part of each global batch, and the
// gradients are averaged with one allreduce per step before the optimizer step,
// so all ranks take identical steps and their weights stay equal.
import * as tf from '@tensorflow/tfjs';
import type { Communicator } from '@imgclass/mpi';
import type { BatchShard } from '../data/batch-iterator';
import { ImgclassError } from '../errors';
import type { GradientExchange, StepTotals } from './step-exchange';
import type { TrainingState } from '../trained-network/checkpoint';
import { accumulateWeighted, averagedGradients, gradientLength } from './gradient-buffer';

/** The slots after the gradients in the fused buffer: what the step reports, and the stop vote. */
const TOTALS_SLOTS = 4;

export interface AllreduceTimes {
  steps: number;
  seconds: number;
  /** Bytes of the fused buffer each step reduces (gradients + 4 floats). */
  bufferBytes: number;
}

export class DataParallel {
  readonly times: AllreduceTimes = { steps: 0, seconds: 0, bufferBytes: 0 };
  /** Set when any rank asked to stop (Ctrl-C / SIGTERM) in the last step: all ranks stop after it together. */
  stopAgreed = false;
  private fused: Float32Array | undefined;

  constructor(
    readonly world: Communicator,
    /** This process's rank among those on its host (the first on each host decodes the pictures for that host's cache). */
    readonly localRank = 0,
  ) {}

  get rank(): number {
    return this.world.rank;
  }

  get size(): number {
    return this.world.size;
  }

  /** Rank 0 alone writes the run folder, validates, and prints. */
  get isRoot(): boolean {
    return this.world.rank === 0;
  }

  get shard(): BatchShard {
    return { index: this.world.rank, count: this.world.size };
  }

  /** Rank 0's value on every rank (JSON): config with its random seed, run folder, decisions. */
  fromRoot<T>(value: T): T {
    return this.world.broadcastJson(this.isRoot ? value : (null as T), 0);
  }

  /**
   * Runs `load` on the first rank of each host, then on the others, which
   * find the host's pixel cache filled (decoding once per host, not per rank).
   */
  async loadInTurn<T>(load: () => Promise<T>): Promise<T> {
    const first = this.localRank === 0;
    const result = first ? await load() : undefined;
    this.world.barrier();
    return first ? (result as T) : load();
  }

  /** Fails on every rank alike when the global batch cannot give each rank at least one picture. */
  checkBatch(batchSize: number, trainImages: number, microBatches: number): void {
    if (microBatches > 1 && this.size > 1) {
      throw new ImgclassError('INVALID_OPTION', '--micro-batches splits a batch in one process; with several ranks each already trains on its part, so leave it out.');
    }
    const smallest = Math.min(batchSize, trainImages);
    if (smallest < this.size) {
      throw new ImgclassError(
        'INVALID_OPTION',
        `A global batch of ${smallest} pictures cannot be split across ${this.size} ranks; use --batch ${this.size} or more (and as many training pictures), or fewer ranks.`,
      );
    }
  }

  /**
   * The step's gradient exchange. Each rank's gradients are of its mean loss
   * over its n pictures; weighting them by n, summing, and dividing by the
   * batch's total gives the gradient of the mean loss over the whole batch —
   * what one process on the whole batch computes, up to float rounding.
   * Gradients, loss, correct count, picture count and the stop vote travel in
   * one buffer: one allreduce per step (Horovod's tensor fusion).
   */
  exchange(stopRequested: boolean): GradientExchange {
    return (grads, local) => {
      const total = gradientLength(grads);
      if (!this.fused || this.fused.length !== total + TOTALS_SLOTS) this.fused = new Float32Array(total + TOTALS_SLOTS);
      const fused = this.fused;
      accumulateWeighted(fused, grads, local.images, false);
      fused[total] = local.loss * local.images;
      fused[total + 1] = local.correct;
      fused[total + 2] = local.images;
      fused[total + 3] = stopRequested ? 1 : 0;
      const started = performance.now();
      this.world.allreduce(fused, 'sum');
      this.times.seconds += (performance.now() - started) / 1000;
      this.times.steps++;
      this.times.bufferBytes = fused.byteLength;
      const images = fused[total + 2];
      this.stopAgreed = fused[total + 3] > 0;
      const totals: StepTotals = { loss: fused[total] / images, correct: fused[total + 1], images };
      return { grads: averagedGradients(fused, grads, images), totals };
    };
  }

  /**
   * Makes every rank start from rank 0's network, optimizer state and loop
   * state: its initial weights in a new run, its restored checkpoint in a
   * resumed one (which may have had another number of ranks: nothing in a
   * checkpoint depends on it). BatchNorm's moving statistics come along.
   */
  async startFromRoot(model: tf.LayersModel, optimizer: tf.Optimizer, state: TrainingState): Promise<TrainingState> {
    const rootOptimizer = this.isRoot ? await optimizer.getWeights() : [];
    const layout = this.fromRoot({
      state,
      optimizer: rootOptimizer.map((w) => ({ name: w.name, shape: w.tensor.shape, dtype: w.tensor.dtype })),
    });
    const weightSizes = model.weights.map((w) => w.shape.reduce((a: number, b) => a * (b as number), 1));
    const optimizerSizes = layout.optimizer.map((w) => w.shape.reduce((a, b) => a * b, 1));
    const flat = new Float32Array([...weightSizes, ...optimizerSizes].reduce((a, b) => a + b, 0));
    if (this.isRoot) {
      let offset = 0;
      for (const tensor of [...model.weights.map((w) => w.read()), ...rootOptimizer.map((w) => w.tensor)]) {
        flat.set(tensor.dataSync(), offset);
        offset += tensor.size;
      }
    }
    // getWeights() returns the optimizer's own variables, plus a fresh scalar for the iteration count.
    rootOptimizer[0]?.tensor.dispose();
    this.world.broadcast(flat, 0);
    if (this.isRoot) return layout.state;
    let offset = 0;
    const take = (size: number) => flat.slice(offset, (offset += size));
    const weights = model.weights.map((w, i) => tf.tensor(take(weightSizes[i]), w.shape as number[], w.dtype));
    model.setWeights(weights);
    tf.dispose(weights);
    const optimizerWeights = layout.optimizer.map((w, i) => ({
      name: w.name,
      tensor: tf.tensor(w.dtype === 'int32' ? Int32Array.from(take(optimizerSizes[i])) : take(optimizerSizes[i]), w.shape, w.dtype),
    }));
    if (optimizerWeights.length > 0) await optimizer.setWeights(optimizerWeights);
    tf.dispose(optimizerWeights.map((w) => w.tensor));
    return layout.state;
  }
}
