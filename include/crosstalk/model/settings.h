#pragma once

// Every setting of model::ModelOptions, listed once with its help text. `train`'s model
// flags, config.toml's keys (store/model_config.h) and the one validation of a model's
// shape all come from this list: a new setting is added to ModelOptions and here.

#include <string>
#include <type_traits>

#include "crosstalk/model/options.h"

namespace crosstalk::model {

struct ModelSetting {
  const char* key;   // ModelOptions' member and config.toml's key; the flag is setting_flag(key)
  const char* help;  // the flag's help text
};

/// Calls f(setting, value) for every setting, in config.toml's (alphabetical) order; value
/// is the member itself: int64_t, double or bool (const for a const ModelOptions).
template <class Options, class F>
void for_each_setting(Options& o, F&& f) {
  static_assert(std::is_same_v<std::remove_const_t<Options>, ModelOptions>, "for_each_setting takes ModelOptions");
  f(ModelSetting{"attention_dropout", "dropout on attention weights"}, o.attention_dropout());
  f(ModelSetting{"d_model", "model width"}, o.d_model());
  f(ModelSetting{"decoder_layers", "decoder layers"}, o.decoder_layers());
  f(ModelSetting{"dropout", "dropout on embeddings, sub-layer outputs and the FFN"}, o.dropout());
  f(ModelSetting{"encoder_layers", "encoder layers"}, o.encoder_layers());
  f(ModelSetting{"ffn_dim", "feed-forward inner size"}, o.ffn_dim());
  f(ModelSetting{"heads", "attention heads"}, o.heads());
  f(ModelSetting{"max_positions", "longest sequence (pieces) the model handles"}, o.max_positions());
  f(ModelSetting{"pre_norm", "true: pre-LN; false: post-LN (Vaswani et al.)"}, o.pre_norm());
  f(ModelSetting{"tied_embeddings", "one matrix for source, target and output embeddings"}, o.tied_embeddings());
  f(ModelSetting{"vocab_size", "joint source+target vocabulary size (SentencePiece)"}, o.vocab_size());
}

/// "--d-model" for "d_model".
std::string setting_flag(const std::string& key);

/// How invalid_settings() names a setting: config.toml's key or train's flag.
enum class SettingNames { keys, flags };

/// The one validation of a model's shape: empty when `options` can build a model, else one
/// line naming the setting and its value, e.g. "dropout must be in [0, 1), got 1.5" or
/// "--d-model (30) must be an even multiple of --heads (4)".
std::string invalid_settings(const ModelOptions& options, SettingNames names = SettingNames::keys);

}  // namespace crosstalk::model
