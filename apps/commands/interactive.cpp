#include "commands/interactive.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <optional>
#include <sstream>

#include "crosstalk/align/aligner.h"
#include "crosstalk/render/terminal_heatmap.h"
#include "crosstalk/common/error.h"
#include "crosstalk/text/corpus.h"
#include "crosstalk/text/line_reader.h"

namespace crosstalk::app {

namespace {

void help() {
  std::cout << "Type a sentence and press Enter. Commands:\n"
               "  :align on      show the cross-attention of each translation as a terminal heatmap\n"
               "  :align color   the same in 256 colours\n"
               "  :align off     stop showing it\n"
               "  :save PATH     save the last translation's heatmap (PATH.svg + PATH.png, or the one\n"
               "                 format PATH ends in)\n"
               "  :prefix TEXT   translate the last sentence again, starting with TEXT: the model\n"
               "                 completes it (TEXT may end inside a word; a trailing space ends it)\n"
               "  :help          this text\n"
               "  :quit          end (or Ctrl-D)\n";
}

struct Last {
  int64_t sentence = 0;
  std::string source;  // for :prefix
  align::AttentionRecord record;
  align::Alignment links;  // the forward links of the best translation (marked by :save)
};

// The translation (or the n-best list) on stdout, each with its links when asked.
void print_translation(const search::Translation& t, const std::string& line, align::Aligner& aligner,
                       const align::Alignment& best_links, int64_t nbest, bool show_alignment, int64_t sentence) {
  if (nbest <= 1) {
    std::cout << t.text;
    if (show_alignment) std::cout << " ||| " << align::to_pharaoh(best_links);
    std::cout << "\n";
    return;
  }
  for (size_t k = 0; k < t.nbest.size(); ++k) {
    std::printf("%zu. %s  (%.3f)", k + 1, t.nbest_text[k].c_str(), t.nbest[k].score);
    if (show_alignment) {
      const auto links = k == 0 ? best_links
                                : aligner.align_translation(t, line, k, fmt::format("sentence {}, hypothesis {}",
                                                                                     sentence, k + 1)).links();
      std::printf(" ||| %s", align::to_pharaoh(links).c_str());
    }
    std::printf("\n");
  }
  std::fflush(stdout);
}

// One interactive session: the prompt loop's state and what each line does.
class Session {
 public:
  Session(search::Translator& translator, search::DecodeOptions decode, const AttentionFlags& flags,
          bool show_alignment, store::LoadedModel* reverse, align::SymmetrizeMethod method)
      : translator_(translator), decode_(decode), flags_(flags), show_alignment_(show_alignment),
        has_reverse_(reverse != nullptr), method_(method), selection_(flags.selection()),
        aligner_({translator.model(), &translator.vocab()}, aligning_model(reverse),
                 {selection_, flags.threshold, method, 1}),
        // Binary data is judged line by line (sniffing 8 KiB would wait for that much typing).
        reader_(std::cin, "", "bad bytes replaced with U+FFFD", text::LineReader::BinaryCheck::each_line) {
    decode_.return_attention = true;  // kept for :align and :save (a few ms a sentence)
  }

  void run() {
    std::cerr << "Type a sentence and press Enter; :help lists the commands (:align on, :prefix TEXT, :save PATH), "
                 ":quit ends.\n";
    std::string line;
    while (true) {
      std::cout << "> " << std::flush;
      if (!reader_.next(&line)) break;
      if (line == ":quit" || line == ":q" || line == ":exit") break;
      if (text::is_blank(line)) continue;
      if (line[0] == ':') command(line);
      else translate(line, "");
    }
    reader_.finish();
    aligner_.finish();
    std::cout << "\n";
  }

 private:
  void command(const std::string& line) {
    std::istringstream words(line);
    std::string name, argument, extra;
    words >> name >> argument >> extra;
    if (name == ":help" || name == ":h") {
      help();
    } else if (name == ":align" && extra.empty() && (argument == "on" || argument == "off" || argument == "color")) {
      show_ = argument == "on" ? Show::shades : argument == "color" ? Show::color : Show::off;
      std::cout << "alignment view " << argument << "\n";
    } else if (name == ":prefix") {
      if (!last_) std::cout << "no sentence to complete yet: translate one first\n";
      // Everything after ":prefix ", trailing spaces included: they say the last word is complete.
      else translate(last_->source, line.size() > 8 ? line.substr(8) : std::string());
    } else if (name == ":save" && !argument.empty() && extra.empty()) {
      save(argument);
    } else {
      std::cout << "unknown command '" << line << "' (:help lists them)\n";
    }
  }

