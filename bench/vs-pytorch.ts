// imgclass (tf.layers on 'onednn') against PyTorch on the same CPU, alternating in one run.
//
// Each network is built with imgclass's buildModel and trained through the stock tf.layers API
// (compile with tf.train.adam, trainOnBatch); bench/vs_pytorch.py builds the same network in
// PyTorch (channels_last, torch.optim.Adam; bf16 = torch.autocast('cpu', bfloat16)) and runs
// as a child process. Both use the same number of threads and alternate step by step (one
// imgclass step, one PyTorch step, ...), so that the machine's drift hits both alike; each
// round sums --steps steps of each side, and the table shows medians over rounds.
// Mode `imgclass-train` runs the `imgclass train` command itself on --pictures (a class-folder
// dataset; its pixel cache is filled by an untimed first run of one epoch) for two epochs, and takes
// the images/s it logs for the second (steps plus waiting for their batches; the first epoch carries
// the process's one-time start — oneDNN creating and compiling its primitives, ~1.5 s — which PyTorch's
// side, warmed in the same way, does not pay either); PyTorch then trains as many steps on random
// data, alternating epoch by epoch.
//   npm run bench:vs-pytorch -- [--networks resnet18-half,resnet18,mobilenet] [--precisions float32,bfloat16]
//                               [--modes train,predict,imgclass-train] [--rounds 3] [--steps 5] [--threads 2]
//                               [--size 128] [--pictures ../shared/datasets/cats-vs-dogs/train] [--torch-malloc tuned|glibc]
//                               [--onednn-time]
// --onednn-time also sums, per step, the time each side spends inside oneDNN's primitives (ours from
// the backend's primitive timer, PyTorch's from DNNL_VERBOSE in a second PyTorch process, stepped
// after the plain one, whose times stay the ones compared): both call the same libdnnl, so that time
// is the part of a step neither can win by its own code. The table then adds both sums and the ratio
// imgclass would reach if everything outside those primitives took no time ("ceiling").
// Prints one JSON line per measurement, then the table. Needs a Python with torch (PYTHON, else
// /usr/bin/python3, else python3: Debian's python3-torch); without one it measures imgclass only.
import {spawn, spawnSync, ChildProcessWithoutNullStreams} from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const NETWORKS = option('--networks', 'resnet18-half,resnet18,mobilenet').split(',');
const PRECISIONS = option('--precisions', 'float32,bfloat16').split(',') as Array<'float32'|'bfloat16'>;
const TORCH_MALLOC = option('--torch-malloc', 'tuned');
if (TORCH_MALLOC !== 'tuned' && TORCH_MALLOC !== 'glibc') {
  console.error(`--torch-malloc is tuned or glibc, got '${TORCH_MALLOC}'.`);
  process.exit(2);
}
// glibc hands each large tensor PyTorch allocates fresh mmap()ed pages unless its dynamic
// threshold has risen; the kernels then pay a page fault per 4 KB they write, and MobileNet
// inference runs at ~170-290 images/s instead of ~800-1,400 (same oneDNN primitives, per
// DNNL_VERBOSE). A fixed threshold keeps freed blocks for reuse, as the jemalloc/tcmalloc
// that PyTorch's CPU tuning guides recommend would: the peer is PyTorch at its fast mode.
// `--torch-malloc glibc` runs it with glibc's defaults, as a plain `python3` does.
const TORCH_MALLOC_ENV = TORCH_MALLOC === 'glibc' ? {} : {MALLOC_MMAP_THRESHOLD_: String(32 << 20), MALLOC_TRIM_THRESHOLD_: String(256 << 20)};
type Mode = 'train'|'predict'|'imgclass-train';
const MODES = option('--modes', 'train,predict').split(',') as Mode[];
const ROUNDS = Number(option('--rounds', '3'));
const STEPS = Number(option('--steps', '5'));
const THREADS = Number(option('--threads', '2'));
const SIZE = Number(option('--size', '128'));
const PICTURES = path.resolve(option('--pictures', path.join(__dirname, '../../shared/datasets/cats-vs-dogs/train')));
const BATCH = 32;
const ONEDNN_TIME = args.includes('--onednn-time');

