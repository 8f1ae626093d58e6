#pragma once

#include <torch/serialize/archive.h>

#include <cstdint>
#include <random>
#include <string>

namespace crosstalk::train {

/// Everything besides weights and optimizer moments that `--resume` needs to
/// continue a run exactly where its last checkpoint left it.
struct TrainState {
  int64_t step = 0;                // optimizer updates done
  int64_t epoch = 1;               // current epoch (1-based)
  int64_t batch_in_epoch = 0;      // batches of `epoch` already trained on
  double train_seconds = 0.0;      // wall clock of training steps (validation excluded)
  int64_t tgt_tokens = 0;          // target tokens trained on
  int64_t validations = 0;
  double best_bleu = -1.0;
  int64_t best_step = 0;
  int64_t bad_validations = 0;     // validations since the best one (early stopping)
  std::mt19937_64 epoch_rng;       // shuffling RNG as it was when `epoch` made its batches
  std::mt19937_64 rng;             // shuffling RNG now
};

/// The state plus torch's CPU generator into / out of an archive (the
/// checkpoint's "train_state" part); reading restores both. UserError naming
/// `origin` if a field is missing or corrupt.
void write_train_state(torch::serialize::OutputArchive& archive, const TrainState& state);
TrainState read_train_state(torch::serialize::InputArchive& archive, const std::string& origin);

/// The same as a file of its own (the layout before single-file checkpoints:
/// last.state.pt, still read when resuming an old model directory).
void save_train_state(const std::string& path, const TrainState& state);
TrainState load_train_state(const std::string& path);

}  // namespace crosstalk::train
