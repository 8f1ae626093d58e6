#include <catch2/catch.hpp>
#include <torch/torch.h>

#include "crosstalk/model/transformer.h"
#include "crosstalk/train/weight_average.h"
#include "tolerance.h"

using crosstalk::model::ModelOptions;
using crosstalk::model::Transformer;
using crosstalk::train::ema_decay_at;
using crosstalk::train::WeightAverage;

namespace {
Transformer tiny_model(uint64_t seed) {
  torch::manual_seed(seed);
  return Transformer(ModelOptions().vocab_size(20).d_model(8).heads(2).encoder_layers(1).decoder_layers(1).ffn_dim(12)
                         .max_positions(16).tied_embeddings(true),
                     0);
}
}  // namespace

TEST_CASE("ema decay: ramped as (1 + step) / (10 + step) up to the given decay", "[weight_average]") {
  CHECK(ema_decay_at(0.9999, 0) == Approx(0.1).epsilon(0).margin(1e-15));
  CHECK(ema_decay_at(0.9999, 90) == Approx(0.91).epsilon(0).margin(1e-15));
  CHECK(ema_decay_at(0.9999, 990) == Approx(0.991).epsilon(0).margin(1e-15));
  CHECK(ema_decay_at(0.5, 8) == 0.5);  // (1 + 8) / 18 = 0.5: the cap from here on
  CHECK(ema_decay_at(0.5, 1000) == 0.5);
  for (int64_t s = 1; s < 5000; s += 7) CHECK(ema_decay_at(0.999, s) >= ema_decay_at(0.999, s - 1));
}

TEST_CASE("weight average: starts as the weights, then d * average + (1 - d) * weights", "[weight_average]") {
  auto model = tiny_model(3);
  // Building the average's own model draws random initial weights: the global generator
  // must come out where it was, or the run after it would change.
  torch::manual_seed(11);
  const auto expected_draw = torch::rand({4});
  torch::manual_seed(11);
  WeightAverage average(model, 0.9);
  CHECK(torch::equal(torch::rand({4}), expected_draw));
  const auto params = model->parameters(), averaged = average.model()->parameters();
  REQUIRE(params.size() == averaged.size());
  for (size_t i = 0; i < params.size(); ++i) {
    CHECK(torch::equal(params[i], averaged[i]));
    CHECK_FALSE(params[i].is_same(averaged[i]));
  }
  CHECK_FALSE(average.model()->is_training());
  std::vector<torch::Tensor> before;
  for (const auto& p : averaged) before.push_back(p.clone());
  {
    torch::NoGradGuard no_grad;
    for (auto& p : model->parameters()) p.add_(1.0);  // a "training step" moves every weight by 1
  }
  average.update(model, 2);  // d = min(0.9, 3/12) = 0.25
  const double d = ema_decay_at(0.9, 2);
  REQUIRE(d == 0.25);
  for (size_t i = 0; i < params.size(); ++i) {
    const auto expected = before[i] * d + params[i] * (1.0 - d);
    // Two roundings each way: the scaled terms and their sum.
    CHECK(tolerance::max_scaled_diff(averaged[i], expected, expected.abs() + 1e-30) <= tolerance::float_rtol(3));
    // Pulled 3/4 of the way towards the new weights: before + 0.75.
    CHECK(tolerance::max_abs_diff(averaged[i], before[i] + 0.75) <= tolerance::float_rtol(3) * (before[i].abs().max().item<double>() + 1.0));
  }
}

TEST_CASE("weight average: a decay outside (0, 1) is refused", "[weight_average]") {
  auto model = tiny_model(4);
  CHECK_THROWS_WITH(WeightAverage(model, 1.0), Catch::Contains("decay must be in (0, 1)"));
  CHECK_THROWS_WITH(WeightAverage(model, 0.0), Catch::Contains("decay must be in (0, 1)"));
}
