// Hovering (or focusing) a word or a cell, in the heatmap or the links: the row or column
// highlighted in both views, the words it attends to (or that attend to it) marked, and
// the readout line says the weights.
'use strict';

(function () {
  const ct = window.crosstalk;
  const { $, state } = ct;

  ct.setHover = function (hover) {
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
  };

  function readout(hover) {
    const view = state.view;
    if (!hover) return view.title + ': hover a word or a cell.';
    const top = (pairs) => pairs.sort((a, b) => b[1] - a[1]).slice(0, 4)
      .map(([label, x]) => '\u201c' + label + '\u201d ' + x.toFixed(3)).join(', ');
    // A row the user wrote (a completion's forced prefix) says so.
    const yours = hover.kind === 'row' && view.forced[hover.index]
      ? (view.forced[hover.index] === 'forced' ? ' (yours)' : ' (begun by you)') : '';
    if (hover.kind === 'row' && hover.col !== undefined) {
      return 'target \u201c' + view.rows[hover.index] + '\u201d' + yours + ' \u2192 source \u201c' + view.cols[hover.col] +
             '\u201d: ' + view.w[hover.index][hover.col].toFixed(4);
    }
    if (hover.kind === 'row') {
      return 'target \u201c' + view.rows[hover.index] + '\u201d' + yours + ' attends to ' +
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
      if (h && !sameHover(h, state.hover)) ct.setHover(h);
    });
    $(box).addEventListener('mouseleave', () => ct.setHover(null));
    // Keyboard: the words are focusable (Tab), focus = hover.
    $(box).addEventListener('focusin', (e) => {
      const h = hoverTarget(e);
      if (h) ct.setHover(h);
    });
    $(box).addEventListener('keydown', (e) => {
      if (e.key === 'Escape') ct.setHover(null);
    });
  }
})();
