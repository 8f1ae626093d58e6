// crosstalk translate: stdin/stdout (interactive on a terminal) or files.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iostream>

#include "commands/command.h"
#include "crosstalk/common/device.h"
#include "crosstalk/common/error.h"
#include "crosstalk/search/translator.h"
#include "crosstalk/train/checkpoint.h"

namespace crosstalk::app {

namespace {

bool blank(const std::string& s) { return s.find_first_not_of(" \t\r") == std::string::npos; }

// Translates the non-empty lines of `lines`; empty ones stay empty (counted).
std::vector<std::string> translate_chunk(search::Translator& translator, const std::vector<std::string>& lines,
                                         const search::DecodeOptions& decode, int64_t* empty) {
  std::vector<std::string> out(lines.size());
  std::vector<std::string> todo;
  std::vector<size_t> where;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (blank(lines[i])) {
      ++*empty;
      continue;
    }
    todo.push_back(lines[i]);
    where.push_back(i);
  }
  auto done = translator.translate_text(todo, decode);
  for (size_t k = 0; k < done.size(); ++k) out[where[k]] = std::move(done[k]);
  return out;
}

void interactive(search::Translator& translator, const search::DecodeOptions& decode) {
  std::cerr << "Type a sentence and press Enter; :quit (or Ctrl-D) ends.\n";
  std::string line;
  while (true) {
    std::cout << "> " << std::flush;
    if (!std::getline(std::cin, line)) break;
    if (line == ":quit" || line == ":q" || line == ":exit") break;
    if (blank(line)) continue;
    const auto start = std::chrono::steady_clock::now();
    auto out = translator.translate_text({line}, decode);
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    std::cout << out[0] << "\n";
    spdlog::debug("{:.0f} ms", ms);
  }
  std::cout << "\n";
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
  app.add_option("--model,-m", model_dir, "model directory written by `crosstalk train`")->required();
  app.add_option("--input,-i", input, "read sentences from this file instead of stdin");
  app.add_option("--output,-o", output, "write translations to this file instead of stdout");
  app.add_option("--batch-size", decode.batch_size, "sentences decoded together")->capture_default_str();
  app.add_option("--max-len-a", decode.max_len_a, "output length limit: a * source pieces + b")->capture_default_str();
  app.add_option("--max-len-b", decode.max_len_b, "output length limit: a * source pieces + b")->capture_default_str();
  app.add_option("--device", device, "cpu, cuda, cuda:N or auto")->capture_default_str();
  app.add_option("--threads", threads, "CPU threads for LibTorch/BLAS")->capture_default_str();
  app.add_option("--chunk", chunk, "lines read before a piped batch is translated")->capture_default_str();
  int code = 0;
  if (!parse_args(app, std::move(args), &code)) return code;
  if (decode.batch_size <= 0) throw UserError("--batch-size must be positive");
  if (chunk <= 0) throw UserError("--chunk must be positive");
  if (decode.max_len_a < 0 || decode.max_len_b < 0) throw UserError("--max-len-a and --max-len-b must not be negative");

  std::ifstream in_file;
  if (!input.empty()) {
    in_file.open(input);
    if (!in_file) throw UserError("cannot open --input '" + input + "'");
  }
  std::ofstream out_file;
  if (!output.empty()) {
    out_file.open(output, std::ios::trunc);
    if (!out_file) throw UserError("cannot write --output '" + output + "'");
  }
  const auto dev = resolve_device(device);
  setup_runtime(threads);
  auto loaded = train::load_model_dir(model_dir);
  spdlog::info("model: {} ({} pieces), device {}", loaded.weights, loaded.vocab.size(), dev.str());
  search::Translator translator(loaded.model, loaded.vocab, dev);

  std::istream& in = input.empty() ? std::cin : in_file;
  std::ostream& out = output.empty() ? std::cout : out_file;
  if (input.empty() && output.empty() && isatty(fileno(stdin)) && isatty(fileno(stdout))) {
    interactive(translator, decode);
    return 0;
  }
  int64_t empty = 0, total = 0;
  std::vector<std::string> lines;
  std::string line;
  auto flush = [&]() {
    for (const auto& t : translate_chunk(translator, lines, decode, &empty)) out << t << '\n';
    out.flush();
    total += static_cast<int64_t>(lines.size());
    lines.clear();
  };
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
    if (static_cast<int64_t>(lines.size()) >= chunk) flush();
  }
  if (!lines.empty()) flush();
  if (!out) throw UserError("writing the translations failed");
  if (empty > 0) spdlog::warn("{} of {} input lines were empty: left empty in the output", empty, total);
  return 0;
}

}  // namespace crosstalk::app
