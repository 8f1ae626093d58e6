#include <catch2/catch.hpp>
#include <torch/torch.h>

#include "crosstalk/model/attention.h"
#include "crosstalk/model/batched_matmul.h"
#include "crosstalk/model/linear.h"
#include "tolerance.h"

using crosstalk::model::KeyValue;
using crosstalk::model::MultiHeadAttention;
using crosstalk::model::MultiHeadAttentionOptions;
using tolerance::attention_roundings;
using tolerance::float_error;
using tolerance::float_rtol;
using tolerance::max_abs;
using tolerance::max_abs_diff;
using tolerance::max_scaled_diff;

namespace {
MultiHeadAttention make_attention() {
  torch::manual_seed(7);
  MultiHeadAttention attn(MultiHeadAttentionOptions(16, 4));
  attn->eval();
  return attn;
}
}  // namespace

TEST_CASE("cross-attention: output follows the query, weights are tgt_len x src_len", "[attention]") {
  auto attn = make_attention();
  auto tgt = torch::randn({2, 5, 16});
  auto src = torch::randn({2, 7, 16});
  auto out = attn(tgt, src, torch::Tensor(), false, true);
  CHECK(out.output.sizes() == torch::IntArrayRef({2, 5, 16}));
  REQUIRE(out.weights.sizes() == torch::IntArrayRef({2, 4, 5, 7}));
  auto row_sums = out.weights.sum(-1);
  // 7 keys per row: softmax's sum and division, then the test's sum (8.9e-7).
  CHECK(max_abs_diff(row_sums, torch::ones_like(row_sums)) <= float_error(tolerance::softmax_row_sum_roundings(7)));
  CHECK(out.weights.min().item<float>() >= 0.0f);
}

TEST_CASE("cross-attention equals a hand-written softmax(QK^T/sqrt(d))V", "[attention]") {
  auto attn = make_attention();
  auto tgt = torch::randn({1, 3, 16});
  auto src = torch::randn({1, 4, 16});
  auto out = attn(tgt, src, torch::Tensor(), false, true);
  auto params = attn->named_parameters();
  auto w = params["in_proj_weight"], b = params["in_proj_bias"];
  auto q = torch::linear(tgt, w.narrow(0, 0, 16), b.narrow(0, 0, 16)).view({1, 3, 4, 4}).transpose(1, 2);
  auto k = torch::linear(src, w.narrow(0, 16, 16), b.narrow(0, 16, 16)).view({1, 4, 4, 4}).transpose(1, 2);
  auto v = torch::linear(src, w.narrow(0, 32, 16), b.narrow(0, 32, 16)).view({1, 4, 4, 4}).transpose(1, 2);
  auto p = torch::softmax(torch::matmul(q, k.transpose(-2, -1)) / 2.0, -1);
  // Weights (<= 1): projection (16 + bias), scaling, 4-term scores, mask, softmax over 4 keys.
  const int64_t weight_roundings =
      tolerance::linear_roundings(16) + 1 + tolerance::dot_roundings(4) + 1 + tolerance::softmax_roundings(4);
  CHECK(max_abs_diff(p, out.weights) <= float_rtol(weight_roundings));
  auto ctx = torch::matmul(p, v).transpose(1, 2).reshape({1, 3, 16});
  auto expected = torch::linear(ctx, params["out_proj.weight"], params["out_proj.bias"]);
  // The whole block over 4 keys (52 roundings: 6.2e-6 of the largest output).
  CHECK(max_abs_diff(expected, out.output) <= float_rtol(attention_roundings(16, 4, 4)) * max_abs(expected));
}

