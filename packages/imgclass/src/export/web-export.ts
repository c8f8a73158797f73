import * as tf from '@tensorflow/tfjs';
import { copyFile, writeFile } from 'node:fs/promises';
import { makeDir } from '../io/make-dir';
import path from 'node:path';
import type { Classifier } from '../trained-network/load-classifier';
import { writeOutputFolder } from './staged-output';
import { writeTfjsModel } from './tfjs-export';
import { WEB_APP_JS } from './web-app-script';
import { webIndexHtml, WEB_README } from './web-page';
import { WEB_PREPROCESS_JS } from './web-preprocess-script';

export const WEB_MODEL_DIR = 'model';

export interface WebExportOptions {
  out: string;
  force?: boolean;
}

export interface WebExportResult {
  dir: string;
  /** Files written, relative to dir. */
  files: string[];
  /** The TensorFlow.js build copied in. */
  tfjsVersion: string;
}

/**
 * Writes a self-contained static page: index.html + app.js + preprocess.js,
 * the model in TensorFlow.js format under model/, and the tf.min.js that
 * imgclass itself depends on (so the page needs no network).
 */
export async function exportWeb(c: Classifier, options: WebExportOptions): Promise<WebExportResult> {
  const files: string[] = [];
  await writeOutputFolder(options.out, options.force ?? false, async (dir) => {
    const modelDir = path.join(dir, WEB_MODEL_DIR);
    await makeDir(modelDir);
    const model = await writeTfjsModel(c, modelDir);
    await copyFile(require.resolve('@tensorflow/tfjs/dist/tf.min.js'), path.join(dir, 'tf.min.js'));
    const pageFiles: [string, string][] = [
      ['index.html', webIndexHtml(model.customLayerScripts)],
      ['app.js', WEB_APP_JS],
      ['preprocess.js', WEB_PREPROCESS_JS],
      ['README.txt', WEB_README],
    ];
    for (const [name, text] of pageFiles) await writeFile(path.join(dir, name), text);
    files.push(...pageFiles.map(([name]) => name), 'tf.min.js', ...model.files.map((f) => `${WEB_MODEL_DIR}/${f}`));
  });
  return { dir: options.out, files, tfjsVersion: tf.version.tfjs };
}
