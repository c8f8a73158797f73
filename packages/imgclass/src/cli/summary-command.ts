import { buildModel, formatSummary, MODELS, modelStats } from '../models';
import { choiceOpt, CommandSpec, numberOpt } from './command';

export const summaryCommand: CommandSpec = {
  name: 'summary',
  summary: "Every layer's output shape and parameters (the seed's exercise)",
  usage: ['summary [--model NAME] [--size N] [--classes N] [--lrn] [--json]'],
  description:
    'Builds the network and prints each layer with its output shape (per picture, without the batch axis),\n' +
    'its parameter count and the arithmetic behind it, then the totals and the forward FLOPs per picture.',
  options: {
    model: { type: 'string', value: 'NAME', description: `One of ${MODELS.map((m) => m.name).join(', ')}. Default lenet5.` },
    size: { type: 'string', value: 'N', description: 'Input side in pixels. Default 150.' },
    classes: { type: 'string', value: 'N', description: 'Number of classes. Default 2.' },
    lrn: { type: 'boolean', description: "lenet5: add the seed's local response normalization after each pool." },
    json: { type: 'boolean', description: 'Print the layers and totals as JSON.' },
  },
  examples: ['imgclass summary --model lenet5 --size 150 --classes 2', 'imgclass summary --model resnet18 --size 224 --json'],
  positionals: { min: 0, max: 0 },
  async run({ values, out }) {
    const name = choiceOpt(values, 'model', MODELS.map((m) => m.name)) ?? 'lenet5';
    const model = buildModel(name, {
      size: numberOpt(values, 'size', 'int') ?? 150,
      classes: numberOpt(values, 'classes', 'int') ?? 2,
      lrn: values.lrn === true,
      init: 'zeros',
    });
    try {
      const stats = modelStats(model);
      out.out(values.json ? JSON.stringify({ model: name, ...stats }, null, 2) : formatSummary(model, stats));
    } finally {
      model.dispose();
    }
    return 0;
  },
};