TEST_CASE("padded keys get zero weight and do not change the output", "[attention]") {
  auto attn = make_attention();
  auto tgt = torch::randn({1, 3, 16});
  auto src = torch::randn({1, 4, 16});
  auto padded = torch::cat({src, torch::randn({1, 2, 16}) * 100}, 1);  // two junk positions
  auto mask = torch::tensor({false, false, false, false, true, true}).view({1, 6});
  auto plain = attn(tgt, src, torch::Tensor(), false, true);
  auto masked = attn(tgt, padded, mask, false, true);
  // The block over 6 keys (the 2 masked ones weigh exactly 0): 56 roundings, 6.7e-6 relative.
  CHECK(max_abs_diff(plain.output, masked.output) <=
        float_rtol(attention_roundings(16, 4, 6)) * max_abs(plain.output));
  auto pad_weights = masked.weights.narrow(-1, 4, 2);
  CHECK(pad_weights.abs().max().item<float>() == 0.0f);
}

TEST_CASE("causal self-attention: a future position never changes earlier outputs", "[attention]") {
  auto attn = make_attention();
  auto x = torch::randn({2, 6, 16});
  auto y = x.clone();
  y.select(1, 4).add_(torch::randn({2, 16}) * 10);  // change position 4
  auto a = attn(x, x, torch::Tensor(), true, true);
  auto b = attn(y, y, torch::Tensor(), true, true);
  // The block over 6 keys: 56 roundings, 6.7e-6 relative. Positions 4 and 5 see the change
  // and differ by more than that: the first check would catch a causal mask that leaks.
  const double bound = float_rtol(attention_roundings(16, 4, 6)) * max_abs(a.output);
  CHECK(max_abs_diff(a.output.narrow(1, 0, 4), b.output.narrow(1, 0, 4)) <= bound);
  CHECK(max_abs_diff(a.output.narrow(1, 4, 2), b.output.narrow(1, 4, 2)) > bound);
  // Upper triangle of the weights is exactly zero.
  auto upper = torch::triu(torch::ones({6, 6}, torch::kBool), 1);
  CHECK(a.weights.masked_select(upper.view({1, 1, 6, 6}).expand_as(a.weights)).abs().max().item<float>() == 0.0f);
}

TEST_CASE("incremental self-attention equals full causal self-attention", "[attention]") {
  auto attn = make_attention();
  auto x = torch::randn({2, 5, 16});
  auto full = attn(x, x, torch::Tensor(), true).output;
  KeyValue cache;
  std::vector<torch::Tensor> steps;
  for (int64_t t = 0; t < 5; ++t) steps.push_back(attn->forward_incremental(x.narrow(1, t, 1), &cache).output);
  CHECK(cache.length() == 5);
  // The block over 5 keys: 54 roundings, 6.4e-6 of the largest output.
  const double bound = float_rtol(attention_roundings(16, 4, 5)) * max_abs(full);
  CHECK(max_abs_diff(full, torch::cat(steps, 1)) <= bound);
  // Several positions at once (with an offset) also match.
  KeyValue cache2;
  auto first = attn->forward_incremental(x.narrow(1, 0, 2), &cache2).output;
  auto rest = attn->forward_incremental(x.narrow(1, 2, 3), &cache2).output;
  CHECK(max_abs_diff(full, torch::cat({first, rest}, 1)) <= bound);
}

TEST_CASE("static K/V cross-attention projects the memory once and matches forward", "[attention]") {
  auto attn = make_attention();
  auto tgt = torch::randn({2, 1, 16});
  auto src = torch::randn({2, 4, 16});
  auto mask = torch::tensor({false, false, false, false, false, false, true, true}).view({2, 4});
  KeyValue cache;
  auto a = attn->forward_static_kv(tgt, src, mask, &cache, true);
  REQUIRE(cache.length() == 4);
  auto key_before = cache.key;
  // A second call ignores the memory argument: the cached projection is used.
  auto b = attn->forward_static_kv(tgt, torch::zeros_like(src), mask, &cache, true);
  CHECK(cache.key.is_same(key_before));
  auto ref = attn(tgt, src, mask, false, true);
  // The block over 4 keys: 52 roundings, 6.2e-6 of the largest output.
  const double bound = float_rtol(attention_roundings(16, 4, 4)) * max_abs(ref.output);
  CHECK(max_abs_diff(a.output, ref.output) <= bound);
  CHECK(max_abs_diff(b.output, ref.output) <= bound);
}

