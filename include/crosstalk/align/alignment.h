#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "crosstalk/align/labeled_matrix.h"

namespace crosstalk::align {

/// One word alignment link: source word `src` <-> target word `tgt` (0-based).
struct Link {
  int64_t src = 0;
  int64_t tgt = 0;
  bool operator==(const Link& o) const { return src == o.src && tgt == o.tgt; }
  bool operator<(const Link& o) const { return src != o.src ? src < o.src : tgt < o.tgt; }
};

/// The links of one sentence pair, sorted and without duplicates.
using Alignment = std::vector<Link>;

/// How word alignments are read off a word-level attention matrix.
struct ExtractOptions {
  /// 0: argmax, exactly one link per target word, to the source word it attends
  /// to most. > 0: every (source, target) pair whose weight is >= threshold after
  /// the row is renormalized over the real source words (a target word may then
  /// get several links or none).
  double threshold = 0.0;
};

/// Word alignment from `words` (rows target words, cols source words, as made by
/// merge_attention). Only the first `tgt_words` rows and `src_words` columns are real
/// words: the EOS row and column are left out, so weight parked on EOS never
/// becomes a link (the argmax is taken over real source words only).
Alignment extract_alignment(const LabeledMatrix& words, int64_t src_words, int64_t tgt_words,
                            const ExtractOptions& options = {});

/// Pharaoh format: "0-0 1-2 ...", source index first, sorted.
std::string to_pharaoh(const Alignment& alignment);

/// A gold alignment line: sure links S and possible links P (P includes S).
struct GoldAlignment {
  Alignment sure;
  Alignment possible;  // every possible link, the sure ones included
};

/// Parses a hypothesis line "i-j i-j ..." (sorted, duplicates dropped).
/// UserError naming `where` (e.g. "file.txt:3") and the bad token.
Alignment parse_pharaoh(const std::string& line, const std::string& where);

/// Parses a gold line: "i-j" or "i-j-S" is sure, "i?j" or "i-j-P" is possible.
/// A link given both ways counts as sure. UserError naming `where` and the bad token.
GoldAlignment parse_gold(const std::string& line, const std::string& where);

}  // namespace crosstalk::align
