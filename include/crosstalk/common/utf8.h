#pragma once

#include <string>

namespace crosstalk {

/// Decodes UTF-8 into code points, as Python's str sees them. An invalid or truncated
/// sequence becomes one U+FFFD per offending byte (Python would refuse to decode it).
std::u32string decode_utf8(const std::string& text);

/// Encodes code points as UTF-8.
std::string encode_utf8(const std::u32string& text);

}  // namespace crosstalk
