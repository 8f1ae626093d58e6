#include <catch2/catch.hpp>
#include <torch/torch.h>

#include "crosstalk/model/layers.h"
#include "crosstalk/model/transformer.h"
#include "tolerance.h"

using namespace crosstalk::model;
using tolerance::float_rtol;
using tolerance::max_abs;
using tolerance::max_abs_diff;
using tolerance::transformer_roundings;

namespace {
Transformer tiny_model(bool pre_norm, bool tied) {
  torch::manual_seed(11);
  auto options = ModelOptions().vocab_size(23).d_model(16).heads(4).encoder_layers(2)
                     .decoder_layers(2).ffn_dim(32).dropout(0.1).pre_norm(pre_norm)
                     .tied_embeddings(tied).max_positions(64);
  Transformer model(options);
  model->eval();
  return model;
}
// Right-padded random token batch in [4, vocab) with the given lengths (pad = 0).
torch::Tensor random_tokens(const std::vector<int64_t>& lengths, int64_t vocab) {
  int64_t max_len = *std::max_element(lengths.begin(), lengths.end());
  auto t = torch::zeros({static_cast<int64_t>(lengths.size()), max_len}, torch::kLong);
  for (size_t i = 0; i < lengths.size(); ++i)
    t[i].narrow(0, 0, lengths[i]).copy_(torch::randint(4, vocab, {lengths[i]}, torch::kLong));
  return t;
}
}  // namespace

TEST_CASE("encoder and decoder layers keep [batch, len, d_model]", "[layers]") {
  torch::manual_seed(3);
  for (bool pre : {false, true}) {
    auto opts = TransformerLayerOptions(16, 4, 32).pre_norm(pre);
    EncoderLayer enc(opts);
    DecoderLayer dec(opts);
    auto x = torch::randn({3, 5, 16});
    auto mem = torch::randn({3, 7, 16});
    auto mask = torch::zeros({3, 7}, torch::kBool);
    CHECK(enc(x, torch::zeros({3, 5}, torch::kBool)).sizes() == x.sizes());
    auto o = dec->forward(x, mem, mask, nullptr, true);
    CHECK(o.output.sizes() == x.sizes());
    CHECK(o.weights.sizes() == torch::IntArrayRef({3, 4, 5, 7}));
  }
}

TEST_CASE("transformer: logits shape and full-sequence causality", "[transformer]") {
  for (bool pre : {false, true}) {
    auto model = tiny_model(pre, true);
    torch::NoGradGuard no_grad;
    auto src = random_tokens({6, 4}, 23);
    auto tgt = random_tokens({5, 5}, 23);
    auto logits = model(src, tgt);
    REQUIRE(logits.sizes() == torch::IntArrayRef({2, 5, 23}));
    auto changed = tgt.clone();
    changed[0][3] = (changed[0][3].item<int64_t>() + 1 - 4) % 19 + 4;  // alter a future token
    auto logits2 = model(src, changed);
    // 6 source and 5 target positions through 2 + 2 layers of width 16: 1079 roundings,
    // 1.3e-4 of the largest logit. The altered positions differ by more than that, so the
    // first check would catch a decoder that looks ahead.
    const double bound = float_rtol(transformer_roundings(model->options(), 6, 5)) * max_abs(logits);
    CHECK(max_abs_diff(logits.narrow(1, 0, 3), logits2.narrow(1, 0, 3)) <= bound);
    CHECK(max_abs_diff(logits.narrow(1, 3, 2), logits2.narrow(1, 3, 2)) > bound);
  }
}

