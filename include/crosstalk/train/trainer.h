#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "crosstalk/dist/communicator.h"
#include "crosstalk/dist/gradient_reducer.h"
#include "crosstalk/dist/world.h"
#include "crosstalk/model/options.h"
#include "crosstalk/model/transformer.h"
#include "crosstalk/search/translator.h"
#include "crosstalk/train/adam.h"
#include "crosstalk/train/checkpoint.h"
#include "crosstalk/train/corpus_split.h"
#include "crosstalk/train/data_report.h"
#include "crosstalk/train/schedule.h"
#include "crosstalk/train/train_log.h"
#include "crosstalk/train/train_state.h"
#include "crosstalk/train/training_data.h"
#include "crosstalk/train/validation.h"
#include "crosstalk/train/weight_average.h"

namespace crosstalk::train {

/// Everything about a training run except the model's shape.
struct TrainOptions {
  // Data: line-aligned UTF-8 files. Without validation files, valid_size pairs of the
  // training files are held out (corpus_split.h) and written into the model directory.
  std::string train_src, train_tgt, valid_src, valid_tgt;
  ValidSize valid_size;
  std::string src_lang, tgt_lang;  // empty: from the file suffixes (derived_settings.h)
  std::string model_dir;           // empty: models/<corpus>_<src>_<tgt> (derived_settings.h)
  // Vocabulary (trained when the model directory has none).
  int vocab_size = 0;              // 0: derived from the corpus (derive_vocab_size)
  std::string vocab_type = "unigram";  // unigram | bpe
  // Batching.
  int64_t max_tokens = 2048;   // per batch: sentences * max(src, tgt) length incl. BOS/EOS; global: a
                               // data-parallel world splits each batch among its ranks
  int64_t update_freq = 1;     // batches per update (gradient accumulation)
  int64_t max_length = 256;    // drop training pairs with more pieces on either side
  double length_ratio = 3.0;   // report pairs whose longer side has more than this x the pieces
  bool drop_length_ratio = false;  // and drop them
  // Optimisation: Adam + linear warmup + inverse sqrt decay. The defaults are the
  // small-corpus CPU recipe (configs/multi30k_de_en.toml); configs/gpu_base.toml has
  // GPU-scale ones.
  double lr = 1e-3;            // peak learning rate, reached at the end of warmup
  int64_t warmup = -1;         // < 0: derived from the budget of updates (derive_warmup)
  double adam_beta1 = 0.9, adam_beta2 = 0.98, adam_eps = 1e-9;
  double label_smoothing = 0.1;
  double clip_norm = 1.0;      // 0: no clipping
  double ema_decay = 0.0;      // > 0: validate and save an exponential moving average of the weights (weight_average.h)
  GuidedAlignmentOptions guided;  // guided alignment training (guided_alignment.h); off unless guided.path is set
  // Stopping: whichever comes first (0 = no limit).
  int64_t max_epochs = 100;
  int64_t max_steps = 0;
  double minutes = 12;         // wall clock of training steps (validation excluded)
  int64_t patience = 0;        // validations without a better BLEU before stopping
  // Validation.
  int64_t valid_every = 0;     // steps between validations; 0 = end of each epoch
  int64_t valid_bleu_lines = 0;  // greedy-BLEU on the first N validation lines; 0 = all
  // Checkpoints besides those of validations: they bound what a crash loses.
  int64_t save_every = 0;           // steps; 0 = off
  double save_every_minutes = 5;    // wall-clock minutes since the last save; 0 = off
  // Run.
  uint64_t seed = 1;
  int threads = 2;
  std::string device = "auto";
  bool resume = false;
  int64_t log_every = 100;     // steps between progress lines when stderr is not a terminal, and log lines
  std::string resume_command;  // shown when interrupted: the command line that continues the run
  // Data-parallel training (dist/): this process's place in the world (size 1: alone).
  dist::World world;
  std::string dist_backend = "auto";  // gloo | nccl | auto
  double dist_timeout = 300;          // seconds one collective may take; rank 0's validations and saves excluded
};

struct TrainSummary {
  int64_t steps = 0;
  int64_t epochs = 0;
  double train_seconds = 0.0;
  double tgt_tokens_per_second = 0.0;
  double best_bleu = 0.0;
  int64_t best_step = 0;
  double last_valid_loss = 0.0;
  std::string stopped_by;      // epochs | steps | minutes | patience | interrupted
  int exit_code = 0;           // 130 (SIGINT) or 143 (SIGTERM) when interrupted, else 0
  int world_size = 1;          // processes of the data-parallel world
  double allreduce_seconds = 0.0;  // rank 0's time in the gradient all-reduce (waiting for the others included)
  int64_t vocab_size = 0;      // as trained or reused
  int64_t warmup = 0;          // as given or derived
  DataReport data;             // what preparation found (data_report.h)
};

/// Why a checkpoint is written.
enum class SaveReason { kValidation, kPeriodic, kInterrupted };

/// Rank 0's decisions, which every rank of a data-parallel world follows at the same step.
enum class StopVote { kNone = 0, kInterrupted = 1, kMinutes = 2 };

/// The loss of one update, summed over the ranks of the world.
struct StepResult {
  torch::Tensor loss_sum;  // label-smoothed loss summed over the update's target tokens (detached)
  int64_t tokens = 0;
  double lr = 0.0;
  torch::Tensor alignment_loss_sum;  // guided alignment: summed over linked target pieces (detached); else undefined
  int64_t aligned_rows = 0;
  StopVote stop = StopVote::kNone;   // rank 0's: a signal, or the --minutes budget spent
  bool save_due = false;             // rank 0's: --save-every-minutes passed
};

/// A training run in named phases: prepare (directory, data, vocabulary, model,
/// optimizer, resume), then per batch step, log, and when due validate and
/// save. SIGINT/SIGTERM (common/interrupt.h) finish the current step, save a
/// complete checkpoint and end the run with stopped_by "interrupted".
///
/// Data-parallel (options.world.size > 1, trainer_dist.cpp): rank 0 prepares as
/// alone, then passes the vocabulary, config.toml and (resuming) its checkpoint
/// to the others through the store; they keep them in a private temporary
/// directory and never touch --model-dir. Rank 0's weights are broadcast. Every
/// rank forms the same global batches and trains its contiguous share of each;
/// gradients are summed in buckets and scaled by the global target tokens. Rank
/// 0 alone validates, logs and saves; the others wait for it on the store.
class Trainer {
 public:
  Trainer(TrainOptions options, model::ModelOptions model_options);
  ~Trainer();

