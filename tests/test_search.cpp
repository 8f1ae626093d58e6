#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <vector>

#include "crosstalk/model/transformer.h"
#include "crosstalk/search/decode.h"
#include "tolerance.h"

using crosstalk::model::ModelOptions;
using crosstalk::model::Transformer;
using namespace crosstalk::search;

namespace {

constexpr int64_t kVocab = 24;
const SpecialIds kIds{0, 2, 3};

/// A tiny random model in eval mode. `eos_bias` is added to the EOS logit so that
/// some sentences end on their own before the length limit.
Transformer tiny_model(uint64_t seed, double eos_bias) {
  torch::manual_seed(seed);
  auto options = ModelOptions().vocab_size(kVocab).d_model(16).heads(2).encoder_layers(2)
                     .decoder_layers(2).ffn_dim(32).dropout(0.1).tied_embeddings(true)
                     .max_positions(64);
  Transformer model(options, kIds.pad);
  model->eval();
  torch::NoGradGuard no_grad;
  model->named_parameters()["output_bias"][kIds.eos] = eos_bias;
  return model;
}

/// Source rows: random pieces in [4, vocab) of the given lengths, then EOS, right-padded.
torch::Tensor sources(const std::vector<int64_t>& lengths, uint64_t seed) {
  torch::manual_seed(seed);
  const int64_t width = *std::max_element(lengths.begin(), lengths.end()) + 1;
  auto src = torch::full({static_cast<int64_t>(lengths.size()), width}, kIds.pad, torch::kLong);
  for (size_t i = 0; i < lengths.size(); ++i) {
    src[i].narrow(0, 0, lengths[i]).copy_(torch::randint(4, kVocab, {lengths[i]}, torch::kLong));
    src[i][lengths[i]] = kIds.eos;
  }
  return src;
}

/// Teacher-forced log-probability of tokens + EOS given the source row, and how far two float32
/// computations of it (this one, a search's) may differ.
struct ForcedScore {
  double log_prob = 0;
  double margin = 0;
};

/// The margin: each position's log-probability, logit - logsumexp, comes through the model
/// (transformer_roundings) and log_softmax over the vocabulary, and its rounding is relative to
/// |logsumexp| + max |logit| (the difference cancels); the positions are then summed.
ForcedScore teacher_forced(Transformer& model, const torch::Tensor& src_row, const std::vector<int64_t>& tokens) {
  torch::NoGradGuard no_grad;
  std::vector<int64_t> in = {kIds.bos};
  in.insert(in.end(), tokens.begin(), tokens.end());
  std::vector<int64_t> out = tokens;
  out.push_back(kIds.eos);
  auto tgt_in = torch::tensor(in, torch::kLong).unsqueeze(0);
  auto logits = model->forward(src_row.unsqueeze(0), tgt_in)[0];  // [positions, vocab]
  auto logp = torch::log_softmax(logits, -1);
  const auto positions = static_cast<int64_t>(out.size());
  const int64_t roundings = tolerance::transformer_roundings(model->options(), src_row.size(0), positions) +
                            tolerance::log_softmax_roundings(kVocab) + positions;
  const double magnitude = (torch::logsumexp(logits, 1).abs() + logits.abs().amax(1)).sum().item<double>();
  return {logp.gather(1, torch::tensor(out, torch::kLong).unsqueeze(1)).sum().item<double>(),
          tolerance::float_rtol(roundings) * magnitude};
}

const std::vector<int64_t> kLengths = {5, 1, 9, 3, 7, 2, 6};

}  // namespace

TEST_CASE("max_output_length: a * source + b, at least 1", "[search]") {
  DecodeOptions o;
  o.max_len_a = 1.2;
  o.max_len_b = 10;
  CHECK(max_output_length(o, 5) == 16);
  CHECK(max_output_length(o, 7) == 18);  // floor(8.4) + 10
  o.max_len_a = 0.5;
  o.max_len_b = 0;
  CHECK(max_output_length(o, 1) == 1);
  CHECK(max_output_length(o, 9) == 4);
}

