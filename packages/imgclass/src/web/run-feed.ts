import type { ServerResponse } from 'node:http';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { readMetricsRecords } from '../report/run-metrics';
import { trainingCurves } from '../report/training-curves';
import { REPORT_HTML } from '../report/write-run-report';
import { METRICS_JSONL } from '../train/metrics-log';
import { evaluationFragment } from './evaluation-fragment';
import { curvesFragment, factsFragment } from './pages';
import type { RunStore } from './run-store';

const POLL_MS = 400;
const HEARTBEAT_MS = 15_000;

/**
 * Server-sent events for one run page. It watches the run folder rather than
 * listening to the trainer, so a run trained by `imgclass train` in another
 * terminal is as live as one started from the page; the page's own jobs add
 * step-by-step progress. Stops polling when the last page leaves.
 */
export class RunFeed {
  private readonly clients = new Set<ServerResponse>();
  private timer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private metricsKey = '';
  private statusKey = '';
  private polling = false;

  constructor(
    private readonly store: RunStore,
    readonly name: string,
    private readonly failure: () => string | undefined,
    private readonly onIdle: () => void,
  ) {}

  get size(): number {
    return this.clients.size;
  }

  add(res: ServerResponse): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Content-Type-Options': 'nosniff',
    });
    res.write('retry: 2000\n\n');
    this.clients.add(res);
    // 'close' fires for a page closed, a network drop or a client killed mid-stream alike.
    res.on('close', () => this.remove(res));
    res.on('error', () => this.remove(res));
    // A new page gets the current state at once.
    this.metricsKey = '';
    this.statusKey = '';
    if (!this.timer) {
      this.timer = setInterval(() => void this.poll(), POLL_MS);
      this.heartbeat = setInterval(() => this.broadcastRaw(': keep-alive\n\n'), HEARTBEAT_MS);
    }
    void this.poll();
  }

  /** Progress of a job this server runs, straight from its child process. */
  progress(data: { step: number; totalSteps: number; epoch: number; epochs: number; loss: number; accuracy: number }): void {
    this.send('progress', data);
  }

  /** The job's state changed (finished, failed): look again now rather than at the next tick. */
  refresh(): void {
    this.statusKey = '';
    void this.poll();
  }

  close(): void {
    for (const res of this.clients) res.end();
    this.clients.clear();
    this.stop();
  }

  private remove(res: ServerResponse): void {
    if (!this.clients.delete(res)) return;
    if (this.clients.size === 0) {
      this.stop();
      this.onIdle();
    }
  }

  private stop(): void {
    clearInterval(this.timer);
    clearInterval(this.heartbeat);
    this.timer = undefined;
    this.heartbeat = undefined;
  }

  private async poll(): Promise<void> {
    if (this.polling || this.clients.size === 0) return;
    this.polling = true;
    try {
      const dir = path.join(this.store.root, this.name);
      const metrics = await stat(path.join(dir, METRICS_JSONL)).catch(() => undefined);
      const metricsKey = metrics ? `${metrics.size}:${metrics.mtimeMs}` : 'none';
      if (metricsKey !== this.metricsKey) {
        this.metricsKey = metricsKey;
        const records = await readMetricsRecords(dir);
        this.send('curves', { html: curvesFragment(trainingCurves(records)), records: records.length });
      }
      const info = await this.store.info(this.name).catch(() => null);
      const report = await stat(path.join(dir, REPORT_HTML)).catch(() => undefined);
      const status = info?.status ?? (this.failure() ? 'failed' : 'training');
      const statusKey = `${status}:${report?.mtimeMs ?? 0}:${info?.steps ?? 0}`;
      if (statusKey !== this.statusKey) {
        this.statusKey = statusKey;
        this.send('status', {
          status,
          facts: factsFragment(info, this.failure()),
          evaluation: await evaluationFragment(dir, this.name, status),
        });
      }
    } catch {
      // A file caught mid-rewrite; the next tick reads it whole.
    } finally {
      this.polling = false;
    }
  }

  private send(event: string, data: unknown): void {
    this.broadcastRaw(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  private broadcastRaw(chunk: string): void {
    for (const res of this.clients) {
      if (res.destroyed || res.writableEnded) this.remove(res);
      else res.write(chunk);
    }
  }
}
