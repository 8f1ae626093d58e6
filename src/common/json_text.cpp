#include "crosstalk/common/json_text.h"

#include <cmath>
#include <cstdio>

namespace crosstalk {

namespace {

using nlohmann::ordered_json;

void write(const ordered_json& j, std::string& out, bool spaced) {
  const char* comma = spaced ? ", " : ",";
  const char* colon = spaced ? ": " : ":";
  if (j.is_object()) {
    out += '{';
    bool first = true;
    for (const auto& item : j.items()) {
      if (!first) out += comma;
      first = false;
      out += ordered_json(item.key()).dump(-1, ' ', false, ordered_json::error_handler_t::replace);
      out += colon;
      write(item.value(), out, false);
    }
    out += '}';
  } else if (j.is_array()) {
    out += '[';
    for (size_t i = 0; i < j.size(); ++i) {
      if (i) out += comma;
      write(j[i], out, false);
    }
    out += ']';
  } else if (j.is_number_float() && std::isfinite(j.get<double>())) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.6g", j.get<double>());
    out += buf;
  } else {
    out += j.dump(-1, ' ', false, ordered_json::error_handler_t::replace);  // NaN/inf: null, as dump() does
  }
}

}  // namespace

std::string json_text(const nlohmann::ordered_json& j, bool spaced) {
  std::string out;
  write(j, out, spaced);
  return out;
}

}  // namespace crosstalk
