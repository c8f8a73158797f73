import assert from 'node:assert/strict';
import { test } from 'node:test';
import { COMMANDS, runCli } from '../src/cli/main';
import { captureOutput, runCli as spawnCli, tempDir } from './imgclass-fixtures';

async function cli(...args: string[]) {
  const output = captureOutput();
  const code = await runCli(args, output);
  return { code, stdout: output.stdout(), stderr: output.stderr() };
}

test('`imgclass summary --model lenet5 --size 150 --classes 2` prints the exact table and exits 0 (real process)', async () => {
  const r = await spawnCli(['summary', '--model', 'lenet5', '--size', '150', '--classes', '2'], tempDir());
  assert.equal(r.code, 0);
  assert.equal(r.stderr, '');
  const lines = r.stdout.trimEnd().split('\n');
  assert.deepEqual(lines.slice(3, 12), [
    'input    InputLayer           150×150×3           0',
    'conv1    Conv2D, relu         150×150×6         456  5·5·3·6 + 6',
    'pool1    AveragePooling2D       75×75×6           0',
    'conv2    Conv2D, relu          75×75×16       2,416  5·5·6·16 + 16',
    'pool2    AveragePooling2D      38×38×16           0',
    'conv3    Conv2D, relu         38×38×120      48,120  5·5·16·120 + 120',
    'flatten  Flatten                173,280           0',
    'fc1      Dense, relu                 84  14,555,604  173280·84 + 84',
    'fc2      Dense, softmax               2         170  84·2 + 2',
  ]);
  assert.equal(lines[12], 'Total params: 14,606,766 (trainable 14,606,766, non-trainable 0)');
});

test('every command has --help with usage and examples', async () => {
  for (const c of COMMANDS) {
    const r = await cli(c.name, '--help');
    assert.equal(r.code, 0, c.name);
    assert.match(r.stdout, new RegExp(`^Usage:\\n  imgclass ${c.name}`), c.name);
    assert.match(r.stdout, /\nExamples:\n  imgclass /, c.name);
  }
  const main = await cli('--help');
  assert.equal(main.code, 0);
  for (const c of COMMANDS) assert.match(main.stdout, new RegExp(`\\n  ${c.name} +\\S`));
});

test('wrong usage: one sentence on stderr, exit code 2, no stack trace', async () => {
  for (const [args, message] of [
    [['bogus'], `error: Unknown command 'bogus'; the commands are ${COMMANDS.map((c) => c.name).join(', ')}.`],
    [['train', 'x', '--foo'], "error: Unknown option '--foo'. See 'imgclass train --help'."],
    [['train', 'x', '--epochs', 'many'], "error: --epochs expects a whole number, got 'many'."],
    [['train', 'x', '--optimizer', 'lion'], "error: --optimizer must be one of adam, sgd, rmsprop, got 'lion'."],
    [['summary', '--model'], "error: Option '--model' needs a value. See 'imgclass summary --help'."],
    [['predict', 'run'], "error: 'imgclass predict' needs <run-or-model> <picture|folder|glob...> [--top K] [--tta | --tta-crops] [--json | --csv]. See 'imgclass predict --help'."],
  ] as const) {
    const r = await cli(...args);
    assert.equal(r.code, 2, args.join(' '));
    assert.equal(r.stderr, message);
    assert.equal(r.stdout, '');
  }
});

test('negative numbers are values; out-of-range and inexact values are wrong usage too (exit code 2)', async () => {
  for (const [args, message] of [
    [['train', 'x', '--epochs', '-1'], 'error: The number of epochs must be a positive integer, got -1.'],
    [['train', 'x', '--batch', '-5'], 'error: The batch size must be a positive integer, got -5.'],
    [['train', 'x', '--lr', '-1e-3'], 'error: The learning rate must be a positive number, got -0.001.'],
    [['train', 'x', '--lr', '-.5'], 'error: The learning rate must be a positive number, got -0.5.'],
    [['train', 'x', '--epochs=-1'], 'error: The number of epochs must be a positive integer, got -1.'],
    [['train', 'x', '--epochs', '0'], 'error: The number of epochs must be a positive integer, got 0.'],
    [['train', 'x', '--val-split', '1.5'], 'error: The validation split must be in [0, 1), got 1.5.'],
    [['train', 'x', '--size', '100000'], 'error: The input size must be an integer between 1 and 4096, got 100000.'],
    [['train', 'x', '--epochs', '99999999999999999999'], "error: --epochs expects a whole number of at most 9007199254740991, got '99999999999999999999'."],
    [['train', 'x', '--steps', '9007199254740992'], "error: --steps expects a whole number of at most 9007199254740991, got '9007199254740992'."],
    [['serve', '--port', '-1'], 'error: --port must be between 0 and 65535, got -1.'],
  ] as const) {
    const r = await cli(...args);
    assert.equal(r.stderr, message, args.join(' '));
    assert.equal(r.code, 2, args.join(' '));
  }
  // A flag that takes no value still refuses one.
  const json = await cli('train', 'x', '--json=1');
  assert.equal(json.code, 2);
  assert.match(json.stderr, /^error: Option '--json' takes no value\./);
});

test('bad input is one sentence and exit code 1; --debug adds the stack trace', async () => {
  const r = await cli('summary', '--model', 'alexnet', '--size', '32');
  assert.equal(r.code, 1);
  assert.equal(
    r.stderr,
    "error: The input size 32×32 is too small for alexnet: layer 'pool2' would output 0×0×256 (the smallest size alexnet accepts is 67).",
  );
  const unknown = await cli('summary', '--model', 'lenet7');
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /^error: --model must be one of lenet5, alexnet, vgg16, resnet18, resnet18-half, mobilenet, got 'lenet7'\.$/);
  const debug = await cli('summary', '--model', 'alexnet', '--size', '32', '--debug');
  assert.equal(debug.code, 1);
  assert.match(debug.stderr, /\n {4}at /);
});

test('models lists every network with parameters and FLOPs at the size asked', async () => {
  const r = await cli('models', '--size', '150');
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^Networks at 150×150×3:/);
  assert.match(r.stdout, /\nlenet5 +14,606,766 +215\.0 M +1 +The seed's LeNet-5/);
  for (const name of ['alexnet', 'vgg16', 'resnet18', 'resnet18-half', 'mobilenet']) assert.match(r.stdout, new RegExp(`\\n${name} +[\\d,]+ +[\\d.]+ [kMG] `));
  const small = await cli('models', '--size', '40', '--json');
  const list = JSON.parse(small.stdout) as { name: string; error?: string }[];
  assert.match(list.find((m) => m.name === 'alexnet')?.error ?? '', /too small for alexnet/);
});

test('info names versions, backend, ISA and threads, and says no GPU is used', async () => {
  const r = await cli('info');
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^imgclass +\d+\.\d+\.\d+\nNode\.js +20\./);
  assert.match(r.stdout, /\nTensorFlow\.js 4\.22\.0\n/);
  assert.match(r.stdout, /\noneDNN +\d+\.\d+\.\d+\n/);
  assert.match(r.stdout, /\nbackend +onednn\n/);
  assert.match(r.stdout, /\nCPU +.*, \d+ cores, ISA \w+\n/);
  assert.match(r.stdout, /\nNo GPU is used: training and prediction run on the CPU with oneDNN \(\w+, \d+ threads\)\.$/);
  const json = JSON.parse((await cli('info', '--json')).stdout);
  assert.equal(json.gpuUsed, false);
  assert.equal(json.backend.name, 'onednn');
});
