#include "crosstalk/train/adam.h"

#include <cmath>

namespace crosstalk::train {

torch::Tensor FusedAdam::step(LossClosure closure) {
  // Fused only where it is exactly plain Adam on contiguous CPU float32.
  for (auto& group : param_groups_) {
    const auto& options = static_cast<const torch::optim::AdamOptions&>(group.options());
    if (options.weight_decay() != 0 || options.amsgrad()) return Adam::step(closure);
    for (auto& p : group.params())
      if (p.grad().defined() && (!p.is_cpu() || p.scalar_type() != torch::kFloat || !p.is_contiguous() ||
                                 !p.grad().is_contiguous() || p.grad().is_sparse()))
        return Adam::step(closure);
  }
  torch::NoGradGuard no_grad;
  torch::Tensor loss;
  if (closure != nullptr) {
    at::AutoGradMode enable_grad(true);
    loss = closure();
  }
  for (auto& group : param_groups_) {
    const auto& options = static_cast<const torch::optim::AdamOptions&>(group.options());
    for (auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      const auto key = c10::guts::to_string(p.unsafeGetTensorImpl());
      auto it = state_.find(key);
      if (it == state_.end()) {
        auto fresh = std::make_unique<torch::optim::AdamParamState>();
        fresh->step(0);
        fresh->exp_avg(torch::zeros_like(p, torch::MemoryFormat::Contiguous));
        fresh->exp_avg_sq(torch::zeros_like(p, torch::MemoryFormat::Contiguous));
        it = state_.emplace(key, std::move(fresh)).first;
      }
      auto& state = static_cast<torch::optim::AdamParamState&>(*it->second);
      state.step(state.step() + 1);
      const double beta1 = std::get<0>(options.betas()), beta2 = std::get<1>(options.betas());
      const double bias_correction1 = 1 - std::pow(beta1, static_cast<double>(state.step()));
      const double bias_correction2 = 1 - std::pow(beta2, static_cast<double>(state.step()));
      const double step_size = options.lr() / bias_correction1;
      auto exp_avg = state.exp_avg();
      auto exp_avg_sq = state.exp_avg_sq();
      TORCH_CHECK(exp_avg.is_contiguous() && exp_avg_sq.is_contiguous(), "FusedAdam: non-contiguous state");
      fused_adam_update(p.data_ptr<float>(), p.grad().data_ptr<float>(), exp_avg.data_ptr<float>(),
                        exp_avg_sq.data_ptr<float>(), p.numel(), static_cast<float>(beta1),
                        static_cast<float>(beta2), static_cast<float>(step_size),
                        static_cast<float>(std::sqrt(bias_correction2)), static_cast<float>(options.eps()));
    }
  }
  return loss;
}

}  // namespace crosstalk::train
