#include "crosstalk/model/dropout.h"

#include "parallel_for.h"

#include <cmath>

namespace crosstalk::model {

namespace {

inline uint64_t splitmix64(uint64_t z) {
  z += 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

constexpr uint64_t kPairMix = 0xD1B54A32D192ED03ULL;

thread_local KeyedDropoutScope* tls_scope = nullptr;

uint64_t draw_seed() {
  auto generator = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(generator.mutex());
  return at::check_generator<at::CPUGeneratorImpl>(generator)->random64();
}

uint32_t keep_threshold(double p) { return static_cast<uint32_t>(std::llround(p * 4294967296.0)); }

// Mask values of the element pairs [first, end) of an n-element run from hashes
// of (seed, pair index): elements (2i, 2i+1) take the two 32-bit halves of hash(seed, i).
inline void fill_pairs(float* m, int64_t n, int64_t first, int64_t end, uint64_t seed, uint32_t threshold,
                       float scale) {
  for (int64_t i = first; i < end; ++i) {
    const uint64_t r = splitmix64(seed ^ (static_cast<uint64_t>(i) * kPairMix));
    const int64_t j = 2 * i;
    m[j] = static_cast<uint32_t>(r) >= threshold ? scale : 0.0f;
    if (j + 1 < n) m[j + 1] = static_cast<uint32_t>(r >> 32) >= threshold ? scale : 0.0f;
  }
}

class DropoutFunction : public torch::autograd::Function<DropoutFunction> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x, double p) {
    torch::Tensor mask;
    if (auto* scope = KeyedDropoutScope::current()) {
      mask = keyed_dropout_mask(x.sizes(), p, scope->next_call_key(), scope->row_ids());
    } else {
      mask = dropout_mask(x.sizes(), p, draw_seed());
    }
    mask = mask.to(x.scalar_type());
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
  const auto threshold = keep_threshold(p);
  const float scale = static_cast<float>(1.0 / (1.0 - p));
  at::parallel_for(0, (n + 1) / 2, 1 << 14,
                   [&](int64_t begin, int64_t end) { fill_pairs(m, n, begin, end, seed, threshold, scale); });
  return mask;
}

torch::Tensor keyed_dropout_mask(torch::IntArrayRef sizes, double p, uint64_t key,
                                 const std::vector<int64_t>& row_ids) {
  TORCH_CHECK(p >= 0 && p < 1, "dropout probability must be in [0, 1), got ", p);
  TORCH_CHECK(sizes.size() >= 2 && sizes[0] == static_cast<int64_t>(row_ids.size()),
              "keyed dropout expects a batch-first tensor of ", row_ids.size(), " rows, got ", sizes);
  auto mask = torch::empty(sizes, torch::kFloat);
  float* m = mask.data_ptr<float>();
  const int64_t dims = static_cast<int64_t>(sizes.size()), last = sizes[dims - 1];
  int64_t middle = 1;  // product of the dimensions between the row and the last one
  for (int64_t d = 1; d + 1 < dims; ++d) middle *= sizes[d];
  const auto threshold = keep_threshold(p);
  const float scale = static_cast<float>(1.0 / (1.0 - p));
  const int64_t lines = sizes[0] * middle;  // runs of `last` elements
  const int64_t grain = std::max<int64_t>(1, (1 << 14) / std::max<int64_t>(last, 1));
  at::parallel_for(0, lines, grain, [&](int64_t begin, int64_t end) {
    for (int64_t line = begin; line < end; ++line) {
      const int64_t row = line / middle;
      int64_t rest = line % middle;
      uint64_t k = splitmix64(key ^ (static_cast<uint64_t>(row_ids[row]) * kPairMix));
      // Each coordinate between the row and the last dimension, by value (not by flat index,
      // which would depend on the padded sizes of the dimensions after it).
      for (int64_t d = dims - 2; d >= 1; --d) {
        const auto coordinate = static_cast<uint64_t>(rest % sizes[d]);
        rest /= sizes[d];
        k = splitmix64(k ^ (coordinate + (static_cast<uint64_t>(d) << 48)));
      }
      fill_pairs(m + line * last, last, 0, (last + 1) / 2, k, threshold, scale);
    }
  });
  return mask;
}

uint64_t dropout_key(uint64_t seed, int64_t update, int64_t micro_batch) {
  uint64_t k = splitmix64(seed ^ 0x6A09E667F3BCC908ULL);
  k = splitmix64(k ^ static_cast<uint64_t>(update));
  return splitmix64(k ^ static_cast<uint64_t>(micro_batch));
}

KeyedDropoutScope::KeyedDropoutScope(uint64_t key, std::vector<int64_t> row_ids)
    : key_(key), row_ids_(std::move(row_ids)) {
  TORCH_CHECK(tls_scope == nullptr, "KeyedDropoutScope does not nest");
  tls_scope = this;
}

KeyedDropoutScope::~KeyedDropoutScope() { tls_scope = nullptr; }

KeyedDropoutScope* KeyedDropoutScope::current() { return tls_scope; }

uint64_t KeyedDropoutScope::next_call_key() { return splitmix64(key_ + (++calls_) * 0x9E3779B97F4A7C15ULL); }

torch::Tensor apply_dropout(const torch::Tensor& x, double p, bool training) {
  if (!training || p <= 0) return x;
  if (!x.device().is_cpu()) {
    namespace F = torch::nn::functional;
    return F::dropout(x, F::DropoutFuncOptions().p(p).training(true));
  }
  return DropoutFunction::apply(x, p);
}

}  // namespace crosstalk::model