TEST_CASE("attention rejects mismatched shapes", "[attention]") {
  auto attn = make_attention();
  CHECK_THROWS_WITH(attn(torch::randn({2, 3, 16}), torch::randn({3, 4, 16})),
                    Catch::Contains("batch sizes differ"));
  CHECK_THROWS_WITH(attn(torch::randn({1, 3, 16}), torch::randn({1, 4, 16}), torch::zeros({1, 3}, torch::kBool)),
                    Catch::Contains("key_padding_mask must be [batch, kv_len]"));
  CHECK_THROWS_WITH(MultiHeadAttention(MultiHeadAttentionOptions(10, 4)), Catch::Contains("divisible"));
}

TEST_CASE("batched_matmul equals torch::matmul, with gradients, for every transpose", "[attention]") {
  using crosstalk::model::batched_matmul;
  torch::manual_seed(9);
  auto op = [](const torch::Tensor& t, bool transposed) { return transposed ? t.transpose(1, 2) : t; };
  for (bool ta : {false, true}) {
    for (bool tb : {false, true}) {
      auto a = torch::randn(ta ? std::vector<int64_t>{6, 5, 3} : std::vector<int64_t>{6, 3, 5}, torch::requires_grad());
      auto b = torch::randn(tb ? std::vector<int64_t>{6, 4, 5} : std::vector<int64_t>{6, 5, 4}, torch::requires_grad());
      auto w = torch::randn({6, 3, 4});
      auto ours = batched_matmul(a, b, ta, tb);
      auto ref = torch::matmul(ta ? a.transpose(1, 2) : a, tb ? b.transpose(1, 2) : b);
      REQUIRE(ours.sizes() == ref.sizes());
      // Componentwise: each side is within gamma_K |A||B| of the exact product (tolerance.h),
      // K = 5 products per entry. The same function of |a|, |b| and |w| gives |A||B|, and its
      // gradients the matching scales of the gradients: dA = w op(B)^T sums K = 4 products,
      // dB = op(A)^T w sums K = 3.
      auto a_abs = a.detach().abs().requires_grad_(), b_abs = b.detach().abs().requires_grad_();
      auto scale = torch::matmul(op(a_abs, ta), op(b_abs, tb));
      auto grad_scale = torch::autograd::grad(torch::autograd::variable_list{(scale * w.abs()).sum()},
                                              torch::autograd::variable_list{a_abs, b_abs});
      CHECK(max_scaled_diff(ours, ref, scale) <= float_rtol(5));
      auto ga = torch::autograd::grad(torch::autograd::variable_list{(ours * w).sum()}, torch::autograd::variable_list{a, b});
      auto gr = torch::autograd::grad(torch::autograd::variable_list{(ref * w).sum()}, torch::autograd::variable_list{a, b});
      CHECK(max_scaled_diff(ga[0], gr[0], grad_scale[0]) <= float_rtol(4));
      CHECK(max_scaled_diff(ga[1], gr[1], grad_scale[1]) <= float_rtol(3));
    }
  }
  CHECK_THROWS_WITH(batched_matmul(torch::randn({2, 3, 4}), torch::randn({2, 5, 6})), Catch::Contains("inner sizes differ"));
}

