#pragma once

#include <cstdint>
#include <string>

#include "crosstalk/model/options.h"

namespace crosstalk::train {

/// Everything about a training run except the model's shape.
struct TrainOptions {
  // Data: line-aligned UTF-8 files.
  std::string train_src, train_tgt, valid_src, valid_tgt;
  std::string model_dir = "models/multi30k_de_en";
  // Vocabulary (trained when the model directory has none).
  int vocab_size = 8000;
  std::string vocab_type = "unigram";  // unigram | bpe
  // Batching.
  int64_t max_tokens = 4096;   // per batch: sentences * max(src, tgt) length incl. BOS/EOS
  int64_t max_length = 256;    // drop training pairs with more pieces on either side
  // Optimisation: Adam + linear warmup + inverse sqrt decay.
  double lr = 7e-4;            // peak learning rate, reached at the end of warmup
  int64_t warmup = 4000;
  double adam_beta1 = 0.9, adam_beta2 = 0.98, adam_eps = 1e-9;
  double label_smoothing = 0.1;
  double clip_norm = 1.0;      // 0: no clipping
  // Stopping: whichever comes first (0 = no limit).
  int64_t max_epochs = 100;
  int64_t max_steps = 0;
  double minutes = 0;          // wall clock of training steps (validation excluded)
  int64_t patience = 0;        // validations without a better BLEU before stopping
  // Validation.
  int64_t valid_every = 0;     // steps between validations; 0 = end of each epoch
  int64_t valid_bleu_lines = 0;  // greedy-BLEU on the first N validation lines; 0 = all
  // Run.
  uint64_t seed = 1;
  int threads = 2;
  std::string device = "auto";
  bool resume = false;
  int64_t log_every = 100;     // steps between progress lines when stderr is not a terminal
};

struct TrainSummary {
  int64_t steps = 0;
  int64_t epochs = 0;
  double train_seconds = 0.0;
  double tgt_tokens_per_second = 0.0;
  double best_bleu = 0.0;
  int64_t best_step = 0;
  double last_valid_loss = 0.0;
  std::string stopped_by;      // epochs | steps | minutes | patience
};

/// Trains (or resumes) a model into options.model_dir. The directory ends up
/// with config.toml, spm.model, best.pt, last.pt and the resume state.
/// UserError for bad data, options or directory contents.
TrainSummary run_training(const TrainOptions& options, model::ModelOptions model_options);

}  // namespace crosstalk::train
