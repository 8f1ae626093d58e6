#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <limits>

#include "crosstalk/model/attention.h"
#include "crosstalk/model/one_query_attention.h"
#include "tolerance.h"

using crosstalk::model::KeyValue;
using crosstalk::model::MultiHeadAttention;
using crosstalk::model::MultiHeadAttentionOptions;
using crosstalk::model::one_query_attention;
using crosstalk::model::one_query_attention_applies;
using namespace tolerance;  // the bounds of tolerance.h throughout

namespace {
const float kMasked = -std::numeric_limits<float>::infinity();

// softmax(q k^T + bias) v in double, the heads side by side: [batch, 1, heads * d].
struct Reference {
  torch::Tensor weights, context;
};
Reference reference(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v, const torch::Tensor& bias) {
  auto scores = torch::matmul(q.to(torch::kDouble), k.to(torch::kDouble).transpose(-2, -1));
  if (bias.defined()) scores = scores + bias.to(torch::kDouble);
  auto w = torch::softmax(scores, -1);
  auto ctx = torch::matmul(w, v.to(torch::kDouble)).transpose(1, 2).reshape({q.size(0), 1, -1});
  return {w, ctx};
}
}  // namespace

TEST_CASE("one-query attention equals softmax(q k^T + bias) v for every row and head", "[attention]") {
  torch::manual_seed(21);
  // Small and large (kv_len x d_head = 4096: rows go to both threads).
  for (auto [batch, heads, kv_len, d] : {std::tuple<int64_t, int64_t, int64_t, int64_t>{3, 4, 6, 8}, {4, 4, 64, 64}}) {
    auto q = torch::randn({batch, heads, 1, d}) / std::sqrt(static_cast<double>(d));
    auto k = torch::randn({batch, heads, kv_len, d}), v = torch::randn({batch, heads, kv_len, d});
    auto bias = torch::zeros({batch, 1, 1, kv_len});
    bias[batch - 1][0][0].narrow(0, kv_len - 2, 2).fill_(kMasked);  // the last row's two padded keys
    for (const auto& b : {torch::Tensor(), bias}) {
      REQUIRE(one_query_attention_applies(q, k, v, b));
      const auto ours = one_query_attention(q, k, v, b);
      const auto ref = reference(q, k, v, b);
      REQUIRE(ours.weights.sizes() == torch::IntArrayRef({batch, heads, 1, kv_len}));
      REQUIRE(ours.context.sizes() == torch::IntArrayRef({batch, 1, heads * d}));
      // Weights (<= 1): the d-term score, the bias, the softmax over kv_len keys.
      CHECK(max_abs_diff(ours.weights, ref.weights) <= float_rtol(dot_roundings(d) + 1 + softmax_roundings(kv_len)));
      // Context: those weights' error, then a kv_len-term sum of values weighted by at most 1.
      const int64_t context_roundings = dot_roundings(d) + 1 + softmax_roundings(kv_len) + dot_roundings(kv_len);
      CHECK(max_abs_diff(ours.context, ref.context) <= float_rtol(context_roundings) * max_abs(v) * kv_len);
      if (b.defined()) {
        CHECK(ours.weights[batch - 1].narrow(-1, kv_len - 2, 2).abs().max().item<float>() == 0.0f);
        CHECK(ours.weights[0].narrow(-1, kv_len - 2, 2).min().item<float>() > 0.0f);
      }
    }
  }
}

TEST_CASE("one-query attention: only contiguous float CPU single queries, anything else is refused", "[attention]") {
  auto q = torch::randn({2, 4, 1, 8}), k = torch::randn({2, 4, 5, 8}), v = torch::randn({2, 4, 5, 8});
  CHECK(one_query_attention_applies(q, k, v, torch::zeros({2, 1, 1, 5})));
  CHECK_FALSE(one_query_attention_applies(torch::randn({2, 4, 2, 8}), k, v, {}));        // two queries
  CHECK_FALSE(one_query_attention_applies(q, k.transpose(2, 3).contiguous().transpose(2, 3), v, {}));  // strided
  CHECK_FALSE(one_query_attention_applies(q.to(torch::kDouble), k, v, {}));
  CHECK_FALSE(one_query_attention_applies(q, k, torch::randn({2, 4, 6, 8}), {}));      // k and v differ
  CHECK_FALSE(one_query_attention_applies(q, k, v, torch::zeros({2, 4, 1, 5})));      // a bias per head
  CHECK_THROWS_WITH(one_query_attention(q, k, torch::randn({2, 4, 6, 8}), {}), Catch::Contains("one_query_attention"));
}

TEST_CASE("decoding steps without autograd take the one-query path and equal the full attention", "[attention]") {
  torch::manual_seed(22);
  MultiHeadAttention attn(MultiHeadAttentionOptions(16, 4));
  attn->eval();
  auto x = torch::randn({2, 5, 16});
  auto src = torch::randn({2, 6, 16});
  auto mask = torch::tensor({false, false, false, false, false, false, false, false, false, false, true, true})
                  .view({2, 6});
  const auto full_self = attn(x, x, torch::Tensor(), true).output;  // the general path, autograd on
  const auto full_cross = attn(x, src, mask, false, true);
  torch::NoGradGuard no_grad;
  KeyValue self, cross;
  std::vector<torch::Tensor> self_steps, cross_steps, cross_weights;
  for (int64_t t = 0; t < 5; ++t) {
    self_steps.push_back(attn->forward_incremental(x.narrow(1, t, 1), &self).output);
    auto c = attn->forward_static_kv(x.narrow(1, t, 1), src, mask, &cross, true);
    cross_steps.push_back(c.output);
    cross_weights.push_back(c.weights);
    // The caches the steps read are laid out for the one-query kernel.
    CHECK(one_query_attention_applies(torch::zeros({2, 4, 1, 4}), self.key, self.value, {}));
    CHECK(one_query_attention_applies(torch::zeros({2, 4, 1, 4}), cross.key, cross.value, {}));
  }
  CHECK(max_abs_diff(torch::cat(self_steps, 1), full_self) <=
        float_rtol(attention_roundings(16, 4, 5)) * max_abs(full_self));
  CHECK(max_abs_diff(torch::cat(cross_steps, 1), full_cross.output) <=
        float_rtol(attention_roundings(16, 4, 6)) * max_abs(full_cross.output));
  const auto weights = torch::cat(cross_weights, 2);  // [2, 4, 5, 6]
  CHECK(max_abs_diff(weights, full_cross.weights) <=
        float_rtol(attention_roundings(16, 4, 6)));
  CHECK(weights[1].narrow(-1, 4, 2).abs().max().item<float>() == 0.0f);
}