  /// The whole run: prepare(), epochs of steps, the final validation, the summary.
  TrainSummary run();

  /// The phases.
  void prepare();
  /// One update on this rank's shards of update_freq global batches (an empty
  /// shard, sentences == 0, still joins the reduction).
  StepResult step(const std::vector<Batch>& shards);
  /// Validation loss and BLEU; updates the best score. `interrupted` in the
  /// result when a signal cut it short (nothing is updated then).
  ValidationResult validate();
  void save(SaveReason reason, bool best);
  void log(const StepResult& result, double eta_seconds);

  const TrainState& state() const { return state_; }

 private:
  using Clock = std::chrono::steady_clock;
  void run_epoch();
  void after_step(const StepResult& result);
  void validate_and_save(const std::string& when);
  void check_stop_rules(const StepResult& result);
  StepResult reduce(StepResult local, const Clock::time_point& started);
  // Data-parallel phases (trainer_dist.cpp).
  void connect();
  void prepare_directory();
  void publish_preparation(const std::string& status);
  bool receive_preparation();
  void broadcast_weights();
  void on_main(const std::function<void()>& work);
  double eta_seconds(size_t batches_in_epoch, size_t batch_index) const;
  void open_model(model::ModelOptions model_options);
  void open_weight_average();
  model::Transformer& validated_model() { return average_ ? average_->model() : model_; }
  void derive_schedule(const std::string& derived_vocab);
  TrainSummary finish();

  TrainOptions options_;
  dist::World world_;
  std::unique_ptr<dist::Communicator> comm_;        // null when alone
  std::unique_ptr<dist::GradientReducer> reducer_;  // null when alone
  std::string private_dir_;                         // ranks > 0: rank 0's files; removed at the end
  bool prepared_ = false;                           // prepare() got to the end (no signal, rank 0 neither)
  int64_t main_events_ = 0;                         // rank 0's validations and saves so far (store keys)
  model::ModelOptions model_options_;
  store::ModelDir dir_;
  torch::Device device_{torch::kCPU};
  text::Vocab vocab_;
  TrainingData data_;
  model::Transformer model_{nullptr};
  std::unique_ptr<FusedAdam> optimizer_;
  std::unique_ptr<WeightAverage> average_;  // rank 0 with --ema-decay: what is validated and saved as best.pt
  std::unique_ptr<search::Translator> translator_;
  std::unique_ptr<TrainLog> log_;
  InverseSqrtSchedule schedule_{1.0, 0};
  TrainState state_;
  TrainSummary summary_;
  std::string stop_;                 // why the loop ends; empty while it runs
  int64_t validated_at_ = -1, saved_at_ = -1;
  // Progress: the log window (every log_every steps) and the terminal's (every second).
  torch::Tensor log_loss_sum_, tty_loss_sum_, log_align_sum_, tty_align_sum_;
  int64_t log_tokens_ = 0, tty_tokens_ = 0, log_aligned_rows_ = 0, tty_aligned_rows_ = 0;
  bool tty_ = false;
  bool warned_bleu_truncated_ = false;
  Clock::time_point run_start_, last_print_, last_save_;
  double seconds_before_ = 0.0;      // training seconds of the runs this one resumes
};

/// Trains (or resumes) a model into options.model_dir: Trainer(...).run().
/// The directory ends up with config.toml, spm.model, best.pt, last.pt (the
/// checkpoint), train_log.jsonl and train_summary.json.
/// UserError for bad data, options or directory contents.
TrainSummary run_training(const TrainOptions& options, model::ModelOptions model_options);

}  // namespace crosstalk::train
