import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { MODEL_JSON } from '../trained-network/model-files';
import { readMetricsRecords, summarizeMetrics, MetricsSummary } from '../report/run-metrics';
import { METRICS_JSONL } from '../train/metrics-log';
import { CHECKPOINT_DIR } from '../trained-network/checkpoint';
import { isRunFolder, MODEL_DIR, readRunFolder, SavedRunConfig } from '../trained-network/run-folder';
import { isRunName } from './safe-paths';

export type RunStatus = 'training' | 'done' | 'stopped' | 'failed';

export interface RunInfo extends MetricsSummary {
  name: string;
  status: RunStatus;
  config: SavedRunConfig;
  classes: string[];
  /** A final model or a checkpoint exists, so the predict page can use it. */
  canPredict: boolean;
}

/** What the server knows about runs it is training itself. */
export interface JobStates {
  state(name: string): 'running' | 'failed' | undefined;
}

/** A run trained elsewhere counts as training while its metrics file changed this recently. */
const ACTIVE_WINDOW_MS = 120_000;

/** Reads the run folders under the runs root; no state of its own, so it is always current. */
export class RunStore {
  constructor(
    readonly root: string,
    private readonly jobs: JobStates,
  ) {}

  async names(): Promise<string[]> {
    const entries = await readdir(this.root, { withFileTypes: true }).catch(() => []);
    const names: string[] = [];
    for (const e of entries) {
      if (e.isDirectory() && isRunName(e.name) && (await isRunFolder(path.join(this.root, e.name)))) names.push(e.name);
    }
    return names;
  }

  /** Every run, newest first. */
  async list(): Promise<RunInfo[]> {
    const runs = await Promise.all((await this.names()).map((n) => this.info(n).catch(() => undefined)));
    return runs.filter((r): r is RunInfo => r !== undefined).sort((a, b) => b.config.createdAt.localeCompare(a.config.createdAt));
  }

  /** Throws ImgclassError NOT_A_RUN when the folder is not a run. */
  async info(name: string): Promise<RunInfo> {
    const dir = path.join(this.root, name);
    const { config, classes } = await readRunFolder(dir);
    const summary = summarizeMetrics(await readMetricsRecords(dir));
    const hasModel = await exists(path.join(dir, MODEL_DIR, MODEL_JSON));
    const canPredict = hasModel || (await readdir(path.join(dir, CHECKPOINT_DIR)).catch(() => [])).some((f) => f.endsWith('.ckpt'));
    return { name, config, classes, ...summary, status: await this.status(name, hasModel), canPredict };
  }

  private async status(name: string, hasModel: boolean): Promise<RunStatus> {
    const job = this.jobs.state(name);
    if (job === 'running') return 'training';
    if (hasModel) return 'done';
    if (job === 'failed') return 'failed';
    const metrics = await stat(path.join(this.root, name, METRICS_JSONL)).catch(() => undefined);
    return metrics && Date.now() - metrics.mtimeMs < ACTIVE_WINDOW_MS ? 'training' : 'stopped';
  }
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(() => true, () => false);
}
