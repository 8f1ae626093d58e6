// The attention matrices of a Result: checked, averaged over the selected layers and heads,
// merged from pieces to words, the argmax links, and which rows the user wrote.
'use strict';

(function () {
  const ct = window.crosstalk;
  const EOS = ct.EOS;

  /// Checks a Result's shapes, fills what can be derived, and throws a clear message otherwise.
  ct.normalize = function (r) {
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
  };

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

  /// How much of each row the user wrote. A completion's first `prefix_word_pieces` target
  /// pieces are the prefix's complete words: 'forced'. When the prefix ends inside a word, the
  /// pieces that spell it (up to `prefix_pieces`) and their word are 'partial' (begun by the
  /// user, finished by the model). After a trailing space, the next word's first piece is
  /// counted in prefix_pieces (the space decided that a word begins there) but the model chose
  /// it: it is not marked.
  ct.forcedRows = function (r, pieces, nRows) {
    const out = new Array(nRows).fill('');
    const count = (k) => (Number.isInteger(k) ? Math.min(k, r.tgt_pieces.length) : 0);
    const whole = count(r.prefix_word_pieces);
    const open = typeof r.prefix === 'string' && /\S$/.test(r.prefix);  // the prefix ends inside a word
    const begun = open ? Math.max(whole, count(r.prefix_pieces)) : whole;
    for (let t = 0; t < Math.min(begun, r.tgt_pieces.length); ++t) {
      const row = pieces ? t : r.tgt_piece_word[t];
      if (row < 0 || row >= nRows) continue;
      if (t < whole) out[row] = 'forced';
      else if (!out[row]) out[row] = 'partial';
    }
    return out;
  };

  /// The matrix on screen: weights, row and column labels, title, links, the rows the user wrote.
  ct.currentView = function () {
    const state = ct.state, r = state.result;
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
    const unit = state.pieces && Array.isArray(r.attention) ? 'pieces' : 'words';
    const title = 'Cross-attention \u00b7 ' + ct.describe(state.layer, state.head, r.layers, r.heads) + ' \u00b7 ' +
                  unit + ' \u00b7 ' + state.kind;
    const forced = ct.forcedRows(r, unit === 'pieces', rows.length);
    return { w, rows, cols, unit, title, links: argmaxLinks(w), forced };
  };
})();
