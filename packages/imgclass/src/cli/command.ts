import { parseArgs } from 'node:util';
import { DatasetError } from '../data/errors';
import { ImgclassError } from '../errors';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** Placeholder shown in help, e.g. 'N' for `--epochs N`. */
  value?: string;
  description: string;
}

export type OptionValues = Record<string, string | boolean | string[] | undefined>;

export interface CommandContext {
  positionals: string[];
  values: OptionValues;
  out: Output;
}

export interface CommandSpec {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Usage lines after `imgclass `. */
  usage: string[];
  /** Paragraph(s) printed under the usage. */
  description?: string;
  options: Record<string, OptionSpec>;
  examples: string[];
  /** Positional arguments: at least `min`, at most `max` (undefined: any number). */
  positionals: { min: number; max?: number };
  run(ctx: CommandContext): Promise<number>;
}

/** Where commands write: results to stdout, progress and warnings to stderr (so `--json > file` stays clean). */
export interface Output {
  out(text: string): void;
  err(text: string): void;
  /** Rewritable status line on a terminal; nothing when stderr is a file or pipe. */
  status(text: string): void;
  clearStatus(): void;
}

/** A mistake in how the command was called (exit code 2, as most CLIs). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  help: { type: 'boolean', short: 'h', description: 'Show this help.' },
  debug: { type: 'boolean', description: 'Print stack traces of errors.' },
};

export function parseCommandArgs(spec: CommandSpec, args: string[]): { positionals: string[]; values: OptionValues } {
  const options = { ...spec.options, ...GLOBAL_OPTIONS };
  let parsed;
  try {
    parsed = parseArgs({
      args: attachNegativeValues(args, options),
      options: Object.fromEntries(
        Object.entries(options).map(([k, o]) => [
          k,
          { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) },
        ]),
      ),
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    throw new UsageError(`${describeParseError(err as Error & { code?: string })} See 'imgclass ${spec.name} --help'.`);
  }
  const { positionals, values } = parsed;
  if (!values.help) {
    const { min, max } = spec.positionals;
    if (positionals.length < min) {
      throw new UsageError(`'imgclass ${spec.name}' needs ${spec.usage[0].replace(spec.name, '').trim() || 'more arguments'}. See 'imgclass ${spec.name} --help'.`);
    }
    if (max !== undefined && positionals.length > max) {
      throw new UsageError(`Unexpected argument '${positionals[max]}' for 'imgclass ${spec.name}'. See 'imgclass ${spec.name} --help'.`);
    }
  }
  return { positionals, values: values as OptionValues };
}

/** '-1', '-0.5', '-1e-3', '-.5': a negative number, which is a value and not a short option. */
const NEGATIVE_NUMBER = /^-(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

/**
 * `--epochs -1` becomes `--epochs=-1`: parseArgs takes any token after a flag
 * that starts with '-' for an option, so a negative value would be refused as
 * "takes no value" instead of reaching the range check that explains it.
 */
function attachNegativeValues(args: string[], options: Record<string, OptionSpec>): string[] {
  const result: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      result.push(...args.slice(i));
      break;
    }
    const long = /^--([^=]+)$/.exec(arg)?.[1];
    const short = /^-([^-])$/.exec(arg)?.[1];
    const name = long ?? (short ? Object.keys(options).find((k) => options[k].short === short) : undefined);
    const next = args[i + 1];
    if (name !== undefined && options[name]?.type === 'string' && next !== undefined && NEGATIVE_NUMBER.test(next)) {
      result.push(`--${name}=${next}`);
      i++;
    } else {
      result.push(arg);
    }
  }
  return result;
}

function describeParseError(err: Error & { code?: string }): string {
  const option = /'(-[^' ]*)/.exec(err.message)?.[1];
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `Unknown option '${option}'.`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return /argument missing/.test(err.message) ? `Option '${option}' needs a value.` : `Option '${option}' takes no value.`;
    default:
      return err.message.split('\n')[0];
  }
}

export function formatHelp(spec: CommandSpec): string {
  const lines = ['Usage:', ...spec.usage.map((u) => `  imgclass ${u}`), ''];
  if (spec.description) lines.push(spec.description, '');
  const options = { ...spec.options, ...GLOBAL_OPTIONS };
  const flags = Object.entries(options).map(([name, o]) => {
    const short = o.short ? `-${o.short}, ` : '    ';
    return [`  ${short}--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`, o.description];
  });
  const width = Math.max(...flags.map(([f]) => f.length)) + 2;
  lines.push('Options:', ...flags.map(([f, d]) => `${f.padEnd(width)}${d}`));
  if (spec.examples.length > 0) lines.push('', 'Examples:', ...spec.examples.map((e) => `  ${e}`));
  return lines.join('\n');
}

/* Typed accessors for option values: each rejects a malformed value with one sentence. */

export function stringOpt(values: OptionValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

export function listOpt(values: OptionValues, name: string): string[] | undefined {
  const v = values[name];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : undefined;
}

export function numberOpt(values: OptionValues, name: string, kind: 'int' | 'float' = 'float'): number | undefined {
  const raw = stringOpt(values, name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || (kind === 'int' && !Number.isInteger(n))) {
    throw new UsageError(`--${name} expects ${kind === 'int' ? 'a whole number' : 'a number'}, got '${raw}'.`);
  }
  // Beyond 2^53 whole numbers are no longer exact (99999999999999999999 reads as 1e20).
  if (kind === 'int' && !Number.isSafeInteger(n)) {
    throw new UsageError(`--${name} expects a whole number of at most ${Number.MAX_SAFE_INTEGER}, got '${raw}'.`);
  }
  return n;
}

export function choiceOpt<T extends string>(values: OptionValues, name: string, choices: readonly T[]): T | undefined {
  const raw = stringOpt(values, name);
  if (raw === undefined) return undefined;
  if (!choices.includes(raw as T)) throw new UsageError(`--${name} must be one of ${choices.join(', ')}, got '${raw}'.`);
  return raw as T;
}

export function isUserError(err: unknown): err is Error {
  return err instanceof UsageError || err instanceof ImgclassError || err instanceof DatasetError;
}

/**
 * Wrong usage (exit code 2): a flag that does not parse, and a value out of
 * range, which the library reports as INVALID_OPTION.
 */
export function isUsageError(err: unknown): boolean {
  return err instanceof UsageError || ((err instanceof ImgclassError || err instanceof DatasetError) && err.code === 'INVALID_OPTION');
}
