#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <sstream>

#include "crosstalk/train/adam.h"

using crosstalk::train::FusedAdam;

namespace {
// Runs `steps` updates of `Opt` on a fixed quadratic-ish problem; returns the parameters.
template <typename Opt>
std::vector<torch::Tensor> run(int steps, const torch::optim::AdamOptions& options) {
  torch::manual_seed(5);
  auto w = torch::randn({300, 70}, torch::requires_grad());
  auto b = torch::randn({70}, torch::requires_grad());
  auto x = torch::randn({16, 300});
  Opt opt(std::vector<torch::Tensor>{w, b}, options);
  for (int i = 0; i < steps; ++i) {
    opt.zero_grad();
    auto loss = (torch::tanh(torch::matmul(x, w) + b) - 0.3).pow(2).sum();
    loss.backward();
    opt.step();
  }
  return {w.detach().clone(), b.detach().clone()};
}
}  // namespace

TEST_CASE("FusedAdam follows torch::optim::Adam step for step", "[adam]") {
  auto options = torch::optim::AdamOptions(3e-3).betas({0.9, 0.98}).eps(1e-9);
  auto ref = run<torch::optim::Adam>(25, options);
  auto fused = run<FusedAdam>(25, options);
  for (size_t i = 0; i < ref.size(); ++i) {
    INFO("parameter " << i << " max difference " << (ref[i] - fused[i]).abs().max().item<float>());
    CHECK(torch::allclose(ref[i], fused[i], 1e-5, 2e-5));  // float rounding over 25 steps
  }
  // The parameters really moved (the comparison is not between two no-ops).
  auto start = run<FusedAdam>(0, options);
  CHECK((start[0] - fused[0]).abs().max().item<float>() > 1e-3f);
}

TEST_CASE("FusedAdam state saves and loads like Adam's", "[adam]") {
  auto w = torch::randn({50}, torch::requires_grad());
  FusedAdam opt(std::vector<torch::Tensor>{w}, torch::optim::AdamOptions(1e-2));
  w.sum().backward();
  opt.step();
  std::stringstream buffer;
  torch::save(opt, buffer);
  torch::optim::Adam plain(std::vector<torch::Tensor>{w}, torch::optim::AdamOptions(1e-2));
  torch::load(plain, buffer);
  const auto& state = static_cast<torch::optim::AdamParamState&>(*plain.state().begin()->second);
  CHECK(state.step() == 1);
  CHECK(torch::allclose(state.exp_avg(), 0.1 * torch::ones({50})));
}

TEST_CASE("FusedAdam falls back to Adam where it cannot fuse", "[adam]") {
  auto options = torch::optim::AdamOptions(3e-3).weight_decay(0.01);
  auto ref = run<torch::optim::Adam>(5, options);
  auto fused = run<FusedAdam>(5, options);
  for (size_t i = 0; i < ref.size(); ++i) CHECK(torch::allclose(ref[i], fused[i], 1e-5, 1e-6));
}
