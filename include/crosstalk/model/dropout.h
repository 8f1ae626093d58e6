#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace crosstalk::model {

/// Inverted dropout: zeroes each element with probability p and scales the rest
/// by 1 / (1 - p). Identity when !training or p == 0.
///
/// On CPU the mask comes from a counter-based hash (splitmix64) seeded once per
/// call from torch's default generator, filled in parallel: ~20x faster than
/// LibTorch 1.13's bernoulli_, whose per-element sampling costs more than the
/// feed-forward GEMM it follows. Reproducible under torch::manual_seed for any
/// thread count. Inside a KeyedDropoutScope the mask is keyed by the examples
/// instead (see there). Other devices use torch's own dropout.
torch::Tensor apply_dropout(const torch::Tensor& x, double p, bool training);

/// The scaled keep-mask dropout multiplies by: 0 or 1 / (1 - p), float32 on CPU.
torch::Tensor dropout_mask(torch::IntArrayRef sizes, double p, uint64_t seed);

/// The keyed mask of a batch-first tensor [rows, ...]: the mask of an element
/// depends only on (key, row_ids[row], its coordinates after the row), never on
/// the batch it sits in, its row number or the padded lengths. So an example
/// gets the same mask whether it is trained alone, in a whole batch or in one
/// rank's shard of it (data-parallel training, dist/).
torch::Tensor keyed_dropout_mask(torch::IntArrayRef sizes, double p, uint64_t key,
                                 const std::vector<int64_t>& row_ids);

/// The key of one forward pass of training: (seed, update, micro-batch).
uint64_t dropout_key(uint64_t seed, int64_t update, int64_t micro_batch);

/// While alive (one per thread, no nesting), apply_dropout on CPU uses
/// keyed_dropout_mask with the rows' example ids: the n-th dropout call of the
/// forward pass gets the key hash(key, n). Every dropped tensor must then be
/// batch-first with row_ids.size() rows (TORCH_CHECK). Backward reuses the
/// saved masks, so it may run after the scope has ended.
class KeyedDropoutScope {
 public:
  KeyedDropoutScope(uint64_t key, std::vector<int64_t> row_ids);
  ~KeyedDropoutScope();
  KeyedDropoutScope(const KeyedDropoutScope&) = delete;
  KeyedDropoutScope& operator=(const KeyedDropoutScope&) = delete;

  /// The scope of this thread, or nullptr.
  static KeyedDropoutScope* current();
  /// The key of the next dropout call (counts the calls).
  uint64_t next_call_key();
  const std::vector<int64_t>& row_ids() const { return row_ids_; }

 private:
  uint64_t key_;
  uint64_t calls_ = 0;
  std::vector<int64_t> row_ids_;
};

}  // namespace crosstalk::model
