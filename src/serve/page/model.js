// The model tab: the facts of /api/model (sizes, default selection, config.toml) and the
// training curves of /api/train_log (training and validation loss, validation BLEU).
'use strict';

(function () {
  const ct = window.crosstalk;
  const { $, state, svgEl, svgText, num, textWidth, FONT, SVG_NS } = ct;

  function setTab(name) {
    for (const t of ['translate', 'model']) {
      $('tab-' + t).setAttribute('aria-selected', String(t === name));
      $('panel-' + t).hidden = t !== name;
    }
    if (name === 'model') loadModel();
  }
  $('tab-translate').addEventListener('click', () => setTab('translate'));
  $('tab-model').addEventListener('click', () => setTab('model'));

  function factsRow(table, key, value) {
    const tr = table.insertRow();
    const th = document.createElement('th');
    th.textContent = key;
    tr.appendChild(th);
    tr.insertCell().textContent = value === null || value === undefined ? '\u2014' :
      typeof value === 'object' ? JSON.stringify(value) : String(value);
  }

  let modelLoading = null;
  function loadModel() {
    if (!modelLoading) {
      modelLoading = (async () => {
        const box = $('model-error');
        try {
          const m = await ct.api('/api/model');
          state.model = m;
          const t = $('model-facts');
          t.replaceChildren();
          const sel = m.default_selection || {};
          const rows = [
            ['model directory', m.model_dir],
            ['cross-attention layers', m.layers], ['heads', m.heads],
            ['encoder layers', m.encoder_layers], ['decoder layers', m.decoder_layers],
            ['d_model', m.d_model], ['ffn_dim', m.ffn_dim], ['vocabulary', m.vocab_size],
            ['max positions', m.max_positions],
            ['parameters', typeof m.parameters === 'number' ? m.parameters.toLocaleString('en-US') : m.parameters],
            ['default alignment selection', sel.description],
            ['reverse model', m.reverse_model],
          ];
          for (const [k, v] of rows) factsRow(t, k, v);
          const c = $('model-config');
          c.replaceChildren();
          for (const [k, v] of Object.entries(m.config || {})) factsRow(c, k, v);
        } catch (e) {
          ct.showError(box, 'model: ' + e.message);
        }
        try {
          const log = await ct.api('/api/train_log');
          state.trainLog = log;
          drawTrainLog(Array.isArray(log.entries) ? log.entries : []);
          document.body.dataset.model = 'ready';
        } catch (e) {
          ct.showError(box, 'training log: ' + e.message);
          document.body.dataset.model = 'error';
        }
      })();
    }
    return modelLoading;
  }

  function drawTrainLog(entries) {
    const train = entries.filter((e) => e.event === 'train' && Number.isFinite(e.step) && Number.isFinite(e.loss));
    const valid = entries.filter((e) => e.event === 'valid' && Number.isFinite(e.step));
    const note = $('train-log-note');
    if (!entries.length) {
      note.textContent = 'The model directory has no train_log.jsonl (it is written by `crosstalk train`).';
    } else {
      const last = entries[entries.length - 1];
      const bleus = valid.filter((e) => Number.isFinite(e.bleu));
      const best = bleus.reduce((b, e) => (!b || e.bleu > b.bleu ? e : b), null);
      note.textContent = train.length + ' training and ' + valid.length + ' validation log lines; last step ' + last.step +
        (Number.isFinite(last.elapsed) ? ', ' + Math.round(last.elapsed) + ' s of training' : '') +
        (best ? '; best validation BLEU ' + best.bleu.toFixed(2) + ' at step ' + best.step : '') + '.';
    }
    $('loss-box').replaceChildren(lineChart('loss-chart', 'Loss', 'step', 'loss', [
      { name: 'training loss', cls: 'train', points: train.map((e) => [e.step, e.loss]) },
      { name: 'validation loss', cls: 'valid', points: valid.filter((e) => Number.isFinite(e.valid_loss)).map((e) => [e.step, e.valid_loss]), markers: true },
    ]));
    $('bleu-box').replaceChildren(lineChart('bleu-chart', 'Validation BLEU', 'step', 'BLEU', [
      { name: 'validation BLEU', cls: 'bleu', points: valid.filter((e) => Number.isFinite(e.bleu)).map((e) => [e.step, e.bleu]), markers: true },
    ]));
  }

  /// About five round tick values covering [lo, hi].
  function ticks(lo, hi) {
    if (!(hi > lo)) hi = lo + 1;
    const raw = (hi - lo) / 5;
    const mag = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 2.5, 5, 10].map((f) => f * mag).find((s) => s >= raw) || raw;
    const out = [];
    for (let k = Math.floor(lo / step + 1e-9); out.length < 100; ++k) {
      const v = +(k * step).toPrecision(12);
      out.push(v);
      if (v >= hi - step * 1e-9) break;
    }
    return { values: out, lo: Math.min(lo, out[0]), hi: Math.max(hi, out[out.length - 1]) };
  }

  function lineChart(id, title, xLabel, yLabel, series) {
    const width = 460, height = 280, left = 52, right = 16, top = 34, bottom = 42;
    const svg = svgEl('svg', { id, class: 'chart', xmlns: SVG_NS, width, height, viewBox: '0 0 ' + width + ' ' + height, 'font-family': FONT });
    svgText(svg, title, { x: left, y: 20, 'font-size': 14, 'font-weight': 'bold', fill: '#222222' });
    const all = series.flatMap((s) => s.points);
    if (!all.length) {
      svgText(svg, 'no data', { x: width / 2, y: height / 2, 'text-anchor': 'middle', fill: '#888888', 'font-size': 13 });
      return svg;
    }
    const xt = ticks(Math.min(...all.map((p) => p[0]), 0), Math.max(...all.map((p) => p[0])));
    const yt = ticks(Math.min(0, ...all.map((p) => p[1])), Math.max(...all.map((p) => p[1])));
    const X = (x) => left + (x - xt.lo) / (xt.hi - xt.lo) * (width - left - right);
    const Y = (y) => height - bottom - (y - yt.lo) / (yt.hi - yt.lo) * (height - top - bottom);
    const axes = svgEl('g', { class: 'axes', 'font-size': 11, fill: '#444444' }, svg);
    for (const v of yt.values) {
      svgEl('line', { x1: left, x2: width - right, y1: num(Y(v)), y2: num(Y(v)), stroke: '#e4e4e4' }, axes);
      svgText(axes, String(v), { x: left - 6, y: num(Y(v) + 4), 'text-anchor': 'end' });
    }
    for (const v of xt.values) {
      svgEl('line', { x1: num(X(v)), x2: num(X(v)), y1: height - bottom, y2: height - bottom + 4, stroke: '#888888' }, axes);
      svgText(axes, String(v), { x: num(X(v)), y: height - bottom + 16, 'text-anchor': 'middle' });
    }
    svgEl('line', { x1: left, x2: width - right, y1: height - bottom, y2: height - bottom, stroke: '#888888' }, axes);
    svgEl('line', { x1: left, x2: left, y1: top, y2: height - bottom, stroke: '#888888' }, axes);
    svgText(axes, xLabel, { x: (left + width - right) / 2, y: height - 8, 'text-anchor': 'middle' });
    svgText(axes, yLabel, { x: 14, y: (top + height - bottom) / 2, 'text-anchor': 'middle', transform: 'rotate(-90 14 ' + (top + height - bottom) / 2 + ')' });
    let lx = width - right;
    for (const s of series.slice().reverse()) {
      if (!s.points.length) continue;
      const pts = s.points.slice().sort((a, b) => a[0] - b[0]);
      svgEl('polyline', {
        class: 'curve ' + s.cls, 'data-series': s.name, 'data-points': pts.length, fill: 'none',
        points: pts.map(([x, y]) => num(X(x)) + ',' + num(Y(y))).join(' '),
      }, svg);
      if (s.markers) for (const [x, y] of pts) svgEl('circle', { class: 'marker ' + s.cls, cx: num(X(x)), cy: num(Y(y)), r: 2.5 }, svg);
      const w = textWidth(s.name, 11, false);
      lx -= w;
      svgText(svg, s.name, { x: num(lx), y: 20, 'font-size': 11, fill: '#444444' });
      svgEl('line', { class: 'curve ' + s.cls, x1: num(lx - 20), x2: num(lx - 4), y1: 16, y2: 16 }, svg);
      lx -= 32;
    }
    return svg;
  }

  ct.setTab = setTab;
  ct.loadModel = loadModel;
})();
