#include "crosstalk/serve/model_info.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "crosstalk/align/selection.h"
#include "crosstalk/store/model_dir.h"
#include "crosstalk/store/toml_file.h"

namespace crosstalk::serve {

namespace {

using nlohmann::ordered_json;

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

ordered_json config_json(const std::string& toml_text, const std::string& name) {
  std::ostringstream json;
  json << toml::json_formatter{store::parse_toml(toml_text, name)};
  return ordered_json::parse(json.str());
}

ordered_json model_info_json(const ModelInfo& info) {
  const store::ModelDir dir(info.model_dir);
  const auto& o = info.options;
  const auto& selection = info.selection;
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
  j["config"] = config_json(read_text(dir.config()), dir.config());
  j["default_selection"] = {{"layer", align::resolved_layer(selection, o.decoder_layers())},
                            {"head", selection.head},
                            {"description", align::describe(selection, o.decoder_layers(), o.heads())},
                            {"origin", info.selection_origin}};
  j["reverse_model"] = info.reverse_model ? ordered_json(*info.reverse_model) : ordered_json(nullptr);
  j["symmetrize"] = info.symmetrize ? ordered_json(*info.symmetrize) : ordered_json(nullptr);
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
