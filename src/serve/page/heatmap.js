// The heatmap: an inline SVG, its layout after src/align/heatmap_scene.cpp (title, rotated
// column labels, cells, a viridis colour bar). Rows the user wrote (a completion's forced
// prefix) get the class "forced" (or "partial"), a bar left of the grid and an accent label;
// the bar and colour are attributes, so the SVG and PNG downloads keep them.
'use strict';

(function () {
  const ct = window.crosstalk;
  const { svgEl, svgText, num, textWidth, capHeight, clamp } = ct;

  /// Sizes and positions of everything, from the labels' widths.
  function layout(view) {
    const L = { margin: 16, titleSize: 16, tickSize: 11, legendSize: 12, barWidth: 14 };
    const nR = view.rows.length, nC = view.cols.length;
    L.nR = nR, L.nC = nC;
    L.cell = clamp(Math.floor(720 / Math.max(1, nR, nC)), 12, 28);
    L.ls = clamp(Math.round(L.cell * 0.5), 9, 13);
    L.cap = capHeight(L.ls);
    const diag = Math.SQRT1_2;
    L.shift = diag * L.cap / 2;

    let rowW = 0;
    for (const label of view.rows) rowW = Math.max(rowW, textWidth(label, L.ls, false));
    L.left = Math.ceil(rowW + 6);
    let top = 8, right = nC * L.cell;
    L.colAdv = view.cols.map((label) => textWidth(label, L.ls, false));
    L.colAdv.forEach((adv, c) => {
      top = Math.max(top, 8 - L.shift + (adv + 0.25 * L.ls) * diag + 0.8 * L.ls * diag);
      right = Math.max(right, (c + 0.5) * L.cell + L.shift + adv * diag + 0.8 * L.ls * diag);
    });
    top = Math.ceil(top);
    const titleW = textWidth(view.title, L.titleSize, true);
    const titleH = Math.ceil(L.titleSize * 1.17) + 14;

    L.gx = L.margin + L.left, L.gy = L.margin + titleH + top;
    L.legendX = Math.ceil(L.gx + right + 28);
    L.bar = Math.floor(clamp(nR * L.cell, 120, 320) / 4) * 4;
    let tickW = 0;
    for (const t of ['0', '0.25', '0.5', '0.75', '1']) tickW = Math.max(tickW, textWidth(t, L.tickSize, false));
    L.legendLabelX = L.legendX + L.barWidth + 8 + tickW + 10 + capHeight(L.legendSize);
    L.width = Math.ceil(Math.max(L.legendLabelX + L.legendSize * 0.3 + L.margin, L.margin + titleW + L.margin));
    L.height = Math.ceil(Math.max(L.gy + nR * L.cell, L.gy + L.bar + 6) + L.margin);
    return L;
  }

  function drawCells(svg, view, L) {
    const { cell, gx, gy, nR, nC } = L;
    const cells = svgEl('g', { class: 'cells' }, svg);
    const valueSize = Math.round(cell * 0.34);
    const valueCap = capHeight(valueSize);
    for (let r = 0; r < nR; ++r) {
      for (let c = 0; c < nC; ++c) {
        const w = view.w[r][c];
        svgEl('rect', {
          class: 'cell', x: gx + c * cell, y: gy + r * cell, width: cell, height: cell, fill: ct.hex(ct.viridis(w)),
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
            'text-anchor': 'middle', fill: ct.luminance(ct.viridis(w)) > 0.5 ? '#222222' : '#ffffff',
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
  }

  function drawLabels(svg, view, L) {
    const { cell, gx, gy, left, ls, cap, shift } = L;
    const rowLabels = svgEl('g', { class: 'row-labels', 'font-size': ls, fill: '#222222' }, svg);
    for (let r = 0; r < L.nR; ++r) {
      const forced = view.forced[r];
      const g = svgEl('g', { class: 'row-label' + (forced ? ' ' + forced : ''), 'data-row': r, tabindex: 0 }, rowLabels);
      svgEl('rect', { class: 'hit', x: gx - left, y: gy + r * cell, width: left, height: cell, fill: 'none', 'pointer-events': 'all' }, g);
      const text = svgText(g, view.rows[r], { x: gx - 6, y: num(gy + (r + 0.5) * cell + cap / 2), 'text-anchor': 'end' });
      if (forced) {
        // The user's rows: a bar between the label and the grid (paler: a word only begun).
        svgEl('rect', {
          class: 'forced-mark', x: gx - 4, y: gy + r * cell + 1, width: 3, height: cell - 2,
          fill: ct.FORCED_COLOUR, 'fill-opacity': forced === 'forced' ? 1 : 0.4, 'pointer-events': 'none',
        }, g);
        text.setAttribute('fill', ct.FORCED_COLOUR);
        if (forced === 'forced') text.setAttribute('font-style', 'italic');
      }
    }
    const colLabels = svgEl('g', { class: 'col-labels', 'font-size': ls, fill: '#222222' }, svg);
    for (let c = 0; c < L.nC; ++c) {
      const x = gx + (c + 0.5) * cell + shift, y = gy - 8 + shift;
      const g = svgEl('g', { class: 'col-label', 'data-col': c, tabindex: 0, transform: 'translate(' + num(x) + ' ' + num(y) + ') rotate(-45)' }, colLabels);
      svgEl('rect', { class: 'hit', x: -2, y: -cap - 3, width: L.colAdv[c] + 4, height: cap + 6, fill: 'none', 'pointer-events': 'all' }, g);
      svgText(g, view.cols[c], { x: 0, y: 0 });
    }
  }

  /// Colour bar: the same viridis stops as a gradient, ticks at 0, 0.25, ..., 1.
  function drawColorbar(svg, L) {
    const { legendX, gy, barWidth, bar, tickSize, legendSize } = L;
    const defs = svgEl('defs', {}, svg);
    const grad = svgEl('linearGradient', { id: 'viridis-bar', x1: 0, y1: 1, x2: 0, y2: 0 }, defs);
    ct.VIRIDIS.forEach((rgb, k) => svgEl('stop', { offset: num(k / (ct.VIRIDIS.length - 1)), 'stop-color': ct.hex(rgb) }, grad));
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
      x: num(L.legendLabelX), y: num(gy + bar / 2), 'font-size': legendSize, fill: '#222222', 'text-anchor': 'middle',
      transform: 'rotate(-90 ' + num(L.legendLabelX) + ' ' + num(gy + bar / 2) + ')',
    });
  }

  ct.drawHeatmap = function (view) {
    const L = layout(view);
    const { width, height } = L;
    const svg = svgEl('svg', {
      id: 'heatmap', xmlns: ct.SVG_NS, width, height, viewBox: '0 0 ' + width + ' ' + height,
      'font-family': ct.FONT, 'data-rows': L.nR, 'data-cols': L.nC, 'data-unit': view.unit,
      role: 'img', 'aria-label': view.title,
    });
    svgEl('rect', { x: 0, y: 0, width, height, fill: '#ffffff' }, svg);
    svgText(svg, view.title, {
      id: 'heatmap-title', x: L.margin, y: L.margin + Math.ceil(L.titleSize * 0.93), 'font-size': L.titleSize,
      'font-weight': 'bold', fill: '#222222',
    });
    drawCells(svg, view, L);
    drawLabels(svg, view, L);
    drawColorbar(svg, L);
    svg.dataset.cell = L.cell;
    svg.dataset.gx = L.gx;
    svg.dataset.gy = L.gy;
    return svg;
  };
})();
