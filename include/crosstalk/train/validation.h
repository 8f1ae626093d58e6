#pragma once

#include <torch/torch.h>

#include <string>
#include <vector>

#include "crosstalk/model/transformer.h"
#include "crosstalk/search/translator.h"
#include "crosstalk/train/batches.h"

namespace crosstalk::train {

struct ValidationResult {
  double loss = 0.0;   // label-smoothed cross-entropy per target token
  double nll = 0.0;    // negative log-likelihood per target token
  double ppl = 0.0;    // exp(nll)
  double bleu = 0.0;   // greedy-search corpus BLEU (sacreBLEU defaults)
  int64_t tokens = 0;
  int64_t bleu_lines = 0;
  /// BLEU lines longer than the model's position table: translated from their first pieces.
  int64_t bleu_truncated = 0;
  bool interrupted = false;  // a signal (common/interrupt.h) cut it short: the figures are incomplete
};

/// Teacher-forced loss over `examples` (batched by max_tokens) plus greedy BLEU
/// of translating `sources` against `references`. Leaves the model in eval mode.
/// Stops early, with `interrupted` set, when SIGINT/SIGTERM arrive.
ValidationResult validate(model::Transformer& model, const std::vector<Example>& examples,
                          int64_t max_tokens, double label_smoothing, search::Translator& translator,
                          const std::vector<std::string>& sources,
                          const std::vector<std::string>& references);

/// Loss of one batch on its non-pad target positions only: the output
/// projection and softmax never see padding.
/// With `guided` (and batch.alignment), also the guided-alignment loss of the
/// selected cross-attention (guided_alignment.h); it is not added to `loss`.
struct BatchLoss {
  torch::Tensor loss;  // label-smoothed sum over tokens
  torch::Tensor nll;   // sum over tokens
  int64_t tokens = 0;
  torch::Tensor alignment_loss;  // guided_alignment_loss() summed over linked target pieces; undefined without guidance
  int64_t aligned_rows = 0;      // target pieces with links
};
BatchLoss batch_loss(model::Transformer& model, const Batch& batch, double label_smoothing,
                     const GuidedAlignmentOptions* guided = nullptr);

}  // namespace crosstalk::train
