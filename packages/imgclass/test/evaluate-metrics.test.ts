import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classMetrics, formatEvaluation } from '../src/evaluate';
import { lossAndAccuracy } from '../src/evaluate/predict-dataset';

test('precision, recall and F1 from a confusion matrix', () => {
  // rows: true cat, dog, fox; columns: predicted
  const m = classMetrics(['cat', 'dog', 'fox'], [[8, 2, 0], [1, 6, 3], [0, 0, 0]]);
  assert.deepEqual(m[0], { className: 'cat', precision: 8 / 9, recall: 0.8, f1: (2 * (8 / 9) * 0.8) / (8 / 9 + 0.8), support: 10 });
  assert.equal(m[1].precision, 0.75);
  assert.equal(m[1].recall, 0.6);
  assert.deepEqual(m[2], { className: 'fox', precision: 0, recall: 0, f1: 0, support: 0 }, 'undefined ratios are 0, not NaN');
});

test('loss and accuracy of predictions', () => {
  const r = lossAndAccuracy({ probs: new Float32Array([0.9, 0.1, 0.4, 0.6]), labels: new Int32Array([0, 0]), paths: ['a', 'b'], classes: 2 });
  assert.equal(r.accuracy, 0.5);
  assert.ok(Math.abs(r.loss - -(Math.log(0.9) + Math.log(0.4)) / 2) < 1e-6);
});

test('the evaluation report shows accuracy, per-class scores, the confusion matrix and confident mistakes', () => {
  const text = formatEvaluation({
    classes: ['cat', 'dog'],
    images: 4,
    accuracy: 0.75,
    loss: 0.5,
    perClass: classMetrics(['cat', 'dog'], [[2, 0], [1, 1]]),
    confusion: [[2, 0], [1, 1]],
    mostConfidentlyWrong: [{ path: 'test/dog/3.jpg', trueClass: 'dog', predictedClass: 'cat', probability: 0.973 }],
    report: undefined as never,
  });
  assert.equal(
    text,
    [
      'Accuracy: 75.0% (3 of 4 pictures), mean loss 0.5000',
      '',
      'Class  Precision  Recall     F1  Pictures',
      '-----  ---------  ------  -----  --------',
      'cat        66.7%  100.0%  80.0%         2',
      'dog       100.0%   50.0%  66.7%         2',
      '',
      'Confusion matrix (rows: true class, columns: predicted class)',
      '     cat  dog',
      '---  ---  ---',
      'cat    2    0',
      'dog    1    1',
      '',
      'Most confidently wrong',
      'Picture         True  Predicted  Probability',
      '--------------  ----  ---------  -----------',
      'test/dog/3.jpg  dog   cat              97.3%',
    ].join('\n'),
  );
});
