#include <catch2/catch.hpp>

#include "temp_dir.h"
#include <torch/torch.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "crosstalk/model/transformer.h"
#include "crosstalk/search/translator.h"
#include "crosstalk/text/corpus.h"
#include "crosstalk/text/vocab.h"
#include "crosstalk/train/batches.h"
#include "crosstalk/train/schedule.h"
#include "crosstalk/train/validation.h"

namespace fs = std::filesystem;
namespace ct = crosstalk;

TEST_CASE("a small Transformer overfits 12 toy pairs and then translates them exactly", "[overfit]") {
  const std::string toy = std::string(CROSSTALK_SOURCE_DIR) + "/data/toy/";
  ScopedTempDir tmp("overfit");
  ct::text::VocabTrainOptions vopts;
  vopts.vocab_size = 48;
  auto vocab = ct::text::Vocab::train({toy + "train.de", toy + "train.en"},
                                      (tmp.path / "spm").string(), vopts);
  REQUIRE(vocab.size() == 48);

  auto de = ct::text::read_lines(toy + "train.de");
  auto en = ct::text::read_lines(toy + "train.en");
  const size_t n = 12;
  REQUIRE(de.size() >= n);
  de.resize(n);
  en.resize(n);
  std::vector<ct::train::Example> examples;
  for (size_t i = 0; i < n; ++i) {
    examples.push_back({vocab.encode(de[i]), vocab.encode(en[i])});
    REQUIRE(vocab.decode(examples.back().tgt) == en[i]);  // exact reproduction is possible
  }

  torch::manual_seed(1234);
  auto options = ct::model::ModelOptions().vocab_size(vocab.size()).d_model(64).heads(2)
                     .encoder_layers(2).decoder_layers(2).ffn_dim(128).dropout(0.0)
                     .tied_embeddings(true).max_positions(64);
  ct::model::Transformer model(options, ct::text::kPadId);
  model->train();
  torch::optim::Adam adam(model->parameters(), torch::optim::AdamOptions(3e-3).betas({0.9, 0.98}));

  // Before training the model cannot translate.
  {
    ct::search::Translator untrained(model, vocab, torch::kCPU);
    CHECK(untrained.translate_text(de, ct::search::DecodeOptions()) != en);
    model->train();
  }

  const auto start = std::chrono::steady_clock::now();
  std::mt19937_64 rng(99);
  // 300 steps suffice for every seed tried (1..9, 1234); 400 leave a margin.
  const int steps = 400;
  // As in real training: short linear warmup, inverse-sqrt decay, gradient clipping.
  const ct::train::InverseSqrtSchedule schedule(3e-3, 40);
  int step = 0;
  while (step < steps) {
    for (const auto& indices : ct::train::make_batches(examples, 80, &rng)) {
      if (step++ >= steps) break;
      for (auto& group : adam.param_groups()) group.options().set_lr(schedule(step));
      auto batch = ct::train::collate(examples, indices, ct::text::kPadId, ct::text::kBosId,
                                      ct::text::kEosId, torch::kCPU);
      auto out = ct::train::batch_loss(model, batch, 0.0);
      adam.zero_grad();
      (out.loss / static_cast<double>(out.tokens)).backward();
      torch::nn::utils::clip_grad_norm_(model->parameters(), 1.0);
      adam.step();
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // Teacher-forced nll of the whole training set, model in eval mode.
  model->eval();
  std::vector<size_t> all(n);
  for (size_t i = 0; i < n; ++i) all[i] = i;
  auto everything = ct::train::collate(examples, all, ct::text::kPadId, ct::text::kBosId,
                                       ct::text::kEosId, torch::kCPU);
  double nll = 0;
  {
    torch::NoGradGuard no_grad;
    auto out = ct::train::batch_loss(model, everything, 0.0);
    nll = out.nll.item<double>() / static_cast<double>(out.tokens);
  }
  INFO("trained " << steps << " steps in " << seconds << " s; training-set nll/token " << nll);
  CHECK(nll < 0.05);

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
