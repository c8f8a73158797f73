import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { formatLr, lrFindChart } from '../report/lr-find-chart';
import { svgToPng } from '../report/write-run-report';
import { lrFind, LrFindResult, OptimizerName } from '../train';
import { choiceOpt, CommandSpec, numberOpt, stringOpt } from './command';
import { bar } from './output';
import { TRAINING_OPTIONS } from './training-options';
import { parseAugment } from './train-command';

export const lrFindCommand: CommandSpec = {
  name: 'lr-find',
  summary: 'Learning-rate finder: a short run with a rising rate, a plot of loss vs rate, a suggested rate',
  usage: ['lr-find <train-dir...> [--model lenet5] [--size 150] [--batch 32] [--start 1e-7] [--end 10] [--steps 100] [--out FILE.svg]'],
  description: [
    "fastai's learning-rate finder: trains a fresh network for --steps steps while the learning rate rises",
    'exponentially from --start to --end, smooths the loss (moving average, 0.98) and stops early once it',
    'exceeds 4× its best. The suggested rate is where the smoothed loss falls fastest per factor of rate',
    '(before its minimum): the network learns quickest there and is still well clear of the blow-up.',
    'The minimum/10 rule of thumb is printed too. The plot (loss vs rate, log axis) goes to --out and a PNG',
    'beside it. Nothing is saved of the network; train with --lr set to the suggestion.',
  ].join('\n'),
  options: {
    ...TRAINING_OPTIONS,
    start: { type: 'string', value: 'LR', description: 'First learning rate. Default 1e-7.' },
    end: { type: 'string', value: 'LR', description: 'Last learning rate. Default 10.' },
    steps: { type: 'string', value: 'N', description: 'Optimizer steps. Default 100.' },
    seed: { type: 'string', value: 'N', description: 'Seed for weights, data order and augmentation. Default random (printed).' },
    out: { type: 'string', value: 'FILE.svg', description: 'The plot. Default lr-find.svg; a PNG is written beside it.' },
    'no-png': { type: 'boolean', description: 'SVG only.' },
    json: { type: 'boolean', description: 'Print the rates, losses and suggestion as JSON.' },
  },
  examples: [
    'imgclass lr-find data/train',
    'imgclass lr-find data/train --model resnet18 --size 96 --out plots/lr-resnet18.svg',
    'imgclass lr-find data/train --optimizer sgd --momentum 0.9 --start 1e-5 --end 1 --steps 60',
  ],
  positionals: { min: 1 },
  async run({ positionals, values, out }) {
    const svgFile = path.resolve(stringOpt(values, 'out') ?? 'lr-find.svg');
    const result = await lrFind({
      train: positionals,
      model: stringOpt(values, 'model'),
      size: numberOpt(values, 'size', 'int'),
      batchSize: numberOpt(values, 'batch', 'int'),
      startLr: numberOpt(values, 'start'),
      endLr: numberOpt(values, 'end'),
      steps: numberOpt(values, 'steps', 'int'),
      optimizer: choiceOpt<OptimizerName>(values, 'optimizer', ['adam', 'sgd', 'rmsprop']),
      momentum: numberOpt(values, 'momentum'),
      weightDecay: numberOpt(values, 'weight-decay'),
      augment: parseAugment(stringOpt(values, 'augment')),
      layout: choiceOpt(values, 'layout', ['class-folders', 'filename-prefix']),
      seed: numberOpt(values, 'seed', 'int'),
      cacheDir: stringOpt(values, 'cache-dir'),
      onStep: (step, steps, lr, loss) => out.status(`lr-find ${bar(step / steps)} step ${step}/${steps}  lr ${formatLr(lr)}  loss ${loss.toFixed(3)}`),
    });
    out.clearStatus();
    const svg = lrFindChart(result);
    await writeFile(svgFile, svg);
    const pngFile = svgFile.replace(/\.svg$/i, '') + '.png';
    if (values['no-png'] !== true) await writeFile(pngFile, await svgToPng(svg));
    if (values.json) out.out(JSON.stringify(result, null, 2));
    else out.out(formatLrFind(result));
    out.out(`Plot: ${svgFile}${values['no-png'] === true ? '' : ` (and ${path.basename(pngFile)})`}`);
    return 0;
  },
};

function formatLrFind(r: LrFindResult): string {
  const s = r.settings;
  const ran = r.stoppedEarly
    ? `stopped at step ${r.lrs.length} of ${s.steps} (lr ${formatLr(r.lrs[r.lrs.length - 1])}): the loss blew up`
    : `ran all ${s.steps} steps`;
  const best = r.smoothedLosses[r.lrs.indexOf(r.minimumLr)];
  return [
    `${s.model} at ${s.size}×${s.size}, ${s.optimizer}, batch ${s.batchSize}, seed ${s.seed}: lr ${formatLr(s.startLr)} → ${formatLr(s.endLr)}; ${ran}.`,
    `Lowest smoothed loss ${best.toFixed(4)} at lr ${formatLr(r.minimumLr)} (minimum/10 = ${formatLr(r.minimumLr / 10)}).`,
    `Suggested learning rate: ${formatLr(r.suggestedLr)} (steepest descent of the smoothed loss)`,
  ].join('\n');
}
