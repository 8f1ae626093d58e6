#pragma once

#include <torch/torch.h>

#include <string>

namespace crosstalk {

/// "cpu", "cuda", "cuda:N" or "auto" (CUDA when available, else CPU).
/// UserError for an unknown name or CUDA on a build/machine without it.
torch::Device resolve_device(const std::string& name);

}  // namespace crosstalk
