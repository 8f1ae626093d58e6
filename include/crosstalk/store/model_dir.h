#pragma once

// The files of a model directory, by name: what translate, align and serve load, and
// what `train --resume` continues from.

#include <string>

namespace crosstalk::store {

struct ModelDir {
  explicit ModelDir(std::string path) : path(std::move(path)) {}
  std::string path;
  std::string config() const { return path + "/config.toml"; }      // hyper-parameters, readable
  std::string alignment() const { return path + "/alignment.toml"; } // the saved attention reading, if any
  std::string vocab() const { return path + "/spm.model"; }         // SentencePiece model
  std::string best() const { return path + "/best.pt"; }            // weights, best validation BLEU
  std::string last() const { return path + "/last.pt"; }            // the checkpoint: weights + optimizer + state
  std::string summary() const { return path + "/train_summary.json"; }
  std::string log() const { return path + "/train_log.jsonl"; }     // one JSON line per logged step / validation
  // Written by crosstalk before single-file checkpoints; read when resuming such a directory.
  std::string legacy_optimizer() const { return path + "/last.optimizer.pt"; }
  std::string legacy_state() const { return path + "/last.state.pt"; }
};

/// UserError "model directory is missing its WHAT: 'PATH' not found" unless `path`
/// is a regular file.
void require_model_file(const std::string& path, const std::string& what);

}  // namespace crosstalk::store
