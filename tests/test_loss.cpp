#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <vector>

#include "crosstalk/model/transformer.h"
#include "crosstalk/text/vocab.h"
#include "crosstalk/train/batches.h"
#include "crosstalk/train/loss.h"
#include "crosstalk/train/validation.h"
#include "tolerance.h"

using crosstalk::train::label_smoothed_cross_entropy;

namespace {

/// Reference: per token (1 - eps) * (-log p[target]) + eps / V * sum_v (-log p[v]), summed.
torch::Tensor reference_loss(const torch::Tensor& logits, const torch::Tensor& target, double eps) {
  auto logp = torch::log_softmax(logits, -1);
  auto nll = -logp.gather(1, target.unsqueeze(1)).squeeze(1);
  auto uniform = -logp.sum(-1);
  return ((1.0 - eps) * nll + (eps / static_cast<double>(logits.size(1))) * uniform).sum();
}

torch::Tensor reference_nll(const torch::Tensor& logits, const torch::Tensor& target) {
  return -torch::log_softmax(logits, -1).gather(1, target.unsqueeze(1)).sum();
}

// How far two float32 evaluations of a summed (label-smoothed) cross-entropy over `logits`
// [tokens, V] may differ. Each token's term is a difference, logsumexp - logit (and
// V logsumexp - sum of the logits): its rounding is relative to |logsumexp| + max |logit|, not
// to the difference, which cancels. The longer chain is the reference's: log_softmax over V,
// the V-term sum of the log-probabilities, (1 - eps) nll + eps / V smooth (3), the sum over
// the tokens; `upstream` roundings that computed the logits come first.
double loss_margin(const torch::Tensor& logits, int64_t upstream = 0) {
  const int64_t tokens = logits.size(0), vocab = logits.size(1);
  const double magnitude = (torch::logsumexp(logits, 1).abs() + logits.abs().amax(1)).sum().item<double>();
  return tolerance::float_rtol(upstream + tolerance::log_softmax_roundings(vocab) + vocab + 3 + tokens) * magnitude;
}

}  // namespace

TEST_CASE("label-smoothed cross-entropy equals the formula from log_softmax", "[loss]") {
  torch::manual_seed(1);
  auto logits = torch::randn({9, 13}) * 3;
  auto target = torch::randint(0, 13, {9}, torch::kLong);
  // 9 tokens over 13 classes: 44 roundings (loss_margin).
  const double margin = loss_margin(logits);
  for (double eps : {0.1, 0.3}) {
    auto out = label_smoothed_cross_entropy(logits, target, eps);
    CHECK(out.tokens == 9);
    CHECK(out.loss.dim() == 0);
    CHECK(out.loss.item<double>() == tolerance::approx_abs(reference_loss(logits, target, eps).item<double>(), margin));
    CHECK(out.nll.item<double>() == tolerance::approx_abs(reference_nll(logits, target).item<double>(), margin));
    // Smoothing changes the loss by more than rounding can: it is not the nll.
    CHECK(std::abs(out.loss.item<double>() - out.nll.item<double>()) > margin);
    // Same as torch's own cross-entropy with label smoothing, summed.
    auto torch_ce = torch::nn::functional::cross_entropy(
        logits, target,
        torch::nn::functional::CrossEntropyFuncOptions().label_smoothing(eps).reduction(torch::kSum));
    CHECK(out.loss.item<double>() == tolerance::approx_abs(torch_ce.item<double>(), margin));
  }
}

TEST_CASE("label-smoothed cross-entropy with eps 0 is the nll", "[loss]") {
  torch::manual_seed(2);
  auto logits = torch::randn({6, 10});
  auto target = torch::randint(0, 10, {6}, torch::kLong);
  auto out = label_smoothed_cross_entropy(logits, target, 0.0);
  const double nll = reference_nll(logits, target).item<double>();
  // 6 tokens over 10 classes: 35 roundings (loss_margin).
  CHECK(out.loss.item<double>() == tolerance::approx_abs(nll, loss_margin(logits)));
  CHECK(out.nll.item<double>() == tolerance::approx_abs(nll, loss_margin(logits)));
  // The nll does not carry a gradient.
  auto x = logits.clone().requires_grad_(true);
  auto o = label_smoothed_cross_entropy(x, target, 0.1);
  CHECK(o.loss.requires_grad());
  CHECK_FALSE(o.nll.requires_grad());
}

