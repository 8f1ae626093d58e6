#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <random>
#include <vector>

#include "crosstalk/train/guided_alignment.h"

namespace crosstalk::train {

/// One sentence pair as subword ids, without BOS/EOS.
struct Example {
  std::vector<int> src;
  std::vector<int> tgt;
  std::vector<PieceLink> links = {};  // guided-alignment labels (guided_alignment.h); empty: none
};

/// A padded training batch. Source gets EOS appended; the target is fed as
/// BOS + pieces and predicted as pieces + EOS.
struct Batch {
  torch::Tensor src;      // [batch, src_len] int64, right-padded
  torch::Tensor tgt_in;   // [batch, tgt_len] int64: BOS y1 .. yn, right-padded
  torch::Tensor tgt_out;  // [batch, tgt_len] int64: y1 .. yn EOS, right-padded
  torch::Tensor alignment;  // [batch, tgt_len, src_len] float: alignment_labels() of the examples'
                            // links; undefined unless collated with them
  int64_t aligned_rows = 0;  // target pieces with at least one link
  std::vector<int64_t> example_ids;  // each row's index among the examples (keys its dropout masks)
  int64_t sentences = 0;
  int64_t src_tokens = 0;  // non-pad source positions
  int64_t tgt_tokens = 0;  // non-pad target positions (predicted tokens, EOS included)
};

/// Cost of a sentence pair in the token budget: max(source, target) length
/// counted with BOS and EOS on both sides (the peer's and fairseq's convention).
int64_t example_cost(const Example& example);

/// Token-bucketed batches: sort by (source, target) length with random order
/// among equal lengths, cut greedily so that sentences * max cost <= max_tokens,
/// then shuffle the batches. rng == nullptr: no shuffling (validation).
std::vector<std::vector<size_t>> make_batches(const std::vector<Example>& examples,
                                              int64_t max_tokens, std::mt19937_64* rng);

/// Pads the selected examples into a Batch on `device`; with_alignment: also
/// their guided-alignment labels.
Batch collate(const std::vector<Example>& examples, const std::vector<size_t>& indices,
              int64_t pad_id, int64_t bos_id, int64_t eos_id, const torch::Device& device,
              bool with_alignment = false);

}  // namespace crosstalk::train
