import * as tf from '@tensorflow/tfjs';
import { ImgclassError } from '../errors';
import { buildAlexnet } from './alexnet';
import { buildLenet5 } from './lenet5';
import { buildMobilenet } from './mobilenet';
import { BuildContext, InitScheme, NetBuilder } from './net-builder';
import { buildResnet18 } from './resnet18';
import { buildVgg16 } from './vgg16';

export type ModelName = 'lenet5' | 'alexnet' | 'vgg16' | 'resnet18' | 'resnet18-half' | 'mobilenet';

export interface ModelOptions {
  /** Input side (square) or [width, height]. Default 150, the seed's size. */
  size?: number | [width: number, height: number];
  /** Number of classes. Default 2. */
  classes?: number;
  /** Seed for the initial weights; omit for fresh random weights. */
  seed?: number;
  /** 'default' (He/Glorot), 'tutorial' (the seed's truncated normals; lenet5 only) or 'zeros'. Default 'default'. */
  init?: InitScheme;
  /** LeNet-5 only: local response normalization after each pool, as the seed's `is_lrn`. */
  lrn?: boolean;
}

export interface ModelSpec {
  name: ModelName;
  /** One line for `imgclass models`. */
  description: string;
  /** Smallest square input every layer survives. */
  minSize: number;
  /** A learning rate that trains it with Adam from scratch. */
  suggestedLr: number;
  build(builder: NetBuilder, options: ModelOptions): tf.LayersModel;
}

export const MODELS: readonly ModelSpec[] = [
  {
    name: 'lenet5',
    description: "The seed's LeNet-5: 3 conv 5×5 (6, 16, 120) + 2 avg-pools, dense 84, SAME padding",
    minSize: 1,
    suggestedLr: 1e-4,
    build: (b, o) => buildLenet5(b, { lrn: o.lrn }),
  },
  {
    name: 'alexnet',
    description: 'AlexNet (2012): 5 conv + LRN + 3 max-pools, dense 4096, 4096, dropout',
    minSize: 67,
    suggestedLr: 1e-4,
    build: (b) => buildAlexnet(b),
  },
  {
    name: 'vgg16',
    description: 'VGG-16 (2014): 13 conv 3×3 in 5 blocks, dense 4096, 4096, dropout',
    minSize: 32,
    suggestedLr: 1e-4,
    build: (b) => buildVgg16(b),
  },
  {
    name: 'resnet18',
    description: 'ResNet-18 (2015): 8 residual blocks with BatchNorm, global average pooling',
    minSize: 1,
    suggestedLr: 1e-3,
    build: (b) => buildResnet18(b),
  },
  {
    name: 'resnet18-half',
    description: 'ResNet-18 at half width (32-256 filters): ¼ of the work, for training from scratch on a CPU',
    minSize: 1,
    suggestedLr: 1e-3,
    build: (b) => buildResnet18(b, 0.5),
  },
  {
    name: 'mobilenet',
    description: 'MobileNet v1 α=0.5 (2017): 13 depthwise-separable blocks, BatchNorm; compact, for CPU training',
    minSize: 1,
    suggestedLr: 1e-3,
    build: (b) => buildMobilenet(b),
  },
];

export function modelSpec(name: string): ModelSpec {
  const spec = MODELS.find((m) => m.name === name);
  if (!spec) {
    throw new ImgclassError('UNKNOWN_MODEL', `Unknown model '${name}'; choose one of ${MODELS.map((m) => m.name).join(', ')}.`);
  }
  return spec;
}

/** Resolves `size` to [width, height], rejecting non-integers. */
export function inputSize(size: ModelOptions['size'] = 150): [width: number, height: number] {
  const [w, h] = typeof size === 'number' ? [size, size] : size;
  for (const v of [w, h]) {
    if (!Number.isInteger(v) || v < 1 || v > 4096) {
      throw new ImgclassError('INVALID_OPTION', `The input size must be an integer between 1 and 4096, got ${v}.`);
    }
  }
  return [w, h];
}

/** Builds a registered network: `buildModel('lenet5', { size: 150, classes: 2 })`. */
export function buildModel(name: string, options: ModelOptions = {}): tf.LayersModel {
  const spec = modelSpec(name);
  const [width, height] = inputSize(options.size);
  const classes = options.classes ?? 2;
  if (!Number.isInteger(classes) || classes < 2) {
    throw new ImgclassError('INVALID_OPTION', `A classifier needs at least 2 classes, got ${classes}.`);
  }
  const init = options.init ?? 'default';
  if (init === 'tutorial' && spec.name !== 'lenet5') {
    throw new ImgclassError('INVALID_OPTION', "The 'tutorial' initialization exists for lenet5 only.");
  }
  if (options.lrn && spec.name !== 'lenet5') {
    throw new ImgclassError('INVALID_OPTION', 'The LRN option exists for lenet5 only (alexnet always has LRN).');
  }
  const ctx: BuildContext = { model: spec.name, width, height, classes, seed: options.seed, init, minSize: spec.minSize };
  return spec.build(new NetBuilder(ctx), options);
}

/** The seed's network: `lenet5({ size: 150, classes: 2 })`. */
export function lenet5(options: Omit<ModelOptions, 'init'> & { init?: 'default' | 'tutorial' } = {}): tf.LayersModel {
  return buildModel('lenet5', options);
}
export const alexnet = (options: ModelOptions = {}) => buildModel('alexnet', options);
export const vgg16 = (options: ModelOptions = {}) => buildModel('vgg16', options);
export const resnet18 = (options: ModelOptions = {}) => buildModel('resnet18', options);
export const resnet18Half = (options: ModelOptions = {}) => buildModel('resnet18-half', options);
export const mobilenet = (options: ModelOptions = {}) => buildModel('mobilenet', options);
