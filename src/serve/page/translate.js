// The form (translate or force-align a sentence: /api/translate, /api/align), the layer,
// head and pieces controls, and showing a Result: the translation, its n-best list, the
// heatmap and the links.
'use strict';

(function () {
  const ct = window.crosstalk;
  const { $, state } = ct;
  const REQUEST = { beam: 4, nbest: 4, attention: true };

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

  /// Both views of state.result at the current selection (hover kept where it still fits).
  ct.redraw = function () {
    if (!state.result) return;
    $('layer').value = String(state.layer);
    $('head').value = String(state.head);
    $('pieces').checked = state.pieces;
    state.view = ct.currentView();
    $('heatmap-box').replaceChildren(ct.drawHeatmap(state.view));
    $('links-box').replaceChildren(ct.drawLinks(state.view));
    $('alignment').textContent = state.view.links.map(([s, t]) => s + '-' + t).join(' ') || '(none)';
    const yours = state.view.forced.some(Boolean);
    for (const el of document.querySelectorAll('.forced-legend')) el.hidden = !yours;
    const hover = state.hover;
    const fits = hover && (hover.kind === 'row' ? hover.index < state.view.rows.length : hover.index < state.view.cols.length);
    ct.setHover(fits ? hover : null);
  };

  function showNbest(r) {
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
  }

  /// Shows a Result. kind: "translation" or "forced alignment" (a new sentence: the views start
  /// at the server's default selection, the translation box is filled, the n-best listed), or
  /// "completion" (the user editing the translation, edit.js: the box is the user's, and the
  /// layer, head and hover the user chose stay).
  ct.showResult = function (r, kind) {
    const previous = state.result;
    state.result = ct.normalize(r);
    state.kind = kind;
    const L = r.layers, H = r.heads;
    const keep = kind === 'completion' && previous && previous.layers === L && previous.heads === H &&
                 Array.isArray(previous.attention) === Array.isArray(r.attention);
    if (!keep) {
      state.layer = Number.isInteger(r.selection_layer) && r.selection_layer >= 0 && r.selection_layer <= L
        ? r.selection_layer : (L >= 2 ? 0 : L);
      state.head = Number.isInteger(r.selection_head) && r.selection_head >= 0 && r.selection_head <= H ? r.selection_head : 0;
      state.hover = null;
      fillSelectors(r);
    }
    $('note').textContent = r.truncated
      ? 'The source is longer than the model\'s position table: only its first pieces were read.' : '';
    $('note').hidden = !r.truncated;
    if (kind !== 'completion') {
      $('translation-label').textContent = kind === 'forced alignment' ? 'Target (forced alignment)' : 'Translation';
      ct.editReset(r.source, r.translation !== undefined ? r.translation : r.target);
      showNbest(r);
    }
    $('result').hidden = false;
    ct.redraw();
  };

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
  ct.setMode = setMode;

  async function submit() {
    const source = $('source').value.trim();
    const target = $('target').value.trim();
    const m = mode();
    ct.showError($('error'), '');
    if (!source) return ct.showError($('error'), 'Type a sentence to translate.');
    if (m === 'align' && !target) return ct.showError($('error'), 'Type the target sentence too (forced alignment), or switch to translate.');
    const params = new URLSearchParams({ text: source });
    if (m === 'align') params.set('target', target);
    history.replaceState(null, '', '?' + params.toString());
    const seq = ++state.seq;
    ct.editCancel();  // a completion of the previous sentence must not land on this one
    document.body.dataset.state = 'busy';
    $('busy').hidden = false;
    try {
      const r = m === 'align'
        ? await ct.api('/api/align', { source, target, attention: true })
        : await ct.api('/api/translate', Object.assign({ text: source }, REQUEST));
      if (seq !== state.seq) return;
      ct.showResult(r, m === 'align' ? 'forced alignment' : 'translation');
      document.body.dataset.state = 'ready';
    } catch (e) {
      if (seq !== state.seq) return;
      ct.showError($('error'), e.message);
      document.body.dataset.state = 'error';
    } finally {
      if (seq === state.seq) $('busy').hidden = true;
    }
  }
  ct.submit = submit;

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
  $('layer').addEventListener('change', () => { state.layer = +$('layer').value; ct.redraw(); });
  $('head').addEventListener('change', () => { state.head = +$('head').value; ct.redraw(); });
  $('pieces').addEventListener('change', () => { state.pieces = $('pieces').checked; ct.redraw(); });
})();
