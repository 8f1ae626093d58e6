// crosstalk align: forced word alignment of sentence pairs from the decoder's cross-attention.
#include <spdlog/spdlog.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>

#include "commands/attention_output.h"
#include "commands/command.h"
#include "crosstalk/eval/aer.h"
#include "crosstalk/align/aligner.h"
#include "crosstalk/store/saved_selection.h"
#include "crosstalk/align/sweep.h"
#include "crosstalk/common/device.h"
#include "crosstalk/common/error.h"
#include "crosstalk/common/interrupt.h"
#include "crosstalk/common/open_file.h"
#include "crosstalk/common/warning_limit.h"
#include "crosstalk/text/corpus.h"
#include "crosstalk/store/loaded_model.h"

namespace crosstalk::app {

namespace {

std::vector<align::GoldAlignment> read_gold(const std::string& path) {
  std::vector<align::GoldAlignment> gold;
  const auto lines = text::read_lines(path, text::FlawedLines::repair);
  for (size_t i = 0; i < lines.size(); ++i) gold.push_back(align::parse_gold(lines[i], path + ":" + std::to_string(i + 1)));
  return gold;
}

// "truncated" warnings for the pairs longer than the model's position table.
class TruncationWarnings {
 public:
  TruncationWarnings(std::string src, std::string tgt, int64_t max_pieces)
      : src_(std::move(src)), tgt_(std::move(tgt)), max_pieces_(max_pieces) {}
  void check(const align::AttentionRecord& record, int64_t line) {
    if (!record.src_truncated && !record.tgt_truncated) return;
    if (!limit_.next()) return;
    const std::string which = record.src_truncated && record.tgt_truncated ? "'" + src_ + "' and '" + tgt_ + "'"
                              : record.src_truncated ? "'" + src_ + "'" : "'" + tgt_ + "'";
    spdlog::warn("{} line {}: longer than the model's {} pieces: truncated, only the first {} pieces are aligned",
                 which, line, max_pieces_, max_pieces_);
  }
  void finish() const {
    if (limit_.hidden() > 0)
      spdlog::warn("{} sentence pairs were longer than the model's {} pieces and truncated ({} more than shown above)",
                   limit_.count(), max_pieces_, limit_.hidden());
  }

 private:
  std::string src_, tgt_;
  int64_t max_pieces_;
  WarningLimit limit_;
};

// The alignments of every pair under `selection`, written to `out` 256 pairs at a
// time, whole lines, flushed; Ctrl-C / SIGTERM stop it between those.
struct AlignRun {
  std::vector<align::Alignment> hyps;                        // the written links, for --gold
  std::vector<align::Alignment> forward_hyps, reverse_hyps;  // --gold with --reverse-model: each direction alone
  std::vector<align::AttentionRecord> records, reversed;     // for --sweep
  size_t aligned = 0;
  int64_t images = 0;  // heatmaps written
  double seconds = 0;
};

// "aligned 12,800 of 29,000 pairs (431 pairs/s)": on a terminal a line rewritten in place
// at most once a second, else a log line every 30 s; nothing for runs under 2 s.
class AlignProgress {
 public:
  explicit AlignProgress(size_t total) : total_(total), tty_(isatty(fileno(stderr))) {}
  void update(size_t done) {
    const double now = seconds();
    if (now < 2.0 || now - last_ < (tty_ ? 1.0 : 30.0) || done >= total_) return;
    last_ = now;
    const auto line = fmt::format("aligned {} of {} pairs ({:.0f} pairs/s)", done, total_, done / now);
    if (tty_) {
      std::fprintf(stderr, "\r\033[K%s", line.c_str());
      shown_ = true;
    } else {
      spdlog::info("{}", line);
    }
  }
  double finish() {
    if (shown_) std::fprintf(stderr, "\r\033[K");
    return seconds();
  }

