#include <catch2/catch.hpp>

#include "toy_model.h"
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <string>
#include <vector>

#include "crosstalk/model/transformer.h"
#include "crosstalk/search/translator.h"
#include "crosstalk/train/batches.h"
#include "crosstalk/train/validation.h"

namespace ct = crosstalk;

TEST_CASE("a small Transformer overfits 12 toy pairs and then translates them exactly", "[overfit]") {
  ScopedTempDir tmp("overfit");
  const size_t n = 12;
  auto toy = toy_pairs(tmp.path, n);
  auto& vocab = toy.vocab;
  const auto& de = toy.de;
  const auto& en = toy.en;
  const auto& examples = toy.examples;
  REQUIRE(vocab.size() == 48);
  for (size_t i = 0; i < n; ++i) REQUIRE(vocab.decode(examples[i].tgt) == en[i]);  // exact reproduction is possible

  auto options = ct::model::ModelOptions().vocab_size(vocab.size()).d_model(64).heads(2)
                     .encoder_layers(2).decoder_layers(2).ffn_dim(128).dropout(0.0)
                     .tied_embeddings(true).max_positions(64);

  std::vector<size_t> all(n);
  for (size_t i = 0; i < n; ++i) all[i] = i;
  auto everything = ct::train::collate(examples, all, ct::text::kPadId, ct::text::kBosId,
                                       ct::text::kEosId, torch::kCPU);
  // Teacher-forced nll of the whole training set, summed over its target pieces, model in eval mode.
  auto training_set_nll = [&](ct::model::Transformer& model) {
    model->eval();
    torch::NoGradGuard no_grad;
    return ct::train::batch_loss(model, everything, 0.0).nll.item<double>();
  };
  const auto tokens = static_cast<double>(everything.tgt_tokens);

  // Before training the model cannot translate.
  double untrained_nll = 0;
  {
    torch::manual_seed(1234);
    ct::model::Transformer untrained_model(options, ct::text::kPadId);
    untrained_nll = training_set_nll(untrained_model);
    ct::search::Translator untrained(untrained_model, vocab, torch::kCPU);
    CHECK(untrained.translate_text(de, ct::search::DecodeOptions()) != en);
  }

  const auto start = std::chrono::steady_clock::now();
  // 300 steps suffice for every seed tried (1..9, 1234); 400 leave a margin.
  const int steps = 400;
  overfit(&toy, options, steps);
  auto& model = toy.model;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double nll = training_set_nll(model);
  INFO("trained " << steps << " steps in " << seconds << " s; training-set nll " << nll << " over " << tokens
                  << " pieces (" << nll / tokens << " per piece; untrained " << untrained_nll / tokens << ")");
  // Learned: the model gives a training target, given its source, probability above 1/2, more
  // than all other outputs together, so that the target is the most probable translation;
  // on average over the sentences (geometric mean, as the nll sums): a summed nll below
  // n ln 2 (8.3 for the 12 pairs). The untrained model, near uniform over 48 pieces
  // (ln 48 = 3.9 per piece), is far above: the bound tells the two apart.
  const double bound = static_cast<double>(n) * std::log(2.0);
  CHECK(nll < bound);
  CHECK(untrained_nll > bound);

  ct::search::Translator translator(model, vocab, torch::kCPU);
  const auto hyps = translator.translate_text(de, ct::search::DecodeOptions());
  REQUIRE(hyps.size() == n);
  for (size_t i = 0; i < n; ++i) {
    INFO(de[i] << " -> " << hyps[i] << " (expected " << en[i] << ")");
    CHECK(hyps[i] == en[i]);
  }
  // Smaller decoding batches (another grouping by length) give the same translations.
  ct::search::DecodeOptions small_batches;
  small_batches.batch_size = 5;
  CHECK(translator.translate_text(de, small_batches) == hyps);
}
