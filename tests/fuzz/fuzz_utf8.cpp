// libFuzzer target: decode_utf8 / encode_utf8 (include/crosstalk/common/utf8.h).
//
// Properties, for any byte string s:
//  - decode_utf8(s) equals an independent decoder written from the Unicode Standard's
//    table of well-formed byte sequences (Table 3-7), with the documented error rule:
//    one U+FFFD per byte that does not start a well-formed sequence;
//  - every decoded code point is a Unicode scalar value (<= U+10FFFF, no surrogates),
//    and there are at most as many code points as bytes;
//  - s well-formed  =>  encode_utf8(decode_utf8(s)) == s  (round trip);
//    s ill-formed   =>  decode_utf8(s) contains U+FFFD;
//  - encode_utf8 of any decoded text is well-formed and decodes back to the same text;
//  - no read past the end of s (the std::string holds exactly the input, ASan and
//    _GLIBCXX_ASSERTIONS are on).
// utf8_sequence_length, first_invalid_utf8 and repair_utf8 must agree with the same
// reference: the length of the well-formed sequence at every offset (0 past the end),
// the offset of the first offending byte (npos for well-formed text), and
// encode_utf8(decode_utf8(s)) (plus NUL -> U+FFFD with replace_nul), which leaves
// well-formed text without NUL unchanged.
// The input read as 32-bit words, mapped onto scalar values, must also survive
// encode -> decode unchanged with the expected encoded length; raw 32-bit words (not
// scalar values, outside the documented contract) must merely not crash encode_utf8.

#include <cstring>

#include "crosstalk/common/utf8.h"
#include "fuzz_check.h"

