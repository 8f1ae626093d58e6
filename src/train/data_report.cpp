// The data report of a training run: what was read, skipped, held out and dropped.
#include "crosstalk/train/data_report.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <unordered_set>

#include "crosstalk/train/corpus_split.h"

namespace crosstalk::train {

namespace {

// 12345 -> "12,345".
std::string grouped(int64_t v) {
  std::string digits = std::to_string(v < 0 ? -v : v), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return v < 0 ? "-" + out : out;
}

}  // namespace

int64_t count_duplicate_pairs(const text::ParallelCorpus& corpus) {
  std::unordered_set<std::string> seen;
  seen.reserve(corpus.src.size());
  int64_t duplicates = 0;
  for (size_t i = 0; i < corpus.src.size(); ++i)
    if (!seen.insert(pair_key(corpus.src[i], corpus.tgt[i])).second) ++duplicates;
  return duplicates;
}

bool extreme_length_ratio(size_t src_pieces, size_t tgt_pieces, double ratio) {
  const double longer = static_cast<double>(std::max(src_pieces, tgt_pieces));
  const double shorter = static_cast<double>(std::min(src_pieces, tgt_pieces));
  return longer > ratio * std::max(shorter, 1.0);
}

std::string format_data_report(const DataReport& r) {
  std::string s = "data report:\n";
  auto line = [&s](const std::string& what, const std::string& value) { s += fmt::format("  {:<34}{}\n", what, value); };
  line("pairs read", grouped(r.pairs_read));
  line("empty (a blank side)", grouped(r.empty) + (r.empty ? " skipped" : ""));
  line("invalid UTF-8 or NUL bytes", grouped(r.invalid_utf8) + (r.invalid_utf8 ? " skipped" : ""));
  line("exact duplicate pairs", grouped(r.duplicate_pairs) + (r.duplicate_pairs ? " kept" : ""));
  if (r.held_out > 0)
    line("held out for validation", fmt::format("{} (and {} training copies of them removed)", grouped(r.held_out),
                                                grouped(r.held_out_copies_removed)));
  else
    line("validation pairs (from files)", grouped(r.valid_pairs));
  line(fmt::format("over --max-length {} pieces", r.max_length), grouped(r.over_max_length) + (r.over_max_length ? " dropped" : ""));
  line(fmt::format("length ratio over {:g} (pieces)", r.length_ratio),
       grouped(r.extreme_ratio_pairs) +
           (r.extreme_ratio_pairs == 0 ? "" : r.extreme_ratio_dropped ? " dropped" : " kept (--drop-length-ratio drops them)"));
  line("pieces per word", fmt::format("{} {:.2f}, {} {:.2f}", r.src_lang, r.src_pieces_per_word, r.tgt_lang,
                                      r.tgt_pieces_per_word));
  line("training pairs", grouped(r.training_pairs));
  s.pop_back();
  return s;
}

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(DataReport, src_lang, tgt_lang, pairs_read, empty, invalid_utf8, duplicate_pairs,
                                   held_out, held_out_copies_removed, valid_pairs, max_length, over_max_length,
                                   length_ratio, extreme_ratio_pairs, extreme_ratio_dropped, training_pairs,
                                   src_pieces_per_word, tgt_pieces_per_word)

nlohmann::json data_report_json(const DataReport& report) { return report; }

}  // namespace crosstalk::train
