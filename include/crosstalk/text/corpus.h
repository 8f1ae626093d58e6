#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace crosstalk::text {

/// Reads a UTF-8 text file, one string per line (without the line break; a trailing
/// '\r' and a leading UTF-8 byte-order mark are stripped). UserError if the file
/// cannot be opened or read ("cannot open 'PATH': No such file or directory"), or if
/// a line is not valid UTF-8 (the message names the file and the 1-based line).
std::vector<std::string> read_lines(const std::string& path);

struct ParallelCorpus {
  std::vector<std::string> src, tgt;
  size_t skipped_empty = 0;
};

/// Reads two line-aligned files. Different line counts -> UserError naming both files
/// and both counts ("line counts differ: 'a.de' has 10 lines, 'a.en' has 9"). Unless
/// keep_empty, pairs where either side is blank are skipped and counted in skipped_empty.
ParallelCorpus read_parallel(const std::string& src_path, const std::string& tgt_path, bool keep_empty = false);

/// True if `line` is empty or holds only ASCII whitespace.
bool is_blank(const std::string& line);

/// "<prefix>.<lang>", e.g. ("data/multi30k/train", "de") -> "data/multi30k/train.de".
/// UserError if prefix or lang is empty.
std::string prefixed_path(const std::string& prefix, const std::string& lang);

}  // namespace crosstalk::text
