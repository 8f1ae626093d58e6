#include "commands/translate_stream.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <sstream>

#include "crosstalk/align/aligner.h"
#include "crosstalk/align/attention_capture.h"
#include "crosstalk/common/error.h"
#include "crosstalk/common/interrupt.h"
#include "crosstalk/common/warning_limit.h"
#include "crosstalk/text/corpus.h"

namespace crosstalk::app {

namespace {

// One line per input line, or with --nbest K > 1 the Moses n-best format:
// "INDEX ||| translation ||| score" for each hypothesis, best first. With
// alignments, " ||| <Pharaoh>" follows (alignments[k] for hypothesis k).
void write_translation(std::ostream& out, const search::Translation& t, int64_t index, int64_t nbest,
                       const std::vector<align::Alignment>& alignments) {
  auto tail = [&](size_t k) {
    return alignments.empty() || t.nbest.empty() ? std::string() : " ||| " + align::to_pharaoh(alignments[k]);
  };
  if (nbest <= 1) {
    out << t.text << tail(0) << '\n';
    return;
  }
  for (size_t k = 0; k < t.nbest.size(); ++k)
    out << index << " ||| " << t.nbest_text[k] << " ||| " << t.nbest[k].score << tail(k) << '\n';
}

class Stream {
 public:
  Stream(text::LineReader& reader, std::ostream& out, search::Translator& translator, const StreamSettings& settings,
         const AttentionFlags& flags)
      : reader_(reader), out_(out), translator_(translator), settings_(settings), flags_(flags),
        selection_(flags.selection()),
        aligner_({translator.model(), &translator.vocab()}, aligning_model(settings.reverse),
                 {selection_, flags.threshold, settings.method, settings.reverse_batch_size}),
        files_(flags, "own translation, " + (settings.decode.beam_size == 1
                                                 ? std::string("greedy")
                                                 : "beam " + std::to_string(settings.decode.beam_size))) {}

  StreamResult run() {
    InterruptScope scope("writing the translations finished so far, then stopping");
    std::vector<std::string> lines;
    std::string line;
    while (!interrupt_requested() && reader_.next(&line)) {
      lines.push_back(std::move(line));
      line.clear();
      if (settings_.prefixes) prefixes_.push_back(next_prefix());
      if (static_cast<int64_t>(lines.size()) >= settings_.chunk) translate_chunk(&lines);
    }
    if (!lines.empty() && !interrupt_requested()) translate_chunk(&lines);
    if (settings_.prefixes && !interrupt_requested() && settings_.prefixes->next(&line))
      throw UserError(settings_.prefixes->display_name() + " has more lines than " + reader_.display_name() + " (" +
                      std::to_string(reader_.line_number()) + "): --prefix-file needs one prefix per input line");
    result_.interrupted = interrupt_requested();
    reader_.finish();
    files_.close();
    aligner_.finish();
    if (relaxed_.hidden() > 0)
      spdlog::warn("{} prefixes had a character the vocabulary cannot spell ({} more than shown above)",
                   relaxed_.count(), relaxed_.hidden());
    if (truncated_.hidden() > 0)
      spdlog::warn("{}: {} lines were longer than the model's {} pieces and truncated ({} more than shown above)",
                   reader_.display_name(), truncated_.count(), max_pieces(), truncated_.hidden());
    return std::move(result_);
  }

 private:
  int64_t max_pieces() const { return translator_.model()->options().max_positions() - 1; }

  // The prefix of the input line just read: the same line of --prefix-file.
  std::string next_prefix() {
    std::string prefix;
    if (!settings_.prefixes->next(&prefix))
      throw UserError(settings_.prefixes->display_name() + " has fewer lines than " + reader_.display_name() +
                      ": no prefix for line " + std::to_string(reader_.line_number()) +
                      " (--prefix-file needs one prefix per input line; a blank line is no prefix)");
    return prefix;
  }

