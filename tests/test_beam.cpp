#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <set>

#include "crosstalk/model/transformer.h"
#include "crosstalk/search/decode.h"
#include "tolerance.h"

using namespace crosstalk;

namespace {
const search::SpecialIds kIds{0, 2, 3};

model::Transformer random_model(uint64_t seed) {
  torch::manual_seed(seed);
  model::Transformer m(model::ModelOptions().vocab_size(29).d_model(16).heads(2).encoder_layers(1)
                           .decoder_layers(2).ffn_dim(32).dropout(0.0).max_positions(64));
  m->eval();
  return m;
}

torch::Tensor sources(const std::vector<int64_t>& lengths) {
  const int64_t width = *std::max_element(lengths.begin(), lengths.end()) + 1;
  auto src = torch::zeros({static_cast<int64_t>(lengths.size()), width}, torch::kLong);
  for (size_t i = 0; i < lengths.size(); ++i) {
    src[i].narrow(0, 0, lengths[i]).copy_(torch::randint(4, 29, {lengths[i]}, torch::kLong));
    src[i][lengths[i]] = kIds.eos;
  }
  return src;
}

// Teacher-forced sum of log-probabilities of tokens + EOS for source row `row`, and how far
// two float32 computations of it (this one, a search's) may differ: each position's
// log-probability, logit - logsumexp, comes through the model (transformer_roundings) and
// log_softmax over the vocabulary, its rounding relative to |logsumexp| + max |logit| (the
// difference cancels); then the positions are summed.
struct Forced {
  double log_prob = 0;
  double margin = 0;
};
Forced forced_log_prob(model::Transformer& m, const torch::Tensor& src_row, const std::vector<int64_t>& tokens) {
  torch::NoGradGuard no_grad;
  std::vector<int64_t> in = {kIds.bos};
  in.insert(in.end(), tokens.begin(), tokens.end());
  std::vector<int64_t> out = tokens;
  out.push_back(kIds.eos);
  auto logits = m(src_row.unsqueeze(0), torch::tensor(in, torch::kLong).unsqueeze(0))[0];  // [positions, vocab]
  auto lp = torch::log_softmax(logits, -1).gather(1, torch::tensor(out, torch::kLong).unsqueeze(1));
  const auto positions = static_cast<int64_t>(out.size());
  const int64_t roundings = tolerance::transformer_roundings(m->options(), src_row.size(0), positions) +
                            tolerance::log_softmax_roundings(logits.size(1)) + positions;
  const double magnitude = (torch::logsumexp(logits, 1).abs() + logits.abs().amax(1)).sum().item<double>();
  return {lp.sum().item<double>(), tolerance::float_rtol(roundings) * magnitude};
}
}  // namespace

TEST_CASE("beam size 1 gives exactly the greedy outputs", "[beam]") {
  for (uint64_t seed : {1, 2, 3}) {
    auto m = random_model(seed);
    auto src = sources({3, 7, 5, 1, 9});
    search::DecodeOptions opts;
    opts.max_len_a = 1.0;
    opts.max_len_b = 4;
    auto greedy = search::greedy_search(m, src, opts, kIds);
    opts.beam_size = 1;
    auto beam = search::beam_search(m, src, opts, kIds);
    REQUIRE(beam.size() == greedy.size());
    for (size_t i = 0; i < greedy.size(); ++i) {
      REQUIRE(beam[i].size() == 1);
      CHECK(beam[i][0].tokens == greedy[i].tokens);
      // Rounding through the model and the sum over the output (forced_log_prob's margin).
      CHECK(beam[i][0].log_prob ==
            tolerance::approx_abs(greedy[i].log_prob, forced_log_prob(m, src[i], greedy[i].tokens).margin));
    }
  }
}

TEST_CASE("beam search: n-best lists are sorted, distinct, scored and clean", "[beam]") {
  auto m = random_model(4);
  auto src = sources({4, 6, 2});
  search::DecodeOptions opts;
  opts.beam_size = 5;
  opts.nbest = 5;
  opts.length_penalty = 0.6;
  opts.max_len_b = 6;
  auto lists = search::beam_search(m, src, opts, kIds);
  for (size_t i = 0; i < lists.size(); ++i) {
    const auto& list = lists[i];
    REQUIRE(list.size() == 5);
    std::set<std::vector<int64_t>> seen;
    for (size_t k = 0; k < list.size(); ++k) {
      const auto& h = list[k];
      if (k > 0) CHECK(list[k - 1].score >= h.score);
      CHECK(seen.insert(h.tokens).second);  // distinct
      CHECK_FALSE(h.tokens.empty());
      for (auto t : h.tokens) CHECK((t != kIds.eos && t != kIds.bos && t != kIds.pad));
      CHECK(static_cast<int64_t>(h.tokens.size()) <= search::max_output_length(opts, src[i].ne(0).sum().item<int64_t>() - 1));
      const auto forced = forced_log_prob(m, src[i], h.tokens);
      CHECK(h.log_prob == tolerance::approx_abs(forced.log_prob, forced.margin));
      // The very division the search does, on the same doubles: equal, no tolerance.
      CHECK(h.score == h.log_prob / search::length_penalty(static_cast<int64_t>(h.tokens.size()) + 1, 0.6));
    }
  }
}

TEST_CASE("beam search: batched equals one sentence at a time", "[beam]") {
  auto m = random_model(6);
  auto src = sources({2, 9, 4, 6, 1});
  search::DecodeOptions opts;
  opts.beam_size = 3;
  opts.nbest = 3;
  opts.return_attention = true;
  auto batched = search::beam_search(m, src, opts, kIds);
  for (int64_t i = 0; i < src.size(0); ++i) {
    const int64_t len = src[i].ne(0).sum().item<int64_t>();
    auto alone = search::beam_search(m, src[i].narrow(0, 0, len).unsqueeze(0), opts, kIds);
    REQUIRE(alone[0].size() == batched[i].size());
    for (size_t k = 0; k < alone[0].size(); ++k) {
      CHECK(alone[0][k].tokens == batched[i][k].tokens);
      // score = log_prob / length penalty (>= 1): log_prob's margin (forced_log_prob) bounds it.
      const auto& tokens = batched[i][k].tokens;
      CHECK(alone[0][k].score == tolerance::approx_abs(batched[i][k].score, forced_log_prob(m, src[i], tokens).margin));
      const auto& a = batched[i][k].attention;
      const auto positions = static_cast<int64_t>(tokens.size()) + 1;
      REQUIRE(a.sizes() == torch::IntArrayRef({2, 2, positions, len}));
      // Softmax rows over the `len` source positions.
      CHECK(tolerance::max_abs_diff(a.sum(-1), torch::ones_like(a.sum(-1))) <=
            tolerance::float_error(tolerance::softmax_row_sum_roundings(len)));
      // Weights (<= 1) at the end of a chain shorter than the model's to its logits.
      CHECK(tolerance::max_abs_diff(a, alone[0][k].attention) <=
            tolerance::float_rtol(tolerance::transformer_roundings(m->options(), src.size(1), positions)));
    }
  }
}
