/**
 * The browser side, served as /app.js: plain ES2020 in a string (no bundler
 * step), one small function per page. Charts arrive as server-rendered SVG,
 * so the browser draws nothing itself and the report and the app look alike.
 */
export const CLIENT_SCRIPT = `'use strict';
(function () {
  var body = document.body;
  var $ = function (id) { return document.getElementById(id); };

  function runsPage() {
    var form = $('train-form');
    if (!form) return;
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      var data = new FormData(form);
      var request = { name: data.get('name'), train: data.get('train'), model: data.get('model') };
      if (data.get('test')) request.test = data.get('test');
      ['size', 'epochs', 'batchSize', 'lr', 'warmupSteps', 'logEvery'].forEach(function (k) { if (data.get(k)) request[k] = Number(data.get(k)); });
      var button = form.querySelector('button');
      button.disabled = true;
      $('train-error').textContent = '';
      fetch('/api/train', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(request) })
        .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, body: j }; }); })
        .then(function (r) {
          if (r.ok) { location.href = '/runs/' + encodeURIComponent(r.body.run); return; }
          $('train-error').textContent = r.body.error;
          button.disabled = false;
        })
        .catch(function () { $('train-error').textContent = 'The server did not answer.'; button.disabled = false; });
    });
  }

  function runPage() {
    var name = body.dataset.run;
    var source = new EventSource('/runs/' + encodeURIComponent(name) + '/events');
    source.addEventListener('curves', function (e) {
      $('curves').innerHTML = JSON.parse(e.data).html;
      body.dataset.updates = String(Number(body.dataset.updates || 0) + 1);
    });
    source.addEventListener('status', function (e) {
      var s = JSON.parse(e.data);
      var badge = $('status');
      badge.textContent = s.status;
      badge.className = 'badge ' + s.status;
      $('facts').innerHTML = s.facts;
      $('evaluation').innerHTML = s.evaluation;
      if (s.status !== 'training') $('progress-box').hidden = true;
    });
    source.addEventListener('progress', function (e) {
      var p = JSON.parse(e.data);
      $('progress-box').hidden = false;
      $('progress').value = p.step / p.totalSteps;
      $('progress-text').textContent = 'step ' + p.step + ' of ' + p.totalSteps + ' · epoch ' + p.epoch + ' of ' + p.epochs +
        ' · loss ' + p.loss.toFixed(3) + ' · accuracy ' + (p.accuracy * 100).toFixed(1) + '%';
    });
  }

  function predictPage() {
    var form = $('predict-form');
    if (!form) return;
    var max = Number(body.dataset.maxUpload);
    var last = null;
    var showError = function (text) { $('predict-error').textContent = text; };
    function send(file) {
      last = file;
      showError('');
      if (file.size > max) { showError('That file is larger than ' + Math.round(max / 1048576) + ' MB; choose a smaller picture.'); return; }
      body.dataset.state = 'busy';
      fetch('/api/predict?run=' + encodeURIComponent($('run').value), { method: 'POST', headers: { 'Content-Type': 'application/octet-stream' }, body: file })
        .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, body: j }; }); })
        .then(function (r) {
          body.dataset.state = 'done';
          if (!r.ok) { $('result').hidden = true; showError(r.body.error); return; }
          show(r.body);
        })
        .catch(function () { body.dataset.state = 'done'; showError('The server did not answer.'); });
    }
    function show(p) {
      $('input').src = p.input;
      $('input-caption').textContent = p.width + '×' + p.height + ' input the network saw (' + p.source + ')';
      var list = $('top');
      list.textContent = '';
      p.top.forEach(function (c) {
        var li = document.createElement('li');
        var label = document.createElement('span');
        label.className = 'class-name';
        label.textContent = c.className;
        var bar = document.createElement('span');
        bar.className = 'bar';
        var fill = document.createElement('span');
        fill.style.width = (c.probability * 100).toFixed(1) + '%';
        bar.appendChild(fill);
        var value = document.createElement('span');
        value.className = 'num';
        value.textContent = (c.probability * 100).toFixed(1) + '%';
        li.append(label, bar, value);
        list.appendChild(li);
      });
      $('result').hidden = false;
    }
    $('file').addEventListener('change', function () { if (this.files[0]) send(this.files[0]); });
    $('run').addEventListener('change', function () { if (last) send(last); });
    var drop = $('drop');
    ['dragenter', 'dragover'].forEach(function (t) { drop.addEventListener(t, function (e) { e.preventDefault(); drop.classList.add('over'); }); });
    ['dragleave', 'drop'].forEach(function (t) { drop.addEventListener(t, function () { drop.classList.remove('over'); }); });
    drop.addEventListener('drop', function (e) {
      e.preventDefault();
      if (e.dataTransfer.files[0]) send(e.dataTransfer.files[0]);
    });
  }

  ({ runs: runsPage, run: runPage, predict: predictPage })[body.dataset.page]?.();
})();
`;
