// TOML through toml++, with crosstalk's one-line errors (store/toml_file.h).
#include "crosstalk/store/toml_file.h"

#include <cstdlib>
#include <iomanip>
#include <sstream>
#include <string_view>

#include "crosstalk/common/error.h"

namespace crosstalk::store {

namespace {

// At most 40 printable characters of a key or value, for messages.
std::string printable(std::string_view s) {
  std::string out;
  for (const unsigned char c : s.substr(0, 40)) out += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '?';
  return out;
}

[[noreturn]] void bad_value(const toml::node& node, const std::string& key, const std::string& name,
                            const char* expected) {
  std::ostringstream shown;
  if (node.is_string()) shown << '"' << printable(*node.value<std::string>()) << '"';
  else if (node.is_table() || node.is_array()) shown << (node.is_table() ? "a table" : "an array");
  else node.visit([&](const auto& v) { shown << v; });
  throw UserError(where(name, node) + ": bad value " + printable(shown.str()) + " for '" + printable(key) +
                  "' (expected " + expected + ")");
}

// The key that line `number` (from 1) of `text` sets, as far as it can be told: the
// printable text before its '=' (empty when there is none).
std::string key_on_line(const std::string& text, size_t number) {
  std::istringstream in(text);
  std::string line;
  for (size_t i = 0; i < number && std::getline(in, line); ++i) {
  }
  const auto eq = line.find('=');
  if (eq == std::string::npos) return "";
  const auto begin = line.find_first_not_of(" \t");
  const auto end = line.find_last_not_of(" \t", eq == 0 ? 0 : eq - 1);
  if (begin == std::string::npos || begin >= eq || end == std::string::npos) return "";
  return printable(std::string_view(line).substr(begin, end - begin + 1));
}

// The shortest decimal text that reads back as exactly `x` (0.1 -> "0.1").
std::string shortest_text(double x) {
  for (int precision = 6; precision <= 17; ++precision) {
    std::ostringstream s;
    s << std::setprecision(precision) << x;
    if (std::strtod(s.str().c_str(), nullptr) == x) return s.str();
  }
  std::ostringstream s;
  s << std::setprecision(17) << x;
  return s.str();
}

}  // namespace

toml::table parse_toml(const std::string& text, const std::string& name) {
  try {
    return toml::parse(std::string_view(text), std::string_view(name));
  } catch (const toml::parse_error& e) {
    const auto line = e.source().begin.line;
    const std::string key = key_on_line(text, line);
    throw UserError("'" + name + "' line " + std::to_string(line) + (key.empty() ? "" : ", key '" + key + "'") +
                    ": " + std::string(e.description()));
  }
}

std::string where(const std::string& name, const toml::node& node) {
  return "'" + name + "' line " + std::to_string(node.source().begin.line);
}

int64_t integer_value(const toml::node& node, const std::string& key, const std::string& name) {
  if (const auto* v = node.as_integer()) return v->get();
  bad_value(node, key, name, "an integer");
}

double number_value(const toml::node& node, const std::string& key, const std::string& name) {
  if (const auto* v = node.as_floating_point()) return v->get();
  if (const auto* v = node.as_integer()) return static_cast<double>(v->get());
  bad_value(node, key, name, "a number");
}

bool bool_value(const toml::node& node, const std::string& key, const std::string& name) {
  if (const auto* v = node.as_boolean()) return v->get();
  bad_value(node, key, name, "true or false");
}

std::string string_value(const toml::node& node, const std::string& key, const std::string& name) {
  if (const auto* v = node.as_string()) return v->get();
  bad_value(node, key, name, "a string");
}

std::string toml_line(const std::string& key, int64_t value) { return key + " = " + std::to_string(value); }

std::string toml_line(const std::string& key, bool value) { return key + " = " + (value ? "true" : "false"); }

std::string toml_line(const std::string& key, double value) {
  std::string text = shortest_text(value);
  // A TOML float needs a '.' or an exponent ("inf" and "nan" are spelled as C++ does).
  if (text.find_first_of(".eEn") == std::string::npos) text += ".0";
  return key + " = " + text;
}

std::string toml_line(const std::string& key, const std::string& value) {
  std::ostringstream out;
  // A basic string, "..." with escapes, as people write TOML (toml++ would choose '...').
  out << toml::toml_formatter{toml::value<std::string>(value), toml::format_flags::none};
  return key + " = " + out.str();
}

}  // namespace crosstalk::store
