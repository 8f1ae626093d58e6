#include "crosstalk/train/loss.h"

namespace crosstalk::train {

LossOutput label_smoothed_cross_entropy(const torch::Tensor& logits, const torch::Tensor& target,
                                        double epsilon) {
  TORCH_CHECK(logits.dim() == 2 && target.dim() == 1 && logits.size(0) == target.size(0),
              "loss expects logits [tokens, vocab] and target [tokens], got ", logits.sizes(),
              " and ", target.sizes());
  auto lprobs = torch::log_softmax(logits, -1);                    // [tokens, vocab]
  auto nll = -lprobs.gather(1, target.unsqueeze(1)).squeeze(1);    // [tokens]
  LossOutput out;
  out.tokens = target.size(0);
  if (epsilon > 0) {
    auto smooth = -lprobs.sum(-1);                                 // [tokens]
    const double vocab = static_cast<double>(logits.size(1));
    out.loss = ((1.0 - epsilon) * nll + (epsilon / vocab) * smooth).sum();
  } else {
    out.loss = nll.sum();
  }
  out.nll = nll.detach().sum();
  return out;
}

}  // namespace crosstalk::train