TEST_CASE("greedy search: no special ids, non-empty, within the length limit", "[search]") {
  for (double eos_bias : {0.0, 2.0, 4.0}) {
    auto model = tiny_model(1, eos_bias);
    auto src = sources(kLengths, 2);
    const std::vector<std::pair<double, int64_t>> limits = {{1.2, 10}, {0.5, 1}, {0.0, 3}};
    for (auto [a, b] : limits) {
      INFO("eos_bias " << eos_bias << ", max_len_a " << a << ", max_len_b " << b);
      DecodeOptions options;
      options.max_len_a = a;
      options.max_len_b = b;
      auto hyps = greedy_search(model, src, options, kIds);
      REQUIRE(hyps.size() == kLengths.size());
      for (size_t i = 0; i < hyps.size(); ++i) {
        const auto& t = hyps[i].tokens;
        CHECK_FALSE(t.empty());
        CHECK(static_cast<int64_t>(t.size()) <= max_output_length(options, kLengths[i]));
        for (int64_t id : t) {
          CHECK(id != kIds.eos);
          CHECK(id != kIds.bos);
          CHECK(id != kIds.pad);
          CHECK(id >= 0);
          CHECK(id < kVocab);
        }
        CHECK(hyps[i].score < 0);
        CHECK_FALSE(hyps[i].attention.defined());
      }
    }
  }
}

TEST_CASE("greedy search: the test models cover both ways of ending", "[search]") {
  // Guards the other tests: with the EOS bias some outputs stop on their own,
  // without it the length limit ends them.
  auto src = sources(kLengths, 2);
  DecodeOptions options;
  auto count_at_limit = [&](Transformer& model) {
    int at_limit = 0;
    auto hyps = greedy_search(model, src, options, kIds);
    for (size_t i = 0; i < hyps.size(); ++i)
      at_limit += static_cast<int64_t>(hyps[i].tokens.size()) == max_output_length(options, kLengths[i]);
    return at_limit;
  };
  auto plain = tiny_model(1, 0.0);
  auto eager = tiny_model(1, 4.0);
  CHECK(count_at_limit(plain) > 0);
  const int eager_at_limit = count_at_limit(eager);
  CHECK(eager_at_limit < static_cast<int>(kLengths.size()));
}

TEST_CASE("greedy search never emits PAD or BOS, even when the model prefers them", "[search]") {
  // A trained model gives PAD and BOS some probability (label smoothing spreads mass over
  // the whole vocabulary); the search must never pick them. Here they are made the argmax.
  for (int64_t favourite : {kIds.pad, kIds.bos}) {
    INFO("favoured id " << favourite);
    auto model = tiny_model(1, 0.0);
    {
      torch::NoGradGuard no_grad;
      model->named_parameters()["output_bias"][favourite] = 30.0;
    }
    auto src = sources(kLengths, 2);
    auto hyps = greedy_search(model, src, DecodeOptions(), kIds);
    for (const auto& h : hyps) {
      CHECK_FALSE(h.tokens.empty());
      CHECK(std::count(h.tokens.begin(), h.tokens.end(), kIds.pad) == 0);
      CHECK(std::count(h.tokens.begin(), h.tokens.end(), kIds.bos) == 0);
    }
  }
}

TEST_CASE("greedy search: batched equals one sentence at a time", "[search]") {
  for (double eos_bias : {0.0, 3.0}) {
    INFO("eos_bias " << eos_bias);
    auto model = tiny_model(5, eos_bias);
    auto src = sources(kLengths, 6);
    DecodeOptions options;
    auto batched = greedy_search(model, src, options, kIds);
    std::vector<size_t> lengths_seen;
    for (size_t i = 0; i < kLengths.size(); ++i) {
      auto alone = greedy_search(model, src[i].narrow(0, 0, kLengths[i] + 1).unsqueeze(0), options, kIds);
      REQUIRE(alone.size() == 1);
      CHECK(alone[0].tokens == batched[i].tokens);
      // Rounding through the model and the sum over the output (teacher_forced's margin).
      const double margin = teacher_forced(model, src[i], batched[i].tokens).margin;
      CHECK(alone[0].score == tolerance::approx_abs(batched[i].score, margin));
      lengths_seen.push_back(batched[i].tokens.size());
    }
    // The comparison is only meaningful if rows leave the batch at different steps.
    std::sort(lengths_seen.begin(), lengths_seen.end());
    CHECK(std::unique(lengths_seen.begin(), lengths_seen.end()) - lengths_seen.begin() > 1);
  }
}

