#pragma once

#include <cstddef>
#include <cstdint>
#include <istream>
#include <string>
#include <vector>

#include "crosstalk/common/warning_limit.h"

namespace crosstalk::text {

/// Reads UTF-8 text one line at a time from a file or a stream (stdin), and stands up
/// to hostile input:
/// - a UTF-8 byte-order mark at the start is dropped, and the '\r' of a CRLF line end;
/// - a line with invalid UTF-8 or NUL bytes comes back repaired, every bad byte (and
///   every NUL) replaced by U+FFFD, and flagged; a warning names the input, the line
///   number and what the caller does with it (`bad_line_action`). The first
///   WarningLimit::kDefaultShown such lines are shown one by one, the rest counted for
///   one summary line (finish());
/// - UserError for a UTF-16/UTF-32 byte-order mark, for a line longer than
///   kMaxLineBytes and for a read error;
/// - binary data (over kBinaryPercent % of the bytes are NUL bytes, control characters
///   or invalid UTF-8): with BinaryCheck::start, judged on the first kSniffBytes bytes,
///   UserError; with BinaryCheck::each_line, judged line by line, such a line is skipped
///   with a warning (counted, like the flawed lines).
/// With BinaryCheck::start the warnings of the lines in the sniffed window are held back
/// until the data is known to be text, so that binary input gets the one error line.
class LineReader {
 public:
  static constexpr size_t kSniffBytes = 8192;
  static constexpr size_t kBinaryPercent = 30;
  static constexpr size_t kMaxLineBytes = size_t{16} << 20;  // 16 MiB

  enum class BinaryCheck {
    start,      // the first 8 KiB decide for the whole input: files and piped input
    each_line,  // each line alone (an interactive prompt must not wait for 8 KiB of input)
  };

  /// `in` must outlive the reader. `name` is the file's path ("" for stdin), as
  /// messages show it. `bad_line_action`, e.g. "replaced with U+FFFD", ends the warning
  /// of a flawed line.
  LineReader(std::istream& in, const std::string& name, std::string bad_line_action,
             BinaryCheck binary = BinaryCheck::start);

  /// The next line, without its line break, repaired as described. false at the end of
  /// the input. `flawed` (if given) says whether the line had invalid UTF-8 or NUL bytes.
  bool next(std::string* line, bool* flawed = nullptr);
  /// 1-based number of the line next() returned last.
  int64_t line_number() const { return line_number_; }
  /// Lines that had invalid UTF-8 or NUL bytes so far (and were returned repaired).
  int64_t flawed_lines() const { return warnings_.count(); }
  /// Lines skipped as binary data (BinaryCheck::each_line).
  int64_t binary_lines() const { return binary_.count(); }
  /// "'in.de'" for a file, "stdin" for standard input.
  const std::string& display_name() const { return display_; }
  /// One summary warning if more flawed lines were counted than shown; call once at the end.
  void finish();

 private:
  bool read_raw(std::string* raw);
  bool read_raw_bytes(std::string* raw);
  void sniff_byte(char c);
  void decide();
  void warn(std::string message);

  std::istream& in_;
  std::string display_, action_;
  BinaryCheck check_;
  bool decided_;
  std::string window_;                 // the first kSniffBytes bytes, until decided
  std::vector<std::string> held_;      // warnings held back until decided
  int64_t line_number_ = 0;
  bool at_end_ = false, finished_ = false;
  bool last_had_break_ = false;        // the raw line read last ended with '\n'

  WarningLimit warnings_, binary_;
};

/// Percentage of the bytes of `bytes` that no text has: NUL, control characters other
/// than whitespace and ESC, and bytes outside well-formed UTF-8. With `cut`, the last
/// three bytes are left out (a multi-byte character may continue past them).
size_t binary_percent(const std::string& bytes, bool cut = false);

/// "'path'", or "stdin" for an empty path: how messages name an input.
std::string display_name(const std::string& path);

}  // namespace crosstalk::text
