#pragma once

// Symmetrization of one sentence pair's two attention records: the forward model's on
// (source, target) and a reverse model's (trained target->source) on (target, source).
// Shared by `align --reverse-model` and `translate --alignment --reverse-model`.

#include "crosstalk/align/attention_json.h"
#include "crosstalk/align/attention_record.h"
#include "crosstalk/align/symmetrize.h"

namespace crosstalk::align {

/// The symmetrized links of one pair and what went into them.
struct PairSymmetrization {
  /// The two records split the sentences into different numbers of words (two
  /// vocabularies' normalization, or truncation): nothing could be combined, `links`
  /// are the forward links and detail.method says "none (word counts differ)".
  bool mismatch = false;
  Alignment links;
  SymmetrizedJson detail;  // the reverse matrix and links, the combined matrix (soft)
};

/// `rev` has our target as its source. The reverse word matrix (transposed) and links use
/// the same `selection` and `threshold` as the forward ones; a soft method combines the two
/// word matrices (combine_soft) and extracts links with `threshold`, a hard one combines
/// `fwd_links` with the reverse links (symmetrize).
PairSymmetrization symmetrize_pair(const AttentionRecord& fwd, const AttentionRecord& rev,
                                   const AttentionSelection& selection, double threshold, SymmetrizeMethod method,
                                   const Alignment& fwd_links);

}  // namespace crosstalk::align
