// Test tolerances derived from floating-point rounding, not found by trial.
//
// The model (Higham, "Accuracy and Stability of Numerical Algorithms", 2nd ed., 2002):
//  * Every IEEE operation (+ - * /, sqrt, an FMA) returns its exact result times (1 + d),
//    |d| <= u: u = 2^-24 in float32, 2^-53 in double (§2.2). exp, log and tanh (glibc, and
//    SLEEF's u10 kernels that LibTorch vectorizes with) are within 1 ulp, i.e. 2u: they count
//    as kLibmRoundings = 2.
//  * A result reached through a chain of n roundings is within gamma_n = n u / (1 - n u) of
//    the exact value, relative to the magnitude of the terms the chain combined (Lemma 3.1).
//    A dot product of length K: |fl(x.y) - x.y| <= gamma_K sum_i |x_i y_i| in any summation
//    order, blocked or vectorized (§3.1); a matrix product elementwise
//    |fl(AB) - AB| <= gamma_K |A||B| (§3.5).
//  * Two computations of one exact value (another summation order, a batched against a
//    one-row kernel, an incremental against a full pass) each carry their own error, possibly
//    of opposite sign: their difference is within 2 gamma_n. That factor 2 is the only factor
//    applied on top of the count (float_rtol, double_rtol).
//  * A chain of network stages: the errors of successive stages add (first order), and each
//    stage is taken to pass on its input's error relative to the magnitude of its output
//    unamplified (condition number 1). Layer norm divides by the spread it measures, so it
//    keeps the error relative to the output's magnitude; softmax turns an absolute error e in
//    the scores into a relative error <= 2e in the weights, with scores of order 1 in the
//    randomly initialized models of the tests. What this leaves out is covered by the worst
//    case itself: n u assumes every rounding has its maximum size and the same sign; errors of
//    random sign add up to about sqrt(n) u (Higham & Mary, SIAM J. Sci. Comput. 41(5), 2019),
//    so a chain of n = 100 to 2000 roundings leaves a factor 10 to 45 for amplification.
//
// Each bound stays far below what a real bug changes: a masking, caching or reordering error
// moves an output by O(1), and even computing in bfloat16 (u = 2^-8 = 3.9e-3) errs by more
// than the longest chain here allows (about 3000 roundings: 3.6e-4, see transformer_roundings).
#pragma once

#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <cstdint>
#include <stdexcept>
#include <string>

