import { MODELS } from '../models';
import type { OptionSpec } from './command';

/** Options with the same meaning in every command that trains a network (train, lr-find). */
export const TRAINING_OPTIONS: Record<string, OptionSpec> = {
  layout: { type: 'string', value: 'L', description: "class-folders (default) or filename-prefix (Kaggle's cat.1.jpg)." },
  model: { type: 'string', value: 'NAME', description: `${MODELS.map((m) => m.name).join(', ')}. Default lenet5.` },
  batch: { type: 'string', value: 'N', description: 'Batch size. Default 32.' },
  size: { type: 'string', value: 'N', description: 'Input side in pixels. Default 150.' },
  optimizer: { type: 'string', value: 'O', description: 'adam (default), sgd or rmsprop.' },
  momentum: { type: 'string', value: 'M', description: 'Momentum for sgd and rmsprop. Default 0.' },
  'weight-decay': { type: 'string', value: 'W', description: 'Decoupled weight decay (AdamW): each step multiplies kernels by 1 - lr·W. Default 0.' },
  augment: {
    type: 'string',
    value: 'SPEC',
    description:
      'flip (default), none, or e.g. flip,pad-crop=8,scale-crop=0.9,rotation=10,brightness=0.1,erase=0.25 (random erasing: probability per picture).',
  },
  'cache-dir': { type: 'string', value: 'DIR', description: 'Decoded-pixel cache. Default .imgclass-cache.' },
};
