import { percent } from '../format/numbers';
import { formatTable } from '../format/table';
import type { EvaluationResult } from './evaluate';

/** Accuracy, per-class precision/recall/F1, the confusion matrix and the most confident mistakes, as text. */
export function formatEvaluation(r: EvaluationResult): string {
  const correct = r.confusion.reduce((n, row, i) => n + row[i], 0);
  const lines = [`Accuracy: ${percent(r.accuracy)} (${correct} of ${r.images} pictures), mean loss ${r.loss.toFixed(4)}`];
  const tta = r.testTimeAugmentation;
  if (tta) {
    const recall = tta.perClass.map((m) => `${m.className} ${percent(m.recall)}`).join(', ');
    lines.push(
      `With test-time augmentation (${tta.augmentation}): accuracy ${percent(tta.accuracy)}, mean loss ${tta.loss.toFixed(4)}; recall ${recall}`,
      '(the tables below are without it)',
    );
  }
  lines.push('');
  lines.push(
    formatTable(
      ['Class', 'Precision', 'Recall', 'F1', 'Pictures'],
      r.perClass.map((m) => [m.className, percent(m.precision), percent(m.recall), percent(m.f1), String(m.support)]),
      { align: 'lrrrr' },
    ),
    '',
    'Confusion matrix (rows: true class, columns: predicted class)',
    formatTable(
      ['', ...r.classes],
      r.classes.map((c, i) => [c, ...r.confusion[i].map(String)]),
      { align: 'l' + 'r'.repeat(r.classes.length) },
    ),
  );
  if (r.mostConfidentlyWrong.length > 0) {
    lines.push(
      '',
      'Most confidently wrong',
      formatTable(
        ['Picture', 'True', 'Predicted', 'Probability'],
        r.mostConfidentlyWrong.map((m) => [m.path, m.trueClass, m.predictedClass, percent(m.probability)]),
        { align: 'lllr' },
      ),
    );
  } else {
    lines.push('', 'No mistakes.');
  }
  return lines.join('\n');
}
