// Dropout keyed by the example (model/dropout.h): the mask an example gets does not depend on
// the batch, row or padding around it, which makes data-parallel training with dropout agree
// with one process.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <cmath>

#include "crosstalk/model/dropout.h"
#include "crosstalk/model/transformer.h"
#include "tolerance.h"

using namespace crosstalk::model;

namespace {

// The part of `t` that row `row` shares with a tensor of the sizes `common` (leading corner).
torch::Tensor corner(const torch::Tensor& t, int64_t row, const std::vector<int64_t>& common) {
  auto x = t[row];
  for (size_t d = 0; d < common.size(); ++d) x = x.narrow(static_cast<int64_t>(d), 0, common[d]);
  return x;
}

}  // namespace

TEST_CASE("keyed dropout: an example's mask is the same in any batch, row and padding", "[dropout]") {
  const double p = 0.3;
  const uint64_t key = 12345;
  SECTION("hidden states [rows, len, d]") {
    const auto whole = keyed_dropout_mask({3, 9, 8}, p, key, {40, 7, 13});
    const auto alone = keyed_dropout_mask({1, 5, 8}, p, key, {7});
    const auto moved = keyed_dropout_mask({2, 6, 8}, p, key, {7, 99});
    CHECK(torch::equal(corner(whole, 1, {5, 8}), alone[0]));
    CHECK(torch::equal(corner(moved, 0, {5, 8}), alone[0]));
    CHECK_FALSE(torch::equal(corner(whole, 0, {5, 8}), alone[0]));  // another example: another mask
  }
  SECTION("attention weights [rows, heads, q, kv], odd key lengths") {
    const auto whole = keyed_dropout_mask({2, 2, 7, 11}, p, key, {3, 5});
    const auto alone = keyed_dropout_mask({1, 2, 4, 5}, p, key, {5});
    CHECK(torch::equal(corner(whole, 1, {2, 4, 5}), alone[0]));
  }
  SECTION("another key: another mask") {
    CHECK_FALSE(torch::equal(keyed_dropout_mask({1, 6, 8}, p, key, {7}), keyed_dropout_mask({1, 6, 8}, p, key + 1, {7})));
  }
}

TEST_CASE("keyed dropout: values 0 or 1/(1-p) at the rate p", "[dropout]") {
  const double p = 0.25;
  std::vector<int64_t> ids(64);
  for (size_t i = 0; i < ids.size(); ++i) ids[i] = static_cast<int64_t>(1000 + 3 * i);
  const auto mask = keyed_dropout_mask({64, 4, 31, 17}, p, dropout_key(1, 2, 0), ids);
  const double scale = 1.0 / (1.0 - p);
  const auto zeros = (mask == 0).sum().item<int64_t>();
  const auto kept = (mask == static_cast<float>(scale)).sum().item<int64_t>();
  CHECK(zeros + kept == mask.numel());
  // The fraction dropped: binomial, within 6 standard deviations of p.
  const double n = static_cast<double>(mask.numel());
  CHECK(std::abs(zeros / n - p) <= 6.0 * std::sqrt(p * (1 - p) / n));
}

TEST_CASE("keyed dropout scope: each call its own mask, the same for the same key, backward masks too",
          "[dropout]") {
  auto x = torch::ones({2, 5, 6}, torch::requires_grad());
  torch::Tensor first, second, again;
  {
    KeyedDropoutScope scope(dropout_key(7, 1, 0), {4, 9});
    first = apply_dropout(x, 0.5, true);
    second = apply_dropout(x, 0.5, true);
    CHECK_THROWS(KeyedDropoutScope(1, {1}));  // no nesting
  }
  {
    KeyedDropoutScope scope(dropout_key(7, 1, 0), {4, 9});
    again = apply_dropout(x, 0.5, true);
  }
  CHECK(torch::equal(first, again));
  CHECK_FALSE(torch::equal(first, second));
  first.sum().backward();  // after the scope: the saved mask
  CHECK(torch::equal(x.grad(), first.detach()));
  KeyedDropoutScope rows(1, {1, 2, 3});
  CHECK_THROWS(apply_dropout(x, 0.5, true));  // 2 rows, 3 ids
}

TEST_CASE("keyed dropout: a training-mode Transformer gives an example the same logits alone or in a batch",
          "[dropout]") {
  torch::manual_seed(5);
  const auto options = ModelOptions().vocab_size(23).d_model(16).heads(2).encoder_layers(2).decoder_layers(2)
                           .ffn_dim(32).dropout(0.2).attention_dropout(0.2).max_positions(64);
  Transformer model(options);
  model->train();
  // Row 1 of the batch is example 7: source of 4 tokens, target of 3; the batch pads both.
  auto src = torch::tensor({{5, 6, 7, 8, 9, 10, 11}, {12, 13, 14, 15, 0, 0, 0}}, torch::kLong);
  auto tgt = torch::tensor({{1, 4, 5, 6, 7, 8}, {1, 9, 10, 0, 0, 0}}, torch::kLong);
  torch::Tensor in_batch, alone, other_key;
  {
    KeyedDropoutScope scope(dropout_key(3, 10, 0), {2, 7});
    in_batch = model->forward(src, tgt)[1].narrow(0, 0, 3);
  }
  {
    KeyedDropoutScope scope(dropout_key(3, 10, 0), {7});
    alone = model->forward(src.narrow(0, 1, 1).narrow(1, 0, 4), tgt.narrow(0, 1, 1).narrow(1, 0, 3))[0];
  }
  {
    KeyedDropoutScope scope(dropout_key(3, 11, 0), {7});
    other_key = model->forward(src.narrow(0, 1, 1).narrow(1, 0, 4), tgt.narrow(0, 1, 1).narrow(1, 0, 3))[0];
  }
  const double rtol = tolerance::float_rtol(tolerance::transformer_roundings(options, 7, 6));
  INFO("max |diff| " << tolerance::max_abs_diff(in_batch, alone) << ", bound " << rtol * tolerance::max_abs(alone));
  CHECK(tolerance::max_abs_diff(in_batch, alone) <= rtol * tolerance::max_abs(alone));
  // The masks matter: another update's key changes the logits by far more than rounding.
  CHECK(tolerance::max_abs_diff(other_key, alone) > 100 * rtol * tolerance::max_abs(alone));
}
