// Child process of `imgclass serve`: trains one run and reports over IPC, so
// the server's event loop never waits on a training step.
import '../backend';
import { writeRunReport } from '../report/write-run-report';
import { train, TrainOptions } from '../train';

export interface WorkerStart {
  type: 'start';
  options: TrainOptions & { out: string };
  cacheDir?: string;
}

export type WorkerMessage =
  | { type: 'event'; event: import('../train').TrainEvent }
  | { type: 'finished'; stopReason: string; validationAccuracy: number | null }
  | { type: 'failed'; message: string };

const controller = new AbortController();
// The server stops its jobs with SIGTERM: finish the step and keep a checkpoint, as `train` does on Ctrl-C.
process.on('SIGTERM', () => controller.abort());
process.on('SIGINT', () => controller.abort());
// The server went away: stop the same way.
process.on('disconnect', () => controller.abort());

function report(message: WorkerMessage): void {
  if (process.connected) process.send?.(message);
}

process.once('message', (start: WorkerStart) => {
  void (async () => {
    try {
      const result = await train(start.options, {
        signal: controller.signal,
        cacheDir: start.cacheDir,
        onEvent: (event) => {
          if (event.type !== 'decode-progress' && event.type !== 'checkpoint') report({ type: 'event', event });
        },
      });
      if (result.stopReason !== 'interrupted') await writeRunReport(result.runDir, { cacheDir: start.cacheDir });
      report({ type: 'finished', stopReason: result.stopReason, validationAccuracy: result.validationAccuracy });
    } catch (err) {
      report({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
      process.exitCode = 1;
    } finally {
      process.disconnect?.();
    }
  })();
});
