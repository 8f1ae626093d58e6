#pragma once

#include <string>

namespace crosstalk {

/// `s` as a JSON string literal, quotes included: ", \ and control characters
/// escaped, UTF-8 passed through.
std::string json_string(const std::string& s);

}  // namespace crosstalk
