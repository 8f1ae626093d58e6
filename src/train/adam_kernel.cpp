// The fused Adam loop, compiled without torch (no precompiled header) with
// -O3 -fno-math-errno so that the compiler vectorizes sqrt and division.
#include <cmath>
#include <cstdint>

namespace crosstalk::train {

void fused_adam_update(float* param, const float* grad, float* exp_avg, float* exp_avg_sq, int64_t n,
                       float beta1, float beta2, float step_size, float bias_correction2_sqrt, float eps) {
  const float one_minus_b1 = 1.0f - beta1, one_minus_b2 = 1.0f - beta2;
  const float inv_bc2 = 1.0f / bias_correction2_sqrt;
#pragma omp parallel for schedule(static) if (n > 65536)
  for (int64_t i = 0; i < n; ++i) {
    const float g = grad[i];
    const float m = beta1 * exp_avg[i] + one_minus_b1 * g;
    const float v = beta2 * exp_avg_sq[i] + one_minus_b2 * g * g;
    exp_avg[i] = m;
    exp_avg_sq[i] = v;
    param[i] -= step_size * m / (std::sqrt(v) * inv_bc2 + eps);
  }
}

}  // namespace crosstalk::train