// Before the backend loads: it reads the thread count at import.
process.env.TFJS_ONEDNN_THREADS = String(THREADS);
/* eslint-disable @typescript-eslint/no-var-requires */
const tf = require('@tensorflow/tfjs') as typeof import('@tensorflow/tfjs');
const onednn = require('../packages/tfjs-backend-onednn/src/index') as typeof import('../packages/tfjs-backend-onednn/src/index');
const {buildModel, foldBatchNorm} = require('../packages/imgclass/src/models') as typeof import('../packages/imgclass/src/models');

function emit(record: object) {
  console.log(JSON.stringify(record));
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** A Python that imports torch, or undefined. */
function findPython(): string|undefined {
  const candidates = [process.env.PYTHON, '/usr/bin/python3', 'python3'].filter((p): p is string => !!p);
  return candidates.find(p => spawnSync(p, ['-c', 'import torch'], {stdio: 'ignore'}).status === 0);
}

/** bench/vs_pytorch.py for one network: one JSON line per command. */
class TorchWorker {
  private lines: AsyncIterableIterator<string>;
  /** With --onednn-time: DNNL_VERBOSE's execution times since the last command. */
  private primitiveMs = 0;
  private constructor(private child: ChildProcessWithoutNullStreams) {
    this.lines = readline.createInterface({input: child.stdout})[Symbol.asyncIterator]();
    child.stderr.on('data', (d: Buffer) => process.stderr.write(d));
  }

  /** With `verbose`, oneDNN prints each primitive's time (DNNL_VERBOSE), which measure() sums. */
  static async start(python: string, network: string, verbose = false) {
    const script = path.join(__dirname, 'vs_pytorch.py');
    const child = spawn(python, [script, network, String(SIZE), String(BATCH), String(THREADS)], {
      env: {...process.env, OMP_NUM_THREADS: String(THREADS), ...TORCH_MALLOC_ENV, ...(verbose ? {DNNL_VERBOSE: '1'} : {})},
    });
    const worker = new TorchWorker(child);
    return {worker, params: await worker.next() as {trainable: number, non_trainable: number, torch: string}};
  }

  private async next(): Promise<Record<string, unknown>> {
    for (;;) {
      const {value, done} = await this.lines.next();
      if (done) throw new Error('bench/vs_pytorch.py exited early (its error is above)');
      // onednn_verbose,exec,cpu,<primitive>,<implementation>,...,<milliseconds> (dnnl_verbose before 2.5)
      const verbose = /^(onednn|dnnl)_verbose,(exec,)?/.exec(value);
      if (verbose == null) return JSON.parse(value);
      if (verbose[2]) this.primitiveMs += Number(value.slice(value.lastIndexOf(',') + 1));
    }
  }

  /** Seconds of `steps` steps, after an untimed one if `warmup`; with --onednn-time, the ms inside oneDNN of all of them. */
  async measure(mode: string, precision: string, steps: number, warmup: boolean) {
    this.primitiveMs = 0;
    this.child.stdin.write(JSON.stringify({mode, precision, steps, warmup}) + '\n');
    const result = await this.next() as {seconds: number};
    return {seconds: result.seconds, primitiveMs: this.primitiveMs};
  }

  stop() {
    this.child.stdin.end();
  }
}

/** imgclass's network through stock tf.layers: trainOnBatch with tf.train.adam, predict. */
function tfjsSide(network: string) {
  const model = buildModel(network, {size: SIZE, classes: 2, seed: 1});
  model.compile({optimizer: tf.train.adam(1e-3), loss: 'sparseCategoricalCrossentropy'});
  const xs = tf.randomNormal([BATCH, SIZE, SIZE, 3], 0, 1, 'float32', 1);
  const ys = tf.tensor1d(Array.from({length: BATCH}, (_, i) => i % 2), 'float32');
  // imgclass predict/evaluate run the network with BatchNorm folded into the convolutions.
  let inference: ReturnType<typeof buildModel>|undefined;
  const count = (weights: tf.LayerVariable[]) => weights.reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1), 0);
  const run = {
    train: async () => { await model.trainOnBatch(xs, ys); },
    predict: async () => {
      inference ??= foldBatchNorm(model);
      const y = inference.predict(xs) as tf.Tensor;
      await y.data();
      y.dispose();
    },
  };
  return {
    params: {trainable: count(model.trainableWeights), non_trainable: count(model.nonTrainableWeights)},
    /** Seconds of `steps` steps, after an untimed one if `warmup` (primitives, optimizer slots). */
    async measure(mode: 'train'|'predict', precision: 'float32'|'bfloat16', steps: number, warmup: boolean) {
      onednn.setPrecision(precision);
      if (warmup) await run[mode]();
      if (ONEDNN_TIME) onednn.startKernelProfile();
      const start = process.hrtime.bigint();
      for (let s = 0; s < steps; s++) await run[mode]();
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      if (ONEDNN_TIME) onednn.stopKernelProfile();
      return {seconds, primitiveMs: ONEDNN_TIME ? onednn.primitiveTime().ms : 0};
    },
    dispose() {
      onednn.setPrecision('float32');
      if (inference !== model) inference?.dispose();
      model.dispose();
      tf.dispose([xs, ys]);
    },
  };
}