TEST_CASE("model::linear equals torch::linear for one row and many, with gradients", "[attention]") {
  torch::manual_seed(12);
  auto w = torch::randn({7, 5}, torch::requires_grad());
  auto b = torch::randn({7}, torch::requires_grad());
  for (auto shape : {std::vector<int64_t>{1, 1, 5}, std::vector<int64_t>{5}, std::vector<int64_t>{3, 4, 5}}) {
    auto x = torch::randn(shape, torch::requires_grad());
    auto ours = crosstalk::model::linear(x, w, b);
    auto ref = torch::linear(x, w, b);
    REQUIRE(ours.sizes() == ref.sizes());
    // Componentwise, as for batched_matmul: |x||W|^T + |b| from the same function of the
    // absolute values, 5 products and the bias per output; its gradients scale the gradients:
    // dx = g W sums 7 products, dW = g^T x and db sum over the `rows` rows.
    const int64_t rows = x.numel() / 5;
    auto x_abs = x.detach().abs().requires_grad_(), w_abs = w.detach().abs().requires_grad_(),
         b_abs = b.detach().abs().requires_grad_();
    auto g = torch::randn(ref.sizes());
    auto scale = torch::linear(x_abs, w_abs, b_abs);
    auto grad_scale = torch::autograd::grad(torch::autograd::variable_list{(scale * g.abs()).sum()},
                                            torch::autograd::variable_list{x_abs, w_abs, b_abs});
    CHECK(max_scaled_diff(ours, ref, scale) <= float_rtol(tolerance::linear_roundings(5)));
    auto go = torch::autograd::grad(torch::autograd::variable_list{(ours * g).sum()}, torch::autograd::variable_list{x, w, b});
    auto gr = torch::autograd::grad(torch::autograd::variable_list{(ref * g).sum()}, torch::autograd::variable_list{x, w, b});
    for (size_t i = 0; i < 3; ++i)
      CHECK(max_scaled_diff(go[i], gr[i], grad_scale[i]) <= float_rtol(std::max<int64_t>(7, rows)));
  }
  // Without a bias: within gamma_5 (sum_j |w_ij|) of each other.
  CHECK(max_scaled_diff(crosstalk::model::linear(torch::ones({1, 5}), w, torch::Tensor()),
                        torch::ones({1, 5}).matmul(w.t()), w.detach().abs().sum(1)) <= float_rtol(5));
}

TEST_CASE("model::linear without autograd: up to 8 rows skip the dispatch and equal torch::linear", "[attention]") {
  torch::manual_seed(13);
  auto w = torch::randn({9, 5}), b = torch::randn({9});
  torch::NoGradGuard no_grad;
  // One row, 3, 4 and 5 rows (the few-rows kernel, or one gemv each), 9 rows (gemm).
  for (auto shape : {std::vector<int64_t>{1, 1, 5}, std::vector<int64_t>{5}, std::vector<int64_t>{3, 5},
                     std::vector<int64_t>{2, 2, 5}, std::vector<int64_t>{5, 1, 5}, std::vector<int64_t>{9, 5}}) {
    auto x = torch::randn(shape);
    // Rows 2..8 of the weight: a narrowed projection, as the packed attention weights are.
    auto w_rows = w.narrow(0, 2, 7), b_rows = b.narrow(0, 2, 7);
    for (const auto& bias : {b_rows, torch::Tensor()}) {
      auto ours = crosstalk::model::linear(x, w_rows, bias);
      auto ref = torch::linear(x, w_rows, bias);
      REQUIRE(ours.sizes() == ref.sizes());
      // Componentwise: |x||W|^T + |b|, 5 products and the bias per output.
      auto scale = torch::linear(x.abs(), w_rows.abs(), bias.defined() ? bias.abs() : bias);
      CHECK(max_scaled_diff(ours, ref, scale) <= float_rtol(tolerance::linear_roundings(5)));
    }
  }
}

TEST_CASE("model::linear's few-rows kernel equals torch::linear for 1 to 9 rows at any width", "[attention]") {
  torch::manual_seed(14);
  torch::NoGradGuard no_grad;
  // 37 inputs: four 8-wide steps and a tail of 5; 1101 outputs: more than one thread's share
  // and not a multiple of the 4 outputs the one-row kernel takes at a time.
  auto w = torch::randn({1101, 37}), b = torch::randn({1101});
  for (int64_t rows = 1; rows <= 9; ++rows) {
    auto x = torch::randn({rows, 37});
    for (const auto& bias : {b, torch::Tensor()}) {
      auto ours = crosstalk::model::linear(x, w, bias);
      auto ref = torch::linear(x, w, bias);
      REQUIRE(ours.sizes() == ref.sizes());
      auto scale = torch::linear(x.abs(), w.abs(), bias.defined() ? bias.abs() : bias);
      INFO(rows << " rows, " << (bias.defined() ? "with" : "without") << " a bias");
      CHECK(max_scaled_diff(ours, ref, scale) <= float_rtol(tolerance::linear_roundings(37)));
    }
  }
}
