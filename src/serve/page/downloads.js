// Downloads: the heatmap as SVG (the inline SVG without its hover state) or PNG (that SVG
// drawn on a canvas), and the current view's data as JSON with the server's whole answer.
'use strict';

(function () {
  const ct = window.crosstalk;
  const { $, state } = ct;

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
      forced_rows: v.forced,  // the rows the user wrote (a completion's prefix): 'forced', 'partial' or ''
      alignment: v.links.map(([s, t]) => s + '-' + t).join(' '),
      result: state.result,
    }, null, 1) + '\n';
  }

  const guarded = (fn) => async () => {
    try {
      ct.showError($('error'), '');
      await fn();
    } catch (e) {
      ct.showError($('error'), e.message);
    }
  };
  $('dl-svg').addEventListener('click', guarded(() => download(new Blob([heatmapSvgText()], { type: 'image/svg+xml' }), fileStem() + '.svg')));
  $('dl-png').addEventListener('click', guarded(async () => download(await heatmapPngBlob(2), fileStem() + '.png')));
  $('dl-json').addEventListener('click', guarded(() => {
    if (!state.view) throw new Error('nothing to download yet: translate a sentence first');
    download(new Blob([dataJson()], { type: 'application/json' }), fileStem() + '.json');
  }));

  ct.heatmapSvgText = heatmapSvgText;
  ct.heatmapPngBlob = heatmapPngBlob;
  ct.dataJson = dataJson;
})();