TEST_CASE("greedy search: score is the teacher-forced log-probability incl. EOS", "[search]") {
  for (double eos_bias : {0.0, 3.0}) {
    INFO("eos_bias " << eos_bias);
    auto model = tiny_model(7, eos_bias);
    auto src = sources(kLengths, 8);
    auto hyps = greedy_search(model, src, DecodeOptions(), kIds);
    for (size_t i = 0; i < hyps.size(); ++i) {
      // The padded row and the unpadded one must give the same teacher-forced score, up to
      // rounding through the model and the sum over the output (teacher_forced's margin).
      const auto tf = teacher_forced(model, src[i], hyps[i].tokens);
      const auto tf_alone = teacher_forced(model, src[i].narrow(0, 0, kLengths[i] + 1), hyps[i].tokens);
      CHECK(hyps[i].score == tolerance::approx_abs(tf.log_prob, tf.margin));
      CHECK(hyps[i].score == tolerance::approx_abs(tf_alone.log_prob, tf_alone.margin));
    }
  }
}

TEST_CASE("greedy search: each output token is the teacher-forced argmax", "[search]") {
  auto model = tiny_model(9, 2.0);
  auto src = sources(kLengths, 10);
  auto hyps = greedy_search(model, src, DecodeOptions(), kIds);
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < hyps.size(); ++i) {
    std::vector<int64_t> in = {kIds.bos};
    in.insert(in.end(), hyps[i].tokens.begin(), hyps[i].tokens.end());
    auto logits = model->forward(src[i].unsqueeze(0), torch::tensor(in, torch::kLong).unsqueeze(0))[0];
    logits[0][kIds.eos] = -1e9;  // the first step may not end the sentence
    auto argmax = logits.argmax(-1);
    for (size_t t = 0; t < hyps[i].tokens.size(); ++t)
      CHECK(argmax[static_cast<int64_t>(t)].item<int64_t>() == hyps[i].tokens[t]);
  }
}

TEST_CASE("greedy search: attention is [layers, heads, tokens + 1, src_len], rows sum to 1", "[search]") {
  auto model = tiny_model(3, 2.0);
  auto src = sources(kLengths, 4);
  DecodeOptions options;
  auto plain = greedy_search(model, src, options, kIds);
  options.return_attention = true;
  auto hyps = greedy_search(model, src, options, kIds);
  for (size_t i = 0; i < hyps.size(); ++i) {
    CHECK(hyps[i].tokens == plain[i].tokens);
    // Rounding through the model and the sum over the output (teacher_forced's margin).
    CHECK(hyps[i].score == tolerance::approx_abs(plain[i].score, teacher_forced(model, src[i], plain[i].tokens).margin));
    const auto& a = hyps[i].attention;
    REQUIRE(a.defined());
    const auto n = static_cast<int64_t>(hyps[i].tokens.size());
    CHECK(a.sizes() == torch::IntArrayRef({2, 2, n + 1, kLengths[i] + 1}));
    // Softmax rows over the kLengths[i] + 1 source positions.
    CHECK(tolerance::max_abs_diff(a.sum(-1), torch::ones({2, 2, n + 1})) <=
          tolerance::float_error(tolerance::softmax_row_sum_roundings(kLengths[i] + 1)));
    CHECK(a.min().item<float>() >= 0);
  }
  // The attention is the decoder's cross-attention of the teacher-forced output.
  torch::NoGradGuard no_grad;
  const size_t i = 2;
  std::vector<int64_t> in = {kIds.bos};
  in.insert(in.end(), hyps[i].tokens.begin(), hyps[i].tokens.end());
  auto row = src[i].narrow(0, 0, kLengths[i] + 1).unsqueeze(0);
  auto decoded = model->decode(torch::tensor(in, torch::kLong).unsqueeze(0), model->encode(row), true);
  REQUIRE(decoded.cross_attention.size() == 2);
  // Weights (<= 1) at the end of a chain shorter than the model's to its logits.
  const double bound = tolerance::float_rtol(
      tolerance::transformer_roundings(model->options(), row.size(1), static_cast<int64_t>(in.size())));
  for (int64_t layer = 0; layer < 2; ++layer)
    CHECK(tolerance::max_abs_diff(hyps[i].attention[layer], decoded.cross_attention[layer][0]) <= bound);
}

TEST_CASE("greedy search: the position table caps the output length", "[search]") {
  torch::manual_seed(12);
  auto options = ModelOptions().vocab_size(kVocab).d_model(16).heads(2).encoder_layers(1)
                     .decoder_layers(1).ffn_dim(32).max_positions(12);
  Transformer model(options, kIds.pad);
  model->eval();
  auto src = sources({4, 8}, 13);
  DecodeOptions decode;
  decode.max_len_b = 100;
  std::vector<Hypothesis> hyps;
  REQUIRE_NOTHROW(hyps = greedy_search(model, src, decode, kIds));
  for (const auto& h : hyps) CHECK(static_cast<int64_t>(h.tokens.size()) < 12);
}
