import '../src/backend';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildModel, formatSummary, modelStats } from '../src/models';

// The answer to the seed's exercise, checkable by hand: 150 → SAME conv keeps 150, each 2×2/2 pool halves (rounding up).
const LENET5_150_TABLE = `Model: lenet5
Layer    Type              Output shape      Params  Params =
-------  ----------------  ------------  ----------  ----------------
input    InputLayer           150×150×3           0
conv1    Conv2D, relu         150×150×6         456  5·5·3·6 + 6
pool1    AveragePooling2D       75×75×6           0
conv2    Conv2D, relu          75×75×16       2,416  5·5·6·16 + 16
pool2    AveragePooling2D      38×38×16           0
conv3    Conv2D, relu         38×38×120      48,120  5·5·16·120 + 120
flatten  Flatten                173,280           0
fc1      Dense, relu                 84  14,555,604  173280·84 + 84
fc2      Dense, softmax               2         170  84·2 + 2
Total params: 14,606,766 (trainable 14,606,766, non-trainable 0)
Weights: 55.7 MiB as float32
Forward FLOPs per image: 215.0 M (conv and dense layers; a multiply-add counts 2)`;

test('lenet5 at 150×150×3 with 2 classes: the exact summary table', () => {
  const model = buildModel('lenet5', { size: 150, classes: 2, init: 'zeros' });
  assert.equal(formatSummary(model), LENET5_150_TABLE);
  model.dispose();
});

test("lenet5's layer shapes and parameter total match the seed's arithmetic", () => {
  const model = buildModel('lenet5', { size: 150, classes: 2, init: 'zeros' });
  const stats = modelStats(model);
  assert.deepEqual(
    stats.layers.map((l) => l.outputShape),
    [[150, 150, 3], [150, 150, 6], [75, 75, 6], [75, 75, 16], [38, 38, 16], [38, 38, 120], [173280], [84], [2]],
  );
  assert.equal(stats.totalParams, 14_606_766);
  assert.equal(stats.totalParams, model.countParams());
  // conv1 2·5·5·3·6·150·150 + conv2 2·5·5·6·16·75·75 + conv3 2·5·5·16·120·38·38 + fc1 2·173280·84 + fc2 2·84·2
  assert.equal(stats.flops, 2 * (75 * 6 * 22500 + 150 * 16 * 5625 + 400 * 120 * 1444 + 173280 * 84 + 84 * 2));
  model.dispose();
});

test("the seed's LRN option adds LRN layers without parameters", () => {
  const model = buildModel('lenet5', { size: 150, classes: 2, lrn: true, init: 'zeros' });
  const names = model.layers.map((l) => l.name);
  assert.deepEqual(names.slice(1, 8), ['conv1', 'pool1', 'lrn1', 'conv2', 'pool2', 'lrn2', 'conv3']);
  assert.equal(model.countParams(), 14_606_766);
  model.dispose();
});

test('every model has BatchNorm statistics counted as non-trainable, and the classifier outputs one column per class', () => {
  const resnet = modelStats(buildModel('resnet18', { size: 64, classes: 5, init: 'zeros' }));
  // torchvision's ResNet-18 body has 11,176,512 trainable parameters; BatchNorm adds 2 statistics per channel (4,800 channels).
  assert.equal(resnet.trainableParams, 11_176_512 + 512 * 5 + 5);
  assert.equal(resnet.nonTrainableParams, 2 * 4800);
  const last = resnet.layers[resnet.layers.length - 1];
  assert.deepEqual(last.outputShape, [5]);
  assert.equal(last.paramsFormula, '512·5 + 5');
});