/**
 * `imgclass train` over PICTURES in a child process: with `stepsPerEpoch` unknown, one epoch (its
 * images/s and step count); given it, two epochs logged an epoch at a time, and the second's images/s.
 */
function imgclassTrainEpoch(network: string, precision: 'float32'|'bfloat16', work: string, stepsPerEpoch?: number) {
  const cli = path.join(__dirname, '../packages/imgclass/dist/cli.js');
  const runDir = path.join(work, 'run');
  const run = spawnSync(process.execPath, [
    cli, 'train', PICTURES, '--model', network, '--size', String(SIZE), '--batch', String(BATCH),
    '--epochs', stepsPerEpoch ? '2' : '1', ...(stepsPerEpoch ? ['--log-every', String(stepsPerEpoch)] : []),
    '--seed', '1', '--out', runDir, '--overwrite', '--cache-dir', path.join(work, 'cache'),
    '--json', '--no-report', ...(precision === 'bfloat16' ? ['--bf16'] : []),
  ], {encoding: 'utf8', env: {...process.env, TFJS_ONEDNN_THREADS: String(THREADS)}});
  if (run.status !== 0) throw new Error(`imgclass train failed: ${run.stderr.trim().split('\n').slice(-3).join(' ')}`);
  const result = JSON.parse(run.stdout) as {imagesPerSecond: number, steps: number, trainImages: number};
  if (!stepsPerEpoch) return {images_per_s: result.imagesPerSecond, steps: result.steps};
  const logged = fs.readFileSync(path.join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n')
      .map(line => JSON.parse(line) as {split: string, step: number, imagesPerSecond?: number});
  const second = logged.find(m => m.split === 'train' && m.step === 2 * stepsPerEpoch);
  if (second?.imagesPerSecond == null) throw new Error(`imgclass train logged no line at step ${2 * stepsPerEpoch}`);
  return {images_per_s: second.imagesPerSecond, steps: stepsPerEpoch};
}

type Row = {network: string, mode: string, precision: string, imgclass: number[], pytorch: number[],
            /** With --onednn-time, per round: ms per step inside oneDNN's primitives. */
            imgclassOnednnMs: number[], pytorchOnednnMs: number[],
            /** Mode imgclass-train: the steps of an epoch of PICTURES. */
            stepsPerEpoch?: number};

async function main() {
  await tf.setBackend('onednn');
  const python = findPython();
  emit({bench: 'machine', cpu: os.cpus()[0]?.model, cores: os.availableParallelism(), threads: THREADS,
        ...onednn.info(), tfjs: tf.version.tfjs, python: python ?? null, torchMalloc: TORCH_MALLOC});
  if (python == null) {
    console.log('No Python with torch found (install Debian\'s python3-torch, or set PYTHON): measuring imgclass only.');
  }
  const precisions = PRECISIONS.filter(p => p === 'float32' || onednn.supportsBfloat16());
  const rows: Row[] = [];
  for (const network of NETWORKS) {
    const ours = tfjsSide(network);
    const torch = python ? await TorchWorker.start(python, network) : undefined;
    // DNNL_VERBOSE's printing slows the PyTorch that does it: a second process for the oneDNN sums.
    const verboseTorch = python && ONEDNN_TIME ? await TorchWorker.start(python, network, true) : undefined;
    if (torch) {
      const same = torch.params.trainable === ours.params.trainable && torch.params.non_trainable === ours.params.non_trainable;
      emit({bench: 'vs_pytorch_params', network, imgclass: ours.params, pytorch: torch.params, equal: same});
      if (!same) throw new Error(`${network}: the PyTorch network is not the same (parameter counts differ)`);
    }
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vs-pytorch-'));
    const modes = MODES.filter(mode => mode !== 'imgclass-train' || fs.existsSync(PICTURES));
    if (modes.length < MODES.length) console.log(`${PICTURES} is missing: skipping the imgclass-train mode.`);
    const networkRows = modes.flatMap(mode => precisions.map(precision =>
        ({network, mode, precision, imgclass: [], pytorch: [], imgclassOnednnMs: [], pytorchOnednnMs: []} as Row)));
    for (let round = 0; round < ROUNDS; round++) {
      for (const row of networkRows) {
        const mode = row.mode as Mode, precision = row.precision as 'float32'|'bfloat16';
        if (mode === 'imgclass-train') {
          // The first run fills the pixel cache and counts the steps of an epoch; it is not timed.
          if (round === 0) row.stepsPerEpoch = imgclassTrainEpoch(network, precision, work).steps;
          const a = imgclassTrainEpoch(network, precision, work, row.stepsPerEpoch);
          const b = torch ? await torch.worker.measure('train', precision, a.steps, true) : undefined;
          const torchImages = b ? BATCH * a.steps / b.seconds : undefined;
          row.imgclass.push(a.images_per_s);
          if (torchImages) row.pytorch.push(torchImages);
          emit({bench: 'vs_pytorch', network, mode, precision, round, batch: BATCH, size: SIZE, pictures: PICTURES,
                imgclass_images_per_s: +a.images_per_s.toFixed(2),
                pytorch_images_per_s: torchImages ? +torchImages.toFixed(2) : null,
                ratio: torchImages ? +(a.images_per_s / torchImages).toFixed(3) : null});
          continue;
        }
        // Alternating single steps, after one untimed step of each side in this mode and precision.
        await ours.measure(mode, precision, 0, true);
        await torch?.worker.measure(mode, precision, 0, true);
        await verboseTorch?.worker.measure(mode, precision, 0, true);
        let ourSeconds = 0, torchSeconds = 0, ourPrimitiveMs = 0, torchPrimitiveMs = 0;
        for (let step = 0; step < STEPS; step++) {
          const a = await ours.measure(mode, precision, 1, false);
          ourSeconds += a.seconds;
          ourPrimitiveMs += a.primitiveMs;
          if (!torch) continue;
          const b = await torch.worker.measure(mode, precision, 1, false);
          torchSeconds += b.seconds;
          if (verboseTorch) torchPrimitiveMs += (await verboseTorch.worker.measure(mode, precision, 1, false)).primitiveMs;
        }
        const onednnTime = ONEDNN_TIME ? {imgclass_onednn_ms_per_step: +(ourPrimitiveMs / STEPS).toFixed(2),
                                          pytorch_onednn_ms_per_step: torch ? +(torchPrimitiveMs / STEPS).toFixed(2) : null} : {};
        if (ONEDNN_TIME) {
          row.imgclassOnednnMs.push(ourPrimitiveMs / STEPS);
          if (torch) row.pytorchOnednnMs.push(torchPrimitiveMs / STEPS);
        }
        const a = {images_per_s: BATCH * STEPS / ourSeconds};
        const b = torch ? {images_per_s: BATCH * STEPS / torchSeconds} : undefined;
        row.imgclass.push(a.images_per_s);
        if (b) row.pytorch.push(b.images_per_s);
        emit({bench: 'vs_pytorch', network, mode, precision, round, batch: BATCH, size: SIZE,
              imgclass_images_per_s: +a.images_per_s.toFixed(2),
              pytorch_images_per_s: b ? +b.images_per_s.toFixed(2) : null,
              ratio: b ? +(a.images_per_s / b.images_per_s).toFixed(3) : null, ...onednnTime});
      }
    }
    rows.push(...networkRows);
    torch?.worker.stop();
    verboseTorch?.worker.stop();
    ours.dispose();
    fs.rmSync(work, {recursive: true, force: true});
  }

  console.log(`\n${NETWORKS.join(', ')} at ${SIZE}×${SIZE}, batch ${BATCH}, ${THREADS} threads each, medians of ${ROUNDS} ` +
              `rounds of ${STEPS} alternating steps (images/s); ratio = median of the per-round ratios`);
  const onednnColumns = ONEDNN_TIME ? ' imgclass in oneDNN (ms/step) | PyTorch in oneDNN (ms/step) | ceiling |' : '';
  console.log(`| network | mode | precision | imgclass | PyTorch | ratio | ratio range |${onednnColumns}`);
  console.log(`|---|---|---|---|---|---|---|${ONEDNN_TIME ? '---|---|---|' : ''}`);
  for (const r of rows) {
    const ratios = r.pytorch.map((p, i) => r.imgclass[i] / p);
    const fmt = (v: number[]) => v.length ? median(v).toFixed(1) : '–';
    // The ratio with nothing but oneDNN's primitives left on our side: PyTorch's step ÷ our time inside them.
    const ceilings = r.pytorch.length ? r.imgclassOnednnMs.map((ms, i) => 1000 * BATCH / r.pytorch[i] / ms) : [];
    const onednn = ONEDNN_TIME ? ` ${fmt(r.imgclassOnednnMs)} | ${fmt(r.pytorchOnednnMs)} | ${ceilings.length ? median(ceilings).toFixed(2) + '×' : '–'} |` : '';
    console.log(`| ${r.network} | ${r.mode} | ${r.precision} | ${fmt(r.imgclass)} | ${fmt(r.pytorch)} | ` +
                `${ratios.length ? median(ratios).toFixed(2) + '×' : '–'} | ` +
                `${ratios.length ? `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}` : '–'} |${onednn}`);
  }
  // Peak RSS of a training process, each side in a fresh process per precision (5 steps), ours as
  // compiled JavaScript (this benchmark runs under tsx, whose loader alone adds ~70 MB).
  const rssNetwork = NETWORKS[0];
  const ourScript = path.join(__dirname, 'train_step_rss.js');
  if (python && MODES.includes('train') && fs.existsSync(path.join(__dirname, '../packages/imgclass/dist/models/index.js'))) {
    for (const precision of precisions) {
      const ours = spawnSync(process.execPath, [ourScript, rssNetwork, String(SIZE), String(BATCH), precision, '5'],
                             {encoding: 'utf8', env: {...process.env, TFJS_ONEDNN_THREADS: String(THREADS)}});
      const theirs = spawnSync(python, [path.join(__dirname, 'vs_pytorch.py'), rssNetwork, String(SIZE), String(BATCH), String(THREADS)],
                               {encoding: 'utf8', input: JSON.stringify({mode: 'train', precision, steps: 5, warmup: true}) + '\n'});
      const last = (out: string) => JSON.parse(out.trim().split('\n').pop() ?? '{}') as {peak_rss_mb?: number};
      emit({bench: 'vs_pytorch_peak_rss_mb', network: rssNetwork, precision, steps: 5,
            imgclass: last(ours.stdout).peak_rss_mb ?? null, pytorch: last(theirs.stdout).peak_rss_mb ?? null});
    }
  } else if (python && MODES.includes('train')) {
    console.log('Peak RSS: run `npm run build` first (it is measured on the compiled packages).');
  }
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
