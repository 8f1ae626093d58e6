#include "crosstalk/train/trainer.h"

#include <spdlog/spdlog.h>
#include <torch/torch.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "crosstalk/common/atomic_file.h"
#include "crosstalk/common/device.h"
#include "crosstalk/common/error.h"
#include "crosstalk/common/interrupt.h"
#include "crosstalk/store/model_config.h"
#include "crosstalk/store/weights.h"
#include "crosstalk/train/derived_settings.h"
#include "crosstalk/train/progress.h"
#include "run_setup.h"

namespace crosstalk::train {

namespace fs = std::filesystem;


Trainer::Trainer(TrainOptions options, model::ModelOptions model_options)
    : options_(with_names(std::move(options))), model_options_(model_options), dir_(options_.model_dir) {}

// ---- prepare --------------------------------------------------------------------------

void Trainer::prepare() {
  const auto& o = options_;
  check_options(o);
  connect();
  if (world_.main()) {
    try {
      prepare_directory();
    } catch (const std::exception& e) {
      publish_preparation(std::string("error: ") + e.what());
      throw;
    }
  } else if (!receive_preparation()) {
    return;  // rank 0 was interrupted before the first step
  }
  if (world_.main() && interrupt_requested()) return publish_preparation("interrupted");
  prepared_ = true;
  open_weight_average();
  translator_ = std::make_unique<search::Translator>(validated_model(), vocab_, device_);
  schedule_ = InverseSqrtSchedule(o.lr, o.warmup);
  tty_ = world_.main() && isatty(fileno(stderr));
  const auto cpu_double = torch::TensorOptions().dtype(torch::kDouble).device(device_);
  log_loss_sum_ = torch::zeros({}, cpu_double);
  tty_loss_sum_ = torch::zeros({}, cpu_double);
  log_align_sum_ = torch::zeros({}, cpu_double);
  tty_align_sum_ = torch::zeros({}, cpu_double);
  validated_at_ = state_.validations > 0 ? state_.step : -1;
  saved_at_ = o.resume ? state_.step : -1;
  if (comm_) {
    if (world_.main()) publish_preparation("ok");
    broadcast_weights();
    reducer_ = std::make_unique<dist::GradientReducer>(model_->parameters(), comm_.get());
  }
}

// Rank 0 (or a single process): the model directory, the data, the vocabulary, the model.
// Ranks > 0 run the same from the private directory that holds rank 0's files.
void Trainer::prepare_directory() {
  const auto& o = options_;
  if (world_.main()) {
    std::error_code ec;
    fs::create_directories(dir_.path, ec);
    if (ec) throw UserError("cannot create model directory '" + dir_.path + "': " + ec.message());
    check_writable_directory(dir_.path);
    remove_stale_temporaries(dir_.path);
    if (o.resume && !has_checkpoint(dir_))
      throw UserError("--resume: '" + dir_.path + "' has no checkpoint to resume (" + dir_.last() + " not found)");
    if (!o.resume && has_checkpoint(dir_))
      throw UserError("model directory '" + dir_.path + "' already holds a trained model; use --resume to continue it or choose another --model-dir");
  }
  const auto raw = read_data(o);
  if (raw.held_out) keep_held_out(o, dir_, raw.valid);
  std::string derived_vocab;
  vocab_ = prepare_vocab(o, dir_, raw, &derived_vocab);
  if (interrupt_requested() && world_.main()) return;
  data_ = prepare_data(o, raw, vocab_);
  summary_.data = data_.report;
  if (interrupt_requested() && world_.main()) return;
  open_model(model_options_);
  derive_schedule(derived_vocab);
  check_guided_alignment(o.guided, model_options_);
  if (o.guided.enabled() && world_.main()) save_guided_selection(o.guided, model_options_, dir_.path);
}

void Trainer::open_model(model::ModelOptions model_options) {
  const auto& o = options_;
  if (o.resume) {
    model_options = store::read_model_config(dir_.config());
    spdlog::info("resuming from {} (model hyper-parameters from {})", dir_.path, dir_.config());
  } else {
    model_options.vocab_size(vocab_.size());
    store::write_model_config(dir_.config(), model_options);
    torch::manual_seed(o.seed);
    state_.rng.seed(o.seed);
    state_.epoch_rng = state_.rng;
  }
  model_options_ = model_options;
  model_ = model::Transformer(model_options, text::kPadId);
  model_->to(device_);
  optimizer_ = std::make_unique<FusedAdam>(
      model_->parameters(),
      torch::optim::AdamOptions(o.lr).betas({o.adam_beta1, o.adam_beta2}).eps(o.adam_eps));
  if (o.resume) {
    state_ = load_checkpoint(dir_, model_, *optimizer_);
    model_->to(device_);
    spdlog::info("resumed at step {}, epoch {} (batch {}), best BLEU {:.2f}", state_.step, state_.epoch,
                 state_.batch_in_epoch, state_.best_bleu);
    // A kill between the checkpoint and best.pt: the checkpoint's weights are the best ones.
    if (world_.main() && o.ema_decay <= 0 && state_.validations > 0 && state_.best_step == state_.step)
      store::save_weights(model_, dir_.best());
  }
  if (!world_.main()) return;  // rank 0 logs for the world
  log_ = std::make_unique<TrainLog>(dir_.log(), o.resume ? std::optional<int64_t>(state_.step) : std::nullopt);
  if (log_->dropped() > 0)
    spdlog::info("training log: dropped {} lines past step {} (or torn by a kill)", log_->dropped(), state_.step);
  int64_t params = 0;
  for (const auto& p : model_->parameters()) params += p.numel();
  spdlog::info("model: {} parameters, d_model {}, heads {}, layers {}+{}, ffn {}, {}, {} embeddings; device {}",
               params, model_options.d_model(), model_options.heads(), model_options.encoder_layers(),
               model_options.decoder_layers(), model_options.ffn_dim(), model_options.pre_norm() ? "pre-LN" : "post-LN",
               model_options.tied_embeddings() ? "tied" : "untied", device_.str());
}

// A negative --warmup: derived from the budget of updates (derive_warmup), logged in one
// line with the vocabulary size if that was derived too.
void Trainer::derive_schedule(const std::string& derived_vocab) {
  auto& o = options_;
  std::string derived = derived_vocab;
  if (o.warmup < 0) {
    BudgetInputs in;
    in.max_steps = o.max_steps;
    in.max_epochs = o.max_epochs;
    in.minutes = o.minutes;
    const auto batches = static_cast<int64_t>(make_batches(data_.train, o.max_tokens, nullptr).size());
    in.updates_per_epoch = std::max<int64_t>(1, (batches + o.update_freq - 1) / o.update_freq);
    in.target_tokens_per_update = static_cast<double>(data_.train_target_tokens) / static_cast<double>(in.updates_per_epoch);
    in.parameters = 0;
    for (const auto& p : model_->parameters()) in.parameters += p.numel();
    const auto w = derive_warmup(in);
    o.warmup = w.warmup;
    derived += fmt::format("{}--warmup {} (45% of ~{} expected updates: {})", derived.empty() ? "" : "; ", w.warmup,
                           w.expected_updates, w.basis);
  }
  if (!derived.empty() && world_.main()) spdlog::info("derived from the data: {}; a flag overrides each", derived);
  summary_.vocab_size = vocab_.size();
  summary_.warmup = o.warmup;
}

// ---- log ------------------------------------------------------------------------------

void Trainer::log(const StepResult& r, double eta) {
  log_loss_sum_ += r.loss_sum;
  tty_loss_sum_ += r.loss_sum;
  log_tokens_ += r.tokens;
  tty_tokens_ += r.tokens;
  if (r.alignment_loss_sum.defined()) {
    log_align_sum_ += r.alignment_loss_sum;
    tty_align_sum_ += r.alignment_loss_sum;
    log_aligned_rows_ += r.aligned_rows;
    tty_aligned_rows_ += r.aligned_rows;
  }
  ProgressInfo p;
  p.step = state_.step;
  p.epoch = state_.epoch;
  p.lr = r.lr;
  p.tokens_per_second = state_.tgt_tokens / std::max(state_.train_seconds, 1e-9);
  p.elapsed_seconds = seconds_since(run_start_) + seconds_before_;
  p.eta_seconds = stop_.empty() ? eta : 0.0;
  // Mean of a window's sum; the window restarts.
  auto take_mean = [](torch::Tensor& sum, int64_t& count) {
    const double mean = sum.item<double>() / static_cast<double>(std::max<int64_t>(count, 1));
    sum.zero_();
    count = 0;
    return mean;
  };
  const bool guided = options_.guided.enabled();
  if (state_.step % options_.log_every == 0 || !stop_.empty()) {
    p.loss = take_mean(log_loss_sum_, log_tokens_);
    p.alignment_loss = guided ? take_mean(log_align_sum_, log_aligned_rows_) : -1.0;
    TrainLogEntry entry{"train", p.step, p.epoch, p.elapsed_seconds, p.loss, p.lr, p.tokens_per_second};
    entry.alignment_loss = p.alignment_loss;
    log_->append(entry);
    if (!tty_) spdlog::info("{}", format_progress(p));
  }
  if (tty_ && (seconds_since(last_print_) >= 1.0 || !stop_.empty())) {
    p.loss = take_mean(tty_loss_sum_, tty_tokens_);
    p.alignment_loss = guided ? take_mean(tty_align_sum_, tty_aligned_rows_) : -1.0;
    std::fprintf(stderr, "\r\033[K%s", format_progress(p).c_str());
    last_print_ = Clock::now();
  }
}

// ETA: the nearest of the budgets (minutes, steps, epochs), in training time.
double Trainer::eta_seconds(size_t batches_in_epoch, size_t batch_index) const {
  const auto& o = options_;
  const double rate = state_.step / std::max(state_.train_seconds, 1e-9);
  double eta = -1;
  auto nearer = [&eta](double e) { eta = eta < 0 ? std::max(e, 0.0) : std::min(eta, std::max(e, 0.0)); };
  if (o.minutes > 0) nearer(o.minutes * 60.0 - state_.train_seconds);
  if (o.max_steps > 0) nearer((o.max_steps - state_.step) / rate);
  if (o.max_epochs > 0)
    nearer(((o.max_epochs - state_.epoch) * static_cast<double>(batches_in_epoch) +
            static_cast<double>(batches_in_epoch - batch_index - 1)) / rate);
  return eta;
}

// Rank 0 with --ema-decay: the average starts from the weights, or comes back from the checkpoint.
void Trainer::open_weight_average() {
  const auto& o = options_;
  if (o.ema_decay <= 0 || !world_.main()) return;
  average_ = std::make_unique<WeightAverage>(model_, o.ema_decay);
  spdlog::info("validating and saving an exponential moving average of the weights (--ema-decay {}; {:.4f} at step "
               "1000)", o.ema_decay, ema_decay_at(o.ema_decay, 1000));
  if (!o.resume) return;
  if (!load_weight_average(dir_, average_->model()))
    spdlog::warn("--ema-decay: the checkpoint in {} has no weight average; it starts from the weights of step {}",
                 dir_.path, state_.step);
  if (state_.validations > 0 && state_.best_step == state_.step) store::save_weights(average_->model(), dir_.best());
}

// ---- validate and save -----------------------------------------------------------------

ValidationResult Trainer::validate() {
  auto v = train::validate(validated_model(), data_.valid, options_.max_tokens, options_.label_smoothing, *translator_,
                           data_.bleu_src, data_.bleu_ref);
  model_->train();
  if (v.interrupted) return v;
  if (v.bleu_truncated > 0 && !warned_bleu_truncated_) {
    spdlog::warn("validation BLEU: {} of {} source lines have more pieces than the model's {} positions: truncated, "
                 "translated from their first pieces (said once)",
                 v.bleu_truncated, v.bleu_lines, model_->options().max_positions() - 1);
    warned_bleu_truncated_ = true;
  }
  state_.validations++;
  validated_at_ = state_.step;
  summary_.last_valid_loss = v.loss;
  if (v.bleu > state_.best_bleu) {
    state_.best_bleu = v.bleu;
    state_.best_step = state_.step;
    state_.bad_validations = 0;
  } else {
    state_.bad_validations++;
  }
  return v;
}

void Trainer::save(SaveReason reason, bool best) {
  const auto t = Clock::now();
  log_->sync();
  save_checkpoint(dir_, model_, *optimizer_, state_, average_ ? &average_->model() : nullptr);
  if (best) store::save_weights(validated_model(), dir_.best());
  saved_at_ = state_.step;
  last_save_ = Clock::now();
  if (reason != SaveReason::kValidation)
    spdlog::info("{}checkpoint at step {} saved in {:.1f}s ({})", tty_ ? "\n" : "", state_.step, seconds_since(t),
                 reason == SaveReason::kPeriodic ? "periodic" : "interrupted");
}

void Trainer::validate_and_save(const std::string& when) {
  on_main([&] {
    const auto t = Clock::now();
    const auto v = validate();
    if (v.interrupted) {
      stop_ = "interrupted";
      return;
    }
    const bool better = state_.best_step == state_.step;
    log_->append({"valid", state_.step, state_.epoch, seconds_since(run_start_) + seconds_before_, 0, 0, 0, v.loss,
                  v.ppl, v.bleu});
    save(SaveReason::kValidation, better);
    if (tty_) std::fprintf(stderr, "\n");
    spdlog::info("validation {} at step {} ({}): loss {:.3f} | ppl {:.2f} | BLEU {:.2f}{} | {:.1f}s", state_.validations,
                 state_.step, when, v.loss, v.ppl, v.bleu,
                 better ? " (best)" : fmt::format(" (best {:.2f} at step {})", state_.best_bleu, state_.best_step),
                 seconds_since(t));
    if (interrupt_requested()) stop_ = "interrupted";  // arrived during the validation: it is saved already
    else if (options_.patience > 0 && state_.bad_validations >= options_.patience && stop_.empty()) stop_ = "patience";
  });
}

// ---- the loop ---------------------------------------------------------------------------

void Trainer::check_stop_rules(const StepResult& result) {
  if (result.stop == StopVote::kInterrupted) stop_ = "interrupted";
  else if (options_.max_steps > 0 && state_.step >= options_.max_steps) stop_ = "steps";
  else if (result.stop == StopVote::kMinutes) stop_ = "minutes";
}

void Trainer::after_step(const StepResult& result) {
  if (stop_ == "interrupted") return;  // finish() saves
  const auto& o = options_;
  if (o.valid_every > 0 && state_.step % o.valid_every == 0) {
    validate_and_save("epoch " + std::to_string(state_.epoch));
    return;
  }
  const bool by_steps = o.save_every > 0 && state_.step % o.save_every == 0;
  if ((by_steps || result.save_due) && stop_.empty()) on_main([&] { save(SaveReason::kPeriodic, false); });
}

void Trainer::run_epoch() {
  const auto& o = options_;
  if (o.max_epochs > 0 && state_.epoch > o.max_epochs) {
    stop_ = "epochs";
    return;
  }
  if (state_.batch_in_epoch == 0) state_.epoch_rng = state_.rng;
  std::mt19937_64 rng = state_.epoch_rng;
  const auto batches = make_batches(data_.train, o.max_tokens, &rng);  // the same global batches on every rank
  state_.rng = rng;
  const auto freq = static_cast<size_t>(o.update_freq);
  for (size_t b = static_cast<size_t>(state_.batch_in_epoch); b < batches.size() && stop_.empty(); b += freq) {
    std::vector<Batch> shards;
    for (size_t i = b; i < std::min(b + freq, batches.size()); ++i) {
      const auto [begin, end] = dist::shard_of(batches[i].size(), world_.rank, world_.size);
      const std::vector<size_t> mine(batches[i].begin() + begin, batches[i].begin() + end);
      shards.push_back(mine.empty() ? Batch()
                                    : collate(data_.train, mine, text::kPadId, text::kBosId, text::kEosId, device_,
                                              o.guided.enabled()));
    }
    const auto result = step(shards);
    state_.batch_in_epoch = static_cast<int64_t>(b + shards.size());
    check_stop_rules(result);
    if (world_.main()) log(result, eta_seconds(batches.size(), b + shards.size() - 1));
    after_step(result);
  }
  if (!stop_.empty()) return;
  // The epoch is complete: the next one starts from the RNG as it is now.
  state_.epoch++;
  state_.batch_in_epoch = 0;
  state_.epoch_rng = state_.rng;
  if (o.valid_every <= 0) validate_and_save("end of epoch " + std::to_string(state_.epoch - 1));
}

TrainSummary Trainer::run() {
  InterruptScope interrupts("finishing the current step, then saving a checkpoint");
  prepare();
  if (!prepared_) {
    spdlog::warn("interrupted before the first step: nothing to save");
    summary_.stopped_by = "interrupted";
    summary_.exit_code = interrupt_exit_code();
    return summary_;
  }
  run_start_ = last_print_ = last_save_ = Clock::now();
  seconds_before_ = state_.train_seconds;
  model_->train();
  while (stop_.empty()) run_epoch();
  return finish();
}

TrainSummary Trainer::finish() {
  summary_.steps = state_.step;
  summary_.epochs = state_.batch_in_epoch > 0 ? state_.epoch : state_.epoch - 1;
  summary_.stopped_by = stop_;
  if (!world_.main()) return summary_;  // rank 0 validates, saves and reports
  if (stop_ != "interrupted" && validated_at_ != state_.step) validate_and_save("end of training");
  if (stop_ == "interrupted") {
    if (saved_at_ != state_.step) save(SaveReason::kInterrupted, false);
    summary_.exit_code = interrupt_exit_code();
  }
  summary_.train_seconds = state_.train_seconds;
  summary_.world_size = world_.size;
  summary_.tgt_tokens_per_second = state_.tgt_tokens / std::max(state_.train_seconds, 1e-9);
  summary_.best_bleu = state_.best_bleu;
  summary_.best_step = state_.best_step;
  summary_.stopped_by = stop_;
  write_summary(dir_, summary_);
  if (tty_) std::fprintf(stderr, "\n");
  spdlog::info("done: stopped by {} after {} steps, {} epoch(s), {} of training at {:.0f} tgt tok/s; best validation BLEU {:.2f} at step {}; model in {}",
               stop_, summary_.steps, summary_.epochs, format_duration(summary_.train_seconds),
               summary_.tgt_tokens_per_second, summary_.best_bleu, summary_.best_step, dir_.path);
  if (stop_ == "interrupted")
    spdlog::info("interrupted at step {}; the checkpoint is complete. Continue with:\n  {}", state_.step,
                 options_.resume_command.empty() ? "crosstalk train ... --resume --model-dir " + dir_.path
                                                 : options_.resume_command);
  return summary_;
}

TrainSummary run_training(const TrainOptions& options, model::ModelOptions model_options) {
  Trainer trainer(options, model_options);
  return trainer.run();
}

}  // namespace crosstalk::train
