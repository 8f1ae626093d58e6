#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace crosstalk::text {

/// What a reader does with a line that holds invalid UTF-8 or NUL bytes.
enum class FlawedLines {
  skip,    // leave it out, with a warning that names the file and line (and a count)
  repair,  // keep it, each bad byte replaced by U+FFFD, with a warning: lines stay aligned
};

/// Reads a UTF-8 text file, one string per line, through LineReader (line_reader.h): no
/// line break, a trailing '\r' and a leading UTF-8 byte-order mark are stripped, lines
/// with invalid UTF-8 or NUL bytes are skipped or repaired (`flawed`) with a warning.
/// UserError if the file cannot be opened ("cannot open 'PATH': No such file or
/// directory"), is a directory ("'PATH' is a directory, not a file"), is binary or
/// UTF-16, or has a line over LineReader::kMaxLineBytes.
std::vector<std::string> read_lines(const std::string& path, FlawedLines flawed = FlawedLines::skip);

struct ParallelCorpus {
  std::vector<std::string> src, tgt;
  size_t skipped_empty = 0;   // pairs left out: a blank side (unless keep_empty)
  size_t skipped_flawed = 0;  // pairs left out: invalid UTF-8 or NUL bytes on a side (unless keep_empty)
  size_t repaired = 0;        // lines kept with U+FFFD for their bad bytes (keep_empty)
  size_t file_lines = 0;      // lines in each of the two files
  std::vector<size_t> line_numbers;  // 1-based line of each kept pair in the files
};

/// Reads two line-aligned files. Different line counts -> UserError naming both files
/// and both counts ("line counts differ: 'a.de' has 10 lines, 'a.en' has 9").
/// keep_empty keeps every line, so that the pairs stay aligned with the files (eval,
/// align): blank lines stay, lines with invalid UTF-8 or NUL bytes are repaired (U+FFFD)
/// with a warning. Otherwise (training data) pairs where either side is blank are
/// skipped and counted in skipped_empty, and pairs where either side has invalid UTF-8
/// or NUL bytes are skipped with a warning and counted in skipped_flawed.
ParallelCorpus read_parallel(const std::string& src_path, const std::string& tgt_path, bool keep_empty = false);

/// True if `line` is empty or holds only ASCII whitespace.
bool is_blank(const std::string& line);

/// "<prefix>.<lang>", e.g. ("data/multi30k/train", "de") -> "data/multi30k/train.de".
/// UserError if prefix or lang is empty.
std::string prefixed_path(const std::string& prefix, const std::string& lang);

}  // namespace crosstalk::text
