#include "crosstalk/text/line_reader.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <ios>
#include <iostream>
#include <streambuf>

#include "crosstalk/common/error.h"
#include "crosstalk/common/utf8.h"

namespace crosstalk::text {

namespace {

bool starts_with(const std::string& s, const char* prefix, size_t n) { return s.compare(0, n, prefix, n) == 0; }

std::string describe_flaws(size_t invalid_at, size_t nuls) {
  std::string what;
  if (invalid_at != std::string::npos)
    what = "invalid UTF-8 (byte " + std::to_string(invalid_at + 1) + " of the line)";
  if (nuls > 0) {
    if (!what.empty()) what += " and ";
    what += std::to_string(nuls) + (nuls == 1 ? " NUL byte" : " NUL bytes");
  }
  return what;
}

}  // namespace

size_t binary_percent(const std::string& window, bool cut) {
  size_t bad = 0, i = 0;
  const size_t end = cut && window.size() > 3 ? window.size() - 3 : window.size();
  while (i < end) {
    const auto c = static_cast<unsigned char>(window[i]);
    if (c < 0x20) {
      if (c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v' && c != 0x1B) ++bad;
      ++i;
      continue;
    }
    const size_t len = utf8_sequence_length(window, i);
    if (len == 0) ++bad;
    i += std::max<size_t>(len, 1);
  }
  return end == 0 ? 0 : bad * 100 / end;
}

std::string display_name(const std::string& path) { return path.empty() ? "stdin" : "'" + path + "'"; }

LineReader::LineReader(std::istream& in, const std::string& name, std::string bad_line_action, BinaryCheck binary)
    : in_(in), display_(text::display_name(name)), action_(std::move(bad_line_action)), check_(binary),
      decided_(binary != BinaryCheck::start) {}

void LineReader::sniff_byte(char c) {
  window_ += c;
  if (window_.size() >= kSniffBytes) decide();
}

void LineReader::decide() {
  if (decided_) return;
  decided_ = true;
  const size_t percent = binary_percent(window_, window_.size() >= kSniffBytes);
  if (percent > kBinaryPercent) {
    held_.clear();
    throw UserError(display_ + " looks like a binary file, not text: " + std::to_string(percent) +
                    "% of its first " + std::to_string(window_.size()) +
                    " bytes are NUL bytes, control characters or invalid UTF-8");
  }
  window_.clear();
  window_.shrink_to_fit();
  for (auto& message : held_) spdlog::warn("{}", message);
  held_.clear();
}

void LineReader::warn(std::string message) {
  if (decided_) spdlog::warn("{}", message);
  else held_.push_back(std::move(message));
}

// One line's bytes without the '\n'; false at the end of the input. UserError on a read
// error (libstdc++'s file buffers throw it; stdin's sets ferror).
bool LineReader::read_raw(std::string* raw) {
  try {
    return read_raw_bytes(raw);
  } catch (const std::ios_base::failure& e) {
    const std::string what = e.what();
    const size_t colon = what.rfind(": ");
    throw UserError("cannot read " + display_ + " after line " + std::to_string(line_number_) + ": " +
                    (colon == std::string::npos ? what : what.substr(colon + 2)));
  }
}

bool LineReader::read_raw_bytes(std::string* raw) {
  raw->clear();
  if (at_end_) return false;
  std::streambuf* buf = in_.rdbuf();
  while (true) {
    const int c = buf ? buf->sbumpc() : std::char_traits<char>::eof();
    if (c == std::char_traits<char>::eof()) {
      if (&in_ == &std::cin && std::ferror(stdin))
        throw UserError("cannot read stdin after line " + std::to_string(line_number_) + ": read error");
      at_end_ = true;
      decide();
      last_had_break_ = false;
      return !raw->empty();
    }
    if (!decided_) sniff_byte(static_cast<char>(c));
    if (c == '\n') {
      last_had_break_ = true;
      return true;
    }
    raw->push_back(static_cast<char>(c));
    if (raw->size() > kMaxLineBytes)
      throw UserError(display_ + " line " + std::to_string(line_number_ + 1) + " is longer than " +
                      std::to_string(kMaxLineBytes >> 20) + " MiB without a line break: not a text file?");
  }
}

bool LineReader::next(std::string* line, bool* flawed) {
  if (flawed) *flawed = false;
  if (!read_raw(line)) return false;
  ++line_number_;
  while (check_ == BinaryCheck::each_line && binary_percent(*line) > kBinaryPercent) {
    if (binary_.next())
      warn(display_ + " line " + std::to_string(line_number_) +
           ": mostly NUL bytes, control characters or invalid UTF-8 (binary data?): skipped");
    if (!read_raw(line)) return false;
    ++line_number_;
  }
  if (line_number_ == 1) {
    if (starts_with(*line, "\xFF\xFE", 2) || starts_with(*line, "\xFE\xFF", 2) ||
        starts_with(*line, "\0\0\xFE\xFF", 4))
      throw UserError(display_ + " starts with a UTF-16 or UTF-32 byte-order mark: crosstalk reads UTF-8 text "
                      "(convert it, e.g. iconv -f UTF-16 -t UTF-8)");
    if (starts_with(*line, "\xEF\xBB\xBF", 3)) {
      line->erase(0, 3);
      if (line->empty() && !last_had_break_) return false;  // nothing but the mark: no lines
    }
  }
  if (!line->empty() && line->back() == '\r') line->pop_back();
  const size_t invalid_at = first_invalid_utf8(*line);
  const auto nuls = static_cast<size_t>(std::count(line->begin(), line->end(), '\0'));
  if (invalid_at == std::string::npos && nuls == 0) return true;
  if (flawed) *flawed = true;
  if (warnings_.next())
    warn(display_ + " line " + std::to_string(line_number_) + ": " + describe_flaws(invalid_at, nuls) + ": " +
         action_);
  *line = repair_utf8(*line, /*replace_nul=*/true);
  return true;
}

void LineReader::finish() {
  if (finished_) return;
  finished_ = true;
  decided_ = true;  // an early stop: show what was held back, without a verdict
  for (auto& message : held_) spdlog::warn("{}", message);
  held_.clear();
  if (binary_.hidden() > 0)
    spdlog::warn("{}: {} lines looked like binary data ({} more than shown above): skipped", display_,
                 binary_.count(), binary_.hidden());
  if (warnings_.hidden() > 0)
    spdlog::warn("{}: {} lines had invalid UTF-8 or NUL bytes ({} more than shown above): {}", display_,
                 warnings_.count(), warnings_.hidden(), action_);
}

}  // namespace crosstalk::text
