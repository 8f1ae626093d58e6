// Private UTF-8 helpers for the heatmaps (image and terminal): make words safe to draw,
// to put in XML and to print, and measure them in terminal columns.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "crosstalk/common/utf8.h"

namespace crosstalk::render::heatmap_detail {

/// `text` as valid UTF-8 that XML 1.0 and a terminal accept: an invalid byte sequence
/// becomes U+FFFD (one per offending byte, as decode_utf8 does), as does any code point
/// XML forbids (C0 controls, U+FFFE, U+FFFF); tab, newline and carriage return become a
/// space; DEL becomes U+FFFD.
inline std::string sanitize_utf8(const std::string& text) {
  std::u32string code_points = decode_utf8(text);
  for (char32_t& c : code_points) {
    if (c == U'\t' || c == U'\n' || c == U'\r') {
      c = U' ';
    } else if (c < 0x20 || c == 0x7F || c == 0xFFFE || c == 0xFFFF) {
      c = 0xFFFD;
    }
  }
  return encode_utf8(code_points);
}

/// Terminal columns `text` takes, counted as UTF-8 code points (bytes that are not
/// continuation bytes): "fährt" is 5. Wide (CJK) and combining characters are not special-cased.
inline std::size_t display_width(const std::string& text) {
  std::size_t width = 0;
  for (const char ch : text) {
    if ((static_cast<unsigned char>(ch) & 0xC0u) != 0x80u) ++width;
  }
  return width;
}

/// The first `count` code points of `text` (all of it if it has fewer).
inline std::string first_code_points(const std::string& text, std::size_t count) {
  std::size_t seen = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0u) != 0x80u) {
      if (seen == count) return text.substr(0, i);
      ++seen;
    }
  }
  return text;
}

}  // namespace crosstalk::render::heatmap_detail
