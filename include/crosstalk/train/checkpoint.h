#pragma once

#include <torch/torch.h>

#include <string>

#include "crosstalk/model/options.h"
#include "crosstalk/model/transformer.h"
#include "crosstalk/text/vocab.h"
#include "crosstalk/train/model_config.h"

namespace crosstalk::train {

/// The files of a model directory: everything `translate` needs, plus the
/// state `train --resume` continues from.
struct ModelDir {
  explicit ModelDir(std::string path) : path(std::move(path)) {}
  std::string path;
  std::string config() const { return path + "/config.toml"; }      // hyper-parameters, readable
  std::string vocab() const { return path + "/spm.model"; }         // SentencePiece model
  std::string best() const { return path + "/best.pt"; }            // weights, best validation BLEU
  std::string last() const { return path + "/last.pt"; }            // weights, latest
  std::string optimizer() const { return path + "/last.optimizer.pt"; }
  std::string state() const { return path + "/last.state.pt"; }     // step, epoch, RNG, ...
  std::string summary() const { return path + "/train_summary.json"; }
};

/// Weights only. Loading checks names and shapes: UserError naming the file.
void save_weights(model::Transformer& model, const std::string& path);
void load_weights(model::Transformer& model, const std::string& path);

struct LoadedModel {
  model::Transformer model{nullptr};
  text::Vocab vocab;
  std::string weights;  // which weights file was loaded
};

/// Loads a model directory for translation: config.toml, spm.model and
/// best.pt (else last.pt). UserError naming the missing or broken part.
LoadedModel load_model_dir(const std::string& dir);

}  // namespace crosstalk::train
