// The validation of model::ModelOptions (model/settings.h). Torch-free (only <torch/arg.h>),
// so that the config.toml fuzz target builds it without LibTorch.
#include "crosstalk/model/settings.h"

#include <algorithm>
#include <cstdint>
#include <sstream>

namespace crosstalk::model {

std::string setting_flag(const std::string& key) {
  std::string flag = "--" + key;
  std::replace(flag.begin(), flag.end(), '_', '-');
  return flag;
}

std::string invalid_settings(const ModelOptions& o, SettingNames names) {
  auto name = [names](const char* key) { return names == SettingNames::flags ? setting_flag(key) : std::string(key); };
  auto text = [](auto... parts) {
    std::ostringstream out;
    (out << ... << parts);
    return out.str();
  };
  // Far above any model this runs, and keeps the products of shapes in range.
  constexpr int64_t kLimit = int64_t{1} << 24;
  std::string error;
  for_each_setting(o, [&](const ModelSetting& s, const auto& value) {
    using T = std::decay_t<decltype(value)>;
    if (!error.empty()) return;
    if constexpr (std::is_same_v<T, int64_t>) {
      const int64_t low = std::string(s.key) == "max_positions" ? 8 : 1;
      if (value < low || value > kLimit)
        error = text(name(s.key), " must be in ", low, "..", kLimit, ", got ", value);
    } else if constexpr (std::is_same_v<T, double>) {
      if (!(value >= 0.0 && value < 1.0)) error = text(name(s.key), " must be in [0, 1), got ", value);
    }
  });
  if (!error.empty()) return error;
  if (o.d_model() % o.heads() != 0 || o.d_model() % 2 != 0)
    return text(name("d_model"), " (", o.d_model(), ") must be an even multiple of ", name("heads"), " (", o.heads(),
                "): the heads split it, the positions pair it");
  if (o.encoder_layers() > 1024 || o.decoder_layers() > 1024)
    return text(name("encoder_layers"), " and ", name("decoder_layers"), " must be at most 1024");
  if (o.heads() > 4096) return text(name("heads"), " must be at most 4096, got ", o.heads());
  return "";
}

}  // namespace crosstalk::model
