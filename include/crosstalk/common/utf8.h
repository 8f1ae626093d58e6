#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace crosstalk {

/// Decodes UTF-8 into code points, as Python's str sees them. An invalid or truncated
/// sequence becomes one U+FFFD per offending byte (Python would refuse to decode it).
std::u32string decode_utf8(const std::string& text);

/// Encodes code points as UTF-8.
std::string encode_utf8(const std::u32string& text);

/// Length (1 to 4) of the well-formed UTF-8 sequence that starts text[at], or 0 if none
/// does there (a stray continuation byte, an overlong form, a surrogate, a code point
/// above U+10FFFF, or a sequence cut short by the end of `text`).
std::size_t utf8_sequence_length(std::string_view text, std::size_t at);

/// Byte offset of the first byte that does not start a well-formed UTF-8 sequence, or
/// std::string::npos when all of `text` is valid UTF-8.
std::size_t first_invalid_utf8(std::string_view text);

/// `text` with every byte that is not part of a well-formed sequence replaced by U+FFFD
/// (as decode_utf8 does), and, with replace_nul, every NUL byte too. Valid text without
/// NUL bytes comes back unchanged.
std::string repair_utf8(std::string_view text, bool replace_nul = false);

}  // namespace crosstalk
