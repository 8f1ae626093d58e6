#include "crosstalk/serve/model_info.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "crosstalk/align/attention_record.h"
#include "crosstalk/serve/result.h"
#include "crosstalk/train/checkpoint.h"

namespace crosstalk::serve {

namespace {

using nlohmann::ordered_json;

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

ordered_json toml_value(const std::string& v) {
  if (v == "true") return true;
  if (v == "false") return false;
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') return v.substr(1, v.size() - 2);
  const auto parsed = ordered_json::parse(v, nullptr, /*allow_exceptions=*/false);
  return parsed.is_number() ? parsed : ordered_json(v);
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

ordered_json config_json(const std::string& toml_text) {
  ordered_json out = ordered_json::object();
  std::istringstream in(toml_text);
  for (std::string line; std::getline(in, line);) {
    line = trim(line);
    const auto eq = line.find('=');
    if (line.empty() || line[0] == '#' || eq == std::string::npos) continue;
    out[trim(line.substr(0, eq))] = toml_value(trim(line.substr(eq + 1)));
  }
  return out;
}

ordered_json model_info_json(const ModelInfo& info) {
  const train::ModelDir dir(info.model_dir);
  const auto& o = info.options;
  const auto selection = default_selection();
  ordered_json j;
  j["model_dir"] = info.model_dir;
  j["layers"] = o.decoder_layers();
  j["heads"] = o.heads();
  j["encoder_layers"] = o.encoder_layers();
  j["decoder_layers"] = o.decoder_layers();
  j["d_model"] = o.d_model();
  j["ffn_dim"] = o.ffn_dim();
  j["vocab_size"] = o.vocab_size();
  j["max_positions"] = o.max_positions();
  j["parameters"] = info.parameters;
  j["config"] = config_json(read_text(dir.config()));
  j["default_selection"] = {{"layer", align::default_alignment_layer(o.decoder_layers())},
                            {"head", selection.head},
                            {"description", align::describe(selection, o.decoder_layers(), o.heads())}};
  j["reverse_model"] = info.reverse_model ? ordered_json(*info.reverse_model) : ordered_json(nullptr);
  j["train_log"] = std::filesystem::is_regular_file(dir.log());
  return j;
}

ordered_json train_log_json(const std::string& path) {
  auto entries = ordered_json::array();
  std::istringstream in(read_text(path));
  for (std::string line; std::getline(in, line);) {
    auto entry = ordered_json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (entry.is_object()) entries.push_back(std::move(entry));
  }
  return {{"entries", std::move(entries)}};
}

}  // namespace crosstalk::serve
