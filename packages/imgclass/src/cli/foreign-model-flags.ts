import type { OptionSpec, OptionValues } from './command';
import { UsageError } from './command';
import { RESIZE_MODES, ResizeMode } from '../data/config';
import type { ForeignModelOptions } from '../trained-network/foreign-model';

/** Command-line options that describe a model imgclass did not make (for predict, evaluate, train --init-from). */
export const FOREIGN_MODEL_OPTIONS: Record<string, OptionSpec> = {
  normalization: {
    type: 'string',
    value: 'N',
    description: 'For a model imgclass did not make: standardize (per picture), unit (x/255) or mean-std (with --mean, --std).',
  },
  mean: { type: 'string', value: 'R,G,B', description: 'mean-std normalization: channel means on the 0..1 scale, e.g. 0.485,0.456,0.406.' },
  std: { type: 'string', value: 'R,G,B', description: 'mean-std normalization: channel standard deviations, e.g. 0.229,0.224,0.225.' },
  'resize-mode': { type: 'string', value: 'M', description: `${RESIZE_MODES.join(', ')}. Default stretch.` },
  classes: { type: 'string', value: 'A,B,...', description: 'Class names in output order. Default class0, class1, ...' },
};

function triple(values: OptionValues, name: string): [number, number, number] {
  const raw = values[name];
  const parts = typeof raw === 'string' ? raw.split(',').map((s) => Number(s.trim())) : [];
  if (parts.length !== 3 || parts.some((n) => !Number.isFinite(n))) {
    throw new UsageError(`--${name} expects three comma-separated numbers (R,G,B), got '${String(raw)}'.`);
  }
  return parts as [number, number, number];
}

/** ForeignModelOptions from those flags; undefined when none was given (the model must then be imgclass's own). */
export function foreignModelOptions(values: OptionValues): ForeignModelOptions | undefined {
  const given = Object.keys(FOREIGN_MODEL_OPTIONS).filter((k) => values[k] !== undefined);
  if (given.length === 0) return undefined;
  const kind = values.normalization;
  if (kind !== undefined && !['standardize', 'unit', 'mean-std'].includes(String(kind))) {
    throw new UsageError(`--normalization must be standardize, unit or mean-std, got '${String(kind)}'.`);
  }
  if ((values.mean !== undefined || values.std !== undefined) !== (kind === 'mean-std')) {
    throw new UsageError('--mean and --std go with --normalization mean-std (and it needs both).');
  }
  const resizeMode = values['resize-mode'];
  if (resizeMode !== undefined && !RESIZE_MODES.includes(resizeMode as ResizeMode)) {
    throw new UsageError(`--resize-mode must be one of ${RESIZE_MODES.join(', ')}, got '${String(resizeMode)}'.`);
  }
  const classes = typeof values.classes === 'string' ? values.classes.split(',').map((s) => s.trim()) : undefined;
  if (classes && classes.some((c) => c === '')) throw new UsageError('--classes has an empty name.');
  return {
    normalization:
      kind === 'mean-std'
        ? { kind: 'mean-std', mean: triple(values, 'mean'), std: triple(values, 'std') }
        : (kind as 'standardize' | 'unit' | undefined),
    resizeMode: resizeMode as ResizeMode | undefined,
    classes,
  };
}
