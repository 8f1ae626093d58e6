#include "crosstalk/train/loss.h"

namespace crosstalk::train {

namespace {

// Fused label-smoothed cross-entropy. Forward needs only logsumexp, the
// target logit and the row sum; backward is softmax - (1 - eps) onehot - eps / V,
// built in place in one buffer. LibTorch's log_softmax + gather + sum chain
// writes and reads several [tokens, vocab] temporaries each way instead.
class SmoothedCrossEntropy : public torch::autograd::Function<SmoothedCrossEntropy> {
 public:
  static torch::autograd::variable_list forward(torch::autograd::AutogradContext* ctx,
                                                const torch::Tensor& logits, const torch::Tensor& target,
                                                double epsilon) {
    const double vocab = static_cast<double>(logits.size(1));
    auto lse = torch::logsumexp(logits, 1);                             // [tokens]
    auto nll = lse - logits.gather(1, target.unsqueeze(1)).squeeze(1);  // [tokens]
    torch::Tensor loss;
    if (epsilon > 0) {
      auto smooth = lse * vocab - logits.sum(1);                        // -sum_v log p_v
      loss = ((1.0 - epsilon) * nll + (epsilon / vocab) * smooth).sum();
    } else {
      loss = nll.sum();
    }
    auto nll_sum = nll.sum();
    ctx->save_for_backward({logits, target, lse});
    ctx->saved_data["epsilon"] = epsilon;
    ctx->mark_non_differentiable({nll_sum});
    return {loss, nll_sum};
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    auto saved = ctx->get_saved_variables();
    const auto& logits = saved[0];
    const auto& target = saved[1];
    const auto& lse = saved[2];
    const double epsilon = ctx->saved_data["epsilon"].toDouble();
    const double vocab = static_cast<double>(logits.size(1));
    auto grad = torch::sub(logits, lse.unsqueeze(1)).exp_();  // softmax [tokens, vocab]
    if (epsilon > 0) grad.sub_(epsilon / vocab);
    grad.scatter_add_(1, target.unsqueeze(1),
                      torch::full({target.size(0), 1}, -(1.0 - epsilon), grad.options()));
    grad.mul_(grads[0]);
    return {grad, torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

LossOutput label_smoothed_cross_entropy(const torch::Tensor& logits, const torch::Tensor& target,
                                        double epsilon) {
  TORCH_CHECK(logits.dim() == 2 && target.dim() == 1 && logits.size(0) == target.size(0),
              "loss expects logits [tokens, vocab] and target [tokens], got ", logits.sizes(),
              " and ", target.sizes());
  TORCH_CHECK(epsilon >= 0 && epsilon < 1, "label smoothing must be in [0, 1), got ", epsilon);
  auto out = SmoothedCrossEntropy::apply(logits, target, epsilon);
  LossOutput result;
  result.loss = out[0];
  result.nll = out[1].detach();
  result.tokens = target.size(0);
  return result;
}

}  // namespace crosstalk::train
