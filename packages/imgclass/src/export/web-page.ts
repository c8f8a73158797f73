/** index.html of the web demo; `scripts` are the custom layer scripts the model needs (loaded after tfjs). */
export function webIndexHtml(scripts: readonly string[]): string {
  const custom = scripts.map((s) => `  <script src="model/${s}"></script>\n`).join('');
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>imgclass demo</title>
  <link rel="icon" href="data:,">
  <style>
    body { font: 16px/1.4 system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
    #drop { border: 2px dashed #999; border-radius: 8px; padding: 2rem; text-align: center; }
    #drop.over { border-color: #06c; background: #eef5ff; }
    #preview { display: block; max-width: 100%; max-height: 20rem; margin: 1rem auto; }
    #preview:not([src]) { display: none; }
    #status { font-size: 1.3rem; margin: 1rem 0; }
    body[data-state="error"] #status { color: #b00; }
    .row { display: grid; grid-template-columns: 8rem 1fr 4rem; align-items: center; gap: .5rem; margin: .2rem 0; }
    .row.top { font-weight: bold; }
    .bar { height: .8rem; background: #06c; border-radius: 3px; }
    .pct { text-align: right; }
    small { color: #666; }
  </style>
</head>
<body data-state="loading">
  <h1 id="title">imgclass demo</h1>
  <div id="drop">
    <p>Drop a picture here</p>
    <input id="file" type="file" accept="image/*">
  </div>
  <p id="status">Loading the model...</p>
  <img id="preview" alt="">
  <div id="results"></div>
  <p><small id="about"></small></p>
  <script src="tf.min.js"></script>
${custom}  <script src="preprocess.js"></script>
  <script src="app.js"></script>
</body>
</html>
`;
}

export const WEB_README = `imgclass web demo
=================

A static page that classifies a picture in the browser with TensorFlow.js:
the model (model/), TensorFlow.js (tf.min.js) and the page, nothing from a CDN.

Browsers do not let a page opened from disk (file://) read its model files, so
serve this folder over HTTP, for example:

  python3 -m http.server 8000      (then open http://localhost:8000/)
  npx http-server .

Add ?backend=cpu to the address to force TensorFlow.js' CPU backend.
model/metadata.json describes the classes and the preprocessing; preprocess.js
implements it (resize mode and normalization) in the page.
`;
