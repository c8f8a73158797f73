import { formatPredictionCsv, formatPredictionTable, formatSingle, predict, TTA_CROP_FRACTION, TTA_VIEWS, TtaMode } from '../predict';
import { FOREIGN_MODEL_OPTIONS } from './foreign-model-flags';
import { withClassifier } from './model-argument';
import { predictSharded } from '../evaluate/sharded-inference';
import { startDataParallel } from '../distributed/start';
import { wantsDistributed } from '../distributed/world';
import { CommandSpec, numberOpt, UsageError } from './command';

export const predictCommand: CommandSpec = {
  name: 'predict',
  summary: 'Classify pictures: `cat 97.3%` for one, a table (or JSON/CSV) for many',
  usage: ['predict <run-or-model> <picture|folder|glob...> [--top K] [--tta | --tta-crops] [--json | --csv]'],
  description:
    'Folders are searched recursively; quote glob patterns ("photos/**/*.jpg") to let imgclass expand them.\n' +
    'Unreadable pictures among many are listed as skipped; a single unreadable picture is an error.\n' +
    '--tta (test-time augmentation) reports the mean of the probabilities for the picture and its mirror image;\n' +
    `--tta-crops the mean over 10 views: the picture and its four corner crops (${TTA_CROP_FRACTION * 100}% of each side), each also mirrored.`,
  options: {
    top: { type: 'string', value: 'K', description: 'Report the K most probable classes. Default 1.' },
    json: { type: 'boolean', description: 'Print JSON.' },
    csv: { type: 'boolean', description: 'Print CSV: path,rank,class,probability,error.' },
    batch: { type: 'string', value: 'N', description: 'Pictures per forward pass. Default 32.' },
    tta: { type: 'boolean', description: 'Test-time augmentation: average over the picture and its horizontal flip.' },
    'tta-crops': { type: 'boolean', description: 'Test-time augmentation over 10 views: the picture and 4 corner crops, each + flip.' },
    ...FOREIGN_MODEL_OPTIONS,
    distributed: {
      type: 'boolean',
      description: 'One rank of a job started by mpirun -np N (automatic under mpirun): the batches are spread over the ranks; rank 0 prints.',
    },
  },
  examples: [
    'imgclass predict runs/cats photo.jpg',
    'imgclass predict runs/cats photos/ --top 2',
    'imgclass predict runs/cats photo.jpg --tta',
    'imgclass predict runs/cats photo.jpg --tta-crops',
    'imgclass predict runs/cats/model "photos/**/*.jpg" --csv > predictions.csv',
    'mpirun -np 4 npx imgclass predict runs/cats "photos/**/*.jpg" --csv --distributed > predictions.csv',
    'imgclass predict converted/model.json cat.jpg --normalization unit --classes cat,dog   # a model imgclass did not make',
  ],
  positionals: { min: 2 },
  async run({ positionals: [model, ...inputs], values, out }) {
    if (values.json && values.csv) throw new UsageError('Choose --json or --csv, not both.');
    const dataParallel = wantsDistributed(values.distributed) ? startDataParallel() : undefined;
    const tta: TtaMode | false = values['tta-crops'] === true ? 'crops' : values.tta === true ? 'flip' : false;
    const options = { top: numberOpt(values, 'top', 'int'), batchSize: numberOpt(values, 'batch', 'int'), tta };
    const results = await withClassifier(model, values, (classifier) =>
      dataParallel ? predictSharded(dataParallel, classifier, inputs, options) : predict(classifier, inputs, options),
    );
    if (values.json) out.out(JSON.stringify(results, null, 2));
    else if (values.csv) out.out(formatPredictionCsv(results));
    else {
      const single = results.length === 1 && inputs.length === 1 && !results[0].error;
      out.out(single ? formatSingle(results[0]) : formatPredictionTable(results));
      if (tta === 'flip') out.out(`(with test-time augmentation (${TTA_VIEWS.flip}): mean over each picture and its mirror image)`);
      if (tta === 'crops') out.out(`(with test-time augmentation (${TTA_VIEWS.crops}): mean over each picture, its corner crops and their mirror images)`);
    }
    for (const r of results) if (r.error) out.err(`warning: skipped '${r.path}': ${r.error}`);
    return 0;
  },
};
