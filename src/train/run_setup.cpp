// The checks and files around a training run: options, stale temporaries, names, the summary.
#include "run_setup.h"

#include <spdlog/spdlog.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "crosstalk/common/atomic_file.h"
#include "crosstalk/common/error.h"
#include "crosstalk/train/derived_settings.h"

namespace crosstalk::train {

namespace fs = std::filesystem;

void check_options(const TrainOptions& o) {
  auto fail = [](const std::string& m) { throw UserError(m); };
  if (o.train_src.empty() || o.train_tgt.empty()) fail("training data not set: give --train-src and --train-tgt (or --train-prefix with --src-lang/--tgt-lang)");
  if (o.valid_src.empty() != o.valid_tgt.empty()) fail("give both --valid-src and --valid-tgt (or neither: then --valid-size pairs are held out of the training files)");
  if (!o.valid_src.empty() && o.valid_size.kind != ValidSize::Kind::kAuto)
    fail("--valid-size " + o.valid_size.text() + " holds out training pairs: it cannot be combined with --valid-src/--valid-tgt");
  if (!(o.length_ratio >= 1) || !std::isfinite(o.length_ratio)) fail("--length-ratio must be a number >= 1");
  if (o.vocab_size < 0) fail("--vocab-size must be positive (or 0: derived from the corpus)");
  if (o.max_tokens <= 0) fail("--max-tokens must be positive, got " + std::to_string(o.max_tokens));
  if (o.max_length <= 0) fail("--max-length must be positive");
  if (!(o.lr > 0)) fail("--lr must be positive");
  if (o.label_smoothing < 0 || o.label_smoothing >= 1) fail("--label-smoothing must be in [0, 1)");
  if (!(o.ema_decay >= 0 && o.ema_decay < 1)) fail("--ema-decay must be in [0, 1) (0 = off)");
  if (o.max_epochs <= 0 && o.max_steps <= 0 && o.minutes <= 0) fail("no stopping rule: set --max-epochs, --max-steps or --minutes");
  if (o.save_every < 0) fail("--save-every must not be negative");
  if (!(o.save_every_minutes >= 0)) fail("--save-every-minutes must not be negative");
  if (o.update_freq <= 0) fail("--update-freq must be positive, got " + std::to_string(o.update_freq));
  if (!(o.dist_timeout > 0)) fail("--dist-timeout must be a positive number of seconds");
  if (!(o.guided.weight >= 0) || !std::isfinite(o.guided.weight)) fail("--guided-alignment-weight must be a finite number >= 0");
}

// Temporary files a kill left behind: never complete, never read.
void remove_stale_temporaries(const std::string& dir) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const auto name = entry.path().filename().string();
    if (name.size() > 4 && name.compare(name.size() - 4, 4, ".tmp") == 0) {
      spdlog::info("removing {} (left by an interrupted save)", entry.path().string());
      fs::remove(entry.path(), ec);
    }
  }
}

void write_summary(const store::ModelDir& dir, const TrainSummary& s) {
  nlohmann::ordered_json j;
  j["steps"] = s.steps;
  j["epochs"] = s.epochs;
  j["train_seconds"] = s.train_seconds;
  j["tgt_tok_per_s"] = s.tgt_tokens_per_second;
  j["best_bleu"] = s.best_bleu;
  j["best_step"] = s.best_step;
  j["last_valid_loss"] = s.last_valid_loss;
  j["stopped_by"] = s.stopped_by;
  j["vocab_size"] = s.vocab_size;
  j["warmup"] = s.warmup;
  j["data"] = data_report_json(s.data);
  if (s.world_size > 1) {
    j["world_size"] = s.world_size;
    j["allreduce_seconds"] = s.allreduce_seconds;
  }
  write_file_atomic(dir.summary(), j.dump() + "\n");
}

// The names a run takes from its files when the user gives none (derived_settings.h).
TrainOptions with_names(TrainOptions o) {
  if (o.train_src.empty() || o.train_tgt.empty()) return o;  // check_options() says what is missing
  const auto names = corpus_names(o.train_src, o.train_tgt, o.src_lang, o.tgt_lang);
  o.src_lang = names.src_lang;
  o.tgt_lang = names.tgt_lang;
  if (o.model_dir.empty()) {
    o.model_dir = default_model_dir(names);
    if (o.world.main()) spdlog::info("model directory: {} (named after the training files; --model-dir to choose)", o.model_dir);
  }
  return o;
}

}  // namespace crosstalk::train