  void save(const std::string& path) {
    if (!last_) {
      std::cout << "nothing to save yet: translate a sentence first\n";
      return;
    }
    try {
      const auto heatmap =
          make_heatmap(last_->record, selection_, flags_.heads_grid, last_->sentence, "own translation", last_->links);
      for (const auto& saved : save_heatmap_files(heatmap, path)) std::cout << "saved " << saved << "\n";
    } catch (const UserError& e) {
      std::cout << "cannot save: " << e.what() << "\n";
    }
  }

  void translate(const std::string& source, const std::string& prefix) {
    const auto start = std::chrono::steady_clock::now();
    std::vector<search::Translation> out;
    std::vector<search::Alternative> alternatives;
    if (prefix.empty()) {
      out = translator_.translate({source}, decode_);
    } else {
      auto completed = translator_.complete({source}, {prefix}, 3, decode_);
      out.push_back(std::move(completed[0].translation));
      alternatives = std::move(completed[0].alternatives);
    }
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    const auto& t = out[0];
    const auto max_pieces = translator_.model()->options().max_positions() - 1;
    if (t.truncated)
      spdlog::warn("stdin line {}: longer than the model's {} pieces: truncated, only its first {} pieces are translated",
                   reader_.line_number(), max_pieces, max_pieces);
    if (t.best.prefix_relaxed)
      spdlog::warn("the prefix's last word has a character the vocabulary cannot spell: completed freely from there");
    const int64_t sentence = prefix.empty() ? ++sentences_ : last_->sentence;
    auto best = aligner_.align_translation(t, source, 0, fmt::format("sentence {}", sentence));
    const auto map = best.matrix(selection_);
    const auto links = best.links();
    last_ = Last{sentence, source, std::move(best.record), std::move(best.forward)};
    print_translation(t, source, aligner_, links, decode_.nbest, show_alignment_, sentence);
    print_alternatives(alternatives);
    if (show_ != Show::off && last_->record.layers() > 0) {
      render::TerminalHeatmapOptions options;
      options.color = show_ == Show::color;
      options.links = links;
      options.forced_rows = last_->record.forced_words();
      std::cout << "cross-attention, " << align::describe(selection_, last_->record.layers(), last_->record.heads())
                << (has_reverse_ ? ", symmetrized with " + align::method_name(method_) : std::string())
                << " (rows: translation, columns: source)\n"
                << render::terminal_heatmap(map, options) << std::flush;
    }
    spdlog::debug("{:.0f} ms", ms);
  }

  // After :prefix, the next words the model proposes and where each leads.
  void print_alternatives(const std::vector<search::Alternative>& alternatives) {
    if (alternatives.empty()) return;
    std::cout << "next words:\n";
    for (const auto& a : alternatives)
      std::cout << fmt::format("  {:<14} {:5.1f}%  {}\n", a.word, 100.0 * a.probability, a.completion);
    std::cout << std::flush;
  }

  enum class Show { off, shades, color };
  search::Translator& translator_;
  search::DecodeOptions decode_;
  const AttentionFlags& flags_;
  bool show_alignment_, has_reverse_;
  align::SymmetrizeMethod method_;
  align::AttentionSelection selection_;
  align::Aligner aligner_;
  text::LineReader reader_;
  Show show_ = Show::off;
  std::optional<Last> last_;
  int64_t sentences_ = 0;
};

}  // namespace

void run_interactive(search::Translator& translator, search::DecodeOptions decode, const AttentionFlags& flags,
                     bool show_alignment, store::LoadedModel* reverse, align::SymmetrizeMethod method) {
  Session(translator, decode, flags, show_alignment, reverse, method).run();
}

}  // namespace crosstalk::app
