#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>

#include "crosstalk/align/selection.h"
#include "crosstalk/model/options.h"

namespace crosstalk::serve {

/// What GET /api/model reports.
struct ModelInfo {
  std::string model_dir;
  model::ModelOptions options;
  int64_t parameters = 0;                    // trainable parameters
  std::optional<std::string> reverse_model;  // --reverse-model: results carry symmetrized links
  std::optional<std::string> symmetrize;     // with it: the method's name
  align::AttentionSelection selection;       // the reading results use (alignment.toml or the default)
  std::string selection_origin;              // alignment.toml's origin; empty for the default
};

/// config.toml as an object (toml++'s JSON form): booleans, numbers and strings as such.
/// UserError naming the file for a file that is not TOML.
nlohmann::ordered_json config_json(const std::string& toml_text, const std::string& name);

/// The /api/model object: model_dir, layers (decoder), heads, encoder_layers,
/// decoder_layers, d_model, ffn_dim, vocab_size, max_positions, parameters, config
/// (config.toml), default_selection {layer, head, description, origin}, reverse_model and
/// symmetrize (the method; both null without --reverse-model), train_log (whether the directory has a train_log.jsonl).
nlohmann::ordered_json model_info_json(const ModelInfo& info);

/// The /api/train_log object: {"entries": [every well-formed line of the file, as
/// written]}; a missing file gives no entries, a torn or malformed line is skipped.
nlohmann::ordered_json train_log_json(const std::string& path);

}  // namespace crosstalk::serve
