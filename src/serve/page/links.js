// The bertviz-style view: target words (left) joined to the source words (right) by lines
// whose width is the attention weight; the alignment's lines in orange. The user's rows (a
// completion's forced prefix) are marked as in the heatmap: class "forced"/"partial", a bar
// and an accent label.
'use strict';

(function () {
  const ct = window.crosstalk;
  const { svgEl, svgText, num, textWidth } = ct;

  function drawLines(svg, view, geo) {
    const aligned = new Set(view.links.map(([s, t]) => t + ':' + s));
    const lines = svgEl('g', { class: 'link-lines', 'pointer-events': 'none' }, svg);
    for (let i = 0; i < view.rows.length; ++i) {
      for (let j = 0; j < view.cols.length; ++j) {
        const w = view.w[i][j];
        if (!(w >= 0.02)) continue;
        svgEl('line', {
          class: aligned.has(i + ':' + j) ? 'link align' : 'link', 'data-row': i, 'data-col': j,
          x1: geo.x1 + 2, y1: num(geo.y(i)), x2: geo.x2 - 2, y2: num(geo.y(j)), 'stroke-width': num(Math.max(0.4, w * 8)),
          'stroke-opacity': num(0.25 + 0.6 * Math.min(1, w)),
        }, lines);
      }
    }
  }

  ct.drawLinks = function (view) {
    const nR = view.rows.length, nC = view.cols.length;
    const size = 13, rowH = nR > 30 || nC > 30 ? 16 : 20, pad = 12, gap = 170, headH = 22;
    const leftW = Math.ceil(Math.max(...view.rows.map((t) => textWidth(t, size, false)), textWidth('target', 12, true))) + 10;
    const rightW = Math.ceil(Math.max(...view.cols.map((t) => textWidth(t, size, false)), textWidth('source', 12, true))) + 10;
    const width = pad + leftW + gap + rightW + pad;
    const height = pad + headH + Math.max(nR, nC) * rowH + pad;
    const x1 = pad + leftW, x2 = x1 + gap;
    const y = (i) => pad + headH + (i + 0.5) * rowH;
    const svg = svgEl('svg', {
      id: 'links', xmlns: ct.SVG_NS, width, height, viewBox: '0 0 ' + width + ' ' + height, 'font-family': ct.FONT,
      role: 'img', 'aria-label': 'attention links between the target and the source',
    });
    svgText(svg, 'target', { x: x1 - 6, y: pad + 12, 'font-size': 12, 'font-weight': 'bold', 'text-anchor': 'end', fill: '#555555' });
    svgText(svg, 'source', { x: x2 + 6, y: pad + 12, 'font-size': 12, 'font-weight': 'bold', fill: '#555555' });
    drawLines(svg, view, { x1, x2, y });
    for (let i = 0; i < nR; ++i) {
      const forced = view.forced[i];
      const g = svgEl('g', { class: 'word tw' + (forced ? ' ' + forced : ''), 'data-row': i }, svg);
      svgEl('rect', { class: 'hit', x: pad, y: num(y(i) - rowH / 2), width: leftW, height: rowH, fill: 'none', 'pointer-events': 'all', rx: 3 }, g);
      const text = svgText(g, view.rows[i], { x: x1 - 6, y: num(y(i) + 4.5), 'font-size': size, 'text-anchor': 'end' });
      if (forced) {
        svgEl('rect', {
          class: 'forced-mark', x: x1 - 3, y: num(y(i) - rowH / 2 + 2), width: 3, height: rowH - 4,
          fill: ct.FORCED_COLOUR, 'fill-opacity': forced === 'forced' ? 1 : 0.4, 'pointer-events': 'none',
        }, g);
        text.setAttribute('fill', ct.FORCED_COLOUR);
        if (forced === 'forced') text.setAttribute('font-style', 'italic');
      }
    }
    for (let j = 0; j < nC; ++j) {
      const g = svgEl('g', { class: 'word sw', 'data-col': j }, svg);
      svgEl('rect', { class: 'hit', x: x2, y: num(y(j) - rowH / 2), width: rightW, height: rowH, fill: 'none', 'pointer-events': 'all', rx: 3 }, g);
      svgText(g, view.cols[j], { x: x2 + 6, y: num(y(j) + 4.5), 'font-size': size });
    }
    return svg;
  };
})();
