#pragma once

// Next-word alternatives for interactive translation: after a prefix the user typed,
// the k words the model finds most likely to come next (whole words, not pieces).

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

#include "crosstalk/model/transformer.h"
#include "crosstalk/search/prefix.h"
#include "crosstalk/text/vocab.h"

namespace crosstalk::search {

struct NextWord {
  std::string word;             // the whole word ("man"; after "A ma", the word "ma" becomes)
  std::vector<int64_t> pieces;  // its pieces, the spelled part included
  double log_prob = 0.0;        // the model's log-probability of these pieces after the prefix
};

/// The k most likely next words after `prefix` for one source sentence, most likely first.
/// The candidates for the word's first piece are the 2k most likely pieces that begin a
/// word, or that continue the prefix's unfinished last word; each is completed greedily,
/// piece by piece, until the most likely next piece begins another word or ends the
/// sentence (at most max_pieces pieces a word). A word reached by two paths keeps the more
/// likely one. src: [1, src_len] (pieces + EOS).
std::vector<NextWord> next_words(model::Transformer& model, const torch::Tensor& src, const TargetPrefix& prefix,
                                 const PieceSpeller& speller, const text::Vocab& vocab, int64_t k,
                                 int64_t max_pieces = 8);

}  // namespace crosstalk::search
