import { RESIZE_MODES } from '../data/config';
import { loadImageFolder } from '../data/load-image-folder';
import { formatReport } from '../data/report';
import { choiceOpt, CommandSpec, listOpt, numberOpt, stringOpt } from './command';
import { bar } from './output';

export const inspectCommand: CommandSpec = {
  name: 'inspect',
  summary: 'Dataset report: classes, counts, picture sizes, skipped files; builds the cache',
  usage: ['inspect <dir...> [--test DIR] [--size 150] [--json]'],
  description:
    'Decodes every picture once into the pixel cache (later training reuses it) and reports what was found:\n' +
    'classes and counts per split, source picture sizes, each skipped file with its reason, class imbalance.',
  options: {
    test: { type: 'string', multiple: true, value: 'DIR', description: 'Also inspect a test folder.' },
    size: { type: 'string', value: 'N', description: 'Target side the cache is built for. Default 150.' },
    'resize-mode': { type: 'string', value: 'M', description: `${RESIZE_MODES.join(', ')}. Default stretch.` },
    layout: { type: 'string', value: 'L', description: 'class-folders (default) or filename-prefix.' },
    'cache-dir': { type: 'string', value: 'DIR', description: 'Decoded-pixel cache. Default .imgclass-cache.' },
    json: { type: 'boolean', description: 'Print the report as JSON.' },
  },
  examples: ['imgclass inspect data/train --test data/test', 'imgclass inspect data/kaggle --layout filename-prefix --json'],
  positionals: { min: 1 },
  async run({ positionals, values, out }) {
    const started = performance.now();
    const warnings: string[] = [];
    const data = await loadImageFolder({
      roots: positionals,
      validationRoots: listOpt(values, 'test'),
      layout: choiceOpt(values, 'layout', ['class-folders', 'filename-prefix'] as const),
      preprocessing: { size: numberOpt(values, 'size', 'int'), resizeMode: choiceOpt(values, 'resize-mode', RESIZE_MODES) },
      cacheDir: stringOpt(values, 'cache-dir'),
      onProgress: (p) => out.status(`decoding ${bar(p.done / p.total)} ${p.done}/${p.total} pictures`),
      // The report lists every warning; printing them as they come would say everything twice.
      onWarning: (m) => warnings.push(m),
    });
    await data.close();
    out.clearStatus();
    const { report } = data;
    if (values.json) {
      out.out(JSON.stringify(report, null, 2));
      return 0;
    }
    out.out(formatReport(report));
    const c = report.cache;
    const speed = c.decoded > 0 && c.decodeSeconds > 0 ? `, ${(c.decoded / c.decodeSeconds).toFixed(0)} pictures/s` : '';
    out.out(
      `Cache: decoded ${c.decoded} pictures in ${c.decodeSeconds.toFixed(1)} s${speed}; ${c.reused} already cached (${c.dir}); ` +
        `${((performance.now() - started) / 1000).toFixed(1)} s in all.`,
    );
    return 0;
  },
};
