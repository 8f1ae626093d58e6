// The page of `crosstalk serve`: translate or force-align a sentence, edit the translation
// with the model completing it, explore the decoder's cross-attention (heatmap,
// bertviz-style links, layer/head selectors, pieces or words), download it, and look at the
// model and its training curves. Plain JS, no build step, nothing fetched from anywhere but
// this server. The API is in docs/serving.md, "JSON API".
//
// The page is a few plain scripts loaded in order by index.html, each one concept, sharing
// one namespace object, window.crosstalk (`ct` in each file):
//   core.js      state, the viridis scale, SVG and text helpers, api()
//   matrix.js    the attention matrices: pieces, words, layer/head selection, rows the user wrote
//   heatmap.js   the heatmap SVG          links.js   the bertviz-style links SVG
//   hover.js     hovering words and cells (both views and the readout)
//   translate.js the form, /api/translate and /api/align, showing a Result
//   edit.js      the editable translation: /api/complete and the next-word list at the cursor
//   downloads.js SVG, PNG and JSON downloads     model.js   the model tab
//   app.js       the start (the URL's ?text=...) and window.crosstalkPage for the tests
'use strict';

(function () {
  const ct = window.crosstalk = {};
  ct.SVG_NS = 'http://www.w3.org/2000/svg';
  ct.FONT = 'DejaVu Sans, sans-serif';
  ct.EOS = '</s>';

  // viridis at 0, 1/8, ..., 1, linear in sRGB: the same stops and interpolation as the
  // project's heatmaps (src/align/heatmap_scene.cpp, colormap()).
  ct.VIRIDIS = [
    [0x44, 0x01, 0x54], [0x47, 0x2d, 0x7b], [0x3b, 0x52, 0x8b], [0x2c, 0x72, 0x8e], [0x21, 0x90, 0x8c],
    [0x27, 0xad, 0x81], [0x5d, 0xc8, 0x63], [0xaa, 0xdc, 0x32], [0xfd, 0xe7, 0x25],
  ];
  // The rows the user wrote (a completion's forced prefix): the page's accent (viridis 3/8).
  ct.FORCED_COLOUR = '#2c728e';

  ct.viridis = function (weight) {
    const v = Number.isFinite(weight) ? Math.min(1, Math.max(0, weight)) : 0;
    const pos = v * (ct.VIRIDIS.length - 1);
    const i = Math.min(Math.floor(pos), ct.VIRIDIS.length - 2);
    const t = pos - i;
    const a = ct.VIRIDIS[i], b = ct.VIRIDIS[i + 1];
    return [0, 1, 2].map((k) => Math.round(a[k] + (b[k] - a[k]) * t));
  };
  ct.hex = (rgb) => '#' + rgb.map((x) => x.toString(16).padStart(2, '0')).join('');
  ct.luminance = (rgb) => (0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]) / 255;
  ct.clamp = (x, lo, hi) => Math.min(hi, Math.max(lo, x));
  ct.$ = (id) => document.getElementById(id);
  ct.num = (x) => String(Math.round(x * 100) / 100);

  // ---- state ----------------------------------------------------------------------------

  ct.state = {
    result: null,       // the Result on screen (normalized): a translation, alignment or completion
    kind: '',           // "translation", "forced alignment" or "completion"
    layer: 0,           // 1..layers, 0 = all layers averaged
    head: 0,            // 1..heads, 0 = heads averaged
    pieces: false,      // pieces instead of words
    hover: null,        // {kind: 'row'|'col', index, col?}
    view: null,         // the matrix on screen (matrix.js, currentView)
    seq: 0,             // translate/align request counter: only the latest response is shown
    model: null,
    trainLog: null,
  };

  // ---- SVG and text -----------------------------------------------------------------------

  ct.svgEl = function (name, attrs, parent) {
    const el = document.createElementNS(ct.SVG_NS, name);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v !== undefined && v !== null) el.setAttribute(k, String(v));
    }
    if (parent) parent.appendChild(el);
    return el;
  };
  ct.svgText = function (parent, text, attrs) {
    const el = ct.svgEl('text', attrs, parent);
    el.textContent = text;
    return el;
  };

  const measureCanvas = document.createElement('canvas').getContext('2d');
  ct.textWidth = function (text, size, bold) {
    measureCanvas.font = (bold ? 'bold ' : '') + size + 'px ' + ct.FONT;
    return measureCanvas.measureText(text).width;
  };
  ct.capHeight = function (size) {
    measureCanvas.font = size + 'px ' + ct.FONT;
    const m = measureCanvas.measureText('H');
    return m.actualBoundingBoxAscent > 0 ? m.actualBoundingBoxAscent : 0.73 * size;
  };

  ct.describeLayer = function (layer, layers) {
    return layer === 0 ? 'all ' + layers + ' layers averaged' : 'layer ' + layer + ' of ' + layers;
  };
  ct.describe = function (layer, head, layers, heads) {
    return ct.describeLayer(layer, layers) + (head === 0 ? ', heads averaged' : ', head ' + head + ' of ' + heads);
  };

  ct.showError = function (box, message) {
    box.textContent = message;
    box.hidden = !message;
  };

  // ---- the JSON API -----------------------------------------------------------------------

  /// POST/GET JSON; throws Error(message) with the server's {"error": ...} when there is one.
  /// An AbortSignal cancels the request (the promise rejects with an AbortError).
  ct.api = async function (path, body, signal) {
    const init = body === undefined ? { signal } : {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body), signal,
    };
    let response;
    try {
      response = await fetch(path, init);
    } catch (e) {
      if (e.name === 'AbortError') throw e;
      throw new Error('cannot reach the server (' + e.message + ')');
    }
    const text = await response.text();
    let data = null;
    try {
      data = JSON.parse(text);
    } catch (e) {
      data = null;
    }
    if (data && typeof data === 'object' && typeof data.error === 'string') {
      throw new Error(data.error + ' (HTTP ' + response.status + ')');
    }
    if (!response.ok || data === null) {
      throw new Error('HTTP ' + response.status + ' ' + response.statusText + (data === null ? ': not JSON' : ''));
    }
    return data;
  };
})();
