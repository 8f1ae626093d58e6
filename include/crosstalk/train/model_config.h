#pragma once

#include <string>

#include "crosstalk/model/options.h"

namespace crosstalk::train {

/// The model's hyper-parameters as `key = value` lines (a TOML subset): what
/// `train` writes into the model directory as config.toml and every reader
/// (translate, align, --resume) rebuilds the model from.
std::string format_model_config(const model::ModelOptions& options);

/// Parses config.toml text. `name` (the file) prefixes every message.
/// UserError naming the line and the unknown, missing, repeated or bad key.
/// Torch-free, so that the fuzzer can drive it without LibTorch.
model::ModelOptions parse_model_config(const std::string& text, const std::string& name);

/// Durable write (common/atomic_file.h) / read of the file.
void write_model_config(const std::string& path, const model::ModelOptions& options);
model::ModelOptions read_model_config(const std::string& path);

}  // namespace crosstalk::train
