// Private UTF-8 helpers for the heatmaps (image and terminal): make words safe to draw,
// to put in XML and to print, and measure them in terminal columns.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace crosstalk::align::heatmap_detail {

/// `text` as valid UTF-8 that XML 1.0 and a terminal accept: an invalid byte sequence
/// becomes U+FFFD, as does any code point XML forbids (C0 controls, U+FFFE, U+FFFF); tab,
/// newline and carriage return become a space; DEL becomes U+FFFD.
inline std::string sanitize_utf8(const std::string& text) {
  static const char kReplacement[] = "\xEF\xBF\xBD";
  std::string out;
  out.reserve(text.size());
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    const unsigned char c = s[i];
    if (c < 0x80) {
      if (c == '\t' || c == '\n' || c == '\r') {
        out += ' ';
      } else if (c < 0x20 || c == 0x7F) {
        out += kReplacement;
      } else {
        out += static_cast<char>(c);
      }
      ++i;
      continue;
    }
    std::size_t len = 0;
    uint32_t cp = 0;
    uint32_t min = 0;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2, cp = c & 0x1Fu, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3, cp = c & 0x0Fu, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4, cp = c & 0x07u, min = 0x10000;
    }
    bool ok = len != 0 && i + len <= n;
    for (std::size_t k = 1; ok && k < len; ++k) {
      if ((s[i + k] & 0xC0u) != 0x80u) {
        ok = false;
      } else {
        cp = (cp << 6) | (s[i + k] & 0x3Fu);
      }
    }
    ok = ok && cp >= min && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF) && cp != 0xFFFE &&
         cp != 0xFFFF;
    if (ok) {
      out.append(text, i, len);
      i += len;
    } else {
      out += kReplacement;
      ++i;
    }
  }
  return out;
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

}  // namespace crosstalk::align::heatmap_detail
