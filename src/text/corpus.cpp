#include "crosstalk/text/corpus.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>
#include <vector>

#include "crosstalk/common/error.h"

namespace crosstalk::text {
namespace {

/// Byte offset of the first byte that does not start a well-formed UTF-8 sequence
/// (overlong forms, surrogates and code points above U+10FFFF are rejected), or
/// std::string::npos when all of `s` is valid.
size_t first_invalid_utf8(const std::string& s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  size_t i = 0;
  while (i < n) {
    const unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;  // no overlongs
      if (c == 0xED) hi = 0x9F;  // no surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;  // no overlongs
      if (c == 0xF4) hi = 0x8F;  // <= U+10FFFF
    } else {
      return i;
    }
    if (i + len > n) return i;
    if (p[i + 1] < lo || p[i + 1] > hi) return i;
    for (size_t k = 2; k < len; ++k) {
      if (p[i + k] < 0x80 || p[i + k] > 0xBF) return i;
    }
    i += len;
  }
  return std::string::npos;
}


}  // namespace

std::vector<std::string> read_lines(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw UserError("cannot read '" + path + "': Is a directory");
  }
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int err = errno != 0 ? errno : ENOENT;
    throw UserError("cannot open '" + path + "': " + std::strerror(err));
  }
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (lines.empty() && line.compare(0, 3, "\xEF\xBB\xBF") == 0) line.erase(0, 3);
    const size_t bad = first_invalid_utf8(line);
    if (bad != std::string::npos) {
      throw UserError("'" + path + "' line " + std::to_string(lines.size() + 1) +
                      ": invalid UTF-8 (byte " + std::to_string(bad + 1) + " of the line)");
    }
    lines.push_back(std::move(line));
    line.clear();
  }
  if (in.bad()) {
    throw UserError("cannot read '" + path + "': read error after line " +
                    std::to_string(lines.size()));
  }
  return lines;
}

bool is_blank(const std::string& s) {
  for (const char c : s) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != '\v' && c != '\f') return false;
  }
  return true;
}

ParallelCorpus read_parallel(const std::string& src_path, const std::string& tgt_path, bool keep_empty) {
  std::vector<std::string> src = read_lines(src_path);
  std::vector<std::string> tgt = read_lines(tgt_path);
  if (src.size() != tgt.size()) {
    throw UserError("line counts differ: '" + src_path + "' has " + std::to_string(src.size()) +
                    " lines, '" + tgt_path + "' has " + std::to_string(tgt.size()));
  }
  ParallelCorpus corpus;
  corpus.src.reserve(src.size());
  corpus.tgt.reserve(tgt.size());
  for (size_t i = 0; i < src.size(); ++i) {
    if (!keep_empty && (is_blank(src[i]) || is_blank(tgt[i]))) {
      ++corpus.skipped_empty;
      continue;
    }
    corpus.src.push_back(std::move(src[i]));
    corpus.tgt.push_back(std::move(tgt[i]));
  }
  return corpus;
}

std::string prefixed_path(const std::string& prefix, const std::string& lang) {
  if (prefix.empty()) throw UserError("empty corpus prefix (for language '" + lang + "')");
  if (lang.empty()) throw UserError("empty language code for corpus prefix '" + prefix + "'");
  return prefix + "." + lang;
}

}  // namespace crosstalk::text
