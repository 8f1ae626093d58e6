#include "crosstalk/common/positive_index.h"

#include <exception>

namespace crosstalk {

std::optional<int64_t> parse_positive_index(const std::string& text) {
  if (text.empty() || text[0] < '0' || text[0] > '9') return std::nullopt;  // stoll would skip spaces, take signs
  size_t used = 0;
  long long value = 0;
  try {
    value = std::stoll(text, &used);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (used != text.size() || value < 1) return std::nullopt;
  return static_cast<int64_t>(value);
}

}  // namespace crosstalk
