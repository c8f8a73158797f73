import { formatSystemInfo, systemInfo } from '../system-info';
import { CommandSpec } from './command';

export const infoCommand: CommandSpec = {
  name: 'info',
  summary: 'Versions, backend, CPU ISA and threads, and whether a GPU is used',
  usage: ['info [--json]'],
  description:
    'The seed asks how to check that the GPU is used. imgclass never uses one: it trains on the CPU\n' +
    'through the oneDNN backend. This shows which instruction set oneDNN picked and how many threads it runs\n' +
    '(set TFJS_ONEDNN_THREADS to change them).',
  options: { json: { type: 'boolean', description: 'Print JSON.' } },
  examples: ['imgclass info', 'TFJS_ONEDNN_THREADS=1 imgclass info'],
  positionals: { min: 0, max: 0 },
  async run({ values, out }) {
    const info = await systemInfo();
    out.out(values.json ? JSON.stringify(info, null, 2) : formatSystemInfo(info));
    return 0;
  },
};
