// The list of next words under the cursor of the translation box (edit.js fills it): each
// word with the model's probability, the highlighted one is what Tab takes. The cursor's
// position in the textarea is measured with a mirror: a hidden div with the textarea's
// font, width and padding holding the text before the cursor, then a marker span.
'use strict';

(function () {
  const ct = window.crosstalk;
  const { $ } = ct;
  const MIRRORED = [
    'boxSizing', 'width', 'borderTopWidth', 'borderRightWidth', 'borderBottomWidth', 'borderLeftWidth',
    'borderStyle', 'paddingTop', 'paddingRight', 'paddingBottom', 'paddingLeft', 'fontStyle', 'fontVariant',
    'fontWeight', 'fontStretch', 'fontSize', 'lineHeight', 'fontFamily', 'textAlign', 'textTransform',
    'textIndent', 'letterSpacing', 'wordSpacing', 'tabSize', 'wordBreak',
  ];
  let shownAt = -1;  // the cursor the list stands under (-1: hidden)

  /// The cursor's position in the textarea's box: {left, top, height} in pixels from its
  /// top-left corner (border included), scrolling accounted for.
  function caretPosition(ta, index) {
    const style = getComputedStyle(ta);
    const mirror = document.createElement('div');
    for (const p of MIRRORED) mirror.style[p] = style[p];
    Object.assign(mirror.style, {
      position: 'absolute', visibility: 'hidden', top: '0', left: '-9999px', overflow: 'hidden',
      whiteSpace: 'pre-wrap', overflowWrap: 'break-word', height: 'auto',
    });
    mirror.textContent = ta.value.slice(0, index);
    const marker = document.createElement('span');
    marker.textContent = '\u200b';  // zero-width: where the next character would go
    mirror.appendChild(marker);
    mirror.appendChild(document.createTextNode(ta.value.slice(index)));
    document.body.appendChild(mirror);
    const line = parseFloat(style.lineHeight);
    const pos = {
      left: marker.offsetLeft + ta.clientLeft - ta.scrollLeft,
      top: marker.offsetTop + ta.clientTop - ta.scrollTop,
      height: Number.isFinite(line) ? line : marker.offsetHeight,
    };
    mirror.remove();
    return pos;
  }
  ct.caretPosition = caretPosition;

  function percent(p) {
    if (!Number.isFinite(p)) return '';
    const x = p * 100;
    return x >= 10 ? x.toFixed(0) + '%' : x >= 0.1 ? x.toFixed(1) + '%' : '<0.1%';
  }

  /// Lists the next words under the cursor of the translation box (none: hidden).
  ct.showSuggestions = function (alternatives, highlight, caret) {
    const list = $('suggestions'), ta = $('translation');
    list.replaceChildren();
    if (!alternatives.length) return ct.hideSuggestions();
    alternatives.forEach((a, i) => {
      const li = document.createElement('li');
      li.id = 'suggestion-' + i;
      li.setAttribute('role', 'option');
      li.dataset.index = i;
      li.dataset.word = a.word;
      li.dataset.probability = a.probability;
      li.title = a.completion;
      const word = document.createElement('span');
      word.className = 'word';
      word.textContent = a.word;
      const prob = document.createElement('span');
      prob.className = 'prob';
      prob.textContent = percent(a.probability);
      li.append(word, prob);
      // Keep the focus (and the cursor) in the box; the click takes the word.
      li.addEventListener('mousedown', (e) => e.preventDefault());
      li.addEventListener('click', () => ct.onSuggestionClick(i));
      list.appendChild(li);
    });
    ct.highlightSuggestion(highlight);
    list.hidden = false;
    shownAt = caret;
    ct.placeSuggestions();
    ta.setAttribute('aria-expanded', 'true');
  };

  /// Puts the list under the cursor it belongs to (again, after the box changed size).
  ct.placeSuggestions = function () {
    if (shownAt < 0) return;
    const list = $('suggestions'), ta = $('translation');
    const pos = caretPosition(ta, shownAt);
    list.style.left = Math.round(ta.offsetLeft + pos.left) + 'px';
    list.style.top = Math.round(ta.offsetTop + pos.top + pos.height + 2) + 'px';
  };

  ct.highlightSuggestion = function (i) {
    for (const li of $('suggestions').children) {
      const on = +li.dataset.index === i;
      li.classList.toggle('active', on);
      li.setAttribute('aria-selected', String(on));
      if (on) $('translation').setAttribute('aria-activedescendant', li.id);
    }
  };

  ct.hideSuggestions = function () {
    $('suggestions').hidden = true;
    shownAt = -1;
    $('translation').setAttribute('aria-expanded', 'false');
    $('translation').removeAttribute('aria-activedescendant');
  };
  ct.suggestionsShown = () => !$('suggestions').hidden;
  ct.suggestionsCaret = () => shownAt;
})();
