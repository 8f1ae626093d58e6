#include "crosstalk/text/corpus.h"

#include <spdlog/spdlog.h>

#include <fstream>
#include <string>
#include <vector>

#include "crosstalk/common/error.h"
#include "crosstalk/common/open_file.h"
#include "crosstalk/text/line_reader.h"

namespace crosstalk::text {

namespace {

constexpr const char* kRepairAction = "bad bytes replaced with U+FFFD (the line is kept, so lines stay aligned)";

struct FileLines {
  std::vector<std::string> lines;
  std::vector<bool> flawed;
  int64_t flawed_count = 0;
};

FileLines read_file_lines(const std::string& path, const std::string& action) {
  std::ifstream in = open_for_reading(path);
  LineReader reader(in, path, action);
  FileLines out;
  std::string line;
  bool flawed = false;
  while (reader.next(&line, &flawed)) {
    out.lines.push_back(std::move(line));
    out.flawed.push_back(flawed);
    line.clear();
  }
  reader.finish();
  out.flawed_count = reader.flawed_lines();
  return out;
}

}  // namespace

std::vector<std::string> read_lines(const std::string& path, FlawedLines flawed) {
  const bool skip = flawed == FlawedLines::skip;
  FileLines file = read_file_lines(path, skip ? "line skipped" : kRepairAction);
  if (!skip || file.flawed_count == 0) return std::move(file.lines);
  std::vector<std::string> kept;
  kept.reserve(file.lines.size());
  for (size_t i = 0; i < file.lines.size(); ++i)
    if (!file.flawed[i]) kept.push_back(std::move(file.lines[i]));
  return kept;
}

bool is_blank(const std::string& s) {
  for (const char c : s) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != '\v' && c != '\f') return false;
  }
  return true;
}

ParallelCorpus read_parallel(const std::string& src_path, const std::string& tgt_path, bool keep_empty) {
  const std::string action = keep_empty ? kRepairAction : "sentence pair skipped";
  FileLines src = read_file_lines(src_path, action);
  FileLines tgt = read_file_lines(tgt_path, action);
  if (src.lines.size() != tgt.lines.size()) {
    throw UserError("line counts differ: '" + src_path + "' has " + std::to_string(src.lines.size()) +
                    " lines, '" + tgt_path + "' has " + std::to_string(tgt.lines.size()));
  }
  ParallelCorpus corpus;
  corpus.repaired = keep_empty ? static_cast<size_t>(src.flawed_count + tgt.flawed_count) : 0;
  corpus.src.reserve(src.lines.size());
  corpus.tgt.reserve(tgt.lines.size());
  corpus.file_lines = src.lines.size();
  for (size_t i = 0; i < src.lines.size(); ++i) {
    if (!keep_empty && (src.flawed[i] || tgt.flawed[i])) {
      ++corpus.skipped_flawed;
      continue;
    }
    if (!keep_empty && (is_blank(src.lines[i]) || is_blank(tgt.lines[i]))) {
      ++corpus.skipped_empty;
      continue;
    }
    corpus.src.push_back(std::move(src.lines[i]));
    corpus.tgt.push_back(std::move(tgt.lines[i]));
    corpus.line_numbers.push_back(i + 1);
  }
  if (corpus.skipped_flawed > 0)
    spdlog::warn("skipped {} of {} sentence pairs of '{}' and '{}': invalid UTF-8 or NUL bytes", corpus.skipped_flawed,
                 src.lines.size(), src_path, tgt_path);
  return corpus;
}

std::string prefixed_path(const std::string& prefix, const std::string& lang) {
  if (prefix.empty()) throw UserError("empty corpus prefix (for language '" + lang + "')");
  if (lang.empty()) throw UserError("empty language code for corpus prefix '" + prefix + "'");
  return prefix + "." + lang;
}

}  // namespace crosstalk::text