namespace tolerance {

inline constexpr double kFloatUnitRoundoff = 0x1p-24;   // float32: 24-bit significand
inline constexpr double kDoubleUnitRoundoff = 0x1p-53;  // double: 53-bit significand
inline constexpr int64_t kLibmRoundings = 2;            // exp, log, tanh: within 1 ulp = 2u

/// Higham's gamma_n = n u / (1 - n u) (Lemma 3.1), meaningful for n u well below 1. (No
/// REQUIRE here: the tests keep some bounds in namespace-scope constants, set before Catch runs.)
inline double gamma(int64_t n, double u) {
  const double nu = static_cast<double>(n) * u;
  if (!(nu < 0.5)) throw std::domain_error("tolerance::gamma: n u = " + std::to_string(nu) + " is not small");
  return nu / (1.0 - nu);
}

/// Relative error of one float32 result reached through `roundings` roundings, against the
/// exact value.
inline double float_error(int64_t roundings) { return gamma(roundings, kFloatUnitRoundoff); }
/// Relative difference two float32 evaluations of one exact value may show, each through at
/// most `roundings` roundings: 2 gamma_n (both err, possibly in opposite directions).
inline double float_rtol(int64_t roundings) { return 2.0 * float_error(roundings); }
inline double double_error(int64_t roundings) { return gamma(roundings, kDoubleUnitRoundoff); }
inline double double_rtol(int64_t roundings) { return 2.0 * double_error(roundings); }

// ---- roundings of the building blocks, along the longest chain from input to output ------

/// A K-term dot product: K products summed (gamma_K, §3.1).
constexpr int64_t dot_roundings(int64_t k) { return k; }
/// x W^T + b: an `in`-term dot product, then the bias.
constexpr int64_t linear_roundings(int64_t in) { return dot_roundings(in) + 1; }
/// softmax over n entries: subtract the maximum, exp, the n-term sum, divide.
constexpr int64_t softmax_roundings(int64_t n) { return 1 + kLibmRoundings + n + 1; }
/// The sum of one softmax row of n entries, against 1: the weights are divided by the n-term
/// sum of the very exps they hold, so exp's own error cancels; what remains is that sum and
/// the division, then the n-term sum of the weights.
constexpr int64_t softmax_row_sum_roundings(int64_t n) { return n + 1 + n; }
/// log_softmax over n entries: subtract the maximum, exp, the n-term sum, log, subtract.
constexpr int64_t log_softmax_roundings(int64_t n) { return 1 + kLibmRoundings + n + kLibmRoundings + 1; }
/// Layer norm over d features: mean (d-term sum, divide), variance (subtract, square, d-term
/// sum, divide), + eps, rsqrt, then (x - mean) * rstd * gamma + beta (4).
constexpr int64_t layer_norm_roundings(int64_t d) { return (d + 1) + (d + 3) + 1 + kLibmRoundings + 4; }
/// Multi-head attention with kv_len keys: Q/K/V projection, the 1/sqrt(d_head) scaling, the
/// d_head-term scores, the mask bias, softmax over the keys, the kv_len-term weighted sum of
/// the values, the output projection.
constexpr int64_t attention_roundings(int64_t d_model, int64_t heads, int64_t kv_len) {
  return linear_roundings(d_model) + 1 + dot_roundings(d_model / heads) + 1 + softmax_roundings(kv_len) +
         dot_roundings(kv_len) + linear_roundings(d_model);
}
/// The position-wise feed-forward block: d_model -> ffn_dim (ReLU rounds nothing) -> d_model.
constexpr int64_t feed_forward_roundings(int64_t d_model, int64_t ffn_dim) {
  return linear_roundings(d_model) + linear_roundings(ffn_dim);
}

/// Roundings from the token ids to the output logits of a Transformer with `options`
/// (crosstalk::model::ModelOptions) on src_len source and tgt_len target positions. Each
/// sub-layer adds its block, the residual addition and a layer norm; the embedding is scaled
/// and added to the positions (2); pre-norm stacks end in one more layer norm each (counted for
/// both kinds); the output projection is a d_model-term dot product plus a bias. This sums
/// every stage of encoder and decoder, an upper bound on any one chain through them (the
/// decoder reaches the encoder's output through each cross-attention). For the test models
/// (d_model 16 or 32, 2 to 5 layers, up to about 40 positions) it is 1000 to 3000 roundings:
/// float_rtol from 1.2e-4 to 3.6e-4.
template <typename ModelOptions>
constexpr int64_t transformer_roundings(const ModelOptions& options, int64_t src_len, int64_t tgt_len) {
  const int64_t d = options.d_model(), h = options.heads();
  const int64_t norm = layer_norm_roundings(d);
  const int64_t ffn = feed_forward_roundings(d, options.ffn_dim()) + 1 + norm;
  const int64_t encoder_layer = attention_roundings(d, h, src_len) + 1 + norm + ffn;
  const int64_t decoder_layer =
      attention_roundings(d, h, tgt_len) + 1 + norm + attention_roundings(d, h, src_len) + 1 + norm + ffn;
  return 2 + options.encoder_layers() * encoder_layer + norm + 2 + options.decoder_layers() * decoder_layer +
         norm + linear_roundings(d);
}

// ---- checks ------------------------------------------------------------------------------

/// Largest |x - y| elementwise, taken in double so that the subtraction adds no rounding.
inline double max_abs_diff(const torch::Tensor& x, const torch::Tensor& y) {
  return (x.to(torch::kDouble) - y.to(torch::kDouble)).abs().max().item<double>();
}
/// Largest |x| elementwise: the magnitude a normwise bound is relative to.
inline double max_abs(const torch::Tensor& x) { return x.to(torch::kDouble).abs().max().item<double>(); }
/// Largest |x - y| / scale elementwise, for componentwise bounds such as gamma_K |A||B|
/// (scale > 0 wherever x and y may differ).
inline double max_scaled_diff(const torch::Tensor& x, const torch::Tensor& y, const torch::Tensor& scale) {
  return ((x.to(torch::kDouble) - y.to(torch::kDouble)).abs() / scale.to(torch::kDouble)).max().item<double>();
}

/// Approx(expected) within `rtol` of |expected| and nothing else. Catch's Approx otherwise
/// also accepts its default epsilon, 100 FLT_EPSILON = 1.2e-5 relative, whatever margin is set.
inline Approx approx_rel(double expected, double rtol) { return Approx(expected).epsilon(rtol).margin(0.0); }
/// Approx(expected) within `atol` and nothing else (no default relative epsilon).
inline Approx approx_abs(double expected, double atol) { return Approx(expected).epsilon(0.0).margin(atol); }

}  // namespace tolerance
