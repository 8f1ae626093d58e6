#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "crosstalk/model/transformer.h"

namespace crosstalk::search {

struct DecodeOptions {
  int64_t beam_size = 1;        // 1: greedy search
  /// Longest output, in subword pieces without EOS: max_len_a * source pieces + max_len_b.
  double max_len_a = 1.2;
  int64_t max_len_b = 10;
  int64_t batch_size = 64;      // sentences decoded together (sorted by length)
  bool return_attention = false;
};

/// Special ids the search needs.
struct SpecialIds {
  int64_t pad = 0, bos = 2, eos = 3;
};

/// One output of the search for one source sentence.
struct Hypothesis {
  std::vector<int64_t> tokens;  // generated ids, without BOS/EOS
  double score = 0.0;           // sum of log-probabilities of tokens + EOS
  /// Cross-attention of every generated position (tokens + EOS) over the real
  /// source positions: [layers, heads, tokens + 1, src_len]; only if requested.
  torch::Tensor attention;
};

/// Longest output for a source of `src_pieces` pieces (EOS excluded).
int64_t max_output_length(const DecodeOptions& options, int64_t src_pieces);

/// Batched greedy search with the incremental decoder cache. Sentences that
/// emit EOS leave the batch (their cache rows are dropped).
/// src: [batch, src_len] (pieces + EOS, right-padded) -> one hypothesis per row.
std::vector<Hypothesis> greedy_search(model::Transformer& model, const torch::Tensor& src,
                                      const DecodeOptions& options, const SpecialIds& ids);

}  // namespace crosstalk::search
