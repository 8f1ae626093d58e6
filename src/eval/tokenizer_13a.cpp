#include "crosstalk/eval/tokenizer_13a.h"

#include <cstddef>

namespace crosstalk::eval {

namespace {

// Python's str.replace(old, new): left to right, non-overlapping.
void replace_all(std::u32string& s, const std::u32string& from, const std::u32string& to) {
  if (s.find(from) == std::u32string::npos) return;
  std::u32string out;
  out.reserve(s.size());
  std::size_t pos = 0;
  for (std::size_t hit; (hit = s.find(from, pos)) != std::u32string::npos;
       pos = hit + from.size()) {
    out.append(s, pos, hit - pos);
    out += to;
  }
  out.append(s, pos, std::u32string::npos);
  s.swap(out);
}

bool is_ascii_digit(char32_t c) { return c >= U'0' && c <= U'9'; }
bool is_period_or_comma(char32_t c) { return c == U'.' || c == U','; }
bool is_not_digit(char32_t c) { return !is_ascii_digit(c); }
bool is_dash(char32_t c) { return c == U'-'; }

// The class [\{-\~\[-\` -\&\(-\+\:-\@\/]: ASCII 0x20-0x26, 0x28-0x2B, 0x2F, 0x3A-0x40,
// 0x5B-0x60 and 0x7B-0x7E (so not ' , - . digits letters).
bool is_13a_symbol(char32_t c) {
  return (c >= 0x20 && c <= 0x26) || (c >= 0x28 && c <= 0x2B) || c == 0x2F ||
         (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60) || (c >= 0x7B && c <= 0x7E);
}

// re.sub(r'([A])([B])', repl, s) for single-character classes A and B, where repl is
// r'\1 \2 ' (space_before == false) or r' \1 \2' (space_before == true). Python scans
// left to right and resumes after each match, so matches never overlap.
template <class First, class Second>
std::u32string sub_pairs(const std::u32string& s, First first, Second second, bool space_before) {
  std::u32string out;
  out.reserve(s.size() + s.size() / 4 + 4);
  std::size_t i = 0;
  while (i < s.size()) {
    if (i + 1 < s.size() && first(s[i]) && second(s[i + 1])) {
      if (space_before) out += U' ';
      out += s[i];
      out += U' ';
      out += s[i + 1];
      if (!space_before) out += U' ';
      i += 2;
    } else {
      out += s[i];
      i += 1;
    }
  }
  return out;
}

std::u32string tokenize_13a_u32(std::u32string line) {
  // Language-independent part.
  replace_all(line, U"<skipped>", U"");
  replace_all(line, U"-\n", U"");
  replace_all(line, U"\n", U" ");
  if (line.find(U'&') != std::u32string::npos) {
    replace_all(line, U"&quot;", U"\"");
    replace_all(line, U"&amp;", U"&");
    replace_all(line, U"&lt;", U"<");
    replace_all(line, U"&gt;", U">");
  }

  // TokenizerRegexp, applied to f' {line} '.
  std::u32string padded;
  padded.reserve(line.size() * 2 + 2);
  padded += U' ';
  for (char32_t c : line) {
    if (is_13a_symbol(c)) {
      padded += U' ';
      padded += c;
      padded += U' ';
    } else {
      padded += c;
    }
  }
  padded += U' ';
  // period and comma unless preceded by a digit
  std::u32string s = sub_pairs(padded, is_not_digit, is_period_or_comma, false);
  // period and comma unless followed by a digit
  s = sub_pairs(s, is_period_or_comma, is_not_digit, true);
  // dash when preceded by a digit
  s = sub_pairs(s, is_ascii_digit, is_dash, false);

  // ' '.join(line.split())
  std::u32string out;
  out.reserve(s.size());
  bool pending_space = false;
  for (char32_t c : s) {
    if (is_python_space(c)) {
      pending_space = !out.empty();
    } else {
      if (pending_space) out += U' ';
      pending_space = false;
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string tokenize_13a(const std::string& line) {
  return encode_utf8(tokenize_13a_u32(decode_utf8(line)));
}

bool is_python_space(char32_t c) {
  switch (c) {
    case 0x09: case 0x0A: case 0x0B: case 0x0C: case 0x0D:
    case 0x1C: case 0x1D: case 0x1E: case 0x1F: case 0x20:
    case 0x85: case 0xA0: case 0x1680:
    case 0x2028: case 0x2029: case 0x202F: case 0x205F: case 0x3000:
      return true;
    default:
      return c >= 0x2000 && c <= 0x200A;
  }
}

}  // namespace crosstalk::eval
