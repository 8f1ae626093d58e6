#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace crosstalk {

/// `j` as compact JSON text with every floating-point number written with 6 significant
/// digits ("%.6g": 0.0305475, 1e-05, 1), which nlohmann's own dump() does not promise (its
/// Grisu2 output of the double nearest 0.0305475 is 0.030547499999999998). Integers,
/// strings and the key order are as dump() writes them; invalid UTF-8 in a string is
/// replaced by U+FFFD instead of throwing. `spaced`: ", " and ": " between the top-level
/// object's members (the attention JSON file's layout), nested values stay compact.
std::string json_text(const nlohmann::ordered_json& j, bool spaced = false);

}  // namespace crosstalk
