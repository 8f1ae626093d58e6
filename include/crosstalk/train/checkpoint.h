#pragma once

#include <torch/torch.h>

#include <functional>
#include <string>

#include "crosstalk/model/options.h"
#include "crosstalk/model/transformer.h"
#include "crosstalk/text/vocab.h"
#include "crosstalk/train/model_config.h"
#include "crosstalk/train/train_state.h"

namespace crosstalk::train {

/// The files of a model directory: everything `translate` needs, plus the
/// checkpoint `train --resume` continues from.
struct ModelDir {
  explicit ModelDir(std::string path) : path(std::move(path)) {}
  std::string path;
  std::string config() const { return path + "/config.toml"; }      // hyper-parameters, readable
  std::string vocab() const { return path + "/spm.model"; }         // SentencePiece model
  std::string best() const { return path + "/best.pt"; }            // weights, best validation BLEU
  std::string last() const { return path + "/last.pt"; }            // the checkpoint: weights + optimizer + state
  std::string summary() const { return path + "/train_summary.json"; }
  std::string log() const { return path + "/train_log.jsonl"; }     // one JSON line per logged step / validation
  // Written by crosstalk before single-file checkpoints; read when resuming such a directory.
  std::string legacy_optimizer() const { return path + "/last.optimizer.pt"; }
  std::string legacy_state() const { return path + "/last.state.pt"; }
};

/// Streams a torch archive into `path` atomically (common/atomic_file.h): a
/// failed write (disk full, EFBIG) is a UserError naming the file and leaves
/// `path` as it was. `before_commit` runs just before the rename.
void write_archive_atomic(torch::serialize::OutputArchive& archive, const std::string& path,
                          const std::function<void()>& before_commit = {});

/// Weights only (best.pt). Saving is atomic (common/atomic_file.h). Loading
/// checks names and shapes: UserError naming the file. load_weights also reads
/// the weights out of a checkpoint (last.pt).
void save_weights(model::Transformer& model, const std::string& path);
void load_weights(model::Transformer& model, const std::string& path);

/// The checkpoint is ONE file, last.pt, written atomically: the weights (at the
/// archive's top level, so that load_weights and older readers see plain
/// weights), the optimizer ("optimizer") and the training state
/// ("train_state"), so its parts can never disagree. A kill -9 at any instant
/// leaves the previous checkpoint or the new one. The environment variable
/// CROSSTALK_TEST_SAVE_DELAY_MS (tests only) pauses each save before it
/// commits, so that kills land inside saves.
void save_checkpoint(const ModelDir& dir, model::Transformer& model, torch::optim::Optimizer& optimizer,
                     const TrainState& state);

/// Restores weights, optimizer and state from last.pt, or from the legacy
/// trio (weights-only last.pt, last.optimizer.pt, last.state.pt). UserError with
/// one line saying what is broken and what to do.
TrainState load_checkpoint(const ModelDir& dir, model::Transformer& model, torch::optim::Optimizer& optimizer);

/// Whether `dir` holds something load_checkpoint can try (new or legacy layout).
bool has_checkpoint(const ModelDir& dir);

/// Pauses for CROSSTALK_TEST_SAVE_DELAY_MS milliseconds (0 when unset).
void pause_for_test_save_delay();

struct LoadedModel {
  model::Transformer model{nullptr};
  text::Vocab vocab;
  std::string weights;  // which weights file was loaded
};

/// Loads a model directory for translation: config.toml, spm.model and
/// best.pt (else last.pt). UserError naming the missing or broken part.
LoadedModel load_model_dir(const std::string& dir);

}  // namespace crosstalk::train
