// crosstalk translate: stdin/stdout (interactive on a terminal) or files.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>

#include "commands/attention_output.h"
#include "commands/command.h"
#include "commands/interactive.h"
#include "commands/translate_stream.h"
#include "crosstalk/common/device.h"
#include "crosstalk/common/error.h"
#include "crosstalk/common/interrupt.h"
#include "crosstalk/common/open_file.h"
#include "crosstalk/eval/bleu.h"
#include "crosstalk/eval/chrf.h"
#include "crosstalk/text/corpus.h"
#include "crosstalk/search/translator.h"
#include "crosstalk/store/loaded_model.h"

namespace crosstalk::app {

namespace {

// How a line with invalid UTF-8 or NUL bytes is handled (and the warning says).
constexpr const char* kRepairedLine = "bad bytes replaced with U+FFFD (the line is kept, so the output stays line-aligned)";

// `crosstalk translate < some-dir`: reading would just fail; say what is wrong.
void check_stdin_is_not_a_directory() {
  struct stat st {};
  if (fstat(fileno(stdin), &st) == 0 && S_ISDIR(st.st_mode)) throw UserError("stdin is a directory, not a file");
}

// The summary lines on stderr, and with --ref the scores. Returns the exit code (130 /
// 143 after an interrupt).
int report(const StreamResult& r, int64_t beam, const std::string& ref, const std::vector<std::string>& references) {
  if (r.empty > 0) spdlog::warn("{} of {} input lines were empty: left empty in the output", r.empty, r.lines);
  spdlog::info("translated {} lines in {:.2f} s, beam {}: {} pieces generated (EOS included), {:.0f} generated tok/s",
               r.lines - r.empty, r.seconds, beam, r.generated, r.generated / std::max(r.seconds, 1e-9));
  if (r.interrupted) {
    spdlog::warn("interrupted: the translations of the first {} input lines were written{}", r.lines,
                 ref.empty() ? "" : "; --ref not scored");
    return interrupt_exit_code();
  }
  if (ref.empty()) return 0;
  if (references.size() != r.hypotheses.size())
    throw UserError("--ref '" + ref + "' has " + std::to_string(references.size()) + " lines but " +
                    std::to_string(r.hypotheses.size()) + " lines were translated");
  const auto bleu = eval::corpus_bleu(r.hypotheses, references);
  const auto chrf = eval::corpus_chrf(r.hypotheses, references);
  spdlog::info("{} | {}", bleu.to_string(), bleu.signature);
  spdlog::info("{} | {}", chrf.to_string(), chrf.signature);
  return 0;
}

// UserError for a search flag out of range.
void check_search_flags(const search::DecodeOptions& decode, int64_t chunk) {
  if (decode.batch_size <= 0) throw UserError("--batch-size must be positive");
  if (decode.beam_size <= 0) throw UserError("--beam must be at least 1");
  if (decode.nbest <= 0 || decode.nbest > decode.beam_size)
    throw UserError("--nbest must be between 1 and --beam (" + std::to_string(decode.beam_size) + ")");
  if (decode.length_penalty < 0) throw UserError("--lenpen must not be negative");
  if (chunk <= 0) throw UserError("--chunk must be positive");
  if (decode.max_len_a < 0 || decode.max_len_b < 0) throw UserError("--max-len-a and --max-len-b must not be negative");
}

}  // namespace

int run_translate(const std::string& program, std::vector<std::string> args) {
  CLI::App app("Translate one sentence per line. On a terminal it is interactive; piped or with "
               "--input it translates in length-sorted batches and keeps the input order.",
               program);
  app.set_config("--config", "", "TOML file with any of these flags");
  app.allow_config_extras(CLI::config_extras_mode::error);
  app.get_formatter()->column_width(34);
  std::string model_dir, input, output, device = "auto";
  int threads = 2;
  int64_t chunk = 2000;
  search::DecodeOptions decode;
  decode.beam_size = 4;  // best on Multi30k validation: beam 4 (+1.4 BLEU over greedy); wider adds nothing
  app.add_option("--model,-m", model_dir, "model directory written by `crosstalk train`")->required();
  app.add_option("--input,-i", input, "read sentences from this file instead of stdin");
  app.add_option("--output,-o", output, "write translations to this file instead of stdout");
  app.add_option("--beam,-b", decode.beam_size, "beam size (1 = greedy search)")->capture_default_str();
  app.add_option("--lenpen", decode.length_penalty, "beam: GNMT length penalty alpha, score = logprob / ((5+len)/6)^alpha")->capture_default_str();
  app.add_option("--nbest", decode.nbest, "beam: print the K best translations (INDEX ||| text ||| score)")->capture_default_str();
  app.add_option("--batch-size", decode.batch_size, "sentences decoded together")->capture_default_str();
  app.add_option("--max-len-a", decode.max_len_a, "output length limit: a * source pieces + b")->capture_default_str();
  app.add_option("--max-len-b", decode.max_len_b, "output length limit: a * source pieces + b")->capture_default_str();
  std::string prefix_file;
  app.add_option("--prefix-file", prefix_file,
                 "target prefixes, one per input line (a blank line: none): each translation starts with its "
                 "prefix and the model completes it; a prefix may end inside a word");
  std::string ref;
  app.add_option("--ref", ref, "score the translations against this reference file (BLEU, chrF on stderr)");
  app.add_option("--device", device, "cpu, cuda, cuda:N or auto")->capture_default_str();
  app.add_option("--threads", threads, "CPU threads for LibTorch/BLAS")->capture_default_str();
  app.add_option("--chunk", chunk, "lines read before a piped batch is translated")->capture_default_str();
  bool alignment = false, force_interactive = false;
  app.add_flag("--interactive", force_interactive, "the interactive prompt even when stdin or stdout is not a terminal");
  app.add_flag("--alignment", alignment, "append each translation's word alignment: ' ||| 0-0 1-2 ...' (Pharaoh, "
                                         "0-based, source first) from the decoder's cross-attention");
  AttentionFlags flags;
  flags.add_to(app);
  ReverseFlags reverse_flags;
  reverse_flags.add_to(app, "with --alignment: a model trained the other way (target->source) force-aligns each "
                            "translation to its input line, and the two directions' links are symmetrized "
                            "(--symmetrize)");
  int code = 0;
  if (!parse_args(app, std::move(args), &code)) return code;
  check_search_flags(decode, chunk);
  const bool interactive =
      force_interactive || (input.empty() && output.empty() && isatty(fileno(stdin)) && isatty(fileno(stdout)));
  if (alignment || flags.wants_files() || interactive) apply_saved_selection(app, model_dir, &flags, &reverse_flags);
  flags.validate(interactive);
  const auto method = reverse_flags.method();
  if (reverse_flags.given() && !alignment)
    throw UserError("--reverse-model symmetrizes the links of --alignment: add --alignment");
  decode.return_attention = alignment || flags.wants_files();

  std::ifstream in_file;
  if (!input.empty()) in_file = open_for_reading(input);
  else check_stdin_is_not_a_directory();
  std::ifstream prefix_in;
  if (!prefix_file.empty()) prefix_in = open_for_reading(prefix_file);
  std::ofstream out_file;
  if (!output.empty()) out_file = open_for_writing(output, "--output");
  std::vector<std::string> references;
  if (!ref.empty()) references = text::read_lines(ref, text::FlawedLines::repair);  // fail early on a bad --ref
  const auto dev = resolve_device(device);
  setup_runtime(threads);
  auto loaded = store::load_model_dir(model_dir);
  spdlog::info("model: {} ({} pieces), device {}", loaded.weights, loaded.vocab.size(), dev.str());
  flags.check_model(loaded.model->options().decoder_layers(), loaded.model->options().heads());
  search::Translator translator(loaded.model, loaded.vocab, dev);
  store::LoadedModel reverse;
  if (reverse_flags.given()) {
    reverse = reverse_flags.load(dev, flags);
    spdlog::info("reverse model: {}; links symmetrized with {}", reverse.weights, align::method_name(method));
  }

  std::istream& in = input.empty() ? std::cin : in_file;
  std::ostream& out = output.empty() ? std::cout : out_file;
  if (interactive) {
    if (!input.empty() || !output.empty()) throw UserError("--interactive reads stdin and writes stdout: drop --input/--output");
    if (!ref.empty()) throw UserError("--ref scores a file or piped input, not an interactive session");
    if (!prefix_file.empty()) throw UserError("--prefix-file goes with file or piped input, not an interactive session");
    if (flags.wants_files()) throw UserError("--heatmap and --json write files for file or piped input; "
                                             "interactively, :save PATH saves a heatmap");
    run_interactive(translator, decode, flags, alignment, reverse_flags.given() ? &reverse : nullptr, method);
    return 0;
  }
  StreamSettings settings;
  settings.decode = decode;
  settings.chunk = chunk;
  settings.alignment = alignment;
  settings.keep_hypotheses = !ref.empty();
  if (reverse_flags.given()) settings.reverse = &reverse, settings.method = method;
  settings.reverse_batch_size = decode.batch_size;
  text::LineReader reader(in, input, kRepairedLine);
  std::unique_ptr<text::LineReader> prefixes;
  if (!prefix_file.empty()) {
    prefixes = std::make_unique<text::LineReader>(prefix_in, prefix_file, kRepairedLine);
    settings.prefixes = prefixes.get();
  }
  const auto r = translate_stream(reader, out, translator, settings, flags);
  if (r.prefixed > 0) spdlog::info("{} of {} lines completed a prefix of --prefix-file", r.prefixed, r.lines);
  if (!out) throw UserError("writing the translations failed");
  return report(r, decode.beam_size, ref, references);
}

}  // namespace crosstalk::app
