#pragma once

#include <torch/torch.h>

namespace crosstalk::train {

struct LossOutput {
  torch::Tensor loss;     // scalar: label-smoothed cross-entropy summed over tokens
  torch::Tensor nll;      // scalar: plain negative log-likelihood summed over tokens (no grad)
  int64_t tokens = 0;
};

/// Label-smoothed cross-entropy, as torch.nn.CrossEntropyLoss(label_smoothing=eps):
/// (1 - eps) * nll + eps * mean over the vocabulary of -log p.
/// logits: [tokens, vocab]; target: [tokens] (padding already removed).
LossOutput label_smoothed_cross_entropy(const torch::Tensor& logits, const torch::Tensor& target,
                                        double epsilon);

}  // namespace crosstalk::train
