// libFuzzer target: the 13a tokenizer (eval::tokenize_13a) on arbitrary bytes.
//
// Properties that hold for every input (the tokenizer only removes "<skipped>" and "-\n",
// turns "\n" into a space, unescapes four entities, inserts spaces and collapses
// whitespace):
//  - the output is well-formed UTF-8 (ill-formed input bytes become U+FFFD);
//  - tokens are separated by single ASCII spaces, with no leading or trailing space and no
//    other (Python str.isspace) whitespace anywhere;
//  - every character of the 13a symbol class (ASCII punctuation except ' , - .) is a
//    token by itself;
//  - the output without its spaces equals the input (decoded, "<skipped>", "-\n", "\n"
//    and the entities replaced as documented) without its whitespace: nothing but
//    whitespace is ever added or lost;
//  - is_python_space agrees with the list of Python 3's str.isspace() characters.

#include "crosstalk/common/utf8.h"
#include "crosstalk/eval/tokenizer_13a.h"
#include "fuzz_check.h"

namespace {

using crosstalk::decode_utf8;
using crosstalk::encode_utf8;
using crosstalk::eval::is_python_space;

// Python's str.replace on UTF-8 text with ASCII patterns (byte-wise is the same).
std::string replace_all(const std::string& s, const std::string& from, const std::string& to) {
  std::string out;
  size_t pos = 0;
  for (size_t hit; (hit = s.find(from, pos)) != std::string::npos; pos = hit + from.size()) {
    out.append(s, pos, hit - pos);
    out += to;
  }
  out.append(s, pos, std::string::npos);
  return out;
}

bool symbol(char32_t c) {
  static const std::u32string kSymbols = U"!\"#$%&()*+/:;<=>?@[\\]^_`{|}~";
  return kSymbols.find(c) != std::u32string::npos;
}

// Python 3.8+ str.isspace(): bidirectional class WS, B or S, or category Zs.
bool python_space(char32_t c) {
  static const std::u32string kSpaces =
      U"\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
      U"\u2009\u200a\u2028\u2029\u202f\u205f\u3000";
  return kSpaces.find(c) != std::u32string::npos;
}

void run(const std::string& line) {
  const std::string out = crosstalk::eval::tokenize_13a(line);
  const std::u32string cps = decode_utf8(out);
  FUZZ_CHECK(encode_utf8(cps) == out, "output is not well-formed UTF-8 for '%s'", fuzz::show(line).c_str());

  for (size_t i = 0; i < cps.size(); ++i) {
    const char32_t c = cps[i];
    FUZZ_CHECK(is_python_space(c) == python_space(c), "is_python_space(U+%X) is wrong", static_cast<unsigned>(c));
    if (c == U' ') {
      FUZZ_CHECK(i > 0 && i + 1 < cps.size() && cps[i + 1] != U' ', "leading, trailing or double space in '%s'",
                 fuzz::show(out).c_str());
    } else {
      FUZZ_CHECK(!python_space(c), "whitespace U+%X inside a token of '%s'", static_cast<unsigned>(c),
                 fuzz::show(out).c_str());
    }
    if (symbol(c)) {
      const bool alone = (i == 0 || cps[i - 1] == U' ') && (i + 1 == cps.size() || cps[i + 1] == U' ');
      FUZZ_CHECK(alone, "symbol '%c' not split off in '%s'", static_cast<char>(c), fuzz::show(out).c_str());
    }
  }

  // Nothing but whitespace added or lost.
  std::string text = encode_utf8(decode_utf8(line));
  text = replace_all(text, "<skipped>", "");
  text = replace_all(text, "-\n", "");
  text = replace_all(text, "\n", " ");
  text = replace_all(text, "&quot;", "\"");
  text = replace_all(text, "&amp;", "&");
  text = replace_all(text, "&lt;", "<");
  text = replace_all(text, "&gt;", ">");
  std::u32string want;
  for (char32_t c : decode_utf8(text))
    if (!python_space(c)) want += c;
  std::u32string got;
  for (char32_t c : cps)
    if (c != U' ') got += c;
  FUZZ_CHECK(got == want, "tokens of '%s' are not its non-space characters: '%s'", fuzz::show(line).c_str(),
             fuzz::show(out).c_str());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FUZZ_GUARD(run(fuzz::input(data, size)));
  // Also every code point around the ones the input names (is_python_space's ranges).
  if (size >= 3) {
    const char32_t c = (static_cast<char32_t>(data[0]) << 16 | data[1] << 8 | data[2]) % 0x110000;
    bool ok = true;
    for (char32_t d = c; d < c + 4 && ok; ++d) ok = is_python_space(d) == python_space(d);
    FUZZ_CHECK(ok, "is_python_space is wrong near U+%X", static_cast<unsigned>(c));
  }
  return 0;
}
