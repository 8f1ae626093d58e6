// The editable translation (interactive-predictive completion). After a pause in typing,
// the page asks POST /api/complete for the translation of the source that starts with the
// text before the cursor, puts the rest of it after the cursor (replacing what was there;
// the cursor stays), redraws the heatmap and links from that completion with the user's
// rows marked, and lists the model's likely next words under the cursor (suggest.js draws
// the list). Tab, Enter or a click takes one: the partial word at the cursor becomes that
// word, the translation it leads to follows, the cursor goes after the word (and the space
// after it), and a fresh completion is asked for from there. Only the answer to the latest
// request is used: an older one is aborted, and one that arrives after the text or the
// cursor changed is dropped.
'use strict';

(function () {
  const ct = window.crosstalk;
  const { $ } = ct;
  const PAUSE_MS = 280;  // the pause in typing that asks for a completion
  const K = 3;           // next words asked for (the API's default)

  const edit = ct.editState = {
    source: '',          // the source sentence the translation box belongs to
    seq: 0,              // completion request counter: only the answer to the latest is used
    timer: 0,            // the pending pause
    controller: null,    // aborts the request in flight
    alternatives: [],    // the next words on screen, [{word, probability, completion}]
    highlight: 0,        // the one Tab takes
    prefix: null,        // the prefix of the completion on screen (null: none yet)
    applied: 0,          // completions applied so far
    accepted: [],        // the words taken from the list, [{word, text, caret}]
  };
  const box = () => $('translation');
  const setStatus = (s) => { document.body.dataset.edit = s; $('edit-busy').hidden = s !== 'busy'; };

  /// The box grows with its text (one line per line, no scroll bar).
  function autosize() {
    const ta = box();
    ta.style.height = 'auto';
    ta.style.height = (ta.scrollHeight + ta.offsetHeight - ta.clientHeight) + 'px';
  }

  /// Forgets the pending pause and the request in flight (its answer will not be used).
  ct.editCancel = function () {
    clearTimeout(edit.timer);
    edit.timer = 0;
    if (edit.controller) edit.controller.abort();
    edit.controller = null;
    ++edit.seq;
    ct.hideSuggestions();
    if (document.body.dataset.edit === 'busy' || document.body.dataset.edit === 'waiting') setStatus('idle');
  };

  /// A new translation or alignment in the box (translate.js): editing starts over from it.
  ct.editReset = function (source, text) {
    ct.editCancel();
    edit.source = source || '';
    edit.prefix = null;
    edit.alternatives = [];
    box().value = text || '';
    $('edit-note').hidden = true;
    autosize();
    setStatus('idle');
  };

  /// Where the user's prefix ends in the model's translation: {rest, exact}. The translation
  /// starts with the prefix, but whitespace may differ (SentencePiece drops leading and
  /// doubled spaces), so the non-space characters are matched. When its last word has a
  /// character the vocabulary cannot spell (prefix_relaxed), the translation leaves the prefix
  /// there: the rest is then what follows the word where it left it (exact = false).
  function restAfter(prefix, translation) {
    if (translation.startsWith(prefix)) return { rest: translation.slice(prefix.length), exact: true };
    let i = 0, j = 0;
    while (i < prefix.length) {
      if (j < translation.length && prefix[i] === translation[j]) ++i, ++j;
      else if (/\s/.test(prefix[i])) ++i;
      else if (j < translation.length && /\s/.test(translation[j])) ++j;
      else break;
    }
    if (i === prefix.length) {
      const rest = translation.slice(j);
      return { rest: /\s$/.test(prefix) ? rest.replace(/^\s+/, '') : rest, exact: true };
    }
    const k = translation.slice(j).search(/\s/);
    return { rest: k < 0 ? '' : translation.slice(j + k), exact: false };
  }
  ct.restAfter = restAfter;

  /// Asks for the completion of the text before the cursor (now).
  async function complete() {
    clearTimeout(edit.timer);
    edit.timer = 0;
    const ta = box();
    if (!edit.source || ta.selectionStart !== ta.selectionEnd) return setStatus('idle');
    const caret = ta.selectionStart, text = ta.value, prefix = text.slice(0, caret);
    if (edit.controller) edit.controller.abort();
    const controller = edit.controller = new AbortController();
    const seq = ++edit.seq;
    setStatus('busy');
    try {
      const answer = await ct.api('/api/complete', { text: edit.source, prefix, k: K, beam: 1, attention: true },
                                  controller.signal);
      if (seq !== edit.seq || ta.value !== text || ta.selectionStart !== caret || ta.selectionEnd !== caret) return;
      edit.controller = null;
      apply(answer, prefix, caret);
      setStatus('ready');
    } catch (e) {
      if (e.name === 'AbortError' || seq !== edit.seq) return;
      edit.controller = null;
      ct.showError($('error'), 'completion: ' + e.message);
      setStatus('error');
    }
  }

  /// The completion on screen: the rest after the cursor, the views, the next words.
  function apply(answer, prefix, caret) {
    const r = answer.completion;
    if (!r || typeof r.translation !== 'string') throw new Error('the answer has no "completion"');
    const ta = box();
    const { rest, exact } = restAfter(prefix, r.translation);
    ta.value = prefix + rest;
    ta.setSelectionRange(caret, caret);
    autosize();
    edit.prefix = prefix;
    ++edit.applied;
    const note = $('edit-note');
    const word = prefix.slice(prefix.search(/\S*$/));
    const why = r.prefix_relaxed ? 'The model cannot spell \u201c' + word + '\u201d (a character its vocabulary lacks): ' +
      'it completed from before that word' : 'The model\'s translation leaves your text';
    note.textContent = exact ? '' : why + ', as \u201c' + r.translation + '\u201d, which the heatmap shows.';
    note.hidden = exact;
    ct.showError($('error'), '');
    $('translation-label').textContent = 'Translation \u2014 yours up to the cursor, the rest completed by the model';
    ct.showResult(r, 'completion');
    edit.alternatives = Array.isArray(answer.alternatives) ? answer.alternatives : [];
    edit.highlight = 0;
    if (document.activeElement === ta) ct.showSuggestions(edit.alternatives, edit.highlight, caret);
  }

  /// Takes next word i: it replaces the partial word at the cursor, the translation it leads
  /// to follows it, and the cursor goes after it and the space after it (there the word is
  /// whole; right after its last letter the model could still continue it).
  function accept(i) {
    const a = edit.alternatives[i];
    const ta = box();
    if (!a || ta.selectionStart !== ta.selectionEnd) return;
    ct.editCancel();
    const before = ta.value.slice(0, ta.selectionStart);
    const head = before.slice(0, before.search(/\S*$/)) + a.word;
    let rest = restAfter(head, String(a.completion)).rest;
    const space = /^\s+/.exec(rest);
    const gap = space ? space[0] : (rest ? '' : ' ');
    rest = space ? rest.slice(gap.length) : rest;
    ta.value = head + gap + rest;
    const caret = head.length + gap.length;
    ta.setSelectionRange(caret, caret);
    ta.focus();
    autosize();
    edit.accepted.push({ word: a.word, text: ta.value, caret });
    complete();
  }

  // ---- the box's events -------------------------------------------------------------------

  /// After an edit: a completion once the user pauses, if the text and cursor are as they were.
  function schedule() {
    ct.editCancel();
    const ta = box();
    const text = ta.value, caret = ta.selectionStart;
    setStatus('waiting');
    edit.timer = setTimeout(() => {
      if (ta.value === text && ta.selectionStart === caret) complete();
      else setStatus('idle');
    }, PAUSE_MS);
  }

  function onKeydown(e) {
    const listed = ct.suggestionsShown();
    const plain = !e.shiftKey && !e.ctrlKey && !e.altKey && !e.metaKey;
    if (listed && plain && (e.key === 'Tab' || e.key === 'Enter')) {
      e.preventDefault();
      accept(edit.highlight);
    } else if (listed && plain && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) {
      e.preventDefault();
      const n = edit.alternatives.length;
      edit.highlight = (edit.highlight + (e.key === 'ArrowDown' ? 1 : n - 1)) % n;
      ct.highlightSuggestion(edit.highlight);
    } else if (listed && e.key === 'Escape') {
      e.preventDefault();
      ct.hideSuggestions();
    } else if (e.key === 'Enter' && !e.isComposing) {
      e.preventDefault();  // a translation is one line
    } else if (e.key === ' ' && e.ctrlKey) {
      e.preventDefault();  // Ctrl+Space: complete from the cursor now
      ct.editCancel();
      complete();
    }
  }

  const ta = box();
  ta.addEventListener('input', (e) => {
    if (!e.isComposing) schedule();
  });
  ta.addEventListener('compositionend', schedule);
  ta.addEventListener('keydown', onKeydown);
  // The cursor moved without an edit: the list no longer stands under it.
  const moved = () => {
    if (ct.suggestionsShown() && ta.selectionStart !== ct.suggestionsCaret()) ct.hideSuggestions();
  };
  ta.addEventListener('keyup', moved);
  ta.addEventListener('mouseup', moved);
  ta.addEventListener('blur', () => ct.hideSuggestions());
  window.addEventListener('resize', () => {
    autosize();
    ct.placeSuggestions();
  });
  ct.onSuggestionClick = (i) => {
    edit.highlight = i;
    accept(i);
  };
  setStatus('idle');
})();