  // Translates lines (blank ones stay blank) and writes the translations, in order, up
  // to the first one an interrupt left undone; clears `lines`.
  void translate_chunk(std::vector<std::string>* lines) {
    std::vector<std::string> todo, todo_prefixes;
    std::vector<size_t> where;
    for (size_t i = 0; i < lines->size(); ++i) {
      if (text::is_blank((*lines)[i])) continue;
      todo.push_back((*lines)[i]);
      if (settings_.prefixes) todo_prefixes.push_back(prefixes_[i]);
      where.push_back(i);
    }
    const auto start = std::chrono::steady_clock::now();
    auto done = translator_.translate(todo, todo_prefixes, settings_.decode, [] { return interrupt_requested(); });
    result_.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::vector<search::Translation> translations(lines->size());
    for (auto& t : translations) t.done = true;  // blank lines
    for (size_t k = 0; k < done.size(); ++k) translations[where[k]] = std::move(done[k]);
    aligned_ = alignments(*lines, translations);
    next_aligned_ = 0;
    std::ostringstream text;
    for (size_t i = 0; i < translations.size() && translations[i].done; ++i) {
      write(text, (*lines)[i], translations[i]);
      if (settings_.prefixes && !text::is_blank(prefixes_[i])) ++result_.prefixed;
    }
    out_ << text.str();  // whole lines only, then flushed
    out_.flush();
    lines->clear();
    prefixes_.clear();
  }

  // With attention: the alignment of every hypothesis that write() will write, in that
  // order (with --reverse-model symmetrized, force-aligned in batches); else empty.
  std::vector<align::PairAlignment> alignments(const std::vector<std::string>& lines,
                                               const std::vector<search::Translation>& translations) {
    if (!settings_.decode.return_attention) return {};
    std::vector<align::AttentionRecord> records;
    std::vector<std::string> hypotheses, sources;
    std::vector<size_t> line_of;  // the chunk line of each hypothesis, for a warning's name
    for (size_t i = 0; i < translations.size() && translations[i].done; ++i) {
      const auto& t = translations[i];
      for (size_t k = 0; k < std::max<size_t>(t.nbest.size(), 1); ++k) {
        records.push_back(align::translation_attention(t, translator_.vocab(), lines[i], k));
        hypotheses.push_back(k < t.nbest_text.size() ? t.nbest_text[k] : t.text);
        sources.push_back(lines[i]);
        line_of.push_back(i);
      }
    }
    return aligner_.align_translations(std::move(records), sources, hypotheses, [&](size_t k) {
      return fmt::format("{} line {}", reader_.display_name(), result_.lines + 1 + static_cast<int64_t>(line_of[k]));
    });
  }

  void write(std::ostream& text, const std::string& source, const search::Translation& t) {
    const int64_t index = result_.lines++;
    if (t.nbest.empty()) ++result_.empty;
    else result_.generated += static_cast<int64_t>(t.best.tokens.size()) + 1;
    if (t.best.prefix_relaxed && relaxed_.next())
      spdlog::warn("{} line {}: the prefix's last word has a character the vocabulary cannot spell: the model "
                   "completed it freely from there",
                   settings_.prefixes ? settings_.prefixes->display_name() : std::string("prefix"), index + 1);
    if (t.truncated && truncated_.next())
      spdlog::warn("{} line {}: longer than the model's {} pieces: truncated, only its first {} pieces are translated",
                   reader_.display_name(), index + 1, max_pieces(), max_pieces());
    if (settings_.keep_hypotheses) result_.hypotheses.push_back(t.text);
    std::vector<align::Alignment> alignments;
    if (settings_.decode.return_attention) {
      for (size_t k = 0; k < std::max<size_t>(t.nbest.size(), 1); ++k) {
        const auto& pair = aligned_.at(next_aligned_++);
        alignments.push_back(pair.links());
        if (k == 0 && pair.record.layers() > 0)
          files_.add(index + 1, source, t.text, pair.record, pair.forward, pair.detail());
      }
    }
    write_translation(text, t, index, settings_.decode.nbest,
                      settings_.alignment ? alignments : std::vector<align::Alignment>{});
  }

  text::LineReader& reader_;
  std::ostream& out_;
  search::Translator& translator_;
  const StreamSettings& settings_;
  const AttentionFlags& flags_;
  align::AttentionSelection selection_;
  align::Aligner aligner_;
  AttentionFiles files_;
  WarningLimit truncated_, relaxed_;
  std::vector<std::string> prefixes_;  // of the chunk's lines, with --prefix-file
  std::vector<align::PairAlignment> aligned_;  // of the chunk being written (alignments())
  size_t next_aligned_ = 0;
  StreamResult result_;
};

}  // namespace

StreamResult translate_stream(text::LineReader& reader, std::ostream& out, search::Translator& translator,
                              const StreamSettings& settings, const AttentionFlags& flags) {
  return Stream(reader, out, translator, settings, flags).run();
}

}  // namespace crosstalk::app
