#include "crosstalk/model/dropout.h"

#include <ATen/Parallel.h>

#include <cmath>

namespace crosstalk::model {

namespace {

inline uint64_t splitmix64(uint64_t z) {
  z += 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

uint64_t draw_seed() {
  auto generator = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(generator.mutex());
  return at::check_generator<at::CPUGeneratorImpl>(generator)->random64();
}

class DropoutFunction : public torch::autograd::Function<DropoutFunction> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x, double p) {
    auto mask = dropout_mask(x.sizes(), p, draw_seed()).to(x.scalar_type());
    ctx->save_for_backward({mask});
    return x * mask;
  }
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad) {
    auto mask = ctx->get_saved_variables()[0];
    return {grad[0] * mask, torch::Tensor()};
  }
};

}  // namespace

torch::Tensor dropout_mask(torch::IntArrayRef sizes, double p, uint64_t seed) {
  TORCH_CHECK(p >= 0 && p < 1, "dropout probability must be in [0, 1), got ", p);
  auto mask = torch::empty(sizes, torch::kFloat);
  float* m = mask.data_ptr<float>();
  const int64_t n = mask.numel();
  const auto threshold = static_cast<uint32_t>(std::llround(p * 4294967296.0));
  const float scale = static_cast<float>(1.0 / (1.0 - p));
  // Element pairs (2i, 2i+1) take the two 32-bit halves of hash(seed, i).
  at::parallel_for(0, (n + 1) / 2, 1 << 14, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const uint64_t r = splitmix64(seed ^ (static_cast<uint64_t>(i) * 0xD1B54A32D192ED03ULL));
      const int64_t j = 2 * i;
      m[j] = static_cast<uint32_t>(r) >= threshold ? scale : 0.0f;
      if (j + 1 < n) m[j + 1] = static_cast<uint32_t>(r >> 32) >= threshold ? scale : 0.0f;
    }
  });
  return mask;
}

torch::Tensor apply_dropout(const torch::Tensor& x, double p, bool training) {
  if (!training || p <= 0) return x;
  if (!x.device().is_cpu()) {
    namespace F = torch::nn::functional;
    return F::dropout(x, F::DropoutFuncOptions().p(p).training(true));
  }
  return DropoutFunction::apply(x, p);
}

}  // namespace crosstalk::model
