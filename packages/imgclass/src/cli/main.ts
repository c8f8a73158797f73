import { backendInfo } from '../backend';
import { fileSystemError, isFileSystemError } from '../io/fs-errors';
import { IMGCLASS_VERSION } from '../version';
import { CommandSpec, formatHelp, isUsageError, isUserError, Output, parseCommandArgs, UsageError } from './command';
import { demoCommand } from './demo-command';
import { evaluateCommand } from './evaluate-command';
import { exportCommand } from './export-command';
import { infoCommand } from './info-command';
import { inspectCommand } from './inspect-command';
import { lrFindCommand } from './lr-find-command';
import { modelsCommand } from './models-command';
import { predictCommand } from './predict-command';
import { recipesCommand } from './recipes-command';
import { reportCommand } from './report-command';
import { serveCommand } from './serve-command';
import { summaryCommand } from './summary-command';
import { trainCommand } from './train-command';

export const COMMANDS: readonly CommandSpec[] = [
  demoCommand,
  trainCommand,
  recipesCommand,
  lrFindCommand,
  evaluateCommand,
  predictCommand,
  reportCommand,
  serveCommand,
  exportCommand,
  inspectCommand,
  summaryCommand,
  modelsCommand,
  infoCommand,
];

export const EXIT_ERROR = 1;
export const EXIT_USAGE = 2;

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return [
    `imgclass ${IMGCLASS_VERSION}: train, evaluate and use image classifiers from folders of pictures, on the CPU (oneDNN).`,
    '',
    'Usage: imgclass <command> [options]     (imgclass <command> --help for its options and examples)',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'Exit codes: 0 success, 1 error, 2 wrong usage, 130 training interrupted (a checkpoint was saved).',
    'Add --debug to any command to see stack traces of errors.',
    '',
    'Start with:  imgclass demo',
  ].join('\n');
}

/** Runs one command line (without `node imgclass`) and returns the exit code; never throws. */
export async function runCli(argv: string[], output: Output): Promise<number> {
  const debug = argv.includes('--debug');
  try {
    const [name, ...rest] = argv;
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      output.out(mainHelp());
      return name === undefined ? EXIT_USAGE : 0;
    }
    if (name === '--version' || name === '-v') {
      output.out(IMGCLASS_VERSION);
      return 0;
    }
    const command = COMMANDS.find((c) => c.name === name);
    if (!command) throw new UsageError(`Unknown command '${name}'; the commands are ${COMMANDS.map((c) => c.name).join(', ')}.`);
    const { positionals, values } = parseCommandArgs(command, rest);
    if (values.help) {
      output.out(formatHelp(command));
      return 0;
    }
    const backend = await backendInfo();
    if (backend.problem && ['train', 'lr-find', 'demo', 'evaluate', 'predict', 'report', 'export'].includes(command.name)) {
      output.err(`warning: ${backend.problem}; running on the much slower pure-JavaScript CPU backend.`);
    }
    return await command.run({ positionals, values, out: output });
  } catch (caught) {
    output.clearStatus();
    // A full disk or a missing permission is the user's to fix, not a bug: one sentence naming the file.
    const err = isFileSystemError(caught) ? fileSystemError(caught) : caught;
    if (isUserError(err)) {
      output.err(`error: ${err.message}`);
      if (debug && (caught as Error).stack) output.err((caught as Error).stack as string);
      return isUsageError(err) ? EXIT_USAGE : EXIT_ERROR;
    }
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    output.err(`error: ${message}`);
    if (debug) output.err(err instanceof Error && err.stack ? err.stack : String(err));
    else output.err('(this looks like a bug in imgclass; run again with --debug for the stack trace)');
    return EXIT_ERROR;
  }
}
