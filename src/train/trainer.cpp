#include "crosstalk/train/trainer.h"

#include <spdlog/spdlog.h>
#include <torch/torch.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "crosstalk/common/atomic_file.h"
#include "crosstalk/common/device.h"
#include "crosstalk/common/error.h"
#include "crosstalk/search/translator.h"
#include "crosstalk/text/corpus.h"
#include "crosstalk/text/vocab.h"
#include "crosstalk/train/adam.h"
#include "crosstalk/train/batches.h"
#include "crosstalk/train/checkpoint.h"
#include "crosstalk/train/progress.h"
#include "crosstalk/train/schedule.h"
#include "crosstalk/train/train_state.h"
#include "crosstalk/train/validation.h"

namespace crosstalk::train {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

void check_options(const TrainOptions& o) {
  auto fail = [](const std::string& m) { throw UserError(m); };
  if (o.train_src.empty() || o.train_tgt.empty()) fail("training data not set: give --train-src and --train-tgt (or --train-prefix with --src-lang/--tgt-lang)");
  if (o.valid_src.empty() || o.valid_tgt.empty()) fail("validation data not set: give --valid-src and --valid-tgt (or --valid-prefix)");
  if (o.max_tokens <= 0) fail("--max-tokens must be positive, got " + std::to_string(o.max_tokens));
  if (o.max_length <= 0) fail("--max-length must be positive");
  if (!(o.lr > 0)) fail("--lr must be positive");
  if (o.warmup < 0) fail("--warmup must not be negative");
  if (o.label_smoothing < 0 || o.label_smoothing >= 1) fail("--label-smoothing must be in [0, 1)");
  if (o.max_epochs <= 0 && o.max_steps <= 0 && o.minutes <= 0) fail("no stopping rule: set --max-epochs, --max-steps or --minutes");
}

std::vector<Example> encode_pairs(const text::Vocab& vocab, const text::ParallelCorpus& corpus, int threads) {
  auto src = vocab.encode_batch(corpus.src, threads);
  auto tgt = vocab.encode_batch(corpus.tgt, threads);
  std::vector<Example> examples(src.size());
  for (size_t i = 0; i < src.size(); ++i) examples[i] = {std::move(src[i]), std::move(tgt[i])};
  return examples;
}

text::Vocab prepare_vocab(const TrainOptions& o, const ModelDir& dir) {
  if (fs::exists(dir.vocab())) {
    spdlog::info("vocabulary: reusing {}", dir.vocab());
    return text::Vocab::load(dir.vocab());
  }
  text::VocabTrainOptions vo;
  vo.vocab_size = o.vocab_size;
  vo.model_type = o.vocab_type;
  vo.threads = o.threads;
  const auto start = Clock::now();
  auto vocab = text::Vocab::train({o.train_src, o.train_tgt}, dir.path + "/spm", vo);
  spdlog::info("vocabulary: trained SentencePiece {} with {} pieces in {:.1f}s -> {}", o.vocab_type,
               vocab.size(), seconds_since(start), dir.vocab());
  return vocab;
}

void write_summary(const ModelDir& dir, const TrainSummary& s) {
  std::ostringstream j;
  j << "{\"steps\": " << s.steps << ", \"epochs\": " << s.epochs
    << ", \"train_seconds\": " << s.train_seconds
    << ", \"tgt_tok_per_s\": " << s.tgt_tokens_per_second << ", \"best_bleu\": " << s.best_bleu
    << ", \"best_step\": " << s.best_step << ", \"last_valid_loss\": " << s.last_valid_loss
    << ", \"stopped_by\": \"" << s.stopped_by << "\"}\n";
  write_file_atomic(dir.summary(), j.str());
}

}  // namespace

