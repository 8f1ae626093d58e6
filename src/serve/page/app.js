// The start of the page (the last of its scripts, see core.js): the address bar's
// ?text=...[&target=...][&tab=model] is translated, aligned or shown on load, and
// window.crosstalkPage gives the browser tests (tests/browser/) what they read.
'use strict';

(function () {
  const ct = window.crosstalk;
  const { $ } = ct;

  window.crosstalkPage = {
    state: ct.state,
    edit: ct.editState,
    heatmapSvgText: ct.heatmapSvgText,
    pngDataUrl: async (scale) => {
      const blob = await ct.heatmapPngBlob(scale || 1);
      return await new Promise((resolve) => {
        const reader = new FileReader();
        reader.onload = () => resolve(reader.result);
        reader.readAsDataURL(blob);
      });
    },
    dataJson: ct.dataJson,
    viridis: ct.viridis,
  };

  const params = new URLSearchParams(location.search);
  const text = params.get('text');
  const target = params.get('target');
  ct.setMode(target !== null && target !== '' ? 'align' : 'translate');
  if (target) $('target').value = target;
  ct.loadModel();
  if (params.get('tab') === 'model') ct.setTab('model');
  if (text) {
    $('source').value = text;
    ct.submit();
  } else {
    document.body.dataset.state = 'idle';
    $('source').focus();
  }
})();
