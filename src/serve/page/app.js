// The page of `crosstalk serve`: translate or force-align a sentence, then explore the
// decoder's cross-attention (heatmap, bertviz-style links, layer/head selectors, pieces or
// words), download it, and look at the model and its training curves. Plain JS, no build
// step, nothing fetched from anywhere but this server. The API is in
// docs/serving.md, "JSON API".
'use strict';

(function () {
  const SVG_NS = 'http://www.w3.org/2000/svg';
  const FONT = 'DejaVu Sans, sans-serif';
  const EOS = '</s>';
  const REQUEST = { beam: 4, nbest: 4, attention: true };

  // viridis at 0, 1/8, ..., 1, linear in sRGB: the same stops and interpolation as the
  // project's heatmaps (src/align/heatmap_scene.cpp, colormap()).
  const VIRIDIS = [
    [0x44, 0x01, 0x54], [0x47, 0x2d, 0x7b], [0x3b, 0x52, 0x8b], [0x2c, 0x72, 0x8e], [0x21, 0x90, 0x8c],
    [0x27, 0xad, 0x81], [0x5d, 0xc8, 0x63], [0xaa, 0xdc, 0x32], [0xfd, 0xe7, 0x25],
  ];

  function viridis(weight) {
    const v = Number.isFinite(weight) ? Math.min(1, Math.max(0, weight)) : 0;
    const pos = v * (VIRIDIS.length - 1);
    const i = Math.min(Math.floor(pos), VIRIDIS.length - 2);
    const t = pos - i;
    const a = VIRIDIS[i], b = VIRIDIS[i + 1];
    return [0, 1, 2].map((k) => Math.round(a[k] + (b[k] - a[k]) * t));
  }
  const hex = (rgb) => '#' + rgb.map((x) => x.toString(16).padStart(2, '0')).join('');
  const luminance = (rgb) => (0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]) / 255;
  const clamp = (x, lo, hi) => Math.min(hi, Math.max(lo, x));
  const $ = (id) => document.getElementById(id);

  // ---- state ----------------------------------------------------------------------------

  const state = {
    result: null,       // the last Result object (normalized)
    kind: '',           // "translation" or "forced alignment"
    layer: 0,           // 1..layers, 0 = all layers averaged
    head: 0,            // 1..heads, 0 = heads averaged
    pieces: false,      // pieces instead of words
    hover: null,        // {kind: 'row'|'col', index, col?}
    view: null,         // the matrix on screen (see currentView)
    seq: 0,             // request counter: only the latest response is shown
    model: null,
    trainLog: null,
  };

  // ---- small helpers ----------------------------------------------------------------------

  function svgEl(name, attrs, parent) {
    const el = document.createElementNS(SVG_NS, name);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v !== undefined && v !== null) el.setAttribute(k, String(v));
    }
    if (parent) parent.appendChild(el);
    return el;
  }
  function svgText(parent, text, attrs) {
    const el = svgEl('text', attrs, parent);
    el.textContent = text;
    return el;
  }
  const num = (x) => String(Math.round(x * 100) / 100);

  const measureCanvas = document.createElement('canvas').getContext('2d');
  function textWidth(text, size, bold) {
    measureCanvas.font = (bold ? 'bold ' : '') + size + 'px ' + FONT;
    return measureCanvas.measureText(text).width;
  }
  function capHeight(size) {
    measureCanvas.font = size + 'px ' + FONT;
    const m = measureCanvas.measureText('H');
    return m.actualBoundingBoxAscent > 0 ? m.actualBoundingBoxAscent : 0.73 * size;
  }

  function describeLayer(layer, layers) {
    return layer === 0 ? 'all ' + layers + ' layers averaged' : 'layer ' + layer + ' of ' + layers;
  }
  function describe(layer, head, layers, heads) {
    return describeLayer(layer, layers) + (head === 0 ? ', heads averaged' : ', head ' + head + ' of ' + heads);
  }

  function showError(box, message) {
    box.textContent = message;
    box.hidden = !message;
  }

  /// POST/GET JSON; throws Error(message) with the server's {"error": ...} when there is one.
  async function api(path, body) {
    const init = body === undefined ? {} : {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
    };
    let response;
    try {
      response = await fetch(path, init);
    } catch (e) {
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
  }

  // ---- the attention matrices -------------------------------------------------------------

  /// Checks a Result's shapes, fills what can be derived, and throws a clear message otherwise.
  function normalize(r) {
    for (const key of ['src_pieces', 'tgt_pieces', 'src_words', 'tgt_words', 'src_piece_word', 'tgt_piece_word']) {
      if (!Array.isArray(r[key])) throw new Error('the server\'s answer has no "' + key + '" list');
    }
    const att = r.attention;
    if (Array.isArray(att)) {
      if (!att.length || !Array.isArray(att[0]) || !att[0].length) throw new Error('empty "attention" in the answer');
      r.layers = att.length;
      r.heads = att[0].length;
      const rows = att[0][0].length, cols = att[0][0][0].length;
      // The lists end with EOS; tolerate a server that leaves it out of them.
      const pad = (list, n, label) => { while (list.length < n) list.push(label); };
      pad(r.tgt_pieces, rows, EOS);
      pad(r.src_pieces, cols, EOS);
      if (r.tgt_piece_word.length < rows) r.tgt_piece_word.push(r.tgt_words.length - (r.tgt_words[r.tgt_words.length - 1] === EOS ? 1 : 0));
      if (r.src_piece_word.length < cols) r.src_piece_word.push(r.src_words.length - (r.src_words[r.src_words.length - 1] === EOS ? 1 : 0));
      if (r.tgt_words[r.tgt_words.length - 1] !== EOS) r.tgt_words.push(EOS);
      if (r.src_words[r.src_words.length - 1] !== EOS) r.src_words.push(EOS);
      if (r.tgt_pieces.length !== rows || r.src_pieces.length !== cols ||
          r.tgt_piece_word.length !== rows || r.src_piece_word.length !== cols) {
        throw new Error('the attention is ' + rows + ' x ' + cols + ' but there are ' + r.tgt_pieces.length +
                        ' target and ' + r.src_pieces.length + ' source pieces');
      }
    } else if (!Array.isArray(r.word_attention)) {
      throw new Error('the answer has neither "attention" nor "word_attention"');
    }
    if (!Number.isInteger(r.layers) || r.layers < 1) r.layers = 1;
    if (!Number.isInteger(r.heads) || r.heads < 1) r.heads = 1;
    return r;
  }

  /// [rows][cols] piece weights of a layer/head selection: the mean over the selected layers
  /// and heads (0 = all of them), as AttentionRecord::piece_weights does.
  function pieceMatrix(r, layer, head) {
    const att = r.attention;
    const layers = layer === 0 ? att.map((_, i) => i) : [layer - 1];
    const heads = head === 0 ? att[0].map((_, i) => i) : [head - 1];
    const rows = att[0][0].length, cols = att[0][0][0].length;
    const m = Array.from({ length: rows }, () => new Array(cols).fill(0));
    const n = layers.length * heads.length;
    for (const l of layers) {
      for (const h of heads) {
        const a = att[l][h];
        for (let i = 0; i < rows; ++i) for (let j = 0; j < cols; ++j) m[i][j] += a[i][j] / n;
      }
    }
    return m;
  }

  /// Pieces to words (src/align/words.cpp, merge_attention): a source word's column is the
  /// sum over its pieces, a target word's row the mean over its pieces; EOS is its own word.
  function mergeWords(m, tgtPieceWord, srcPieceWord, nTgtWords, nSrcWords) {
    const out = Array.from({ length: nTgtWords }, () => new Array(nSrcWords).fill(0));
    const count = new Array(nTgtWords).fill(0);
    for (let t = 0; t < m.length; ++t) {
      const row = tgtPieceWord[t];
      ++count[row];
      for (let s = 0; s < m[t].length; ++s) out[row][srcPieceWord[s]] += m[t][s];
    }
    for (let r = 0; r < nTgtWords; ++r) for (let c = 0; c < nSrcWords; ++c) out[r][c] = count[r] ? out[r][c] / count[r] : 0;
    return out;
  }

  /// Each real target unit linked to the real source unit it weighs most (EOS row and
  /// column left out), as the project's argmax alignment.
  function argmaxLinks(m) {
    const links = [];
    for (let i = 0; i + 1 < m.length; ++i) {
      let best = -1;
      for (let j = 0; j + 1 < m[i].length; ++j) if (best < 0 || m[i][j] > m[i][best]) best = j;
      if (best >= 0) links.push([best, i]);
    }
    return links;
  }

  function currentView() {
    const r = state.result;
    let w, rows, cols;
    if (Array.isArray(r.attention)) {
      const pm = pieceMatrix(r, state.layer, state.head);
      if (state.pieces) {
        w = pm, rows = r.tgt_pieces, cols = r.src_pieces;
      } else {
        w = mergeWords(pm, r.tgt_piece_word, r.src_piece_word, r.tgt_words.length, r.src_words.length);
        rows = r.tgt_words, cols = r.src_words;
      }
    } else {
      w = r.word_attention, rows = r.tgt_words, cols = r.src_words;
    }
    const unit = state.pieces ? 'pieces' : 'words';
    const title = 'Cross-attention \u00b7 ' + describe(state.layer, state.head, r.layers, r.heads) + ' \u00b7 ' +
                  unit + ' \u00b7 ' + state.kind;
    return { w, rows, cols, unit, title, links: argmaxLinks(w) };
  }

  // ---- the heatmap (layout after src/align/heatmap_scene.cpp) ------------------------------

  function drawHeatmap(view) {
    const nR = view.rows.length, nC = view.cols.length;
    const margin = 16, titleSize = 16, tickSize = 11, legendSize = 12, barWidth = 14;
    const cell = clamp(Math.floor(720 / Math.max(1, nR, nC)), 12, 28);
    const ls = clamp(Math.round(cell * 0.5), 9, 13);
    const cap = capHeight(ls);
    const diag = Math.SQRT1_2;
    const shift = diag * cap / 2;

    let rowW = 0;
    for (const label of view.rows) rowW = Math.max(rowW, textWidth(label, ls, false));
    const left = Math.ceil(rowW + 6);
    let top = 8, right = nC * cell;
    const colAdv = view.cols.map((label) => textWidth(label, ls, false));
    colAdv.forEach((adv, c) => {
      top = Math.max(top, 8 - shift + (adv + 0.25 * ls) * diag + 0.8 * ls * diag);
      right = Math.max(right, (c + 0.5) * cell + shift + adv * diag + 0.8 * ls * diag);
    });
    top = Math.ceil(top);
    const titleW = textWidth(view.title, titleSize, true);
    const titleH = Math.ceil(titleSize * 1.17) + 14;

    const gx = margin + left, gy = margin + titleH + top;
    const legendX = Math.ceil(gx + right + 28);
    const bar = Math.floor(clamp(nR * cell, 120, 320) / 4) * 4;
    let tickW = 0;
    for (const t of ['0', '0.25', '0.5', '0.75', '1']) tickW = Math.max(tickW, textWidth(t, tickSize, false));
    const legendLabelX = legendX + barWidth + 8 + tickW + 10 + capHeight(legendSize);
    const width = Math.ceil(Math.max(legendLabelX + legendSize * 0.3 + margin, margin + titleW + margin));
    const height = Math.ceil(Math.max(gy + nR * cell, gy + bar + 6) + margin);

    const svg = svgEl('svg', {
      id: 'heatmap', xmlns: SVG_NS, width, height, viewBox: '0 0 ' + width + ' ' + height,
      'font-family': FONT, 'data-rows': nR, 'data-cols': nC, 'data-unit': view.unit,
      role: 'img', 'aria-label': view.title,
    });
    svgEl('rect', { x: 0, y: 0, width, height, fill: '#ffffff' }, svg);
    svgText(svg, view.title, {
      id: 'heatmap-title', x: margin, y: margin + Math.ceil(titleSize * 0.93), 'font-size': titleSize,
      'font-weight': 'bold', fill: '#222222',
    });

    const cells = svgEl('g', { class: 'cells' }, svg);
    const valueSize = Math.round(cell * 0.34);
    const valueCap = capHeight(valueSize);
    for (let r = 0; r < nR; ++r) {
      for (let c = 0; c < nC; ++c) {
        const w = view.w[r][c];
        const rgb = viridis(w);
        svgEl('rect', {
          class: 'cell', x: gx + c * cell, y: gy + r * cell, width: cell, height: cell, fill: hex(rgb),
          'data-row': r, 'data-col': c, 'data-weight': w.toFixed(6),
        }, cells);
      }
    }
    const values = svgEl('g', { class: 'values', 'pointer-events': 'none' }, svg);
    if (cell >= 24) {
      for (let r = 0; r < nR; ++r) {
        for (let c = 0; c < nC; ++c) {
          const w = view.w[r][c];
          if (w < 0.5) continue;
          svgText(values, Math.min(1, w).toFixed(2), {
            x: gx + (c + 0.5) * cell, y: num(gy + (r + 0.5) * cell + valueCap / 2), 'font-size': valueSize,
            'text-anchor': 'middle', fill: luminance(viridis(w)) > 0.5 ? '#222222' : '#ffffff',
          });
        }
      }
    }
    const grid = svgEl('g', { stroke: '#ffffff', 'stroke-opacity': 0.25, 'stroke-width': 1, 'pointer-events': 'none' }, svg);
    for (let c = 1; c < nC; ++c) svgEl('line', { x1: gx + c * cell + 0.5, y1: gy, x2: gx + c * cell + 0.5, y2: gy + nR * cell }, grid);
    for (let r = 1; r < nR; ++r) svgEl('line', { x1: gx, y1: gy + r * cell + 0.5, x2: gx + nC * cell, y2: gy + r * cell + 0.5 }, grid);
    svgEl('rect', {
      x: gx - 0.5, y: gy - 0.5, width: nC * cell + 1, height: nR * cell + 1, fill: 'none', stroke: '#888888',
      'stroke-width': 1, 'pointer-events': 'none',
    }, svg);
    // Highlight frames, moved by setHover (hidden until then).
    svgEl('rect', { id: 'hl-frame', class: 'hl-frame', x: 0, y: 0, width: 0, height: 0, fill: 'none', visibility: 'hidden' }, svg);

    const rowLabels = svgEl('g', { class: 'row-labels', 'font-size': ls, fill: '#222222' }, svg);
    for (let r = 0; r < nR; ++r) {
      const g = svgEl('g', { class: 'row-label', 'data-row': r, tabindex: 0 }, rowLabels);
      svgEl('rect', { class: 'hit', x: gx - left, y: gy + r * cell, width: left, height: cell, fill: 'none', 'pointer-events': 'all' }, g);
      svgText(g, view.rows[r], { x: gx - 6, y: num(gy + (r + 0.5) * cell + cap / 2), 'text-anchor': 'end' });
    }
    const colLabels = svgEl('g', { class: 'col-labels', 'font-size': ls, fill: '#222222' }, svg);
    for (let c = 0; c < nC; ++c) {
      const x = gx + (c + 0.5) * cell + shift, y = gy - 8 + shift;
      const g = svgEl('g', { class: 'col-label', 'data-col': c, tabindex: 0, transform: 'translate(' + num(x) + ' ' + num(y) + ') rotate(-45)' }, colLabels);
      svgEl('rect', { class: 'hit', x: -2, y: -cap - 3, width: colAdv[c] + 4, height: cap + 6, fill: 'none', 'pointer-events': 'all' }, g);
      svgText(g, view.cols[c], { x: 0, y: 0 });
    }

    // Colour bar: the same viridis stops as a gradient, ticks at 0, 0.25, ..., 1.
    const defs = svgEl('defs', {}, svg);
    const grad = svgEl('linearGradient', { id: 'viridis-bar', x1: 0, y1: 1, x2: 0, y2: 0 }, defs);
    VIRIDIS.forEach((rgb, k) => svgEl('stop', { offset: num(k / (VIRIDIS.length - 1)), 'stop-color': hex(rgb) }, grad));
    const legend = svgEl('g', { class: 'colorbar', 'pointer-events': 'none' }, svg);
    svgEl('rect', { x: legendX, y: gy, width: barWidth, height: bar, fill: 'url(#viridis-bar)' }, legend);
    svgEl('rect', { x: legendX - 0.5, y: gy - 0.5, width: barWidth + 1, height: bar + 1, fill: 'none', stroke: '#888888', 'stroke-width': 1 }, legend);
    const tickCap = capHeight(tickSize);
    for (const [value, label] of [[0, '0'], [0.25, '0.25'], [0.5, '0.5'], [0.75, '0.75'], [1, '1']]) {
      const ty = Math.round(gy + (1 - value) * bar) + (value === 1 ? 0.5 : -0.5);
      svgEl('line', { x1: legendX + barWidth, y1: ty, x2: legendX + barWidth + 5, y2: ty, stroke: '#888888', 'stroke-width': 1 }, legend);
      svgText(legend, label, { x: legendX + barWidth + 8, y: num(ty + tickCap / 2), 'font-size': tickSize, fill: '#222222' });
    }
    svgText(legend, 'attention weight', {
      x: num(legendLabelX), y: num(gy + bar / 2), 'font-size': legendSize, fill: '#222222', 'text-anchor': 'middle',
      transform: 'rotate(-90 ' + num(legendLabelX) + ' ' + num(gy + bar / 2) + ')',
    });
    svg.dataset.cell = cell;
    svg.dataset.gx = gx;
    svg.dataset.gy = gy;
    return svg;
  }

  // ---- bertviz-style links between the two sentences --------------------------------------

  function drawLinks(view) {
    const nR = view.rows.length, nC = view.cols.length;
    const size = 13, rowH = nR > 30 || nC > 30 ? 16 : 20, pad = 12, gap = 170, headH = 22;
    const leftW = Math.ceil(Math.max(...view.rows.map((t) => textWidth(t, size, false)), textWidth('target', 12, true))) + 10;
    const rightW = Math.ceil(Math.max(...view.cols.map((t) => textWidth(t, size, false)), textWidth('source', 12, true))) + 10;
    const width = pad + leftW + gap + rightW + pad;
    const height = pad + headH + Math.max(nR, nC) * rowH + pad;
    const x1 = pad + leftW, x2 = x1 + gap;
    const y = (i) => pad + headH + (i + 0.5) * rowH;
    const svg = svgEl('svg', {
      id: 'links', xmlns: SVG_NS, width, height, viewBox: '0 0 ' + width + ' ' + height, 'font-family': FONT,
      role: 'img', 'aria-label': 'attention links between the target and the source',
    });
    svgText(svg, 'target', { x: x1 - 6, y: pad + 12, 'font-size': 12, 'font-weight': 'bold', 'text-anchor': 'end', fill: '#555555' });
    svgText(svg, 'source', { x: x2 + 6, y: pad + 12, 'font-size': 12, 'font-weight': 'bold', fill: '#555555' });
    const aligned = new Set(view.links.map(([s, t]) => t + ':' + s));
    const lines = svgEl('g', { class: 'link-lines', 'pointer-events': 'none' }, svg);
    for (let i = 0; i < nR; ++i) {
      for (let j = 0; j < nC; ++j) {
        const w = view.w[i][j];
        if (!(w >= 0.02)) continue;
        svgEl('line', {
          class: aligned.has(i + ':' + j) ? 'link align' : 'link', 'data-row': i, 'data-col': j,
          x1: x1 + 2, y1: num(y(i)), x2: x2 - 2, y2: num(y(j)), 'stroke-width': num(Math.max(0.4, w * 8)),
          'stroke-opacity': num(0.25 + 0.6 * Math.min(1, w)),
        }, lines);
      }
    }
    for (let i = 0; i < nR; ++i) {
      const g = svgEl('g', { class: 'word tw', 'data-row': i }, svg);
      svgEl('rect', { class: 'hit', x: pad, y: num(y(i) - rowH / 2), width: leftW, height: rowH, fill: 'none', 'pointer-events': 'all', rx: 3 }, g);
      svgText(g, view.rows[i], { x: x1 - 6, y: num(y(i) + 4.5), 'font-size': size, 'text-anchor': 'end' });
    }
    for (let j = 0; j < nC; ++j) {
      const g = svgEl('g', { class: 'word sw', 'data-col': j }, svg);
      svgEl('rect', { class: 'hit', x: x2, y: num(y(j) - rowH / 2), width: rightW, height: rowH, fill: 'none', 'pointer-events': 'all', rx: 3 }, g);
      svgText(g, view.cols[j], { x: x2 + 6, y: num(y(j) + 4.5), 'font-size': size });
    }
    return svg;
  }

  // ---- hover ----------------------------------------------------------------------------

  function setHover(hover) {
    state.hover = hover;
    const view = state.view;
    const heat = $('heatmap'), links = $('links');
    if (!view || !heat) return;
    const kind = hover ? hover.kind : null, index = hover ? hover.index : -1;
    const w = view.w;
    // Cells: the hovered row (or column) is highlighted, the rest dimmed.
    for (const el of heat.querySelectorAll('rect.cell')) {
      const r = +el.dataset.row, c = +el.dataset.col;
      const on = kind === 'row' ? r === index : kind === 'col' ? c === index : false;
      el.classList.toggle('hl', on);
      el.classList.toggle('dim', kind !== null && !on);
      el.classList.toggle('focus', !!hover && hover.col !== undefined && r === index && c === hover.col);
    }
    // The words attended to (row hover) or attending (column hover): weight >= 0.1, or the strongest.
    const strong = (weights) => {
      const top = Math.max(...weights);
      return weights.map((x) => x >= 0.1 || x === top);
    };
    let rowsOn = new Array(view.rows.length).fill(false), colsOn = new Array(view.cols.length).fill(false);
    if (kind === 'row') {
      rowsOn[index] = true;
      colsOn = strong(w[index]);
    } else if (kind === 'col') {
      colsOn[index] = true;
      rowsOn = strong(w.map((row) => row[index]));
    }
    const mark = (el, on, self) => {
      el.classList.toggle('attended', on && !self);
      el.classList.toggle('current', on && self);
    };
    for (const el of heat.querySelectorAll('.row-label')) mark(el, rowsOn[+el.dataset.row], kind === 'row');
    for (const el of heat.querySelectorAll('.col-label')) mark(el, colsOn[+el.dataset.col], kind === 'col');
    const frame = $('hl-frame');
    const cell = +heat.dataset.cell, gx = +heat.dataset.gx, gy = +heat.dataset.gy;
    if (kind === 'row') {
      frame.setAttribute('x', gx - 1), frame.setAttribute('y', gy + index * cell - 1);
      frame.setAttribute('width', view.cols.length * cell + 2), frame.setAttribute('height', cell + 2);
    } else if (kind === 'col') {
      frame.setAttribute('x', gx + index * cell - 1), frame.setAttribute('y', gy - 1);
      frame.setAttribute('width', cell + 2), frame.setAttribute('height', view.rows.length * cell + 2);
    }
    frame.setAttribute('visibility', kind ? 'visible' : 'hidden');
    if (links) {
      links.classList.toggle('hovering', kind !== null);
      for (const el of links.querySelectorAll('line.link')) {
        const on = kind === 'row' ? +el.dataset.row === index : kind === 'col' ? +el.dataset.col === index : false;
        el.classList.toggle('on', on);
      }
      for (const el of links.querySelectorAll('.tw')) mark(el, rowsOn[+el.dataset.row], kind === 'row');
      for (const el of links.querySelectorAll('.sw')) mark(el, colsOn[+el.dataset.col], kind === 'col');
    }
    $('readout').textContent = readout(hover);
  }

  function readout(hover) {
    const view = state.view;
    if (!hover) return view.title + ': hover a word or a cell.';
    const top = (pairs) => pairs.sort((a, b) => b[1] - a[1]).slice(0, 4)
      .map(([label, x]) => '\u201c' + label + '\u201d ' + x.toFixed(3)).join(', ');
    if (hover.kind === 'row' && hover.col !== undefined) {
      return 'target \u201c' + view.rows[hover.index] + '\u201d \u2192 source \u201c' + view.cols[hover.col] + '\u201d: ' +
             view.w[hover.index][hover.col].toFixed(4);
    }
    if (hover.kind === 'row') {
      return 'target \u201c' + view.rows[hover.index] + '\u201d attends to ' +
             top(view.cols.map((label, j) => [label, view.w[hover.index][j]]));
    }
    return 'source \u201c' + view.cols[hover.index] + '\u201d is attended by ' +
           top(view.rows.map((label, i) => [label, view.w[i][hover.index]]));
  }

  function hoverTarget(event) {
    const el = event.target.closest('[data-row], [data-col]');
    if (!el || el.tagName === 'line') return null;
    const row = el.dataset.row, col = el.dataset.col;
    if (row !== undefined && col !== undefined) return { kind: 'row', index: +row, col: +col };
    if (row !== undefined) return { kind: 'row', index: +row };
    return { kind: 'col', index: +col };
  }
  function sameHover(a, b) {
    return (!a && !b) || (a && b && a.kind === b.kind && a.index === b.index && a.col === b.col);
  }
  for (const box of ['heatmap-box', 'links-box']) {
    $(box).addEventListener('mouseover', (e) => {
      const h = hoverTarget(e);
      if (h && !sameHover(h, state.hover)) setHover(h);
    });
    $(box).addEventListener('mouseleave', () => setHover(null));
    // Keyboard: the words are focusable (Tab), focus = hover.
    $(box).addEventListener('focusin', (e) => {
      const h = hoverTarget(e);
      if (h) setHover(h);
    });
    $(box).addEventListener('keydown', (e) => {
      if (e.key === 'Escape') setHover(null);
    });
  }

  // ---- rendering the result ---------------------------------------------------------------

  function fillSelectors(r) {
    const layer = $('layer'), head = $('head');
    layer.replaceChildren();
    for (let l = 1; l <= r.layers; ++l) layer.add(new Option('layer ' + l + ' of ' + r.layers, String(l)));
    layer.add(new Option('all layers averaged', '0'));
    head.replaceChildren();
    for (let h = 1; h <= r.heads; ++h) head.add(new Option('head ' + h + ' of ' + r.heads, String(h)));
    head.add(new Option('heads averaged', '0'));
    const hasAll = Array.isArray(r.attention);
    layer.disabled = head.disabled = $('pieces').disabled = !hasAll;
    layer.title = hasAll ? '' : 'the server sent only the default selection (no "attention")';
  }

  function redraw() {
    if (!state.result) return;
    $('layer').value = String(state.layer);
    $('head').value = String(state.head);
    $('pieces').checked = state.pieces;
    state.view = currentView();
    $('heatmap-box').replaceChildren(drawHeatmap(state.view));
    $('links-box').replaceChildren(drawLinks(state.view));
    $('alignment').textContent = state.view.links.map(([s, t]) => s + '-' + t).join(' ') || '(none)';
    const hover = state.hover;
    const fits = hover && (hover.kind === 'row' ? hover.index < state.view.rows.length : hover.index < state.view.cols.length);
    setHover(fits ? hover : null);
  }

  function showResult(r, kind) {
    state.result = normalize(r);
    state.kind = kind;
    const L = r.layers, H = r.heads;
    state.layer = Number.isInteger(r.selection_layer) && r.selection_layer >= 0 && r.selection_layer <= L
      ? r.selection_layer : (L >= 2 ? 0 : L);
    state.head = Number.isInteger(r.selection_head) && r.selection_head >= 0 && r.selection_head <= H ? r.selection_head : 0;
    state.hover = null;
    fillSelectors(r);
    $('translation-label').textContent = kind === 'forced alignment' ? 'Target (forced alignment)' : 'Translation';
    $('translation').textContent = r.translation !== undefined ? r.translation : r.target;
    $('note').textContent = r.truncated
      ? 'The source is longer than the model\'s position table: only its first pieces were read.' : '';
    $('note').hidden = !r.truncated;
    const list = $('nbest');
    list.replaceChildren();
    for (const hyp of Array.isArray(r.nbest) ? r.nbest : []) {
      const li = document.createElement('li');
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'hyp';
      button.textContent = hyp.text;
      button.title = 'show the attention of this hypothesis (forced alignment)';
      button.addEventListener('click', () => {
        setMode('align');
        $('source').value = r.source;
        $('target').value = hyp.text;
        submit();
      });
      const score = document.createElement('span');
      score.className = 'score';
      score.textContent = typeof hyp.score === 'number' ? hyp.score.toFixed(3) : '';
      li.append(button, ' ', score);
      list.appendChild(li);
    }
    $('nbest-box').hidden = list.children.length === 0;
    $('result').hidden = false;
    redraw();
  }

  // ---- the form -------------------------------------------------------------------------

  function mode() {
    return $('mode-align').checked ? 'align' : 'translate';
  }
  function setMode(m) {
    $('mode-align').checked = m === 'align';
    $('mode-translate').checked = m !== 'align';
    $('target-field').hidden = m !== 'align';
    $('target').required = m === 'align';
    $('go').textContent = m === 'align' ? 'Align' : 'Translate';
  }

  async function submit() {
    const source = $('source').value.trim();
    const target = $('target').value.trim();
    const m = mode();
    showError($('error'), '');
    if (!source) return showError($('error'), 'Type a sentence to translate.');
    if (m === 'align' && !target) return showError($('error'), 'Type the target sentence too (forced alignment), or switch to translate.');
    const params = new URLSearchParams({ text: source });
    if (m === 'align') params.set('target', target);
    history.replaceState(null, '', '?' + params.toString());
    const seq = ++state.seq;
    document.body.dataset.state = 'busy';
    $('busy').hidden = false;
    try {
      const r = m === 'align'
        ? await api('/api/align', { source, target, attention: true })
        : await api('/api/translate', Object.assign({ text: source }, REQUEST));
      if (seq !== state.seq) return;
      showResult(r, m === 'align' ? 'forced alignment' : 'translation');
      document.body.dataset.state = 'ready';
    } catch (e) {
      if (seq !== state.seq) return;
      showError($('error'), e.message);
      document.body.dataset.state = 'error';
    } finally {
      if (seq === state.seq) $('busy').hidden = true;
    }
  }

  $('form').addEventListener('submit', (e) => {
    e.preventDefault();
    submit();
  });
  for (const id of ['source', 'target']) {
    $(id).addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        submit();
      }
    });
  }
  for (const id of ['mode-translate', 'mode-align']) $(id).addEventListener('change', () => setMode(mode()));
  $('layer').addEventListener('change', () => { state.layer = +$('layer').value; redraw(); });
  $('head').addEventListener('change', () => { state.head = +$('head').value; redraw(); });
  $('pieces').addEventListener('change', () => { state.pieces = $('pieces').checked; redraw(); });

  // ---- downloads ------------------------------------------------------------------------

  /// The heatmap as a standalone SVG document, without the hover state.
  function heatmapSvgText() {
    const svg = $('heatmap');
    if (!svg) throw new Error('nothing to download yet: translate a sentence first');
    const copy = svg.cloneNode(true);
    copy.removeAttribute('id');
    for (const el of copy.querySelectorAll('.hit, #hl-frame')) el.remove();
    for (const el of copy.querySelectorAll('[class]')) el.removeAttribute('class');
    for (const el of copy.querySelectorAll('[tabindex]')) el.removeAttribute('tabindex');
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + new XMLSerializer().serializeToString(copy) + '\n';
  }

  function heatmapPngBlob(scale) {
    return new Promise((resolve, reject) => {
      const svg = $('heatmap');
      const text = heatmapSvgText();
      const img = new Image();
      img.onload = () => {
        const canvas = document.createElement('canvas');
        canvas.width = Math.ceil(+svg.getAttribute('width') * scale);
        canvas.height = Math.ceil(+svg.getAttribute('height') * scale);
        const ctx = canvas.getContext('2d');
        ctx.fillStyle = '#ffffff';
        ctx.fillRect(0, 0, canvas.width, canvas.height);
        ctx.scale(scale, scale);
        ctx.drawImage(img, 0, 0);
        canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('the browser could not encode the PNG'))), 'image/png');
      };
      img.onerror = () => reject(new Error('the browser could not draw the SVG for the PNG'));
      img.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(text);
    });
  }

  function fileStem() {
    const v = state.view;
    const sel = (state.layer === 0 ? 'all' : 'l' + state.layer) + '-' + (state.head === 0 ? 'avg' : 'h' + state.head);
    return 'crosstalk-attention-' + sel + '-' + (v ? v.unit : 'words');
  }

  function download(blob, name) {
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
  }

  function dataJson() {
    const v = state.view;
    return JSON.stringify({
      format: 'crosstalk-serve-view-1',
      kind: state.kind,
      selection: { layer: state.layer, head: state.head, unit: v.unit, description: v.title },
      rows: v.rows, cols: v.cols, weights: v.w,
      alignment: v.links.map(([s, t]) => s + '-' + t).join(' '),
      result: state.result,
    }, null, 1) + '\n';
  }

  const guarded = (fn) => async () => {
    try {
      showError($('error'), '');
      await fn();
    } catch (e) {
      showError($('error'), e.message);
    }
  };
  $('dl-svg').addEventListener('click', guarded(() => download(new Blob([heatmapSvgText()], { type: 'image/svg+xml' }), fileStem() + '.svg')));
  $('dl-png').addEventListener('click', guarded(async () => download(await heatmapPngBlob(2), fileStem() + '.png')));
  $('dl-json').addEventListener('click', guarded(() => {
    if (!state.view) throw new Error('nothing to download yet: translate a sentence first');
    download(new Blob([dataJson()], { type: 'application/json' }), fileStem() + '.json');
  }));

  // ---- the model tab --------------------------------------------------------------------

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
          const m = await api('/api/model');
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
          showError(box, 'model: ' + e.message);
        }
        try {
          const log = await api('/api/train_log');
          state.trainLog = log;
          drawTrainLog(Array.isArray(log.entries) ? log.entries : []);
          document.body.dataset.model = 'ready';
        } catch (e) {
          showError(box, 'training log: ' + e.message);
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

  // ---- start ----------------------------------------------------------------------------

  window.crosstalkPage = {
    state,
    heatmapSvgText,
    pngDataUrl: async (scale) => {
      const blob = await heatmapPngBlob(scale || 1);
      return await new Promise((resolve) => {
        const reader = new FileReader();
        reader.onload = () => resolve(reader.result);
        reader.readAsDataURL(blob);
      });
    },
    dataJson,
    viridis,
  };

  const params = new URLSearchParams(location.search);
  const text = params.get('text');
  const target = params.get('target');
  setMode(target !== null && target !== '' ? 'align' : 'translate');
  if (target) $('target').value = target;
  loadModel();
  if (params.get('tab') === 'model') setTab('model');
  if (text) {
    $('source').value = text;
    submit();
  } else {
    document.body.dataset.state = 'idle';
    $('source').focus();
  }
})();
