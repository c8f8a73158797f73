import { humanCount, thousands } from '../format/numbers';
import { formatTable } from '../format/table';
import { describeModels, MODELS } from '../models';
import { CommandSpec, numberOpt } from './command';

export const modelsCommand: CommandSpec = {
  name: 'models',
  summary: 'The networks imgclass can train, with parameters and FLOPs',
  usage: ['models [--size N] [--classes N] [--json]'],
  description: 'FLOPs are for one forward pass of one picture at the given size (a multiply-add counts 2).',
  options: {
    size: { type: 'string', value: 'N', description: 'Input side in pixels. Default 150.' },
    classes: { type: 'string', value: 'N', description: 'Number of classes. Default 2.' },
    json: { type: 'boolean', description: 'Print JSON.' },
  },
  examples: ['imgclass models', 'imgclass models --size 224 --classes 10'],
  positionals: { min: 0, max: 0 },
  async run({ values, out }) {
    const size = numberOpt(values, 'size', 'int') ?? 150;
    const list = describeModels(size, numberOpt(values, 'classes', 'int') ?? 2);
    if (values.json) {
      out.out(JSON.stringify(list, null, 2));
      return 0;
    }
    const rows = list.map((m) => {
      const spec = MODELS.find((s) => s.name === m.name);
      return m.error
        ? [m.name, '-', '-', String(spec?.minSize ?? ''), `too small at ${size}: ${m.description}`]
        : [m.name, thousands(m.params), humanCount(m.flops), String(spec?.minSize ?? ''), m.description];
    });
    out.out(`Networks at ${size}×${size}×3:`);
    out.out(formatTable(['Model', 'Params', 'FLOPs', 'Min size', 'Description'], rows, { align: 'lrrrl' }));
    return 0;
  },
};
