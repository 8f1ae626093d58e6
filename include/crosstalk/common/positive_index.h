#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace crosstalk {

/// `text` as a positive integer ("3"), or std::nullopt when it is anything else ("0",
/// "-1", "2x", "", "avg"). For flags and config values that take "N or a keyword".
std::optional<int64_t> parse_positive_index(const std::string& text);

}  // namespace crosstalk
