#include <catch2/catch.hpp>
#include <torch/torch.h>

#include "crosstalk/model/attention.h"
#include "crosstalk/model/batched_matmul.h"
#include "crosstalk/model/linear.h"

using crosstalk::model::KeyValue;
using crosstalk::model::MultiHeadAttention;
using crosstalk::model::MultiHeadAttentionOptions;

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
  CHECK(torch::allclose(row_sums, torch::ones_like(row_sums), 1e-5, 1e-6));
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
  CHECK(torch::allclose(p, out.weights, 1e-5, 1e-6));
  auto ctx = torch::matmul(p, v).transpose(1, 2).reshape({1, 3, 16});
  auto expected = torch::linear(ctx, params["out_proj.weight"], params["out_proj.bias"]);
  CHECK(torch::allclose(expected, out.output, 1e-5, 1e-6));
}

TEST_CASE("padded keys get zero weight and do not change the output", "[attention]") {
  auto attn = make_attention();
  auto tgt = torch::randn({1, 3, 16});
  auto src = torch::randn({1, 4, 16});
  auto padded = torch::cat({src, torch::randn({1, 2, 16}) * 100}, 1);  // two junk positions
  auto mask = torch::tensor({false, false, false, false, true, true}).view({1, 6});
  auto plain = attn(tgt, src, torch::Tensor(), false, true);
  auto masked = attn(tgt, padded, mask, false, true);
  CHECK(torch::allclose(plain.output, masked.output, 1e-5, 1e-6));
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
  CHECK(torch::allclose(a.output.narrow(1, 0, 4), b.output.narrow(1, 0, 4), 1e-5, 1e-6));
  CHECK_FALSE(torch::allclose(a.output.narrow(1, 4, 2), b.output.narrow(1, 4, 2), 1e-3, 1e-3));
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
  CHECK(torch::allclose(full, torch::cat(steps, 1), 1e-5, 1e-6));
  // Several positions at once (with an offset) also match.
  KeyValue cache2;
  auto first = attn->forward_incremental(x.narrow(1, 0, 2), &cache2).output;
  auto rest = attn->forward_incremental(x.narrow(1, 2, 3), &cache2).output;
  CHECK(torch::allclose(full, torch::cat({first, rest}, 1), 1e-5, 1e-6));
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
  CHECK(torch::allclose(a.output, ref.output, 1e-5, 1e-6));
  CHECK(torch::allclose(b.output, ref.output, 1e-5, 1e-6));
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
  for (bool ta : {false, true}) {
    for (bool tb : {false, true}) {
      auto a = torch::randn(ta ? std::vector<int64_t>{6, 5, 3} : std::vector<int64_t>{6, 3, 5}, torch::requires_grad());
      auto b = torch::randn(tb ? std::vector<int64_t>{6, 4, 5} : std::vector<int64_t>{6, 5, 4}, torch::requires_grad());
      auto w = torch::randn({6, 3, 4});
      auto ours = batched_matmul(a, b, ta, tb);
      auto ref = torch::matmul(ta ? a.transpose(1, 2) : a, tb ? b.transpose(1, 2) : b);
      REQUIRE(ours.sizes() == ref.sizes());
      CHECK(torch::allclose(ours, ref, 1e-5, 1e-5));
      auto ga = torch::autograd::grad(torch::autograd::variable_list{(ours * w).sum()}, torch::autograd::variable_list{a, b});
      auto gr = torch::autograd::grad(torch::autograd::variable_list{(ref * w).sum()}, torch::autograd::variable_list{a, b});
      CHECK(torch::allclose(ga[0], gr[0], 1e-5, 1e-5));
      CHECK(torch::allclose(ga[1], gr[1], 1e-5, 1e-5));
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
    CHECK(torch::allclose(ours, ref, 1e-5, 1e-6));
    auto g = torch::randn(ref.sizes());
    auto go = torch::autograd::grad(torch::autograd::variable_list{(ours * g).sum()}, torch::autograd::variable_list{x, w, b});
    auto gr = torch::autograd::grad(torch::autograd::variable_list{(ref * g).sum()}, torch::autograd::variable_list{x, w, b});
    for (size_t i = 0; i < 3; ++i) CHECK(torch::allclose(go[i], gr[i], 1e-5, 1e-5));
  }
  CHECK(torch::allclose(crosstalk::model::linear(torch::ones({1, 5}), w, torch::Tensor()), torch::ones({1, 5}).matmul(w.t())));
}
