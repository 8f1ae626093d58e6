// config.toml through toml++ (store/model_config.h).
#include "crosstalk/store/model_config.h"

#include <set>
#include <sstream>

#include "crosstalk/common/atomic_file.h"
#include "crosstalk/common/error.h"
#include "crosstalk/model/settings.h"
#include "crosstalk/store/toml_file.h"

namespace crosstalk::store {

namespace {

// One setting's value from its TOML node, by the member's type.
void read_value(const toml::node& node, const std::string& key, const std::string& name, int64_t& value) {
  value = integer_value(node, key, name);
}
void read_value(const toml::node& node, const std::string& key, const std::string& name, double& value) {
  value = number_value(node, key, name);
}
void read_value(const toml::node& node, const std::string& key, const std::string& name, bool& value) {
  value = bool_value(node, key, name);
}

std::string printable(std::string_view s) {
  std::string out;
  for (const unsigned char c : s.substr(0, 40)) out += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '?';
  return out;
}

}  // namespace

std::string format_model_config(const model::ModelOptions& options) {
  std::ostringstream out;
  out << "# crosstalk model hyper-parameters (written by `crosstalk train`, read by translate)\n";
  model::for_each_setting(options, [&](const model::ModelSetting& s, const auto& value) {
    out << toml_line(s.key, value) << "\n";
  });
  return out.str();
}

model::ModelOptions parse_model_config(const std::string& text, const std::string& name) {
  const auto table = parse_toml(text, name);
  model::ModelOptions options;
  std::set<std::string> known;
  model::for_each_setting(options, [&](const model::ModelSetting& s, auto& value) {
    known.insert(s.key);
    const auto* node = table.get(s.key);
    if (!node) throw UserError("'" + name + "': missing key '" + s.key + "'");
    read_value(*node, s.key, name, value);
  });
  for (const auto& [key, node] : table)
    if (!known.count(std::string(key.str())))
      throw UserError(where(name, node) + ": unknown key '" + printable(key.str()) + "'");
  if (const auto error = model::invalid_settings(options); !error.empty()) throw UserError("'" + name + "': " + error);
  return options;
}

void write_model_config(const std::string& path, const model::ModelOptions& options) {
  write_file_atomic(path, format_model_config(options));
}

model::ModelOptions read_model_config(const std::string& path) {
  std::string text;
  try {
    text = read_file_bytes(path);
  } catch (const UserError&) {
    throw UserError("cannot read model config '" + path + "'");
  }
  return parse_model_config(text, path);
}

}  // namespace crosstalk::store
