#include "crosstalk/align/pair_symmetrize.h"

#include <utility>

namespace crosstalk::align {

PairSymmetrization symmetrize_pair(const AttentionRecord& fwd, const AttentionRecord& rev,
                                   const AttentionSelection& selection, double threshold, SymmetrizeMethod method,
                                   const Alignment& fwd_links) {
  PairSymmetrization out;
  out.mismatch = fwd.src.real_words != rev.tgt.real_words || fwd.tgt.real_words != rev.src.real_words;
  if (out.mismatch) {
    out.links = fwd_links;
    out.detail.method = "none (word counts differ)";
    out.detail.symmetrized = fwd_links;
    return out;
  }
  out.detail.method = method_name(method);
  out.detail.reverse_words = transpose(rev.word_matrix(selection));
  out.detail.reverse_alignment = transpose(rev.alignment(selection, {threshold}));
  if (is_soft(method)) {
    out.detail.combined = combine_soft(fwd.word_matrix(selection), out.detail.reverse_words, method);
    out.links = soft_links(out.detail.combined, method, fwd.src.real_words, fwd.tgt.real_words, {threshold});
  } else {
    out.links = symmetrize(fwd_links, out.detail.reverse_alignment, method);
  }
  out.detail.symmetrized = out.links;
  return out;
}

}  // namespace crosstalk::align
