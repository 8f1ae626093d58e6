#pragma once

#include <torch/torch.h>

#include <cstdint>

namespace crosstalk::train {

/// torch::optim::Adam whose step() updates each contiguous float32 CPU
/// parameter in one fused, parallel pass over (param, grad, exp_avg, exp_avg_sq)
/// instead of LibTorch's seven tensor ops and two temporaries per parameter.
/// Same state objects, so torch::save / torch::load of the optimizer and the
/// results are those of torch::optim::Adam (tested). Falls back to Adam::step
/// for anything else (CUDA, other dtypes, weight decay, amsgrad).
class FusedAdam : public torch::optim::Adam {
 public:
  using torch::optim::Adam::Adam;
  torch::Tensor step(LossClosure closure = nullptr) override;
};

/// The fused update on raw arrays (n elements), exposed for tests:
/// m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;
/// p -= step_size * m / (sqrt(v) / bias_correction2_sqrt + eps)
void fused_adam_update(float* param, const float* grad, float* exp_avg, float* exp_avg_sq, int64_t n,
                       float beta1, float beta2, float step_size, float bias_correction2_sqrt, float eps);

}  // namespace crosstalk::train