TrainSummary run_training(const TrainOptions& o, model::ModelOptions model_options) {
  check_options(o);
  const auto device = resolve_device(o.device);
  ModelDir dir(o.model_dir);
  std::error_code ec;
  fs::create_directories(dir.path, ec);
  if (ec) throw UserError("cannot create model directory '" + dir.path + "': " + ec.message());
  if (o.resume && !fs::exists(dir.state()))
    throw UserError("--resume: '" + dir.path + "' has no training state to resume (" + dir.state() + " not found)");
  if (!o.resume && fs::exists(dir.last()))
    throw UserError("model directory '" + dir.path + "' already holds a trained model; use --resume to continue it or choose another --model-dir");

  // ---- data
  auto start = Clock::now();
  auto train_corpus = text::read_parallel(o.train_src, o.train_tgt);
  auto valid_corpus = text::read_parallel(o.valid_src, o.valid_tgt);
  if (train_corpus.src.empty()) throw UserError("training data '" + o.train_src + "' has no non-empty sentence pairs");
  if (valid_corpus.src.empty()) throw UserError("validation data '" + o.valid_src + "' has no non-empty sentence pairs");
  if (train_corpus.skipped_empty) spdlog::warn("skipped {} training pairs with an empty side", train_corpus.skipped_empty);
  if (valid_corpus.skipped_empty) spdlog::warn("skipped {} validation pairs with an empty side", valid_corpus.skipped_empty);
  auto vocab = prepare_vocab(o, dir);
  auto all_train = encode_pairs(vocab, train_corpus, o.threads);
  std::vector<Example> train_examples;
  for (auto& ex : all_train)
    if (!ex.src.empty() && !ex.tgt.empty() && static_cast<int64_t>(ex.src.size()) <= o.max_length &&
        static_cast<int64_t>(ex.tgt.size()) <= o.max_length)
      train_examples.push_back(std::move(ex));
  auto valid_examples = encode_pairs(vocab, valid_corpus, o.threads);
  int64_t train_pieces = 0;
  for (const auto& ex : train_examples) train_pieces += static_cast<int64_t>(ex.tgt.size()) + 1;
  spdlog::info("data: {} training pairs ({} dropped by --max-length {}), {} target tokens; {} validation pairs; prepared in {:.1f}s",
               train_examples.size(), all_train.size() - train_examples.size(), o.max_length, train_pieces,
               valid_examples.size(), seconds_since(start));
  size_t bleu_lines = valid_corpus.src.size();
  if (o.valid_bleu_lines > 0) bleu_lines = std::min(bleu_lines, static_cast<size_t>(o.valid_bleu_lines));
  std::vector<std::string> bleu_src(valid_corpus.src.begin(), valid_corpus.src.begin() + bleu_lines);
  std::vector<std::string> bleu_ref(valid_corpus.tgt.begin(), valid_corpus.tgt.begin() + bleu_lines);

  // ---- model, optimizer, state
  TrainState state;
  if (o.resume) {
    model_options = read_model_config(dir.config());
    spdlog::info("resuming from {} (model hyper-parameters from {})", dir.path, dir.config());
  } else {
    model_options.vocab_size(vocab.size());
    write_model_config(dir.config(), model_options);
    torch::manual_seed(o.seed);
    state.rng.seed(o.seed);
    state.epoch_rng = state.rng;
  }
  model::Transformer model(model_options, text::kPadId);
  model->to(device);
  FusedAdam optimizer(model->parameters(), torch::optim::AdamOptions(o.lr)
                                                        .betas({o.adam_beta1, o.adam_beta2})
                                                        .eps(o.adam_eps));
  if (o.resume) {
    load_weights(model, dir.last());
    model->to(device);
    try {
      torch::load(optimizer, dir.optimizer());
    } catch (const c10::Error&) {
      throw UserError("cannot load optimizer state '" + dir.optimizer() + "'");
    }
    state = load_train_state(dir.state());
    spdlog::info("resumed at step {}, epoch {} (batch {}), best BLEU {:.2f}", state.step, state.epoch,
                 state.batch_in_epoch, state.best_bleu);
  }
  int64_t params = 0;
  for (const auto& p : model->parameters()) params += p.numel();
  spdlog::info("model: {} parameters, d_model {}, heads {}, layers {}+{}, ffn {}, {}, {} embeddings; device {}",
               params, model_options.d_model(), model_options.heads(), model_options.encoder_layers(),
               model_options.decoder_layers(), model_options.ffn_dim(),
               model_options.pre_norm() ? "pre-LN" : "post-LN",
               model_options.tied_embeddings() ? "tied" : "untied", device.str());

  search::Translator translator(model, vocab, device);
  const InverseSqrtSchedule schedule(o.lr, o.warmup);
  const bool tty = isatty(fileno(stderr));
  const double budget = o.minutes > 0 ? o.minutes * 60.0 : 0.0;
  TrainSummary summary;
  int64_t validated_at = state.validations > 0 ? state.step : -1;

  auto validate_and_save = [&](const std::string& when) {
    const auto t = Clock::now();
    auto v = validate(model, valid_examples, o.max_tokens, o.label_smoothing, translator, bleu_src, bleu_ref);
    state.validations++;
    validated_at = state.step;
    summary.last_valid_loss = v.loss;
    const bool better = v.bleu > state.best_bleu;
    if (better) {
      state.best_bleu = v.bleu;
      state.best_step = state.step;
      state.bad_validations = 0;
    } else {
      state.bad_validations++;
    }
    save_weights(model, dir.last());
    if (better) save_weights(model, dir.best());
    torch::save(optimizer, dir.optimizer());
    save_train_state(dir.state(), state);
    if (tty) std::fprintf(stderr, "\n");
    spdlog::info("validation {} at step {} ({}): loss {:.3f} | ppl {:.2f} | BLEU {:.2f}{} | {:.1f}s",
                 state.validations, state.step, when, v.loss, v.ppl, v.bleu,
                 better ? " (best)" : fmt::format(" (best {:.2f} at step {})", state.best_bleu, state.best_step),
                 seconds_since(t));
    model->train();
  };

  // ---- the loop
  const auto run_start = Clock::now();
  const double seconds_before = state.train_seconds;
  double window_loss = 0.0;
  int64_t window_tokens = 0;
  auto window_loss_sum = torch::zeros({}, torch::TensorOptions().dtype(torch::kDouble).device(device));
  auto last_print = Clock::now();
  std::string stop;
  model->train();
  while (stop.empty()) {
    if (o.max_epochs > 0 && state.epoch > o.max_epochs) {
      stop = "epochs";
      break;
    }
    if (state.batch_in_epoch == 0) state.epoch_rng = state.rng;
    std::mt19937_64 rng = state.epoch_rng;
    auto batches = make_batches(train_examples, o.max_tokens, &rng);
    state.rng = rng;
    for (size_t b = static_cast<size_t>(state.batch_in_epoch); b < batches.size(); ++b) {
      const auto t0 = Clock::now();
      auto batch = collate(train_examples, batches[b], text::kPadId, text::kBosId, text::kEosId, device);
      const double lr = schedule(state.step + 1);
      for (auto& group : optimizer.param_groups())
        static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
      for (auto& p : model->parameters()) p.mutable_grad() = torch::Tensor();  // set to none: backward writes, not adds
      auto out = batch_loss(model, batch, o.label_smoothing);
      (out.loss / static_cast<double>(out.tokens)).backward();
      if (o.clip_norm > 0) torch::nn::utils::clip_grad_norm_(model->parameters(), o.clip_norm);
      optimizer.step();
      window_loss_sum += out.loss.detach();
      window_tokens += out.tokens;
      state.step++;
      state.batch_in_epoch = static_cast<int64_t>(b) + 1;
      state.tgt_tokens += batch.tgt_tokens;
      if (device.is_cuda()) torch::cuda::synchronize();
      state.train_seconds += seconds_since(t0);

      if (o.max_steps > 0 && state.step >= o.max_steps) stop = "steps";
      if (budget > 0 && state.train_seconds >= budget) stop = "minutes";
      const bool print = tty ? seconds_since(last_print) >= 1.0 : state.step % o.log_every == 0;
      if (print || !stop.empty()) {
        window_loss = window_loss_sum.item<double>() / std::max<int64_t>(window_tokens, 1);
        window_loss_sum.zero_();
        window_tokens = 0;
        ProgressInfo p;
        p.step = state.step;
        p.epoch = state.epoch;
        p.loss = window_loss;
        p.lr = lr;
        p.tokens_per_second = state.tgt_tokens / std::max(state.train_seconds, 1e-9);
        p.elapsed_seconds = seconds_since(run_start) + seconds_before;
        // ETA: the nearest of the budgets (minutes, steps, epochs), in training time.
        const double rate = state.step / std::max(state.train_seconds, 1e-9);
        double eta = -1;
        auto nearer = [&eta](double e) { eta = eta < 0 ? std::max(e, 0.0) : std::min(eta, std::max(e, 0.0)); };
        if (budget > 0) nearer(budget - state.train_seconds);
        if (o.max_steps > 0) nearer((o.max_steps - state.step) / rate);
        if (o.max_epochs > 0)
          nearer(((o.max_epochs - state.epoch) * static_cast<double>(batches.size()) +
                  static_cast<double>(batches.size() - b - 1)) / rate);
        p.eta_seconds = stop.empty() ? eta : 0.0;
        const auto line = format_progress(p);
        if (tty) std::fprintf(stderr, "\r\033[K%s", line.c_str());
        else spdlog::info("{}", line);
        last_print = Clock::now();
      }
      if (o.valid_every > 0 && state.step % o.valid_every == 0) {
        validate_and_save("epoch " + std::to_string(state.epoch));
        if (o.patience > 0 && state.bad_validations >= o.patience) stop = "patience";
      }
      if (!stop.empty()) break;
    }
    if (!stop.empty()) break;
    // The epoch is complete: the next one starts from the RNG as it is now.
    state.epoch++;
    state.batch_in_epoch = 0;
    state.epoch_rng = state.rng;
    if (o.valid_every <= 0) {
      validate_and_save("end of epoch " + std::to_string(state.epoch - 1));
      if (o.patience > 0 && state.bad_validations >= o.patience) stop = "patience";
    }
  }
  if (validated_at != state.step) validate_and_save("end of training");

  summary.steps = state.step;
  summary.epochs = state.batch_in_epoch > 0 ? state.epoch : state.epoch - 1;
  summary.train_seconds = state.train_seconds;
  summary.tgt_tokens_per_second = state.tgt_tokens / std::max(state.train_seconds, 1e-9);
  summary.best_bleu = state.best_bleu;
  summary.best_step = state.best_step;
  summary.stopped_by = stop;
  write_summary(dir, summary);
  spdlog::info("done: stopped by {} after {} steps, {} epoch(s), {} of training at {:.0f} tgt tok/s; best validation BLEU {:.2f} at step {}; model in {}",
               stop, summary.steps, summary.epochs, format_duration(summary.train_seconds),
               summary.tgt_tokens_per_second, summary.best_bleu, summary.best_step, dir.path);
  return summary;
}

}  // namespace crosstalk::train
