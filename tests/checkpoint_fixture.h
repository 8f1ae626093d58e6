// Shared by the checkpoint tests: a toy vocabulary, tiny models, a probe of
// their outputs, and a catcher that tells UserErrors from other exceptions.
#pragma once

#include <catch2/catch.hpp>
#include <torch/torch.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <string>

#include "crosstalk/common/error.h"
#include "crosstalk/model/transformer.h"
#include "crosstalk/text/vocab.h"
#include "temp_dir.h"

namespace {

namespace fs = std::filesystem;
using crosstalk::UserError;
using crosstalk::model::ModelOptions;
using crosstalk::model::Transformer;

const std::string kRoot = CROSSTALK_SOURCE_DIR;

const fs::path& temp_dir() {
  static ScopedTempDir dir("checkpoint_" + std::to_string(::getpid()));
  return dir.path;
}

/// A fresh, empty sub-directory of the temp dir.
fs::path fresh_dir(const std::string& name) {
  auto p = temp_dir() / name;
  fs::remove_all(p);
  fs::create_directories(p);
  return p;
}

/// A 64-piece vocabulary trained once on the toy corpus; its model file is <temp>/vocab/spm.model.
const crosstalk::text::Vocab& toy_vocab() {
  static const crosstalk::text::Vocab vocab = [] {
    crosstalk::text::VocabTrainOptions opts;
    opts.vocab_size = 64;
    return crosstalk::text::Vocab::train({kRoot + "/data/toy/train.de", kRoot + "/data/toy/train.en"},
                                         (temp_dir() / "vocab" / "spm").string(), opts);
  }();
  return vocab;
}
fs::path toy_vocab_file() {
  toy_vocab();
  return temp_dir() / "vocab" / "spm.model";
}

ModelOptions tiny_options(bool tied, bool pre_norm = false, int64_t vocab = 31) {
  return ModelOptions().vocab_size(vocab).d_model(16).heads(2).encoder_layers(2).decoder_layers(1)
      .ffn_dim(24).dropout(0.2).pre_norm(pre_norm).tied_embeddings(tied).max_positions(40);
}

Transformer make_model(const ModelOptions& options, uint64_t seed) {
  torch::manual_seed(seed);
  Transformer model(options, crosstalk::text::kPadId);
  model->eval();
  return model;
}

/// Logits of the model on a fixed, padded input (eval mode, no grad).
torch::Tensor probe(Transformer& model) {
  torch::NoGradGuard no_grad;
  auto src = torch::tensor({5, 6, 7, 8, 3, 9, 10, 3, 0, 0}, torch::kLong).view({2, 5});
  auto tgt = torch::tensor({2, 11, 12, 13, 2, 14, 0, 0}, torch::kLong).view({2, 4});
  return model->forward(src, tgt);
}

/// Runs f; reports whether it threw a UserError and with which message.
struct Thrown {
  bool user_error = false;
  std::string message;
};
Thrown capture(const std::function<void()>& f) {
  Thrown t;
  try {
    f();
    t.message = "(nothing thrown)";
  } catch (const UserError& e) {
    t.user_error = true;
    t.message = e.what();
  } catch (const std::exception& e) {
    t.message = std::string("(not a UserError) ") + e.what();
  }
  return t;
}

}  // namespace
