#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <sstream>

#include "crosstalk/train/adam.h"
#include "tolerance.h"

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

// Steps torch's Adam and FusedAdam side by side on run()'s problem, both fed each step the
// gradient at Adam's parameters, so that only the two updates are compared; returns
// {Adam's parameters, FusedAdam's}. Run apart, each on its own gradients, the weights' few-ulp
// difference feeds back through the gradients (this problem's Hessian) and grows from step to
// step, 20-fold over 25 steps: a property of the problem, which no rounding count bounds.
std::pair<std::vector<torch::Tensor>, std::vector<torch::Tensor>> run_lockstep(
    int steps, const torch::optim::AdamOptions& options) {
  torch::manual_seed(5);
  auto w = torch::randn({300, 70}, torch::requires_grad());
  auto b = torch::randn({70}, torch::requires_grad());
  auto x = torch::randn({16, 300});
  auto fused_w = w.detach().clone().requires_grad_(), fused_b = b.detach().clone().requires_grad_();
  torch::optim::Adam adam(std::vector<torch::Tensor>{w, b}, options);
  FusedAdam fused(std::vector<torch::Tensor>{fused_w, fused_b}, options);
  for (int i = 0; i < steps; ++i) {
    adam.zero_grad();
    auto loss = (torch::tanh(torch::matmul(x, w) + b) - 0.3).pow(2).sum();
    loss.backward();
    fused_w.mutable_grad() = w.grad().clone();
    fused_b.mutable_grad() = b.grad().clone();
    adam.step();
    fused.step();
  }
  return {{w.detach().clone(), b.detach().clone()}, {fused_w.detach().clone(), fused_b.detach().clone()}};
}

// Largest |m_hat| / sqrt(v_hat) over the first `steps` Adam steps, whatever the gradients, so
// that no step moves a parameter by more than lr times this (eps only shortens a step). By
// Cauchy-Schwarz |m_t| = (1 - b1) |sum_k b1^(t-k) g_k| <= (1 - b1) / sqrt(1 - b2) *
// sqrt(sum_{j<t} (b1^2 / b2)^j) * sqrt(v_t), and m_hat = m_t / (1 - b1^t),
// v_hat = v_t / (1 - b2^t). It is 1 at step 1 (a step of exactly lr), 1.15 and 1.01 for the
// betas and step counts used here.
double adam_step_bound(const torch::optim::AdamOptions& options, int steps) {
  const double b1 = std::get<0>(options.betas()), b2 = std::get<1>(options.betas());
  double series = 0, worst = 0;
  for (int t = 1; t <= steps; ++t) {
    series += std::pow(b1 * b1 / b2, t - 1);
    worst = std::max(worst, (1 - b1) / std::sqrt(1 - b2) * std::sqrt(series) * std::sqrt(1 - std::pow(b2, t)) /
                                (1 - std::pow(b1, t)));
  }
  return worst;
}

// Roundings in the gradient run() computes each step: x w + b (300 products and the bias),
// tanh, the loss derivative 2 (y - 0.3) (1 - y^2) (5), and the 16-row sum for dL/dw. Two runs
// whose weights differ by a few ulps get gradients that differ as two float evaluations of one
// gradient do; that holds over the first steps, before the feedback above has grown (through
// step 5 the gradients differ by at most 110 u relative, within these 324).
constexpr int64_t kGradientRoundings =
    tolerance::linear_roundings(300) + tolerance::kLibmRoundings + 5 + tolerance::dot_roundings(16);

// How far two float32 runs of `steps` Adam steps may drift apart, as allclose's (rtol, atol):
//  * rtol: each step rounds the parameter once (p - step), relative to |p|: `steps` roundings.
//  * atol: each step's size, at most lr * adam_step_bound, carries the relative error of the
//    gradient (gradient_roundings: 0 when both are fed the same gradient) and of the moments,
//    which accumulate 3 roundings per step in m (beta1 m + (1 - beta1) g) and 4 in v, halved
//    by the sqrt, then sqrt, / sqrt(1 - beta2^t), + eps, * step size and the division (5): at
//    step t, gradient_roundings + 5t + 5 roundings; summed over the steps.
std::pair<double, double> adam_tolerance(const torch::optim::AdamOptions& options, int steps,
                                         int64_t gradient_roundings) {
  int64_t update_roundings = 0;
  for (int t = 1; t <= steps; ++t) update_roundings += gradient_roundings + 5 * t + 5;
  return {tolerance::float_rtol(steps),
          tolerance::float_rtol(update_roundings) * options.lr() * adam_step_bound(options, steps)};
}
}  // namespace

TEST_CASE("FusedAdam follows torch::optim::Adam step for step", "[adam]") {
  auto options = torch::optim::AdamOptions(3e-3).betas({0.9, 0.98}).eps(1e-9);
  auto [ref, fused] = run_lockstep(25, options);
  // 25 steps of float rounding on the same gradients (adam_tolerance): rtol 3.0e-6,
  // atol 7.2e-7 (lr 3e-3).
  const auto [rtol, atol] = adam_tolerance(options, 25, 0);
  for (size_t i = 0; i < ref.size(); ++i) {
    INFO("parameter " << i << " max difference " << tolerance::max_abs_diff(ref[i], fused[i]) << ", rtol "
                      << rtol << ", atol " << atol);
    CHECK(torch::allclose(ref[i], fused[i], rtol, atol));
  }
  // The parameters really moved, further than the tolerance: a FusedAdam that did nothing
  // would fail the comparison above.
  auto start = run_lockstep(0, options).second;
  for (size_t i = 0; i < ref.size(); ++i) CHECK_FALSE(torch::allclose(start[i], fused[i], rtol, atol));
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
  // m = (1 - beta1) * 1 in float: beta1 = 0.9 is stored rounded (u * 0.9), which
  // 1 - beta1 = 0.1 amplifies 9 times relative to the result; the product rounds once; the
  // expected 0.1 is rounded too: 9 + 1 + 1 roundings against each other (6.6e-7).
  const double rtol = tolerance::float_error(9 + 1 + 1);
  CHECK(torch::allclose(state.exp_avg(), 0.1 * torch::ones({50}), rtol, 0.0));
}

TEST_CASE("FusedAdam falls back to Adam where it cannot fuse", "[adam]") {
  auto options = torch::optim::AdamOptions(3e-3).weight_decay(0.01);
  auto ref = run<torch::optim::Adam>(5, options);
  auto fused = run<FusedAdam>(5, options);
  // Both take Adam::step, each on its own gradients: 5 steps of float rounding
  // (adam_tolerance) with the gradients' (kGradientRoundings, and the weight decay's
  // g + wd * p: 2): rtol 6.0e-7, atol 6.3e-7.
  const auto [rtol, atol] = adam_tolerance(options, 5, kGradientRoundings + 2);
  for (size_t i = 0; i < ref.size(); ++i) {
    INFO("parameter " << i << " max difference " << tolerance::max_abs_diff(ref[i], fused[i]));
    CHECK(torch::allclose(ref[i], fused[i], rtol, atol));
  }
}
