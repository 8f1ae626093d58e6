#pragma once

// Symmetrization of word alignments: the links of a forward (source -> target) model
// and of a reverse (target -> source) model of one sentence pair, combined into one
// alignment. Free of torch.
//
// Orientation: every Alignment and LabeledMatrix passed here is in the FORWARD
// orientation, source first: Link::src indexes source words, Link::tgt target words,
// and matrix rows are target words, columns source words. A reverse model's own
// output (its "source" is our target) must be turned around first with transpose();
// this is what atools expects too (`atools -c` takes two files of the same
// source-target orientation, e.g. `fast_align -r` output).

#include <string>
#include <vector>

#include "crosstalk/align/alignment.h"
#include "crosstalk/align/labeled_matrix.h"
#include "crosstalk/align/selection.h"

namespace crosstalk::align {

/// Every link turned around (src <-> tgt): a target-source alignment to source-target.
Alignment transpose(const Alignment& alignment);

/// The hard heuristics, exactly as atools (fast_align/src/atools.cc) computes them:
/// - intersect: links in both; union: links in either.
/// - grow-diag: start from the intersection; then, repeatedly until a pass adds
///   nothing, go through the union links not yet chosen in (src, tgt) order and add a
///   link if one of its 8 neighbours (horizontal, vertical, diagonal) is chosen and its
///   source word or its target word is still unaligned. Links added earlier in a pass
///   count for the ones after them.
/// - grow-diag-final: grow-diag, then one pass over the forward links and one over the
///   reverse links (each in (src, tgt) order) that adds a link when its source word or
///   its target word is still unaligned.
/// - grow-diag-final-and: the same final passes, but a link is added only when BOTH its
///   source word and its target word are still unaligned.
/// `forward` and `reverse` are source-target (see the top of this file). The result is
/// sorted. std::invalid_argument for a soft method.
Alignment symmetrize(const Alignment& forward, const Alignment& reverse, SymmetrizeMethod method);

/// The matrix transposed: rows become columns and the labels swap with them. Turns a
/// reverse model's word matrix (rows: its target words = our source words) into the
/// forward orientation (rows: target words, columns: source words).
LabeledMatrix transpose(const LabeledMatrix& matrix);

/// Soft symmetrization of a forward word matrix [tgt words + 1 x src words + 1]
/// (rows sum to 1) and a reverse one already transposed to the same shape (its columns
/// sum to 1), EOS row and column included, labels taken from `forward`:
/// - soft-mean: the elementwise mean of the two;
/// - soft-product: the elementwise product, each row renormalized to sum 1 (a row of
///   zeros stays zero).
/// std::invalid_argument for a hard method or if the shapes differ.
LabeledMatrix combine_soft(const LabeledMatrix& forward, const LabeledMatrix& reverse_transposed,
                           SymmetrizeMethod method);

/// The links of a combined matrix [tgt words + 1 x src words + 1] (EOS last):
/// - soft-mean, soft-product: extract_alignment() with `options` (argmax per target word,
///   or the threshold);
/// - soft-mean-gdfa, soft-product-gdfa: the argmax of each target word's row and the
///   argmax of each source word's column (real words only) as two directions, combined by
///   grow-diag-final-and: the mutual argmax links, grown by their neighbours and then by
///   links whose two words are both still unaligned. `options` does not apply.
Alignment soft_links(const LabeledMatrix& combined, SymmetrizeMethod method, int64_t src_words, int64_t tgt_words,
                     const ExtractOptions& options = {});

/// The links of a soft symmetrization: combine_soft(), then soft_links() with
/// `options` over the real words only (the EOS row and column never become links).
/// With the default options that is the argmax per target word: one link per target
/// word, to the source word with the highest combined weight.
Alignment symmetrize_soft(const LabeledMatrix& forward, const LabeledMatrix& reverse_transposed,
                          SymmetrizeMethod method, int64_t src_words, int64_t tgt_words,
                          const ExtractOptions& options = {});

}  // namespace crosstalk::align
