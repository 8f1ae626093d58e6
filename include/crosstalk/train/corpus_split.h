#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "crosstalk/text/corpus.h"

namespace crosstalk::train {

/// `--valid-size`: how many training pairs to hold out for validation when no
/// validation files are given: "auto", a count ("500"), or a fraction of the
/// pairs ("0.05" or "5%").
struct ValidSize {
  enum class Kind { kAuto, kCount, kFraction };
  Kind kind = Kind::kAuto;
  double value = 0.0;  // the count, or the fraction in (0, 1)

  /// "auto" or the value as given ("500", "5%").
  std::string text() const;
};

/// Parses a --valid-size value. UserError with one line for anything else
/// ("0", "-3", "1.5", "120%", "ten").
ValidSize parse_valid_size(const std::string& text);

/// The number of pairs to hold out of `pairs` usable ones. "auto": 5% of the
/// pairs, at least 1 and at most 1000. UserError when the corpus is too small
/// for a split, or the size leaves nothing to train on.
int64_t resolve_valid_size(const ValidSize& size, int64_t pairs);

/// A sentence pair as one string: the two sides joined by '\n', which no line read
/// from a file holds. Equal keys, equal pairs (split_corpus, count_duplicate_pairs).
std::string pair_key(const std::string& src, const std::string& tgt);

/// A corpus cut into training and held-out validation pairs.
struct CorpusSplit {
  text::ParallelCorpus train;   // line_numbers and file_lines still refer to the files
  text::ParallelCorpus valid;   // in file order
  int64_t copies_removed = 0;   // training pairs identical to a held-out pair, left out of `train`
};

/// Holds out `valid_pairs` pairs chosen by `seed` (the same pairs for the same
/// corpus and seed, on every machine: a Fisher-Yates shuffle over std::mt19937_64).
/// Training pairs identical to a held-out pair are removed, so that nothing
/// held out is ever trained on.
CorpusSplit split_corpus(text::ParallelCorpus corpus, int64_t valid_pairs, uint64_t seed);

}  // namespace crosstalk::train
