// crosstalk train: every flag is also a key of the --config TOML file.
#include <spdlog/spdlog.h>

#include <spdlog/sinks/stdout_color_sinks.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "commands/command.h"
#include "crosstalk/align/selection.h"
#include "crosstalk/common/error.h"
#include "crosstalk/dist/launcher.h"
#include "crosstalk/dist/world.h"
#include "crosstalk/model/options.h"
#include "crosstalk/model/settings.h"
#include "crosstalk/text/corpus.h"
#include "crosstalk/train/trainer.h"

namespace crosstalk::app {

namespace {

// The model flags: one per setting of model/settings.h but the vocabulary size (a data
// flag, derived from the corpus by default), bound to the ModelOptions they fill.
void add_model_flags(CLI::App& app, model::ModelOptions* options, const std::string& group) {
  model::for_each_setting(*options, [&](const model::ModelSetting& s, auto& value) {
    if (std::string(s.key) == "vocab_size") return;
    app.add_option(model::setting_flag(s.key), value, s.help)->capture_default_str()->group(group);
  });
}

// --train-prefix + --src-lang/--tgt-lang fill in the two file names.
void resolve_prefix(const std::string& prefix, const std::string& src_lang, const std::string& tgt_lang,
                    const std::string& flag, std::string* src, std::string* tgt) {
  if (prefix.empty()) return;
  if (src_lang.empty() || tgt_lang.empty())
    throw UserError(flag + " needs --src-lang and --tgt-lang (e.g. --src-lang de --tgt-lang en)");
  if (!src->empty() || !tgt->empty())
    spdlog::warn("{} overrides the explicit source/target files", flag);
  *src = text::prefixed_path(prefix, src_lang);
  *tgt = text::prefixed_path(prefix, tgt_lang);
}

// The command line that continues this run: the same arguments plus --resume.
std::string resume_command_line(const std::string& program, const std::vector<std::string>& args) {
  auto quote = [](const std::string& a) {
    if (!a.empty() && a.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%") == std::string::npos)
      return a;
    std::string q = "'";
    for (const char c : a) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
  };
  std::string line = program;
  bool has_resume = false;
  for (const auto& a : args) {
    line += " " + quote(a);
    has_resume = has_resume || a == "--resume";
  }
  return has_resume ? line : line + " --resume";
}

// Flags of data-parallel training.
struct DistFlags {
  int nproc = 0;
  std::string backend = "auto";
  double timeout = 300;

  void check() const {
    if (nproc < 0) throw UserError("--nproc must be positive, got " + std::to_string(nproc));
    if (!(timeout > 0) || !std::isfinite(timeout)) throw UserError("--dist-timeout must be a positive number of seconds");
  }
};

// A worker's log lines carry its rank; only rank 0 logs below warnings.
void label_worker_logs(const dist::World& world) {
  spdlog::default_logger()->set_pattern("[%H:%M:%S] [rank " + std::to_string(world.rank) + "] %^%v%$");
  if (!world.main()) spdlog::set_level(spdlog::level::warn);
}

}  // namespace

int run_train(const std::string& program, std::vector<std::string> args) {
  CLI::App app("Train a Transformer translator. Every flag is also a config-file key (TOML, e.g. "
               "`max-tokens = 2048`); flags on the command line override the file.",
               program);
  app.set_config("--config", "", "TOML config file (e.g. configs/multi30k_de_en.toml)");
  app.allow_config_extras(CLI::config_extras_mode::error);
  app.get_formatter()->column_width(40);

  train::TrainOptions o;
  model::ModelOptions m;
  std::string train_prefix, valid_prefix, src_lang, tgt_lang;

  const std::string data = "Data";
  app.add_option("--train-src", o.train_src, "training source file (one sentence per line)")->group(data);
  app.add_option("--train-tgt", o.train_tgt, "training target file, line-aligned with --train-src")->group(data);
  app.add_option("--valid-src", o.valid_src, "validation source file (default: pairs held out of the training files)")->group(data);
  app.add_option("--valid-tgt", o.valid_tgt, "validation target file")->group(data);
  std::string valid_size = "auto";
  app.add_option("--valid-size", valid_size, "without validation files: pairs held out of the training files, a number "
                 "or a fraction (0.05, 5%); auto: 5%, at most 1000. Written to the model directory")
      ->capture_default_str()->group(data);
  app.add_option("--train-prefix", train_prefix, "instead of the two files: PREFIX.SRC_LANG, PREFIX.TGT_LANG")->group(data);
  app.add_option("--valid-prefix", valid_prefix, "validation files PREFIX.SRC_LANG, PREFIX.TGT_LANG")->group(data);
  app.add_option("--src-lang", src_lang, "source language (e.g. de): the prefixes' suffix; default: the file suffix")->group(data);
  app.add_option("--tgt-lang", tgt_lang, "target language (e.g. en): the prefixes' suffix; default: the file suffix")->group(data);
  app.add_option("--model-dir", o.model_dir, "where the model, vocabulary and checkpoints go (default: "
                 "models/CORPUS_SRC_TGT, named after the training files)")->group(data);
  app.add_option("--vocab-size", o.vocab_size, "SentencePiece vocabulary size (joint source+target; default: derived "
                 "from the corpus, a fifth of its word types)")->group(data);
  app.add_option("--vocab-type", o.vocab_type, "SentencePiece model type: unigram or bpe")->capture_default_str()
      ->check(CLI::IsMember({"unigram", "bpe"}))->group(data);
  app.add_option("--max-length", o.max_length, "drop training pairs longer than this many pieces")->capture_default_str()->group(data);
  app.add_option("--length-ratio", o.length_ratio, "count pairs whose longer side has more than this times the pieces "
                 "of the shorter (data report)")->capture_default_str()->group(data);
  app.add_flag("--drop-length-ratio", o.drop_length_ratio, "and leave them out of training")->group(data);

  const std::string model = "Model";
  add_model_flags(app, &m, model);

  const std::string optim = "Optimisation";
  app.add_option("--max-tokens", o.max_tokens, "batch budget: sentences x longest side (incl. BOS/EOS)")->capture_default_str()->group(optim);
  app.add_option("--lr", o.lr, "peak learning rate (end of warmup; then inverse sqrt decay)")->capture_default_str()->group(optim);
  app.add_option("--warmup", o.warmup, "linear warmup steps (default: derived, 45% of the updates the budget allows)")->group(optim);
  app.add_option("--adam-beta1", o.adam_beta1, "Adam beta1")->capture_default_str()->group(optim);
  app.add_option("--adam-beta2", o.adam_beta2, "Adam beta2")->capture_default_str()->group(optim);
  app.add_option("--adam-eps", o.adam_eps, "Adam epsilon")->capture_default_str()->group(optim);
  app.add_option("--label-smoothing", o.label_smoothing, "label smoothing of the cross-entropy")->capture_default_str()->group(optim);
  app.add_option("--clip-norm", o.clip_norm, "gradient-norm clipping (0 = off)")->capture_default_str()->group(optim);
  app.add_option("--ema-decay", o.ema_decay,
                 "validate and save (best.pt) an exponential moving average of the weights with this decay, ramped "
                 "as min(decay, (1+step)/(10+step)); 0 = off (docs/training.md)")
      ->capture_default_str()->group(optim);

  const std::string guided = "Guided alignment";
  std::string guided_layer = "default", guided_head = "avg";
  app.add_option("--guided-alignment", o.guided.path,
                 "Pharaoh word links of the training pairs (src-tgt, 0-based whitespace words, one line per line "
                 "of the training files): train a cross-attention to follow them")->group(guided);
  app.add_option("--guided-alignment-weight", o.guided.weight,
                 "factor of the alignment loss (summed over linked target pieces) beside the translation loss")
      ->capture_default_str()->group(guided);
  app.add_option("--guided-alignment-layer", guided_layer,
                 "decoder layer (1-based) to guide, 'all' (the layers' mean) or 'default' (the layer align reads by default)")
      ->capture_default_str()->group(guided);
  app.add_option("--guided-alignment-head", guided_head, "head (1-based) to guide, or 'avg' (the heads' mean)")
      ->capture_default_str()->group(guided);

  const std::string stopping = "Stopping and validation";
  app.add_option("--max-epochs", o.max_epochs, "stop after this many epochs (0 = no limit)")->capture_default_str()->group(stopping);
  app.add_option("--max-steps", o.max_steps, "stop after this many updates (0 = no limit)")->capture_default_str()->group(stopping);
  app.add_option("--minutes", o.minutes, "stop after this much training time (validation excluded; 0 = no limit)")->capture_default_str()->group(stopping);
  app.add_option("--patience", o.patience, "early stopping: validations without a better BLEU (0 = off)")->capture_default_str()->group(stopping);
  app.add_option("--valid-every", o.valid_every, "validate every N steps (0 = at the end of each epoch)")->capture_default_str()->group(stopping);
  app.add_option("--valid-bleu-lines", o.valid_bleu_lines, "greedy BLEU on the first N validation lines (0 = all)")->capture_default_str()->group(stopping);

  const std::string run = "Run";
  app.add_option("--seed", o.seed, "random seed")->capture_default_str()->group(run);
  app.add_option("--threads", o.threads, "CPU threads for LibTorch/BLAS")->capture_default_str()->group(run);
  app.add_option("--device", o.device, "cpu, cuda, cuda:N or auto")->capture_default_str()->group(run);
  app.add_flag("--resume", o.resume, "continue the run in --model-dir from its last checkpoint")->group(run);
  app.add_option("--log-every", o.log_every, "steps between lines of train_log.jsonl (and progress lines when stderr is not a terminal)")->capture_default_str()->group(run);
  app.add_option("--save-every", o.save_every, "also save a checkpoint every N steps (0 = off)")->capture_default_str()->group(run);
  app.add_option("--update-freq", o.update_freq, "batches per update (gradient accumulation): an update sees update-freq x max-tokens")->capture_default_str()->group(optim);

  const std::string distributed = "Data-parallel training";
  DistFlags d;
  app.add_option("--nproc", d.nproc, "start N local worker processes of one data-parallel world (0: one process, or "
                 "the world of torchrun's RANK/WORLD_SIZE/MASTER_ADDR/MASTER_PORT variables)")->capture_default_str()->group(distributed);
  app.add_option("--dist-backend", d.backend, "gloo, nccl or auto (NCCL for CUDA where built in, else Gloo)")
      ->capture_default_str()->check(CLI::IsMember({"gloo", "nccl", "auto"}))->group(distributed);
  app.add_option("--dist-timeout", d.timeout, "seconds a collective may take before the run stops (rank 0's "
                 "validations and saves excluded)")->capture_default_str()->group(distributed);
  app.add_option("--save-every-minutes", o.save_every_minutes, "also save a checkpoint when this many minutes passed since the last one (0 = off)")->capture_default_str()->group(run);

  // program_invocation_name: argv[0] as the user typed it (e.g. ./build/crosstalk).
  const std::string resume_command = resume_command_line(std::string(program_invocation_name) + " train", args);
  const std::vector<std::string> raw_args = args;  // the workers' command line
  int code = 0;
  if (!parse_args(app, std::move(args), &code)) return code;
  resolve_prefix(train_prefix, src_lang, tgt_lang, "--train-prefix", &o.train_src, &o.train_tgt);
  resolve_prefix(valid_prefix, src_lang, tgt_lang, "--valid-prefix", &o.valid_src, &o.valid_tgt);
  o.src_lang = src_lang;
  o.tgt_lang = tgt_lang;
  o.valid_size = train::parse_valid_size(valid_size);
  if (app.count("--warmup") > 0 && o.warmup < 0) throw UserError("--warmup must not be negative");
  if (const auto error = model::invalid_settings(m, model::SettingNames::flags); !error.empty()) throw UserError(error);
  o.guided.attention.layer = align::parse_layer(guided_layer, "--guided-alignment-layer");
  o.guided.attention.head = align::parse_head(guided_head, "--guided-alignment-head");
  if (o.log_every <= 0) throw UserError("--log-every must be positive");
  if (o.update_freq <= 0) throw UserError("--update-freq must be positive, got " + std::to_string(o.update_freq));
  d.check();
  o.resume_command = resume_command;
  o.dist_backend = d.backend;
  o.dist_timeout = d.timeout;
  const bool launched = std::getenv(dist::kLauncherVariable) != nullptr;  // a worker of our own --nproc
  o.world = dist::world_from_environment();
  if (d.nproc > 0 && !launched) {
    if (o.world.distributed() || std::getenv("WORLD_SIZE"))
      throw UserError("--nproc " + std::to_string(d.nproc) + " and WORLD_SIZE=" + std::to_string(o.world.size) +
                      " both given: use --nproc on one machine, or torchrun's variables, not both");
    if (d.nproc > 1) {
      dist::LaunchOptions lo;
      lo.nproc = d.nproc;
      lo.argv.push_back(program_invocation_name);
      lo.argv.push_back("train");
      lo.argv.insert(lo.argv.end(), raw_args.begin(), raw_args.end());
      lo.grace = std::chrono::seconds(static_cast<int64_t>(std::ceil(d.timeout)) + 30);
      return dist::launch_local(lo);
    }
  }
  if (o.world.distributed()) label_worker_logs(o.world);
  setup_runtime(o.threads);
  return train::run_training(o, m).exit_code;
}

}  // namespace crosstalk::app