TEST_CASE("label-smoothed cross-entropy: gradient matches autograd of the reference", "[loss]") {
  torch::manual_seed(3);
  auto base = torch::randn({8, 11}, torch::kDouble) * 2;
  auto target = torch::randint(0, 11, {8}, torch::kLong);
  // Double precision; every gradient entry is a probability minus a target weight, within
  // [-1, 1], so the bound is absolute. The longest chain: logsumexp (log_softmax's 17
  // roundings over 11 classes), exp (2), the 11-term sum of the upstream gradient, the
  // product and the subtraction (2): 32. exp turns the absolute error of its argument
  // x - logsumexp into a relative one; that error is relative to |x| + |logsumexp|
  // <= 2 max |x| + ln 11, which multiplies the bound (about 12 for these logits: near 1e-13).
  const double exp_argument = 2 * base.abs().max().item<double>() + std::log(11.0);
  const double bound = tolerance::double_rtol(tolerance::log_softmax_roundings(11) + 2 + 11 + 2) * exp_argument;
  for (double eps : {0.0, 0.1, 0.5}) {
    auto a = base.clone().requires_grad_(true);
    auto b = base.clone().requires_grad_(true);
    label_smoothed_cross_entropy(a, target, eps).loss.backward();
    reference_loss(b, target, eps).backward();
    REQUIRE(a.grad().defined());
    CHECK(tolerance::max_abs_diff(a.grad(), b.grad()) <= bound);
    // Analytic form: softmax - ((1 - eps) * onehot + eps / V).
    auto expected = torch::softmax(base, -1) -
                    (1 - eps) * torch::one_hot(target, 11).to(torch::kDouble) - eps / 11.0;
    CHECK(tolerance::max_abs_diff(a.grad(), expected) <= bound);
  }
}

TEST_CASE("batch_loss equals the loss on full padded logits with padding excluded", "[loss]") {
  namespace ct = crosstalk;
  torch::manual_seed(4);
  auto options = ct::model::ModelOptions().vocab_size(29).d_model(16).heads(2).encoder_layers(2)
                     .decoder_layers(2).ffn_dim(32).dropout(0.1).max_positions(64);
  ct::model::Transformer model(options, ct::text::kPadId);
  model->eval();  // no dropout: both computations see the same network
  std::vector<ct::train::Example> examples = {
      {{5, 6, 7, 8, 9, 10}, {11, 12}},
      {{13, 14}, {15, 16, 17, 18, 19, 20, 21}},
      {{22}, {23, 24, 25, 26}},
      {{27, 28, 5}, {6}},
  };
  auto batch = ct::train::collate(examples, {0, 1, 2, 3}, ct::text::kPadId, ct::text::kBosId,
                                  ct::text::kEosId, torch::kCPU);
  REQUIRE(batch.tgt_out.eq(ct::text::kPadId).any().item<bool>());  // there is padding to exclude

  for (double eps : {0.0, 0.1}) {
    torch::NoGradGuard no_grad;
    auto out = ct::train::batch_loss(model, batch, eps);
    CHECK(out.tokens == batch.tgt_tokens);
    CHECK(out.tokens == 3 + 8 + 5 + 2);

    auto logits = model->forward(batch.src, batch.tgt_in);  // [batch, tgt_len, vocab]
    const int64_t V = logits.size(-1);
    auto logp = torch::log_softmax(logits, -1);
    auto target = batch.tgt_out;
    auto mask = target.ne(ct::text::kPadId).to(torch::kFloat);
    auto nll = -logp.gather(2, target.unsqueeze(2)).squeeze(2);
    auto smooth = -logp.sum(-1);
    auto ref_loss = (((1 - eps) * nll + eps / V * smooth) * mask).sum();
    auto ref_nll = (nll * mask).sum();
    // The logits of the 18 real tokens come from 7 source and 8 target positions through the
    // model (transformer_roundings), then the loss's own chain over 29 classes (loss_margin):
    // 1208 roundings in all.
    auto real = logits.reshape({-1, V}).index_select(0, mask.reshape({-1}).nonzero().squeeze(1));
    REQUIRE(real.size(0) == 18);
    const double margin =
        loss_margin(real, tolerance::transformer_roundings(options, batch.src.size(1), batch.tgt_in.size(1)));
    CHECK(out.loss.item<double>() == tolerance::approx_abs(ref_loss.item<double>(), margin));
    CHECK(out.nll.item<double>() == tolerance::approx_abs(ref_nll.item<double>(), margin));
    // Including padding positions changes the sum by more than rounding can: the check can tell.
    CHECK((nll.sum() - ref_nll).item<double>() > margin);
  }

  // Gradients flow through batch_loss (training uses it).
  model->train();
  auto out = ct::train::batch_loss(model, batch, 0.1);
  out.loss.backward();
  double grad_norm = 0;
  for (auto& p : model->parameters())
    if (p.grad().defined()) grad_norm += p.grad().norm().item<double>();
  CHECK(grad_norm > 0);
}
