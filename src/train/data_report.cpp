// The data report of a training run: what was read, skipped, held out and dropped.
#include "crosstalk/train/data_report.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <unordered_set>

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
  for (size_t i = 0; i < corpus.src.size(); ++i) {
    std::string key = corpus.src[i];
    key += '\n';
    key += corpus.tgt[i];
    if (!seen.insert(std::move(key)).second) ++duplicates;
  }
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
  line("exact duplicate pairs", grouped(r.duplicates) + (r.duplicates ? " kept" : ""));
  if (r.held_out > 0)
    line("held out for validation", fmt::format("{} (and {} training copies of them removed)", grouped(r.held_out),
                                                grouped(r.held_out_copies)));
  else
    line("validation pairs (from files)", grouped(r.valid_pairs));
  line(fmt::format("over --max-length {} pieces", r.max_length), grouped(r.over_max_length) + (r.over_max_length ? " dropped" : ""));
  line(fmt::format("length ratio over {:g} (pieces)", r.length_ratio),
       grouped(r.extreme_ratio) +
           (r.extreme_ratio == 0 ? "" : r.extreme_ratio_dropped ? " dropped" : " kept (--drop-length-ratio drops them)"));
  line("pieces per word", fmt::format("{} {:.2f}, {} {:.2f}", r.src_lang, r.src_pieces_per_word, r.tgt_lang,
                                      r.tgt_pieces_per_word));
  line("training pairs", grouped(r.training_pairs));
  s.pop_back();
  return s;
}

nlohmann::ordered_json data_report_json(const DataReport& r) {
  nlohmann::ordered_json j;
  j["src_lang"] = r.src_lang;
  j["tgt_lang"] = r.tgt_lang;
  j["pairs_read"] = r.pairs_read;
  j["empty"] = r.empty;
  j["invalid_utf8"] = r.invalid_utf8;
  j["duplicate_pairs"] = r.duplicates;
  j["held_out"] = r.held_out;
  j["held_out_copies_removed"] = r.held_out_copies;
  j["valid_pairs"] = r.valid_pairs;
  j["max_length"] = r.max_length;
  j["over_max_length"] = r.over_max_length;
  j["length_ratio"] = r.length_ratio;
  j["extreme_length_ratio"] = r.extreme_ratio;
  j["extreme_length_ratio_dropped"] = r.extreme_ratio_dropped;
  j["training_pairs"] = r.training_pairs;
  j["src_pieces_per_word"] = r.src_pieces_per_word;
  j["tgt_pieces_per_word"] = r.tgt_pieces_per_word;
  return j;
}

}  // namespace crosstalk::train
