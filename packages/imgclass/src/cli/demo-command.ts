import path from 'node:path';
import { runDemo } from '../demo/run-demo';
import { formatEvaluation } from '../evaluate/format';
import { duration } from '../format/numbers';
import { formatSingle } from '../predict/format';
import { CommandSpec, numberOpt, stringOpt } from './command';
import { trainReporter } from './train-command';

export const demoCommand: CommandSpec = {
  name: 'demo',
  summary: 'The whole pipeline on generated pictures, nothing to download (about a minute)',
  usage: ['demo [--dir DIR] [--keep] [--size 64] [--epochs 10]'],
  description:
    'Draws 1000 pictures of dots and stripes with sharp, trains LeNet-5 on 800 of them at 64×64 (smaller than\n' +
    "the seed's 150×150 so the demo takes seconds, not minutes), evaluates on the other 200 and classifies\n" +
    'one picture. Without --dir everything goes to a temporary folder that is removed at the end.',
  options: {
    dir: { type: 'string', value: 'DIR', description: 'Write the pictures and the run here, and keep them.' },
    keep: { type: 'boolean', description: 'Keep the temporary folder.' },
    size: { type: 'string', value: 'N', description: 'Input side. Default 64.' },
    epochs: { type: 'string', value: 'N', description: 'Default 10.' },
    seed: { type: 'string', value: 'N', description: 'Default 7.' },
  },
  examples: ['imgclass demo', 'imgclass demo --dir demo && imgclass predict demo/run demo/test/dots'],
  positionals: { min: 0, max: 0 },
  async run({ values, out }) {
    const result = await runDemo({
      dir: stringOpt(values, 'dir'),
      keep: values.keep === true,
      size: numberOpt(values, 'size', 'int'),
      epochs: numberOpt(values, 'epochs', 'int'),
      seed: numberOpt(values, 'seed', 'int'),
      onStage: (s) => out.out(`\n== ${s}`),
      onEvent: trainReporter(out),
    });
    out.out('');
    out.out(formatEvaluation(result.evaluation));
    out.out(`\n== Predicting one picture: ${path.relative(result.dir, result.prediction.path)}`);
    out.out(formatSingle(result.prediction));
    out.out(`\nDemo finished in ${duration(result.seconds)} (${result.seconds.toFixed(1)} s): test accuracy ${(result.evaluation.accuracy * 100).toFixed(1)}%.`);
    if (result.kept) {
      out.out(`Pictures and run kept in ${result.dir}; try: imgclass predict ${result.dir}/run ${result.set.test}/dots --top 2`);
    }
    return 0;
  },
};