namespace {

// Length of the well-formed sequence starting at s[i] (Table 3-7), 0 if there is none.
size_t well_formed_at(const std::string& s, size_t i) {
  auto at = [&](size_t k) -> int { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : -1; };
  auto in = [](int b, int lo, int hi) { return b >= lo && b <= hi; };
  const int b0 = at(0);
  if (in(b0, 0x00, 0x7F)) return 1;
  if (in(b0, 0xC2, 0xDF)) return in(at(1), 0x80, 0xBF) ? 2 : 0;
  int lo = 0x80, hi = 0xBF;
  if (b0 == 0xE0) lo = 0xA0;
  if (b0 == 0xED) hi = 0x9F;
  if (in(b0, 0xE0, 0xEF)) return in(at(1), lo, hi) && in(at(2), 0x80, 0xBF) ? 3 : 0;
  if (b0 == 0xF0) lo = 0x90;
  if (b0 == 0xF4) hi = 0x8F;
  if (in(b0, 0xF0, 0xF4)) return in(at(1), lo, hi) && in(at(2), 0x80, 0xBF) && in(at(3), 0x80, 0xBF) ? 4 : 0;
  return 0;
}

char32_t value_of(const std::string& s, size_t i, size_t len) {
  const auto b = [&](size_t k) { return static_cast<char32_t>(static_cast<unsigned char>(s[i + k])); };
  switch (len) {
    case 1: return b(0);
    case 2: return ((b(0) & 0x1F) << 6) | (b(1) & 0x3F);
    case 3: return ((b(0) & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F);
    default: return ((b(0) & 0x07) << 18) | ((b(1) & 0x3F) << 12) | ((b(2) & 0x3F) << 6) | (b(3) & 0x3F);
  }
}

std::u32string reference_decode(const std::string& s, bool* well_formed) {
  std::u32string out;
  *well_formed = true;
  for (size_t i = 0; i < s.size();) {
    const size_t len = well_formed_at(s, i);
    if (len == 0) {
      out += char32_t{0xFFFD};
      *well_formed = false;
      ++i;
    } else {
      out += value_of(s, i, len);
      i += len;
    }
  }
  return out;
}

bool is_well_formed(const std::string& s) {
  bool ok = false;
  reference_decode(s, &ok);
  return ok;
}

bool scalar(char32_t c) { return c <= 0x10FFFF && !(c >= 0xD800 && c <= 0xDFFF); }

size_t encoded_length(char32_t c) { return c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4; }

void run(const uint8_t* data, size_t size) {
  const std::string s = fuzz::input(data, size);
  const std::u32string decoded = crosstalk::decode_utf8(s);

  bool well_formed = false;
  const std::u32string expected = reference_decode(s, &well_formed);
  FUZZ_CHECK(decoded == expected, "decode_utf8 differs from the reference on '%s'", fuzz::show(s).c_str());
  FUZZ_CHECK(decoded.size() <= s.size(), "more code points than bytes");
  for (char32_t c : decoded) FUZZ_CHECK(scalar(c), "decoded U+%X is not a scalar value", static_cast<unsigned>(c));

  const std::string encoded = crosstalk::encode_utf8(decoded);
  if (well_formed) {
    FUZZ_CHECK(encoded == s, "round trip changed well-formed '%s' into '%s'", fuzz::show(s).c_str(),
               fuzz::show(encoded).c_str());
  } else {
    FUZZ_CHECK(decoded.find(char32_t{0xFFFD}) != std::u32string::npos, "ill-formed '%s' decoded without U+FFFD",
               fuzz::show(s).c_str());
  }
  FUZZ_CHECK(is_well_formed(encoded), "encode_utf8 produced ill-formed '%s'", fuzz::show(encoded).c_str());
  FUZZ_CHECK(crosstalk::decode_utf8(encoded) == decoded, "decode(encode(decoded)) != decoded for '%s'",
             fuzz::show(s).c_str());

  // The validation helpers.
  size_t first_bad = std::string::npos;
  for (size_t i = 0; i <= s.size() + 1; ++i) {
    const size_t want = i < s.size() ? well_formed_at(s, i) : 0;
    const size_t got = crosstalk::utf8_sequence_length(s, i);
    FUZZ_CHECK(got == want, "utf8_sequence_length(s, %zu) = %zu, expected %zu for '%s'", i, got, want,
               fuzz::show(s).c_str());
  }
  for (size_t i = 0; i < s.size();) {
    const size_t len = well_formed_at(s, i);
    if (len == 0) {
      first_bad = i;
      break;
    }
    i += len;
  }
  FUZZ_CHECK(crosstalk::first_invalid_utf8(s) == first_bad, "first_invalid_utf8 = %zu, expected %zu for '%s'",
             crosstalk::first_invalid_utf8(s), first_bad, fuzz::show(s).c_str());
  FUZZ_CHECK((first_bad == std::string::npos) == well_formed, "first_invalid_utf8 and decode disagree");
  const std::string repaired = crosstalk::repair_utf8(s);
  FUZZ_CHECK(repaired == encoded, "repair_utf8 differs from encode(decode()) for '%s'", fuzz::show(s).c_str());
  std::u32string no_nul = decoded;
  for (char32_t& c : no_nul)
    if (c == 0) c = 0xFFFD;
  const std::string repaired_nul = crosstalk::repair_utf8(s, /*replace_nul=*/true);
  FUZZ_CHECK(repaired_nul == crosstalk::encode_utf8(no_nul), "repair_utf8(replace_nul) wrong for '%s'",
             fuzz::show(s).c_str());
  FUZZ_CHECK(repaired_nul.find('\0') == std::string::npos && is_well_formed(repaired_nul),
             "repair_utf8(replace_nul) left a NUL or ill-formed bytes");
  if (well_formed && s.find('\0') == std::string::npos)
    FUZZ_CHECK(repaired_nul == s, "repair_utf8 changed valid text '%s'", fuzz::show(s).c_str());

  // The input as 32-bit words.
  std::u32string words(size / 4, 0);
  if (!words.empty()) std::memcpy(&words[0], data, words.size() * 4);
  (void)crosstalk::encode_utf8(words);  // outside the contract: no crash is all we ask
  std::u32string scalars;
  size_t want_bytes = 0;
  for (char32_t w : words) {
    char32_t c = w % 0x110000;
    if (c >= 0xD800 && c <= 0xDFFF) c -= 0x800;  // below the surrogates
    scalars += c;
    want_bytes += encoded_length(c);
  }
  const std::string enc = crosstalk::encode_utf8(scalars);
  FUZZ_CHECK(enc.size() == want_bytes, "encode_utf8 length %zu, expected %zu", enc.size(), want_bytes);
  FUZZ_CHECK(is_well_formed(enc), "encode_utf8 of scalar values is ill-formed");
  FUZZ_CHECK(crosstalk::decode_utf8(enc) == scalars, "decode(encode(scalars)) != scalars");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FUZZ_GUARD(run(data, size));
  return 0;
}
