// A small Transformer trained to overfit pairs of the synthetic toy corpus (data/toy/),
// shared by the overfit and alignment tests. Deterministic: fixed seeds throughout.
#pragma once

#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <random>
#include <string>
#include <vector>

#include "temp_dir.h"
#include "crosstalk/model/transformer.h"
#include "crosstalk/text/corpus.h"
#include "crosstalk/text/vocab.h"
#include "crosstalk/train/batches.h"
#include "crosstalk/train/schedule.h"
#include "crosstalk/train/validation.h"

struct ToyModel {
  crosstalk::text::Vocab vocab;
  crosstalk::model::Transformer model{nullptr};
  std::vector<std::string> de, en;                   // the training pairs
  std::vector<crosstalk::train::Example> examples;   // their ids
};

/// The first `pairs` toy pairs that pass `keep(de, en)`; a SentencePiece vocabulary of
/// `vocab_size` pieces trained into `dir` on the whole toy corpus (48: mostly letters).
inline ToyModel toy_pairs(const std::filesystem::path& dir, size_t pairs,
                          bool (*keep)(const std::string&, const std::string&) = nullptr, int vocab_size = 48) {
  namespace ct = crosstalk;
  const std::string toy = std::string(CROSSTALK_SOURCE_DIR) + "/data/toy/";
  ct::text::VocabTrainOptions vopts;
  vopts.vocab_size = vocab_size;
  ToyModel toy_model;
  toy_model.vocab = ct::text::Vocab::train({toy + "train.de", toy + "train.en"}, (dir / "spm").string(), vopts);
  const auto de = ct::text::read_lines(toy + "train.de");
  const auto en = ct::text::read_lines(toy + "train.en");
  for (size_t i = 0; i < de.size() && toy_model.de.size() < pairs; ++i) {
    if (keep && !keep(de[i], en[i])) continue;
    toy_model.de.push_back(de[i]);
    toy_model.en.push_back(en[i]);
    toy_model.examples.push_back({toy_model.vocab.encode(de[i]), toy_model.vocab.encode(en[i])});
  }
  REQUIRE(toy_model.de.size() == pairs);
  return toy_model;
}

/// Trains toy->model (created from `options`, seed 1234) on toy->examples for `steps`
/// Adam steps: lr 3e-3, warmup 40, inverse-sqrt decay, clipping at 1, no label smoothing.
/// With `guided`: plus guided->weight times the guided alignment loss of the examples' links.
inline void overfit(ToyModel* toy, const crosstalk::model::ModelOptions& options, int steps,
                    const crosstalk::train::GuidedAlignmentOptions* guided = nullptr) {
  namespace ct = crosstalk;
  torch::manual_seed(1234);
  toy->model = ct::model::Transformer(options, ct::text::kPadId);
  auto& model = toy->model;
  model->train();
  torch::optim::Adam adam(model->parameters(), torch::optim::AdamOptions(3e-3).betas({0.9, 0.98}));
  std::mt19937_64 rng(99);
  const ct::train::InverseSqrtSchedule schedule(3e-3, 40);
  int step = 0;
  while (step < steps) {
    for (const auto& indices : ct::train::make_batches(toy->examples, 80, &rng)) {
      if (step++ >= steps) break;
      for (auto& group : adam.param_groups()) group.options().set_lr(schedule(step));
      auto batch = ct::train::collate(toy->examples, indices, ct::text::kPadId, ct::text::kBosId,
                                      ct::text::kEosId, torch::kCPU, guided != nullptr);
      auto out = ct::train::batch_loss(model, batch, 0.0, guided);
      auto total = guided ? out.loss + guided->weight * out.alignment_loss : out.loss;
      adam.zero_grad();
      (total / static_cast<double>(out.tokens)).backward();
      torch::nn::utils::clip_grad_norm_(model->parameters(), 1.0);
      adam.step();
    }
  }
  model->eval();
}
