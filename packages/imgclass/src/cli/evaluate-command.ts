import { evaluate, formatEvaluation } from '../evaluate';
import { TTA_CROP_FRACTION } from '../predict';
import { bar } from './output';
import { FOREIGN_MODEL_OPTIONS } from './foreign-model-flags';
import { withClassifier } from './model-argument';
import { startDataParallel } from '../distributed/start';
import { wantsDistributed } from '../distributed/world';
import { CommandSpec, numberOpt, stringOpt } from './command';

export const evaluateCommand: CommandSpec = {
  name: 'evaluate',
  summary: 'Accuracy, per-class precision/recall/F1, confusion matrix, confident mistakes',
  usage: ['evaluate <run-or-model> <test-dir...> [--json] [--worst N] [--tta | --tta-crops]'],
  description:
    'The model is a run folder (its final model, or its best checkpoint if training was stopped), a model\n' +
    'folder or a model.json. Test folders hold one sub-folder per class, named as the model\'s classes.\n' +
    'The seed reads accuracy above 90% as a network that fits well.\n' +
    '--tta also scores with test-time augmentation (the mean of the probabilities for each picture and its mirror\n' +
    'image), reported on its own line next to the plain accuracy; --tta-crops averages over 10 views: the picture and\n' +
    `its four corner crops (${TTA_CROP_FRACTION * 100}% of each side, resized back), each also mirrored.`,
  options: {
    distributed: {
      type: 'boolean',
      description: 'One rank of a job started by mpirun -np N (automatic under mpirun): the batches are spread over the ranks; rank 0 prints.',
    },
    json: { type: 'boolean', description: 'Print JSON.' },
    worst: { type: 'string', value: 'N', description: 'Confidently wrong pictures listed. Default 10.' },
    batch: { type: 'string', value: 'N', description: 'Pictures per forward pass. Default 32.' },
    tta: { type: 'boolean', description: 'Also score with test-time augmentation (picture + horizontal flip).' },
    'tta-crops': { type: 'boolean', description: 'Also score with test-time augmentation over 10 views (picture and 4 corner crops, each + flip).' },
    ...FOREIGN_MODEL_OPTIONS,
    'cache-dir': { type: 'string', value: 'DIR', description: 'Decoded-pixel cache. Default .imgclass-cache.' },
  },
  examples: [
    'imgclass evaluate runs/cats data/test',
    'imgclass evaluate runs/cats data/test --tta',
    'imgclass evaluate runs/cats data/test --tta-crops',
    'imgclass evaluate runs/cats/model/model.json data/test --json > eval.json',
    'mpirun -np 4 npx imgclass evaluate runs/cats data/test --distributed',
  ],
  positionals: { min: 2 },
  async run({ positionals: [model, ...roots], values, out }) {
    const dataParallel = wantsDistributed(values.distributed) ? startDataParallel() : undefined;
    const result = await withClassifier(model, values, (classifier) => evaluate(classifier, roots, {
      dataParallel,
      batchSize: numberOpt(values, 'batch', 'int'),
      worst: numberOpt(values, 'worst', 'int'),
      tta: values['tta-crops'] === true ? 'crops' : values.tta === true,
      cacheDir: stringOpt(values, 'cache-dir'),
      onProgress: (p) => out.status(`decoding ${bar(p.done / p.total)} ${p.done}/${p.total} pictures`),
      onWarning: (m) => out.err(`warning: ${m}`),
    }));
    out.clearStatus();
    out.out(values.json ? JSON.stringify(result, null, 2) : formatEvaluation(result));
    return 0;
  },
};
