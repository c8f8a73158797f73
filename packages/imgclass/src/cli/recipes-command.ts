import { RECIPES } from '../trained-network/recipes';
import { CommandSpec } from './command';
import { recipeFlags } from './train-command';

export const recipesCommand: CommandSpec = {
  name: 'recipes',
  summary: 'The named training recipes (train --recipe NAME) and every flag each one sets',
  usage: ['recipes [--json]'],
  description: [
    "'imgclass train DIR --recipe NAME' trains with these flags; any flag given as well wins over the recipe's.",
    "Settings that belong to one you change are left out too: a recipe's --lr, --init and --lrn go with its --model,",
    'its --epochs with --steps not given, its --warmup with any schedule but one-cycle. --bf16 becomes float32 on a',
    "CPU without bf16 instructions. The run's config.json records the recipe's name and every value it resolved to.",
  ].join('\n'),
  options: {
    json: { type: 'boolean', description: 'Print JSON: name, summary, settings (as train() takes them) and flags.' },
  },
  examples: ['imgclass recipes', 'imgclass recipes --json', 'imgclass train data/train --recipe fast --out runs/cats-fast'],
  positionals: { min: 0, max: 0 },
  async run({ values, out }) {
    const listed = RECIPES.map((r) => ({ name: r.name, summary: r.summary, settings: r.settings, flags: recipeFlags(r.settings).join(' ') }));
    if (values.json) {
      out.out(JSON.stringify(listed, null, 2));
      return 0;
    }
    out.out(listed.map((r) => `${r.name}: ${r.summary}\n  imgclass train DIR... --recipe ${r.name}  =  ${r.flags}`).join('\n\n'));
    return 0;
  },
};