 private:
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }
  size_t total_;
  bool tty_, shown_ = false;
  double last_ = 0;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

AlignRun align_pairs(align::Aligner& aligner, const text::ParallelCorpus& pairs, const AttentionFlags& flags,
                     bool keep_records, bool keep, std::ostream& out, const std::string& src_path,
                     const std::string& tgt_path, int64_t max_pieces, const std::string& title_note) {
  AttentionFiles files(flags, title_note.empty() ? "forced alignment" : "forced alignment \xC2\xB7 " + title_note);
  AlignProgress progress(pairs.src.size());
  TruncationWarnings truncations(src_path, tgt_path, max_pieces);
  AlignRun run;
  InterruptScope scope("writing the alignments finished so far, then stopping");
  const size_t chunk = 256, n = pairs.src.size();
  for (size_t start = 0; start < n && !interrupt_requested(); start += chunk) {
    const size_t end = std::min(n, start + chunk);
    const std::vector<std::string> src(pairs.src.begin() + start, pairs.src.begin() + end);
    const std::vector<std::string> tgt(pairs.tgt.begin() + start, pairs.tgt.begin() + end);
    auto aligned = aligner.align(src, tgt, [start](size_t k) { return "line " + std::to_string(start + k + 1); });
    std::string text;  // whole lines, written at once
    for (size_t k = 0; k < aligned.size(); ++k) {
      auto& pair = aligned[k];
      const int64_t line = static_cast<int64_t>(start + k + 1);
      truncations.check(pair.record, line);
      text += align::to_pharaoh(pair.links()) + '\n';
      files.add(line, src[k], tgt[k], pair.record, pair.forward, pair.detail());
      if (keep) run.hyps.push_back(pair.links());
      if (keep && pair.symmetrized) {
        run.forward_hyps.push_back(pair.forward);
        run.reverse_hyps.push_back(pair.symmetrized->mismatch ? align::Alignment{}
                                                              : pair.symmetrized->detail.reverse_alignment);
      }
      if (keep_records) {
        run.records.push_back(std::move(pair.record));
        if (pair.reverse_record) run.reversed.push_back(std::move(*pair.reverse_record));
      }
    }
    out << text;
    out.flush();
    run.aligned = end;
    progress.update(end);
  }
  run.seconds = progress.finish();
  files.close();
  truncations.finish();
  aligner.finish();
  run.images = files.images();
  return run;
}

// AER, precision, recall and a bootstrap 95% interval against the gold standard: of the
// written links, and with --reverse-model of each direction alone too.
void report_gold(const std::vector<align::GoldAlignment>& gold, const AlignRun& run, const std::string& what,
                 const align::Aligner& aligner) {
  auto report = [&gold](const std::string& label, const std::vector<align::Alignment>& hyps) {
    spdlog::info("{}: {}  95% CI {}", label, eval::score_alignments(gold, hyps).to_string(),
                 eval::bootstrap_aer(gold, hyps).to_string());
  };
  if (aligner.has_reverse()) {
    report("forward, " + what, run.forward_hyps);
    report("reverse, " + what, run.reverse_hyps);
    report("symmetrized (" + align::method_name(aligner.options().method) + ")", run.hyps);
  } else {
    report(what, run.hyps);
  }
}

// --sweep: every selection (and with --reverse-model every method) scored; the lowest
// AER, and with --save-selection written to the model directory's alignment.toml.
void report_sweep(const std::vector<align::GoldAlignment>& gold, const AlignRun& run, bool with_reverse,
                  double threshold, int64_t layers, int64_t heads, int64_t chosen, const std::string& gold_path,
                  const std::string& save_dir) {
  const auto entries = align::sweep_alignments(run.records, with_reverse ? &run.reversed : nullptr, gold,
                                               align::sweep_selections(layers, heads, chosen), threshold);
  for (const auto& e : entries)
    std::fprintf(stderr, "%-58s %s  95%% CI %s\n", e.describe(layers, heads).c_str(), e.score.to_string().c_str(),
                 e.interval.to_string().c_str());
  const auto& best = align::lowest_aer(entries);
  const std::string flags_text = "--layer " + align::layer_text(best.selection.layer) +
                                 " --head " + align::head_text(best.selection.head) +
                                 (best.method ? " --symmetrize " + align::method_name(*best.method) : "");
  std::fprintf(stderr, "lowest AER: %s (%.4f): %s\n", best.describe(layers, heads).c_str(), best.score.aer,
               flags_text.c_str());
  if (save_dir.empty()) return;
  store::SavedSelection saved;
  if (const auto before = store::read_selection(save_dir)) saved = *before;  // keeps its method when none won
  saved.attention = best.selection;
  if (best.method) saved.method = *best.method;
  saved.origin = fmt::format("align --sweep on {} ({} pairs): AER {:.4f}, {}", gold_path, gold.size(), best.score.aer,
                             best.describe(layers, heads));
  store::write_selection(save_dir, saved);
  spdlog::info("saved the selection to {}: {}", store::selection_path(save_dir), flags_text);
}

}  // namespace

int run_align(const std::string& program, std::vector<std::string> args) {
  CLI::App app("Forced word alignment: the model reads each source sentence and the given target sentence "
               "(teacher forcing); each target word is linked to the source word its decoder cross-attention "
               "weighs most (SentencePiece pieces merged into words, EOS left out). Writes one line per pair "
               "in Pharaoh format 'src-tgt ...' (0-based word indices, source first).",
               program);
  app.set_config("--config", "", "TOML file with any of these flags");
  app.allow_config_extras(CLI::config_extras_mode::error);
  app.get_formatter()->column_width(34);
  std::string model_dir, src_path, tgt_path, output, gold_path, device = "auto";
  int threads = 2;
  int64_t batch_size = 32;
  bool sweep = false;
  AttentionFlags flags;
  app.add_option("--model,-m", model_dir, "model directory written by `crosstalk train`")->required();
  app.add_option("--src", src_path, "source sentences, one per line")->required();
  app.add_option("--tgt", tgt_path, "target sentences, line-aligned with --src")->required();
  app.add_option("--output,-o", output, "write the alignments to this file instead of stdout");
  flags.add_to(app);
  app.add_option("--gold", gold_path, "score the alignments against this gold file (AER, precision, recall on stderr)");
  app.add_flag("--sweep", sweep, "with --gold: also the AER of every layer, of all layers, and of every head "
                                 "(with --reverse-model: of every symmetrization method for each of them)");
  bool save_selection = false;
  app.add_flag("--save-selection", save_selection,
               "with --sweep: write the lowest-AER layer, head (and method) into the model directory "
               "(alignment.toml), which align and translate --alignment then use by default");
  ReverseFlags reverse_flags;
  reverse_flags.add_to(app, "a model trained the other way (target->source): it is force-aligned on (target, source) "
                            "too, its word matrix transposed, and both directions symmetrized (--symmetrize)");
  app.add_option("--batch-size", batch_size, "sentence pairs run together")->capture_default_str();
  app.add_option("--device", device, "cpu, cuda, cuda:N or auto")->capture_default_str();
  app.add_option("--threads", threads, "CPU threads for LibTorch/BLAS")->capture_default_str();
  int code = 0;
  if (!parse_args(app, std::move(args), &code)) return code;
  if (batch_size <= 0) throw UserError("--batch-size must be positive");
  if (sweep && gold_path.empty()) throw UserError("--sweep needs --gold FILE");
  if (save_selection && !sweep) throw UserError("--save-selection needs --sweep (and --gold FILE)");
  const std::string title_note = apply_saved_selection(app, model_dir, &flags, &reverse_flags);
  flags.validate();
  const auto method = reverse_flags.method();
  const auto pairs = text::read_parallel(src_path, tgt_path, /*keep_empty=*/true);
  std::vector<align::GoldAlignment> gold;
  if (!gold_path.empty()) {
    gold = read_gold(gold_path);
    if (gold.size() != pairs.src.size())
      throw UserError("--gold '" + gold_path + "' has " + std::to_string(gold.size()) + " lines but --src has " +
                      std::to_string(pairs.src.size()));
  }
  std::ofstream out_file;
  if (!output.empty()) out_file = open_for_writing(output, "--output");
  std::ostream& out = output.empty() ? std::cout : out_file;
  const auto dev = resolve_device(device);
  setup_runtime(threads);
  auto loaded = store::load_model_dir(model_dir);
  loaded.model->to(dev);
  const int64_t layers = loaded.model->options().decoder_layers(), heads = loaded.model->options().heads();
  const auto selection = flags.selection();
  flags.check_model(layers, heads);
  spdlog::info("model: {} ({} decoder layers x {} heads); alignments from {}", loaded.weights, layers, heads,
               align::describe(selection, layers, heads));
  store::LoadedModel reverse_model;
  if (reverse_flags.given()) {
    reverse_model = reverse_flags.load(dev, flags);
    const int64_t rev_layers = reverse_model.model->options().decoder_layers();
    const int64_t rev_heads = reverse_model.model->options().heads();
    spdlog::info("reverse model: {} ({} decoder layers x {} heads), {}; symmetrized with {}", reverse_model.weights,
                 rev_layers, rev_heads, align::describe(selection, rev_layers, rev_heads),
                 align::method_name(method));
  }
  const auto reverse = aligning_model(reverse_flags.given() ? &reverse_model : nullptr);
  align::Aligner aligner({loaded.model, &loaded.vocab}, reverse, {selection, flags.threshold, method, batch_size});
  const auto run = align_pairs(aligner, pairs, flags, sweep, !gold.empty(), out, src_path, tgt_path,
                               loaded.model->options().max_positions() - 1, title_note);
  if (!out) throw UserError("writing the alignments failed");
  spdlog::info("aligned {} sentence pairs in {:.1f}s ({:.0f} pairs/s{}){}", run.aligned, run.seconds,
               run.aligned / std::max(run.seconds, 1e-9), reverse ? ", both directions" : "",
               flags.heatmap_dir.empty() ? "" : ", " + std::to_string(run.images) + " heatmaps in " + flags.heatmap_dir);
  if (interrupt_requested()) {
    spdlog::warn("interrupted: the alignments of the first {} of {} sentence pairs were written{}", run.aligned,
                 pairs.src.size(), gold.empty() ? "" : "; --gold not scored");
    return interrupt_exit_code();
  }
  if (!gold.empty()) report_gold(gold, run, align::describe(selection, layers, heads), aligner);
  if (sweep) {
    report_sweep(gold, run, reverse.has_value(), flags.threshold, layers, heads, align::resolved_layer(selection, layers), gold_path,
                 save_selection ? model_dir : "");
  }
  return 0;
}

}  // namespace crosstalk::app
