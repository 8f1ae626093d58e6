#include "crosstalk/train/weight_average.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>

namespace crosstalk::train {

double ema_decay_at(double decay, int64_t step) {
  const double t = static_cast<double>(std::max<int64_t>(step, 0));
  return std::min(decay, (1.0 + t) / (10.0 + t));
}

WeightAverage::WeightAverage(model::Transformer& model, double decay) : decay_(decay) {
  TORCH_CHECK(decay > 0.0 && decay < 1.0, "WeightAverage: decay must be in (0, 1), got ", decay);
  {
    // Its random initialization is overwritten below; it must not move the global generator
    // that the rest of the run draws from.
    auto generator = at::detail::getDefaultCPUGenerator();
    const auto state = generator.get_state();
    average_ = model::Transformer(model->options(), model->pad_id());
    generator.set_state(state);
  }
  torch::NoGradGuard no_grad;
  const auto from = model->parameters(), to = average_->parameters();
  TORCH_CHECK(from.size() == to.size(), "WeightAverage: the models differ");
  average_->to(from.empty() ? torch::Device(torch::kCPU) : from.front().device());
  for (size_t i = 0; i < from.size(); ++i) to[i].copy_(from[i]);
  const auto from_buffers = model->buffers(), to_buffers = average_->buffers();
  for (size_t i = 0; i < from_buffers.size(); ++i) to_buffers[i].copy_(from_buffers[i]);
  for (auto& p : average_->parameters()) p.set_requires_grad(false);
  average_->eval();
}

void WeightAverage::update(model::Transformer& model, int64_t step) {
  torch::NoGradGuard no_grad;
  const double d = ema_decay_at(decay_, step);
  const auto from = model->parameters(), to = average_->parameters();
  for (size_t i = 0; i < from.size(); ++i) to[i].mul_(d).add_(from[i], 1.0 - d);
}

}  // namespace crosstalk::train
