#pragma once

#include <torch/torch.h>

#include <vector>

#include "crosstalk/model/attention.h"

namespace crosstalk::model {

/// Decoder state of one layer between steps.
struct LayerCache {
  KeyValue self;   // causal self-attention K/V, grown by one position per step
  KeyValue cross;  // cross-attention K/V of the encoder output, computed on the first step
};

/// Incremental decoding state of the whole decoder, one entry per layer.
/// Batch rows follow the rows of the tokens passed to decode_step.
struct DecoderCache {
  std::vector<LayerCache> layers;
  int64_t steps = 0;  // target positions already decoded (the next position's index)

  /// Keeps / repeats batch rows: index [new_batch] (int64) selects from the old
  /// batch, for beam back-pointers and for dropping finished sentences.
  void reorder(const torch::Tensor& index);
  /// Reorders only the self-attention K/V: enough when rows move between the
  /// beams of one sentence, whose cross-attention K/V are the same.
  void reorder_self(const torch::Tensor& index);
};

}  // namespace crosstalk::model