TEST_CASE("transformer: source padding changes nothing", "[transformer]") {
  auto model = tiny_model(false, false);
  torch::NoGradGuard no_grad;
  auto src = random_tokens({5}, 23);
  auto tgt = random_tokens({4}, 23);
  auto alone = model(src, tgt);
  auto padded_src = torch::cat({src, torch::zeros({1, 3}, torch::kLong)}, 1);
  auto padded = model(padded_src, tgt);
  // 8 source (3 of them padding, weighing exactly 0) and 4 target positions: 1091 roundings,
  // 1.3e-4 of the largest logit.
  const double bound = float_rtol(transformer_roundings(model->options(), 8, 4)) * max_abs(alone);
  CHECK(max_abs_diff(alone, padded) <= bound);
  // In a batch with a longer sentence, the short one's logits are unchanged.
  auto other = random_tokens({8}, 23);
  auto batch_src = torch::cat({torch::cat({src, torch::zeros({1, 3}, torch::kLong)}, 1), other});
  auto batch_tgt = torch::cat({tgt, random_tokens({4}, 23)});
  auto batched = model(batch_src, batch_tgt);
  CHECK(max_abs_diff(alone[0], batched[0]) <= bound);
}

TEST_CASE("transformer: cached decode_step equals the teacher-forced decoder", "[transformer]") {
  for (bool pre : {false, true}) {
    auto model = tiny_model(pre, pre);
    torch::NoGradGuard no_grad;
    auto src = random_tokens({6, 3}, 23);
    auto tgt = random_tokens({7, 7}, 23);
    auto encoded = model->encode(src);
    auto full = model->decode(tgt, encoded, true);
    auto full_logits = model->project(full.hidden);
    auto cache = model->make_cache();
    // 6 source and 7 target positions: 1087 roundings to the logits, 1.3e-4 of the largest one;
    // the chain to the last cross-attention's weights (<= 1) is shorter.
    const int64_t roundings = transformer_roundings(model->options(), 6, 7);
    const double bound = float_rtol(roundings) * max_abs(full_logits);
    for (int64_t t = 0; t < 7; ++t) {
      auto step = model->decode_step(tgt.select(1, t), encoded, &cache, true);
      CHECK(max_abs_diff(step.logits, full_logits.select(1, t)) <= bound);
      REQUIRE(step.cross_attention.size() == 2);
      CHECK(max_abs_diff(step.cross_attention[1].squeeze(2), full.cross_attention[1].select(2, t)) <=
            float_rtol(roundings));
    }
    CHECK(cache.steps == 7);
    CHECK(cache.layers[0].self.length() == 7);
    CHECK(cache.layers[0].cross.length() == 6);
  }
}

TEST_CASE("transformer: reordering the cache follows the selected rows", "[transformer]") {
  auto model = tiny_model(false, true);
  torch::NoGradGuard no_grad;
  auto src = random_tokens({5, 4, 6}, 23);
  auto tgt = random_tokens({4, 4, 4}, 23);
  auto encoded = model->encode(src);
  auto cache = model->make_cache();
  model->decode_step(tgt.narrow(1, 0, 2), encoded, &cache);
  auto index = torch::tensor({2, 0}, torch::kLong);
  cache.reorder(index);
  auto sub = encoded.index_select(index);
  auto step = model->decode_step(tgt.index_select(0, index).narrow(1, 2, 1), sub, &cache);
  auto ref = model->project(model->decode(tgt.index_select(0, index).narrow(1, 0, 3), sub).hidden);
  // 6 source and 3 target positions: 1071 roundings, 1.3e-4 of the largest logit.
  CHECK(max_abs_diff(step.logits, ref.select(1, 2)) <=
        float_rtol(transformer_roundings(model->options(), 6, 3)) * max_abs(ref));
}

TEST_CASE("transformer: tied embeddings share one matrix", "[transformer]") {
  auto tied = tiny_model(false, true);
  auto untied = tiny_model(false, false);
  auto n = [](Transformer& m) {
    int64_t total = 0;
    for (auto& p : m->parameters()) total += p.numel();
    return total;
  };
  CHECK(n(untied) - n(tied) == 2 * 23 * 16);
  CHECK(tied->named_parameters().contains("embed"));
}
