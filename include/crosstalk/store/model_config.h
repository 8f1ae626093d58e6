#pragma once

// config.toml, the model's hyper-parameters in its directory: what `train` writes and
// every reader (translate, align, serve, --resume) rebuilds the model from. Read and
// written through toml++ (store/toml_file.h).

#include <string>

#include "crosstalk/model/options.h"

namespace crosstalk::store {

/// The text of config.toml: a comment line, then one `key = value` per setting.
std::string format_model_config(const model::ModelOptions& options);

/// Parses config.toml text. `name` (the file) starts every message: UserError naming
/// the line and key for a TOML syntax error, an unknown, missing or repeated key, a
/// value of the wrong type or out of range. Torch-free, so that the fuzzer can drive
/// it without LibTorch.
model::ModelOptions parse_model_config(const std::string& text, const std::string& name);

/// Durable write (common/atomic_file.h) / read of the file.
void write_model_config(const std::string& path, const model::ModelOptions& options);
model::ModelOptions read_model_config(const std::string& path);

}  // namespace crosstalk::store
