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
               "  :help          this text\n"
               "  :quit          end (or Ctrl-D)\n";
}

struct Last {
  int64_t sentence = 0;
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

}  // namespace

void run_interactive(search::Translator& translator, search::DecodeOptions decode, const AttentionFlags& flags,
                     bool show_alignment, store::LoadedModel* reverse, align::SymmetrizeMethod method) {
  decode.return_attention = true;  // kept for :align and :save (a few ms a sentence)
  const auto selection = flags.selection();
  align::Aligner aligner({translator.model(), &translator.vocab()}, aligning_model(reverse),
                         {selection, flags.threshold, method, 1});
  enum class Show { off, shades, color } show = Show::off;
  std::optional<Last> last;
  int64_t sentence = 0;
  std::cerr << "Type a sentence and press Enter; :help lists the commands (:align on, :save PATH), :quit ends.\n";
  // Binary data is judged line by line (sniffing 8 KiB would wait for that much typing).
  text::LineReader reader(std::cin, "", "bad bytes replaced with U+FFFD", text::LineReader::BinaryCheck::each_line);
  const auto max_pieces = translator.model()->options().max_positions() - 1;
  std::string line;
  while (true) {
    std::cout << "> " << std::flush;
    if (!reader.next(&line)) break;
    if (line == ":quit" || line == ":q" || line == ":exit") break;
    if (text::is_blank(line)) continue;
    if (line[0] == ':') {
      std::istringstream words(line);
      std::string command, argument, extra;
      words >> command >> argument >> extra;
      if (command == ":help" || command == ":h") {
        help();
      } else if (command == ":align" && extra.empty() && (argument == "on" || argument == "off" || argument == "color")) {
        show = argument == "on" ? Show::shades : argument == "color" ? Show::color : Show::off;
        std::cout << "alignment view " << argument << "\n";
      } else if (command == ":save" && !argument.empty() && extra.empty()) {
        if (!last) {
          std::cout << "nothing to save yet: translate a sentence first\n";
          continue;
        }
        try {
          const auto heatmap = make_heatmap(last->record, selection, flags.heads_grid, last->sentence,
                                            "own translation", last->links);
          for (const auto& path : save_heatmap_files(heatmap, argument)) std::cout << "saved " << path << "\n";
        } catch (const UserError& e) {
          std::cout << "cannot save: " << e.what() << "\n";
        }
      } else {
        std::cout << "unknown command '" << line << "' (:help lists them)\n";
      }
      continue;
    }
    const auto start = std::chrono::steady_clock::now();
    auto out = translator.translate({line}, decode);
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    const auto& t = out[0];
    if (t.truncated)
      spdlog::warn("stdin line {}: longer than the model's {} pieces: truncated, only its first {} pieces are translated",
                   reader.line_number(), max_pieces, max_pieces);
    auto best = aligner.align_translation(t, line, 0, fmt::format("sentence {}", sentence + 1));
    const auto map = best.matrix(selection);
    const auto links = best.links();
    last = Last{++sentence, std::move(best.record), std::move(best.forward)};
    print_translation(t, line, aligner, links, decode.nbest, show_alignment, sentence);
    if (show != Show::off && last->record.layers() > 0) {
      render::TerminalHeatmapOptions options;
      options.color = show == Show::color;
      options.links = links;
      std::cout << "cross-attention, " << align::describe(selection, last->record.layers(), last->record.heads())
                << (reverse ? ", symmetrized with " + align::method_name(method) : std::string())
                << " (rows: translation, columns: source)\n"
                << render::terminal_heatmap(map, options) << std::flush;
    }
    spdlog::debug("{:.0f} ms", ms);
  }
  reader.finish();
  aligner.finish();
  std::cout << "\n";
}

}  // namespace crosstalk::app
